"""Checking a visit before it is stored: the form's inputs, one error per field.

:func:`validate_visit` never stops at the first problem: it raises
:class:`VisitInvalid` with every field that needs fixing, so the desk can show
each message under its own input.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from models.enums import OrgLevel, Purpose, Urgency
from models.tables import Category, OrgUnit
from services.cases.permissions import Actor, in_scope
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.reception.identity import validate_id_number, validate_phone
from services.reception.labels import GENDER_LABELS, Gender, Outcome
from services.text import require_text

T = TypeVar("T")

NAME_MAX = 60
ADDRESS_MAX = 200
SUMMARY_MAX = 2000
NOTE_MAX = 500

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


def _category(session: Session, code: str | None) -> Category | None:
    if not code:
        return None
    category = session.get(Category, code)
    if category is None or not category.active:
        return None
    return category


class _Errors:
    """Collects one ValidationError per field instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def add(self, template: str, field_name: str, **params: Any) -> None:
        self.errors.append(ValidationError(template, field=field_name, **params))

    def check(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            self.errors.append(exc)
            return None


def _visitor(errors: _Errors, visitor: VisitorInput) -> dict[str, Any]:
    """The visitor's name, phone, ID number, gender and address, checked."""
    name = errors.check(
        require_text,
        visitor.name,
        "name",
        limit=NAME_MAX,
        empty=NAME_EMPTY,
        too_long=NAME_TOO_LONG,
        collapse=True,
    )
    phone = errors.check(validate_phone, visitor.phone or "")
    id_number = None
    if (visitor.id_number or "").strip():
        id_number = errors.check(validate_id_number, visitor.id_number)
    gender = (visitor.gender or "").strip() or None
    if gender is not None and gender not in (Gender.MALE, Gender.FEMALE):
        errors.add(GENDER_UNKNOWN, "gender")
    elif id_number:
        from_id = Gender.MALE if int(id_number[16]) % 2 == 1 else Gender.FEMALE
        if gender is None:
            gender = from_id
        elif gender != from_id:
            errors.add(GENDER_CONFLICT, "gender", gender_label=GENDER_LABELS[from_id])
    visitor_address = errors.check(
        require_text,
        visitor.address,
        "visitor_address",
        limit=ADDRESS_MAX,
        empty=None,
        too_long=ADDRESS_TOO_LONG,
    )
    return {
        "name": name,
        "phone": phone,
        "id_number": id_number,
        "gender": gender,
        "visitor_address": visitor_address or None,
    }


def _request(errors: _Errors, data: VisitInput) -> dict[str, Any]:
    """What the visitor asks for and how the visit ends, checked."""
    if data.purpose not in tuple(Purpose):
        errors.add(PURPOSE_UNKNOWN, "purpose")
    summary = errors.check(
        require_text,
        data.summary,
        "summary",
        limit=SUMMARY_MAX,
        empty=SUMMARY_EMPTY,
        too_long=SUMMARY_TOO_LONG,
    )
    if data.outcome not in tuple(Outcome):
        errors.add(OUTCOME_UNKNOWN, "outcome")
    note = errors.check(
        require_text, data.note, "note", limit=NOTE_MAX, empty=None, too_long=NOTE_TOO_LONG
    )
    return {
        "purpose": data.purpose,
        "summary": summary,
        "outcome": data.outcome,
        "note": note or "",
        "urgency": data.urgency if data.urgency in tuple(Urgency) else Urgency.NORMAL,
    }


def _place(errors: _Errors, session: Session, actor: Actor, data: VisitInput) -> dict[str, Any]:
    """The category and where the problem is, checked; a case attached to needs neither."""
    needs_case = data.outcome in (Outcome.ON_THE_SPOT, Outcome.CASE)
    attach = data.attach_to_case_id if data.outcome == Outcome.CASE else None
    category_code = (data.category_code or "").strip() or None
    if category_code and _category(session, category_code) is None:
        errors.add(CATEGORY_UNKNOWN, "category_code", code=category_code)
    elif needs_case and not attach and not category_code:
        errors.add(CATEGORY_NEEDED, "category_code")
    org_unit_id = (data.org_unit_id or "").strip() or None
    if org_unit_id:
        unit = session.get(OrgUnit, org_unit_id)
        if unit is None or unit.level == OrgLevel.COUNTY:
            errors.add(PLACE_UNKNOWN, "org_unit_id", code=org_unit_id)
        elif not in_scope(actor, org_unit_id):
            errors.add(PLACE_OUTSIDE, "org_unit_id")
    elif needs_case and not attach:
        errors.add(PLACE_NEEDED, "org_unit_id")
    address = errors.check(
        require_text,
        data.address,
        "address",
        limit=ADDRESS_MAX,
        empty=None,
        too_long=ADDRESS_TOO_LONG,
    )
    lat, lon = data.lat, data.lon
    if (lat is None) != (lon is None) or (
        lat is not None
        and lon is not None
        and not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0 and math.isfinite(lat + lon))
    ):
        errors.add(COORDINATES_INVALID, "location")
    return {
        "category_code": category_code,
        "org_unit_id": org_unit_id,
        "address": address or None,
        "lat": lat,
        "lon": lon,
        "attach_to_case_id": attach,
    }


def validate_visit(session: Session, actor: Actor, data: VisitInput) -> CleanVisit:
    """Check every field and return the normalised visit, or raise :class:`VisitInvalid`
    listing every field that needs fixing (each with its own message)."""
    errors = _Errors()
    visitor = _visitor(errors, data.visitor)
    request = _request(errors, data)
    place = _place(errors, session, actor, data)
    if errors.errors:
        raise VisitInvalid(errors.errors)
    return CleanVisit(**visitor, **request, **place)
