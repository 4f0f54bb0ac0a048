"""The reports screen's archive tab: the bulletins exported at this desk, newest first.

Each row is one exported file (``services.reports.archive``): its period, scope,
the moment its figures were taken, who exported it and when, the format, the
file's name and the first digits of its figures' hash. *Re-export…* writes the
selected bulletin again as at that moment (``services.reports.reissue``) and
says whether the new file's figures are those archived. The list and the
re-export run off the GUI thread; the permission is checked in the services.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.errors import DomainError
from services.reports import archive as bulletin_archive
from services.reports import periods, reissue
from services.reports.archive import ArchivedBulletin

from ..context import ViewContext
from ..formatting import clean, local, plain_label, plain_tip
from ..messages import error_text, show_message
from ..tasks import Op, show_failure

Index = QModelIndex | QPersistentModelIndex

FILE_FILTERS = {"xlsx": "Excel (*.xlsx)", "docx": "Word (*.docx)", "pdf": "PDF (*.pdf)"}


class ArchiveModel(QAbstractTableModel):
    """The archived bulletins, in the order the service gives (newest export first)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ArchivedBulletin] = []
        self.headers = [
            self.tr("Period"),
            self.tr("Scope"),
            self.tr("Figures as at"),
            self.tr("Exported"),
            self.tr("By"),
            self.tr("Format"),
            self.tr("Figures hash"),
            self.tr("File"),
        ]

    def set_rows(self, rows: list[ArchivedBulletin]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def period_text(self, key: str) -> str:
        try:
            p = periods.parse_period(key)
        except DomainError:
            return clean(key, 40)
        d = p.first_day
        if p.kind == periods.HALF:
            text = self.tr("%1-%2 first half") if p.half == 1 else self.tr("%1-%2 second half")
            return text.replace("%1", str(d.year)).replace("%2", str(d.month))
        if p.kind == periods.MONTH:
            return self.tr("%1-%2").replace("%1", str(d.year)).replace("%2", str(d.month))
        return f"{p.first_day} – {p.last_day}"

    def who(self, row: ArchivedBulletin) -> str:
        if row.scheduled:
            return self.tr("Scheduled export")
        return clean(row.exported_by_name or row.exported_by, 60)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                self.period_text(row.period_key),
                clean(row.scope_name, 100),
                local(row.as_at),
                local(row.exported_at),
                self.who(row),
                row.format.upper(),
                row.short_hash,
                clean(row.file_name, 120),
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 6:
            return plain_tip(
                self.tr("Figures: %1").replace("%1", row.figures_sha256)
                + "\n"
                + self.tr("File: %1").replace("%1", row.file_sha256)
            )
        if role == Qt.ItemDataRole.ToolTipRole and column == 7:
            return plain_tip(row.file_name)
        if role == Qt.ItemDataRole.FontRole and column == 6:
            from PySide6.QtGui import QFontDatabase

            return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        return None


class ArchiveTab(QWidget):
    """The archive list with Refresh and Re-export…; ``reexported`` carries the result."""

    reexported = Signal(object)

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.loading = False
        self.busy = False
        self.model = ArchiveModel(self)
        self.table = QTableView()
        self.table.setObjectName("archiveTable")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.note = plain_label(
            self.tr(
                "Every bulletin exported here. Re-export writes one again with the figures "
                "as they stood when it was exported, and says whether they match."
            ),
            wrap=True,
            name="archiveNote",
        )
        self.status = plain_label(name="archiveStatus")
        self.status.setWordWrap(True)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.reexport_button = QPushButton(self.tr("Re-export…"))
        self.reexport_button.setObjectName("reexportButton")
        self.reexport_button.setEnabled(False)
        bar = QHBoxLayout()
        bar.addWidget(self.note, 1)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.reexport_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.refresh_button.clicked.connect(self.reload)
        self.reexport_button.clicked.connect(self.ask_reexport)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.ask_reexport())

    # ------------------------------------------------------------------ list
    def reload(self, *_: Any) -> None:
        self.loading = True
        read, actor = self.ctx.read, self.ctx.actor

        def failed(exc: BaseException) -> None:
            self.loading = False
            self.status.setText(error_text(exc) if isinstance(exc, DomainError) else "")
            show_failure(exc, self)

        Op(self, lambda: bulletin_archive.archived(read, actor), key="archive").success(
            self._show
        ).failure(failed).run_in_background()

    def _show(self, rows: list[ArchivedBulletin]) -> None:
        self.loading = False
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            if self.table.columnWidth(column) > 220:
                self.table.setColumnWidth(column, 220)
        if not rows:
            self.status.setText(self.tr("No bulletin has been exported yet."))
        elif not self.busy:
            self.status.setText(self.tr("%1 bulletin(s) exported").replace("%1", str(len(rows))))
        self._selection_changed()

    def selected(self) -> ArchivedBulletin | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not 0 <= rows[0].row() < len(self.model.rows):
            return None
        return self.model.rows[rows[0].row()]

    def _selection_changed(self, *_: Any) -> None:
        self.reexport_button.setEnabled(self.selected() is not None and not self.busy)

    # ------------------------------------------------------------------ re-export
    def ask_reexport(self) -> None:
        row = self.selected()
        if row is None or self.busy:
            return
        store = self.ctx.prefs.store
        folder = Path(str(store.value("reports/export_dir", "") or Path.home()))
        path_text, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Re-export the bulletin"),
            str(folder / row.file_name),
            FILE_FILTERS.get(row.format, f"*.{row.format}"),
        )
        if not path_text:
            return
        path = Path(path_text)
        if path.suffix.lower() != f".{row.format}":
            path = path.with_suffix(f".{row.format}")
        store.setValue("reports/export_dir", str(path.parent))
        self.start_reexport(row, path)

    def start_reexport(self, row: ArchivedBulletin, path: Path) -> Op[reissue.Reexport]:
        read, write, actor = self.ctx.read, self.ctx.write, self.ctx.actor
        self.busy = True
        self.reexport_button.setEnabled(False)
        self.status.setText(self.tr("Writing the bulletin again…"))

        def done(result: reissue.Reexport) -> None:
            self.busy = False
            self._selection_changed()
            if result.matches:
                text = self.tr("Written to %1. Its figures match the archived bulletin (hash %2).")
            else:
                text = self.tr(
                    "Written to %1. Its figures DIFFER from the archived bulletin (hash %2): "
                    "a setting, a name or the holiday calendar changed since."
                )
            self.status.setText(
                text.replace("%1", str(result.path)).replace("%2", result.archived.short_hash)
            )
            self.reexported.emit(result)

        def failed(exc: BaseException) -> None:
            self.busy = False
            self._selection_changed()
            self.status.setText("")
            if isinstance(exc, OSError):
                show_message(
                    self,
                    self.tr("Re-export the bulletin"),
                    self.tr("The bulletin could not be written to %1: %2")
                    .replace("%1", str(path))
                    .replace("%2", exc.strerror or str(exc)),
                )
                return
            show_failure(exc, self)

        op = Op(self, lambda: reissue.reexport(read, write, actor, row.id, path))
        return op.success(done).failure(failed).run_in_background()
