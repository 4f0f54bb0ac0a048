"""queue sort indexes (issue 17): every sort order of the queue has an index in its order

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:00:00

The queue pages by keyset seek (services/cases/queue.py ``Ordering.segments``):
a page after a known row is one seek in an index whose columns are the sort's
keys, the rowid last. Two orders had none: urgency (no index at all) and the
assignee (``ix_cases_assignee`` has the state between the assignee and the
rowid, so each page sorted every case of one assignee).
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_urgency", "cases", ["urgency"])
    op.create_index("ix_cases_assignee_order", "cases", ["assignee_type", "assignee_id"])


def downgrade() -> None:
    op.drop_index("ix_cases_assignee_order", table_name="cases")
    op.drop_index("ix_cases_urgency", table_name="cases")
