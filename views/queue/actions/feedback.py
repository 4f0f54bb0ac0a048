"""Report the result (反馈) with attachments, copied into the data folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.cases import actions as case_actions

from ...context import ViewContext
from ...formatting import plain_tip
from .base import ActionDialog

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def attachments_folder(ctx: ViewContext) -> Path:
    """``attachments/`` in the data folder (the same place desktop.paths names)."""
    return Path(ctx.data_dir) / "attachments"


class FeedbackDialog(ActionDialog):
    action = "feedback"

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case, parent)
        self.setWindowTitle(self.tr("Report the result"))
        self.setMinimumWidth(520)
        self.result_text = self.add_text(
            "result", self.tr("Result:"), self.tr("What was done, when, and what is the result?")
        )
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.files = QListWidget()
        self.files.setObjectName("attachmentList")
        self.files.setFixedHeight(90)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add files…"))
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove_selected)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        column.addWidget(self.files)
        column.addLayout(buttons)
        self.add_field("attachments", self.tr("Attachments:"), box)
        self.set_ok_text(self.tr("Report result"))

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Attach photos or documents"), str(Path.home())
        )
        self.add_files([Path(n) for n in names])

    def add_files(self, paths: list[Path]) -> None:
        present = set(self.paths())
        for path in paths:
            if path in present:
                continue
            item = QListWidgetItem(path.name)
            item.setToolTip(plain_tip(str(path)))
            item.setData(256, str(path))
            self.files.addItem(item)

    def remove_selected(self) -> None:
        for item in self.files.selectedItems():
            self.files.takeItem(self.files.row(item))

    def paths(self) -> list[Path]:
        return [Path(self.files.item(i).data(256)) for i in range(self.files.count())]

    def perform(self, session: Session) -> None:
        case_actions.feedback(
            session,
            self.ctx.actor,
            self.case.id,
            self.result_text.toPlainText(),
            self.paths(),
            attachments_folder(self.ctx),
        )
