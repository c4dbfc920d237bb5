"""Lookups in the fake workspace and the JSON Slack builds from what it holds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fakes.driver._blocks import JSON, Located, describe, iter_elements
from fakes.driver._protocols import MessageLike, ViewLike
from fakes.driver._state import state_values
from fakes.driver._transport import _TransportBase
from fakes.driver.errors import ElementNotFoundError, SlackDriverError


def ts_key(ts: str) -> tuple[int, int]:
    """Order Slack timestamps ("1732370000.000100") exactly, without float rounding."""
    seconds, _, fraction = ts.partition(".")
    return int(seconds), int(fraction.ljust(6, "0")[:6] or 0)


@dataclass
class _Target:
    """Where a clicked element lives: a (possibly ephemeral) message, or a view."""

    located: Located
    blocks: Sequence[Mapping[str, Any]]
    channel: str | None = None
    message: MessageLike | None = None
    ephemeral: Any = None
    view: ViewLike | None = None

    @property
    def state_key(self) -> str:
        if self.view is not None:
            return f"view:{self.view.id}"
        ts = self.message.ts if self.message is not None else self.ephemeral.message_ts
        return f"message:{self.channel}:{ts}"


class _WorkspaceBase(_TransportBase):
    """Reads users, channels, messages and views from the fake."""

    def _now_ts(self) -> str:
        return f"{self._clock():.6f}"

    def _team(self) -> JSON:
        return {"id": self.team_id, "domain": self.team_domain}

    def _user_name(self, user: str) -> str:
        found = self.fake.users.get(user)
        if found is None:
            raise SlackDriverError(f"unknown user {user!r}; add it with fake.add_user() first")
        return found.name

    def _user(self, user: str) -> JSON:
        name = self._user_name(user)
        return {"id": user, "username": name, "name": name, "team_id": self.team_id}

    def _channel_name(self, channel: str) -> str:
        found = self.fake.channels.get(channel)
        if found is None:
            if channel.startswith("D"):
                return "directmessage"
            raise SlackDriverError(
                f"unknown channel {channel!r}; add it with fake.add_channel() first"
            )
        if getattr(found, "is_im", False):
            return "directmessage"
        return found.name

    def _channel(self, channel: str) -> JSON:
        return {"id": channel, "name": self._channel_name(channel)}

    def _channel_type(self, channel: str) -> str:
        found = self.fake.channels.get(channel)
        if channel.startswith("D") or getattr(found, "is_im", False):
            return "im"
        if getattr(found, "is_mpim", False):
            return "mpim"
        return "group" if getattr(found, "is_private", False) else "channel"

    def _channel_messages(self, channel: str) -> list[MessageLike]:
        """Every message of ``channel`` including thread replies, newest first."""
        by_ts: dict[str, MessageLike] = {}
        for message in self.fake.messages(channel):
            by_ts.setdefault(message.ts, message)
            if message.thread_ts == message.ts:
                for reply in self.fake.replies(channel, message.ts):
                    by_ts.setdefault(reply.ts, reply)
        return sorted(by_ts.values(), key=lambda m: ts_key(m.ts), reverse=True)

    def _find_message(self, channel: str, ts: str) -> MessageLike | None:
        for message in self._channel_messages(channel):
            if message.ts == ts:
                return message
        return None

    def _message(self, channel: str, ts: str) -> MessageLike:
        message = self._find_message(channel, ts)
        if message is None:
            raise SlackDriverError(f"no message {ts} in channel {channel}")
        return message

    def _message_json(self, message: MessageLike) -> JSON:
        out: JSON = {"type": "message"}
        subtype = getattr(message, "subtype", None)
        if subtype:
            out["subtype"] = subtype
        for key in ("user", "bot_id", "app_id", "username"):
            value = getattr(message, key, None)
            if value:
                out[key] = value
        out["text"] = message.text
        out["ts"] = message.ts
        if message.thread_ts:
            out["thread_ts"] = message.thread_ts
            if message.thread_ts != message.ts:
                parent = self._find_message(message.channel, message.thread_ts)
                out["parent_user_id"] = parent.user if parent is not None else None
        if message.blocks:
            out["blocks"] = [dict(b) for b in message.blocks]
        for key in ("attachments", "metadata"):
            value = getattr(message, key, None)
            if value:
                out[key] = value
        files = getattr(message, "files", None)
        if files:
            out.update(files=[dict(f) for f in files], upload=True, display_as_bot=False)
        edited = getattr(message, "edited", None)
        if edited:
            out["edited"] = dict(edited)
        out["team"] = getattr(message, "team", None) or self.team_id
        return out

    def _permalink(self, channel: str, message: MessageLike) -> str:
        """The message's permalink as ``chat.getPermalink`` gives it."""
        link = (
            f"https://{self.team_domain}.slack.com/archives/{channel}/"
            f"p{message.ts.replace('.', '')}"
        )
        if message.thread_ts and message.thread_ts != message.ts:
            link += f"?thread_ts={message.thread_ts}&cid={channel}"
        return link

    def _common(self, payload_type: str, user: str) -> JSON:
        return {
            "type": payload_type,
            "token": self.verification_token,
            "api_app_id": self.api_app_id,
            "team": self._team(),
            "user": self._user(user),
            "enterprise": None,
            "is_enterprise_install": False,
        }

    # ------------------------------------------------------------------ views

    def _get_view(self, view_id: str, user: str) -> ViewLike:
        view = self.fake.views.get(view_id)
        if view is None:
            raise SlackDriverError(f"no view {view_id!r}; open views: {sorted(self.fake.views)}")
        if getattr(view, "closed", False):
            raise SlackDriverError(f"view {view_id} is closed")
        if view.user_id != user:
            raise SlackDriverError(f"view {view_id} belongs to {view.user_id}, not {user}")
        return view

    def _view_state(
        self, view: ViewLike, values: Mapping[str, Any] | None, entered: Mapping[Any, Any]
    ) -> JSON:
        return state_values(view.view.get("blocks") or [], values, entered)

    def _view_json(self, view: ViewLike, state_values: JSON) -> JSON:
        """The view as Slack puts it in payloads: the fake's full view JSON (defaults
        filled in for anything it lacks) with the current hash and input state."""
        out: JSON = {
            "id": view.id,
            "team_id": self.team_id,
            "type": view.type,
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {},
            "hash": view.hash,
            "title": None,
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": getattr(view, "previous_view_id", None),
            "root_view_id": getattr(view, "root_view_id", None) or view.id,
            "app_id": self.api_app_id,
            "external_id": getattr(view, "external_id", None) or "",
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        out.update(view.view)
        out.update(id=view.id, hash=view.hash, state={"values": state_values})
        return out

    # ------------------------------------------------------------------ block actions

    def _find(
        self,
        action_id: str,
        *,
        user: str,
        channel: str | None,
        message_ts: str | None,
        view_id: str | None,
        block_id: str | None,
        value: Any,
    ) -> _Target:
        def matching(
            blocks: Sequence[Mapping[str, Any]] | None,
        ) -> tuple[list[Located], list[Located]]:
            every = list(iter_elements(blocks))
            hits = [
                e
                for e in every
                if e.action_id == action_id
                and (block_id is None or e.block_id == block_id)
                and (value is None or e.type != "button" or e.element.get("value") == value)
            ]
            if len(hits) > 1:
                raise SlackDriverError(
                    f"{len(hits)} elements match action_id {action_id!r} in one "
                    f"message/view: {describe(hits)}; pass block_id= or value="
                )
            return hits, every

        seen: list[Located] = []
        where: str
        if view_id is not None or channel is None:
            if view_id is not None:
                views = [self._get_view(view_id, user)]
                where = f"view {view_id}"
            else:
                views = [
                    v
                    for v in reversed(list(self.fake.views.values()))
                    if v.user_id == user and not getattr(v, "closed", False)
                ]
                where = f"the open views of {user}"
            for view in views:
                blocks = view.view.get("blocks") or []
                hits, every = matching(blocks)
                seen += every
                if hits:
                    return _Target(hits[0], blocks, view=view)
        else:
            where = f"channel {channel}" if message_ts is None else f"message {message_ts}"
            candidates: list[tuple[tuple[int, int], MessageLike | None, Any]] = [
                (ts_key(m.ts), m, None) for m in self._channel_messages(channel)
            ]
            candidates += [
                (ts_key(e.message_ts), None, e)
                for e in self.fake.ephemerals
                if e.channel == channel and e.user == user
            ]
            candidates.sort(key=lambda c: c[0], reverse=True)
            found_ts = False
            for _, message, ephemeral in candidates:
                source = message if message is not None else ephemeral
                ts = message.ts if message is not None else ephemeral.message_ts
                if message_ts is not None and ts != message_ts:
                    continue
                found_ts = True
                blocks = source.blocks or []
                hits, every = matching(blocks)
                seen += every
                if hits:
                    return _Target(hits[0], blocks, channel, message, ephemeral)
            if message_ts is not None and not found_ts:
                raise SlackDriverError(f"no message {message_ts} in channel {channel}")
        names = sorted({e.action_id for e in seen})
        raise ElementNotFoundError(
            f"no element with action_id {action_id!r}"
            + (f" (block_id {block_id!r})" if block_id else "")
            + (f" (value {value!r})" if value is not None else "")
            + f" in {where}; saw: {describe(seen)}",
            seen=names,
        )
