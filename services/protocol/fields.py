"""The field types and messages of the protocol's strict schemas.

The schemas (:mod:`services.protocol.schemas`) are pydantic models in strict
mode, so there is no hand-written field-by-field checking: a type, a length, an
enumeration or a pattern is declared once. What pydantic cannot know is added
here as small annotated types:

* :data:`ShortText` / :data:`LongText` — at most 200 / 5,000 characters, no
  NUL, no other control characters (tab and newline only in long texts), no
  lone surrogates (which PostgreSQL and every UTF-8 encoder refuse);
* :data:`WireTime` — ISO 8601 with an offset, from 2000-01-01 up to the
  checker's clock plus 24 hours (``now`` in the validation context; the
  desktop's projection passes none and checks only the lower bound);
* :data:`Uuid`, :data:`OrgCode`, coordinates, and :class:`Strict`, the base of
  every item model.

JSON itself is read with :func:`loads_strict`: ``NaN``, ``Infinity`` and numbers
too large for a float become :data:`BAD_NUMBER`, so that one bad value rejects
its own item (``field`` names where it is) and not the whole request.

Errors come out as :class:`ItemRejected` — a :class:`ValidationError` with the
offending ``field`` (a dotted path such as ``data.attachments.0.sha256``) and
a message for a person (:func:`rejected`), in the same words as the rest of GridDesk.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from services.cases.labels import FIELD_LABELS
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP

SHORT_MAX = 200
LONG_MAX = 5000
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(hours=24)
DEADLINE_SPAN = timedelta(days=366)
MAX_ATTACHMENTS = 20
ATTACHMENT_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")

# {street code}-{yyyymmdd}-{desk code, 2 digits}{serial, 3 digits}; v1's 4-digit serial stays valid.
CASE_NUMBER = re.compile(r"^(\d{9})-(\d{8})-(\d{5}|\d{4})$")


# ---------------------------------------------------------------- strict JSON
class BadNumber:
    """What ``NaN``, ``Infinity`` or an overflowing number is read as."""

    def __repr__(self) -> str:
        return "NaN"


BAD_NUMBER = BadNumber()


def _parse_float(text: str) -> float | BadNumber:
    value = float(text)
    return value if math.isfinite(value) else BAD_NUMBER


def loads_strict(raw: bytes | str) -> Any:
    """JSON as the protocol allows it; ValueError if it is not JSON at all."""
    return json.loads(raw, parse_constant=lambda _name: BAD_NUMBER, parse_float=_parse_float)


# ---------------------------------------------------------------- messages
class ItemRejected(ValidationError):
    """An item that breaks a rule of the protocol; ``field`` says where."""

    code = "invalid"


MESSAGES: dict[str, str] = {
    "missing": QT_TRANSLATE_NOOP("services", "The {field_label} is missing."),
    "string_type": QT_TRANSLATE_NOOP("services", "The {field_label} must be text."),
    "string_too_long": QT_TRANSLATE_NOOP(
        "services", "The {field_label} is too long (at most {max} characters)."
    ),
    "string_too_short": QT_TRANSLATE_NOOP("services", "The {field_label} must not be empty."),
    "blank": QT_TRANSLATE_NOOP("services", "The {field_label} must not be empty."),
    "bool_type": QT_TRANSLATE_NOOP("services", "The {field_label} must be true or false."),
    "int_type": QT_TRANSLATE_NOOP("services", "The {field_label} must be a whole number."),
    "float_type": QT_TRANSLATE_NOOP("services", "The {field_label} must be a number."),
    "literal_error": QT_TRANSLATE_NOOP(
        "services", "The {field_label} is not valid; expected one of: {expected}."
    ),
    "bad_characters": QT_TRANSLATE_NOOP(
        "services",
        "The {field_label} contains a character that is not allowed "
        "(NUL, a control character or a broken surrogate).",
    ),
    "bad_number": QT_TRANSLATE_NOOP(
        "services", "The {field_label} holds NaN or Infinity, which JSON does not allow."
    ),
    "uuid": QT_TRANSLATE_NOOP(
        "services",
        "The {field_label} must be a UUID in lower case, such as "
        "3f2504e0-4f89-41d3-9a0c-0305e82c3301.",
    ),
    "org_code": QT_TRANSLATE_NOOP(
        "services", "The {field_label} must be an org unit code of 6, 9, 12 or 15 digits."
    ),
    "time": QT_TRANSLATE_NOOP(
        "services",
        "The {field_label} must be a date and time with a UTC offset, "
        "such as 2026-11-20T17:00:00+08:00.",
    ),
    "time_range": QT_TRANSLATE_NOOP(
        "services",
        "The {field_label} must lie between 2000-01-01 and one day after the county's clock.",
    ),
    "deadline_range": QT_TRANSLATE_NOOP(
        "services", "The {field_label} must lie at most 366 days after the event."
    ),
    "number_pattern": QT_TRANSLATE_NOOP(
        "services",
        "The case number must read {{street code}}-{{yyyymmdd}}-{{desk code}}{{serial}}, "
        "such as 990101001-20261120-03007.",
    ),
    "coordinate": QT_TRANSLATE_NOOP(
        "services", "The {field_label} must be a number from {low} to {high}."
    ),
    "pair": QT_TRANSLATE_NOOP("services", "The latitude and longitude must be given together."),
    "ack_after_deadline": QT_TRANSLATE_NOOP(
        "services", "The acknowledgement deadline must not be later than the handling deadline."
    ),
    "sha256": QT_TRANSLATE_NOOP(
        "services", "The {field_label} must be a SHA-256 in 64 lower-case hexadecimal digits."
    ),
    "file_name": QT_TRANSLATE_NOOP(
        "services",
        "The file name in {field_label} must have 1 to 120 characters and no path separators.",
    ),
    "too_many": QT_TRANSLATE_NOOP(
        "services", "The {field_label} has too many entries (at most {max})."
    ),
    "size": QT_TRANSLATE_NOOP("services", "The {field_label} must be a size in bytes (0 or more)."),
    "object": QT_TRANSLATE_NOOP("services", "The {field_label} must be an object."),
    "list": QT_TRANSLATE_NOOP("services", "The {field_label} must be a list."),
    "date": QT_TRANSLATE_NOOP("services", "The {field_label} must be a date such as 2027-01-01."),
    "geometry": QT_TRANSLATE_NOOP(
        "services",
        "The {field_label} must be a GeoJSON Polygon or MultiPolygon with finite numbers.",
    ),
}
_FALLBACK = QT_TRANSLATE_NOOP("services", "The {field_label} is not valid.")


def label_of(path: str) -> str:
    """The field as a person reads it: its label when it has one, else its path."""
    return FIELD_LABELS.get(path.rsplit(".", 1)[-1], path)


def custom_error(kind: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, kind, ctx)


def rejected(errors: list[Any], prefix: str) -> ItemRejected:
    first = errors[0]
    parts = [prefix] if prefix else []
    parts += [str(part) for part in first.get("loc", ())]
    kind = first.get("type", "")
    ctx = dict(first.get("ctx") or {})
    if kind == "literal_error":
        ctx = {"expected": ctx.get("expected", "")}
    if kind == "string_too_long":
        ctx = {"max": ctx.get("max_length", "")}
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        kind = "object"
    if kind == "list_type":
        kind = "list"
    if kind == "too_long":
        long_text = isinstance(first.get("input"), str)
        kind = "string_too_long" if long_text else "too_many"
        ctx = {"max": ctx.get("max_length", "")}
    name = ctx.pop("name", None)
    if name:
        parts.append(str(name))
    field = ".".join(parts) or "item"
    if kind in ("float_type", "int_type", "bool_type", "string_type") and isinstance(
        first.get("input"), BadNumber
    ):
        kind = "bad_number"
    if kind in ("float_parsing", "finite_number"):
        kind = "bad_number"
    template = MESSAGES.get(kind, _FALLBACK)
    return ItemRejected(template, field=field, field_label=label_of(field), **ctx)


# ---------------------------------------------------------------- field types
def no_bad_characters(value: str, *, long: bool) -> str:
    for char in value:
        point = ord(char)
        if point < 0x20:
            if long and char in "\t\n":
                continue
            raise custom_error("bad_characters")
        if 0x7F <= point <= 0x9F or 0xD800 <= point <= 0xDFFF:
            raise custom_error("bad_characters")
    return value


def short_text(value: str) -> str:
    return no_bad_characters(value, long=False)


def _long(value: str) -> str:
    return no_bad_characters(value, long=True)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise custom_error("blank")
    return value


ShortText = Annotated[str, Field(max_length=SHORT_MAX), AfterValidator(short_text)]
LongText = Annotated[str, Field(max_length=LONG_MAX), AfterValidator(_long)]
Required = Annotated[ShortText, AfterValidator(_not_blank)]
RequiredLong = Annotated[LongText, AfterValidator(_not_blank)]
Id = Annotated[str, Field(max_length=40), AfterValidator(short_text), AfterValidator(_not_blank)]


def is_uuid(value: Any) -> bool:
    """True for a UUID in its canonical lower-case form (the only form the protocol uses)."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _uuid(value: str) -> str:
    if is_uuid(value):
        return value
    raise custom_error("uuid")


def org_code(value: str) -> str:
    if len(value) in (6, 9, 12, 15) and value.isascii() and value.isdigit():
        return value
    raise custom_error("org_code")


Uuid = Annotated[str, AfterValidator(_uuid)]
OrgCode = Annotated[str, AfterValidator(org_code)]


def _any_time(value: Any) -> datetime:
    """A wire time: ISO 8601 with an offset, as an aware UTC datetime (a deadline:
    its span after the event is checked by the model)."""
    if not isinstance(value, str) or len(value) > 40:
        raise custom_error("time")
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            raise ValueError
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise custom_error("time") from None


def _time(value: Any, info: ValidationInfo) -> datetime:
    """When something happened: from 2000-01-01 to the checker's clock plus a day."""
    parsed = _any_time(value)
    now = (info.context or {}).get("now")
    if parsed < EARLIEST or (now is not None and parsed > now + FUTURE_SLACK):
        raise custom_error("time_range")
    return parsed


WireTime = Annotated[datetime, BeforeValidator(_time)]
Deadline = Annotated[datetime, BeforeValidator(_any_time)]


def coordinate(limit: float) -> Any:
    def check(value: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, BadNumber):
            raise custom_error("bad_number")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not -limit <= value <= limit
        ):
            raise custom_error("coordinate", low=-int(limit), high=int(limit))
        return float(value)

    return BeforeValidator(check)


class Strict(BaseModel):
    """Strict types (a boolean is a JSON boolean), unknown keys ignored (docs/protocol.md)."""

    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False, frozen=True)
