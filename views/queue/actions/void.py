"""Void a case (作废), optionally as the duplicate of another one picked by search."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.types import utcnow
from services.cases import actions as case_actions
from services.cases import queue

from ...context import ViewContext
from .. import ops
from .base import ActionDialog

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class VoidDialog(ActionDialog):
    action = "void"

    def __init__(self, ctx: ViewContext, case: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case, parent)
        self.setWindowTitle(self.tr("Void the case"))
        self.setMinimumWidth(560)
        self.reason = self.add_text(
            "reason", self.tr("Reason:"), self.tr("Why is the case invalid?")
        )
        self.is_duplicate = QCheckBox(self.tr("It duplicates another case"))
        self.form.addRow("", self.is_duplicate)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setObjectName("duplicateSearch")
        self.search.setPlaceholderText(self.tr("Search by number, title or address"))
        self.matches = QListWidget()
        self.matches.setObjectName("duplicateMatches")
        self.matches.setFixedHeight(120)
        column.addWidget(self.search)
        column.addWidget(self.matches)
        self.add_field("duplicate_of", self.tr("Original case:"), box)
        box.setEnabled(False)
        self.is_duplicate.toggled.connect(box.setEnabled)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.search_cases)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.set_ok_text(self.tr("Void case"))
        # Start with cases of the same title: the likeliest originals.
        self.search.setText(case.title[:12])
        self.search_cases()

    def search_cases(self) -> None:
        self.matches.clear()
        text = self.search.text().strip()
        if not text:
            return
        flt = queue.QueueFilter(text=text)
        rows = ops.page(self.ctx, flt, utcnow(), "created_at", True, 0, 30)  # 30 rows
        for row in rows:
            if row.id == self.case.id:
                continue
            item = QListWidgetItem(f"{row.number}  {row.title}")
            item.setData(256, row.id)
            self.matches.addItem(item)

    def duplicate_of(self) -> str | None:
        if not self.is_duplicate.isChecked():
            return None
        item = self.matches.currentItem()
        return str(item.data(256)) if item is not None else ""

    def perform(self, session: Session) -> None:
        duplicate = self.duplicate_of()
        if duplicate == "":
            from services.errors import ValidationError
            from services.i18n import QT_TRANSLATE_NOOP

            raise ValidationError(
                QT_TRANSLATE_NOOP("services", "Pick the original case from the list."),
                field="duplicate_of",
            )
        case_actions.void(
            session, self.ctx.actor, self.case.id, self.reason.toPlainText(), duplicate
        )
