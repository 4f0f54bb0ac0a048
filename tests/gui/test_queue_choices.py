"""The queue asks, the services answer: the filters' choices scoped to the user
(loaded in the background), the dispatch dialog's default department, the
verify dialog's feedback look-up, and counts where the latest answer wins."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from models.db import Database
from models.tables import Case, CaseEvent, Category, User
from services.cases import actions as case_actions
from services.cases import queue
from services.cases import records as cases_service
from services.cases.lookups import filter_choices, last_feedback_result
from services.demo.district import demo_user_id
from services.errors import PermissionDenied
from services.worktime.workdays import load_calendar
from tests.builders import GRID, actor, load_demo_reference
from tests.gui.test_queue_screen import context, screen
from views.queue import ops
from views.queue.actions.dispatch import DispatchDialog
from views.queue.filters import FilterPanel

pytestmark = pytest.mark.gui


@pytest.fixture
def district(db: Database) -> Database:
    load_demo_reference(db)
    return db


def new_case(db: Database, category: str = "1503") -> str:
    with db.session() as session:
        return cases_service.create_case(
            session,
            actor(session, "coordinator"),
            title="楼道堆物",
            description="群众反映楼道堆物",
            category_code=category,
            org_unit_id=GRID,
        ).id


def test_filter_choices_are_scoped_to_the_user(district: Database) -> None:
    with district.sessions() as session:
        all_workers = set(session.scalars(select(User.id).where(User.role == "grid_worker")))
        coordinator = filter_choices(session, actor(session, "coordinator"))
        department = filter_choices(session, actor(session, "dept_wuye"))
        worker = filter_choices(session, actor(session, "gw_13"))
        county = filter_choices(session, actor(session, "county_coordinator"))

    street = "990101001"
    assert {w.value for w in county.grid_workers} == all_workers
    assert len(county.departments) > 1
    # A street's coordinator: the workers and areas of the street only, no county level.
    assert coordinator.grid_workers
    assert {w.value for w in coordinator.grid_workers} < all_workers
    with district.sessions() as session:
        for choice in coordinator.grid_workers:
            user = session.get(User, choice.value)
            assert user is not None and (user.org_unit_id or "").startswith(street)
    assert coordinator.areas and all(a.value.startswith(street) for a in coordinator.areas)
    assert all(a.level != "county" for a in county.areas)
    # A department: its own department, no grid worker of anyone.
    assert [d.value for d in department.departments] == ["dept_wuye"]
    assert department.grid_workers == []
    # A grid worker: itself, no department.
    assert [w.value for w in worker.grid_workers] == [demo_user_id("gw_13")]
    assert worker.departments == []
    # Every one sees the whole category tree.
    assert len(department.categories) == len(county.categories) > 10


def test_the_filter_panel_shows_the_scoped_choices_once_loaded(
    qtbot: Any, district: Database, tmp_path: Path
) -> None:
    panel = FilterPanel(context(district, tmp_path, "dept_wuye"))
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: not panel.loading and panel.assignee.count() > 1)
    values = [panel.assignee.itemData(i) for i in range(panel.assignee.count())]
    assert values == [None, "department:dept_wuye"]


def test_a_filter_set_before_the_choices_arrive_is_kept(
    qtbot: Any, district: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    slow_choices = ops.choices

    def held(ctx: Any) -> Any:
        release.wait(10)
        return slow_choices(ctx)

    monkeypatch.setattr(ops, "choices", held)
    panel = FilterPanel(context(district, tmp_path, "coordinator"))
    qtbot.addWidget(panel)
    wanted = queue.QueueFilter(category_codes=("15", "1503"), org_unit_prefix=GRID)
    seen: list[queue.QueueFilter] = []
    panel.changed.connect(seen.append)
    assert panel.loading
    panel.set_filter(wanted)
    assert panel.current_filter().category_codes == ("15", "1503")
    assert panel.current_filter().org_unit_prefix == GRID
    release.set()
    qtbot.waitUntil(lambda: not panel.loading)
    assert panel.category.currentData() == "15"
    assert panel.area.currentData() == GRID
    assert panel.current_filter().org_unit_prefix == GRID
    assert "1503" in panel.current_filter().category_codes
    assert len(seen) == 1  # the choices arriving do not change the filter


def test_dispatch_offers_the_default_department_of_the_category_or_its_parent(
    qtbot: Any, district: Database, tmp_path: Path
) -> None:
    case_id = new_case(district, "1503")
    ctx = context(district, tmp_path, "coordinator")
    dialog = DispatchDialog(ctx, [case_id])
    qtbot.addWidget(dialog)
    assert dialog.target.currentData() == "dept_wuye"

    with district.session() as session:
        sub = session.get(Category, "1503")
        parent = session.get(Category, "15")
        assert sub is not None and parent is not None
        sub.default_department_id = None
        inherited = parent.default_department_id
    assert inherited
    with district.sessions() as session:
        setup = case_actions.dispatch_setup(session, actor(session, "coordinator"), [case_id])
    assert [c.id for c in setup.cases] == [case_id]
    assert setup.default_department_id == inherited
    dialog = DispatchDialog(ctx, [case_id])
    qtbot.addWidget(dialog)
    assert dialog.target.currentData() == inherited


def test_dispatch_setup_leaves_out_cases_the_user_may_not_see(district: Database) -> None:
    case_id = new_case(district)
    with district.sessions() as session:
        other = actor(session, "coordinator2")  # the other street
        setup = case_actions.dispatch_setup(session, other, [case_id])
    assert setup.cases == [] and setup.default_department_id is None


def test_the_last_feedback_result_is_read_by_its_event_type_and_only_in_scope(
    district: Database,
) -> None:
    case_id = new_case(district)
    with district.session() as session:
        coordinator = actor(session, "coordinator")
        case_actions.dispatch_cases(
            session, coordinator, load_calendar(session), [case_id], "department", "dept_wuye"
        )
        wuye = actor(session, "dept_wuye")
        assert last_feedback_result(session, coordinator, case_id) == ""
        case_actions.acknowledge(session, wuye, case_id)
        case_actions.feedback(session, wuye, case_id, "第一次清理")
        case_actions.verify(session, coordinator, case_id, False, "还有纸箱")  # rework
        case_actions.feedback(session, wuye, case_id, "纸箱已全部清走")
    with district.sessions() as session:
        events = session.scalar(select(func.count()).select_from(CaseEvent))
        assert last_feedback_result(session, coordinator, case_id) == "纸箱已全部清走"
        with pytest.raises(PermissionDenied):
            last_feedback_result(session, actor(session, "coordinator2"), case_id)
        assert session.scalar(select(func.count()).select_from(CaseEvent)) == events
        row = session.get(Case, case_id)
        assert row is not None and row.state == "handled"


def test_the_latest_counts_win_over_an_older_slower_answer(
    qtbot: Any, district: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = screen(qtbot, district, tmp_path, "coordinator")
    release = threading.Event()

    def counts(_ctx: Any, flt: queue.QueueFilter, _buckets: bool) -> Any:
        if flt.urgency is None:  # the older question, answered last
            release.wait(10)
            return {"registered": 777}, {}
        return {"registered": 5}, {}

    monkeypatch.setattr(ops, "counts", counts)
    view.refresh_counts()
    view.model.filter = queue.QueueFilter(urgency="urgent")
    view.refresh_counts()
    QThreadPool.globalInstance().waitForDone(2_000)  # the newer one is done
    QApplication.processEvents()
    release.set()
    view.wait_until_ready()
    texts = [view.filters.states.item(i).text() for i in range(view.filters.states.count())]
    assert any(text.endswith("(5)") for text in texts), texts
    assert not any("777" in text for text in texts), texts


def test_the_detail_shows_the_case_asked_last_even_if_an_older_answer_comes_later(
    qtbot: Any, district: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = new_case(district), new_case(district)
    view = screen(qtbot, district, tmp_path, "coordinator")
    release = threading.Event()
    real_detail = ops.detail

    def detail(ctx: Any, case_id: str, folder: Path) -> Any:
        if case_id == first:
            release.wait(10)  # the older question answers last
        return real_detail(ctx, case_id, folder)

    monkeypatch.setattr(ops, "detail", detail)
    view.detail.load_case(first)
    view.detail.load_case(second)
    assert view.detail.buttons == {}  # no buttons of a case that is not shown yet
    qtbot.waitUntil(lambda: view.detail.detail is not None)
    release.set()
    view.wait_until_ready()
    assert view.detail.case_id == second
    assert view.detail.detail is not None and view.detail.detail.case.id == second
