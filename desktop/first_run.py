"""First start on an empty database, one of two ways (services/accounts/setup.py):
join the county server with a county account, which brings that person, their
org units and the reference data down; or, without network, name the centre's
org units, create the administrator's account and, if the county reserved one,
type this desk's code."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from models.db import Database
from models.tables import User
from services.accounts.setup import UnitInput, check_join, first_run_setup, join_county
from services.errors import DomainError, ValidationError
from views.forms import FieldErrors

JOIN, OFFLINE = 0, 1


class FirstRunDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.user: User | None = None
        self.setObjectName("firstRunDialog")
        self.setWindowTitle(self.tr("GridDesk — first start"))
        self.setMinimumWidth(560)
        intro = QLabel(
            self.tr(
                "Welcome. This database is empty. If this desk reaches the county server, "
                "log in there with your county account: your org unit and the reference data "
                "come with it. Without network, name this desk's org unit and create the "
                "administrator's account."
            )
        )
        intro.setWordWrap(True)

        self.join_choice = QRadioButton(self.tr("&Join the county server"))
        self.join_choice.setObjectName("joinChoice")
        self.offline_choice = QRadioButton(self.tr("Set up &without network"))
        self.offline_choice.setObjectName("offlineChoice")
        choices = QButtonGroup(self)
        choices.addButton(self.join_choice, JOIN)
        choices.addButton(self.offline_choice, OFFLINE)
        self.join_choice.setChecked(True)

        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # messages may quote a server
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        self.error.hide()

        self.fields: dict[str, QLineEdit] = {}
        self.join_fields: dict[str, QLineEdit] = {}
        self.pages = QStackedWidget()
        self._page_widgets = [self._join_page(), self._offline_page()]  # JOIN, OFFLINE
        for page in self._page_widgets:
            self.pages.addWidget(page)
        # One line at the bottom for every field; the field at fault is marked.
        self.errors = FieldErrors(fallback=self._show_error)
        for key, edit in self.fields.items():
            self.errors.add(key, edit, label=self.error)
        self.join_errors = FieldErrors(fallback=self._show_error)
        for key, edit in self.join_fields.items():
            self.join_errors.add(key, edit, label=self.error)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("firstRunOk")
        self.ok.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        choices.idToggled.connect(self._choose)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.join_choice)
        layout.addWidget(self.offline_choice)
        layout.addWidget(self.pages)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self._choose(JOIN, True)

    # ------------------------------------------------------------ building
    def _join_page(self) -> QWidget:
        box = QGroupBox(self.tr("County server"))
        form = QFormLayout(box)
        for key, label, placeholder in (
            ("server_url", self.tr("Server address"), "https://county.example:8443"),
            ("username", self.tr("Username"), self.tr("your county account")),
            ("password", self.tr("Password"), ""),
        ):
            form.addRow(label, self._field(self.join_fields, f"join_{key}", key, placeholder))
        self.join_fields["password"].setEchoMode(QLineEdit.EchoMode.Password)
        note = QLabel(
            self.tr(
                "The county's administrator creates your account. After this first login "
                "you can also log in here without network."
            )
        )
        note.setObjectName("hintLabel")
        note.setWordWrap(True)
        form.addRow(note)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)
        layout.addStretch(1)
        return page

    def _offline_page(self) -> QWidget:
        page = QWidget()
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
            (
                "desk_code",
                self.tr("Desk code (optional)"),
                self.tr("2 digits, if the county reserved one"),
            ),
        ):
            unit_form.addRow(label, self._field(self.fields, key, key, placeholder))
        self.fields["desk_code"].setMaxLength(2)

        account = QGroupBox(self.tr("Administrator"))
        account_form = QFormLayout(account)
        for key, label, placeholder in (
            ("username", self.tr("Username"), self.tr("letters and digits, no spaces")),
            ("display_name", self.tr("Name"), ""),
            ("password", self.tr("Password"), self.tr("at least 8 characters, letters and digits")),
            ("password_again", self.tr("Password again"), ""),
        ):
            account_form.addRow(label, self._field(self.fields, key, key, placeholder))
        for key in ("password", "password_again"):
            self.fields[key].setEchoMode(QLineEdit.EchoMode.Password)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(units)
        layout.addWidget(account)
        return page

    @staticmethod
    def _field(into: dict[str, QLineEdit], name: str, key: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        into[key] = edit
        return edit

    # ------------------------------------------------------------ behaviour
    def _choose(self, which: int, checked: bool) -> None:
        if not checked:
            return
        self.pages.setCurrentIndex(which)
        for index, page in enumerate(self._page_widgets):  # the dialog fits the page shown
            policy = QSizePolicy.Policy.Preferred if index == which else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.errors.clear()
        self.join_errors.clear()
        self.error.hide()
        if which == JOIN:
            self.ok.setText(self.tr("Connect and log in"))
            self.join_fields["server_url"].setFocus()
        else:
            self.ok.setText(self.tr("Create and log in"))
            self.fields["county_code"].setFocus()
        self.adjustSize()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def value(self, key: str) -> str:
        return self.fields[key].text()

    def submit(self) -> None:
        self.errors.clear()
        self.join_errors.clear()
        self.error.hide()
        if self.pages.currentIndex() == JOIN:
            self.join()
        else:
            self.set_up_offline()

    def set_up_offline(self) -> None:
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
                    desk_code=self.value("desk_code"),
                )
                session.flush()
                session.expunge(user)
        except ValidationError as exc:
            self.errors.show(exc)
            return
        self.user = user
        self.accept()

    def join(self) -> None:
        """Log in to the county in the background; the dialog waits, greyed out."""
        from views.sync.texts import failure_text
        from views.tasks import Op

        server, username, password = (
            self.join_fields[key].text() for key in ("server_url", "username", "password")
        )
        try:
            check_join(server, username, password)
        except ValidationError as exc:
            self.join_errors.show(exc)
            return
        self.setEnabled(False)
        self._show_error(self.tr("Connecting to the county server…"))

        def failed(exc: BaseException) -> None:
            self.setEnabled(True)
            self.error.hide()
            if isinstance(exc, DomainError):
                self.join_errors.show(exc)
                return
            code = str(getattr(exc, "code", "") or "")
            if code == "offline":
                self._show_error(
                    self.tr(
                        "The county server cannot be reached at this address. Check the "
                        "address and the network, or set this desk up without network."
                    )
                )
            else:
                self._show_error(failure_text(code))
            if code in ("invalid_credentials", "too_many_attempts"):
                self.join_fields["password"].selectAll()
                self.join_fields["password"].setFocus()

        def done(user: User) -> None:
            self.setEnabled(True)
            self.user = user
            self.accept()

        Op(
            self,
            lambda: join_county(self.db, server_url=server, username=username, password=password),
        ).success(done).failure(failed).run_in_background()
