"""rejected events stay (SPEC: events are never deleted): the county's refusal is a mark

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 04:00:00

A local event the county rejects used to be removed from ``case_events`` (its
content kept only in the outbox). It now stays, marked with the county's code,
message and the time the answer came; the projection, the queue and the
figures leave marked events out. Events removed that way before this version
are put back from their outbox rows, marked.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def upgrade() -> None:
    with op.batch_alter_table("case_events") as batch:
        batch.add_column(sa.Column("rejected_code", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("rejected_message", sa.Text(), nullable=True))
        batch.add_column(sa.Column("rejected_at", models.types.UTCDateTime(), nullable=True))
    _restore_removed_events()


def _restore_removed_events() -> None:
    """Put back the events an earlier version removed on rejection, from the outbox."""
    bind = op.get_bind()
    outbox = sa.table(
        "sync_outbox",
        sa.column("kind", sa.String),
        sa.column("item_id", sa.String),
        sa.column("payload", sa.JSON),
        sa.column("status", sa.String),
        sa.column("reject_code", sa.String),
        sa.column("reject_message", sa.Text),
        sa.column("updated_at", models.types.UTCDateTime()),
    )
    events = sa.table(
        "case_events",
        sa.column("id", sa.String),
        sa.column("case_id", sa.String),
        sa.column("type", sa.String),
        sa.column("at", models.types.UTCDateTime()),
        sa.column("actor_id", sa.String),
        sa.column("data", sa.JSON),
        sa.column("assignee_type", sa.String),
        sa.column("assignee_id", sa.String),
        sa.column("ack_deadline", models.types.UTCDateTime()),
        sa.column("deadline", models.types.UTCDateTime()),
        sa.column("outcome", sa.String),
        sa.column("rejected_code", sa.String),
        sa.column("rejected_message", sa.Text),
        sa.column("rejected_at", models.types.UTCDateTime()),
    )
    held = {row[0] for row in bind.execute(sa.select(events.c.id))}
    rows = bind.execute(
        sa.select(
            outbox.c.item_id,
            outbox.c.payload,
            outbox.c.reject_code,
            outbox.c.reject_message,
            outbox.c.updated_at,
        ).where(
            outbox.c.kind == "case_event",
            outbox.c.status.in_(("rejected", "discarded")),
            outbox.c.reject_code.is_not(None),
        )
    ).all()
    for item_id, payload, code, message, updated_at in rows:
        if isinstance(payload, str):
            try:
                payload = json.loads(payload)
            except ValueError:
                continue
        if not isinstance(payload, dict) or item_id in held:
            continue
        at = _time(payload.get("at"))
        case_id = payload.get("case_id")
        if at is None or not isinstance(case_id, str) or not isinstance(payload.get("type"), str):
            continue
        data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
        bind.execute(
            events.insert().values(
                id=item_id,
                case_id=case_id[:36],
                type=str(payload["type"])[:16],
                at=at,
                actor_id=payload.get("actor_id")
                if isinstance(payload.get("actor_id"), str)
                else None,
                data=data,
                assignee_type=str(data.get("assignee_type"))[:12]
                if data.get("assignee_type")
                else None,
                assignee_id=str(data.get("assignee_id"))[:40] if data.get("assignee_id") else None,
                ack_deadline=_time(data.get("ack_deadline")),
                deadline=_time(data.get("deadline")),
                outcome=str(data.get("outcome"))[:24] if data.get("outcome") else None,
                rejected_code=str(code)[:30],
                rejected_message=message or "",
                rejected_at=updated_at,
            )
        )
        held.add(item_id)


def downgrade() -> None:
    op.execute("DELETE FROM case_events WHERE rejected_code IS NOT NULL AND server_seq IS NULL")
    with op.batch_alter_table("case_events") as batch:
        for name in ("rejected_at", "rejected_message", "rejected_code"):
            batch.drop_column(name)
