"""The case as a projection of its events (docs/architecture.md: read first).

A case is an append-only list of events; the ``cases`` row is only ever computed
from them. This module is that computation, and it is shared verbatim by the
desktop and the county server so that both always agree on a case's state,
assignee, deadlines and counts. It is deliberately pure: no database, no clock,
no Qt. :func:`apply` takes the current projection and one event and returns a
*new* projection, so a caller can try an event and throw the result away, and a
rejected event leaves nothing half-changed.

The rules live in three places that the tests hold against the table below:

* :data:`ALLOWED` — which event may follow in which state (the SPEC's table);
* :func:`validate_event` — the shape of each event's ``data`` (docs/protocol.md),
  declared once as the strict schemas of :mod:`services.protocol.schemas`;
* the ``_apply_*`` functions — what each accepted event changes.

``apply`` is called for every event of every case when the demo district is
generated or a database is rebuilt (millions of events), so it copies the
projection's ``__dict__`` instead of using ``dataclasses.replace`` or deepcopy,
and finds its handler and validator by dictionary look-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from models.enums import (
    AssigneeType,
    CaseState,
    CloseResolution,
    EvaluationMethod,
    EventType,
    Satisfaction,
    Source,
    Urgency,
)
from services.errors import IllegalTransition, ValidationError
from services.i18n import QT_TRANSLATE_NOOP

__all__ = [
    "ALLOWED",
    "EVENT_LABELS",
    "FIELD_LABELS",
    "STATE_LABELS",
    "CaseProjection",
    "Event",
    "allowed_events",
    "apply",
    "format_time",
    "parse_time",
    "project",
    "validate_event",
]

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# --------------------------------------------------------------------------- labels
# Labels are English source texts, translated by the desktop. State labels read
# after "This case is …"; event labels are nouns, so that they never share an
# English source text with a state label (Qt keys translations by source text,
# and 已派遣 must not become the translation of the action 派遣).

STATE_LABELS: dict[str, str] = {
    "registered": QT_TRANSLATE_NOOP("services", "registered"),
    "dispatched": QT_TRANSLATE_NOOP("services", "dispatched"),
    "acknowledged": QT_TRANSLATE_NOOP("services", "being handled"),
    "returned": QT_TRANSLATE_NOOP("services", "returned"),
    "escalated": QT_TRANSLATE_NOOP("services", "escalated"),
    "handled": QT_TRANSLATE_NOOP("services", "awaiting verification"),
    "suspended": QT_TRANSLATE_NOOP("services", "suspended"),
    "closed": QT_TRANSLATE_NOOP("services", "closed"),
    "voided": QT_TRANSLATE_NOOP("services", "voided"),
}

EVENT_LABELS: dict[str, str] = {
    "created": QT_TRANSLATE_NOOP("services", "registration"),
    "dispatched": QT_TRANSLATE_NOOP("services", "dispatch"),
    "acknowledged": QT_TRANSLATE_NOOP("services", "acknowledgement"),
    "returned": QT_TRANSLATE_NOOP("services", "return"),
    "feedback": QT_TRANSLATE_NOOP("services", "feedback"),
    "verified": QT_TRANSLATE_NOOP("services", "verification"),
    "closed": QT_TRANSLATE_NOOP("services", "closing"),
    "evaluated": QT_TRANSLATE_NOOP("services", "evaluation"),
    "escalated": QT_TRANSLATE_NOOP("services", "escalation"),
    "supervised": QT_TRANSLATE_NOOP("services", "supervision"),
    "extended": QT_TRANSLATE_NOOP("services", "deadline extension"),
    "suspended": QT_TRANSLATE_NOOP("services", "suspension"),
    "resumed": QT_TRANSLATE_NOOP("services", "resumption"),
    "voided": QT_TRANSLATE_NOOP("services", "voiding"),
    "commented": QT_TRANSLATE_NOOP("services", "comment"),
}

# Names of the wire fields as a person reads them in an error message.
FIELD_LABELS: dict[str, str] = {
    "id": QT_TRANSLATE_NOOP("services", "event id"),
    "case_id": QT_TRANSLATE_NOOP("services", "case id"),
    "type": QT_TRANSLATE_NOOP("services", "event type"),
    "at": QT_TRANSLATE_NOOP("services", "event time"),
    "actor_id": QT_TRANSLATE_NOOP("services", "acting user"),
    "data": QT_TRANSLATE_NOOP("services", "event data"),
    "number": QT_TRANSLATE_NOOP("services", "case number"),
    "title": QT_TRANSLATE_NOOP("services", "title"),
    "description": QT_TRANSLATE_NOOP("services", "description"),
    "category_code": QT_TRANSLATE_NOOP("services", "category"),
    "source": QT_TRANSLATE_NOOP("services", "source"),
    "urgency": QT_TRANSLATE_NOOP("services", "urgency"),
    "org_unit_id": QT_TRANSLATE_NOOP("services", "org unit"),
    "address": QT_TRANSLATE_NOOP("services", "address"),
    "lat": QT_TRANSLATE_NOOP("services", "latitude"),
    "lon": QT_TRANSLATE_NOOP("services", "longitude"),
    "visit_id": QT_TRANSLATE_NOOP("services", "visit"),
    "assignee_type": QT_TRANSLATE_NOOP("services", "assignee type"),
    "assignee_id": QT_TRANSLATE_NOOP("services", "assignee"),
    "ack_deadline": QT_TRANSLATE_NOOP("services", "acknowledgement deadline"),
    "deadline": QT_TRANSLATE_NOOP("services", "handling deadline"),
    "note": QT_TRANSLATE_NOOP("services", "note"),
    "reason": QT_TRANSLATE_NOOP("services", "reason"),
    "result": QT_TRANSLATE_NOOP("services", "result"),
    "attachments": QT_TRANSLATE_NOOP("services", "attachments"),
    "passed": QT_TRANSLATE_NOOP("services", "verification outcome"),
    "resolution": QT_TRANSLATE_NOOP("services", "resolution"),
    "satisfaction": QT_TRANSLATE_NOOP("services", "satisfaction"),
    "method": QT_TRANSLATE_NOOP("services", "evaluation method"),
    "to_org_unit_id": QT_TRANSLATE_NOOP("services", "higher org unit"),
    "new_deadline": QT_TRANSLATE_NOOP("services", "new deadline"),
    "duplicate_of": QT_TRANSLATE_NOOP("services", "original case"),
    "text": QT_TRANSLATE_NOOP("services", "comment text"),
}

# --------------------------------------------------------------------------- transitions
# The transition table, in its order (the order is kept for the "Allowed now" list).
_ALLOWED_ORDER: dict[str, tuple[str, ...]] = {
    "registered": (
        "dispatched",
        "escalated",
        "closed",
        "voided",
        "commented",
    ),
    "dispatched": (
        "acknowledged",
        "returned",
        "dispatched",
        "supervised",
        "extended",
        "suspended",
        "voided",
    ),
    "acknowledged": (
        "feedback",
        "supervised",
        "extended",
        "suspended",
        "returned",
    ),
    "returned": (
        "dispatched",
        "escalated",
        "closed",
        "voided",
    ),
    "escalated": ("dispatched", "returned", "voided"),
    "handled": ("verified", "supervised", "commented"),
    "suspended": ("resumed",),
    "closed": ("evaluated", "commented"),
    "voided": ("commented",),
}

ALLOWED: Mapping[str, frozenset[str]] = MappingProxyType(
    {state: frozenset(types) for state, types in _ALLOWED_ORDER.items()}
)
"""For each state, the event types that may follow it (``created`` only starts a case)."""


def allowed_events(state: str) -> frozenset[str]:
    """The event types allowed next in ``state``; the UI enables its actions from this."""
    try:
        return ALLOWED[state]
    except KeyError:
        raise ValueError(f"unknown case state {state!r}") from None


# --------------------------------------------------------------------------- times

_TIME_MESSAGE = QT_TRANSLATE_NOOP(
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
    raise _invalid(
        _TIME_MESSAGE,
        key,
        value=_show(value),
    )


def format_time(value: datetime) -> str:
    """The wire form of an aware time: ISO 8601 in UTC with ``+00:00``."""
    return value.astimezone(UTC).isoformat()


def _local(value: datetime) -> str:
    """A time as a person in the office reads it (Asia/Shanghai, to the minute)."""
    try:
        return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    except OverflowError:  # the last hours of year 9999 UTC have no local form
        return value.isoformat()


# --------------------------------------------------------------------------- event


@dataclass(frozen=True)
class Event:
    """One step of a case, as recorded and as sent over the wire.

    ``at`` is always an aware UTC datetime (other offsets are converted on
    construction). ``data`` keeps the wire form (times as ISO strings), so the
    event can be stored and sent exactly as it was recorded; it is excluded from
    hashing because it is a dict.
    """

    id: str
    case_id: str
    type: str
    at: datetime
    actor_id: str | None
    data: Mapping[str, Any] = field(hash=False)

    def __post_init__(self) -> None:
        at = self.at
        if at.__class__ is datetime and at.tzinfo is UTC:
            return  # the common case, kept cheap for bulk replays
        try:
            if isinstance(at, datetime) and at.utcoffset() is not None:
                object.__setattr__(self, "at", at.astimezone(UTC))
                return
        except OverflowError:  # beyond year 1..9999 once in UTC
            pass
        raise _invalid(_TIME_MESSAGE, "at", value=_show(at))

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> Event:
        """Read an event in docs/protocol.md's JSON shape, checking the common fields.

        Unknown top-level fields are ignored (docs/protocol.md); ``data`` is kept
        whole, unknown keys included, so a newer client's extra fields survive
        a round trip. ``data`` itself is checked by :func:`validate_event`.
        """
        if not isinstance(d, Mapping):
            raise _invalid(
                QT_TRANSLATE_NOOP("services", "The {field_label} must be an object."), "data"
            )
        event_id = _wire_uuid(d, "id")
        case_id = _wire_uuid(d, "case_id")
        event_type = _choice(d, "type", _EVENT_TYPES)
        if "at" not in d or d["at"] is None:
            raise _missing("at")
        at = parse_time(d["at"], "at")
        actor_id = d.get("actor_id")
        if actor_id is not None:
            _check_text(actor_id, "actor_id", max_len=36)
        data = d.get("data")
        if data is None:
            data = {}
        elif not isinstance(data, Mapping):
            raise _invalid(
                QT_TRANSLATE_NOOP("services", "The {field_label} must be an object."), "data"
            )
        return cls(
            id=event_id, case_id=case_id, type=event_type, at=at, actor_id=actor_id, data=dict(data)
        )

    def to_wire(self) -> dict[str, Any]:
        """The docs/protocol.md JSON shape; the inverse of :meth:`from_wire`."""
        return {
            "id": self.id,
            "case_id": self.case_id,
            "type": self.type,
            "at": format_time(self.at),
            "actor_id": self.actor_id,
            "data": dict(self.data),
        }


# --------------------------------------------------------------------------- projection


@dataclass(kw_only=True)
class CaseProjection:
    """The ``cases`` row computed from the events; field names equal its columns.

    ``updated_at`` is left out on purpose: it records when the row was written,
    which is the database's business, not a fact derived from the events.
    """

    id: str
    number: str
    title: str = ""
    description: str = ""
    category_code: str
    source: str
    urgency: str = Urgency.NORMAL.value
    org_unit_id: str
    street_id: str | None = None
    community_id: str | None = None
    grid_id: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    visit_id: str | None = None
    state: str
    state_before_suspend: str | None = None
    assignee_type: str | None = None
    assignee_id: str | None = None
    dispatched_at: datetime | None = None
    ack_deadline: datetime | None = None
    acknowledged_at: datetime | None = None
    deadline: datetime | None = None
    feedback_at: datetime | None = None
    closed_at: datetime | None = None
    voided_at: datetime | None = None
    suspended_at: datetime | None = None
    escalated_to: str | None = None
    duplicate_of: str | None = None
    satisfaction: str | None = None
    dispatch_count: int = 0
    return_count: int = 0
    rework_count: int = 0
    extension_count: int = 0
    supervise_count: int = 0
    event_count: int = 0
    created_at: datetime
    created_by: str | None = None
    last_event_at: datetime

    def as_columns(self) -> dict[str, Any]:
        """The values for inserting or updating the ``cases`` row."""
        return {name: getattr(self, name) for name in _FIELD_NAMES}

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any]) -> CaseProjection:
        """Rebuild a projection from stored column values (extra keys ignored).

        Lets a caller apply one new event to a stored case row instead of
        replaying all of its events.
        """
        return cls(**{name: columns[name] for name in _FIELD_NAMES})

    @classmethod
    def from_row(cls, row: object) -> CaseProjection:
        """Like :meth:`from_columns`, reading attributes (e.g. a ``models.tables.Case``)."""
        return cls(**{name: getattr(row, name) for name in _FIELD_NAMES})


_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(CaseProjection))


def _copy(case: CaseProjection) -> CaseProjection:
    """A shallow copy; every field holds an immutable value, so shallow is enough."""
    new = object.__new__(CaseProjection)
    new.__dict__.update(case.__dict__)
    return new


# --------------------------------------------------------------------------- validation

_EVENT_TYPES = tuple(t.value for t in EventType)
_SOURCES = tuple(s.value for s in Source)
_URGENCIES = tuple(u.value for u in Urgency)
_ASSIGNEE_TYPES = tuple(a.value for a in AssigneeType)
_RESOLUTIONS = tuple(r.value for r in CloseResolution)
_SATISFACTIONS = tuple(s.value for s in Satisfaction)
_METHODS = tuple(m.value for m in EvaluationMethod)
_ORG_CODE_LENGTHS = frozenset({6, 9, 12, 15})


def _show(value: Any) -> str:
    """A short printable form of a rejected value for the message."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _invalid(template: str, key: str, **params: Any) -> ValidationError:
    return ValidationError(template, field=key, field_label=FIELD_LABELS[key], **params)


def _missing(key: str) -> ValidationError:
    return _invalid(QT_TRANSLATE_NOOP("services", "The {field_label} is missing."), key)


def _check_text(value: Any, key: str, *, max_len: int | None = None, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise _invalid(QT_TRANSLATE_NOOP("services", "The {field_label} must be text."), key)
    if not empty and not value.strip():
        raise _invalid(QT_TRANSLATE_NOOP("services", "The {field_label} must not be empty."), key)
    if max_len is not None and len(value) > max_len:
        raise _invalid(
            QT_TRANSLATE_NOOP(
                "services", "The {field_label} is too long (at most {max} characters)."
            ),
            key,
            max=max_len,
        )
    return value


def _text(data: Mapping[str, Any], key: str, *, max_len: int | None = None) -> str:
    """A required, non-blank text."""
    value = data.get(key)
    if value is None:
        raise _missing(key)
    return _check_text(value, key, max_len=max_len)


def _opt_text(data: Mapping[str, Any], key: str, *, max_len: int | None = None) -> None:
    """An optional text (absent or null allowed, empty allowed)."""
    value = data.get(key)
    if value is not None:
        _check_text(value, key, max_len=max_len, empty=True)


def _choice(data: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = data.get(key)
    if value is None:
        raise _missing(key)
    if value not in choices or not isinstance(value, str):
        raise _not_one_of(key, value, choices)
    return value


def _not_one_of(key: str, value: Any, choices: tuple[str, ...]) -> ValidationError:
    return _invalid(
        QT_TRANSLATE_NOOP(
            "services", 'The {field_label} "{value}" is not valid; expected one of: {choices}.'
        ),
        key,
        value=_show(value),
        choices=", ".join(choices),
    )


def _time(data: Mapping[str, Any], key: str) -> datetime:
    value = data.get(key)
    if value is None:
        raise _missing(key)
    return parse_time(value, key)


def _check_uuid(value: Any, key: str) -> str:
    if not schemas.is_uuid(value):
        raise _invalid(
            QT_TRANSLATE_NOOP(
                "services",
                "The {field_label} must be a UUID in lower case, such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301.",
            ),
            key,
            value=_show(value),
        )
    return str(value)


def _wire_uuid(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        raise _missing(key)
    return _check_uuid(value, key)


def _opt_uuid(data: Mapping[str, Any], key: str) -> None:
    value = data.get(key)
    if value is not None:
        _check_uuid(value, key)


def _check_org_code(value: Any, key: str) -> str:
    if not (
        isinstance(value, str)
        and len(value) in _ORG_CODE_LENGTHS
        and value.isascii()
        and value.isdigit()
    ):
        raise _invalid(
            QT_TRANSLATE_NOOP(
                "services", "The {field_label} must be an org unit code of 6, 9, 12 or 15 digits."
            ),
            key,
            value=_show(value),
        )
    return value


def _org_code(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        raise _missing(key)
    return _check_org_code(value, key)


def _coordinate(data: Mapping[str, Any], key: str, limit: float) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    # NaN and the infinities fail the range test; huge ints compare without overflow.
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not -limit <= value <= limit
    ):
        raise _invalid(
            QT_TRANSLATE_NOOP(
                "services", "The {field_label} must be a number from {low} to {high}."
            ),
            key,
            low=-int(limit),
            high=int(limit),
            value=_show(value),
        )
    return float(value)


def validate_event(event: Event) -> None:
    """Check the event's type and its ``data`` against docs/protocol.md.

    Raises :class:`ValidationError` (code ``invalid``) whose ``field`` names the
    offending key and whose message names it for a person. The common fields
    (UUID ids, the time's offset) are checked by :meth:`Event.from_wire` and
    the ``Event`` constructor; checks that need the case (a later deadline,
    not a duplicate of itself) are made by :func:`apply`.
    """
    if not isinstance(event.type, str) or event.type not in _EVENT_TYPES:
        raise (
            _missing("type")
            if event.type is None
            else _not_one_of("type", event.type, _EVENT_TYPES)
        )
    if event.actor_id is not None:
        _check_text(event.actor_id, "actor_id", max_len=36)
    data = event.data
    if not isinstance(data, Mapping):
        raise _invalid(
            QT_TRANSLATE_NOOP("services", "The {field_label} must be an object."), "data"
        )
    schemas.check_event_data(event.type, data, event.at, prefix="")


# --------------------------------------------------------------------------- apply


def _illegal(case: CaseProjection, event: Event) -> IllegalTransition:
    order = _ALLOWED_ORDER[case.state]
    allowed_labels = [EVENT_LABELS[t] for t in order]
    return IllegalTransition(
        QT_TRANSLATE_NOOP(
            "services",
            "This case is {state_label}, so {event_label} is not possible. Allowed now: {allowed}.",
        ),
        state=case.state,
        event=event.type,
        state_label=STATE_LABELS[case.state],
        event_label=EVENT_LABELS[event.type],
        allowed=", ".join(allowed_labels),
        allowed_labels=allowed_labels,
        allowed_events=list(order),
    )


def _create(event: Event) -> CaseProjection:
    data = event.data
    org_unit_id: str = data["org_unit_id"]
    n = len(org_unit_id)
    lat = data.get("lat")
    lon = data.get("lon")
    return CaseProjection(
        id=event.case_id,
        number=data["number"],
        title=data["title"],
        description=data.get("description") or "",
        category_code=data["category_code"],
        source=data["source"],
        urgency=data.get("urgency") or Urgency.NORMAL.value,
        org_unit_id=org_unit_id,
        street_id=org_unit_id[:9] if n >= 9 else None,
        community_id=org_unit_id[:12] if n >= 12 else None,
        grid_id=org_unit_id if n == 15 else None,
        address=data.get("address"),
        lat=None if lat is None else float(lat),
        lon=None if lon is None else float(lon),
        visit_id=data.get("visit_id"),
        state=CaseState.REGISTERED.value,
        created_at=event.at,
        created_by=event.actor_id,
        last_event_at=event.at,
        event_count=1,
    )


def _apply_dispatched(case: CaseProjection, event: Event) -> None:
    data = event.data
    case.state = CaseState.DISPATCHED.value
    case.assignee_type = data["assignee_type"]
    case.assignee_id = data["assignee_id"]
    case.dispatched_at = event.at
    case.ack_deadline = parse_time(data["ack_deadline"], "ack_deadline")
    case.deadline = parse_time(data["deadline"], "deadline")
    case.acknowledged_at = None
    case.feedback_at = None
    case.dispatch_count += 1


def _apply_acknowledged(case: CaseProjection, event: Event) -> None:
    case.state = CaseState.ACKNOWLEDGED.value
    case.acknowledged_at = event.at


def _apply_returned(case: CaseProjection, event: Event) -> None:
    # The assignee stays: the last dispatch is what the return is counted against.
    case.state = CaseState.RETURNED.value
    case.return_count += 1


def _apply_feedback(case: CaseProjection, event: Event) -> None:
    case.state = CaseState.HANDLED.value
    case.feedback_at = event.at


def _apply_verified(case: CaseProjection, event: Event) -> None:
    if event.data["passed"]:
        case.state = CaseState.CLOSED.value
        case.closed_at = event.at  # feedback_at stays: it is the accepted feedback
    else:
        # Rework: back to the same assignee, deadline unchanged.
        case.state = CaseState.ACKNOWLEDGED.value
        case.rework_count += 1
        case.feedback_at = None


def _apply_closed(case: CaseProjection, event: Event) -> None:
    case.state = CaseState.CLOSED.value
    case.closed_at = event.at


def _apply_evaluated(case: CaseProjection, event: Event) -> None:
    case.satisfaction = event.data["satisfaction"]  # a later evaluation replaces


def _apply_escalated(case: CaseProjection, event: Event) -> None:
    case.state = CaseState.ESCALATED.value
    case.escalated_to = event.data["to_org_unit_id"]


def _apply_supervised(case: CaseProjection, event: Event) -> None:
    case.supervise_count += 1


def _apply_extended(case: CaseProjection, event: Event) -> None:
    new_deadline = parse_time(event.data["new_deadline"], "new_deadline")
    current = case.deadline
    if current is not None and new_deadline <= current:
        raise _invalid(
            QT_TRANSLATE_NOOP(
                "services",
                "The new deadline ({new}) must be later than the current deadline ({current}).",
            ),
            "new_deadline",
            new=_local(new_deadline),
            current=_local(current),
        )
    case.deadline = new_deadline
    case.extension_count += 1


def _apply_suspended(case: CaseProjection, event: Event) -> None:
    case.state_before_suspend = case.state
    case.state = CaseState.SUSPENDED.value
    case.suspended_at = event.at


def _apply_resumed(case: CaseProjection, event: Event) -> None:
    # ALLOWED only lets ``resumed`` follow ``suspended``, which always records the state.
    assert case.state_before_suspend is not None
    case.state = case.state_before_suspend
    case.state_before_suspend = None
    case.suspended_at = None


def _apply_voided(case: CaseProjection, event: Event) -> None:
    duplicate_of = event.data.get("duplicate_of")
    if duplicate_of is not None and duplicate_of == case.id:
        raise _invalid(
            QT_TRANSLATE_NOOP("services", "A case cannot be a duplicate of itself."), "duplicate_of"
        )
    case.state = CaseState.VOIDED.value
    case.voided_at = event.at
    case.duplicate_of = duplicate_of


def _apply_nothing(case: CaseProjection, event: Event) -> None:
    """``commented`` leaves a trace in the events only."""


_HANDLERS: dict[str, Callable[[CaseProjection, Event], None]] = {
    EventType.DISPATCHED: _apply_dispatched,
    EventType.ACKNOWLEDGED: _apply_acknowledged,
    EventType.RETURNED: _apply_returned,
    EventType.FEEDBACK: _apply_feedback,
    EventType.VERIFIED: _apply_verified,
    EventType.CLOSED: _apply_closed,
    EventType.EVALUATED: _apply_evaluated,
    EventType.ESCALATED: _apply_escalated,
    EventType.SUPERVISED: _apply_supervised,
    EventType.EXTENDED: _apply_extended,
    EventType.SUSPENDED: _apply_suspended,
    EventType.RESUMED: _apply_resumed,
    EventType.VOIDED: _apply_voided,
    EventType.COMMENTED: _apply_nothing,
}


def apply(case: CaseProjection | None, event: Event) -> CaseProjection:
    """Return the projection after ``event``; ``case`` is never modified.

    ``case`` is ``None`` for a case's first event, which must be ``created``.
    The event's data is validated first (:class:`ValidationError`, code
    ``invalid``), then its type against the state (:class:`IllegalTransition`,
    code ``illegal_transition``, whose message lists what is allowed instead).
    """
    validate_event(event)
    event_type = event.type
    if case is None:
        if event_type != EventType.CREATED:
            raise IllegalTransition(
                QT_TRANSLATE_NOOP(
                    "services",
                    "This case has not been registered yet, so {event_label} is not possible. Its first event must be its registration.",
                ),
                event=event_type,
                event_label=EVENT_LABELS[event_type],
                allowed=EVENT_LABELS[EventType.CREATED],
                allowed_labels=[EVENT_LABELS[EventType.CREATED]],
                allowed_events=[EventType.CREATED.value],
            )
        return _create(event)
    if event.case_id != case.id:
        raise _invalid(
            QT_TRANSLATE_NOOP(
                "services", "This event belongs to case {event_case}, not to case {case}."
            ),
            "case_id",
            event_case=event.case_id,
            case=case.id,
        )
    if event_type == EventType.CREATED:
        raise IllegalTransition(
            QT_TRANSLATE_NOOP(
                "services", "This case has already been registered; it cannot be registered again."
            ),
            state=case.state,
            event=event_type,
            state_label=STATE_LABELS[case.state],
            event_label=EVENT_LABELS[event_type],
        )
    if event_type not in ALLOWED[case.state]:
        raise _illegal(case, event)
    new = _copy(case)
    _HANDLERS[event_type](new, event)
    new.event_count += 1
    if event.at > new.last_event_at:
        new.last_event_at = event.at
    return new


def project(events: Iterable[Event]) -> CaseProjection:
    """Replay a case's events in their order of acceptance.

    Raises the first event's error, like :func:`apply`; a stored history has
    only accepted events, so an error here means the history is corrupt.
    Raises ``ValueError`` for an empty history, which has no case.
    """
    case: CaseProjection | None = None
    for event in events:
        case = apply(case, event)
    if case is None:
        raise ValueError("a case needs at least its 'created' event")
    return case


# The schemas import this module's labels and times; imported last so either
# module can be imported first.
from services.protocol import schemas  # noqa: E402
