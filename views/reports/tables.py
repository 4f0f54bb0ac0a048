"""The assessment tables: one sortable Qt model per sheet of the bulletin.

The columns are the workbook's (``services.reports.figures``); each column's
kind says how to show its value, how to sort it (numbers as numbers, an empty
rate "—" below every real one) and whether to colour it (a rate below 90% in
red, the last place shaded), so the screen reads like the workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from services.cases.labels import STATE_LABELS
from services.reports.figures import (
    CATEGORY_COLUMNS,
    DAYS,
    FLAG,
    HANDLER_COLUMNS,
    OVERDUE_COLUMNS,
    RANK,
    RATE,
    SCORE,
    STATE,
    TEXT,
    TIME,
    UNIT_COLUMNS,
    Column,
    on_screen,
)
from services.reports.results import GOOD_RATE, CategoryRow, Figures, OverdueCase

from ..formatting import label, local

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
EMPTY = "—"
RED = QColor("#b00020")
LAST_PLACE = QColor("#ffe699")
SUBTOTAL = QColor("#eef2f7")


HANDLER, UNIT, OVERDUE, CATEGORY = "handler", "unit", "overdue", "category"
_COLUMNS = {
    HANDLER: HANDLER_COLUMNS,
    UNIT: UNIT_COLUMNS,
    OVERDUE: on_screen(OVERDUE_COLUMNS),
    CATEGORY: CATEGORY_COLUMNS,
}
"""The columns of each table: those of the workbook's sheet (services.reports.figures)."""


def _cell(item: Any, column: Column) -> Any:
    """The value a column shows for ``item`` (texts of the screen where they differ)."""
    value = column.value(item)
    if column.kind == STATE:
        return label(STATE_LABELS.get(value, value))
    if column.kind == FLAG:
        if value:
            return QCoreApplication.translate("ReportTables", "yes")
        return QCoreApplication.translate("ReportTables", "no")
    if isinstance(item, CategoryRow) and column.key == "name":
        if item.code is None:
            return QCoreApplication.translate("ReportTables", "subtotal")
        return value or QCoreApplication.translate("ReportTables", "(not subdivided)")
    if column.kind == TEXT and not value:
        return EMPTY
    return value


class ReportTableModel(QAbstractTableModel):
    """Rows of one table (Figures, OverdueCase or CategoryRow), read-only."""

    def __init__(self, kind: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.columns = _COLUMNS[kind]
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
            return label(self.columns[section].title)
        return None

    def value(self, row: int, column: int) -> Any:
        return _cell(self.rows[row], self.columns[column])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.rows[index.row()]
        column = self.columns[index.column()]
        value = _cell(item, column)
        kind = column.kind
        if role == Qt.ItemDataRole.DisplayRole:
            return _show(value, kind)
        if role == SORT_ROLE:
            return _sort_key(value, kind)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if kind in (TEXT, STATE, FLAG):
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            if value is None or kind == RANK:
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if kind == RATE and value is not None and value < GOOD_RATE:
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
    if kind == RATE:
        return f"{value * 100:.1f}%"
    if kind == DAYS:
        return f"{value:.1f}"
    if kind == SCORE:
        return f"{value:.2f}"
    if kind == TIME:
        return local(value)
    return str(value)


def _sort_key(value: Any, kind: str) -> Any:
    if kind in (TEXT, STATE, FLAG):
        return "" if value is None else str(value)
    if kind == TIME:
        return value.timestamp() if value is not None else float("inf")
    if kind == RANK:
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
