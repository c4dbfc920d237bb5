"""What people do in Slack's client, applied straight to the fake's state.

Tests (and ``fakes.driver``, which then tells the app) use these to react, pin, edit and
share files as a user. They follow the same rules as the Web API and raise
``ValueError(<Slack's error code>)`` where Slack's client would refuse.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from fakes.slack import actions
from fakes.slack.errors import SlackError
from fakes.slack.knobs import Knobs
from fakes.slack.state import JSON, Channel, Message, Pin
from fakes.slack.workspace import Workspace

FileSpec = Mapping[str, str | bytes]


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except SlackError as err:
        raise ValueError(err.code) from err


class UserActions:
    """Mixed into ``FakeSlack``: user actions on messages."""

    workspace: Workspace
    knobs: Knobs

    def message(self, channel_id: str, ts: str) -> Message | None:
        """The message at ``ts`` in the channel (top level or a thread reply)."""
        return self.workspace.message(channel_id, ts)

    def _target(self, channel_id: str, ts: str, user: str) -> tuple[Channel, Message]:
        self.workspace.user(user)
        channel = self.workspace.channels.get(channel_id)
        message = self.workspace.message(channel_id, ts)
        if channel is None:
            raise SlackError("channel_not_found")
        if message is None or message.subtype == "tombstone":
            raise SlackError("message_not_found")
        return channel, message

    def add_reaction(self, channel_id: str, ts: str, name: str, *, user: str) -> Message:
        with _refusals():
            _, message = self._target(channel_id, ts, user)
            actions.react(message, name.strip(":"), user)
        return message

    def remove_reaction(self, channel_id: str, ts: str, name: str, *, user: str) -> Message:
        with _refusals():
            _, message = self._target(channel_id, ts, user)
            actions.unreact(message, name.strip(":"), user)
        return message

    def pin(self, channel_id: str, ts: str, *, user: str) -> Pin:
        """``user`` pins the message; Slack's ``pinned_item`` message follows (if enabled)."""
        with _refusals():
            channel, message = self._target(channel_id, ts, user)
            return actions.pin(
                self.workspace, channel, message, user, announce=self.knobs.system_messages
            )

    def unpin(self, channel_id: str, ts: str, *, user: str) -> Pin:
        """``user`` unpins the message; returns the pin that was removed."""
        with _refusals():
            channel, message = self._target(channel_id, ts, user)
            return actions.unpin(self.workspace, channel, message)

    def edit_message(
        self,
        channel_id: str,
        ts: str,
        text: str,
        *,
        user: str,
        blocks: Sequence[JSON] = (),
    ) -> Message:
        """``user`` edits their own message: new text (and blocks), ``edited`` set."""
        with _refusals():
            _, message = self._target(channel_id, ts, user)
            if message.user != user:
                raise SlackError("cant_update_message")
            actions.edit(self.workspace, message, text, user, list(blocks))
        return message

    def _post_files(
        self,
        channel: Channel,
        text: str,
        user: str,
        files: Sequence[FileSpec],
        thread_ts: str | None,
        blocks: list[JSON],
    ) -> Message:
        uploaded = []
        for spec in files:
            name = str(spec["name"])
            raw = spec.get("content", b"")
            content = raw.encode() if isinstance(raw, str) else bytes(raw)
            uploaded.append(
                actions.new_file(
                    self.workspace,
                    name=name,
                    title=str(spec.get("title") or name),
                    user=user,
                    length=len(content),
                    content=content,
                )
            )
        return actions.share_files(
            self.workspace, uploaded, channel, user, text=text, thread_ts=thread_ts, blocks=blocks
        )
