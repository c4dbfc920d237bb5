"""The escalation engine over storage with a fake clock: every step once, in order."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.config import OpsConfig
from bot.domain import lifecycle
from bot.domain.lifecycle import Actor
from bot.domain.paging import engine, outbox
from bot.domain.paging.models import Policy, Team
from fakes.clock import FakeClock
from storage.db import Database
from storage.models import Incident, IncidentStatus, Page

A, B, C, D = "U0AAAA", "U0BBBB", "U0CCCC", "U0DDDD"


def make_config(
    *, repeat: int = 0, ack_timeout: str | None = None, first: list[dict[str, object]] | None = None
) -> OpsConfig:
    return OpsConfig.model_validate(
        {
            "services": [{"name": "api", "escalation_policy": "api"}],
            "teams": [{"name": "sre", "members": [C, D]}],
            "schedules": [
                {
                    "name": "primary",
                    "timezone": "Europe/Berlin",
                    "layers": [
                        {
                            "users": [A, B],
                            "rotation": "daily",
                            "handoff": "09:00",
                            "start": "2026-11-01",
                        }
                    ],
                }
            ],
            "escalation_policies": [
                {
                    "name": "api",
                    "repeat": repeat,
                    "ack_timeout": ack_timeout,
                    "steps": [
                        {"delay": "5m", "targets": first or [{"schedule": "primary"}]},
                        {"delay": "10m", "targets": [{"team": "sre"}]},
                    ],
                }
            ],
        }
    )


async def declare(db: Database, clock: FakeClock, config: OpsConfig) -> int:
    incident = await lifecycle.declare(
        db, clock, config, title="api down", declared_by="U0DECL", service="api"
    )
    assert incident.id is not None
    return incident.id


async def pages(db: Database, incident_id: int | None = None) -> list[tuple[int, int, str]]:
    async with db.session() as session:
        query = select(Page).order_by(col(Page.id))
        if incident_id is not None:
            query = query.where(Page.incident_id == incident_id)
        return [(p.loop, p.step, p.user_id) for p in (await session.exec(query)).all()]


async def tick(db: Database, clock: FakeClock, config: OpsConfig, delta: timedelta) -> None:
    clock.advance(delta)
    await engine.claim_due(db, clock, config)


# 2026-11-23 09:00 UTC is 10:00 in Berlin: A's day (rotation started 2026-11-01 with A).
async def test_step_zero_pages_whoever_is_on_call(db: Database) -> None:
    clock, config = FakeClock(), make_config()
    await declare(db, clock, config)
    on_call = A if (date(2026, 11, 23) - date(2026, 11, 1)).days % 2 == 0 else B
    assert await pages(db) == [(0, 0, on_call)]


async def test_ack_at_step_one_stops_paging(db: Database) -> None:
    clock, config = FakeClock(), make_config()
    incident_id = await declare(db, clock, config)
    await tick(db, clock, config, timedelta(minutes=5))
    assert [p[1] for p in await pages(db)] == [0, 1, 1]
    await lifecycle.acknowledge(db, clock, config, incident_id, Actor(C))
    for _ in range(6):
        await tick(db, clock, config, timedelta(minutes=10))
    assert len(await pages(db)) == 3


async def test_no_ack_walks_steps_repeats_then_exhausts(db: Database) -> None:
    clock, config = FakeClock(), make_config(repeat=1)
    incident_id = await declare(db, clock, config)
    await tick(db, clock, config, timedelta(minutes=5))  # step 1
    await tick(db, clock, config, timedelta(minutes=10))  # pass 2, step 0
    await tick(db, clock, config, timedelta(minutes=5))  # pass 2, step 1
    await tick(db, clock, config, timedelta(minutes=10))  # exhausted
    await tick(db, clock, config, timedelta(hours=1))
    got = await pages(db)
    assert [(loop, step) for loop, step, _ in got] == [
        (0, 0),
        (0, 1),
        (0, 1),
        (1, 0),
        (1, 1),
        (1, 1),
    ]
    async with db.session() as session:
        incident = await session.get(Incident, incident_id)
    assert incident is not None and incident.escalation_state == engine.EXHAUSTED


async def test_resolve_part_way_stops(db: Database) -> None:
    clock, config = FakeClock(), make_config(repeat=3)
    incident_id = await declare(db, clock, config)
    await lifecycle.resolve(db, clock, config, incident_id, Actor("U0DECL"))
    await tick(db, clock, config, timedelta(hours=2))
    assert len(await pages(db)) == 1


async def test_ack_timeout_re_escalates_from_the_top(db: Database) -> None:
    clock, config = FakeClock(), make_config(ack_timeout="30m")
    incident_id = await declare(db, clock, config)
    await lifecycle.acknowledge(db, clock, config, incident_id, Actor("U0DECL"))
    await tick(db, clock, config, timedelta(minutes=20))
    await lifecycle.post_update(db, clock, config, incident_id, Actor("U0DECL"), "digging")
    await tick(db, clock, config, timedelta(minutes=20))  # 20 min after the update: fine
    assert len(await pages(db)) == 1
    await tick(db, clock, config, timedelta(minutes=10))  # 30 min of silence
    got = await pages(db)
    assert len(got) == 2 and got[-1][:2] == (1, 0)
    async with db.session() as session:
        incident = await session.get(Incident, incident_id)
    assert incident is not None and incident.status == IncidentStatus.TRIGGERED


async def test_round_robin_rotates_across_incidents(db: Database) -> None:
    clock = FakeClock()
    config = make_config(first=[{"team": "sre", "mode": "round_robin"}])
    for _ in range(3):
        await declare(db, clock, config)
    assert [user for _, _, user in await pages(db)] == [C, D, C]


async def test_schedule_handoff_during_escalation(db: Database) -> None:
    clock = FakeClock(datetime(2026, 11, 23, 7, 58, tzinfo=UTC))  # 08:58 in Berlin
    config = make_config(repeat=1)
    incident_id = await declare(db, clock, config)
    await tick(db, clock, config, timedelta(minutes=5))  # 09:03: step 1, the team
    await tick(db, clock, config, timedelta(minutes=10))  # 09:13: pass 2 asks the schedule again
    by_schedule = [user for _, step, user in await pages(db, incident_id) if step == 0]
    assert len(by_schedule) == 2 and by_schedule[0] != by_schedule[1]
    assert set(by_schedule) == {A, B}


async def test_policy_edited_during_escalation_keeps_the_snapshot(db: Database) -> None:
    clock, config = FakeClock(), make_config()
    incident_id = await declare(db, clock, config)
    edited = make_config(first=[{"user": D}])
    edited = edited.model_copy(
        update={
            "escalation_policies": (
                Policy.model_validate(
                    {"name": "api", "steps": [{"delay": "1m", "targets": [{"user": D}]}]}
                ),
            )
        }
    )
    await tick(db, clock, edited, timedelta(minutes=5))
    assert [user for _, step, user in await pages(db, incident_id) if step == 1] == [C, D]


async def test_concurrent_sweepers_run_each_step_once(db: Database) -> None:
    clock, config = FakeClock(), make_config()
    ids = [await declare(db, clock, config) for _ in range(10)]
    clock.advance(timedelta(minutes=5))
    await asyncio.gather(*(engine.claim_due(db, clock, config) for _ in range(4)))
    for incident_id in ids:
        assert [step for _, step, _ in await pages(db, incident_id)] == [0, 1, 1]


async def test_failed_delivery_is_retried_with_backoff(db: Database) -> None:
    clock, config = FakeClock(), make_config(first=[{"user": A}])
    await declare(db, clock, config)
    (page,) = await outbox.claim(db, clock)
    assert page.id is not None
    assert await outbox.claim(db, clock) == []  # leased
    await outbox.failed(db, clock, page.id, "ratelimited")
    assert await outbox.claim(db, clock) == []
    clock.advance(outbox.backoff(1))
    (again,) = await outbox.claim(db, clock)
    assert again.attempts == 2 and again.last_error == "ratelimited"
    await outbox.delivered_many(db, clock, [page.id])
    clock.advance(timedelta(hours=1))
    assert await outbox.claim(db, clock) == []


def test_team_model() -> None:
    with pytest.raises(ValueError):
        Team.model_validate({"name": "x", "members": []})
