"""The incident lifecycle: declare, status, severity, roles, tasks, resolve, reopen.

Every change runs in one transaction that also writes its timeline entry and reschedules the
update nudge, so the stored incident is always consistent with what Slack is told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.config import OpsConfig
from bot.domain.errors import DomainError, Forbidden, NotFound
from bot.domain.incidents import allocate_number
from bot.domain.paging import engine as paging
from storage.db import Database
from storage.models import (
    Incident,
    IncidentMember,
    IncidentRole,
    IncidentStatus,
    IncidentTask,
    TimelineEntry,
)

MAX_TITLE = 200
STATUS_ORDER = tuple(IncidentStatus)
# The statuses a person may set by hand; `triggered` only comes back through reopen.
SETTABLE = (
    IncidentStatus.ACKNOWLEDGED,
    IncidentStatus.INVESTIGATING,
    IncidentStatus.IDENTIFIED,
    IncidentStatus.MONITORING,
    IncidentStatus.RESOLVED,
)


@dataclass(frozen=True)
class Actor:
    user_id: str
    is_admin: bool = False


@dataclass
class Change:
    """What a transition did, so the Slack side knows whom to tell and what to refresh."""

    incident: Incident
    new_role_holder: tuple[str, str] | None = None  # (role, user)
    task: IncidentTask | None = None
    open_war_room: bool = False
    reopened: bool = False
    noop: bool = False  # it already was so: nothing was recorded, nothing to tell
    added_members: list[str] = field(default_factory=list)


async def declare(
    db: Database,
    clock: Clock,
    config: OpsConfig,
    *,
    title: str,
    declared_by: str,
    severity: str = "SEV3",
    service: str | None = None,
    description: str = "",
    private: bool = False,
    commander: str | None = None,
) -> Incident:
    async with db.transaction() as session:
        return await declare_in(
            session,
            clock.now(),
            config,
            title=title,
            declared_by=declared_by,
            severity=severity,
            service=service,
            description=description,
            private=private,
            commander=commander,
        )


async def declare_in(
    session: AsyncSession,
    now: datetime,
    config: OpsConfig,
    *,
    title: str,
    declared_by: str | None,
    severity: str = "SEV3",
    service: str | None = None,
    description: str = "",
    private: bool = False,
    commander: str | None = None,
    detected_at: datetime | None = None,
    source: str | None = None,
) -> Incident:
    """Declare inside the caller's transaction (alert intake groups and declares at once).

    An alert declares with no person (`declared_by=None`, `source` naming the integration):
    the incident then has no commander until someone takes the role.
    """
    title = " ".join(title.split())
    if not title:
        raise DomainError("An incident needs a title.")
    if len(title) > MAX_TITLE:
        raise DomainError(f"The title is {len(title)} characters; keep it to {MAX_TITLE}.")
    sev = config.severity(severity)
    if sev is None:
        valid = ", ".join(s.id for s in config.severities)
        raise DomainError(f"Unknown severity “{severity}”. Valid severities: {valid}.")
    svc = None
    if service:
        svc = config.service(service)
        if svc is None:
            valid = ", ".join(s.name for s in config.services) or "(none configured)"
            raise DomainError(f"Unknown service “{service}”. Valid services: {valid}.")
    commander = commander or declared_by
    via = f" from {source}" if source else ""
    incident = Incident(
        number=await allocate_number(session),
        title=title,
        description=description.strip(),
        severity=sev.id,
        status=IncidentStatus.TRIGGERED.value,
        service=svc.name if svc else None,
        private=private,
        declared_by=declared_by,
        created_at=now,
        updated_at=now,
        detected_at=detected_at or now,
        last_update_at=now,
        next_nudge_at=_nudge_after(config, sev.id, now),
    )
    session.add(incident)
    await session.flush()
    assert incident.id is not None
    members: dict[str, str] = {}
    if declared_by:
        members[declared_by] = "declarer"
    if commander:
        members.setdefault(commander, "commander")
        session.add(
            IncidentRole(
                incident_id=incident.id,
                role="commander",
                user_id=commander,
                assigned_by=declared_by,
                assigned_at=now,
            )
        )
    for user in svc.owners if svc else ():
        members.setdefault(user, "owner")
    for user in svc.subscribers if svc else ():
        members.setdefault(user, "subscriber")
    for user, reason in members.items():
        session.add(
            IncidentMember(incident_id=incident.id, user_id=user, reason=reason, added_at=now)
        )
    _timeline(
        session,
        incident,
        now,
        "declared",
        declared_by,
        f"Declared {sev.id} “{title}”" + (f" for {svc.name}" if svc else "") + via,
    )
    if commander and commander != declared_by:
        _timeline(session, incident, now, "role", declared_by, f"commander: <@{commander}>")
    await paging.start(session, config, incident, now)
    return incident


async def get_incident(db: Database, incident_id: int) -> Incident:
    async with db.session() as session:
        incident = await session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("That incident no longer exists.")
    return incident


async def find_by_channel(db: Database, channel_id: str) -> Incident | None:
    async with db.session() as session:
        result = await session.exec(select(Incident).where(Incident.channel_id == channel_id))
        return result.first()


async def find_by_number(db: Database, number: int) -> Incident | None:
    async with db.session() as session:
        return (await session.exec(select(Incident).where(Incident.number == number))).first()


async def acknowledge(
    db: Database, clock: Clock, config: OpsConfig, incident_id: int, actor: Actor
) -> Change:
    return await set_status(db, clock, config, incident_id, actor, IncidentStatus.ACKNOWLEDGED)


async def set_status(
    db: Database,
    clock: Clock,
    config: OpsConfig,
    incident_id: int,
    actor: Actor,
    status: IncidentStatus,
    message: str = "",
) -> Change:
    if status not in SETTABLE:
        raise DomainError(f"Status must be one of: {', '.join(SETTABLE)}.")
    now = clock.now()
    async with db.transaction() as session:
        incident = await _for_change(session, incident_id, actor)
        if incident.status == IncidentStatus.RESOLVED and status != IncidentStatus.RESOLVED:
            raise DomainError(f"INC-{incident.number} is resolved; reopen it first.")
        if incident.status == status and not message:
            return Change(incident, noop=True)
        previous = incident.status
        incident.status = status.value
        _stamp(incident, status, now)
        paging.on_acknowledged(incident, now)
        text = f"Status {previous} → {status.value}" if previous != status else "Update"
        _timeline(
            session,
            incident,
            now,
            "status",
            actor.user_id,
            f"{text}: {message}" if message else text,
        )
        _record_update(incident, config, now, message or f"Status is now {status.value}.")
        if status == IncidentStatus.RESOLVED:
            _close_out(incident, config, now, message)
        session.add(incident)
    return Change(incident)


async def post_update(
    db: Database, clock: Clock, config: OpsConfig, incident_id: int, actor: Actor, message: str
) -> Change:
    message = message.strip()
    if not message:
        raise DomainError("An update needs some text, e.g. `/incident update Rolled back v42`.")
    now = clock.now()
    async with db.transaction() as session:
        incident = await _for_change(session, incident_id, actor)
        _timeline(session, incident, now, "update", actor.user_id, message)
        _record_update(incident, config, now, message)
        session.add(incident)
    return Change(incident)


async def set_severity(
    db: Database, clock: Clock, config: OpsConfig, incident_id: int, actor: Actor, severity: str
) -> Change:
    sev = config.severity(severity)
    if sev is None:
        valid = ", ".join(s.id for s in config.severities)
        raise DomainError(f"Unknown severity “{severity}”. Valid severities: {valid}.")
    now = clock.now()
    async with db.transaction() as session:
        incident = await _for_change(session, incident_id, actor)
        if incident.severity == sev.id:
            return Change(incident, noop=True)
        previous = incident.severity
        incident.severity = sev.id
        incident.updated_at = now
        if incident.status != IncidentStatus.RESOLVED:
            incident.next_nudge_at = _nudge_after(config, sev.id, incident.last_update_at)
            incident.nudge_fence += 1
        _timeline(
            session, incident, now, "severity", actor.user_id, f"Severity {previous} → {sev.id}"
        )
        session.add(incident)
        opens = incident.channel_id is None and config.opens_war_room(sev.id, incident.service)
    return Change(incident, open_war_room=opens)


async def assign_role(
    db: Database,
    clock: Clock,
    config: OpsConfig,
    incident_id: int,
    actor: Actor,
    role: str,
    user_id: str,
) -> Change:
    spec = config.role(role)
    if spec is None:
        raise DomainError(f"Unknown role “{role}”. Roles: {', '.join(r.id for r in config.roles)}.")
    now = clock.now()
    async with db.transaction() as session:
        incident = await _for_change(session, incident_id, actor)
        current = await _current_holder(session, incident_id, spec.id)
        if current is not None and current.user_id == user_id:
            return Change(incident, noop=True)
        if current is not None:
            current.relieved_at = now
            session.add(current)
            await session.flush()
        session.add(
            IncidentRole(
                incident_id=incident_id,
                role=spec.id,
                user_id=user_id,
                assigned_by=actor.user_id,
                assigned_at=now,
            )
        )
        added = await _add_member(session, incident_id, user_id, spec.id, now)
        _timeline(session, incident, now, "role", actor.user_id, f"{spec.id}: <@{user_id}>")
        incident.updated_at = now
        session.add(incident)
    return Change(incident, new_role_holder=(spec.id, user_id), added_members=added)


async def add_task(
    db: Database,
    clock: Clock,
    incident_id: int,
    actor: Actor,
    text: str,
    assignee: str | None = None,
) -> Change:
    text = text.strip()
    if not text:
        raise DomainError("A task needs a description, e.g. `/incident task Roll back v42 @bob`.")
    now = clock.now()
    async with db.transaction() as session:
        incident = await _for_change(session, incident_id, actor)
        task = IncidentTask(
            incident_id=incident_id,
            text=text,
            assignee=assignee,
            created_by=actor.user_id,
            created_at=now,
        )
        session.add(task)
        added = (
            await _add_member(session, incident_id, assignee, "assignee", now) if assignee else []
        )
        who = f" (<@{assignee}>)" if assignee else ""
        _timeline(session, incident, now, "task", actor.user_id, f"Task added: {text}{who}")
        await session.flush()
    return Change(incident, task=task, added_members=added)


async def complete_task(db: Database, clock: Clock, task_id: int, actor: Actor) -> Change:
    now = clock.now()
    async with db.transaction() as session:
        task = await session.get(IncidentTask, task_id)
        if task is None:
            raise NotFound("That task no longer exists.")
        incident = await _for_change(session, task.incident_id, actor)
        if task.completed_at is None:
            task.completed_at = now
            task.completed_by = actor.user_id
            session.add(task)
            _timeline(session, incident, now, "task", actor.user_id, f"Task done: {task.text}")
    return Change(incident, task=task)


async def resolve(
    db: Database, clock: Clock, config: OpsConfig, incident_id: int, actor: Actor, summary: str = ""
) -> Change:
    return await set_status(
        db, clock, config, incident_id, actor, IncidentStatus.RESOLVED, summary.strip()
    )


def resolve_in(incident: Incident, config: OpsConfig, now: datetime, summary: str) -> None:
    """Resolve on the system's own authority (every alert cleared); the caller records why."""
    incident.status = IncidentStatus.RESOLVED.value
    _stamp(incident, IncidentStatus.RESOLVED, now)
    _record_update(incident, config, now, summary)
    _close_out(incident, config, now, summary)


async def reopen(
    db: Database, clock: Clock, config: OpsConfig, incident_id: int, actor: Actor
) -> Change:
    now = clock.now()
    async with db.transaction() as session:
        incident = await _for_change(session, incident_id, actor)
        if incident.status != IncidentStatus.RESOLVED:
            raise DomainError(f"INC-{incident.number} is not resolved.")
        incident.status = IncidentStatus.INVESTIGATING.value
        incident.resolved_at = None
        incident.archive_at = None
        incident.archived = False
        _timeline(session, incident, now, "status", actor.user_id, "Reopened")
        _record_update(incident, config, now, "Reopened.")
        session.add(incident)
    return Change(incident, reopened=True)


async def snooze_nudge(
    db: Database, clock: Clock, config: OpsConfig, incident_id: int, actor: Actor
) -> Incident:
    now = clock.now()
    async with db.transaction() as session:
        incident = await _for_change(session, incident_id, actor)
        if incident.status != IncidentStatus.RESOLVED:
            incident.next_nudge_at = now + config.lifecycle.snooze
            incident.nudge_fence += 1
            session.add(incident)
    return incident


async def add_members(
    db: Database, clock: Clock, incident_id: int, users: list[str], reason: str
) -> list[str]:
    """Record participants (e.g. who joined the war room); returns the ones that are new."""
    now = clock.now()
    added: list[str] = []
    async with db.transaction() as session:
        for user in users:
            added += await _add_member(session, incident_id, user, reason, now)
    return added


async def attach_war_room(
    db: Database, clock: Clock, incident_id: int, *, channel_id: str, channel_name: str
) -> Incident:
    """The first channel attached is the war room (two requests may open one at once);
    the returned incident says which one that is."""
    now = clock.now()
    async with db.transaction() as session:
        incident = await session.get(Incident, incident_id, with_for_update=True)
        assert incident is not None
        if incident.channel_id is None:
            incident.channel_id = channel_id
            incident.channel_name = channel_name
            incident.updated_at = now
            session.add(incident)
    return incident


async def record_bridge(
    db: Database, clock: Clock, incident_id: int, url: str | None, provider: str, actor: str | None
) -> None:
    now = clock.now()
    async with db.transaction() as session:
        incident = await session.get(Incident, incident_id, with_for_update=True)
        assert incident is not None
        incident.conference_url = url
        session.add(incident)
        if url:
            _timeline(session, incident, now, "bridge", actor, f"Bridge ({provider}): {url}")


async def record_messages(
    db: Database,
    incident_id: int,
    *,
    command_center_ts: str | None = None,
    announcement_ts: str | None = None,
) -> None:
    """Remember where the pinned command center and the announcement card live."""
    async with db.transaction() as session:
        incident = await session.get(Incident, incident_id, with_for_update=True)
        assert incident is not None
        if command_center_ts:
            incident.command_center_ts = command_center_ts
        if announcement_ts:
            incident.announcement_ts = announcement_ts
        session.add(incident)


async def is_member(db: Database, incident_id: int, user_id: str) -> bool:
    async with db.session() as session:
        return await session.get(IncidentMember, (incident_id, user_id)) is not None


async def check_can_see(db: Database, incident: Incident, actor: Actor) -> None:
    """Private incidents are visible to their members only, and admins."""
    if incident.private and not actor.is_admin:
        assert incident.id is not None
        if not await is_member(db, incident.id, actor.user_id):
            raise Forbidden("That incident is private, and you are not one of its members.")


async def check_can_change(db: Database, incident: Incident, actor: Actor) -> None:
    """The check every change makes, for work done before the change is stored (a bridge)."""
    async with db.session() as session:
        await _check_change(session, incident, actor)


async def _for_change(session: AsyncSession, incident_id: int, actor: Actor) -> Incident:
    incident = await session.get(Incident, incident_id, with_for_update=True)
    if incident is None:
        raise NotFound("That incident no longer exists.")
    await _check_change(session, incident, actor)
    return incident


async def _check_change(session: AsyncSession, incident: Incident, actor: Actor) -> None:
    if actor.is_admin:
        return
    assert incident.id is not None
    if await session.get(IncidentMember, (incident.id, actor.user_id)) is None:
        if incident.private:
            raise Forbidden("That incident is private, and you are not one of its members.")
        raise Forbidden(
            f"Only INC-{incident.number}'s participants and OpsGuard admins can change it. "
            "Join its channel or ask its commander to add you."
        )


async def _current_holder(
    session: AsyncSession, incident_id: int, role: str
) -> IncidentRole | None:
    result = await session.exec(
        select(IncidentRole).where(
            IncidentRole.incident_id == incident_id,
            IncidentRole.role == role,
            col(IncidentRole.relieved_at).is_(None),
        )
    )
    return result.first()


async def _add_member(
    session: AsyncSession, incident_id: int, user_id: str, reason: str, now: datetime
) -> list[str]:
    if await session.get(IncidentMember, (incident_id, user_id)) is not None:
        return []
    session.add(
        IncidentMember(incident_id=incident_id, user_id=user_id, reason=reason, added_at=now)
    )
    return [user_id]


def _timeline(
    session: AsyncSession,
    incident: Incident,
    now: datetime,
    kind: str,
    actor: str | None,
    text: str,
) -> None:
    assert incident.id is not None
    session.add(
        TimelineEntry(
            incident_id=incident.id,
            kind=kind,
            occurred_at=now,
            actor=actor,
            text=text,
            created_at=now,
        )
    )


def _stamp(incident: Incident, status: IncidentStatus, now: datetime) -> None:
    """First time only: a later flip back and forth keeps the original milestone."""
    position = STATUS_ORDER.index(status)
    if position >= STATUS_ORDER.index(IncidentStatus.ACKNOWLEDGED):
        incident.acknowledged_at = incident.acknowledged_at or now
    if position >= STATUS_ORDER.index(IncidentStatus.IDENTIFIED):
        incident.identified_at = incident.identified_at or now
    if position >= STATUS_ORDER.index(IncidentStatus.MONITORING):
        incident.mitigated_at = incident.mitigated_at or now
    if status == IncidentStatus.RESOLVED:
        incident.resolved_at = now


def _record_update(incident: Incident, config: OpsConfig, now: datetime, text: str) -> None:
    paging.on_update(incident, now)
    incident.last_update_at = now
    incident.last_update_text = text
    incident.updated_at = now
    incident.next_nudge_at = _nudge_after(config, incident.severity, now)
    incident.nudge_fence += 1


def _close_out(incident: Incident, config: OpsConfig, now: datetime, summary: str) -> None:
    paging.on_resolved(incident)
    incident.resolution_summary = summary
    incident.next_nudge_at = None
    sev = config.severity(incident.severity)
    needs_postmortem = bool(sev and sev.requires_postmortem)
    incident.archive_at = None if needs_postmortem else now + config.lifecycle.archive_after


def _nudge_after(config: OpsConfig, severity: str, since: datetime) -> datetime | None:
    sev = config.severity(severity)
    return since + sev.update_interval if sev and sev.update_interval else None
