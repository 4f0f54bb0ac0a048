"""Showing times, durations and labels the same way on every screen."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication

from services.worktime import SHANGHAI


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
