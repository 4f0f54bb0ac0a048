"""The reports screen: choose a period and a scope, look at the dashboard and the
assessment tables, and export the half-monthly bulletin.

The figures are computed in the background (a new choice makes an older,
still-running computation's answer stale: it is dropped). The export writes the
workbook on a worker thread with a progress dialog whose Cancel stops the writer
between rows; the window stays responsive throughout.
"""

from __future__ import annotations

import threading
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.types import utcnow
from services.cases.permissions import Permission
from services.errors import DomainError, ValidationError
from services.reports import periods
from services.reports import screen as report_screen
from services.reports.bulletin import BulletinCancelled, default_filename, export_assessment
from services.reports.results import Assessment, Figures
from services.worktime.workdays import FALLBACK_WARNING, SHANGHAI

from ..context import ViewContext
from ..formatting import label, plain_label
from ..messages import error_text, show_message
from ..tasks import Op, show_failure
from .archive import ArchiveTab
from .dashboard import Dashboard
from .documents import DocumentExports
from .tables import CATEGORY, HANDLER, OVERDUE, UNIT, ReportSortProxy, ReportTableModel

HALF, MONTH, CUSTOM = "half", "month", "custom"
PERIODS_LISTED = 24


class _ExportSignals(QObject):
    progress = Signal(int, int)
    done = Signal(object)
    failed = Signal(object)


class _ExportJob(QRunnable):
    """Writes the workbook on a pool thread; ``cancel`` is checked between rows.

    Not a ``views.tasks.Op`` on purpose: a cancelled op delivers nothing, but the
    export must hear back from its worker that it stopped (and removed its partial
    file) before the screen may say that no file was written.
    """

    def __init__(self, fn: Any) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _ExportSignals()
        self.cancel = threading.Event()

    def run(self) -> None:
        try:
            result = self.fn(self.signals.progress.emit, self.cancel.is_set)
        except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class ReportTab(QWidget):
    """One sortable table of the assessment."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ReportTableModel(kind, self)
        self.proxy = ReportSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("reportTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultSectionSize(92)
        header.setMinimumSectionSize(56)
        self.kind = kind
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.table)

    def set_rows(self, rows: list[Any]) -> None:
        self.model.set_rows(rows)
        if self.kind in (HANDLER, UNIT):
            self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
            self.table.resizeColumnsToContents()  # a few dozen rows at most
            for column in range(2, self.model.columnCount()):
                if self.table.columnWidth(column) > 120:  # long headers elide, values fit
                    self.table.setColumnWidth(column, 120)
        else:
            if self.kind == OVERDUE:
                self.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
            else:
                self.proxy.sort(-1)  # the tree order of the categories
            for index, spec in enumerate(self.model.columns):
                self.table.setColumnWidth(index, spec.screen_width)


class UnitsTab(QWidget):
    """Streets ranked among streets above communities ranked among communities."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.streets = ReportTab(UNIT)
        self.communities = ReportTab(UNIT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for title, tab, stretch in (
            (self.tr("Streets"), self.streets, 1),
            (self.tr("Communities"), self.communities, 2),
        ):
            caption = plain_label(title)
            caption.setObjectName("reportsCaption")
            layout.addWidget(caption)
            layout.addWidget(tab, stretch)


class ReportsView(QWidget):
    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("reportsView")
        self.assessment: Assessment | None = None
        self._generation = 0
        self._loading = False
        self._scopes_loading = False
        self._pending_scope: str | None = None
        self._export_job: _ExportJob | None = None

        self.title = plain_label(self.tr("Assessment and bulletin"))
        self.title.setObjectName("screenTitle")

        self.kind_box = QComboBox()
        self.kind_box.setObjectName("periodKind")
        self.kind_box.addItem(self.tr("Half-month"), HALF)
        self.kind_box.addItem(self.tr("Month"), MONTH)
        self.kind_box.addItem(self.tr("Custom range"), CUSTOM)
        self.period_box = QComboBox()
        self.period_box.setObjectName("periodChoice")
        self.period_box.setMinimumContentsLength(14)
        self.from_edit = QDateEdit()
        self.to_edit = QDateEdit()
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        today = utcnow().astimezone(SHANGHAI).date()
        self.from_edit.setDate(QDate(today.year, today.month, 1))
        self.to_edit.setDate(QDate(today.year, today.month, today.day))
        self.range_label = plain_label(self.tr("to"))
        self.scope_box = QComboBox()
        self.scope_box.setObjectName("scopeChoice")
        self.scope_box.setMinimumContentsLength(12)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.export_button = QPushButton(self.tr("Export bulletin…"))
        self.export_button.setObjectName("exportButton")
        self.export_button.setVisible(ctx.can(Permission.EXPORT_BULLETIN))
        self.documents = DocumentExports(ctx, self)  # the 通报 (Word) and PDF buttons
        self.period_error = plain_label()
        self.period_error.setObjectName("errorLabel")
        self.period_error.hide()

        bar = self._choice_bar()

        self.status = plain_label()
        self.status.setObjectName("countLabel")
        self.documents.message.connect(self.status.setText)
        self.warning = plain_label()
        self.warning.setObjectName("reportsWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()

        self._build_tabs()

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.period_error)
        layout.addWidget(self.warning)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)

        self._fill_scopes()
        self._fill_periods()
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self.period_box.currentIndexChanged.connect(self.reload)
        self.scope_box.currentIndexChanged.connect(self.reload)
        self.from_edit.dateChanged.connect(self.reload)
        self.to_edit.dateChanged.connect(self.reload)
        self.refresh_button.clicked.connect(self.reload)
        self.export_button.clicked.connect(self.export)
        ctx.events.cases_changed.connect(lambda _ids: self.reload())
        self._kind_changed()

    def _build_tabs(self) -> None:
        """The dashboard and one table per sheet of the bulletin."""
        self.dashboard = Dashboard()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("reportTabs")
        self.departments = ReportTab(HANDLER)
        self.units = UnitsTab()
        self.grid_workers = ReportTab(HANDLER)
        self.overdue = ReportTab(OVERDUE)
        self.categories = ReportTab(CATEGORY)
        # The dashboard scrolls, so its charts keep the height their labels need
        # on a 768-pixel screen.
        dashboard_scroll = QScrollArea()
        dashboard_scroll.setObjectName("dashboardScroll")
        dashboard_scroll.setWidgetResizable(True)
        dashboard_scroll.setFrameShape(QFrame.Shape.NoFrame)
        dashboard_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        dashboard_scroll.setWidget(self.dashboard)
        self.tabs.addTab(dashboard_scroll, self.tr("Dashboard"))
        self.tabs.addTab(self.departments, self.tr("Departments"))
        self.tabs.addTab(self.units, self.tr("Streets and communities"))
        self.tabs.addTab(self.grid_workers, self.tr("Grid workers"))
        self.tabs.addTab(self.overdue, self.tr("Overdue cases"))
        self.overdue.table.setToolTip(self.tr("Double-click a case to open it in the queue."))
        self.overdue.table.doubleClicked.connect(self._open_overdue_case)
        self.tabs.addTab(self.categories, self.tr("Categories"))
        self.archive: ArchiveTab | None = None
        if self.ctx.can(Permission.EXPORT_BULLETIN):  # who may export may see the archive
            self.archive = ArchiveTab(self.ctx)
            self.tabs.addTab(self.archive, self.tr("Archive"))
            self.archive.reload()

    def _choice_bar(self) -> QVBoxLayout:
        """Two rows, so the screen fits 1024 pixels: the title with Refresh and the
        exports, then the period and scope choices."""
        first = QHBoxLayout()
        first.addWidget(self.title)
        first.addStretch(1)
        first.addWidget(self.refresh_button)
        first.addWidget(self.export_button)
        for button in self.documents.buttons:
            first.addWidget(button)
        second = QHBoxLayout()
        second.addWidget(plain_label(self.tr("Period:")))
        second.addWidget(self.kind_box)
        second.addWidget(self.period_box)
        second.addWidget(self.from_edit)
        second.addWidget(self.range_label)
        second.addWidget(self.to_edit)
        second.addSpacing(12)
        second.addWidget(plain_label(self.tr("Scope:")))
        second.addWidget(self.scope_box)
        second.addStretch(1)
        bar = QVBoxLayout()
        bar.addLayout(first)
        bar.addLayout(second)
        return bar

    # ------------------------------------------------------------------ choices
    def _fill_scopes(self) -> None:
        """Ask for the scopes in the background; until they come, the actor's area is shown."""
        self._scopes_loading = True
        read, actor = self.ctx.read, self.ctx.actor

        def failed(exc: BaseException) -> None:
            self._scopes_loading = False
            show_failure(exc, self)

        Op(self, lambda: report_screen.scopes(read, actor)).success(self._show_scopes).failure(
            failed
        ).run_in_background()

    def _show_scopes(self, choices: list[report_screen.ScopeChoice]) -> None:
        self._scopes_loading = False
        indent = {"county": "", "street": "  ", "community": "    "}
        self.scope_box.blockSignals(True)
        for choice in choices:
            self.scope_box.addItem(indent.get(choice.level, "") + choice.name, choice.id)
        if self._pending_scope is not None:  # chosen by select() before the list came
            index = self.scope_box.findData(self._pending_scope)
            self.scope_box.setCurrentIndex(max(index, 0))
            self._pending_scope = None
        self.scope_box.blockSignals(False)

    def period_text(self, p: periods.Period) -> str:
        d = p.first_day
        if p.kind == periods.HALF:
            text = self.tr("%1-%2 first half") if p.half == 1 else self.tr("%1-%2 second half")
        else:
            text = self.tr("%1-%2")
        return text.replace("%1", str(d.year)).replace("%2", str(d.month))

    def _fill_periods(self) -> None:
        now = utcnow()
        self.period_box.blockSignals(True)
        self.period_box.clear()
        kind = self.kind_box.currentData()
        if kind == HALF:
            p = periods.half_month_of(now)
            current = p
            for _ in range(PERIODS_LISTED):
                text = self.period_text(p)
                if p == current:
                    text = self.tr("%1 (running)").replace("%1", text)
                self.period_box.addItem(text, p.key)
                p = p.previous()
            self.period_box.setCurrentIndex(1)  # the last complete half-month
        elif kind == MONTH:
            local_now = now.astimezone(SHANGHAI)
            p = periods.month(local_now.year, local_now.month)
            for _ in range(PERIODS_LISTED):
                self.period_box.addItem(self.period_text(p), p.key)
                p = p.previous()
            self.period_box.setCurrentIndex(0)
        self.period_box.blockSignals(False)

    def _kind_changed(self) -> None:
        custom = self.kind_box.currentData() == CUSTOM
        self.period_box.setVisible(not custom)
        for widget in (self.from_edit, self.range_label, self.to_edit):
            widget.setVisible(custom)
        if not custom:
            self._fill_periods()
        self.reload()

    def selected_period(self) -> periods.Period:
        """The chosen period; ValidationError (shown next to the dates) for a bad range."""
        if self.kind_box.currentData() == CUSTOM:
            first: date = self.from_edit.date().toPython()  # type: ignore[assignment]
            last: date = self.to_edit.date().toPython()  # type: ignore[assignment]
            return periods.custom(first, last)
        return periods.parse_period(str(self.period_box.currentData()))

    def select(self, period_key: str, scope_id: str | None = None) -> None:
        """Choose a period (any :func:`parse_period` text) and optionally a scope."""
        p = periods.parse_period(period_key)
        self.blockSignals(True)
        kind = {periods.HALF: HALF, periods.MONTH: MONTH}.get(p.kind, CUSTOM)
        self.kind_box.blockSignals(True)
        self.kind_box.setCurrentIndex(self.kind_box.findData(kind))
        self.kind_box.blockSignals(False)
        self._kind_changed_silently(kind)
        if kind == CUSTOM:
            for edit, day in ((self.from_edit, p.first_day), (self.to_edit, p.last_day)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        else:
            index = self.period_box.findData(p.key)
            if index < 0:
                self.period_box.addItem(self.period_text(p), p.key)
                index = self.period_box.count() - 1
            self.period_box.blockSignals(True)
            self.period_box.setCurrentIndex(index)
            self.period_box.blockSignals(False)
        if scope_id is not None and self._scopes_loading:
            self._pending_scope = scope_id
        elif scope_id is not None:
            index = self.scope_box.findData(scope_id)
            if index >= 0:
                self.scope_box.blockSignals(True)
                self.scope_box.setCurrentIndex(index)
                self.scope_box.blockSignals(False)
        self.blockSignals(False)
        self.reload()

    def _kind_changed_silently(self, kind: str) -> None:
        custom = kind == CUSTOM
        self.period_box.setVisible(not custom)
        for widget in (self.from_edit, self.range_label, self.to_edit):
            widget.setVisible(custom)
        if not custom:
            self._fill_periods()

    # ------------------------------------------------------------------ figures
    def reload(self, *_: Any) -> None:
        try:
            period = self.selected_period()
        except ValidationError as exc:
            self._generation += 1  # an answer still coming belongs to the old choice
            self._loading = False
            self.status.setText("")
            self.period_error.setText(error_text(exc))
            self.period_error.show()
            self.from_edit.setProperty("invalid", True)
            self.to_edit.setProperty("invalid", True)
            self._repolish()
            return
        self.period_error.hide()
        self.from_edit.setProperty("invalid", False)
        self.to_edit.setProperty("invalid", False)
        self._repolish()
        scope_id = self.scope_box.currentData() if self.scope_box.count() else self._pending_scope
        self._generation += 1
        generation = self._generation
        self._loading = True
        self.status.setText(self.tr("Computing the figures…"))
        self.export_button.setEnabled(False)
        self.documents.set_assessment(None)
        read, actor = self.ctx.read, self.ctx.actor
        compute = partial(report_screen.assessment, read, actor, period, scope_id)
        Op(self, compute).success(lambda a: self._show(generation, a)).failure(
            lambda exc: self._failed(generation, exc)
        ).run_in_background()

    def _open_overdue_case(self, index: Any) -> None:
        source = self.overdue.proxy.mapToSource(index)
        rows = self.overdue.model.rows
        if 0 <= source.row() < len(rows):
            self.ctx.events.open_case.emit(rows[source.row()].case_id)

    def _repolish(self) -> None:
        for edit in (self.from_edit, self.to_edit):
            edit.style().unpolish(edit)
            edit.style().polish(edit)

    def _show(self, generation: int, a: Assessment) -> None:
        if generation != self._generation:
            return  # a newer choice is being computed
        self.assessment = a
        self._loading = False
        self.dashboard.show_assessment(a)
        self.departments.set_rows(a.departments)
        street_names = {s.key: s.name for s in a.streets}
        communities = []
        for community in a.communities:
            parent = street_names.get(community.parent_key or "")
            if parent and a.scope_level != "community":
                shown = Figures(**community.__dict__)
                shown.name = f"{parent}·{community.name}"
                communities.append(shown)
            else:
                communities.append(community)
        self.units.streets.set_rows(a.streets)
        self.units.communities.set_rows(communities)
        self.grid_workers.set_rows(a.grid_workers)
        self.overdue.set_rows(a.overdue)
        self.categories.set_rows(a.categories)
        generated = a.generated_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        self.status.setText(
            self.tr("%1 · %2 · %3 overdue case(s) · computed %4")
            .replace("%1", a.scope_name)
            .replace("%2", f"{a.period.first_day} – {a.period.last_day}")
            .replace("%3", str(len(a.overdue)))
            .replace("%4", generated)
        )
        if a.fallback_years:
            self.warning.setText(
                label(FALLBACK_WARNING).format(years=", ".join(str(y) for y in a.fallback_years))
            )
            self.warning.show()
        else:
            self.warning.hide()
        self.export_button.setEnabled(True)
        self.documents.set_assessment(a)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.status.setText(error_text(exc) if isinstance(exc, DomainError) else "")
        show_failure(exc, self)

    def wait_until_ready(self, timeout_ms: int = 30_000) -> None:
        """For screenshots and tests: wait until the figures are shown."""
        from PySide6.QtCore import QDeadlineTimer
        from PySide6.QtWidgets import QApplication

        deadline = QDeadlineTimer(timeout_ms)
        while (self._loading or self._scopes_loading) and not deadline.hasExpired():
            QApplication.processEvents()
            QThreadPool.globalInstance().waitForDone(20)
        QApplication.processEvents()

    # ------------------------------------------------------------------ export
    def export(self) -> None:
        a = self.assessment
        if a is None or self._export_job is not None:
            return
        store = self.ctx.prefs.store
        folder = Path(str(store.value("reports/export_dir", "") or Path.home()))
        path_text, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the bulletin"),
            str(folder / default_filename(a)),
            self.tr("Excel workbook (*.xlsx)"),
        )
        if not path_text:
            return
        path = Path(path_text)
        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")
        store.setValue("reports/export_dir", str(path.parent))
        self.start_export(a, path)

    def start_export(self, a: Assessment, path: Path) -> _ExportJob:
        actor, write = self.ctx.actor, self.ctx.write
        job = _ExportJob(
            lambda progress, cancelled: export_assessment(
                actor, a, path, write=write, progress=progress, cancelled=cancelled
            )
        )
        dialog = QProgressDialog(self.tr("Writing the bulletin…"), self.tr("Cancel"), 0, 100, self)
        dialog.setObjectName("exportProgress")
        dialog.setWindowTitle(self.tr("Export the bulletin"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)
        self.progress_dialog = dialog

        def on_progress(done: int, total: int) -> None:
            dialog.setMaximum(max(total, 1))
            dialog.setValue(min(done, total))

        def finish() -> None:
            self._export_job = None
            dialog.close()
            self.export_button.setEnabled(True)

        def on_done(result: Path) -> None:
            finish()
            self.status.setText(self.tr("Bulletin written to %1").replace("%1", str(result)))
            self.last_export = result
            if self.archive is not None:
                self.archive.reload()

        def on_failed(exc: BaseException) -> None:
            finish()
            if isinstance(exc, BulletinCancelled):
                self.status.setText(self.tr("The export was cancelled; no file was written."))
                return
            if isinstance(exc, OSError):
                show_message(
                    self,
                    self.tr("Export the bulletin"),
                    self.tr("The bulletin could not be written to %1: %2")
                    .replace("%1", str(path))
                    .replace("%2", exc.strerror or str(exc)),
                )
                return
            show_failure(exc, self)

        job.signals.progress.connect(on_progress)
        job.signals.done.connect(on_done)
        job.signals.failed.connect(on_failed)
        dialog.canceled.connect(job.cancel.set)
        self._export_job = job
        self.export_button.setEnabled(False)
        dialog.show()
        QThreadPool.globalInstance().start(job)
        return job
