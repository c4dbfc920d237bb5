"""`POST /hooks/deploy`: auth, validation, storage without an incident, and the timeline
entry on every open incident of the service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from sqlmodel import select

from bot.domain.timeline import Kind
from storage.models import Deploy, Incident, TimelineEntry
from tests.lifecycle.conftest import World
from tests.timeline.conftest import DEPLOY_TOKEN, SEARCH_ONLY_TOKEN


async def post(world: World, body: Any, token: str | None = DEPLOY_TOKEN) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{world.guard.url}/hooks/deploy", json=body, headers=headers) as response,
    ):
        return response.status, await response.json()


async def rows(world: World, model: Any) -> list[Any]:
    async with world.guard.deps.db.session() as session:
        return list((await session.exec(select(model))).all())


async def test_a_deploy_is_stored_even_with_no_incident_open(world: World) -> None:
    when = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    status, body = await post(
        world,
        {
            "service": "checkout",
            "version": "v1.4.2",
            "description": "Bump payment SDK",
            "url": "https://ci.example.com/run/77",
            "author": "dave",
            "timestamp": when.isoformat(),
        },
    )
    assert status == 201, body
    assert body["incidents"] == []
    [deploy] = await rows(world, Deploy)
    assert (deploy.service, deploy.version, deploy.author, deploy.source) == (
        "checkout",
        "v1.4.2",
        "dave",
        "ci",
    )
    assert deploy.deployed_at == when
    assert deploy.url == "https://ci.example.com/run/77"


async def test_an_open_incident_of_the_service_gets_a_timeline_entry(world: World) -> None:
    checkout = await world.declare("Checkout 500s sev2 service:checkout")
    search = await world.declare("Search slow sev3 service:search")
    resolved = await world.declare("Old checkout thing sev3 service:checkout")
    await world.command(f"resolve #{resolved.number} done", user=world.alice, channel=world.general)
    epoch = (world.clock.now() - timedelta(minutes=3)).timestamp()

    status, body = await post(
        world, {"service": "checkout", "version": "v2", "author": "erin", "timestamp": epoch}
    )

    assert status == 201, body
    assert body["incidents"] == [checkout.id]
    entries = [e for e in await rows(world, TimelineEntry) if e.kind == Kind.DEPLOY]
    assert [(e.incident_id, e.text) for e in entries] == [
        (checkout.id, "Deploy of checkout v2 by erin")
    ]
    assert entries[0].occurred_at == datetime.fromtimestamp(epoch, UTC)
    stored = {i.id: i for i in await rows(world, Incident)}
    assert stored[checkout.id].sync_due_at == world.clock.now()
    assert stored[search.id].sync_due_at is None
    await world.sweep()
    center = await world.command_center(checkout.number)
    assert "Deploy of checkout v2 by erin" in str(center.blocks)


async def test_tokens_are_checked_and_sources_kept_to_their_services(world: World) -> None:
    assert (await post(world, {"service": "checkout"}, token=None))[0] == 401
    assert (await post(world, {"service": "checkout"}, token="wrong-token-0123456789"))[0] == 401
    status, body = await post(world, {"service": "checkout"}, token=SEARCH_ONLY_TOKEN)
    assert status == 403 and "checkout" in body["error"]
    assert (await post(world, {"service": "search"}, token=SEARCH_ONLY_TOKEN))[0] == 201
    assert [d.service for d in await rows(world, Deploy)] == ["search"]


async def test_bad_bodies_get_their_field_errors_and_store_nothing(world: World) -> None:
    status, body = await post(
        world, {"service": "Not A Service!", "url": "ftp://x", "timestamp": "yesterday"}
    )
    assert status == 400
    fields = {error.split(":")[0] for error in body["errors"]}
    assert fields == {"service", "url", "timestamp"}
    assert (await post(world, ["service", "checkout"]))[0] == 400
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{world.guard.url}/hooks/deploy",
            data=b"{not json",
            headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"},
        ) as response,
    ):
        assert response.status == 400
        assert (await response.json())["errors"][0].startswith("body: not valid JSON")
    assert await rows(world, Deploy) == []
