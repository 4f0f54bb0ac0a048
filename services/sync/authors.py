"""Whose items go up with whose token (docs/protocol.md "Logging in: token pairs").

A desk may hold items of several people. Each item goes up with its author's
own token (``actor_id`` of an event, ``received_by`` of a visit). Items whose
author has no valid token on this desk wait; so does every later item that
depends on one of them (the same case, or the visit of the case), whoever its
author, so that the county never sees a step before the step it follows.

The items that may go are cut into runs of one author each, in the outbox's
order: pushing the runs in turn keeps the global order exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import OutboxKind, OutboxStatus
from models.tables import OutboxItem


def author_of(kind: str, payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return None
    value = payload.get("received_by") if kind == OutboxKind.VISIT else payload.get("actor_id")
    return value if isinstance(value, str) and value else None


@dataclass
class Run:
    """Consecutive items of one author."""

    user_id: str
    items: list[OutboxItem] = field(default_factory=list)


@dataclass
class PushPlan:
    runs: list[Run] = field(default_factory=list)
    # author whose login is needed → how many items wait for it (theirs and those behind them)
    waiting: dict[str, int] = field(default_factory=dict)
    authors: set[str] = field(default_factory=set)

    @property
    def waiting_total(self) -> int:
        return sum(self.waiting.values())


def pending_items(session: Session) -> list[OutboxItem]:
    return list(
        session.scalars(
            select(OutboxItem)
            .where(OutboxItem.status == OutboxStatus.PENDING)
            .order_by(OutboxItem.seq)
        )
    )


def pending_authors(session: Session) -> set[str]:
    authors: set[str] = set()
    for kind, payload in session.execute(
        select(OutboxItem.kind, OutboxItem.payload).where(OutboxItem.status == OutboxStatus.PENDING)
    ):
        author = author_of(kind, payload)
        if author:
            authors.add(author)
    return authors


def plan_push(items: Sequence[OutboxItem], can_push: Callable[[str], bool]) -> PushPlan:
    """Split pending items (in outbox order) into runs that may go, and what waits for whom."""
    plan = PushPlan()
    blocked_cases: dict[str, str] = {}  # case id → the author whose login it waits for
    blocked_visits: dict[str, str] = {}
    for item in items:
        payload: Any = item.payload if isinstance(item.payload, dict) else {}
        author = author_of(item.kind, payload) or ""
        plan.authors.add(author)
        case_id = payload.get("case_id") if isinstance(payload.get("case_id"), str) else None
        blocker: str | None = None
        if case_id and case_id in blocked_cases:
            blocker = blocked_cases[case_id]
        elif item.kind == OutboxKind.CASE_EVENT:
            data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
            visit_id = data.get("visit_id") if payload.get("type") == "created" else None
            if isinstance(visit_id, str) and visit_id in blocked_visits:
                blocker = blocked_visits[visit_id]
        if blocker is None and not (author and can_push(author)):
            blocker = author
        if blocker is not None:
            plan.waiting[blocker] = plan.waiting.get(blocker, 0) + 1
            if case_id:
                blocked_cases.setdefault(case_id, blocker)
            if item.kind == OutboxKind.VISIT:
                blocked_visits.setdefault(item.item_id, blocker)
            continue
        if not plan.runs or plan.runs[-1].user_id != author:
            plan.runs.append(Run(author))
        plan.runs[-1].items.append(item)
    return plan
