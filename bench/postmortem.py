"""Postmortem rendering: load the report of an incident with 10,000 timeline entries and
render its Markdown, on SQLite and on PostgreSQL.

Set-up, not timed: one SEV1 incident declared with `lifecycle.declare`, handed between
commanders, then 10,000 timeline entries copied in bulk (70% captured Slack messages with
`<@U…>` mentions, channel links, `<url|label>` links and `&lt;` entities, some with files and
several pinners; 30% status changes and notes; 1% hidden), 60 users, an alert, 40 deploys of
the service around detection, a saved postmortem and 25 action items.

Timed, the median of `--runs` runs after one warm-up:
- OpsGuard: `load_report` (one query per table, markup turned into names) then
  `render_markdown` with the default template (checked at load, as at start-up).
- HTML: `to_html` of that Markdown, reported apart (not part of the target).
- Baseline in the same run and database: a bare SELECT of the same rows' time, actor and
  text, joined with an f-string per row.
Target: load + render <= 1 s on SQLite.

    .venv/bin/python -m bench.postmortem [--entries 10000] [--runs 7] [--pg URL]

PostgreSQL runs when `--pg URL` or OPSGUARD_TEST_DATABASE_URL is given: a throwaway database
is created on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, text

from bench.pg import throwaway_postgres
from bot.config import OpsConfig
from bot.domain import lifecycle
from bot.domain.lifecycle import Actor
from bot.domain.postmortem.documents import to_html
from bot.domain.postmortem.render import load_template, render_markdown
from bot.domain.postmortem.report import load_report
from storage.db import Database
from storage.migrate import upgrade
from storage.models import (
    ActionItem,
    Alert,
    AlertGroup,
    Deploy,
    IncidentStatus,
    Postmortem,
    TimelineEntry,
    User,
)

PG_ENV = "OPSGUARD_TEST_DATABASE_URL"
TARGET_S = 1.0
TZ = "Europe/Berlin"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
USERS = [f"U0BENCH{i:03d}" for i in range(60)]
SEED = 20261123
CHUNK = 1000


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def bench_config() -> OpsConfig:
    return OpsConfig.model_validate(
        {"timezone": TZ, "services": [{"name": "checkout", "owners": [USERS[0]]}]}
    )


def _entry(incident_id: int, i: int, at: datetime, rng: random.Random) -> dict[str, object]:
    actor = rng.choice(USERS)
    row: dict[str, object] = {
        "incident_id": incident_id,
        "occurred_at": at,
        "created_at": at,
        "actor": actor,
        "pinned": False,
        "hidden": i % 100 == 99,
        "pinned_by": [],
        "files": [],
        "source_url": None,
        "message_channel": None,
        "message_ts": None,
    }
    if i % 10 < 7:
        ts = f"{1_700_000_000 + i}.{i:06d}"
        row |= {
            "kind": "message",
            "text": f"<@{rng.choice(USERS)}> p99 is {rng.randint(200, 900)} ms &lt; budget? see "
            f"<https://grafana.example.com/d/{i}|panel {i}> in <#C0WAR|war-room> *checking* "
            f"shard_{i % 16} | host-{i % 40}",
            "source_url": f"https://example.slack.com/archives/C0WAR/p{ts.replace('.', '')}",
            "pinned": True,
            "message_channel": "C0WAR",
            "message_ts": ts,
            "pinned_by": [f"reaction:{rng.choice(USERS)}", "pin"][: 1 + i % 2],
            "files": [f"graph-{i}.png"] if i % 7 == 0 else [],
        }
    elif i % 10 == 7:
        row |= {"kind": "status", "text": "Status investigating → identified: cache keys"}
    else:
        row |= {"kind": "note", "text": f"Note {i}: tried restarting pod checkout-{i % 12}"}
    return row


async def build(db: Database, entries: int) -> int:
    """The incident; everything but the declaration and role changes is copied in bulk."""
    config = bench_config()
    rng = random.Random(SEED)
    clock = Clock(START)
    async with db.transaction() as session:
        for n, user in enumerate(USERS):
            session.add(User(id=user, name=f"user{n}", real_name=f"User {n}", fetched_at=START))
        for k in range(40):
            at = START + timedelta(minutes=3 * k - 90)
            session.add(
                Deploy(
                    service="checkout",
                    version=f"v1.{k}.0",
                    description=f"Release {k} | pricing",
                    url=f"https://ci.example.com/{k}",
                    author=rng.choice(USERS),
                    source="ci",
                    deployed_at=at,
                    received_at=at,
                )
            )
    incident = await lifecycle.declare(
        db,
        clock,
        config,
        title="Checkout 5xx",
        declared_by=USERS[0],
        severity="SEV1",
        service="checkout",
    )
    assert incident.id is not None
    incident_id = incident.id
    for step, user in enumerate(USERS[1:4], start=1):
        clock.at = START + timedelta(minutes=5 * step)
        await lifecycle.assign_role(
            db, clock, config, incident_id, Actor(USERS[0]), "commander", user
        )
    clock.at = START + timedelta(minutes=30)
    await lifecycle.set_status(
        db, clock, config, incident_id, Actor(USERS[1]), IncidentStatus.MONITORING
    )
    clock.at = START + timedelta(hours=6)
    await lifecycle.resolve(db, clock, config, incident_id, Actor(USERS[1]), "Rolled back")
    span = timedelta(hours=6) / entries
    rows = [_entry(incident_id, i, START + span * i, rng) for i in range(entries)]
    async with db.engine.begin() as conn:
        for start in range(0, len(rows), CHUNK):
            await conn.execute(insert(TimelineEntry), rows[start : start + CHUNK])
    async with db.transaction() as session:
        group = AlertGroup(
            integration="prometheus",
            dedup_key="checkout-5xx",
            service="checkout",
            title="5xx",
            severity="SEV1",
            incident_id=incident_id,
            first_seen=START,
            last_seen=START,
        )
        session.add(group)
        await session.flush()
        assert group.id is not None
        session.add(
            Alert(
                group_id=group.id,
                fingerprint="a",
                starts_at=START - timedelta(minutes=6),
                last_seen=START,
            )
        )
        session.add(
            Postmortem(
                incident_id=incident_id,
                summary="A bad cache key.\nRolled back.",
                impact="40% of payments failed",
                users_affected="~3,000",
                whys=["Stale prices", "Cache key missed the currency", "No test"],
                contributing_factors="Peak traffic",
                went_well="Alerting",
                went_poorly="Rollback",
                created_at=START,
                updated_at=START,
            )
        )
        for k in range(25):
            session.add(
                ActionItem(
                    incident_id=incident_id,
                    position=k,
                    text=f"Follow-up {k} | owner check",
                    owner=rng.choice(USERS),
                    due_date=date(2026, 12, 1) + timedelta(days=k),
                    jira_key=f"OPS-{k}" if k % 2 else None,
                    jira_url=f"https://jira.example.com/browse/OPS-{k}" if k % 2 else None,
                    created_at=START,
                )
            )
    return incident_id


@dataclass
class Result:
    backend: str
    rows: int
    load: list[float]
    render: list[float]
    html: list[float]
    baseline: list[float]
    markdown_bytes: int

    @property
    def ours(self) -> list[float]:
        return [a + b for a, b in zip(self.load, self.render, strict=True)]


async def run_backend(backend: str, url: str, entries: int, runs: int) -> Result:
    db = Database(url)
    try:
        await upgrade(db)
        incident_id = await build(db, entries)
        config = bench_config()
        template = load_template(None)
        result = Result(backend, 0, [], [], [], [], 0)

        async def ours() -> str:
            started = time.perf_counter()
            async with db.session() as session:
                report = await load_report(session, incident_id, config)
            loaded = time.perf_counter()
            markdown = render_markdown(template, report, config.timezone)
            result.load.append(loaded - started)
            result.render.append(time.perf_counter() - loaded)
            result.rows = len(report.timeline)
            return markdown

        async def baseline() -> str:
            async with db.engine.connect() as conn:
                rows = (
                    await conn.execute(
                        text(
                            "SELECT occurred_at, actor, text FROM timeline_entry "
                            "WHERE incident_id = :id AND NOT hidden ORDER BY occurred_at, id"
                        ),
                        {"id": incident_id},
                    )
                ).all()
            return "\n".join(f"- {at} {actor}: {body}" for at, actor, body in rows)

        await ours()
        await baseline()
        result.load.clear()
        result.render.clear()
        markdown = ""
        for _ in range(runs):
            markdown = await ours()
            started = time.perf_counter()
            await baseline()
            result.baseline.append(time.perf_counter() - started)
            started = time.perf_counter()
            to_html(markdown, "INC-1 postmortem")
            result.html.append(time.perf_counter() - started)
        result.markdown_bytes = len(markdown.encode())
        return result
    finally:
        await db.dispose()


def report(result: Result) -> bool:
    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.0f} ms"

    ours = statistics.median(result.ours)
    ratio = ours / statistics.median(result.baseline)
    ok = ours <= TARGET_S
    size = result.markdown_bytes / 1e6
    worst = max(result.ours) * 1000
    print(
        f"{result.backend}: {result.rows} entries shown, Markdown {size:.1f} MB\n"
        f"  OpsGuard load_report + render_markdown  {ms(result.ours)} "
        f"(load {ms(result.load)}, render {ms(result.render)}; max {worst:.0f} ms)\n"
        f"  baseline SELECT + f-string join          {ms(result.baseline)}\n"
        f"  ratio {ratio:.1f}x; HTML (to_html, not in the target) {ms(result.html)}\n"
        f"  target load + render <= {TARGET_S:.0f} s: {'PASS' if ok else 'MISS'}",
        flush=True,
    )
    return ok


async def run(entries: int, runs: int, pg: str | None) -> int:
    print(f"{entries} timeline entries, median of {runs} runs after a warm-up", flush=True)
    verdicts: list[bool] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/postmortem.db"
        verdicts.append(report(await run_backend("sqlite", url, entries, runs)))
    if pg:
        async with throwaway_postgres(pg, "opsguard_bench_pm") as url:
            result = await run_backend("postgresql", url, entries, runs)
        report(result)  # informational: the target is set on SQLite
    else:
        print(f"postgresql: skipped (give --pg URL or set {PG_ENV})")
    return 0 if all(verdicts) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pg", default=os.environ.get(PG_ENV), help="a PostgreSQL server URL")
    args = parser.parse_args()
    return asyncio.run(run(args.entries, args.runs, args.pg or None))


if __name__ == "__main__":
    sys.exit(main())
