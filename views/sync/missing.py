"""The sync screen's "waiting for a file" box: steps the county keeps answering
``missing_blob`` (services.sync.missing_files), the files each names, and putting
a file back from disk. Hidden while no step waits."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services.cases.labels import EVENT_LABELS
from services.cases.permissions import Permission
from services.errors import DomainError
from services.sync.missing_files import WaitingForFile
from views.formatting import clean, label, local
from views.messages import error_text

from ..context import ViewContext
from . import ops


class MissingFilesBox(QGroupBox):
    """``reattached`` after a file was put back (the screen asks for a round)."""

    reattached = Signal()

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Steps waiting for a file"), parent)
        self.ctx = ctx
        self.setObjectName("syncMissingFiles")
        self.items: list[WaitingForFile] = []
        self.hint = QLabel(
            self.tr(
                "The county has not received a file these steps name, so they and the later "
                "steps of their case are not sent. Find the file (the photo or document as it "
                "was attached, e.g. on the camera or a USB stick) and re-attach it: it goes "
                "up with the next round. A recorded step cannot be sent without its file, "
                "because steps are never changed once recorded."
            )
        )
        self.hint.setObjectName("hintLabel")
        self.hint.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("missingFilesTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Recorded"), self.tr("Step"), self.tr("Files the county lacks")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.reattach_button = QPushButton(self.tr("Re-attach file…"))
        self.reattach_button.setObjectName("missingReattach")
        self.reattach_button.clicked.connect(self.choose_file)
        self.open_button = QPushButton(self.tr("Open case"))
        self.open_button.setObjectName("missingOpen")
        self.open_button.clicked.connect(self.open_case)
        self.message = QLabel()
        self.message.setObjectName("messageLabel")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reattach_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.hide()

    # ------------------------------------------------------------ showing
    def load(self) -> None:
        self.items = ops.waiting_for_files(self.ctx)
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            step = (
                self.tr("%1 · case %2")
                .replace("%1", label(EVENT_LABELS.get(item.event_type, item.event_type)))
                .replace("%2", item.case_number or (item.case_id or "")[:8])
            )
            if item.actor:
                step += "\n" + clean(item.actor, 40)
            files = [
                self.tr("%1 (not on this computer)").replace("%1", clean(f.file_name, 80))
                if not f.here
                else self.tr("%1 (here; goes up next round)").replace("%1", clean(f.file_name, 80))
                for f in item.files
            ]
            for column, text in enumerate([local(item.at), step, "\n".join(files)]):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if column == 0:
                    cell.setData(Qt.ItemDataRole.UserRole, item.seq)
                self.table.setItem(row, column, cell)
        self.table.resizeRowsToContents()
        self.setVisible(bool(self.items))
        if self.items and not self.table.selectionModel().selectedRows():
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self) -> WaitingForFile | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].row()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _update_buttons(self) -> None:
        item = self.selected()
        self.reattach_button.setEnabled(
            item is not None and bool(item.missing) and self.ctx.can(Permission.SYNC)
        )
        self.open_button.setEnabled(item is not None and item.case_id is not None)

    # ------------------------------------------------------------ acting
    def open_case(self) -> None:
        item = self.selected()
        if item is not None and item.case_id:
            self.ctx.events.open_case.emit(item.case_id)

    def choose_file(self) -> None:
        item = self.selected()
        if item is None or not item.missing:
            return
        wanted = "、".join(f.file_name for f in item.missing)
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Find %1").replace("%1", clean(wanted, 120)),
            str(Path.home()),
            self.tr("Photos and PDF documents (*.jpg *.jpeg *.png *.webp *.pdf);;All files (*)"),
        )
        if name:
            self.reattach(item.seq, Path(name))

    def reattach(self, seq: int, path: Path) -> bool:
        """Put ``path`` back for step ``seq``; the message says what happened."""
        try:
            put_back = ops.reattach_file(self.ctx, seq, path)
        except DomainError as exc:
            self.message.setText(error_text(exc))
            return False
        self.message.setText(
            self.tr(
                "%1 is back on this computer; it goes to the county with the next round."
            ).replace("%1", clean(put_back.file_name, 80))
        )
        self.load()
        self.reattached.emit()
        return True
