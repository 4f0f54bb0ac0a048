"""Today's visits with their counts, and the search through past visits.

Both lists show the visitor masked and never the ID number; re-printing a
receipt, showing the case and revealing the visitor's data (audited) are
actions on the selected row."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from services.reception.history import TodayStats, VisitRow, VisitSearch
from services.reception.labels import OUTCOME_LABELS, PURPOSE_LABELS, VISIT_OUTCOMES
from services.worktime.workdays import SHANGHAI
from views.formatting import label, local

from ..formatting import plain_label
from .panels import cell, make_table

CASE_ROLE = Qt.ItemDataRole.UserRole + 3


class VisitList(QWidget):
    """A table of visits with the actions every list of visits offers."""

    reprint = Signal(str)
    open_case = Signal(str)
    reveal = Signal(str)

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[VisitRow] = []
        self.table: QTableWidget = make_table(
            [
                self.tr("Time"),
                self.tr("Visitor"),
                self.tr("Phone"),
                self.tr("Purpose"),
                self.tr("Outcome"),
                self.tr("Case"),
                self.tr("Summary"),
            ],
            object_name,
        )
        self.table.doubleClicked.connect(self._reprint)
        self.reprint_button = QPushButton(self.tr("Print the receipt again"))
        self.reprint_button.setToolTip(self.tr("Double-click a row"))
        self.reprint_button.setAutoDefault(True)
        self.reprint_button.clicked.connect(self._reprint)
        self.case_button = QPushButton(self.tr("Show case"))
        self.case_button.setAutoDefault(True)
        self.case_button.clicked.connect(self._open_case)
        self.reveal_button = QPushButton(self.tr("Show full personal data…"))
        self.reveal_button.setToolTip(self.tr("Needs the permission; every look is logged"))
        self.reveal_button.setAutoDefault(True)
        self.reveal_button.clicked.connect(self._reveal)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reveal_button)
        buttons.addWidget(self.case_button)
        buttons.addWidget(self.reprint_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def set_rows(self, rows: list[VisitRow], *, long_dates: bool = False) -> None:
        self.rows = rows
        fmt = "%Y-%m-%d %H:%M" if long_dates else "%H:%M"
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            self.table.setItem(index, 0, cell(local(row.at, fmt), row.visit_id))
            name = row.masked_name if not row.purged else self.tr("(removed)")
            self.table.setItem(index, 1, cell(name))
            self.table.setItem(index, 2, cell(row.masked_phone))
            self.table.setItem(index, 3, cell(label(PURPOSE_LABELS.get(row.purpose, row.purpose))))
            self.table.setItem(index, 4, cell(label(OUTCOME_LABELS.get(row.outcome, ""))))
            number = cell(row.case_number or "—")
            number.setData(CASE_ROLE, row.case_id)
            self.table.setItem(index, 5, number)
            self.table.setItem(index, 6, cell(" ".join(row.summary.split())))
        self._update_buttons()

    def selected(self) -> VisitRow | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows) and self.table.selectionModel().hasSelection():
            return self.rows[row]
        return None

    def _update_buttons(self) -> None:
        row = self.selected()
        self.reprint_button.setEnabled(row is not None)
        self.case_button.setEnabled(row is not None and bool(row.case_id))
        self.reveal_button.setEnabled(row is not None and not row.purged)

    def _reprint(self) -> None:
        row = self.selected()
        if row is not None:
            self.reprint.emit(row.visit_id)

    def _open_case(self) -> None:
        row = self.selected()
        if row is not None and row.case_id:
            self.open_case.emit(row.case_id)

    def _reveal(self) -> None:
        row = self.selected()
        if row is not None:
            self.reveal.emit(row.visit_id)


class TodayPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("todayPanel")
        self.counts = plain_label()
        self.counts.setObjectName("todayCounts")
        self.counts.setWordWrap(True)
        self.list = VisitList("todayTable")
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.list, 1)

    def show_stats(self, stats: TodayStats) -> None:
        purposes = "　".join(f"{label(PURPOSE_LABELS[p])} {n}" for p, n in stats.by_purpose.items())
        outcomes = "　".join(
            f"{label(OUTCOME_LABELS[o])} {stats.by_outcome.get(o, 0)}" for o in VISIT_OUTCOMES
        )
        self.counts.setText(
            self.tr("%1 visits today").replace("%1", str(stats.total))
            + "\n"
            + self.tr("By purpose: %1").replace("%1", purposes)
            + "\n"
            + self.tr("By outcome: %1").replace("%1", outcomes)
        )
        self.list.set_rows(stats.visits)


class HistoryPanel(QWidget):
    search_requested = Signal()
    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        today = datetime.now(SHANGHAI).date()
        self.date_from = QDateEdit(QDate(today.year, today.month, 1))
        self.date_from.setCalendarPopup(True)
        self.date_from.setDisplayFormat("yyyy-MM-dd")
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        self.date_to.setCalendarPopup(True)
        self.date_to.setDisplayFormat("yyyy-MM-dd")
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("Part of the name"))
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("Whole number or its last digits"))
        self.case_number = QLineEdit()
        self.case_number.setPlaceholderText(self.tr("Case number or part of it"))
        self.search_button = QPushButton(self.tr("Search"))
        self.search_button.setObjectName("historySearch")
        self.search_button.setAutoDefault(True)
        self.search_button.setToolTip(self.tr("Enter in any search field"))
        self.search_button.clicked.connect(self.search_requested)
        for edit in (self.name, self.phone, self.case_number):
            edit.returnPressed.connect(self.search_requested)
        dates = QHBoxLayout()
        dates.addWidget(self.date_from)
        dates.addWidget(plain_label("—"))
        dates.addWidget(self.date_to)
        dates.addStretch(1)
        form = QFormLayout()
        form.addRow(self.tr("Dates"), dates)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Phone"), self.phone)
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setAutoDefault(True)
        self.export_button.setToolTip(
            self.tr("The visits found, as an Excel file: names and phones masked, no ID numbers")
        )
        self.export_button.clicked.connect(self.export_requested)
        row = QHBoxLayout()
        row.addWidget(self.case_number, 1)
        row.addWidget(self.search_button)
        row.addWidget(self.export_button)
        form.addRow(self.tr("Case number"), row)
        self.error = plain_label()
        self.error.setObjectName("errorLabel")
        self.error.hide()
        self.result_label = plain_label()
        self.result_label.setObjectName("countLabel")
        self.list = VisitList("historyTable")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.result_label)
        layout.addWidget(self.list, 1)

    def search(self) -> VisitSearch:
        def py(value: QDate) -> date:
            return date(value.year(), value.month(), value.day())

        return VisitSearch(
            date_from=py(self.date_from.date()),
            date_to=py(self.date_to.date()),
            name=self.name.text(),
            phone=self.phone.text(),
            case_number=self.case_number.text(),
            limit=500,
        )

    def show_rows(self, rows: list[VisitRow]) -> None:
        self.error.hide()
        if len(rows) >= 500:
            text = self.tr("The first 500 visits found; narrow the search to see others.")
        else:
            text = self.tr("%n visit(s) found", "", len(rows))
        self.result_label.setText(text)
        self.list.set_rows(rows, long_dates=True)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
