"""The assessment's SQL: every figure aggregated by the database.

For a period P = ``[S, E)`` and a scope (an org-unit id prefix) this module
materialises the per-case facts as at E in a temporary table (:func:`prepare`:
attribution, deadline in force, state, due, on time — see docs/figures.md for
what each means) and runs the SELECTs over it (:func:`statements`,
:func:`run_queries`): groups by assignee × street × community × category,
dispatch segments, evaluations, overdue cases and the daily counts. Python
never loops over cases; :mod:`services.reports.rollup` turns the few hundred
groups into the rows of each sheet.

Durations use the work calendar through a per-day table built from
:class:`~services.worktime.workdays.WorkCalendar` (office minutes accumulated up
to each local day) and joined in SQL: the calendar rules stay in one place and
the database computes ``office minutes(a, b) = F(b) − F(a)`` per row. Local
dates use the fixed +08:00 offset of Asia/Shanghai (no summer time since 1991).
SQLite and PostgreSQL differ only in the expressions of :class:`_Dialect`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Column, Date, Integer, MetaData, Table, bindparam, insert, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from models.types import UTCDateTime
from services.reports.periods import Period
from services.worktime.workdays import SHANGHAI, WorkCalendar

FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)
_DAYS = "assess_days"
_CASES = "assess_cases"


class _Dialect:
    """The few expressions SQLite and PostgreSQL spell differently."""

    def __init__(self, name: str) -> None:
        self.pg = name == "postgresql"

    def local_date(self, x: str) -> str:
        if self.pg:
            return f"CAST(({x}) + INTERVAL '8 hours' AS DATE)"
        return f"date({x}, '+8 hours')"

    def minute_of_day(self, x: str) -> str:
        """Minutes since local midnight, to the microsecond on both engines (an instant is
        stored as naive UTC, in SQLite as ``YYYY-MM-DD HH:MM:SS.ffffff`` text). SQLite's
        ``julianday`` keeps only milliseconds, so its clock fields are read from the text."""
        if self.pg:
            return f"(EXTRACT(EPOCH FROM CAST(({x}) + INTERVAL '8 hours' AS TIME)) / 60.0)"
        return (
            f"(((CAST(substr({x}, 12, 2) AS INTEGER) + 8) % 24) * 60"
            f" + CAST(substr({x}, 15, 2) AS INTEGER) + CAST(substr({x}, 18) AS REAL) / 60.0)"
        )

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.pg else f"MAX({a}, {b})"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.pg else f"MIN({a}, {b})"


@dataclass(frozen=True)
class Cutoff:
    """The data as it stood at an earlier moment (an archived bulletin's as-at time):
    only the events stored up to ``event_seq`` (``case_events.seq``, the local order of
    acceptance) count, with the county's rejection marks made by ``at``."""

    at: datetime
    event_seq: int


def _counted(alias: str, cutoff: bool) -> str:
    """The events of ``alias`` that count: not rejected; with a cutoff, those stored by
    then and not rejected by then."""
    if not cutoff:
        return f"{alias}.rejected_code IS NULL"
    return f"{alias}.seq <= :w AND ({alias}.rejected_code IS NULL OR {alias}.rejected_at > :as_at)"


_REL = """
rel AS (
    SELECT c.id, c.number, c.street_id, c.community_id, c.category_code, c.created_at
    FROM cases c
    WHERE c.closed_at >= :s AND c.closed_at < :far AND c.created_at < :e
      AND substr(c.org_unit_id, 1, :scope_len) = :scope
    UNION ALL
    SELECT c.id, c.number, c.street_id, c.community_id, c.category_code, c.created_at
    FROM cases c
    WHERE c.closed_at IS NULL AND c.created_at < :e
      AND substr(c.org_unit_id, 1, :scope_len) = :scope
),"""
"""The cases that can count in P: created before E, not closed before S."""

_REL_AS_AT = """
rel AS (
    SELECT c.id, c.number, c.street_id, c.community_id, c.category_code, c.created_at
    FROM cases c
    WHERE c.created_at < :e AND substr(c.org_unit_id, 1, :scope_len) = :scope
      AND EXISTS (SELECT 1 FROM case_events k WHERE k.case_id = c.id AND k.seq <= :w)
      AND (c.closed_at IS NULL OR c.closed_at >= :s OR EXISTS (
          SELECT 1 FROM case_events k WHERE k.case_id = c.id
            AND (k.seq > :w OR k.rejected_at > :as_at)))
),"""
"""``rel`` with a cutoff: the cases held then (an event stored by then), leaving out those
closed before S unless something changed them since (g then keeps those not closed before
S as they stood)."""


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


def _cases_sql(cutoff: bool = False) -> str:
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
WITH {_REL_AS_AT if cutoff else _REL}
ev AS (
    SELECT e.case_id, e.seq, e.type, e.at, e.assignee_type, e.assignee_id, e.deadline, e.outcome,
           ROW_NUMBER() OVER (PARTITION BY e.case_id, e.type ORDER BY e.at DESC, e.seq DESC) AS rn
    FROM case_events e JOIN rel ON rel.id = e.case_id
    WHERE e.at < :e AND {_counted("e", cutoff)} AND e.type IN ('dispatched', 'extended', 'acknowledged', 'returned',
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
    {"WHERE f.closed_at IS NULL OR f.closed_at >= :s" if cutoff else ""}
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


def _dispatch_sql(cutoff: bool = False) -> str:
    return f"""
WITH touched AS (
    SELECT DISTINCT e.case_id FROM case_events e
    WHERE e.type IN ('dispatched', 'returned') AND e.at >= :s AND e.at < :e
      AND {_counted("e", cutoff)}
),
seqd AS (
    SELECT e.case_id, e.type, e.at, e.assignee_type, e.assignee_id, e.ack_deadline,
        SUM(CASE WHEN e.type IN ('dispatched', 'escalated') THEN 1 ELSE 0 END) OVER (
            PARTITION BY e.case_id ORDER BY e.at, e.seq ROWS UNBOUNDED PRECEDING) AS seg
    FROM case_events e JOIN touched t ON t.case_id = e.case_id
    WHERE e.type IN ('dispatched', 'escalated', 'acknowledged', 'returned') AND e.at < :e
      AND {_counted("e", cutoff)}
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


def _evaluation_sql(cutoff: bool = False) -> str:
    return f"""
SELECT c.assignee_type, c.assignee_id, c.street_id, c.community_id,
    COUNT(*) AS evaluations,
    SUM(CASE WHEN e.outcome IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END) AS satisfied
FROM case_events e JOIN cases c ON c.id = e.case_id
WHERE e.type = 'evaluated' AND e.at >= :s AND e.at < :e AND {_counted("e", cutoff)}
  AND substr(c.org_unit_id, 1, :scope_len) = :scope
GROUP BY c.assignee_type, c.assignee_id, c.street_id, c.community_id
"""


def _overdue_sql(d: _Dialect, calendar: WorkCalendar) -> str:
    # To the accepted feedback of a case closed in P; to E for one still open at E (a
    # feedback still waiting for its verification is not accepted yet).
    f_end = _office_fn(d, calendar, "CASE WHEN o.closed_in_p = 1 THEN o.accepted_at ELSE :e END")
    f_deadline = _office_fn(d, calendar, "o.deadline")
    return f"""
SELECT o.id, o.number, c.title, c.address, o.category_code, o.a_type, o.a_id, o.deadline,
    o.state, o.supervised, o.closed_in_p,
    CASE WHEN o.deadline IS NULL THEN 0 ELSE {f_end} - {f_deadline} END AS minutes
FROM {_CASES} o JOIN cases c ON c.id = o.id
WHERE o.due = 1 AND o.on_time = 0
ORDER BY minutes DESC, o.number
"""


def _per_day_sql(d: _Dialect, cutoff: bool = False) -> tuple[str, str]:
    created = f"""
SELECT {d.local_date("c.created_at")} AS day, COUNT(*) AS n FROM cases c
WHERE c.created_at >= :s AND c.created_at < :e
  AND substr(c.org_unit_id, 1, :scope_len) = :scope
GROUP BY {d.local_date("c.created_at")}
"""
    if cutoff:  # only the cases held then: those materialised
        created = f"""
SELECT {d.local_date("created_at")} AS day, COUNT(*) AS n FROM {_CASES}
WHERE created_in_p = 1 GROUP BY {d.local_date("created_at")}
"""
    closed = f"""
SELECT {d.local_date("closed_at")} AS day, COUNT(*) AS n FROM {_CASES}
WHERE closed_in_p = 1 GROUP BY {d.local_date("closed_at")}
"""
    return created, closed


# --------------------------------------------------------------------------- computing
def _stmt(sql: str, **types: Any) -> TextClause:
    stmt = text(sql).bindparams(
        *(
            bindparam(name, type_=UTCDateTime())
            for name in ("s", "e", "far", "as_at")
            if f":{name}" in sql
        )
    )
    if types:
        stmt = stmt.columns(**types)  # type: ignore[assignment]
    return stmt


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
    session: Session,
    calendar: WorkCalendar,
    period: Period,
    scope_id: str,
    until: datetime | None = None,
    *,
    cutoff: Cutoff | None = None,
) -> tuple[dict[str, Any], dict[str, TextClause]]:
    """The parameters and the SELECTs of the assessment, to run after :func:`prepare`.

    ``until`` (before the period's end) counts an unfinished period as things stand
    at that instant: E is ``until`` instead of the period's end. ``cutoff`` counts only
    the data held at an earlier moment (:class:`Cutoff`)."""
    d = _Dialect(session.get_bind().dialect.name)
    cut = cutoff is not None
    created_sql, closed_sql = _per_day_sql(d, cut)
    end = min(period.end, until) if until is not None else period.end
    params: dict[str, Any] = {"s": period.start, "e": end, **_prefix_range(scope_id)}
    if cutoff is not None:
        params.update(w=cutoff.event_seq, as_at=cutoff.at)
    return params, {
        "groups": _stmt(_groups_sql(d, calendar)),
        "dispatch": _stmt(_dispatch_sql(cut)),
        "evaluation": _stmt(_evaluation_sql(cut)),
        "overdue": _stmt(_overdue_sql(d, calendar), deadline=UTCDateTime()),
        "created": _stmt(created_sql),
        "closed": _stmt(closed_sql),
    }


def prepare(
    session: Session,
    calendar: WorkCalendar,
    period: Period,
    scope_id: str,
    until: datetime | None = None,
    *,
    cutoff: Cutoff | None = None,
) -> None:
    """Materialise the per-case facts as at E and the day table (temporary tables)."""
    params, _ = statements(session, calendar, period, scope_id, until, cutoff=cutoff)
    _drop_temp(session)
    session.execute(_stmt(_cases_sql(cutoff is not None)), params)
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
    session: Session,
    calendar: WorkCalendar,
    period: Period,
    scope_id: str,
    until: datetime | None = None,
    *,
    cutoff: Cutoff | None = None,
) -> dict[str, list[Any]]:
    """All the SQL of the assessment, its rows fetched: the aggregation alone (no rows built)."""
    try:
        prepare(session, calendar, period, scope_id, until, cutoff=cutoff)
        params, stmts = statements(session, calendar, period, scope_id, until, cutoff=cutoff)
        out: dict[str, list[Any]] = {}
        for key, stmt in stmts.items():
            result = session.execute(stmt, params)
            out[key] = list(result.all() if key in ("created", "closed") else result.mappings())
        return out
    finally:
        _drop_temp(session)
