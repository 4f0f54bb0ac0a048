"""The half-monthly assessment: every figure of a period for a scope.

:func:`assess` is the entry point: it checks the scope (:func:`check_scope`),
runs the SQL (:mod:`services.reports.queries`), rolls the groups up into the
rows of each sheet (:mod:`services.reports.rollup`), scores and ranks them
(:mod:`services.reports.ranking`) and returns an
:class:`~services.reports.results.Assessment`. Every figure counts each case
as it stood at the period's end; docs/figures.md defines each one, with a
worked example.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.enums import AssigneeType, OrgLevel
from models.tables import CaseEvent, OrgUnit
from models.types import utcnow
from services import settings as settings_service
from services.cases.lookups import Names
from services.cases.permissions import Actor, Permission, in_scope, require
from services.errors import NotFound, PermissionDenied, ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.reports import coverage
from services.reports.periods import Period
from services.reports.queries import Cutoff, run_queries
from services.reports.ranking import rank, score, weights
from services.reports.results import Assessment, OverdueCase, SignOff
from services.reports.rollup import category_rows, roll_up
from services.worktime.workdays import WorkCalendar


def check_scope(session: Session, actor: Actor, scope_id: str | None) -> OrgUnit:
    """The org unit to assess: the actor's own by default (narrowed to what this database
    holds, :func:`services.reports.coverage.default_scope`); never one outside their area,
    nor one whose cases this database holds only in part."""
    require(actor, Permission.VIEW_REPORTS)
    if not scope_id:
        scope_id = coverage.default_scope(session, actor)
    unit = session.get(OrgUnit, scope_id) if scope_id else None
    if unit is None:
        raise NotFound(
            QT_TRANSLATE_NOOP("services", "The org unit {unit_id} does not exist."),
            unit_id=scope_id or "",
        )
    if unit.level not in coverage.ASSESSED_LEVELS:
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
    coverage.check_held(session, unit)
    return unit


def scope_choices(session: Session, actor: Actor) -> list[OrgUnit]:
    """The county, streets and communities the actor may assess, in tree order: those in
    their area whose cases this database holds completely."""
    return coverage.scopes_held(session, actor)


def assess(
    session: Session,
    actor: Actor,
    period: Period,
    calendar: WorkCalendar,
    scope_id: str | None = None,
    *,
    now: datetime | None = None,
    events_up_to: int | None = None,
) -> Assessment:
    """Every figure of the assessment of ``period`` for the scope ``scope_id``.

    Raises PermissionDenied for an actor without the reports permission, a scope
    outside their area or one this database holds only in part, and
    ValidationError for a period that has not begun. A period still running
    (``now`` before its end) is counted as things stand at ``now`` (E = now: a
    deadline still ahead is not yet due) and marked with ``as_of``.

    ``events_up_to`` (an archived bulletin's ``event_seq``, with ``now`` its as-at
    time) counts the data as held then: only the events stored up to it. The
    assessment's ``event_seq`` is that mark, or the last event stored when counted.
    """
    generated = now or utcnow()
    as_of = coverage.check_period(period, generated)
    unit = check_scope(session, actor, scope_id)
    w = weights(session)
    names = Names.load(session)
    minutes = calendar.office_hours.minutes_per_day
    if events_up_to is None:
        event_seq = int(session.scalar(select(func.max(CaseEvent.seq))) or 0)
        cutoff = None
    else:
        event_seq = events_up_to
        cutoff = Cutoff(generated, events_up_to)
    raw = run_queries(session, calendar, period, unit.id, as_of, cutoff=cutoff)
    rows = roll_up(session, raw, unit, names, minutes)
    rows.totals.score = score(rows.totals, w)
    return Assessment(
        period=period,
        scope_id=unit.id,
        scope_name=unit.name,
        scope_level=unit.level,
        generated_at=generated,
        weights=w,
        totals=rows.totals,
        departments=rank(rows.of_kind(AssigneeType.DEPARTMENT), w),
        grid_workers=rank(rows.of_kind(AssigneeType.GRID_WORKER), w),
        streets=rank(rows.of_kind(OrgLevel.STREET), w),
        communities=rank(rows.of_kind(OrgLevel.COMMUNITY), w),
        categories=category_rows(rows.category_counts, names),
        overdue=[_overdue_case(r, names, minutes) for r in raw["overdue"]],
        per_day=_per_day(period, raw["created"], raw["closed"]),
        fallback_years=calendar.fallback_years(period.first_day, period.last_day),
        minutes_per_day=minutes,
        event_seq=event_seq,
        as_of=as_of,
        sign_off=sign_off(session, unit.name),
    )


def sign_off(session: Session, scope_name: str) -> SignOff:
    """The bulletin's 落款 from the settings (``bulletin.issuer`` else ``centre_name``
    else the scope's name; ``bulletin.reviewer``, ``bulletin.signer`` where set)."""
    values = settings_service.get_all(session)

    def text(key: str) -> str:
        return str(values.get(key) or "").strip()

    return SignOff(
        issuer=text(settings_service.BULLETIN_ISSUER) or text("centre_name") or scope_name,
        reviewer=text(settings_service.BULLETIN_REVIEWER),
        signer=text(settings_service.BULLETIN_SIGNER),
    )


def _overdue_case(r: Any, names: Names, minutes_per_day: int) -> OverdueCase:
    return OverdueCase(
        case_id=r["id"],
        number=r["number"],
        title=r["title"] or "",
        address=r["address"] or "",
        category_code=r["category_code"],
        category=names.category_path(r["category_code"]),
        assignee_type=r["a_type"],
        assignee_id=r["a_id"],
        assignee=names.assignee(r["a_type"], r["a_id"]),
        deadline=r["deadline"],
        overdue_days=max(0.0, float(r["minutes"] or 0)) / minutes_per_day,
        state=r["state"],
        supervised=bool(r["supervised"]),
        closed=bool(r["closed_in_p"]),
    )


def _per_day(
    period: Period, created_days: list[Any], closed_days: list[Any]
) -> list[tuple[date, int, int]]:
    """(local day, created, closed) for every day of the period, zeros included."""
    created_by_day = {_as_date(day): int(n) for day, n in created_days}
    closed_by_day = {_as_date(day): int(n) for day, n in closed_days}
    per_day = []
    day = period.first_day
    while day <= period.last_day:
        per_day.append((day, created_by_day.get(day, 0), closed_by_day.get(day, 0)))
        day += timedelta(days=1)
    return per_day


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
