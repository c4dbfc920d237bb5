"""Alert intake: alert groups (one open per integration and dedup key) and their alerts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

text = sqlmodel.sql.sqltypes.AutoString
OPEN_ONLY = sa.text("status = 'open'")


def upgrade() -> None:
    op.create_table(
        "alert_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration", text(length=80), nullable=False),
        sa.Column("dedup_key", text(length=255), nullable=False),
        sa.Column("status", text(length=16), nullable=False),
        sa.Column("service", text(length=80), nullable=True),
        sa.Column("title", text(), nullable=False),
        sa.Column("severity", text(length=16), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_group_incident_id", "alert_group", ["incident_id"])
    op.create_index("ix_alert_group_service", "alert_group", ["service"])
    op.create_index(
        "uq_alert_group_open",
        "alert_group",
        ["integration", "dedup_key"],
        unique=True,
        sqlite_where=OPEN_ONLY,
        postgresql_where=OPEN_ONLY,
    )
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", text(length=255), nullable=False),
        sa.Column("status", text(length=16), nullable=False),
        sa.Column("summary", text(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=True),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["alert_group.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "fingerprint", name="uq_alert_fingerprint"),
    )
    op.create_index("ix_alert_group_id", "alert", ["group_id"])


def downgrade() -> None:
    op.drop_index("ix_alert_group_id", table_name="alert")
    op.drop_table("alert")
    op.drop_index("uq_alert_group_open", table_name="alert_group")
    op.drop_index("ix_alert_group_service", table_name="alert_group")
    op.drop_index("ix_alert_group_incident_id", table_name="alert_group")
    op.drop_table("alert_group")
