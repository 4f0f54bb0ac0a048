"""The settings screen: office hours, the county server's address, the language."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from services import settings as settings_service
from services.cases.permissions import Permission
from services.errors import DomainError

from .context import ViewContext
from .formatting import plain_label
from .map.tile_settings import TileSettingsBox
from .messages import error_text


# The screen's database work: the settings table's few rows, read and written
# where they are needed (a few ms).
def load_settings(ctx: ViewContext) -> dict[str, Any]:
    with ctx.read() as session:
        return settings_service.get_all(session)


def save_settings(ctx: ViewContext, changes: dict[str, Any]) -> None:
    """Every change in one transaction, in order: all or none."""
    with ctx.write() as session:
        for key, value in changes.items():
            settings_service.change(session, ctx.actor, key, value)


class SettingsView(QWidget):
    language_changed = Signal(str)

    def __init__(
        self, ctx: ViewContext, languages: dict[str, str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("settingsView")
        title = plain_label(self.tr("Settings"))
        title.setObjectName("screenTitle")

        self._build_hours_box()

        # Connection to the county.
        server_box = QGroupBox(self.tr("County server"))
        server_form = QFormLayout(server_box)
        self.server_url = QLineEdit()
        self.server_url.setObjectName("serverUrl")
        self.server_url.setPlaceholderText("https://county.example:8443")
        server_form.addRow(self.tr("Server address"), self.server_url)

        # Attachments kept on this computer.
        files_box = QGroupBox(self.tr("Photos and documents"))
        files_form = QFormLayout(files_box)
        self.keep_closed_days = QSpinBox()
        self.keep_closed_days.setObjectName("keepClosedDays")
        self.keep_closed_days.setRange(0, 3650)
        self.keep_closed_days.setMaximumWidth(140)
        self.keep_closed_days.setSuffix(self.tr(" days"))
        files_form.addRow(self.tr("Closed cases' files"), self.keep_closed_days)
        files_hint = plain_label(
            self.tr(
                "The files of open cases are always downloaded after a sync; those of cases "
                "closed within this many days too. Older ones are fetched when a case is opened."
            )
        )
        files_hint.setObjectName("hintLabel")
        files_hint.setWordWrap(True)
        files_form.addRow(files_hint)
        files_box.setEnabled(self.ctx.can(Permission.MANAGE_SETTINGS))
        self.files_box = files_box

        self._build_sign_off_box()

        # Language of the interface.
        ui_box = QGroupBox(self.tr("Interface"))
        ui_form = QFormLayout(ui_box)
        self.language = QComboBox()
        self.language.setObjectName("language")
        for code, name in languages.items():
            self.language.addItem(name, code)
        ui_form.addRow(self.tr("Language"), self.language)
        self.language_note = plain_label(self.tr("A new language takes effect at the next start."))
        self.language_note.setObjectName("hintLabel")
        ui_form.addRow(self.language_note)

        self.message = plain_label()
        self.message.setObjectName("messageLabel")
        self.message.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Save settings"))
        self.save_button.setObjectName("saveSettings")
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.save_button)

        # Forms read badly when stretched across a wide screen: keep them to a column.
        self.column = QWidget()
        self.column.setObjectName("settingsColumn")
        self.column.setMaximumWidth(760)
        self.column_layout = QVBoxLayout(self.column)
        self.column_layout.setContentsMargins(0, 0, 0, 0)
        self.column_layout.addWidget(title)
        self.column_layout.addWidget(self.hours_box)
        self.column_layout.addWidget(server_box)
        self.column_layout.addWidget(files_box)
        self.column_layout.addWidget(self.sign_off_box)
        self.column_layout.addWidget(ui_box)
        self.column_layout.addLayout(buttons)
        self.column_layout.addWidget(TileSettingsBox(ctx))  # base map: its own save and preview
        self.column_layout.addStretch(1)
        # The form scrolls, so the window fits a 768-pixel screen.
        page = QWidget()
        page_layout = QHBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self.column, 3)
        page_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("settingsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.load()

    def _build_hours_box(self) -> None:
        """Office hours: two periods a day (only an administrator may change them)."""
        self.hours_box = QGroupBox(self.tr("Office hours"))
        hours_form = QFormLayout(self.hours_box)
        self.period_edits: list[tuple[QTimeEdit, QTimeEdit]] = []
        for name in (self.tr("Morning"), self.tr("Afternoon")):
            start, end = QTimeEdit(), QTimeEdit()
            for edit in (start, end):
                edit.setDisplayFormat("HH:mm")
            row = QHBoxLayout()
            row.addWidget(start)
            row.addWidget(plain_label("—"))
            row.addWidget(end)
            row.addStretch(1)
            hours_form.addRow(name, row)
            self.period_edits.append((start, end))
        hint = plain_label(
            self.tr("Deadlines in working hours count only these periods, on working days.")
        )
        hint.setObjectName("hintLabel")
        hint.setWordWrap(True)
        hours_form.addRow(hint)
        can_manage = self.ctx.can(Permission.MANAGE_SETTINGS)
        self.hours_box.setEnabled(can_manage)

    def _build_sign_off_box(self) -> None:
        """The bulletin's 落款: who issues it and, where wanted, who reviewed and signed it."""
        self.sign_off_box = QGroupBox(self.tr("Bulletin sign-off"))
        form = QFormLayout(self.sign_off_box)
        self.issuer = QLineEdit()
        self.issuer.setObjectName("bulletinIssuer")
        self.issuer.setMaxLength(60)
        self.reviewer = QLineEdit()
        self.reviewer.setObjectName("bulletinReviewer")
        self.reviewer.setMaxLength(30)
        self.signer = QLineEdit()
        self.signer.setObjectName("bulletinSigner")
        self.signer.setMaxLength(30)
        form.addRow(self.tr("Issued by"), self.issuer)
        form.addRow(self.tr("Reviewed by"), self.reviewer)
        form.addRow(self.tr("Signed by"), self.signer)
        hint = plain_label(
            self.tr(
                "Printed at the end of the bulletin with the export date. Without an issuing "
                "unit, the centre's name is used; empty lines are left out."
            )
        )
        hint.setObjectName("hintLabel")
        hint.setWordWrap(True)
        form.addRow(hint)
        self.sign_off_box.setEnabled(self.ctx.can(Permission.MANAGE_SETTINGS))

    def load(self) -> None:
        from PySide6.QtCore import QTime

        values = load_settings(self.ctx)
        periods = values["office_hours"]
        for (start, end), period in zip(self.period_edits, periods, strict=False):
            start.setTime(QTime.fromString(period[0], "HH:mm"))
            end.setTime(QTime.fromString(period[1], "HH:mm"))
        self.server_url.setText(values.get("device.server_url") or "")
        self.keep_closed_days.setValue(int(values.get("attachments.keep_closed_days") or 0))
        self.issuer.setText(str(values.get(settings_service.BULLETIN_ISSUER) or ""))
        self.issuer.setPlaceholderText(str(values.get("centre_name") or ""))
        self.reviewer.setText(str(values.get(settings_service.BULLETIN_REVIEWER) or ""))
        self.signer.setText(str(values.get(settings_service.BULLETIN_SIGNER) or ""))
        index = self.language.findData(self.ctx.prefs.language)
        self.language.setCurrentIndex(max(index, 0))

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setProperty("error", error)
        self.message.style().polish(self.message)
        self.message.setText(text)

    def save(self) -> None:
        hours = [
            [s.time().toString("HH:mm"), e.time().toString("HH:mm")] for s, e in self.period_edits
        ]
        try:
            changes: dict[str, Any] = {"device.server_url": self.server_url.text()}
            if self.hours_box.isEnabled():
                changes = {"office_hours": hours, **changes}
            if self.files_box.isEnabled():
                changes["attachments.keep_closed_days"] = self.keep_closed_days.value()
            if self.sign_off_box.isEnabled():
                changes[settings_service.BULLETIN_ISSUER] = self.issuer.text()
                changes[settings_service.BULLETIN_REVIEWER] = self.reviewer.text()
                changes[settings_service.BULLETIN_SIGNER] = self.signer.text()
            save_settings(self.ctx, changes)
        except DomainError as exc:
            self.show_message(error_text(exc), error=True)
            return
        self.ctx.reload_calendar()
        language = self.language.currentData()
        if language != self.ctx.prefs.language:
            self.ctx.prefs.language = language
            self.language_changed.emit(language)
        self.show_message(self.tr("Saved."))
