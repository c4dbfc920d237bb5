"""HTTP routes: Slack's single request URL, health and metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from handlers.bolt_request import to_bolt_request
from handlers.feeds import Sweep, add_feed_routes

log = logging.getLogger("opsguard.http")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_routes(
    web_app: web.Application, deps: Deps, bolt: AsyncApp | None, *, sweep: Sweep | None = None
) -> None:
    """Health and metrics always; /slack/events only in HTTP mode (bolt given); calendar feeds
    and the cron trigger (handlers/feeds.py), each off until its secret is set."""

    async def healthz(_: web.Request) -> web.Response:
        try:
            await deps.db.ping()
        except Exception as exc:
            log.warning("health check: database unreachable: %s", exc)
            return web.json_response(
                {"status": "unavailable", "database": "unreachable"}, status=503
            )
        return web.json_response({"status": "ok", "database": "ok"})

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=deps.metrics.render(), content_type="text/plain", charset="utf-8")

    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics)
    add_feed_routes(web_app, deps, sweep)
    if bolt is not None:

        async def slack_events(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await bolt.async_dispatch(await to_bolt_request(request))
            )

        web_app.router.add_post("/slack/events", slack_events)


def metrics_middleware(
    deps: Deps,
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    @web.middleware
    async def measure(request: web.Request, handler: Handler) -> web.StreamResponse:
        route = request.match_info.route.resource
        name = route.canonical if route is not None else "unmatched"
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            deps.metrics.http_seconds.labels(name).observe(time.perf_counter() - started)
            deps.metrics.http_requests.labels(name, request.method, str(status)).inc()

    return measure
