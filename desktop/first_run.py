"""First start on an empty database: the administrator names the centre's org
units and creates their own account."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from models.db import Database
from models.tables import User
from services.accounts.setup import UnitInput, first_run_setup
from services.errors import ValidationError
from views.forms import FieldErrors


class FirstRunDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.user: User | None = None
        self.setObjectName("firstRunDialog")
        self.setWindowTitle(self.tr("GridDesk — first start"))
        self.setMinimumWidth(520)
        intro = QLabel(
            self.tr(
                "Welcome. This database is empty. Name the org unit this desk belongs to, with the codes "
                "used by your county, and create the administrator's account. Categories and departments "
                "start from the national defaults; the county server replaces them at the first sync."
            )
        )
        intro.setWordWrap(True)

        self.fields: dict[str, QLineEdit] = {}
        units = QGroupBox(self.tr("Org unit"))
        unit_form = QFormLayout(units)
        for key, label, placeholder in (
            ("county_code", self.tr("County code"), self.tr("6 digits, e.g. 990101")),
            ("county_name", self.tr("County name"), self.tr("e.g. 河西示范区")),
            (
                "street_code",
                self.tr("Street code"),
                self.tr("9 digits, starting with the county code"),
            ),
            ("street_name", self.tr("Street name"), self.tr("e.g. 长河街道")),
            (
                "community_code",
                self.tr("Community code (optional)"),
                self.tr("12 digits, for a community centre"),
            ),
            ("community_name", self.tr("Community name (optional)"), ""),
            ("centre_name", self.tr("Centre name"), self.tr("shown on receipts and reports")),
        ):
            unit_form.addRow(label, self._field(key, placeholder))

        account = QGroupBox(self.tr("Administrator"))
        account_form = QFormLayout(account)
        for key, label, placeholder in (
            ("username", self.tr("Username"), self.tr("letters and digits, no spaces")),
            ("display_name", self.tr("Name"), ""),
            ("password", self.tr("Password"), self.tr("at least 8 characters, letters and digits")),
            ("password_again", self.tr("Password again"), ""),
        ):
            account_form.addRow(label, self._field(key, placeholder))
        for key in ("password", "password_again"):
            self.fields[key].setEchoMode(QLineEdit.EchoMode.Password)

        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # messages may quote a server
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        self.error.hide()
        # One line at the bottom for every field; the field at fault is marked.
        self.errors = FieldErrors(fallback=self._show_error)
        for key, edit in self.fields.items():
            self.errors.add(key, edit, label=self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Create and log in"))
        ok.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(units)
        layout.addWidget(account)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _field(self, key: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(key)
        edit.setPlaceholderText(placeholder)
        self.fields[key] = edit
        return edit

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def value(self, key: str) -> str:
        return self.fields[key].text()

    def submit(self) -> None:
        self.errors.clear()
        self.error.hide()
        try:
            with self.db.session() as session:
                user = first_run_setup(
                    session,
                    county=UnitInput(self.value("county_code"), self.value("county_name")),
                    street=UnitInput(self.value("street_code"), self.value("street_name")),
                    community=UnitInput(self.value("community_code"), self.value("community_name")),
                    centre_name=self.value("centre_name"),
                    admin_username=self.value("username"),
                    admin_display_name=self.value("display_name"),
                    admin_password=self.value("password"),
                    admin_password_again=self.value("password_again"),
                )
                session.flush()
                session.expunge(user)
        except ValidationError as exc:
            self.errors.show(exc)
            return
        self.user = user
        self.accept()
