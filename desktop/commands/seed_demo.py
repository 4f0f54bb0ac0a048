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
from services.i18n import QT_TRANSLATE_NOOP

from ..cli_text import EXIT_USAGE, error_text, translate
from .common import open_db_or_exit

NAME = "seed-demo"
HELP = QT_TRANSLATE_NOOP("cli", "create the demo district with N cases")
EXAMPLES = ("seed-demo --data-dir demo --cases 300", "seed-demo --data-dir demo --today 2026-11-16")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cases",
        type=_count,
        default=DEFAULT_CASES,
        metavar="N",
        help=translate("cli", "how many cases (default {n}, as the county's)").format(
            n=DEFAULT_CASES
        ),
    )
    parser.add_argument(
        "--seed",
        type=_count,
        default=2026,
        metavar="N",
        help=translate("cli", "the random seed (the same seed gives the same district)"),
    )
    parser.add_argument(
        "--today",
        type=_day,
        metavar="YYYY-MM-DD",
        help=translate("cli", "the history ends at 00:00 (Beijing) of that day (default: today)"),
    )


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(
            translate("cli", "{value!r} is not a whole number of 0 or more").format(value=value)
        )
    return number


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            translate("cli", "{value!r} is not a date like 2026-11-16").format(value=value)
        ) from None


def run(args: argparse.Namespace) -> int:
    from services.demo.generator import seed_demo
    from services.errors import DomainError

    db = open_db_or_exit(args, must_exist=False)  # seeding makes the database
    started = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 2 or done == total:
            last[0] = now
            text = translate("cli", "  {done:>9,} / {total:,} cases  ({seconds:.0f} s)")
            print(text.format(done=done, total=total, seconds=now - started), flush=True)

    try:
        summary = seed_demo(
            db, cases=args.cases, seed=args.seed, today=args.today, progress=progress
        )
    except DomainError as exc:
        print(error_text(exc), file=sys.stderr)
        return EXIT_USAGE
    finally:
        db.dispose()
    text = translate(
        "cli",
        "demo district in {folder}: {units} org units, {departments} departments, {users} "
        "users, {cases:,} cases, {events:,} events, {visits:,} visits up to 00:00 of {today} "
        "(Beijing) in {seconds:.1f} s",
    )
    print(
        text.format(
            folder=args.data_dir,
            units=summary.org_units,
            departments=summary.departments,
            users=summary.users,
            cases=summary.cases,
            events=summary.events,
            visits=summary.visits,
            today=summary.today,
            seconds=summary.seconds,
        )
    )
    return 0
