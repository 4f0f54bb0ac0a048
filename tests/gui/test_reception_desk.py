"""The reception desk driven as a clerk drives it: typing, Tab and Enter."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QHBoxLayout, QMessageBox
from sqlalchemy import func, select

from desktop.app_settings import Preferences
from desktop.context import AppContext
from models.db import Database, open_database
from models.tables import Case, Draft, OutboxItem, User, Visit
from services.demo.district import demo_user_id
from tests.builders import type_text
from views.reception.view import ReceptionView

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = "11010519491231002X"
GRID_NAME = "朝阳社区第1网格"


def make_view(
    qtbot: Any, db: Database, tmp_path: Path, username: str = "reception"
) -> ReceptionView:
    with db.sessions() as session:
        user = session.get(User, demo_user_id(username))
        assert user is not None
        session.expunge(user)
    ctx = AppContext(db=db, data_dir=tmp_path, user=user, prefs=Preferences())
    view = ReceptionView(ctx)
    qtbot.addWidget(view)
    view.resize(1300, 860)
    with qtbot.waitActive(view):
        view.show()
        view.activateWindow()
    settle()
    return view


def settle() -> None:
    """Let the screen's look-ups (run in the thread pool) finish and deliver their
    answers on the GUI thread; an answer may start another look-up."""
    pool = QThreadPool.globalInstance()
    for _ in range(4):
        assert pool.waitForDone(30_000)
        QApplication.processEvents()


def focused() -> Any:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def tab(qtbot: Any, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def enter(qtbot: Any) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_Return)


def keyboard_visit(
    qtbot: Any,
    view: ReceptionView,
    *,
    name: str = "张三",
    phone: str = "13812345678",
    id_number: str = "",
    summary: str = "小区门口污水井盖缺失，夜间有人险些踩空。",
    category: str = "污水井盖缺失",
    address: str = "幸福路12号",
    place: str = GRID_NAME,
    outcome: int = 1,
    answer: str = "",
    consultation: bool = False,
) -> None:
    """One visit with the keyboard alone, from the name field to Enter."""
    view.form.name.setFocus()
    assert focused() is view.form.name
    type_text(qtbot, focused(), name)
    tab(qtbot)
    type_text(qtbot, focused(), phone)
    tab(qtbot)
    type_text(qtbot, focused(), id_number)
    tab(qtbot, 3)  # gender, home address → purpose
    assert focused() is view.form.purpose
    if consultation:
        qtbot.keyClick(focused(), Qt.Key.Key_Down)
        qtbot.keyClick(focused(), Qt.Key.Key_Down)
    tab(qtbot, 2)  # urgent → summary
    assert focused() is view.form.summary
    type_text(qtbot, focused(), summary)
    tab(qtbot)
    type_text(qtbot, focused(), category)
    tab(qtbot)
    type_text(qtbot, focused(), address)
    tab(qtbot)
    type_text(qtbot, focused(), place)
    if outcome != 1:
        qtbot.keyClick(focused(), Qt.Key(ord(str(outcome))), Qt.KeyboardModifier.AltModifier)
    if answer:
        view.form.note.setFocus()
        type_text(qtbot, focused(), answer)
    enter(qtbot)


def count(db: Database, table: Any) -> int:
    with db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_tab_order_follows_the_form(qtbot, ref_db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ref_db, tmp_path)
    form = view.form
    form.name.setFocus()
    seen = [focused()]
    for _ in range(12):
        tab(qtbot)
        seen.append(focused())
    expected = [
        form.name, form.phone, form.id_number, form.gender, form.visitor_address, form.purpose,
        form.urgent, form.summary, form.category.edit, form.address, form.place.edit,
        form.outcome_buttons["case"], form.submit_button,
    ]  # fmt: skip
    assert seen == expected
    assert "Alt+P" in form.phone.toolTip() and "F4" in form.category.edit.toolTip()


def test_open_a_case_with_the_keyboard(qtbot, ref_db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ref_db, tmp_path)
    cases_changed: list[list[str]] = []
    view.ctx.events.cases_changed.connect(cases_changed.append)
    keyboard_visit(qtbot, view, id_number=ID_NUMBER)
    result = view.last_result
    assert result is not None and result.outcome == "case" and result.case_number
    assert result.case_number in view.result_label.text()
    assert cases_changed == [[result.case_id]]
    with ref_db.sessions() as session:
        case = session.get(Case, result.case_id)
        assert (
            case is not None
            and case.category_code == "010201"
            and case.grid_id == "990101001001001"
        )
        assert case.address == "幸福路12号"
        assert session.scalar(select(func.count()).select_from(OutboxItem)) == 2
    assert view.form.name.text() == "" and focused() is view.form.name
    settle()  # today's list is refreshed in the background
    assert view.today.list.table.rowCount() == 1


def test_closed_on_the_spot_and_record_only_with_the_keyboard(
    qtbot, ref_db: Database, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ref_db, tmp_path)
    keyboard_visit(qtbot, view, outcome=2, answer="已告知物业当场处理")
    assert view.last_result is not None and view.last_result.outcome == "on_the_spot"
    keyboard_visit(
        qtbot, view, name="李四", phone="13900001111", summary="咨询低保申请条件。", category="",
        place="", consultation=True,
    )  # fmt: skip
    assert view.last_result is not None and view.last_result.outcome == "record_only"
    with ref_db.sessions() as session:
        states = session.scalars(select(Case.state)).all()
        assert states == ["closed"]
        assert session.scalar(select(func.count()).select_from(Visit)) == 2


def test_a_coordinator_dispatches_and_sees_the_deadlines(
    qtbot, ref_db: Database, tmp_path: Path, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ref_db, tmp_path, "coordinator")
    assert view.form.dispatch_now.isVisible() and view.form.dispatch_now.isChecked()
    view.form.category.set_value("010201")
    view.check_place()
    settle()
    assert "办结时限" in view.form.preview.text()
    view.form.clear()
    keyboard_visit(qtbot, view)
    result = view.last_result
    assert result is not None and result.assignee_name
    assert "派遣至" in view.result_label.text() and "办结时限" in view.result_label.text()
    with ref_db.sessions() as session:
        assert session.get(Case, result.case_id).state == "dispatched"  # type: ignore[union-attr]


def test_validation_messages_in_chinese_next_to_their_fields(
    qtbot, ref_db: Database, tmp_path: Path, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ref_db, tmp_path)
    form = view.form
    keyboard_visit(
        qtbot, view, name="王五", phone="1381234567", id_number="110105194912310025",
        summary="", category="井盖",
    )  # fmt: skip
    assert view.last_result is None
    assert form.error_text_of("phone") == "手机号码应为11位，您输入了10位。"
    assert "最后一位应为X" in form.error_text_of("id_number")
    assert "诉求内容" in form.error_text_of("summary")
    assert "井盖" in form.error_text_of("category_code")  # several categories match
    assert form.error_text_of("name") == ""
    assert form.phone.property("invalid") is True
    # Everything typed is kept, and the first field to fix has the focus.
    assert (form.name.text(), form.phone.text()) == ("王五", "1381234567")
    assert form.place.value() == "990101001001001"
    assert focused() is form.phone
    # Impossible birth date and an empty name.
    form.name.clear()
    form.id_number.setText("110105194902300021")
    form.phone.setText("13812345678")
    view.submit()
    assert form.error_text_of("name") == "请输入来访人姓名。"
    assert "19490230" in form.error_text_of("id_number") and "不存在" in form.error_text_of(
        "id_number"
    )
    assert form.error_text_of("phone") == ""
    assert count(ref_db, Visit) == 0


def test_returning_visitor_panel_fills_the_form(qtbot, ref_db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ref_db, tmp_path)
    keyboard_visit(qtbot, view, name="赵六", phone="13700002222", address="")
    first = view.last_result
    assert first is not None
    view.form.phone.setFocus()
    type_text(qtbot, view.form.phone, "137-0000-2222")
    view.look_up_visitor()
    settle()
    panel = view.returning
    assert (
        panel.isVisible()
        and "赵*" in panel.summary.text()
        and "137****2222" in panel.summary.text()
    )
    assert panel.visits.rowCount() == 1 and panel.cases.rowCount() == 1
    opened: list[str] = []
    view.ctx.events.open_case.connect(opened.append)
    panel.cases.selectRow(0)
    panel.open_button.click()
    assert opened == [first.case_id]
    qtbot.keyClick(view.form.phone, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert view.form.name.text() == "赵六"
    assert view.form.id_number.text() == ""  # never filled from the database by phone


def test_duplicate_suggestion_and_attaching(qtbot, ref_db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ref_db, tmp_path)
    keyboard_visit(qtbot, view)
    first = view.last_result
    assert first is not None
    view.form.category.set_value("010201")
    view.form.place.set_value("990101001001001")
    view.check_place()
    settle()
    assert view.duplicates.isVisible() and view.duplicates.table.rowCount() == 1
    assert view.duplicates.table.item(0, 0).text() == first.case_number
    view.duplicates.attach_button.click()
    assert view.form.attach_case_id == first.case_id
    assert first.case_number in view.form.attach_label.text()
    view.form.name.setText("孙七")
    view.form.phone.setText("13600003333")
    view.form.summary.setPlainText("同一个井盖，还没修好。")
    view.submit()
    assert view.last_result is not None and view.last_result.attached
    assert count(ref_db, Case) == 1 and count(ref_db, Visit) == 2


def test_esc_clears_after_asking(qtbot, ref_db: Database, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ref_db, tmp_path)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    view.form.name.setFocus()
    type_text(qtbot, view.form.name, "张三")
    qtbot.keyClick(view.form.name, Qt.Key.Key_Escape)
    assert view.form.name.text() == "张三"
    qtbot.keyClick(view.form.name, Qt.Key.Key_Escape)
    assert view.form.name.text() == "" and answers == []


def test_receipt_pdf_has_the_case_number_and_no_full_id_number(
    qtbot, ref_db: Database, tmp_path: Path, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtPdf import QPdfDocument

    view = make_view(qtbot, ref_db, tmp_path)
    keyboard_visit(qtbot, view, id_number=ID_NUMBER)
    result = view.last_result
    assert result is not None
    qtbot.keyClick(view.form.name, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = view.receipt_dialog
    assert dialog is not None and dialog.isVisible()
    for page in ("A5", "A4"):
        dialog.page.setCurrentText(page)
        target = dialog.save_pdf(str(tmp_path / f"receipt-{page}"))
        assert target is not None and target.suffix == ".pdf"
        document = QPdfDocument()
        document.load(str(target))
        assert document.pageCount() == 1
        text = document.getAllText(0).text()
        document.close()
        compact = "".join(text.split())
        assert result.case_number in compact
        assert result.query_code in compact
        # (PDF text extraction maps some CJK glyphs to radicals; ASCII and most Han survive.)
        assert "回执单" in compact and "张*" in compact and "138****5678" in compact
        assert (
            ID_NUMBER not in compact
            and ID_NUMBER[:10] not in compact
            and "13812345678" not in compact
        )
    dialog.close()
    # Re-print from the day's list.
    settle()  # today's list is refreshed in the background
    view.today.list.table.selectRow(0)
    view.today.list.reprint_button.click()
    assert (
        view.receipt_dialog is not None and view.receipt_dialog.receipt.visit_id == result.visit_id
    )
    view.receipt_dialog.close()


def test_history_search_and_audited_reveal(qtbot, ref_db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ref_db, tmp_path)
    keyboard_visit(qtbot, view, id_number=ID_NUMBER)
    keyboard_visit(qtbot, view, name="李四", phone="13900001111", outcome=3, category="", place="")
    view.tabs.setCurrentWidget(view.history)
    view.history.name.setFocus()
    type_text(qtbot, view.history.name, "李")
    qtbot.keyClick(view.history.name, Qt.Key.Key_Return)
    settle()
    assert view.history.list.table.rowCount() == 1
    assert view.history.list.table.item(0, 1).text() == "李*"
    view.history.name.clear()
    view.history.case_number.setText(view.last_result.case_number or "")  # type: ignore[union-attr]
    view.search_history()
    settle()
    assert view.history.list.table.rowCount() == 2  # record-only visits have no case: all shown
    settle()  # today's list is refreshed in the background
    text = view.reveal_text(view.today.list.rows[-1].visit_id)
    assert ID_NUMBER in text
    from models.tables import AuditEntry

    assert count(ref_db, AuditEntry) == 4


def test_thirty_visits_in_a_row_with_the_keyboard(qtbot, ref_db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ref_db, tmp_path)
    expected = {"case": 0, "on_the_spot": 0, "record_only": 0}
    for index in range(30):
        outcome = index % 3 + 1
        keyboard_visit(
            qtbot,
            view,
            name=f"居民{index}",
            phone=f"1380000{index:04d}",
            summary=f"第{index}位来访人反映井盖缺失。",
            outcome=outcome,
            answer="已当场答复" if outcome == 2 else "",
        )
        result = view.last_result
        assert (
            result is not None
            and result.outcome == ("case", "on_the_spot", "record_only")[outcome - 1]
        )
        expected[result.outcome] += 1
        assert focused() is view.form.name
    with ref_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Visit)) == 30
        states = session.scalars(select(Case.state)).all()
        assert sorted(states) == ["closed"] * 10 + ["registered"] * 10
        names = set(session.scalars(select(Visit.visitor_name)))
        assert names == {f"居民{i}" for i in range(30)}
        assert session.scalar(select(func.count()).select_from(OutboxItem)) == 30 + 10 + 20
    settle()  # today's list is refreshed in the background
    assert view.today.list.table.rowCount() == 30


KILLED_CLERK = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    sys.path.insert(0, {root!r})
    from PySide6.QtCore import Qt, QThreadPool
    from PySide6.QtWidgets import QApplication
    from PySide6.QtTest import QTest
    app = QApplication([])
    from desktop.app_settings import Preferences
    from desktop.context import AppContext
    from models.db import open_database
    from models.tables import User
    from services.demo.district import demo_user_id
    from tests.builders import type_text
    from views.reception.view import ReceptionView

    class Bot:
        def keyClicks(self, widget, text):
            QTest.keyClicks(widget, text)

    db = open_database(Path({data_dir!r}))
    with db.sessions() as session:
        user = session.get(User, demo_user_id("reception"))
        session.expunge(user)
    view = ReceptionView(AppContext(db=db, data_dir=Path({data_dir!r}), user=user, prefs=Preferences()))
    view.show()
    view.form.name.setFocus()
    type_text(Bot(), view.form.name, "张三")
    QTest.keyClick(view.form.name, Qt.Key.Key_Tab)
    type_text(Bot(), view.form.phone, "13812345678")
    view.form.summary.setFocus()
    type_text(Bot(), view.form.summary, "楼道堆放杂物")
    QTest.qWait(900)  # the draft is saved after a short pause in typing
    os._exit(9)  # killed: no clean-up, no commit of anything pending
    """
)


def test_draft_is_offered_back_after_the_application_is_killed(
    qtbot, ref_db: Database, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    data_dir = Path(str(ref_db.path)).parent
    script = KILLED_CLERK.format(root=str(ROOT), data_dir=str(data_dir))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, timeout=120, capture_output=True, text=True
    )
    assert done.returncode == 9, done.stderr
    assert count(ref_db, Draft) == 1
    view = make_view(qtbot, ref_db, tmp_path)
    assert view.draft_banner.isVisible() and "张三" in view.draft_label.text()
    assert not view.form.isEnabled()
    qtbot.keyClick(view.restore_button, Qt.Key.Key_Return)
    assert view.draft_banner.isHidden() and view.form.isEnabled()
    assert view.form.name.text() == "张三"
    assert view.form.phone.text() == "13812345678"
    assert view.form.summary.toPlainText() == "楼道堆放杂物"
    # Submitting removes the draft in the same transaction as the visit.
    view.form.summary.setPlainText("楼道堆放杂物，影响消防通道。")
    view.form.outcome_buttons["record_only"].setChecked(True)
    view.submit()
    assert view.last_result is not None
    assert count(ref_db, Draft) == 0


def test_discarding_the_offered_draft(qtbot, ref_db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from services.reception import drafts

    with ref_db.session() as session:
        drafts.save_draft(session, "reception", demo_user_id("reception"), {"name": "旧草稿"})
    view = make_view(qtbot, ref_db, tmp_path)
    assert view.draft_banner.isVisible()
    view.discard_button.click()
    assert view.form.name.text() == "" and count(ref_db, Draft) == 0


def test_set_location_for_the_map(qtbot, ref_db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, ref_db, tmp_path)
    assert isinstance(view.form.location_actions, QHBoxLayout)  # the map adds its button here
    view.form.set_location(30.25, 120.16, "990101001001002")
    assert view.form.place.value() == "990101001001002"
    assert (view.form.lat, view.form.lon) == (30.25, 120.16)
    assert "30.250000" in view.form.coordinates.text()


def test_the_screen_is_first_for_reception_and_hidden_from_officials(
    qtbot, ref_db: Database, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from desktop.main_window import MainWindow

    for username, present in (("reception", True), ("official", False)):
        with ref_db.sessions() as session:
            user = session.get(User, demo_user_id(username))
            session.expunge(user)
        window = MainWindow(
            AppContext(db=ref_db, data_dir=tmp_path, user=user, prefs=Preferences())
        )  # type: ignore[arg-type]
        qtbot.addWidget(window)
        assert ("reception" in window.screen_keys()) is present
        if present:
            assert window.screen_keys()[0] == "reception"


def test_reopening_the_database_keeps_the_duplicate_index(tmp_path: Path) -> None:
    db = open_database(tmp_path / "data")
    try:
        with db.engine.connect() as conn:
            names = {row[1] for row in conn.exec_driver_sql("PRAGMA index_list('cases')")}
        assert "ix_cases_duplicate_grid" in names and "ix_cases_duplicate_point" in names
    finally:
        db.dispose()


def test_export_masks_the_visitor_and_has_no_id_number(
    qtbot, ref_db: Database, tmp_path: Path, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    view = make_view(qtbot, ref_db, tmp_path)
    keyboard_visit(qtbot, view, id_number=ID_NUMBER)
    assert view.export_history(str(tmp_path / "visits")) == 1
    sheet = load_workbook(tmp_path / "visits.xlsx").active
    values = [[str(c.value or "") for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["时间", "来访人", "电话"]
    assert values[1][1:4] == ["张*", "138****5678", "投诉"]
    flat = " ".join(" ".join(row) for row in values)
    assert ID_NUMBER not in flat and "13812345678" not in flat and "张三" not in flat


def test_field_errors_show_under_the_field_and_clear_on_edit(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The one helper behind every form's error lines (views/forms.py)."""
    from PySide6.QtWidgets import QLineEdit, QWidget

    from services.errors import PermissionDenied, ValidationError
    from views.forms import FieldErrors

    shown: list[str] = []
    errors = FieldErrors(fallback=shown.append, aliases={"visitor_name": "name"})
    form = QWidget()
    qtbot.addWidget(form)
    name, phone = QLineEdit(), QLineEdit()
    layout = QHBoxLayout(form)
    layout.addWidget(errors.column("name", name))
    layout.addWidget(errors.column("phone", phone))
    form.show()
    # A message quoting what was typed is plain text, never markup.
    assert errors.show(ValidationError("<b>{typed}</b> is wrong", field="visitor_name", typed="x"))
    assert errors.text("name") == "<b>x</b> is wrong" and errors["name"].isVisibleTo(form)
    assert errors["name"].textFormat() == Qt.TextFormat.PlainText
    assert name.property("invalid") is True and errors.text("phone") == ""
    assert not errors.show(PermissionDenied("not yours"))  # no field: to the fallback
    assert shown == ["not yours"]
    qtbot.keyClicks(phone, "1")  # editing another input leaves this error alone
    assert errors.text("name")
    qtbot.keyClicks(name, "y")  # editing the input clears its error
    assert errors.text("name") == "" and not errors["name"].isVisibleTo(form)
    assert name.property("invalid") is False
    errors.set("phone", "Enter a phone number.")
    phone.setText("filled by the program")  # only the person's edits clear an error
    assert errors.text("phone") == "Enter a phone number."


def test_the_county_reveal_dialog_asks_for_a_reason_under_its_field(
    qtbot, ref_db: Database, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Without a reason nothing is asked of the county; the message sits under the
    reason (the dialog's one line) and goes when the person types one."""
    from services.errors import ValidationError
    from views.queue.reveal import RevealDialog

    view = make_view(qtbot, ref_db, tmp_path)
    dialog = RevealDialog(view.ctx, "00000000-0000-4000-8000-000000000000", parent=view)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.ask()
    assert dialog.ask_button.isEnabled()  # nothing was sent
    assert dialog.errors.text("reason") and dialog.reason.property("invalid") is True
    type_text(qtbot, dialog.reason, "回访")
    assert dialog.errors.text("reason") == "" and dialog.message.isHidden()
    dialog.failed(ValidationError("Give a shorter reason.", field="reason"))
    assert dialog.errors.text("reason") == "Give a shorter reason."
    assert dialog.reason.text() == "回访"  # what was typed stays
