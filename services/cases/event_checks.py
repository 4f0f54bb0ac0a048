"""The checks an event passes before it reaches the projection, and wire times.

:func:`validate_event` checks an event's type and ``data`` against
docs/protocol.md, through the strict schemas of :mod:`services.protocol.schemas`;
the helpers below check the common fields that :class:`~services.cases.projection.Event`
reads from the wire (UUID ids, the type, the actor). :func:`parse_time` reads a
wire time (ISO 8601 with an offset) and :func:`format_time` writes one. Every
error is a :class:`~services.errors.ValidationError` naming the field with its
label from :mod:`services.cases.labels`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from models.enums import EventType
from services.cases.labels import FIELD_LABELS
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.protocol import schemas
from services.protocol.fields import is_uuid
from services.text import require_text

if TYPE_CHECKING:
    from services.cases.projection import Event

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# --------------------------------------------------------------------------- times

TIME_MESSAGE = QT_TRANSLATE_NOOP(
    "services",
    "The {field_label} must be a date and time with a UTC offset, such as 2026-11-20T17:00:00+08:00.",
)


def parse_time(value: Any, key: str) -> datetime:
    """Parse a wire time (ISO 8601 *with* an offset) into an aware UTC datetime.

    A time without an offset is refused rather than guessed: a client in
    another zone, or one that forgot the offset, would otherwise shift
    deadlines by eight hours without anyone noticing.
    """
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is not None and parsed.utcoffset() is not None:
                return parsed.astimezone(UTC)
        except (ValueError, OverflowError):  # not ISO 8601, or beyond year 1..9999 in UTC
            pass
    raise invalid(
        TIME_MESSAGE,
        key,
        value=show(value),
    )


def format_time(value: datetime) -> str:
    """The wire form of an aware time: ISO 8601 in UTC with ``+00:00``."""
    return value.astimezone(UTC).isoformat()


def local_text(value: datetime) -> str:
    """A time as a person in the office reads it (Asia/Shanghai, to the minute)."""
    try:
        return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    except OverflowError:  # the last hours of year 9999 UTC have no local form
        return value.isoformat()


# --------------------------------------------------------------------------- validation

EVENT_TYPES = tuple(t.value for t in EventType)


def show(value: Any) -> str:
    """A short printable form of a rejected value for the message."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def invalid(template: str, key: str, **params: Any) -> ValidationError:
    return ValidationError(template, field=key, field_label=FIELD_LABELS[key], **params)


def missing(key: str) -> ValidationError:
    return invalid(QT_TRANSLATE_NOOP("services", "The {field_label} is missing."), key)


def check_text(value: Any, key: str, *, max_len: int | None = None, empty: bool = False) -> str:
    """The text as sent (never rewritten), checked: a string, not blank unless ``empty``."""
    return require_text(
        value,
        key,
        limit=max_len,
        strip=False,
        not_text=QT_TRANSLATE_NOOP("services", "The {field_label} must be text."),
        empty=None
        if empty
        else QT_TRANSLATE_NOOP("services", "The {field_label} must not be empty."),
        too_long=QT_TRANSLATE_NOOP(
            "services", "The {field_label} is too long (at most {max} characters)."
        ),
        field_label=FIELD_LABELS[key],
        max=max_len,
    )


def choice(data: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = data.get(key)
    if value is None:
        raise missing(key)
    if value not in choices or not isinstance(value, str):
        raise not_one_of(key, value, choices)
    return value


def not_one_of(key: str, value: Any, choices: tuple[str, ...]) -> ValidationError:
    return invalid(
        QT_TRANSLATE_NOOP(
            "services", 'The {field_label} "{value}" is not valid; expected one of: {choices}.'
        ),
        key,
        value=show(value),
        choices=", ".join(choices),
    )


def check_uuid(value: Any, key: str) -> str:
    if not is_uuid(value):
        raise invalid(
            QT_TRANSLATE_NOOP(
                "services",
                "The {field_label} must be a UUID in lower case, such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301.",
            ),
            key,
            value=show(value),
        )
    return str(value)


def wire_uuid(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        raise missing(key)
    return check_uuid(value, key)


def validate_event(event: Event) -> None:
    """Check the event's type and its ``data`` against docs/protocol.md.

    Raises :class:`ValidationError` (code ``invalid``) whose ``field`` names the
    offending key and whose message names it for a person. The common fields
    (UUID ids, the time's offset) are checked by :meth:`Event.from_wire` and
    the ``Event`` constructor; checks that need the case (a later deadline,
    not a duplicate of itself) are made by :func:`apply`.
    """
    if not isinstance(event.type, str) or event.type not in EVENT_TYPES:
        raise (
            missing("type") if event.type is None else not_one_of("type", event.type, EVENT_TYPES)
        )
    if event.actor_id is not None:
        check_text(event.actor_id, "actor_id", max_len=36)
    data = event.data
    if not isinstance(data, Mapping):
        raise invalid(QT_TRANSLATE_NOOP("services", "The {field_label} must be an object."), "data")
    schemas.check_event_data(event.type, data, event.at, prefix="")
