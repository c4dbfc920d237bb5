"""Grouping and incident rules, straight against storage on both backends."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlmodel import func, select

from bot.config import OpsConfig, load_config
from bot.domain.alerts import intake, payloads
from bot.domain.alerts.integrations import Integration
from fakes.clock import FakeClock
from storage.db import Database
from storage.models import AlertGroup, Incident, TimelineEntry
from tests.alerts.payload_samples import alertmanager, am_alert, pagerduty
from tests.conftest import REPO

AM = Integration(
    name="am", type="alertmanager", token="t", service_label="service", service="search"
)
PD = Integration(name="pd", type="pagerduty", routing_key="rk-checkout", service="checkout")
# A new group on a service with an owner and no escalation policy: the repeat batch's lookup,
# then in its own transaction the open-group lookup, the storm count, the incident number and
# one INSERT per table.
STATEMENTS = [  # in the trigger batch's transaction
    "SELECT alert_group",  # the batch: open groups of its keys
    "SELECT alert_group",  # the storm count
    "UPDATE counter",
    "INSERT incident",
    "INSERT incident_member",
    "INSERT timeline_entry",
    "INSERT alert_group",
    "INSERT alert",
]


def config() -> OpsConfig:
    base = load_config(REPO / "opsguard.example.yml")
    return base.model_copy(update={"integrations": (AM, PD)})


async def count(db: Database, model: type) -> int:
    async with db.session() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def test_twenty_concurrent_deliveries_make_one_group_and_one_incident(db: Database) -> None:
    clock, cfg = FakeClock(), config()
    events = payloads.alertmanager(alertmanager())
    await asyncio.gather(*(intake.receive(db, clock, cfg, AM, events) for _ in range(20)))
    assert await count(db, AlertGroup) == 1
    assert await count(db, Incident) == 1
    async with db.session() as session:
        group = (await session.exec(select(AlertGroup))).one()
        incident = (await session.exec(select(Incident))).one()
    assert group.count == 20
    assert (incident.severity, incident.service, incident.title) == (
        "SEV1",
        "checkout",
        "Checkout 5xx above 5%",
    )


async def test_repeat_adds_a_timeline_entry_only_when_something_changed(db: Database) -> None:
    clock, cfg = FakeClock(), config()
    await intake.receive(db, clock, cfg, AM, payloads.alertmanager(alertmanager()))
    await intake.receive(db, clock, cfg, AM, payloads.alertmanager(alertmanager()))
    two = alertmanager(
        alerts=[am_alert("firing", "a1", "pod-1"), am_alert("firing", "a2", "pod-2")]
    )
    (outcome,) = await intake.receive(db, clock, cfg, AM, payloads.alertmanager(two))
    assert outcome.new_alerts == ["Checkout 5xx above 5%"]
    async with db.session() as session:
        alerts = (
            await session.exec(select(TimelineEntry.text).where(TimelineEntry.kind == "alert"))
        ).all()
    assert alerts == ["New alerts firing in group: Checkout 5xx above 5%"]


async def test_group_closes_and_incident_resolves_when_every_alert_clears(db: Database) -> None:
    clock, cfg = FakeClock(), config()
    two = [am_alert("firing", "a1", "pod-1"), am_alert("firing", "a2", "pod-2")]
    await intake.receive(db, clock, cfg, AM, payloads.alertmanager(alertmanager(alerts=two)))
    half = alertmanager("resolved", alerts=[am_alert("resolved", "a1", "pod-1")])
    (outcome,) = await intake.receive(db, clock, cfg, AM, payloads.alertmanager(half))
    assert not outcome.resolved
    rest = alertmanager("resolved", alerts=[am_alert("resolved", "a2", "pod-2")])
    (outcome,) = await intake.receive(db, clock, cfg, AM, payloads.alertmanager(rest))
    assert outcome.resolved
    async with db.session() as session:
        incident = (await session.exec(select(Incident))).one()
        group = (await session.exec(select(AlertGroup))).one()
    assert (incident.status, group.status) == ("resolved", "closed")
    # Firing again later opens a new group and a new incident.
    await intake.receive(db, clock, cfg, AM, payloads.alertmanager(alertmanager()))
    assert (await count(db, AlertGroup), await count(db, Incident)) == (2, 2)


async def test_pagerduty_trigger_acknowledge_resolve(db: Database) -> None:
    clock, cfg = FakeClock(), config()
    _, trigger = payloads.pagerduty(pagerduty())
    (created,) = await intake.receive(db, clock, cfg, PD, [trigger])
    assert created.declared
    _, ack = payloads.pagerduty(pagerduty("acknowledge"))
    (acked,) = await intake.receive(db, clock, cfg, PD, [ack])
    assert acked.acknowledged
    _, resolve = payloads.pagerduty(pagerduty("resolve"))
    (resolved,) = await intake.receive(db, clock, cfg, PD, [resolve])
    assert resolved.resolved
    async with db.session() as session:
        incident = (await session.exec(select(Incident))).one()
    assert incident.status == "resolved" and incident.acknowledged_at is not None
    assert incident.severity == "SEV2"  # PagerDuty "error"


async def test_storm_attaches_new_groups_to_the_open_incident(db: Database) -> None:
    clock = FakeClock()
    storm = AM.model_copy(update={"storm_threshold": 3})
    cfg = config().model_copy(update={"integrations": (storm,)})
    for n in range(6):
        body = alertmanager(group_key=f"group-{n}", alerts=[am_alert("firing", f"f{n}", "x")])
        await intake.receive(db, clock, cfg, storm, payloads.alertmanager(body))
    assert await count(db, AlertGroup) == 6
    assert await count(db, Incident) == 3  # the 4th group onwards attach to the open one


async def test_resolve_for_an_unknown_key_changes_nothing(db: Database) -> None:
    clock, cfg = FakeClock(), config()
    _, resolve = payloads.pagerduty(pagerduty("resolve", dedup_key="never-seen"))
    assert await intake.receive(db, clock, cfg, PD, [resolve]) == [intake.Outcome()]
    assert await count(db, AlertGroup) == 0


async def test_a_new_group_declares_in_a_pinned_number_of_statements(db: Database) -> None:
    """Alert intake declares under SQLite's write lock, where every statement holds up the
    next writer; a new statement on this path should be a decision, not an accident."""
    clock, cfg = FakeClock(), config()
    statements: list[str] = []

    def record(*args: Any) -> None:
        words = args[2].split()
        target = words[words.index("FROM") + 1] if "FROM" in words else words[1]
        statements.append(f"{words[0]} {words[2] if words[0] == 'INSERT' else target}")

    commits: list[object] = []
    commit = commits.append
    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    event.listen(db.engine.sync_engine, "commit", commit)
    try:
        _, trigger = payloads.pagerduty(pagerduty())
        (outcome,) = await intake.receive(db, clock, cfg, PD, [trigger])
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
        event.remove(db.engine.sync_engine, "commit", commit)
    assert outcome.declared and outcome.incident is not None
    assert outcome.incident.id == outcome.incident_id and outcome.incident.number == 1
    assert sorted(statements) == sorted(STATEMENTS)  # the ORM picks the insert order
    assert len(commits) == 1
