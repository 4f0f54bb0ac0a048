"""The assessment tables: one sortable Qt model per sheet of the bulletin.

Each column knows how to show its value, how to sort it (numbers as numbers,
an empty rate "—" below every real one) and whether to colour it (a rate below
90% in red, the last place shaded), so the screen reads like the workbook.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from services.cases.projection import STATE_LABELS
from services.reports.results import GOOD_RATE, CategoryRow, Figures, OverdueCase

from ..formatting import label, local

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
EMPTY = "—"
RED = QColor("#b00020")
LAST_PLACE = QColor("#ffe699")
SUBTOTAL = QColor("#eef2f7")


def tr(text: str) -> str:
    return QCoreApplication.translate("ReportTables", text)


@dataclass(frozen=True)
class Column:
    title: str  # English source, translated in the "ReportTables" context
    get: Callable[[Any], Any]
    kind: str = "count"  # count | rate | days | score | rank | text | time


def _handler_columns() -> list[Column]:
    return [
        Column(QT_TRANSLATE_NOOP("ReportTables", "Rank"), lambda f: f.rank, "rank"),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Unit"), lambda f: f.name, "text"),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Dispatched"), lambda f: f.dispatched),
        Column(
            QT_TRANSLATE_NOOP("ReportTables", "Signed for in time"), lambda f: f.ack_rate, "rate"
        ),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Cases due"), lambda f: f.due),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Cases closed"), lambda f: f.closed),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Closed on time"), lambda f: f.on_time),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Closure rate"), lambda f: f.closure_rate, "rate"),
        Column(QT_TRANSLATE_NOOP("ReportTables", "On-time rate"), lambda f: f.on_time_rate, "rate"),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Cases overdue"), lambda f: f.overdue),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Rework"), lambda f: f.rework),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Returned"), lambda f: f.returned),
        Column(
            QT_TRANSLATE_NOOP("ReportTables", "Mean handling time (working days)"),
            lambda f: f.mean_days,
            "days",
        ),
        Column(
            QT_TRANSLATE_NOOP("ReportTables", "Satisfaction"), lambda f: f.satisfaction_rate, "rate"
        ),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Score"), lambda f: f.score, "score"),
    ]


def _unit_columns() -> list[Column]:
    return [
        Column(QT_TRANSLATE_NOOP("ReportTables", "Rank"), lambda f: f.rank, "rank"),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Unit"), lambda f: f.name, "text"),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Cases registered"), lambda f: f.created),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Cases due"), lambda f: f.due),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Cases closed"), lambda f: f.closed),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Closed on time"), lambda f: f.on_time),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Closure rate"), lambda f: f.closure_rate, "rate"),
        Column(QT_TRANSLATE_NOOP("ReportTables", "On-time rate"), lambda f: f.on_time_rate, "rate"),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Cases overdue"), lambda f: f.overdue),
        Column(
            QT_TRANSLATE_NOOP("ReportTables", "Mean handling time (working days)"),
            lambda f: f.mean_days,
            "days",
        ),
        Column(
            QT_TRANSLATE_NOOP("ReportTables", "Satisfaction"), lambda f: f.satisfaction_rate, "rate"
        ),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Score"), lambda f: f.score, "score"),
    ]


def _overdue_columns() -> list[Column]:
    return [
        Column(QT_TRANSLATE_NOOP("ReportTables", "Case number"), lambda c: c.number, "text"),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Category"), lambda c: c.category, "text"),
        Column(
            QT_TRANSLATE_NOOP("ReportTables", "Assignee"), lambda c: c.assignee or EMPTY, "text"
        ),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Deadline"), lambda c: c.deadline, "time"),
        Column(
            QT_TRANSLATE_NOOP("ReportTables", "Overdue (working days)"),
            lambda c: c.overdue_days,
            "days",
        ),
        Column(
            QT_TRANSLATE_NOOP("ReportTables", "State at the period's end"),
            lambda c: label(STATE_LABELS.get(c.state, c.state)),
            "text",
        ),
        Column(
            QT_TRANSLATE_NOOP("ReportTables", "Supervised"),
            lambda c: (
                QCoreApplication.translate("ReportTables", "yes")
                if c.supervised
                else QCoreApplication.translate("ReportTables", "no")
            ),
            "text",
        ),
    ]


def _category_columns() -> list[Column]:
    return [
        Column(QT_TRANSLATE_NOOP("ReportTables", "Category"), lambda r: r.parent_name, "text"),
        Column(
            QT_TRANSLATE_NOOP("ReportTables", "Subcategory"),
            lambda r: (
                QCoreApplication.translate("ReportTables", "subtotal")
                if r.code is None
                else (r.name or QCoreApplication.translate("ReportTables", "(not subdivided)"))
            ),
            "text",
        ),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Cases registered"), lambda r: r.created),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Cases closed"), lambda r: r.closed),
        Column(QT_TRANSLATE_NOOP("ReportTables", "Cases overdue"), lambda r: r.overdue),
    ]


HANDLER, UNIT, OVERDUE, CATEGORY = "handler", "unit", "overdue", "category"
_COLUMNS = {
    HANDLER: _handler_columns,
    UNIT: _unit_columns,
    OVERDUE: _overdue_columns,
    CATEGORY: _category_columns,
}


class ReportTableModel(QAbstractTableModel):
    """Rows of one table (Figures, OverdueCase or CategoryRow), read-only."""

    def __init__(self, kind: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.columns = _COLUMNS[kind]()
        self.rows: Sequence[Any] = []

    def set_rows(self, rows: Sequence[Figures | OverdueCase | CategoryRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(self.columns[section].title)
        return None

    def value(self, row: int, column: int) -> Any:
        return self.columns[column].get(self.rows[row])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.rows[index.row()]
        column = self.columns[index.column()]
        value = column.get(item)
        kind = column.kind
        if role == Qt.ItemDataRole.DisplayRole:
            return _show(value, kind)
        if role == SORT_ROLE:
            return _sort_key(value, kind)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if kind == "text":
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            if value is None or kind == "rank":
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if kind == "rate" and value is not None and value < GOOD_RATE:
                return QBrush(RED)
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if isinstance(item, Figures) and item.last_place:
                return QBrush(LAST_PLACE)
            if isinstance(item, CategoryRow) and item.code is None:
                return QBrush(SUBTOTAL)
            return None
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(item, Figures) and item.last_place:
            return QCoreApplication.translate("ReportTables", "Last place in this period")
        return None


def _show(value: Any, kind: str) -> str:
    if value is None:
        return EMPTY
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "days":
        return f"{value:.1f}"
    if kind == "score":
        return f"{value:.2f}"
    if kind == "time":
        return local(value)
    return str(value)


def _sort_key(value: Any, kind: str) -> Any:
    if kind in ("text",):
        return "" if value is None else str(value)
    if kind == "time":
        return value.timestamp() if value is not None else float("inf")
    if kind == "rank":
        return value if value is not None else 1_000_000  # unranked rows last
    return -1.0 if value is None else float(value)  # "—" below every real value


class ReportSortProxy(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)

    def lessThan(self, left: Index, right: Index) -> bool:
        a = self.sourceModel().data(left, SORT_ROLE)
        b = self.sourceModel().data(right, SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)
