"""Finding a returning visitor while the clerk types a phone or ID number.

The look-up goes through the keyed hashes ``phone_key`` / ``id_number_key``
(never a clear value) and shows masked values; a purged visit is never found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from models.tables import Case, Visit
from services.cases.permissions import Actor, Permission, can_see_case, in_scope, require
from services.errors import ValidationError
from services.reception.identity import (
    mask_id_number,
    mask_name,
    mask_phone,
    validate_id_number,
    validate_phone,
)
from services.reception.labels import visit_outcome
from services.reception.lookups import visit_scope, visitor_keys
from services.reception.visits import DUPLICATE_STATES


@dataclass(frozen=True)
class EarlierVisit:
    visit_id: str
    at: datetime
    purpose: str
    summary: str
    outcome: str
    case_id: str | None
    case_number: str | None
    case_state: str | None


@dataclass(frozen=True)
class OpenCase:
    case_id: str
    number: str
    title: str
    state: str
    deadline: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class ReturningVisitor:
    """What the desk knows of a visitor found by phone or ID number.

    ``fill`` holds the values the form may take over: the name, gender and
    address as last given, the phone typed by the clerk, and the ID number only
    when it was the ID number that was typed (it is never put on screen from
    the database). ``masked_*`` is what the panel shows.
    """

    matched_by: str  # "phone" or "id_number"
    masked_name: str
    masked_phone: str
    masked_id_number: str
    visit_count: int
    visits: list[EarlierVisit]
    open_cases: list[OpenCase]
    fill: dict[str, str]


def find_returning(
    session: Session,
    actor: Actor,
    *,
    phone: str = "",
    id_number: str = "",
    limit: int = 20,
) -> ReturningVisitor | None:
    """Earlier visits and open cases of the visitor with this phone or ID number.

    Only a valid phone or ID number is looked up (by its keyed hash, through an
    index); an ID number wins over a phone. None when nothing is known.
    """
    require(actor, Permission.REGISTER_VISIT)
    clean_id = _valid_or_none(validate_id_number, id_number)
    clean_phone = _valid_or_none(validate_phone, phone)
    if clean_id is None and clean_phone is None:
        return None
    phone_key, id_key = visitor_keys(session, clean_phone, clean_id)
    column, key, matched_by = (
        (Visit.id_number_key, id_key, "id_number")
        if id_key
        else (Visit.phone_key, phone_key, "phone")
    )
    where = and_(column == key, Visit.personal_data_purged_at.is_(None), visit_scope(actor))
    count = session.scalar(select(func.count()).select_from(Visit).where(where)) or 0
    if count == 0:
        return None
    rows = session.execute(
        select(Visit, Case.number, Case.state, Case.visit_id)
        .outerjoin(Case, Case.id == Visit.case_id)
        .where(where)
        .order_by(Visit.at.desc())
        .limit(limit)
    ).all()
    latest: Visit = rows[0][0]
    visits = [
        EarlierVisit(
            visit_id=v.id,
            at=v.at,
            purpose=v.purpose,
            summary=v.summary,
            outcome=visit_outcome(v.resolved_on_the_spot, v.case_id, visit_of_case, v.id),
            case_id=v.case_id,
            case_number=number,
            case_state=state,
        )
        for v, number, state, visit_of_case in rows
    ]
    case_ids = {v.case_id for v, *_ in rows if v.case_id}
    # Cases of this visitor's older visits than the page shown are looked up too.
    if count > len(rows):
        case_ids |= set(
            session.scalars(select(Visit.case_id).where(where, Visit.case_id.is_not(None)))
        )
    return ReturningVisitor(
        matched_by=matched_by,
        masked_name=mask_name(latest.visitor_name),
        masked_phone=mask_phone(latest.visitor_phone),
        masked_id_number=mask_id_number(latest.visitor_id_number),
        visit_count=count,
        visits=visits,
        open_cases=_open_cases(session, actor, case_ids),
        fill=_fill(latest, clean_phone, clean_id),
    )


def _valid_or_none(check: Callable[[str], str], text: str) -> str | None:
    """The normalised value if ``text`` is a valid one; a half-typed value is no key."""
    if not text.strip():
        return None
    try:
        return check(text)
    except ValidationError:
        return None


def _open_cases(session: Session, actor: Actor, case_ids: set[str]) -> list[OpenCase]:
    """Those of the visitor's cases that are still open and the actor may see."""
    if not case_ids:
        return []
    return [
        OpenCase(
            case_id=case.id,
            number=case.number,
            title=case.title,
            state=case.state,
            deadline=case.deadline,
            created_at=case.created_at,
        )
        for case in session.scalars(
            select(Case)
            .where(Case.id.in_(case_ids), Case.state.in_(DUPLICATE_STATES))
            .order_by(Case.created_at.desc())
        )
        if can_see_case(actor, case) or in_scope(actor, case.org_unit_id)
    ]


def _fill(latest: Visit, clean_phone: str | None, clean_id: str | None) -> dict[str, str]:
    """What the form may take over; the ID number only when it was typed."""
    fill = {
        "name": latest.visitor_name or "",
        "gender": latest.visitor_gender or "",
        "address": latest.visitor_address or "",
    }
    if clean_phone:
        fill["phone"] = clean_phone
    elif latest.visitor_phone:
        fill["phone"] = latest.visitor_phone
    if clean_id:
        fill["id_number"] = clean_id
    return fill
