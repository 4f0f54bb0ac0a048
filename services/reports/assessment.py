"""The half-monthly assessment (SPEC.md "Half-monthly assessment"): every figure, in SQL.

For a period P = ``[S, E)`` and a scope (county, street or community) this
module computes the figures of departments, grid workers, streets and
communities, the totals, the overdue cases, the category counts and the daily
counts. The figures are aggregated by the database; Python only rolls up a few
hundred already-aggregated groups (assignee × community × category) into the
rows of each sheet. Nothing loops over cases in Python.

"As it stood at E"
------------------
Every figure counts each case as it stood at the period's end, derived from
its events with ``at < E`` (the events' own times; E itself, day 16 00:00 or
the 1st 00:00, already belongs to the next period). Events after E never change
the bulletin of P. Per case, from those events:

* the attribution is the assignee of the last ``dispatched`` event (its
  ``assignee_type``/``assignee_id`` columns); a case never dispatched (closed on
  the spot, still registered, escalated) has no assignee and counts only in the
  org-unit rows and the totals;
* the handling deadline in force is that of the last ``dispatched`` or
  ``extended`` event, whichever came later (an extension moves it, a new
  dispatch sets a new one);
* the case is closed at E if it has a ``closed`` event or a ``verified`` event
  that passed; voided if it has a ``voided`` event; suspended if its last
  ``suspended`` is later than its last ``resumed``;
* its deadline is *running* at E if it was dispatched and not returned or
  escalated since the last dispatch. A returned or escalated case waits for the
  coordinator, not for the assignee, so — as in the queue's overdue filter —
  it is not "still open with a deadline" and does not count as due;
* the accepted feedback is the last ``feedback`` before the passing
  verification; for a case closed by a ``closed`` event (on the spot, or by the
  coordinator after a return) it is the closing time. A closed case without a
  handling deadline (never dispatched) is on time.

"Last" means latest ``at``, ties broken by ``seq`` (the order of acceptance).

Decisions where SPEC.md leaves room
-----------------------------------
* 及时签收率: a dispatch in P counts as signed for in time when it was
  acknowledged no later than its sign-for deadline *and before E*. A dispatch
  late in P whose sign-for deadline lies after E but which was signed for only
  after E is counted as not signed for in time: that keeps the rule that what
  happens after E never changes the bulletin of P, and the figure is
  reproducible at any later time. An acknowledgement belongs to the dispatch
  it follows (a re-dispatch starts a new one).
* 退回数: a ``returned`` event counts against the assignee of the dispatch it
  answers. A return of an escalated case by the county answers no dispatch and
  counts only in the totals and the org-unit rows.
* 满意率: evaluations recorded in P, attributed like their case. An evaluation
  is only possible once a case is closed, and a closed case is never
  dispatched again, so the case row's final assignee is its assignee at E.
* Durations use the work calendar through a per-day table built from
  :class:`~services.worktime.workdays.WorkCalendar` (office minutes accumulated up to
  each local day) and joined in SQL: the calendar rules stay in one place and
  the database computes ``office minutes(a, b) = F(b) − F(a)`` per row, so the
  means are SQL ``SUM``/``COUNT`` like every other figure. Local dates use the
  fixed +08:00 offset of Asia/Shanghai (no summer time since 1991).
* Ranking: units with no activity in P in the scope (nothing created, due,
  dispatched or evaluated) are listed without a rank or score; their rates
  would all be empty and count as 1, which would put them first.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Column, Date, Integer, MetaData, Table, bindparam, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from models.enums import AssigneeType, OrgLevel, Role
from models.tables import Department, OrgUnit, User
from models.types import UTCDateTime, utcnow
from services import settings as settings_service
from services.cases.lookups import Names
from services.cases.permissions import Actor, Permission, in_scope, require
from services.errors import NotFound, PermissionDenied, ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.reports.periods import Period
from services.worktime.workdays import SHANGHAI, WorkCalendar

log = logging.getLogger(__name__)

GOOD_RATE = 0.9
"""Rates below this are shown in red (SPEC.md "The bulletin workbook")."""

SATISFIED = ("satisfied", "basically_satisfied")

FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)
_DAYS = "assess_days"
_CASES = "assess_cases"


# --------------------------------------------------------------------------- results
@dataclass
class Figures:
    """The counts of one row (a department, grid worker, street, community or the total).

    Rates are ``None`` when their denominator is empty (shown "—", counted as 1
    in the score).
    """

    key: str
    name: str
    kind: str
    created: int = 0
    dispatched: int = 0
    ack_on_time: int = 0
    due: int = 0
    closed: int = 0
    on_time: int = 0
    rework: int = 0
    returned: int = 0
    duration_minutes: float = 0.0
    duration_count: int = 0
    evaluations: int = 0
    satisfied: int = 0
    minutes_per_day: int = 450
    score: float | None = None
    rank: int | None = None
    last_place: bool = False
    parent_key: str | None = None

    def add(self, other: Figures) -> None:
        for name in (
            "created",
            "dispatched",
            "ack_on_time",
            "due",
            "closed",
            "on_time",
            "rework",
            "returned",
            "duration_minutes",
            "duration_count",
            "evaluations",
            "satisfied",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def overdue(self) -> int:
        """超期数 = 应结案数 − 按期结案数."""
        return self.due - self.on_time

    @property
    def ack_rate(self) -> float | None:
        return _rate(self.ack_on_time, self.dispatched)

    @property
    def closure_rate(self) -> float | None:
        return _rate(self.closed, self.due)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.due)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.evaluations)

    @property
    def mean_days(self) -> float | None:
        """平均处置时长 in working days (office minutes ÷ minutes per working day)."""
        if not self.duration_count:
            return None
        return self.duration_minutes / self.duration_count / self.minutes_per_day

    @property
    def active(self) -> bool:
        return bool(self.created or self.due or self.dispatched or self.evaluations)


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class OverdueCase:
    case_id: str
    number: str
    category_code: str
    category: str
    assignee_type: str | None
    assignee_id: str | None
    assignee: str
    deadline: datetime | None
    overdue_days: float
    state: str  # the case's state at E
    supervised: bool
    closed: bool


@dataclass(frozen=True)
class CategoryRow:
    parent_code: str
    parent_name: str
    code: str | None  # None on the 大类's subtotal row
    name: str
    created: int
    closed: int
    overdue: int


@dataclass
class Assessment:
    period: Period
    scope_id: str
    scope_name: str
    scope_level: str
    generated_at: datetime
    weights: dict[str, float]
    totals: Figures
    departments: list[Figures]
    grid_workers: list[Figures]
    streets: list[Figures]
    communities: list[Figures]
    categories: list[CategoryRow]
    overdue: list[OverdueCase]
    per_day: list[tuple[date, int, int]]  # local day, created, closed
    fallback_years: list[int] = field(default_factory=list)
    minutes_per_day: int = 450

    @property
    def title(self) -> str:
        return f"{self.scope_name}网格化服务管理工作通报（{self.period.label_zh()}）"

    def category_totals(self) -> list[CategoryRow]:
        """The 大类 subtotal rows, for the charts."""
        return [row for row in self.categories if row.code is None]


# --------------------------------------------------------------------------- SQL pieces
class _Dialect:
    """The few expressions SQLite and PostgreSQL spell differently."""

    def __init__(self, name: str) -> None:
        self.pg = name == "postgresql"

    def local_date(self, x: str) -> str:
        if self.pg:
            return f"CAST(({x}) + INTERVAL '8 hours' AS DATE)"
        return f"date({x}, '+8 hours')"

    def minute_of_day(self, x: str) -> str:
        if self.pg:
            return f"(EXTRACT(EPOCH FROM CAST(({x}) + INTERVAL '8 hours' AS TIME)) / 60.0)"
        return f"((julianday({x}) - julianday(date({x}, '+8 hours'), '-8 hours')) * 1440.0)"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.pg else f"MAX({a}, {b})"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.pg else f"MIN({a}, {b})"


def _office_fn(d: _Dialect, calendar: WorkCalendar, x: str) -> str:
    """F(x): office minutes from the start of the day table to instant ``x`` (NULL for NULL)."""
    tod = d.minute_of_day(x)
    parts = []
    for start, end in calendar.office_hours.periods:
        s = start.hour * 60 + start.minute
        e = end.hour * 60 + end.minute
        parts.append(d.greatest("0", f"{d.least(tod, str(e))} - {s}"))
    before = " + ".join(parts)
    return (
        f"(SELECT wd.cum + wd.work * ({before}) FROM {_DAYS} wd WHERE wd.day = {d.local_date(x)})"
    )


def _later(a: str, b: str) -> str:
    """Event ``a`` (its last of a type: ``a_at``, ``a_seq``) is later than ``b``."""
    return (
        f"({a}_at IS NOT NULL AND ({b}_at IS NULL OR {a}_at > {b}_at "
        f"OR ({a}_at = {b}_at AND {a}_seq > {b}_seq)))"
    )


def _last(type_: str, alias: str) -> str:
    return (
        f"MAX(CASE WHEN type = '{type_}' AND rn = 1 THEN at END) AS {alias}_at, "
        f"MAX(CASE WHEN type = '{type_}' AND rn = 1 THEN seq END) AS {alias}_seq"
    )


def _cases_sql() -> str:
    """The per-case facts as at E, for every case that can count in P (materialised)."""
    running = f"(d_at IS NOT NULL AND NOT {_later('r', 'd')} AND NOT {_later('esc', 'd')})"
    suspended = _later("sus", "res")
    deadline = f"(CASE WHEN {_later('x', 'd')} THEN x_deadline ELSE d_deadline END)"
    state = f"""(CASE
        WHEN voided = 1 THEN 'voided'
        WHEN closed_at IS NOT NULL THEN 'closed'
        WHEN {suspended} THEN 'suspended'
        WHEN {_later("esc", "d")} AND {_later("esc", "r")} THEN 'escalated'
        WHEN {_later("r", "d")} OR (d_at IS NULL AND r_at IS NOT NULL) THEN 'returned'
        WHEN d_at IS NULL THEN 'registered'
        WHEN {_later("fb", "d")} AND NOT {_later("v", "fb")} THEN 'handled'
        WHEN {_later("fb", "d")} OR {_later("ack", "d")} OR {_later("v", "d")} THEN 'acknowledged'
        ELSE 'dispatched' END)"""
    return f"""
CREATE TEMP TABLE {_CASES} AS
WITH rel AS (
    SELECT c.id, c.number, c.street_id, c.community_id, c.category_code, c.created_at
    FROM cases c
    WHERE c.closed_at >= :s AND c.closed_at < :far AND c.created_at < :e
      AND substr(c.org_unit_id, 1, :scope_len) = :scope
    UNION ALL
    SELECT c.id, c.number, c.street_id, c.community_id, c.category_code, c.created_at
    FROM cases c
    WHERE c.closed_at IS NULL AND c.created_at < :e
      AND substr(c.org_unit_id, 1, :scope_len) = :scope
),
ev AS (
    SELECT e.case_id, e.seq, e.type, e.at, e.assignee_type, e.assignee_id, e.deadline, e.outcome,
           ROW_NUMBER() OVER (PARTITION BY e.case_id, e.type ORDER BY e.at DESC, e.seq DESC) AS rn
    FROM case_events e JOIN rel ON rel.id = e.case_id
    WHERE e.at < :e AND e.type IN ('dispatched', 'extended', 'acknowledged', 'returned',
        'escalated', 'feedback', 'verified', 'closed', 'suspended', 'resumed', 'voided',
        'supervised')
),
f AS (
    SELECT case_id,
        MAX(CASE WHEN type = 'dispatched' AND rn = 1 THEN assignee_type END) AS a_type,
        MAX(CASE WHEN type = 'dispatched' AND rn = 1 THEN assignee_id END) AS a_id,
        MAX(CASE WHEN type = 'dispatched' AND rn = 1 THEN deadline END) AS d_deadline,
        MAX(CASE WHEN type = 'extended' AND rn = 1 THEN deadline END) AS x_deadline,
        MAX(CASE WHEN type = 'verified' AND rn = 1 THEN outcome END) AS v_outcome,
        {_last("dispatched", "d")}, {_last("extended", "x")}, {_last("returned", "r")},
        {_last("escalated", "esc")}, {_last("suspended", "sus")}, {_last("resumed", "res")},
        {_last("feedback", "fb")}, {_last("acknowledged", "ack")}, {_last("verified", "v")},
        MAX(CASE WHEN type = 'voided' THEN 1 ELSE 0 END) AS voided,
        MIN(CASE WHEN type = 'closed' OR (type = 'verified' AND outcome = 'passed')
            THEN at END) AS closed_at,
        MAX(CASE WHEN type = 'closed' THEN 1 ELSE 0 END) AS closed_directly,
        MAX(CASE WHEN type = 'verified' AND outcome = 'failed' THEN 1 ELSE 0 END) AS reworked,
        SUM(CASE WHEN type = 'supervised' THEN 1 ELSE 0 END) AS supervised
    FROM ev GROUP BY case_id
),
g AS (
    SELECT rel.id, rel.number, rel.street_id, rel.community_id, rel.category_code,
        rel.created_at, f.a_type, f.a_id, f.d_at, f.voided, f.closed_at, f.reworked,
        COALESCE(f.supervised, 0) AS supervised,
        {deadline} AS deadline,
        CASE WHEN f.closed_directly = 1 THEN f.closed_at ELSE f.fb_at END AS accepted_at,
        CASE WHEN {running} THEN 1 ELSE 0 END AS running,
        CASE WHEN {suspended} THEN 1 ELSE 0 END AS suspended,
        {state} AS state
    FROM rel LEFT JOIN f ON f.case_id = rel.id
)
SELECT id, number, street_id, community_id, category_code, created_at, a_type, a_id, d_at,
    closed_at, accepted_at, deadline, supervised, state,
    CASE WHEN created_at >= :s THEN 1 ELSE 0 END AS created_in_p,
    CASE WHEN closed_at IS NOT NULL THEN 1 ELSE 0 END AS closed_in_p,
    CASE WHEN closed_at IS NOT NULL AND reworked = 1 THEN 1 ELSE 0 END AS reworked,
    CASE WHEN COALESCE(voided, 0) = 0 AND suspended = 0 AND (closed_at IS NOT NULL
        OR (running = 1 AND deadline <= :e)) THEN 1 ELSE 0 END AS due,
    CASE WHEN closed_at IS NOT NULL AND (deadline IS NULL OR accepted_at <= deadline)
        THEN 1 ELSE 0 END AS on_time
FROM g
"""


# In ``rel`` only cases not closed before S are kept (closed since S, or not closed) (``cases.closed_at`` is
# immutable once set, and nothing follows a closing but an evaluation or a
# comment), so every ``closed_at`` found in ``f`` lies in P.


def _groups_sql(d: _Dialect, calendar: WorkCalendar) -> str:
    f_closed = _office_fn(d, calendar, "closed_at")
    f_created = _office_fn(d, calendar, "created_at")
    f_accepted = _office_fn(d, calendar, "accepted_at")
    f_dispatched = _office_fn(d, calendar, "d_at")
    return f"""
SELECT a_type, a_id, street_id, community_id, category_code,
    SUM(created_in_p) AS created, SUM(due) AS due, SUM(closed_in_p) AS closed,
    SUM(on_time) AS on_time, SUM(reworked) AS rework,
    SUM(CASE WHEN due = 1 AND on_time = 0 THEN 1 ELSE 0 END) AS overdue,
    SUM(CASE WHEN closed_in_p = 1 AND d_at IS NOT NULL
        THEN {f_accepted} - {f_dispatched} END) AS handle_minutes,
    SUM(CASE WHEN closed_in_p = 1 AND d_at IS NOT NULL THEN 1 ELSE 0 END) AS handle_n,
    SUM(CASE WHEN closed_in_p = 1 THEN {f_closed} - {f_created} END) AS life_minutes,
    SUM(closed_in_p) AS life_n
FROM {_CASES}
GROUP BY a_type, a_id, street_id, community_id, category_code
"""


_DISPATCH_SQL = """
WITH touched AS (
    SELECT DISTINCT e.case_id FROM case_events e
    WHERE e.type IN ('dispatched', 'returned') AND e.at >= :s AND e.at < :e
),
seqd AS (
    SELECT e.case_id, e.type, e.at, e.assignee_type, e.assignee_id, e.ack_deadline,
        SUM(CASE WHEN e.type IN ('dispatched', 'escalated') THEN 1 ELSE 0 END) OVER (
            PARTITION BY e.case_id ORDER BY e.at, e.seq ROWS UNBOUNDED PRECEDING) AS seg
    FROM case_events e JOIN touched t ON t.case_id = e.case_id
    WHERE e.type IN ('dispatched', 'escalated', 'acknowledged', 'returned') AND e.at < :e
),
segs AS (
    SELECT case_id, seg,
        MAX(CASE WHEN type = 'dispatched' THEN assignee_type END) AS a_type,
        MAX(CASE WHEN type = 'dispatched' THEN assignee_id END) AS a_id,
        MAX(CASE WHEN type = 'dispatched' THEN at END) AS d_at,
        MAX(CASE WHEN type = 'dispatched' THEN ack_deadline END) AS ack_deadline,
        MIN(CASE WHEN type = 'acknowledged' THEN at END) AS ack_at,
        SUM(CASE WHEN type = 'returned' AND at >= :s THEN 1 ELSE 0 END) AS returns
    FROM seqd GROUP BY case_id, seg
)
SELECT s.a_type, s.a_id, c.street_id, c.community_id,
    SUM(CASE WHEN s.d_at >= :s THEN 1 ELSE 0 END) AS dispatched,
    SUM(CASE WHEN s.d_at >= :s AND s.ack_at <= s.ack_deadline THEN 1 ELSE 0 END) AS ack_on_time,
    SUM(s.returns) AS returned
FROM segs s JOIN cases c ON c.id = s.case_id
WHERE substr(c.org_unit_id, 1, :scope_len) = :scope
GROUP BY s.a_type, s.a_id, c.street_id, c.community_id
"""

_EVALUATION_SQL = """
SELECT c.assignee_type, c.assignee_id, c.street_id, c.community_id,
    COUNT(*) AS evaluations,
    SUM(CASE WHEN e.outcome IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END) AS satisfied
FROM case_events e JOIN cases c ON c.id = e.case_id
WHERE e.type = 'evaluated' AND e.at >= :s AND e.at < :e
  AND substr(c.org_unit_id, 1, :scope_len) = :scope
GROUP BY c.assignee_type, c.assignee_id, c.street_id, c.community_id
"""


def _overdue_sql(d: _Dialect, calendar: WorkCalendar) -> str:
    f_end = _office_fn(d, calendar, "COALESCE(accepted_at, :e)")
    f_deadline = _office_fn(d, calendar, "deadline")
    return f"""
SELECT id, number, category_code, a_type, a_id, deadline, state, supervised, closed_in_p,
    CASE WHEN deadline IS NULL THEN 0 ELSE {f_end} - {f_deadline} END AS minutes
FROM {_CASES}
WHERE due = 1 AND on_time = 0
ORDER BY minutes DESC, number
"""


def _per_day_sql(d: _Dialect) -> tuple[str, str]:
    created = f"""
SELECT {d.local_date("c.created_at")} AS day, COUNT(*) AS n FROM cases c
WHERE c.created_at >= :s AND c.created_at < :e
  AND substr(c.org_unit_id, 1, :scope_len) = :scope
GROUP BY {d.local_date("c.created_at")}
"""
    closed = f"""
SELECT {d.local_date("closed_at")} AS day, COUNT(*) AS n FROM {_CASES}
WHERE closed_in_p = 1 GROUP BY {d.local_date("closed_at")}
"""
    return created, closed


# --------------------------------------------------------------------------- computing
def _stmt(sql: str, **types: Any) -> TextClause:
    stmt = text(sql).bindparams(
        *(bindparam(name, type_=UTCDateTime()) for name in ("s", "e", "far") if f":{name}" in sql)
    )
    if types:
        stmt = stmt.columns(**types)  # type: ignore[assignment]
    return stmt


def check_scope(session: Session, actor: Actor, scope_id: str | None) -> OrgUnit:
    """The org unit to assess: the actor's own by default; never one outside their area."""
    require(actor, Permission.VIEW_REPORTS)
    if not scope_id:
        scope_id = actor.org_unit_id or session.scalar(
            select(OrgUnit.id).where(OrgUnit.level == OrgLevel.COUNTY).order_by(OrgUnit.id)
        )
    unit = session.get(OrgUnit, scope_id) if scope_id else None
    if unit is None:
        raise NotFound(
            QT_TRANSLATE_NOOP("services", "The org unit {unit_id} does not exist."),
            unit_id=scope_id or "",
        )
    if unit.level not in (OrgLevel.COUNTY, OrgLevel.STREET, OrgLevel.COMMUNITY):
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services",
                "The assessment covers the whole county, a street or a community; {name} is a grid.",
            ),
            field="scope",
            name=unit.name,
        )
    if not in_scope(actor, unit.id):
        raise PermissionDenied(
            QT_TRANSLATE_NOOP(
                "services", "{name} lies outside your area, so you cannot see its assessment."
            ),
            name=unit.name,
        )
    return unit


def scope_choices(session: Session, actor: Actor) -> list[OrgUnit]:
    """The county, streets and communities the actor may assess, in tree order."""
    units = session.scalars(
        select(OrgUnit)
        .where(OrgUnit.level.in_((OrgLevel.COUNTY, OrgLevel.STREET, OrgLevel.COMMUNITY)))
        .order_by(OrgUnit.id)
    ).all()
    return [u for u in units if in_scope(actor, u.id)]


def weights(session: Session) -> dict[str, float]:
    stored = settings_service.get(session, "score_weights") or {}
    merged = dict(settings_service.DEFAULT_WEIGHTS)
    for key, value in dict(stored).items():
        if key in merged:
            try:
                merged[key] = float(value)
            except (TypeError, ValueError):
                log.warning("score weight %s=%r is not a number; using the default", key, value)
    return merged


def score(fig: Figures, w: dict[str, float]) -> float:
    """综合得分: 100 × weighted rates − penalty per rework; an empty rate counts as 1."""

    def eff(rate: float | None) -> float:
        return 1.0 if rate is None else rate

    return (
        100.0
        * (
            w["on_time"] * eff(fig.on_time_rate)
            + w["closure"] * eff(fig.closure_rate)
            + w["satisfaction"] * eff(fig.satisfaction_rate)
            + w["ack"] * eff(fig.ack_rate)
        )
        - w["rework_penalty"] * fig.rework
    )


def rank(rows: list[Figures], w: dict[str, float]) -> list[Figures]:
    """Score and rank ``rows`` (competition ranking: 1, 2, 2, 4); inactive rows go last, unranked.

    Ties on the score are broken by 按期结案率 (an empty one counting as 1, as
    in the score), then by 结案数; rows equal on all three share a rank.
    """
    active = [r for r in rows if r.active]
    idle = [r for r in rows if not r.active]
    for row in rows:
        row.score = score(row, w) if row.active else None
        row.rank = None
        row.last_place = False

    def key(r: Figures) -> tuple[float, float, int]:
        on_time = 1.0 if r.on_time_rate is None else r.on_time_rate
        return (-round(r.score or 0.0, 9), -round(on_time, 9), -r.closed)

    active.sort(key=lambda r: (key(r), r.name))
    previous: tuple[float, float, int] | None = None
    for position, row in enumerate(active, start=1):
        k = key(row)
        row.rank = position if k != previous else active[position - 2].rank
        previous = k
    if len(active) >= 2:
        worst = active[-1].rank
        for row in active:
            row.last_place = row.rank == worst
    idle.sort(key=lambda r: r.name)
    return active + idle


def _prefix_range(prefix: str) -> dict[str, Any]:
    # The scope is written ``substr(org_unit_id, 1, n) = prefix`` on purpose: it keeps the
    # planner off the org-unit index (a county scope would read every case through it) and
    # on the time indexes (closed_at, created_at, case_events.type+at) that bound the work.
    # ``closed_at < far`` (always true) makes the closed_at range two-sided, which SQLite's
    # planner (no ANALYZE statistics) rates above the one-sided ``created_at < E``.
    return {"scope": prefix, "scope_len": len(prefix), "far": FAR_FUTURE}


def _build_days(session: Session, calendar: WorkCalendar, first: date, last: date) -> None:
    """The per-day calendar table the SQL durations read (see the module docstring)."""
    table = Table(
        _DAYS,
        MetaData(),
        Column("day", Date, primary_key=True),
        Column("cum", Integer, nullable=False),
        Column("work", Integer, nullable=False),
        prefixes=["TEMPORARY"],
    )
    session.execute(text(f"DROP TABLE IF EXISTS {_DAYS}"))
    table.create(session.connection())
    per_day = calendar.office_hours.minutes_per_day
    rows = []
    cum = 0
    day = first
    while day <= last:
        work = calendar.is_workday(day)
        rows.append({"day": day, "cum": cum, "work": int(work)})
        cum += per_day if work else 0
        day += timedelta(days=1)
    for start in range(0, len(rows), 5000):
        session.execute(insert(table), rows[start : start + 5000])


def _drop_temp(session: Session) -> None:
    for name in (_CASES, _DAYS):
        session.execute(text(f"DROP TABLE IF EXISTS {name}"))


def statements(
    session: Session, calendar: WorkCalendar, period: Period, scope_id: str
) -> tuple[dict[str, Any], dict[str, TextClause]]:
    """The parameters and the SELECTs of the assessment, to run after :func:`prepare`."""
    d = _Dialect(session.get_bind().dialect.name)
    created_sql, closed_sql = _per_day_sql(d)
    params: dict[str, Any] = {"s": period.start, "e": period.end, **_prefix_range(scope_id)}
    return params, {
        "groups": _stmt(_groups_sql(d, calendar)),
        "dispatch": _stmt(_DISPATCH_SQL),
        "evaluation": _stmt(_EVALUATION_SQL),
        "overdue": _stmt(_overdue_sql(d, calendar), deadline=UTCDateTime()),
        "created": _stmt(created_sql),
        "closed": _stmt(closed_sql),
    }


def prepare(session: Session, calendar: WorkCalendar, period: Period, scope_id: str) -> None:
    """Materialise the per-case facts as at E and the day table (temporary tables)."""
    params, _ = statements(session, calendar, period, scope_id)
    _drop_temp(session)
    session.execute(_stmt(_cases_sql()), params)
    oldest = session.execute(
        _stmt(f"SELECT MIN(created_at) AS m FROM {_CASES}", m=UTCDateTime())
    ).scalar()
    first_day = min(
        period.first_day,
        oldest.astimezone(SHANGHAI).date() if oldest is not None else period.first_day,
    ) - timedelta(days=1)
    _build_days(session, calendar, first_day, period.last_day + timedelta(days=1))


def cleanup(session: Session) -> None:
    _drop_temp(session)


def run_queries(
    session: Session, calendar: WorkCalendar, period: Period, scope_id: str
) -> dict[str, list[Any]]:
    """All the SQL of the assessment, its rows fetched: the aggregation alone (no rows built)."""
    try:
        prepare(session, calendar, period, scope_id)
        params, stmts = statements(session, calendar, period, scope_id)
        out: dict[str, list[Any]] = {}
        for key, stmt in stmts.items():
            result = session.execute(stmt, params)
            out[key] = list(result.all() if key in ("created", "closed") else result.mappings())
        return out
    finally:
        _drop_temp(session)


def assess(
    session: Session,
    actor: Actor,
    period: Period,
    calendar: WorkCalendar,
    scope_id: str | None = None,
    *,
    now: datetime | None = None,
) -> Assessment:
    """Every figure of the assessment of ``period`` for the scope ``scope_id``.

    Raises PermissionDenied for an actor without the reports permission or a
    scope outside their area. The period may still be running (``now`` before
    its end): the figures are then those of the events recorded so far.
    """
    unit = check_scope(session, actor, scope_id)
    w = weights(session)
    names = Names.load(session)
    per_day_minutes = calendar.office_hours.minutes_per_day
    generated = now or utcnow()
    raw = run_queries(session, calendar, period, unit.id)
    groups, dispatch_rows, evaluation_rows = raw["groups"], raw["dispatch"], raw["evaluation"]
    overdue_rows, created_days, closed_days = raw["overdue"], raw["created"], raw["closed"]

    # ---- roll the aggregated groups up into the rows of each table
    def fig(key: str, name: str, kind: str, parent: str | None = None) -> Figures:
        return Figures(key, name, kind, minutes_per_day=per_day_minutes, parent_key=parent)

    totals = fig(unit.id, unit.name, "total")
    assignees: dict[tuple[str, str], Figures] = {}
    units: dict[str, Figures] = {}

    def assignee_fig(a_type: str | None, a_id: str | None) -> Figures | None:
        if a_type not in (AssigneeType.DEPARTMENT, AssigneeType.GRID_WORKER) or not a_id:
            return None
        found = assignees.get((a_type, a_id))
        if found is None:
            found = fig(a_id, names.assignee(a_type, a_id), a_type)
            assignees[(a_type, a_id)] = found
        return found

    def unit_figs(street_id: str | None, community_id: str | None) -> list[Figures]:
        out = []
        for key, kind in ((street_id, OrgLevel.STREET), (community_id, OrgLevel.COMMUNITY)):
            if not key:
                continue
            found = units.get(key)
            if found is None:
                parent = key[:9] if kind == OrgLevel.COMMUNITY else None
                found = fig(key, names.org_unit(key), kind, parent)
                units[key] = found
            out.append(found)
        return out

    category_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for g in groups:
        handle = Figures("", "", "")
        handle.created, handle.due, handle.closed = g["created"], g["due"], g["closed"]
        handle.on_time, handle.rework = g["on_time"], g["rework"]
        org = Figures("", "", "")
        org.add(handle)
        handle.duration_minutes = float(g["handle_minutes"] or 0)
        handle.duration_count = int(g["handle_n"] or 0)
        org.duration_minutes = float(g["life_minutes"] or 0)
        org.duration_count = int(g["life_n"] or 0)
        totals.add(org)
        target = assignee_fig(g["a_type"], g["a_id"])
        if target is not None:
            target.add(handle)
        for u in unit_figs(g["street_id"], g["community_id"]):
            u.add(org)
        counts = category_counts[g["category_code"]]
        counts[0] += int(g["created"])
        counts[1] += int(g["closed"])
        counts[2] += int(g["overdue"])
    for r in dispatch_rows:
        part = Figures("", "", "")
        part.dispatched, part.ack_on_time = int(r["dispatched"]), int(r["ack_on_time"])
        part.returned = int(r["returned"])
        totals.add(part)
        target = assignee_fig(r["a_type"], r["a_id"])
        if target is not None:
            target.add(part)
        for u in unit_figs(r["street_id"], r["community_id"]):
            u.add(part)
    for r in evaluation_rows:
        part = Figures("", "", "")
        part.evaluations, part.satisfied = int(r["evaluations"]), int(r["satisfied"])
        totals.add(part)
        target = assignee_fig(r["assignee_type"], r["assignee_id"])
        if target is not None:
            target.add(part)
        for u in unit_figs(r["street_id"], r["community_id"]):
            u.add(part)

    # ---- every unit that should have a row, active or not
    for dept_id, dept_name in session.execute(
        select(Department.id, Department.name).where(Department.active.is_(True))
    ):
        assignees.setdefault(
            (AssigneeType.DEPARTMENT, dept_id), fig(dept_id, dept_name, AssigneeType.DEPARTMENT)
        )
    for user_id, user_name, user_unit in session.execute(
        select(User.id, User.display_name, User.org_unit_id).where(
            User.active.is_(True), User.role == Role.GRID_WORKER
        )
    ):
        if user_unit and (user_unit.startswith(unit.id) or unit.id.startswith(user_unit)):
            assignees.setdefault(
                (AssigneeType.GRID_WORKER, user_id),
                fig(user_id, user_name, AssigneeType.GRID_WORKER),
            )
    for ou in session.scalars(
        select(OrgUnit).where(
            OrgUnit.level.in_((OrgLevel.STREET, OrgLevel.COMMUNITY)),
            OrgUnit.active.is_(True),
            OrgUnit.id >= unit.id,
            OrgUnit.id < unit.id + ":",
        )
    ):
        units.setdefault(
            ou.id,
            fig(ou.id, ou.name, ou.level, ou.id[:9] if ou.level == OrgLevel.COMMUNITY else None),
        )

    totals.score = score(totals, w)
    departments = rank([f for (t, _), f in assignees.items() if t == AssigneeType.DEPARTMENT], w)
    grid_workers = rank([f for (t, _), f in assignees.items() if t == AssigneeType.GRID_WORKER], w)
    streets = rank([f for f in units.values() if f.kind == OrgLevel.STREET], w)
    communities = rank([f for f in units.values() if f.kind == OrgLevel.COMMUNITY], w)

    overdue = [
        OverdueCase(
            case_id=r["id"],
            number=r["number"],
            category_code=r["category_code"],
            category=names.category_path(r["category_code"]),
            assignee_type=r["a_type"],
            assignee_id=r["a_id"],
            assignee=names.assignee(r["a_type"], r["a_id"]),
            deadline=r["deadline"],
            overdue_days=max(0.0, float(r["minutes"] or 0)) / per_day_minutes,
            state=r["state"],
            supervised=bool(r["supervised"]),
            closed=bool(r["closed_in_p"]),
        )
        for r in overdue_rows
    ]
    created_by_day = {_as_date(day): int(n) for day, n in created_days}
    closed_by_day = {_as_date(day): int(n) for day, n in closed_days}
    per_day = []
    day = period.first_day
    while day <= period.last_day:
        per_day.append((day, created_by_day.get(day, 0), closed_by_day.get(day, 0)))
        day += timedelta(days=1)

    return Assessment(
        period=period,
        scope_id=unit.id,
        scope_name=unit.name,
        scope_level=unit.level,
        generated_at=generated,
        weights=w,
        totals=totals,
        departments=departments,
        grid_workers=grid_workers,
        streets=streets,
        communities=communities,
        categories=_category_rows(category_counts, names),
        overdue=overdue,
        per_day=per_day,
        fallback_years=calendar.fallback_years(period.first_day, period.last_day),
        minutes_per_day=per_day_minutes,
    )


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _levels(code: str, names: Names) -> list[str]:
    chain = [code]
    parent = names.category_parent.get(code)
    while parent:
        chain.insert(0, parent)
        parent = names.category_parent.get(parent)
    return chain


def _category_rows(counts: dict[str, list[int]], names: Names) -> list[CategoryRow]:
    """大类 subtotal rows, each followed by its 小类 rows (a 细项 counts in its 小类)."""
    parents: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    children: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for code, (created, closed, overdue) in counts.items():
        if not (created or closed or overdue):
            continue
        chain = _levels(code, names)
        top = chain[0]
        sub = chain[1] if len(chain) > 1 else ""
        for bucket in (parents[top], children[(top, sub)]):
            bucket[0] += created
            bucket[1] += closed
            bucket[2] += overdue
    rows: list[CategoryRow] = []
    for top in sorted(parents):
        top_name = names.category(top)
        rows.append(CategoryRow(top, top_name, None, top_name, *parents[top]))
        for (parent, sub), values in sorted(children.items()):
            if parent != top:
                continue
            sub_name = names.category(sub) if sub else ""  # recorded at the 大类 itself
            rows.append(CategoryRow(top, top_name, sub or "", sub_name, *values))
    return rows


def iter_rows(assessment: Assessment) -> Iterable[Figures]:
    """Every row of every table (for tests and exports)."""
    yield assessment.totals
    yield from assessment.departments
    yield from assessment.grid_workers
    yield from assessment.streets
    yield from assessment.communities
