"""The login dialog: username and password checked against the local database."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from models.db import Database
from models.tables import User
from services.accounts.auth import AuthError, login
from services.version import __version__

from .i18n import error_text

log = logging.getLogger(__name__)


class LoginDialog(QDialog):
    def __init__(
        self, db: Database, *, username: str = "", hint: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.user: User | None = None
        self.setObjectName("loginDialog")
        self.setWindowTitle(self.tr("GridDesk — log in"))
        self.setMinimumWidth(380)

        title = QLabel(self.tr("GridDesk"))
        title.setObjectName("loginTitle")
        subtitle = QLabel(
            self.tr("Grid service management workbench · version %1").replace("%1", __version__)
        )
        subtitle.setObjectName("loginSubtitle")

        self.username = QLineEdit(username)
        self.username.setObjectName("username")
        self.username.setPlaceholderText(self.tr("Username"))
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Password"))
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # messages may quote a server
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        self.error.hide()

        form = QFormLayout()
        form.addRow(self.tr("&Username"), self.username)
        form.addRow(self.tr("&Password"), self.password)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Log in"))
        ok.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Quit"))
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setTextFormat(Qt.TextFormat.PlainText)
            hint_label.setObjectName("hintLabel")
            hint_label.setWordWrap(True)
            hint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(hint_label)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        (self.password if username else self.username).setFocus()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def try_login(self) -> None:
        username = self.username.text().strip()
        if not username:
            self.show_error(self.tr("Enter your username."))
            self.username.setFocus()
            return
        if not self.password.text():
            self.show_error(self.tr("Enter your password."))
            self.password.setFocus()
            return
        try:
            self.user = login(self.db, username, self.password.text())
        except AuthError as exc:
            if exc.code == "invalid_credentials" and self._try_county(username, exc):
                return
            text = error_text(exc)
            if exc.code == "invalid_credentials" and not self._county_set():
                text += "\n" + self.tr(
                    "This desk is not connected to a county server, so only people who have "
                    "logged in here before can log in. An administrator sets the server's "
                    "address in Settings."
                )
            self.show_error(text)
            self.password.selectAll()
            self.password.setFocus()
            return
        self._county_login_in_background(self.user, self.password.text())
        self.accept()

    def _county_login_in_background(self, user: User, password: str) -> None:
        """Logged in offline: if the county is set and this person has no county login
        here yet, get one now (best effort), so their records can go up with their own
        token (docs/protocol.md). The password is only passed on, never kept."""
        from services import settings as settings_service
        from services.sync import login_blocking, usable_users

        with self.db.sessions() as session:
            server = str(settings_service.get(session, "device.server_url") or "")
            if not server or user.id in usable_users(session, server):
                return
        db, username = self.db, user.username

        def quietly() -> None:
            try:
                login_blocking(db, username, password)
            except Exception as exc:  # noqa: BLE001 - offline is normal here
                log.info("county login after an offline login did not work: %s", exc)

        threading.Thread(target=quietly, name="county-login", daemon=True).start()

    def _county_set(self) -> bool:
        from services import settings as settings_service

        with self.db.sessions() as session:
            return bool(settings_service.get(session, "device.server_url"))

    def _try_county(self, username: str, local_error: AuthError) -> bool:
        """Not known here (or a new password): ask the county server, if one is set.

        A person the county knows logs in on any desk of theirs while it is online:
        the login brings down their account and what it needs (services.sync.engine).
        """
        from services.sync import SyncError, login_blocking
        from views.sync.texts import failure_text
        from views.tasks import Op

        if not self._county_set():
            return False
        password = self.password.text()
        self.setEnabled(False)
        self.show_error(self.tr("Checking with the county server…"))

        def failed(exc: BaseException) -> None:
            self.setEnabled(True)
            if isinstance(exc, SyncError) and exc.code == "user_not_stored":
                self.show_error(
                    self.tr(
                        "The county accepted the login, but this desk could not keep the "
                        "account (its org unit did not arrive). Try again, or synchronise first."
                    )
                )
            elif isinstance(exc, SyncError) and exc.code in ("offline", "server_error"):
                self.show_error(error_text(local_error))
            else:
                self.show_error(failure_text(getattr(exc, "code", "")))
            self.password.selectAll()
            self.password.setFocus()

        def done(user: User) -> None:
            self.setEnabled(True)
            self.user = user
            self.accept()

        Op(self, lambda: login_blocking(self.db, username, password)).success(done).failure(
            failed
        ).run_in_background()
        return True
