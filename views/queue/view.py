"""The dispatch queue screen: filters on the left, the paged case table in the
middle, the selected case's detail and actions on the right.

Coordinators see every case in their area, overdue first; a department or a
grid worker sees only their own cases, split into to sign for / in hand / sent
back for rework / reported. Changes made elsewhere (sync, another screen)
refresh the table without losing the selection or the scroll position.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.cases import queue, queue_clauses
from services.cases.permissions import Permission
from services.cases.projection import ALLOWED

from ..context import ViewContext
from ..formatting import label, plain_label
from ..tasks import Op
from . import ops
from .actions import dialog_for
from .actions.dispatch import DispatchDialog
from .alerts import AlertWatcher
from .columns import ColumnSettings
from .detail import DetailPanel
from .filters import FilterPanel
from .model import COL_REMAINING, CaseTableModel

log = logging.getLogger(__name__)

FIRST_BUCKET = "to_sign"
"""The handler's first tab: 待签收, with its count."""
NARROW_WIDTH = 1100
"""Below this width the detail panel takes the filters' place while shown."""


class QueueView(QWidget):
    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("queueView")
        self.handler = ctx.actor.is_handler
        self._counts_op: Op[tuple[dict[str, int], dict[str, int]]] | None = None
        self._last_filter: queue.QueueFilter | None = None
        if ops.ensure_search_index(ctx):  # a quick check; the rebuild happens once, if ever
            log.warning("the full-text index of cases was missing and has been rebuilt")

        self._build_table()
        filter_scroll = self.filter_scroll = self._build_panels()
        self._build_title_bar()
        self._lay_out(filter_scroll)

        self.model.modelReset.connect(self.update_count)
        self.model.count_changed.connect(lambda _n: self.update_count())
        self.filters.changed.connect(self.apply_filter)
        self.detail.action_requested.connect(self.run_action)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        ctx.events.cases_changed.connect(self.on_cases_changed)
        ctx.events.reference_changed.connect(self.on_reference_changed)

        if self.handler:  # a department or grid worker starts with what waits to be signed for
            start = self.bucket_keys.index(FIRST_BUCKET)
            self.buckets.blockSignals(True)
            self.buckets.setCurrentIndex(start)
            self.buckets.blockSignals(False)
            self.model.base_filter = queue.QueueFilter(bucket=FIRST_BUCKET)
        self.model.refresh(keep_count=False)
        self.update_count()
        self.refresh_counts()

        self.alerts = AlertWatcher(ctx, self)
        self.alerts.unseen_changed.connect(self.show_unseen)
        self.alerts.start()

    # ---------------------------------------------------------------- building
    def _build_table(self) -> None:
        """The case table, sorted overdue first."""
        self.model = CaseTableModel(self.ctx, self)
        self.table = QTableView()
        self.table.setObjectName("caseTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionsMovable(True)
        header.setToolTip(self.tr("Right-click to choose the columns"))
        self.model.deferred = True
        self.table.setSortingEnabled(True)
        # Overdue first: the remaining time ascending is the "due" order.
        self.table.sortByColumn(COL_REMAINING, Qt.SortOrder.AscendingOrder)
        self.columns = ColumnSettings(self.table, self.ctx.prefs.store, self.ctx.user.id)
        self.columns.apply()
        self.model.deferred = False

    def _build_panels(self) -> QScrollArea:
        """The filter panel (scrolling) and the detail panel."""
        self.filters = FilterPanel(self.ctx, self)
        filter_scroll = QScrollArea()
        filter_scroll.setObjectName("filterScroll")
        filter_scroll.setWidgetResizable(True)
        filter_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        filter_scroll.setWidget(self.filters)
        filter_scroll.setMinimumWidth(250)
        filter_scroll.setMaximumWidth(320)
        self.detail = DetailPanel(self.ctx, self)
        self.detail.setMinimumWidth(320)
        self.detail.hide()  # shown when a case is selected
        self.filter_toggle = self._toggle(
            "filtersToggle", self.tr("Filters"), self.tr("Show or hide the filters")
        )
        self.filter_toggle.setChecked(not self._pref("filters_hidden"))
        self.filter_toggle.toggled.connect(self._filters_toggled)
        self.detail_toggle = self._toggle(
            "detailToggle",
            self.tr("Details"),
            self.tr("Show the selected case's details beside the table"),
        )
        self.detail_toggle.setChecked(not self._pref("detail_hidden"))
        self.detail_toggle.toggled.connect(self._detail_toggled)
        filter_scroll.setVisible(self.filter_toggle.isChecked())
        return filter_scroll

    def _toggle(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setCheckable(True)
        button.setToolTip(tip)
        return button

    def _pref(self, name: str) -> bool:
        value = self.ctx.prefs.store.value(f"queue/{self.ctx.user.id}/{name}", False)
        return value is True or str(value).lower() in ("1", "true")

    def _set_pref(self, name: str, value: bool) -> None:
        self.ctx.prefs.store.setValue(f"queue/{self.ctx.user.id}/{name}", value)

    def _filters_toggled(self, shown: bool) -> None:
        self.filter_scroll.setVisible(shown)
        self._set_pref("filters_hidden", not shown)

    def _detail_toggled(self, shown: bool) -> None:
        self._set_pref("detail_hidden", not shown)
        self._show_detail_if_wanted()

    def _show_detail_if_wanted(self) -> None:
        """The detail panel beside the table while a case is selected, unless the
        person collapsed it; on a narrow window it takes the filters' place."""
        wanted = self.detail_toggle.isChecked() and self.detail.case_id is not None
        self.detail.setVisible(wanted)
        if wanted:
            sizes = self.splitter.sizes()
            if sizes[2] == 0:
                self.splitter.setSizes([sizes[0], max(sizes[1] - 380, 0), 380])
        narrow = self.width() < NARROW_WIDTH
        self.filter_scroll.setVisible(self.filter_toggle.isChecked() and not (wanted and narrow))

    def _build_title_bar(self) -> None:
        """Title, the handler's buckets, the alert banner, batch dispatch and the count."""
        self.title = plain_label(self.tr("My cases") if self.handler else self.tr("Cases"))
        self.title.setObjectName("screenTitle")
        self.count_label = plain_label()
        self.count_label.setObjectName("countLabel")
        self.alert_button = QPushButton()
        self.alert_button.setObjectName("alertBanner")
        self.alert_button.setToolTip(self.tr("Show the cases of the new alerts"))
        self.alert_button.clicked.connect(self.show_alerted)
        self.alert_button.hide()
        self.batch_button = QPushButton(self.tr("Dispatch selected…"))
        self.batch_button.setObjectName("batchDispatch")
        self.batch_button.clicked.connect(self.dispatch_selected)
        self.batch_button.setVisible(self.ctx.can(Permission.DISPATCH))
        self.batch_button.setEnabled(False)

        self.buckets = QTabBar()
        self.buckets.setObjectName("bucketTabs")
        self.buckets.setExpanding(False)
        self.bucket_keys: list[str | None] = []
        if self.handler:
            for key in (None, *queue_clauses.BUCKETS):
                self.buckets.addTab(self._bucket_title(key, None))
                self.bucket_keys.append(key)
            self.buckets.currentChanged.connect(self._bucket_changed)
        else:
            self.buckets.hide()

    def _splitter_moved(self, *_args: Any) -> None:
        if self.detail.case_id is not None and self.splitter.sizes()[2] == 0:
            self.detail_toggle.setChecked(False)  # dragged shut: remembered as collapsed

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._show_detail_if_wanted()

    def _lay_out(self, filter_scroll: QScrollArea) -> None:
        """The title bar over the filters, the table and the detail side by side."""
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.buckets)
        top.addStretch(1)
        top.addWidget(self.alert_button)
        top.addWidget(self.batch_button)
        top.addWidget(self.count_label)
        top.addWidget(self.filter_toggle)
        top.addWidget(self.detail_toggle)

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.table)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(filter_scroll)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 760, 380])
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setCollapsible(2, True)
        self.splitter.splitterMoved.connect(self._splitter_moved)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

    # ---------------------------------------------------------------- counts
    def _bucket_title(self, key: str | None, count: int | None) -> str:
        text = label(queue_clauses.BUCKET_LABELS[key]) if key else self.tr("All my cases")
        return text if count is None else f"{text} ({count:,})"

    def update_count(self) -> None:
        if self.model.counting:
            self.count_label.setText(self.tr("Counting…"))
        else:
            self.count_label.setText(self.tr("%n case(s)", "", self.model.rowCount()))

    def refresh_counts(self) -> None:
        """Counts per state beside the filters (and per bucket), in the background;
        the latest request wins, so an older answer never overwrites a newer one."""
        flt = self.model.effective_filter().replace(states=())
        ctx, handler = self.ctx, self.handler

        def done(result: tuple[dict[str, int], dict[str, int]]) -> None:
            states, buckets = result
            self.filters.set_counts(states)
            for i, key in enumerate(self.bucket_keys):
                count = buckets.get(key) if key else sum(states.values())
                self.buckets.setTabText(i, self._bucket_title(key, count))

        def failed(exc: BaseException) -> None:
            log.warning("state counts failed: %s", exc)

        self._counts_op = (
            Op(self, lambda: ops.counts(ctx, flt, handler), key="counts")
            .success(done)
            .failure(failed)
            .run_in_background()
        )

    def busy(self) -> bool:
        """True while counts, the total, the filters' choices or the detail are loading."""
        return bool(
            (self._counts_op is not None and self._counts_op.pending)
            or self.model.counting
            or self.filters.loading
            or self.detail.loading
        )

    def wait_until_ready(self) -> None:
        """For screenshots and tests: wait for the background work of the screen."""
        from PySide6.QtCore import QDeadlineTimer, QThreadPool

        for _ in range(50):
            QThreadPool.globalInstance().waitForDone(QDeadlineTimer(30_000))
            QApplication.processEvents()
            if not self.busy():
                break

    # ---------------------------------------------------------------- filters
    def apply_filter(self, flt: queue.QueueFilter) -> None:
        current = self.current_case_id()
        self.model.set_filter(flt)
        self.refresh_counts()
        if current is not None:
            self._reselect(current, None, scroll=True)

    def _bucket_changed(self, index: int) -> None:
        if 0 <= index < len(self.bucket_keys):
            self.model.set_bucket(self.bucket_keys[index])
            self.refresh_counts()

    # ---------------------------------------------------------------- selection
    def selected_case_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        ids = [self.model.case_id(r) for r in rows]
        return [i for i in ids if i]

    def current_case_id(self) -> str | None:
        return self.detail.case_id

    def _selection_changed(self, *_args: Any) -> None:
        ids = self.selected_case_ids()
        self.batch_button.setEnabled(len(ids) > 1)
        index = self.table.currentIndex()
        case_id = self.model.case_id(index.row()) if index.isValid() else None
        if case_id is None and ids:
            case_id = ids[0]
        if case_id is None or case_id == self.detail.case_id:
            return
        self.detail.load_case(case_id)
        self._show_detail_if_wanted()
        self.ctx.events.case_selected.emit(case_id)
        self._mark_seen([case_id])

    def _select_row(self, row: int, scroll: bool = True) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        if scroll:
            self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _reselect(self, case_id: str, near: int | None, scroll: bool) -> bool:
        row = self.model.row_of(case_id, near)
        if row is None:
            return False
        self.table.selectionModel().blockSignals(True)
        try:
            self._select_row(row, scroll)
        finally:
            self.table.selectionModel().blockSignals(False)
        self.table.viewport().update()
        return True

    def open_case(self, case_id: str) -> None:
        """Select and show ``case_id`` (from the map, an alert …), clearing filters if needed."""
        row = self.model.row_of(case_id)
        if row is None:
            if self.handler and self.model.base_filter.bucket:
                self.buckets.setCurrentIndex(0)  # all my cases
            if not self.model.filter.is_empty():
                self.filters.clear()
            row = self.model.row_of(case_id)
        if row is not None:
            self._select_row(row)
        else:  # not in this user's queue at all: show it if the detail may
            self.detail.show_case(case_id)
        if self.detail.case_id != case_id:
            self.detail.show_case(case_id)
        self._show_detail_if_wanted()

    # ---------------------------------------------------------------- refresh
    def on_cases_changed(self, _ids: list[str]) -> None:
        """Refresh, keeping the selected case and the scroll position."""
        current = self.current_case_id()
        index = self.table.currentIndex()
        old_row = index.row() if index.isValid() else None
        scroll = self.table.verticalScrollBar().value()
        self.model.refresh()
        self.table.verticalScrollBar().setValue(scroll)
        if current is not None:
            self._reselect(current, old_row, scroll=False)
            self.detail.refresh()
        self.refresh_counts()

    def on_reference_changed(self) -> None:
        self.model.reload_names()
        self.detail.reload_names()
        self.on_cases_changed([])

    # ---------------------------------------------------------------- actions
    def run_action(self, action: str) -> None:
        detail = self.detail.detail
        if detail is None:
            return
        dialog = dialog_for(action)(self.ctx, detail.case, self)
        if dialog.exec():
            self.ctx.events.cases_changed.emit(list(dialog.changed_ids))

    def dispatch_selected(self) -> None:
        ids = self.selected_case_ids()
        if not ids:
            return
        dialog = DispatchDialog(self.ctx, ids, self)
        if dialog.exec():
            self.ctx.events.cases_changed.emit(list(dialog.changed_ids))

    def dispatchable(self, state: str) -> bool:
        return "dispatched" in ALLOWED.get(state, frozenset())

    # ---------------------------------------------------------------- alerts
    def show_unseen(self, count: int) -> None:
        window = self.window()
        set_badge = getattr(window, "set_badge", None)
        if callable(set_badge):
            set_badge("queue", count)
        if count:
            self.alert_button.setText(self.tr("%n new deadline alert(s)", "", count))
            self.alert_button.show()
        else:
            self.alert_button.hide()

    def show_alerted(self) -> None:
        ids = ops.take_alerted(self.ctx)
        self.show_unseen(0)
        if ids:
            if self.handler:
                self.buckets.setCurrentIndex(0)
            self.model.set_filter(queue.QueueFilter(case_ids=tuple(ids)))
            self.count_label.setText(self.tr("%n alerted case(s)", "", self.model.rowCount()))

    def _mark_seen(self, case_ids: list[str]) -> None:
        unseen = ops.mark_seen(self.ctx, case_ids)
        if unseen is not None:
            self.show_unseen(unseen)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.show_unseen(self._unseen())

    def _unseen(self) -> int:
        return ops.unseen_count(self.ctx)

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.alerts.stop()
        super().closeEvent(event)
