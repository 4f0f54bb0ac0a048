"""Dispatch queue on a big demo district: each screen operation as a ratio to the
bare SQL query that fetches the same first page, and the peak memory with
1,000,000 cases as a ratio to 1,000 cases.

    python -m pytest tests/benchmarks/bench_queue.py -s

The databases are built once under /tmp with the demo generator (a million cases
takes a while); GRIDDESK_BENCH_QUEUE_CASES changes the big one's size.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

BIG = int(os.environ.get("GRIDDESK_BENCH_QUEUE_CASES", "1000000"))
SMALL = 1000
ROOT = Path(os.environ.get("GRIDDESK_BENCH_DIR", "/tmp"))
REPEAT = 3

SCOPE = (
    "((org_unit_id >= '990101001' AND org_unit_id < '990101001:')"
    " OR (escalated_to >= '990101001' AND escalated_to < '990101001:')"
    " OR (assignee_type = 'org_unit' AND assignee_id >= '990101001' AND assignee_id < '990101001:'))"
)
COLUMNS = (
    "id, number, title, category_code, state, urgency, assignee_type, assignee_id, org_unit_id,"
    " created_at, deadline, ack_deadline, dispatched_at, supervise_count, rework_count, source, lat, lon"
)
RANK = (
    "(CASE WHEN state IN ('dispatched', 'acknowledged', 'handled') THEN 0 "
    "WHEN state IN ('registered', 'returned', 'escalated') THEN 1 "
    "WHEN state = 'suspended' THEN 2 ELSE 3 END)"
)
SEARCH = "积雪结冰"


def demo_dir(cases: int) -> Path:
    folder = ROOT / f"griddesk-bench-queue-{cases}"
    if not (folder / "griddesk.sqlite3").exists():
        subprocess.run(
            [
                sys.executable,
                "main.py",
                "seed-demo",
                "--data-dir",
                str(folder),
                "--cases",
                str(cases),
            ],
            check=True,
        )
    return folder


def bare(folder: Path, sql: str, params: tuple = ()) -> float:
    """Best of REPEAT runs of the bare SQL for one page (a fresh connection each time)."""
    times = []
    for _ in range(REPEAT):
        conn = sqlite3.connect(folder / "griddesk.sqlite3")
        start = time.perf_counter()
        rows = conn.execute(sql, params).fetchall()
        times.append(time.perf_counter() - start)
        conn.close()
        assert rows
    return min(times)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def test_queue_operations_against_bare_sql(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import select

    from desktop.app_settings import Preferences
    from desktop.context import AppContext
    from models.db import open_database
    from models.tables import User
    from services.demo.district import demo_user_id
    from views.queue.model import COL_CREATED, COL_REMAINING
    from views.queue.view import QueueView

    folder = demo_dir(BIG)
    db = open_database(folder)
    with db.sessions() as session:
        user = session.get(User, demo_user_id("coordinator"))
        assert session.scalar(select(User.id).limit(1))
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    page = "LIMIT 200"
    base_open = bare(
        folder, f"SELECT {COLUMNS} FROM cases WHERE {SCOPE} ORDER BY {RANK}, deadline, rowid {page}"
    )
    base_sort = bare(
        folder,
        f"SELECT {COLUMNS} FROM cases WHERE {SCOPE} ORDER BY created_at DESC, rowid DESC {page}",
    )
    overdue = f"state IN ('dispatched','acknowledged','handled') AND deadline < '{now}'"
    base_filter = bare(
        folder,
        f"SELECT {COLUMNS} FROM cases WHERE {SCOPE} AND {overdue} ORDER BY {RANK}, deadline, rowid {page}",
    )
    like = " OR ".join(
        f"{c} LIKE '%{SEARCH}%'" for c in ("number", "title", "description", "address")
    )
    grams = " AND ".join(f'"{SEARCH[i : i + 3]}"' for i in range(len(SEARCH) - 2))
    base_search = bare(
        folder,
        f"SELECT {COLUMNS} FROM cases WHERE {SCOPE} AND rowid IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)"
        f" AND ({like}) ORDER BY {RANK}, deadline, rowid {page}",
        (grams,),
    )
    base_deep = bare(
        folder,
        f"SELECT {COLUMNS} FROM cases WHERE {SCOPE} ORDER BY {RANK}, deadline, rowid LIMIT 200 OFFSET {BIG // 4}",
    )

    results: dict[str, tuple[float, float]] = {}
    views: list[QueueView] = []

    def open_queue() -> None:
        ctx = AppContext(db=db, data_dir=folder, user=user, prefs=Preferences())
        view = QueueView(ctx)
        view.alerts.stop()
        qtbot.addWidget(view)
        view.resize(1400, 860)
        view.show()
        QApplication.processEvents()
        assert view.model.index(0, 0).data()
        views.append(view)

    results["open the queue (first rows shown)"] = (timed(open_queue), base_open)
    view = views[0]
    view.wait_until_ready()

    def sort() -> None:
        view.table.sortByColumn(COL_CREATED, Qt.SortOrder.DescendingOrder)
        QApplication.processEvents()
        assert view.model.index(0, 0).data()

    results["change the sort (registered, newest first)"] = (timed(sort), base_sort)
    view.table.sortByColumn(COL_REMAINING, Qt.SortOrder.AscendingOrder)  # back to overdue first
    view.wait_until_ready()

    def apply_filter() -> None:
        view.filters.deadline.setCurrentIndex(view.filters.deadline.findData("overdue"))
        QApplication.processEvents()
        assert view.model.index(0, 0).data()

    results["apply a filter (overdue)"] = (timed(apply_filter), base_filter)
    view.wait_until_ready()
    view.filters.deadline.setCurrentIndex(0)
    view.wait_until_ready()

    def search() -> None:
        view.filters.search.setText(SEARCH)
        view.filters._search_timer.stop()
        view.filters._emit()
        QApplication.processEvents()
        assert view.model.index(0, 0).data()

    results[f"full-text search ({SEARCH})"] = (timed(search), base_search)
    view.wait_until_ready()
    view.filters.search.clear()
    view.filters._search_timer.stop()
    view.filters._emit()
    view.wait_until_ready()

    def jump() -> None:
        row = min(BIG // 4, view.model.rowCount() - 1)
        assert view.model.index(row, 0).data()

    results["jump a quarter down (OFFSET)"] = (timed(jump), base_deep)

    def scroll_on() -> None:
        row = min(BIG // 4, view.model.rowCount() - 1) + view.model.PAGE_SIZE
        assert view.model.index(row, 0).data()

    results["next page after the jump (keyset)"] = (timed(scroll_on), base_open)
    view.wait_until_ready()
    print(f"\nqueue on {BIG:,} cases (coordinator of one street, {view.model.rowCount():,} rows):")
    for name, (took, base) in results.items():
        print(
            f"  {name:45s} {took * 1000:8.1f} ms   bare SQL {base * 1000:8.1f} ms   ratio {took / base:6.2f}"
        )
    db.dispose()


PROBE = r"""
import json, os, resource, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop.app_settings import Preferences
from desktop.context import AppContext
from models.db import open_database
from models.tables import User
from services.demo.district import demo_user_id
from views.queue.view import QueueView
folder = Path(sys.argv[1])
db = open_database(folder)
with db.sessions() as s:
    user = s.get(User, demo_user_id("coordinator"))
view = QueueView(AppContext(db=db, data_dir=folder, user=user, prefs=Preferences()))
view.alerts.stop(); view.resize(1400, 860); view.show(); app.processEvents()
view.wait_until_ready()
model = view.model
for row in range(0, min(model.rowCount(), 20 * model.PAGE_SIZE), 50):  # scroll through 20 pages
    model.index(row, 0).data()
view.filters.deadline.setCurrentIndex(1); app.processEvents(); view.wait_until_ready()
print(json.dumps({"rows": model.rowCount(), "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def peak(folder: Path) -> dict:
    out = (
        subprocess.run(
            [sys.executable, "-c", PROBE, str(folder)], capture_output=True, text=True, check=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return json.loads(out)


@pytest.mark.timeout(3600)
def test_peak_memory_big_against_small() -> None:
    big = peak(demo_dir(BIG))
    small = peak(demo_dir(SMALL))
    ratio = big["maxrss_kb"] / small["maxrss_kb"]
    print(
        f"\npeak memory: {BIG:,} cases {big['maxrss_kb'] / 1024:.0f} MB, {SMALL:,} cases "
        f"{small['maxrss_kb'] / 1024:.0f} MB, ratio {ratio:.2f}"
    )
