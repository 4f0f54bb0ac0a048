"""What every action dialog shares: a form, a message under each field, a
summary line, and one place that calls the service and shows its refusal
without losing what was typed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from services.errors import DomainError, ValidationError

from ...context import ViewContext
from ...formatting import TITLE_LIMIT, plain_label, wrappable
from ...forms import FieldErrors
from ...messages import error_text
from .. import ops

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class ActionDialog(QDialog):
    """A dialog for one action on one case (or several, for dispatch).

    Subclasses add their fields with :meth:`add_field` and implement
    :meth:`perform`, which calls the service inside the transaction given.
    """

    action = ""

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case = case
        self.setObjectName("actionDialog")
        self.setModal(True)
        self.setMinimumWidth(460)
        self.fields: dict[str, QWidget] = {}
        self.errors = FieldErrors(fallback=self._show_summary)
        self.changed_ids: list[str] = [case.id] if case is not None else []

        self.heading = plain_label()
        self.heading.setObjectName("actionHeading")
        self.heading.setWordWrap(True)
        if case is not None:
            self.heading.setText(
                self.tr("Case %1: %2")
                .replace("%1", wrappable(case.number, 80))
                .replace("%2", wrappable(case.title, TITLE_LIMIT))
            )
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.summary = plain_label()
        self.summary.setObjectName("errorLabel")
        self.summary.setWordWrap(True)
        self.summary.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

    # ---------------------------------------------------------------- building
    def set_ok_text(self, text: str) -> None:
        self.ok_button.setText(text)

    def add_field(self, key: str, label: str, widget: QWidget) -> QWidget:
        widget.setObjectName(f"field_{key}")
        self.form.addRow(label, self.errors.column(key, widget))
        self.fields[key] = widget
        return widget

    def add_text(self, key: str, label: str, placeholder: str = "") -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(90)
        self.add_field(key, label, edit)
        return edit

    def add_info(self, label: str, text: str) -> QLabel:
        value = plain_label(text)
        value.setWordWrap(True)
        value.setObjectName("actionInfo")
        self.form.addRow(label, value)
        return value

    # ---------------------------------------------------------------- errors
    def clear_errors(self) -> None:
        self.summary.hide()
        self.errors.clear()

    def _show_summary(self, text: str) -> None:
        self.summary.setText(text)
        self.summary.show()

    def show_error(self, exc: DomainError) -> None:
        """A validation error under its field; anything else above the buttons."""
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        else:
            self._show_summary(error_text(exc))

    # ---------------------------------------------------------------- submitting
    def perform(self, session: Session) -> None:
        raise NotImplementedError

    def submit(self) -> None:
        self.clear_errors()
        try:
            ops.perform(self.ctx, self.perform)  # one case's transaction
        except DomainError as exc:
            log.info("%s refused: %s", self.action, exc)
            self.show_error(exc)
            return
        self.accept()


DialogFactory = Callable[[ViewContext, Any, QWidget | None], ActionDialog]


def dialog_for(action: str) -> DialogFactory:
    """The dialog class of ``action`` (see services.cases.actions.ACTIONS)."""
    from . import dispatch, feedback, simple, verify, void

    table: dict[str, DialogFactory] = {
        "acknowledge": simple.AcknowledgeDialog,
        "return": simple.ReturnDialog,
        "feedback": feedback.FeedbackDialog,
        "verify": verify.VerifyDialog,
        "close": verify.CloseDialog,
        "evaluate": verify.EvaluateDialog,
        "escalate": simple.EscalateDialog,
        "supervise": simple.SuperviseDialog,
        "extend": simple.ExtendDialog,
        "suspend": simple.SuspendDialog,
        "resume": simple.ResumeDialog,
        "void": void.VoidDialog,
        "comment": simple.CommentDialog,
        "dispatch": dispatch.DispatchDialog.for_case,
    }
    return table[action]
