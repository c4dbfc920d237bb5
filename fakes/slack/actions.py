"""State changes shared by the Web API handlers and the seeding helpers of ``FakeSlack``.

Each raises :class:`SlackError` with Slack's code when Slack would refuse the change, so a
bot's call and a user's action (driven by the test) follow the same rules.
"""

from __future__ import annotations

import time

from fakes.slack.errors import SlackError
from fakes.slack.render import file_json
from fakes.slack.state import JSON, Channel, File, Message, Pin
from fakes.slack.workspace import Workspace

# Slack refuses to pin these ("not_pinnable"): membership notices cannot be pinned.
_UNPINNABLE = frozenset({"channel_join", "channel_leave"})


def react(message: Message, name: str, user: str) -> None:
    users = message.reactions.setdefault(name, [])
    if user in users:
        raise SlackError("already_reacted")
    users.append(user)


def unreact(message: Message, name: str, user: str) -> None:
    users = message.reactions.get(name, [])
    if user not in users:
        raise SlackError("no_reaction")
    users.remove(user)
    if not users:
        del message.reactions[name]


def pin(ws: Workspace, channel: Channel, message: Message, user: str, *, announce: bool) -> Pin:
    """Pin ``message``; with ``announce`` Slack's ``pinned_item`` message follows it."""
    if message.subtype in _UNPINNABLE:
        raise SlackError("not_pinnable")
    pins = ws.pins[channel.id]
    if message.ts in pins:
        raise SlackError("already_pinned")
    pins.append(message.ts)
    created = int(time.time())
    ws.pin_info[(channel.id, message.ts)] = (created, user)
    if announce:
        ws.new_message(
            channel, user, f"<@{user}> pinned a message to this channel.", subtype="pinned_item"
        )
    return Pin(channel=channel.id, ts=message.ts, created=created, created_by=user)


def unpin(ws: Workspace, channel: Channel, message: Message) -> Pin:
    """Unpin ``message``; returns the pin that was removed."""
    pins = ws.pins[channel.id]
    if message.ts not in pins:
        raise SlackError("no_pin")
    pins.remove(message.ts)
    created, created_by = ws.pin_info.pop((channel.id, message.ts), (0, ""))
    return Pin(channel=channel.id, ts=message.ts, created=created, created_by=created_by)


def edit(ws: Workspace, message: Message, text: str, user: str, blocks: list[JSON]) -> None:
    """``user`` edits ``message`` (their own, in a Slack client): new text, ``edited`` set."""
    if message.subtype == "tombstone":
        raise SlackError("message_not_found")
    message.text = text
    message.blocks = blocks
    message.edited = {"user": user, "ts": ws.next_ts()}


def new_file(
    ws: Workspace,
    *,
    name: str,
    title: str,
    user: str,
    length: int,
    content: bytes | None = None,
    alt_txt: str | None = None,
    snippet_type: str | None = None,
) -> File:
    file = File(
        id=ws.new_id("F"),
        name=name,
        title=title,
        user=user,
        created=int(time.time()),
        length=length,
        content=content,
        alt_txt=alt_txt,
        snippet_type=snippet_type,
    )
    ws.files[file.id] = file
    return file


def share_files(
    ws: Workspace,
    files: list[File],
    channel: Channel,
    user: str,
    *,
    text: str = "",
    thread_ts: str | None = None,
    blocks: list[JSON] | None = None,
) -> Message:
    """Post ``files`` in ``channel`` as one message from ``user`` (``upload: true``)."""
    message = ws.new_message(
        channel, user, text, thread_ts=thread_ts, blocks=list(blocks or []), upload=True
    )
    for file in files:
        file.completed = True
        if channel.id not in file.channels:
            file.channels.append(channel.id)
        file.shares.setdefault(channel.id, []).append(message.ts)
    message.files = [file_json(ws, file) for file in files]
    return message
