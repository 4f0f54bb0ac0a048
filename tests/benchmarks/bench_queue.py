"""Benchmark: the dispatch queue on N cases (default 1,000,000) against a minimal
QTableView running the same SQL, page by page, in every sort order; and a memory
check that can fail.

    python tests/benchmarks/bench_queue.py --cases 1000000 [--runs 5] [--orders due,title]
    python -m pytest tests/benchmarks/bench_queue.py -s   (GRIDDESK_BENCH_QUEUE_CASES, …_RUNS)

**The database** (``GRIDDESK_BENCH_DIR``, default /tmp, folder
``griddesk-bench-queue-<N>``, built once and kept): the demo generator writes
``--base`` cases (default 50,000, Core bulk inserts) and SQLite copies them inside
the file (``INSERT … SELECT``, new id and number, every other column equal: the
copies tie with their originals in every sort key) until there are N, with the
cases' secondary indexes and the search triggers dropped during the copy and built
once afterwards, then ``ANALYZE``. The user is the county's coordinator, who sees
every case: the whole million is in the queue.

**What is timed**, for each sort order of the screen's columns in both directions,
after one warm-up, ``--runs`` times interleaved (default 5), with min and median:

* *first page*: the queue re-sorted (``refresh``: the first page read, the count
  and the jump samples started in the background) and the table repainted; on the
  page level, the first page's statement alone (read as a re-sort reads it);
* *jump* to the middle and to the last page: the page cache emptied, the table
  scrolled there and repainted (one seek past the sampled key of the row before);
* *next page* after the jump: scrolled one page on and repainted (one seek past
  the cached page).

**The baseline** for each is the strongest simple alternative: a minimal
``QAbstractTableModel`` in a plain ``QTableView`` of the same size that runs, with
the bare ``sqlite3`` module, the very statements GridDesk issued for that page
(captured from GridDesk's warm-up run: the bare indexed seek, already knowing the
key it seeks past, with no statement building, no type conversion and ``str`` of
each raw value as the cell text) and repaints. The ratio is GridDesk / baseline:
above 1 means GridDesk is slower; the goal is at most 2, and at most 50 ms.

**Memory** (a fresh process): the real queue screen opened, RSS at the first page
(count and samples in), then scrolled top to bottom through the whole queue in the
default order a page at a time, each step repainted and timed (the slowest and the
99th percentile step are printed: the goal is no page over 50 ms), and RSS at the
end; the check fails if the end is above 1.2 × the first page's RSS (a page cache
that kept the pages it scrolled past would fail it).

Figures are printed, never asserted, except the memory ratio. Not collected by the
test suite (``norecursedirs`` holds ``benchmarks``).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the project's root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pytest

BIG = int(os.environ.get("GRIDDESK_BENCH_QUEUE_CASES", "1000000"))
RUNS = int(os.environ.get("GRIDDESK_BENCH_RUNS", "5"))
BASE = 50_000
ROOT = Path(os.environ.get("GRIDDESK_BENCH_DIR", "/tmp"))
USER = "county_coordinator"
MEMORY_LIMIT = 1.2
GOAL_RATIO = 2.0
GOAL_MS = 50.0


# ---------------------------------------------------------------- the database
def bench_dir(cases: int) -> Path:
    return ROOT / f"griddesk-bench-queue-{cases}"


def build(cases: int, base: int = BASE) -> Path:
    """The data folder with ``cases`` cases (see the module docstring), built once."""
    from models.db import DB_FILENAME, open_database
    from models.queue import FTS_CREATE, FTS_DROP, FTS_REBUILD
    from services.demo.bulk import indexes_deferred
    from services.demo.generator import seed_demo

    folder = bench_dir(cases)
    path = folder / DB_FILENAME
    if path.exists():
        conn = sqlite3.connect(path)
        held = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        conn.close()
        if held == cases:
            return folder
        raise SystemExit(f"{folder} holds {held:,} cases, not {cases:,}: remove it first")
    started = time.perf_counter()
    db = open_database(folder)
    first = min(base, cases)
    print(f"generating {first:,} demo cases …", flush=True)
    seed_demo(db, cases=first, seed=2026)
    with db.engine.connect() as conn:
        names = [row[1] for row in conn.exec_driver_sql("PRAGMA table_info(cases)")]
    values = [
        "printf('%08x', :n) || substr(id, 9)"
        if name == "id"
        else "number || '-' || :n"
        if name == "number"
        else name
        for name in names
    ]
    copy = (
        f"INSERT INTO cases ({', '.join(names)}) SELECT {', '.join(values)} FROM cases "
        "WHERE rowid <= :limit ORDER BY rowid"
    )
    with indexes_deferred(db, cases), db.engine.begin() as conn:
        for statement in FTS_DROP:
            conn.exec_driver_sql(statement)
        made, replica = first, 0
        while made < cases:
            replica += 1
            limit = min(first, cases - made)
            conn.exec_driver_sql(copy.replace(":n", str(replica)).replace(":limit", str(limit)))
            made += limit
            print(f"  copy {replica}: {made:,} cases", flush=True)
        for statement in FTS_CREATE:
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql(FTS_REBUILD)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    print(f"built {cases:,} cases in {time.perf_counter() - started:.0f} s", flush=True)
    return folder


# ---------------------------------------------------------------- the baseline
def bare_model_class() -> Any:
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

    class Bare(QAbstractTableModel):
        """A minimal table model: pages of raw rows from recorded statements."""

        def __init__(self, path: Path, total: int, page_size: int) -> None:
            super().__init__()
            self.conn = sqlite3.connect(path, check_same_thread=False)
            self.total, self.page_size = total, page_size
            self.statements: dict[int, list[tuple[str, Any]]] = {}
            self.pages: OrderedDict[int, list[tuple[Any, ...]]] = OrderedDict()

        def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008, N802
            return self.total

        def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008, N802
            return 10

        def page(self, number: int) -> list[tuple[Any, ...]]:
            rows = self.pages.get(number)
            if rows is None:
                rows = []
                for statement, params in self.statements.get(number, ()):
                    rows.extend(self.conn.execute(statement, params).fetchall())
                rows = rows[: self.page_size]
                self.pages[number] = rows
                while len(self.pages) > 12:
                    self.pages.popitem(last=False)
            return rows

        def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            if role != Qt.ItemDataRole.DisplayRole:
                return None
            rows = self.page(index.row() // self.page_size)
            offset = index.row() % self.page_size
            return str(rows[offset][index.column()]) if offset < len(rows) else None

    return Bare


# ---------------------------------------------------------------- timing
class Recorder:
    """The SELECTs of cases GridDesk runs for each page while recording (statement and
    DBAPI parameters, by page number)."""

    def __init__(self, engine: Any, page_size: int) -> None:
        from sqlalchemy import event

        from views.queue import model as queue_model

        self.on = False
        self.page = 0
        self.seen: dict[int, list[tuple[str, Any]]] = {}
        real = queue_model.ops.page

        def page(*args: Any, **kw: Any) -> Any:
            self.page = kw["offset"] // page_size
            return real(*args, **kw)

        queue_model.ops.page = page  # type: ignore[assignment]

        @event.listens_for(engine, "before_cursor_execute")
        def _record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            if self.on and statement.lstrip().startswith("SELECT cases.id"):
                self.seen.setdefault(self.page, []).append((statement, parameters))

    def record(self, action: Callable[[], object]) -> dict[int, list[tuple[str, Any]]]:
        self.seen, self.on = {}, True
        try:
            action()
        finally:
            self.on = False
        return self.seen


def _stats(times: list[float]) -> tuple[float, float]:
    return min(times), statistics.median(times)


SORTS = {
    "number": 0,
    "title": 1,
    "category": 2,
    "state": 3,
    "urgency": 4,
    "assignee": 5,
    "org_unit": 6,
    "created_at": 7,
    "deadline": 8,
    "due": 9,
}


def run(folder: Path, runs: int, orders: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableView

    from desktop.app_settings import Preferences
    from desktop.context import AppContext
    from models.db import DB_FILENAME, open_database
    from models.tables import User
    from services.cases import queue
    from services.demo.district import demo_user_id
    from views.queue.view import QueueView

    app = QApplication.instance() or QApplication([])
    db = open_database(folder)
    with db.sessions() as session:
        user = session.get(User, demo_user_id(USER))
    view = QueueView(AppContext(db=db, data_dir=folder, user=user, prefs=Preferences()))
    view.alerts.stop()
    view.resize(1400, 860)
    view.show()
    view.wait_until_ready()
    model, table = view.model, view.table
    size = model.PAGE_SIZE
    recorder = Recorder(db.engine, size)
    bare = bare_model_class()(folder / DB_FILENAME, model.rowCount(), size)
    with db.sessions() as session:  # the category order joins GridDesk's temporary rank table
        codes = queue.category_order(session)
    bare.conn.execute(
        f"CREATE TEMP TABLE {queue.CATEGORY_RANK_TABLE} (rank INTEGER PRIMARY KEY, code TEXT)"
    )
    bare.conn.executemany(
        f"INSERT INTO temp.{queue.CATEGORY_RANK_TABLE} VALUES (?, ?)", list(enumerate(codes))
    )
    bare_view = QTableView()
    bare_view.setModel(bare)
    bare_view.verticalHeader().hide()
    bare_view.verticalHeader().setDefaultSectionSize(table.verticalHeader().defaultSectionSize())
    bare_view.resize(table.viewport().size())
    bare_view.show()
    app.processEvents()
    top = QAbstractItemView.ScrollHint.PositionAtTop

    def show(target: QTableView, row: int) -> None:
        target.scrollTo(target.model().index(row, 0), top)
        target.viewport().repaint()

    results: list[dict[str, Any]] = []
    for key, desc in orders:
        order = Qt.SortOrder.DescendingOrder if desc else Qt.SortOrder.AscendingOrder
        table.sortByColumn(SORTS[key], order)
        view.wait_until_ready()  # the count and the samples for jumps
        total = model.rowCount()
        assert model._samples is not None, "no samples for jumps"
        bare.beginResetModel()
        bare.total = total
        bare.statements.clear()
        bare.pages.clear()
        bare.endResetModel()
        last = (total - 1) // size
        middle = last // 2

        def ours_first() -> None:
            model.refresh(recount=False)
            show(table, 0)

        def ours_jump(number: int) -> Callable[[], None]:
            def jump() -> None:
                model._pages.clear()
                show(table, number * size)

            return jump

        def ours_next(number: int) -> Callable[[], None]:
            return lambda: show(table, number * size)

        def fetch_ours(number: int, start: int | None) -> float:
            """The model's page alone: the cache as for the screen case, one cell read."""
            model._pages.clear()  # page 0 then reads as a re-sort reads it
            if start is not None:
                model.index(start * size, 0).data()
            started = time.perf_counter()
            model.index(number * size, 0).data()
            return time.perf_counter() - started

        def fetch_bare(number: int) -> float:
            started = time.perf_counter()
            for statement, params in bare.statements.get(number, ()):
                bare.conn.execute(statement, params).fetchall()
            return time.perf_counter() - started

        cases: list[tuple[str, Callable[[], None], int, int | None]] = [
            ("first page", ours_first, 0, None),
            (f"jump to page {middle + 1:,}", ours_jump(middle), middle, None),
            (f"next page ({middle + 2:,})", ours_next(middle + 1), middle + 1, middle),
            (f"jump to the last page ({last + 1:,})", ours_jump(last), last, None),
        ]
        samples = model._samples  # a re-sort of the same order samples the same keys
        for name, ours, number, start in cases:
            if start is not None:
                ours_jump(start)()
            bare.statements.update(recorder.record(ours))  # the warm-up records the SQL
            recorded = sum(len(v) for n, v in recorder.seen.items() if n != start)
            ours_times, bare_times, ours_fetch, bare_fetch = [], [], [], []
            for _ in range(runs):
                ours_fetch.append(fetch_ours(number, start))
                bare_fetch.append(fetch_bare(number))
                if start is not None:
                    ours_jump(start)()
                started = time.perf_counter()
                ours()
                ours_times.append(time.perf_counter() - started)
                bare.pages.clear()
                if start is not None:
                    show(bare_view, start * size)
                started = time.perf_counter()
                if number == 0:
                    bare.beginResetModel()  # as a re-sort does
                    bare.endResetModel()
                show(bare_view, number * size)
                bare_times.append(time.perf_counter() - started)
            if model._samples is None and model._samples_op is not None:
                model._samples_op.cancel()  # stops the query: the samples are known already
                model._samples = samples
            view.wait_until_ready()
            results.append(
                {
                    "order": f"{key} {'desc' if desc else 'asc'}",
                    "page": name,
                    "ours": _stats(ours_times),
                    "bare": _stats(bare_times),
                    "ours_fetch": _stats(ours_fetch),
                    "bare_fetch": _stats(bare_fetch),
                    "statements": recorded,
                }
            )
            _print_row(results[-1])
    view.close()
    bare_view.close()
    db.dispose()
    return results


def _print_row(r: dict[str, Any]) -> None:
    for level, ours, bare in (
        ("page", r["ours_fetch"], r["bare_fetch"]),
        ("screen", r["ours"], r["bare"]),
    ):
        (o_min, o_med), (b_min, b_med) = ours, bare
        ratio = o_min / b_min
        met = "ok" if ratio <= GOAL_RATIO and o_med * 1000 <= GOAL_MS else "MISS"
        print(
            f"  {r['order']:15s} {r['page']:28s} {level:6s} GridDesk {o_min * 1000:7.1f} /"
            f" {o_med * 1000:7.1f} ms   baseline {b_min * 1000:7.1f} / {b_med * 1000:7.1f} ms"
            f"   ratio {ratio:5.2f}  {met}",
            flush=True,
        )


# ---------------------------------------------------------------- memory
PROBE = r"""
import json, os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from pathlib import Path
from PySide6.QtWidgets import QAbstractItemView, QApplication
app = QApplication([])
from desktop.app_settings import Preferences
from desktop.context import AppContext
from models.db import open_database
from models.tables import User
from services.demo.district import demo_user_id
from views.queue.view import QueueView

def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

folder = Path(sys.argv[1])
db = open_database(folder)
with db.sessions() as s:
    user = s.get(User, demo_user_id(sys.argv[2]))
view = QueueView(AppContext(db=db, data_dir=folder, user=user, prefs=Preferences()))
view.alerts.stop(); view.resize(1400, 860); view.show(); app.processEvents()
view.wait_until_ready()
model, table = view.model, view.table
first = rss_kb()
steps = []
top = QAbstractItemView.ScrollHint.PositionAtTop
paint = sys.argv[3] == "paint"
for row in range(0, model.rowCount(), model.PAGE_SIZE):  # top to bottom, a page a step
    started = time.perf_counter()
    if paint:
        table.scrollTo(model.index(row, 0), top)
        table.viewport().repaint()
    else:
        for r in range(row, min(row + model.PAGE_SIZE, model.rowCount())):
            model.index(r, 0).data()  # every row of the page read through the model
    steps.append(time.perf_counter() - started)
view.wait_until_ready()
end = rss_kb()
steps.sort()
print(json.dumps({"rows": model.rowCount(), "first_kb": first, "end_kb": end,
                  "pages": len(steps), "max_ms": steps[-1] * 1000,
                  "p99_ms": steps[int(len(steps) * 0.99)] * 1000,
                  "median_ms": steps[len(steps) // 2] * 1000,
                  "over_50ms": sum(1 for s in steps if s > 0.05)}))
"""


def memory(folder: Path, paint: bool = False) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(folder), USER, "paint" if paint else "rows"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["ratio"] = result["end_kb"] / result["first_kb"]
    print(
        f"scrolled the whole queue ({result['rows']:,} rows, {result['pages']:,} pages, default"
        f" order) through the real screen's model"
        f" ({'scrolled and repainted' if paint else 'every row of each page read'}): step median {result['median_ms']:.1f} ms, p99"
        f" {result['p99_ms']:.1f} ms, slowest {result['max_ms']:.1f} ms,"
        f" {result['over_50ms']} step(s) over 50 ms\n"
        f"RSS at the first page {result['first_kb'] / 1024:.0f} MB, after the last page"
        f" {result['end_kb'] / 1024:.0f} MB: ratio {result['ratio']:.2f} (limit {MEMORY_LIMIT})",
        flush=True,
    )
    return result


def all_orders() -> list[tuple[str, bool]]:
    orders = [("due", False), ("due", True)]
    return orders + [(k, d) for k in SORTS if k != "due" for d in (False, True)]


# ---------------------------------------------------------------- entry points
@pytest.mark.timeout(7200)
def test_queue_pages_against_a_bare_table_view_and_memory() -> None:
    folder = build(BIG)
    run(folder, RUNS, all_orders())
    result = memory(folder)
    assert result["ratio"] <= MEMORY_LIMIT, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=BIG)
    parser.add_argument("--base", type=int, default=BASE)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--orders", help="e.g. due,title-desc (default: all, both directions)")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument(
        "--paint", action="store_true", help="the memory run scrolls and repaints the table"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = build(args.cases, args.base)
    orders = all_orders()
    if args.orders:
        orders = [
            (item.removesuffix("-desc"), item.endswith("-desc")) for item in args.orders.split(",")
        ]
    print(
        f"queue on {args.cases:,} cases, {args.runs} runs, min / median;"
        f" ratio = GridDesk / baseline (above 1: GridDesk slower; goal ≤ {GOAL_RATIO}"
        f" and ≤ {GOAL_MS:.0f} ms)",
        flush=True,
    )
    run(folder, args.runs, orders)
    if not args.no_memory:
        result = memory(folder, args.paint)
        if result["ratio"] > MEMORY_LIMIT:
            raise SystemExit(f"memory grew {result['ratio']:.2f}× (limit {MEMORY_LIMIT})")


if __name__ == "__main__":
    main()
