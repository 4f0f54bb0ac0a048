"""One strict schema per item of the protocol (docs/protocol.md "Push"
and docs/trust.md), shared by the county server (every pushed item) and the desktop
(every pulled item, every event it records).

The schemas are pydantic models in strict mode, so there is no hand-written
field-by-field checking: a type, a length, an enumeration or a pattern is
declared once, here. What pydantic cannot know is added as small annotated types:

* :data:`ShortText` / :data:`LongText` — at most 200 / 5,000 characters, no
  NUL, no other control characters (tab and newline only in long texts), no
  lone surrogates (which PostgreSQL and every UTF-8 encoder refuse);
* :data:`WireTime` — ISO 8601 with an offset, from 2000-01-01 up to the
  checker's clock plus 24 hours (``now`` in the validation context; the
  desktop's projection passes none and checks only the lower bound);
* deadlines at most 366 days after the event's ``at``.

JSON itself is read with :func:`loads_strict`: ``NaN``, ``Infinity`` and numbers
too large for a float become :data:`BAD_NUMBER`, so that one bad value rejects
its own item (``field`` names where it is) and not the whole request.

Errors come out as :class:`ItemRejected` — a :class:`ValidationError` with the
offending ``field`` (a dotted path such as ``data.attachments.0.sha256``) and
a message for a person, in the same words as the rest of GridDesk.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticError
from pydantic_core import PydanticCustomError

from models.enums import (
    AssigneeType,
    CloseResolution,
    EvaluationMethod,
    EventType,
    HolidayKind,
    OrgLevel,
    Purpose,
    Role,
    Satisfaction,
    Source,
    Urgency,
)
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


_MESSAGES: dict[str, str] = {
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


def _label(path: str) -> str:
    """The field as a person reads it: its label when it has one, else its path."""
    from services.cases.labels import FIELD_LABELS

    return FIELD_LABELS.get(path.rsplit(".", 1)[-1], path)


def _custom(kind: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, kind, ctx)


def _rejected(errors: list[Any], prefix: str) -> ItemRejected:
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
    template = _MESSAGES.get(kind, _FALLBACK)
    return ItemRejected(template, field=field, field_label=_label(field), **ctx)


# ---------------------------------------------------------------- field types
def _no_bad_characters(value: str, *, long: bool) -> str:
    for char in value:
        point = ord(char)
        if point < 0x20:
            if long and char in "\t\n":
                continue
            raise _custom("bad_characters")
        if 0x7F <= point <= 0x9F or 0xD800 <= point <= 0xDFFF:
            raise _custom("bad_characters")
    return value


def _short(value: str) -> str:
    return _no_bad_characters(value, long=False)


def _long(value: str) -> str:
    return _no_bad_characters(value, long=True)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise _custom("blank")
    return value


ShortText = Annotated[str, Field(max_length=SHORT_MAX), AfterValidator(_short)]
LongText = Annotated[str, Field(max_length=LONG_MAX), AfterValidator(_long)]
Required = Annotated[ShortText, AfterValidator(_not_blank)]
RequiredLong = Annotated[LongText, AfterValidator(_not_blank)]
Id = Annotated[str, Field(max_length=40), AfterValidator(_short), AfterValidator(_not_blank)]


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
    raise _custom("uuid")


def _org_code(value: str) -> str:
    if len(value) in (6, 9, 12, 15) and value.isascii() and value.isdigit():
        return value
    raise _custom("org_code")


Uuid = Annotated[str, AfterValidator(_uuid)]
OrgCode = Annotated[str, AfterValidator(_org_code)]


def _any_time(value: Any) -> datetime:
    """A wire time: ISO 8601 with an offset, as an aware UTC datetime (a deadline:
    its span after the event is checked by the model)."""
    if not isinstance(value, str) or len(value) > 40:
        raise _custom("time")
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            raise ValueError
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _custom("time") from None


def _time(value: Any, info: ValidationInfo) -> datetime:
    """When something happened: from 2000-01-01 to the checker's clock plus a day."""
    parsed = _any_time(value)
    now = (info.context or {}).get("now")
    if parsed < EARLIEST or (now is not None and parsed > now + FUTURE_SLACK):
        raise _custom("time_range")
    return parsed


WireTime = Annotated[datetime, BeforeValidator(_time)]
Deadline = Annotated[datetime, BeforeValidator(_any_time)]


def _coordinate(limit: float) -> Any:
    def check(value: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, BadNumber):
            raise _custom("bad_number")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not -limit <= value <= limit
        ):
            raise _custom("coordinate", low=-int(limit), high=int(limit))
        return float(value)

    return BeforeValidator(check)


class Strict(BaseModel):
    """Strict types (a boolean is a JSON boolean), unknown keys ignored (docs/protocol.md)."""

    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False, frozen=True)


# ---------------------------------------------------------------- attachments
def _sha(value: str) -> str:
    if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value
    raise _custom("sha256")


def _file_name(value: str) -> str:
    if not 1 <= len(value) <= 120 or any(c in value for c in "/\\") or value in (".", ".."):
        raise _custom("file_name")
    return _short(value)


def _size(value: int) -> int:
    if value < 0:
        raise _custom("size")
    return value


class AttachmentItem(Strict):
    sha256: Annotated[str, AfterValidator(_sha)]
    file_name: Annotated[str, AfterValidator(_file_name)]
    size: Annotated[StrictInt, AfterValidator(_size)]
    content_type: Literal["image/jpeg", "image/png", "image/webp", "application/pdf"]


# ---------------------------------------------------------------- event data
class _Deadlines(Strict):
    """A model whose deadlines must lie within 366 days of the event."""

    deadline_fields: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _within_span(self, info: ValidationInfo) -> Any:
        at = (info.context or {}).get("at")
        for name in self.deadline_fields:
            value = getattr(self, name, None)
            if value is None or at is None:
                continue
            if value < EARLIEST or value > at + DEADLINE_SPAN:
                raise _custom("deadline_range", name=name)
        return self


class CreatedData(Strict):
    number: Annotated[Required, Field(max_length=32)]
    title: Required
    description: LongText = ""
    category_code: Annotated[Id, Field(max_length=20)]
    source: Literal["walk_in", "patrol", "hotline", "online", "county"]
    urgency: Literal["normal", "urgent"] | None = None
    org_unit_id: OrgCode
    address: ShortText | None = None
    lat: Annotated[float | None, _coordinate(90.0)] = None
    lon: Annotated[float | None, _coordinate(180.0)] = None
    visit_id: Uuid | None = None

    @model_validator(mode="after")
    def _pair(self) -> CreatedData:
        if (self.lat is None) != (self.lon is None):
            raise _custom("pair", name="lat" if self.lat is None else "lon")
        return self


class DispatchedData(_Deadlines):
    deadline_fields = ("ack_deadline", "deadline")
    assignee_type: Literal["department", "grid_worker", "org_unit"]
    assignee_id: Id
    ack_deadline: Deadline
    deadline: Deadline
    note: ShortText | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DispatchedData:
        if self.assignee_type == AssigneeType.ORG_UNIT:
            try:
                _org_code(self.assignee_id)
            except PydanticCustomError:
                raise _custom("org_code", name="assignee_id") from None
        if self.ack_deadline > self.deadline:
            raise _custom("ack_after_deadline", name="ack_deadline")
        return self


class NoData(Strict):
    pass


class ReasonData(Strict):
    reason: Required


class FeedbackData(Strict):
    result: RequiredLong
    attachments: Annotated[list[AttachmentItem], Field(max_length=MAX_ATTACHMENTS)] = []


class VerifiedData(Strict):
    passed: StrictBool
    note: ShortText | None = None


class ClosedData(Strict):
    resolution: Literal["on_the_spot", "verified", "other"]
    note: ShortText | None = None


class EvaluatedData(Strict):
    satisfaction: Literal["satisfied", "basically_satisfied", "dissatisfied"]
    method: Literal["phone", "visit", "sms", "on_site"]
    note: ShortText | None = None


class EscalatedData(Strict):
    to_org_unit_id: OrgCode
    reason: ShortText | None = None


class NoteData(Strict):
    note: ShortText | None = None


class ExtendedData(_Deadlines):
    deadline_fields = ("new_deadline",)
    new_deadline: Deadline
    reason: Required


class VoidedData(Strict):
    reason: Required
    duplicate_of: Uuid | None = None


class CommentedData(Strict):
    text: RequiredLong


DATA_SCHEMAS: dict[str, type[Strict]] = {
    EventType.CREATED: CreatedData,
    EventType.DISPATCHED: DispatchedData,
    EventType.ACKNOWLEDGED: NoData,
    EventType.RETURNED: ReasonData,
    EventType.FEEDBACK: FeedbackData,
    EventType.VERIFIED: VerifiedData,
    EventType.CLOSED: ClosedData,
    EventType.EVALUATED: EvaluatedData,
    EventType.ESCALATED: EscalatedData,
    EventType.SUPERVISED: NoteData,
    EventType.EXTENDED: ExtendedData,
    EventType.SUSPENDED: ReasonData,
    EventType.RESUMED: NoData,
    EventType.VOIDED: VoidedData,
    EventType.COMMENTED: CommentedData,
}

EventTypeName = Literal[
    "created",
    "dispatched",
    "acknowledged",
    "returned",
    "feedback",
    "verified",
    "closed",
    "evaluated",
    "escalated",
    "supervised",
    "extended",
    "suspended",
    "resumed",
    "voided",
    "commented",
]


class EventItem(Strict):
    """The common fields of a case event; ``data`` is checked by its type's schema."""

    id: Uuid
    case_id: Uuid
    type: EventTypeName
    at: WireTime
    actor_id: Annotated[Id, Field(max_length=36)] | None = None
    data: dict[str, Any] = {}

    @field_validator("data", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value


# ---------------------------------------------------------------- visits
class Visitor(Strict):
    name: Annotated[ShortText, Field(max_length=60)] | None = None
    phone: Annotated[ShortText, Field(max_length=20)] | None = None
    id_number: Annotated[ShortText, Field(max_length=18)] | None = None
    gender: Annotated[ShortText, Field(max_length=8)] | None = None
    address: ShortText | None = None


class VisitItem(Strict):
    id: Uuid
    org_unit_id: OrgCode
    at: WireTime
    received_by: Annotated[Id, Field(max_length=36)] | None = None
    visitor: Visitor = Visitor()
    purpose: Literal["complaint", "request", "consultation", "dispute", "other"]
    summary: LongText = ""
    case_id: Uuid | None = None
    resolved_on_the_spot: StrictBool = False

    @field_validator("visitor", mode="before")
    @classmethod
    def _no_visitor(cls, value: Any) -> Any:
        return {} if value is None else value


# ---------------------------------------------------------------- reference data
def _geometry(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, Mapping) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise _custom("geometry")
    depth = 3 if value["type"] == "Polygon" else 4
    count = 0

    def walk(node: Any, level: int) -> None:
        nonlocal count
        if level == 0:
            if (
                isinstance(node, bool)
                or not isinstance(node, int | float)
                or not math.isfinite(node)
            ):
                raise _custom("geometry")
            count += 1
            if count > 200_000:
                raise _custom("geometry")
            return
        if not isinstance(node, list):
            raise _custom("geometry")
        for child in node:
            walk(child, level - 1)

    walk(value.get("coordinates"), depth)
    return {"type": value["type"], "coordinates": value["coordinates"]}


class OrgUnitItem(Strict):
    id: OrgCode
    parent_id: OrgCode | None = None
    level: Literal["county", "street", "community", "grid"]
    name: Annotated[Required, Field(max_length=100)]
    boundary: Annotated[dict[str, Any] | None, BeforeValidator(_geometry)] = None
    active: StrictBool = True


class DepartmentItem(Strict):
    id: Id
    name: Annotated[Required, Field(max_length=100)]
    org_unit_id: OrgCode | None = None
    active: StrictBool = True


def _positive(value: float) -> float:
    if not 0 < value <= 10_000:
        raise _custom("coordinate", low=0, high=10_000)
    return value


Limit = Annotated[float, AfterValidator(_positive)]


class CategoryItem(Strict):
    code: Annotated[Id, Field(max_length=20)]
    parent_code: Annotated[Id, Field(max_length=20)] | None = None
    name: Annotated[Required, Field(max_length=100)]
    ack_hours: Limit | None = None
    handle_days: Limit | None = None
    urgent_hours: Limit | None = None
    default_department_id: Id | None = None
    active: StrictBool = True


class UserItem(Strict):
    id: Annotated[Id, Field(max_length=36)]
    username: Annotated[Required, Field(max_length=60)]
    display_name: Annotated[Required, Field(max_length=60)]
    role: Literal["reception", "coordinator", "department", "grid_worker", "official", "admin"]
    org_unit_id: OrgCode | None = None
    department_id: Id | None = None
    grid_ids: Annotated[list[OrgCode], Field(max_length=500)] = []
    active: StrictBool = True
    credentials_changed_at: Deadline | None = None


def _date(value: Any) -> date:
    if not isinstance(value, str):
        raise _custom("date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _custom("date") from None


class HolidayItem(Strict):
    date: Annotated[date, BeforeValidator(_date)]
    kind: Literal["holiday", "workday"]
    name: Annotated[ShortText, Field(max_length=40)] = ""


class SettingItem(Strict):
    key: Annotated[Id, Field(max_length=60)]
    value: Any = None


REFERENCE_SCHEMAS: dict[str, type[Strict]] = {
    "org_unit": OrgUnitItem,
    "department": DepartmentItem,
    "category": CategoryItem,
    "user": UserItem,
    "holiday": HolidayItem,
    "setting": SettingItem,
}


class RevealRequest(Strict):
    """``POST /reveal`` (docs/protocol.md): which value of which visit, and why."""

    visit_id: Uuid
    field: Literal["phone", "id_number"]
    reason: Required


# ---------------------------------------------------------------- checking
def find_bad_value(value: Any, path: str = "", depth: int = 0) -> tuple[str, str] | None:
    """(path, kind) of the first NaN/Infinity or bad string anywhere in ``value``.

    Unknown fields are ignored by the schemas but must not smuggle a value that
    breaks JSON or a database in, so the whole item is walked once.
    """
    if depth > 32:
        return path or "item", "object"
    if isinstance(value, BadNumber):
        return path or "item", "bad_number"
    if isinstance(value, str):
        try:
            _no_bad_characters(value, long=True)
        except PydanticCustomError:
            return path or "item", "bad_characters"
        return None
    if isinstance(value, Mapping):
        for key, child in value.items():
            child_path = f"{path}.{key}" if path else str(key)
            found = find_bad_value(key, child_path, depth + 1) or find_bad_value(
                child, child_path, depth + 1
            )
            if found:
                return found
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found = find_bad_value(child, f"{path}.{index}" if path else str(index), depth + 1)
            if found:
                return found
    return None


def _screen(raw: Any) -> None:
    found = find_bad_value(raw)
    if found is not None:
        field, kind = found
        raise ItemRejected(_MESSAGES[kind], field=field, field_label=_label(field))


def _validate(model: type[Strict], raw: Any, context: dict[str, Any], prefix: str = "") -> Any:
    if not isinstance(raw, Mapping):
        raise ItemRejected(
            _MESSAGES["object"], field=prefix or "item", field_label=_label(prefix or "item")
        )
    try:
        return model.model_validate(raw, context=context)
    except PydanticError as exc:
        raise _rejected(exc.errors(include_url=False), prefix) from None


def check_event_data(
    event_type: str, data: Any, at: datetime | None = None, *, prefix: str = "data"
) -> dict[str, Any]:
    """``data`` of an event of ``event_type``, checked and without unknown keys' junk.

    The returned dict keeps the wire form (times as they were sent) and every
    key of ``data`` the schema knows, so the event is stored as recorded.
    """
    schema = DATA_SCHEMAS.get(event_type)
    if schema is None:
        raise ItemRejected(
            _MESSAGES["literal_error"],
            field="type",
            field_label=_label("type"),
            expected=", ".join(DATA_SCHEMAS),
        )
    _validate(schema, data, {"at": at}, prefix)
    assert isinstance(data, Mapping)
    return {key: data[key] for key in schema.model_fields if key in data}


def check_event(raw: Any, *, now: datetime | None = None) -> Any:
    """A wire event checked in full: a :class:`services.cases.projection.Event`.

    ``now`` (the checker's clock) bounds ``at``; without it only the lower bound holds.
    """
    from services.cases.projection import Event

    _screen(raw)
    item = _validate(EventItem, raw, {"now": now})
    data = check_event_data(item.type, item.data, item.at)
    return Event(
        id=item.id,
        case_id=item.case_id,
        type=item.type,
        at=item.at,
        actor_id=item.actor_id,
        data=data,
    )


def check_visit(raw: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """A wire visit checked in full, in its wire shape (unknown keys dropped)."""
    _screen(raw)
    item = _validate(VisitItem, raw, {"now": now})
    assert isinstance(raw, Mapping)
    visitor = raw.get("visitor") or {}
    return {
        "id": item.id,
        "org_unit_id": item.org_unit_id,
        "at": raw["at"],
        "received_by": item.received_by,
        "visitor": {key: visitor.get(key) for key in Visitor.model_fields},
        "purpose": item.purpose,
        "summary": item.summary,
        "case_id": item.case_id,
        "resolved_on_the_spot": item.resolved_on_the_spot,
    }


def check_reference(kind: str, raw: Any) -> dict[str, Any]:
    """A reference item (``org_unit``, ``department`` …) checked, in its wire shape."""
    schema = REFERENCE_SCHEMAS.get(kind)
    if schema is None:
        raise ItemRejected(
            _MESSAGES["literal_error"],
            field="type",
            field_label=_label("type"),
            expected=", ".join(REFERENCE_SCHEMAS),
        )
    _screen(raw)
    _validate(schema, raw, {})
    assert isinstance(raw, Mapping)
    return {key: raw[key] for key in schema.model_fields if key in raw}


def check_reveal(raw: Any) -> RevealRequest:
    _screen(raw)
    result: RevealRequest = _validate(RevealRequest, raw, {})
    return result


def case_number_parts(number: str) -> tuple[str, str, str] | None:
    """(street code, yyyymmdd, desk code + serial) of a well-formed case number."""
    match = CASE_NUMBER.match(number)
    return (match.group(1), match.group(2), match.group(3)) if match else None


__all__ = [
    "ATTACHMENT_TYPES",
    "BAD_NUMBER",
    "DATA_SCHEMAS",
    "REFERENCE_SCHEMAS",
    "ItemRejected",
    "case_number_parts",
    "check_event",
    "check_event_data",
    "check_reference",
    "check_reveal",
    "check_visit",
    "find_bad_value",
    "is_uuid",
    "loads_strict",
]

# Vocabularies the Literal types above spell out (kept in step by tests/security).
VOCABULARIES = {
    "source": Source,
    "urgency": Urgency,
    "assignee_type": AssigneeType,
    "resolution": CloseResolution,
    "satisfaction": Satisfaction,
    "method": EvaluationMethod,
    "purpose": Purpose,
    "level": OrgLevel,
    "role": Role,
    "kind": HolidayKind,
}
