"""Incident records: creation with gap-free, race-free numbering."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from storage.db import Database
from storage.models import Counter, Incident, IncidentStatus

INCIDENT_NUMBER = "incident_number"


async def allocate_number(session: AsyncSession) -> int:
    """Take the next incident number inside the caller's transaction.

    The row lock taken by UPDATE serializes concurrent declarations, so two transactions
    never see the same value, and a rolled-back declaration gives its number back.
    """
    result = await session.exec(
        update(Counter)
        .where(Counter.name == INCIDENT_NUMBER)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    return int(result.scalar_one())


async def open_incident(
    db: Database,
    clock: Clock,
    *,
    title: str,
    severity: str,
    declared_by: str | None,
    service: str | None = None,
    description: str = "",
    private: bool = False,
) -> Incident:
    now = clock.now()
    async with db.transaction() as session:
        incident = Incident(
            number=await allocate_number(session),
            title=title,
            description=description,
            severity=severity,
            status=IncidentStatus.TRIGGERED.value,
            service=service,
            private=private,
            declared_by=declared_by,
            created_at=now,
            updated_at=now,
            detected_at=now,
        )
        session.add(incident)
    return incident
