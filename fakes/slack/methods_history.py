"""conversations.history and conversations.replies, with ts-range filters and cursors."""

from __future__ import annotations

from fakes.slack.args import Args
from fakes.slack.errors import SlackError
from fakes.slack.pagination import decode_cursor, encode_cursor, limit_of, ts_key
from fakes.slack.registry import Ctx, method, ok
from fakes.slack.render import message_json
from fakes.slack.state import JSON, Channel, Message


def _readable_channel(ctx: Ctx, args: Args) -> Channel:
    channel = ctx.ws.visible_channel(args.string("channel"), ctx.caller)
    if ctx.caller not in channel.members:
        raise SlackError("not_in_channel")
    return channel


def _in_range(messages: list[Message], args: Args) -> list[Message]:
    oldest = args.string("oldest")
    latest = args.string("latest")
    inclusive = args.flag("inclusive")
    low = ts_key(oldest) if oldest else None
    high = ts_key(latest) if latest else None
    kept = []
    for message in messages:
        key = ts_key(message.ts)
        if low is not None and (key < low or (key == low and not inclusive)):
            continue
        if high is not None and (key > high or (key == high and not inclusive)):
            continue
        kept.append(message)
    return kept


def _page_by_ts(
    messages: list[Message], args: Args, *, newest_first: bool, default: int, maximum: int
) -> tuple[list[Message], bool, str]:
    """One page of ``messages`` (already ordered) after the cursor's ts."""
    limit = limit_of(args, default, maximum)
    cursor = args.string("cursor")
    if cursor:
        start_ts = ts_key(decode_cursor(cursor, "next_ts"))
        if newest_first:
            messages = [m for m in messages if ts_key(m.ts) <= start_ts]
        else:
            messages = [m for m in messages if ts_key(m.ts) >= start_ts]
    chunk = messages[:limit]
    has_more = len(messages) > limit
    next_cursor = encode_cursor("next_ts", messages[limit].ts) if has_more else ""
    return chunk, has_more, next_cursor


@method("conversations.history")
def conversations_history(ctx: Ctx, args: Args) -> JSON:
    channel = _readable_channel(ctx, args)
    messages = _in_range(ctx.ws.top_level(channel.id), args)
    messages.reverse()
    chunk, has_more, next_cursor = _page_by_ts(
        messages, args, newest_first=True, default=100, maximum=999
    )
    return ok(
        messages=[message_json(ctx.ws, m) for m in chunk],
        has_more=has_more,
        pin_count=len(ctx.ws.pins.get(channel.id, [])),
        channel_actions_ts=None,
        channel_actions_count=0,
        response_metadata={"next_cursor": next_cursor},
    )


@method("conversations.replies")
def conversations_replies(ctx: Ctx, args: Args) -> JSON:
    channel = _readable_channel(ctx, args)
    root = ctx.ws.message(channel.id, args.string("ts"))
    if root is None:
        raise SlackError("thread_not_found")
    if root.is_reply and root.thread_ts is not None:
        parent = ctx.ws.message(channel.id, root.thread_ts)
        if parent is not None:
            root = parent
    thread = _in_range(ctx.ws.thread(channel.id, root.ts), args)
    chunk, has_more, next_cursor = _page_by_ts(
        thread, args, newest_first=False, default=1000, maximum=1000
    )
    # Slack heads the first page with the parent even when oldest/latest leave it out.
    if not args.string("cursor") and (not chunk or chunk[0] is not root):
        chunk = [root, *chunk]
    return ok(
        messages=[message_json(ctx.ws, m) for m in chunk],
        has_more=has_more,
        response_metadata={"next_cursor": next_cursor},
    )
