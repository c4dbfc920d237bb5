"""HTTP routes outside Slack: on-call calendar feeds and the external cron trigger.

Every answer that is not a calendar is JSON `{"error": ...}`; failures are logged with an
error id and never show a traceback to the caller.
"""

from __future__ import annotations

import dataclasses
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.deps import Deps
from bot.domain.oncall import Schedule
from bot.domain.oncall.ical import (
    LOOKBACK,
    FeedKind,
    display_names,
    parse_feed_path,
    render_schedule_feed,
    render_user_feed,
    token_ok,
)
from bot.domain.oncall.overrides import effective_schedules
from handlers.errors import new_error_id

log = logging.getLogger("opsguard.http")
Sweep = Callable[[], Awaitable[Any]]  # one sweep; returns a dataclass report


def add_feed_routes(web_app: web.Application, deps: Deps, sweep: Sweep | None) -> None:
    """Calendar feeds (off unless FEED_SECRET is set) and POST /api/cron/process-escalations
    (off unless CRON_TOKEN is set and a sweep is given)."""

    async def feed(request: web.Request) -> web.Response:
        secret = deps.settings.feed_secret
        if not secret:
            return _error(404, "calendar feeds are off (FEED_SECRET is not set)")
        ref = parse_feed_path(request.path)
        if ref is None:
            return _error(404, "no such feed")
        if not token_ok(secret, ref.path, request.query.get("token")):
            return _error(401, "missing or wrong token for this feed")
        now = deps.clock.now()
        try:
            # Covers set with /oncall override count, as they do for paging.
            schedules = await effective_schedules(deps.db, deps.config, now - LOOKBACK)
            if ref.kind is FeedKind.SCHEDULE:
                schedule = schedules.get(ref.id)
                if schedule is None:
                    return _error(404, f"no schedule named {ref.id!r}")
                names = await display_names(deps.db, _users(schedule))
                body = render_schedule_feed(schedule, now, names)
            else:
                names = await display_names(deps.db, [ref.id])
                body = render_user_feed(ref.id, tuple(schedules.values()), now, names)
        except Exception as exc:
            return _failure(exc, f"rendering {ref.path}")
        return web.Response(
            body=body,
            content_type="text/calendar",
            charset="utf-8",
            headers={"Content-Disposition": f'inline; filename="{ref.id}.ics"'},
        )

    async def process_escalations(request: web.Request) -> web.Response:
        expected = deps.settings.cron_token
        if not expected or sweep is None:
            return _error(404, "the cron endpoint is off (CRON_TOKEN is not set)")
        if not bearer_ok(request.headers.get("Authorization"), expected):
            return _error(
                401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"}
            )
        try:
            report = await sweep()
        except Exception as exc:
            return _failure(exc, "the cron sweep")
        return web.json_response({"status": "ok", **dataclasses.asdict(report)})

    web_app.router.add_get("/ical/schedules/{name}.ics", feed)
    web_app.router.add_get("/ical/users/{user}.ics", feed)
    web_app.router.add_post("/api/cron/process-escalations", process_escalations)


def bearer_ok(header: str | None, expected: str) -> bool:
    """`Authorization: Bearer <expected>`, compared in constant time; anything else is False."""
    expected = expected.strip()
    if not header or not expected:
        return False
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    given = token.strip().encode("utf-8", "replace")
    return hmac.compare_digest(given, expected.encode("utf-8", "replace"))


def _users(schedule: Schedule) -> set[str]:
    found = {o.user for o in schedule.overrides}
    for layer in schedule.layers:
        found.update(layer.users)
        found.update(e.user for e in layer.imported)
    return found


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


def _failure(exc: Exception, what: str) -> web.Response:
    error_id = new_error_id()
    log.error("error_id=%s %s failed", error_id, what, exc_info=exc)
    return web.json_response(
        {"error": f"something went wrong on OpsGuard's side ({error_id})", "error_id": error_id},
        status=500,
    )
