"""APScheduler as an alarm clock: a periodic sweep plus one wake-up per known due time.

Jobs carry no state. Losing them (a restart) loses nothing: start() rebuilds the wake-ups
from the rows, and anything already due runs at once.
"""

from __future__ import annotations

import asyncio
import logging
import math
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.domain import due
from bot.slack_ops.context import SlackOps
from scheduler.sweeper import sweep

log = logging.getLogger("opsguard.scheduler")
SWEEP_EVERY = timedelta(seconds=10)
SWEEP_JOB = "sweep"
STOP_GRACE = timedelta(seconds=10)
WAKE_GRAIN = timedelta(milliseconds=100)


class Scheduler:
    def __init__(self, ops: SlackOps) -> None:
        self.ops = ops
        self.aps = AsyncIOScheduler(timezone=UTC)
        self._running: set[asyncio.Task[None]] = set()
        self._again = False

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
        """Stop waking up, let a sweep in progress finish, then shut down (shutting down
        first would cancel that sweep mid-transaction)."""
        if self.aps.running:
            self.aps.pause()
        if self._running:
            await asyncio.wait(self._running, timeout=STOP_GRACE.total_seconds())
        if self.aps.running:
            self.aps.shutdown(wait=False)

    def hint(self, at: datetime | None) -> None:
        """Run a sweep at `at` (at once if it is already past). Wake-ups are rounded *up* to
        WAKE_GRAIN, so hints in the same slot share one job and none fires early."""
        if at is None or not self.aps.running:
            return
        grain = WAKE_GRAIN.total_seconds()
        slot = math.ceil(at.timestamp() / grain) * grain
        self.aps.add_job(
            self._sweep,
            "date",
            run_date=datetime.fromtimestamp(slot, UTC),
            id=f"wake-{slot:.1f}",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _sweep(self) -> None:
        """One sweep at a time: a wake-up during a sweep makes it go round once more, and a
        sweep that found full batches goes round until the backlog is gone."""
        if self._running:
            self._again = True
            return
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        try:
            again = True
            while again:
                self._again = False
                try:
                    report = await sweep(self.ops)
                except Exception:
                    log.exception("sweep failed; the next one will pick the work up again")
                    break
                again = self._again or report.backlog
        finally:
            self._running.discard(task)
