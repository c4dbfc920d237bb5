"""Escalation under load: 10,000 incidents escalating at once, on SQLite and on PostgreSQL.

Set-up, not timed: one incident per policy is declared for real (`lifecycle.declare` runs
step 0 and records its page in the declaring transaction) and the others are copies of its
rows with the times shifted (`--setup declare` declares every one instead, at ~150/s).
Declaration times are spread over 30 s and five policies have step delays of 2 to 10 s (a
user, then a two-person team, then exhaustion), so the claimed steps fall due over about
42 s of real time.

A sweeper like production's runs them: APScheduler with scheduler/hints.py's jobs (a sweep
every 10 s, plus a wake-up job per hinted due time, its id rounded to the second), each sweep
doing what scheduler/sweeper.py does for escalation: `claim_due`, a snapshot per step run to
hint its next due time (paging.after_steps), and the page outbox (`outbox.claim`, then
`outbox.delivered` for every claimed page at once). Nothing talks to Slack; deliveries are
counted. `--sweep drain` also repeats `claim_due` within a sweep while batches come back full.

Lateness of a step = the time its claim ran (the `now` claim_due used) - its due time (the
`next_escalation_at` the previous step set); "at commit" uses the time claim_due returned.
Steps still due when the run ends (the last due time + `--grace`) count with their lateness
so far, as a lower bound. Baseline in the same database: as many no-op claims as the run has
steps, all due at once, from a bare table (one UPDATE … RETURNING per batch of 200); the ratio
is the engine's claim rate while claiming over that raw rate.

    .venv/bin/python -m bench.escalation [--incidents 10000] [--pg URL] [--sweep drain]

PostgreSQL runs when `--pg URL` or OPSGUARD_TEST_DATABASE_URL is given: a throwaway database
is created on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import resource
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from sqlalchemy import Table, func, insert, text, update
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from bot.config import OpsConfig
from bot.domain import lifecycle
from bot.domain.incidents import INCIDENT_NUMBER
from bot.domain.paging import engine, outbox
from bot.domain.paging.models import Policy
from bot.domain.snapshot import snapshot
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Counter as NumberCounter
from storage.models import Incident, IncidentMember, IncidentRole, Page, PageStatus, TimelineEntry

PG_ENV = "OPSGUARD_TEST_DATABASE_URL"
SPREAD = timedelta(seconds=30)  # declaration times, hence first due times, spread over this
DELAYS = ((2, 10), (4, 8), (6, 6), (8, 4), (10, 2))  # per policy: step 1, step 2 delay (s)
PAGED_USER = "U0BBBB"
TEAM = ("U0CCCC", "U0DDDD")
# Concurrent declarations with `--setup declare`. They serialize anyway (SQLite's one writer,
# the incident-number counter row on PostgreSQL); more of them only add lock waits.
DECLARERS = {"sqlite": 1, "postgresql": 4}
COPY_CHUNK = 1000
SWEEP_EVERY = timedelta(seconds=10)  # scheduler/hints.py SWEEP_EVERY
TARGET_P99 = 1.0
log = logging.getLogger("bench.escalation")

Step = tuple[int, int, bool]  # (loop, step, exhausted), as a StepRun reports it


def bench_config() -> OpsConfig:
    """Five services, each with a two-step policy: a user, then a two-person team."""
    return OpsConfig.model_validate(
        {
            "services": [
                {"name": f"svc{k}", "escalation_policy": f"p{k}"} for k in range(len(DELAYS))
            ],
            "teams": [{"name": "sre", "members": list(TEAM)}],
            "escalation_policies": [
                {
                    "name": f"p{k}",
                    "steps": [
                        {"delay": f"{first}s", "targets": [{"user": PAGED_USER}]},
                        {"delay": f"{second}s", "targets": [{"team": "sre"}]},
                    ],
                }
                for k, (first, second) in enumerate(DELAYS)
            ],
        }
    )


def expected_steps(policy: Policy) -> list[Step]:
    """The transitions claim_due makes after step 0, mirroring engine._advance."""
    steps: list[Step] = []
    step = loop = 0
    while True:
        previous, step = step, step + 1
        if step >= len(policy.steps):
            step, loop = 0, loop + 1
        if loop > policy.repeat:
            steps.append((loop, previous, True))
            return steps
        steps.append((loop, step, False))


def recipients(config: OpsConfig, policy: Policy, step: int) -> int:
    """How many people a step pages (user and whole-team targets, as this config has)."""
    users: set[str] = set()
    for target in policy.steps[step].targets:
        team = config.team(target.team) if target.team else None
        users.update(team.members if team else [target.user] if target.user else [])
    return len(users)


def pages_expected(config: OpsConfig, policy: Policy) -> int:
    """Pages of step 0 (run by the declaration) and of every paging step after it."""
    later = (step for _, step, done in expected_steps(policy) if not done)
    return recipients(config, policy, 0) + sum(recipients(config, policy, s) for s in later)


class FrozenClock:
    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at


class ShiftedClock:
    """Real time, shifted so that the run starts at the declarations' base time."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class Busy:
    """Wall time during which at least one of the tracked operations was in flight."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._inflight = 0
        self._since = 0.0

    @asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        if self._inflight == 0:
            self._since = time.perf_counter()
        self._inflight += 1
        try:
            yield
        finally:
            self._inflight -= 1
            if self._inflight == 0:
                self.seconds += time.perf_counter() - self._since


@dataclass
class Tally:
    policies: dict[int, Policy]
    due: dict[int, datetime]  # incident -> due time of its next transition
    seen: dict[int, list[Step]] = field(default_factory=dict)
    late: list[float] = field(default_factory=list)
    late_committed: list[float] = field(default_factory=list)
    unexpected: int = 0  # claims of an incident that had nothing due
    early: int = 0  # claims before the due time
    delivered: Counter[int] = field(default_factory=Counter)
    page_lag: list[float] = field(default_factory=list)
    claiming: Busy = field(default_factory=Busy)
    snapshotting: Busy = field(default_factory=Busy)
    delivering: Busy = field(default_factory=Busy)
    claims: int = 0
    full_batches: int = 0
    sweeps: int = 0
    peak_sweeps: int = 0  # sweeps running at the same time
    errors: Counter[str] = field(default_factory=Counter)
    last_step_at: datetime | None = None
    steps: int = 0
    expected: tuple[int, int] = (0, 0)  # (steps, pages): set `done` when both are reached
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def record(self, run: engine.StepRun, now: datetime, committed: datetime) -> None:
        self.seen.setdefault(run.incident_id, []).append((run.loop, run.step, run.exhausted))
        due = self.due.pop(run.incident_id, None)
        if due is None:
            self.unexpected += 1
        else:
            self.early += now < due
            self.late.append((now - due).total_seconds())
            self.late_committed.append((committed - due).total_seconds())
        if not run.exhausted:
            self.due[run.incident_id] = now + self.policies[run.incident_id].steps[run.step].delay
        self.last_step_at = committed
        self.steps += 1
        self._check_done()

    def delivered_page(self, page: Page, at: datetime) -> None:
        assert page.id is not None
        self.delivered[page.id] += 1
        self.page_lag.append((at - page.created_at).total_seconds())
        self._check_done()

    def _check_done(self) -> None:
        if self.steps >= self.expected[0] and len(self.delivered) >= self.expected[1]:
            self.done.set()


class Sweeper:
    """The escalation part of scheduler/sweeper.sweep, with the Slack calls left out."""

    def __init__(
        self, db: Database, config: OpsConfig, clock: ShiftedClock, tally: Tally, drain: bool
    ) -> None:
        self.db, self.config, self.clock, self.tally, self.drain = db, config, clock, tally, drain
        self.hint: Callable[[datetime | None], None] = lambda at: None
        self.stopping = False

    async def sweep(self) -> None:
        tally = self.tally
        tally.sweeps += 1
        while True:
            now = self.clock.now()
            async with tally.claiming.track():
                runs = await engine.claim_due(self.db, FrozenClock(now), self.config)
            committed = self.clock.now()
            tally.claims += 1
            for run in runs:
                tally.record(run, now, committed)
            if self.stopping:  # the run is over: record what was claimed, skip the rest
                return
            async with tally.snapshotting.track():  # paging.after_steps
                for run in runs:
                    snap = await snapshot(self.db, run.incident_id)
                    self.hint(snap.incident.next_escalation_at)
                    if self.stopping:
                        break
            if any(run.pages for run in runs):
                await self.deliver_pending()
            await self.deliver_pending()
            full = len(runs) >= engine.CLAIM_BATCH
            tally.full_batches += full
            if not (self.drain and full) or self.stopping:
                return

    async def deliver_pending(self) -> None:
        if self.stopping:
            return
        async with self.tally.delivering.track():
            pages = await outbox.claim(self.db, self.clock)
            await asyncio.gather(*(self._deliver(page) for page in pages))

    async def _deliver(self, page: Page) -> None:
        assert page.id is not None
        await outbox.delivered_many(self.db, self.clock, [page.id])
        self.tally.delivered_page(page, self.clock.now())


class Alarm:
    """scheduler/hints.Scheduler's jobs: a periodic sweep, and one wake-up per hinted second."""

    def __init__(self, sweep: Callable[[], Awaitable[None]], offset: timedelta, tally: Tally):
        self.sweep, self.offset, self.tally = sweep, offset, tally
        self.aps = AsyncIOScheduler(timezone=UTC)
        self._running: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self.aps.add_job(
            self._job,
            "interval",
            seconds=SWEEP_EVERY.total_seconds(),
            id="sweep",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        self.aps.start()

    def hint(self, at: datetime | None) -> None:
        """`at` is in the bench clock's time; APScheduler runs on the real one."""
        if at is None or not self.aps.running:
            return
        real = at - self.offset
        self.aps.add_job(
            self._job,
            "date",
            run_date=real,
            id=f"wake-{real.timestamp():.0f}",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def stop(self) -> None:
        """No new sweeps; let the running ones finish (shutdown would cancel them)."""
        self.aps.pause()
        while self._running:
            await asyncio.wait(set(self._running))
        self.aps.shutdown(wait=False)

    async def _job(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        self.tally.peak_sweeps = max(self.tally.peak_sweeps, len(self._running))
        try:
            await self.sweep()
        except Exception as exc:
            self.tally.errors[type(exc).__name__] += 1
            log.warning("sweep failed: %s", exc)
        finally:
            self._running.discard(task)


class RssSampler:
    """Peak resident set size of this process while the block runs, sampled every 250 ms."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._task: asyncio.Task[None] | None = None

    @staticmethod
    def current_kb() -> int:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def __enter__(self) -> RssSampler:
        async def sample() -> None:
            while True:
                self.peak_kb = max(self.peak_kb, self.current_kb())
                await asyncio.sleep(0.25)

        self._task = asyncio.get_running_loop().create_task(sample())
        return self

    def __exit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        self.peak_kb = max(self.peak_kb, self.current_kb())


@dataclass
class Check:
    """Every expected step and page, accounted for."""

    expected_steps: int = 0
    expected_pages: int = 0
    backlog_steps: int = 0  # not run yet when the run ended
    lost_steps: int = 0  # skipped: a later step of the same incident ran
    duplicated_steps: int = 0
    page_rows: int = 0
    missing_page_rows: int = 0  # a step ran but its page row is not there
    duplicated_page_rows: int = 0
    undelivered_pages: int = 0  # rows still pending when the run ended
    duplicated_deliveries: int = 0
    not_exhausted: int = 0

    @property
    def lost(self) -> int:
        return self.lost_steps + self.missing_page_rows

    @property
    def duplicated(self) -> int:
        return self.duplicated_steps + self.duplicated_page_rows + self.duplicated_deliveries


@dataclass
class Result:
    backend: str
    incidents: int
    declare_seconds: float
    tally: Tally
    check: Check
    late_all: list[float]  # lateness of every step that ran, plus lower bounds for the backlog
    window_seconds: float
    raw_claims_per_s: float
    rss_peak_mb: float
    cpu_seconds: float  # this process, user + system, during the run
    load: tuple[float, float]  # 1-minute load average before and after the run


Declared = dict[int, tuple[datetime, Policy]]  # incident -> (next escalation, policy)


def _declared_at(base: datetime, i: int, incidents: int) -> datetime:
    return base + SPREAD * (i / incidents)


async def _declare_all(
    db: Database, config: OpsConfig, count: int, base: datetime, concurrency: int, incidents: int
) -> Declared:
    """`lifecycle.declare` the first `count` of `incidents` at their spread-out times."""
    declared: Declared = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def declarer() -> None:
        while not queue.empty():
            i = queue.get_nowait()
            incident = await lifecycle.declare(
                db,
                FrozenClock(_declared_at(base, i, incidents)),
                config,
                title=f"bench incident {i}",
                declared_by="U0AAAA",
                severity="SEV2",
                service=f"svc{i % len(DELAYS)}",
            )
            assert incident.id is not None and incident.next_escalation_at is not None
            policy = Policy.model_validate(incident.escalation_policy)
            declared[incident.id] = (incident.next_escalation_at, policy)

    await asyncio.gather(*(declarer() for _ in range(concurrency)))
    return declared


def _shifted(
    row: dict[str, Any], delta: timedelta, retitle: tuple[str, str], **changes: Any
) -> dict[str, Any]:
    """A copy of a row for another incident: new id, times moved by delta, the title swapped
    in texts (timeline entries quote it)."""
    out = {k: v + delta if isinstance(v, datetime) else v for k, v in row.items() if k != "id"}
    text_ = out.get("text")
    if isinstance(text_, str):
        out["text"] = text_.replace(f"“{retitle[0]}”", f"“{retitle[1]}”")
    out.update(changes)
    return out


async def _copy_all(db: Database, config: OpsConfig, incidents: int, base: datetime) -> Declared:
    """Declare one incident per service for real, then copy them with all their rows (roles,
    members, timeline, step 0's pages) and every time shifted: the rows `declare` writes, at
    thousands of incidents a second instead of about 150."""
    templates = await _declare_all(db, config, min(incidents, len(DELAYS)), base, 1, incidents)
    tables: list[Table] = [
        getattr(model, "__table__")  # noqa: B009 (SQLModel types it loosely)
        for model in (Incident, IncidentRole, IncidentMember, TimelineEntry, Page)
    ]
    incident_table, children = tables[0], tables[1:]
    rows: dict[int, dict[str, list[dict[str, Any]]]] = {}
    async with db.engine.connect() as conn:
        for template in templates:
            rows[template] = {
                table.name: [
                    dict(row._mapping)
                    for row in await conn.execute(
                        table.select().where(
                            (table.c.id if table is incident_table else table.c.incident_id)
                            == template
                        )
                    )
                ]
                for table in tables
            }
    # The templates were declared in order: template k is incident k, of service k.
    order = sorted(templates, key=lambda t: rows[t][incident_table.name][0]["number"])
    declared = dict(templates)
    number = max(rows[t][incident_table.name][0]["number"] for t in templates)
    for start in range(len(order), incidents, COPY_CHUNK):
        plan: list[tuple[int, timedelta, tuple[str, str]]] = []  # template, shift, titles
        new_incidents: list[dict[str, Any]] = []
        for i in range(start, min(start + COPY_CHUNK, incidents)):
            template = order[i % len(order)]
            delta = _declared_at(base, i, incidents) - _declared_at(base, i % len(order), incidents)
            retitle = (rows[template][incident_table.name][0]["title"], f"bench incident {i}")
            number += 1
            plan.append((template, delta, retitle))
            new_incidents.append(
                _shifted(
                    rows[template][incident_table.name][0],
                    delta,
                    retitle,
                    number=number,
                    title=retitle[1],
                )
            )
        async with db.engine.begin() as conn:
            result = await conn.execute(
                insert(incident_table).returning(incident_table.c.id, sort_by_parameter_order=True),
                new_incidents,
            )
            ids: list[int] = [row.id for row in result]
            for table in children:
                copies = [
                    _shifted(child, delta, retitle, incident_id=incident_id)
                    for (template, delta, retitle), incident_id in zip(plan, ids, strict=True)
                    for child in rows[template][table.name]
                ]
                if copies:
                    await conn.execute(insert(table), copies)
            # The next real declaration continues the numbering.
            await conn.execute(
                update(NumberCounter)
                .where(col(NumberCounter.name) == INCIDENT_NUMBER)
                .values(value=number)
            )
        for (template, _, _), incident_id, row in zip(plan, ids, new_incidents, strict=True):
            declared[incident_id] = (row["next_escalation_at"], templates[template][1])
    return declared


async def _raw_claims(db: Database, rows: int) -> float:
    """No-op claims per second: a bare table, batches of 200, one UPDATE … RETURNING each."""
    pg = db.dialect == "postgresql"
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "CREATE TABLE bench_noop (id INTEGER PRIMARY KEY, due_at BIGINT, "
                "fence INTEGER NOT NULL DEFAULT 0)"
            )
        )
        await conn.execute(text("CREATE INDEX ix_bench_noop_due_at ON bench_noop (due_at)"))
        await conn.execute(
            text("INSERT INTO bench_noop (id, due_at) VALUES (:id, :due)"),
            [{"id": i, "due": i} for i in range(rows)],
        )
    claim = text(
        "UPDATE bench_noop SET due_at = NULL, fence = fence + 1 WHERE id IN ("
        "SELECT id FROM bench_noop WHERE due_at <= :now ORDER BY due_at LIMIT :batch"
        + (" FOR UPDATE SKIP LOCKED" if pg else "")
        + ") RETURNING id"
    )
    claimed = 0
    started = time.perf_counter()
    while True:
        async with db.engine.begin() as conn:
            result = await conn.execute(claim, {"now": rows, "batch": engine.CLAIM_BATCH})
            got = len(result.all())
        claimed += got
        if got == 0:
            break
    elapsed = time.perf_counter() - started
    assert claimed == rows
    return rows / elapsed


async def _check(
    db: Database, config: OpsConfig, tally: Tally, expected: dict[int, list[Step]]
) -> Check:
    check = Check(expected_steps=sum(len(s) for s in expected.values()))
    wanted_rows: dict[int, int] = {}
    for incident_id, want in expected.items():
        policy = tally.policies[incident_id]
        check.expected_pages += pages_expected(config, policy)
        seen = tally.seen.get(incident_id, [])
        check.duplicated_steps += sum((Counter(seen) - Counter(want)).values())
        ran = {s for s in seen if s in want}
        last = max((want.index(s) for s in ran), default=-1)
        check.lost_steps += sum(1 for s in want[: last + 1] if s not in ran)
        check.backlog_steps += len(want) - (last + 1)
        wanted_rows[incident_id] = recipients(config, policy, 0) + sum(
            recipients(config, policy, s) for _, s, done in ran if not done
        )
    check.duplicated_steps += tally.unexpected
    check.duplicated_deliveries = sum(n - 1 for n in tally.delivered.values() if n > 1)
    async with db.session() as session:
        rows = dict(
            (
                await session.exec(
                    select(Page.incident_id, func.count()).group_by(col(Page.incident_id))
                )
            ).all()
        )
        check.undelivered_pages = (
            await session.exec(select(func.count()).where(Page.status != PageStatus.SENT.value))
        ).one()
        keys = (
            select(Page.incident_id)
            .group_by(col(Page.incident_id), col(Page.loop), col(Page.step), col(Page.user_id))
            .having(func.count() > 1)
            .subquery()
        )
        check.duplicated_page_rows = (
            await session.exec(select(func.count()).select_from(keys))
        ).one()
        check.not_exhausted = (
            await session.exec(
                select(func.count()).where(Incident.escalation_state != engine.EXHAUSTED)
            )
        ).one()
    check.page_rows = sum(rows.values())
    for incident_id, want_rows in wanted_rows.items():
        have = rows.get(incident_id, 0)
        check.missing_page_rows += max(want_rows - have, 0)
        check.duplicated_page_rows += max(have - want_rows, 0)
    return check


async def run_backend(
    backend: str, url: str, incidents: int, *, copy: bool, drain: bool, grace: timedelta
) -> Result:
    config = bench_config()
    db = Database(url)
    try:
        await upgrade(db)
        base = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
        started = time.perf_counter()
        if copy:
            declared = await _copy_all(db, config, incidents, base)
        else:
            declared = await _declare_all(
                db, config, incidents, base, DECLARERS[backend], incidents
            )
        declare_seconds = time.perf_counter() - started
        print(
            f"{backend}: {'copied' if copy else 'declared'} {incidents} incidents in "
            f"{declare_seconds:.1f} s ({incidents / declare_seconds:.0f}/s; set-up, not timed)",
            flush=True,
        )
        policies = {incident_id: policy for incident_id, (_, policy) in declared.items()}
        due = {incident_id: at for incident_id, (at, _) in declared.items()}
        expected = {i: expected_steps(p) for i, p in policies.items()}
        expected_total = sum(len(s) for s in expected.values())
        expected_pages = sum(pages_expected(config, p) for p in policies.values())
        first_due = min(due.values())
        longest = max(sum((s.delay for s in p.steps), timedelta()) for p in policies.values())
        deadline = base + SPREAD + longest + grace
        tally = Tally(policies=policies, due=dict(due), expected=(expected_total, expected_pages))

        load_before = os.getloadavg()[0]
        cpu_before = _cpu_seconds()
        offset = base - datetime.now(UTC)
        clock = ShiftedClock(offset)
        sweeper = Sweeper(db, config, clock, tally, drain)
        alarm = Alarm(sweeper.sweep, offset, tally)
        sweeper.hint = alarm.hint
        with RssSampler() as rss:
            alarm.start()
            for at in due.values():  # effects.after_declare hints every declaration's step
                alarm.hint(at)
            with contextlib.suppress(TimeoutError):
                left = (deadline - clock.now()).total_seconds()
                await asyncio.wait_for(tally.done.wait(), timeout=max(left, 0.0))
            end = clock.now()
            sweeper.stopping = True
            await alarm.stop()
        cpu = _cpu_seconds() - cpu_before
        load = (load_before, os.getloadavg()[0])
        backlog = [(end - at).total_seconds() for at in tally.due.values() if at <= end]
        window = ((tally.last_step_at or first_due) - first_due).total_seconds()
        check = await _check(db, config, tally, expected)
        raw = await _raw_claims(db, expected_total)
        return Result(
            backend=backend,
            incidents=incidents,
            declare_seconds=declare_seconds,
            tally=tally,
            check=check,
            late_all=tally.late + backlog,
            window_seconds=window,
            raw_claims_per_s=raw,
            rss_peak_mb=rss.peak_kb / 1024,
            cpu_seconds=cpu,
            load=load,
        )
    finally:
        await db.dispose()


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))] if ordered else 0.0


def _spread(values: list[float], bound: bool = False) -> str:
    mark = ">=" if bound else ""
    if not values:
        return "n/a"
    return (
        f"p50 {mark}{statistics.median(values):.3f} s  p99 {mark}{_percentile(values, 99):.3f} s"
        f"  max {mark}{max(values):.3f} s"
    )


def report(result: Result) -> bool:
    t, c, name = result.tally, result.check, result.backend
    paging = sum(1 for s in t.seen.values() for _, _, done in s if not done)
    window = max(result.window_seconds, 1e-9)
    claim_rate = t.steps / t.claiming.seconds if t.claiming.seconds else 0.0
    backlog = c.backlog_steps > 0 or c.undelivered_pages > 0
    p99 = _percentile(result.late_all, 99)
    print(
        f"{name}: {t.steps}/{c.expected_steps} steps ran ({paging} paging, "
        f"{t.steps - paging} exhaustions), {len(t.delivered)}/{c.expected_pages} pages "
        f"delivered; last step {window:.1f} s after the first due time; {t.sweeps} sweeps, "
        f"{t.claims} claims ({t.full_batches} full batches of {engine.CLAIM_BATCH}); at most "
        f"{t.peak_sweeps} sweeps at once"
    )
    print(f"  lateness at claim:    {_spread(result.late_all, bound=backlog)}")
    print(f"  lateness at commit:   {_spread(t.late_committed)} (steps that ran)")
    print(f"  page lag, row->sent:  {_spread(t.page_lag)}")
    print(
        f"  steps/s {t.steps / window:.0f} (first due time to last step), {claim_rate:.0f} "
        f"while claim_due ran "
        f"({t.claiming.seconds:.1f} s); pages/s {len(t.delivered) / window:.0f} (outbox "
        f"{t.delivering.seconds:.1f} s); snapshots after steps {t.snapshotting.seconds:.1f} s"
    )
    print(
        f"  baseline: {result.raw_claims_per_s:.0f} no-op claims/s from a bare table; "
        f"claim_due/raw = {claim_rate / result.raw_claims_per_s:.4f} "
        f"(1/{result.raw_claims_per_s / max(claim_rate, 1e-9):.0f})"
    )
    print(
        f"  RSS peak {result.rss_peak_mb:.0f} MB during the run; this process used "
        f"{result.cpu_seconds:.1f} s of CPU; load average {result.load[0]:.1f} before, "
        f"{result.load[1]:.1f} after ({os.cpu_count()} CPUs)"
    )
    print(
        f"  lost {c.lost} (skipped steps {c.lost_steps}, missing page rows "
        f"{c.missing_page_rows}); duplicated {c.duplicated} (steps {c.duplicated_steps}, "
        f"page rows {c.duplicated_page_rows}, deliveries {c.duplicated_deliveries}); "
        f"claims before due {t.early}; sweep errors {sum(t.errors.values())}"
        + (f" {dict(t.errors)}" if t.errors else "")
    )
    if backlog:
        print(
            f"  NOT DONE when the run ended: {c.backlog_steps} steps, {c.undelivered_pages} "
            f"pages, {c.not_exhausted} incidents still escalating (lateness above includes the "
            f"due steps as lower bounds; 0 lost is unproven for them)"
        )
    ok = p99 <= TARGET_P99 and c.lost == 0 and c.duplicated == 0 and not t.early and not backlog
    print(f"  target p99 <= {TARGET_P99:.0f} s, 0 lost, 0 duplicated: {'PASS' if ok else 'MISS'}")
    return ok


@asynccontextmanager
async def throwaway_postgres(url: str) -> AsyncIterator[str]:
    """A fresh database on the given server, dropped afterwards."""
    parsed = make_url(url).set(drivername="postgresql+asyncpg")
    name = f"opsguard_bench_{secrets.token_hex(4)}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(
            user=parsed.username,
            password=parsed.password,
            host=parsed.host,
            port=parsed.port or 5432,
            database=parsed.database or "postgres",
        )
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    await admin(f'CREATE DATABASE "{name}"')
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def run(incidents: int, pg: str | None, *, copy: bool, drain: bool, grace: float) -> int:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    print(
        f"{incidents} incidents declared over {SPREAD.total_seconds():.0f} s; step delays "
        f"{', '.join(f'{a}+{b}' for a, b in DELAYS)} s; set-up: "
        f"{'copy' if copy else 'declare'}; sweep: {'drain' if drain else 'production'}",
        flush=True,
    )

    async def one(backend: str, url: str) -> Result:
        return await run_backend(
            backend, url, incidents, copy=copy, drain=drain, grace=timedelta(seconds=grace)
        )

    verdicts: list[bool] = []
    with tempfile.TemporaryDirectory() as tmp:
        verdicts.append(report(await one("sqlite", f"sqlite+aiosqlite:///{tmp}/escalation.db")))
    if pg:
        async with throwaway_postgres(pg) as url:
            result = await one("postgresql", url)
        verdicts.append(report(result))
    else:
        print(f"postgresql: skipped (give --pg URL or set {PG_ENV})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS (ru_maxrss) {peak:.0f} MB")
    return 0 if all(verdicts) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--pg", default=os.environ.get(PG_ENV), help="a PostgreSQL server URL")
    parser.add_argument(
        "--sweep",
        choices=["production", "drain"],
        default="production",
        help="drain: repeat claim_due within a sweep while batches come back full",
    )
    parser.add_argument(
        "--setup",
        choices=["copy", "declare"],
        default="copy",
        help="declare: lifecycle.declare every incident (slow: ~150/s); copy: declare one per "
        "service and copy their rows",
    )
    parser.add_argument(
        "--grace", type=float, default=15.0, help="seconds to wait after the last due time"
    )
    args = parser.parse_args()
    return asyncio.run(
        run(
            args.incidents,
            args.pg or None,
            copy=args.setup == "copy",
            drain=args.sweep == "drain",
            grace=args.grace,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
