"""authorship (docs/protocol.md): who pushed each item, credential changes, pulled items kept aside

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 01:10:00

Events and visits the county accepted before 1.1 get ``pushed_by`` = their
actor (or receiving user) and ``push_protocol`` = "1.0": the county did not
check then who pushed them. Items a desk has not yet had accepted keep NULL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _push_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("pushed_by", sa.String(length=36), nullable=True),
        sa.Column("pushed_device", sa.String(length=100), nullable=True),
        sa.Column("pushed_address", sa.String(length=64), nullable=True),
        sa.Column("push_protocol", sa.String(length=8), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("credentials_changed_at", models.types.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("case_events") as batch:
        for column in _push_columns():
            batch.add_column(column)
    with op.batch_alter_table("visits") as batch:
        batch.add_column(sa.Column("received_at", models.types.UTCDateTime(), nullable=True))
        for column in _push_columns():
            batch.add_column(column)
    op.execute(
        "UPDATE case_events SET pushed_by = actor_id, push_protocol = '1.0' "
        "WHERE received_at IS NOT NULL"
    )
    op.create_table(
        "sync_quarantine",
        sa.Column("seq", _SEQ, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=True),
        sa.Column("field", sa.String(length=80), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("server", sa.String(length=200), nullable=False),
        sa.Column("received_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "sync_prune",
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("kind", "item_id"),
    )


def downgrade() -> None:
    op.drop_table("sync_prune")
    op.drop_table("sync_quarantine")
    with op.batch_alter_table("visits") as batch:
        for name in (
            "push_protocol",
            "pushed_address",
            "pushed_device",
            "pushed_by",
            "received_at",
        ):
            batch.drop_column(name)
    with op.batch_alter_table("case_events") as batch:
        for name in ("push_protocol", "pushed_address", "pushed_device", "pushed_by"):
            batch.drop_column(name)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("credentials_changed_at")
