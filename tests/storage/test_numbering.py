"""Incident numbers: sequential and unique, even when many declarations race."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.config import OpsConfig
from bot.domain.lifecycle import declare
from fakes.clock import FakeClock
from storage.db import Database
from storage.models import Incident


async def test_concurrent_declarations_get_distinct_sequential_numbers(db: Database) -> None:
    clock = FakeClock()
    created = await asyncio.gather(
        *(
            declare(db, clock, OpsConfig(), title=f"outage {i}", severity="SEV2", declared_by="U1")
            for i in range(40)
        )
    )
    assert sorted(i.number for i in created) == list(range(1, 41))
    async with db.session() as session:
        stored = (await session.exec(select(Incident.number))).all()
    assert sorted(stored) == list(range(1, 41))


async def test_numbering_continues_after_existing_incidents(db: Database) -> None:
    clock = FakeClock()
    first = await declare(db, clock, OpsConfig(), title="a", declared_by="U1")
    second = await declare(db, clock, OpsConfig(), title="b", declared_by="U1")
    assert (first.number, second.number) == (1, 2)
    assert second.detected_at == clock.now()
