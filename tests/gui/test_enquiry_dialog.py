"""The progress enquiry driven as a clerk drives it: from the reception desk's button,
typing the receipt's number and code, reading the answer, saving the notice as PDF;
a wrong code, a phone with several cases, and the coordinator's F9 in the main window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from sqlalchemy import select

from desktop.app_settings import Preferences
from desktop.context import AppContext
from desktop.main_window import MainWindow
from models.db import Database
from models.tables import AuditEntry, Case, User
from services.cases import records as cases
from services.demo.district import demo_user_id
from services.reception.enquiry import AUDIT_ACTION
from services.reception.visits import query_code
from services.worktime.workdays import WorkCalendar
from tests.builders import actor, local
from tests.gui.test_reception_desk import make_view
from tests.test_reception import ID_NUMBER, register, visit
from views.reception.enquiry import EnquiryDialog

pytestmark = pytest.mark.gui

DEPARTMENT = "dept_chengguan"


def dispatched_case(db: Database) -> tuple[str, str]:
    result = register(db, "reception", visit(), at=local(2026, 11, 20, 9, 12))
    assert result.case_id and result.case_number
    with db.session() as session:
        cases.dispatch(
            session,
            actor(session, "coordinator"),
            WorkCalendar(),
            result.case_id,
            "department",
            DEPARTMENT,
            at=local(2026, 11, 20, 10, 0),
        )
    return result.case_number, query_code(result.case_id)


def open_dialog(qtbot: Any, db: Database, tmp_path: Path) -> EnquiryDialog:
    view = make_view(qtbot, db, tmp_path)
    assert view.enquiry_button.isVisible()
    qtbot.mouseClick(view.enquiry_button, Qt.MouseButton.LeftButton)
    dialog = view.enquiry_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.number.hasFocus())
    return dialog


def test_code_lookup_shows_progress_and_saves_a_one_page_notice(
    qtbot: Any, ref_db: Database, tmp_path: Path, zh_translations: None
) -> None:
    number, code = dispatched_case(ref_db)
    dialog = open_dialog(qtbot, ref_db, tmp_path)
    assert not dialog.pdf_button.isEnabled()  # nothing to print yet
    qtbot.keyClicks(dialog.number, number)
    qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    assert dialog.code.hasFocus()  # Enter moves on to the code
    qtbot.keyClicks(dialog.code, code.lower())
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert dialog.progress is not None and dialog.progress.number == number
    assert not dialog.message.isVisible()
    shown = dialog.view.toPlainText()
    assert "已派遣" in shown and "区城市管理综合行政执法局" in shown
    assert "已派遣至 区城市管理综合行政执法局" in shown  # the timeline in plain words
    assert "2026年11月20日 09:12" in shown and "张*" in shown and "138****5678" in shown
    assert "13812345678" not in shown and ID_NUMBER not in shown
    assert dialog.pdf_button.isEnabled() and dialog.print_button.isEnabled()
    for page in ("A5", "A4"):
        dialog.page.setCurrentText(page)
        target = dialog.save_pdf(str(tmp_path / f"notice-{page}"))
        assert target is not None and target.suffix == ".pdf" and target.exists()
        document = QPdfDocument()
        document.load(str(target))
        assert document.pageCount() == 1
        compact = "".join(document.getAllText(0).text().split())
        document.close()
        assert number in compact and "张*" in compact and "138****5678" in compact
        assert "13812345678" not in compact and ID_NUMBER[:10] not in compact
        assert code not in compact  # the notice never prints the query code
    with ref_db.sessions() as session:
        lines = session.scalars(select(AuditEntry).where(AuditEntry.action == AUDIT_ACTION)).all()
        assert [line.detail["outcome"] for line in lines] == ["found"]


def test_a_wrong_code_says_what_to_fix_and_shows_nothing(
    qtbot: Any, ref_db: Database, tmp_path: Path, zh_translations: None
) -> None:
    number, code = dispatched_case(ref_db)
    dialog = open_dialog(qtbot, ref_db, tmp_path)
    dialog.number.setText(number)
    dialog.code.setText("0000-0000")
    qtbot.mouseClick(dialog.look_up_button, Qt.MouseButton.LeftButton)
    assert dialog.progress is None and dialog.message.isVisible()
    wrong = dialog.message.text()
    assert "没有" in wrong and number not in dialog.view.toPlainText()
    assert not dialog.pdf_button.isEnabled()
    assert dialog.code.hasFocus()  # the field to fix
    dialog.number.setText(number[:-1] + ("8" if number[-1] != "8" else "7"))
    dialog.code.setText(code)
    dialog.look_up()
    assert dialog.progress is None and dialog.message.text() == wrong  # same words
    dialog.number.setText("12345")
    dialog.look_up()
    assert dialog.message.text() != wrong and "990101001-20261120-03007" in dialog.message.text()
    assert dialog.number.hasFocus()


def test_a_phone_with_several_cases_lists_them(
    qtbot: Any, ref_db: Database, tmp_path: Path, zh_translations: None
) -> None:
    dispatched_case(ref_db)
    newer = register(ref_db, "reception", visit(summary="楼道灯不亮。"), at=local(2026, 11, 21, 9))
    dialog = open_dialog(qtbot, ref_db, tmp_path)
    dialog.phone.setFocus()
    qtbot.keyClicks(dialog.phone, "13812345678")
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    assert dialog.choices.isVisible() and dialog.choices.count() == 2
    assert dialog.progress is None
    first = dialog.choices.item(0)
    assert newer.case_number is not None and first.text().startswith(newer.case_number)
    assert "楼道灯不亮" in first.text() and "13812345678" not in first.text()
    dialog.choices.itemActivated.emit(first)
    assert dialog.progress is not None and dialog.progress.case_id == newer.case_id
    assert dialog.choices.isVisible()  # another of the visitor's cases can still be picked
    assert "已受理" in dialog.view.toPlainText()


def test_the_coordinator_opens_it_with_f9_from_the_main_window(
    qtbot: Any, ref_db: Database, tmp_path: Path
) -> None:
    for username, expected in (("coordinator", True), (DEPARTMENT, False)):
        with ref_db.sessions() as session:
            user = session.get(User, demo_user_id(username))
            assert user is not None
            session.expunge(user)
        window = MainWindow(
            AppContext(db=ref_db, data_dir=tmp_path, user=user, prefs=Preferences())
        )
        qtbot.addWidget(window)
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_F9)
        assert (window.enquiry_dialog is not None) is expected, username
        if window.enquiry_dialog is not None:
            assert window.enquiry_dialog.isVisible()
            window.enquiry_dialog.close()
        window.close()


def test_a_long_history_still_prints_on_one_page(
    qtbot: Any, ref_db: Database, tmp_path: Path, zh_translations: None
) -> None:
    number, code = dispatched_case(ref_db)
    with ref_db.session() as session:
        coordinator = actor(session, "coordinator")
        case_id = session.scalars(select(Case.id).where(Case.number == number)).one()
        for hour in range(11, 11 + 22):  # urged 22 times
            cases.record(
                session,
                coordinator,
                case_id,
                "supervised",
                {"note": "请加快"},
                at=local(2026, 11, 20 + hour // 24, hour % 24, 5),
            )
    dialog = open_dialog(qtbot, ref_db, tmp_path)
    dialog.number.setText(number)
    dialog.code.setText(code)
    dialog.look_up()
    assert dialog.progress is not None and len(dialog.progress.steps) == 24
    assert "…" in dialog.view.toPlainText()  # the middle steps left out
    target = dialog.save_pdf(str(tmp_path / "long.pdf"))
    assert target is not None
    document = QPdfDocument()
    document.load(str(target))
    assert document.pageCount() == 1
    compact = "".join(document.getAllText(0).text().split())
    document.close()
    # The last step and the note below the timeline are on the page, not cut off.
    # (PDF text extraction turns 月 and 日 into their radicals; digits survive.)
    assert "21⽇08:05" in compact.replace("日", "⽇") and "查询时间" in compact
