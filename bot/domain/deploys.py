"""Deploys reported by CI/CD: stored always, and noted on every open incident of the service.

They are what the postmortem's "Likely trigger" section correlates with detection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, ValidationError
from sqlalchemy import update
from sqlmodel import col, select

from bot.clock import Clock
from bot.domain.timeline import MAX_TEXT, Kind
from bot.validators import Name, field_errors
from storage.db import Database
from storage.models import Deploy, Incident, IncidentStatus, TimelineEntry


class DeployError(Exception):
    """The body is not a valid deploy; `errors` lists each field's problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class DeployPayload(BaseModel):
    """`{service, version, description, url, author, timestamp}`; timestamp is ISO 8601 or
    Unix seconds and defaults to the time it arrived."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    service: Name
    version: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=MAX_TEXT)
    url: HttpUrl | None = None
    author: str = Field(default="", max_length=255)
    timestamp: Annotated[datetime, AfterValidator(_utc)] | None = None


@dataclass(frozen=True)
class Recorded:
    deploy: Deploy
    incident_ids: list[int]


def parse(body: Any) -> DeployPayload:
    if not isinstance(body, dict):
        raise DeployError(["body: must be a JSON object"])
    try:
        return DeployPayload.model_validate(body)
    except ValidationError as exc:
        raise DeployError(field_errors(exc)) from None


async def record(db: Database, clock: Clock, payload: DeployPayload, source: str) -> Recorded:
    """One transaction: the deploy, and an entry on each incident of the service still open."""
    now = clock.now()
    deployed_at = payload.timestamp or now
    deploy = Deploy(
        service=payload.service,
        version=payload.version,
        description=payload.description,
        url=str(payload.url) if payload.url else None,
        author=payload.author,
        source=source,
        deployed_at=deployed_at,
        received_at=now,
    )
    async with db.transaction() as session:
        session.add(deploy)
        open_ids = (
            await session.exec(
                select(Incident.id).where(
                    Incident.service == payload.service,
                    col(Incident.status) != IncidentStatus.RESOLVED.value,
                )
            )
        ).all()
        ids = [i for i in open_ids if i is not None]
        if ids:  # their command centers show the deploy at the next sweep
            await session.exec(
                update(Incident)
                .where(col(Incident.id).in_(ids))
                .values(sync_due_at=now, sync_fence=Incident.sync_fence + 1)
            )
        for incident_id in ids:
            session.add(
                TimelineEntry(
                    incident_id=incident_id,
                    kind=Kind.DEPLOY,
                    occurred_at=deployed_at,
                    text=describe(deploy),
                    source_url=deploy.url,
                    created_at=now,
                )
            )
    return Recorded(deploy, ids)


def describe(deploy: Deploy) -> str:
    """`Deploy of checkout v1.2.3 by alice: description`, the parts that are known."""
    text = f"Deploy of {deploy.service}"
    if deploy.version:
        text += f" {deploy.version}"
    if deploy.author:
        text += f" by {deploy.author}"
    if deploy.description:
        text += f": {deploy.description}"
    return text
