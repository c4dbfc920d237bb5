"""``FakeSlack``: a stateful fake of Slack's Web API and Socket Mode on loopback."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence

from aiohttp import web

from fakes.loopback import LoopbackFake
from fakes.slack.knobs import Knobs
from fakes.slack.registry import TokenKind
from fakes.slack.server import ApiServer
from fakes.slack.socket_mode import SocketHub
from fakes.slack.state import (
    JSON,
    Bookmark,
    Call,
    Canvas,
    Channel,
    Ephemeral,
    File,
    Message,
    ResponsePost,
    Trigger,
    User,
    Usergroup,
    View,
)
from fakes.slack.user_actions import FileSpec, UserActions
from fakes.slack.workspace import Identity, Workspace


class FakeSlack(UserActions, LoopbackFake):
    """A fake Slack workspace served over HTTP for the real ``AsyncWebClient``.

    >>> async with FakeSlack() as fake:                        # doctest: +SKIP
    ...     client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    """

    def __init__(
        self,
        team_id: str = "T0001",
        bot_user_id: str = "UBOT",
        bot_token: str = "xoxb-test",
        app_token: str = "xapp-test",
        *,
        team_name: str = "OpsGuard Test",
        team_domain: str = "opsguard-test",
        bot_name: str = "opsguard",
        bot_id: str = "B0BOT",
        app_id: str = "A0APP",
    ) -> None:
        self.identity = Identity(
            team_id=team_id,
            team_name=team_name,
            domain=team_domain,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            app_id=app_id,
            bot_name=bot_name,
        )
        self.bot_token = bot_token
        self.app_token = app_token
        self.workspace = Workspace(self.identity)
        self.knobs = Knobs()
        self.hub = SocketHub(app_id)
        self._tokens: dict[str, tuple[str, TokenKind]] = {
            bot_token: (bot_user_id, "bot"),
            app_token: (bot_user_id, "app"),
        }
        self._server = ApiServer(self.workspace, self.knobs, self.hub, self._tokens)
        LoopbackFake.__init__(self)

    # -- lifecycle --------------------------------------------------------

    def _app(self) -> web.Application:
        return self._server.app()

    async def start(self) -> None:
        await super().start()
        self._server.base_url = self.workspace.base_url = self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self.hub.close_all()
        await super().stop()

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:<port>/api/``, the ``base_url`` for ``AsyncWebClient``."""
        return f"{self.base_url}/api/"

    # -- state ------------------------------------------------------------

    @property
    def users(self) -> dict[str, User]:
        return self.workspace.users

    @property
    def channels(self) -> dict[str, Channel]:
        return self.workspace.channels

    @property
    def usergroups(self) -> dict[str, Usergroup]:
        return self.workspace.usergroups

    @property
    def pins(self) -> defaultdict[str, list[str]]:
        """``pins[channel_id]``: ts of the pinned messages, in pin order."""
        return self.workspace.pins

    @property
    def bookmarks(self) -> defaultdict[str, list[Bookmark]]:
        return self.workspace.bookmarks

    @property
    def views(self) -> dict[str, View]:
        return self.workspace.views

    @property
    def canvases(self) -> dict[str, Canvas]:
        """``canvases[canvas_id]``: title, markdown, channel and access of each canvas."""
        return self.workspace.canvases

    @property
    def files(self) -> dict[str, File]:
        """``files[file_id]``: name, title, uploaded bytes and channels of each file."""
        return self.workspace.files

    @property
    def ephemerals(self) -> list[Ephemeral]:
        return self.workspace.ephemerals

    @property
    def responses(self) -> list[ResponsePost]:
        return self.workspace.responses

    def add_user(
        self,
        name: str = "alice",
        *,
        id: str | None = None,
        real_name: str | None = None,
        email: str | None = None,
        tz: str = "Europe/London",
        is_admin: bool = False,
        deleted: bool = False,
        is_bot: bool = False,
    ) -> User:
        return self.workspace.add_user(
            name,
            id=id,
            real_name=real_name,
            email=email,
            tz=tz,
            is_admin=is_admin,
            deleted=deleted,
            is_bot=is_bot,
        )

    def add_channel(
        self,
        name: str,
        *,
        is_private: bool = False,
        members: tuple[str, ...] | list[str] = (),
        creator: str | None = None,
    ) -> Channel:
        return self.workspace.add_channel(
            name, is_private=is_private, members=members, creator=creator
        )

    def add_usergroup(
        self,
        handle: str,
        *,
        name: str | None = None,
        users: tuple[str, ...] | list[str] = (),
        description: str = "",
    ) -> Usergroup:
        group = Usergroup(
            id=self.workspace.new_id("S"),
            handle=handle,
            name=name or handle,
            users=list(users),
            description=description,
            date_create=int(time.time()),
            created_by=self.identity.bot_user_id,
        )
        self.workspace.usergroups[group.id] = group
        return group

    def add_message(
        self,
        channel_id: str,
        text: str,
        *,
        user: str,
        thread_ts: str | None = None,
        blocks: list[JSON] | None = None,
        files: Sequence[FileSpec] = (),
    ) -> Message:
        """Seed a message (e.g. a human's) straight into state; no API call, no checks.

        ``files`` (``{"name": ..., "title": ..., "content": str | bytes}``, title and
        content optional) are uploaded by ``user`` and shared with the message.
        """
        channel = self.workspace.channels[channel_id]
        if files:
            return self._post_files(channel, text, user, files, thread_ts, list(blocks or []))
        return self.workspace.new_message(
            channel, user, text, thread_ts=thread_ts, blocks=list(blocks or [])
        )

    def add_token(self, token: str, user_id: str) -> None:
        """Accept ``token`` as a user token acting as ``user_id``."""
        self.workspace.user(user_id)
        self._tokens[token] = (user_id, "user")

    def messages(self, channel_id: str) -> list[Message]:
        """Top-level messages (and thread broadcasts) of a channel, oldest first."""
        return self.workspace.top_level(channel_id)

    def replies(self, channel_id: str, thread_ts: str) -> list[Message]:
        """The replies in a thread, oldest first (without the parent)."""
        return [m for m in self.workspace.thread(channel_id, thread_ts) if m.is_reply]

    def home_view(self, user_id: str) -> View | None:
        view_id = self.workspace.home_views.get(user_id)
        return self.workspace.views.get(view_id) if view_id else None

    def modal_stack(self, user_id: str) -> list[View]:
        """The user's open modals, root first."""
        stack = self.workspace.modal_stacks.get(user_id, [])
        return [self.workspace.views[v] for v in stack]

    def close_view(self, view_id: str) -> None:
        """The user closed (or submitted with ``clear``) a modal: drop it and those above it."""
        view = self.workspace.views[view_id]
        stack = self.workspace.modal_stacks.get(view.user_id, [])
        if view_id in stack:
            for closed_id in stack[stack.index(view_id) :]:
                self.workspace.views[closed_id].closed = True
            del stack[stack.index(view_id) :]

    def new_trigger_id(self, user_id: str, *, age: float = 0.0) -> str:
        """A trigger_id for ``user_id``, valid 3 s from issue; ``age`` back-dates it."""
        self.workspace.user(user_id)
        serial = len(self.workspace.triggers) + 1
        trigger_id = f"{int(time.time())}.{serial}.{uuid.uuid4().hex[:16]}"
        self.workspace.triggers[trigger_id] = Trigger(
            id=trigger_id, user_id=user_id, issued_at=time.monotonic() - age
        )
        return trigger_id

    def new_response_url(self) -> str:
        """A response_url; POSTs to it are recorded in :attr:`responses`."""
        url_id = uuid.uuid4().hex
        self.workspace.response_urls[url_id] = 0
        return f"{self.base_url}/response/{url_id}"

    # -- knobs and the call log -------------------------------------------

    @property
    def latency(self) -> float:
        return self.knobs.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.knobs.latency = seconds

    @property
    def system_messages(self) -> bool:
        """Post Slack's own messages (joins, topic changes, pins...); default True."""
        return self.knobs.system_messages

    @system_messages.setter
    def system_messages(self, value: bool) -> None:
        self.knobs.system_messages = value

    @property
    def chat_write_public(self) -> bool:
        """The bot may post in public channels it is not in (scope chat:write.public)."""
        return self.knobs.chat_write_public

    @chat_write_public.setter
    def chat_write_public(self, value: bool) -> None:
        self.knobs.chat_write_public = value

    def fail_next(
        self,
        method: str | None = None,
        *,
        error: str | None = None,
        status: int | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls (to ``method``, or any) fail.

        ``error`` alone answers HTTP 200 ``{"ok": false, "error": error}``;
        ``status=500/503`` answers that status; ``status=429`` (or
        ``retry_after`` alone) answers 429 with ``Retry-After`` and
        ``{"ok": false, "error": "ratelimited"}``.  The call does not touch state.
        """
        self.knobs.fail_next(
            method, error=error, status=status, retry_after=retry_after, times=times
        )

    @property
    def calls(self) -> list[Call]:
        return self.knobs.calls

    def calls_to(self, method: str) -> list[Call]:
        return self.knobs.matching(method)

    async def wait_for_call(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 (public API)
        predicate: Callable[[Call], bool] | None = None,
    ) -> Call:
        return await self.knobs.wait_for_call(
            method, count=count, timeout=timeout, predicate=predicate
        )

    async def wait_for_response(
        self,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 (public API)
        predicate: Callable[[ResponsePost], bool] | None = None,
    ) -> ResponsePost:
        """The ``count``-th POST to a response_url (matching ``predicate``), waiting for it."""

        def matching() -> list[ResponsePost]:
            return [r for r in self.responses if predicate is None or predicate(r)]

        await self.knobs.wait_until(
            lambda: len(matching()) >= count,
            timeout,
            lambda: f"{count} response_url post(s); saw {len(matching())}",
        )
        return matching()[count - 1]

    def reset_calls(self) -> None:
        self.knobs.calls.clear()

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of crashes inside the fake (answered as ``fatal_error``)."""
        return self.knobs.internal_errors

    # -- Socket Mode ------------------------------------------------------

    async def wait_for_socket(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        await self.hub.wait_for_connection(timeout)

    async def socket_send(
        self,
        envelope_type: str,
        payload: JSON,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 (public API)
    ) -> JSON | None:
        """Send an envelope; the ack's ``payload`` ({} if none), or None without an ack."""
        return await self.hub.send(envelope_type, payload, timeout)

    async def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message to every connected client."""
        await self.hub.send_disconnect(reason)
