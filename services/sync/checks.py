"""Pulled data is never trusted (docs/protocol.md "Push").

Every pulled item is checked before it is applied: first a generic walk over
the JSON (no ``NaN``/``Infinity``, no NUL or other control characters, no lone
surrogates, no absurd sizes or depths), then the item's schema from
``services.protocol.schemas`` (``check_visit``, ``check_event``, ``check_reference``). An
item that breaks a rule goes into ``sync_quarantine`` with the field and the
message, is reported, and is never applied; the other items of its page are.
"""

from __future__ import annotations

import importlib
import json
import logging
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import PulledQuarantine
from services.cases.event_checks import parse_time, validate_event
from services.cases.projection import Event
from services.errors import DomainError
from services.protocol.wire import visit_columns

log = logging.getLogger(__name__)

PAYLOAD_LIMIT = 64 * 1024
MAX_STRING = 100_000
MAX_DEPTH = 24
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|[\ud800-\udfff]")
_SHA256 = re.compile(r"[0-9a-f]{64}")
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


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


def _schemas() -> ModuleType | None:
    """The lead engineer's item schemas, once they exist."""
    try:
        return importlib.import_module("services.protocol.schemas")
    except ImportError:
        return None


def _problem_of(exc: Exception, default_field: str) -> ItemProblem:
    field = getattr(exc, "field", None) or default_field
    return ItemProblem(str(field), str(exc)[:500] or type(exc).__name__)


# ---------------------------------------------------------------- stand-in checks
def _check_time(value: datetime, field: str, now: datetime) -> None:
    if value < EARLIEST or value > now + timedelta(hours=24):
        raise ItemProblem(field, "time outside 2000-01-01 … now + 24 h")


def _check_attachments(data: Mapping[str, Any]) -> None:
    entries = data.get("attachments", [])
    if entries is None:
        return
    if not isinstance(entries, list):
        raise ItemProblem("data.attachments", "must be a list")
    for index, entry in enumerate(entries):
        where = f"data.attachments[{index}]"
        if not isinstance(entry, Mapping):
            raise ItemProblem(where, "must be an object")
        sha = entry.get("sha256")
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
            raise ItemProblem(where + ".sha256", "must be 64 lower-case hex digits")
        name = entry.get("file_name")
        if (
            not isinstance(name, str)
            or not name.strip()
            or len(name) > 120
            or any(c in name for c in "/\\")
            or name in (".", "..")
        ):
            raise ItemProblem(where + ".file_name", "must be a file name without a path")
        size = entry.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ItemProblem(where + ".size", "must be a whole number of bytes")
        kind = entry.get("content_type")
        if kind is not None and not isinstance(kind, str):
            raise ItemProblem(where + ".content_type", "must be text")


def _local_event(raw: Mapping[str, Any], now: datetime) -> Event:
    event = Event.from_wire(raw)
    validate_event(event)
    _check_time(event.at, "at", now)
    if event.type == "feedback":
        _check_attachments(event.data)
    return event


def _local_visit(raw: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    columns = visit_columns(raw, "check")
    _check_time(columns["at"], "at", now)
    return dict(raw)


_REFERENCE_KEYS = {
    "org_unit": ("id", "level", "name"),
    "department": ("id", "name"),
    "category": ("code", "name"),
    "user": ("id", "username", "role"),
    "holiday": ("date", "kind"),
    "setting": ("key",),
}


def _local_reference(kind: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    for key in _REFERENCE_KEYS.get(kind, ()):
        if raw.get(key) in (None, ""):
            raise ItemProblem(key, "missing")
    if kind == "user" and raw.get("credentials_changed_at"):
        parse_time(raw["credentials_changed_at"], "at")
    return dict(raw)


# ---------------------------------------------------------------- the checks
def check_event(raw: Any, now: datetime) -> Event:
    scan(raw)
    if not isinstance(raw, Mapping):
        raise ItemProblem("data", "must be an object")
    schemas = _schemas()
    try:
        if schemas is not None:
            event: Event = schemas.check_event(raw, now=now)
            if event.type == "feedback":
                _check_attachments(event.data)
            return event
        return _local_event(raw, now)
    except ItemProblem:
        raise
    except (DomainError, ValueError, TypeError, KeyError) as exc:
        raise _problem_of(exc, "data") from exc


def check_visit(raw: Any, now: datetime) -> dict[str, Any]:
    scan(raw)
    if not isinstance(raw, Mapping):
        raise ItemProblem("data", "must be an object")
    schemas = _schemas()
    try:
        if schemas is not None:
            checked: dict[str, Any] = schemas.check_visit(raw, now=now)
            return checked
        return _local_visit(raw, now)
    except ItemProblem:
        raise
    except (DomainError, ValueError, TypeError, KeyError) as exc:
        raise _problem_of(exc, "data") from exc


def check_reference(kind: str, raw: Any) -> dict[str, Any]:
    scan(raw)
    if not isinstance(raw, Mapping):
        raise ItemProblem("data", "must be an object")
    schemas = _schemas()
    try:
        if schemas is not None:
            checked: dict[str, Any] = schemas.check_reference(kind, raw)
        else:
            checked = _local_reference(kind, raw)
    except ItemProblem:
        raise
    except (DomainError, ValueError, TypeError, KeyError) as exc:
        raise _problem_of(exc, "data") from exc
    if kind == "user":
        checked.pop("password", None)  # never from a feed: a server cannot set a password here
    return checked


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
