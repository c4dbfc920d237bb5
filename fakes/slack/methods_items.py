"""pins.* and reactions.* methods (things attached to a message)."""

from __future__ import annotations

import re
import time

from fakes.slack.args import Args
from fakes.slack.errors import SlackError
from fakes.slack.registry import Ctx, method, ok
from fakes.slack.render import message_json
from fakes.slack.state import JSON, Channel, Message

_EMOJI_NAME = re.compile(r"[a-z0-9_+\-']+(::skin-tone-[2-6])?")


def _item(ctx: Ctx, args: Args, *, need_member: bool) -> tuple[Channel, Message]:
    channel = ctx.ws.visible_channel(args.string("channel"), ctx.caller)
    if need_member and ctx.caller not in channel.members:
        raise SlackError("not_in_channel")
    ts = args.string("timestamp")
    if not ts:
        raise SlackError("no_item_specified")
    message = ctx.ws.message(channel.id, ts)
    if message is None or message.subtype == "tombstone":
        raise SlackError("message_not_found")
    return channel, message


@method("pins.add")
def pins_add(ctx: Ctx, args: Args) -> JSON:
    channel, message = _item(ctx, args, need_member=True)
    if channel.is_archived:
        raise SlackError("is_archived")
    pins = ctx.ws.pins[channel.id]
    if message.ts in pins:
        raise SlackError("already_pinned")
    pins.append(message.ts)
    ctx.ws.pin_info[(channel.id, message.ts)] = (int(time.time()), ctx.caller)
    if ctx.system_messages:
        ctx.ws.new_message(
            channel,
            ctx.caller,
            f"<@{ctx.caller}> pinned a message to this channel.",
            subtype="pinned_item",
        )
    return ok()


@method("pins.remove")
def pins_remove(ctx: Ctx, args: Args) -> JSON:
    channel, message = _item(ctx, args, need_member=True)
    pins = ctx.ws.pins[channel.id]
    if message.ts not in pins:
        raise SlackError("no_pin")
    pins.remove(message.ts)
    ctx.ws.pin_info.pop((channel.id, message.ts), None)
    return ok()


@method("pins.list")
def pins_list(ctx: Ctx, args: Args) -> JSON:
    channel = ctx.ws.visible_channel(args.string("channel"), ctx.caller)
    items = []
    for ts in ctx.ws.pins.get(channel.id, []):
        message = ctx.ws.message(channel.id, ts)
        if message is None:
            continue
        created, created_by = ctx.ws.pin_info.get((channel.id, ts), (0, ""))
        items.append(
            {
                "type": "message",
                "created": created,
                "created_by": created_by,
                "channel": channel.id,
                "message": message_json(ctx.ws, message),
            }
        )
    return ok(items=items)


def _emoji_name(args: Args) -> str:
    name = (args.string("name") or "").strip().strip(":")
    if not name or not _EMOJI_NAME.fullmatch(name):
        raise SlackError("invalid_name")
    return name


@method("reactions.add")
def reactions_add(ctx: Ctx, args: Args) -> JSON:
    channel, message = _item(ctx, args, need_member=False)
    if channel.is_archived:
        raise SlackError("is_archived")
    name = _emoji_name(args)
    users = message.reactions.setdefault(name, [])
    if ctx.caller in users:
        raise SlackError("already_reacted")
    users.append(ctx.caller)
    return ok()


@method("reactions.remove")
def reactions_remove(ctx: Ctx, args: Args) -> JSON:
    _, message = _item(ctx, args, need_member=False)
    name = _emoji_name(args)
    users = message.reactions.get(name, [])
    if ctx.caller not in users:
        raise SlackError("no_reaction")
    users.remove(ctx.caller)
    if not users:
        del message.reactions[name]
    return ok()


@method("reactions.get")
def reactions_get(ctx: Ctx, args: Args) -> JSON:
    channel, message = _item(ctx, args, need_member=False)
    return ok(type="message", channel=channel.id, message=message_json(ctx.ws, message))
