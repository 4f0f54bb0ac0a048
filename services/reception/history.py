"""Past visits: the history search (masked) and the day's counts at the desk."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import Purpose
from models.tables import Case, Visit
from services import settings as settings_service
from services.cases.permissions import Actor, Permission, require
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.reception.identity import mask_name, mask_phone, validate_phone, visitor_key
from services.reception.labels import VISIT_OUTCOMES, visit_outcome
from services.reception.lookups import visit_scope
from services.worktime.workdays import SHANGHAI

SEARCH_DATES = QT_TRANSLATE_NOOP("services", "The end date {end} is before the start date {start}.")


@dataclass(frozen=True)
class VisitRow:
    """A visit as lists show it: personal data masked, no ID number."""

    visit_id: str
    at: datetime
    masked_name: str
    masked_phone: str
    has_id_number: bool
    purpose: str
    summary: str
    outcome: str
    case_id: str | None
    case_number: str | None
    case_state: str | None
    purged: bool


@dataclass
class VisitSearch:
    date_from: date | None = None  # local dates, inclusive
    date_to: date | None = None
    name: str = ""
    phone: str = ""
    case_number: str = ""
    limit: int = 200
    offset: int = 0


def _local_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=SHANGHAI)


def _row(
    visit: Visit, number: str | None, state: str | None, visit_of_case: str | None
) -> VisitRow:
    return VisitRow(
        visit_id=visit.id,
        at=visit.at,
        masked_name=mask_name(visit.visitor_name),
        masked_phone=mask_phone(visit.visitor_phone),
        has_id_number=bool(visit.visitor_id_number),
        purpose=visit.purpose,
        summary=visit.summary,
        outcome=visit_outcome(visit.resolved_on_the_spot, visit.case_id, visit_of_case, visit.id),
        case_id=visit.case_id,
        case_number=number,
        case_state=state,
        purged=visit.personal_data_purged_at is not None,
    )


def search_visits(session: Session, actor: Actor, search: VisitSearch) -> list[VisitRow]:
    """Past visits by date, name, phone or case number, newest first (masked)."""
    require(actor, Permission.REGISTER_VISIT)
    clauses: list[Any] = [visit_scope(actor)]
    if search.date_from and search.date_to and search.date_to < search.date_from:
        raise ValidationError(
            SEARCH_DATES,
            field="date_to",
            start=search.date_from.isoformat(),
            end=search.date_to.isoformat(),
        )
    if search.date_from:
        clauses.append(Visit.at >= _local_day_start(search.date_from))
    if search.date_to:
        clauses.append(Visit.at < _local_day_start(search.date_to + timedelta(days=1)))
    name = " ".join(search.name.split())
    if name:
        clauses.append(Visit.visitor_name.contains(name, autoescape=True))
    phone = search.phone.strip()
    if phone:
        try:
            normalised = validate_phone(phone)
        except ValidationError:
            digits = "".join(ch for ch in phone if ch.isdigit())
            clauses.append(Visit.visitor_phone.contains(digits or phone, autoescape=True))
        else:
            key = settings_service.visitor_hash_key(session)
            clauses.append(Visit.phone_key == visitor_key(normalised, key))
    number = search.case_number.strip()
    if number:
        case_ids = select(Case.id).where(Case.number.contains(number, autoescape=True))
        if len(number) >= 9 and "-" in number:
            case_ids = select(Case.id).where(Case.number >= number, Case.number < number + "\uffff")
        clauses.append(Visit.case_id.in_(case_ids))
    rows = session.execute(
        select(Visit, Case.number, Case.state, Case.visit_id)
        .outerjoin(Case, Case.id == Visit.case_id)
        .where(*clauses)
        .order_by(Visit.at.desc())
        .limit(search.limit)
        .offset(search.offset)
    ).all()
    return [_row(v, n, s, vc) for v, n, s, vc in rows]


@dataclass(frozen=True)
class TodayStats:
    day: date
    total: int
    by_purpose: dict[str, int]
    by_outcome: dict[str, int]
    visits: list[VisitRow]


def today_stats(session: Session, actor: Actor, day: date | None = None) -> TodayStats:
    """The day's visits at this desk's area, with counts by purpose and by outcome."""
    day = day or datetime.now(SHANGHAI).date()
    rows = search_visits(session, actor, VisitSearch(date_from=day, date_to=day, limit=10_000))
    purposes = Counter(r.purpose for r in rows)
    outcomes = Counter(r.outcome for r in rows)
    return TodayStats(
        day=day,
        total=len(rows),
        by_purpose={p: purposes.get(p, 0) for p in Purpose},
        by_outcome={o: outcomes.get(o, 0) for o in VISIT_OUTCOMES},
        visits=rows,
    )
