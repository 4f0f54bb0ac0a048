"""Everything about one case, for the detail panel: fields, visitor (masked),
the timeline with the state after each event, the deadline history and the
attachments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import EventType
from models.queue import Attachment
from models.tables import Case, Visit

from . import cases as cases_service
from .errors import PermissionDenied
from .i18n import QT_TRANSLATE_NOOP
from .identity import mask_id_number, mask_name, mask_phone
from .permissions import Actor, Permission, can_see_case, require
from .projection import CaseProjection, apply, parse_time


@dataclass(frozen=True)
class TimelineEntry:
    event_id: str
    type: str
    at: datetime
    actor_id: str | None
    data: dict[str, Any]
    state_after: str
    pending: bool
    """Recorded here and not yet accepted by the county."""


@dataclass(frozen=True)
class DeadlineChange:
    at: datetime
    type: str
    ack_deadline: datetime | None
    deadline: datetime | None
    assignee_type: str | None = None
    assignee_id: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class AttachmentInfo:
    file_name: str
    sha256: str
    size: int
    event_id: str
    at: datetime
    path: Path | None
    """The copy in the data folder, or None when it is not on this computer."""


@dataclass(frozen=True)
class VisitorInfo:
    name: str
    phone: str
    id_number: str
    address: str


@dataclass
class CaseDetail:
    case: Case
    timeline: list[TimelineEntry] = field(default_factory=list)
    deadlines: list[DeadlineChange] = field(default_factory=list)
    attachments: list[AttachmentInfo] = field(default_factory=list)
    visitor: VisitorInfo | None = None
    duplicate_number: str | None = None


def case_detail(
    session: Session, actor: Actor, case_id: str, attachments_folder: Path | None = None
) -> CaseDetail:
    require(actor, Permission.VIEW_CASES)
    case = cases_service.get_case(session, case_id)
    if not can_see_case(actor, case):
        raise PermissionDenied(
            QT_TRANSLATE_NOOP(
                "services", "Case {number} lies outside your area of responsibility."
            ),
            number=case.number,
        )
    detail = CaseDetail(case=case)
    projection: CaseProjection | None = None
    for row in cases_service.events_of(session, case_id):
        event = cases_service.event_from_row(row)
        try:
            projection = apply(projection, event)
            state = projection.state
        except Exception:  # a corrupt history still shows what it holds
            state = projection.state if projection is not None else ""
        data = dict(row.data or {})
        detail.timeline.append(
            TimelineEntry(
                row.id, row.type, row.at, row.actor_id, data, state, row.server_seq is None
            )
        )
        if row.type == EventType.DISPATCHED:
            detail.deadlines.append(
                DeadlineChange(
                    row.at,
                    row.type,
                    row.ack_deadline,
                    row.deadline,
                    row.assignee_type,
                    row.assignee_id,
                    str(data.get("note") or ""),
                )
            )
        elif row.type == EventType.EXTENDED:
            new = data.get("new_deadline")
            detail.deadlines.append(
                DeadlineChange(
                    row.at,
                    row.type,
                    None,
                    parse_time(new, "new_deadline") if new else None,
                    reason=str(data.get("reason") or ""),
                )
            )
        elif row.type in (EventType.SUSPENDED, EventType.RESUMED):
            detail.deadlines.append(
                DeadlineChange(row.at, row.type, None, None, reason=str(data.get("reason") or ""))
            )
        if row.type == EventType.FEEDBACK:
            detail.attachments.extend(
                _attachments(session, row.id, row.at, data, case_id, attachments_folder)
            )
    if case.visit_id:
        visit = session.get(Visit, case.visit_id)
        if visit is not None:
            detail.visitor = VisitorInfo(
                mask_name(visit.visitor_name),
                mask_phone(visit.visitor_phone),
                mask_id_number(visit.visitor_id_number),
                visit.visitor_address or "",
            )
    if case.duplicate_of:
        original = session.get(Case, case.duplicate_of)
        detail.duplicate_number = original.number if original is not None else None
    return detail


def _attachments(
    session: Session,
    event_id: str,
    at: datetime,
    data: dict[str, Any],
    case_id: str,
    folder: Path | None,
) -> list[AttachmentInfo]:
    stored = {
        a.sha256: a.stored_name
        for a in session.scalars(select(Attachment).where(Attachment.case_id == case_id))
    }
    out = []
    for item in data.get("attachments") or []:
        if not isinstance(item, dict):
            continue
        sha = str(item.get("sha256") or "")
        path = None
        if folder is not None and sha in stored:
            candidate = folder / stored[sha]
            path = candidate if candidate.exists() else None
        out.append(
            AttachmentInfo(
                str(item.get("file_name") or sha[:12]),
                sha,
                int(item.get("size") or 0),
                event_id,
                at,
                path,
            )
        )
    return out
