"""Published postmortems, for `/postmortem list|show` and the App Home; private incidents'
only to their members and admins."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, or_
from sqlmodel import col, select

from bot.domain.errors import NotFound
from bot.domain.lifecycle import Actor, check_can_see
from storage.db import Database
from storage.models import ActionItem, Incident, IncidentMember, Postmortem, PostmortemStatus

LIST_LIMIT = 20


@dataclass(frozen=True)
class Entry:
    incident: Incident
    postmortem: Postmortem


@dataclass(frozen=True)
class Shown:
    incident: Incident
    postmortem: Postmortem
    items: list[ActionItem]


async def recent(
    db: Database, viewer: Actor, *, service: str | None = None, limit: int = LIST_LIMIT
) -> list[Entry]:
    query = (
        select(Incident, Postmortem)
        .join(Postmortem, col(Postmortem.incident_id) == col(Incident.id))
        .where(Postmortem.status == PostmortemStatus.PUBLISHED.value)
        .order_by(col(Postmortem.published_at).desc(), col(Incident.number).desc())
        .limit(limit)
    )
    if service is not None:
        query = query.where(Incident.service == service)
    if not viewer.is_admin:
        member = exists().where(
            col(IncidentMember.incident_id) == col(Incident.id),
            IncidentMember.user_id == viewer.user_id,
        )
        query = query.where(or_(col(Incident.private).is_(False), member))
    async with db.session() as session:
        return [Entry(i, p) for i, p in (await session.exec(query)).all()]


async def published_incident(db: Database, number: int) -> Incident | None:
    """The incident, if its postmortem is published (what the web pages may serve)."""
    async with db.session() as session:
        return (
            await session.exec(
                select(Incident)
                .join(Postmortem, col(Postmortem.incident_id) == col(Incident.id))
                .where(
                    Incident.number == number,
                    Postmortem.status == PostmortemStatus.PUBLISHED.value,
                )
            )
        ).first()


async def show(db: Database, viewer: Actor, number: int) -> Shown:
    async with db.session() as session:
        row = (
            await session.exec(
                select(Incident, Postmortem)
                .join(Postmortem, col(Postmortem.incident_id) == col(Incident.id))
                .where(Incident.number == number)
            )
        ).first()
        if row is None:
            raise NotFound(f"INC-{number} has no postmortem yet.")
        incident, postmortem = row
        items = (
            await session.exec(
                select(ActionItem)
                .where(ActionItem.incident_id == incident.id)
                .order_by(col(ActionItem.position), col(ActionItem.id))
            )
        ).all()
    await check_can_see(db, incident, viewer)
    return Shown(incident, postmortem, list(items))
