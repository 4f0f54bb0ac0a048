"""bulletin archive (issue 16): every exported bulletin, its as-at time and hashes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:00:00

One row per exported bulletin file (workbook, document or PDF): its period,
scope, the moment its figures were taken (``as_at``) with the last event stored
then (``event_seq``), format, file name, who exported it, when, and two
SHA-256 hashes — of the file and of its figures (docs/figures.md "The archive").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bulletin_exports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("period_key", sa.String(length=40), nullable=False),
        sa.Column("scope_id", sa.String(length=15), nullable=False),
        sa.Column("scope_name", sa.String(length=100), nullable=False),
        sa.Column("as_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("figures_sha256", sa.String(length=64), nullable=False),
        sa.Column("exported_by", sa.String(length=36), nullable=False),
        sa.Column("exported_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_bulletin_exports_exported_at", "bulletin_exports", ["exported_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_bulletin_exports_exported_at", table_name="bulletin_exports")
    op.drop_table("bulletin_exports")
