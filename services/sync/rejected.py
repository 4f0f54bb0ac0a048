"""Items the county rejected, shown to a person: list them, resend, discard,
dispatch the case again or give it a new number; each is audited.

A rejected case event stays in ``case_events``, marked (docs/sync-rules.md);
these actions never remove it, they write new records.
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
from services.cases.permissions import Actor, Permission, in_scope, require, require_case_action
from services.cases.projection import Event
from services.cases.projection import apply as project
from services.cases.records import (
    add_outbox,
    dispatch,
    event_columns,
    next_case_number,
)
from services.errors import DomainError, NotFound, ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.sync.apply import reproject_case
from services.sync.outbox import mark_rejected
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
                case_number=case.number if case is not None else _number_in(payload),
                at=at,
                payload=payload,
            )
        )
    return out


def _number_in(payload: dict[str, Any]) -> str | None:
    """The number a refused ``created`` carried (its case is not held here)."""
    data = payload.get("data")
    number = data.get("number") if isinstance(data, dict) else None
    return number if isinstance(number, str) else None


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


def _event_row(session: Session, item: OutboxItem) -> CaseEvent | None:
    """The rejected event in ``case_events``; put back from the outbox if an
    earlier version removed it (before rejected events stayed, migration 0006)."""
    row = session.scalar(select(CaseEvent).where(CaseEvent.id == item.item_id))
    if row is not None:
        return row
    try:
        event = Event.from_wire(item.payload)
    except DomainError as exc:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "The item cannot be sent again as it is: {reason}"),
            reason=str(exc),
        ) from exc
    row = CaseEvent(**event_columns(event))
    mark_rejected(row, item.reject_code or "invalid", item.reject_message or "")
    session.add(row)
    session.flush()
    return row


def retry_rejected(session: Session, actor: Actor, seq: int) -> None:
    """Send a rejected item once more (e.g. after the county fixed a user's area).

    Only a person does this, once per click, so a rejected item is never retried
    by itself. A case event's rejection mark is cleared, so it counts in the
    case again until the county answers.
    """
    require(actor, Permission.SYNC)
    item = _rejected(session, seq)
    if item.kind == OutboxKind.CASE_EVENT:
        row = _event_row(session, item)
        assert row is not None
        row.rejected_code = row.rejected_message = row.rejected_at = None
        session.flush()
        reproject_case(session, row.case_id)
    item.status = OutboxStatus.PENDING
    item.reject_code = None
    item.reject_message = None
    audit(session, actor, "sync.retry_rejected", item.kind, item.item_id)


@dataclass
class Renumbered:
    case_id: str
    old_number: str
    new_number: str
    event_id: str
    visit_id: str | None
    """The visit whose receipt carried the old number: print it again."""


def renumber_rejected(session: Session, actor: Actor, seq: int) -> Renumbered:
    """Give a case the county refused for its number (``duplicate_number``) a new one.

    Writes a new ``created`` event with the next free number of this desk (the
    refused one stays in the history, marked, and is never handed out again),
    puts the case's later steps that waited on it back in the queue behind the
    new event, and audits old and new number. The visitor's receipt carries the
    old number: the caller offers to print it again.
    """
    require(actor, Permission.SYNC)
    item = _rejected(session, seq)
    payload = dict(item.payload or {})
    if (
        item.kind != OutboxKind.CASE_EVENT
        or payload.get("type") != EventType.CREATED
        or item.reject_code != "duplicate_number"
    ):
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services", "Only a case the county refused for its number can be renumbered."
            )
        )
    old = _event_row(session, item)
    assert old is not None
    data = dict(old.data or {})
    unit_id = str(data.get("org_unit_id") or "")
    require_case_action(actor, None, EventType.CREATED)
    if not in_scope(actor, unit_id):
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services", "This case lies outside your area; ask a colleague of its area."
            )
        )
    old_number = str(data.get("number") or "")
    data["number"] = next_case_number(session, unit_id, old.at)
    event = Event(
        id=str(uuid.uuid4()),
        case_id=old.case_id,
        type=EventType.CREATED,
        at=old.at,
        actor_id=actor.id,
        data=data,
    )
    project(None, event)  # the new event is checked like any registration
    session.add(CaseEvent(**event_columns(event)))
    add_outbox(session, OutboxKind.CASE_EVENT, event.id, event.to_wire())
    session.flush()
    _queue_after(session, old.case_id, skip=item.item_id)
    item.status = OutboxStatus.DISCARDED
    reproject_case(session, old.case_id)
    audit(
        session,
        actor,
        "sync.renumber_rejected",
        "case",
        old.case_id,
        old_number=old_number,
        new_number=data["number"],
        old_event_id=old.id,
        new_event_id=event.id,
        message=item.reject_message,
    )
    visit_id = data.get("visit_id")
    return Renumbered(
        old.case_id,
        old_number,
        data["number"],
        event.id,
        visit_id if isinstance(visit_id, str) else None,
    )


def _queue_after(session: Session, case_id: str, *, skip: str) -> None:
    """Put the case's steps that have not reached the county behind its new ``created``.

    Pending steps, and steps refused only because the county did not know the
    case (``unknown_case``), go to the end of the outbox in their order, so the
    county sees the case before its steps. Steps refused for another reason stay
    refused for a person to decide.
    """
    items = [
        item
        for item in session.scalars(
            select(OutboxItem)
            .where(
                OutboxItem.kind == OutboxKind.CASE_EVENT,
                OutboxItem.status.in_((OutboxStatus.PENDING, OutboxStatus.REJECTED)),
            )
            .order_by(OutboxItem.seq)
        )
        if isinstance(item.payload, dict)
        and item.payload.get("case_id") == case_id
        and item.item_id != skip
        and item.payload.get("type") != EventType.CREATED
        and (item.status == OutboxStatus.PENDING or item.reject_code == "unknown_case")
    ]
    for item in items:
        row = session.scalar(select(CaseEvent).where(CaseEvent.id == item.item_id))
        if row is not None:
            row.rejected_code = row.rejected_message = row.rejected_at = None
        kind, item_id, payload = item.kind, item.item_id, dict(item.payload)
        session.delete(item)
        session.flush()
        add_outbox(session, kind, item_id, payload)
    session.flush()


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
