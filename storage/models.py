"""SQLModel tables. Every change here needs an Alembic revision in storage/migrations."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class IncidentStatus(StrEnum):
    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


def _empty_list() -> list[Any]:
    """A plain function, not `list`: pydantic inspects a factory's signature on every
    construction, and inspecting a builtin costs ~0.15 ms (it showed in alert intake)."""
    return []


def _empty_dict() -> dict[str, Any]:
    return {}


def _utc(nullable: bool = True, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


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
    closed_at: datetime | None = Field(default=None, sa_column=_utc())
    resolution_summary: str = Field(default="")
    last_update_at: datetime = Field(sa_column=_utc(nullable=False))
    last_update_text: str = Field(default="")
    channel_name: str | None = Field(default=None, max_length=80)
    command_center_ts: str | None = Field(default=None, max_length=32)
    announcement_ts: str | None = Field(default=None, max_length=32)
    # Due work, each guarded by a fence that changes whenever it is claimed or rescheduled.
    next_nudge_at: datetime | None = Field(default=None, sa_column=_utc(index=True))
    nudge_fence: int = Field(default=0)
    archive_at: datetime | None = Field(default=None, sa_column=_utc(index=True))
    archived: bool = Field(default=False)
    sync_due_at: datetime | None = Field(default=None, sa_column=_utc(index=True))
    sync_fence: int = Field(default=0)
    # Escalation: the policy as it was when escalation started, and where it stands.
    escalation_policy: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    escalation_state: str = Field(default="none", max_length=16)
    current_escalation_step: int = Field(default=0)
    escalation_loop: int = Field(default=0)
    escalation_loop_start: int = Field(default=0)
    next_escalation_at: datetime | None = Field(default=None, sa_column=_utc(index=True))
    escalation_fence: int = Field(default=0)


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
    owners: list[str] = Field(default_factory=_empty_list, sa_column=Column(JSON, nullable=False))
    subscribers: list[str] = Field(
        default_factory=_empty_list, sa_column=Column(JSON, nullable=False)
    )
    active: bool = Field(default=True)


class IncidentRole(SQLModel, table=True):
    """Who held which role when; at most one current holder per role."""

    __tablename__ = "incident_role"
    __table_args__ = (
        Index(
            "uq_incident_role_current",
            "incident_id",
            "role",
            unique=True,
            sqlite_where=text("relieved_at IS NULL"),
            postgresql_where=text("relieved_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    role: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    assigned_by: str | None = Field(default=None, max_length=32)
    assigned_at: datetime = Field(sa_column=_utc(nullable=False))
    relieved_at: datetime | None = Field(default=None, sa_column=_utc())


class IncidentMember(SQLModel, table=True):
    """Participants: who may see a private incident and change any incident."""

    __tablename__ = "incident_member"

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    user_id: str = Field(primary_key=True, max_length=32)
    reason: str = Field(max_length=32)
    added_at: datetime = Field(sa_column=_utc(nullable=False))


class IncidentTask(SQLModel, table=True):
    __tablename__ = "incident_task"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    text: str
    assignee: str | None = Field(default=None, max_length=32, index=True)
    created_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    completed_at: datetime | None = Field(default=None, sa_column=_utc())
    completed_by: str | None = Field(default=None, max_length=32)


class TimelineEntry(SQLModel, table=True):
    """Something that happened, stamped with when it happened rather than when we heard."""

    __tablename__ = "timeline_entry"
    __table_args__ = (
        Index(
            "uq_timeline_entry_message",
            "incident_id",
            "message_channel",
            "message_ts",
            unique=True,
            sqlite_where=text("message_ts IS NOT NULL"),
            postgresql_where=text("message_ts IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    kind: str = Field(max_length=32)
    occurred_at: datetime = Field(sa_column=_utc(nullable=False))
    actor: str | None = Field(default=None, max_length=32)
    text: str = Field(default="")
    source_url: str | None = Field(default=None, max_length=1024)
    pinned: bool = Field(default=False)
    hidden: bool = Field(default=False)
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    # A captured Slack message (📌 reaction, native pin, shortcut): which one, who pinned it
    # ("reaction:<user>" or "pin"), and the names of its files.
    message_channel: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    pinned_by: list[str] = Field(
        default_factory=_empty_list, sa_column=Column(JSON, nullable=False)
    )
    files: list[str] = Field(default_factory=_empty_list, sa_column=Column(JSON, nullable=False))
    edited_at: datetime | None = Field(default=None, sa_column=_utc())


class PeriodicJob(SQLModel, table=True):
    """A recurring job's next run, claimed with its fence so one replica runs each round."""

    __tablename__ = "periodic_job"

    name: str = Field(primary_key=True, max_length=64)
    next_run_at: datetime = Field(sa_column=_utc(nullable=False))
    fence: int = Field(default=0)


class PageStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Page(SQLModel, table=True):
    """One person paged for one step of one pass: the outbox every delivery channel reads."""

    __tablename__ = "page"
    __table_args__ = (
        UniqueConstraint("incident_id", "loop", "step", "user_id", name="uq_page_step_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    loop: int
    step: int
    user_id: str = Field(max_length=32)
    via: str = Field(default="", max_length=100)
    status: str = Field(default=PageStatus.PENDING.value, max_length=16)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None)
    next_attempt_at: datetime | None = Field(default=None, sa_column=_utc(index=True))
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=_utc())


class TeamRotation(SQLModel, table=True):
    """Where a round-robin team's rotation stands, so it rotates across incidents."""

    __tablename__ = "team_rotation"

    team: str = Field(primary_key=True, max_length=80)
    next_index: int = Field(default=0)


class UsergroupMember(SQLModel, table=True):
    """Slack user group membership, cached so paging never waits on Slack."""

    __tablename__ = "usergroup_member"

    usergroup_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    fetched_at: datetime = Field(sa_column=_utc(nullable=False))


class OnCallOverride(SQLModel, table=True):
    """A cover set from Slack (`/oncall override`): merged after the config's overrides, in
    creation order, so the latest cover wins where covers overlap."""

    __tablename__ = "oncall_override"

    id: int | None = Field(default=None, primary_key=True)
    schedule: str = Field(max_length=80, index=True)
    user_id: str = Field(max_length=32)
    start_at: datetime = Field(sa_column=_utc(nullable=False))
    end_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_column=_utc(nullable=False))


class AlertGroup(SQLModel, table=True):
    """Repeats of one alert, by (integration, dedup key). Only one may be open at a time."""

    __tablename__ = "alert_group"
    __table_args__ = (
        Index(
            "uq_alert_group_open",
            "integration",
            "dedup_key",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        # The storm check counts a service's groups of the last minute: without first_seen
        # in the index that count reads every group the service ever had.
        Index("ix_alert_group_service_first_seen", "service", "first_seen"),
    )

    id: int | None = Field(default=None, primary_key=True)
    integration: str = Field(max_length=80)
    dedup_key: str = Field(max_length=255)
    status: str = Field(default="open", max_length=16)
    service: str | None = Field(default=None, max_length=80)
    title: str = Field(default="")
    severity: str = Field(max_length=16)
    incident_id: int | None = Field(default=None, foreign_key="incident.id", index=True)
    count: int = Field(default=1)
    first_seen: datetime = Field(sa_column=_utc(nullable=False))
    last_seen: datetime = Field(sa_column=_utc(nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=_utc())


class Alert(SQLModel, table=True):
    """One alert of a group, tracked by its fingerprint (Alertmanager) or the dedup key."""

    __tablename__ = "alert"
    __table_args__ = (UniqueConstraint("group_id", "fingerprint", name="uq_alert_fingerprint"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="alert_group.id", index=True)
    fingerprint: str = Field(max_length=255)
    status: str = Field(default="firing", max_length=16)
    summary: str = Field(default="")
    labels: dict[str, Any] = Field(
        default_factory=_empty_dict, sa_column=Column(JSON, nullable=False)
    )
    links: list[dict[str, str]] = Field(
        default_factory=_empty_list, sa_column=Column(JSON, nullable=False)
    )
    starts_at: datetime | None = Field(default=None, sa_column=_utc())
    ends_at: datetime | None = Field(default=None, sa_column=_utc())
    last_seen: datetime = Field(sa_column=_utc(nullable=False))


class Deploy(SQLModel, table=True):
    """A deploy reported to `/hooks/deploy`, kept whether or not an incident is open."""

    __tablename__ = "deploy"
    __table_args__ = (Index("ix_deploy_service_deployed_at", "service", "deployed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    service: str = Field(max_length=80)
    version: str = Field(default="", max_length=200)
    description: str = Field(default="")
    url: str | None = Field(default=None, max_length=1024)
    author: str = Field(default="", max_length=255)
    source: str = Field(default="", max_length=80)
    deployed_at: datetime = Field(sa_column=_utc(nullable=False))
    received_at: datetime = Field(sa_column=_utc(nullable=False))


class PostmortemStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Postmortem(SQLModel, table=True):
    """The postmortem of one incident: a draft until published. Publishing records the
    rendered report and what was posted, and fences the retry of any part that failed."""

    __tablename__ = "postmortem"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", unique=True)
    status: str = Field(default=PostmortemStatus.DRAFT.value, max_length=16)
    summary: str = Field(default="")
    impact: str = Field(default="")
    users_affected: str = Field(default="")
    whys: list[str] = Field(default_factory=_empty_list, sa_column=Column(JSON, nullable=False))
    contributing_factors: str = Field(default="")
    went_well: str = Field(default="")
    went_poorly: str = Field(default="")
    created_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    updated_by: str | None = Field(default=None, max_length=32)
    updated_at: datetime = Field(sa_column=_utc(nullable=False))
    published_by: str | None = Field(default=None, max_length=32)
    published_at: datetime | None = Field(default=None, sa_column=_utc(index=True))
    report_md: str = Field(default="")
    canvas_id: str | None = Field(default=None, max_length=64)
    file_id: str | None = Field(default=None, max_length=64)
    publish_due_at: datetime | None = Field(default=None, sa_column=_utc(index=True))
    publish_fence: int = Field(default=0)
    publish_error: str | None = Field(default=None)


class JiraStatus(StrEnum):
    NONE = "none"
    PENDING = "pending"
    FILED = "filed"


class ActionItem(SQLModel, table=True):
    """A follow-up from a postmortem; filed in Jira through a fenced, retried outbox."""

    __tablename__ = "action_item"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    position: int = Field(default=0)
    text: str
    owner: str | None = Field(default=None, max_length=32, index=True)
    due_date: date | None = Field(default=None)
    created_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    completed_at: datetime | None = Field(default=None, sa_column=_utc())
    jira_status: str = Field(default=JiraStatus.NONE.value, max_length=16)
    jira_key: str | None = Field(default=None, max_length=64)
    jira_url: str | None = Field(default=None, max_length=1024)
    jira_error: str | None = Field(default=None)
    jira_attempts: int = Field(default=0)
    jira_due_at: datetime | None = Field(default=None, sa_column=_utc(index=True))
    jira_fence: int = Field(default=0)
