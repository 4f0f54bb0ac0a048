"""Errors from ``services/`` and ``models/`` as text for a person.

Services raise errors with English templates marked in the ``services``
context; here they are translated and filled in. Parameters named ``*_label``
are marked texts themselves and are translated too.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from models.db import DatabaseProblem
from services.errors import DomainError


def tr_services(text: str) -> str:
    return QCoreApplication.translate("services", text)


def format_params(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key.endswith("_label") and isinstance(value, str):
            out[key] = tr_services(value)
        elif key.endswith("_labels") and isinstance(value, (list, tuple)):
            out[key] = "、".join(tr_services(str(v)) for v in value)
        else:
            out[key] = value
    return out


def error_text(error: BaseException) -> str:
    """The translated, filled-in message of a domain or database error."""
    if isinstance(error, DomainError):
        template = tr_services(error.template)
        try:
            return template.format(**format_params(error.params))
        except (KeyError, IndexError, ValueError):
            return template
    if isinstance(error, DatabaseProblem):
        return database_problem_text(error)
    return str(error)


def message_box(
    parent: QWidget | None,
    title: str,
    text: str,
    icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
    buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
) -> QMessageBox:
    """A message box that shows ``text`` literally (it may quote a case title, a
    file name or a name from the county; the static ``QMessageBox`` functions
    would show markup in them as rich text)."""
    box = QMessageBox(icon, title, "", buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    return box


def show_message(
    parent: QWidget | None,
    title: str,
    text: str,
    icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
) -> None:
    """Show ``text`` (plain) and wait until it is closed."""
    message_box(parent, title, text, icon).exec()


def ask(parent: QWidget | None, title: str, text: str) -> bool:
    """A yes/no question shown as plain text; No is the default answer."""
    box = message_box(
        parent,
        title,
        text,
        QMessageBox.Icon.Question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def database_problem_text(problem: DatabaseProblem) -> str:
    texts = {
        "data_dir_unavailable": QCoreApplication.translate(
            "errors",
            "The data folder {path} cannot be created or written. Check that the disk is connected and that "
            "you may write there, or start GridDesk with --data-dir and another folder.",
        ),
        "database_locked": QCoreApplication.translate(
            "errors",
            "The database {path} is in use by another program (perhaps GridDesk is already open). "
            "Close the other program and start again.",
        ),
        "database_read_only": QCoreApplication.translate(
            "errors",
            "The database {path} is read-only. Ask the administrator to give you write access to the file "
            "and its folder. Nothing was changed.",
        ),
        "disk_full": QCoreApplication.translate(
            "errors",
            "The disk holding {path} is full. Free some space and try again; nothing you saved before is lost.",
        ),
        "database_too_new": QCoreApplication.translate(
            "errors",
            "The database {path} was written by a newer version of GridDesk. Install that version or newer; "
            "this version leaves the file untouched.",
        ),
        "database_corrupt": QCoreApplication.translate(
            "errors",
            "The database {path} is damaged. Restore it from the copies in the backups folder next to it, "
            "or ask the administrator for help.",
        ),
    }
    text = texts.get(
        problem.code,
        QCoreApplication.translate("errors", "The database {path} cannot be used: {detail}"),
    )
    return text.format(path=problem.path, detail=problem.detail)
