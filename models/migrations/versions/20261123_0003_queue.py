"""queue: saved filters, attachments, alert bookkeeping, full-text index over cases

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23 06:00:00

On SQLite the FTS5 table ``cases_fts`` (trigram tokenizer) is created over the
case number, title, description and address, filled from the existing cases and
kept in step by triggers. PostgreSQL (the county server) gets the plain tables
only; its queue search falls back to ILIKE.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.types
from models.queue import FTS_CREATE, FTS_DROP, FTS_REBUILD, QUEUE_INDEXES, QUEUE_INDEXES_CREATE

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "queue_saved_filters",
        sa.Column("seq", _SEQ, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("user_id", "name", name="uq_queue_saved_filter_name"),
    )
    op.create_table(
        "case_attachments",
        sa.Column("seq", _SEQ, autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=120), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("added_by", sa.String(length=36), nullable=True),
        sa.Column("added_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_case_attachments_case", "case_attachments", ["case_id", "seq"])
    op.create_table(
        "queue_alerts",
        sa.Column("seq", _SEQ, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("deadline", models.types.UTCDateTime(), nullable=False),
        sa.Column("raised_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("seen", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("user_id", "case_id", "kind", "deadline", name="uq_queue_alert"),
    )
    op.create_index("ix_queue_alerts_user_seen", "queue_alerts", ["user_id", "seen"])
    for statement in QUEUE_INDEXES_CREATE:
        op.execute(statement)
    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_CREATE:
            op.execute(statement)
        op.execute(FTS_REBUILD)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_DROP:
            op.execute(statement)
    for name in QUEUE_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index("ix_queue_alerts_user_seen", table_name="queue_alerts")
    op.drop_table("queue_alerts")
    op.drop_index("ix_case_attachments_case", table_name="case_attachments")
    op.drop_table("case_attachments")
    op.drop_table("queue_saved_filters")
