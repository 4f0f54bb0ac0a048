"""Asking the county for a visitor's full phone number (docs/protocol.md ``reveal``).

A department or grid-worker desk holds only a masked phone. When the person
must call the visitor, this dialog asks why (required; the county keeps the
reason in its audit log), asks the county in the background, and shows the
number as plain, selectable text. The number is never stored on the desk and
never logged; closing the dialog forgets it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.enums import Role
from services import sync
from services.errors import DomainError
from views.forms import FieldErrors
from views.messages import error_text
from views.tasks import Op

from ..context import ViewContext

REVEAL_ROLES = (Role.DEPARTMENT, Role.GRID_WORKER)


def reveal_button(ctx: ViewContext, visit_id: str, parent: QWidget) -> QPushButton | None:
    """ "Show full phone" for a department or grid-worker user; None for other roles."""
    if getattr(ctx.user, "role", None) not in REVEAL_ROLES:
        return None
    button = QPushButton(QCoreApplication.translate("RevealDialog", "Show full phone"), parent)
    button.setObjectName("revealPhone")
    button.clicked.connect(lambda: RevealDialog(ctx, visit_id, parent=parent).exec())
    return button


class RevealDialog(QDialog):
    def __init__(
        self,
        ctx: ViewContext,
        visit_id: str,
        *,
        field: str = "phone",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.visit_id = visit_id
        self.field = field
        self.setObjectName("revealDialog")
        self.setWindowTitle(self.tr("Full phone number"))
        self.setMinimumWidth(420)

        hint = QLabel(
            self.tr(
                "The county keeps a record of who asked for the number and why. "
                "The number is shown here only and is not saved on this computer."
            )
        )
        hint.setObjectName("hintLabel")
        hint.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("revealReason")
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText(self.tr("e.g. call the visitor about the repair date"))
        self.value = QLabel()
        self.value.setObjectName("revealValue")
        self.value.setTextFormat(Qt.TextFormat.PlainText)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.value.hide()
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.hide()
        # The dialog's one message line also serves the reason field.
        self.errors = FieldErrors(fallback=self.show_message)
        self.errors.add("reason", self.reason, label=self.message)

        form = QFormLayout()
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.tr("Phone"), self.value)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.ask_button = self.buttons.addButton(
            self.tr("Ask the county"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.ask_button.setObjectName("revealAsk")
        self.ask_button.setDefault(True)
        self.ask_button.clicked.connect(self.ask)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.reason.setFocus()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def ask(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            self.errors.set("reason", self.tr("Say why you need the full number."))
            return
        self.errors.clear()
        self.message.hide()
        self.ask_button.setEnabled(False)
        self.ask_button.setText(self.tr("Asking the county…"))
        ctx, user_id, visit_id, field = self.ctx, self.ctx.user.id, self.visit_id, self.field

        def call() -> str | None:
            with ctx.read() as session:
                conn = sync.connection(session)
            return sync.reveal(ctx.db, conn, user_id, visit_id, field, reason)

        Op(self, call).success(self.shown).failure(self.failed).run_in_background()

    def shown(self, value: str | None) -> None:
        self.ask_button.setEnabled(True)
        self.ask_button.setText(self.tr("Ask the county"))
        if value:
            self.value.setText(value)
        else:
            self.value.setText(self.tr("(the county holds no number)"))
        self.value.show()

    def failed(self, exc: BaseException) -> None:
        self.ask_button.setEnabled(True)
        self.ask_button.setText(self.tr("Ask the county"))
        if isinstance(exc, DomainError):
            self.errors.show(exc)  # under the reason if it is about the reason
        else:
            self.show_message(self.failure_text(exc))

    def failure_text(self, exc: BaseException) -> str:
        if isinstance(exc, DomainError):
            return error_text(exc)
        if isinstance(exc, sync.NotConfigured):
            return self.tr("No county server is set: the full number comes only from the county.")
        if isinstance(exc, sync.Offline):
            return self.tr(
                "The county server cannot be reached. The full number comes only from the "
                "county; try again when the desk is online."
            )
        if isinstance(exc, sync.LoginRequired):
            return self.tr(
                "You are not logged in to the county on this desk. Log in on the sync "
                "screen, then ask again."
            )
        if isinstance(exc, sync.RevealRefused):
            if exc.code == "not_found":
                return self.tr("The county does not show this visit to you.")
            return self.tr("The county does not allow your role to see this number.")
        return self.tr("The county could not answer; try again later.")
