"""A desk that held data outside its new scope drops it (docs/protocol.md, issue 12).

A desk whose cursor was taken under 1.0 (or for another scope) pulls the feed
again from the beginning, once. Before that, every case and visit the county
had confirmed is marked in ``sync_prune``; each pulled item removes its mark;
when the pull reaches ``more: false`` what is still marked was not delivered
again, so it lies outside this desk's scope now and is deleted — never anything
with a pending or rejected outbox item. The marks live in the database and the
pages are applied one by one, so a crash half-way just carries on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.enums import OutboxKind, OutboxStatus
from models.queue import Attachment, QueueAlert
from models.tables import Case, CaseEvent, Draft, OutboxItem, SyncPrune, Visit
from services.audit import audit

CASE = "case"
VISIT = "visit"
_CHUNK = 500


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


@dataclass
class Held:
    """What local, unconfirmed work keeps: cases and visits with a pending/rejected item."""

    cases: set[str]
    visits: set[str]


def held_back(session: Session) -> Held:
    cases: set[str] = set()
    visits: set[str] = set()
    for kind, item_id, payload in session.execute(
        select(OutboxItem.kind, OutboxItem.item_id, OutboxItem.payload).where(
            OutboxItem.status.in_((OutboxStatus.PENDING, OutboxStatus.REJECTED))
        )
    ):
        body: Any = payload if isinstance(payload, dict) else {}
        case_id = body.get("case_id")
        if kind == OutboxKind.VISIT:
            visits.add(item_id)
        if isinstance(case_id, str):
            cases.add(case_id)
    return Held(cases, visits)


def mark_all(session: Session) -> tuple[int, int]:
    """Mark what the county had confirmed; returns (cases, visits) marked."""
    held = held_back(session)
    session.execute(delete(SyncPrune))
    case_ids = [
        str(case_id)
        for case_id in session.scalars(
            select(CaseEvent.case_id).where(CaseEvent.server_seq.is_not(None)).distinct()
        )
        if case_id not in held.cases
    ]
    visit_ids = [
        str(visit_id)
        for visit_id in session.scalars(select(Visit.id))
        if visit_id not in held.visits
    ]
    session.add_all(SyncPrune(kind=CASE, item_id=case_id) for case_id in case_ids)
    session.add_all(SyncPrune(kind=VISIT, item_id=visit_id) for visit_id in visit_ids)
    session.flush()
    return len(case_ids), len(visit_ids)


def unmark(session: Session, kind: str, item_ids: Iterable[str]) -> None:
    ids = sorted({i for i in item_ids if i})
    for chunk in _chunks(ids):
        session.execute(
            delete(SyncPrune).where(SyncPrune.kind == kind, SyncPrune.item_id.in_(chunk))
        )


def has_marks(session: Session) -> bool:
    return session.scalar(select(SyncPrune.item_id).limit(1)) is not None


def finish(session: Session, *, user_id: str | None) -> tuple[int, int]:
    """Delete what is still marked (the pull reached its end); returns (cases, visits)."""
    held = held_back(session)
    case_ids = [
        c
        for c in session.scalars(select(SyncPrune.item_id).where(SyncPrune.kind == CASE))
        if c not in held.cases
    ]
    visit_ids = [
        v
        for v in session.scalars(select(SyncPrune.item_id).where(SyncPrune.kind == VISIT))
        if v not in held.visits
    ]
    for chunk in _chunks(case_ids):
        session.execute(delete(CaseEvent).where(CaseEvent.case_id.in_(chunk)))
        session.execute(delete(Attachment).where(Attachment.case_id.in_(chunk)))
        session.execute(delete(QueueAlert).where(QueueAlert.case_id.in_(chunk)))
        for case in session.scalars(select(Case).where(Case.id.in_(chunk))):
            session.delete(case)
        wanted = set(chunk)
        for draft in session.scalars(select(Draft)):
            text = f"{draft.id} {draft.payload}"
            if any(case_id in text for case_id in wanted):
                session.delete(draft)
        # Items the county already holds leave with the case (their content included).
        for item in session.scalars(
            select(OutboxItem).where(
                OutboxItem.kind == OutboxKind.CASE_EVENT,
                OutboxItem.status.not_in((OutboxStatus.PENDING, OutboxStatus.REJECTED)),
            )
        ):
            payload: Any = item.payload if isinstance(item.payload, dict) else {}
            if payload.get("case_id") in chunk:
                session.delete(item)
    for chunk in _chunks(visit_ids):
        session.execute(delete(Visit).where(Visit.id.in_(chunk)))
        session.execute(
            delete(OutboxItem).where(
                OutboxItem.kind == OutboxKind.VISIT,
                OutboxItem.item_id.in_(chunk),
                OutboxItem.status.not_in((OutboxStatus.PENDING, OutboxStatus.REJECTED)),
            )
        )
    session.execute(delete(SyncPrune))
    if case_ids or visit_ids:
        audit(
            session,
            user_id,
            "sync.scope_pruned",
            "sync",
            None,
            cases=len(case_ids),
            visits=len(visit_ids),
        )
    session.flush()
    return len(case_ids), len(visit_ids)
