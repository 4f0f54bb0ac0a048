"""Recording cases through the service: permissions, numbers, deadlines, and the
event, case row and outbox entry written together."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.db import Database
from models.tables import Case, CaseEvent, OutboxItem
from services.cases import records as cases
from services.errors import IllegalTransition, PermissionDenied, ValidationError
from services.worktime.workdays import WorkCalendar
from tests.builders import GRID, OTHER_STREET_GRID, actor, local


def new_case(session, who, at, grid=GRID, category="0601", urgency="normal"):  # type: ignore[no-untyped-def]
    return cases.create_case(
        session,
        who,
        title="朝阳社区3号楼东侧暴露垃圾",
        description="垃圾堆放三天无人清运",
        category_code=category,
        org_unit_id=grid,
        urgency=urgency,
        at=at,
    )


def test_created_case_has_number_event_and_outbox_in_one_go(ref_db: Database) -> None:
    with ref_db.session() as session:
        reception = actor(session, "reception")
        first = new_case(session, reception, local(2026, 11, 20, 9, 0))
        second = new_case(session, reception, local(2026, 11, 20, 9, 5))
        third = new_case(session, reception, local(2026, 11, 21, 9, 0))
    assert first.number == "990101001-20261120-0001"
    assert second.number == "990101001-20261120-0002"
    assert third.number == "990101001-20261121-0001"
    with ref_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CaseEvent)) == 3
        outbox = list(session.scalars(select(OutboxItem).order_by(OutboxItem.seq)))
        assert [o.kind for o in outbox] == ["case_event"] * 3
        assert outbox[0].payload["type"] == "created"
        assert outbox[0].payload["data"]["number"] == first.number
        assert session.get(Case, first.id).state == "registered"


def test_a_failed_action_writes_nothing(ref_db: Database) -> None:
    with pytest.raises(ValidationError), ref_db.session() as session:
        reception = actor(session, "reception")
        new_case(session, reception, local(2026, 11, 20, 9, 0))
        new_case(session, reception, local(2026, 11, 20, 9, 0), category="no-such-category")
    with ref_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert session.scalar(select(func.count()).select_from(OutboxItem)) == 0


def test_dispatch_computes_deadlines_from_category_and_calendar(ref_db: Database) -> None:
    calendar = WorkCalendar()
    with ref_db.session() as session:
        coordinator = actor(session, "coordinator")
        case = cases.create_case(
            session,
            coordinator,
            title="井盖破损",
            description="",
            category_code="06",  # 市容环境: 8 working hours to sign for, 3 working days
            org_unit_id=GRID,
            at=local(2026, 11, 20, 9, 0),
        )
        case = cases.dispatch(
            session,
            coordinator,
            calendar,
            case.id,
            "department",
            "dept_huanwei",
            at=local(2026, 11, 20, 10, 0),
        )
    assert case.state == "dispatched"
    assert case.deadline == local(2026, 11, 25, 17, 30)  # SPEC's example
    assert case.ack_deadline == local(2026, 11, 23, 10, 30)  # 8 office hours from Fri 10:00


def test_urgent_case_uses_natural_hours(ref_db: Database) -> None:
    with ref_db.session() as session:
        coordinator = actor(session, "coordinator")
        case = new_case(session, coordinator, local(2026, 11, 21, 22, 0), urgency="urgent")
        case = cases.dispatch(
            session,
            coordinator,
            WorkCalendar(),
            case.id,
            "department",
            "dept_huanwei",
            at=local(2026, 11, 21, 22, 0),
        )
    assert case.ack_deadline == local(2026, 11, 22, 0, 0)
    assert case.deadline == local(2026, 11, 22, 22, 0)


def test_roles_are_refused_by_the_service(ref_db: Database) -> None:
    with ref_db.session() as session:
        reception = actor(session, "reception")
        case = new_case(session, reception, local(2026, 11, 20, 9, 0))
        with pytest.raises(PermissionDenied) as refused:
            cases.dispatch(
                session, reception, WorkCalendar(), case.id, "department", "dept_huanwei"
            )
        assert refused.value.code == "forbidden"
        official = actor(session, "official")
        with pytest.raises(PermissionDenied):
            cases.record(session, official, case.id, "voided", {"reason": "重复"})


def test_only_the_assignee_signs_for_a_case(ref_db: Database) -> None:
    with ref_db.session() as session:
        coordinator = actor(session, "coordinator")
        case = new_case(session, coordinator, local(2026, 11, 20, 9, 0))
        cases.dispatch(session, coordinator, WorkCalendar(), case.id, "department", "dept_huanwei")
        with pytest.raises(PermissionDenied):
            cases.record(session, actor(session, "dept_chengguan"), case.id, "acknowledged")
        case = cases.record(session, actor(session, "dept_huanwei"), case.id, "acknowledged")
    assert case.state == "acknowledged"


def test_illegal_transition_is_explained(ref_db: Database) -> None:
    with ref_db.session() as session:
        coordinator = actor(session, "coordinator")
        case = new_case(session, coordinator, local(2026, 11, 20, 9, 0))
        with pytest.raises(IllegalTransition) as illegal:
            cases.record(session, coordinator, case.id, "verified", {"passed": True, "note": ""})
    assert illegal.value.code == "illegal_transition"
    assert "registered" in str(illegal.value) and "Allowed now" in str(illegal.value)


def test_coordinator_of_another_street_cannot_touch_the_case(ref_db: Database) -> None:
    with ref_db.session() as session:
        case = new_case(session, actor(session, "coordinator"), local(2026, 11, 20, 9, 0))
        other = actor(session, "coordinator2")
        with pytest.raises(PermissionDenied):
            cases.record(session, other, case.id, "voided", {"reason": "不属实"})
        with pytest.raises(ValidationError) as outside:
            new_case(
                session,
                actor(session, "coordinator"),
                local(2026, 11, 20, 9, 0),
                grid=OTHER_STREET_GRID,
            )
        assert outside.value.field == "org_unit_id"


def test_escalated_case_is_answered_by_the_county_only(ref_db: Database) -> None:
    with ref_db.session() as session:
        coordinator = actor(session, "coordinator")
        case = new_case(session, coordinator, local(2026, 11, 20, 9, 0))
        cases.record(
            session,
            coordinator,
            case.id,
            "escalated",
            {"to_org_unit_id": "990101", "reason": "跨街道"},
        )
        with pytest.raises(PermissionDenied):
            cases.dispatch(
                session, coordinator, WorkCalendar(), case.id, "department", "dept_zhujian"
            )


def test_reproject_gives_the_stored_row(ref_db: Database) -> None:
    with ref_db.session() as session:
        coordinator = actor(session, "coordinator")
        case = new_case(session, coordinator, local(2026, 11, 20, 9, 0))
        cases.dispatch(
            session, coordinator, WorkCalendar(), case.id, "grid_worker", actor(session, "gw_1").id
        )
        cases.record(session, actor(session, "gw_1"), case.id, "acknowledged")
        cases.record(
            session,
            actor(session, "gw_1"),
            case.id,
            "feedback",
            {"result": "已清运", "attachments": []},
        )
        cases.record(
            session, coordinator, case.id, "verified", {"passed": False, "note": "仍有残留"}
        )
        before = cases.case_columns(cases.projection_from_row(session.get(Case, case.id)))
        after = cases.case_columns(cases.projection_from_row(cases.reproject(session, case.id)))
    assert before == after
    assert after["rework_count"] == 1 and after["state"] == "acknowledged"
