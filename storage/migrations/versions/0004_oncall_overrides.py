"""On-call covers set from Slack (`/oncall override`).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

text = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "oncall_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule", text(length=80), nullable=False),
        sa.Column("user_id", text(length=32), nullable=False),
        sa.Column("start_at", UTCDateTime(), nullable=False),
        sa.Column("end_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", text(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_oncall_override_schedule", "oncall_override", ["schedule"])
    op.create_index("ix_oncall_override_end_at", "oncall_override", ["end_at"])


def downgrade() -> None:
    op.drop_index("ix_oncall_override_end_at", table_name="oncall_override")
    op.drop_index("ix_oncall_override_schedule", table_name="oncall_override")
    op.drop_table("oncall_override")
