"""The page outbox: deliveries are claimed with a lease, retried with backoff, never blocking.

Email, SMS or push can read the same rows later (one row per person per step); today the
Slack DM is the channel.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from bot.clock import Clock
from storage.db import Database
from storage.models import Incident, Page, PageStatus

LEASE = timedelta(seconds=60)  # a claimed delivery not reported by then is tried again
MAX_ATTEMPTS = 6
CLAIM_BATCH = 200


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … capped at 5 minutes."""
    return min(timedelta(seconds=5 * 2 ** max(attempts - 1, 0)), timedelta(minutes=5))


async def claim(db: Database, clock: Clock) -> list[Page]:
    now = clock.now()
    async with db.transaction() as session:
        pages = (
            await session.exec(
                select(Page)
                .where(Page.status == PageStatus.PENDING.value, col(Page.next_attempt_at) <= now)
                .order_by(col(Page.next_attempt_at), col(Page.id))
                .limit(CLAIM_BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for page in pages:
            page.attempts += 1
            page.next_attempt_at = now + LEASE
            session.add(page)
    return list(pages)


async def incidents(db: Database, incident_ids: Iterable[int]) -> dict[int, Incident]:
    """The incidents a batch of pages (or of finished escalations) is about, in one read
    rather than one per page: every DM and notice shows its incident."""
    wanted = set(incident_ids)
    if not wanted:
        return {}
    async with db.session() as session:
        rows = (await session.exec(select(Incident).where(col(Incident.id).in_(wanted)))).all()
    return {row.id: row for row in rows if row.id is not None}


async def delivered_many(db: Database, clock: Clock, page_ids: list[int]) -> None:
    """Mark a batch sent in one statement (one commit, however many pages went out)."""
    if not page_ids:
        return
    async with db.transaction() as session:
        await session.exec(
            update(Page)
            .where(col(Page.id).in_(page_ids))
            .values(
                status=PageStatus.SENT.value,
                sent_at=clock.now(),
                next_attempt_at=None,
                last_error=None,
            )
        )


async def failed(db: Database, clock: Clock, page_id: int, error: str) -> Page | None:
    """Schedule another try, or give up after MAX_ATTEMPTS; returns the updated page."""
    async with db.transaction() as session:
        page = await session.get(Page, page_id, with_for_update=True)
        if page is None:
            return None
        page.last_error = error[:500]
        if page.attempts >= MAX_ATTEMPTS:
            page.status = PageStatus.FAILED.value
            page.next_attempt_at = None
        else:
            page.next_attempt_at = clock.now() + backoff(page.attempts)
        session.add(page)
    return page
