"""Deadline alerts on the desktop: at start and every few minutes, cases that
became overdue or near their deadline raise a tray message (where the desktop
has a tray) and a badge on the navigation; the same alert never twice."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from services.cases.alerts import AlertBatch

from ..context import ViewContext
from . import ops

log = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 5 * 60 * 1000
FIRST_CHECK_MS = 1500


class AlertWatcher(QObject):
    """Checks for new alerts on a timer; ``raised`` carries each non-empty batch."""

    raised = Signal(object)  # AlertBatch
    unseen_changed = Signal(int)

    def __init__(self, ctx: ViewContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tray: QSystemTrayIcon | None = None
        self.last_message = ""
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        QTimer.singleShot(FIRST_CHECK_MS, self.check)
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        if self.tray is not None:
            self.tray.hide()

    def check(self) -> AlertBatch | None:
        try:
            batch, unseen = ops.raise_alerts(self.ctx)  # a few rows, every few minutes
        except Exception:  # an alert check must never break the screen
            log.exception("deadline alert check failed")
            return None
        self.unseen_changed.emit(unseen)
        if batch.total:
            self.notify(batch)
            self.raised.emit(batch)
        return batch

    def message(self, batch: AlertBatch) -> str:
        parts = []
        if batch.overdue:
            parts.append(self.tr("%n case(s) became overdue", "", batch.overdue))
        if batch.near:
            parts.append(self.tr("%n case(s) are near their deadline", "", batch.near))
        text = "；".join(parts)
        if batch.numbers:
            text += "\n" + "、".join(batch.numbers)
        return text

    def notify(self, batch: AlertBatch) -> None:
        self.last_message = self.message(batch)
        log.info("deadline alerts: %s overdue, %s near", batch.overdue, batch.near)
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return  # offscreen or no tray: the badge and the banner in the queue remain
        if self.tray is None:
            app = QApplication.instance()
            icon = app.windowIcon() if isinstance(app, QApplication) else QIcon()
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.setToolTip(self.tr("GridDesk deadline alerts"))
            self.tray.show()
        self.tray.showMessage(
            self.tr("Deadline alerts"),
            self.last_message,
            QSystemTrayIcon.MessageIcon.Warning,
            10_000,
        )
