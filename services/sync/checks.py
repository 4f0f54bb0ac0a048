"""Pulled data is never trusted (docs/protocol.md "Push").

Every pulled item is checked before it is applied: first a generic walk over
the JSON (no ``NaN``/``Infinity``, no NUL or other control characters, no lone
surrogates, no absurd sizes or depths), then the item's schema from
``services.protocol.schemas`` (``check_visit``, ``check_event``, ``check_reference``). An
item that breaks a rule goes into ``sync_quarantine`` with the field and the
message, is reported, and is never applied; the other items of its page are.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import PulledQuarantine
from services.cases.projection import Event
from services.errors import DomainError
from services.protocol import schemas

log = logging.getLogger(__name__)

PAYLOAD_LIMIT = 64 * 1024
MAX_STRING = 100_000
MAX_DEPTH = 24
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|[\ud800-\udfff]")


class ItemProblem(Exception):
    """One pulled item that breaks a rule: which field, and what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field[:80]
        self.message = message


def scan(value: Any, path: str = "", depth: int = 0) -> None:
    """The rules every JSON value of the protocol keeps, whatever its place."""
    if depth > MAX_DEPTH:
        raise ItemProblem(path or "item", "nested too deeply")
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ItemProblem(path or "item", "NaN or Infinity is not JSON of the protocol")
        return
    if isinstance(value, int):
        if abs(value) > 2**63:
            raise ItemProblem(path or "item", "number out of range")
        return
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise ItemProblem(path or "item", f"text longer than {MAX_STRING} characters")
        found = _BAD_CHARS.search(value)
        if found:
            kind = "a lone surrogate" if "\ud800" <= found.group() <= "\udfff" else "a control"
            raise ItemProblem(path or "item", f"text holds {kind} character")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ItemProblem(path or "item", "a key that is not text")
            scan(key, f"{path}.{key}" if path else "key", depth + 1)
            scan(item, f"{path}.{key}" if path else key, depth + 1)
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            scan(item, f"{path}[{index}]", depth + 1)
        return
    raise ItemProblem(path or "item", f"a value of type {type(value).__name__}")


def _problem_of(exc: Exception, default_field: str) -> ItemProblem:
    field = getattr(exc, "field", None) or default_field
    return ItemProblem(str(field), str(exc)[:500] or type(exc).__name__)


# ---------------------------------------------------------------- the checks
def check_event(raw: Any, now: datetime) -> Event:
    scan(raw)
    if not isinstance(raw, Mapping):
        raise ItemProblem("data", "must be an object")
    try:
        event: Event = schemas.check_event(raw, now=now)
    except (DomainError, ValueError, TypeError, KeyError) as exc:
        raise _problem_of(exc, "data") from exc
    return event


def check_visit(raw: Any, now: datetime) -> dict[str, Any]:
    scan(raw)
    if not isinstance(raw, Mapping):
        raise ItemProblem("data", "must be an object")
    try:
        return schemas.check_visit(raw, now=now)
    except (DomainError, ValueError, TypeError, KeyError) as exc:
        raise _problem_of(exc, "data") from exc


def check_reference(kind: str, raw: Any) -> dict[str, Any]:
    scan(raw)
    if not isinstance(raw, Mapping):
        raise ItemProblem("data", "must be an object")
    try:
        # Only the schema's own keys come back: a pulled user never brings a password.
        return schemas.check_reference(kind, raw)
    except (DomainError, ValueError, TypeError, KeyError) as exc:
        raise _problem_of(exc, "data") from exc


# ---------------------------------------------------------------- quarantine
def _payload_text(raw: Any) -> str:
    try:
        text = json.dumps(raw, ensure_ascii=True, default=repr, allow_nan=True)
    except (ValueError, TypeError, RecursionError):
        text = repr(raw)
    return text[:PAYLOAD_LIMIT]


def quarantine(
    session: Session,
    *,
    kind: str,
    item_id: Any,
    problem: ItemProblem,
    payload: Any,
    server: str,
) -> bool:
    """Keep a bad pulled item aside (once per item and field); True when it is new."""
    safe_id = item_id if isinstance(item_id, str) else (repr(item_id) if item_id else None)
    if safe_id is not None:
        safe_id = safe_id.encode("ascii", "backslashreplace").decode("ascii")[:64]
    kind_text = (kind if isinstance(kind, str) else repr(kind))[:20]
    kind_text = kind_text.encode("ascii", "backslashreplace").decode("ascii")[:20]
    field = problem.field.encode("utf-8", "backslashreplace").decode("utf-8")[:80]
    known = session.scalar(
        select(PulledQuarantine.seq).where(
            PulledQuarantine.kind == kind_text,
            PulledQuarantine.item_id == safe_id,
            PulledQuarantine.field == field,
            PulledQuarantine.server == server[:200],
        )
    )
    if known is not None:
        return False
    message = problem.message.encode("utf-8", "backslashreplace").decode("utf-8")[:2000]
    log.warning("pulled %s %s kept aside: %s %s", kind_text, safe_id, field, message)
    session.add(
        PulledQuarantine(
            kind=kind_text,
            item_id=safe_id,
            field=field,
            message=message,
            payload=_payload_text(payload),
            server=server[:200],
        )
    )
    return True


def quarantined_count(session: Session) -> int:
    from sqlalchemy import func

    return int(session.scalar(select(func.count()).select_from(PulledQuarantine)) or 0)


def safe_uuid_text(value: Any) -> str | None:
    """A pulled id good enough to look things up with (or None)."""
    if isinstance(value, str) and 0 < len(value) <= 64 and value.isprintable() and value.isascii():
        return value
    return None


def now_utc() -> datetime:
    return datetime.now(UTC)
