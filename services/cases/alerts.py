"""Deadline alerts: cases that became overdue or near their deadline, each raised once.

:func:`raise_alerts` finds, in one INSERT … SELECT, the cases in the user's
view that are overdue or near their deadline and have not alerted this user
for this kind and this deadline yet, and records them in ``queue_alerts``. A
new deadline (an extension, a re-dispatch) may alert again; the same one never.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, insert, literal, select, update
from sqlalchemy.orm import Session

from models.queue import QueueAlert
from models.tables import Case
from models.types import UTCDateTime, utcnow
from services.cases.permissions import Actor, Permission, require
from services.cases.queue_clauses import near_clause, overdue_clause, scope_clause

KINDS = ("overdue", "near")


@dataclass(frozen=True)
class AlertBatch:
    """What one check raised: counts per kind and a few case numbers to show."""

    overdue: int
    near: int
    numbers: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.overdue + self.near


def raise_alerts(
    session: Session, actor: Actor, now: datetime | None = None, sample: int = 3
) -> AlertBatch:
    require(actor, Permission.VIEW_CASES)
    now = now or utcnow()
    counts: dict[str, int] = {}
    for kind in KINDS:
        condition = overdue_clause(now) if kind == "overdue" else near_clause(now)
        already = exists().where(
            QueueAlert.user_id == actor.id,
            QueueAlert.case_id == Case.id,
            QueueAlert.kind == kind,
            QueueAlert.deadline == Case.deadline,
        )
        source = select(
            literal(actor.id),
            Case.id,
            literal(kind),
            Case.deadline,
            literal(now, UTCDateTime()),
            literal(False),
        ).where(scope_clause(actor), condition, ~already)
        result = session.execute(
            insert(QueueAlert).from_select(
                ["user_id", "case_id", "kind", "deadline", "raised_at", "seen"], source
            )
        )
        counts[kind] = int(getattr(result, "rowcount", 0) or 0)
    numbers: tuple[str, ...] = ()
    if counts["overdue"] or counts["near"]:
        numbers = tuple(
            session.scalars(
                select(Case.number)
                .join(QueueAlert, QueueAlert.case_id == Case.id)
                .where(QueueAlert.user_id == actor.id, QueueAlert.raised_at == now)
                .order_by(QueueAlert.kind.desc(), Case.deadline)
                .limit(sample)
            )
        )
    return AlertBatch(counts["overdue"], counts["near"], numbers)


def unseen_count(session: Session, actor: Actor) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(QueueAlert)
            .where(QueueAlert.user_id == actor.id, QueueAlert.seen.is_(False))
        )
        or 0
    )


def unseen_case_ids(session: Session, actor: Actor, limit: int = 500) -> list[str]:
    """The cases of the unseen alerts (most urgent deadline first)."""
    return list(
        session.scalars(
            select(QueueAlert.case_id)
            .where(QueueAlert.user_id == actor.id, QueueAlert.seen.is_(False))
            .group_by(QueueAlert.case_id)
            .order_by(func.min(QueueAlert.deadline))
            .limit(limit)
        )
    )


def mark_seen(session: Session, actor: Actor, case_ids: Sequence[str] | None = None) -> int:
    """Mark the actor's alerts seen (of some cases, or all)."""
    query = update(QueueAlert).where(QueueAlert.user_id == actor.id, QueueAlert.seen.is_(False))
    if case_ids is not None:
        query = query.where(QueueAlert.case_id.in_(list(case_ids)))
    result = session.execute(query.values(seen=True))
    return int(getattr(result, "rowcount", 0) or 0)
