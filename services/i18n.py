"""Marking user-facing text in code that must not import Qt.

Services raise errors and describe things in English source text marked with
``QT_TRANSLATE_NOOP("services", ...)``. ``pyside6-lupdate`` recognises the
marker by its name, so the texts land in the ``services`` context of the
translation files, and the desktop translates them with
``QCoreApplication.translate("services", text)`` before formatting.
"""

from __future__ import annotations

CONTEXT = "services"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - name recognised by lupdate
    """Return ``text`` unchanged; the name marks it for translation."""
    return text
