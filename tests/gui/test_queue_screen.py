"""Every queue action driven through the screen: the detail panel's buttons open
their dialogs, the dialogs are filled as a person would, and the services
record the events. A coordinator takes a case from registered to evaluated; a
department signs for, returns and reports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.app_settings import Preferences
from desktop.context import AppContext
from models.db import Database
from models.tables import Case, CaseEvent, User
from models.types import utcnow
from services.cases import queue
from services.cases import records as cases_service
from services.demo.district import demo_user_id
from tests.builders import GRID, actor, load_demo_reference, type_text
from views.queue.actions.base import ActionDialog
from views.queue.actions.dispatch import DispatchDialog
from views.queue.actions.simple import from_qdatetime, to_qdatetime
from views.queue.view import QueueView

pytestmark = pytest.mark.gui

Filler = Callable[[Any], None]


@pytest.fixture
def district(db: Database) -> Database:
    load_demo_reference(db)
    return db


def context(db: Database, data_dir: Path, username: str) -> AppContext:
    with db.sessions() as session:
        user = session.get(User, demo_user_id(username))
    assert user is not None
    return AppContext(db=db, data_dir=data_dir, user=user, prefs=Preferences())


def screen(qtbot: Any, db: Database, data_dir: Path, username: str) -> QueueView:
    view = QueueView(context(db, data_dir, username))
    qtbot.addWidget(view)
    view.resize(1400, 860)
    view.alerts.stop()
    view.wait_until_ready()
    return view


def new_case(db: Database, title: str, category: str = "1503") -> str:
    with db.session() as session:
        me = actor(session, "coordinator")
        return cases_service.create_case(
            session,
            me,
            title=title,
            description="群众反映" + title,
            category_code=category,
            org_unit_id=GRID,
            address="长河街道朝阳社区3号楼",
        ).id


@pytest.fixture
def answer(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Filler]]:
    """Queue of fillers: each dialog the screen opens is filled by the next one and
    submitted; the dialog's result is what exec() returns."""
    fillers: list[Filler] = []
    seen: list[ActionDialog] = []

    def fake_exec(dialog: ActionDialog) -> int:
        assert fillers, f"unexpected dialog {type(dialog).__name__}"
        fillers.pop(0)(dialog)
        seen.append(dialog)
        if dialog.result() != ActionDialog.DialogCode.Accepted:
            dialog.submit()
        return int(dialog.result() == ActionDialog.DialogCode.Accepted)

    monkeypatch.setattr(ActionDialog, "exec", fake_exec)
    yield fillers
    assert not fillers, "a dialog the test expected was not opened"


def click(view: QueueView, action: str) -> None:
    view.wait_until_ready()  # the case's detail (and its buttons) comes in the background
    button = view.detail.buttons.get(action)
    assert button is not None, f"{action} not offered; offered: {list(view.detail.buttons)}"
    button.click()


def state(db: Database, case_id: str) -> Case:
    with db.sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def test_coordinator_and_department_take_a_case_from_registered_to_evaluated(
    qtbot: Any, district: Database, tmp_path: Path, answer: list[Filler], zh_translations: Any
) -> None:
    first = new_case(district, "楼道堆放杂物堵塞通道")
    second = new_case(district, "小区垃圾清运不及时", "1504")
    coord = screen(qtbot, district, tmp_path, "coordinator")
    dept = screen(qtbot, district, tmp_path, "dept_wuye")

    # Dispatch: the deadlines are shown before confirming.
    def dispatch(dialog: DispatchDialog) -> None:
        assert dialog.preview.rowCount() == 1
        assert dialog.preview.item(0, 3).text().startswith(str(utcnow().year)[:2])
        dialog.target.setCurrentIndex(dialog.target.findData("dept_wuye"))

    coord.open_case(first)
    assert coord.detail.case_id == first
    answer.append(dispatch)
    click(coord, "dispatch")
    assert state(district, first).state == "dispatched"
    assert state(district, first).assignee_id == "dept_wuye"

    coord.open_case(second)
    answer.append(dispatch)
    click(coord, "dispatch")

    # The department sees both, to sign for; it signs for the first ...
    dept.on_cases_changed([])
    assert dept.model.rowCount() == 2
    dept.open_case(first)
    answer.append(lambda d: None)
    click(dept, "acknowledge")
    assert state(district, first).state == "acknowledged"

    # ... returns the second: the reason is required, and what was typed stays.
    def return_without_then_with_reason(dialog: Any) -> None:
        dialog.submit()
        assert dialog.result() != dialog.DialogCode.Accepted
        assert "退回原因" in dialog.errors["reason"].text()
        type_text(qtbot, dialog.reason, "应由环卫所处理")
        dialog.submit()

    dept.open_case(second)
    answer.append(return_without_then_with_reason)
    click(dept, "return")
    assert state(district, second).state == "returned"

    # ... and reports the result of the first, with a photo.
    photo = tmp_path / "清理后.jpg"
    photo.write_bytes(b"\xff\xd8\xffphoto")

    def report(dialog: Any) -> None:
        type_text(qtbot, dialog.result_text, "杂物已清理，通道畅通")
        dialog.add_files([photo])

    dept.open_case(first)
    answer.append(report)
    click(dept, "feedback")
    assert state(district, first).state == "handled"
    assert list((tmp_path / "attachments").rglob("*.jpg"))

    # The coordinator's failed check needs a note; it sends the case back for rework.
    def fail_check(dialog: Any) -> None:
        assert "杂物已清理" in dialog.result_label.text()
        dialog.outcome.set_value(False)
        dialog.submit()
        assert dialog.errors["note"].isVisible() or dialog.errors["note"].text()
        type_text(qtbot, dialog.note, "楼道东侧仍有纸箱")
        dialog.submit()

    coord.on_cases_changed([first])
    coord.open_case(first)
    answer.append(fail_check)
    click(coord, "verify")
    case = state(district, first)
    assert (case.state, case.rework_count) == ("acknowledged", 1)

    dept.on_cases_changed([first])
    dept.buckets.setCurrentIndex(dept.bucket_keys.index("rework"))
    assert dept.model.rowCount() == 1 and dept.model.case_id(0) == first
    dept.wait_until_ready()
    assert "(1)" in dept.buckets.tabText(dept.bucket_keys.index("rework"))
    dept.open_case(first)
    answer.append(lambda d: type_text(qtbot, d.result_text, "纸箱已全部清走"))
    click(dept, "feedback")

    coord.on_cases_changed([first])
    coord.open_case(first)
    answer.append(lambda d: d.outcome.set_value(True))
    click(coord, "verify")
    assert state(district, first).state == "closed"

    def evaluate(dialog: Any) -> None:
        dialog.satisfaction.set_value("satisfied")
        dialog.method.setCurrentIndex(dialog.method.findData("phone"))

    coord.on_cases_changed([first])
    coord.wait_until_ready()
    assert "evaluate" in coord.detail.buttons
    answer.append(evaluate)
    click(coord, "evaluate")
    assert state(district, first).satisfaction == "satisfied"

    # The timeline shows who did what, and the state after each step.
    coord.detail.refresh()
    coord.wait_until_ready()
    timeline = coord.detail.timeline
    rows = [timeline.topLevelItem(i) for i in range(timeline.topLevelItemCount())]
    assert [r.text(2) for r in rows][:3] == ["已受理", "已派遣", "处置中"]
    assert rows[-1].text(3).startswith("回访")
    assert coord.detail.attachments.count() == 1


def test_the_other_coordinator_actions_through_the_screen(
    qtbot: Any, district: Database, tmp_path: Path, answer: list[Filler], zh_translations: Any
) -> None:
    running = new_case(district, "路灯不亮影响夜间出行", "0111")
    duplicate = new_case(district, "路灯不亮夜间出行不便", "0111")
    on_the_spot = new_case(district, "咨询居住证办理", "1401")
    escalate_me = new_case(district, "河道污染需区级协调", "0601")
    coord = screen(qtbot, district, tmp_path, "coordinator")
    with district.sessions() as session:
        calendar = __import__(
            "services.worktime.workdays", fromlist=["load_calendar"]
        ).load_calendar(session)
    with district.session() as session:
        me = actor(session, "coordinator")
        cases_service.dispatch(session, me, calendar, running, "department", "dept_gongdian")

    coord.on_cases_changed([running])
    coord.open_case(running)
    answer.append(lambda d: type_text(qtbot, d.note, "请今天内修复"))
    click(coord, "supervise")
    assert state(district, running).supervise_count == 1

    old_deadline = state(district, running).deadline
    assert old_deadline is not None

    def extend(dialog: Any) -> None:
        dialog.new_deadline.setDateTime(to_qdatetime(old_deadline + timedelta(days=3)))
        type_text(qtbot, dialog.reason, "需要更换灯杆")

    answer.append(extend)
    click(coord, "extend")
    case = state(district, running)
    assert case.extension_count == 1
    assert case.deadline == from_qdatetime(to_qdatetime(old_deadline + timedelta(days=3)))

    answer.append(lambda d: type_text(qtbot, d.reason, "等待维修资金"))
    click(coord, "suspend")
    assert state(district, running).state == "suspended"
    answer.append(lambda d: None)
    click(coord, "resume")
    assert state(district, running).state == "dispatched"

    # Void as the duplicate of the first, picked from the search list.
    def void(dialog: Any) -> None:
        type_text(qtbot, dialog.reason, "重复反映")
        dialog.is_duplicate.setChecked(True)
        dialog.submit()
        assert "请从列表中选择原案件" in dialog.errors["duplicate_of"].text()
        dialog.search.setText("影响夜间")
        dialog.search_cases()
        assert dialog.matches.count() == 1
        dialog.matches.setCurrentRow(0)

    coord.open_case(duplicate)
    answer.append(void)
    click(coord, "void")
    case = state(district, duplicate)
    assert (case.state, case.duplicate_of) == ("voided", running)
    answer.append(lambda d: type_text(qtbot, d.text, "已与原案件合并"))
    click(coord, "comment")

    def close(dialog: Any) -> None:
        dialog.resolution.setCurrentIndex(dialog.resolution.findData("on_the_spot"))

    coord.open_case(on_the_spot)
    answer.append(close)
    click(coord, "close")
    assert state(district, on_the_spot).state == "closed"

    coord.open_case(escalate_me)
    answer.append(lambda d: type_text(qtbot, d.reason, "跨街道河段"))
    click(coord, "escalate")
    case = state(district, escalate_me)
    assert (case.state, case.escalated_to) == ("escalated", "990101")


def test_batch_dispatch_of_selected_cases(
    qtbot: Any, district: Database, tmp_path: Path, answer: list[Filler]
) -> None:
    ids = [new_case(district, f"共享单车乱停放{i}", "1005") for i in range(3)]
    coord = screen(qtbot, district, tmp_path, "coordinator")
    coord.filters.search.setText("共享单车")
    coord.filters._emit()
    assert coord.model.rowCount() == 3
    coord.table.selectAll()
    assert coord.batch_button.isEnabled()

    def dispatch(dialog: DispatchDialog) -> None:
        assert dialog.preview.rowCount() == 3
        dialog.kind_buttons["grid_worker"].setChecked(True)
        assert dialog.target.count() > 0

    answer.append(dispatch)
    coord.batch_button.click()
    with district.sessions() as session:
        rows = session.scalars(select(Case).where(Case.id.in_(ids))).all()
        assert {r.state for r in rows} == {"dispatched"}
        assert {r.assignee_type for r in rows} == {"grid_worker"}
        assert len({r.assignee_id for r in rows}) == 1


def test_refresh_keeps_selection_and_scroll_and_open_case_clears_filters(
    qtbot: Any, demo_db: Database, demo_dir: Path
) -> None:
    view = screen(qtbot, demo_db, demo_dir, "coordinator")
    view.show()
    qtbot.waitExposed(view)
    model = view.model
    model.PAGE_SIZE = 40  # several pages even on the small district
    model.refresh()
    view.wait_until_ready()
    assert model.rowCount() > 160
    view._select_row(150)
    selected = view.current_case_id()
    scroll = view.table.verticalScrollBar().value()
    assert scroll > 0
    view.ctx.events.cases_changed.emit([])  # a sync or another screen changed something
    assert view.current_case_id() == selected
    view.wait_until_ready()
    assert view.model.case_id(view.table.currentIndex().row()) == selected
    assert view.table.verticalScrollBar().value() == scroll

    # A filter that hides the case: opening it (from the map) clears the filters.
    with demo_db.sessions() as session:
        closed = session.scalar(
            select(Case.id)
            .where(Case.state == "closed", Case.org_unit_id.startswith("990101001"))
            .limit(1)
        )
    view.filters.states.item(1).setCheckState(Qt.CheckState.Checked)  # dispatched only
    assert model.row_of(closed) is None
    received: list[str] = []
    view.ctx.events.case_selected.connect(received.append)
    view.open_case(closed)
    assert view.model.filter.is_empty()
    assert view.current_case_id() == closed and received[-1] == closed


def test_filter_panel_counts_search_and_saved_filters(
    qtbot: Any,
    demo_db: Database,
    demo_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    zh_translations: Any,
) -> None:
    view = screen(qtbot, demo_db, demo_dir, "coordinator")
    view.wait_until_ready()
    counts = [view.filters.states.item(i).text() for i in range(view.filters.states.count())]
    assert any(text.startswith("已结案（") for text in counts)
    view.filters.deadline.setCurrentIndex(view.filters.deadline.findData("overdue"))
    view.wait_until_ready()
    now = view.model.now()
    with demo_db.sessions() as session:
        me = view.ctx.actor
        expected = queue.count(session, me, queue.QueueFilter(overdue_only=True), now)
    assert view.model.rowCount() == expected > 0
    assert view.model.deadline_status(view.model.row_data(0)) == "overdue"
    assert view.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert view.filters.save_as("超期案件")
    view.filters.clear()
    view.wait_until_ready()
    assert view.model.rowCount() > expected
    view.filters.saved.setCurrentIndex(view.filters.saved.findData("超期案件"))
    view.filters._apply_saved(view.filters.saved.currentIndex())
    view.wait_until_ready()
    assert view.model.rowCount() == expected
    warnings: list[str] = []
    monkeypatch.setattr("views.queue.filters.show_message", lambda *a: warnings.append(a[2]))
    view.filters.clear()
    assert not view.filters.save_as("空筛选")
    assert "至少选择一个筛选条件" in warnings[0]


def test_department_view_and_alerts_badge(
    qtbot: Any, demo_db: Database, demo_dir: Path, zh_translations: Any
) -> None:
    from desktop.main_window import MainWindow
    from services.worktime.workdays import WorkCalendar

    # The demo data is made relative to the clock: make sure the department has an
    # overdue case whatever the time of the run.
    with demo_db.session() as session:
        coordinator = actor(session, "coordinator")
        long_ago = utcnow() - timedelta(days=20)
        case = cases_service.create_case(
            session,
            coordinator,
            title="朝阳社区1号楼暴露垃圾",
            description="",
            category_code="0601",
            org_unit_id=GRID,
            at=long_ago,
        )
        cases_service.dispatch(
            session,
            coordinator,
            WorkCalendar(),
            case.id,
            "department",
            "dept_huanwei",
            at=long_ago + timedelta(hours=1),
        )
    with demo_db.sessions() as session:
        user = session.get(User, demo_user_id("dept_huanwei"))
    ctx = AppContext(db=demo_db, data_dir=demo_dir, user=user, prefs=Preferences())
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    view = window.show_screen("queue")
    assert isinstance(view, QueueView)
    view.alerts.stop()
    assert view.title.text() == "我的案件"
    assert [view.buckets.tabText(i).split("（")[0].split(" (")[0] for i in range(5)] == [
        "全部案件",
        "待签收",
        "办理中",
        "返工",
        "已反馈待核查",
    ]
    view.buckets.setCurrentIndex(1)
    for row in range(view.model.rowCount()):
        assert view.model.row_data(row).state == "dispatched"
    batch = view.alerts.check()
    assert batch is not None and batch.total > 0
    assert "（" in window.navigation.item(0).text() or "(" in window.navigation.item(0).text()
    assert view.alert_button.isVisible() or view.alert_button.text()
    assert view.alerts.check().total == 0  # never the same alert twice
    view.show_alerted()
    view.wait_until_ready()
    assert view.model.rowCount() == batch.total or view.model.rowCount() > 0
    assert window.navigation.item(0).text() == window.screens[0].title
    with demo_db.sessions() as session:
        events = session.scalar(select(CaseEvent.id).limit(1))
    assert events
