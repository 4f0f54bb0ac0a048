"""The queue model pages by keyset: scrolling down seeks past the page above, scrolling
up seeks back from the page below, a scroll-bar jump seeks past the sampled key of
the row before it (read in the background after every refresh), and the rows are
those of a plain ORDER BY … OFFSET throughout; a refresh from sync keeps the
selection and samples again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import update

from desktop.app_settings import Preferences
from desktop.context import AppContext
from models.db import Database
from models.tables import Case, User
from models.types import utcnow
from services.cases import queue
from services.demo.district import demo_user_id
from tests.builders import actor
from views.queue import model as queue_model
from views.queue.model import COL_REMAINING, COL_TITLE
from views.queue.view import QueueView

pytestmark = pytest.mark.gui

PAGE = 7


def open_view(qtbot: Any, db: Database, data_dir: Path) -> QueueView:
    with db.sessions() as session:
        user = session.get(User, demo_user_id("coordinator"))
    view = QueueView(AppContext(db=db, data_dir=data_dir, user=user, prefs=Preferences()))
    qtbot.addWidget(view)
    view.alerts.stop()
    view.model.PAGE_SIZE = PAGE  # small pages: many of them on the demo's few hundred cases
    view.model.refresh(keep_count=False)
    view.wait_until_ready()
    return view


def reference(db: Database, key: str, desc: bool) -> list[str]:
    with db.sessions() as session:
        me = actor(session, "coordinator")
        rows = queue.page(session, me, queue.QueueFilter(), utcnow(), key, desc, 0, 100_000)
    return [r.id for r in rows]


def ids(view: QueueView, rows: range) -> list[str]:
    return [view.model.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The page fetches the model makes, with how each was found."""
    made: list[dict[str, Any]] = []
    real = queue_model.ops.page

    def spy(*args: Any, **kw: Any) -> Any:
        made.append(kw)
        return real(*args, **kw)

    monkeypatch.setattr(queue_model.ops, "page", spy)
    return made


def test_scroll_jump_and_scroll_back_give_the_offset_rows_by_seeks(
    qtbot: Any, demo_db: Database, demo_dir: Path, calls: list[dict[str, Any]]
) -> None:
    view = open_view(qtbot, demo_db, demo_dir)
    model = view.model
    for column, order, key, desc in (
        (COL_REMAINING, Qt.SortOrder.AscendingOrder, "due", False),
        (COL_TITLE, Qt.SortOrder.DescendingOrder, "title", True),
    ):
        view.table.sortByColumn(column, order)
        view.wait_until_ready()
        expected = reference(demo_db, key, desc)
        total = len(expected)
        assert model.rowCount() == total > 20 * PAGE
        assert model._samples is not None and len(model._samples) == total // PAGE

        # A jump to the last page and to the middle: one seek past the sampled key each.
        calls.clear()
        last = total - 1
        assert ids(view, range(last, last + 1)) == expected[last:]
        middle = (total // 2 // PAGE) * PAGE + 3
        assert ids(view, range(middle, middle + 1)) == [expected[middle]]
        assert [c["after"] for c in calls] == [
            model._samples[last // PAGE - 1],
            model._samples[middle // PAGE - 1],
        ]

        # Up from the middle: each page seeks back from the first row of the one below.
        calls.clear()
        top = middle - 3 * PAGE
        assert ids(view, range(middle, top, -1)) == expected[middle:top:-1]
        assert calls and all(c["before"] is not None and c["after"] is None for c in calls)

        # Top to bottom through the whole queue: each page seeks past the one above,
        # and no more pages are kept than the cache holds.
        model.refresh(recount=False)
        view.wait_until_ready()
        calls.clear()
        assert ids(view, range(total)) == expected
        assert len(calls) == (total + PAGE - 1) // PAGE - 1
        assert all(c["after"] is not None for c in calls)
        assert len(model._pages) <= model.PAGES_KEPT


def test_a_jump_before_the_samples_arrive_reads_by_offset_and_a_change_samples_again(
    qtbot: Any, demo_db: Database, demo_dir: Path, calls: list[dict[str, Any]]
) -> None:
    view = open_view(qtbot, demo_db, demo_dir)
    model = view.model
    expected = reference(demo_db, "due", False)
    deep = len(expected) - 5
    view._select_row(deep)
    selected = view.current_case_id()
    assert selected == expected[deep]

    # A case elsewhere gets an earlier deadline (as sync would bring it): refresh.
    with demo_db.session() as session:
        first_running = session.get(Case, expected[0])
        assert first_running is not None and first_running.deadline is not None
        session.execute(
            update(Case)
            .where(Case.id == expected[-1])
            .values(state="dispatched", deadline=first_running.deadline.replace(year=2000))
        )
    view.ctx.events.cases_changed.emit([expected[-1]])
    assert model._samples is None  # dropped at once: they belong to the old rows
    calls.clear()
    moved = reference(demo_db, "due", False)
    assert moved[0] == expected[-1] and moved != expected
    number = (len(moved) // 2) // PAGE
    assert ids(view, range(number * PAGE, number * PAGE + 2)) == moved[number * PAGE :][:2]
    assert calls[-1]["after"] is None and calls[-1]["offset"] == number * PAGE

    view.wait_until_ready()
    assert model._samples is not None and len(model._samples) == len(moved) // PAGE
    assert view.current_case_id() == selected  # the selection stays on its case
    assert ids(
        view, range(view.table.currentIndex().row(), view.table.currentIndex().row() + 1)
    ) == [selected]
    calls.clear()
    model._pages.clear()
    assert ids(view, range(deep, deep + 1)) == [moved[deep]]
    assert calls[-1]["after"] == model._samples[deep // PAGE - 1]
