"""The lifecycle rules, straight against storage on both backends, with a fake clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.config import OpsConfig, load_config
from bot.domain import lifecycle
from bot.domain.errors import DomainError, Forbidden
from bot.domain.lifecycle import Actor
from bot.domain.snapshot import home_data, snapshot
from fakes.clock import FakeClock
from storage.db import Database
from storage.models import IncidentRole, IncidentStatus, TimelineEntry
from tests.conftest import REPO

ALICE, BOB, CAROL, ADMIN = Actor("U0ALICE"), Actor("U0BOB"), Actor("U0CAROL"), Actor("U0ADM", True)


@pytest.fixture
def config() -> OpsConfig:
    return load_config(REPO / "opsguard.example.yml")


async def _declare(db: Database, clock: FakeClock, config: OpsConfig, **kw: object) -> int:
    incident = await lifecycle.declare(
        db, clock, config, title="Checkout 5xx", declared_by=ALICE.user_id, **kw
    )  # type: ignore[arg-type]
    assert incident.id is not None
    return incident.id


async def test_declare_validates_and_lists_valid_values(db: Database, config: OpsConfig) -> None:
    clock = FakeClock()
    with pytest.raises(DomainError, match="Valid severities: SEV1, SEV2, SEV3, SEV4"):
        await lifecycle.declare(db, clock, config, title="x", declared_by="U1", severity="SEV9")
    with pytest.raises(DomainError, match="Valid services: checkout, search"):
        await lifecycle.declare(db, clock, config, title="x", declared_by="U1", service="nope")
    with pytest.raises(DomainError, match="needs a title"):
        await lifecycle.declare(db, clock, config, title="   ", declared_by="U1")


async def test_declare_records_roles_members_and_timeline(db: Database, config: OpsConfig) -> None:
    clock = FakeClock()
    incident_id = await _declare(
        db, clock, config, severity="SEV1", service="checkout", commander=BOB.user_id
    )
    snap = await snapshot(db, incident_id)
    assert snap.roles == {"commander": BOB.user_id}
    assert set(snap.members) == {ALICE.user_id, BOB.user_id, "U012ABCDEF"}  # + service owner
    assert snap.incident.next_nudge_at == clock.now() + timedelta(minutes=15)
    assert [e.kind for e in snap.recent] == ["declared", "role"]


async def test_status_changes_stamp_milestones_once(db: Database, config: OpsConfig) -> None:
    clock = FakeClock()
    incident_id = await _declare(db, clock, config)
    clock.advance(timedelta(minutes=5))
    await lifecycle.set_status(db, clock, config, incident_id, ALICE, IncidentStatus.IDENTIFIED)
    identified = clock.now()
    clock.advance(timedelta(minutes=5))
    await lifecycle.set_status(
        db, clock, config, incident_id, ALICE, IncidentStatus.MONITORING, "rolled back"
    )
    clock.advance(timedelta(minutes=5))
    await lifecycle.set_status(db, clock, config, incident_id, ALICE, IncidentStatus.INVESTIGATING)
    incident = (await snapshot(db, incident_id)).incident
    assert incident.acknowledged_at == identified  # implied by moving past triggered
    assert incident.identified_at == identified
    assert incident.mitigated_at == identified + timedelta(minutes=5)
    assert incident.status == IncidentStatus.INVESTIGATING
    assert incident.last_update_text == "Status is now investigating."


async def test_resolve_stops_nudges_and_schedules_archive(db: Database, config: OpsConfig) -> None:
    clock = FakeClock()
    minor = await _declare(db, clock, config, severity="SEV3")
    major = await _declare(db, clock, config, severity="SEV1")
    await lifecycle.resolve(db, clock, config, minor, ALICE, "fixed")
    await lifecycle.resolve(db, clock, config, major, ALICE, "fixed")
    minor_incident = (await snapshot(db, minor)).incident
    major_incident = (await snapshot(db, major)).incident
    assert minor_incident.next_nudge_at is None and minor_incident.resolved_at == clock.now()
    assert minor_incident.archive_at == clock.now() + timedelta(hours=24)
    assert major_incident.archive_at is None  # waits for the postmortem
    with pytest.raises(DomainError, match="reopen it first"):
        await lifecycle.set_status(db, clock, config, minor, ALICE, IncidentStatus.MONITORING)
    reopened = await lifecycle.reopen(db, clock, config, minor, ALICE)
    assert reopened.reopened and reopened.incident.resolved_at is None
    assert reopened.incident.next_nudge_at is not None


async def test_one_holder_per_role_with_history(db: Database, config: OpsConfig) -> None:
    clock = FakeClock()
    incident_id = await _declare(db, clock, config)
    await lifecycle.assign_role(db, clock, config, incident_id, ALICE, "scribe", BOB.user_id)
    clock.advance(timedelta(minutes=1))
    change = await lifecycle.assign_role(
        db, clock, config, incident_id, ALICE, "scribe", CAROL.user_id
    )
    assert change.new_role_holder == ("scribe", CAROL.user_id)
    assert change.added_members == [CAROL.user_id]
    async with db.session() as session:
        rows = (
            await session.exec(
                select(IncidentRole)
                .where(IncidentRole.role == "scribe")
                .order_by(col(IncidentRole.id))
            )
        ).all()
    assert [(r.user_id, r.relieved_at is not None) for r in rows] == [
        (BOB.user_id, True),
        (CAROL.user_id, False),
    ]
    with pytest.raises(DomainError, match="Unknown role “chef”"):
        await lifecycle.assign_role(db, clock, config, incident_id, ALICE, "chef", BOB.user_id)


async def test_only_participants_and_admins_may_change(db: Database, config: OpsConfig) -> None:
    clock = FakeClock()
    incident_id = await _declare(db, clock, config)
    with pytest.raises(Forbidden, match="participants and OpsGuard admins"):
        await lifecycle.post_update(db, clock, config, incident_id, CAROL, "hi")
    await lifecycle.post_update(db, clock, config, incident_id, ADMIN, "admin here")
    await lifecycle.add_members(db, clock, incident_id, [CAROL.user_id], "joined")
    await lifecycle.post_update(db, clock, config, incident_id, CAROL, "now I can")


async def test_private_incidents_are_invisible_to_non_members(
    db: Database, config: OpsConfig
) -> None:
    clock = FakeClock()
    secret = await _declare(db, clock, config, private=True)
    public = await _declare(db, clock, config)
    incident = (await snapshot(db, secret)).incident
    with pytest.raises(Forbidden, match="private"):
        await lifecycle.check_can_see(db, incident, CAROL)
    await lifecycle.check_can_see(db, incident, ALICE)
    carol_home = await home_data(db, CAROL.user_id)
    assert [i.id for i in carol_home.others] == [public]
    alice_home = await home_data(db, ALICE.user_id)
    assert {i.id for i, _ in alice_home.mine} == {secret, public}


async def test_tasks_are_added_assigned_and_completed(db: Database, config: OpsConfig) -> None:
    clock = FakeClock()
    incident_id = await _declare(db, clock, config)
    change = await lifecycle.add_task(db, clock, incident_id, ALICE, "Roll back v42", BOB.user_id)
    assert change.task is not None and change.task.id is not None
    assert (await home_data(db, BOB.user_id)).my_tasks[0][1].text == "Roll back v42"
    await lifecycle.complete_task(db, clock, change.task.id, BOB)
    assert (await snapshot(db, incident_id)).open_tasks == []
    async with db.session() as session:
        kinds = (
            await session.exec(select(TimelineEntry.text).where(TimelineEntry.kind == "task"))
        ).all()
    assert kinds == [f"Task added: Roll back v42 (<@{BOB.user_id}>)", "Task done: Roll back v42"]


async def test_severity_raise_asks_for_a_war_room(db: Database, config: OpsConfig) -> None:
    clock = FakeClock()
    incident_id = await _declare(db, clock, config, severity="SEV3")
    change = await lifecycle.set_severity(db, clock, config, incident_id, ALICE, "SEV2")
    assert change.open_war_room
    assert change.incident.next_nudge_at == change.incident.last_update_at + timedelta(minutes=30)
