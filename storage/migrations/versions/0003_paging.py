"""Paging: escalation state on incidents, the page outbox, round-robin and user-group caches.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

text = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "team_rotation",
        sa.Column("team", text(length=80), nullable=False),
        sa.Column("next_index", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team"),
    )
    op.create_table(
        "usergroup_member",
        sa.Column("usergroup_id", text(length=32), nullable=False),
        sa.Column("user_id", text(length=32), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("usergroup_id", "user_id"),
    )
    op.create_table(
        "page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("loop", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("user_id", text(length=32), nullable=False),
        sa.Column("via", text(length=100), nullable=False),
        sa.Column("status", text(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", text(), nullable=True),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "loop", "step", "user_id", name="uq_page_step_user"),
    )
    op.create_index("ix_page_incident_id", "page", ["incident_id"])
    op.create_index("ix_page_next_attempt_at", "page", ["next_attempt_at"])
    with op.batch_alter_table("incident") as batch:
        batch.add_column(sa.Column("escalation_policy", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("escalation_state", text(length=16), nullable=False, server_default="none")
        )
        for column in (
            "current_escalation_step",
            "escalation_loop",
            "escalation_loop_start",
            "escalation_fence",
        ):
            batch.add_column(sa.Column(column, sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_escalation_at", UTCDateTime(), nullable=True))
        batch.create_index("ix_incident_next_escalation_at", ["next_escalation_at"])


def downgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.drop_index("ix_incident_next_escalation_at")
        for column in (
            "next_escalation_at",
            "escalation_fence",
            "escalation_loop_start",
            "escalation_loop",
            "current_escalation_step",
            "escalation_state",
            "escalation_policy",
        ):
            batch.drop_column(column)
    op.drop_index("ix_page_next_attempt_at", table_name="page")
    op.drop_index("ix_page_incident_id", table_name="page")
    op.drop_table("page")
    op.drop_table("usergroup_member")
    op.drop_table("team_rotation")
