"""Writing and publishing a postmortem: a draft saved with its action items, then published.

Publishing records the report, closes the incident (which schedules the war room's
archiving) and leaves the Slack side (canvas, file) as due work with a fence, so a failed
post is retried by the sweeper instead of being lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.config import OpsConfig
from bot.domain.errors import DomainError, NotFound
from bot.domain.lifecycle import Actor, check_can_change
from bot.domain.postmortem.action_items import ItemInput, save_items
from bot.domain.snapshot import open_tasks
from storage.db import Database
from storage.models import (
    ActionItem,
    Incident,
    IncidentStatus,
    JiraStatus,
    Postmortem,
    PostmortemStatus,
)

WHYS = 5
FIELD_MAX = 3000


@dataclass(frozen=True)
class DraftFields:
    summary: str = ""
    impact: str = ""
    users_affected: str = ""
    whys: tuple[str, ...] = ()
    contributing_factors: str = ""
    went_well: str = ""
    went_poorly: str = ""


@dataclass(frozen=True)
class DraftForm:
    fields: DraftFields
    items: list[ItemInput]


@dataclass
class Draft:
    """What the form shows: the saved draft, or one pre-filled from the incident."""

    incident: Incident
    postmortem: Postmortem
    items: list[ActionItem] = field(default_factory=list)
    suggested: list[ItemInput] = field(default_factory=list)  # open tasks, when no items yet


async def load_draft(db: Database, incident_id: int) -> Draft:
    async with db.session() as session:
        incident = await session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("That incident no longer exists.")
        postmortem = await _postmortem(session, incident_id)
        items = list(
            (
                await session.exec(
                    select(ActionItem)
                    .where(ActionItem.incident_id == incident_id)
                    .order_by(col(ActionItem.position), col(ActionItem.id))
                )
            ).all()
        )
        suggested: list[ItemInput] = []
        if postmortem is None and not items:
            tasks = await open_tasks(session, incident_id)
            suggested = [ItemInput(text=t.text, owner=t.assignee) for t in tasks]
    if postmortem is None:
        postmortem = Postmortem(
            incident_id=incident_id,
            summary=incident.resolution_summary or incident.description,
            created_at=incident.updated_at,
            updated_at=incident.updated_at,
        )
    return Draft(incident, postmortem, items, suggested)


async def save(
    db: Database,
    clock: Clock,
    config: OpsConfig,
    incident: Incident,
    actor: Actor,
    form: DraftForm,
    *,
    publish: bool,
    jira_enabled: bool,
) -> Postmortem:
    """Store the form and, when asked, publish it, all in one transaction: a refused publish
    stores nothing. Items go to Jira once the postmortem is published, so an item edited
    while drafting is filed once, as finally written."""
    await check_can_change(db, incident, actor)
    assert incident.id is not None
    now = clock.now()
    async with db.transaction() as session:
        stored = await session.get(Incident, incident.id, with_for_update=True)
        if stored is None:
            raise NotFound("That incident no longer exists.")
        if publish and stored.status != IncidentStatus.RESOLVED:
            raise DomainError(f"INC-{stored.number} is not resolved yet: resolve it, then publish.")
        postmortem = await _postmortem(session, incident.id, lock=True) or Postmortem(
            incident_id=incident.id, created_by=actor.user_id, created_at=now, updated_at=now
        )
        _fill(postmortem, form.fields, actor, now)
        if publish or postmortem.status == PostmortemStatus.PUBLISHED:
            _publish(postmortem, stored, config, actor, now)  # an edit republishes
        session.add(postmortem)
        published = postmortem.status == PostmortemStatus.PUBLISHED
        await save_items(
            session, incident.id, form.items, actor.user_id, now, jira_enabled and published
        )
        if jira_enabled and published:
            await session.exec(
                update(ActionItem)
                .where(
                    col(ActionItem.incident_id) == incident.id,
                    col(ActionItem.jira_key).is_(None),
                    col(ActionItem.completed_at).is_(None),
                    col(ActionItem.jira_status) == JiraStatus.NONE.value,
                )
                .values(jira_status=JiraStatus.PENDING.value, jira_due_at=now)
            )
    return postmortem


def _fill(postmortem: Postmortem, fields: DraftFields, actor: Actor, now: datetime) -> None:
    postmortem.summary = fields.summary.strip()[:FIELD_MAX]
    postmortem.impact = fields.impact.strip()[:FIELD_MAX]
    postmortem.users_affected = fields.users_affected.strip()[:FIELD_MAX]
    postmortem.whys = [w.strip()[:FIELD_MAX] for w in fields.whys[:WHYS]]
    postmortem.contributing_factors = fields.contributing_factors.strip()[:FIELD_MAX]
    postmortem.went_well = fields.went_well.strip()[:FIELD_MAX]
    postmortem.went_poorly = fields.went_poorly.strip()[:FIELD_MAX]
    postmortem.updated_by = actor.user_id
    postmortem.updated_at = now


def _publish(
    postmortem: Postmortem, incident: Incident, config: OpsConfig, actor: Actor, now: datetime
) -> None:
    """Published, the Slack side due now, and the incident closed: its war room is archived
    after `lifecycle.archive_after_postmortem`."""
    if postmortem.status != PostmortemStatus.PUBLISHED:
        postmortem.status = PostmortemStatus.PUBLISHED.value
        postmortem.published_by = actor.user_id
        postmortem.published_at = now
    postmortem.publish_due_at = now
    postmortem.publish_fence += 1
    postmortem.publish_error = None
    if incident.closed_at is None:
        incident.closed_at = now
        incident.updated_at = now
        if not incident.archived:
            incident.archive_at = now + config.lifecycle.archive_after_postmortem


async def _postmortem(
    session: AsyncSession, incident_id: int, *, lock: bool = False
) -> Postmortem | None:
    query = select(Postmortem).where(Postmortem.incident_id == incident_id)
    if lock:
        query = query.with_for_update()
    return (await session.exec(query)).first()
