"""The status-bar indicator: online or offline, items waiting, rejected items."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget

from views.formatting import local


class SyncIndicator(QLabel):
    """Shows the loop's status; a click asks to open the sync screen."""

    clicked = Signal()

    def __init__(self, loop: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncIndicator")
        self.loop = loop
        loop.status_changed.connect(self.show_status)
        self.show_status(loop.status)

    def show_status(self, status: Any) -> None:
        if not status.configured:
            text, state = self.tr("Sync: no county server set"), "off"
        elif status.running:
            text, state = self.tr("Sync: synchronising…"), "busy"
        elif status.needs_login:
            text, state = self.tr("Sync: log in to the county"), "warn"
        elif status.online is False:
            text, state = self.tr("Offline · %1 waiting").replace("%1", str(status.pending)), "off"
        elif status.online is None:
            text, state = self.tr("Sync: %1 waiting").replace("%1", str(status.pending)), "idle"
        else:
            text, state = self.tr("Online · %1 waiting").replace("%1", str(status.pending)), "on"
        if status.rejected:
            text += self.tr(" · %1 rejected").replace("%1", str(status.rejected))
            state = "warn"
        self.setText(text)
        tip = self.tr("Last successful sync: %1").replace(
            "%1", local(status.last_success) or self.tr("never")
        )
        self.setToolTip(tip)
        self.setProperty("syncState", state)
        self.style().unpolish(self)
        self.style().polish(self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)
