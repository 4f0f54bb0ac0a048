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

from services.i18n import QT_TRANSLATE_NOOP

from ..cli_text import EXIT_USAGE, error_text, translate
from .bulletin_formats import add_format_argument, format_of
from .bulletin_formats import export as export_other
from .common import open_db_or_exit

NAME = "export-bulletin"
HELP = QT_TRANSLATE_NOOP("cli", "write the half-monthly bulletin workbook (半月通报) of a period")
EXAMPLES = (
    "export-bulletin --data-dir D:\\griddesk --period last --out 通报.xlsx",
    "export-bulletin --data-dir D:\\griddesk --period 2026-11-H1 --format docx --out 通报.docx",
    "export-bulletin --data-dir D:\\griddesk --list-units",
    "export-bulletin --data-dir D:\\griddesk --period 2026-11 --scope 990101001 --out 长河.xlsx",
)
EXIT_FAILED = EXIT_USAGE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--period",
        default=None,
        metavar="PERIOD",
        help=translate(
            "cli",
            "YYYY-MM-H1 (1st-15th), YYYY-MM-H2 (16th-end), YYYY-MM, YYYY-MM-DD..YYYY-MM-DD, "
            "or last (the last complete half-month)",
        ),
    )
    parser.add_argument(
        "--scope",
        default=None,
        metavar="UNIT_CODE",
        help=translate(
            "cli",
            "the code of the street or community to report (default: what this data folder "
            "holds); --list-units or --scope help lists the codes",
        ),
    )
    parser.add_argument(
        "--list-units",
        action="store_true",
        help=translate(
            "cli", "list the scopes this data folder can report, by code and name, and exit"
        ),
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE",
        help=translate("cli", "the file to write (.xlsx, .docx or .pdf)"),
    )
    parser.add_argument("--quiet", action="store_true", help=translate("cli", "no progress output"))
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
        print(
            translate(
                "cli",
                "--period and --out are required (or --list-units), for example "
                "--period last --out 通报.xlsx",
            ),
            file=sys.stderr,
        )
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
        print(error_text(exc), file=sys.stderr)
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
        print(error_text(exc), file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(
            translate("cli", "cannot write {path}: {reason}").format(
                path=out, reason=exc.strerror or exc
            ),
            file=sys.stderr,
        )
        return EXIT_FAILED
    finally:
        db.dispose()
    t = assessment.totals
    if assessment.as_of is not None:
        at = assessment.as_of.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        print(
            translate("cli", "warning: {period} has not ended; the figures go up to {at}").format(
                period=period.key, at=at
            )
        )
    if assessment.fallback_years:
        years = ", ".join(str(y) for y in assessment.fallback_years)
        print(
            translate(
                "cli",
                "warning: no holiday calendar for {years}; working days counted Monday-Friday",
            ).format(years=years)
        )
    text = translate(
        "cli",
        "{out}: {title} — {created:,} registered, {due:,} due, {closed:,} closed, "
        "{overdue:,} overdue",
    )
    print(
        text.format(
            out=out,
            title=assessment.title,
            created=t.created,
            due=t.due,
            closed=t.closed,
            overdue=t.overdue,
        )
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
            translate(
                "cli",
                "this data folder holds no street's or community's complete cases; "
                "the bulletin comes from the county centre (python -m county_server "
                "export-bulletin)",
            ),
            file=sys.stderr,
        )
        return EXIT_FAILED
    width = max(len(u.id) for u in units)
    for unit in units:
        indent = "  " * (len(unit.id) // 3 - 2)
        mark = "  " + translate("cli", "(default)") if unit.id == default else ""
        print(f"{unit.id:<{width}}  {indent}{unit.name}{mark}")
    return 0
