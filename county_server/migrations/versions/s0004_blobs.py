"""The blob store (docs/protocol.md "Blobs"): the files held, who uploaded each, and which
accepted event (of which case) names which blob. Events accepted before this revision that
name blobs are indexed here, so their files become readable once uploaded.

Revision ID: s0004
Revises: s0003
"""

import json

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision = "s0004"
down_revision = "s0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "srv_blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("stored_at", UTCDateTime(), nullable=False),
        sa.Column("uploaded_by", sa.String(36)),
    )
    op.create_table(
        "srv_blob_holders",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(64), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "srv_blob_refs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_srv_blob_refs_case_id", "srv_blob_refs", ["case_id"])
    _index_stored_events()


def _index_stored_events() -> None:
    """Index the attachments of events already stored (the schemas checked them at push)."""
    conn = op.get_bind()
    events = sa.table(
        "case_events",
        sa.column("id"),
        sa.column("case_id"),
        sa.column("type"),
        sa.column("data", sa.JSON),
    )
    refs = sa.table(
        "srv_blob_refs", sa.column("sha256"), sa.column("event_id"), sa.column("case_id")
    )
    rows = []
    query = sa.select(events.c.id, events.c.case_id, events.c.data).where(
        events.c.type == "feedback"
    )
    for event_id, case_id, data in conn.execute(query):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                continue
        entries = data.get("attachments") if isinstance(data, dict) else None
        shas = {
            entry.get("sha256")
            for entry in (entries if isinstance(entries, list) else [])
            if isinstance(entry, dict)
        }
        rows += [
            {"sha256": sha, "event_id": event_id, "case_id": case_id}
            for sha in sorted(s for s in shas if isinstance(s, str) and len(s) == 64)
        ]
    if rows:
        op.bulk_insert(refs, rows)


def downgrade() -> None:
    op.drop_index("ix_srv_blob_refs_case_id", "srv_blob_refs")
    op.drop_table("srv_blob_refs")
    op.drop_table("srv_blob_holders")
    op.drop_table("srv_blobs")
