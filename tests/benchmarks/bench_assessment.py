"""Benchmark: the desk's half-monthly bulletin of a big demo district (SQLite).

    python tests/benchmarks/bench_assessment.py --cases 1000000 [--runs 5] [--documents]
    python -m pytest tests/benchmarks/bench_assessment.py -s   (GRIDDESK_BENCH_CASES etc.)

The desk's data folder (``--dir``, default ``/tmp/griddesk-bench-<N>``; the pytest form
reads ``$GRIDDESK_BENCH_DIR`` and ``$GRIDDESK_BENCH_CASES``, default 1,000,000) is built
once and kept: the demo generator (:func:`services.demo.generator.seed_demo`) writes
``--base`` cases (default 50,000) over the demo's 60 days, then SQLite copies them
(``INSERT … SELECT``, the same statements as ``bench_county_bulletin.py``: a copy's ids
start with its number in eight hex digits) until there are N — the same days and mix of
histories, N times the rows, in minutes instead of the generator's hour. ``ANALYZE``
follows.

For the last complete half-month and the whole county it then times, interleaved,
``--runs`` times (default 5, at least 5 for figures worth quoting) after one warm-up:

* (a) the bare aggregation: :func:`services.reports.queries.run_queries` — the bulletin's
  statements, rows fetched, nothing built from them;
* (b) the usual alternative: pandas ``read_sql`` of the same statements and ``to_excel``
  of the resulting tables, one sheet each (openpyxl engine, no formatting, no ranking);
* the bulletin: the figures (:func:`services.reports.assessment.assess`) and the
  formatted workbook (:func:`services.reports.bulletin.write_bulletin`).

It prints min and median of the wall time and of the process's CPU time of each (SQLite
runs in this process, so CPU time is the steadier figure on a shared machine) and the
ratios: bulletin ÷ (a) (above 1 = the bulletin takes longer; goals: ≤ 1.3, issue 17.4,
and ≤ 2, issue 16) and (b) ÷ bulletin (above 1 = pandas takes longer; goal ≥ 1.5). With
``--documents`` it also times ``main.py export-bulletin --format docx`` and
``--format pdf`` once each (whole commands: start-up, figures, file).

pandas is only the baseline's: ``.venv/bin/pip install -e '.[bench]'`` (or
``.venv/bin/pip install 'pandas>=2.2,<4'``); without it (b) is skipped and said so.
Figures only: nothing is asserted about time. Not collected by the test suite
(``norecursedirs`` holds ``benchmarks``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the project's root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pytest
from sqlalchemy import Table, func, select, text

from models.db import Database, open_database
from models.tables import Case, CaseEvent
from models.types import utcnow
from services.demo.generator import seed_demo
from services.reports.assessment import assess
from services.reports.bulletin import SCHEDULED_EXPORT_ACTOR, write_bulletin
from services.reports.periods import last_complete_half_month
from services.reports.queries import cleanup, prepare, run_queries, statements
from services.worktime.workdays import load_calendar
from tests.benchmarks.bench_county_bulletin import _copy_sql

ROOT = Path(__file__).resolve().parents[2]
COUNTY = "990101"
PANDAS_HINT = (
    "pandas is missing: .venv/bin/pip install -e '.[bench]' (only this benchmark needs it)"
)


def build(data_dir: Path, cases: int, base: int) -> tuple[Database, float]:
    """The desk's data folder with ``cases`` demo cases (module docstring); seconds spent."""
    started = time.perf_counter()
    db = open_database(data_dir)
    with db.sessions() as session:
        held = session.scalar(select(func.count()).select_from(Case)) or 0
    if held == cases:
        return db, 0.0
    first = min(base, cases)
    if held == 0:
        print(f"generating {first:,} demo cases in {data_dir} …", flush=True)
        seed_demo(db, cases=first, seed=2026)
    elif held != first:
        raise SystemExit(f"{data_dir} holds {held:,} cases, neither {first:,} nor {cases:,}")
    tables: list[Table] = [Case.__table__, CaseEvent.__table__]  # type: ignore[list-item]
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TEMP TABLE bench_base AS "
                "SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM cases"
            )
        )
        conn.execute(text("CREATE UNIQUE INDEX temp.bench_base_id ON bench_base (id)"))
        made, replica = first, 0
        while made < cases:
            replica += 1
            limit = min(first, cases - made)
            for table in tables:
                conn.execute(text(_copy_sql(table, replica, limit)))
            made += limit
            print(f"  copy {replica}: {made:,} cases", flush=True)
        conn.execute(text("DROP TABLE bench_base"))
        conn.execute(text("ANALYZE"))
    with db.sessions() as session:
        made = session.scalar(select(func.count()).select_from(Case)) or 0
    assert made == cases, (made, cases)
    return db, time.perf_counter() - started


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _line(label: str, wall: list[float], cpu: list[float]) -> str:
    return (
        f"  {label:<34} wall min {min(wall):7.2f} s  median {statistics.median(wall):7.2f} s"
        f"   cpu min {min(cpu):7.2f} s  median {statistics.median(cpu):7.2f} s"
    )


def _ratio(label: str, top: list[float], bottom: list[float], note: str) -> str:
    return (
        f"  {label:<34} min {min(top) / min(bottom):5.2f}   median "
        f"{statistics.median(top) / statistics.median(bottom):5.2f}   ({note})"
    )


def run(data_dir: Path, cases: int, base: int, runs: int, documents: bool, work: Path) -> None:
    try:
        import pandas as pd
    except ImportError:
        pd = None
        print(PANDAS_HINT)
    db, built = build(data_dir, cases, base)
    period = last_complete_half_month(utcnow())
    try:
        with db.sessions() as session:
            calendar = load_calendar(session)
            n_cases = session.scalar(select(func.count()).select_from(Case)) or 0
            n_events = session.scalar(select(func.count()).select_from(CaseEvent)) or 0

            def bulletin() -> None:
                a = assess(session, SCHEDULED_EXPORT_ACTOR, period, calendar, COUNTY)
                write_bulletin(a, work / "bulletin.xlsx")

            def bare_sql() -> None:
                run_queries(session, calendar, period, COUNTY)

            def with_pandas() -> None:
                assert pd is not None
                conn = session.connection()
                try:
                    prepare(session, calendar, period, COUNTY)
                    params, stmts = statements(session, calendar, period, COUNTY)
                    frames = {
                        key: pd.read_sql(stmt, conn, params=params) for key, stmt in stmts.items()
                    }
                finally:
                    cleanup(session)
                with pd.ExcelWriter(work / "pandas.xlsx", engine="openpyxl") as writer:
                    for key, frame in frames.items():
                        for column in frame.select_dtypes(include=["datetimetz"]).columns:
                            frame[column] = frame[column].dt.tz_localize(None)  # Excel: no zones
                        frame.to_excel(writer, sheet_name=key, index=False)

            jobs: dict[str, Callable[[], None]] = {"sql": bare_sql, "bulletin": bulletin}
            if pd is not None:
                jobs["pandas"] = with_pandas
            for fn in jobs.values():  # warm-up: page cache, plans
                fn()
            wall: dict[str, list[float]] = {k: [] for k in jobs}
            cpu: dict[str, list[float]] = {k: [] for k in jobs}
            for i in range(runs):
                for key, fn in jobs.items():
                    w, c = _timed(fn)
                    wall[key].append(w)
                    cpu[key].append(c)
                print(f"  run {i + 1}: " + ", ".join(f"{k} {wall[k][-1]:.2f} s" for k in jobs))
            a = assess(session, SCHEDULED_EXPORT_ACTOR, period, calendar, COUNTY)
    finally:
        db.dispose()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = a.totals
    print()
    print(
        f"desk on SQLite: {n_cases:,} cases, {n_events:,} events"
        + (f" (built in {built:.0f} s)" if built else "")
        + f"; {os.cpu_count()} CPUs"
    )
    print(
        f"bulletin of {period.key} for the county: {t.created:,} registered, {t.due:,} due, "
        f"{len(a.overdue):,} overdue rows; {runs} runs each, interleaved"
    )
    print(_line("(a) bare SQL aggregation", wall["sql"], cpu["sql"]))
    if "pandas" in wall:
        print(_line("(b) pandas read_sql + to_excel", wall["pandas"], cpu["pandas"]))
    print(_line("bulletin (figures + workbook)", wall["bulletin"], cpu["bulletin"]))
    print("ratios of wall time:")
    print(_ratio("bulletin / (a)", wall["bulletin"], wall["sql"], "above 1 = bulletin slower"))
    if "pandas" in wall:
        print(_ratio("(b) / bulletin", wall["pandas"], wall["bulletin"], "above 1 = pandas slower"))
    print("ratios of CPU time:")
    print(_ratio("bulletin / (a)", cpu["bulletin"], cpu["sql"], "above 1 = bulletin slower"))
    if "pandas" in wall:
        print(_ratio("(b) / bulletin", cpu["pandas"], cpu["bulletin"], "above 1 = pandas slower"))
    print(f"  peak RSS of this process: {rss_mb:.0f} MiB")
    if documents:
        for fmt in ("docx", "pdf"):
            _document(data_dir, period.key, fmt, work)


def _document(data_dir: Path, period: str, fmt: str, work: Path) -> None:
    """Time ``main.py export-bulletin --format fmt`` once, as a user runs it."""
    out = work / f"bulletin.{fmt}"
    command = [sys.executable, str(ROOT / "main.py"), "export-bulletin", "--data-dir"]
    command += [str(data_dir), "--period", period, "--scope", COUNTY, "--quiet"]
    command += ["--format", fmt, "--out", str(out)]
    env: dict[str, Any] = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    size = out.stat().st_size / 2**10 if out.exists() else 0.0
    print(
        f"  export-bulletin --format {fmt}: {took:7.1f} s (one run), exit {done.returncode}, "
        f"{size:,.0f} KiB" + (f"\n{done.stderr.strip()[-600:]}" if done.returncode else "")
    )


@pytest.mark.timeout(7200)  # long on a million cases; the suite's 300 s limit is too short
def test_bulletin_against_sql_and_pandas(tmp_path: Path) -> None:
    cases = int(os.environ.get("GRIDDESK_BENCH_CASES", "1000000"))
    data_dir = Path(os.environ.get("GRIDDESK_BENCH_DIR", f"/tmp/griddesk-bench-{cases}"))
    run(
        data_dir,
        cases,
        int(os.environ.get("GRIDDESK_BENCH_BASE", "50000")),
        int(os.environ.get("GRIDDESK_BENCH_RUNS", "5")),
        False,
        tmp_path,
    )
    assert (tmp_path / "bulletin.xlsx").exists()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases on the desk")
    parser.add_argument("--base", type=int, default=50_000, help="cases made by the demo generator")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (at least 5)")
    parser.add_argument("--dir", type=Path, help="data folder (default /tmp/griddesk-bench-N)")
    parser.add_argument(
        "--documents", action="store_true", help="also time the docx and pdf exports"
    )
    args = parser.parse_args(argv)
    if args.cases < 1 or args.base < 1 or args.runs < 1:
        parser.error("--cases, --base and --runs must be at least 1")
    data_dir = args.dir or Path(f"/tmp/griddesk-bench-{args.cases}")
    with tempfile.TemporaryDirectory(prefix="griddesk-bench-desk-") as work:
        run(data_dir, args.cases, args.base, args.runs, args.documents, Path(work))


if __name__ == "__main__":
    main()
