"""conversations.* methods that manage channels and their membership."""

from __future__ import annotations

import re
import time

from fakes.slack.args import Args
from fakes.slack.errors import SlackError
from fakes.slack.methods_users import channel_kind, wanted_types
from fakes.slack.pagination import page
from fakes.slack.registry import Ctx, method, ok
from fakes.slack.render import channel_json
from fakes.slack.state import JSON, Channel

NAME_MAX = 80
TOPIC_MAX = 250
PURPOSE_MAX = 250
_NAME_DETAILS = {
    "invalid_name_required": "Value passed for `name` was empty.",
    "invalid_name_maxlength": "Value passed for `name` exceeded max length.",
    "invalid_name_specials": (
        "Value passed for `name` contained unallowed special characters or upper case characters."
    ),
    "invalid_name_punctuation": "Value passed for `name` contained only punctuation.",
    "name_taken": "A channel cannot be created with the given name.",
}


def _name_error(code: str) -> SlackError:
    return SlackError(code, detail=_NAME_DETAILS[code])


def check_channel_name(ctx: Ctx, name: str | None, *, exclude: str | None = None) -> str:
    """Slack's naming rules for ``conversations.create`` and ``conversations.rename``."""
    if not name:
        raise _name_error("invalid_name_required")
    if len(name) > NAME_MAX:
        raise _name_error("invalid_name_maxlength")
    if re.search(r"[^a-z0-9_\-]", name):
        raise _name_error("invalid_name_specials")
    if re.fullmatch(r"[_\-]+", name):
        raise _name_error("invalid_name_punctuation")
    taken = ctx.ws.channel_by_name(name)
    if taken is not None and taken.id != exclude:
        raise _name_error("name_taken")
    return name


def system_message(ctx: Ctx, channel: Channel, user: str, subtype: str, text: str) -> None:
    """The message Slack itself posts for a membership or settings change."""
    if ctx.system_messages:
        ctx.ws.new_message(channel, user, text, subtype=subtype)


def joined(ctx: Ctx, channel: Channel, user: str) -> None:
    system_message(ctx, channel, user, "channel_join", f"<@{user}> has joined the channel")


def left(ctx: Ctx, channel: Channel, user: str) -> None:
    system_message(ctx, channel, user, "channel_leave", f"<@{user}> has left the channel")


def _member_channel(ctx: Ctx, args: Args, *, allow_archived: bool = False) -> Channel:
    channel = ctx.ws.visible_channel(args.string("channel"), ctx.caller)
    if channel.is_archived and not allow_archived:
        raise SlackError("is_archived")
    if ctx.caller not in channel.members:
        raise SlackError("not_in_channel")
    return channel


@method("conversations.create")
def conversations_create(ctx: Ctx, args: Args) -> JSON:
    name = check_channel_name(ctx, args.string("name"))
    channel = ctx.ws.add_channel(
        name, is_private=args.flag("is_private"), members=[ctx.caller], creator=ctx.caller
    )
    joined(ctx, channel, ctx.caller)
    return ok(channel=channel_json(channel, ctx.caller))


@method("conversations.info")
def conversations_info(ctx: Ctx, args: Args) -> JSON:
    channel = ctx.ws.visible_channel(args.string("channel"), ctx.caller)
    body = channel_json(channel, ctx.caller, with_members_count=args.flag("include_num_members"))
    return ok(channel=body)


@method("conversations.list")
def conversations_list(ctx: Ctx, args: Args) -> JSON:
    types = wanted_types(args, ("public_channel",))
    exclude_archived = args.flag("exclude_archived")
    channels = [
        c
        for c in ctx.ws.channels.values()
        if channel_kind(c) in types
        and not (exclude_archived and c.is_archived)
        and (channel_kind(c) == "public_channel" or ctx.caller in c.members)
    ]
    chunk, meta = page(channels, args, default=100, maximum=1000)
    return ok(channels=[channel_json(c, ctx.caller) for c in chunk], response_metadata=meta)


@method("conversations.members")
def conversations_members(ctx: Ctx, args: Args) -> JSON:
    channel = ctx.ws.visible_channel(args.string("channel"), ctx.caller)
    chunk, meta = page(channel.members, args, default=100, maximum=1000)
    return ok(members=chunk, response_metadata=meta)


def _invite_error(ctx: Ctx, channel: Channel, user_id: str) -> str | None:
    if user_id == ctx.caller:
        return "cant_invite_self"
    user = ctx.ws.users.get(user_id)
    if user is None:
        return "user_not_found"
    if user.deleted:
        return "cant_invite"
    if user_id in channel.members:
        return "already_in_channel"
    return None


@method("conversations.invite")
def conversations_invite(ctx: Ctx, args: Args) -> JSON:
    channel = _member_channel(ctx, args)
    if channel.is_im or channel.is_mpim:
        raise SlackError("method_not_supported_for_channel_type")
    user_ids = list(dict.fromkeys(args.strings("users")))
    if not user_ids:
        raise SlackError("no_user")
    if len(user_ids) > 1000:
        raise SlackError("too_many_users")
    failed: list[tuple[str, str]] = []
    valid: list[str] = []
    for user_id in user_ids:
        code = _invite_error(ctx, channel, user_id)
        if code is None:
            valid.append(user_id)
        else:
            failed.append((user_id, code))
    errors = [{"user": user, "ok": False, "error": code} for user, code in failed]
    if failed and (not args.flag("force") or not valid):
        raise SlackError(failed[0][1], errors=errors)
    for user_id in valid:
        channel.members.append(user_id)
        joined(ctx, channel, user_id)
    body = ok(channel=channel_json(channel, ctx.caller))
    if errors:
        body["errors"] = errors
    return body


@method("conversations.kick")
def conversations_kick(ctx: Ctx, args: Args) -> JSON:
    channel = _member_channel(ctx, args)
    user_id = args.string("user")
    if not user_id:
        raise SlackError("no_user")
    if user_id == ctx.caller:
        raise SlackError("cant_kick_self")
    user = ctx.ws.user(user_id)
    if channel.is_general:
        raise SlackError("cant_kick_from_general")
    if user.id not in channel.members:
        raise SlackError("not_in_channel")
    channel.members.remove(user.id)
    left(ctx, channel, user.id)
    return ok(errors={})


@method("conversations.join")
def conversations_join(ctx: Ctx, args: Args) -> JSON:
    channel = ctx.ws.visible_channel(args.string("channel"), ctx.caller)
    if channel.is_private or channel.is_im or channel.is_mpim:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("is_archived")
    if ctx.caller in channel.members:
        return ok(
            channel=channel_json(channel, ctx.caller),
            warning="already_in_channel",
            response_metadata={"warnings": ["already_in_channel"]},
        )
    channel.members.append(ctx.caller)
    joined(ctx, channel, ctx.caller)
    return ok(channel=channel_json(channel, ctx.caller))


@method("conversations.leave")
def conversations_leave(ctx: Ctx, args: Args) -> JSON:
    channel = ctx.ws.visible_channel(args.string("channel"), ctx.caller)
    if channel.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_general:
        raise SlackError("cant_leave_general")
    if channel.is_archived:
        raise SlackError("is_archived")
    if ctx.caller not in channel.members:
        return ok(not_in_channel=True)
    if channel.members == [ctx.caller]:
        raise SlackError("last_member")
    channel.members.remove(ctx.caller)
    left(ctx, channel, ctx.caller)
    return ok()


def _set_text_field(ctx: Ctx, args: Args, field: str, limit: int, subtype: str) -> JSON:
    channel = _member_channel(ctx, args)
    value = args.string(field) or ""
    if len(value) > limit:
        raise SlackError("too_long")
    setattr(channel, field, {"value": value, "creator": ctx.caller, "last_set": int(time.time())})
    verb = "set the channel topic" if field == "topic" else "set the channel description"
    system_message(ctx, channel, ctx.caller, subtype, f"{verb}: {value}")
    return ok(channel=channel_json(channel, ctx.caller))


@method("conversations.setTopic")
def conversations_set_topic(ctx: Ctx, args: Args) -> JSON:
    return _set_text_field(ctx, args, "topic", TOPIC_MAX, "channel_topic")


@method("conversations.setPurpose")
def conversations_set_purpose(ctx: Ctx, args: Args) -> JSON:
    return _set_text_field(ctx, args, "purpose", PURPOSE_MAX, "channel_purpose")


@method("conversations.archive")
def conversations_archive(ctx: Ctx, args: Args) -> JSON:
    channel = ctx.ws.visible_channel(args.string("channel"), ctx.caller)
    if channel.is_archived:
        raise SlackError("already_archived")
    if channel.is_general:
        raise SlackError("cant_archive_general")
    if channel.is_im or channel.is_mpim:
        raise SlackError("method_not_supported_for_channel_type")
    if ctx.caller not in channel.members:
        raise SlackError("not_in_channel")
    system_message(ctx, channel, ctx.caller, "channel_archive", "archived the channel")
    channel.is_archived = True
    return ok()


@method("conversations.unarchive")
def conversations_unarchive(ctx: Ctx, args: Args) -> JSON:
    channel = ctx.ws.visible_channel(args.string("channel"), ctx.caller)
    if not channel.is_archived:
        raise SlackError("not_archived")
    channel.is_archived = False
    if ctx.caller not in channel.members:
        channel.members.append(ctx.caller)
    system_message(ctx, channel, ctx.caller, "channel_unarchive", "un-archived the channel")
    return ok()


@method("conversations.rename")
def conversations_rename(ctx: Ctx, args: Args) -> JSON:
    channel = _member_channel(ctx, args)
    if channel.is_im or channel.is_mpim:
        raise SlackError("method_not_supported_for_channel_type")
    caller = ctx.ws.users[ctx.caller]
    if channel.creator != ctx.caller and not caller.is_admin:
        raise SlackError("not_authorized")
    name = check_channel_name(ctx, args.string("name"), exclude=channel.id)
    if name != channel.name:
        old = channel.name
        channel.previous_names.insert(0, old)
        channel.name = name
        text = f'renamed the channel from "{old}" to "{name}"'
        system_message(ctx, channel, ctx.caller, "channel_name", text)
    return ok(channel=channel_json(channel, ctx.caller))


@method("conversations.open")
def conversations_open(ctx: Ctx, args: Args) -> JSON:
    if "channel" in args and "users" not in args:
        channel = ctx.ws.visible_channel(args.string("channel"), ctx.caller)
        return ok(channel=channel_json(channel, ctx.caller), no_op=True, already_open=True)
    user_ids = list(dict.fromkeys(args.strings("users")))
    if not user_ids:
        raise SlackError("users_list_not_supplied")
    if len(user_ids) > 8:
        raise SlackError("too_many_users")
    for user_id in user_ids:
        user = ctx.ws.user(user_id)
        if user.deleted:
            raise SlackError("user_disabled")
    channel, existed = ctx.ws.open_dm(user_ids, ctx.caller)
    body: JSON = channel_json(channel, ctx.caller) if args.flag("return_im") else {"id": channel.id}
    if existed:
        return ok(no_op=True, already_open=True, channel=body)
    return ok(channel=body)
