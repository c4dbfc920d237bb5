"""The report read from storage: the snapshot, deploy correlation, names, queries per load."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.config import OpsConfig
from bot.domain import lifecycle
from bot.domain.errors import NotFound
from bot.domain.postmortem.render import load_template, render_markdown
from bot.domain.postmortem.report import load_report
from fakes.clock import FakeClock
from storage.db import Database
from storage.models import Incident, IncidentStatus, TimelineEntry
from tests.postmortem.support import (
    ALICE,
    START,
    add_deploy,
    add_entry,
    add_users,
    build_incident,
    org_config,
    report_of,
)

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE_ENV = "OPSGUARD_UPDATE_SNAPSHOTS"


def assert_snapshot(name: str, text: str) -> None:
    """Compare with snapshots/<name>; OPSGUARD_UPDATE_SNAPSHOTS=1 rewrites it instead."""
    path = SNAPSHOTS / name
    if os.environ.get(UPDATE_ENV) == "1":
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path}; run with {UPDATE_ENV}=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed ({UPDATE_ENV}=1 updates it)"


async def _declare(db: Database, clock: FakeClock, config: OpsConfig, **kw: Any) -> int:
    incident = await lifecycle.declare(
        db, clock, config, title="Checkout errors", declared_by=ALICE.user_id, **kw
    )
    assert incident.id is not None
    return incident.id


async def test_report_markdown_snapshot(db: Database, config: OpsConfig) -> None:
    config = org_config(config)
    incident_id = await build_incident(db, config)
    report = await report_of(db, incident_id, config)
    markdown = render_markdown(load_template(None), report, config.timezone)
    assert_snapshot("incident_report.md", markdown)


async def test_report_fields(db: Database, config: OpsConfig) -> None:
    incident_id = await build_incident(db, config)
    report = await report_of(db, incident_id, config)
    assert report.incident.ref == "INC-1"
    assert report.incident.severity_label == "Critical"
    assert [(r.role, r.person.name) for r in report.roles] == [
        ("commander", "Bob Builder"),
        ("scribe", "carol"),
    ]
    assert [(r.role, r.person.id, r.current) for r in report.role_history] == [
        ("commander", "U0ALICE", False),
        ("scribe", "U0CAROL", True),
        ("commander", "U0BOB", True),
    ]
    d = report.durations
    assert d.impact_start == START - timedelta(minutes=12)  # the earliest alert start
    assert d.impact_start_from_alerts
    assert d.to_detect == timedelta(minutes=12)
    assert d.to_acknowledge == timedelta(minutes=3)
    assert d.to_identify == timedelta(minutes=20)
    assert d.to_mitigate == timedelta(minutes=45)
    assert d.to_resolve == timedelta(minutes=90)
    assert report.milestones.closed is None
    assert "Hidden: a wrong guess" not in [e.text for e in report.timeline]
    times = [(e.occurred_at, e.id) for e in report.timeline]
    assert times == sorted(times)
    assert report.postmortem.whys == (
        "Payments failed: the pricing cache returned stale prices",
        "1. The cache key missed the currency",
        "No test covers multi-currency carts",
    )
    assert [
        (a.jira_key, a.owner.name if a.owner else None, a.status) for a in report.action_items
    ] == [
        ("OPS-101", "Bob Builder", "open"),
        (None, "carol", "open"),
        (None, None, "done"),
    ]


async def test_slack_markup_becomes_names_and_plain_text(db: Database, config: OpsConfig) -> None:
    incident_id = await build_incident(db, config)
    report = await report_of(db, incident_id, config)
    captured = next(e for e in report.timeline if e.captured)
    assert captured.text == (
        "@Alice Example error rate > 40% since 08:50, see the dashboard "
        "(https://grafana.example.com/d/1) in #war-room cc @sre @U0NOBODY"
    )
    assert [(p.source, p.person.name if p.person else None) for p in captured.pinned_by] == [
        ("reaction", "carol"),
        ("pin", None),
    ]
    role_texts = [e.text for e in report.timeline if e.kind == "role"]
    assert role_texts == ["scribe: @carol", "commander: @Bob Builder"]
    assert report.trigger.suspect is not None
    assert report.trigger.suspect.author == "Dave Deployer"  # a user id as author
    markdown = render_markdown(load_template(None), report, "UTC")
    for markup in ("<@", "<#", "<!", "<http", "&gt;"):
        assert markup not in markdown


async def test_more_markup_forms(db: Database, config: OpsConfig) -> None:
    clock = FakeClock(START)
    await add_users(db)
    incident_id = await _declare(db, clock, config)
    async with db.transaction() as session:
        incident = await session.get(Incident, incident_id)
        assert incident is not None
        incident.channel_id, incident.channel_name = "C0INC", "inc-1-checkout-errors"
        session.add(incident)
    texts = {
        "<#C0INC> and <#C0OTHER>": "#inc-1-checkout-errors and #C0OTHER",
        "<@U0GONE|gone> <!here> <!channel|channel>": "@gone @here @channel",
        "<!date^1700000000^{date_short}|Nov 14> <https://a.example/x>": "Nov 14 https://a.example/x",
        "<mailto:ops@example.com|ops@example.com> <!subteam^S0X>": "ops@example.com @S0X",
        "<script> and <not a link|x> stay": "<script> and <not a link|x> stay",
        # Only captured messages hold Slack's escaped text; others keep `&lt;` as typed.
        "a &lt; b &amp;&amp; c": "a &lt; b &amp;&amp; c",
    }
    for text in texts:
        await add_entry(db, incident_id, START, kind="note", actor="U0BOB", text=text)
    report = await report_of(db, incident_id, config)
    assert [e.text for e in report.timeline if e.kind == "note"] == list(texts.values())


async def test_missing_postmortem_is_an_empty_draft(db: Database, config: OpsConfig) -> None:
    clock = FakeClock(START)
    incident_id = await _declare(db, clock, config)
    report = await report_of(db, incident_id, config)
    assert not report.postmortem.exists
    assert report.postmortem.status == "draft"
    assert report.postmortem.summary == "" and report.postmortem.whys == ()
    assert report.action_items == ()
    assert report.durations.impact_start == START and not report.durations.impact_start_from_alerts
    assert report.durations.to_detect == timedelta(0)
    assert report.durations.to_acknowledge is None and report.durations.to_resolve is None
    assert report.roles[0].person.name == "U0ALICE"  # no user row: the id
    markdown = render_markdown(load_template(None), report, "UTC")
    assert "## Summary\n\n_Not written yet._" in markdown
    assert "_No action items yet._" in markdown


async def test_unknown_incident(db: Database, config: OpsConfig) -> None:
    async with db.session() as session:
        with pytest.raises(NotFound):
            await load_report(session, 999, config)


async def test_deploys_before_detection(db: Database, config: OpsConfig) -> None:
    clock = FakeClock(START)
    for minutes, version in ((61, "too-old"), (60, "edge"), (35, "older"), (5, "newest")):
        await add_deploy(db, START - timedelta(minutes=minutes), version, author="dave")
    await add_deploy(db, START - timedelta(minutes=1), "other", service="search")
    await add_deploy(db, START, "at-detection")
    incident_id = await _declare(db, clock, config, service="checkout")
    trigger = (await report_of(db, incident_id, config)).trigger
    assert [d.version for d in trigger.before] == ["at-detection", "newest", "older", "edge"]
    assert trigger.suspect is not None and trigger.suspect.version == "at-detection"
    assert [d.before_detection for d in trigger.before] == [
        timedelta(0),
        timedelta(minutes=5),
        timedelta(minutes=35),
        timedelta(minutes=60),
    ]
    narrow = await report_of(db, incident_id, config, trigger_window=timedelta(minutes=30))
    assert [d.version for d in narrow.trigger.before] == ["at-detection", "newest"]
    markdown = render_markdown(load_template(None), narrow, "UTC")
    assert "Deploys of checkout in the 30 min before detection" in markdown
    assert "- **Prime suspect:** 0 s before detection, 09:00: **at-detection**" in markdown
    assert "- 5 min before detection, 08:55: **newest** by dave" in markdown


async def test_deploys_during_the_incident(db: Database, config: OpsConfig) -> None:
    clock = FakeClock(START)
    incident_id = await _declare(db, clock, config, service="checkout")
    await add_deploy(db, START + timedelta(minutes=10), "hotfix")
    await add_deploy(db, START + timedelta(minutes=20), "rollback")
    open_report = await report_of(db, incident_id, config)
    assert [d.version for d in open_report.trigger.during] == ["hotfix", "rollback"]
    assert open_report.trigger.during_until is None
    assert open_report.trigger.mitigation is None
    assert open_report.trigger.before == ()
    markdown = render_markdown(load_template(None), open_report, "UTC")
    assert (
        "No deploys of checkout were recorded in the 1 h before detection at 2026-11-23 09:00 UTC."
        in markdown
    )

    clock.advance(timedelta(minutes=25))
    await lifecycle.set_status(db, clock, config, incident_id, ALICE, IncidentStatus.MONITORING)
    clock.advance(timedelta(minutes=10))
    await lifecycle.resolve(db, clock, config, incident_id, ALICE)
    await add_deploy(db, START + timedelta(minutes=30), "fix")
    await add_deploy(db, START + timedelta(minutes=36), "after-resolution")
    trigger = (await report_of(db, incident_id, config)).trigger
    assert [d.version for d in trigger.during] == ["hotfix", "rollback", "fix"]
    assert trigger.mitigation is not None and trigger.mitigation.version == "rollback"
    markdown = render_markdown(load_template(None), await report_of(db, incident_id, config), "UTC")
    assert (
        "- 20 min after detection, 09:20: **rollback** — **the last change before mitigation**, "
        "5 min before it"
    ) in markdown


async def test_no_service_no_deploys(db: Database, config: OpsConfig) -> None:
    clock = FakeClock(START)
    await add_deploy(db, START - timedelta(minutes=5), "v1")
    incident_id = await _declare(db, clock, config)
    report = await report_of(db, incident_id, config)
    assert report.trigger.before == () and report.trigger.during == ()
    markdown = render_markdown(load_template(None), report, "UTC")
    assert "No service is recorded for this incident" in markdown
    assert "### Changes during the incident" not in markdown


@contextmanager
def count_queries(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def test_one_query_per_table_however_long_the_timeline(
    db: Database, config: OpsConfig
) -> None:
    incident_id = await build_incident(db, config)
    with count_queries(db) as small:
        await report_of(db, incident_id, config)
    async with db.transaction() as session:
        for i in range(300):
            session.add(
                TimelineEntry(
                    incident_id=incident_id,
                    kind="message",
                    occurred_at=START + timedelta(seconds=i),
                    actor=f"U0X{i % 40}",
                    text=f"<@U0Y{i % 40}> look",
                    pinned_by=[f"reaction:U0Z{i % 40}"],
                    created_at=START,
                )
            )
    with count_queries(db) as large:
        report = await report_of(db, incident_id, config)
    assert len(report.timeline) > 300
    selects = [s for s in large if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == len([s for s in small if s.lstrip().upper().startswith("SELECT")])
    # incident, roles, timeline, alerts, postmortem, action items, deploys, users
    assert len(selects) == 8
