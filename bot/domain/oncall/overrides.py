"""Covers stored from Slack, merged over the config's schedules.

The resolver is pure, so every caller that asks "who is on call" hands it a Schedule whose
overrides are the config's followed by the stored covers, oldest first: where covers overlap,
the later one wins (resolver rule 4). Covers that ended before the moment asked about cannot
change the answer, so they are not loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import OpsConfig
from bot.domain.oncall.models import Override, Schedule
from storage.db import Database
from storage.models import OnCallOverride


async def stored_overrides(
    session: AsyncSession, since: datetime, names: Iterable[str] | None = None
) -> dict[str, list[Override]]:
    """Stored covers still running at or after `since`, per schedule, oldest first."""
    query = select(OnCallOverride).where(col(OnCallOverride.end_at) > since)
    if names is not None:
        query = query.where(col(OnCallOverride.schedule).in_(list(names)))
    rows = (await session.exec(query.order_by(col(OnCallOverride.id)))).all()
    found: dict[str, list[Override]] = {}
    for row in rows:
        found.setdefault(row.schedule, []).append(
            Override(user=row.user_id, start=row.start_at, end=row.end_at)
        )
    return found


def merged(schedule: Schedule, stored: Sequence[Override]) -> Schedule:
    """The schedule with the stored covers listed after the config's own overrides."""
    if not stored:
        return schedule
    return schedule.model_copy(update={"overrides": (*schedule.overrides, *stored)})


async def effective_schedule(
    session: AsyncSession, config: OpsConfig, name: str, at: datetime
) -> Schedule | None:
    """One config schedule with its stored covers, for resolving at `at` or later."""
    schedule = config.schedule(name)
    if schedule is None:
        return None
    stored = await stored_overrides(session, at, [name])
    return merged(schedule, stored.get(name, []))


async def effective_schedules(db: Database, config: OpsConfig, at: datetime) -> dict[str, Schedule]:
    """Every config schedule with its stored covers, by name."""
    if not config.schedules:
        return {}
    async with db.session() as session:
        stored = await stored_overrides(session, at)
    return {s.name: merged(s, stored.get(s.name, [])) for s in config.schedules}
