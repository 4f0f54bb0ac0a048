"""Reception desk look-ups on a 1,000,000-case demo database.

    python -m pytest tests/benchmarks/bench_reception.py -s

Uses the demo database in ``$GRIDDESK_BENCH_DIR`` (default
``/tmp/griddesk-bench-1m``), building it with ``seed-demo --cases 1000000``
when it is missing (a quarter of an hour on a small machine). Each figure is
printed as a ratio to one indexed primary-key read of a case, measured on the
same database in the same run, so that the numbers compare across machines.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from models.db import DB_FILENAME, open_database
from models.tables import Case, User, Visit
from services.cases.permissions import Actor
from services.reception.duplicates import find_duplicates
from services.reception.returning import find_returning

ROOT = Path(__file__).resolve().parents[2]
CASES = int(os.environ.get("GRIDDESK_BENCH_CASES", "1000000"))
ROUNDS = 200


def _database_dir() -> Path:
    folder = Path(os.environ.get("GRIDDESK_BENCH_DIR", "/tmp/griddesk-bench-1m"))
    if not (folder / DB_FILENAME).exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "main.py",
                "seed-demo",
                "--data-dir",
                str(folder),
                "--cases",
                str(CASES),
            ],
            cwd=ROOT,
            check=True,
        )
    return folder


def _median_seconds(fn: Callable[[int], object], rounds: int = ROUNDS) -> float:
    for i in range(5):  # warm the page cache and the statement cache
        fn(i)
    times = []
    for i in range(rounds):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_duplicate_check_and_returning_visitor_against_a_primary_key_read() -> None:
    db = open_database(_database_dir())
    try:
        with db.sessions() as session:
            total = session.scalar(select(func.count()).select_from(Case)) or 0
            assert total >= CASES * 0.99, f"the benchmark needs {CASES:,} cases, found {total:,}"
            clerk = Actor.from_user(
                session.scalar(select(User).where(User.username == "reception"))
            )
            rng = random.Random(7)
            newest = session.scalar(select(func.max(Case.created_at)))
            # Probes: recent cases in the clerk's street (their category, grid and position).
            probes = session.execute(
                select(
                    Case.id, Case.category_code, Case.grid_id, Case.lat, Case.lon, Case.created_at
                )
                .where(Case.org_unit_id >= "990101001", Case.org_unit_id < "990101001:")
                .where(Case.lat.is_not(None), Case.grid_id.is_not(None))
                .order_by(Case.created_at.desc())
                .limit(2000)
            ).all()
            probes = rng.sample(probes, ROUNDS)
            case_ids = [p.id for p in probes]
            phones = session.scalars(
                select(Visit.visitor_phone)
                .where(Visit.org_unit_id == "990101001", Visit.visitor_phone.is_not(None))
                .order_by(Visit.at.desc())
                .limit(2000)
            ).all()
            phones = rng.sample(list(phones), ROUNDS)

            def primary_key(i: int) -> object:
                session.expunge_all()
                return session.get(Case, case_ids[i % len(case_ids)])

            def duplicates(i: int) -> object:
                p = probes[i % len(probes)]
                return find_duplicates(
                    session,
                    clerk,
                    category_code=p.category_code,
                    org_unit_id=p.grid_id,
                    lat=p.lat,
                    lon=p.lon,
                    now=newest,
                )

            def returning(i: int) -> object:
                return find_returning(session, clerk, phone=phones[i % len(phones)])

            found = [len(duplicates(i)) for i in range(20)]
            assert any(found), "the probes found no duplicates at all: check the data"
            assert all(returning(i) is not None for i in range(20))
            base = _median_seconds(primary_key)
            dup = _median_seconds(duplicates)
            ret = _median_seconds(returning)
        print()
        print(f"cases: {total:,}")
        print(f"primary-key read of a case:  {base * 1e3:8.3f} ms (baseline)")
        print(f"duplicate check:             {dup * 1e3:8.3f} ms = {dup / base:6.1f} x baseline")
        print(f"returning-visitor look-up:   {ret * 1e3:8.3f} ms = {ret / base:6.1f} x baseline")
    finally:
        db.dispose()
