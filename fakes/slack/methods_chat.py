"""chat.* methods."""

from __future__ import annotations

from typing import Any

from fakes.slack.args import Args
from fakes.slack.blockkit import check_message_blocks
from fakes.slack.errors import SlackError
from fakes.slack.registry import Ctx, method, ok
from fakes.slack.render import message_json
from fakes.slack.state import JSON, Channel, Ephemeral, Message

TEXT_MAX = 40_000
ATTACHMENTS_MAX = 100


def postable_channel(ctx: Ctx, ref: str | None) -> Channel:
    """The channel a message to ``ref`` lands in (a user id means the DM with them)."""
    if ref and ref in ctx.ws.users and ref != ctx.caller:
        channel, _ = ctx.ws.open_dm([ref], ctx.caller)
        return channel
    channel = ctx.ws.visible_channel(ref, ctx.caller)
    if channel.is_archived:
        raise SlackError("is_archived")
    if ctx.caller not in channel.members and not ctx.chat_write_public:
        raise SlackError("not_in_channel")
    return channel


def _attachments(args: Args) -> list[JSON]:
    raw = args.decoded("attachments", "invalid_attachments")
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(a, dict) for a in raw):
        raise SlackError("invalid_attachments")
    if len(raw) > ATTACHMENTS_MAX:
        raise SlackError("too_many_attachments")
    return raw


def _metadata(args: Args) -> JSON | None:
    raw = args.decoded("metadata", "invalid_metadata_format")
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, dict):
        raise SlackError("invalid_metadata_format")
    if not isinstance(raw.get("event_type"), str) or not isinstance(raw.get("event_payload"), dict):
        raise SlackError("invalid_metadata_schema")
    return raw


def message_content(args: Args, *, require: bool = True) -> dict[str, Any]:
    """Text, blocks and attachments of a post/update, checked as Slack checks them."""
    text = args.string("text")
    markdown = args.string("markdown_text")
    if markdown:
        if text or "blocks" in args:
            raise SlackError("markdown_text_conflict")
        text = markdown
    blocks = check_message_blocks(args.decoded("blocks", "invalid_blocks_format"))
    attachments = _attachments(args)
    if require and not text and not blocks and not attachments:
        raise SlackError("no_text")
    if text is not None and len(text) > TEXT_MAX:
        raise SlackError("msg_too_long")
    return {"text": text, "blocks": blocks, "attachments": attachments}


@method("chat.postMessage")
def chat_post_message(ctx: Ctx, args: Args) -> JSON:
    channel = postable_channel(ctx, args.string("channel"))
    content = message_content(args)
    thread_ts = args.string("thread_ts") or None
    broadcast = thread_ts is not None and args.flag("reply_broadcast")
    message = ctx.ws.new_message(
        channel,
        ctx.caller,
        content["text"] or "",
        blocks=content["blocks"],
        attachments=content["attachments"],
        thread_ts=thread_ts,
        subtype="thread_broadcast" if broadcast else None,
        metadata=_metadata(args),
        unfurl_links=args.flag("unfurl_links") if "unfurl_links" in args else None,
        unfurl_media=args.flag("unfurl_media") if "unfurl_media" in args else None,
        username=args.string("username"),
        icon_emoji=args.string("icon_emoji"),
        icon_url=args.string("icon_url"),
    )
    return ok(channel=channel.id, ts=message.ts, message=message_json(ctx.ws, message))


@method("chat.postEphemeral")
def chat_post_ephemeral(ctx: Ctx, args: Args) -> JSON:
    channel = postable_channel(ctx, args.string("channel"))
    user = ctx.ws.user(args.string("user"))
    if user.id not in channel.members:
        raise SlackError("user_not_in_channel")
    content = message_content(args)
    ephemeral = Ephemeral(
        channel=channel.id,
        user=user.id,
        text=content["text"] or "",
        blocks=content["blocks"],
        message_ts=ctx.ws.next_ts(),
        thread_ts=args.string("thread_ts") or None,
        attachments=content["attachments"],
    )
    ctx.ws.ephemerals.append(ephemeral)
    return ok(message_ts=ephemeral.message_ts)


def _own_message(ctx: Ctx, args: Args, ts_arg: str, not_mine: str) -> tuple[Channel, Message]:
    channel = ctx.ws.visible_channel(args.string("channel"), ctx.caller)
    message = ctx.ws.message(channel.id, args.string(ts_arg))
    if message is None or message.subtype == "tombstone":
        raise SlackError("message_not_found")
    if message.user != ctx.caller:
        raise SlackError(not_mine)
    return channel, message


@method("chat.update")
def chat_update(ctx: Ctx, args: Args) -> JSON:
    channel, message = _own_message(ctx, args, "ts", "cant_update_message")
    if channel.is_archived:
        raise SlackError("is_inactive")
    content = message_content(args, require=False)
    if content["text"] is None and "blocks" not in args and "attachments" not in args:
        raise SlackError("no_text")
    if content["text"] is not None:
        message.text = content["text"]
    if "blocks" in args:
        message.blocks = content["blocks"]
    if "attachments" in args:
        message.attachments = content["attachments"]
    metadata = args.decoded("metadata", "invalid_metadata_format")
    if metadata == {}:
        message.metadata = None
    elif metadata is not None:
        message.metadata = _metadata(args)
    message.edited = {"user": ctx.caller, "ts": ctx.ws.next_ts()}
    return ok(
        channel=channel.id,
        ts=message.ts,
        text=message.text,
        message=message_json(ctx.ws, message),
    )


@method("chat.delete")
def chat_delete(ctx: Ctx, args: Args) -> JSON:
    channel, message = _own_message(ctx, args, "ts", "cant_delete_message")
    ctx.ws.remove_message(message)
    return ok(channel=channel.id, ts=message.ts)


@method("chat.getPermalink")
def chat_get_permalink(ctx: Ctx, args: Args) -> JSON:
    channel = ctx.ws.visible_channel(args.string("channel"), ctx.caller)
    message = ctx.ws.message(channel.id, args.string("message_ts"))
    if message is None:
        raise SlackError("message_not_found")
    link = (
        f"https://{ctx.ws.identity.domain}.slack.com/archives/{channel.id}/"
        f"p{message.ts.replace('.', '')}"
    )
    if message.is_reply:
        link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
    return ok(channel=channel.id, permalink=link)
