"""The coordinator's closing steps: verify (核查), close (结案) and evaluate (回访)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from models.enums import CaseState, CloseResolution, EvaluationMethod, Satisfaction
from services.cases import actions as case_actions
from services.cases.detail import before_and_after
from services.errors import DomainError

from ...attachments.pane import PhotoOpener
from ...attachments.thumbs import THUMB, ThumbnailStrip
from ...context import ViewContext
from .. import ops
from .base import ActionDialog
from .feedback import attachments_folder

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class _Choice(QWidget):
    """Radio buttons in a row; ``value()`` is the data of the checked one."""

    def __init__(self, options: list[tuple[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.buttons: list[tuple[QRadioButton, Any]] = []
        for text, value in options:
            button = QRadioButton(text)
            self.group.addButton(button)
            row.addWidget(button)
            self.buttons.append((button, value))
        row.addStretch(1)

    def value(self) -> Any:
        for button, value in self.buttons:
            if button.isChecked():
                return value
        return None

    def set_value(self, wanted: Any) -> None:
        for button, value in self.buttons:
            button.setChecked(value == wanted)


class VerifyDialog(ActionDialog):
    action = "verify"

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case, parent)
        self.setWindowTitle(self.tr("Verify the result"))
        self.result_label = self.add_info(self.tr("Reported result:"), self._last_result())
        self._add_photos()
        self.outcome = _Choice(
            [
                (self.tr("Passed: close the case"), True),
                (self.tr("Failed: send back for rework"), False),
            ]
        )
        self.outcome.set_value(True)
        self.add_field("passed", self.tr("Outcome:"), self.outcome)
        self.note = self.add_text(
            "note",
            self.tr("Note:"),
            self.tr("Required when the check fails: what must be redone?"),
        )
        self.set_ok_text(self.tr("Record verification"))

    def _add_photos(self) -> None:
        """Before and after, side by side: the registration's photos and those of
        earlier steps, against the photos of the last feedback."""
        try:
            detail = ops.detail(self.ctx, self.case.id, attachments_folder(self.ctx))
        except DomainError:
            return
        before, after = before_and_after(detail.attachment_steps)
        self.setMinimumWidth(820)
        self.opener = PhotoOpener(self, ops.names(self.ctx))
        box = QWidget()
        box.setObjectName("beforeAfter")
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 4, 0, 4)
        self.before = self._side(
            row, self.tr("Before: the registration and earlier steps"), before, "before"
        )
        self.after = self._side(row, self.tr("After: the last feedback"), after, "after")
        self.form.addRow(box)

    def _side(self, row: QHBoxLayout, title: str, files: list[Any], name: str) -> ThumbnailStrip:
        column = QVBoxLayout()
        header = QLabel(title)
        font = header.font()
        font.setBold(True)
        header.setFont(font)
        strip = ThumbnailStrip(self.ctx, files, wrap=True)
        strip.setObjectName(f"{name}Photos")
        strip.setMinimumHeight(THUMB * 2 + 100)
        self.opener.watch(strip)
        column.addWidget(header)
        column.addWidget(strip, 1)
        if not files:
            empty = QLabel(self.tr("No photos."))
            empty.setObjectName(f"{name}Empty")
            column.addWidget(empty)
        row.addLayout(column, 1)
        return strip

    def _last_result(self) -> str:
        return ops.feedback_result(self.ctx, self.case.id)  # one event row

    def perform(self, session: Session) -> None:
        passed = self.outcome.value()
        case_actions.verify(
            session, self.ctx.actor, self.case.id, bool(passed), self.note.toPlainText()
        )


class CloseDialog(ActionDialog):
    action = "close"

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case, parent)
        self.setWindowTitle(self.tr("Close the case"))
        self.resolution = QComboBox()
        from services.cases.permissions import Permission

        if ctx.can(Permission.CLOSE):
            self.resolution.addItem(self.tr("Settled (with a note)"), CloseResolution.OTHER.value)
        if case.state == CaseState.REGISTERED and ctx.can(Permission.CLOSE_ON_THE_SPOT):
            self.resolution.addItem(
                self.tr("Settled on the spot"), CloseResolution.ON_THE_SPOT.value
            )
        self.add_field("resolution", self.tr("How:"), self.resolution)
        self.note = self.add_text("note", self.tr("Note:"), self.tr("How was the case settled?"))
        self.set_ok_text(self.tr("Close case"))

    def perform(self, session: Session) -> None:
        case_actions.close(
            session,
            self.ctx.actor,
            self.case.id,
            self.resolution.currentData() or CloseResolution.OTHER.value,
            self.note.toPlainText(),
        )


class EvaluateDialog(ActionDialog):
    action = "evaluate"

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case, parent)
        self.setWindowTitle(self.tr("Record the visitor's evaluation"))
        self.satisfaction = _Choice(
            [
                (self.tr("Satisfied"), Satisfaction.SATISFIED.value),
                (self.tr("Basically satisfied"), Satisfaction.BASICALLY_SATISFIED.value),
                (self.tr("Dissatisfied"), Satisfaction.DISSATISFIED.value),
            ]
        )
        self.add_field("satisfaction", self.tr("Satisfaction:"), self.satisfaction)
        self.method = QComboBox()
        for text, value in (
            (self.tr("Phone call"), EvaluationMethod.PHONE),
            (self.tr("Text message"), EvaluationMethod.SMS),
            (self.tr("Home visit"), EvaluationMethod.VISIT),
            (self.tr("On site"), EvaluationMethod.ON_SITE),
        ):
            self.method.addItem(text, value.value)
        self.add_field("method", self.tr("Asked by:"), self.method)
        self.note = self.add_text("note", self.tr("Note:"), self.tr("What did the visitor say?"))
        self.set_ok_text(self.tr("Record evaluation"))

    def perform(self, session: Session) -> None:
        case_actions.evaluate(
            session,
            self.ctx.actor,
            self.case.id,
            self.satisfaction.value() or "",
            self.method.currentData(),
            self.note.toPlainText(),
        )
