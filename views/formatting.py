"""Showing times, durations, labels and user-supplied text the same way on every screen.

Text that a person typed somewhere (a case title, a note, a visitor's name, a
department's name from the county) is never markup. Qt guesses: a ``QLabel``,
a tooltip or a message box shows a string as rich text when it looks like HTML
(``Qt.mightBeRichText``), so a pushed title ``<img src="file:///…">`` would load
a file and ``<h1 style="color:red">已结案</h1>`` would pass for a heading. Every
screen therefore builds its labels with :func:`plain_label` (text format
``PlainText``), shows message boxes through :func:`views.messages.show_message`,
and puts user text into a rich context (tooltips, the receipt's HTML, chart
labels) only through :func:`plain` / :func:`plain_tip`.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget

from services.worktime.workdays import SHANGHAI

# Controls that change how the text around them is drawn or hide characters:
# C0/C1 controls (but tab and newline), the bidirectional overrides, embeddings
# and isolates (U+202E makes "txt.exe" read "exe.txt"), and zero-width
# characters that make two different texts look alike. Zero-width (non-)joiners
# stay: emoji and some scripts need them.
_HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
# A run of characters without a line-break opportunity (not CJK, not a space)
# that would stretch a word-wrapped label to its whole length.
_UNBREAKABLE = re.compile(
    "[^\\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]{" + str(40 + 1) + ",}"
)
_BREAK_EVERY = 40
ELLIPSIS = "…"

TITLE_LIMIT = 300
"""Characters of a title shown in a heading (titles are at most 200 since PROTOCOL 1.1)."""
TEXT_LIMIT = 5000
"""Characters of a long text (description, result, note) shown on a screen."""
LINE_LIMIT = 500
"""Characters of a short text (name, address, reason) shown on a screen."""


def local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(SHANGHAI).strftime(fmt)


def working_days(value: float) -> str:
    """A duration in working days, with one decimal (SPEC: minutes ÷ 450)."""
    return f"{value:.1f}"


def label(text: str | None) -> str:
    """Translate a label marked in ``services`` (state, event, role …)."""
    if not text:
        return ""
    return QCoreApplication.translate("services", text)


# ---------------------------------------------------------------- user-supplied text
def clean(text: object, limit: int | None = None) -> str:
    """User text as it may be drawn: without hidden controls, cut to ``limit`` characters."""
    if text is None:
        return ""
    value = _HIDDEN.sub("", str(text))
    if limit is not None and len(value) > limit:
        value = value[: max(limit - 1, 0)] + ELLIPSIS
    return value


def wrappable(text: object, limit: int | None = None) -> str:
    """:func:`clean`, with a zero-width break opportunity every 40 characters of a
    run that has none (a URL, a hostile ``AAAA…``), so that a word-wrapped label
    stays as wide as its panel."""

    def split(match: re.Match[str]) -> str:
        run = match.group(0)
        return "\u200b".join(run[i : i + _BREAK_EVERY] for i in range(0, len(run), _BREAK_EVERY))

    return _UNBREAKABLE.sub(split, clean(text, limit))


def plain(text: object, limit: int | None = None) -> str:
    """User text for a rich-text context (tooltip, HTML document, chart label):
    cleaned, every ``<``, ``>``, ``&`` and quote escaped, newlines as ``<br>``."""
    return html.escape(clean(text, limit), quote=True).replace("\n", "<br>")


def plain_tip(text: object, limit: int | None = LINE_LIMIT * 4) -> str:
    """A tooltip that shows ``text`` literally, whatever it holds.

    Qt shows a tooltip as rich text only when it looks like markup, so escaped
    text alone would show ``&lt;`` to the reader; ``<qt>`` makes it rich text
    always (and lets a long tooltip wrap)."""
    value = plain(text, limit)
    return f"<qt>{value}</qt>" if value else ""


def plain_label(
    text: object = "",
    parent: QWidget | None = None,
    *,
    wrap: bool = False,
    name: str = "",
) -> QLabel:
    """A ``QLabel`` that shows its text literally, now and after every ``setText``."""
    widget = QLabel(parent)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setText(clean(text))
    if wrap:
        widget.setWordWrap(True)
    if name:
        widget.setObjectName(name)
    return widget
