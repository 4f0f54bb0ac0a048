"""Benchmark: the county's own bulletin on PostgreSQL against the bare aggregation there.

    python tests/benchmarks/bench_county_bulletin.py --cases 1000000     (GRIDDESK_TEST_PG_URL)
    python tests/benchmarks/bench_county_bulletin.py --cases 200000 --runs 5 --db URL
    python -m pytest tests/benchmarks/bench_county_bulletin.py -s  (GRIDDESK_BENCH_CASES etc.)

The county database (``--db``, default: ``GRIDDESK_TEST_PG_URL`` with the database
``griddesk_bench_county_<N>``, created once and kept for the next run; ``--fresh`` builds
it again) holds the demo district with N cases (default 1,000,000). Generating a million
demo cases in Python takes a quarter of an hour, so the build is: the demo generator
(:func:`services.demo.generator.seed_demo`, Core bulk inserts) writes ``--base`` cases
(default 50,000) over the demo's 60 days, then PostgreSQL copies them inside the server
(``INSERT … SELECT``, one statement per table and copy; the ids of a copy start with its
number in eight hex digits) until there are N: the same days, the same mix of histories, N times the rows, in about a
minute. ``ANALYZE`` follows, as after any bulk load.

For the last complete half-month and the whole county it then times, interleaved,
``--runs`` times (default 5) after one warm-up each:

* (a) the bare aggregation: :func:`services.reports.queries.run_queries` — the same
  statements of the one definition, run by PostgreSQL, rows fetched, nothing built;
* the county's export: :func:`county_server.bulletin.export_county_bulletin` — what
  ``python -m county_server export-bulletin`` runs (figures, ranking, the workbook
  written to disk, the archive row);

and prints min and median of each and the ratio export / bare (above 1 = GridDesk
slower; the goal is at most 2). Figures only: nothing is asserted about time. Not
collected by the test suite (``norecursedirs`` holds ``benchmarks``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the project's root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pytest
from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import make_url

from county_server.bulletin import export_county_bulletin
from county_server.db import open_server_db
from models.db import Database
from models.tables import Case, CaseEvent
from models.types import utcnow
from services.demo.generator import seed_demo
from services.reports.periods import last_complete_half_month
from services.reports.queries import run_queries
from services.worktime.workdays import load_calendar

PG_ENV = "GRIDDESK_TEST_PG_URL"
COUNTY = "990101"


def _bench_url(base: str, cases: int) -> str:
    return (
        make_url(base)
        .set(database=f"griddesk_bench_county_{cases}")
        .render_as_string(hide_password=False)
    )


def _create_database(url: str, fresh: bool) -> None:
    import psycopg

    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)
        ).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{target.database}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{target.database}"')


def _copy_sql(table: Table, replica: int, limit: int) -> str:
    """``INSERT … SELECT`` of the first ``limit`` base cases (or their events) as copy
    number ``replica``: ids get the replica number as their first eight hex digits, case
    numbers a suffix; ``seq`` is left to the database, in the base's order."""
    key = "id" if table.name == "cases" else "case_id"
    names = []
    values = []
    for column in table.columns:
        if column.name == "seq":
            continue
        names.append(column.name)
        if column.name in ("id", "case_id"):
            values.append(f"'{replica:08x}' || substr(t.{column.name}, 9)")
        elif column.name == "number":
            values.append(f"t.number || '-{replica}'")
        else:
            values.append(f"t.{column.name}")
    order = " ORDER BY t.seq" if table.name == "case_events" else ""
    return (
        f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(values)} "
        f"FROM {table.name} t JOIN bench_base b ON b.id = t.{key} WHERE b.n <= {limit}{order}"
    )


def build(url: str, cases: int, base: int, fresh: bool) -> tuple[Database, float]:
    """The county database with ``cases`` cases (see the module docstring); seconds spent."""
    started = time.perf_counter()
    _create_database(url, fresh)
    db = open_server_db(url)
    with db.sessions() as session:
        held = session.scalar(select(func.count()).select_from(Case)) or 0
    if held == cases:
        return db, 0.0
    if held:
        raise SystemExit(f"{url} holds {held:,} cases, not {cases:,}: run with --fresh")
    first = min(base, cases)
    print(f"generating {first:,} demo cases …", flush=True)
    seed_demo(db, cases=first, seed=2026)
    tables = [Case.__table__, CaseEvent.__table__]
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TEMP TABLE bench_base AS "
                "SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM cases"
            )
        )
        conn.execute(text("CREATE UNIQUE INDEX ON bench_base (id)"))
        made, replica = first, 0
        while made < cases:
            replica += 1
            limit = min(first, cases - made)
            for table in tables:
                conn.execute(text(_copy_sql(table, replica, limit)))  # type: ignore[arg-type]
            made += limit
            print(f"  copy {replica}: {made:,} cases", flush=True)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE cases"))
        conn.execute(text("VACUUM ANALYZE case_events"))
    with db.sessions() as session:
        made = session.scalar(select(func.count()).select_from(Case))
    assert made == cases, (made, cases)
    return db, time.perf_counter() - started


def _times(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def run(url: str, cases: int, base: int, runs: int, fresh: bool, work: Path) -> dict[str, float]:
    db, built = build(url, cases, base, fresh)
    period = last_complete_half_month(utcnow())
    try:
        with db.sessions() as session:
            n_cases = session.scalar(select(func.count()).select_from(Case)) or 0
            n_events = session.scalar(select(func.count()).select_from(CaseEvent)) or 0
            version = session.scalar(text("SHOW server_version"))

        def bare() -> None:
            with db.sessions() as session:
                run_queries(session, load_calendar(session), period, COUNTY)

        def export() -> None:
            export_county_bulletin(db, period, work / "county.xlsx", COUNTY)

        bare()  # warm-up: caches, plans
        a = export_county_bulletin(db, period, work / "county.xlsx", COUNTY)
        t_bare: list[float] = []
        t_export: list[float] = []
        for _ in range(runs):
            t_bare += _times(bare, 1)
            t_export += _times(export, 1)
    finally:
        db.dispose()
    b_min, b_med = min(t_bare), statistics.median(t_bare)
    e_min, e_med = min(t_export), statistics.median(t_export)
    print()
    print(
        f"county database on PostgreSQL {version}: {n_cases:,} cases, {n_events:,} events"
        + (f" (built in {built:.0f} s)" if built else "")
    )
    t = a.totals
    print(
        f"bulletin of {period.key} for the county: {t.created:,} registered, {t.due:,} due, "
        f"{len(a.overdue):,} overdue rows; {runs} runs each, interleaved"
    )
    print(f"  (a) bare aggregation on PostgreSQL:  min {b_min:7.2f} s   median {b_med:7.2f} s")
    print(f"  county export (figures + workbook):  min {e_min:7.2f} s   median {e_med:7.2f} s")
    print(
        f"  ratio export / bare:                 min {e_min / b_min:7.2f}     median "
        f"{e_med / b_med:7.2f}   (above 1 = GridDesk slower)"
    )
    return {"bare": b_med, "export": e_med, "ratio": e_med / b_med}


@pytest.mark.pg
@pytest.mark.timeout(7200)  # long on a million cases; the suite's 300 s limit is too short
def test_county_export_against_bare_sql(tmp_path: Path) -> None:
    base_url = os.environ.get(PG_ENV)
    if not base_url:
        pytest.skip(f"{PG_ENV} is not set")
    cases = int(os.environ.get("GRIDDESK_BENCH_CASES", "1000000"))
    figures = run(
        _bench_url(base_url, cases),
        cases,
        int(os.environ.get("GRIDDESK_BENCH_BASE", "50000")),
        int(os.environ.get("GRIDDESK_BENCH_RUNS", "5")),
        False,
        tmp_path,
    )
    assert (tmp_path / "county.xlsx").exists() and figures["bare"] > 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases in the county")
    parser.add_argument("--base", type=int, default=50_000, help="cases made by the demo generator")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (at least 5)")
    parser.add_argument("--db", help=f"PostgreSQL URL (default: {PG_ENV}, own database)")
    parser.add_argument("--fresh", action="store_true", help="build the database again")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.base < 1 or args.runs < 1:
        parser.error("--cases, --base and --runs must be at least 1")
    base_url = args.db or os.environ.get(PG_ENV)
    if not base_url:
        parser.error(f"give --db postgresql+psycopg://… or set {PG_ENV}")
    url = args.db or _bench_url(base_url, args.cases)
    with tempfile.TemporaryDirectory(prefix="griddesk-bench-county-") as work:
        run(url, args.cases, args.base, args.runs, args.fresh, Path(work))


if __name__ == "__main__":
    main()
