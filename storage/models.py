"""SQLModel tables. Every change here needs an Alembic revision in storage/migrations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class IncidentStatus(StrEnum):
    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


def _utc(nullable: bool = True) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


class Counter(SQLModel, table=True):
    """Named monotonic counters; one UPDATE … RETURNING hands out each value exactly once."""

    __tablename__ = "counter"

    name: str = Field(primary_key=True, max_length=64)
    value: int = Field(default=0)


class Incident(SQLModel, table=True):
    __tablename__ = "incident"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True, index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="")
    severity: str = Field(max_length=16)
    status: str = Field(default=IncidentStatus.TRIGGERED.value, max_length=16)
    service: str | None = Field(default=None, max_length=80, index=True)
    private: bool = Field(default=False)
    channel_id: str | None = Field(default=None, max_length=32, unique=True)
    conference_url: str | None = Field(default=None, max_length=1024)
    declared_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    updated_at: datetime = Field(sa_column=_utc(nullable=False))
    detected_at: datetime = Field(sa_column=_utc(nullable=False))
    acknowledged_at: datetime | None = Field(default=None, sa_column=_utc())
    identified_at: datetime | None = Field(default=None, sa_column=_utc())
    mitigated_at: datetime | None = Field(default=None, sa_column=_utc())
    resolved_at: datetime | None = Field(default=None, sa_column=_utc())


class User(SQLModel, table=True):
    """A cache of Slack's user directory, refreshed from users.info when stale."""

    __tablename__ = "user"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=255)
    real_name: str = Field(default="", max_length=255)
    email: str | None = Field(default=None, max_length=320)
    tz: str = Field(default="UTC", max_length=64)
    is_admin: bool = Field(default=False)
    deleted: bool = Field(default=False)
    fetched_at: datetime = Field(sa_column=_utc(nullable=False))


class Service(SQLModel, table=True):
    """The config's services mirrored into storage, so incidents can join on them."""

    __tablename__ = "service"

    name: str = Field(primary_key=True, max_length=80)
    description: str = Field(default="")
    runbook_url: str | None = Field(default=None, max_length=1024)
    owners: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    subscribers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = Field(default=True)
