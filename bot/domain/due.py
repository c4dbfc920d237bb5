"""Claiming due work: nudges, archives, Slack re-syncs and the stakeholder digest.

The rows are the truth and scheduler jobs only wake us up. A claim moves the due time
(and bumps the fence) in the same transaction that reads it; PostgreSQL skips rows another
replica holds (FOR UPDATE SKIP LOCKED) and SQLite serializes writers, so each piece of due
work is handed to exactly one caller however many sweepers run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select

from bot.clock import Clock
from bot.config import OpsConfig
from storage.db import Database
from storage.models import ActionItem, Incident, IncidentStatus, Page, PeriodicJob, Postmortem

CLAIM_BATCH = 100
DIGEST_JOB = "stakeholder_digest"
USERGROUP_JOB = "usergroup_refresh"
USERGROUP_EVERY = timedelta(minutes=15)
RETRY_ARCHIVE_AFTER = timedelta(minutes=5)


async def claim_due_nudges(db: Database, clock: Clock, config: OpsConfig) -> list[Incident]:
    """Incidents whose commander is owed a nudge; the next one follows after another silence."""
    now = clock.now()
    async with db.transaction() as session:
        rows = (
            await session.exec(
                select(Incident)
                .where(
                    col(Incident.next_nudge_at) <= now,
                    Incident.status != IncidentStatus.RESOLVED.value,
                )
                .order_by(col(Incident.next_nudge_at))
                .limit(CLAIM_BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for incident in rows:
            sev = config.severity(incident.severity)
            interval = sev.update_interval if sev and sev.update_interval else None
            incident.next_nudge_at = now + interval if interval else None
            incident.nudge_fence += 1
            session.add(incident)
    return list(rows)


async def claim_due_archives(db: Database, clock: Clock) -> list[Incident]:
    now = clock.now()
    async with db.transaction() as session:
        rows = (
            await session.exec(
                select(Incident)
                .where(col(Incident.archive_at) <= now, col(Incident.archived).is_(False))
                .order_by(col(Incident.archive_at))
                .limit(CLAIM_BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for incident in rows:
            incident.archive_at = None
            incident.archived = True
            session.add(incident)
    return list(rows)


async def archive_failed(db: Database, clock: Clock, incident_id: int) -> None:
    async with db.transaction() as session:
        incident = await session.get(Incident, incident_id, with_for_update=True)
        if incident is not None and incident.status == IncidentStatus.RESOLVED:
            incident.archived = False
            incident.archive_at = clock.now() + RETRY_ARCHIVE_AFTER
            session.add(incident)


async def request_sync(db: Database, clock: Clock, incident_id: int, delay: timedelta) -> None:
    """Slack is behind this incident's state; try again after the delay."""
    async with db.transaction() as session:
        incident = await session.get(Incident, incident_id, with_for_update=True)
        if incident is not None:
            due = clock.now() + delay
            if incident.sync_due_at is None or due < incident.sync_due_at:
                incident.sync_due_at = due
            incident.sync_fence += 1
            session.add(incident)


async def claim_due_syncs(db: Database, clock: Clock) -> list[int]:
    now = clock.now()
    async with db.transaction() as session:
        rows = (
            await session.exec(
                select(Incident)
                .where(col(Incident.sync_due_at) <= now)
                .limit(CLAIM_BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for incident in rows:
            incident.sync_due_at = None
            incident.sync_fence += 1
            session.add(incident)
    return [i.id for i in rows if i.id is not None]


async def ensure_periodic(db: Database, name: str, first_run: datetime) -> None:
    """Create the job's row once; replicas racing here all end with the same single row."""
    insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
    async with db.transaction() as session:
        await session.exec(
            insert(PeriodicJob)
            .values(name=name, next_run_at=first_run, fence=0)
            .on_conflict_do_nothing(index_elements=["name"])
        )


async def ensure_jobs(db: Database, clock: Clock, config: OpsConfig) -> None:
    """The recurring jobs' rows (start-up refreshes the user groups itself)."""
    await ensure_periodic(db, DIGEST_JOB, clock.now() + config.lifecycle.digest_interval)
    await ensure_periodic(db, USERGROUP_JOB, clock.now() + USERGROUP_EVERY)


async def claim_periodic(db: Database, clock: Clock, name: str, every: timedelta) -> bool:
    """True for exactly one caller per round of the job."""
    now = clock.now()
    async with db.transaction() as session:
        job = (
            await session.exec(
                select(PeriodicJob)
                .where(PeriodicJob.name == name, PeriodicJob.next_run_at <= now)
                .with_for_update(skip_locked=True)
            )
        ).first()
        if job is None:
            return False
        job.next_run_at = now + every
        job.fence += 1
        session.add(job)
    return True


async def next_wakeups(db: Database) -> list[datetime]:
    """Every pending due time, so the scheduler can set its hints after a restart."""
    async with db.session() as session:
        times: list[datetime] = []
        for column in (
            Incident.next_nudge_at,
            Incident.archive_at,
            Incident.sync_due_at,
            Incident.next_escalation_at,
            Page.next_attempt_at,
            Postmortem.publish_due_at,
            ActionItem.jira_due_at,
        ):
            times += [
                t
                for t in (await session.exec(select(column).where(col(column).is_not(None)))).all()
                if t
            ]
        times += list((await session.exec(select(PeriodicJob.next_run_at))).all())
    return times
