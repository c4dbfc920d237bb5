"""Timeline capture (captured messages), deploys, postmortems and their action items.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

text = sqlmodel.sql.sqltypes.AutoString
CAPTURED_ONLY = sa.text("message_ts IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("timeline_entry") as batch:
        batch.add_column(sa.Column("message_channel", text(length=32), nullable=True))
        batch.add_column(sa.Column("message_ts", text(length=32), nullable=True))
        batch.add_column(
            sa.Column("pinned_by", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(
            sa.Column("files", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(sa.Column("edited_at", UTCDateTime(), nullable=True))
    op.create_index(
        "uq_timeline_entry_message",
        "timeline_entry",
        ["incident_id", "message_channel", "message_ts"],
        unique=True,
        sqlite_where=CAPTURED_ONLY,
        postgresql_where=CAPTURED_ONLY,
    )
    op.create_table(
        "deploy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", text(length=80), nullable=False),
        sa.Column("version", text(length=200), nullable=False),
        sa.Column("description", text(), nullable=False),
        sa.Column("url", text(length=1024), nullable=True),
        sa.Column("author", text(length=255), nullable=False),
        sa.Column("source", text(length=80), nullable=False),
        sa.Column("deployed_at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deploy_service_deployed_at", "deploy", ["service", "deployed_at"])
    op.create_table(
        "postmortem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("status", text(length=16), nullable=False),
        sa.Column("summary", text(), nullable=False),
        sa.Column("impact", text(), nullable=False),
        sa.Column("users_affected", text(), nullable=False),
        sa.Column("whys", sa.JSON(), nullable=False),
        sa.Column("contributing_factors", text(), nullable=False),
        sa.Column("went_well", text(), nullable=False),
        sa.Column("went_poorly", text(), nullable=False),
        sa.Column("created_by", text(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", text(length=32), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("published_by", text(length=32), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("report_md", text(), nullable=False),
        sa.Column("canvas_id", text(length=64), nullable=True),
        sa.Column("file_id", text(length=64), nullable=True),
        sa.Column("publish_due_at", UTCDateTime(), nullable=True),
        sa.Column("publish_fence", sa.Integer(), nullable=False),
        sa.Column("publish_error", text(), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id"),
    )
    op.create_index("ix_postmortem_published_at", "postmortem", ["published_at"])
    op.create_index("ix_postmortem_publish_due_at", "postmortem", ["publish_due_at"])
    op.create_table(
        "action_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", text(), nullable=False),
        sa.Column("owner", text(length=32), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("created_by", text(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("jira_status", text(length=16), nullable=False),
        sa.Column("jira_key", text(length=64), nullable=True),
        sa.Column("jira_url", text(length=1024), nullable=True),
        sa.Column("jira_error", text(), nullable=True),
        sa.Column("jira_attempts", sa.Integer(), nullable=False),
        sa.Column("jira_due_at", UTCDateTime(), nullable=True),
        sa.Column("jira_fence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_action_item_incident_id", "action_item", ["incident_id"])
    op.create_index("ix_action_item_owner", "action_item", ["owner"])
    op.create_index("ix_action_item_jira_due_at", "action_item", ["jira_due_at"])


def downgrade() -> None:
    op.drop_table("action_item")
    op.drop_table("postmortem")
    op.drop_table("deploy")
    op.drop_index("uq_timeline_entry_message", table_name="timeline_entry")
    with op.batch_alter_table("timeline_entry") as batch:
        for column in ("edited_at", "files", "pinned_by", "message_ts", "message_channel"):
            batch.drop_column(column)
