"""The reports screen on the demo district: figures as the service computes them,
sortable tables, period choice with a clear message for a bad range, and the
bulletin export in the background with progress and cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from desktop.app_settings import Preferences
from desktop.context import AppContext
from desktop.main_window import MainWindow
from models.db import Database
from models.enums import OrgLevel
from models.tables import OrgUnit
from models.types import utcnow
from services.accounts.auth import login
from services.cases.permissions import Actor
from services.reports.assessment import assess
from services.reports.bulletin import SHEETS
from services.reports.figures import (
    CATEGORY_COLUMNS,
    HANDLER_COLUMNS,
    KEY_FIGURES,
    OVERDUE_COLUMNS,
    UNIT_COLUMNS,
    on_screen,
)
from services.reports.periods import half_month_of, last_complete_half_month
from services.worktime.workdays import SHANGHAI, load_calendar
from views.formatting import label

pytestmark = pytest.mark.gui


def open_reports(qtbot, db: Database, data_dir: Path, username: str = "official"):  # type: ignore[no-untyped-def]
    user = login(db, username, "griddesk-demo")
    window = MainWindow(AppContext(db=db, data_dir=data_dir, user=user, prefs=Preferences()))
    qtbot.addWidget(window)
    view = window.show_screen("reports")
    view.wait_until_ready()
    return window, view, Actor.from_user(user)


def test_figures_and_sortable_tables(qtbot, demo_db: Database, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    _window, view, actor = open_reports(qtbot, demo_db, demo_dir)
    period = last_complete_half_month(utcnow()).previous()  # the demo district ends today
    view.select(period.key)
    view.wait_until_ready()
    with demo_db.sessions() as session:
        expected = assess(session, actor, period, load_calendar(session))
    a = view.assessment
    assert a is not None and a.period == period
    assert (a.totals.created, a.totals.due, a.totals.on_time) == (
        expected.totals.created,
        expected.totals.due,
        expected.totals.on_time,
    )
    assert view.dashboard.figures["created"].value.text() == str(expected.totals.created)
    table = view.departments.table
    model = table.model()
    assert model.rowCount() == len(expected.departments)
    assert model.index(0, 0).data() == "1"
    # sort by 派遣数, descending: the numbers come down
    table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    values = [int(model.index(r, 2).data()) for r in range(model.rowCount())]
    assert values == sorted(values, reverse=True)
    assert view.overdue.table.model().rowCount() == len(expected.overdue)


def test_a_bad_custom_range_is_explained_next_to_the_dates(
    qtbot, demo_db: Database, demo_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    _window, view, _actor = open_reports(qtbot, demo_db, demo_dir)
    view.kind_box.setCurrentIndex(view.kind_box.findData("custom"))
    view.from_edit.setDate(QDate(2026, 11, 20))
    view.to_edit.setDate(QDate(2026, 11, 3))
    assert not view.period_error.isHidden()
    assert "2026-11-03" in view.period_error.text()
    assert view.to_edit.date() == QDate(2026, 11, 3)  # nothing typed is lost
    view.to_edit.setDate(QDate(2026, 11, 25))
    view.wait_until_ready()
    assert view.period_error.isHidden()
    assert view.assessment is not None and view.assessment.period.key == "2026-11-20..2026-11-25"


def test_export_writes_the_workbook_in_the_background(
    qtbot, demo_db: Database, demo_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _window, view, _actor = open_reports(qtbot, demo_db, demo_dir)
    assert view.export_button.isVisible() or not view.isVisible()
    out = tmp_path / "bulletin.xlsx"
    job = view.start_export(view.assessment, out)
    with qtbot.waitSignal(job.signals.done, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: view._export_job is None)
    assert load_workbook(out).sheetnames == list(SHEETS)
    assert str(out) in view.status.text()


def test_cancelled_export_leaves_no_file(
    qtbot, demo_db: Database, demo_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _window, view, _actor = open_reports(qtbot, demo_db, demo_dir)
    out = tmp_path / "cancelled.xlsx"
    job = view.start_export(view.assessment, out)
    button = view.progress_dialog.findChild(QPushButton)
    assert button is not None and button.text()
    # Listen before clicking: the job may answer the cancel at once. The wait is long
    # because the writer notices the cancel between rows, slowly on a loaded machine.
    with qtbot.waitSignal(job.signals.failed, timeout=120_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert job.cancel.is_set()
    qtbot.waitUntil(lambda: view._export_job is None, timeout=30_000)
    assert not out.exists()
    assert list(tmp_path.glob("*.xlsx")) == []


def test_admin_sees_reports_but_cannot_export(qtbot, demo_db: Database, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window, view, _actor = open_reports(qtbot, demo_db, demo_dir, "admin")
    window.show()
    assert "reports" in window.screen_keys()
    assert not view.export_button.isVisible()


def test_the_tables_show_the_workbook_columns(qtbot, demo_db: Database, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    _window, view, _actor = open_reports(qtbot, demo_db, demo_dir)
    tabs = (
        (view.departments, HANDLER_COLUMNS),
        (view.grid_workers, HANDLER_COLUMNS),
        (view.units.streets, UNIT_COLUMNS),
        (view.overdue, on_screen(OVERDUE_COLUMNS)),  # not the workbook's 序号, 标题, 地址
        (view.categories, CATEGORY_COLUMNS),
    )
    for tab, columns in tabs:
        model = tab.model
        shown = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
        assert shown == [label(c.title) for c in columns]
    overdue = view.overdue.table
    assert [overdue.columnWidth(i) for i in range(7)] == [215, 220, 190, 140, 150, 100, 80]
    key_figures = view.dashboard.figures
    assert list(key_figures) == [c.key for c in KEY_FIGURES]
    a = view.assessment
    assert a is not None
    assert key_figures["overdue"].value.text() == str(a.totals.overdue)


def test_a_scope_chosen_before_the_scope_list_arrives_is_assessed(
    qtbot, demo_db: Database, demo_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    user = login(demo_db, "official", "griddesk-demo")
    window = MainWindow(AppContext(db=demo_db, data_dir=demo_dir, user=user, prefs=Preferences()))
    qtbot.addWidget(window)
    with demo_db.sessions() as session:
        street = session.scalar(
            select(OrgUnit.id).where(OrgUnit.level == OrgLevel.STREET).order_by(OrgUnit.id.desc())
        )
    assert street is not None
    view = window.show_screen("reports")
    period = last_complete_half_month(utcnow())
    view.select(period.key, street)
    view.wait_until_ready()
    assert view.scope_box.currentData() == street
    assert view.assessment is not None and view.assessment.scope_id == street


def test_a_running_period_is_marked_and_a_street_desk_offers_its_street(  # type: ignore[no-untyped-def]
    qtbot, demo_db: Database, demo_dir: Path
) -> None:
    from services.sync.config import STATE_CURSOR, put_state

    with demo_db.session() as session:
        put_state(
            session, STATE_CURSOR, {"server": "x", "protocol": "1.1", "scope": "full:990101001"}
        )
    _window, view, _actor = open_reports(qtbot, demo_db, demo_dir)
    view.wait_until_ready()
    scopes = [view.scope_box.itemData(i) for i in range(view.scope_box.count())]
    assert scopes[0] == "990101001" and all(s.startswith("990101001") for s in scopes)
    assert view.assessment is not None and view.assessment.scope_id == "990101001"
    assert view.dashboard.as_of.isHidden()  # the last complete half-month
    view.select(half_month_of(utcnow()).key)  # the running one
    view.wait_until_ready()
    assert view.assessment is not None and view.assessment.as_of is not None
    assert not view.dashboard.as_of.isHidden()
    at = view.assessment.as_of.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert at in view.dashboard.as_of.text()
