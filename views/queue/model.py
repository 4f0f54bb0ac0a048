"""The case table model: rows fetched from SQL a page at a time, sorted and
filtered by the database, never all loaded (a street can hold a million cases).

Pages are cached (least recently used first out, at most ``PAGES_KEPT``) and
dropped on refresh. Every page but the first is one keyset seek per segment of
the sort (``services.cases.queue.page``): the page after a cached page seeks
past its last row, the page before a cached page seeks back from its first row,
and a page reached by a jump (dragging the scroll bar) seeks past the sampled
key of the row before it. The samples — the sort keys of every ``PAGE_SIZE``-th
row — are read in the background next to the count, after every refresh; until
they arrive a jump falls back to OFFSET. The remaining working time is computed
per visible row with the work calendar; the colour (near: under a quarter of
the span left; overdue) uses the same rule as the SQL filters, in natural time.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from models.enums import CaseState, Urgency
from models.types import utcnow
from services.cases import queue, queue_clauses
from services.cases.labels import STATE_LABELS
from services.cases.lookups import Names

from ..context import ViewContext
from ..formatting import LINE_LIMIT, TITLE_LIMIT, clean, label, local, plain_tip, working_days
from ..tasks import Op
from . import ops

log = logging.getLogger(__name__)

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
    COL_REMAINING: "due",
}

NEAR_COLOUR = QColor("#fff3cd")
OVERDUE_COLOUR = QColor("#f8d7da")


class CaseTableModel(QAbstractTableModel):
    count_changed = Signal(int)
    PAGE_SIZE = 200
    PAGES_KEPT = 12

    def __init__(self, ctx: ViewContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.filter = queue.QueueFilter()
        self.sort_key = queue.DEFAULT_SORT
        self.descending = False
        self.base_filter = queue.QueueFilter()  # the handler's bucket, under the panel's filter
        self._count = 0
        self._count_op: Op[int] | None = None
        self._samples_op: Op[list[tuple[Any, ...]]] | None = None
        self._samples: list[tuple[Any, ...]] | None = None
        self.counting = False
        self.deferred = False  # while the screen is built: remember the sort, fetch nothing
        self._counted_for: queue.QueueFilter | None = None
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()
        self._now = utcnow()
        self.names = Names()
        self.headers = [
            self.tr("Case number"),
            self.tr("Title"),
            self.tr("Category"),
            self.tr("Case state"),
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
        self.names = ops.names(self.ctx)  # the small reference tables: a few ms

    def effective_filter(self) -> queue.QueueFilter:
        if self.base_filter.bucket:
            return self.filter.replace(bucket=self.base_filter.bucket)
        return self.filter

    def refresh(self, keep_count: bool = True, recount: bool = True) -> None:
        """Drop the cached pages and show the first page at once (after a change,
        a sort or a filter); the total is counted in the background.

        Until the count arrives the table keeps the previous total (a sort or a
        change elsewhere rarely changes it much, and the scroll position stays
        put) or, after a new filter, as many rows as the first page holds.
        """
        self.beginResetModel()
        self._now = utcnow()
        self._pages.clear()
        self._samples = None
        if self._count_op is not None:
            self._count_op.cancel()  # its total belongs to the rows before this refresh
        if self._samples_op is not None:
            self._samples_op.cancel()
        first = self._page(0)
        if len(first) < self.PAGE_SIZE:
            self._count = len(first)
            self.counting = False
            self._counted_for = self.effective_filter()
        elif not recount and self._counted_for == self.effective_filter():
            self.counting = False  # a new order of the same rows: the total stands
        else:
            self._count = max(len(first), self._count if keep_count else 0)
            self.counting = True
        self.endResetModel()
        if self.counting:
            self._count_in_background()
        if len(first) == self.PAGE_SIZE:
            self._sample_in_background()

    def _sample_in_background(self) -> None:
        """The sort keys of every page's last row, for jumps; a newer refresh cancels this."""
        ctx, flt, now = self.ctx, self.effective_filter(), self._now
        sort_key, descending, every = self.sort_key, self.descending, self.PAGE_SIZE

        def done(samples: list[tuple[Any, ...]]) -> None:
            self._samples = samples

        def failed(exc: BaseException) -> None:
            log.warning("sampling the queue's sort keys failed: %s", exc)

        self._samples_op = (
            Op.controlled(
                self,
                lambda control: ops.sample_keys(
                    ctx, flt, now, sort_key, descending, every, lambda: control.cancelled
                ),
                key="samples",
            )
            .success(done)
            .failure(failed)
            .run_in_background()
        )

    @property
    def sampling(self) -> bool:
        """True while the sort keys for jumps are being read."""
        return self._samples_op is not None and self._samples_op.pending

    def _count_in_background(self) -> None:
        """The total under the current filter; a newer refresh cancels this one."""
        ctx, flt, now = self.ctx, self.effective_filter(), self._now

        def done(total: int) -> None:
            self.counting = False
            self._counted_for = flt
            self._set_count(total)

        def failed(exc: BaseException) -> None:
            self.counting = False
            log.warning("counting the queue failed: %s", exc)

        self._count_op = (
            Op(self, lambda: ops.total(ctx, flt, now), key="total")
            .success(done)
            .failure(failed)
            .run_in_background()
        )

    def _set_count(self, total: int) -> None:
        if total > self._count:
            self.beginInsertRows(QModelIndex(), self._count, total - 1)
            self._count = total
            self.endInsertRows()
        elif total < self._count:
            self.beginRemoveRows(QModelIndex(), total, self._count - 1)
            self._count = total
            self.endRemoveRows()
        self.count_changed.emit(total)

    def set_filter(self, flt: queue.QueueFilter) -> None:
        self.filter = flt
        self.refresh(keep_count=False)

    def set_bucket(self, bucket: str | None) -> None:
        self.base_filter = queue.QueueFilter(bucket=bucket)
        self.refresh(keep_count=False)

    def set_sort(self, sort_key: str, descending: bool) -> None:
        self.sort_key = sort_key
        self.descending = descending
        if not self.deferred:
            self.refresh(recount=False)

    def _page(self, number: int) -> list[Any]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        # One page, one seek per segment of the sort (a few ms however deep): the
        # view needs the rows now, so it is read here and not in the background.
        after = before = None
        previous = self._pages.get(number - 1) if number > 0 else None
        following = self._pages.get(number + 1)
        if previous and len(previous) == self.PAGE_SIZE:
            after = self._keys(previous[-1])
        elif following:
            before = self._keys(following[0])
        elif number > 0 and self._samples is not None and number <= len(self._samples):
            after = self._samples[number - 1]
        page = ops.page(
            self.ctx,
            self.effective_filter(),
            self._now,
            self.sort_key,
            self.descending,
            offset=number * self.PAGE_SIZE,
            limit=self.PAGE_SIZE,
            after=after,
            before=before,
        )
        self._pages[number] = page
        while len(self._pages) > self.PAGES_KEPT:
            self._pages.popitem(last=False)
        return page

    def _keys(self, row: Any) -> tuple[Any, ...]:
        return queue.sort_values(row, self.sort_key, self.descending)

    def row_data(self, row: int) -> Any | None:
        if row < 0 or row >= self._count:
            return None
        page = self._page(row // self.PAGE_SIZE)
        offset = row % self.PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def case_id(self, row: int) -> str | None:
        data = self.row_data(row)
        return data.id if data is not None else None

    def cached_row_of(self, case_id: str) -> int | None:
        """The row of ``case_id`` among the pages already fetched (no query)."""
        for number, page in self._pages.items():
            for offset, row in enumerate(page):
                if row.id == case_id:
                    return number * self.PAGE_SIZE + offset
        return None

    def row_of(self, case_id: str, near: int | None = None) -> int | None:
        """The row of ``case_id``: the cached pages, the page around ``near``, then SQL."""
        found = self.cached_row_of(case_id)
        if found is not None:
            return found
        if near is not None and 0 <= near < self._count:
            self._page(near // self.PAGE_SIZE)
            found = self.cached_row_of(case_id)
            if found is not None:
                return found
        return ops.row_position(
            self.ctx, self.effective_filter(), self._now, case_id, self.sort_key, self.descending
        )

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
        self.set_sort(SORT_KEYS.get(column, "created_at"), order == Qt.SortOrder.DescendingOrder)

    def remaining(self, row: Any) -> float | None:
        if row.state not in queue_clauses.RUNNING_STATES or row.deadline is None:
            return None
        return self.ctx.calendar.working_days_between(self._now, row.deadline)

    def deadline_status(self, row: Any) -> str | None:
        """ "overdue", "near" (under a quarter of the allowed time left) or None."""
        return queue_clauses.deadline_status(row.state, row.deadline, row.dispatched_at, self._now)

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
                return plain_tip(row.title, TITLE_LIMIT)
            if column == COL_CATEGORY:
                return plain_tip(self.names.category_path(row.category_code))
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
            return clean(row.number, 80)
        if column == COL_TITLE:
            return clean(row.title, TITLE_LIMIT)
        if column == COL_CATEGORY:
            return clean(self.names.category(row.category_code), LINE_LIMIT)
        if column == COL_STATE:
            text = label(STATE_LABELS.get(row.state, row.state))
            if row.supervise_count:
                return self.tr("%1 · supervised").replace("%1", text)
            return text
        if column == COL_URGENCY:
            return self.tr("Urgent") if row.urgency == Urgency.URGENT else self.tr("Normal")
        if column == COL_ASSIGNEE:
            return clean(self.names.assignee(row.assignee_type, row.assignee_id), LINE_LIMIT)
        if column == COL_ORG_UNIT:
            return clean(self.names.org_unit(row.org_unit_id), LINE_LIMIT)
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
