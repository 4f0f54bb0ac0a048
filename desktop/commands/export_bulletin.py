"""``export-bulletin --data-dir DIR --period YYYY-MM-H1|YYYY-MM-H2 [--scope ORG_UNIT_ID] --out FILE.xlsx``

For scheduled exports (cron, Task Scheduler): computes the assessment of the
period and writes the bulletin workbook. It runs with the data folder's own
authority, like the other maintenance commands: whoever may read the data
folder may read its figures. ``--period last`` is the last complete half-month.

Without ``--scope`` it reports what the data folder holds completely (a street
desk: its street; services/reports/coverage.py); a scope it holds only in part
(the county on a street desk) and a period that has not begun are refused, and
an unfinished period is marked as such. ``--list-units`` (or ``--scope help``)
lists the scopes it can report, by code and name.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .bulletin_formats import add_format_argument, format_of
from .bulletin_formats import export as export_other
from .common import open_db_or_exit

NAME = "export-bulletin"
HELP = "write the half-monthly bulletin workbook (半月通报) of a period"

EXIT_FAILED = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--period",
        default=None,
        help="YYYY-MM-H1, YYYY-MM-H2, YYYY-MM, YYYY-MM-DD..YYYY-MM-DD, or 'last' "
        "(the last complete half-month)",
    )
    parser.add_argument(
        "--scope",
        default=None,
        help="org unit code (default: what this data folder holds; 'help' lists the choices)",
    )
    parser.add_argument(
        "--list-units",
        action="store_true",
        help="list the scopes this data folder can report, by code and name, and exit",
    )
    parser.add_argument("--out", type=Path, default=None, help="the .xlsx file to write")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from models.types import utcnow
    from services.errors import DomainError
    from services.reports.bulletin import SCHEDULED_EXPORT_ACTOR, export_bulletin
    from services.reports.periods import last_complete_half_month, parse_period
    from services.worktime.workdays import SHANGHAI, load_calendar

    if args.list_units or (args.scope or "").strip().lower() == "help":
        return list_units(args)
    if args.period is None or args.out is None:
        print("--period and --out are required (or --list-units)", file=sys.stderr)
        return EXIT_FAILED
    out: Path = args.out
    fmt = format_of(args)
    if fmt is None:
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
    if fmt != "xlsx":
        return export_other(args, period, fmt)
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
    if assessment.as_of is not None:
        at = assessment.as_of.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        print(f"warning: {period.key} has not ended; the figures go up to {at}")
    if assessment.fallback_years:
        years = ", ".join(str(y) for y in assessment.fallback_years)
        print(f"warning: no holiday calendar for {years}; working days counted Monday-Friday")
    print(
        f"{out}: {assessment.title} — {t.created:,} registered, {t.due:,} due, "
        f"{t.closed:,} closed, {t.overdue:,} overdue"
    )
    return 0


def list_units(args: argparse.Namespace) -> int:
    """Print the scopes ``--scope`` accepts here: code, level and name, one a line."""
    from services.reports.bulletin import SCHEDULED_EXPORT_ACTOR
    from services.reports.coverage import default_scope, scopes_held

    db = open_db_or_exit(args)
    try:
        with db.sessions() as session:
            units = scopes_held(session, SCHEDULED_EXPORT_ACTOR)
            default = default_scope(session, SCHEDULED_EXPORT_ACTOR)
    finally:
        db.dispose()
    if not units:
        print(
            "this data folder holds no street's or community's complete cases; "
            "the bulletin comes from the county centre (python -m county_server export-bulletin)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    width = max(len(u.id) for u in units)
    for unit in units:
        indent = "  " * (len(unit.id) // 3 - 2)
        mark = "  (default)" if unit.id == default else ""
        print(f"{unit.id:<{width}}  {indent}{unit.name}{mark}")
    return 0
