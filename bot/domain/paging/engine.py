"""The escalation engine: each step runs once, in one transaction with the pages it records.

An incident row holds the policy snapshot, the step, the pass (`escalation_loop`), the next
due time and a fence that changes on every transition. Sweepers claim due rows with
FOR UPDATE SKIP LOCKED (PostgreSQL) or under SQLite's single writer, so a restart, a late or
duplicate wake-up, or a second replica never loses or repeats a step: the page rows' unique
key (incident, loop, step, user) makes a repeat impossible even in principle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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
    TeamRotation,
    TimelineEntry,
    UsergroupMember,
)

CLAIM_BATCH = 200
RUNNING, ACKED, EXHAUSTED, STOPPED, NONE = "running", "acked", "exhausted", "stopped", "none"


@dataclass
class StepRun:
    """What one transition did: the pages to deliver, and whether escalation ran out."""

    incident_id: int
    number: int
    step: int
    loop: int
    pages: list[Page] = field(default_factory=list)
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
    return await _run_step(session, config, incident, policy, 0, now)


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
        # One query for the batch's participants, and no flush per step: the batch is
        # written once, at commit.
        ids = [i.id for i in due if i.id is not None]
        members = (
            set(
                (
                    await session.exec(
                        select(IncidentMember.incident_id, IncidentMember.user_id).where(
                            col(IncidentMember.incident_id).in_(ids)
                        )
                    )
                ).all()
            )
            if ids
            else set()
        )
        with session.no_autoflush:
            for incident in due:
                runs.append(await _advance(session, config, incident, now, members))
    return runs


async def escalate_now(db: Database, clock: Clock, config: OpsConfig, incident_id: int) -> StepRun:
    now = clock.now()
    async with db.transaction() as session:
        incident = await session.get(Incident, incident_id, with_for_update=True)
        if incident is None or incident.escalation_state not in (RUNNING, ACKED):
            raise DomainError("This incident is not escalating.")
        incident.escalation_state = RUNNING
        return await _advance(session, config, incident, now)


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


async def _advance(
    session: AsyncSession,
    config: OpsConfig,
    incident: Incident,
    now: datetime,
    members: set[tuple[int, str]] | None = None,
) -> StepRun:
    policy = _policy(incident)
    if incident.escalation_state == ACKED:
        # The ack timed out: back to triggered, and the policy starts over.
        incident.status = IncidentStatus.TRIGGERED.value
        incident.escalation_state = RUNNING
        incident.escalation_loop += 1
        incident.escalation_loop_start = incident.escalation_loop
        _timeline(
            session,
            incident,
            now,
            "No update within the acknowledgement timeout: back to triggered, escalation restarts",
        )
        run = await _run_step(session, config, incident, policy, 0, now, members)
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
        _timeline(session, incident, now, "Escalation exhausted: nobody acknowledged")
        return StepRun(
            incident.id or 0,
            incident.number,
            incident.current_escalation_step,
            incident.escalation_loop,
            exhausted=True,
        )
    return await _run_step(session, config, incident, policy, step, now, members)


async def _run_step(
    session: AsyncSession,
    config: OpsConfig,
    incident: Incident,
    policy: Policy,
    step: int,
    now: datetime,
    members: set[tuple[int, str]] | None = None,
) -> StepRun:
    assert incident.id is not None
    spec = policy.steps[step]
    run = StepRun(incident.id, incident.number, step, incident.escalation_loop)
    for user, via in await _recipients(session, config, spec, now, run.gaps):
        page = Page(
            incident_id=incident.id,
            loop=incident.escalation_loop,
            step=step,
            user_id=user,
            via=via,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(page)
        run.pages.append(page)
        known = (
            (incident.id, user) in members
            if members is not None
            else (await session.get(IncidentMember, (incident.id, user)) is not None)
        )
        if not known:
            session.add(
                IncidentMember(incident_id=incident.id, user_id=user, reason="paged", added_at=now)
            )
            if members is not None:
                members.add((incident.id, user))
    incident.current_escalation_step = step
    incident.next_escalation_at = now + spec.delay
    incident.escalation_fence += 1
    session.add(incident)
    who = ", ".join(f"<@{p.user_id}>" for p in run.pages) or "nobody (no one on call)"
    _timeline(
        session,
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


def _timeline(session: AsyncSession, incident: Incident, now: datetime, text: str) -> None:
    assert incident.id is not None
    session.add(
        TimelineEntry(
            incident_id=incident.id, kind="page", occurred_at=now, text=text, created_at=now
        )
    )
