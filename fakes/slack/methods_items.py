"""pins.* and reactions.* methods (things attached to a message)."""

from __future__ import annotations

import re

from fakes.slack.actions import pin, react, unpin, unreact
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
    pin(ctx.ws, channel, message, ctx.caller, announce=ctx.system_messages)
    return ok()


@method("pins.remove")
def pins_remove(ctx: Ctx, args: Args) -> JSON:
    channel, message = _item(ctx, args, need_member=True)
    unpin(ctx.ws, channel, message)
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
    react(message, _emoji_name(args), ctx.caller)
    return ok()


@method("reactions.remove")
def reactions_remove(ctx: Ctx, args: Args) -> JSON:
    _, message = _item(ctx, args, need_member=False)
    unreact(message, _emoji_name(args), ctx.caller)
    return ok()


@method("reactions.get")
def reactions_get(ctx: Ctx, args: Args) -> JSON:
    channel, message = _item(ctx, args, need_member=False)
    return ok(type="message", channel=channel.id, message=message_json(ctx.ws, message))
