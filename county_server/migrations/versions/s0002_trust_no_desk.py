"""docs/protocol.md: refresh tokens, wider feed scope keys (departments and grid
workers), and the visits accepted before 1.1 marked as such.

Revision ID: s0002
Revises: s0001
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision = "s0002"
down_revision = "s0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "srv_refresh_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36), nullable=False, index=True),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False, index=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("revoked_reason", sa.String(20)),
    )
    with op.batch_alter_table("srv_tokens") as batch:
        batch.add_column(sa.Column("refresh_hash", sa.String(64)))
        batch.create_index("ix_srv_tokens_refresh_hash", ["refresh_hash"])
    with op.batch_alter_table("srv_changes") as batch:
        batch.alter_column("scope", type_=sa.String(60), existing_type=sa.String(15))
    with op.batch_alter_table("srv_case_scopes") as batch:
        batch.alter_column(
            "scope", type_=sa.String(60), existing_type=sa.String(15), existing_nullable=False
        )
    # Departments and grid workers receive the cases ever dispatched to them (1.1):
    # give the cases the county holds their keys, and those users the history.
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "INSERT INTO srv_case_scopes (case_id, scope) "
            "SELECT DISTINCT case_id, CASE assignee_type WHEN 'department' THEN 'd:' "
            "ELSE 'u:' END || assignee_id FROM case_events WHERE type = 'dispatched' "
            "AND assignee_type IN ('department', 'grid_worker') AND assignee_id IS NOT NULL"
        )
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    role_key = "(s.scope LIKE 'd:%' OR s.scope LIKE 'u:%')"
    bind.execute(
        sa.text(
            "INSERT INTO srv_changes (kind, item_id, scope, created_at) "
            "SELECT 'visit', v.id, s.scope, :now FROM visits v "
            f"JOIN srv_case_scopes s ON s.case_id = v.case_id WHERE {role_key} ORDER BY v.at"
        ),
        {"now": now},
    )
    bind.execute(
        sa.text(
            "INSERT INTO srv_changes (kind, item_id, scope, created_at) "
            "SELECT 'case_event', e.id, s.scope, :now FROM case_events e "
            f"JOIN srv_case_scopes s ON s.case_id = e.case_id WHERE {role_key} ORDER BY e.seq"
        ),
        {"now": now},
    )
    # Visits the county holds from before 1.1: their author was not checked.
    op.execute(
        "UPDATE visits SET pushed_by = received_by, push_protocol = '1.0', "
        "received_at = created_at WHERE push_protocol IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("srv_case_scopes") as batch:
        batch.alter_column("scope", type_=sa.String(15), existing_type=sa.String(60))
    with op.batch_alter_table("srv_changes") as batch:
        batch.alter_column("scope", type_=sa.String(15), existing_type=sa.String(60))
    with op.batch_alter_table("srv_tokens") as batch:
        batch.drop_index("ix_srv_tokens_refresh_hash")
        batch.drop_column("refresh_hash")
    op.drop_table("srv_refresh_tokens")
