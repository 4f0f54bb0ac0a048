"""The queue table's columns: which are shown, how wide, remembered per user.

The case number is always shown and always wide enough for a whole number; the
title takes the room that is left. The person chooses the other columns from the
header's context menu; the choice, the widths and the order are kept in the
preferences under the user's id, so two clerks sharing a PC keep their own.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint, QSettings, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QMenu, QTableView

from .model import (
    COL_ASSIGNEE,
    COL_CATEGORY,
    COL_CREATED,
    COL_DEADLINE,
    COL_NUMBER,
    COL_ORG_UNIT,
    COL_REMAINING,
    COL_STATE,
    COL_TITLE,
    COL_URGENCY,
)

ALWAYS_SHOWN = frozenset({COL_NUMBER, COL_TITLE})
HIDDEN_BY_DEFAULT = frozenset({COL_URGENCY, COL_ORG_UNIT, COL_CREATED})
WIDTHS = {
    COL_CATEGORY: 104,
    COL_STATE: 76,
    COL_URGENCY: 60,
    COL_ASSIGNEE: 132,
    COL_ORG_UNIT: 120,
    COL_CREATED: 126,
    COL_DEADLINE: 126,
    COL_REMAINING: 108,
}
NUMBER_TEMPLATE = "{d}{d}{d}{d}{d}{d}{d}{d}{d}-{d}{d}{d}{d}{d}{d}{d}{d}-{d}{d}{d}{d}"
"""A case number's shape: the org unit's code, the date, the day's sequence."""
CELL_PADDING = 24


def number_width(metrics: QFontMetrics) -> int:
    """The width that shows any case number whole, whatever the digits' widths."""
    widest = max(
        metrics.horizontalAdvance(NUMBER_TEMPLATE.format(d=digit)) for digit in "0123456789"
    )
    return widest + CELL_PADDING


def _key(user_id: str, name: str) -> str:
    return f"queue/{user_id}/{name}"


class ColumnSettings(QObject):
    """Applies and remembers one user's columns on the queue table."""

    def __init__(self, table: QTableView, store: QSettings, user_id: str) -> None:
        super().__init__(table)
        self.table = table
        self.store = store
        self.user_id = user_id
        header = table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self.show_menu)
        table.installEventFilter(self)

    # ---------------------------------------------------------------- applying
    def apply(self) -> None:
        """Default widths, then the user's saved widths and order, then the
        user's choice of columns; the number column always fits."""
        header = self.table.horizontalHeader()
        for column, width in WIDTHS.items():
            self.table.setColumnWidth(column, width)
        saved = self.store.value(_key(self.user_id, "header"))
        if isinstance(saved, QByteArray) and not saved.isEmpty():
            header.restoreState(saved)
        hidden = self.hidden_columns()
        for column in range(header.count()):
            self.table.setColumnHidden(column, column in hidden)
        header.setSectionResizeMode(COL_NUMBER, QHeaderView.ResizeMode.Fixed)
        self.fit_number()
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        if header.visualIndex(COL_NUMBER) != 0:
            header.moveSection(header.visualIndex(COL_NUMBER), 0)
        header.sectionResized.connect(lambda *_: self.save())
        header.sectionMoved.connect(lambda *_: self.save())

    def fit_number(self) -> None:
        """The number column as wide as a whole number in the table's font (again
        after the style sheet or the font changed)."""
        self.table.setColumnWidth(COL_NUMBER, number_width(self.table.fontMetrics()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange, QEvent.Type.Show):
            self.fit_number()
        return False

    def hidden_columns(self) -> set[int]:
        value = self.store.value(_key(self.user_id, "hidden"))
        if value is None:
            return set(HIDDEN_BY_DEFAULT)
        items = value if isinstance(value, list) else [value] if value != "" else []
        hidden = set()
        for item in items:
            try:
                column = int(item)
            except (TypeError, ValueError):
                continue
            if column not in ALWAYS_SHOWN:
                hidden.add(column)
        return hidden

    # ---------------------------------------------------------------- choosing
    def set_shown(self, column: int, shown: bool) -> None:
        if column in ALWAYS_SHOWN:
            return
        self.table.setColumnHidden(column, not shown)
        hidden = sorted(
            c for c in range(self.table.model().columnCount()) if self.table.isColumnHidden(c)
        )
        self.store.setValue(_key(self.user_id, "hidden"), [str(c) for c in hidden] or "")
        self.save()

    def show_menu(self, pos: QPoint) -> QMenu:
        """The header's context menu: a check per column (number and title fixed)."""
        menu = self.menu()
        header = self.table.horizontalHeader()
        menu.popup(header.mapToGlobal(pos))
        return menu

    def menu(self) -> QMenu:
        menu = QMenu(self.table)
        menu.setObjectName("queueColumnsMenu")
        model = self.table.model()
        for column in range(model.columnCount()):
            title = str(model.headerData(column, Qt.Orientation.Horizontal))
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(column))
            action.setEnabled(column not in ALWAYS_SHOWN)
            action.toggled.connect(lambda on, c=column: self.set_shown(c, on))
        return menu

    def save(self) -> None:
        self.store.setValue(_key(self.user_id, "header"), self.table.horizontalHeader().saveState())
