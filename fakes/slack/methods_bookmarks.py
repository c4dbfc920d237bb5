"""bookmarks.* methods (channel header bookmarks; only ``type=link`` exists)."""

from __future__ import annotations

import re
import time

from fakes.slack.args import Args
from fakes.slack.errors import SlackError
from fakes.slack.registry import Ctx, method, ok
from fakes.slack.render import bookmark_json
from fakes.slack.state import JSON, Bookmark, Channel

BOOKMARKS_MAX = 100
_EMOJI = re.compile(r":[a-z0-9_+\-']+:")


def _channel(ctx: Ctx, args: Args) -> Channel:
    return ctx.ws.visible_channel(args.string("channel_id"), ctx.caller)


def _check_link(link: str | None) -> str:
    if not link or not re.match(r"https?://", link):
        raise SlackError("invalid_link")
    return link


def _check_emoji(emoji: str | None) -> str | None:
    if emoji is None or emoji == "":
        return None
    if not _EMOJI.fullmatch(emoji):
        raise SlackError("invalid_emoji")
    return emoji


def _find(ctx: Ctx, args: Args, channel: Channel) -> Bookmark:
    bookmark_id = args.string("bookmark_id")
    for bookmark in ctx.ws.bookmarks[channel.id]:
        if bookmark.id == bookmark_id:
            return bookmark
    raise SlackError("not_found")


@method("bookmarks.add")
def bookmarks_add(ctx: Ctx, args: Args) -> JSON:
    channel = _channel(ctx, args)
    title = args.string("title")
    if not title:
        raise SlackError(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] missing required field: title"]},
        )
    if args.string("type") != "link":
        raise SlackError("invalid_bookmark_type")
    link = _check_link(args.string("link"))
    emoji = _check_emoji(args.string("emoji"))
    existing = ctx.ws.bookmarks[channel.id]
    if len(existing) >= BOOKMARKS_MAX:
        raise SlackError("too_many_bookmarks")
    bookmark = Bookmark(
        id=ctx.ws.new_id("Bk"),
        channel_id=channel.id,
        title=title,
        link=link,
        emoji=emoji,
        entity_id=args.string("entity_id"),
        date_created=int(time.time()),
        rank=chr(ord("a") + len(existing) % 26),
        last_updated_by_user_id=ctx.caller,
        last_updated_by_team_id=ctx.ws.identity.team_id,
        app_id=ctx.ws.identity.app_id if ctx.token_kind == "bot" else None,
    )
    existing.append(bookmark)
    return ok(bookmark=bookmark_json(bookmark))


@method("bookmarks.list")
def bookmarks_list(ctx: Ctx, args: Args) -> JSON:
    channel = _channel(ctx, args)
    return ok(bookmarks=[bookmark_json(b) for b in ctx.ws.bookmarks[channel.id]])


@method("bookmarks.edit")
def bookmarks_edit(ctx: Ctx, args: Args) -> JSON:
    channel = _channel(ctx, args)
    bookmark = _find(ctx, args, channel)
    if "link" in args:
        bookmark.link = _check_link(args.string("link"))
    if "emoji" in args:
        bookmark.emoji = _check_emoji(args.string("emoji"))
    title = args.string("title")
    if title:
        bookmark.title = title
    bookmark.date_updated = int(time.time())
    bookmark.last_updated_by_user_id = ctx.caller
    return ok(bookmark=bookmark_json(bookmark))


@method("bookmarks.remove")
def bookmarks_remove(ctx: Ctx, args: Args) -> JSON:
    channel = _channel(ctx, args)
    bookmark = _find(ctx, args, channel)
    ctx.ws.bookmarks[channel.id].remove(bookmark)
    return ok()
