"""The escalation engine: each step runs once, in one transaction with the pages it records.

An incident row holds the policy snapshot, the step, the pass (`escalation_loop`), the next
due time and a fence that changes on every transition. Sweepers claim due rows with
FOR UPDATE SKIP LOCKED (PostgreSQL) or under SQLite's single writer, so a restart, a late or
duplicate wake-up, or a second replica never loses or repeats a step: the page rows' unique
key (incident, loop, step, user) makes a repeat impossible even in principle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.config import OpsConfig
from bot.domain.errors import DomainError
from bot.domain.oncall import on_call
from bot.domain.oncall.overrides import effective_schedule
from bot.domain.paging.models import Policy, Step
from storage.db import Database
from storage.models import (
    Incident,
    IncidentMember,
    IncidentStatus,
    Page,
    PageStatus,
    TeamRotation,
    TimelineEntry,
    UsergroupMember,
)

CLAIM_BATCH = 200
RUNNING, ACKED, EXHAUSTED, STOPPED, NONE = "running", "acked", "exhausted", "stopped", "none"


@dataclass
class StepRun:
    """What one transition did: who it paged (their pages wait in the outbox), and whether
    escalation ran out."""

    incident_id: int
    number: int
    step: int
    loop: int
    paged: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)  # schedules nobody was on call for
    next_at: datetime | None = None  # when the next step is due, for the scheduler's hint
    exhausted: bool = False
    restarted: bool = False


async def start(
    session: AsyncSession, config: OpsConfig, incident: Incident, now: datetime
) -> StepRun | None:
    """Snapshot the service's policy onto the incident and run step 0, inside the caller's
    (the declaring) transaction, so a declared incident always starts escalating."""
    if incident.escalation_state != NONE or not incident.service:
        return None
    service = config.service(incident.service)
    policy = (
        config.policy(service.escalation_policy) if service and service.escalation_policy else None
    )
    if policy is None:
        return None
    incident.escalation_policy = policy.model_dump(mode="json")
    incident.escalation_state = RUNNING
    incident.escalation_loop = incident.escalation_loop_start = 0
    assert incident.id is not None
    rows = _Rows(await _members(session, [incident.id]))
    run = await _run_step(session, config, incident, policy, 0, now, rows)
    await rows.insert(session)
    return run


async def claim_due(db: Database, clock: Clock, config: OpsConfig) -> list[StepRun]:
    now = clock.now()
    runs: list[StepRun] = []
    async with db.transaction() as session:
        due = (
            await session.exec(
                select(Incident)
                .where(
                    col(Incident.next_escalation_at) <= now,
                    col(Incident.escalation_state).in_((RUNNING, ACKED)),
                )
                .order_by(col(Incident.next_escalation_at))
                .limit(CLAIM_BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        # One query for the batch's participants, no flush per step, and one INSERT per
        # table for the rows the whole batch adds.
        rows = _Rows(await _members(session, [i.id for i in due if i.id is not None]))
        with session.no_autoflush:
            for incident in due:
                runs.append(await _advance(session, config, incident, now, rows))
        await rows.insert(session)
    return runs


async def escalate_now(db: Database, clock: Clock, config: OpsConfig, incident_id: int) -> StepRun:
    now = clock.now()
    async with db.transaction() as session:
        incident = await session.get(Incident, incident_id, with_for_update=True)
        if incident is None or incident.escalation_state not in (RUNNING, ACKED):
            raise DomainError("This incident is not escalating.")
        incident.escalation_state = RUNNING
        rows = _Rows(await _members(session, [incident_id]))
        run = await _advance(session, config, incident, now, rows)
        await rows.insert(session)
        return run


def on_acknowledged(incident: Incident, now: datetime) -> None:
    """Stop paging; with an ack timeout, come back if nobody updates in time."""
    if incident.escalation_state not in (RUNNING, ACKED):
        return
    policy = _policy(incident)
    incident.escalation_state = ACKED
    incident.next_escalation_at = now + policy.ack_timeout if policy.ack_timeout else None
    incident.escalation_fence += 1


def on_update(incident: Incident, now: datetime) -> None:
    """An update proves someone is on it: the ack timeout starts again."""
    if incident.escalation_state == ACKED and incident.next_escalation_at is not None:
        policy = _policy(incident)
        if policy.ack_timeout:
            incident.next_escalation_at = now + policy.ack_timeout
            incident.escalation_fence += 1


def on_resolved(incident: Incident) -> None:
    if incident.escalation_state != NONE:
        incident.escalation_state = STOPPED
        incident.next_escalation_at = None
        incident.escalation_fence += 1


@dataclass
class _Rows:
    """The rows steps add, inserted with one statement per table: building ORM objects
    (validated by pydantic) and flushing them one by one costs more than the rest of a step."""

    members: set[tuple[int, str]]  # (incident, user) already taking part, these steps' included
    pages: list[dict[str, Any]] = field(default_factory=list)
    new_members: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)

    async def insert(self, session: AsyncSession) -> None:
        for model, rows in (
            (Page, self.pages),
            (IncidentMember, self.new_members),
            (TimelineEntry, self.entries),
        ):
            if rows:
                await session.exec(insert(model), params=rows)


async def _members(session: AsyncSession, incident_ids: Iterable[int]) -> set[tuple[int, str]]:
    ids = list(incident_ids)
    if not ids:
        return set()
    return set(
        (
            await session.exec(
                select(IncidentMember.incident_id, IncidentMember.user_id).where(
                    col(IncidentMember.incident_id).in_(ids)
                )
            )
        ).all()
    )


async def _advance(
    session: AsyncSession, config: OpsConfig, incident: Incident, now: datetime, rows: _Rows
) -> StepRun:
    policy = _policy(incident)
    if incident.escalation_state == ACKED:
        # The ack timed out: back to triggered, and the policy starts over.
        incident.status = IncidentStatus.TRIGGERED.value
        incident.escalation_state = RUNNING
        incident.escalation_loop += 1
        incident.escalation_loop_start = incident.escalation_loop
        _timeline(
            rows,
            incident,
            now,
            "No update within the acknowledgement timeout: back to triggered, escalation restarts",
        )
        run = await _run_step(session, config, incident, policy, 0, now, rows)
        run.restarted = True
        return run
    step = incident.current_escalation_step + 1
    if step >= len(policy.steps):
        step = 0
        incident.escalation_loop += 1
    if incident.escalation_loop - incident.escalation_loop_start > policy.repeat:
        incident.escalation_state = EXHAUSTED
        incident.next_escalation_at = None
        incident.escalation_fence += 1
        _timeline(rows, incident, now, "Escalation exhausted: nobody acknowledged")
        return StepRun(
            incident.id or 0,
            incident.number,
            incident.current_escalation_step,
            incident.escalation_loop,
            exhausted=True,
        )
    return await _run_step(session, config, incident, policy, step, now, rows)


async def _run_step(
    session: AsyncSession,
    config: OpsConfig,
    incident: Incident,
    policy: Policy,
    step: int,
    now: datetime,
    rows: _Rows,
) -> StepRun:
    assert incident.id is not None
    spec = policy.steps[step]
    run = StepRun(incident.id, incident.number, step, incident.escalation_loop)
    for user, via in await _recipients(session, config, spec, now, run.gaps):
        rows.pages.append(
            {
                "incident_id": incident.id,
                "loop": incident.escalation_loop,
                "step": step,
                "user_id": user,
                "via": via,
                "status": PageStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
        run.paged.append(user)
        if (incident.id, user) not in rows.members:
            rows.members.add((incident.id, user))
            rows.new_members.append(
                {"incident_id": incident.id, "user_id": user, "reason": "paged", "added_at": now}
            )
    incident.current_escalation_step = step
    incident.next_escalation_at = now + spec.delay
    incident.escalation_fence += 1
    session.add(incident)
    who = ", ".join(f"<@{user}>" for user in run.paged) or "nobody (no one on call)"
    _timeline(
        rows,
        incident,
        now,
        f"Paged {who} (step {step + 1}, pass "
        f"{incident.escalation_loop - incident.escalation_loop_start + 1})",
    )
    run.next_at = incident.next_escalation_at
    return run


async def _recipients(
    session: AsyncSession, config: OpsConfig, step: Step, at: datetime, gaps: list[str]
) -> list[tuple[str, str]]:
    """Every user the step's targets name at this moment, first mention wins, in order."""
    found: dict[str, str] = {}
    for target in step.targets:
        users: list[str] = []
        if target.user:
            users, via = [target.user], "user"
        elif target.team:
            team = config.team(target.team)
            members = list(team.members) if team else []
            via = f"team:{target.team}"
            if target.mode == "round_robin" and members:
                users = [members[await _next_turn(session, target.team) % len(members)]]
            else:
                users = members
        elif target.schedule:
            # The config's schedule with the covers set from Slack (`/oncall override`).
            schedule = await effective_schedule(session, config, target.schedule, at)
            via = f"schedule:{target.schedule}"
            current = on_call(schedule, at).user if schedule else None
            users = [current] if current else []
            if not current:
                gaps.append(target.schedule)
        else:
            via = f"usergroup:{target.usergroup}"
            users = list(
                (
                    await session.exec(
                        select(UsergroupMember.user_id).where(
                            UsergroupMember.usergroup_id == target.usergroup
                        )
                    )
                ).all()
            )
        for user in users:
            found.setdefault(user, via)
    return list(found.items())


async def _next_turn(session: AsyncSession, team: str) -> int:
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    await session.exec(
        insert(TeamRotation)
        .values(team=team, next_index=0)
        .on_conflict_do_nothing(index_elements=["team"])
    )
    rotation = await session.get(TeamRotation, team, with_for_update=True)
    assert rotation is not None
    turn = rotation.next_index
    rotation.next_index = turn + 1
    session.add(rotation)
    await session.flush()
    return turn


def _policy(incident: Incident) -> Policy:
    assert incident.escalation_policy is not None
    return Policy.model_validate(incident.escalation_policy)


def _timeline(rows: _Rows, incident: Incident, now: datetime, text: str) -> None:
    assert incident.id is not None
    rows.entries.append(
        {
            "incident_id": incident.id,
            "kind": "page",
            "occurred_at": now,
            "text": text,
            "created_at": now,
            "pinned_by": [],
            "files": [],
        }
    )
