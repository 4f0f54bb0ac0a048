"""Progress enquiries at the desk: by the receipt's case number and query code, or by
the visitor's phone; what the answer shows (masked), what it never tells (whether a
number exists), the audit line of every enquiry, and the roles that may ask."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from models.db import Database
from models.tables import AuditEntry, Case, Department, Visit
from services.cases import records as cases
from services.errors import PermissionDenied
from services.reception.enquiry import (
    AUDIT_ACTION,
    CODE_FORMAT,
    NO_MATCH,
    NUMBER_FORMAT,
    PHONE_NONE,
    Enquiry,
    enquire_by_code,
    enquire_by_phone,
    enquire_phone_case,
    normalise_code,
    normalise_number,
)
from services.reception.visits import query_code
from services.worktime.workdays import WorkCalendar, load_calendar
from tests.builders import actor, local
from tests.test_reception import ID_NUMBER, register, visit

DEPARTMENT = "dept_chengguan"


def ask_code(db: Database, username: str, number: str, code: str) -> Enquiry:
    with db.session() as session:
        clerk = actor(session, username)
        return enquire_by_code(session, clerk, load_calendar(session), number, code)


def ask_phone(db: Database, username: str, phone: str) -> Enquiry:
    with db.session() as session:
        return enquire_by_phone(session, actor(session, username), load_calendar(session), phone)


def audit_lines(db: Database) -> list[AuditEntry]:
    with db.sessions() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AUDIT_ACTION).order_by(AuditEntry.seq)
        ).all()
        session.expunge_all()
        return list(rows)


def handled_case(db: Database, at: datetime) -> tuple[str, str]:
    """A walk-in case dispatched to 城管, signed for and answered: (number, query code)."""
    result = register(db, "reception", visit(), at=at)
    assert result.case_id and result.case_number
    with db.session() as session:
        coordinator = actor(session, "coordinator")
        department = actor(session, DEPARTMENT)
        cases.dispatch(
            session,
            coordinator,
            WorkCalendar(),
            result.case_id,
            "department",
            DEPARTMENT,
            at=at.replace(hour=10),
        )
        cases.record(session, department, result.case_id, "acknowledged", at=at.replace(hour=11))
        cases.record(
            session,
            department,
            result.case_id,
            "feedback",
            {"result": "已补装井盖，联系人13900001111", "attachments": []},
            at=at.replace(hour=15),
        )
        cases.record(session, coordinator, result.case_id, "commented", {"text": "内部备注"})
    return result.case_number, query_code(result.case_id)


def test_the_right_code_shows_state_unit_deadline_and_timeline_masked(ref_db: Database) -> None:
    at = local(2026, 11, 20, 9, 12)  # a Friday
    number, code = handled_case(ref_db, at)
    answer = ask_code(ref_db, "reception", f" {number} ", code.lower())
    progress = answer.progress
    assert answer.problem is None and progress is not None
    assert progress.number == number and progress.state == "handled"
    assert progress.handler is not None and progress.handler.kind == "department"
    assert progress.handler.name == "区城市管理综合行政执法局"
    with ref_db.sessions() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        assert progress.deadline == case.deadline and progress.deadline is not None
    assert not progress.deadline_promised and progress.closed_at is None
    # The timeline in plain words, in order; the comment and every free text left out.
    assert [s.key for s in progress.steps] == ["created", "dispatched", "acknowledged", "feedback"]
    assert progress.steps[0].at == at.astimezone(UTC)
    assert progress.steps[1].unit == progress.handler
    assert progress.steps[2].text.format(unit="X") == "Signed for by X, being handled"
    shown = repr(progress)
    assert "内部备注" not in shown and "已补装井盖" not in shown and "13900001111" not in shown
    # The visitor masked; the clear phone and ID number nowhere.
    assert progress.visitor_name == "张*" and progress.visitor_phone == "138****5678"
    assert "13812345678" not in shown and ID_NUMBER not in shown and "张三" not in shown


def test_a_case_not_yet_dispatched_promises_a_deadline(ref_db: Database) -> None:
    result = register(ref_db, "reception", visit())
    answer = ask_code(
        ref_db, "coordinator", result.case_number or "", query_code(result.case_id or "")
    )
    assert answer.progress is not None
    assert answer.progress.state == "registered" and answer.progress.handler is None
    assert answer.progress.deadline is not None and answer.progress.deadline_promised
    assert [s.key for s in answer.progress.steps] == ["created"]


def test_a_grid_worker_is_named_masked(ref_db: Database) -> None:
    result = register(ref_db, "reception", visit())
    with ref_db.session() as session:
        worker = actor(session, "gw_1")
        cases.dispatch(
            session, actor(session, "coordinator"), WorkCalendar(), result.case_id or "",
            "grid_worker", worker.id,
        )  # fmt: skip
        full_name = worker.display_name
    answer = ask_code(
        ref_db, "reception", result.case_number or "", query_code(result.case_id or "")
    )
    assert answer.progress is not None and answer.progress.handler is not None
    assert answer.progress.handler.kind == "grid_worker"
    assert (
        answer.progress.handler.name != full_name
        and answer.progress.handler.name[0] == full_name[0]
    )
    assert "*" in answer.progress.handler.name


def test_wrong_code_and_unknown_number_get_the_same_answer(ref_db: Database) -> None:
    number, code = handled_case(ref_db, local(2026, 11, 20, 9, 0))
    wrong = ask_code(ref_db, "reception", number, "0000-0000")
    unknown_number = number[:-3] + ("999" if not number.endswith("999") else "998")
    unknown = ask_code(ref_db, "reception", unknown_number, code)
    for answer in (wrong, unknown):
        assert answer.progress is None and not answer.choices and answer.problem is not None
        assert answer.problem.template == NO_MATCH and answer.problem.params == {}
    assert str(wrong.problem) == str(unknown.problem)
    assert number not in str(wrong.problem)


def test_badly_typed_input_says_what_to_fix(ref_db: Database) -> None:
    number, code = handled_case(ref_db, local(2026, 11, 20, 9, 0))
    bad_number = ask_code(ref_db, "reception", "20261120-7", code)
    assert bad_number.problem is not None and bad_number.problem.template == NUMBER_FORMAT
    assert bad_number.problem.field == "case_number"
    assert "20261120-7" in str(bad_number.problem)
    bad_code = ask_code(ref_db, "reception", number, "XYZ")
    assert bad_code.problem is not None and bad_code.problem.template == CODE_FORMAT
    assert bad_code.problem.field == "query_code"
    empty = ask_code(ref_db, "reception", "", "")
    assert empty.problem is not None and empty.problem.field == "case_number"
    # Full-width digits, another dash, no hyphens at all, O for 0: still found.
    assert normalise_number(number.replace("-", "")) == number
    assert normalise_number(number.replace("-", "—")) == number
    wide = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert ask_code(ref_db, "reception", wide, code.replace("0", "O")).progress is not None
    assert normalise_code(" ab12-cd34 ") == "AB12CD34"


def test_every_enquiry_is_audited_found_or_not(ref_db: Database) -> None:
    number, code = handled_case(ref_db, local(2026, 11, 20, 9, 0))
    ask_code(ref_db, "reception", number, code)
    ask_code(ref_db, "reception", number, "0000-0000")
    ask_code(ref_db, "reception", "nonsense", code)
    ask_phone(ref_db, "reception", "13812345678")
    ask_phone(ref_db, "reception", "12")
    lines = audit_lines(ref_db)
    assert [(line.detail["by"], line.detail["outcome"]) for line in lines] == [
        ("code", "found"),
        ("code", "no_match"),
        ("code", "invalid"),
        ("phone", "found"),
        ("phone", "invalid"),
    ]
    with ref_db.sessions() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        reception_id = actor(session, "reception").id
    assert lines[0].target_type == "case" and lines[0].target_id == case.id
    assert lines[1].target_id is None  # a failed enquiry names no case
    assert all(line.user_id == reception_id for line in lines)
    # The code is never stored, the phone only masked.
    for line in lines:
        text = repr(line.detail)
        assert code not in text and code.replace("-", "") not in text
        assert "13812345678" not in text
    assert lines[3].detail["phone"] == "138****5678"


def test_a_phone_with_several_cases_gives_a_list_to_pick_from(ref_db: Database) -> None:
    first = register(ref_db, "reception", visit(), at=local(2026, 11, 18, 9, 0))
    second = register(
        ref_db,
        "reception",
        visit(summary="楼道灯不亮。", category_code="010201"),
        at=local(2026, 11, 19, 9, 0),
    )
    register(ref_db, "reception", visit(visitor=visit().visitor.__class__(
        name="李四", phone="13900001111", id_number="", gender="", address="")))  # fmt: skip
    answer = ask_phone(ref_db, "reception", "138 1234 5678")
    assert answer.problem is None and answer.progress is None
    assert [c.case_id for c in answer.choices] == [second.case_id, first.case_id]  # newest first
    assert all("13812345678" not in repr(c) for c in answer.choices)
    with ref_db.session() as session:
        picked = enquire_phone_case(
            session, actor(session, "reception"), load_calendar(session), "13812345678",
            first.case_id or "",
        )  # fmt: skip
        assert picked.progress is not None and picked.progress.case_id == first.case_id
        # A case of somebody else is not reached through this phone.
        other = session.scalars(select(Visit).where(Visit.visitor_name == "李四")).one()
        refused = enquire_phone_case(
            session, actor(session, "reception"), load_calendar(session), "13812345678",
            other.case_id or "",
        )  # fmt: skip
        assert refused.progress is None and refused.problem is not None
    # The phone of another street's desk finds nothing there.
    nothing = ask_phone(ref_db, "reception2", "13812345678")
    assert nothing.problem is not None and nothing.problem.template == PHONE_NONE


@pytest.mark.parametrize("username", ["dept_chengguan", "gw_1", "official", "admin"])
def test_other_roles_may_not_ask(ref_db: Database, username: str) -> None:
    number, code = handled_case(ref_db, local(2026, 11, 20, 9, 0))
    with pytest.raises(PermissionDenied):
        ask_code(ref_db, username, number, code)
    with pytest.raises(PermissionDenied):
        ask_phone(ref_db, username, "13812345678")
    assert audit_lines(ref_db) == []


HOSTILE_TITLE = '<b>井盖</b><img src="file:///etc/passwd">=1+1'
HOSTILE_UNIT = "<h1 style='color:red'>城管</h1>=HYPERLINK(\"x\")"


def test_hostile_text_is_printed_literally_in_the_notice(ref_db: Database, qapp: Any) -> None:
    from PySide6.QtGui import QTextDocument

    from views.reception.enquiry import progress_html

    number, code = handled_case(ref_db, local(2026, 11, 20, 9, 0))
    with ref_db.session() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        case.title = HOSTILE_TITLE
        session.get(Department, DEPARTMENT).name = HOSTILE_UNIT  # type: ignore[union-attr]
        session.get(Visit, case.visit_id).visitor_name = "<i>王</i>五"  # type: ignore[union-attr]
    progress = ask_code(ref_db, "reception", number, code).progress
    assert progress is not None
    html = progress_html(progress)
    assert "<b>井盖" not in html and "<img" not in html and "<h1 style" not in html
    assert "&lt;b&gt;井盖&lt;/b&gt;" in html and "=1+1" in html
    document = QTextDocument()
    document.setHtml(html)
    printed = document.toPlainText()
    assert HOSTILE_TITLE in printed
    assert printed.count(HOSTILE_UNIT) >= 2  # "handled by" and the dispatch step
    assert "<i>王</i>五" not in printed  # the name stays masked
