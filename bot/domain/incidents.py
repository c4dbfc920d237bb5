"""Incident numbers: gap-free and race-free on both backends."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Counter

INCIDENT_NUMBER = "incident_number"
_NEXT = (
    update(Counter)
    .where(col(Counter.name) == INCIDENT_NUMBER)
    .values(value=col(Counter.value) + 1)
    .returning(col(Counter.value))
)


async def allocate_number(session: AsyncSession) -> int:
    """Take the next incident number inside the caller's transaction.

    The row lock taken by UPDATE serializes concurrent declarations, so two transactions
    never see the same value, and a rolled-back declaration gives its number back.
    """
    conn = await session.connection()  # a Core statement: no ORM bookkeeping for one counter
    result = await conn.execute(_NEXT)
    return int(result.scalar_one())
