"""POST /api/cron/process-escalations: one sweep, only with the bearer token."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.domain import lifecycle
from storage.models import Page
from tests.feeds.conftest import CRON_TOKEN, World

CRON = "/api/cron/process-escalations"


async def pages(world: World) -> list[tuple[int, str, str]]:
    async with world.guard.deps.db.session() as session:
        rows = (await session.exec(select(Page).order_by(col(Page.id)))).all()
    return [(p.step, p.user_id, p.via) for p in rows]


async def test_cron_needs_the_bearer_token(world: World) -> None:
    wrong = [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": f"Basic {CRON_TOKEN}"},
        {"Authorization": f"Bearer {CRON_TOKEN[:-1]}"},
        {"Authorization": f"Bearer {CRON_TOKEN}x"},
        {"Authorization": f"Bearer {CRON_TOKEN.upper()}"},
        {"Authorization": "Bearer " + "é" * 10},
        {"X-Cron-Token": CRON_TOKEN},
    ]
    for headers in wrong:
        reply = await world.post(CRON, headers)
        assert reply.status == 401, headers
        assert reply.json() == {"error": "missing or wrong bearer token"}
        assert reply.headers["WWW-Authenticate"] == "Bearer"
    as_query = await world.post(f"{CRON}?token={CRON_TOKEN}")
    assert as_query.status == 401
    assert (await world.get(CRON)).status == 405


async def test_cron_runs_the_due_escalation_step(world: World) -> None:
    deps = world.guard.deps
    bob, dave = world.id("bob"), world.id("dave")
    auth = {"Authorization": f"bearer {CRON_TOKEN}"}  # the scheme is case-insensitive
    incident = await lifecycle.declare(
        deps.db,
        deps.clock,
        deps.config,
        title="API down",
        declared_by=world.id("alice"),
        service="api",
    )
    assert await pages(world) == [(0, bob, "user")]  # step 0 runs inside the declaration

    early = await world.post(CRON, auth)
    assert early.status == 200
    assert early.json() == {
        "status": "ok",
        "steps": 0,
        "pages": 1,
        "nudges": 0,
        "archives": 0,
        "syncs": 0,
        "digest": False,
        "backlog": False,
    }  # nothing due yet; bob's pending page was delivered

    world.clock.advance(timedelta(minutes=5))
    due = await world.post(CRON, auth)
    assert due.status == 200
    assert due.json()["steps"] == 1
    # Step 1 pages whoever the .ics-imported schedule has on call now: dave (X-SLACK-USER).
    assert await pages(world) == [(0, bob, "user"), (1, dave, "schedule:calendar")]
    dms = [
        c.args["channel"]
        for c in world.slack.calls_to("chat.postMessage")
        if c.ok and "You are paged" in c.args.get("text", "")
    ]
    assert len(dms) == 2
    assert incident.number == 1

    again = await world.post(CRON, auth)
    assert again.json()["steps"] == 0  # a step runs once, however often cron calls
