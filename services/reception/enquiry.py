"""Asking about a case's progress (查询办理进度) at the desk.

The visitor holds a receipt with the case number and its query code
(:func:`services.reception.visits.query_code`); the two together are the proof
that the case is theirs, so a clerk may look it up wherever it was registered.
A visitor without the receipt is found by phone, through the keyed hash of
earlier visits (like :mod:`services.reception.returning`), and only among the
visits of the clerk's own area.

What the desk learns is what the visitor may read: the state, who handles the
case, the deadline and a timeline in plain words; never a note, a reason or a
result text, never a clear phone or ID number, and a grid worker's name masked.
A wrong code and an unknown case number get the same answer, so nobody learns
which case numbers exist.

Every enquiry, found or not, is written to the audit log. The answer therefore
comes back as an :class:`Enquiry` holding either the progress, the visitor's
cases to pick from, or the problem to show — not as an exception, which would
roll back the audit line with the caller's transaction. Only a role that may
not ask at all gets :class:`PermissionDenied`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import AssigneeType, CaseState, CloseResolution, EventType
from models.tables import Case, CaseEvent, Visit
from models.types import utcnow
from services import settings as settings_service
from services.audit import audit
from services.cases import records as case_service
from services.cases.lookups import Names
from services.cases.permissions import Actor, Permission, can_see_case, in_scope, require
from services.cases.queue_clauses import OPEN_STATES
from services.errors import DomainError, ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.reception.identity import mask_name, mask_phone, validate_phone
from services.reception.lookups import visit_scope, visitor_keys
from services.reception.visits import check_query_code
from services.worktime.workdays import WorkCalendar

AUDIT_ACTION = "case_enquiry"
MAX_CHOICES = 50

NUMBER_EMPTY = QT_TRANSLATE_NOOP(
    "services",
    "Type the case number printed on the receipt, e.g. 990101001-20261120-03007.",
)
NUMBER_FORMAT = QT_TRANSLATE_NOOP(
    "services",
    "“{typed}” is not a case number. A case number reads like 990101001-20261120-03007: "
    "9 digits, the date (8 digits) and 4 or 5 digits, joined by hyphens.",
)
CODE_EMPTY = QT_TRANSLATE_NOOP(
    "services", "Type the query code printed on the receipt below the case number."
)
CODE_FORMAT = QT_TRANSLATE_NOOP(
    "services",
    "A query code has 8 characters, the digits 0–9 and the letters A–F, like 3F9A-07C2; "
    "check what was typed.",
)
NO_MATCH = QT_TRANSLATE_NOOP(
    "services",
    "No case has this number and query code. Check both against the receipt; "
    "a receipt without a case number records a consultation and has no progress to follow.",
)
PHONE_INVALID = QT_TRANSLATE_NOOP(
    "services",
    "Type the visitor's whole phone number: an 11-digit mobile, or a landline with its area code.",
)
PHONE_NONE = QT_TRANSLATE_NOOP(
    "services",
    "No case of a visitor with this phone number was registered in your area. "
    "Ask for the receipt and look the case up by its number and query code.",
)
NOT_THEIRS = QT_TRANSLATE_NOOP(
    "services", "That case is not one of this phone number's cases; look it up again."
)

# The timeline in plain words, as a visitor reads it. ``{unit}`` is who handled
# the step, ``{when}`` a new deadline; both are filled in by the desktop.
STEP_TEXTS: dict[str, str] = {
    "created": QT_TRANSLATE_NOOP("services", "Request registered"),
    "dispatched": QT_TRANSLATE_NOOP("services", "Dispatched to {unit}"),
    "acknowledged": QT_TRANSLATE_NOOP("services", "Signed for by {unit}, being handled"),
    "returned": QT_TRANSLATE_NOOP("services", "Sent back by {unit}, to be dispatched again"),
    "feedback": QT_TRANSLATE_NOOP("services", "Handling result reported"),
    "verified_passed": QT_TRANSLATE_NOOP("services", "Handling result checked and accepted"),
    "verified_failed": QT_TRANSLATE_NOOP(
        "services", "Handling result checked; sent back for more work"
    ),
    "closed": QT_TRANSLATE_NOOP("services", "Case completed"),
    "closed_on_the_spot": QT_TRANSLATE_NOOP("services", "Settled on the spot at the desk"),
    "evaluated": QT_TRANSLATE_NOOP("services", "Visitor's satisfaction recorded"),
    "escalated": QT_TRANSLATE_NOOP("services", "Referred up to {unit}"),
    "supervised": QT_TRANSLATE_NOOP("services", "Urged on by the supervisors"),
    "extended": QT_TRANSLATE_NOOP("services", "Deadline extended to {when}"),
    "suspended": QT_TRANSLATE_NOOP("services", "Put on hold"),
    "resumed": QT_TRANSLATE_NOOP("services", "Handling resumed"),
    "voided": QT_TRANSLATE_NOOP("services", "Cancelled as invalid or a duplicate"),
}

_NUMBER = re.compile(r"^(\d{9})-(\d{8})-(\d{5}|\d{4})$")
_CODE = re.compile(r"^[0-9A-F]{8}$")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−﹣－ _"})
# Look-alikes a person may type for digits; a query code has no O, I or L.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True)
class Handler:
    """Who handles (or handled) a step: a department, a grid worker (name masked)
    or an org unit; ``kind`` empty when nobody does yet."""

    kind: str
    name: str


@dataclass(frozen=True)
class ProgressStep:
    at: datetime
    key: str
    """A key of :data:`STEP_TEXTS`."""
    unit: Handler | None = None
    when: datetime | None = None

    @property
    def text(self) -> str:
        return STEP_TEXTS[self.key]


@dataclass(frozen=True)
class CaseProgress:
    """What the desk may tell the visitor about one case."""

    centre_name: str
    case_id: str
    number: str
    title: str
    category: str
    place: str
    state: str
    handler: Handler | None
    registered_at: datetime
    deadline: datetime | None
    """The handling deadline in force; for a case not dispatched yet, the one it would get now."""
    deadline_promised: bool
    """True when the case is not dispatched yet and ``deadline`` is only the promise."""
    overdue: bool
    closed_at: datetime | None
    visitor_name: str
    visitor_phone: str
    steps: tuple[ProgressStep, ...]
    as_of: datetime


@dataclass(frozen=True)
class CaseChoice:
    """One of a visitor's cases, for picking the one to look at."""

    case_id: str
    number: str
    title: str
    state: str
    registered_at: datetime


@dataclass(frozen=True)
class Enquiry:
    """The answer: ``progress`` of one case, or ``choices`` to pick from, or ``problem``."""

    progress: CaseProgress | None = None
    choices: tuple[CaseChoice, ...] = field(default_factory=tuple)
    problem: DomainError | None = None


# ---------------------------------------------------------------- normalising what was typed
def normalise_number(text: str) -> str:
    """A case number as typed (full-width digits, other dashes, spaces) in its printed form."""
    value = unicodedata.normalize("NFKC", text).translate(_DASHES).strip("- ")
    value = re.sub("-+", "-", value)
    if value.isdigit() and len(value) in (21, 22):  # typed without the hyphens
        value = f"{value[:9]}-{value[9:17]}-{value[17:]}"
    return value


def normalise_code(text: str) -> str:
    """A query code as typed, upper-case, without spaces or hyphens."""
    value = unicodedata.normalize("NFKC", text).upper().translate(_LOOKALIKES)
    return "".join(ch for ch in value if ch.isalnum())


# ---------------------------------------------------------------- the enquiries
def enquire_by_code(
    session: Session, actor: Actor, calendar: WorkCalendar, case_number: str, code: str
) -> Enquiry:
    """The progress of the case with ``case_number`` if ``code`` is its query code."""
    require(actor, Permission.ENQUIRE_PROGRESS)
    number, wanted = normalise_number(case_number), normalise_code(code)
    problem = _format_problem(number, case_number, wanted)
    if problem is not None:
        _audit(session, actor, None, by="code", number=number[:40], outcome="invalid")
        return Enquiry(problem=problem)
    try:
        case = check_query_code(session, number, wanted)
    except ValidationError:
        # The same answer whether the number is unknown or the code wrong.
        _audit(session, actor, None, by="code", number=number, outcome="no_match")
        return Enquiry(problem=ValidationError(NO_MATCH, field="query_code"))
    visit = session.get(Visit, case.visit_id) if case.visit_id else None
    _audit(session, actor, case.id, by="code", number=case.number, outcome="found")
    return Enquiry(progress=_progress(session, calendar, case, visit))


def enquire_by_phone(session: Session, actor: Actor, calendar: WorkCalendar, phone: str) -> Enquiry:
    """The cases of the visitor with this phone, found by keyed hash in the actor's area:
    one case's progress at once, or several to pick from (newest first)."""
    require(actor, Permission.ENQUIRE_PROGRESS)
    try:
        clean = validate_phone(phone)
    except ValidationError:
        _audit(session, actor, None, by="phone", outcome="invalid")
        return Enquiry(problem=ValidationError(PHONE_INVALID, field="phone"))
    masked = mask_phone(clean)
    cases = _cases_of_phone(session, actor, clean)
    if not cases:
        _audit(session, actor, None, by="phone", phone=masked, outcome="none")
        return Enquiry(problem=ValidationError(PHONE_NONE, field="phone"))
    if len(cases) > 1:
        _audit(session, actor, None, by="phone", phone=masked, outcome="several", count=len(cases))
        return Enquiry(
            choices=tuple(
                CaseChoice(c.id, c.number, c.title, c.state, c.created_at)
                for c, _visit in cases[:MAX_CHOICES]
            )
        )
    case, visit = cases[0]
    _audit(session, actor, case.id, by="phone", number=case.number, phone=masked, outcome="found")
    return Enquiry(progress=_progress(session, calendar, case, visit))


def enquire_phone_case(
    session: Session, actor: Actor, calendar: WorkCalendar, phone: str, case_id: str
) -> Enquiry:
    """The progress of ``case_id``, picked from :func:`enquire_by_phone`'s list: it
    must still be one of this phone's cases in the actor's area."""
    require(actor, Permission.ENQUIRE_PROGRESS)
    try:
        clean = validate_phone(phone)
    except ValidationError:
        _audit(session, actor, None, by="phone", outcome="invalid")
        return Enquiry(problem=ValidationError(PHONE_INVALID, field="phone"))
    masked = mask_phone(clean)
    for case, visit in _cases_of_phone(session, actor, clean):
        if case.id == case_id:
            _audit(
                session,
                actor,
                case.id,
                by="phone",
                number=case.number,
                phone=masked,
                outcome="found",
            )
            return Enquiry(progress=_progress(session, calendar, case, visit))
    _audit(session, actor, None, by="phone", phone=masked, outcome="not_theirs")
    return Enquiry(problem=ValidationError(NOT_THEIRS, field="phone"))


# ---------------------------------------------------------------- inside
def _format_problem(number: str, typed: str, code: str) -> ValidationError | None:
    if not number:
        return ValidationError(NUMBER_EMPTY, field="case_number")
    if not _NUMBER.match(number):
        return ValidationError(NUMBER_FORMAT, field="case_number", typed=typed.strip()[:40])
    if not code:
        return ValidationError(CODE_EMPTY, field="query_code")
    if not _CODE.match(code):
        return ValidationError(CODE_FORMAT, field="query_code")
    return None


def _audit(session: Session, actor: Actor, case_id: str | None, **detail: str | int) -> None:
    """One line per enquiry; the phone only masked, the code never."""
    audit(session, actor, AUDIT_ACTION, "case", case_id, **detail)
    session.flush()


def _cases_of_phone(session: Session, actor: Actor, phone: str) -> list[tuple[Case, Visit]]:
    """This phone's cases (each with its latest visit of that phone), newest first,
    among the visits of the actor's area that still hold personal data."""
    phone_key, _id_key = visitor_keys(session, phone, None)
    rows = session.execute(
        select(Case, Visit)
        .join(Visit, Visit.case_id == Case.id)
        .where(
            Visit.phone_key == phone_key,
            Visit.personal_data_purged_at.is_(None),
            visit_scope(actor),
        )
        .order_by(Case.created_at.desc(), Visit.at.desc())
    ).all()
    seen: dict[str, tuple[Case, Visit]] = {}
    for case, visit in rows:
        if case.id not in seen and (can_see_case(actor, case) or in_scope(actor, case.org_unit_id)):
            seen[case.id] = (case, visit)
    return list(seen.values())


def _handler(names: Names, assignee_type: str | None, assignee_id: str | None) -> Handler | None:
    if not assignee_id or not assignee_type:
        return None
    name = names.assignee(assignee_type, assignee_id)
    if assignee_type == AssigneeType.GRID_WORKER:
        name = mask_name(name)  # a person: masked like a visitor
    return Handler(assignee_type, name)


def _progress(
    session: Session, calendar: WorkCalendar, case: Case, visit: Visit | None
) -> CaseProgress:
    names = Names.load(session)
    now = utcnow()
    steps = _steps(session, names, case.id)
    handler: Handler | None = None
    if case.state == CaseState.ESCALATED and case.escalated_to:
        handler = Handler(AssigneeType.ORG_UNIT, names.org_unit(case.escalated_to))
    elif case.state not in (CaseState.REGISTERED, CaseState.RETURNED):
        handler = _handler(names, case.assignee_type, case.assignee_id)
    deadline, promised = None, False
    if case.state not in (CaseState.CLOSED, CaseState.VOIDED):
        deadline = case.deadline
        if deadline is None and case.state in (CaseState.REGISTERED, CaseState.RETURNED):
            _ack, deadline = case_service.compute_deadlines(
                session, calendar, case.category_code, case.urgency, now
            )
            promised = True
    overdue = bool(
        deadline is not None and not promised and case.state in OPEN_STATES and deadline < now
    )
    centre = str(settings_service.get(session, "centre_name") or "") or names.org_unit(
        visit.org_unit_id if visit is not None else case.street_id
    )
    place = " ".join(p for p in (names.org_unit(case.org_unit_id), case.address or "") if p)
    purged = visit is None or visit.personal_data_purged_at is not None
    return CaseProgress(
        centre_name=centre,
        case_id=case.id,
        number=case.number,
        title=case.title,
        category=names.category_path(case.category_code),
        place=place,
        state=case.state,
        handler=handler,
        registered_at=case.created_at,
        deadline=deadline,
        deadline_promised=promised,
        overdue=overdue,
        closed_at=case.closed_at if case.state == CaseState.CLOSED else None,
        visitor_name="" if purged or visit is None else mask_name(visit.visitor_name),
        visitor_phone="" if purged or visit is None else mask_phone(visit.visitor_phone),
        steps=tuple(steps),
        as_of=now,
    )


def _steps(session: Session, names: Names, case_id: str) -> list[ProgressStep]:
    """The case's events in plain words; comments and every free text left out."""
    steps: list[ProgressStep] = []
    unit: Handler | None = None
    for row in case_service.events_of(session, case_id):
        step = _step(names, row, unit)
        if row.type == EventType.DISPATCHED:
            unit = _handler(names, row.assignee_type, row.assignee_id)
            step = ProgressStep(row.at, "dispatched", unit=unit)
        if step is not None:
            steps.append(step)
    return steps


def _step(names: Names, row: CaseEvent, unit: Handler | None) -> ProgressStep | None:
    data = row.data if isinstance(row.data, dict) else {}
    kind = row.type
    if kind in ("created", "feedback", "evaluated", "supervised", "suspended", "resumed", "voided"):
        return ProgressStep(row.at, kind)
    if kind in ("acknowledged", "returned"):
        return ProgressStep(row.at, kind, unit=unit)
    if kind == EventType.VERIFIED:
        return ProgressStep(row.at, "verified_passed" if data.get("passed") else "verified_failed")
    if kind == EventType.CLOSED:
        on_the_spot = data.get("resolution") == CloseResolution.ON_THE_SPOT
        return ProgressStep(row.at, "closed_on_the_spot" if on_the_spot else "closed")
    if kind == EventType.ESCALATED:
        to = str(data.get("to_org_unit_id") or "")
        return ProgressStep(row.at, kind, unit=Handler(AssigneeType.ORG_UNIT, names.org_unit(to)))
    if kind == EventType.EXTENDED:
        return ProgressStep(row.at, kind, when=row.deadline)  # the new deadline, as stored
    return None  # comments, and whatever a newer desk may add
