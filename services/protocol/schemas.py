"""One strict schema per item of the protocol (docs/protocol.md "Push"
and docs/trust.md), shared by the county server (every pushed item) and the desktop
(every pulled item, every event it records), and the functions that check an item.

The models are built from the field types of :mod:`services.protocol.fields`
(texts, times, ids, org codes); this module adds what belongs to an item: the
data of each event type (deadlines at most 366 days after the event's ``at``),
visits, attachments, every kind of reference data, and the reveal request.
``check_*`` screen raw JSON for bad values and return the checked item or raise
:class:`~services.protocol.fields.ItemRejected` naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
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
from services.protocol.fields import (
    CASE_NUMBER,
    DEADLINE_SPAN,
    EARLIEST,
    MAX_ATTACHMENTS,
    MESSAGES,
    BadNumber,
    Deadline,
    Id,
    ItemRejected,
    LongText,
    OrgCode,
    Required,
    RequiredLong,
    ShortText,
    Strict,
    Uuid,
    WireTime,
    coordinate,
    custom_error,
    label_of,
    no_bad_characters,
    org_code,
    rejected,
    short_text,
)


# ---------------------------------------------------------------- attachments
def _sha(value: str) -> str:
    if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value
    raise custom_error("sha256")


def _file_name(value: str) -> str:
    if not 1 <= len(value) <= 120 or any(c in value for c in "/\\") or value in (".", ".."):
        raise custom_error("file_name")
    return short_text(value)


def _size(value: int) -> int:
    if value < 0:
        raise custom_error("size")
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
                raise custom_error("deadline_range", name=name)
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
    lat: Annotated[float | None, coordinate(90.0)] = None
    lon: Annotated[float | None, coordinate(180.0)] = None
    visit_id: Uuid | None = None
    attachments: Annotated[list[AttachmentItem], Field(max_length=MAX_ATTACHMENTS)] = []

    @model_validator(mode="after")
    def _pair(self) -> CreatedData:
        if (self.lat is None) != (self.lon is None):
            raise custom_error("pair", name="lat" if self.lat is None else "lon")
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
                org_code(self.assignee_id)
            except PydanticCustomError:
                raise custom_error("org_code", name="assignee_id") from None
        if self.ack_deadline > self.deadline:
            raise custom_error("ack_after_deadline", name="ack_deadline")
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
    attachments: Annotated[list[AttachmentItem], Field(max_length=MAX_ATTACHMENTS)] = []


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
        raise custom_error("geometry")
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
                raise custom_error("geometry")
            count += 1
            if count > 200_000:
                raise custom_error("geometry")
            return
        if not isinstance(node, list):
            raise custom_error("geometry")
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
        raise custom_error("coordinate", low=0, high=10_000)
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
        raise custom_error("date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise custom_error("date") from None


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
            no_bad_characters(value, long=True)
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
        raise ItemRejected(MESSAGES[kind], field=field, field_label=label_of(field))


def _validate(model: type[Strict], raw: Any, context: dict[str, Any], prefix: str = "") -> Any:
    if not isinstance(raw, Mapping):
        raise ItemRejected(
            MESSAGES["object"], field=prefix or "item", field_label=label_of(prefix or "item")
        )
    try:
        return model.model_validate(raw, context=context)
    except PydanticError as exc:
        raise rejected(exc.errors(include_url=False), prefix) from None


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
            MESSAGES["literal_error"],
            field="type",
            field_label=label_of("type"),
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
            MESSAGES["literal_error"],
            field="type",
            field_label=label_of("type"),
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
    "DATA_SCHEMAS",
    "REFERENCE_SCHEMAS",
    "case_number_parts",
    "check_event",
    "check_event_data",
    "check_reference",
    "check_reveal",
    "check_visit",
    "find_bad_value",
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
