"""Alert webhooks: Alertmanager, Grafana, PagerDuty Events v2 (`/v2/enqueue`) and generic.

Every answer is JSON: 2xx when stored, 4xx with the field errors otherwise, never a 500 for
bad input. The Slack follow-up (war room, refreshes) runs after the answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.domain.alerts import intake, payloads
from bot.domain.alerts.integrations import Integration
from bot.domain.alerts.payloads import AlertEvent, PayloadError
from bot.ratelimit import RateLimiter
from bot.slack_ops.alerts import after_intake
from bot.slack_ops.context import SlackOps
from handlers.http_auth import presented_token, same_secret

log = logging.getLogger("opsguard.alerts")
Parse = Callable[[Any], list[AlertEvent]]
PARSERS: dict[str, Parse] = {
    "alertmanager": payloads.alertmanager,
    "grafana": lambda body: payloads.alertmanager(body, grafana=True),
    "generic": lambda body: [payloads.generic(body)],
}


def add_alert_routes(web_app: web.Application, ops: SlackOps) -> set[asyncio.Task[None]]:
    """Returns the running Slack follow-ups, so shutdown can let them finish."""
    limiter = RateLimiter()
    follow_ups: set[asyncio.Task[None]] = set()
    config = ops.deps.config

    def limited(integration: Integration) -> web.Response | None:
        wait = limiter.retry_after(integration.name, integration.rate_limit)
        if not wait:
            return None
        return web.json_response(
            {"status": "throttled", "message": "Rate limit exceeded"},
            status=429,
            headers={"Retry-After": str(wait)},
        )

    async def store(integration: Integration, events: list[AlertEvent]) -> list[intake.Outcome]:
        outcomes = await intake.receive(ops.deps.db, ops.deps.clock, config, integration, events)
        if not any(o.news for o in outcomes):
            return outcomes  # plain repeats: Slack has nothing to show
        task = asyncio.create_task(after_intake(ops, outcomes))
        follow_ups.add(task)
        task.add_done_callback(follow_ups.discard)
        return outcomes

    def webhook(kind: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def receive(request: web.Request) -> web.Response:
            integration = _authenticated(config.integrations, kind, request)
            if integration is None:
                return web.json_response({"error": "missing or unknown token"}, status=401)
            if (throttled := limited(integration)) is not None:
                return throttled
            try:
                events = PARSERS[kind](await _json(request))
            except PayloadError as exc:
                return web.json_response(
                    {"error": "invalid payload", "errors": exc.errors}, status=400
                )
            outcomes = await store(integration, events)
            return web.json_response(
                {
                    "status": "ok",
                    "groups": len(outcomes),
                    "incidents": sorted({o.incident_id for o in outcomes if o.incident_id}),
                },
                status=202,
            )

        return receive

    async def enqueue(request: web.Request) -> web.Response:
        try:
            body = await _json(request)
            routing_key, event = payloads.pagerduty(body)
        except PayloadError as exc:
            return _invalid(exc.errors)
        integration = next(
            (
                i
                for i in config.integrations
                if i.type == "pagerduty" and same_secret(i.secret(), routing_key)
            ),
            None,
        )
        if integration is None:
            return _invalid(["routing_key: unknown routing key"])
        if (throttled := limited(integration)) is not None:
            return throttled
        await store(integration, [event])
        return web.json_response(
            {"status": "success", "message": "Event processed", "dedup_key": event.dedup_key},
            status=202,
        )

    for kind in PARSERS:
        web_app.router.add_post(f"/hooks/{kind}", webhook(kind))
    web_app.router.add_post("/v2/enqueue", enqueue)
    return follow_ups


async def _json(request: web.Request) -> Any:
    raw = await request.read()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise PayloadError([f"body: not valid JSON ({exc})"]) from None


def _invalid(errors: list[str]) -> web.Response:
    return web.json_response(
        {"status": "invalid event", "message": "Event object is invalid", "errors": errors},
        status=400,
    )


def _authenticated(
    integrations: tuple[Integration, ...], kind: str, request: web.Request
) -> Integration | None:
    token = presented_token(request, query=True)
    return next(
        (i for i in integrations if i.type == kind and same_secret(i.secret(), token)), None
    )
