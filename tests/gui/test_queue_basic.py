"""The queue screen on the demo district: the cases the user may see, in the
order the database gives after a sort, fetched by page."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from desktop.app_settings import Preferences
from desktop.context import AppContext
from desktop.main_window import MainWindow
from models.db import Database
from models.tables import Case
from services.accounts.auth import login
from services.cases.permissions import Actor
from services.cases.queue_clauses import scope_clause
from views.queue.model import COL_CREATED, COL_NUMBER, COL_STATE

pytestmark = pytest.mark.gui


def open_queue(qtbot, db: Database, data_dir: Path, username: str):  # type: ignore[no-untyped-def]
    user = login(db, username, "griddesk-demo")
    window = MainWindow(AppContext(db=db, data_dir=data_dir, user=user, prefs=Preferences()))
    qtbot.addWidget(window)
    view = window.show_screen("queue")
    view.wait_until_ready()  # the total is counted in the background
    return window, view, Actor.from_user(user)


def numbers_in_view(view, rows: int) -> list[str]:  # type: ignore[no-untyped-def]
    model = view.table.model()
    return [model.index(r, COL_NUMBER).data() for r in range(rows)]


def test_queue_shows_the_demo_cases_in_the_right_order_after_a_sort(
    qtbot, demo_db: Database, demo_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    window, view, actor = open_queue(qtbot, demo_db, demo_dir, "coordinator")
    with demo_db.sessions() as session:
        visible = session.scalar(select(func.count()).select_from(Case).where(scope_clause(actor)))
        ascending = list(
            session.scalars(
                select(Case.number)
                .where(scope_clause(actor))
                .order_by(Case.number, Case.id)
                .limit(30)
            )
        )
        descending = list(
            session.scalars(
                select(Case.number)
                .where(scope_clause(actor))
                .order_by(Case.number.desc(), Case.id.desc())
                .limit(30)
            )
        )
    assert visible > 0
    assert view.table.model().rowCount() == visible
    header = view.table.horizontalHeader()
    header.sectionClicked.emit(COL_NUMBER)  # a click on the header sorts as a person would
    view.table.sortByColumn(COL_NUMBER, Qt.SortOrder.AscendingOrder)
    assert numbers_in_view(view, 30) == ascending
    view.table.sortByColumn(COL_NUMBER, Qt.SortOrder.DescendingOrder)
    assert numbers_in_view(view, 30) == descending


def test_rows_far_down_are_fetched_by_page(qtbot, demo_db: Database, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window, view, actor = open_queue(qtbot, demo_db, demo_dir, "official")
    model = view.table.model()
    model.PAGE_SIZE = 50
    view.table.sortByColumn(COL_CREATED, Qt.SortOrder.AscendingOrder)
    view.wait_until_ready()
    with demo_db.sessions() as session:
        expected = list(
            session.scalars(
                select(Case.number)
                .where(scope_clause(actor))
                .order_by(Case.created_at, Case.id)
                .offset(120)
                .limit(5)
            )
        )
    assert [model.index(r, COL_NUMBER).data() for r in range(120, 125)] == expected
    assert sorted(model._pages) == [0, 2]  # the first page, and the one holding rows 120–124


def test_department_user_sees_only_their_cases(
    qtbot, demo_db: Database, demo_dir: Path, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    window, view, actor = open_queue(qtbot, demo_db, demo_dir, "dept_huanwei")
    model = view.table.model()
    # A department starts on 待签收, its count on the tab.
    assert view.bucket_keys[view.buckets.currentIndex()] == "to_sign"
    assert view.buckets.tabText(view.buckets.currentIndex()).startswith("待签收")
    to_sign = {model.index(r, COL_STATE).data().split(" · ")[0] for r in range(model.rowCount())}
    assert to_sign <= {"已派遣"}
    view.buckets.setCurrentIndex(view.bucket_keys.index(None))  # all my cases
    with demo_db.sessions() as session:
        mine = session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.assignee_type == "department", Case.assignee_id == "dept_huanwei")
        )
    assert model.rowCount() == mine > 0
    states = {model.index(r, COL_STATE).data().split(" · ")[0] for r in range(min(mine, 60))}
    assert states <= {
        "已派遣",
        "处置中",
        "待核查",
        "已结案",
        "已退回",
        "挂账",
        "已作废",
        "已上报",
        "已受理",
    }
