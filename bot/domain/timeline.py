"""The incident timeline beyond automatic entries: captured messages, notes, hide and delete.

A captured message is keyed by (incident, channel, ts), so a 📌 from a second person, a
native pin and an edit all land on the same row. `pinned_by` records who keeps it there
("reaction:<user>", "pin", "shortcut:<user>"); the entry goes when the last of them lets go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.domain.errors import DomainError, NotFound
from bot.domain.lifecycle import Actor, check_can_change
from bot.domain.oncall.cover import zone_or_utc
from storage.db import Database
from storage.models import Incident, IncidentMember, IncidentStatus, TimelineEntry

MAX_TEXT = 4000
PAGE_SIZE = 15


class Kind:
    MESSAGE = "message"
    NOTE = "note"
    DEPLOY = "deploy"


@dataclass(frozen=True)
class CapturedMessage:
    """A Slack message as read back from Slack, mentions already turned into names."""

    channel: str
    ts: str
    author: str | None
    text: str
    posted_at: datetime
    permalink: str | None
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Capture:
    entry: TimelineEntry
    created: bool  # False: it was already captured, and only gained another source


@dataclass(frozen=True)
class Release:
    entry: TimelineEntry
    removed: bool  # True: that was the last source, and the entry is gone


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    page: int
    pages: int
    total: int


def reaction_source(user_id: str) -> str:
    return f"reaction:{user_id}"


def shortcut_source(user_id: str) -> str:
    return f"shortcut:{user_id}"


PIN_SOURCE = "pin"


async def capture(
    db: Database, clock: Clock, incident_id: int, message: CapturedMessage, source: str
) -> Capture:
    """Store the message, or add `source` to an entry that already holds it.

    Concurrent captures of one message race on the unique index; the loser retries as an
    update, so two people pinning at once still give one entry.
    """
    for _ in range(2):
        try:
            async with db.transaction() as session:
                entry = await _captured(
                    session, incident_id, message.channel, message.ts, lock=True
                )
                if entry is not None:
                    if source not in entry.pinned_by:
                        entry.pinned_by = [*entry.pinned_by, source]
                    entry.pinned = True
                    session.add(entry)
                    return Capture(entry, created=False)
                entry = TimelineEntry(
                    incident_id=incident_id,
                    kind=Kind.MESSAGE,
                    occurred_at=message.posted_at,
                    actor=message.author,
                    text=message.text[:MAX_TEXT],
                    source_url=message.permalink,
                    pinned=True,
                    message_channel=message.channel,
                    message_ts=message.ts,
                    pinned_by=[source],
                    files=list(message.files),
                    created_at=clock.now(),
                )
                session.add(entry)
                await session.flush()
                return Capture(entry, created=True)
        except IntegrityError:
            continue
    raise DomainError("That message is being captured by someone else; try again.")


async def release(
    db: Database, incident_id: int, channel: str, ts: str, source: str
) -> Release | None:
    """Drop one source; the entry goes with its last one. None: nothing was captured."""
    async with db.transaction() as session:
        entry = await _captured(session, incident_id, channel, ts, lock=True)
        if entry is None or source not in entry.pinned_by:
            return None
        entry.pinned_by = [s for s in entry.pinned_by if s != source]
        if entry.pinned_by:
            session.add(entry)
            return Release(entry, removed=False)
        await session.delete(entry)
        return Release(entry, removed=True)


async def is_captured(db: Database, incident_id: int, channel: str, ts: str) -> bool:
    async with db.session() as session:
        return await _captured(session, incident_id, channel, ts) is not None


async def sync_edit(
    db: Database,
    incident_id: int,
    channel: str,
    ts: str,
    text: str,
    files: tuple[str, ...],
    edited_at: datetime,
) -> bool:
    """Keep a captured message's text in step with Slack after an edit."""
    async with db.transaction() as session:
        entry = await _captured(session, incident_id, channel, ts, lock=True)
        if entry is None:
            return False
        entry.text = text[:MAX_TEXT]
        entry.files = list(files)
        entry.edited_at = edited_at
        session.add(entry)
        return True


def last_wall_time(now: datetime, at: time, tz: str) -> datetime:
    """The latest instant not after `now` at which the clock in `tz` read `at`: a note
    "at 23:50" typed at 00:10 means last night."""
    zone = zone_or_utc(tz)
    today = now.astimezone(zone).date()
    for day in (today, today - timedelta(days=1)):
        candidate = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
        if candidate <= now:
            return candidate
    return now


async def add_note(
    db: Database,
    clock: Clock,
    incident: Incident,
    actor: Actor,
    text: str,
    occurred_at: datetime | None = None,
) -> TimelineEntry:
    text = text.strip()
    if not text:
        raise DomainError("A timeline entry needs some text.")
    now = clock.now()
    if occurred_at is not None and occurred_at > now:
        raise DomainError("That time is in the future; timeline entries record the past.")
    await check_can_change(db, incident, actor)
    assert incident.id is not None
    async with db.transaction() as session:
        entry = TimelineEntry(
            incident_id=incident.id,
            kind=Kind.NOTE,
            occurred_at=occurred_at or now,
            actor=actor.user_id,
            text=text[:MAX_TEXT],
            created_at=now,
        )
        session.add(entry)
    return entry


async def set_hidden(
    db: Database, incident: Incident, actor: Actor, entry_id: int, hidden: bool
) -> TimelineEntry:
    await check_can_change(db, incident, actor)
    async with db.transaction() as session:
        entry = await _entry(session, incident, entry_id)
        entry.hidden = hidden
        session.add(entry)
        return entry


async def delete(db: Database, incident: Incident, actor: Actor, entry_id: int) -> TimelineEntry:
    await check_can_change(db, incident, actor)
    async with db.transaction() as session:
        entry = await _entry(session, incident, entry_id)
        await session.delete(entry)
        return entry


async def page_of(db: Database, incident_id: int, page: int) -> TimelinePage:
    """Oldest first, hidden entries included (the view lets people unhide them)."""
    async with db.session() as session:
        total = (
            await session.exec(
                select(func.count())
                .select_from(TimelineEntry)
                .where(TimelineEntry.incident_id == incident_id)
            )
        ).one()
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        entries = (
            await session.exec(
                select(TimelineEntry)
                .where(TimelineEntry.incident_id == incident_id)
                .order_by(col(TimelineEntry.occurred_at), col(TimelineEntry.id))
                .offset(page * PAGE_SIZE)
                .limit(PAGE_SIZE)
            )
        ).all()
    return TimelinePage(list(entries), page, pages, total)


async def _captured(
    session: AsyncSession, incident_id: int, channel: str, ts: str, *, lock: bool = False
) -> TimelineEntry | None:
    query = select(TimelineEntry).where(
        TimelineEntry.incident_id == incident_id,
        TimelineEntry.message_channel == channel,
        TimelineEntry.message_ts == ts,
    )
    if lock:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def _entry(session: AsyncSession, incident: Incident, entry_id: int) -> TimelineEntry:
    entry = await session.get(TimelineEntry, entry_id, with_for_update=True)
    if entry is None or entry.incident_id != incident.id:
        raise NotFound("That timeline entry no longer exists.")
    return entry


async def open_incidents(db: Database, actor: Actor) -> list[Incident]:
    """Unresolved incidents this person may see, newest first (private ones only to members)."""
    async with db.session() as session:
        query = (
            select(Incident)
            .where(col(Incident.status) != IncidentStatus.RESOLVED.value)
            .order_by(col(Incident.number).desc())
            .limit(100)
        )
        if not actor.is_admin:
            member = select(IncidentMember.incident_id).where(
                IncidentMember.user_id == actor.user_id
            )
            query = query.where(or_(col(Incident.private).is_(False), col(Incident.id).in_(member)))
        return list((await session.exec(query)).all())
