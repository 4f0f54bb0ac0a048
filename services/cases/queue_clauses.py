"""Which cases a queue holds, as SQL clauses: the scope, deadlines, buckets, search.

:func:`scope_clause` is who sees what (the same rule as
``permissions.can_see_case``); :func:`overdue_clause` and :func:`near_clause`
are the deadline states in SQL ("near": less than a quarter of the allotted
span left, ``deadline - now < (deadline - dispatched_at) / 4``) and
:func:`deadline_status` their Python twin for a visible row; buckets are a
department's or grid worker's own views. Full-text search looks a term of three
or more characters up in the FTS5 trigram table and checks every term with LIKE
on the case columns (how terms of one or two characters such as 垃圾 are found).
:class:`services.cases.queue.QueueFilter` combines them; paging and ordering
live in :mod:`services.cases.queue`, also used by the map and reception.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    bindparam,
    column,
    false,
    literal_column,
    or_,
    text,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from models.enums import AssigneeType, CaseState, Role
from models.queue import (
    FTS_TABLE,
)
from models.tables import Case
from models.types import UTCDateTime
from services.cases.permissions import Actor, Permission, has
from services.i18n import QT_TRANSLATE_NOOP

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

# Department and grid-worker views ("buckets" of their own cases).
BUCKETS = ("to_sign", "in_hand", "rework", "reported")
BUCKET_LABELS: dict[str, str] = {
    "to_sign": QT_TRANSLATE_NOOP("services", "To sign for"),
    "in_hand": QT_TRANSLATE_NOOP("services", "In hand"),
    "rework": QT_TRANSLATE_NOOP("services", "Sent back for rework"),
    "reported": QT_TRANSLATE_NOOP("services", "Reported, awaiting verification"),
}

DEADLINE_STATUSES = ("overdue", "near", "due")
"""``due`` is "overdue or near", the alerting set."""


# ---------------------------------------------------------------- SQL helpers
class epoch_days(FunctionElement[float]):  # noqa: N801 - reads as an SQL function
    """A stored time as a number of days (julianday on SQLite, epoch/86400 elsewhere)."""

    inherit_cache = True


@compiles(epoch_days)
def _epoch_days_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) / 86400.0)"


@compiles(epoch_days, "sqlite")
def _epoch_days_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"julianday({compiler.process(element.clauses, **kw)})"


def prefix_clause(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, as a range the index can use (codes are digits)."""
    return and_(column >= prefix, column < prefix + ":")


def _now_param(now: datetime) -> Any:
    return bindparam(None, now, type_=UTCDateTime())


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    return and_(Case.state.in_(RUNNING_STATES), Case.deadline < now)


def near_clause(now: datetime) -> ColumnElement[bool]:
    """Running, not yet overdue, less than a quarter of the span from dispatch left.

    ``deadline - now < (deadline - dispatched_at) / 4`` ⇔
    ``3·deadline + dispatched_at < 4·now`` (natural time, in days).
    """
    return and_(
        Case.state.in_(RUNNING_STATES),
        Case.deadline >= now,
        Case.dispatched_at.is_not(None),
        3 * epoch_days(Case.deadline) + epoch_days(Case.dispatched_at)
        < 4 * epoch_days(_now_param(now)),
    )


def deadline_status(
    state: str, deadline: datetime | None, dispatched_at: datetime | None, now: datetime
) -> str | None:
    """The Python twin of the SQL clauses: "overdue", "near" or None."""
    if state not in RUNNING_STATES or deadline is None:
        return None
    if deadline < now:
        return "overdue"
    if dispatched_at is not None and (deadline - now) * 4 < (deadline - dispatched_at):
        return "near"
    return None


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


def bucket_clause(bucket: str) -> ColumnElement[bool]:
    if bucket == "to_sign":
        return Case.state == CaseState.DISPATCHED
    if bucket == "in_hand":
        return and_(Case.state == CaseState.ACKNOWLEDGED, Case.rework_count == 0)
    if bucket == "rework":
        return and_(Case.state == CaseState.ACKNOWLEDGED, Case.rework_count > 0)
    if bucket == "reported":
        return Case.state == CaseState.HANDLED
    raise KeyError(bucket)


# ---------------------------------------------------------------- full-text search
def search_terms(query: str) -> list[str]:
    """The whitespace-separated terms of a search (all must match)."""
    return [t for t in (query or "").split() if t][:10]


def _trigrams(term: str) -> list[str]:
    return [term[i : i + 3] for i in range(len(term) - 2)]


def fts_match(terms: Sequence[str]) -> str | None:
    """The FTS5 MATCH expression for the terms of 3+ characters (None if there are none)."""
    grams: list[str] = []
    for term in terms:
        for gram in _trigrams(term):
            quoted = '"' + gram.replace('"', '""') + '"'
            if quoted not in grams:
                grams.append(quoted)
    return " AND ".join(grams) if grams else None


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_clause(query: str, use_fts: bool = True) -> ColumnElement[bool] | None:
    terms = search_terms(query)
    if not terms:
        return None
    clauses: list[ColumnElement[bool]] = []
    match = fts_match(terms) if use_fts else None
    if match is not None:
        clauses.append(
            literal_column("cases.rowid").in_(
                text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_query")
                .bindparams(fts_query=match)
                .columns(column("rowid", Integer))
            )
        )
    for term in terms:
        pattern = _like_pattern(term)
        clauses.append(
            or_(
                Case.number.like(pattern, escape="\\"),
                Case.title.like(pattern, escape="\\"),
                Case.description.like(pattern, escape="\\"),
                Case.address.like(pattern, escape="\\"),
            )
        )
    return and_(*clauses)
