"""The Slack side of publishing as due work: claimed with a fence and a lease, recorded
under that fence, retried every few minutes, so one replica posts each version once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, select

from bot.clock import Clock
from storage.db import Database
from storage.models import Postmortem

LEASE = timedelta(minutes=5)
RETRY = timedelta(minutes=2)
CLAIM_BATCH = 20


@dataclass(frozen=True)
class Claim:
    incident_id: int
    fence: int
    canvas_id: str | None
    file_id: str | None


async def claim_due(db: Database, clock: Clock) -> list[Claim]:
    now = clock.now()
    async with db.transaction() as session:
        rows = (
            await session.exec(
                select(Postmortem)
                .where(col(Postmortem.publish_due_at) <= now)
                .limit(CLAIM_BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for postmortem in rows:
            postmortem.publish_due_at = now + LEASE  # a crashed worker's claim comes back
            postmortem.publish_fence += 1
            session.add(postmortem)
    return [Claim(p.incident_id, p.publish_fence, p.canvas_id, p.file_id) for p in rows]


async def record(
    db: Database,
    clock: Clock,
    claim: Claim,
    *,
    canvas_id: str | None,
    file_id: str | None,
    error: str | None,
) -> bool:
    """What the post did. False: the claim was stale (someone else has it now)."""
    async with db.transaction() as session:
        postmortem = (
            await session.exec(
                select(Postmortem)
                .where(Postmortem.incident_id == claim.incident_id)
                .with_for_update()
            )
        ).first()
        if postmortem is None or postmortem.publish_fence != claim.fence:
            return False
        postmortem.canvas_id = canvas_id or postmortem.canvas_id
        postmortem.file_id = file_id or postmortem.file_id
        postmortem.publish_error = error
        if error is None:
            postmortem.publish_due_at = None
        else:
            postmortem.publish_due_at = clock.now() + RETRY
        session.add(postmortem)
        return True
