"""``seed-demo --data-dir DIR [--cases N] [--today YYYY-MM-DD]``: the demo district with N cases.

The same arguments on the same day give the district of the county server's
``seed-demo`` (services/demo/anchor.py), so the two can sync.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from services.demo.anchor import DEFAULT_CASES

from .common import open_db_or_exit

NAME = "seed-demo"
HELP = "create the demo district with N cases"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cases", type=int, default=DEFAULT_CASES, help=f"default {DEFAULT_CASES}, as the county's"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        help="YYYY-MM-DD: the history ends at 00:00 (Beijing) of that day (default: today)",
    )


def run(args: argparse.Namespace) -> int:
    from services.demo.generator import seed_demo
    from services.errors import DomainError

    if args.cases < 0:
        print("--cases must be 0 or more", file=sys.stderr)
        return 2
    db = open_db_or_exit(args, must_exist=False)  # seeding makes the database
    started = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 2 or done == total:
            last[0] = now
            print(f"  {done:>9,} / {total:,} cases  ({now - started:.0f} s)", flush=True)

    try:
        summary = seed_demo(
            db, cases=args.cases, seed=args.seed, today=args.today, progress=progress
        )
    except DomainError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print(
        f"demo district in {args.data_dir}: {summary.org_units} org units, {summary.departments} departments, "
        f"{summary.users} users, {summary.cases:,} cases, {summary.events:,} events, {summary.visits:,} visits "
        f"up to 00:00 of {summary.today} (Beijing) in {summary.seconds:.1f} s"
    )
    return 0
