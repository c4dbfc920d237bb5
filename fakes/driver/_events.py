"""The Events API: the ``event_callback`` envelope, and the events of users posting."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from fakes.driver._blocks import JSON
from fakes.driver._transport import DriverResponse
from fakes.driver._workspace import _WorkspaceBase
from fakes.driver.errors import SlackDriverError


class _EventsBase(_WorkspaceBase):
    """Builds and delivers Events API payloads."""

    def build_event_envelope(
        self,
        event: Mapping[str, Any],
        *,
        event_type: str | None = None,
        event_id: str | None = None,
    ) -> JSON:
        """Wrap ``event`` in the ``event_callback`` envelope of the Events API (a fresh
        ``event_id`` unless given: a redelivery repeats the original's)."""
        inner = dict(event)
        if event_type is not None:
            inner["type"] = event_type
        if not inner.get("type"):
            raise SlackDriverError("an event needs a 'type' (or pass event_type=)")
        inner.setdefault("event_ts", self._now_ts())
        context = {"tid": self.team_id, "aid": self.api_app_id, "et": inner["type"]}
        if isinstance(inner.get("channel"), str):
            context["cid"] = inner["channel"]
        event_context = "4-" + base64.urlsafe_b64encode(json.dumps(context).encode()).decode()
        return {
            "token": self.verification_token,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.api_app_id,
            "event": inner,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._seq):010X}",
            "event_time": int(self._clock()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": event_context,
        }

    async def event(
        self,
        event: Mapping[str, Any],
        *,
        event_type: str | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> DriverResponse:
        """Deliver ``event`` (``event_ts`` filled in when missing). For a redelivery
        pass the original ``event_id`` and ``retry_num``: Slack then adds its
        ``X-Slack-Retry-Num``/``X-Slack-Retry-Reason`` headers (HTTP only)."""
        envelope = self.build_event_envelope(event, event_type=event_type, event_id=event_id)
        extra = None
        if retry_num is not None:
            extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return await self._send(
            "events_api",
            envelope,
            timestamp=timestamp,
            signing_secret=signing_secret,
            extra_headers=extra,
        )

    def _user_message_event(
        self,
        event_type: str,
        text: str,
        user: str,
        channel: str,
        thread_ts: str | None,
        files: Sequence[Mapping[str, Any]] = (),
    ) -> JSON:
        """The event for ``user`` posting ``text`` (with ``files``). The message is stored in
        the fake first when it can take one (``add_message``), so the app finds it there (to
        react to it, reply in its thread, read its history) under the event's ts."""
        self._user_name(user)
        self._channel_name(channel)
        add_message = getattr(self.fake, "add_message", None)
        shared: list[JSON] = []
        if add_message is not None:
            extra = {"files": list(files)} if files else {}
            stored = add_message(channel, text, user=user, thread_ts=thread_ts, **extra)
            ts = str(stored.ts)
            shared = [dict(f) for f in getattr(stored, "files", None) or ()]
        elif files:
            raise SlackDriverError("sharing files needs a fake with add_message(..., files=)")
        else:
            ts = self._now_ts()
        event: JSON = {
            "type": event_type,
            "client_msg_id": str(uuid.uuid4()),
            "text": text,
            "user": user,
            "ts": ts,
            "team": self.team_id,
            "channel": channel,
            "event_ts": ts,
        }
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
        if shared:
            event.update(subtype="file_share", files=shared, upload=True, display_as_bot=False)
        if event_type == "message":
            event["channel_type"] = self._channel_type(channel)
        return event

    async def message(
        self,
        text: str,
        *,
        user: str,
        channel: str,
        thread_ts: str | None = None,
        files: Sequence[Mapping[str, Any]] = (),
    ) -> DriverResponse:
        """``user`` posts ``text`` in ``channel``: a ``message`` event. With ``files``
        (``{"name", "title", "content"}``, see ``FakeSlack.add_message``) the user uploads
        them with the message: subtype ``file_share``, the files in ``files``."""
        return await self.event(
            self._user_message_event("message", text, user, channel, thread_ts, files)
        )

    async def app_mention(
        self, text: str, *, user: str, channel: str, thread_ts: str | None = None
    ) -> DriverResponse:
        """``user`` mentions the bot: an ``app_mention`` event (``<@BOT>`` is prepended
        unless ``text`` already mentions it). Slack would also send a ``message`` event
        to apps subscribed to it; send that with :meth:`event` if the app needs it."""
        mention = f"<@{self.bot_user_id}>"
        if mention not in text:
            text = f"{mention} {text}".rstrip()
        return await self.event(
            self._user_message_event("app_mention", text, user, channel, thread_ts)
        )

    async def app_home_opened(self, user: str, *, tab: str = "home") -> DriverResponse:
        self._user_name(user)
        dm = next(
            (
                c.id
                for c in self.fake.channels.values()
                if getattr(c, "is_im", False) and getattr(c, "im_user", None) == user
            ),
            f"D{user[1:]}",
        )
        event: JSON = {"type": "app_home_opened", "user": user, "channel": dm, "tab": tab}
        home = self.fake.home_view(user) if tab == "home" else None
        if home is not None:
            event["view"] = self._view_json(home, self._view_state(home, None, {}))
        return await self.event(event)
