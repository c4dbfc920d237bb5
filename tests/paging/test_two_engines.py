"""Two engines (two pools, two sweepers) on one PostgreSQL: every page delivered once."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from datetime import timedelta

import pytest

from bot.config import OpsConfig
from bot.domain import lifecycle
from bot.domain.paging import engine, outbox
from fakes.clock import FakeClock
from storage.db import Database
from tests.conftest import PG_ENV

INCIDENTS = 200
CONFIG = OpsConfig.model_validate(
    {
        "services": [{"name": "api", "escalation_policy": "api"}],
        "teams": [{"name": "sre", "members": ["U0CCCC", "U0DDDD"]}],
        "escalation_policies": [
            {
                "name": "api",
                "repeat": 1,
                "steps": [
                    {"delay": "5m", "targets": [{"user": "U0BBBB"}]},
                    {"delay": "5m", "targets": [{"team": "sre"}]},
                ],
            }
        ],
    }
)


async def run_engine(db: Database, clock: FakeClock, delivered: list[int]) -> None:
    """One replica's sweep: run due steps, then deliver what its claims hand it."""
    await engine.claim_due(db, clock, CONFIG)
    for page in await outbox.claim(db, clock):
        assert page.id is not None
        delivered.append(page.id)
        await outbox.delivered_many(db, clock, [page.id])


async def test_two_engines_deliver_every_page_exactly_once(database_url: str, db: Database) -> None:
    if not database_url.startswith("postgresql") or not os.environ.get(PG_ENV):
        pytest.skip("the two-engine test needs PostgreSQL (FOR UPDATE SKIP LOCKED)")
    clock = FakeClock()
    await asyncio.gather(
        *(
            lifecycle.declare(
                db, clock, CONFIG, title=f"api down {i}", declared_by="U0AAAA", service="api"
            )
            for i in range(INCIDENTS)
        )
    )
    second = Database(database_url)
    delivered: list[int] = []
    try:
        for _ in range(6):  # 2 passes x 2 steps, plus exhaustion, plus one idle round
            await asyncio.gather(
                run_engine(db, clock, delivered), run_engine(second, clock, delivered)
            )
            clock.advance(timedelta(minutes=5))
    finally:
        await second.dispose()
    # Per incident: pass 1 (1 + 2 pages) and pass 2 (1 + 2 pages).
    assert len(delivered) == INCIDENTS * 6
    assert [n for n in Counter(delivered).values() if n != 1] == []
