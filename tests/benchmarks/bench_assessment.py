"""Benchmark: the half-monthly bulletin of a big demo district.

    python -m pytest tests/benchmarks/bench_assessment.py -s

Uses the demo district in ``$GRIDDESK_BENCH_DIR`` (default
``/tmp/griddesk-bench-1m``), building it with ``$GRIDDESK_BENCH_CASES`` cases
(default 1,000,000; that takes a quarter of an hour) when it is missing. For the
last complete half-month of the demo, it times, in the same run:

* the bulletin: the figures (:func:`services.reports.assessment.assess`) and the
  formatted workbook (:func:`services.reports.bulletin.write_bulletin`);
* (a) the bare SQL aggregation alone (:func:`services.reports.queries.run_queries`:
  the same statements, rows fetched, nothing built from them);
* (b) the usual alternative: pandas ``read_sql`` of the same statements plus
  ``to_excel`` of the resulting tables (no formatting, no ranking);

and prints the bulletin's time as ratios to (a) and (b), with its peak Python
memory (tracemalloc) and the process's peak resident memory.
pandas comes from the ``bench`` extra (``pip install -e .[dev,bench]``).
"""

from __future__ import annotations

import os
import resource
import time
import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import text

from models.db import DB_FILENAME, open_database
from models.types import utcnow
from services.reports.assessment import assess
from services.reports.bulletin import SCHEDULED_EXPORT_ACTOR, write_bulletin
from services.reports.periods import last_complete_half_month
from services.reports.queries import cleanup, prepare, run_queries, statements
from services.worktime.workdays import load_calendar

BENCH_DIR = Path(os.environ.get("GRIDDESK_BENCH_DIR", "/tmp/griddesk-bench-1m"))
BENCH_CASES = int(os.environ.get("GRIDDESK_BENCH_CASES", "1000000"))
COUNTY = "990101"


def _district() -> Path:
    if not (BENCH_DIR / DB_FILENAME).exists():
        from services.demo.generator import seed_demo

        db = open_database(BENCH_DIR)
        try:
            seed_demo(db, cases=BENCH_CASES)
        finally:
            db.dispose()
    return BENCH_DIR


def _best(fn, repeat: int = int(os.environ.get("GRIDDESK_BENCH_REPEAT", "1"))) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


@pytest.mark.timeout(7200)  # minutes on a million cases; the suite's 300 s limit is too short
def test_bulletin_against_sql_and_pandas(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    db = open_database(_district())
    period = last_complete_half_month(utcnow())
    try:
        with db.sessions() as session:
            calendar = load_calendar(session)
            cases = session.execute(text("SELECT COUNT(*) FROM cases")).scalar()

            def bulletin() -> None:
                a = assess(session, SCHEDULED_EXPORT_ACTOR, period, calendar, COUNTY)
                write_bulletin(a, tmp_path / "bulletin.xlsx")

            def bare_sql() -> None:
                run_queries(session, calendar, period, COUNTY)

            def with_pandas() -> None:
                conn = session.connection()
                try:
                    prepare(session, calendar, period, COUNTY)
                    params, stmts = statements(session, calendar, period, COUNTY)
                    frames = {
                        key: pd.read_sql(stmt, conn, params=params) for key, stmt in stmts.items()
                    }
                finally:
                    cleanup(session)
                with pd.ExcelWriter(tmp_path / "pandas.xlsx", engine="openpyxl") as writer:
                    for key, frame in frames.items():
                        for column in frame.select_dtypes(include=["datetimetz"]).columns:
                            frame[column] = frame[column].dt.tz_localize(None)  # Excel: no zones
                        frame.to_excel(writer, sheet_name=key, index=False)

            t_sql = _best(bare_sql)
            t_pandas = _best(with_pandas)
            t_bulletin = _best(bulletin)

            tracemalloc.start()
            bulletin()
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            a = assess(session, SCHEDULED_EXPORT_ACTOR, period, calendar, COUNTY)
    finally:
        db.dispose()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"demo district: {cases:,} cases; bulletin of {period.key} for the county")
    print(
        f"  {a.totals.created:,} registered, {a.totals.due:,} due, {len(a.overdue):,} overdue rows"
    )
    print(f"  bare SQL aggregation (a):      {t_sql:8.2f} s")
    print(f"  pandas read_sql + to_excel (b): {t_pandas:8.2f} s")
    print(f"  bulletin (figures + workbook):  {t_bulletin:8.2f} s")
    print(f"  ratio bulletin / bare SQL:      {t_bulletin / t_sql:8.2f}")
    print(f"  ratio bulletin / pandas:        {t_bulletin / t_pandas:8.2f}")
    print(f"  peak Python memory (tracemalloc): {peak / 2**20:.0f} MiB; peak RSS {rss_mb:.0f} MiB")
    assert (tmp_path / "bulletin.xlsx").exists()
