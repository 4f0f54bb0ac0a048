"""The reception services: the three outcomes and what they write, validation,
returning visitors by keyed hash, duplicates, privacy (reveal, purge) and permissions."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.db import Database
from models.tables import AuditEntry, Case, CaseEvent, Category, OutboxItem, Visit
from services import settings as settings_service
from services.cases.permissions import SYSTEM_ACTOR
from services.errors import PermissionDenied, ValidationError
from services.reception import drafts
from services.reception.duplicates import find_duplicates
from services.reception.history import VisitSearch, search_visits, today_stats
from services.reception.identity import id_check_digit, visitor_key
from services.reception.labels import Outcome
from services.reception.lookups import category_choices
from services.reception.privacy import daily_purge, purge_personal_data, reveal_visitor
from services.reception.receipt import receipt_data
from services.reception.returning import find_returning
from services.reception.validation import VisitInput, VisitInvalid, VisitorInput
from services.reception.visits import check_query_code, query_code, register_visit
from services.text import require_text
from services.worktime.workdays import load_calendar
from tests.builders import GRID, OTHER_STREET_GRID, actor, local

ID_NUMBER = "11010519491231002X"
GRID_2 = "990101001001002"


def visit(**overrides: object) -> VisitInput:
    visitor = VisitorInput(
        name="张三", phone="13812345678", id_number=ID_NUMBER, gender="", address="幸福里3号楼"
    )
    data = VisitInput(
        visitor=visitor,
        purpose="complaint",
        summary="小区门口污水井盖缺失，夜间有人险些踩空。",
        outcome=Outcome.CASE,
        category_code="010201",
        org_unit_id=GRID,
        address="幸福路12号门口",
        lat=30.0,
        lon=120.0,
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def register(db: Database, username: str, data: VisitInput, at: datetime | None = None):  # type: ignore[no-untyped-def]
    with db.session() as session:
        return register_visit(
            session, actor(session, username), load_calendar(session), data, at=at
        )


def test_opening_a_case_writes_visit_case_event_and_outbox_together(ref_db: Database) -> None:
    result = register(ref_db, "reception", visit())
    with ref_db.sessions() as session:
        row = session.get(Visit, result.visit_id)
        case = session.get(Case, result.case_id)
        assert row is not None and case is not None
        assert row.case_id == case.id and case.visit_id == row.id
        assert case.state == "registered" and case.source == "walk_in" and case.grid_id == GRID
        assert case.number == result.case_number
        assert row.visitor_gender == "female"  # from the ID number's 17th digit
        assert row.phone_key == visitor_key(
            "13812345678", settings_service.visitor_hash_key(session)
        )
        outbox = {(o.kind, o.item_id): o.payload for o in session.scalars(select(OutboxItem))}
        wire = outbox[("visit", row.id)]
        assert wire["visitor"]["id_number"] == ID_NUMBER and wire["case_id"] == case.id
        assert set(wire) == {
            "id", "org_unit_id", "at", "received_by", "visitor", "purpose", "summary",
            "case_id", "resolved_on_the_spot",
        }  # fmt: skip
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
        assert [e.type for e in events] == ["created"]
        assert ("case_event", events[0].id) in outbox
    # A receptionist does not dispatch; the receipt promises the category's handling limit.
    assert result.assignee_name is None and result.deadline is not None


def test_closed_on_the_spot_and_record_only(ref_db: Database) -> None:
    spot = register(ref_db, "reception", visit(outcome=Outcome.ON_THE_SPOT, note="已现场答复"))
    only = register(
        ref_db,
        "reception",
        visit(
            outcome=Outcome.RECORD_ONLY,
            purpose="consultation",
            category_code=None,
            org_unit_id=None,
        ),
    )
    with ref_db.sessions() as session:
        case = session.get(Case, spot.case_id)
        assert case is not None and case.state == "closed"
        closed = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type == "closed")
        ).one()
        assert closed.data == {"resolution": "on_the_spot", "note": "已现场答复"}
        assert session.get(Visit, spot.visit_id).resolved_on_the_spot is True  # type: ignore[union-attr]
        plain = session.get(Visit, only.visit_id)
        assert plain is not None and plain.case_id is None and not plain.resolved_on_the_spot
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        assert only.case_id is None and only.query_code == query_code(only.visit_id)


def test_a_coordinator_dispatches_at_once_with_deadlines(ref_db: Database) -> None:
    at = local(2026, 11, 20, 10, 0)  # a Friday
    result = register(ref_db, "coordinator", visit(category_code="0102"), at=at)
    with ref_db.sessions() as session:
        case = session.get(Case, result.case_id)
        category = session.get(Category, "0102")
        assert case is not None and category is not None
        assert case.state == "dispatched"
        assert case.assignee_type == "department"
        assert case.assignee_id == category.default_department_id
    assert result.assignee_name
    # 1 working day for 污水井盖: close of office on Monday 2026-11-23.
    assert result.deadline == local(2026, 11, 23, 17, 30).astimezone(UTC)
    assert result.ack_deadline is not None and result.ack_deadline < result.deadline


def test_nothing_is_written_when_a_later_step_fails(ref_db: Database) -> None:
    with ref_db.session() as session:
        session.get(Category, "0102").default_department_id = None  # type: ignore[union-attr]
        session.get(Category, "01").default_department_id = None  # type: ignore[union-attr]
    with pytest.raises(ValidationError) as info:
        register(ref_db, "coordinator", visit(category_code="0102"))
    assert info.value.field == "category_code"
    with ref_db.sessions() as session:
        for table in (Visit, Case, CaseEvent, OutboxItem):
            assert session.scalar(select(func.count()).select_from(table)) == 0


def test_every_faulty_field_gets_its_own_message(ref_db: Database) -> None:
    bad = visit(summary="  ", category_code=None, org_unit_id=None)
    bad.visitor = VisitorInput(name="", phone="1381234567", id_number="110105194902300021")
    with pytest.raises(VisitInvalid) as info:
        register(ref_db, "reception", bad)
    fields = {e.field: e for e in info.value.errors}
    assert set(fields) == {"name", "phone", "id_number", "summary", "category_code", "org_unit_id"}
    assert "11 digits" in str(fields["phone"])
    assert "19490230" in str(fields["id_number"])  # impossible birth date
    wrong_check = visit()
    wrong_check.visitor.id_number = ID_NUMBER[:-1] + "5"
    with pytest.raises(VisitInvalid) as info:
        register(ref_db, "reception", wrong_check)
    assert [e.field for e in info.value.errors] == ["id_number"]
    assert info.value.errors[0].params == {"expected": "X", "got": "5"}


def test_roles_without_the_permission_are_refused_by_the_service(ref_db: Database) -> None:
    for username in ("official", "dept_chengguan", "gw_1"):
        with pytest.raises(PermissionDenied):
            register(ref_db, username, visit())
        with ref_db.sessions() as session, pytest.raises(PermissionDenied):
            find_returning(session, actor(session, username), phone="13812345678")
    with ref_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Visit)) == 0


def test_a_place_outside_the_clerks_area_is_refused(ref_db: Database) -> None:
    with pytest.raises(VisitInvalid) as info:
        register(ref_db, "reception", visit(org_unit_id=OTHER_STREET_GRID))
    assert info.value.errors[0].field == "org_unit_id"


def test_returning_visitor_is_found_by_keyed_hash_however_the_number_is_written(
    ref_db: Database,
) -> None:
    first = register(ref_db, "reception", visit())
    register(ref_db, "reception", visit(outcome=Outcome.ON_THE_SPOT))
    with ref_db.sessions() as session:
        clerk = actor(session, "reception")
        found = find_returning(session, clerk, phone="+86 138-1234-5678")
        assert found is not None and found.matched_by == "phone" and found.visit_count == 2
        assert [c.case_id for c in found.open_cases] == [first.case_id]
        assert found.masked_phone == "138****5678" and found.masked_name == "张*"
        # Looked up by phone, the ID number is not put into the form.
        assert found.fill["name"] == "张三" and "id_number" not in found.fill
        by_id = find_returning(session, clerk, id_number=ID_NUMBER.lower())
        assert by_id is not None and by_id.matched_by == "id_number"
        assert by_id.fill["id_number"] == ID_NUMBER
        assert find_returning(session, clerk, phone="13912345678") is None
        assert find_returning(session, clerk, phone="1381234") is None  # incomplete: no look-up
        # Another street's desk does not see this street's visitors.
        assert find_returning(session, actor(session, "reception2"), phone="13812345678") is None


def test_duplicates_same_grid_or_within_100_m_open_and_recent(ref_db: Database) -> None:
    now = datetime.now(UTC)
    lat, lon = 30.0, 120.0
    metre = 1 / 111_195  # degrees of latitude per metre
    near = register(ref_db, "reception", visit(org_unit_id=GRID_2, lat=lat + 60 * metre, lon=lon))
    register(ref_db, "reception", visit(org_unit_id=GRID_2, lat=lat + 150 * metre, lon=lon))
    same_grid = register(ref_db, "reception", visit(lat=None, lon=None))
    register(ref_db, "reception", visit(category_code="010202"))  # other category
    register(ref_db, "reception", visit(outcome=Outcome.ON_THE_SPOT))  # closed
    register(ref_db, "reception", visit(), at=now - timedelta(days=31))  # too old
    with ref_db.sessions() as session:
        clerk = actor(session, "reception")
        found = find_duplicates(
            session, clerk, category_code="010201", org_unit_id=GRID, lat=lat, lon=lon
        )
        ids = [c.case_id for c in found]
        assert set(ids) == {near.case_id, same_grid.case_id}
        nearby = next(c for c in found if c.case_id == near.case_id)
        assert nearby.distance_m is not None and 55 < nearby.distance_m < 65
        assert find_duplicates(session, clerk, category_code="010201") == []


def test_attaching_the_visit_to_an_open_case(ref_db: Database) -> None:
    first = register(ref_db, "reception", visit())
    second = register(ref_db, "reception", visit(attach_to_case_id=first.case_id))
    assert second.attached and second.case_id == first.case_id
    with ref_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        rows = search_visits(session, actor(session, "reception"), VisitSearch())
        assert {r.outcome for r in rows} == {"case", "attached"}
    closed = register(ref_db, "reception", visit(outcome=Outcome.ON_THE_SPOT))
    with pytest.raises(ValidationError) as info:
        register(ref_db, "reception", visit(attach_to_case_id=closed.case_id))
    assert info.value.field == "attach_to_case_id"


def test_search_today_and_receipt(ref_db: Database) -> None:
    result = register(ref_db, "reception", visit())
    register(ref_db, "reception", visit(outcome=Outcome.RECORD_ONLY, purpose="consultation"))
    with ref_db.sessions() as session:
        clerk = actor(session, "reception")
        stats = today_stats(session, clerk)
        assert stats.total == 2
        assert stats.by_purpose["consultation"] == 1 and stats.by_outcome["record_only"] == 1
        assert [r.visit_id for r in search_visits(session, clerk, VisitSearch(name="张"))]
        assert len(search_visits(session, clerk, VisitSearch(phone="5678"))) == 2
        assert len(search_visits(session, clerk, VisitSearch(phone="13812345678"))) == 2
        by_number = search_visits(session, clerk, VisitSearch(case_number=result.case_number or ""))
        assert [r.visit_id for r in by_number] == [result.visit_id]
        assert all(ID_NUMBER not in repr(r) for r in by_number)
        receipt = receipt_data(session, clerk, load_calendar(session), result.visit_id)
        assert receipt.case_number == result.case_number and receipt.visitor_name == "张*"
        assert ID_NUMBER not in repr(receipt) and receipt.deadline is not None
        assert check_query_code(session, result.case_number or "", receipt.query_code.lower())
        with pytest.raises(ValidationError):
            check_query_code(session, result.case_number or "", "0000-0000")


def test_reveal_is_permission_checked_and_audited(ref_db: Database) -> None:
    result = register(ref_db, "reception", visit())
    with ref_db.session() as session:
        assert (
            reveal_visitor(session, actor(session, "reception"), result.visit_id, "id_number")
            == ID_NUMBER
        )
    with ref_db.session() as session, pytest.raises(PermissionDenied):
        reveal_visitor(session, actor(session, "official"), result.visit_id, "phone")
    with ref_db.sessions() as session:
        audit = session.scalars(select(AuditEntry)).all()
        assert [(a.action, a.target_id, a.detail) for a in audit] == [
            ("personal_data_revealed", result.visit_id, {"field": "id_number"})
        ]


def test_purge_blanks_old_visitors_and_keeps_the_case(ref_db: Database, tmp_path: Path) -> None:
    old = register(ref_db, "reception", visit(), at=datetime.now(UTC) - timedelta(days=3 * 366))
    new = register(ref_db, "reception", visit())
    with ref_db.session() as session:
        assert purge_personal_data(session, SYSTEM_ACTOR, dry_run=True).visits == 1
        assert session.get(Visit, old.visit_id).visitor_name == "张三"  # type: ignore[union-attr]
        with pytest.raises(PermissionDenied):
            purge_personal_data(session, actor(session, "reception"))
        assert daily_purge(session, SYSTEM_ACTOR) is not None
        assert daily_purge(session, SYSTEM_ACTOR) is None  # once a day
    with ref_db.sessions() as session:
        row = session.get(Visit, old.visit_id)
        assert row is not None and row.personal_data_purged_at is not None
        assert (row.visitor_name, row.visitor_phone, row.visitor_id_number, row.phone_key) == (
            None, None, None, None,
        )  # fmt: skip
        assert row.summary and session.get(Case, old.case_id) is not None
        payload = session.scalars(
            select(OutboxItem.payload).where(OutboxItem.item_id == old.visit_id)
        ).one()
        assert payload["visitor"]["id_number"] is None and payload["visitor"]["name"] is None
        assert session.get(Visit, new.visit_id).visitor_name == "张三"  # type: ignore[union-attr]
        clerk = actor(session, "reception")
        found = find_returning(session, clerk, phone="13812345678")
        assert found is not None and found.visit_count == 1
    with ref_db.session() as session, pytest.raises(ValidationError):
        reveal_visitor(session, actor(session, "reception"), old.visit_id, "name")


def test_purge_command(ref_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.commands import purge_personal_data as command

    register(ref_db, "reception", visit(), at=datetime.now(UTC) - timedelta(days=4 * 366))
    data_dir = Path(str(ref_db.path)).parent
    assert command.run(argparse.Namespace(data_dir=data_dir, dry_run=True)) == 0
    assert "1 visit(s)" in capsys.readouterr().out
    assert command.run(argparse.Namespace(data_dir=data_dir, dry_run=False)) == 0
    assert "removed from 1 visit(s)" in capsys.readouterr().out
    with ref_db.sessions() as session:
        assert session.scalar(select(func.count()).where(Visit.visitor_name.is_not(None))) == 0


def test_drafts_round_trip(db: Database) -> None:
    with db.session() as session:
        assert not drafts.save_draft(session, "reception", "u1", {"name": "", "urgent": True})
        assert drafts.save_draft(session, "reception", "u1", {"name": "张"})
    with db.session() as session:
        saved = drafts.load_draft(session, "reception", "u1")
        assert saved is not None and saved.payload == {"name": "张"}
        assert drafts.load_draft(session, "reception", "u2") is None
        drafts.clear_draft(session, "reception", "u1")
    with db.sessions() as session:
        assert drafts.load_draft(session, "reception", "u1") is None


def test_category_search_keys_have_names_paths_and_pinyin(ref_db: Database) -> None:
    with ref_db.sessions() as session:
        choices = {c.code: c for c in category_choices(session)}
    manhole = choices["010201"]
    assert manhole.path == "公用设施 / 污水井盖 / 污水井盖缺失"
    assert "井盖" in manhole.search and "wsjgqs" in manhole.search
    assert id_check_digit("11010519491231002") == "X"


def test_require_text_says_which_field_and_what_to_fix() -> None:
    with pytest.raises(ValidationError) as blank:
        require_text("  \n ", "summary", limit=10, empty="Enter a summary.")
    assert blank.value.field == "summary" and blank.value.english() == "Enter a summary."
    with pytest.raises(ValidationError) as long:
        require_text("x" * 11, "summary", limit=10, empty="Enter a summary.", label="summary")
    assert long.value.field == "summary"
    assert long.value.params == {"label": "summary", "length": 11, "maximum": 10}
    assert "11" in long.value.english() and "10" in long.value.english()
    assert require_text("  张  三 ", "name", limit=3, empty="x", collapse=True) == "张 三"
    assert require_text(None, "note", limit=5, empty=None) == ""


def test_require_text_keeps_wire_text_as_sent_and_refuses_non_text() -> None:
    # A stored event's text is measured and kept as sent: the spaces count.
    assert require_text(" ab ", "note", limit=4, empty="e", strip=False) == " ab "
    with pytest.raises(ValidationError):
        require_text(" ab  ", "note", limit=4, empty="e", strip=False)
    with pytest.raises(ValidationError) as wrong:
        require_text(12, "note", limit=4, empty="e", not_text="must be text")
    assert wrong.value.english() == "must be text"


def test_a_blank_or_long_title_or_filter_name_is_refused_the_one_way(ref_db: Database) -> None:
    """The case title and the saved filter's name go through require_text too."""
    from services.cases.queue import QueueFilter, save_filter
    from services.cases.records import TITLE_MAX, create_case

    with ref_db.session() as session:
        clerk = actor(session, "coordinator")
        before = session.scalar(select(func.count()).select_from(Case))
        with pytest.raises(ValidationError) as blank:
            create_case(
                session,
                clerk,
                title="   ",
                description="d",
                category_code="010201",
                org_unit_id=GRID,
            )
        assert blank.value.field == "title"
        with pytest.raises(ValidationError) as long:
            create_case(
                session,
                clerk,
                title="井" * (TITLE_MAX + 1),
                description="d",
                category_code="010201",
                org_unit_id=GRID,
            )
        assert long.value.params["maximum"] == TITLE_MAX
        with pytest.raises(ValidationError) as name:
            save_filter(session, clerk, " ", QueueFilter())
        assert name.value.field == "name"
        assert session.scalar(select(func.count()).select_from(Case)) == before
