"""Users reacting to, pinning and editing messages: the change is made in the fake, then
the event Slack sends for it is delivered to the app."""

from __future__ import annotations

from fakes.driver._blocks import JSON
from fakes.driver._events import _EventsBase
from fakes.driver._protocols import MessageLike, PinLike, UserActionsLike
from fakes.driver._transport import DriverResponse
from fakes.driver.errors import SlackDriverError


class _ItemEventsBase(_EventsBase):
    """``reaction_added``/``reaction_removed``, ``pin_added``/``pin_removed`` and
    ``message_changed``, each shaped as the Events API sends it."""

    def _actions(self) -> UserActionsLike:
        if not isinstance(self.fake, UserActionsLike):
            raise SlackDriverError(
                "the fake cannot carry out user actions (needs add_reaction, pin, edit_message…)"
            )
        return self.fake

    def _seen_by(self, user: str, channel: str, ts: str) -> MessageLike:
        """The message ``user`` acts on; refused where Slack's client would not show it."""
        self._user_name(user)
        self._channel_name(channel)
        found = self.fake.channels.get(channel)
        hidden = self._channel_type(channel) != "channel"
        if hidden and user not in (getattr(found, "members", None) or ()):
            raise SlackDriverError(f"{user} cannot see {channel}: not a member")
        return self._message(channel, ts)

    def _refused(self, what: str, err: ValueError) -> SlackDriverError:
        return SlackDriverError(f"Slack would refuse to {what}: {err}")

    async def _reaction(
        self, event_type: str, *, user: str, channel: str, ts: str, emoji: str
    ) -> DriverResponse:
        message = self._seen_by(user, channel, ts)
        name = emoji.strip(":")
        actions = self._actions()
        try:
            if event_type == "reaction_added":
                actions.add_reaction(channel, ts, name, user=user)
            else:
                actions.remove_reaction(channel, ts, name, user=user)
        except ValueError as err:
            verb = "add" if event_type == "reaction_added" else "remove"
            raise self._refused(f"{verb} :{name}:", err) from err
        event: JSON = {
            "type": event_type,
            "user": user,
            "reaction": name,
            "item": {
                "type": "message",
                "channel": channel,
                "ts": ts,
                "channel_type": self._channel_type(channel),
            },
            "event_ts": self._now_ts(),
        }
        if message.user:
            event["item_user"] = message.user
        return await self.event(event)

    async def reaction_added(
        self, *, user: str, channel: str, ts: str, emoji: str
    ) -> DriverResponse:
        """``user`` reacts with ``emoji`` to the message at ``ts``: the reaction is added in
        the fake and ``reaction_added`` delivered."""
        return await self._reaction(
            "reaction_added", user=user, channel=channel, ts=ts, emoji=emoji
        )

    async def reaction_removed(
        self, *, user: str, channel: str, ts: str, emoji: str
    ) -> DriverResponse:
        """``user`` takes back their ``emoji`` reaction: ``reaction_removed``."""
        return await self._reaction(
            "reaction_removed", user=user, channel=channel, ts=ts, emoji=emoji
        )

    def _pin_event(
        self, event_type: str, user: str, channel: str, message: MessageLike, pin: PinLike
    ) -> JSON:
        pinned = self._message_json(message)
        pinned.update(permalink=self._permalink(channel, message))
        if event_type == "pin_added":
            pinned["pinned_to"] = [channel]
        pins = self._actions().pins.get(channel, ())
        event: JSON = {
            "type": event_type,
            "user": user,
            "channel_id": channel,
            "item": {
                "type": "message",
                "created": pin.created,
                "created_by": pin.created_by,
                "channel": channel,
                "message": pinned,
            },
            "pin_count": str(len(pins)),
            "pinned_info": {
                "channel": channel,
                "pinned_by": pin.created_by,
                "pinned_ts": pin.created,
            },
            "event_ts": self._now_ts(),
        }
        if message.user:
            event["item_user"] = message.user
        if event_type == "pin_removed":
            event["has_pins"] = bool(pins)
        return event

    async def pin_added(self, *, user: str, channel: str, ts: str) -> DriverResponse:
        """``user`` pins the message: pinned in the fake (with Slack's ``pinned_item``
        message, unless the fake's system messages are off) and ``pin_added`` delivered.
        Apps subscribed to ``message`` events would also get that ``pinned_item`` message;
        send it with :meth:`event` if the app needs it."""
        message = self._seen_by(user, channel, ts)
        try:
            pin = self._actions().pin(channel, ts, user=user)
        except ValueError as err:
            raise self._refused("pin it", err) from err
        return await self.event(self._pin_event("pin_added", user, channel, message, pin))

    async def pin_removed(self, *, user: str, channel: str, ts: str) -> DriverResponse:
        """``user`` unpins the message: ``pin_removed`` (``has_pins`` tells if any remain)."""
        message = self._seen_by(user, channel, ts)
        try:
            pin = self._actions().unpin(channel, ts, user=user)
        except ValueError as err:
            raise self._refused("unpin it", err) from err
        return await self.event(self._pin_event("pin_removed", user, channel, message, pin))

    async def edit_message(self, *, user: str, channel: str, ts: str, text: str) -> DriverResponse:
        """``user`` edits their message (top level or thread reply) to ``text``: changed in
        the fake, then the hidden ``message`` event with subtype ``message_changed``
        carrying the new ``message`` (with ``edited``) and the ``previous_message``."""
        message = self._seen_by(user, channel, ts)
        if message.user != user:
            raise SlackDriverError(f"{user} cannot edit {ts}: it was posted by {message.user}")
        previous = self._message_json(message)
        try:
            edited = self._actions().edit_message(channel, ts, text, user=user)
        except ValueError as err:
            raise self._refused("edit it", err) from err
        current = self._message_json(edited)
        edit_ts = str(current.get("edited", {}).get("ts") or self._now_ts())
        return await self.event(
            {
                "type": "message",
                "subtype": "message_changed",
                "hidden": True,
                "message": current,
                "previous_message": previous,
                "channel": channel,
                "channel_type": self._channel_type(channel),
                "ts": edit_ts,
                "event_ts": edit_ts,
            }
        )
