"""The county server's tables: devices, tokens, login throttle, change feed, case scopes.

Revision ID: s0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "srv_devices",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("user_id", sa.String(36)),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "srv_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36), nullable=False, index=True),
        sa.Column("device_id", sa.String(64)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False, index=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "srv_login_throttle",
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", UTCDateTime(), nullable=False),
        sa.Column("locked_until", UTCDateTime()),
    )
    op.create_table(
        "srv_changes",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("item_id", sa.String(40), nullable=False),
        sa.Column("scope", sa.String(15)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_srv_changes_scope_seq", "srv_changes", ["scope", "seq"])
    op.create_table(
        "srv_case_scopes",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("scope", sa.String(15), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("srv_case_scopes")
    op.drop_index("ix_srv_changes_scope_seq", "srv_changes")
    op.drop_table("srv_changes")
    op.drop_table("srv_login_throttle")
    op.drop_table("srv_tokens")
    op.drop_table("srv_devices")
