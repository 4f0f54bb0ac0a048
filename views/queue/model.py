"""The case table model: rows fetched from SQL a page at a time, sorted and
filtered by the database, never all loaded (a street can hold a million cases).

Pages are cached (least recently used first out) and dropped on refresh. The
remaining working time is computed per visible row with the work calendar.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from models.enums import CaseState, Urgency
from models.types import utcnow
from services import queue
from services.lookups import Names
from services.projection import STATE_LABELS

from ..formatting import label, local, working_days

Index = QModelIndex | QPersistentModelIndex

(
    COL_NUMBER,
    COL_TITLE,
    COL_CATEGORY,
    COL_STATE,
    COL_URGENCY,
    COL_ASSIGNEE,
    COL_ORG_UNIT,
    COL_CREATED,
    COL_DEADLINE,
    COL_REMAINING,
) = range(10)

SORT_KEYS = {
    COL_NUMBER: "number",
    COL_TITLE: "title",
    COL_CATEGORY: "category",
    COL_STATE: "state",
    COL_URGENCY: "urgency",
    COL_ASSIGNEE: "assignee",
    COL_ORG_UNIT: "org_unit",
    COL_CREATED: "created_at",
    COL_DEADLINE: "deadline",
    COL_REMAINING: "deadline",
}

NEAR_COLOUR = QColor("#fff3cd")
OVERDUE_COLOUR = QColor("#f8d7da")


class CaseTableModel(QAbstractTableModel):
    PAGE_SIZE = 200
    PAGES_KEPT = 12

    def __init__(self, ctx: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.filter = queue.QueueFilter()
        self.sort_key = "created_at"
        self.descending = True
        self._count = 0
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()
        self._now = utcnow()
        self.names = Names()
        self.headers = [
            self.tr("Case number"),
            self.tr("Title"),
            self.tr("Category"),
            self.tr("State"),
            self.tr("Urgency"),
            self.tr("Assignee"),
            self.tr("Area"),
            self.tr("Registered"),
            self.tr("Deadline"),
            self.tr("Working days left"),
        ]
        self.reload_names()

    # ---------------------------------------------------------------- loading
    def reload_names(self) -> None:
        with self.ctx.db.sessions() as session:
            self.names = Names.load(session)

    def refresh(self) -> None:
        """Count again and drop the cached pages (after a change, a sort or a filter)."""
        self.beginResetModel()
        self._now = utcnow()
        self._pages.clear()
        with self.ctx.db.sessions() as session:
            self._count = queue.count(session, self.ctx.actor, self.filter, self._now)
        self.endResetModel()

    def set_filter(self, flt: queue.QueueFilter) -> None:
        self.filter = flt
        self.refresh()

    def _page(self, number: int) -> list[Any]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        with self.ctx.db.sessions() as session:
            page = queue.page(
                session,
                self.ctx.actor,
                self.filter,
                self._now,
                self.sort_key,
                self.descending,
                offset=number * self.PAGE_SIZE,
                limit=self.PAGE_SIZE,
            )
        self._pages[number] = page
        while len(self._pages) > self.PAGES_KEPT:
            self._pages.popitem(last=False)
        return page

    def row_data(self, row: int) -> Any | None:
        if row < 0 or row >= self._count:
            return None
        page = self._page(row // self.PAGE_SIZE)
        offset = row % self.PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def case_id(self, row: int) -> str | None:
        data = self.row_data(row)
        return data.id if data is not None else None

    # ---------------------------------------------------------------- Qt API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_key = SORT_KEYS.get(column, "created_at")
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    def remaining(self, row: Any) -> float | None:
        if row.state not in queue.RUNNING_STATES or row.deadline is None:
            return None
        return self.ctx.calendar.working_days_between(self._now, row.deadline)

    def deadline_status(self, row: Any) -> str | None:
        """ "overdue", "near" (under a quarter of the allowed time left) or None."""
        remaining = self.remaining(row)
        if remaining is None:
            return None
        if remaining < 0 or row.deadline < self._now:
            return "overdue"
        if row.dispatched_at is not None:
            total = self.ctx.calendar.working_days_between(row.dispatched_at, row.deadline)
            if total > 0 and remaining < total / 4:
                return "near"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_data(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            status = self.deadline_status(row)
            if status == "overdue":
                return QBrush(OVERDUE_COLOUR)
            if status == "near":
                return QBrush(NEAR_COLOUR)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_TITLE:
                return row.title
            if column == COL_CATEGORY:
                return self.names.category_path(row.category_code)
            status = self.deadline_status(row)
            if status == "overdue":
                return self.tr("Overdue")
            if status == "near":
                return self.tr("Less than a quarter of the time is left")
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_REMAINING:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def _display(self, row: Any, column: int) -> str:
        if column == COL_NUMBER:
            return str(row.number)
        if column == COL_TITLE:
            return str(row.title)
        if column == COL_CATEGORY:
            return self.names.category(row.category_code)
        if column == COL_STATE:
            text = label(STATE_LABELS.get(row.state, row.state))
            if row.supervise_count:
                return self.tr("%1 · supervised").replace("%1", text)
            return text
        if column == COL_URGENCY:
            return self.tr("Urgent") if row.urgency == Urgency.URGENT else self.tr("Normal")
        if column == COL_ASSIGNEE:
            return self.names.assignee(row.assignee_type, row.assignee_id)
        if column == COL_ORG_UNIT:
            return self.names.org_unit(row.org_unit_id)
        if column == COL_CREATED:
            return local(row.created_at, "%m-%d %H:%M")
        if column == COL_DEADLINE:
            if row.state in (CaseState.CLOSED, CaseState.VOIDED):
                return ""
            return local(row.deadline, "%m-%d %H:%M")
        if column == COL_REMAINING:
            remaining = self.remaining(row)
            if remaining is None:
                return ""
            if remaining < 0:
                return self.tr("overdue %1").replace("%1", working_days(-remaining))
            return working_days(remaining)
        return ""

    def now(self) -> datetime:
        return self._now
