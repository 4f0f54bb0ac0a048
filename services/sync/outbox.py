"""Push bookkeeping: the next batch of the outbox and what the county answered.

``accepted``/``duplicate`` mark an item sent; ``rejected`` keeps it with the
code and message, marks a rejected event in ``case_events`` (it stays there,
left out of the projection) and re-projects the case; a failed push leaves the
items pending with a back-off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from models.enums import OutboxKind, OutboxStatus
from models.tables import CaseEvent, OutboxItem
from models.types import utcnow
from services.sync.apply import chunks, reproject_cases
from services.sync.config import PUSH_BATCH
from services.sync.report import RoundReport

MISSING_BLOB_NOTE = "missing_blob: the county lacks a file"
"""``last_error`` of a pending event the county still answers ``missing_blob`` after the
round's uploads (services.sync.engine); services.sync.missing_files lists them."""


# ---------------------------------------------------------------- push bookkeeping
@dataclass
class Batch:
    seqs: list[int]
    visits: list[dict[str, Any]]
    events: list[dict[str, Any]]
    kinds: dict[str, str]  # item id → kind

    @property
    def size(self) -> int:
        return len(self.seqs)


def make_batch(items: Sequence[OutboxItem]) -> Batch:
    batch = Batch([], [], [], {})
    for item in items:
        batch.seqs.append(item.seq)
        batch.kinds[item.item_id] = item.kind
        (batch.visits if item.kind == OutboxKind.VISIT else batch.events).append(item.payload)
    return batch


def next_batch(session: Session, limit: int = PUSH_BATCH, after: int = 0) -> Batch | None:
    items = list(
        session.scalars(
            select(OutboxItem)
            .where(OutboxItem.status == OutboxStatus.PENDING, OutboxItem.seq > after)
            .order_by(OutboxItem.seq)
            .limit(limit)
        )
    )
    if not items:
        return None
    batch = Batch([], [], [], {})
    for item in items:
        batch.seqs.append(item.seq)
        batch.kinds[item.item_id] = item.kind
        (batch.visits if item.kind == OutboxKind.VISIT else batch.events).append(item.payload)
    return batch


@dataclass
class Rejection:
    seq: int
    kind: str
    item_id: str
    code: str
    message: str


@dataclass
class PushOutcome:
    accepted: int = 0
    duplicate: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    unanswered: int = 0
    report: RoundReport = field(default_factory=RoundReport)  # the answers per kind


def record_results(
    session: Session, batch: Batch, results: Sequence[Mapping[str, Any]]
) -> PushOutcome:
    """Store the server's answer to one push (one transaction): the items it accepted
    or already held are marked sent with one statement, the others one statement per
    kind of answer; the cases of rejected events are re-projected together."""
    outcome = PushOutcome()
    by_id = {str(r.get("id")): r for r in results if isinstance(r, Mapping)}
    table: Any = OutboxItem.__table__
    items = {}
    for chunk in chunks(batch.seqs, 1000):
        for row in session.execute(
            select(table.c.seq, table.c.kind, table.c.item_id, table.c.status).where(
                table.c.seq.in_(chunk)
            )
        ):
            items[row.seq] = row
    sent: list[int] = []
    unanswered: list[int] = []
    refused: list[dict[str, Any]] = []
    refused_events: dict[str, tuple[str, str]] = {}  # event id → (code, message)
    for seq in batch.seqs:
        item = items.get(seq)
        if item is None or item.status != OutboxStatus.PENDING:
            continue
        answer = by_id.get(item.item_id)
        status = answer.get("status") if answer else None
        if status in ("accepted", "duplicate", "rejected"):
            outcome.report.add_answer(item.kind, str(status))
        if status in ("accepted", "duplicate"):
            sent.append(seq)
            if status == "accepted":
                outcome.accepted += 1
            else:
                outcome.duplicate += 1
        elif status == "rejected":
            assert answer is not None
            code = str(answer.get("code") or "invalid")[:30]
            message = str(answer.get("message") or "")
            refused.append({"item_seq": seq, "code": code, "message": message})
            outcome.rejected.append(Rejection(seq, item.kind, item.item_id, code, message))
            if item.kind == OutboxKind.CASE_EVENT:
                refused_events[item.item_id] = (code, message)
        else:
            unanswered.append(seq)
            outcome.unanswered += 1
    session.flush()
    attempts = func.coalesce(table.c.attempts, 0) + 1
    for chunk in chunks(sent, 1000):
        session.execute(
            update(table)
            .where(table.c.seq.in_(chunk))
            .values(status=OutboxStatus.SENT, last_error=None, attempts=attempts)
        )
    if refused:
        session.execute(
            update(table)
            .where(table.c.seq == bindparam("item_seq"))
            .values(
                status=OutboxStatus.REJECTED,
                reject_code=bindparam("code"),
                reject_message=bindparam("message"),
                attempts=attempts,
            ),
            refused,
        )
    for chunk in chunks(unanswered, 1000):
        session.execute(
            update(table)
            .where(table.c.seq.in_(chunk))
            .values(last_error="no answer for this item", attempts=attempts)
        )
    done = {*sent, *unanswered, *(row["item_seq"] for row in refused)}
    for obj in list(session.identity_map.values()):
        if isinstance(obj, OutboxItem) and obj.seq in done:
            session.expire(obj)
    touched_cases: set[str] = set()
    for ids in chunks(sorted(refused_events)):
        for event in session.scalars(select(CaseEvent).where(CaseEvent.id.in_(ids))):
            if event.server_seq is None:
                touched_cases.add(event.case_id)
                mark_rejected(event, *refused_events[event.id])
    session.flush()
    reproject_cases(session, touched_cases)
    return outcome


def mark_rejected(row: CaseEvent, code: str, message: str) -> None:
    """The county refused this local event: it stays, marked, out of the projection."""
    row.rejected_code = code[:30]
    row.rejected_message = message
    row.rejected_at = utcnow()


def note_failure(session: Session, seqs: Sequence[int], error: str) -> None:
    for chunk in chunks(list(seqs)):
        for item in session.scalars(select(OutboxItem).where(OutboxItem.seq.in_(chunk))):
            if item.status == OutboxStatus.PENDING:
                item.attempts = (item.attempts or 0) + 1
                item.last_error = error[:500]
                item.next_attempt_at = utcnow()
