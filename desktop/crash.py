"""The error dialog for unexpected exceptions, with details a person can copy
and send to the administrator, installed as ``sys.excepthook``."""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.db import DatabaseProblem, classify
from services.version import __version__
from views.messages import database_problem_text

from .logging_setup import current_log_file

log = logging.getLogger(__name__)


class ErrorDialog(QDialog):
    def __init__(self, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle(self.tr("GridDesk: unexpected error"))
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        message = QLabel(
            self.tr(
                "Something went wrong that GridDesk did not expect. What you saved before is safe. "
                "Copy the details below and send them to your administrator."
            )
        )
        message.setWordWrap(True)
        layout.addWidget(message)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        layout.addWidget(self.details, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton(self.tr("Copy details"))
        copy.clicked.connect(self.copy_details)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        log_file = current_log_file()
        if log_file is not None:
            open_logs = QPushButton(self.tr("Open log folder"))
            open_logs.clicked.connect(
                lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(log_file).parent)))
            )
            buttons.addButton(open_logs, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())


def format_details(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> str:
    lines = [
        f"GridDesk {__version__}",
        f"Python {platform.python_version()} on {platform.platform()}",
        f"Log: {current_log_file() or '-'}",
        "",
        *traceback.format_exception(exc_type, exc, tb),
    ]
    return "\n".join(line.rstrip("\n") for line in lines)


_showing = False


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    global _showing
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.error("unexpected error", exc_info=(exc_type, exc, tb))
    problem = classify(exc, None) if not isinstance(exc, DatabaseProblem) else exc
    if problem is not None and QApplication.instance() is not None and not _showing:
        # A full disk or a locked file while working: say what to do, keep running.
        _showing = True
        try:
            QMessageBox.critical(
                QApplication.activeWindow(),
                QCoreApplication.translate("App", "GridDesk cannot save"),
                database_problem_text(problem),
            )
        finally:
            _showing = False
        return
    if _showing or QApplication.instance() is None:
        sys.__excepthook__(exc_type, exc, tb)
        return
    _showing = True
    try:
        ErrorDialog(format_details(exc_type, exc, tb), QApplication.activeWindow()).exec()
    finally:
        _showing = False


def install_excepthook() -> None:
    sys.excepthook = excepthook
