"""Alert groups: index (service, first_seen) for the storm check, replacing (service).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alert_group_service_first_seen", "alert_group", ["service", "first_seen"])
    op.drop_index("ix_alert_group_service", table_name="alert_group")


def downgrade() -> None:
    op.create_index("ix_alert_group_service", "alert_group", ["service"])
    op.drop_index("ix_alert_group_service_first_seen", table_name="alert_group")
