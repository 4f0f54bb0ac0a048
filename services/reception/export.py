"""The history of visits as an .xlsx workbook (masked, never an ID number)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.cases.permissions import Actor
from services.i18n import QT_TRANSLATE_NOOP
from services.reception.history import VisitSearch, search_visits
from services.reception.labels import OUTCOME_LABELS, PURPOSE_LABELS
from services.worktime.workdays import SHANGHAI

EXPORT_HEADERS = (
    QT_TRANSLATE_NOOP("services", "Time"),
    QT_TRANSLATE_NOOP("services", "Visitor"),
    QT_TRANSLATE_NOOP("services", "Phone"),
    QT_TRANSLATE_NOOP("services", "Purpose"),
    QT_TRANSLATE_NOOP("services", "Outcome"),
    QT_TRANSLATE_NOOP("services", "Case number"),
    QT_TRANSLATE_NOOP("services", "Summary"),
)


def export_visits(
    session: Session,
    actor: Actor,
    search: VisitSearch,
    path: Any,
    translate: Any = None,
) -> int:
    """Write the visits found by ``search`` to an .xlsx file; returns the row count.

    Exports carry the masked name and phone and never an ID number (docs/trust.md
    "Each role receives what it needs"). ``translate`` turns the marked header and label texts
    into the reader's language (identity when not given).
    """
    from openpyxl import Workbook

    from services.reports.exports import literal_workbook

    tr = translate or (lambda text: text)
    rows = search_visits(session, actor, search)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "visits"
    sheet.append([tr(h) for h in EXPORT_HEADERS])
    for row in rows:
        sheet.append(
            [
                row.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                row.masked_name,
                row.masked_phone,
                tr(PURPOSE_LABELS.get(row.purpose, row.purpose)),
                tr(OUTCOME_LABELS.get(row.outcome, row.outcome)),
                row.case_number or "",
                row.summary,
            ]
        )
    for column, width in zip("ABCDEFG", (17, 10, 14, 10, 14, 26, 60), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    literal_workbook(book)  # a summary or case number starting with "=" stays text
    book.save(path)
    return len(rows)
