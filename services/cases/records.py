"""Recording case events: the one way cases change.

Each action checks the actor's permission and scope, validates the event,
applies the shared projection, and writes — in the caller's transaction — the
event row, the updated case row and the event's sync outbox entry. Nothing here
commits: the caller's ``with db.session()`` block makes the three writes one
atomic unit, so a crash can never leave an event without its outbox entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.enums import AssigneeType, EventType, OrgLevel, OutboxKind, Role, Source, Urgency
from models.tables import (
    Case,
    CaseEvent,
    Category,
    Department,
    OrgUnit,
    OutboxItem,
    SyncState,
    User,
)
from models.types import utcnow
from services import settings as settings_service
from services.cases.permissions import Actor, in_scope, require_case_action
from services.cases.projection import CaseProjection, Event, apply
from services.errors import NotFound, ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.text import require_text
from services.worktime.workdays import SHANGHAI, WorkCalendar

_PROJECTION_FIELDS = tuple(f.name for f in fields(CaseProjection))
TITLE_MAX = 200


# ---------------------------------------------------------------- row mapping
def projection_from_row(case: Case) -> CaseProjection:
    return CaseProjection(**{name: getattr(case, name) for name in _PROJECTION_FIELDS})


def case_columns(projection: CaseProjection) -> dict[str, Any]:
    return projection.as_columns()


def event_columns(event: Event) -> dict[str, Any]:
    """The ``case_events`` row of an event, with the values the assessment aggregates."""
    data = dict(event.data)
    row: dict[str, Any] = {
        "id": event.id,
        "case_id": event.case_id,
        "type": event.type,
        "at": event.at,
        "actor_id": event.actor_id,
        "data": data,
        "assignee_type": None,
        "assignee_id": None,
        "ack_deadline": None,
        "deadline": None,
        "outcome": None,
    }
    if event.type == EventType.DISPATCHED:
        row["assignee_type"] = data.get("assignee_type")
        row["assignee_id"] = data.get("assignee_id")
        row["ack_deadline"] = _parse_time(data.get("ack_deadline"))
        row["deadline"] = _parse_time(data.get("deadline"))
    elif event.type == EventType.EXTENDED:
        row["deadline"] = _parse_time(data.get("new_deadline"))
    elif event.type == EventType.VERIFIED:
        row["outcome"] = "passed" if data.get("passed") else "failed"
    elif event.type == EventType.EVALUATED:
        row["outcome"] = data.get("satisfaction")
    elif event.type == EventType.CLOSED:
        row["outcome"] = data.get("resolution")
    return row


def event_from_row(row: CaseEvent) -> Event:
    return Event(
        id=row.id,
        case_id=row.case_id,
        type=row.type,
        at=row.at,
        actor_id=row.actor_id,
        data=row.data or {},
    )


def _parse_time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def iso(value: datetime) -> str:
    return value.isoformat()


# ---------------------------------------------------------------- outbox
def add_outbox(session: Session, kind: str, item_id: str, payload: dict[str, Any]) -> None:
    session.add(
        OutboxItem(kind=kind, item_id=item_id, payload=payload, status="pending", attempts=0)
    )


# ---------------------------------------------------------------- numbers
def street_code(org_unit_id: str) -> str:
    return org_unit_id[:9] if len(org_unit_id) >= 9 else org_unit_id


def desk_code(session: Session) -> str | None:
    """This desk's 2-digit code from the county (docs/protocol.md), once it has one."""
    row = session.get(SyncState, "desk_code")
    value = row.value if row is not None else None
    return value if isinstance(value, str) and len(value) == 2 and value.isdigit() else None


def next_case_number(session: Session, org_unit_id: str, at: datetime) -> str:
    """``{street code}-{yyyymmdd}-{desk code}{3-digit serial}`` in Asia/Shanghai's calendar.

    The desk code comes from the county at the desk's first login, so desks that
    work offline never hand out the same number. A desk without a code yet (never
    logged in to the county) numbers as v1 did, ``{street}-{yyyymmdd}-{4-digit serial}``.
    """
    day = at.astimezone(SHANGHAI).strftime("%Y%m%d")
    prefix = f"{street_code(org_unit_id)}-{day}-"
    desk = desk_code(session)
    if desk is not None:
        last = _last_number(session, prefix + desk, 3)
        serial = int(last[-3:]) + 1 if last else 1
        if serial <= 999:
            return f"{prefix}{desk}{serial:03d}"
        # A thousand cases in one day on one desk: go on with v1's four digits.
    last = _last_number(session, prefix, 4)
    serial = int(last[-4:]) + 1 if last else 1
    return f"{prefix}{serial:04d}"


def _last_number(session: Session, prefix: str, digits: int) -> str | None:
    """The highest number with this prefix held here, counting numbers the county
    refused: a number once handed to a visitor is never handed out again."""
    found: str | None = session.scalar(
        select(func.max(Case.number)).where(
            Case.number >= prefix,
            Case.number < prefix + "\uffff",
            func.length(Case.number) == len(prefix) + digits,
        )
    )
    for data in session.scalars(
        select(CaseEvent.data).where(
            CaseEvent.type == EventType.CREATED, CaseEvent.rejected_code.is_not(None)
        )
    ):
        number = data.get("number") if isinstance(data, dict) else None
        if (
            isinstance(number, str)
            and number.startswith(prefix)
            and len(number) == len(prefix) + digits
            and (found is None or number > found)
        ):
            found = number
    return found


# ---------------------------------------------------------------- limits
def category_limits(session: Session, code: str) -> Category:
    category = session.get(Category, code)
    if category is None:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Choose a category from the list; {code} is not known."),
            field="category_code",
            code=code,
        )
    return category


def compute_deadlines(
    session: Session, calendar: WorkCalendar, category_code: str, urgency: str, at: datetime
) -> tuple[datetime, datetime]:
    """(sign-for deadline, handling deadline) of a dispatch at ``at``."""
    category = category_limits(session, category_code)
    urgent_ack = int(settings_service.get(session, "urgent_ack_hours") or 2)
    return calendar.deadlines_for(
        at,
        ack_hours=category.ack_hours,
        handle_days=category.handle_days,
        urgent=urgency == Urgency.URGENT,
        urgent_ack_hours=urgent_ack,
        urgent_hours=category.urgent_hours,
    )


# ---------------------------------------------------------------- recording
def write_case_row(session: Session, case: Case | None, projection: CaseProjection) -> Case:
    """Insert or update the case row so that it equals ``projection``."""
    columns = case_columns(projection)
    if case is None:
        case = Case(**columns)
        session.add(case)
    else:
        for key, value in columns.items():
            setattr(case, key, value)
    return case


def _store(
    session: Session, event: Event, projection: CaseProjection, case: Case | None, outbox: bool
) -> Case:
    session.add(CaseEvent(**event_columns(event)))
    case = write_case_row(session, case, projection)
    if outbox:
        add_outbox(session, OutboxKind.CASE_EVENT, event.id, event.to_wire())
    session.flush()
    return case


def get_case(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(
            QT_TRANSLATE_NOOP("services", "The case {case_id} does not exist."), case_id=case_id
        )
    return case


def record(
    session: Session,
    actor: Actor,
    case_id: str,
    event_type: str,
    data: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
    event_id: str | None = None,
    outbox: bool = True,
) -> Case:
    """Record one event on an existing case (any type but ``created``)."""
    data = dict(data or {})
    case = get_case(session, case_id)
    require_case_action(actor, case, event_type, data)
    event = Event(
        id=event_id or str(uuid.uuid4()),
        case_id=case_id,
        type=event_type,
        at=at or utcnow(),
        actor_id=actor.id,
        data=data,
    )
    projection = apply(projection_from_row(case), event)
    return _store(session, event, projection, case, outbox)


def create_case(
    session: Session,
    actor: Actor,
    *,
    title: str,
    description: str,
    category_code: str,
    org_unit_id: str,
    source: str = Source.WALK_IN,
    urgency: str = Urgency.NORMAL,
    address: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    visit_id: str | None = None,
    at: datetime | None = None,
    case_id: str | None = None,
    outbox: bool = True,
    event_id: str | None = None,
    attachments: Sequence[dict[str, Any]] = (),
) -> Case:
    """Register a new case (受理) and give it its number. ``attachments`` are the
    entries :func:`services.cases.actions.attach_files` gave for ``event_id``."""
    require_case_action(actor, None, EventType.CREATED)
    title = require_text(
        title,
        "title",
        limit=TITLE_MAX,
        empty=QT_TRANSLATE_NOOP("services", "Enter a short title for the case."),
        too_long=QT_TRANSLATE_NOOP(
            "services", "The title is {length} characters long; keep it under {maximum}."
        ),
    )
    category = category_limits(session, category_code)
    if not category.active:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services", "The category {name} is no longer in use; choose another."
            ),
            field="category_code",
            name=category.name,
        )
    unit = session.get(OrgUnit, org_unit_id)
    if unit is None or unit.level in (OrgLevel.COUNTY,):
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services", "Choose the street, community or grid where the problem is."
            ),
            field="org_unit_id",
        )
    if not in_scope(actor, org_unit_id):
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services", "The place you chose lies outside your area; choose one inside it."
            ),
            field="org_unit_id",
        )
    at = at or utcnow()
    case_id = case_id or str(uuid.uuid4())
    event = Event(
        id=event_id or str(uuid.uuid4()),
        case_id=case_id,
        type=EventType.CREATED,
        at=at,
        actor_id=actor.id,
        data={
            "number": next_case_number(session, org_unit_id, at),
            "title": title,
            "description": (description or "").strip(),
            "category_code": category_code,
            "source": source,
            "urgency": urgency,
            "org_unit_id": org_unit_id,
            "address": (address or "").strip() or None,
            "lat": lat,
            "lon": lon,
            "visit_id": visit_id,
            **({"attachments": list(attachments)} if attachments else {}),
        },
    )
    projection = apply(None, event)
    return _store(session, event, projection, None, outbox)


def check_assignee(session: Session, assignee_type: str, assignee_id: str) -> str:
    """The display name of a dispatch target, or a ValidationError saying what is wrong."""
    if assignee_type == AssigneeType.DEPARTMENT:
        dept = session.get(Department, assignee_id)
        if dept is not None and dept.active:
            return dept.name
    elif assignee_type == AssigneeType.GRID_WORKER:
        user = session.get(User, assignee_id)
        if user is not None and user.active and user.role == Role.GRID_WORKER:
            return user.display_name
    elif assignee_type == AssigneeType.ORG_UNIT:
        unit = session.get(OrgUnit, assignee_id)
        if unit is not None and unit.active:
            return unit.name
    raise ValidationError(
        QT_TRANSLATE_NOOP(
            "services", "Choose an active department, grid worker or org unit to dispatch to."
        ),
        field="assignee_id",
    )


def dispatch_deadlines(
    session: Session, calendar: WorkCalendar, case: Case, at: datetime
) -> tuple[datetime, datetime]:
    return compute_deadlines(session, calendar, case.category_code, case.urgency, at)


def dispatch(
    session: Session,
    actor: Actor,
    calendar: WorkCalendar,
    case_id: str,
    assignee_type: str,
    assignee_id: str,
    *,
    note: str = "",
    at: datetime | None = None,
    event_id: str | None = None,
) -> Case:
    """Dispatch (派遣) with the deadlines computed from the category and the calendar."""
    case = get_case(session, case_id)
    require_case_action(actor, case, EventType.DISPATCHED)
    check_assignee(session, assignee_type, assignee_id)
    at = at or utcnow()
    ack_deadline, deadline = dispatch_deadlines(session, calendar, case, at)
    return record(
        session,
        actor,
        case_id,
        EventType.DISPATCHED,
        {
            "assignee_type": assignee_type,
            "assignee_id": assignee_id,
            "ack_deadline": iso(ack_deadline),
            "deadline": iso(deadline),
            "note": note,
        },
        at=at,
        event_id=event_id,
    )


def events_of(session: Session, case_id: str, *, with_rejected: bool = False) -> list[CaseEvent]:
    """A case's events in order of acceptance: the county's order first, then local ones.

    Events the county rejected are left out unless ``with_rejected`` (the
    timeline shows them struck through). Among local events a ``created``
    comes first: a case renumbered after a ``duplicate_number`` has its new
    ``created`` recorded after the steps that follow it.
    """
    query = select(CaseEvent).where(CaseEvent.case_id == case_id)
    if not with_rejected:
        query = query.where(CaseEvent.rejected_code.is_(None))
    return list(
        session.scalars(
            query.order_by(
                CaseEvent.server_seq.is_(None),
                CaseEvent.server_seq,
                CaseEvent.type != EventType.CREATED,
                CaseEvent.seq,
            )
        )
    )


def reproject(session: Session, case_id: str) -> Case | None:
    """Recompute a case row from all its events (after a pull changed their order)."""
    from services.cases.projection import project

    rows = events_of(session, case_id)
    if not rows:
        return None
    projection = project(event_from_row(row) for row in rows)
    case = write_case_row(session, session.get(Case, case_id), projection)
    session.flush()
    return case
