"""Structural types for the parts of ``fakes.slack.FakeSlack`` the driver relies on.

The driver never imports the fake: it talks to anything with this shape, so the two
can evolve separately and the driver can be exercised against a stand-in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable


class UserLike(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


class ChannelLike(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


class MessageLike(Protocol):
    @property
    def ts(self) -> str: ...

    @property
    def channel(self) -> str: ...

    @property
    def user(self) -> str | None: ...

    @property
    def text(self) -> str: ...

    @property
    def blocks(self) -> Sequence[Mapping[str, Any]] | None: ...

    @property
    def thread_ts(self) -> str | None: ...


class PinLike(Protocol):
    @property
    def created(self) -> int: ...

    @property
    def created_by(self) -> str: ...


class ViewLike(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def user_id(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def view(self) -> Mapping[str, Any]: ...

    @property
    def hash(self) -> str: ...


class FakeSlackLike(Protocol):
    """What :class:`fakes.driver.SlackDriver` needs from the fake Slack Web API.

    The team/bot/app ids are read from ``fake.identity`` (``FakeSlack``) or, failing
    that, from ``team_id``/``bot_user_id`` attributes; ``close_view(view_id)`` is used
    when present to close modals the way Slack does after a submit or a dismiss, and
    ``add_message(channel_id, text, *, user, thread_ts, files=...)`` to store users'
    messages (``files`` only when a test shares some).
    """

    @property
    def users(self) -> Mapping[str, UserLike]: ...

    @property
    def channels(self) -> Mapping[str, ChannelLike]: ...

    @property
    def views(self) -> Mapping[str, ViewLike]: ...

    @property
    def ephemerals(self) -> Sequence[Any]: ...

    def messages(self, channel_id: str) -> Sequence[MessageLike]: ...

    def replies(self, channel_id: str, thread_ts: str) -> Sequence[MessageLike]: ...

    def home_view(self, user_id: str) -> ViewLike | None: ...

    def new_trigger_id(self, user_id: str) -> str: ...

    def new_response_url(self) -> str: ...

    async def socket_send(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the fake's signature
    ) -> dict[str, Any] | None: ...


@runtime_checkable
class UserActionsLike(Protocol):
    """What the driver needs to carry out a user's reaction, pin or edit in the fake
    before telling the app about it (``FakeSlack`` has all of it). Each raises
    ``ValueError(<Slack's error code>)`` where Slack's client would refuse."""

    @property
    def pins(self) -> Mapping[str, Sequence[str]]: ...

    def add_reaction(self, channel_id: str, ts: str, name: str, *, user: str) -> MessageLike: ...

    def remove_reaction(self, channel_id: str, ts: str, name: str, *, user: str) -> MessageLike: ...

    def pin(self, channel_id: str, ts: str, *, user: str) -> PinLike: ...

    def unpin(self, channel_id: str, ts: str, *, user: str) -> PinLike: ...

    def edit_message(self, channel_id: str, ts: str, text: str, *, user: str) -> MessageLike: ...
