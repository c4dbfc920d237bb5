"""APScheduler as an alarm clock for three loops: escalation steps, the page outbox, and the
rest of the due work (nudges, archives, re-syncs, periodic jobs); a periodic wake-up plus one
per known due time.

Jobs carry no state. Losing them (a restart) loses nothing: start() rebuilds the wake-ups
from the rows, and anything already due runs at once. Escalation has a loop of its own, and
the pages and the other due work, which mostly talk to Slack, run beside it: a slow or
failing Slack holds up the next steps only through an exhaustion notice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.domain import due
from bot.domain.paging import engine, outbox
from bot.slack_ops import paging
from bot.slack_ops.context import SlackOps
from scheduler.sweeper import escalate_due, sweep_due

log = logging.getLogger("opsguard.scheduler")
SWEEP_EVERY = timedelta(seconds=10)
SWEEP_JOB = "sweep"
STOP_GRACE = timedelta(seconds=10)
WAKE_GRAIN = timedelta(milliseconds=100)


class Loop:
    """Runs `body` one pass at a time. A wake-up during a pass makes it go round once more,
    and a pass that returns True (a batch came back full) goes round again at once, so a
    burst drains without piling concurrent passes onto the database."""

    def __init__(self, name: str, body: Callable[[], Awaitable[bool]]) -> None:
        self.name = name
        self.passes = 0
        self.busy_seconds = 0.0  # wall time spent in passes: what the loop costs
        self._body = body
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._stopping = False

    def wake(self) -> None:
        """Run a pass now, or once more after the one in progress."""
        if self._stopping:
            return
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=self.name)
        else:
            self._again = True

    async def settled(self) -> None:
        """Return once no pass is running or about to run."""
        while (task := self._task) is not None:
            await asyncio.wait({task})

    async def stop(self, grace: timedelta) -> None:
        """No more passes; let the one in progress finish (cancelling it would abandon its
        transaction half-way), waiting at most `grace`."""
        self._stopping = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.settled(), grace.total_seconds())

    async def _run(self) -> None:
        try:
            again = True
            while again and not self._stopping:
                self._again = False
                started = time.perf_counter()
                try:
                    more = await self._body()
                except Exception:
                    log.exception("%s failed; the next wake-up picks the work up again", self.name)
                    return
                finally:
                    self.passes += 1
                    self.busy_seconds += time.perf_counter() - started
                again = self._again or more
        finally:
            self._task = None


class Scheduler:
    def __init__(self, ops: SlackOps) -> None:
        self.ops = ops
        self.aps = AsyncIOScheduler(timezone=UTC)
        self.escalations = Loop("escalation", self._escalate)
        self.deliveries = Loop("page delivery", self._deliver)
        self.sweeps = Loop("sweep", self._sweep)
        self.loops = (self.escalations, self.deliveries, self.sweeps)

    async def start(self) -> None:
        deps = self.ops.deps
        self.aps.add_job(
            self._wake,
            "interval",
            seconds=SWEEP_EVERY.total_seconds(),
            id=SWEEP_JOB,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        self.aps.start()
        self.ops.hint = self.hint
        self.ops.pages_written = self.deliveries.wake
        for at in await due.next_wakeups(deps.db):
            self.hint(at)

    async def stop(self) -> None:
        """Stop waking up, let the passes in progress finish, then shut down."""
        if self.aps.running:
            self.aps.pause()
        await asyncio.gather(*(loop.stop(STOP_GRACE) for loop in self.loops))
        if self.aps.running:
            self.aps.shutdown(wait=False)

    def hint(self, at: datetime | None) -> None:
        """Wake up at `at` (at once if it is already past). Wake-ups are rounded *up* to
        WAKE_GRAIN, so hints in the same slot share one job and none fires early."""
        if at is None or not self.aps.running:
            return
        grain = WAKE_GRAIN.total_seconds()
        slot = math.ceil(at.timestamp() / grain) * grain
        job_id = f"wake-{slot:.1f}"
        if self.aps.get_job(job_id) is not None:  # the slot is set: nothing to replace
            return
        self.aps.add_job(
            self._wake,
            "date",
            run_date=datetime.fromtimestamp(slot, UTC),
            id=job_id,
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _wake(self) -> None:
        """A hint does not say what came due, so every loop runs; an idle pass is a few
        indexed queries."""
        for loop in self.loops:
            loop.wake()

    async def _escalate(self) -> bool:
        return await escalate_due(self.ops) >= engine.CLAIM_BATCH

    async def _sweep(self) -> bool:
        return (await sweep_due(self.ops)).backlog

    async def _deliver(self) -> bool:
        return await paging.deliver_pending(self.ops) >= outbox.CLAIM_BATCH
