"""Every screen fits the office PCs: each screen, for each role, rendered in Chinese at
1024×768 and 1366×768 keeps the window at the requested size, every visible button
inside the window with its text whole, the queue's case number column wide enough
for the longest number, and the reception desk's submit button on screen.

One demo district per module; one main window per role, resized between sizes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QRadioButton,
    QStyle,
    QTableView,
    QWidget,
)

from desktop.app_settings import Preferences
from desktop.context import AppContext
from desktop.main_window import MainWindow
from models.db import DB_FILENAME, Database, open_database
from services.accounts.auth import login

pytestmark = pytest.mark.gui

SIZES = ((1024, 768), (1366, 768))
USERS = ("reception", "coordinator", "official", "dept_zhujian", "gw_1", "admin")
SCREENS = ("reception", "queue", "map", "reports", "sync", "settings")


def settle(window: QWidget) -> None:
    """Let layouts, background loads and deferred resizes finish."""
    for _ in range(3):
        QApplication.processEvents()
        widget = getattr(window, "stack", None)
        current = widget.currentWidget() if widget is not None else None
        ready = getattr(current, "wait_until_ready", None)
        if callable(ready):
            ready()
        QApplication.processEvents()


def _in_scrolled_content(widget: QWidget, window: QWidget) -> bool:
    """True for a widget inside a scroll area's viewport (the user scrolls to it)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        grand = parent.parentWidget()
        if isinstance(grand, QAbstractScrollArea) and grand.viewport() is parent:
            return True
        parent = grand
    return False


def _text_room(button: QAbstractButton) -> int:
    """The width a button has for its text."""
    room = button.contentsRect().width()
    if isinstance(button, QCheckBox | QRadioButton):
        style = button.style()
        metric = (
            QStyle.PixelMetric.PM_IndicatorWidth
            if isinstance(button, QCheckBox)
            else QStyle.PixelMetric.PM_ExclusiveIndicatorWidth
        )
        room -= style.pixelMetric(metric, None, button) + style.pixelMetric(
            QStyle.PixelMetric.PM_CheckBoxLabelSpacing, None, button
        )
    elif not button.icon().isNull():
        room -= button.iconSize().width() + 4
    return room


def layout_problems(window: QWidget) -> list[str]:
    """Visible buttons outside the window or with their text cut, by object name and text."""
    problems = []
    bounds = window.rect()
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or button.width() <= 0:
            continue
        name = button.objectName() or type(button).__name__
        text = button.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        rect = QRect(button.mapTo(window, button.rect().topLeft()), button.size())
        if not _in_scrolled_content(button, window) and not bounds.contains(rect):
            problems.append(f"{name} {text!r} lies outside the window at {rect.getRect()}")
        if text and "\n" not in text:
            needed = button.fontMetrics().horizontalAdvance(text)
            if needed > _text_room(button):
                problems.append(f"{name} {text!r} is cut: {needed} px in {_text_room(button)} px")
    return problems


def number_column_problems(window: QWidget) -> list[str]:
    """The queue's case number column shows the longest number whole, from the left."""
    from views.queue.model import COL_NUMBER

    table = window.findChild(QTableView, "caseTable")
    if table is None or not table.isVisibleTo(window):
        return []
    model = table.model()
    numbers = [
        str(model.index(row, COL_NUMBER).data() or "") for row in range(min(model.rowCount(), 50))
    ]
    if not numbers:
        return []
    longest = max(table.fontMetrics().horizontalAdvance(n) for n in numbers)
    problems = []
    if table.isColumnHidden(COL_NUMBER):
        problems.append("the case number column is hidden")
    width = table.columnWidth(COL_NUMBER)
    if width < longest + 8:
        problems.append(f"the case number column is {width} px, the longest number {longest} px")
    right = table.columnViewportPosition(COL_NUMBER) + width
    if right > table.viewport().width():
        problems.append(f"the case number column ends at {right}, past the table's width")
    return problems


def submit_problems(window: QWidget) -> list[str]:
    """The reception desk's submit button is shown, whole, inside the window."""
    button = window.findChild(QAbstractButton, "submitVisit")
    if button is None or not button.isVisibleTo(window):
        return ["the submit button is not shown"]
    rect = QRect(button.mapTo(window, button.rect().topLeft()), button.size())
    if not window.rect().contains(rect):
        return [f"the submit button lies outside the window at {rect.getRect()}"]
    if button.visibleRegion().boundingRect().size() != button.size():
        return ["the submit button is partly hidden"]
    return []


def check_screen(window: MainWindow, screen: str, size: tuple[int, int]) -> list[str]:
    """Show ``screen`` at ``size``; what does not fit, as readable lines."""
    window.show_screen(screen)
    window.resize(*size)
    settle(window)
    problems = []
    if (window.width(), window.height()) != size:
        problems.append(f"the window is {window.width()}×{window.height()}")
    problems += layout_problems(window)
    if screen == "queue":
        problems += number_column_problems(window)
    if screen == "reception":
        problems += submit_problems(window)
    return [f"{screen} at {size[0]}×{size[1]}: {p}" for p in problems]


@pytest.fixture(scope="module")
def layout_desk(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("layouts")
    shutil.copy2(demo_template / DB_FILENAME, folder / DB_FILENAME)
    yield folder


@pytest.fixture(scope="module")
def layout_db(layout_desk: Path) -> Iterator[Database]:
    database = open_database(layout_desk)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def chinese(qapp):  # type: ignore[no-untyped-def]
    """Chinese, with the application's style sheet, as a clerk sees the window."""
    from desktop.i18n import install_translators
    from desktop.paths import resources_dir

    assert install_translators("zh_CN")
    before = qapp.styleSheet()
    qapp.setStyleSheet((resources_dir() / "style.qss").read_text(encoding="utf-8"))
    yield
    qapp.setStyleSheet(before)
    install_translators("en")


@pytest.mark.parametrize("username", USERS)
def test_every_screen_fits_the_office_sizes(  # type: ignore[no-untyped-def]
    qtbot, chinese, layout_db: Database, layout_desk: Path, tmp_path: Path, username: str
) -> None:
    from PySide6.QtCore import QSettings

    user = login(layout_db, username, "griddesk-demo")
    prefs = Preferences(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
    window = MainWindow(AppContext(db=layout_db, data_dir=layout_desk, user=user, prefs=prefs))
    qtbot.addWidget(window)
    window.show()
    problems = []
    for screen in SCREENS:
        if screen not in window.screen_keys():
            continue
        for size in SIZES:
            problems += check_screen(window, screen, size)
    window.close()
    assert not problems, "\n".join(problems)


def test_the_checks_see_a_cut_button_and_a_window_forced_larger(qtbot, chinese) -> None:  # type: ignore[no-untyped-def]
    """The checks themselves: a button cut by the window's edge, a button too narrow
    for its text and a window whose minimum size is larger than asked are reported."""
    from PySide6.QtWidgets import QMainWindow, QPushButton

    window = QMainWindow()
    qtbot.addWidget(window)
    body = QWidget()
    window.setCentralWidget(body)
    edge = QPushButton("提交", body)
    edge.setObjectName("edge")
    edge.setGeometry(380, 10, 100, 30)
    narrow = QPushButton("导出通报和统计表", body)
    narrow.setObjectName("narrow")
    narrow.setGeometry(10, 10, 40, 30)
    window.resize(400, 300)
    window.show()
    QApplication.processEvents()
    problems = layout_problems(window)
    assert any(p.startswith("edge ") and "outside" in p for p in problems), problems
    assert any(p.startswith("narrow ") and "is cut" in p for p in problems), problems
    body.setMinimumSize(500, 300)
    window.resize(400, 300)
    QApplication.processEvents()
    assert window.width() > 400
