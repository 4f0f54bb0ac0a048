"""join the reception and queue branches

The two features added their migrations side by side; this merge point gives the
next migration a single parent. It changes no table.

Revision ID: 0004
Revises: 0002, 0003
Create Date: 2026-11-23 06:06:06.268589
"""

from __future__ import annotations

revision = "0004"
down_revision = ("0002", "0003")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: a merge of two branches."""


def downgrade() -> None:
    """Nothing to change: a merge of two branches."""
