"""The dispatch queue as SQL: who sees which cases, filters, sorting and pages.

Nothing here loads all cases: the screen asks for a count and for one page at
a time, sorted and filtered by the database (with a unique tie-breaker so pages
never overlap or skip rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from models.enums import AssigneeType, CaseState, Role
from models.tables import Case

from .permissions import Actor, Permission, has

OPEN_STATES = (
    CaseState.REGISTERED,
    CaseState.DISPATCHED,
    CaseState.ACKNOWLEDGED,
    CaseState.RETURNED,
    CaseState.ESCALATED,
    CaseState.HANDLED,
)
# States in which the handling deadline runs.
RUNNING_STATES = (CaseState.DISPATCHED, CaseState.ACKNOWLEDGED, CaseState.HANDLED)

# Sort keys the screen may ask for, mapped to columns.
SORT_COLUMNS: dict[str, Any] = {
    "number": Case.number,
    "title": Case.title,
    "category": Case.category_code,
    "state": Case.state,
    "urgency": Case.urgency,
    "assignee": Case.assignee_id,
    "org_unit": Case.org_unit_id,
    "created_at": Case.created_at,
    "deadline": Case.deadline,
    "updated_at": Case.updated_at,
}

# The columns a queue row needs (never description or other large fields).
ROW_COLUMNS = (
    Case.id,
    Case.number,
    Case.title,
    Case.category_code,
    Case.state,
    Case.urgency,
    Case.assignee_type,
    Case.assignee_id,
    Case.org_unit_id,
    Case.created_at,
    Case.deadline,
    Case.ack_deadline,
    Case.dispatched_at,
    Case.supervise_count,
    Case.rework_count,
    Case.source,
    Case.lat,
    Case.lon,
)


def prefix_clause(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, as a range the index can use (codes are digits)."""
    return and_(column >= prefix, column < prefix + ":")


def scope_clause(actor: Actor) -> ColumnElement[bool]:
    """The cases ``actor`` may see (the same rule as permissions.can_see_case)."""
    if not has(actor, Permission.VIEW_CASES):
        return false()
    if actor.role == Role.DEPARTMENT:
        if not actor.department_id:
            return false()
        return and_(
            Case.assignee_type == AssigneeType.DEPARTMENT, Case.assignee_id == actor.department_id
        )
    if actor.role == Role.GRID_WORKER:
        return and_(Case.assignee_type == AssigneeType.GRID_WORKER, Case.assignee_id == actor.id)
    if actor.org_unit_id == "":
        return true()
    if not actor.org_unit_id:
        return false()
    return or_(
        prefix_clause(Case.org_unit_id, actor.org_unit_id),
        prefix_clause(Case.escalated_to, actor.org_unit_id),
        and_(
            Case.assignee_type == AssigneeType.ORG_UNIT,
            prefix_clause(Case.assignee_id, actor.org_unit_id),
        ),
    )


@dataclass(frozen=True)
class QueueFilter:
    states: tuple[str, ...] = ()
    category_codes: tuple[str, ...] = ()
    assignee_type: str | None = None
    assignee_id: str | None = None
    org_unit_prefix: str | None = None
    urgency: str | None = None
    source: str | None = None
    overdue_only: bool = False
    supervised_only: bool = False
    created_from: datetime | None = None
    created_to: datetime | None = None
    case_ids: tuple[str, ...] = field(default=())

    def clauses(self, now: datetime) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.states:
            out.append(Case.state.in_(self.states))
        if self.category_codes:
            out.append(Case.category_code.in_(self.category_codes))
        if self.assignee_type:
            out.append(Case.assignee_type == self.assignee_type)
        if self.assignee_id:
            out.append(Case.assignee_id == self.assignee_id)
        if self.org_unit_prefix:
            out.append(prefix_clause(Case.org_unit_id, self.org_unit_prefix))
        if self.urgency:
            out.append(Case.urgency == self.urgency)
        if self.source:
            out.append(Case.source == self.source)
        if self.overdue_only:
            out.append(and_(Case.state.in_(RUNNING_STATES), Case.deadline < now))
        if self.supervised_only:
            out.append(Case.supervise_count > 0)
        if self.created_from is not None:
            out.append(Case.created_at >= self.created_from)
        if self.created_to is not None:
            out.append(Case.created_at < self.created_to)
        if self.case_ids:
            out.append(Case.id.in_(self.case_ids))
        return out


def _where(actor: Actor, flt: QueueFilter, now: datetime) -> list[ColumnElement[bool]]:
    return [scope_clause(actor), *flt.clauses(now)]


def count(session: Session, actor: Actor, flt: QueueFilter, now: datetime) -> int:
    return int(
        session.scalar(select(func.count()).select_from(Case).where(*_where(actor, flt, now))) or 0
    )


def page_query(
    actor: Actor,
    flt: QueueFilter,
    now: datetime,
    sort_key: str = "created_at",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
    columns: Sequence[Any] = ROW_COLUMNS,
) -> Select[Any]:
    column = SORT_COLUMNS.get(sort_key)
    if column is None:
        raise KeyError(sort_key)
    order = [column.desc(), Case.id.desc()] if descending else [column.asc(), Case.id.asc()]
    if sort_key == "deadline":
        # Cases without a running deadline go last in either direction.
        order.insert(0, Case.deadline.is_(None))
    return (
        select(*columns)
        .where(*_where(actor, flt, now))
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )


def page(
    session: Session,
    actor: Actor,
    flt: QueueFilter,
    now: datetime,
    sort_key: str = "created_at",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> list[Any]:
    return list(
        session.execute(page_query(actor, flt, now, sort_key, descending, offset, limit)).all()
    )


def state_counts(session: Session, actor: Actor, flt: QueueFilter, now: datetime) -> dict[str, int]:
    query = select(Case.state, func.count()).where(*_where(actor, flt, now)).group_by(Case.state)
    return {state: int(n) for state, n in session.execute(query).all()}
