"""/healthz reports the database; /metrics counts requests per listener."""

from __future__ import annotations

from dataclasses import replace

import aiohttp
from aiohttp import web

from bot.runtime import OpsGuard
from fakes.driver import SlackDriver
from fakes.slack import Channel, FakeSlack, User
from handlers.http_routes import add_routes
from storage.db import Database


async def test_healthz_reports_database(guard: OpsGuard) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{guard.url}/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok", "database": "ok"}


async def test_healthz_is_503_when_the_database_is_unreachable(guard: OpsGuard) -> None:
    deps = replace(guard.deps, db=Database("postgresql+asyncpg://postgres@127.0.0.1:1/gone"))
    web_app = web.Application()
    add_routes(web_app, deps, None)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            assert response.status == 503
            assert await response.json() == {"status": "unavailable", "database": "unreachable"}
    finally:
        await runner.cleanup()
        await deps.db.dispose()


async def test_metrics_count_listener_requests_and_latency(
    slack: FakeSlack, guard: OpsGuard, driver: SlackDriver, alice: User, general: Channel
) -> None:
    for _ in range(3):
        await driver.command("/incident", "help", user=alice.id, channel=general.id)
    async with aiohttp.ClientSession() as http, http.get(f"{guard.url}/metrics") as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        text = await response.text()
    assert 'opsguard_listener_requests_total{listener="incident_command",outcome="ok"} 3.0' in text
    assert 'opsguard_listener_seconds_count{listener="incident_command"} 3.0' in text
    assert (
        'opsguard_http_requests_total{method="POST",route="/slack/events",status="200"} 3.0' in text
    )
