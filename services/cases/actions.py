"""The actions of the dispatch queue, each checked here and recorded as one event.

The screens ask only what an action needs; this module checks what the event
shape alone cannot (a reason when a verification fails, a duplicate that exists,
a new deadline in the future, a higher unit to escalate to) and records the
event through :mod:`services.cases.records`, which checks the role, the scope and the
state. Nothing commits: the caller's ``with db.session()`` does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import AssigneeType, CloseResolution, EventType, OrgLevel, Role
from models.queue import Attachment
from models.tables import Case, Department, OrgUnit, User
from models.types import utcnow
from services.attachments import photos
from services.attachments.photos import NewFile
from services.attachments.store import MAX_BYTES, sniff
from services.cases import records as cases_service
from services.cases.event_checks import format_time
from services.cases.permissions import Actor, Permission, can_see_case, require, require_case_action
from services.cases.projection import ALLOWED, CaseProjection, Event, apply
from services.errors import DomainError, PermissionDenied, ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.reception.lookups import default_department
from services.worktime.workdays import WorkCalendar

ATTACHMENT_MAX_BYTES = MAX_BYTES
"""docs/protocol.md "Push": the county takes blobs of at most 20 MB."""
ATTACHMENTS_MAX = 20
ATTACHMENT_NAME_MAX = photos.NAME_MAX
"""docs/protocol.md: file names of at most 120 characters, without path separators."""

# The actions of the screen, in the order of its buttons, and the event each records.
ACTIONS: dict[str, str] = {
    "dispatch": EventType.DISPATCHED,
    "acknowledge": EventType.ACKNOWLEDGED,
    "return": EventType.RETURNED,
    "feedback": EventType.FEEDBACK,
    "verify": EventType.VERIFIED,
    "close": EventType.CLOSED,
    "evaluate": EventType.EVALUATED,
    "escalate": EventType.ESCALATED,
    "supervise": EventType.SUPERVISED,
    "extend": EventType.EXTENDED,
    "suspend": EventType.SUSPENDED,
    "resume": EventType.RESUMED,
    "void": EventType.VOIDED,
    "comment": EventType.COMMENTED,
}


def available_actions(actor: Actor, case: Any) -> list[str]:
    """The actions ``actor`` may take on ``case`` now (state and permission both allow)."""
    out = []
    allowed = ALLOWED.get(case.state, frozenset())
    for action, event_type in ACTIONS.items():
        if event_type not in allowed:
            continue
        data = {"resolution": CloseResolution.OTHER} if event_type == EventType.CLOSED else None
        try:
            require_case_action(actor, case, event_type, data)
        except PermissionDenied:
            if event_type == EventType.CLOSED:
                try:  # reception may close on the spot only
                    require_case_action(
                        actor, case, event_type, {"resolution": CloseResolution.ON_THE_SPOT}
                    )
                except PermissionDenied:
                    continue
            else:
                continue
        out.append(action)
    return out


def _required(value: str | None, field: str, template: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(template, field=field)
    return value


# ---------------------------------------------------------------- dispatch
@dataclass(frozen=True)
class Target:
    assignee_type: str
    assignee_id: str
    name: str
    hint: str = ""


def dispatch_targets(session: Session, actor: Actor, case: Case | None = None) -> list[Target]:
    """Departments, grid workers (those of the case's grid first) and the higher units."""
    require(actor, Permission.DISPATCH)
    out: list[Target] = []
    for dept in session.scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.name)
    ):
        out.append(Target(AssigneeType.DEPARTMENT, dept.id, dept.name))
    grid = case.grid_id if case is not None else None
    workers = list(
        session.scalars(
            select(User)
            .where(User.role == Role.GRID_WORKER, User.active.is_(True))
            .order_by(User.display_name)
        )
    )
    units = {u.id: u for u in session.scalars(select(OrgUnit))}
    workers.sort(key=lambda u: (grid not in (u.grid_ids or []), u.org_unit_id or "", u.username))
    for user in workers:
        grids = [units[g].name for g in (user.grid_ids or []) if g in units]
        out.append(Target(AssigneeType.GRID_WORKER, user.id, user.display_name, "、".join(grids)))
    for unit in higher_units(session, actor):
        out.append(Target(AssigneeType.ORG_UNIT, unit.id, unit.name))
    return out


@dataclass
class DispatchSetup:
    """What the dispatch dialog shows: the cases (in the order asked), where they
    may go, and the department the first one's category sends it to by default."""

    cases: list[Case]
    targets: list[Target]
    default_department_id: str | None


def dispatch_setup(session: Session, actor: Actor, case_ids: Sequence[str]) -> DispatchSetup:
    """The dispatch dialog's data for ``case_ids`` (those the actor may not see are left out)."""
    require(actor, Permission.DISPATCH)
    order = {case_id: i for i, case_id in enumerate(case_ids)}
    rows = session.scalars(select(Case).where(Case.id.in_(list(case_ids))))
    cases = sorted((c for c in rows if can_see_case(actor, c)), key=lambda c: order[c.id])
    first = cases[0] if cases else None
    default = default_department(session, first.category_code) if first is not None else None
    return DispatchSetup(cases, dispatch_targets(session, actor, first), default)


def higher_units(session: Session, actor: Actor) -> list[OrgUnit]:
    """The active units above the actor's own (nearest first)."""
    out: list[OrgUnit] = []
    unit = session.get(OrgUnit, actor.org_unit_id) if actor.org_unit_id else None
    while unit is not None and unit.parent_id:
        unit = session.get(OrgUnit, unit.parent_id)
        if unit is not None and unit.active:
            out.append(unit)
    return out


@dataclass(frozen=True)
class DispatchPreview:
    case_id: str
    number: str
    title: str
    ack_deadline: datetime | None
    deadline: datetime | None
    error: DomainError | None = None


def preview_dispatch(
    session: Session,
    actor: Actor,
    calendar: WorkCalendar,
    case_ids: Sequence[str],
    at: datetime | None = None,
) -> list[DispatchPreview]:
    """The deadlines each case would get if dispatched at ``at``, or why it cannot be."""
    at = at or utcnow()
    out: list[DispatchPreview] = []
    for case_id in case_ids:
        case = cases_service.get_case(session, case_id)
        try:
            require_case_action(actor, case, EventType.DISPATCHED)
            ack, deadline = cases_service.dispatch_deadlines(session, calendar, case, at)
            # Try the event on the projection: refuses a state that allows no dispatch.
            trial = {
                "assignee_type": AssigneeType.DEPARTMENT,
                "assignee_id": "trial",
                "ack_deadline": format_time(ack),
                "deadline": format_time(deadline),
            }
            apply(
                CaseProjection.from_row(case),
                Event(str(uuid.uuid4()), case.id, EventType.DISPATCHED, at, actor.id, trial),
            )
        except DomainError as exc:
            out.append(DispatchPreview(case.id, case.number, case.title, None, None, exc))
            continue
        out.append(DispatchPreview(case.id, case.number, case.title, ack, deadline))
    return out


def dispatch_cases(
    session: Session,
    actor: Actor,
    calendar: WorkCalendar,
    case_ids: Sequence[str],
    assignee_type: str,
    assignee_id: str,
    note: str = "",
    at: datetime | None = None,
) -> list[Case]:
    """Dispatch one or several cases to the same assignee, all or none."""
    if not case_ids:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Select at least one case to dispatch."),
            field="case_ids",
        )
    if not assignee_id:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services", "Choose the department, grid worker or unit to dispatch to."
            ),
            field="assignee_id",
        )
    at = at or utcnow()
    return [
        cases_service.dispatch(
            session,
            actor,
            calendar,
            case_id,
            assignee_type,
            assignee_id,
            note=(note or "").strip(),
            at=at,
        )
        for case_id in case_ids
    ]


# ---------------------------------------------------------------- the assignee's steps
def acknowledge(session: Session, actor: Actor, case_id: str) -> Case:
    return cases_service.record(session, actor, case_id, EventType.ACKNOWLEDGED, {})


def return_case(session: Session, actor: Actor, case_id: str, reason: str) -> Case:
    reason = _required(
        reason,
        "reason",
        QT_TRANSLATE_NOOP(
            "services", "Say why you return the case, e.g. which department it belongs to."
        ),
    )
    return cases_service.record(session, actor, case_id, EventType.RETURNED, {"reason": reason})


@dataclass(frozen=True)
class StoredFile:
    file_name: str
    stored_name: str
    sha256: str
    size: int
    content_type: str

    def wire(self) -> dict[str, Any]:
        """The attachment entry of docs/protocol.md."""
        return {
            "sha256": self.sha256,
            "file_name": self.file_name,
            "size": self.size,
            "content_type": self.content_type,
        }


def sniff_content_type(head: bytes) -> tuple[str, str] | None:
    """``(content type, extension)`` of a file from its first 16 bytes, or None
    when it is none of the allowed types (a renamed program, a Word file …)."""
    return sniff(head)


def store_attachment(folder: Path, source: Path | NewFile) -> StoredFile:
    """Prepare ``source`` (:func:`services.attachments.photos.prepare`: a large photo
    made smaller, a document's GPS stripped) and keep it in ``folder`` under its
    SHA-256 (the same file is stored once). Only photos (JPEG, PNG, WebP) and PDF
    documents of at most 20 MB are taken, told by their content; anything else is
    refused with a message that says so."""
    new = source if isinstance(source, NewFile) else NewFile(Path(source))
    ready = photos.prepare(new.path, keep_original=new.keep_original, document=new.document)
    photos.store(folder, ready)
    return StoredFile(
        ready.file_name, ready.stored_name, ready.sha256, ready.size, ready.content_type
    )


def check_attachment_count(files: Sequence[object]) -> None:
    if len(files) > ATTACHMENTS_MAX:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Attach at most {maximum} files."),
            field="attachments",
            maximum=ATTACHMENTS_MAX,
        )


def attach_files(
    session: Session,
    actor: Actor,
    folder: Path | None,
    case_id: str,
    event_id: str,
    files: Sequence[Path | NewFile],
) -> list[dict[str, Any]]:
    """Store ``files`` in ``folder`` and add an :class:`Attachment` row for each, to
    the event ``event_id`` (recorded next by the caller, with the entries returned
    as its ``data.attachments``).

    The caller checks the permission and the state first: nothing is copied
    before that. The same file chosen twice is attached once."""
    check_attachment_count(files)
    if not files:
        return []
    if folder is None:
        raise ValueError("a folder for the attachments is needed")
    stored: list[StoredFile] = []
    for item in files:
        one = store_attachment(folder, item)
        if all(s.sha256 != one.sha256 for s in stored):
            stored.append(one)
    for s in stored:
        session.add(
            Attachment(
                case_id=case_id,
                event_id=event_id,
                file_name=s.file_name,
                stored_name=s.stored_name,
                sha256=s.sha256,
                size=s.size,
                added_by=actor.id,
            )
        )
    return [s.wire() for s in stored]


def _record_with_files(
    session: Session,
    actor: Actor,
    case_id: str,
    event_type: str,
    data: dict[str, Any],
    files: Sequence[Path | NewFile],
    folder: Path | None,
) -> Case:
    """Record ``event_type`` with ``files`` as its ``data.attachments``: the count,
    the permission and the case's state are checked before anything is copied."""
    check_attachment_count(files)
    case = cases_service.get_case(session, case_id)
    require_case_action(actor, case, event_type)
    event_id = str(uuid.uuid4())
    entries = attach_files(session, actor, folder, case_id, event_id, files)
    case = cases_service.record(
        session,
        actor,
        case_id,
        event_type,
        {**data, "attachments": entries},
        event_id=event_id,
    )
    session.flush()
    return case


def feedback(
    session: Session,
    actor: Actor,
    case_id: str,
    result: str,
    files: Sequence[Path | NewFile] = (),
    folder: Path | None = None,
) -> Case:
    """Report the result (反馈), with attachments copied into ``folder``."""
    result = _required(
        result,
        "result",
        QT_TRANSLATE_NOOP("services", "Describe what was done and the result."),
    )
    return _record_with_files(
        session, actor, case_id, EventType.FEEDBACK, {"result": result}, files, folder
    )


# ---------------------------------------------------------------- the coordinator's steps
def verify(session: Session, actor: Actor, case_id: str, passed: bool, note: str = "") -> Case:
    note = (note or "").strip()
    if not passed and not note:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Say what must be redone when the check fails."),
            field="note",
        )
    return cases_service.record(
        session, actor, case_id, EventType.VERIFIED, {"passed": bool(passed), "note": note}
    )


def close(session: Session, actor: Actor, case_id: str, resolution: str, note: str) -> Case:
    note = (note or "").strip()
    if resolution != CloseResolution.ON_THE_SPOT and not note:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Say how the case was settled before closing it."),
            field="note",
        )
    return cases_service.record(
        session, actor, case_id, EventType.CLOSED, {"resolution": resolution, "note": note}
    )


def evaluate(
    session: Session, actor: Actor, case_id: str, satisfaction: str, method: str, note: str = ""
) -> Case:
    return cases_service.record(
        session,
        actor,
        case_id,
        EventType.EVALUATED,
        {"satisfaction": satisfaction, "method": method, "note": (note or "").strip()},
    )


def escalate(
    session: Session, actor: Actor, case_id: str, to_org_unit_id: str, reason: str
) -> Case:
    reason = _required(
        reason,
        "reason",
        QT_TRANSLATE_NOOP("services", "Say why the case needs the higher level."),
    )
    higher = {u.id for u in higher_units(session, actor)}
    unit = session.get(OrgUnit, to_org_unit_id) if to_org_unit_id else None
    if unit is None or unit.id not in higher or unit.level == OrgLevel.GRID:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Choose a unit above your own to escalate to."),
            field="to_org_unit_id",
        )
    return cases_service.record(
        session,
        actor,
        case_id,
        EventType.ESCALATED,
        {"to_org_unit_id": to_org_unit_id, "reason": reason},
    )


def supervise(session: Session, actor: Actor, case_id: str, note: str) -> Case:
    note = _required(
        note,
        "note",
        QT_TRANSLATE_NOOP("services", "Write what you urge the assignee to do."),
    )
    return cases_service.record(session, actor, case_id, EventType.SUPERVISED, {"note": note})


def extend(
    session: Session,
    actor: Actor,
    case_id: str,
    new_deadline: datetime,
    reason: str,
    now: datetime | None = None,
) -> Case:
    reason = _required(
        reason,
        "reason",
        QT_TRANSLATE_NOOP("services", "Say why the deadline is extended."),
    )
    now = now or utcnow()
    if new_deadline <= now:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Choose a new deadline in the future."),
            field="new_deadline",
        )
    return cases_service.record(
        session,
        actor,
        case_id,
        EventType.EXTENDED,
        {"new_deadline": format_time(new_deadline), "reason": reason},
    )


def suspend(session: Session, actor: Actor, case_id: str, reason: str) -> Case:
    reason = _required(
        reason,
        "reason",
        QT_TRANSLATE_NOOP("services", "Say why the case is suspended, e.g. waiting for budget."),
    )
    return cases_service.record(session, actor, case_id, EventType.SUSPENDED, {"reason": reason})


def resume(session: Session, actor: Actor, case_id: str) -> Case:
    return cases_service.record(session, actor, case_id, EventType.RESUMED, {})


def void(
    session: Session, actor: Actor, case_id: str, reason: str, duplicate_of: str | None = None
) -> Case:
    reason = _required(
        reason, "reason", QT_TRANSLATE_NOOP("services", "Say why the case is voided.")
    )
    if duplicate_of:
        if duplicate_of == case_id:
            raise ValidationError(
                QT_TRANSLATE_NOOP("services", "A case cannot be a duplicate of itself."),
                field="duplicate_of",
            )
        original = session.get(Case, duplicate_of)
        if original is None or not can_see_case(actor, original):
            raise ValidationError(
                QT_TRANSLATE_NOOP("services", "Pick the original case from the list."),
                field="duplicate_of",
            )
        if original.state == "voided":
            raise ValidationError(
                QT_TRANSLATE_NOOP(
                    "services",
                    "Case {number} is voided itself; pick the case that is still valid.",
                ),
                field="duplicate_of",
                number=original.number,
            )
    return cases_service.record(
        session,
        actor,
        case_id,
        EventType.VOIDED,
        {"reason": reason, "duplicate_of": duplicate_of or None},
    )


def comment(
    session: Session,
    actor: Actor,
    case_id: str,
    text: str,
    files: Sequence[Path | NewFile] = (),
    folder: Path | None = None,
) -> Case:
    """A comment on the case, with photos or documents copied into ``folder``."""
    text = _required(text, "text", QT_TRANSLATE_NOOP("services", "Write the comment first."))
    if not files:
        return cases_service.record(session, actor, case_id, EventType.COMMENTED, {"text": text})
    return _record_with_files(
        session, actor, case_id, EventType.COMMENTED, {"text": text}, files, folder
    )
