"""A postmortem's action items, and the outbox that files them in Jira.

Filing is an outbox like the page outbox: an item waiting for Jira has a due time and a
fence. A claim bumps the fence and moves the due time one lease ahead in the transaction
that reads it (SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite), so each filing goes
to one worker, and a worker that dies mid-way is retried when the lease runs out. A result
is recorded only under the fence it was claimed with, so a worker that outlived its lease
changes nothing. Once an item has a Jira key it is never filed again nor deleted. A claim
counts an attempt before any call to Jira, so ``jira_attempts > 1`` tells the filer that
an earlier claim may have created the issue without its key being stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.domain.errors import NotFound
from storage.db import Database
from storage.models import (
    ActionItem,
    Incident,
    IncidentMember,
    JiraStatus,
    Postmortem,
    PostmortemStatus,
)

# Longer than a batch of filings can take (batch × the Jira timeout), so a live worker's
# claim never runs out under it.
LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
ERROR_MAX = 500


@dataclass(frozen=True)
class ItemInput:
    """One row of the postmortem form; ``id`` is set for an item that already exists."""

    text: str
    owner: str | None = None
    due_date: date | None = None
    id: int | None = None


@dataclass(frozen=True)
class Followup:
    """An open action item with the incident it came from."""

    item: ActionItem
    incident_number: int
    incident_title: str
    service: str | None


def backoff(attempts: int) -> timedelta:
    """1 min, 2 min, 4 min … capped at an hour: Jira may be down for a while."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY)


async def save_items(
    session: AsyncSession,
    incident_id: int,
    items: list[ItemInput],
    actor: str,
    now: datetime,
    jira_enabled: bool,
) -> list[ActionItem]:
    """Make the incident's items match the form, in its order; returns them in order.

    Items already in Jira stay as they are (Jira holds them now), even when left out of
    the form; they keep their place after the form's items. Blank rows are dropped.
    """
    if await session.get(Incident, incident_id) is None:
        raise NotFound("That incident no longer exists.")
    existing = {
        item.id: item
        for item in (
            await session.exec(
                select(ActionItem)
                .where(ActionItem.incident_id == incident_id)
                .order_by(col(ActionItem.position), col(ActionItem.id))
                .with_for_update()
            )
        ).all()
    }
    ordered: list[ActionItem] = []
    for entry in items:
        text = entry.text.strip()
        if not text:
            continue
        item = existing.pop(entry.id, None) if entry.id is not None else None
        if item is None:
            item = ActionItem(
                incident_id=incident_id,
                text=text,
                owner=entry.owner,
                due_date=entry.due_date,
                created_by=actor,
                created_at=now,
            )
            if jira_enabled:
                item.jira_status = JiraStatus.PENDING.value
                item.jira_due_at = now
        elif item.jira_key is None:
            item.text, item.owner, item.due_date = text, entry.owner, entry.due_date
        ordered.append(item)
    for item in existing.values():
        if item.jira_key is None:
            await session.delete(item)
        else:
            ordered.append(item)
    for position, item in enumerate(ordered):
        item.position = position
        session.add(item)
    await session.flush()
    return ordered


async def claim_due_filings(db: Database, clock: Clock, limit: int) -> list[ActionItem]:
    """Items due for filing, each handed to this caller alone under its new ``jira_fence``."""
    now = clock.now()
    async with db.transaction() as session:
        items = (
            await session.exec(
                select(ActionItem)
                .where(
                    ActionItem.jira_status == JiraStatus.PENDING.value,
                    col(ActionItem.jira_key).is_(None),
                    col(ActionItem.jira_due_at) <= now,
                )
                .order_by(col(ActionItem.jira_due_at), col(ActionItem.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for item in items:
            item.jira_fence += 1
            item.jira_attempts += 1
            item.jira_due_at = now + LEASE
            session.add(item)
    return list(items)


async def record_filed(
    db: Database, item_id: int, fence: int, key: str, url: str, now: datetime
) -> bool:
    """Store the Jira key; False (and nothing changed) if the claim was superseded."""
    async with db.transaction() as session:
        result = await session.exec(
            update(ActionItem)
            .where(
                col(ActionItem.id) == item_id,
                col(ActionItem.jira_fence) == fence,
                col(ActionItem.jira_key).is_(None),
            )
            .values(
                jira_status=JiraStatus.FILED.value,
                jira_key=key,
                jira_url=url,
                jira_error=None,
                jira_due_at=None,
            )
            .returning(col(ActionItem.incident_id))
        )
        row = result.first()
        if row is None:
            return False
        incident_id = row[0]
        # A published report shows the key as a link: its canvas is posted again.
        await session.exec(
            update(Postmortem)
            .where(
                col(Postmortem.incident_id) == incident_id,
                col(Postmortem.status) == PostmortemStatus.PUBLISHED.value,
                col(Postmortem.publish_due_at).is_(None),
            )
            .values(publish_due_at=now, publish_fence=Postmortem.publish_fence + 1)
        )
        return True


async def record_failed(db: Database, item_id: int, fence: int, error: str, now: datetime) -> bool:
    """Keep the item pending with the error, due again after the backoff; False if the
    claim was superseded."""
    async with db.transaction() as session:
        item = (
            await session.exec(
                select(ActionItem)
                .where(
                    ActionItem.id == item_id,
                    ActionItem.jira_fence == fence,
                    ActionItem.jira_status == JiraStatus.PENDING.value,
                )
                .with_for_update()
            )
        ).first()
        if item is None:
            return False
        item.jira_error = error[:ERROR_MAX]
        item.jira_due_at = now + backoff(item.jira_attempts)
        session.add(item)
    return True


async def open_followups(
    session: AsyncSession,
    owner: str | None = None,
    service: str | None = None,
    *,
    viewer: str | None = None,
) -> list[Followup]:
    """Open action items across incidents, soonest due first (undated last), then by
    incident. With ``viewer``, private incidents count only if the viewer is a member."""
    query = (
        select(ActionItem, Incident)
        .join(Incident, col(Incident.id) == col(ActionItem.incident_id))
        .where(col(ActionItem.completed_at).is_(None))
    )
    if owner is not None:
        query = query.where(ActionItem.owner == owner)
    if service is not None:
        query = query.where(Incident.service == service)
    if viewer is not None:
        member = exists().where(
            col(IncidentMember.incident_id) == col(Incident.id),
            IncidentMember.user_id == viewer,
        )
        query = query.where(or_(col(Incident.private).is_(False), member))
    query = query.order_by(
        col(ActionItem.due_date).is_(None),
        col(ActionItem.due_date),
        col(Incident.number),
        col(ActionItem.position),
    )
    rows = (await session.exec(query)).all()
    return [
        Followup(
            item=item, incident_number=inc.number, incident_title=inc.title, service=inc.service
        )
        for item, inc in rows
    ]


async def complete_item(session: AsyncSession, item_id: int, now: datetime) -> ActionItem:
    """Mark the item done (once). One not yet in Jira is no longer filed: it is done."""
    item = await session.get(ActionItem, item_id, with_for_update=True)
    if item is None:
        raise NotFound("That action item no longer exists.")
    if item.completed_at is None:
        item.completed_at = now
        if item.jira_key is None and item.jira_status == JiraStatus.PENDING.value:
            item.jira_status = JiraStatus.NONE.value
            item.jira_due_at = None
            item.jira_fence += 1
        session.add(item)
        await session.flush()
    return item
