"""users.* and usergroups.* methods."""

from __future__ import annotations

import time

from fakes.slack.args import Args
from fakes.slack.errors import SlackError
from fakes.slack.pagination import page
from fakes.slack.registry import Ctx, method, ok
from fakes.slack.render import channel_json, user_json, usergroup_json
from fakes.slack.state import JSON, Channel

_ALL_TYPES = ("public_channel", "private_channel", "mpim", "im")


@method("users.info")
def users_info(ctx: Ctx, args: Args) -> JSON:
    user = ctx.ws.user(args.string("user"))
    return ok(user=user_json(ctx.ws, user))


@method("users.list")
def users_list(ctx: Ctx, args: Args) -> JSON:
    users = list(ctx.ws.users.values())
    chunk, meta = page(users, args, default=1000, maximum=1000)
    return ok(
        members=[user_json(ctx.ws, u) for u in chunk],
        cache_ts=int(time.time()),
        response_metadata=meta,
    )


@method("users.lookupByEmail")
def users_lookup_by_email(ctx: Ctx, args: Args) -> JSON:
    email = (args.string("email") or "").strip().lower()
    for user in ctx.ws.users.values():
        if user.email is not None and user.email.lower() == email and email:
            return ok(user=user_json(ctx.ws, user))
    raise SlackError("users_not_found")


def channel_kind(channel: Channel) -> str:
    if channel.is_im:
        return "im"
    if channel.is_mpim:
        return "mpim"
    return "private_channel" if channel.is_private else "public_channel"


def wanted_types(args: Args, default: tuple[str, ...]) -> set[str]:
    types = args.strings("types") or list(default)
    unknown = [t for t in types if t not in _ALL_TYPES]
    if unknown:
        raise SlackError("invalid_types")
    return set(types)


@method("users.conversations")
def users_conversations(ctx: Ctx, args: Args) -> JSON:
    user_id = args.string("user") or ctx.caller
    ctx.ws.user(user_id)
    types = wanted_types(args, ("public_channel",))
    exclude_archived = args.flag("exclude_archived")
    channels = [
        c
        for c in ctx.ws.channels.values()
        if user_id in c.members
        and channel_kind(c) in types
        and not (exclude_archived and c.is_archived)
    ]
    chunk, meta = page(channels, args, default=100, maximum=1000)
    return ok(
        channels=[channel_json(c, user_id, with_members_count=False) for c in chunk],
        response_metadata=meta,
    )


@method("usergroups.list")
def usergroups_list(ctx: Ctx, args: Args) -> JSON:
    include_users = args.flag("include_users")
    include_disabled = args.flag("include_disabled")
    groups = [
        usergroup_json(g, ctx.ws.identity.team_id, include_users=include_users)
        for g in ctx.ws.usergroups.values()
        if include_disabled or g.date_delete == 0
    ]
    return ok(usergroups=groups)


@method("usergroups.users.list")
def usergroups_users_list(ctx: Ctx, args: Args) -> JSON:
    group = ctx.ws.usergroups.get(args.string("usergroup") or "")
    if group is None:
        raise SlackError("no_such_subteam")
    if group.date_delete and not args.flag("include_disabled"):
        raise SlackError("no_such_subteam")
    return ok(users=list(group.users))
