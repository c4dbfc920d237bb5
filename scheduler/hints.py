"""APScheduler as an alarm clock: a periodic sweep plus one wake-up per known due time.

Jobs carry no state. Losing them (a restart) loses nothing: start() rebuilds the wake-ups
from the rows, and anything already due runs at once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.domain import due
from bot.slack_ops.context import SlackOps
from scheduler.sweeper import sweep

log = logging.getLogger("opsguard.scheduler")
SWEEP_EVERY = timedelta(seconds=10)
SWEEP_JOB = "sweep"
STOP_GRACE = timedelta(seconds=10)


class Scheduler:
    def __init__(self, ops: SlackOps) -> None:
        self.ops = ops
        self.aps = AsyncIOScheduler(timezone=UTC)
        self._running: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        deps = self.ops.deps
        self.aps.add_job(
            self._sweep,
            "interval",
            seconds=SWEEP_EVERY.total_seconds(),
            id=SWEEP_JOB,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        self.aps.start()
        self.ops.hint = self.hint
        for at in await due.next_wakeups(deps.db):
            self.hint(at)

    async def stop(self) -> None:
        """Stop waking up, then let a sweep in progress finish before storage closes."""
        if self.aps.running:
            self.aps.shutdown(wait=False)
        if self._running:
            await asyncio.wait(self._running, timeout=STOP_GRACE.total_seconds())

    def hint(self, at: datetime | None) -> None:
        """Run a sweep at `at` (at once if it is already past). Same time, same job."""
        if at is None or not self.aps.running:
            return
        self.aps.add_job(
            self._sweep,
            "date",
            run_date=at,
            id=f"wake-{at.timestamp():.0f}",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _sweep(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        try:
            await sweep(self.ops)
        except Exception:
            log.exception("sweep failed; the next one will pick the work up again")
        finally:
            self._running.discard(task)
