"""Items the county rejected, shown to a person: list them, retry, discard
(audited) or dispatch the case again.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import EventType, OutboxKind, OutboxStatus
from models.tables import Case, CaseEvent, OutboxItem
from services.audit import audit
from services.cases.event_checks import parse_time
from services.cases.permissions import Actor, Permission, require
from services.cases.projection import Event
from services.cases.records import (
    dispatch,
    event_columns,
)
from services.errors import DomainError, NotFound, ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.sync.apply import reproject_case
from services.worktime.workdays import WorkCalendar

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- rejected items
@dataclass
class RejectedItem:
    seq: int
    kind: str
    item_id: str
    code: str
    message: str
    event_type: str | None
    case_id: str | None
    case_number: str | None
    at: datetime | None
    payload: dict[str, Any]


def rejected_items(session: Session) -> list[RejectedItem]:
    out = []
    for item in session.scalars(
        select(OutboxItem)
        .where(OutboxItem.status == OutboxStatus.REJECTED)
        .order_by(OutboxItem.seq)
    ):
        payload = dict(item.payload or {})
        case_id = payload.get("case_id") if isinstance(payload.get("case_id"), str) else None
        case = session.get(Case, case_id) if case_id else None
        at_value = payload.get("at")
        try:
            at = parse_time(at_value, "at") if at_value else None
        except DomainError:
            at = None
        out.append(
            RejectedItem(
                seq=item.seq,
                kind=item.kind,
                item_id=item.item_id,
                code=item.reject_code or "",
                message=item.reject_message or "",
                event_type=payload.get("type") if item.kind == OutboxKind.CASE_EVENT else None,
                case_id=case_id,
                case_number=case.number if case is not None else None,
                at=at,
                payload=payload,
            )
        )
    return out


def _rejected(session: Session, seq: int) -> OutboxItem:
    item = session.get(OutboxItem, seq)
    if item is None or item.status != OutboxStatus.REJECTED:
        raise NotFound(
            QT_TRANSLATE_NOOP("services", "This rejected item is no longer waiting for a decision.")
        )
    return item


def discard_rejected(session: Session, actor: Actor, seq: int, reason: str = "") -> None:
    """Give up a rejected item after the person confirmed it; written to the audit log."""
    require(actor, Permission.SYNC)
    item = _rejected(session, seq)
    item.status = OutboxStatus.DISCARDED
    audit(
        session,
        actor,
        "sync.discard_rejected",
        item.kind,
        item.item_id,
        code=item.reject_code,
        message=item.reject_message,
        reason=reason,
        payload=item.payload,
    )


def retry_rejected(session: Session, actor: Actor, seq: int) -> None:
    """Send a rejected item once more (e.g. after the county fixed a user's area).

    Only a person does this, once per click, so a rejected item is never retried
    by itself. A case event goes back into the case's local history.
    """
    require(actor, Permission.SYNC)
    item = _rejected(session, seq)
    if item.kind == OutboxKind.CASE_EVENT:
        try:
            event = Event.from_wire(item.payload)
        except DomainError as exc:
            raise ValidationError(
                QT_TRANSLATE_NOOP("services", "The item cannot be sent again as it is: {reason}"),
                reason=str(exc),
            ) from exc
        if session.scalar(select(CaseEvent.seq).where(CaseEvent.id == event.id)) is None:
            session.add(CaseEvent(**event_columns(event)))
            session.flush()
            reproject_case(session, event.case_id)
    item.status = OutboxStatus.PENDING
    item.reject_code = None
    item.reject_message = None
    audit(session, actor, "sync.retry_rejected", item.kind, item.item_id)


def redispatch_rejected(session: Session, actor: Actor, calendar: WorkCalendar, seq: int) -> Case:
    """Record the rejected dispatch again, as a new event on the case as the county has it.

    The old item is closed as discarded (audited, pointing at the new event);
    the new dispatch is checked like any other (state, permission, deadlines
    from now).
    """
    item = _rejected(session, seq)
    payload = dict(item.payload or {})
    if item.kind != OutboxKind.CASE_EVENT or payload.get("type") != EventType.DISPATCHED:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Only a rejected dispatch can be dispatched again.")
        )
    data = payload.get("data") or {}
    new_id = str(uuid.uuid4())
    case = dispatch(
        session,
        actor,
        calendar,
        str(payload.get("case_id")),
        str(data.get("assignee_type")),
        str(data.get("assignee_id")),
        note=str(data.get("note") or ""),
        event_id=new_id,
    )
    item.status = OutboxStatus.DISCARDED
    audit(
        session,
        actor,
        "sync.redispatch_rejected",
        item.kind,
        item.item_id,
        new_event_id=new_id,
        code=item.reject_code,
    )
    return case
