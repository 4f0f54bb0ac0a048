"""The case projection (services/cases/projection.py) against docs/protocol.md.

The transition table is written out here a second time, straight from the rules,
so that a change to ``ALLOWED`` that the specification does not make fails.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.enums import CaseState, EventType
from services.cases.event_checks import validate_event
from services.cases.labels import EVENT_LABELS, FIELD_LABELS, STATE_LABELS
from services.cases.projection import ALLOWED, CaseProjection, Event, allowed_events, apply, project
from services.errors import IllegalTransition, ValidationError

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)
CASE_ID = "5b0b7c1e-6a55-4a43-9a6a-1d2f7e0c9a01"
OTHER_CASE_ID = "0f8d9a9e-2a1c-4b7e-8f3e-7d1c2b3a4e5f"
ACTOR = "9a7c1d2e-3b4f-4a5b-8c6d-7e8f9a0b1c2d"
GRID = "990101001002003"

# "The case is its events" (docs/architecture.md), copied by hand.
SPEC_TABLE: dict[str, set[str]] = {
    "registered": {"dispatched", "escalated", "closed", "voided", "commented"},
    "dispatched": {
        "acknowledged",
        "returned",
        "dispatched",
        "supervised",
        "extended",
        "suspended",
        "voided",
    },
    "acknowledged": {"feedback", "supervised", "extended", "suspended", "returned"},
    "returned": {"dispatched", "escalated", "closed", "voided"},
    "escalated": {"dispatched", "returned", "voided"},
    "handled": {"verified", "supervised", "commented"},
    "suspended": {"resumed"},
    "closed": {"evaluated", "commented"},
    "voided": {"commented"},
}

# The shortest history that reaches each state.
PATHS: dict[str, list[str]] = {
    "registered": ["created"],
    "dispatched": ["created", "dispatched"],
    "acknowledged": ["created", "dispatched", "acknowledged"],
    "returned": ["created", "dispatched", "returned"],
    "escalated": ["created", "escalated"],
    "handled": ["created", "dispatched", "acknowledged", "feedback"],
    "suspended": ["created", "dispatched", "suspended"],
    "closed": ["created", "closed"],
    "voided": ["created", "voided"],
}

# Where each event leads (``verified`` with passed=True); absent: state unchanged.
NEXT_STATE = {
    "dispatched": "dispatched",
    "acknowledged": "acknowledged",
    "returned": "returned",
    "feedback": "handled",
    "verified": "closed",
    "closed": "closed",
    "escalated": "escalated",
    "suspended": "suspended",
    "voided": "voided",
}


def valid_data(event_type: str) -> dict[str, Any]:
    """Data that docs/protocol.md accepts for each event type."""
    return {
        "created": {
            "number": "990101001-20261120-0007",
            "title": "楼道堆放杂物",
            "description": "3号楼2单元楼道堆放纸箱，存在消防隐患",
            "category_code": "0105",
            "source": "walk_in",
            "urgency": "normal",
            "org_unit_id": GRID,
            "address": "幸福路12号3号楼",
            "lat": 30.2741,
            "lon": 120.1551,
            "visit_id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        },
        "dispatched": {
            "assignee_type": "department",
            "assignee_id": "dept-chengguan",
            "ack_deadline": "2026-11-20T17:00:00+08:00",
            "deadline": "2026-11-25T17:00:00+08:00",
            "note": "请尽快处理",
        },
        "acknowledged": {},
        "returned": {"reason": "不属于本部门职责"},
        "feedback": {"result": "已清理楼道杂物", "attachments": []},
        "verified": {"passed": True, "note": "现场核查属实"},
        "closed": {"resolution": "on_the_spot", "note": "当场解答"},
        "evaluated": {"satisfaction": "satisfied", "method": "phone", "note": ""},
        "escalated": {"to_org_unit_id": "990101", "reason": "需区级协调"},
        "supervised": {"note": "请加快办理"},
        "extended": {"new_deadline": "2026-12-31T17:00:00+08:00", "reason": "需申请预算"},
        "suspended": {"reason": "等待预算"},
        "resumed": {},
        "voided": {"reason": "重复案件", "duplicate_of": OTHER_CASE_ID},
        "commented": {"text": "已电话联系来访人"},
    }[event_type]


def make(
    event_type: str,
    minute: int = 0,
    *,
    case_id: str = CASE_ID,
    actor_id: str | None = ACTOR,
    at: datetime | None = None,
    **changes: Any,
) -> Event:
    data = valid_data(event_type)
    data.update(changes)
    return Event(
        id=str(uuid.uuid4()),
        case_id=case_id,
        type=event_type,
        at=at if at is not None else T0 + timedelta(minutes=minute),
        actor_id=actor_id,
        data=data,
    )


def history(types: list[str]) -> list[Event]:
    return [make(t, i) for i, t in enumerate(types)]


def reach(state: str) -> CaseProjection:
    case = project(history(PATHS[state]))
    assert case.state == state
    return case


# --------------------------------------------------------------------------- the table


def test_allowed_is_exactly_the_spec_table() -> None:
    assert {state: set(types) for state, types in ALLOWED.items()} == SPEC_TABLE
    assert set(ALLOWED) == {s.value for s in CaseState}
    for state in CaseState:
        assert allowed_events(state.value) == ALLOWED[state.value]


def test_allowed_events_refuses_an_unknown_state() -> None:
    with pytest.raises(ValueError, match="unknown case state"):
        allowed_events("lost")


def test_paths_reach_their_states() -> None:
    for state in PATHS:
        reach(state)


ALLOWED_PAIRS = [(s, e) for s, events in SPEC_TABLE.items() for e in sorted(events)]
DISALLOWED_PAIRS = [
    (s.value, e.value) for s in CaseState for e in EventType if e.value not in SPEC_TABLE[s.value]
]


def test_the_matrix_is_complete() -> None:
    assert len(ALLOWED_PAIRS) + len(DISALLOWED_PAIRS) == len(CaseState) * len(EventType)


@pytest.mark.parametrize(("state", "event_type"), ALLOWED_PAIRS)
def test_allowed_transition(state: str, event_type: str) -> None:
    case = reach(state)
    before = case.as_columns()
    event = make(event_type, 100)
    new = apply(case, event)
    expected = NEXT_STATE.get(event_type, state)
    if event_type == "resumed":
        expected = "dispatched"  # the state PATHS["suspended"] suspended from
    assert new.state == expected
    assert new.event_count == case.event_count + 1
    assert new.last_event_at == event.at
    assert case.as_columns() == before, "apply changed its input"
    assert new is not case


@pytest.mark.parametrize(("state", "event_type"), DISALLOWED_PAIRS)
def test_disallowed_transition_is_rejected(state: str, event_type: str) -> None:
    case = reach(state)
    before = case.as_columns()
    with pytest.raises(IllegalTransition) as info:
        apply(case, make(event_type, 100))
    error = info.value
    assert error.code == "illegal_transition"
    assert case.as_columns() == before
    if event_type == "created":
        assert "already been registered" in str(error)
        return
    order = _spec_order(state)
    assert error.params["allowed_events"] == order
    assert error.params["allowed_labels"] == [EVENT_LABELS[e] for e in order]
    assert error.params["state_label"] == STATE_LABELS[state]
    assert error.params["event_label"] == EVENT_LABELS[event_type]
    assert str(error) == (
        f"This case is {STATE_LABELS[state]}, so {EVENT_LABELS[event_type]} is not possible. "
        f"Allowed now: {', '.join(EVENT_LABELS[e] for e in order)}."
    )


def _spec_order(state: str) -> list[str]:
    """The allowed events in the SPEC table's order, as the message lists them."""
    spec_rows = {
        "registered": "dispatched, escalated, closed, voided, commented",
        "dispatched": "acknowledged, returned, dispatched, supervised, extended, suspended, voided",
        "acknowledged": "feedback, supervised, extended, suspended, returned",
        "returned": "dispatched, escalated, closed, voided",
        "escalated": "dispatched, returned, voided",
        "handled": "verified, supervised, commented",
        "suspended": "resumed",
        "closed": "evaluated, commented",
        "voided": "commented",
    }
    return spec_rows[state].split(", ")


def test_illegal_transition_example_message() -> None:
    with pytest.raises(IllegalTransition) as info:
        apply(reach("closed"), make("dispatched", 5))
    assert str(info.value) == (
        "This case is closed, so dispatch is not possible. Allowed now: evaluation, comment."
    )


@pytest.mark.parametrize("event_type", [e.value for e in EventType if e != EventType.CREATED])
def test_first_event_must_be_created(event_type: str) -> None:
    with pytest.raises(IllegalTransition) as info:
        apply(None, make(event_type))
    assert info.value.code == "illegal_transition"
    assert info.value.params["allowed_events"] == ["created"]
    assert EVENT_LABELS[event_type] in str(info.value)
    assert "registration" in str(info.value)


def test_project_needs_events() -> None:
    with pytest.raises(ValueError):
        project([])


# --------------------------------------------------------------------------- semantics


@pytest.mark.parametrize(
    ("org_unit_id", "street", "community", "grid"),
    [
        (GRID, "990101001", "990101001002", GRID),
        ("990101001002", "990101001", "990101001002", None),
        ("990101001", "990101001", None, None),
        ("990101", None, None, None),
    ],
)
def test_created_derives_the_area_from_the_org_unit(
    org_unit_id: str, street: str | None, community: str | None, grid: str | None
) -> None:
    case = apply(None, make("created", org_unit_id=org_unit_id))
    assert (case.street_id, case.community_id, case.grid_id) == (street, community, grid)
    assert case.org_unit_id == org_unit_id


def test_created_fills_the_case() -> None:
    event = make("created", 0, urgency="urgent")
    case = apply(None, event)
    data = valid_data("created")
    assert case.id == CASE_ID
    assert case.number == data["number"]
    assert case.title == data["title"]
    assert case.description == data["description"]
    assert case.category_code == "0105"
    assert case.source == "walk_in"
    assert case.urgency == "urgent"
    assert case.address == data["address"]
    assert (case.lat, case.lon) == (30.2741, 120.1551)
    assert case.visit_id == data["visit_id"]
    assert case.state == "registered"
    assert case.created_at == T0 and case.created_at.tzinfo is UTC
    assert case.last_event_at == T0
    assert case.created_by == ACTOR
    assert case.event_count == 1
    assert case.dispatch_count == 0 and case.assignee_id is None


def test_created_defaults_optional_fields() -> None:
    data = {
        k: v
        for k, v in valid_data("created").items()
        if k in {"number", "title", "category_code", "source", "org_unit_id"}
    }
    case = apply(None, Event(str(uuid.uuid4()), CASE_ID, "created", T0, None, data))
    assert case.urgency == "normal"
    assert case.description == ""
    assert case.lat is None and case.lon is None and case.address is None
    assert case.created_by is None


def test_dispatch_sets_assignee_and_deadlines() -> None:
    case = reach("dispatched")
    assert case.assignee_type == "department"
    assert case.assignee_id == "dept-chengguan"
    assert case.dispatched_at == T0 + timedelta(minutes=1)
    assert case.ack_deadline == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert case.deadline == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert case.deadline.tzinfo is UTC
    assert case.dispatch_count == 1


def test_redispatch_resets_acknowledgement_and_keeps_escalation() -> None:
    case = project(history(["created", "escalated", "dispatched", "acknowledged", "returned"]))
    assert case.acknowledged_at is not None
    assert case.escalated_to == "990101"
    case = apply(
        case,
        make(
            "dispatched",
            10,
            assignee_type="grid_worker",
            assignee_id=ACTOR,
            ack_deadline="2026-11-21T12:00:00+08:00",
            deadline="2026-11-28T12:00:00+08:00",
        ),
    )
    assert case.state == "dispatched"
    assert case.acknowledged_at is None
    assert case.feedback_at is None
    assert (case.assignee_type, case.assignee_id) == ("grid_worker", ACTOR)
    assert case.dispatched_at == T0 + timedelta(minutes=10)
    assert case.deadline == datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
    assert case.dispatch_count == 2
    assert case.return_count == 1
    assert case.escalated_to == "990101"


def test_dispatch_clears_a_stale_feedback_time() -> None:
    # No legal history leaves feedback_at set outside "handled"/"closed", but a
    # dispatch starts the assignee's work afresh whatever the stored row holds.
    stale = dataclasses.replace(reach("returned"), feedback_at=T0)
    assert apply(stale, make("dispatched", 9)).feedback_at is None


def test_redispatch_before_acknowledgement_counts() -> None:
    case = project(history(["created", "dispatched", "dispatched"]))
    assert case.state == "dispatched"
    assert case.dispatch_count == 2


def test_return_keeps_the_assignee() -> None:
    case = project(history(["created", "dispatched", "acknowledged", "returned"]))
    assert case.state == "returned"
    assert case.return_count == 1
    assert case.assignee_id == "dept-chengguan"
    assert case.acknowledged_at == T0 + timedelta(minutes=2)


def test_acknowledge_and_feedback_times() -> None:
    case = reach("handled")
    assert case.acknowledged_at == T0 + timedelta(minutes=2)
    assert case.feedback_at == T0 + timedelta(minutes=3)


def test_rework_then_pass() -> None:
    case = reach("handled")
    deadline = case.deadline
    failed = apply(case, make("verified", 10, passed=False, note="未清理干净"))
    assert failed.state == "acknowledged"
    assert failed.rework_count == 1
    assert failed.feedback_at is None
    assert failed.closed_at is None
    assert (failed.assignee_type, failed.assignee_id) == (case.assignee_type, case.assignee_id)
    assert failed.deadline == deadline
    assert failed.acknowledged_at == case.acknowledged_at

    again = apply(failed, make("feedback", 20, result="已彻底清理"))
    assert again.state == "handled"
    assert again.feedback_at == T0 + timedelta(minutes=20)
    passed = apply(again, make("verified", 30))
    assert passed.state == "closed"
    assert passed.closed_at == T0 + timedelta(minutes=30)
    assert passed.feedback_at == T0 + timedelta(minutes=20)
    assert passed.rework_count == 1
    assert passed.event_count == 4 + 3


@pytest.mark.parametrize("previous", ["dispatched", "acknowledged"])
def test_suspend_and_resume_return_to_the_previous_state(previous: str) -> None:
    case = reach(previous)
    suspended = apply(case, make("suspended", 10))
    assert suspended.state == "suspended"
    assert suspended.state_before_suspend == previous
    assert suspended.suspended_at == T0 + timedelta(minutes=10)
    resumed = apply(suspended, make("resumed", 20))
    assert resumed.state == previous
    assert resumed.state_before_suspend is None
    assert resumed.suspended_at is None
    unchanged = {"event_count", "last_event_at"}
    assert {k: v for k, v in resumed.as_columns().items() if k not in unchanged} == {
        k: v for k, v in case.as_columns().items() if k not in unchanged
    }
    assert resumed.event_count == case.event_count + 2


def test_extension_moves_the_deadline() -> None:
    case = reach("acknowledged")
    extended = apply(case, make("extended", 10))
    assert extended.deadline == datetime(2026, 12, 31, 9, 0, tzinfo=UTC)
    assert extended.extension_count == 1
    assert extended.state == "acknowledged"
    twice = apply(extended, make("extended", 11, new_deadline="2027-01-05T17:00:00+08:00"))
    assert twice.extension_count == 2


@pytest.mark.parametrize(
    "new_deadline",
    ["2026-11-25T17:00:00+08:00", "2026-11-25T09:00:00+00:00", "2026-11-24T17:00:00+08:00"],
)
def test_extension_must_move_the_deadline_later(new_deadline: str) -> None:
    case = reach("dispatched")
    with pytest.raises(ValidationError) as info:
        apply(case, make("extended", 10, new_deadline=new_deadline))
    assert info.value.field == "new_deadline"
    assert info.value.code == "invalid"
    assert "2026-11-25 17:00" in str(info.value)  # the current deadline, local time
    assert case.extension_count == 0


def test_close_on_the_spot_and_evaluation_replaces() -> None:
    case = reach("closed")
    assert case.closed_at == T0 + timedelta(minutes=1)
    first = apply(case, make("evaluated", 5, satisfaction="dissatisfied"))
    assert first.satisfaction == "dissatisfied"
    assert first.state == "closed"
    second = apply(first, make("evaluated", 6, satisfaction="basically_satisfied", method="visit"))
    assert second.satisfaction == "basically_satisfied"
    assert second.closed_at == case.closed_at


def test_close_after_return() -> None:
    case = apply(reach("returned"), make("closed", 9, resolution="other", note="协调解决"))
    assert case.state == "closed"
    assert case.closed_at == T0 + timedelta(minutes=9)


def test_escalation_records_the_unit() -> None:
    case = reach("escalated")
    assert case.escalated_to == "990101"
    returned = apply(case, make("returned", 5))
    assert returned.state == "returned"
    assert returned.return_count == 1


def test_void_as_duplicate() -> None:
    case = reach("voided")
    assert case.voided_at == T0 + timedelta(minutes=1)
    assert case.duplicate_of == OTHER_CASE_ID
    plain = apply(reach("registered"), make("voided", 3, duplicate_of=None))
    assert plain.duplicate_of is None
    commented = apply(case, make("commented", 4))
    assert commented.state == "voided"


def test_a_case_is_not_a_duplicate_of_itself() -> None:
    with pytest.raises(ValidationError) as info:
        apply(reach("registered"), make("voided", 3, duplicate_of=CASE_ID))
    assert info.value.field == "duplicate_of"


def test_supervision_and_comment_counts() -> None:
    case = reach("handled")
    case = apply(case, make("supervised", 10))
    case = apply(case, make("supervised", 11))
    case = apply(case, make("commented", 12))
    assert case.state == "handled"
    assert case.supervise_count == 2
    assert case.event_count == 4 + 3


def test_last_event_at_is_the_latest_time() -> None:
    case = reach("dispatched")
    late = apply(case, make("supervised", 50))
    early = apply(late, make("supervised", -30))  # an offline client's clock was behind
    assert early.last_event_at == T0 + timedelta(minutes=50)
    assert early.event_count == late.event_count + 1


def test_an_event_of_another_case_is_rejected() -> None:
    case = reach("registered")
    with pytest.raises(ValidationError) as info:
        apply(case, make("commented", 2, case_id=OTHER_CASE_ID))
    assert info.value.field == "case_id"
    assert OTHER_CASE_ID in str(info.value)


def test_apply_is_pure() -> None:
    case = reach("acknowledged")
    before = copy.deepcopy(case)
    event = make("extended", 5)
    data_before = copy.deepcopy(dict(event.data))
    new = apply(case, event)
    assert case == before
    assert dict(event.data) == data_before
    assert new != case
    new.title = "changed"
    assert case.title == before.title


# --------------------------------------------------------------------------- columns


def test_projection_fields_are_the_case_columns() -> None:
    from models.tables import Case

    columns = [c.name for c in Case.__table__.columns if c.name != "updated_at"]
    assert list(reach("registered").as_columns()) == columns


def test_projection_round_trips_through_the_cases_table() -> None:
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from models.tables import Base, Case

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    case = project(history(["created", "dispatched", "acknowledged", "suspended"]))
    with Session(engine) as session:
        session.add(Case(**case.as_columns()))
        session.commit()
    with Session(engine) as session:
        row = session.scalars(select(Case)).one()
        assert CaseProjection.from_row(row) == case
        # continue from the stored row instead of replaying
        resumed = apply(CaseProjection.from_row(row), make("resumed", 30))
    assert resumed.state == "acknowledged"
    assert CaseProjection.from_columns(case.as_columns() | {"updated_at": T0}) == case


# --------------------------------------------------------------------------- validation

INVALID_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("created", {"number": None}, "number"),
    ("created", {"number": "x" * 33}, "number"),
    ("created", {"title": "  "}, "title"),
    ("created", {"title": 7}, "title"),
    ("created", {"description": ["a"]}, "description"),
    ("created", {"category_code": ""}, "category_code"),
    ("created", {"source": "email"}, "source"),
    ("created", {"source": None}, "source"),
    ("created", {"urgency": "critical"}, "urgency"),
    ("created", {"org_unit_id": "99010100"}, "org_unit_id"),
    ("created", {"org_unit_id": "99010100100200a"}, "org_unit_id"),
    ("created", {"org_unit_id": 990101}, "org_unit_id"),
    ("created", {"address": "x" * 201}, "address"),
    ("created", {"lat": 90.5}, "lat"),
    ("created", {"lat": float("nan")}, "lat"),
    ("created", {"lat": True}, "lat"),
    ("created", {"lon": -180.01}, "lon"),
    ("created", {"lon": "120.1"}, "lon"),
    ("created", {"lon": None}, "lon"),
    ("created", {"lat": None}, "lat"),
    ("created", {"visit_id": "visit-1"}, "visit_id"),
    ("dispatched", {"assignee_type": "person"}, "assignee_type"),
    ("dispatched", {"assignee_id": ""}, "assignee_id"),
    ("dispatched", {"assignee_id": None}, "assignee_id"),
    ("dispatched", {"assignee_type": "org_unit", "assignee_id": "street-1"}, "assignee_id"),
    ("dispatched", {"ack_deadline": "2026-11-20T17:00:00"}, "ack_deadline"),
    ("dispatched", {"deadline": None}, "deadline"),
    ("dispatched", {"deadline": "next Friday"}, "deadline"),
    ("dispatched", {"deadline": "2026-11-20"}, "deadline"),
    ("dispatched", {"ack_deadline": "2026-11-26T17:00:00+08:00"}, "ack_deadline"),
    ("dispatched", {"note": 5}, "note"),
    ("returned", {"reason": ""}, "reason"),
    ("returned", {"reason": "   "}, "reason"),
    ("returned", {"reason": None}, "reason"),
    ("feedback", {"result": ""}, "result"),
    ("feedback", {"result": None}, "result"),
    ("feedback", {"attachments": "photo.jpg"}, "attachments"),
    ("verified", {"passed": "yes"}, "passed"),
    ("verified", {"passed": None}, "passed"),
    ("verified", {"passed": 1}, "passed"),
    ("closed", {"resolution": "done"}, "resolution"),
    ("closed", {"resolution": None}, "resolution"),
    ("evaluated", {"satisfaction": "happy"}, "satisfaction"),
    ("evaluated", {"satisfaction": None}, "satisfaction"),
    ("evaluated", {"method": "email"}, "method"),
    ("escalated", {"to_org_unit_id": "county"}, "to_org_unit_id"),
    ("escalated", {"to_org_unit_id": None}, "to_org_unit_id"),
    ("supervised", {"note": {"a": 1}}, "note"),
    ("extended", {"new_deadline": "2026-12-31T17:00"}, "new_deadline"),
    ("extended", {"new_deadline": None}, "new_deadline"),
    ("extended", {"reason": ""}, "reason"),
    ("suspended", {"reason": None}, "reason"),
    ("suspended", {"reason": " "}, "reason"),
    ("voided", {"reason": ""}, "reason"),
    ("voided", {"duplicate_of": "case 7"}, "duplicate_of"),
    ("voided", {"duplicate_of": OTHER_CASE_ID.upper()}, "duplicate_of"),
    ("commented", {"text": ""}, "text"),
    ("commented", {"text": None}, "text"),
]


@pytest.mark.parametrize(("event_type", "changes", "field"), INVALID_CASES)
def test_validate_event_names_the_field(
    event_type: str, changes: dict[str, Any], field: str
) -> None:
    event = make(event_type, **changes)
    with pytest.raises(ValidationError) as info:
        validate_event(event)
    error = info.value
    assert error.code == "invalid"
    assert error.field == field
    assert FIELD_LABELS[field] in str(error)
    # apply validates too, whatever the state
    with pytest.raises(ValidationError):
        apply(None if event_type == "created" else reach("registered"), event)


@pytest.mark.parametrize("event_type", [e.value for e in EventType])
def test_valid_data_passes(event_type: str) -> None:
    validate_event(make(event_type))


@pytest.mark.parametrize(
    ("event_type", "key"),
    [
        ("created", "number"),
        ("created", "title"),
        ("created", "category_code"),
        ("created", "source"),
        ("created", "org_unit_id"),
        ("dispatched", "assignee_type"),
        ("dispatched", "assignee_id"),
        ("dispatched", "ack_deadline"),
        ("dispatched", "deadline"),
        ("returned", "reason"),
        ("feedback", "result"),
        ("verified", "passed"),
        ("closed", "resolution"),
        ("evaluated", "satisfaction"),
        ("evaluated", "method"),
        ("escalated", "to_org_unit_id"),
        ("extended", "new_deadline"),
        ("extended", "reason"),
        ("suspended", "reason"),
        ("voided", "reason"),
        ("commented", "text"),
    ],
)
def test_required_keys(event_type: str, key: str) -> None:
    data = valid_data(event_type)
    del data[key]
    with pytest.raises(ValidationError) as info:
        validate_event(Event(str(uuid.uuid4()), CASE_ID, event_type, T0, ACTOR, data))
    assert info.value.field == key
    assert str(info.value) == f"The {FIELD_LABELS[key]} is missing."


def test_unknown_event_type() -> None:
    with pytest.raises(ValidationError) as info:
        validate_event(Event(str(uuid.uuid4()), CASE_ID, "reopened", T0, ACTOR, {}))
    assert info.value.field == "type"
    assert "reopened" in str(info.value)


def test_optional_keys_may_be_absent() -> None:
    for event_type, key in [
        ("dispatched", "note"),
        ("feedback", "attachments"),
        ("verified", "note"),
        ("closed", "note"),
        ("evaluated", "note"),
        ("escalated", "reason"),
        ("supervised", "note"),
        ("voided", "duplicate_of"),
    ]:
        data = valid_data(event_type)
        del data[key]
        validate_event(Event(str(uuid.uuid4()), CASE_ID, event_type, T0, ACTOR, data))


def test_failed_verification_and_org_unit_dispatch_are_valid() -> None:
    validate_event(make("verified", passed=False))
    validate_event(make("dispatched", assignee_type="org_unit", assignee_id="990101"))


def test_event_needs_an_aware_time() -> None:
    with pytest.raises(ValidationError) as info:
        Event(str(uuid.uuid4()), CASE_ID, "commented", datetime(2026, 11, 20, 9), None, {})
    assert info.value.field == "at"


def test_event_time_is_converted_to_utc() -> None:
    event = make("commented", at=datetime(2026, 11, 20, 9, tzinfo=SHANGHAI))
    assert event.at.tzinfo is UTC
    assert event.at == datetime(2026, 11, 20, 1, tzinfo=UTC)
    assert hash(event) == hash(event)  # data (a dict) is left out of the hash


# --------------------------------------------------------------------------- wire


def wire(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        "case_id": CASE_ID,
        "type": "dispatched",
        "at": "2026-11-20T01:00:00+00:00",
        "actor_id": ACTOR,
        "data": valid_data("dispatched"),
    }
    base.update(changes)
    return base


def test_wire_round_trip() -> None:
    original = wire()
    event = Event.from_wire(json.loads(json.dumps(original)))
    assert event.at == datetime(2026, 11, 20, 1, tzinfo=UTC)
    assert event.to_wire() == original
    assert Event.from_wire(json.loads(json.dumps(event.to_wire()))) == event


def test_wire_time_offsets_are_normalised_to_utc() -> None:
    event = Event.from_wire(wire(at="2026-11-20T09:00:00+08:00"))
    assert event.at.tzinfo is UTC
    assert event.to_wire()["at"] == "2026-11-20T01:00:00+00:00"
    assert Event.from_wire(wire(at="2026-11-20T01:00:00Z")).at == event.at


@pytest.mark.parametrize(
    "at", ["2026-11-20T09:00:00", "2026-11-20", "yesterday", "", 1732000000, None]
)
def test_wire_time_needs_an_offset(at: Any) -> None:
    with pytest.raises(ValidationError) as info:
        Event.from_wire(wire(at=at))
    assert info.value.field == "at"
    assert info.value.code == "invalid"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": "event-1"}, "id"),
        ({"id": None}, "id"),
        ({"id": "3F2504E0-4F89-41D3-9A0C-0305E82C3301"}, "id"),
        ({"case_id": 12}, "case_id"),
        ({"type": "deleted"}, "type"),
        ({"type": None}, "type"),
        ({"actor_id": 5}, "actor_id"),
        ({"actor_id": "u" * 37}, "actor_id"),
        ({"data": ["a"]}, "data"),
    ],
)
def test_wire_common_fields(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Event.from_wire(wire(**changes))
    assert info.value.field == field


def test_wire_ignores_unknown_fields_and_keeps_data_whole() -> None:
    event = Event.from_wire(
        wire(received_at="2026-11-20T02:00:00+00:00", data={**valid_data("dispatched"), "x": 1})
    )
    assert "received_at" not in event.to_wire()
    assert event.data["x"] == 1


def test_wire_without_data_is_empty_data() -> None:
    raw = wire(type="acknowledged", actor_id=None)
    del raw["data"]
    event = Event.from_wire(raw)
    assert event.data == {}
    assert event.actor_id is None
    validate_event(event)


def test_from_wire_copies_data() -> None:
    raw = wire()
    event = Event.from_wire(raw)
    raw["data"]["assignee_id"] = "changed"
    assert event.data["assignee_id"] == "dept-chengguan"


@given(
    at=st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
    ),
    event_type=st.sampled_from([e.value for e in EventType]),
)
def test_wire_round_trip_any_time(at: datetime, event_type: str) -> None:
    event = Event(str(uuid.uuid4()), CASE_ID, event_type, at, ACTOR, valid_data(event_type))
    again = Event.from_wire(json.loads(json.dumps(event.to_wire())))
    assert again == event
    assert again.at == at
    assert again.to_wire()["at"].endswith("+00:00")


# --------------------------------------------------------------------------- labels and texts


def test_labels_cover_every_state_and_event() -> None:
    assert set(STATE_LABELS) == {s.value for s in CaseState}
    assert set(EVENT_LABELS) == {e.value for e in EventType}


def test_state_and_event_labels_never_share_a_source_text() -> None:
    # Qt looks translations up by source text: 已派遣 and 派遣 need different keys.
    assert not set(STATE_LABELS.values()) & set(EVENT_LABELS.values())
    assert len(set(EVENT_LABELS.values())) == len(EVENT_LABELS)
    assert len(set(STATE_LABELS.values())) == len(STATE_LABELS)


PROJECTION_MODULES = ("projection.py", "labels.py", "event_checks.py")


def _marked_texts() -> list[str]:
    texts = []
    for name in PROJECTION_MODULES:
        texts += _marked_in(ROOT / "services" / "cases" / name)
    return texts


def _marked_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "QT_TRANSLATE_NOOP":
            context, text = node.args
            assert isinstance(context, ast.Constant) and context.value == "services"
            assert isinstance(text, ast.Constant) and isinstance(text.value, str), (
                "lupdate needs a single string literal"
            )
            texts.append(text.value)
    return texts


def test_every_marked_text_has_a_pending_translation() -> None:
    tsv = ROOT / "resources" / "translations" / "pending" / "projection.tsv"
    translations: dict[str, str] = {}
    for line in tsv.read_text(encoding="utf-8").splitlines():
        source, target = line.split("\t")
        assert target.strip(), source
        translations[source] = target
    texts = _marked_texts()
    assert set(texts) == set(translations)
    for source, target in translations.items():
        # the same placeholders on both sides
        assert sorted(_placeholders(source)) == sorted(_placeholders(target)), source


def _placeholders(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


# --------------------------------------------------------------------------- random histories

EVENT_TYPES = [e.value for e in EventType]
COUNT_FIELDS = (
    "dispatch_count",
    "return_count",
    "rework_count",
    "extension_count",
    "supervise_count",
    "event_count",
)
JUNK = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)
WIRE_TIMES = st.one_of(
    st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2027, 12, 31),
        timezones=st.sampled_from([UTC, SHANGHAI, timezone(timedelta(hours=-5))]),
    ).map(datetime.isoformat),
    st.sampled_from(
        ["2026-11-20T17:00:00", "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00"]
    ),
    JUNK,
)


@st.composite
def event_data(draw: st.DrawFn, event_type: str) -> dict[str, Any]:
    """Mostly valid data, with some keys dropped or replaced by junk."""
    data = valid_data(event_type)
    if event_type == "verified":
        data["passed"] = draw(st.booleans())
    for key in ("ack_deadline", "deadline", "new_deadline"):
        if key in data and draw(st.booleans()):
            data[key] = draw(WIRE_TIMES)
    if draw(st.integers(0, 4)) == 0 and data:
        key = draw(st.sampled_from(sorted(data)))
        if draw(st.booleans()):
            del data[key]
        else:
            data[key] = draw(JUNK)
    return data


@st.composite
def next_event(draw: st.DrawFn, case: CaseProjection | None, minute: int) -> Event:
    if case is not None and draw(st.integers(0, 3)) > 0:
        event_type = draw(st.sampled_from(sorted(ALLOWED[case.state])))
    elif case is None and draw(st.integers(0, 4)) > 0:
        event_type = "created"
    else:
        event_type = draw(st.sampled_from(EVENT_TYPES))
    case_id = CASE_ID if draw(st.integers(0, 20)) > 0 else OTHER_CASE_ID
    at = T0 + timedelta(minutes=minute + draw(st.integers(-120, 600)))
    return Event(str(uuid.uuid4()), case_id, event_type, at, ACTOR, draw(event_data(event_type)))


def check_invariants(case: CaseProjection, accepted: list[Event]) -> None:
    for name in COUNT_FIELDS:
        assert getattr(case, name) >= 0, name
    assert case.event_count == len(accepted)
    assert case.state in ALLOWED
    assert case.last_event_at == max(e.at for e in accepted)
    assert case.created_at == accepted[0].at
    if case.state == "closed":
        assert case.closed_at is not None
    if case.state == "voided":
        assert case.voided_at is not None
    if case.state == "handled":
        assert case.feedback_at is not None
    if case.state == "acknowledged":
        assert case.acknowledged_at is not None
    if case.state == "suspended":
        assert case.state_before_suspend in {"dispatched", "acknowledged"}
        assert case.suspended_at is not None
    else:
        assert case.state_before_suspend is None and case.suspended_at is None
    if case.state in {"dispatched", "acknowledged", "handled", "suspended"}:
        assert case.assignee_id is not None and case.dispatch_count >= 1
        assert case.deadline is not None and case.ack_deadline is not None
    for name in ("dispatched_at", "ack_deadline", "deadline", "closed_at", "last_event_at"):
        value = getattr(case, name)
        assert value is None or value.tzinfo is UTC, name
    assert case.dispatch_count == sum(1 for e in accepted if e.type == "dispatched")
    assert case.supervise_count == sum(1 for e in accepted if e.type == "supervised")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_histories_keep_the_invariants(data: st.DataObject) -> None:
    case: CaseProjection | None = None
    accepted: list[Event] = []
    for minute in range(0, data.draw(st.integers(1, 40), label="length") * 10, 10):
        event = data.draw(next_event(case, minute))
        before = None if case is None else copy.deepcopy(case)
        try:
            new = apply(case, event)
        except (IllegalTransition, ValidationError) as error:
            assert error.code in {"illegal_transition", "invalid"}
            assert str(error)  # the message formats
            assert case == before  # a rejected event changes nothing
            continue
        assert case == before  # nor does an accepted one change the input
        accepted.append(event)
        check_invariants(new, accepted)
        case = new
    if accepted:
        assert project(accepted) == case  # replaying the accepted events agrees
