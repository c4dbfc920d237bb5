"""SlackDriver: sends a Slack app the requests Slack itself would send."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fakes.driver._blocks import JSON, action_payload, iter_elements, selection
from fakes.driver._item_events import _ItemEventsBase
from fakes.driver._state import keys_for, state_values, validate_inputs
from fakes.driver._transport import DriverResponse
from fakes.driver.errors import SlackDriverError


class SlackDriver(_ItemEventsBase):
    """Drives a Bolt app over HTTP (signed like Slack) or through the fake's Socket Mode.

    All payloads are built from what the fake holds (users, channels, posted messages,
    open views), so a test clicks the button the app actually posted.
    """

    # ------------------------------------------------------------------ slash commands

    def build_command(self, command: str, text: str, *, user: str, channel: str) -> dict[str, str]:
        """The form fields Slack posts for ``command text`` typed by ``user`` in ``channel``."""
        if not command.startswith("/"):
            raise SlackDriverError(f"slash commands start with '/': {command!r}")
        return {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel,
            "channel_name": self._channel_name(channel),
            "user_id": user,
            "user_name": self._user_name(user),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self.fake.new_response_url(),
            "trigger_id": self.fake.new_trigger_id(user),
        }

    async def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str,
        channel: str,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> DriverResponse:
        fields = self.build_command(command, text, user=user, channel=channel)
        return await self._send(
            "slash_commands", fields, timestamp=timestamp, signing_secret=signing_secret
        )

    # ------------------------------------------------------------------ shortcuts

    async def global_shortcut(
        self,
        callback_id: str,
        *,
        user: str,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> DriverResponse:
        payload = self._common("shortcut", user)
        payload.update(
            callback_id=callback_id,
            trigger_id=self.fake.new_trigger_id(user),
            action_ts=self._now_ts(),
        )
        return await self.interactive(payload, timestamp=timestamp, signing_secret=signing_secret)

    async def message_shortcut(
        self,
        callback_id: str,
        *,
        user: str,
        channel: str,
        message_ts: str,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> DriverResponse:
        message = self._message(channel, message_ts)
        payload = self._common("message_action", user)
        payload.update(
            callback_id=callback_id,
            trigger_id=self.fake.new_trigger_id(user),
            action_ts=self._now_ts(),
            message_ts=message_ts,
            message=self._message_json(message),
            channel=self._channel(channel),
            response_url=self.fake.new_response_url(),
        )
        return await self.interactive(payload, timestamp=timestamp, signing_secret=signing_secret)

    async def submit_view(
        self,
        view_id: str,
        *,
        user: str,
        values: Mapping[str, Any] | None = None,
        validate: bool = True,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> DriverResponse:
        """Submit modal ``view_id`` as ``user`` would, filling inputs from ``values``.

        ``values`` is keyed by block_id or (if unambiguous) action_id; see
        :func:`fakes.driver._blocks.selection` for the accepted value forms. With
        ``validate`` the driver refuses what Slack's client refuses: an empty required
        input or a text shorter/longer than the element's min_length/max_length.
        """
        view = self._get_view(view_id, user)
        if view.type != "modal":
            raise SlackDriverError(f"view {view_id} is a {view.type}; only modals are submitted")
        entered = self._entered.get(f"view:{view_id}", {})
        state = self._view_state(view, values, entered)
        if validate:
            validate_inputs(view.view.get("blocks") or [], state)
        payload = self._common("view_submission", user)
        payload.update(
            trigger_id=self.fake.new_trigger_id(user),
            view=self._view_json(view, state),
            response_urls=[],
        )
        response = await self.interactive(
            payload, timestamp=timestamp, signing_secret=signing_secret
        )
        if response.status == 200:
            # Slack closes the modal on a bare ack (back to the previous view of the
            # stack) and the whole stack on "clear"; "errors" keeps it open. ("update"
            # and "push" are not applied to the fake.)
            action = (response.json or {}).get("response_action")
            if action is None:
                self._close_in_fake(view_id)
            elif action == "clear":
                self._close_in_fake(getattr(view, "root_view_id", None) or view_id)
        return response

    def _close_in_fake(self, view_id: str) -> None:
        self._entered.pop(f"view:{view_id}", None)
        close = getattr(self.fake, "close_view", None)
        if close is not None:
            close(view_id)

    async def close_view(
        self,
        view_id: str,
        *,
        user: str,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> DriverResponse | None:
        """The user dismisses modal ``view_id``. The fake closes it (the whole stack if
        the view has ``clear_on_close``); ``view_closed`` is sent only if the view asked
        for it with ``notify_on_close``, otherwise nothing is sent and None returned."""
        view = self._get_view(view_id, user)
        cleared = bool(view.view.get("clear_on_close"))
        state = self._view_state(view, None, self._entered.get(f"view:{view_id}", {}))
        self._close_in_fake(
            (getattr(view, "root_view_id", None) or view_id) if cleared else view_id
        )
        if not view.view.get("notify_on_close"):
            return None
        payload = self._common("view_closed", user)
        payload.update(view=self._view_json(view, state), is_cleared=cleared)
        return await self.interactive(payload, timestamp=timestamp, signing_secret=signing_secret)

    async def click(
        self,
        action_id: str,
        *,
        user: str,
        channel: str | None = None,
        message_ts: str | None = None,
        view_id: str | None = None,
        value: Any = None,
        selected: Any = None,
        block_id: str | None = None,
        values: Mapping[str, Any] | None = None,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> DriverResponse:
        """Interact with element ``action_id`` and send Slack's ``block_actions`` payload.

        Looks in ``view_id``; else in ``channel`` (message ``message_ts``, or the newest
        message/ephemeral holding the element); else in ``user``'s open views, newest
        first. For buttons ``value`` picks among same-id buttons; for text inputs it is
        the typed text. ``selected`` is what a select/picker/checkbox/radio/overflow is
        set to (option values, ids, dates). ``values`` pre-fills other inputs of the same
        view/message, exactly like :meth:`submit_view`.
        """
        if message_ts is not None and channel is None:
            raise SlackDriverError("message_ts needs channel")
        target = self._find(
            action_id,
            user=user,
            channel=channel,
            message_ts=message_ts,
            view_id=view_id,
            block_id=block_id,
            value=value,
        )
        located = target.located
        entered = self._entered.setdefault(target.state_key, {})
        if values:
            elements = {(e.block_id, e.action_id): e for e in iter_elements(target.blocks)}
            for key, raw in keys_for(target.blocks, values).items():
                entered[key] = selection(elements[key].element, raw)
        chosen: tuple[str, Any] | None = None
        if located.type == "button":
            pass
        elif located.type in ("workflow_button", "icon_button"):
            raise SlackDriverError(f"{located.type} {action_id!r} does not send block_actions")
        elif located.type == "overflow":
            if selected is None:
                raise SlackDriverError(f"overflow {action_id!r} needs selected=<option value>")
            chosen = selection(located.element, selected)
        else:
            raw = value if located.type.endswith("text_input") and selected is None else selected
            if raw is None:
                raise SlackDriverError(f"{located.type} {action_id!r} needs selected= (or value=)")
            chosen = selection(located.element, raw)
            entered[(located.block_id, located.action_id)] = chosen
        state = state_values(target.blocks, None, entered)
        action = action_payload(located, action_ts=self._now_ts(), selected=chosen)
        payload = self._common("block_actions", user)
        if target.view is not None:
            payload.update(
                container={"type": "view", "view_id": target.view.id},
                trigger_id=self.fake.new_trigger_id(user),
                view=self._view_json(target.view, state),
                actions=[action],
            )
        else:
            assert target.channel is not None
            if target.message is not None:
                ts, is_ephemeral, thread_ts = target.message.ts, False, target.message.thread_ts
            else:
                ts, is_ephemeral = target.ephemeral.message_ts, True
                thread_ts = target.ephemeral.thread_ts
            container: JSON = {
                "type": "message",
                "message_ts": ts,
                "channel_id": target.channel,
                "is_ephemeral": is_ephemeral,
            }
            if thread_ts and thread_ts != ts:  # a reply in a thread
                container["thread_ts"] = thread_ts
            payload.update(
                container=container,
                trigger_id=self.fake.new_trigger_id(user),
                channel=self._channel(target.channel),
            )
            if target.message is not None:
                payload["message"] = self._message_json(target.message)
            payload.update(
                state={"values": state},
                response_url=self.fake.new_response_url(),
                actions=[action],
            )
        return await self.interactive(payload, timestamp=timestamp, signing_secret=signing_secret)
