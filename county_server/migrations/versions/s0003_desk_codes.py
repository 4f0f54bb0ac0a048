"""Desk codes (docs/protocol.md): each desk of a street gets a 2-digit code for its case numbers.

Revision ID: s0003
Revises: s0002
"""

import sqlalchemy as sa
from alembic import op

revision = "s0003"
down_revision = "s0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("srv_devices") as batch:
        batch.add_column(sa.Column("street", sa.String(9)))
        batch.add_column(sa.Column("desk_code", sa.String(2)))
        batch.create_unique_constraint("uq_srv_devices_desk_code", ["street", "desk_code"])


def downgrade() -> None:
    with op.batch_alter_table("srv_devices") as batch:
        batch.drop_constraint("uq_srv_devices_desk_code", type_="unique")
        batch.drop_column("desk_code")
        batch.drop_column("street")
