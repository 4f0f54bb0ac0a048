"""The reception desk (来访接待): visits, their three outcomes, and the visitor's privacy.

A visit ends in one of three ways:

* ``on_the_spot`` (当场办结): the visit and a case that is closed at once;
* ``case`` (受理): a new case — or, when the clerk picks one of the possible
  duplicates, the visit attached to that open case; a coordinator at the desk
  may dispatch the new case straight to the category's default department;
* ``record_only`` (仅登记): a consultation, with no case.

Everything one visit writes — the visit, its outbox entry, the case events and
their outbox entries — happens in the caller's transaction, so it is stored
completely or not at all. Every public function checks the actor's permission
itself; the screen only hides what a role cannot do.

Personal data (SPEC.md "Personal data (PIPL)"): returning visitors are found
through the keyed hashes ``phone_key`` / ``id_number_key``, lists show masked
values, revealing a clear value needs a permission and is audited, and the
retention purge blanks the visitor of old visits while the case stays.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, func, select, true, update
from sqlalchemy.orm import Session

from models.enums import (
    AssigneeType,
    CaseState,
    CloseResolution,
    EventType,
    OrgLevel,
    OutboxKind,
    Purpose,
    Source,
    Urgency,
)
from models.tables import AuditEntry, Case, Category, OrgUnit, OutboxItem, Visit
from models.types import utcnow
from services import settings as settings_service
from services.cases import records as case_service
from services.cases.permissions import Actor, Permission, can_see_case, has, in_scope, require
from services.cases.queue import OPEN_STATES, prefix_clause, scope_clause
from services.errors import NotFound, PermissionDenied, ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.protocol.wire import visit_wire
from services.reception.identity import (
    mask_id_number,
    mask_name,
    mask_phone,
    validate_id_number,
    validate_phone,
    visitor_key,
)
from services.worktime.workdays import SHANGHAI, WorkCalendar

__all__ = [
    "DUPLICATE_DAYS",
    "DUPLICATE_RADIUS_M",
    "Outcome",
    "VisitInput",
    "VisitInvalid",
    "VisitResult",
    "VisitorInput",
    "find_duplicates",
    "find_returning",
    "purge_personal_data",
    "receipt_data",
    "register_visit",
    "reveal_visitor",
    "search_visits",
    "today_stats",
    "validate_visit",
    "visit_wire",
]

NAME_MAX = 60
ADDRESS_MAX = 200
SUMMARY_MAX = 2000
NOTE_MAX = 500
TITLE_LENGTH = 40
DUPLICATE_RADIUS_M = 100.0
DUPLICATE_DAYS = 30
DUPLICATE_LIMIT = 20
EARTH_RADIUS_M = 6_371_008.8
# Open in the duplicate sense: not closed and not voided (a suspended case is still open).
DUPLICATE_STATES = (*OPEN_STATES, CaseState.SUSPENDED)


class Outcome(StrEnum):
    ON_THE_SPOT = "on_the_spot"
    CASE = "case"
    RECORD_ONLY = "record_only"


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


# How a stored visit ended, as lists and statistics show it.
VISIT_OUTCOMES = ("on_the_spot", "case", "attached", "record_only")

OUTCOME_LABELS: dict[str, str] = {
    "on_the_spot": QT_TRANSLATE_NOOP("services", "closed on the spot"),
    "case": QT_TRANSLATE_NOOP("services", "case opened"),
    "attached": QT_TRANSLATE_NOOP("services", "added to an open case"),
    "record_only": QT_TRANSLATE_NOOP("services", "recorded only"),
}

PURPOSE_LABELS: dict[str, str] = {
    Purpose.COMPLAINT: QT_TRANSLATE_NOOP("services", "complaint"),
    Purpose.REQUEST: QT_TRANSLATE_NOOP("services", "request"),
    Purpose.CONSULTATION: QT_TRANSLATE_NOOP("services", "consultation"),
    Purpose.DISPUTE: QT_TRANSLATE_NOOP("services", "dispute"),
    Purpose.OTHER: QT_TRANSLATE_NOOP("services", "other"),
}

GENDER_LABELS: dict[str, str] = {
    Gender.MALE: QT_TRANSLATE_NOOP("services", "male"),
    Gender.FEMALE: QT_TRANSLATE_NOOP("services", "female"),
}

# ----------------------------------------------------------------------------- messages
NAME_EMPTY = QT_TRANSLATE_NOOP("services", "Enter the visitor's name.")
NAME_TOO_LONG = QT_TRANSLATE_NOOP(
    "services", "The name is {length} characters long; keep it to {maximum}."
)
SUMMARY_EMPTY = QT_TRANSLATE_NOOP(
    "services", "Enter a summary of what the visitor asks for or reports."
)
SUMMARY_TOO_LONG = QT_TRANSLATE_NOOP(
    "services", "The summary is {length} characters long; shorten it to {maximum}."
)
ADDRESS_TOO_LONG = QT_TRANSLATE_NOOP(
    "services", "The address is {length} characters long; shorten it to {maximum}."
)
NOTE_TOO_LONG = QT_TRANSLATE_NOOP(
    "services", "The note is {length} characters long; shorten it to {maximum}."
)
PURPOSE_UNKNOWN = QT_TRANSLATE_NOOP("services", "Choose the purpose of the visit.")
GENDER_UNKNOWN = QT_TRANSLATE_NOOP("services", "Choose male or female, or leave the gender empty.")
GENDER_CONFLICT = QT_TRANSLATE_NOOP(
    "services",
    "The ID number belongs to a {gender_label} visitor; correct the gender or the ID number.",
)
CATEGORY_NEEDED = QT_TRANSLATE_NOOP(
    "services", "Choose a category; type part of its name, such as 井盖, to find it."
)
CATEGORY_UNKNOWN = QT_TRANSLATE_NOOP(
    "services", "The category {code} is not known or no longer in use; choose another."
)
PLACE_NEEDED = QT_TRANSLATE_NOOP(
    "services", "Choose the grid (or community or street) where the problem is."
)
PLACE_UNKNOWN = QT_TRANSLATE_NOOP(
    "services", "The place {code} is not a street, community or grid of this district."
)
PLACE_OUTSIDE = QT_TRANSLATE_NOOP(
    "services", "The place you chose lies outside your area; choose one inside it."
)
COORDINATES_INVALID = QT_TRANSLATE_NOOP(
    "services", "The map position is not valid; pick the place on the map again."
)
OUTCOME_UNKNOWN = QT_TRANSLATE_NOOP(
    "services", "Choose how the visit ends: closed on the spot, case opened, or recorded only."
)
ATTACH_NOT_OPEN = QT_TRANSLATE_NOOP(
    "services", "Case {number} is already {state_label}; open a new case instead."
)
NO_DEPARTMENT = QT_TRANSLATE_NOOP(
    "services",
    "The category {name} has no default department, so the case cannot be dispatched at once; open it without dispatching and dispatch it from the queue.",
)
VISIT_UNKNOWN = QT_TRANSLATE_NOOP("services", "The visit {visit_id} does not exist.")
VISIT_OUTSIDE = QT_TRANSLATE_NOOP("services", "This visit was registered outside your area.")
DATA_PURGED = QT_TRANSLATE_NOOP(
    "services",
    "The visitor's personal data was removed on {date} after the retention period; only the anonymous record is kept.",
)
REVEAL_FIELD_UNKNOWN = QT_TRANSLATE_NOOP(
    "services", "Only the name, phone, ID number and address can be shown."
)
RETURNING_NOTHING = QT_TRANSLATE_NOOP(
    "services", "Enter a phone number or an ID number to look up earlier visits."
)
SEARCH_DATES = QT_TRANSLATE_NOOP("services", "The end date {end} is before the start date {start}.")
QUERY_CODE_WRONG = QT_TRANSLATE_NOOP(
    "services", "The query code does not match case {number}; check both and try again."
)


# ----------------------------------------------------------------------------- inputs
@dataclass
class VisitorInput:
    name: str = ""
    phone: str = ""
    id_number: str = ""
    gender: str = ""  # "", "male" or "female"
    address: str = ""


@dataclass
class VisitInput:
    visitor: VisitorInput = field(default_factory=VisitorInput)
    purpose: str = Purpose.COMPLAINT
    summary: str = ""
    outcome: str = Outcome.CASE
    category_code: str | None = None
    org_unit_id: str | None = None  # where the problem is: a grid, community or street
    address: str = ""  # where the problem is
    lat: float | None = None
    lon: float | None = None
    urgency: str = Urgency.NORMAL
    note: str = ""  # the answer given, for a visit closed on the spot
    attach_to_case_id: str | None = None  # a possible duplicate chosen by the clerk
    dispatch_now: bool = True  # for a coordinator: dispatch the new case at once


class VisitInvalid(ValidationError):
    """Several fields need fixing; ``errors`` has one ValidationError per field."""

    def __init__(self, errors: list[ValidationError]) -> None:
        first = errors[0]
        super().__init__(first.template, field=first.field, **first.params)
        self.errors = errors


@dataclass(frozen=True)
class CleanVisit:
    """A checked visit: normalised values, ready to store."""

    name: str
    phone: str
    id_number: str | None
    gender: str | None
    visitor_address: str | None
    purpose: str
    summary: str
    outcome: str
    category_code: str | None
    org_unit_id: str | None
    address: str | None
    lat: float | None
    lon: float | None
    urgency: str
    note: str
    attach_to_case_id: str | None


@dataclass(frozen=True)
class VisitResult:
    visit_id: str
    outcome: str
    case_id: str | None = None
    case_number: str | None = None
    attached: bool = False
    assignee_name: str | None = None
    ack_deadline: datetime | None = None
    deadline: datetime | None = None
    query_code: str | None = None


# ----------------------------------------------------------------------------- validation
def _length_error(template: str, field_name: str, text: str, maximum: int) -> ValidationError:
    return ValidationError(template, field=field_name, length=len(text), maximum=maximum)


def _category(session: Session, code: str | None) -> Category | None:
    if not code:
        return None
    category = session.get(Category, code)
    if category is None or not category.active:
        return None
    return category


def validate_visit(session: Session, actor: Actor, data: VisitInput) -> CleanVisit:
    """Check every field and return the normalised visit, or raise :class:`VisitInvalid`
    listing every field that needs fixing (each with its own message)."""
    errors: list[ValidationError] = []

    def check(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except ValidationError as exc:
            errors.append(exc)
            return None

    visitor = data.visitor
    name = " ".join((visitor.name or "").split())
    if not name:
        errors.append(ValidationError(NAME_EMPTY, field="name"))
    elif len(name) > NAME_MAX:
        errors.append(_length_error(NAME_TOO_LONG, "name", name, NAME_MAX))
    phone = check(validate_phone, visitor.phone or "")
    id_number = None
    if (visitor.id_number or "").strip():
        id_number = check(validate_id_number, visitor.id_number)
    gender = (visitor.gender or "").strip() or None
    if gender is not None and gender not in (Gender.MALE, Gender.FEMALE):
        errors.append(ValidationError(GENDER_UNKNOWN, field="gender"))
    elif id_number:
        from_id = Gender.MALE if int(id_number[16]) % 2 == 1 else Gender.FEMALE
        if gender is None:
            gender = from_id
        elif gender != from_id:
            errors.append(
                ValidationError(
                    GENDER_CONFLICT, field="gender", gender_label=GENDER_LABELS[from_id]
                )
            )
    visitor_address = (visitor.address or "").strip() or None
    if visitor_address and len(visitor_address) > ADDRESS_MAX:
        errors.append(
            _length_error(ADDRESS_TOO_LONG, "visitor_address", visitor_address, ADDRESS_MAX)
        )

    if data.purpose not in tuple(Purpose):
        errors.append(ValidationError(PURPOSE_UNKNOWN, field="purpose"))
    summary = (data.summary or "").strip()
    if not summary:
        errors.append(ValidationError(SUMMARY_EMPTY, field="summary"))
    elif len(summary) > SUMMARY_MAX:
        errors.append(_length_error(SUMMARY_TOO_LONG, "summary", summary, SUMMARY_MAX))
    if data.outcome not in tuple(Outcome):
        errors.append(ValidationError(OUTCOME_UNKNOWN, field="outcome"))
    note = (data.note or "").strip()
    if len(note) > NOTE_MAX:
        errors.append(_length_error(NOTE_TOO_LONG, "note", note, NOTE_MAX))

    needs_case = data.outcome in (Outcome.ON_THE_SPOT, Outcome.CASE)
    attach = data.attach_to_case_id if data.outcome == Outcome.CASE else None
    category_code = (data.category_code or "").strip() or None
    if category_code and _category(session, category_code) is None:
        errors.append(ValidationError(CATEGORY_UNKNOWN, field="category_code", code=category_code))
    elif needs_case and not attach and not category_code:
        errors.append(ValidationError(CATEGORY_NEEDED, field="category_code"))
    org_unit_id = (data.org_unit_id or "").strip() or None
    if org_unit_id:
        unit = session.get(OrgUnit, org_unit_id)
        if unit is None or unit.level == OrgLevel.COUNTY:
            errors.append(ValidationError(PLACE_UNKNOWN, field="org_unit_id", code=org_unit_id))
        elif not in_scope(actor, org_unit_id):
            errors.append(ValidationError(PLACE_OUTSIDE, field="org_unit_id"))
    elif needs_case and not attach:
        errors.append(ValidationError(PLACE_NEEDED, field="org_unit_id"))
    address = (data.address or "").strip() or None
    if address and len(address) > ADDRESS_MAX:
        errors.append(_length_error(ADDRESS_TOO_LONG, "address", address, ADDRESS_MAX))
    lat, lon = data.lat, data.lon
    if (lat is None) != (lon is None) or (
        lat is not None
        and lon is not None
        and not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0 and math.isfinite(lat + lon))
    ):
        errors.append(ValidationError(COORDINATES_INVALID, field="location"))
    urgency = data.urgency if data.urgency in tuple(Urgency) else Urgency.NORMAL

    if errors:
        raise VisitInvalid(errors)
    return CleanVisit(
        name=name,
        phone=phone,
        id_number=id_number,
        gender=gender,
        visitor_address=visitor_address,
        purpose=data.purpose,
        summary=summary,
        outcome=data.outcome,
        category_code=category_code,
        org_unit_id=org_unit_id,
        address=address,
        lat=lat,
        lon=lon,
        urgency=urgency,
        note=note,
        attach_to_case_id=attach,
    )


# ----------------------------------------------------------------------------- wire
# ----------------------------------------------------------------------------- helpers
def case_title(summary: str) -> str:
    """A case title from the visit's summary: its first sentence, at most 40 characters."""
    text = " ".join(summary.split())
    for stop in ("。", "！", "？", "；", "\n"):
        head = text.split(stop, 1)[0]
        if head:
            text = head
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1] + "…"


def query_code(item_id: str) -> str:
    """The short code printed on the receipt, which the visitor quotes with the case number.

    Derived from the case's (or visit's) UUID, which is never printed, so that
    the county and every desk compute the same code and a case number alone is
    not enough to ask about somebody else's case.
    """
    digest = hashlib.sha256(f"griddesk-query:{item_id}".encode()).hexdigest().upper()
    return f"{digest[:4]}-{digest[4:8]}"


def check_query_code(session: Session, case_number: str, code: str) -> Case:
    """The case with ``case_number`` if ``code`` is its query code (for phone enquiries)."""
    case = session.scalar(select(Case).where(Case.number == case_number.strip()))
    wanted = "".join(ch for ch in code.upper() if ch.isalnum())
    if case is None or "".join(query_code(case.id).split("-")) != wanted:
        raise ValidationError(QUERY_CODE_WRONG, field="query_code", number=case_number)
    return case


def default_department(session: Session, category_code: str) -> str | None:
    """The category's default department, or its nearest ancestor's."""
    code: str | None = category_code
    while code:
        category = session.get(Category, code)
        if category is None:
            return None
        if category.default_department_id:
            return category.default_department_id
        code = category.parent_code
    return None


def _desk_unit(session: Session, actor: Actor) -> str:
    """The org unit the visit is registered at: the clerk's own, else this desk's."""
    if actor.org_unit_id:
        return actor.org_unit_id
    return str(settings_service.get(session, "device.home_org_unit_id") or "")


def _level(session: Session, unit_id: str) -> str | None:
    unit = session.get(OrgUnit, unit_id)
    return unit.level if unit is not None else None


def _keys(
    session: Session, phone: str | None, id_number: str | None
) -> tuple[str | None, str | None]:
    key = settings_service.visitor_hash_key(session)
    return (
        visitor_key(phone, key) if phone else None,
        visitor_key(id_number, key) if id_number else None,
    )


# ----------------------------------------------------------------------------- registering
def register_visit(
    session: Session,
    actor: Actor,
    calendar: WorkCalendar,
    data: VisitInput,
    *,
    at: datetime | None = None,
) -> VisitResult:
    """Record one visit with its outcome, in the caller's transaction."""
    require(actor, Permission.REGISTER_VISIT)
    clean = validate_visit(session, actor, data)
    if clean.outcome == Outcome.ON_THE_SPOT:
        require(actor, Permission.CREATE_CASE)
        require(actor, Permission.CLOSE_ON_THE_SPOT)
    elif clean.outcome == Outcome.CASE and not clean.attach_to_case_id:
        require(actor, Permission.CREATE_CASE)
    at = at or utcnow()
    phone_key, id_key = _keys(session, clean.phone, clean.id_number)
    visit = Visit(
        id=str(uuid.uuid4()),
        org_unit_id=_desk_unit(session, actor),
        at=at,
        received_by=actor.id,
        visitor_name=clean.name,
        visitor_phone=clean.phone,
        visitor_id_number=clean.id_number,
        visitor_gender=clean.gender,
        visitor_address=clean.visitor_address,
        phone_key=phone_key,
        id_number_key=id_key,
        purpose=clean.purpose,
        summary=clean.summary,
        case_id=None,
        resolved_on_the_spot=clean.outcome == Outcome.ON_THE_SPOT,
        created_at=at,
    )
    session.add(visit)
    result = VisitResult(visit_id=visit.id, outcome=clean.outcome)

    if clean.outcome == Outcome.CASE and clean.attach_to_case_id:
        case = case_service.get_case(session, clean.attach_to_case_id)
        if not can_see_case(actor, case):
            raise PermissionDenied(
                QT_TRANSLATE_NOOP(
                    "services", "Case {number} lies outside your area of responsibility."
                ),
                number=case.number,
            )
        if case.state not in DUPLICATE_STATES:
            from services.cases.labels import STATE_LABELS

            raise ValidationError(
                ATTACH_NOT_OPEN,
                field="attach_to_case_id",
                number=case.number,
                state_label=STATE_LABELS.get(case.state, case.state),
            )
        visit.case_id = case.id
        result = VisitResult(
            visit_id=visit.id,
            outcome=clean.outcome,
            case_id=case.id,
            case_number=case.number,
            attached=True,
            deadline=case.deadline,
            ack_deadline=case.ack_deadline,
            query_code=query_code(case.id),
        )
    elif clean.outcome in (Outcome.CASE, Outcome.ON_THE_SPOT):
        assert clean.category_code is not None and clean.org_unit_id is not None
        case = case_service.create_case(
            session,
            actor,
            title=case_title(clean.summary),
            description=clean.summary,
            category_code=clean.category_code,
            org_unit_id=clean.org_unit_id,
            source=Source.WALK_IN,
            urgency=clean.urgency,
            address=clean.address,
            lat=clean.lat,
            lon=clean.lon,
            visit_id=visit.id,
            at=at,
        )
        visit.case_id = case.id
        assignee_name = None
        if clean.outcome == Outcome.ON_THE_SPOT:
            case = case_service.record(
                session,
                actor,
                case.id,
                EventType.CLOSED,
                {"resolution": CloseResolution.ON_THE_SPOT, "note": clean.note},
                at=at,
            )
        elif data.dispatch_now and has(actor, Permission.DISPATCH):
            department = default_department(session, clean.category_code)
            if department is None:
                category = session.get(Category, clean.category_code)
                raise ValidationError(
                    NO_DEPARTMENT,
                    field="category_code",
                    name=category.name if category else clean.category_code,
                )
            assignee_name = case_service.check_assignee(
                session, AssigneeType.DEPARTMENT, department
            )
            case = case_service.dispatch(
                session, actor, calendar, case.id, AssigneeType.DEPARTMENT, department, at=at
            )
        deadline = case.deadline
        ack_deadline = case.ack_deadline
        if deadline is None and clean.outcome == Outcome.CASE:
            # Not dispatched yet: promise the handling limit counted from now.
            ack_deadline, deadline = case_service.compute_deadlines(
                session, calendar, case.category_code, case.urgency, at
            )
        result = VisitResult(
            visit_id=visit.id,
            outcome=clean.outcome,
            case_id=case.id,
            case_number=case.number,
            assignee_name=assignee_name,
            ack_deadline=ack_deadline if clean.outcome == Outcome.CASE else None,
            deadline=deadline if clean.outcome == Outcome.CASE else None,
            query_code=query_code(case.id),
        )
    else:
        result = VisitResult(
            visit_id=visit.id, outcome=clean.outcome, query_code=query_code(visit.id)
        )

    session.flush()
    case_service.add_outbox(session, OutboxKind.VISIT, visit.id, visit_wire(visit))
    session.flush()
    return result


# ----------------------------------------------------------------------------- returning visitors
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


def _visit_scope(actor: Actor) -> Any:
    if actor.org_unit_id == "":
        return true()
    return prefix_clause(Visit.org_unit_id, actor.org_unit_id or "\x00")


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
    clean_id = clean_phone = None
    if id_number.strip():
        try:
            clean_id = validate_id_number(id_number)
        except ValidationError:
            clean_id = None
    if phone.strip():
        try:
            clean_phone = validate_phone(phone)
        except ValidationError:
            clean_phone = None
    if clean_id is None and clean_phone is None:
        return None
    phone_key, id_key = _keys(session, clean_phone, clean_id)
    column, key, matched_by = (
        (Visit.id_number_key, id_key, "id_number")
        if id_key
        else (Visit.phone_key, phone_key, "phone")
    )
    where = and_(column == key, Visit.personal_data_purged_at.is_(None), _visit_scope(actor))
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
            outcome=_outcome(v.resolved_on_the_spot, v.case_id, visit_of_case, v.id),
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
    open_cases: list[OpenCase] = []
    if case_ids:
        for case in session.scalars(
            select(Case)
            .where(Case.id.in_(case_ids), Case.state.in_(DUPLICATE_STATES))
            .order_by(Case.created_at.desc())
        ):
            if can_see_case(actor, case) or in_scope(actor, case.org_unit_id):
                open_cases.append(
                    OpenCase(
                        case_id=case.id,
                        number=case.number,
                        title=case.title,
                        state=case.state,
                        deadline=case.deadline,
                        created_at=case.created_at,
                    )
                )
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
    return ReturningVisitor(
        matched_by=matched_by,
        masked_name=mask_name(latest.visitor_name),
        masked_phone=mask_phone(latest.visitor_phone),
        masked_id_number=mask_id_number(latest.visitor_id_number),
        visit_count=count,
        visits=visits,
        open_cases=open_cases,
        fill=fill,
    )


def _outcome(
    on_the_spot: bool, case_id: str | None, visit_of_case: str | None, visit_id: str
) -> str:
    if on_the_spot:
        return "on_the_spot"
    if not case_id:
        return "record_only"
    if visit_of_case is not None and visit_of_case != visit_id:
        return "attached"
    return "case"


# ----------------------------------------------------------------------------- duplicates
@dataclass(frozen=True)
class DuplicateCandidate:
    case_id: str
    number: str
    title: str
    state: str
    org_unit_id: str
    grid_id: str | None
    address: str | None
    created_at: datetime
    distance_m: float | None
    same_grid: bool


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def find_duplicates(
    session: Session,
    actor: Actor,
    *,
    category_code: str | None,
    org_unit_id: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    now: datetime | None = None,
    radius_m: float = DUPLICATE_RADIUS_M,
    days: int = DUPLICATE_DAYS,
    limit: int = DUPLICATE_LIMIT,
) -> list[DuplicateCandidate]:
    """Open cases of the same category in the same grid, or within ``radius_m``,
    created in the last ``days`` days, that the actor may see; nearest first.

    One indexed range (category, creation time) with a latitude/longitude box
    as the coarse filter; the exact distance is computed for the few rows left.
    """
    require(actor, Permission.REGISTER_VISIT)
    if not category_code:
        return []
    grid_id = None
    if org_unit_id and _level(session, org_unit_id) == OrgLevel.GRID:
        grid_id = org_unit_id
    has_point = lat is not None and lon is not None
    if grid_id is None and not has_point:
        return []
    now = now or utcnow()
    since = now - timedelta(days=days)
    # Two narrow index ranges instead of one OR: the same grid, and a box around the point.
    near: list[Any] = []
    if grid_id is not None:
        near.append(Case.grid_id == grid_id)
    if lat is not None and lon is not None:
        dlat = math.degrees(radius_m / EARTH_RADIUS_M)
        dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
        near.append(
            and_(
                Case.lat.between(lat - dlat, lat + dlat),
                Case.lon.between(lon - dlon, lon + dlon),
            )
        )
    by_id: dict[str, Any] = {}
    for clause in near:
        for row in session.execute(
            select(
                Case.id,
                Case.number,
                Case.title,
                Case.state,
                Case.org_unit_id,
                Case.grid_id,
                Case.address,
                Case.created_at,
                Case.lat,
                Case.lon,
            )
            .where(
                Case.category_code == category_code,
                clause,
                Case.created_at >= since,
                Case.state.in_(DUPLICATE_STATES),
                scope_clause(actor),
            )
            .order_by(Case.created_at.desc())
            .limit(limit * 2)
        ):
            by_id[row.id] = row
    rows = list(by_id.values())
    found: list[DuplicateCandidate] = []
    for row in rows:
        distance = None
        if lat is not None and lon is not None and row.lat is not None and row.lon is not None:
            distance = haversine_m(lat, lon, row.lat, row.lon)
        same_grid = grid_id is not None and row.grid_id == grid_id
        if not same_grid and (distance is None or distance > radius_m):
            continue
        found.append(
            DuplicateCandidate(
                case_id=row.id,
                number=row.number,
                title=row.title,
                state=row.state,
                org_unit_id=row.org_unit_id,
                grid_id=row.grid_id,
                address=row.address,
                created_at=row.created_at,
                distance_m=distance,
                same_grid=same_grid,
            )
        )
    found.sort(
        key=lambda c: (c.distance_m if c.distance_m is not None else 1e9, -c.created_at.timestamp())
    )
    return found[:limit]


# ----------------------------------------------------------------------------- lists
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
        outcome=_outcome(visit.resolved_on_the_spot, visit.case_id, visit_of_case, visit.id),
        case_id=visit.case_id,
        case_number=number,
        case_state=state,
        purged=visit.personal_data_purged_at is not None,
    )


def search_visits(session: Session, actor: Actor, search: VisitSearch) -> list[VisitRow]:
    """Past visits by date, name, phone or case number, newest first (masked)."""
    require(actor, Permission.REGISTER_VISIT)
    clauses: list[Any] = [_visit_scope(actor)]
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


# ----------------------------------------------------------------------------- receipt
@dataclass(frozen=True)
class Receipt:
    """What the receipt (回执单) prints; the visitor is masked, the ID number never printed."""

    centre_name: str
    visit_id: str
    at: datetime
    visitor_name: str
    visitor_phone: str
    purpose: str
    summary: str
    outcome: str
    case_id: str | None
    case_number: str | None
    category_name: str | None
    place: str | None
    deadline: datetime | None
    state: str | None
    query_code: str
    clerk_name: str


def _visit_for(session: Session, actor: Actor, visit_id: str) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(VISIT_UNKNOWN, visit_id=visit_id)
    if not in_scope(actor, visit.org_unit_id):
        raise PermissionDenied(VISIT_OUTSIDE)
    return visit


def receipt_data(session: Session, actor: Actor, calendar: WorkCalendar, visit_id: str) -> Receipt:
    """The receipt of a visit, for the first print or a re-print from the history."""
    require(actor, Permission.REGISTER_VISIT)
    visit = _visit_for(session, actor, visit_id)
    from services.cases.lookups import Names

    names = Names.load(session)
    case = session.get(Case, visit.case_id) if visit.case_id else None
    centre = str(settings_service.get(session, "centre_name") or "") or names.org_unit(
        visit.org_unit_id
    )
    deadline = None
    if case is not None and case.state not in (CaseState.CLOSED, CaseState.VOIDED):
        deadline = case.deadline
        if deadline is None:
            _ack, deadline = case_service.compute_deadlines(
                session, calendar, case.category_code, case.urgency, case.created_at
            )
    place = None
    if case is not None:
        place = " ".join(p for p in (names.org_unit(case.org_unit_id), case.address or "") if p)
    return Receipt(
        centre_name=centre,
        visit_id=visit.id,
        at=visit.at,
        visitor_name=mask_name(visit.visitor_name),
        visitor_phone=mask_phone(visit.visitor_phone),
        purpose=visit.purpose,
        summary=visit.summary,
        outcome=_outcome(
            visit.resolved_on_the_spot, visit.case_id, case.visit_id if case else None, visit.id
        ),
        case_id=case.id if case else None,
        case_number=case.number if case else None,
        category_name=names.category_path(case.category_code) if case else None,
        place=place,
        deadline=deadline,
        state=case.state if case else None,
        query_code=query_code(case.id if case else visit.id),
        clerk_name=names.user(visit.received_by),
    )


# ----------------------------------------------------------------------------- privacy
REVEAL_FIELDS = {
    "name": "visitor_name",
    "phone": "visitor_phone",
    "id_number": "visitor_id_number",
    "address": "visitor_address",
}


def reveal_visitor(session: Session, actor: Actor, visit_id: str, field_name: str) -> str:
    """The clear value of one personal field of a visit; permission-checked and audited."""
    require(actor, Permission.REVEAL_PERSONAL_DATA)
    if field_name not in REVEAL_FIELDS:
        raise ValidationError(REVEAL_FIELD_UNKNOWN, field="field")
    visit = _visit_for(session, actor, visit_id)
    if visit.personal_data_purged_at is not None:
        raise ValidationError(
            DATA_PURGED,
            field=field_name,
            date=visit.personal_data_purged_at.astimezone(SHANGHAI).date().isoformat(),
        )
    session.add(
        AuditEntry(
            user_id=actor.id,
            action="personal_data_revealed",
            target_type="visit",
            target_id=visit.id,
            detail={"field": field_name},
        )
    )
    return str(getattr(visit, REVEAL_FIELDS[field_name]) or "")


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime
    visits: int
    dry_run: bool


def retention_cutoff(session: Session, now: datetime | None = None) -> datetime:
    years = int(settings_service.get(session, "retention_years") or 3)
    local = (now or utcnow()).astimezone(SHANGHAI)
    try:
        start = local.replace(year=local.year - years)
    except ValueError:  # 29 February
        start = local.replace(year=local.year - years, day=28)
    return start


def purge_personal_data(
    session: Session, actor: Actor, *, now: datetime | None = None, dry_run: bool = False
) -> PurgeResult:
    """Blank the visitor of every visit older than the retention period.

    The visit stays (purpose, summary, time, its case), so the case and the
    statistics keep working; the name, phone, ID number, address and the keyed
    hashes go, also from the copies queued for the county. Audited.
    """
    require(actor, Permission.PURGE_PERSONAL_DATA)
    now = now or utcnow()
    cutoff = retention_cutoff(session, now)
    old = and_(Visit.at < cutoff, Visit.personal_data_purged_at.is_(None))
    ids = list(session.scalars(select(Visit.id).where(old)))
    if dry_run or not ids:
        return PurgeResult(cutoff=cutoff, visits=len(ids), dry_run=dry_run)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(
            update(Visit)
            .where(Visit.id.in_(chunk))
            .values(
                visitor_name=None,
                visitor_phone=None,
                visitor_id_number=None,
                visitor_address=None,
                phone_key=None,
                id_number_key=None,
                personal_data_purged_at=now,
            )
        )
        for item in session.scalars(
            select(OutboxItem).where(
                OutboxItem.kind == OutboxKind.VISIT, OutboxItem.item_id.in_(chunk)
            )
        ):
            payload = dict(item.payload)
            visitor = dict(payload.get("visitor") or {})
            for key in ("name", "phone", "id_number", "address"):
                visitor[key] = None
            payload["visitor"] = visitor
            item.payload = payload
    session.add(
        AuditEntry(
            user_id=actor.id,
            action="personal_data_purged",
            target_type="visit",
            target_id=None,
            detail={"visits": len(ids), "before": cutoff.isoformat()},
        )
    )
    return PurgeResult(cutoff=cutoff, visits=len(ids), dry_run=False)


def daily_purge(
    session: Session, actor: Actor, *, now: datetime | None = None
) -> PurgeResult | None:
    """The purge once a day at start (``device.last_purge_date``); None if done today."""
    now = now or utcnow()
    today = now.astimezone(SHANGHAI).date().isoformat()
    if settings_service.get(session, "device.last_purge_date") == today:
        return None
    result = purge_personal_data(session, actor, now=now)
    settings_service.put(session, "device.last_purge_date", today)
    return result


# ----------------------------------------------------------------------------- pick lists
@dataclass(frozen=True)
class CategoryChoice:
    """A category as the searchable picker shows it."""

    code: str
    name: str
    path: str  # "公用设施 / 污水井盖 / 污水井盖缺失"
    parent_code: str | None
    depth: int
    initials: str  # pinyin initials of the name, e.g. "wsjgqs"
    search: str  # what typing is matched against (lower case)
    department_id: str | None


def _initials(text: str) -> str:
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a dependency; search still works
        return ""
    return "".join(
        p[:1] for p in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore") if p
    ).lower()


def category_choices(session: Session) -> list[CategoryChoice]:
    """Active categories in tree order, each with its path and pinyin initials."""
    rows = list(
        session.scalars(
            select(Category)
            .where(Category.active.is_(True))
            .order_by(Category.sort_order, Category.code)
        )
    )
    by_code = {c.code: c for c in rows}
    children: dict[str | None, list[Category]] = {}
    for c in rows:
        parent = c.parent_code if c.parent_code in by_code else None
        children.setdefault(parent, []).append(c)
    out: list[CategoryChoice] = []

    def walk(parent: str | None, names: list[str], initials: list[str], depth: int) -> None:
        for c in children.get(parent, []):
            own = _initials(c.name)
            path = [*names, c.name]
            out.append(
                CategoryChoice(
                    code=c.code,
                    name=c.name,
                    path=" / ".join(path),
                    parent_code=parent,
                    depth=depth,
                    initials=own,
                    search=" ".join([*path, own, *initials, c.code]).lower(),
                    department_id=default_department(session, c.code),
                )
            )
            walk(c.code, path, [*initials, own], depth + 1)

    walk(None, [], [], 0)
    return out


@dataclass(frozen=True)
class PlaceChoice:
    """A street, community or grid the actor may register a problem in."""

    id: str
    name: str
    path: str  # "长河街道 / 朝阳社区 / 朝阳社区第1网格"
    level: str
    center_lat: float | None
    center_lon: float | None
    search: str


def place_choices(session: Session, actor: Actor) -> list[PlaceChoice]:
    """Streets, communities and grids inside the actor's area, in code order."""
    units = list(
        session.scalars(select(OrgUnit).where(OrgUnit.active.is_(True)).order_by(OrgUnit.id))
    )
    names = {u.id: u.name for u in units}
    out: list[PlaceChoice] = []
    for unit in units:
        if unit.level == OrgLevel.COUNTY or not in_scope(actor, unit.id):
            continue
        parts: list[str] = []
        for length in (9, 12):
            if len(unit.id) > length and unit.id[:length] in names:
                parts.append(names[unit.id[:length]])
        parts.append(unit.name)
        path = " / ".join(parts)
        out.append(
            PlaceChoice(
                id=unit.id,
                name=unit.name,
                path=path,
                level=unit.level,
                center_lat=unit.center_lat,
                center_lon=unit.center_lon,
                search=f"{path} {_initials(path.replace(' / ', ''))} {unit.id}".lower(),
            )
        )
    return out


def dispatch_preview(
    session: Session,
    calendar: WorkCalendar,
    category_code: str,
    urgency: str,
    at: datetime | None = None,
) -> tuple[str | None, datetime, datetime]:
    """(default department name, sign-for deadline, handling deadline) of a dispatch now."""
    from models.tables import Department

    at = at or utcnow()
    department_id = default_department(session, category_code)
    department = session.get(Department, department_id) if department_id else None
    ack, deadline = case_service.compute_deadlines(session, calendar, category_code, urgency, at)
    return (department.name if department else None), ack, deadline


EXPORT_HEADERS = (
    QT_TRANSLATE_NOOP("services", "Time"),
    QT_TRANSLATE_NOOP("services", "Visitor"),
    QT_TRANSLATE_NOOP("services", "Phone"),
    QT_TRANSLATE_NOOP("services", "Purpose"),
    QT_TRANSLATE_NOOP("services", "Outcome"),
    QT_TRANSLATE_NOOP("services", "Case number"),
    QT_TRANSLATE_NOOP("services", "Summary"),
)


def export_visits(
    session: Session,
    actor: Actor,
    search: VisitSearch,
    path: Any,
    translate: Any = None,
) -> int:
    """Write the visits found by ``search`` to an .xlsx file; returns the row count.

    Exports carry the masked name and phone and never an ID number (SPEC.md
    "Personal data"). ``translate`` turns the marked header and label texts
    into the reader's language (identity when not given).
    """
    from openpyxl import Workbook

    from services.reports.exports import literal_workbook

    tr = translate or (lambda text: text)
    rows = search_visits(session, actor, search)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "visits"
    sheet.append([tr(h) for h in EXPORT_HEADERS])
    for row in rows:
        sheet.append(
            [
                row.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                row.masked_name,
                row.masked_phone,
                tr(PURPOSE_LABELS.get(row.purpose, row.purpose)),
                tr(OUTCOME_LABELS.get(row.outcome, row.outcome)),
                row.case_number or "",
                row.summary,
            ]
        )
    for column, width in zip("ABCDEFG", (17, 10, 14, 10, 14, 26, 60), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    literal_workbook(book)  # a summary or case number starting with "=" stays text
    book.save(path)
    return len(rows)
