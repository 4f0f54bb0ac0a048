"""The side panel that shows a grid's figures after a click on the map."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.map.data import GridFigures

from ..formatting import plain_label


class GridPanel(QFrame):
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gridPanel")
        self.title = plain_label()
        self.title.setObjectName("gridPanelTitle")
        self.title.setWordWrap(True)
        close = QPushButton(self.tr("Close"))
        close.setObjectName("gridPanelClose")
        close.clicked.connect(self._close)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(close)
        self.place = plain_label()
        self.place.setObjectName("hintLabel")
        self.place.setWordWrap(True)
        self.period = plain_label()
        self.period.setObjectName("gridPanelPeriod")
        self.period.setWordWrap(True)

        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, text in (
            ("open", self.tr("Open cases")),
            ("overdue", self.tr("Overdue")),
            ("closed", self.tr("Closed this period")),
            ("created", self.tr("Registered this period")),
        ):
            value = plain_label()
            value.setObjectName("gridFigure")
            self.values[key] = value
            form.addRow(text, value)
        self.workers = plain_label()
        self.workers.setWordWrap(True)
        form.addRow(self.tr("Grid workers"), self.workers)
        self.note = plain_label(self.tr("Counted over the cases you may see."))
        self.note.setObjectName("hintLabel")
        self.note.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.place)
        layout.addWidget(self.period)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.figures: GridFigures | None = None

    def show_figures(self, figures: GridFigures) -> None:
        self.figures = figures
        self.title.setText(figures.name)
        self.place.setText(" · ".join(p for p in (figures.street, figures.community) if p))
        half = self.tr("first half") if figures.period.half == 1 else self.tr("second half")
        self.period.setText(
            self.tr("This period: %1-%2, %3 (%4 to %5)")
            .replace("%1", str(figures.period.first_day.year))
            .replace("%2", f"{figures.period.first_day.month:02d}")
            .replace("%3", half)
            .replace("%4", figures.period.first_day.strftime("%m-%d"))
            .replace("%5", figures.period.last_day.strftime("%m-%d"))
        )
        self.values["open"].setText(str(figures.open_cases))
        self.values["overdue"].setText(str(figures.overdue))
        self.values["overdue"].setProperty("alert", figures.overdue > 0)
        self.values["overdue"].style().polish(self.values["overdue"])
        self.values["closed"].setText(str(figures.closed_in_period))
        self.values["created"].setText(str(figures.created_in_period))
        self.workers.setText("、".join(figures.workers) or self.tr("none assigned"))
        self.show()

    def _close(self) -> None:
        self.hide()
        self.closed.emit()
