"""Help ▸ About: the version (from services/version.py), where this copy keeps
its data and its log, and where the program itself is — in fields that can be
selected and copied, with buttons to open the data folder and to copy all of it
for a support call."""

from __future__ import annotations

import logging
import platform
import sys
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSysInfo, Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
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

from services.version import __version__

log = logging.getLogger(__name__)


def program_dir() -> Path:
    """The installed program's folder (the bundle), or the source tree when run from it."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def _path_field(text: str, name: str) -> QLineEdit:
    field = QLineEdit(text)
    field.setObjectName(name)
    field.setReadOnly(True)
    field.setCursorPosition(0)
    field.setMinimumWidth(460)
    return field


class AboutDialog(QDialog):
    def __init__(
        self, data_dir: Path, log_file: Path | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About GridDesk"))

        title = QLabel(self.tr("GridDesk"))
        title.setObjectName("aboutTitle")
        self.version_label = QLabel(self.tr("Version %1").replace("%1", __version__))
        self.version_label.setObjectName("aboutVersion")
        self.version_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.runtime_label = QLabel(
            self.tr("Qt %1 · PySide6 %2 · Python %3 · %4")
            .replace("%1", qVersion())
            .replace("%2", pyside_version)
            .replace("%3", platform.python_version())
            .replace("%4", QSysInfo.prettyProductName())
        )
        self.runtime_label.setObjectName("aboutRuntime")
        self.runtime_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.data_field = _path_field(str(data_dir), "aboutDataDir")
        self.log_field = _path_field(
            str(log_file) if log_file is not None else self.tr("(not writing a log file)"),
            "aboutLogFile",
        )
        self.program_field = _path_field(str(program_dir()), "aboutProgramDir")
        form = QFormLayout()
        form.addRow(self.tr("Data folder:"), self.data_field)
        form.addRow(self.tr("Log file:"), self.log_field)
        form.addRow(self.tr("Program folder:"), self.program_field)

        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # messages may quote a server
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        self.error.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = QPushButton(self.tr("&Open data folder"))
        self.open_button.setObjectName("openDataFolder")
        self.copy_button = QPushButton(self.tr("&Copy details"))
        self.copy_button.setObjectName("copyDetails")
        for button in (self.open_button, self.copy_button):
            button.setAutoDefault(False)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        close.setFocus()
        self.open_button.clicked.connect(self.open_data_folder)
        self.copy_button.clicked.connect(self.copy_details)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.addWidget(title)
        layout.addWidget(self.version_label)
        layout.addWidget(self.runtime_label)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def details(self) -> str:
        """Everything shown, as plain lines (what Copy puts on the clipboard)."""
        return "\n".join(
            [
                f"GridDesk {__version__}",
                self.runtime_label.text(),
                f"{self.tr('Data folder:')} {self.data_field.text()}",
                f"{self.tr('Log file:')} {self.log_field.text()}",
                f"{self.tr('Program folder:')} {self.program_field.text()}",
            ]
        )

    def copy_details(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.details())

    def open_data_folder(self) -> bool:
        """Show the data folder in the system's file manager; say so when that fails."""
        opened = self.data_dir.is_dir() and QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(self.data_dir))
        )
        if opened:
            self.error.hide()
            return True
        log.warning("could not open the data folder %s", self.data_dir)
        self.error.setText(
            self.tr(
                "The data folder could not be opened here. Copy its path above and open it in "
                "the file manager."
            )
        )
        self.error.show()
        return False
