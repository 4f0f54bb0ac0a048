"""Registering a visit (来访接待) with one of its three outcomes.

A visit ends in one of three ways:

* ``on_the_spot`` (当场办结): the visit and a case that is closed at once;
* ``case`` (受理): a new case — or, when the clerk picks one of the possible
  duplicates, the visit attached to that open case; a coordinator at the desk
  may dispatch the new case straight to the category's default department;
* ``record_only`` (仅登记): a consultation, with no case.

Everything one visit writes — the visit, its outbox entry, the case events and
their outbox entries — happens in the caller's transaction, so it is stored
completely or not at all. Every public function of ``services.reception``
checks the actor's permission itself; the screen only hides what a role cannot
do. Beside this module: ``validation`` (the form's checks), ``returning`` and
``duplicates`` (what the desk finds while the clerk types), ``history`` (past
visits), ``receipt``, ``export``, ``privacy`` (revealing and purging personal
data), ``lookups`` (the pick lists).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import AssigneeType, CaseState, CloseResolution, EventType, OutboxKind, Source
from models.tables import Case, Category, Visit
from models.types import utcnow
from services import settings as settings_service
from services.attachments.photos import NewFile
from services.cases import records as case_service
from services.cases.actions import attach_files, check_attachment_count
from services.cases.permissions import Actor, Permission, can_see_case, has, require
from services.cases.queue_clauses import OPEN_STATES
from services.errors import PermissionDenied, ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.protocol.wire import visit_wire
from services.reception.labels import Outcome
from services.reception.lookups import default_department, visitor_keys
from services.reception.validation import CleanVisit, VisitInput, validate_visit
from services.worktime.workdays import WorkCalendar

TITLE_LENGTH = 40
# Open in the duplicate sense: not closed and not voided (a suspended case is still open).
DUPLICATE_STATES = (*OPEN_STATES, CaseState.SUSPENDED)

ATTACH_NOT_OPEN = QT_TRANSLATE_NOOP(
    "services", "Case {number} is already {state_label}; open a new case instead."
)
ATTACH_OUTSIDE = QT_TRANSLATE_NOOP(
    "services", "Case {number} lies outside your area of responsibility."
)
NO_DEPARTMENT = QT_TRANSLATE_NOOP(
    "services",
    "The category {name} has no default department, so the case cannot be dispatched at once; open it without dispatching and dispatch it from the queue.",
)
FILES_WITHOUT_CASE = QT_TRANSLATE_NOOP(
    "services",
    "Files go on a new case; a visit only recorded, or added to an open case, keeps none. "
    "Remove the files, or open a new case.",
)
QUERY_CODE_WRONG = QT_TRANSLATE_NOOP(
    "services", "The query code does not match case {number}; check both and try again."
)


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


def _desk_unit(session: Session, actor: Actor) -> str:
    """The org unit the visit is registered at: the clerk's own, else this desk's."""
    if actor.org_unit_id:
        return actor.org_unit_id
    return str(settings_service.get(session, "device.home_org_unit_id") or "")


def register_visit(
    session: Session,
    actor: Actor,
    calendar: WorkCalendar,
    data: VisitInput,
    *,
    at: datetime | None = None,
    files: Sequence[Path | NewFile] = (),
    folder: Path | None = None,
) -> VisitResult:
    """Record one visit with its outcome, in the caller's transaction.

    ``files`` (the visitor's photos, a scanned letter) go on the new case's
    ``created`` event, copied into ``folder`` once every check has passed; a visit
    that opens no case of its own keeps none and says so."""
    require(actor, Permission.REGISTER_VISIT)
    clean = validate_visit(session, actor, data)
    if clean.outcome == Outcome.ON_THE_SPOT:
        require(actor, Permission.CREATE_CASE)
        require(actor, Permission.CLOSE_ON_THE_SPOT)
    elif clean.outcome == Outcome.CASE and not clean.attach_to_case_id:
        require(actor, Permission.CREATE_CASE)
    if files:
        if clean.outcome == Outcome.RECORD_ONLY or clean.attach_to_case_id:
            raise ValidationError(FILES_WITHOUT_CASE, field="attachments")
        check_attachment_count(files)
    at = at or utcnow()
    visit = _new_visit(session, actor, clean, at)
    session.add(visit)
    if clean.outcome == Outcome.CASE and clean.attach_to_case_id:
        result = _attach(session, actor, visit, clean)
    elif clean.outcome in (Outcome.CASE, Outcome.ON_THE_SPOT):
        result = _open_case(
            session, actor, calendar, visit, clean, data.dispatch_now, at, files, folder
        )
    else:
        result = VisitResult(
            visit_id=visit.id, outcome=clean.outcome, query_code=query_code(visit.id)
        )
    session.flush()
    case_service.add_outbox(session, OutboxKind.VISIT, visit.id, visit_wire(visit))
    session.flush()
    return result


def _new_visit(session: Session, actor: Actor, clean: CleanVisit, at: datetime) -> Visit:
    phone_key, id_key = visitor_keys(session, clean.phone, clean.id_number)
    return Visit(
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


def _attach(session: Session, actor: Actor, visit: Visit, clean: CleanVisit) -> VisitResult:
    """The visit added to the open case the clerk picked among the possible duplicates."""
    assert clean.attach_to_case_id is not None
    case = case_service.get_case(session, clean.attach_to_case_id)
    if not can_see_case(actor, case):
        raise PermissionDenied(ATTACH_OUTSIDE, number=case.number)
    if case.state not in DUPLICATE_STATES:
        from services.cases.labels import STATE_LABELS

        raise ValidationError(
            ATTACH_NOT_OPEN,
            field="attach_to_case_id",
            number=case.number,
            state_label=STATE_LABELS.get(case.state, case.state),
        )
    visit.case_id = case.id
    return VisitResult(
        visit_id=visit.id,
        outcome=clean.outcome,
        case_id=case.id,
        case_number=case.number,
        attached=True,
        deadline=case.deadline,
        ack_deadline=case.ack_deadline,
        query_code=query_code(case.id),
    )


def _open_case(
    session: Session,
    actor: Actor,
    calendar: WorkCalendar,
    visit: Visit,
    clean: CleanVisit,
    dispatch_now: bool,
    at: datetime,
    files: Sequence[Path | NewFile] = (),
    folder: Path | None = None,
) -> VisitResult:
    """A new case for the visit: closed at once, dispatched at once, or left to dispatch."""
    assert clean.category_code is not None and clean.org_unit_id is not None
    case_id, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    entries = attach_files(session, actor, folder, case_id, event_id, files)
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
        case_id=case_id,
        event_id=event_id,
        attachments=entries,
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
    elif dispatch_now and has(actor, Permission.DISPATCH):
        department = default_department(session, clean.category_code)
        if department is None:
            category = session.get(Category, clean.category_code)
            raise ValidationError(
                NO_DEPARTMENT,
                field="category_code",
                name=category.name if category else clean.category_code,
            )
        assignee_name = case_service.check_assignee(session, AssigneeType.DEPARTMENT, department)
        case = case_service.dispatch(
            session, actor, calendar, case.id, AssigneeType.DEPARTMENT, department, at=at
        )
    if clean.outcome != Outcome.CASE:
        return VisitResult(
            visit_id=visit.id,
            outcome=clean.outcome,
            case_id=case.id,
            case_number=case.number,
            query_code=query_code(case.id),
        )
    ack_deadline, deadline = case.ack_deadline, case.deadline
    if deadline is None:
        # Not dispatched yet: promise the handling limit counted from now.
        ack_deadline, deadline = case_service.compute_deadlines(
            session, calendar, case.category_code, case.urgency, at
        )
    return VisitResult(
        visit_id=visit.id,
        outcome=clean.outcome,
        case_id=case.id,
        case_number=case.number,
        assignee_name=assignee_name,
        ack_deadline=ack_deadline,
        deadline=deadline,
        query_code=query_code(case.id),
    )
