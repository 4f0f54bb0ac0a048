"""docs/protocol.md shapes of visits and stored case events, shared by the desktop's
sync engine and the county server (case events themselves: ``Event.to_wire``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from models.enums import Purpose
from models.tables import CaseEvent, Visit
from services import settings as settings_service
from services.cases.event_checks import format_time, parse_time
from services.cases.records import event_from_row
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.reception.identity import visitor_key

_PURPOSES = frozenset(p.value for p in Purpose)
_TEXT_LIMITS = {"name": 60, "phone": 20, "id_number": 18, "gender": 8, "address": 200}


def visit_wire(visit: Visit | Mapping[str, Any]) -> dict[str, Any]:
    """A stored visit in docs/protocol.md's shape (what a push sends, what a pull delivers).

    Takes a ``Visit`` row or a mapping of its columns (the demo's bulk rows)."""
    get: Any = visit.__getitem__ if isinstance(visit, Mapping) else visit.__getattribute__
    return {
        "id": get("id"),
        "org_unit_id": get("org_unit_id"),
        "at": format_time(get("at")),
        "received_by": get("received_by"),
        "visitor": {
            "name": get("visitor_name"),
            "phone": get("visitor_phone"),
            "id_number": get("visitor_id_number"),
            "gender": get("visitor_gender"),
            "address": get("visitor_address"),
        },
        "purpose": get("purpose"),
        "summary": get("summary"),
        "case_id": get("case_id"),
        "resolved_on_the_spot": get("resolved_on_the_spot"),
    }


def _bad(field: str) -> ValidationError:
    return ValidationError(
        QT_TRANSLATE_NOOP("services", "The visit's field {field} is missing or not valid."),
        field=field,
    )


def _uuid(value: Any, field: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise _bad(field) from None


def visit_columns(data: Mapping[str, Any], hash_key: str) -> dict[str, Any]:
    """The ``visits`` row of a visit in docs/protocol.md's shape; ValidationError if malformed.

    The look-up hashes are computed with this installation's own ``hash_key``
    (they are never sent: each side keeps its own secret).
    """
    if not isinstance(data, Mapping):
        raise _bad("visit")
    visit_id = _uuid(data.get("id"), "id")
    org_unit_id = data.get("org_unit_id")
    if not isinstance(org_unit_id, str) or not org_unit_id.isdigit() or len(org_unit_id) > 15:
        raise _bad("org_unit_id")
    if data.get("at") is None:
        raise _bad("at")
    at = parse_time(data["at"], "at")
    purpose = data.get("purpose")
    if purpose not in _PURPOSES:
        raise _bad("purpose")
    visitor = data.get("visitor") or {}
    if not isinstance(visitor, Mapping):
        raise _bad("visitor")
    texts: dict[str, str | None] = {}
    for key, limit in _TEXT_LIMITS.items():
        value = visitor.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise _bad(f"visitor.{key}")
        texts[key] = value or None
    summary = data.get("summary") or ""
    if not isinstance(summary, str):
        raise _bad("summary")
    received_by = data.get("received_by")
    if received_by is not None and (not isinstance(received_by, str) or len(received_by) > 36):
        raise _bad("received_by")
    return {
        "id": visit_id,
        "org_unit_id": org_unit_id,
        "at": at,
        "received_by": received_by,
        "visitor_name": texts["name"],
        "visitor_phone": texts["phone"],
        "visitor_id_number": texts["id_number"],
        "visitor_gender": texts["gender"],
        "visitor_address": texts["address"],
        "phone_key": visitor_key(texts["phone"], hash_key) if texts["phone"] else None,
        "id_number_key": (
            visitor_key(texts["id_number"], hash_key) if texts["id_number"] else None
        ),
        "purpose": purpose,
        "summary": summary,
        "case_id": _uuid(data.get("case_id"), "case_id", optional=True),
        "resolved_on_the_spot": bool(data.get("resolved_on_the_spot", False)),
    }


def insert_visit(session: Session, data: Mapping[str, Any]) -> Visit:
    """Store a visit received in docs/protocol.md's shape (the caller checked it is new)."""
    columns = visit_columns(data, settings_service.visitor_hash_key(session))
    visit = Visit(**columns)
    session.add(visit)
    return visit


def stored_event_wire(row: CaseEvent, server_seq: int | None = None) -> dict[str, Any]:
    """A stored event in docs/protocol.md's shape, with the county's order and receipt time.

    ``server_seq`` and ``received_at`` are extra top-level fields (docs/protocol.md:
    unknown fields are ignored); the desktop orders a case's events by them.
    """
    wire = event_from_row(row).to_wire()
    wire["server_seq"] = server_seq if server_seq is not None else row.server_seq
    wire["received_at"] = format_time(row.received_at) if row.received_at else None
    return wire
