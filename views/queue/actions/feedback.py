"""Report the result (反馈) with attachments, copied into the data folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from services.cases import actions as case_actions

from ...attachments import picker
from ...attachments.picker import AttachmentPicker
from ...context import ViewContext
from .base import ActionDialog

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def attachments_folder(ctx: ViewContext) -> Path:
    """``attachments/`` in the data folder (the same place desktop.paths names)."""
    return picker.attachments_folder(ctx.data_dir)


class FeedbackDialog(ActionDialog):
    action = "feedback"

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case, parent)
        self.setWindowTitle(self.tr("Report the result"))
        self.setMinimumWidth(560)
        self.result_text = self.add_text(
            "result", self.tr("Result:"), self.tr("What was done, when, and what is the result?")
        )
        self.picker = AttachmentPicker(ctx.data_dir)
        self.add_field("attachments", self.tr("Attachments:"), self.picker)
        self.finished.connect(lambda _result: self.picker.clear())
        self.set_ok_text(self.tr("Report result"))

    def add_files(self, paths: list[Path]) -> None:
        self.picker.add_files(paths)

    def paths(self) -> list[Path]:
        return self.picker.paths()

    def perform(self, session: Session) -> None:
        case_actions.feedback(
            session,
            self.ctx.actor,
            self.case.id,
            self.result_text.toPlainText(),
            self.picker.files(),
            attachments_folder(self.ctx),
        )
