"""Escalation under load: 10,000 incidents escalating at once, on SQLite and on PostgreSQL.

Set-up, not timed: one incident per policy is declared for real (`lifecycle.declare` runs
step 0 and records its page in the declaring transaction) and the others are copies of its
rows with the times shifted (`--setup declare` declares every one instead, at ~150/s).
Declaration times are spread over 30 s and five policies have step delays of 2 to 10 s (a
user, then a two-person team, then exhaustion), so the claimed steps fall due over about
42 s of real time, and every step-0 page falls due at its declaration.

The run is production's scheduler itself: `scheduler.hints.Scheduler`, whose APScheduler jobs
wake three single-flight loops: escalation (`scheduler.sweeper.escalate_due`), the page
outbox (`paging.deliver_pending`) and the other due work (`scheduler.sweeper.sweep_due`).
Only Slack is stubbed: a client that answers every call without a network (after
`--slack-latency` seconds) and counts the page DMs. The bench's clock runs a
day ahead of the wall clock (so set-up is not timed); its scheduler subclass only moves due
times back to the wall clock before they become wake-ups.

Everything is measured from the rows afterwards, the database being the truth. Lateness of a
step = the time of the claim that ran it (its timeline entry's `occurred_at`, also its pages'
`created_at`) - its due time (the previous step's time + that step's delay). Steps still due
when the run ends (the last due time + `--grace`) count with their lateness so far, as a lower
bound. Baseline in the same database: as many no-op claims as the run has steps, all due at
once, from a bare table (one UPDATE … RETURNING per batch of 200); the ratio is the
escalation loop's steps per second of its busy time over that raw rate.

    .venv/bin/python -m bench.escalation [--incidents 10000] [--pg URL] [--slack-latency S]

PostgreSQL runs when `--pg URL` or OPSGUARD_TEST_DATABASE_URL is given: a throwaway database
is created on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlalchemy import Table, func, insert, text, update
from sqlmodel import col, select

from bench.pg import throwaway_postgres
from bot.app import bridge_settings
from bot.bridge import BridgeMaker
from bot.config import OpsConfig
from bot.deps import Deps
from bot.domain import due, lifecycle
from bot.domain.incidents import INCIDENT_NUMBER
from bot.domain.paging import engine
from bot.domain.paging.models import Policy
from bot.domain.postmortem.render import load_template
from bot.metrics import Metrics
from bot.settings import Settings
from bot.slack_ops.context import SlackOps
from scheduler.hints import Scheduler
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
POLL = timedelta(milliseconds=500)  # how often the bench looks whether the run is over
TARGET_P99 = 1.0
log = logging.getLogger("bench.escalation")

Step = tuple[int, int, bool]  # (loop, step, exhausted), as a StepRun reports it
# A step as its timeline entry names it: (step, pass), both counted from 1, as the engine
# writes them; EXHAUSTED for "Escalation exhausted".
Label = tuple[int, int]
EXHAUSTED: Label = (0, 0)
PAGED = re.compile(r"\(step (\d+), pass (\d+)\)$")


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


def label(entry: str) -> Label:
    """The step a timeline entry of kind "page" records."""
    if entry.startswith("Escalation exhausted"):
        return EXHAUSTED
    found = PAGED.search(entry)
    assert found is not None, entry
    return int(found[1]), int(found[2])


def expected_labels(policy: Policy) -> list[Label]:
    """Step 0 (run by the declaration), then every transition claim_due makes after it."""
    return [(1, 1)] + [
        EXHAUSTED if done else (step + 1, loop + 1) for loop, step, done in expected_steps(policy)
    ]


class NoSlack(AsyncWebClient):
    """Slack answering every call at once (after `latency`) without a network; page DMs are
    counted per recipient and text (one DM per incident and person in this bench)."""

    def __init__(self, latency: float) -> None:
        super().__init__(token="xoxb-bench")
        self.latency = latency
        self.page_dms: Counter[tuple[str, str]] = Counter()
        self._ts = itertools.count(1)

    async def api_call(
        self, api_method: str, *, json: dict[str, Any] | None = None, **_: Any
    ) -> AsyncSlackResponse:
        if self.latency:
            await asyncio.sleep(self.latency)
        body = json or {}
        data: dict[str, Any] = {"ok": True}
        if api_method == "chat.postMessage":
            channel, said = str(body.get("channel")), str(body.get("text"))
            if said.startswith("You are paged"):
                self.page_dms[(channel, said)] += 1
            data |= {"channel": channel, "ts": f"{next(self._ts)}.000000"}
        return AsyncSlackResponse(
            client=self,
            http_verb="POST",
            api_url=f"{self.base_url}{api_method}",
            req_args={},
            data=data,
            headers={},
            status_code=200,
        )


class ShiftedScheduler(Scheduler):
    """Production's scheduler. The bench's clock runs `offset` ahead of the wall clock that
    APScheduler keeps, so due times are moved back before they become wake-ups."""

    def __init__(self, ops: SlackOps, offset: timedelta) -> None:
        super().__init__(ops)
        self.offset = offset

    def hint(self, at: datetime | None) -> None:
        super().hint(None if at is None else at - self.offset)


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
    """Every expected step and page, accounted for from the rows and the DMs."""

    expected_steps: int = 0  # claimed transitions, after step 0
    expected_pages: int = 0
    steps: int = 0  # claimed transitions that ran
    paging_steps: int = 0
    backlog_steps: int = 0  # not run yet when the run ended
    lost_steps: int = 0  # skipped: a later step of the same incident ran
    duplicated_steps: int = 0
    early: int = 0  # claimed before their due time
    page_rows: int = 0
    missing_page_rows: int = 0  # a step ran but its page row is not there
    duplicated_page_rows: int = 0
    undelivered_pages: int = 0  # rows not sent when the run ended
    reclaimed_pages: int = 0  # claimed more than once (a lease ran out, or a retry)
    delivered: int = 0  # distinct page DMs
    duplicated_deliveries: int = 0
    escalating: int = 0  # incidents not exhausted when the run ended
    late: list[float] = field(default_factory=list)  # seconds, per claimed step that ran
    late_backlog: list[float] = field(default_factory=list)  # lower bounds, for the rest
    page_lag: list[float] = field(default_factory=list)  # seconds from row to sent
    last_step_at: datetime | None = None

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
    check: Check
    window_seconds: float  # first due time to last step
    start_seconds: float  # Scheduler.start(): its wake-ups rebuilt from the rows
    loops: dict[str, tuple[int, float]]  # per scheduler loop: passes and busy seconds
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


async def _escalating(db: Database) -> int:
    async with db.session() as session:
        return (
            await session.exec(
                select(func.count()).where(Incident.escalation_state == engine.RUNNING)
            )
        ).one()


async def _until_done(
    db: Database, slack: NoSlack, pages: int, clock: ShiftedClock, deadline: datetime
) -> None:
    """Wait until every page went out and every escalation ran out, or the deadline."""
    while clock.now() < deadline:
        await asyncio.sleep(POLL.total_seconds())
        if len(slack.page_dms) >= pages and not await _escalating(db):
            return


async def _check(
    db: Database, config: OpsConfig, policies: dict[int, Policy], slack: NoSlack, end: datetime
) -> Check:
    check = Check(
        delivered=len(slack.page_dms),
        duplicated_deliveries=sum(n - 1 for n in slack.page_dms.values()),
    )
    async with db.session() as session:
        entries = (
            await session.exec(
                select(TimelineEntry.incident_id, TimelineEntry.occurred_at, TimelineEntry.text)
                .where(TimelineEntry.kind == "page")
                .order_by(col(TimelineEntry.occurred_at), col(TimelineEntry.id))
            )
        ).all()
        pages = (
            await session.exec(select(Page.status, Page.attempts, Page.created_at, Page.sent_at))
        ).all()
        rows = Counter(
            dict(
                (
                    await session.exec(
                        select(Page.incident_id, func.count()).group_by(col(Page.incident_id))
                    )
                ).all()
            )
        )
        keys = (
            select(Page.incident_id)
            .group_by(col(Page.incident_id), col(Page.loop), col(Page.step), col(Page.user_id))
            .having(func.count() > 1)
            .subquery()
        )
        check.duplicated_page_rows = (
            await session.exec(select(func.count()).select_from(keys))
        ).one()
        waiting = (
            await session.exec(
                select(Incident.next_escalation_at).where(
                    Incident.escalation_state == engine.RUNNING
                )
            )
        ).all()
    ran: dict[int, list[tuple[datetime, Label]]] = defaultdict(list)
    for incident_id, at, said in entries:
        ran[incident_id].append((at, label(said)))
    for incident_id, policy in policies.items():
        want = expected_labels(policy)
        got = ran.get(incident_id, [])
        labels = [step for _, step in got]
        check.expected_steps += len(want) - 1
        check.expected_pages += pages_expected(config, policy)
        check.steps += max(len(got) - 1, 0)
        check.paging_steps += sum(1 for step in labels[1:] if step != EXHAUSTED)
        check.duplicated_steps += sum((Counter(labels) - Counter(want)).values())
        done = set(labels) & set(want)
        last = max((want.index(step) for step in done), default=-1)
        check.lost_steps += sum(1 for step in want[: last + 1] if step not in done)
        check.backlog_steps += len(want) - (last + 1)
        for (before, step), (at, _) in itertools.pairwise(got):
            if step != EXHAUSTED:
                late = (at - (before + policy.steps[step[0] - 1].delay)).total_seconds()
                check.late.append(late)
                check.early += late < 0
        if len(got) > 1:
            check.last_step_at = max(got[-1][0], check.last_step_at or got[-1][0])
        want_rows = sum(recipients(config, policy, s[0] - 1) for s in done if s != EXHAUSTED)
        check.missing_page_rows += max(want_rows - rows[incident_id], 0)
        check.duplicated_page_rows += max(rows[incident_id] - want_rows, 0)
    for status, attempts, created, sent in pages:
        if status != PageStatus.SENT.value or sent is None:
            check.undelivered_pages += 1
        else:
            check.page_lag.append((sent - created).total_seconds())
        check.reclaimed_pages += attempts > 1
    check.page_rows = len(pages)
    check.escalating = len(waiting)
    check.late_backlog = [(end - at).total_seconds() for at in waiting if at and at <= end]
    return check


async def run_backend(
    backend: str, url: str, incidents: int, *, copy: bool, grace: timedelta, latency: float
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
        await due.ensure_jobs(db, FrozenClock(base), config)  # as start-up does
        policies = {incident_id: policy for incident_id, (_, policy) in declared.items()}
        first_due = min(at for at, _ in declared.values())
        longest = max(sum((s.delay for s in p.steps), timedelta()) for p in policies.values())
        deadline = base + SPREAD + longest + grace
        pages = sum(pages_expected(config, p) for p in policies.values())

        slack = NoSlack(latency)
        load_before = os.getloadavg()[0]
        cpu_before = _cpu_seconds()
        offset = base - datetime.now(UTC)
        clock = ShiftedClock(offset)
        settings = Settings(_env_file=None, slack_bot_token="xoxb-bench")  # type: ignore[call-arg]
        deps = Deps(
            settings=settings,
            config=config,
            db=db,
            clock=clock,
            metrics=Metrics(),
            postmortem_template=load_template(None),
        )
        ops = SlackOps(deps=deps, client=slack, bridges=BridgeMaker(bridge_settings(deps)))
        scheduler = ShiftedScheduler(ops, offset)
        with RssSampler() as rss:
            starting = time.perf_counter()
            await scheduler.start()
            start_seconds = time.perf_counter() - starting
            await _until_done(db, slack, pages, clock, deadline)
            end = clock.now()
            await scheduler.stop()
        cpu = _cpu_seconds() - cpu_before
        load = (load_before, os.getloadavg()[0])
        check = await _check(db, config, policies, slack, end)
        window = ((check.last_step_at or first_due) - first_due).total_seconds()
        raw = await _raw_claims(db, check.expected_steps)
        return Result(
            backend=backend,
            incidents=incidents,
            declare_seconds=declare_seconds,
            check=check,
            window_seconds=window,
            start_seconds=start_seconds,
            loops={loop.name: (loop.passes, loop.busy_seconds) for loop in scheduler.loops},
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
    c, name = result.check, result.backend
    window = max(result.window_seconds, 1e-9)
    escalation_busy = result.loops["escalation"][1]
    rate = c.steps / escalation_busy if escalation_busy else 0.0
    backlog = c.backlog_steps > 0 or c.undelivered_pages > 0
    late = c.late + c.late_backlog
    p99 = _percentile(late, 99)
    print(
        f"{name}: {c.steps}/{c.expected_steps} steps ran ({c.paging_steps} paging, "
        f"{c.steps - c.paging_steps} exhaustions), {c.delivered}/{c.expected_pages} pages "
        f"delivered; last step {window:.1f} s after the first due time; Scheduler.start "
        f"{result.start_seconds:.2f} s"
    )
    print(f"  lateness at claim:    {_spread(late, bound=c.backlog_steps > 0)}")
    print(f"  page lag, row->sent:  {_spread(c.page_lag)}")
    loops = "; ".join(
        f"{loop} {passes} passes, busy {busy:.1f} s"
        for loop, (passes, busy) in result.loops.items()
    )
    print(
        f"  steps/s {c.steps / window:.0f}, pages/s {c.delivered / window:.0f} (first due time "
        f"to last step); loops: {loops}"
    )
    print(
        f"  baseline: {result.raw_claims_per_s:.0f} no-op claims/s from a bare table; escalation "
        f"loop {rate:.0f} steps per busy second; ratio {rate / result.raw_claims_per_s:.4f} "
        f"(1/{result.raw_claims_per_s / max(rate, 1e-9):.0f})"
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
        f"{c.page_rows} page rows, {c.reclaimed_pages} claimed more than once; claims before "
        f"due {c.early}"
    )
    if backlog:
        print(
            f"  NOT DONE when the run ended: {c.backlog_steps} steps, {c.undelivered_pages} "
            f"pages, {c.escalating} incidents still escalating (steps still due count in the "
            f"lateness with their lateness so far; 0 lost is unproven for what was not done)"
        )
    ok = p99 <= TARGET_P99 and c.lost == 0 and c.duplicated == 0 and not c.early and not backlog
    print(f"  target p99 <= {TARGET_P99:.0f} s, 0 lost, 0 duplicated: {'PASS' if ok else 'MISS'}")
    return ok


async def run(incidents: int, pg: str | None, *, copy: bool, grace: float, latency: float) -> int:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    print(
        f"{incidents} incidents declared over {SPREAD.total_seconds():.0f} s; step delays "
        f"{', '.join(f'{a}+{b}' for a, b in DELAYS)} s; set-up: "
        f"{'copy' if copy else 'declare'}; every Slack call takes {latency:g} s",
        flush=True,
    )

    async def one(backend: str, url: str) -> Result:
        return await run_backend(
            backend, url, incidents, copy=copy, grace=timedelta(seconds=grace), latency=latency
        )

    verdicts: list[bool] = []
    with tempfile.TemporaryDirectory() as tmp:
        verdicts.append(report(await one("sqlite", f"sqlite+aiosqlite:///{tmp}/escalation.db")))
    if pg:
        async with throwaway_postgres(pg, "opsguard_bench") as url:
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
        "--setup",
        choices=["copy", "declare"],
        default="copy",
        help="declare: lifecycle.declare every incident (slow: ~150/s); copy: declare one per "
        "service and copy their rows",
    )
    parser.add_argument(
        "--grace", type=float, default=15.0, help="seconds to wait after the last due time"
    )
    parser.add_argument(
        "--slack-latency",
        type=float,
        default=0.0,
        help="seconds every Slack call takes (a slow Slack must not delay the steps)",
    )
    args = parser.parse_args()
    return asyncio.run(
        run(
            args.incidents,
            args.pg or None,
            copy=args.setup == "copy",
            grace=args.grace,
            latency=args.slack_latency,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
