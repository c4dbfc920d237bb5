"""canvases.* and conversations.canvases.create.

Access: the owner may do anything; others need ``read``/``write`` granted to them or to a
channel they are in. A canvas the caller cannot read answers ``canvas_not_found``; one
they may read but not change answers ``restricted_action``, as on Slack.
"""

from __future__ import annotations

import time

from fakes.slack import canvas_doc
from fakes.slack.args import Args
from fakes.slack.canvas_doc import invalid
from fakes.slack.errors import SlackError
from fakes.slack.registry import Ctx, method, ok
from fakes.slack.state import JSON, Canvas, Channel

_LEVELS = {"read": 1, "write": 2, "owner": 3}


def level_of(ctx: Ctx, canvas: Canvas) -> int:
    """The caller's access to ``canvas``: 0 none, then read, write, owner."""
    if canvas.owner == ctx.caller:
        return _LEVELS["owner"]
    best = _LEVELS.get(canvas.access.get(f"user:{ctx.caller}", ""), 0)
    for key, level in canvas.access.items():
        channel = ctx.ws.channels.get(key.removeprefix("channel:"))
        if key.startswith("channel:") and channel and ctx.caller in channel.members:
            best = max(best, _LEVELS[level])
    return best


def _canvas(ctx: Ctx, args: Args, needed: str) -> Canvas:
    canvas = ctx.ws.canvases.get(args.string("canvas_id") or "")
    if canvas is None or level_of(ctx, canvas) == 0:
        raise SlackError("canvas_not_found")
    if level_of(ctx, canvas) < _LEVELS[needed]:
        raise SlackError("restricted_action")
    return canvas


def _member_channel(ctx: Ctx, channel_id: str | None) -> Channel:
    channel = ctx.ws.visible_channel(channel_id, ctx.caller)
    if ctx.caller not in channel.members:
        raise SlackError("not_in_channel")
    return channel


def _content(args: Args, failure: str) -> str:
    content = args.decoded("document_content", "invalid_arguments")
    if content is None:
        return ""
    markdown = canvas_doc.markdown_of(content, "/document_content")
    if len(markdown) > canvas_doc.MARKDOWN_MAX:
        raise SlackError(failure, detail="markdown exceeds 1,048,576 characters")
    return markdown


def _new_canvas(ctx: Ctx, title: str, markdown: str, channel: Channel | None) -> Canvas:
    now = int(time.time())
    canvas = Canvas(
        id=ctx.ws.new_id("F"),
        title=title,
        markdown=markdown,
        owner=ctx.caller,
        created=now,
        updated=now,
        channel=channel.id if channel else None,
        access={f"channel:{channel.id}": "write"} if channel else {},
    )
    ctx.ws.canvases[canvas.id] = canvas
    return canvas


@method("canvases.create")
def canvases_create(ctx: Ctx, args: Args) -> JSON:
    markdown = _content(args, "canvas_creation_failed")
    channel = _member_channel(ctx, args.string("channel_id")) if "channel_id" in args else None
    canvas = _new_canvas(ctx, args.string("title") or "", markdown, channel)
    return ok(canvas_id=canvas.id)


@method("conversations.canvases.create")
def conversations_canvases_create(ctx: Ctx, args: Args) -> JSON:
    if not args.string("channel_id"):
        raise invalid("missing required field: channel_id", "/channel_id")
    markdown = _content(args, "channel_canvas_creation_failed")
    channel = _member_channel(ctx, args.string("channel_id"))
    if channel.canvas_id in ctx.ws.canvases:
        raise SlackError("channel_canvas_already_exists")
    canvas = _new_canvas(ctx, args.string("title") or "", markdown, channel)
    canvas.is_channel_canvas = True
    channel.canvas_id = canvas.id
    return ok(canvas_id=canvas.id)


@method("canvases.edit")
def canvases_edit(ctx: Ctx, args: Args) -> JSON:
    canvas = _canvas(ctx, args, "write")
    changes = args.decoded("changes", "invalid_arguments")
    if not isinstance(changes, list) or not changes:
        raise invalid("must be a non-empty array", "/changes")
    markdown, title = canvas.markdown, canvas.title
    for index, change in enumerate(changes):
        markdown, title = canvas_doc.apply(markdown, title, change, index)
    if len(markdown) > canvas_doc.MARKDOWN_MAX:
        raise SlackError("canvas_editing_failed", detail="markdown exceeds 1,048,576 characters")
    canvas.markdown, canvas.title, canvas.updated = markdown, title, int(time.time())
    return ok()


@method("canvases.delete")
def canvases_delete(ctx: Ctx, args: Args) -> JSON:
    canvas = _canvas(ctx, args, "owner")
    del ctx.ws.canvases[canvas.id]
    channel = ctx.ws.channels.get(canvas.channel or "")
    if channel is not None and channel.canvas_id == canvas.id:
        channel.canvas_id = None
    return ok()


@method("canvases.sections.lookup")
def canvases_sections_lookup(ctx: Ctx, args: Args) -> JSON:
    canvas = _canvas(ctx, args, "read")
    criteria = args.decoded("criteria", "invalid_arguments")
    return ok(sections=[{"id": i} for i in canvas_doc.lookup(canvas.markdown, criteria)])


def _entities(ctx: Ctx, args: Args) -> list[str]:
    """``channel:<id>``/``user:<id>`` keys of exactly one of channel_ids and user_ids."""
    channel_ids, user_ids = args.strings("channel_ids"), args.strings("user_ids")
    if bool(channel_ids) == bool(user_ids):
        raise SlackError("invalid_parameters")
    for channel_id in channel_ids:
        ctx.ws.visible_channel(channel_id, ctx.caller)
    for user_id in user_ids:
        ctx.ws.user(user_id)
    return [f"channel:{c}" for c in channel_ids] + [f"user:{u}" for u in user_ids]


@method("canvases.access.set")
def canvases_access_set(ctx: Ctx, args: Args) -> JSON:
    canvas = _canvas(ctx, args, "write")
    level = args.string("access_level")
    if level not in _LEVELS:
        raise invalid("must be one of read, write, owner", "/access_level")
    keys = _entities(ctx, args)
    if level == "owner":
        return _set_owner(ctx, canvas, keys)
    for key in keys:
        canvas.access[key] = level
    return ok()


def _set_owner(ctx: Ctx, canvas: Canvas, keys: list[str]) -> JSON:
    if len(keys) != 1 or not keys[0].startswith("user:"):
        raise invalid("only one user can be the owner", "/user_ids")
    if canvas.owner != ctx.caller:
        raise SlackError("restricted_action")
    canvas.access[f"user:{canvas.owner}"] = "write"
    canvas.owner = keys[0].removeprefix("user:")
    canvas.access.pop(keys[0], None)
    return ok()


@method("canvases.access.delete")
def canvases_access_delete(ctx: Ctx, args: Args) -> JSON:
    canvas = _canvas(ctx, args, "write")
    for key in _entities(ctx, args):
        canvas.access.pop(key, None)
    return ok()
