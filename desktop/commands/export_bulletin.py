"""``export-bulletin --data-dir DIR --period YYYY-MM-H1|YYYY-MM-H2 [--scope ORG_UNIT_ID] --out FILE.xlsx``

For scheduled exports (cron, Task Scheduler): computes the assessment of the
period and writes the bulletin workbook. It runs with the data folder's own
authority, like the other maintenance commands: whoever may read the data
folder may read its figures. ``--period last`` is the last complete half-month.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import open_db_or_exit

NAME = "export-bulletin"
HELP = "write the half-monthly bulletin workbook (半月通报) of a period"

EXIT_FAILED = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--period",
        required=True,
        help="YYYY-MM-H1, YYYY-MM-H2, YYYY-MM, YYYY-MM-DD..YYYY-MM-DD, or 'last' "
        "(the last complete half-month)",
    )
    parser.add_argument("--scope", default=None, help="org unit id (default: the whole county)")
    parser.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def run(args: argparse.Namespace) -> int:
    from models.types import utcnow
    from services.errors import DomainError
    from services.reports.bulletin import SCHEDULED_EXPORT_ACTOR, export_bulletin
    from services.reports.periods import last_complete_half_month, parse_period
    from services.worktime.workdays import load_calendar

    out: Path = args.out
    if out.suffix.lower() != ".xlsx":
        print("--out must name an .xlsx file", file=sys.stderr)
        return EXIT_FAILED
    try:
        period = (
            last_complete_half_month(utcnow())
            if args.period.strip().lower() == "last"
            else parse_period(args.period)
        )
    except DomainError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    db = open_db_or_exit(args)
    shown = [-1]

    def progress(done: int, total: int) -> None:
        if args.quiet or not total:
            return
        percent = done * 100 // total
        if percent // 10 != shown[0]:
            shown[0] = percent // 10
            print(f"  {percent:3d}%  {done:,} / {total:,}", flush=True)

    try:
        with db.session() as session:  # commits the archive record
            calendar = load_calendar(session)
            assessment = export_bulletin(
                session,
                SCHEDULED_EXPORT_ACTOR,
                period,
                calendar,
                out,
                args.scope,
                progress=progress,
            )
    except DomainError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"cannot write {out}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        db.dispose()
    t = assessment.totals
    if assessment.fallback_years:
        years = ", ".join(str(y) for y in assessment.fallback_years)
        print(f"warning: no holiday calendar for {years}; working days counted Monday-Friday")
    print(
        f"{out}: {assessment.title} — {t.created:,} registered, {t.due:,} due, "
        f"{t.closed:,} closed, {t.overdue:,} overdue"
    )
    return 0
