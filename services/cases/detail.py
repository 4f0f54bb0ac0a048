"""Everything about one case, for the detail panel: fields, visitor (masked),
the timeline with the state after each event and who pushed it to the county,
the deadline history and the attachments.

A case's events come from other desks through the county. One malformed value
among them (an attachment entry whose size is ``"abc"``, a deadline that is
not a time, ``data`` that is not an object) is logged and left out; it never
makes the case impossible to open.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import EventType
from models.queue import Attachment
from models.tables import Case, Visit
from services.attachments.store import local_blob
from services.cases import records as cases_service
from services.cases.event_checks import parse_time
from services.cases.permissions import Actor, Permission, require, require_can_see
from services.cases.projection import CaseProjection, apply
from services.errors import DomainError
from services.reception.identity import mask_id_number, mask_name, mask_phone
from services.reports.exports import clean_file_name

log = logging.getLogger(__name__)

PROTOCOL_BEFORE_AUTHORSHIP = "1.0"
"""``push_protocol`` of events the county accepted before it checked who pushed them."""

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_ATTACHMENT_BYTES = 1 << 40
"""Sizes above this (1 TB) are nonsense and shown as unknown."""


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
    pushed_by: str | None = None
    """The user whose token pushed the event to the county (PROTOCOL 1.1)."""
    pushed_device: str | None = None
    """The name of the desk it was pushed from."""
    received_at: datetime | None = None
    """When the county accepted it."""
    push_protocol: str | None = None
    """``"1.0"``: accepted before the county checked who pushed it."""

    rejected_code: str | None = None
    """The county refused this local event (docs/sync-rules.md): it stays in the
    history, struck through, and counts nowhere."""
    rejected_message: str = ""

    @property
    def unverified_author(self) -> bool:
        return self.push_protocol == PROTOCOL_BEFORE_AUTHORSHIP

    @property
    def rejected(self) -> bool:
        return self.rejected_code is not None


@dataclass(frozen=True)
class DeadlineChange:
    at: datetime
    type: str
    ack_deadline: datetime | None
    deadline: datetime | None
    assignee_type: str | None = None
    assignee_id: str | None = None
    reason: str = ""


PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
_PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


@dataclass(frozen=True)
class AttachmentInfo:
    file_name: str
    sha256: str
    size: int
    event_id: str
    at: datetime
    path: Path | None
    """The copy in the data folder, or None when it is not on this computer."""
    content_type: str = ""
    """As the entry says (empty before 1.1); the bytes decide when the file is opened."""
    step: str = ""
    """The type of the event that carries it (``created``, ``feedback``, ``commented``…)."""
    actor_id: str | None = None

    @property
    def is_pdf(self) -> bool:
        if self.content_type:
            return self.content_type == "application/pdf"
        return self.file_name.lower().endswith(".pdf")

    @property
    def is_photo(self) -> bool:
        if self.content_type:
            return self.content_type in PHOTO_TYPES
        return self.file_name.lower().endswith(_PHOTO_SUFFIXES)


@dataclass(frozen=True)
class AttachmentStep:
    """One step of the case that brought files: the registration, a feedback, a comment…"""

    event_id: str
    kind: str
    """The event's type (``created``, ``feedback``, ``commented`` or another)."""
    at: datetime
    actor_id: str | None
    files: tuple[AttachmentInfo, ...]

    @property
    def photos(self) -> tuple[AttachmentInfo, ...]:
        return tuple(f for f in self.files if f.is_photo)


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
    """Every file of every step, in the order of the events."""
    attachment_steps: list[AttachmentStep] = field(default_factory=list)
    """The same files grouped by the step that brought them (refused steps left out)."""
    visitor: VisitorInfo | None = None
    duplicate_number: str | None = None
    unreadable_attachments: int = 0
    """Attachment entries left out because they break docs/protocol.md's rules."""


def case_detail(
    session: Session, actor: Actor, case_id: str, attachments_folder: Path | None = None
) -> CaseDetail:
    require(actor, Permission.VIEW_CASES)
    case = cases_service.get_case(session, case_id)
    require_can_see(actor, case)
    detail = CaseDetail(case=case)
    projection: CaseProjection | None = None
    for row in cases_service.events_of(session, case_id, with_rejected=True):
        data = dict(row.data) if isinstance(row.data, dict) else {}
        if row.data is not None and not isinstance(row.data, dict):
            log.warning("case %s event %s: data is not an object; shown empty", case_id, row.id)
        if row.rejected_code is not None:
            # Refused by the county: shown where it was recorded, with the reason; the
            # state after it is the state before it, and it moves no deadline.
            detail.timeline.append(
                TimelineEntry(
                    row.id,
                    row.type,
                    row.at,
                    row.actor_id,
                    data,
                    projection.state if projection is not None else "",
                    True,
                    rejected_code=row.rejected_code,
                    rejected_message=row.rejected_message or "",
                )
            )
            continue
        event = cases_service.event_from_row(row)
        try:
            projection = apply(projection, event)
            state = projection.state
        except Exception:  # a corrupt history still shows what it holds
            state = projection.state if projection is not None else ""
        detail.timeline.append(
            TimelineEntry(
                row.id,
                row.type,
                row.at,
                row.actor_id,
                data,
                state,
                row.server_seq is None,
                pushed_by=row.pushed_by,
                pushed_device=row.pushed_device,
                received_at=row.received_at,
                push_protocol=row.push_protocol,
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
            detail.deadlines.append(
                DeadlineChange(
                    row.at,
                    row.type,
                    None,
                    _time_or_none(data.get("new_deadline"), case_id, row.id),
                    reason=str(data.get("reason") or ""),
                )
            )
        elif row.type in (EventType.SUSPENDED, EventType.RESUMED):
            detail.deadlines.append(
                DeadlineChange(row.at, row.type, None, None, reason=str(data.get("reason") or ""))
            )
        if "attachments" in data:
            shown, unreadable = _attachments(
                session, row.id, row.type, row.at, row.actor_id, data, case_id, attachments_folder
            )
            if shown:
                detail.attachments.extend(shown)
                detail.attachment_steps.append(
                    AttachmentStep(row.id, str(row.type), row.at, row.actor_id, tuple(shown))
                )
            detail.unreadable_attachments += unreadable
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


def _time_or_none(value: Any, case_id: str, event_id: str) -> datetime | None:
    if not value:
        return None
    try:
        return parse_time(value, "new_deadline")
    except (DomainError, TypeError, ValueError):
        log.warning("case %s event %s: new_deadline %.80r is not a time", case_id, event_id, value)
        return None


def attachment_entries(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The well-formed attachment entries of an event's data (see :func:`read_attachment`)."""
    items = data.get("attachments")
    if not isinstance(items, list):
        return []
    return [entry for entry in map(read_attachment, items) if entry is not None]


def read_attachment(item: Any) -> dict[str, Any] | None:
    """One attachment entry as it may be shown, or None when it breaks docs/protocol.md:
    ``sha256`` 64 hexadecimal digits, ``size`` a whole number of bytes; the file
    name is cleaned (no path, no controls, at most 120 characters) and replaced
    by the start of the hash when missing. Entries recorded before 1.1 have no
    ``content_type`` and are still shown."""
    if not isinstance(item, dict):
        return None
    sha = item.get("sha256")
    if not isinstance(sha, str) or not _SHA256.match(sha.lower()):
        return None
    size = item.get("size", 0)
    if size is None:
        size = 0
    if isinstance(size, bool) or not isinstance(size, int):
        return None
    if not 0 <= size <= MAX_ATTACHMENT_BYTES:
        return None
    name = item.get("file_name")
    file_name = clean_file_name(name, fallback=sha[:12]) if isinstance(name, str) else sha[:12]
    content_type = item.get("content_type")
    return {
        "sha256": sha.lower(),
        "file_name": file_name,
        "size": size,
        "content_type": content_type if isinstance(content_type, str) else "",
    }


def before_and_after(
    steps: list[AttachmentStep],
) -> tuple[list[AttachmentInfo], list[AttachmentInfo]]:
    """The photos to compare when verifying (核查): "after" is the photos of the last
    feedback; "before" is every photo of the steps before it (the registration,
    earlier feedbacks and comments). With no feedback, everything is "before"."""
    last = max((i for i, s in enumerate(steps) if s.kind == EventType.FEEDBACK), default=None)
    if last is None:
        return [p for s in steps for p in s.photos], []
    before = [p for s in steps[:last] for p in s.photos]
    return before, list(steps[last].photos)


def case_photos(
    session: Session, actor: Actor, case_id: str, folder: Path, limit: int = 3
) -> list[AttachmentInfo]:
    """Up to ``limit`` photos of a case that are on this computer, newest step first
    (for the map's case tooltip)."""
    detail = case_detail(session, actor, case_id, folder)
    photos = [f for s in reversed(detail.attachment_steps) for f in s.photos if f.path]
    return photos[:limit]


def _attachments(
    session: Session,
    event_id: str,
    kind: str,
    at: datetime,
    actor_id: str | None,
    data: dict[str, Any],
    case_id: str,
    folder: Path | None,
) -> tuple[list[AttachmentInfo], int]:
    """The attachments of one event, and how many entries were left out."""
    items = data.get("attachments")
    if items is None:
        return [], 0
    if not isinstance(items, list):
        log.warning(
            "case %s event %s: attachments is a %s, not a list; not shown",
            case_id,
            event_id,
            type(items).__name__,
        )
        return [], 1
    stored = {
        a.sha256: a.stored_name
        for a in session.scalars(select(Attachment).where(Attachment.case_id == case_id))
    }
    out = []
    unreadable = 0
    for index, item in enumerate(items):
        entry = read_attachment(item)
        if entry is None:
            unreadable += 1
            log.warning(
                "case %s event %s: attachment entry %d breaks the protocol and is not shown: %.200r",
                case_id,
                event_id,
                index,
                item,
            )
            continue
        sha = entry["sha256"]
        out.append(
            AttachmentInfo(
                entry["file_name"],
                sha,
                entry["size"],
                event_id,
                at,
                _local_copy(folder, stored.get(sha))
                or _local_copy(folder, _blob_name(folder, sha)),
                entry["content_type"],
                str(kind),
                actor_id,
            )
        )
    return out, unreadable


def _blob_name(folder: Path | None, sha: str) -> str | None:
    """The blob store's name of ``sha`` (a pulled or downloaded file), if it is here."""
    if folder is None:
        return None
    try:
        path = local_blob(folder, sha)
    except OSError:
        return None
    return f"{sha[:2]}/{path.name}" if path is not None else None


def _local_copy(folder: Path | None, stored_name: str | None) -> Path | None:
    """The file in the attachments folder, never a path outside it."""
    if folder is None or not stored_name:
        return None
    try:
        root = folder.resolve()
        candidate = (folder / stored_name).resolve()
    except (OSError, ValueError):
        return None
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate
