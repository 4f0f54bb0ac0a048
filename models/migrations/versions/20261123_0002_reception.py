"""reception desk: indexes for the duplicate-case check

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain CREATE INDEX (no batch copy of the table): fine on SQLite and PostgreSQL.
    op.create_index(
        "ix_cases_duplicate_grid",
        "cases",
        ["category_code", "grid_id", "created_at", "state"],
        unique=False,
    )
    op.create_index(
        "ix_cases_duplicate_point",
        "cases",
        ["category_code", "lat", "lon", "created_at", "state", "grid_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_cases_duplicate_point", table_name="cases")
    op.drop_index("ix_cases_duplicate_grid", table_name="cases")
