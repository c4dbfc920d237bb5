"""views.* methods: modals (open/push/update) and the App Home tab (publish)."""

from __future__ import annotations

import time
from typing import Any

from fakes.slack.args import Args
from fakes.slack.blockkit import check_view
from fakes.slack.errors import SlackError
from fakes.slack.registry import Ctx, method, ok
from fakes.slack.render import view_json
from fakes.slack.state import JSON, Trigger, View

TRIGGER_TTL = 3.0
PUSH_LIMIT = 3


def _view_arg(args: Args, allowed: tuple[str, ...]) -> JSON:
    raw = args.decoded("view", "invalid_arguments")
    return check_view(raw, allowed)


def _trigger(ctx: Ctx, args: Args) -> Trigger:
    trigger_id = args.string("trigger_id") or args.string("interactivity_pointer")
    if not trigger_id:
        raise SlackError(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]},
        )
    trigger = ctx.ws.triggers.get(trigger_id)
    if trigger is None:
        raise SlackError("invalid_trigger_id")
    if trigger.used:
        raise SlackError("exchanged_trigger_id")
    if time.monotonic() - trigger.issued_at > TRIGGER_TTL:
        raise SlackError("expired_trigger_id")
    return trigger


def _check_external_id(ctx: Ctx, raw: JSON, current: View | None = None) -> str | None:
    external_id = raw.get("external_id") or None
    if external_id is None:
        return None
    for view in ctx.ws.views.values():
        if view.external_id == external_id and view is not current and not view.closed:
            raise SlackError("duplicate_external_id")
    return str(external_id)


def _full_view(
    ctx: Ctx, raw: JSON, view_id: str, root: str, previous: str | None, view_hash: str
) -> JSON:
    ident = ctx.ws.identity
    full: dict[str, Any] = {
        "id": view_id,
        "team_id": ident.team_id,
        "type": raw["type"],
        "blocks": [],
        "private_metadata": "",
        "callback_id": "",
        "state": {"values": {}},
        "hash": view_hash,
        "title": None,
        "close": None,
        "submit": None,
        "clear_on_close": False,
        "notify_on_close": False,
        "previous_view_id": previous,
        "root_view_id": root,
        "app_id": ident.app_id,
        "external_id": "",
        "app_installed_team_id": ident.team_id,
        "bot_id": ident.bot_id,
    }
    for key, value in raw.items():
        if key not in {"id", "team_id", "hash", "root_view_id", "previous_view_id", "state"}:
            full[key] = value
    return full


def _new_view(
    ctx: Ctx,
    raw: JSON,
    user_id: str,
    root: str | None,
    previous: str | None,
    view_id: str | None = None,
) -> View:
    view_id = view_id or ctx.ws.new_id("V")
    view_hash = ctx.ws.view_hash()
    external_id = _check_external_id(ctx, raw)
    view = View(
        id=view_id,
        user_id=user_id,
        type=raw["type"],
        view=_full_view(ctx, raw, view_id, root or view_id, previous, view_hash),
        hash=view_hash,
        root_view_id=root or view_id,
        previous_view_id=previous,
        external_id=external_id,
    )
    ctx.ws.views[view_id] = view
    return view


@method("views.open")
def views_open(ctx: Ctx, args: Args) -> JSON:
    raw = _view_arg(args, ("modal",))
    trigger = _trigger(ctx, args)
    _check_external_id(ctx, raw)
    for old_id in ctx.ws.modal_stacks.get(trigger.user_id, []):
        ctx.ws.views[old_id].closed = True
    view = _new_view(ctx, raw, trigger.user_id, None, None)
    trigger.used = True
    ctx.ws.modal_stacks[trigger.user_id] = [view.id]
    return ok(view=view_json(view))


@method("views.push")
def views_push(ctx: Ctx, args: Args) -> JSON:
    raw = _view_arg(args, ("modal",))
    trigger = _trigger(ctx, args)
    stack = ctx.ws.modal_stacks.get(trigger.user_id) or []
    if not stack:
        raise SlackError("not_found")
    if len(stack) >= PUSH_LIMIT:
        raise SlackError("push_limit_reached")
    _check_external_id(ctx, raw)
    view = _new_view(ctx, raw, trigger.user_id, stack[0], stack[-1])
    trigger.used = True
    stack.append(view.id)
    return ok(view=view_json(view))


def _target(ctx: Ctx, args: Args) -> View:
    view_id = args.string("view_id")
    external_id = args.string("external_id")
    for view in ctx.ws.views.values():
        if view.closed:
            continue
        if (view_id and view.id == view_id) or (external_id and view.external_id == external_id):
            return view
    raise SlackError("not_found")


@method("views.update")
def views_update(ctx: Ctx, args: Args) -> JSON:
    view = _target(ctx, args)
    raw = _view_arg(args, (view.type,))
    expected = args.string("hash")
    if expected and expected != view.hash:
        raise SlackError("hash_conflict")
    view.external_id = _check_external_id(ctx, raw, view) or view.external_id
    view.hash = ctx.ws.view_hash()
    view.view = _full_view(ctx, raw, view.id, view.root_view_id, view.previous_view_id, view.hash)
    if view.external_id and not view.view.get("external_id"):
        view.view["external_id"] = view.external_id
    return ok(view=view_json(view))


@method("views.publish")
def views_publish(ctx: Ctx, args: Args) -> JSON:
    user_id = args.string("user_id")
    if not user_id or user_id not in ctx.ws.users:
        raise SlackError("invalid_arguments", response_metadata={"messages": ["invalid `user_id`"]})
    raw = _view_arg(args, ("home",))
    current_id = ctx.ws.home_views.get(user_id)
    current = ctx.ws.views.get(current_id) if current_id else None
    expected = args.string("hash")
    if current is not None and expected and expected != current.hash:
        raise SlackError("hash_conflict")
    if current is not None:
        ctx.ws.views.pop(current.id)
    view = _new_view(ctx, raw, user_id, None, None, view_id=current_id)
    ctx.ws.home_views[user_id] = view.id
    return ok(view=view_json(view))
