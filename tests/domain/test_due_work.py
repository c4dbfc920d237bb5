"""Due work is claimed exactly once, however many sweepers race for it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.config import OpsConfig
from bot.domain import due, lifecycle
from bot.domain.lifecycle import Actor
from fakes.clock import FakeClock
from storage.db import Database


async def test_nudges_come_due_once_and_repeat_after_more_silence(db: Database) -> None:
    clock, config = FakeClock(), OpsConfig()
    incident = await lifecycle.declare(
        db, clock, config, title="t", declared_by="U1", severity="SEV1"
    )
    assert incident.id is not None
    clock.advance(timedelta(minutes=14))
    assert await due.claim_due_nudges(db, clock, config) == []
    clock.advance(timedelta(minutes=1))
    claims = await asyncio.gather(*(due.claim_due_nudges(db, clock, config) for _ in range(5)))
    assert sorted(len(c) for c in claims) == [0, 0, 0, 0, 1]
    clock.advance(timedelta(minutes=10))
    await lifecycle.post_update(db, clock, config, incident.id, Actor("U1"), "still on it")
    clock.advance(timedelta(minutes=14))
    assert await due.claim_due_nudges(db, clock, config) == []
    clock.advance(timedelta(minutes=1))
    assert len(await due.claim_due_nudges(db, clock, config)) == 1


async def test_archive_claims_and_retry(db: Database) -> None:
    clock, config = FakeClock(), OpsConfig()
    incident = await lifecycle.declare(db, clock, config, title="t", declared_by="U1")
    assert incident.id is not None
    await lifecycle.resolve(db, clock, config, incident.id, Actor("U1"))
    clock.advance(timedelta(hours=24))
    claimed = await asyncio.gather(*(due.claim_due_archives(db, clock) for _ in range(3)))
    assert sorted(len(c) for c in claimed) == [0, 0, 1]
    await due.archive_failed(db, clock, incident.id)
    clock.advance(timedelta(minutes=5))
    assert [i.id for i in await due.claim_due_archives(db, clock)] == [incident.id]


async def test_periodic_job_runs_once_per_round(db: Database) -> None:
    clock = FakeClock()
    every = timedelta(hours=1)
    await asyncio.gather(
        *(due.ensure_periodic(db, "digest", clock.now() + every) for _ in range(3))
    )
    assert not await due.claim_periodic(db, clock, "digest", every)
    clock.advance(every)
    wins = await asyncio.gather(*(due.claim_periodic(db, clock, "digest", every) for _ in range(4)))
    assert sorted(wins) == [False, False, False, True]
    assert clock.now() + every in await due.next_wakeups(db)


async def test_sync_requests_are_claimed_once(db: Database) -> None:
    clock, config = FakeClock(), OpsConfig()
    incident = await lifecycle.declare(db, clock, config, title="t", declared_by="U1")
    assert incident.id is not None
    await due.request_sync(db, clock, incident.id, timedelta(minutes=1))
    assert await due.claim_due_syncs(db, clock) == []
    clock.advance(timedelta(minutes=1))
    assert await due.claim_due_syncs(db, clock) == [incident.id]
    assert await due.claim_due_syncs(db, clock) == []
