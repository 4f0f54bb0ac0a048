"""The error line under each input of a form, written once.

A service names the input a :class:`~services.errors.ValidationError` is about
(its ``field``); :class:`FieldErrors` maps those names to the inputs of one
screen and shows the translated message, as plain text, in a label right under
the input, marks the input invalid (the stylesheet draws it red) and puts the
focus there. Editing the input clears its error. A message about no field of
this form goes to the form's ``fallback`` (a line at the bottom, a message box).

    self.errors = FieldErrors(fallback=self.show_message)
    form.addRow(self.tr("Server address"), self.errors.column("device.server_url", edit))
    ...
    except DomainError as exc:
        self.errors.show(exc)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from services.errors import DomainError

from .formatting import plain_label
from .messages import error_text


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Set the ``invalid`` property the stylesheet draws, and re-apply the style."""
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def _connect_edited(widget: QWidget, slot: Callable[[], None]) -> None:
    """Call ``slot`` when the person changes the input (not when the program fills it)."""
    if isinstance(widget, QLineEdit):
        widget.textEdited.connect(slot)
    elif isinstance(widget, QPlainTextEdit | QTextEdit):
        widget.textChanged.connect(slot)
    elif isinstance(widget, QComboBox):
        widget.activated.connect(slot)
        line = widget.lineEdit() if widget.isEditable() else None
        if line is not None:
            line.textEdited.connect(slot)
    elif isinstance(widget, QAbstractButton):
        widget.clicked.connect(slot)


class FieldErrors:
    """Field name → the error label under its input, for one form.

    Reads like a dict of labels (``errors["phone"].text()``), which is what the
    GUI tests look at.
    """

    def __init__(
        self,
        *,
        fallback: Callable[[str], None] | None = None,
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.labels: dict[str, QLabel] = {}
        self.inputs: dict[str, QWidget] = {}
        self.shown: set[str] = set()
        self.fallback = fallback
        self.aliases = dict(aliases or {})

    # ------------------------------------------------------------ building
    def add(
        self,
        key: str,
        widget: QWidget,
        *,
        mark: QWidget | None = None,
        label: QLabel | None = None,
        clear_on_edit: bool = True,
    ) -> QLabel:
        """Register ``widget`` as the input of ``key``; returns its hidden error label
        for the caller's layout. ``mark`` is the widget drawn invalid (default the
        input itself). ``label`` is an existing label to show the message in
        instead, which several inputs of a small form may share (one line at the
        bottom; the input at fault is still marked)."""
        error = label
        if error is None:
            error = plain_label()
            error.setObjectName("fieldError")
            error.setProperty("error", True)
            error.setWordWrap(True)
        error.setTextFormat(Qt.TextFormat.PlainText)  # a message may quote what was typed
        error.hide()
        self.labels[key] = error
        self.inputs[key] = mark if mark is not None else widget
        if clear_on_edit:
            _connect_edited(widget, lambda: self.clear(key))
        return error

    def column(
        self, key: str, widget: QWidget, *, mark: QWidget | None = None, spacing: int = 2
    ) -> QWidget:
        """``widget`` with its error label under it, as one widget for a form row."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing)
        layout.addWidget(widget)
        layout.addWidget(self.add(key, widget, mark=mark))
        return box

    # ------------------------------------------------------------ reading
    def __getitem__(self, key: str) -> QLabel:
        return self.labels[key]

    def __contains__(self, key: object) -> bool:
        return key in self.labels

    def __iter__(self) -> Iterator[str]:
        return iter(self.labels)

    def items(self) -> Iterable[tuple[str, QLabel]]:
        return self.labels.items()

    def text(self, key: str) -> str:
        """The message shown under ``key``, or "" when none is."""
        return self.labels[key].text() if key in self.shown else ""

    def key_for(self, field: str | None) -> str | None:
        """This form's input for a service's field name, or None."""
        if field is None:
            return None
        key = self.aliases.get(field, field)
        return key if key in self.labels else None

    # ------------------------------------------------------------ showing
    def clear(self, key: str | None = None) -> None:
        """Hide the error of ``key``, or of every input."""
        for name in [key] if key is not None else list(self.labels):
            if name not in self.shown:
                continue
            self.shown.discard(name)
            label = self.labels[name]
            label.clear()
            label.hide()
            mark_invalid(self.inputs[name], False)

    def set(self, key: str, text: str, *, focus: bool = True) -> None:
        """Show ``text`` under the input of ``key`` and mark the input."""
        label = self.labels[key]
        label.setText(text)
        label.show()
        self.shown.add(key)
        mark_invalid(self.inputs[key], True)
        if focus:
            self.inputs[key].setFocus()

    def show(self, exc: DomainError, *, focus: bool = True) -> bool:
        """The error's message under its field; without one, to the fallback.

        Returns whether it found a field of this form."""
        key = self.key_for(exc.field)
        if key is None:
            if self.fallback is not None:
                self.fallback(error_text(exc))
            return False
        self.set(key, error_text(exc), focus=focus)
        return True

    def show_all(self, messages: Mapping[str, str], order: Iterable[str]) -> None:
        """Several messages at once (keys of this form); focus on the first in ``order``."""
        self.clear()
        first: str | None = None
        for key in order:
            if key in messages and key in self.labels:
                self.set(key, messages[key], focus=False)
                first = first or key
        if first is not None:
            self.inputs[first].setFocus()
