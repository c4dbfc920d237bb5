"""Read models: everything a message, a view or a digest shows about incidents."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models import (
    Alert,
    AlertGroup,
    Incident,
    IncidentMember,
    IncidentRole,
    IncidentStatus,
    IncidentTask,
    TimelineEntry,
)

RECENT_ENTRIES = 5
RECENT_ALERTS = 5


@dataclass(frozen=True)
class Snapshot:
    incident: Incident
    roles: dict[str, str]  # role id → Slack user id of the current holder
    open_tasks: list[IncidentTask]
    recent: list[TimelineEntry]  # newest last
    members: list[str]
    alerts: list[Alert] = field(default_factory=list)  # firing first, then most recent

    @property
    def commander(self) -> str | None:
        return self.roles.get("commander")


async def snapshot(db: Database, incident_id: int) -> Snapshot:
    async with db.session() as session:
        incident = await session.get(Incident, incident_id)
        assert incident is not None
        roles = (
            await session.exec(
                select(IncidentRole).where(
                    IncidentRole.incident_id == incident_id, col(IncidentRole.relieved_at).is_(None)
                )
            )
        ).all()
        tasks = await open_tasks(session, incident_id)
        recent = (
            await session.exec(
                select(TimelineEntry)
                .where(
                    TimelineEntry.incident_id == incident_id, col(TimelineEntry.hidden).is_(False)
                )
                .order_by(col(TimelineEntry.occurred_at).desc(), col(TimelineEntry.id).desc())
                .limit(RECENT_ENTRIES)
            )
        ).all()
        members = (
            await session.exec(
                select(IncidentMember.user_id).where(IncidentMember.incident_id == incident_id)
            )
        ).all()
        alerts = list(
            (
                await session.exec(
                    select(Alert)
                    .join(AlertGroup, col(Alert.group_id) == col(AlertGroup.id))
                    .where(AlertGroup.incident_id == incident_id)
                    .order_by(col(Alert.status) == "resolved", col(Alert.last_seen).desc())
                    .limit(RECENT_ALERTS)
                )
            ).all()
        )
    return Snapshot(
        incident=incident,
        roles={r.role: r.user_id for r in roles},
        open_tasks=list(tasks),
        recent=list(reversed(recent)),
        members=sorted(members),
        alerts=alerts,
    )


async def open_incidents(db: Database) -> list[Incident]:
    async with db.session() as session:
        result = await session.exec(
            select(Incident)
            .where(Incident.status != IncidentStatus.RESOLVED.value)
            .order_by(col(Incident.number))
        )
        return list(result.all())


@dataclass(frozen=True)
class HomeData:
    mine: list[tuple[Incident, list[str]]]  # open incidents I take part in, with my roles
    others: list[Incident]  # other open public incidents
    my_tasks: list[tuple[Incident, IncidentTask]]


async def home_data(db: Database, user_id: str) -> HomeData:
    """What one user's App Home shows; private incidents only to their members."""
    incidents = await open_incidents(db)
    async with db.session() as session:
        member_of = set(
            (
                await session.exec(
                    select(IncidentMember.incident_id).where(IncidentMember.user_id == user_id)
                )
            ).all()
        )
        my_roles = (
            await session.exec(
                select(IncidentRole).where(
                    IncidentRole.user_id == user_id, col(IncidentRole.relieved_at).is_(None)
                )
            )
        ).all()
        tasks = (
            await session.exec(
                select(IncidentTask).where(
                    IncidentTask.assignee == user_id, col(IncidentTask.completed_at).is_(None)
                )
            )
        ).all()
    roles_by_incident: dict[int, list[str]] = {}
    for role in my_roles:
        roles_by_incident.setdefault(role.incident_id, []).append(role.role)
    by_id = {i.id: i for i in incidents}
    mine = [
        (i, sorted(roles_by_incident.get(i.id or 0, [])))
        for i in incidents
        if i.id in member_of or i.id in roles_by_incident
    ]
    mine.sort(key=lambda pair: (not pair[1], pair[0].number))
    mine_ids = {i.id for i, _ in mine}
    others = [i for i in incidents if i.id not in mine_ids and not i.private]
    my_tasks = [(by_id[t.incident_id], t) for t in tasks if t.incident_id in by_id]
    return HomeData(mine=mine, others=others, my_tasks=my_tasks)


async def open_tasks(session: AsyncSession, incident_id: int) -> list[IncidentTask]:
    """Not yet done, oldest first."""
    query = (
        select(IncidentTask)
        .where(IncidentTask.incident_id == incident_id, col(IncidentTask.completed_at).is_(None))
        .order_by(col(IncidentTask.id))
    )
    return list((await session.exec(query)).all())
