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
* :func:`~services.cases.event_checks.validate_event` — the shape of each
  event's ``data`` (docs/protocol.md), declared once as the strict schemas of
  :mod:`services.protocol.schemas`;
* the ``_apply_*`` functions — what each accepted event changes.

What a person reads for states, events and fields is in
:mod:`services.cases.labels`; wire times and the checks of an event's fields in
:mod:`services.cases.event_checks`.

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

from models.enums import (
    CaseState,
    EventType,
    Urgency,
)
from services.cases.event_checks import (
    EVENT_TYPES,
    TIME_MESSAGE,
    check_text,
    choice,
    format_time,
    invalid,
    local_text,
    missing,
    parse_time,
    show,
    validate_event,
    wire_uuid,
)
from services.cases.labels import EVENT_LABELS, STATE_LABELS
from services.errors import IllegalTransition
from services.i18n import QT_TRANSLATE_NOOP

__all__ = [
    "ALLOWED",
    "CaseProjection",
    "Event",
    "allowed_events",
    "apply",
    "project",
]

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
        raise invalid(TIME_MESSAGE, "at", value=show(at))

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> Event:
        """Read an event in docs/protocol.md's JSON shape, checking the common fields.

        Unknown top-level fields are ignored (docs/protocol.md); ``data`` is kept
        whole, unknown keys included, so a newer client's extra fields survive
        a round trip. ``data`` itself is checked by :func:`validate_event`.
        """
        if not isinstance(d, Mapping):
            raise invalid(
                QT_TRANSLATE_NOOP("services", "The {field_label} must be an object."), "data"
            )
        event_id = wire_uuid(d, "id")
        case_id = wire_uuid(d, "case_id")
        event_type = choice(d, "type", EVENT_TYPES)
        if "at" not in d or d["at"] is None:
            raise missing("at")
        at = parse_time(d["at"], "at")
        actor_id = d.get("actor_id")
        if actor_id is not None:
            check_text(actor_id, "actor_id", max_len=36)
        data = d.get("data")
        if data is None:
            data = {}
        elif not isinstance(data, Mapping):
            raise invalid(
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
        raise invalid(
            QT_TRANSLATE_NOOP(
                "services",
                "The new deadline ({new}) must be later than the current deadline ({current}).",
            ),
            "new_deadline",
            new=local_text(new_deadline),
            current=local_text(current),
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
        raise invalid(
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
        raise invalid(
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
