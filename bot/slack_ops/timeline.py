"""Reading a Slack message back for the timeline, and confirming the capture with a ✅.

Events only carry the message's channel and ts; its text, author, files and thread come
from `conversations.history`, or `conversations.replies` when it is a thread reply.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.domain.directory import lookup_user
from bot.domain.timeline import CapturedMessage
from bot.slack_directory import profile_fetcher
from bot.slack_ops.context import SlackOps

log = logging.getLogger("opsguard.timeline")
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
MAX_REPLY_PAGES = 10


async def read_message(ops: SlackOps, channel: str, ts: str) -> dict[str, Any] | None:
    """The message at (channel, ts), top-level or in a thread; None if Slack has no such one."""
    history = await ops.client.conversations_history(
        channel=channel, latest=ts, inclusive=True, limit=1
    )
    for message in history.get("messages") or []:
        if message.get("ts") == ts:
            return dict(message)
    cursor: str | None = None
    for _ in range(MAX_REPLY_PAGES):
        try:
            replies = await ops.client.conversations_replies(
                channel=channel, ts=ts, latest=ts, inclusive=True, limit=200, cursor=cursor
            )
        except SlackApiError as exc:
            if exc.response.get("error") == "thread_not_found":
                return None
            raise
        for message in replies.get("messages") or []:
            if message.get("ts") == ts:
                return dict(message)
        cursor = (replies.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            return None
    return None


async def captured(ops: SlackOps, channel: str, message: dict[str, Any]) -> CapturedMessage:
    """The message as the timeline keeps it: mentions as names, a permalink, file names."""
    ts = message["ts"]
    try:
        permalink = (await ops.client.chat_getPermalink(channel=channel, message_ts=ts)).get(
            "permalink"
        )
    except SlackApiError as exc:
        log.info("no permalink for %s/%s: %s", channel, ts, exc.response.get("error"))
        permalink = None
    return CapturedMessage(
        channel=channel,
        ts=ts,
        author=message.get("user") or message.get("bot_id"),
        text=await names_for_mentions(ops, message.get("text") or ""),
        posted_at=datetime.fromtimestamp(float(ts), UTC),
        permalink=permalink,
        files=file_names(message),
    )


def file_names(message: dict[str, Any]) -> tuple[str, ...]:
    return tuple(f.get("name") or f.get("title") or "file" for f in message.get("files") or [])


async def names_for_mentions(ops: SlackOps, text: str) -> str:
    """`<@U123>` → `@alice`, `<!here>` → `@here`: the timeline outlives the workspace's ids."""
    names: dict[str, str] = {}
    for user_id in dict.fromkeys(MENTION.findall(text)):
        try:
            user = await lookup_user(
                ops.deps.db, ops.deps.clock, profile_fetcher(ops.client), user_id
            )
            names[user_id] = user.name
        except Exception as exc:
            log.info("could not name %s: %s", user_id, exc)
            names[user_id] = user_id
    text = MENTION.sub(lambda m: "@" + names[m.group(1)], text)
    return SPECIAL.sub(lambda m: "@" + m.group(1), text)


async def confirm(ops: SlackOps, channel: str, ts: str, *, captured: bool) -> None:
    """Add (or take back) the bot's ✅ on the message; a reaction already there is fine."""
    emoji = ops.deps.config.timeline.confirm_emoji
    try:
        if captured:
            await ops.client.reactions_add(channel=channel, timestamp=ts, name=emoji)
        else:
            await ops.client.reactions_remove(channel=channel, timestamp=ts, name=emoji)
    except SlackApiError as exc:
        if exc.response.get("error") not in ("already_reacted", "no_reaction"):
            log.info("could not mark %s/%s: %s", channel, ts, exc.response.get("error"))
