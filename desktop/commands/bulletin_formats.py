"""``export-bulletin --format docx|pdf``: the 通报 document and the bulletin as PDF.

The workbook (``--format xlsx``, the default) stays in export_bulletin.py; this
module writes the other two. ``docx`` renders the 通报 from the data folder's
``templates/bulletin-notice.docx`` when there is one, else the shipped template
(services/reports/notice.py); ``pdf`` prints the workbook with LibreOffice where
it is installed, else lays the same figures out with Qt (views/reports/pdf.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..cli_text import EXIT_USAGE, error_text, translate
from .common import open_db_or_exit

if TYPE_CHECKING:
    from services.reports.periods import Period

FORMATS = ("xlsx", "docx", "pdf")
EXIT_FAILED = EXIT_USAGE


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help=translate(
            "cli",
            "xlsx: the workbook; docx: the 通报 document (Word); pdf: the workbook printed "
            "to PDF (default: from --out's extension)",
        ),
    )


def format_of(args: argparse.Namespace) -> str | None:
    """The format asked for, checked against ``--out``'s extension; None (said why) if they differ."""
    suffix = Path(args.out).suffix.lower().lstrip(".")
    chosen = getattr(args, "format", None) or (suffix if suffix in FORMATS else "xlsx")
    if suffix != chosen:
        print(
            translate("cli", "--out must name a .{format} file").format(format=chosen),
            file=sys.stderr,
        )
        return None
    return str(chosen)


def export(args: argparse.Namespace, period: Period, fmt: str) -> int:
    """Write the 通报 (docx) or the PDF of ``period``; 0 on success, 2 with a message if not."""
    from services.errors import DomainError
    from services.reports.assessment import assess
    from services.reports.bulletin import SCHEDULED_EXPORT_ACTOR
    from services.reports.notice import write_notice
    from services.reports.pdf import export_pdf, find_soffice
    from services.worktime.workdays import load_calendar

    out: Path = args.out
    actor = SCHEDULED_EXPORT_ACTOR
    db = open_db_or_exit(args)
    how = ""
    try:
        with db.sessions() as session:
            calendar = load_calendar(session)
            assessment = assess(session, actor, period, calendar, args.scope)
            if fmt == "docx":
                write_notice(session, actor, assessment, calendar, out, data_dir=args.data_dir)
                how = translate("cli", "通报 (Word)")
            else:
                render = None
                if find_soffice() is None:
                    from views.reports.pdf import ensure_gui_application, render_html_pdf

                    ensure_gui_application()
                    render = render_html_pdf
                how = export_pdf(actor, assessment, out, render_html=render)
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
    text = translate(
        "cli",
        "{out}: {title} ({how}) — {created:,} registered, {due:,} due, {closed:,} closed, "
        "{overdue:,} overdue",
    )
    print(
        text.format(
            out=out,
            title=assessment.title,
            how=how,
            created=t.created,
            due=t.due,
            closed=t.closed,
            overdue=t.overdue,
        )
    )
    return 0
