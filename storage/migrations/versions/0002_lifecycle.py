"""Incident lifecycle: roles, members, tasks, timeline, due-work columns, periodic jobs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

text = sqlmodel.sql.sqltypes.AutoString
CURRENT_ONLY = sa.text("relieved_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "periodic_job",
        sa.Column("name", text(length=64), nullable=False),
        sa.Column("next_run_at", UTCDateTime(), nullable=False),
        sa.Column("fence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "incident_member",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("user_id", text(length=32), nullable=False),
        sa.Column("reason", text(length=32), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("incident_id", "user_id"),
    )
    op.create_table(
        "incident_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("role", text(length=32), nullable=False),
        sa.Column("user_id", text(length=32), nullable=False),
        sa.Column("assigned_by", text(length=32), nullable=True),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.Column("relieved_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_incident_role_incident_id", "incident_role", ["incident_id"])
    op.create_index(
        "uq_incident_role_current",
        "incident_role",
        ["incident_id", "role"],
        unique=True,
        sqlite_where=CURRENT_ONLY,
        postgresql_where=CURRENT_ONLY,
    )
    op.create_table(
        "incident_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("text", text(), nullable=False),
        sa.Column("assignee", text(length=32), nullable=True),
        sa.Column("created_by", text(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("completed_by", text(length=32), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_incident_task_assignee", "incident_task", ["assignee"])
    op.create_index("ix_incident_task_incident_id", "incident_task", ["incident_id"])
    op.create_table(
        "timeline_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", text(length=32), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("actor", text(length=32), nullable=True),
        sa.Column("text", text(), nullable=False),
        sa.Column("source_url", text(length=1024), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_timeline_entry_incident_id", "timeline_entry", ["incident_id"])

    with op.batch_alter_table("incident") as batch:
        batch.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("resolution_summary", text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("last_update_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("last_update_text", text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("channel_name", text(length=80), nullable=True))
        batch.add_column(sa.Column("command_center_ts", text(length=32), nullable=True))
        batch.add_column(sa.Column("announcement_ts", text(length=32), nullable=True))
        batch.add_column(sa.Column("next_nudge_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("nudge_fence", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("archive_at", UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("sync_due_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("sync_fence", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_incident_archive_at", ["archive_at"])
        batch.create_index("ix_incident_next_nudge_at", ["next_nudge_at"])
        batch.create_index("ix_incident_sync_due_at", ["sync_due_at"])
    op.execute("UPDATE incident SET last_update_at = created_at")
    with op.batch_alter_table("incident") as batch:
        batch.alter_column("last_update_at", existing_type=UTCDateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.drop_index("ix_incident_sync_due_at")
        batch.drop_index("ix_incident_next_nudge_at")
        batch.drop_index("ix_incident_archive_at")
        for column in (
            "sync_fence",
            "sync_due_at",
            "archived",
            "archive_at",
            "nudge_fence",
            "next_nudge_at",
            "announcement_ts",
            "command_center_ts",
            "channel_name",
            "last_update_text",
            "last_update_at",
            "resolution_summary",
            "closed_at",
        ):
            batch.drop_column(column)
    op.drop_table("timeline_entry")
    op.drop_table("incident_task")
    op.drop_table("incident_role")
    op.drop_table("incident_member")
    op.drop_table("periodic_job")
