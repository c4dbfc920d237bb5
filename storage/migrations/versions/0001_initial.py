"""Initial schema: counters, incidents, the user directory and services.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

text = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    counter = op.create_table(
        "counter",
        sa.Column("name", text(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.bulk_insert(counter, [{"name": "incident_number", "value": 0}])
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", text(length=200), nullable=False),
        sa.Column("description", text(), nullable=False),
        sa.Column("severity", text(length=16), nullable=False),
        sa.Column("status", text(length=16), nullable=False),
        sa.Column("service", text(length=80), nullable=True),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("channel_id", text(length=32), nullable=True),
        sa.Column("conference_url", text(length=1024), nullable=True),
        sa.Column("declared_by", text(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("detected_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("identified_at", UTCDateTime(), nullable=True),
        sa.Column("mitigated_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id"),
    )
    op.create_index("ix_incident_number", "incident", ["number"], unique=True)
    op.create_index("ix_incident_service", "incident", ["service"], unique=False)
    op.create_table(
        "user",
        sa.Column("id", text(length=32), nullable=False),
        sa.Column("name", text(length=255), nullable=False),
        sa.Column("real_name", text(length=255), nullable=False),
        sa.Column("email", text(length=320), nullable=True),
        sa.Column("tz", text(length=64), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "service",
        sa.Column("name", text(length=80), nullable=False),
        sa.Column("description", text(), nullable=False),
        sa.Column("runbook_url", text(length=1024), nullable=True),
        sa.Column("owners", sa.JSON(), nullable=False),
        sa.Column("subscribers", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("service")
    op.drop_table("user")
    op.drop_index("ix_incident_service", table_name="incident")
    op.drop_index("ix_incident_number", table_name="incident")
    op.drop_table("incident")
    op.drop_table("counter")
