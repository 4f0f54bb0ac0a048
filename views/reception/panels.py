"""The panels beside the visit form: a returning visitor's earlier visits and
open cases, and the possible duplicates of the case about to be opened."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from services.cases.labels import STATE_LABELS
from services.cases.lookups import Names
from services.reception.duplicates import DuplicateCandidate
from services.reception.labels import OUTCOME_LABELS, PURPOSE_LABELS
from services.reception.returning import ReturningVisitor

from ..formatting import LINE_LIMIT, clean, label, local, plain_label, plain_tip

ID_ROLE = Qt.ItemDataRole.UserRole + 1
NUMBER_ROLE = Qt.ItemDataRole.UserRole + 2


def make_table(headers: list[str], object_name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(object_name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(26)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def cell(text: str, item_id: str | None = None, number: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(clean(text, LINE_LIMIT))
    item.setToolTip(plain_tip(text))
    if item_id is not None:
        item.setData(ID_ROLE, item_id)
    if number is not None:
        item.setData(NUMBER_ROLE, number)
    return item


def _button(text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.setAutoDefault(True)  # Enter on a focused button presses it, not the form
    return button


class ReturningPanel(QWidget):
    """A visitor known by phone or ID number: earlier visits, open cases, one-click fill."""

    fill_requested = Signal(dict)
    open_case = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("returningPanel")
        self.found: ReturningVisitor | None = None
        self.summary = plain_label()
        self.summary.setObjectName("returningSummary")
        self.summary.setWordWrap(True)
        self.fill_button = _button(self.tr("Fill the form"), self.tr("Ctrl+R"))
        self.fill_button.setObjectName("fillVisitor")
        self.fill_button.clicked.connect(self._fill)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.fill_button)
        self.cases = make_table(
            [self.tr("Open case"), self.tr("State"), self.tr("Deadline"), self.tr("Title")],
            "returningCases",
        )
        self.cases.doubleClicked.connect(self._open_selected)
        self.visits = make_table(
            [
                self.tr("Visited"),
                self.tr("Purpose"),
                self.tr("Outcome"),
                self.tr("Case"),
                self.tr("Summary"),
            ],
            "returningVisits",
        )
        self.visits.doubleClicked.connect(self._open_visit_case)
        self.open_button = _button(self.tr("Show case"), self.tr("Double-click a row"))
        self.open_button.clicked.connect(self._open_selected)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        self.cases_label = plain_label(self.tr("Open cases of this visitor"))
        layout.addWidget(self.cases_label)
        layout.addWidget(self.cases, 1)
        layout.addWidget(plain_label(self.tr("Earlier visits")))
        layout.addWidget(self.visits, 2)
        shortcut = QShortcut(QKeySequence("Ctrl+R"), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(self._fill)

    def show_visitor(self, found: ReturningVisitor | None, names: Names) -> None:
        self.found = found
        if found is None:
            self.cases.setRowCount(0)
            self.visits.setRowCount(0)
            self.summary.clear()
            return
        how = self.tr("phone") if found.matched_by == "phone" else self.tr("ID number")
        text = (
            self.tr("Known by %1: %2, %3 — %n earlier visit(s).", "", found.visit_count)
            .replace("%1", how)
            .replace("%2", found.masked_name)
            .replace("%3", found.masked_phone)
        )
        if found.masked_id_number:
            text += " " + self.tr("ID %1").replace("%1", found.masked_id_number)
        self.summary.setText(text)
        self.cases.setRowCount(0)
        for case in found.open_cases:
            row = self.cases.rowCount()
            self.cases.insertRow(row)
            self.cases.setItem(row, 0, cell(case.number, case.case_id, case.number))
            self.cases.setItem(row, 1, cell(label(STATE_LABELS.get(case.state, case.state))))
            self.cases.setItem(row, 2, cell(local(case.deadline)))
            self.cases.setItem(row, 3, cell(case.title))
        self.cases.setVisible(bool(found.open_cases))
        self.cases_label.setVisible(bool(found.open_cases))
        self.visits.setRowCount(0)
        for visit in found.visits:
            row = self.visits.rowCount()
            self.visits.insertRow(row)
            self.visits.setItem(row, 0, cell(local(visit.at), visit.case_id))
            self.visits.setItem(
                row, 1, cell(label(PURPOSE_LABELS.get(visit.purpose, visit.purpose)))
            )
            self.visits.setItem(row, 2, cell(label(OUTCOME_LABELS.get(visit.outcome, ""))))
            self.visits.setItem(row, 3, cell(visit.case_number or "—"))
            self.visits.setItem(row, 4, cell(visit.summary))

    def _fill(self) -> None:
        if self.found is not None:
            self.fill_requested.emit(dict(self.found.fill))

    def _open_selected(self) -> None:
        row = self.cases.currentRow()
        if row < 0 and self.cases.rowCount():
            row = 0
        item = self.cases.item(row, 0) if row >= 0 else None
        if item is not None:
            self.open_case.emit(str(item.data(ID_ROLE)))

    def _open_visit_case(self) -> None:
        item = self.visits.item(self.visits.currentRow(), 0)
        if item is not None and item.data(ID_ROLE):
            self.open_case.emit(str(item.data(ID_ROLE)))


class DuplicatesPanel(QWidget):
    """Open cases of the same category here or within 100 m in the last 30 days."""

    attach_requested = Signal(str, str)
    open_case = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicatesPanel")
        self.candidates: list[DuplicateCandidate] = []
        self.hint = plain_label(
            self.tr(
                "Open cases of the same category in this grid or within 100 m, from the last 30 days. "
                "If the visitor reports the same problem, add the visit to that case."
            )
        )
        self.hint.setWordWrap(True)
        self.hint.setObjectName("hintLabel")
        self.table = make_table(
            [
                self.tr("Case"),
                self.tr("State"),
                self.tr("Where"),
                self.tr("Registered"),
                self.tr("Title"),
            ],
            "duplicatesTable",
        )
        self.table.doubleClicked.connect(self._open)
        self.attach_button = _button(self.tr("Add the visit to this case"), self.tr("Ctrl+J"))
        self.attach_button.setObjectName("attachToCase")
        self.attach_button.clicked.connect(self._attach)
        self.open_button = _button(self.tr("Show case"), self.tr("Double-click a row"))
        self.open_button.clicked.connect(self._open)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.attach_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        shortcut = QShortcut(QKeySequence("Ctrl+J"), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(self._attach)

    def show_candidates(self, candidates: list[DuplicateCandidate], names: Names) -> None:
        self.candidates = candidates
        self.table.setRowCount(0)
        for candidate in candidates:
            row = self.table.rowCount()
            self.table.insertRow(row)
            if candidate.distance_m is not None:
                where = self.tr("%1 m away").replace("%1", str(round(candidate.distance_m)))
            else:
                where = self.tr("same grid")
            self.table.setItem(row, 0, cell(candidate.number, candidate.case_id, candidate.number))
            self.table.setItem(
                row, 1, cell(label(STATE_LABELS.get(candidate.state, candidate.state)))
            )
            self.table.setItem(row, 2, cell(where))
            self.table.setItem(row, 3, cell(local(candidate.created_at)))
            self.table.setItem(row, 4, cell(candidate.title))
        if candidates:
            self.table.selectRow(0)

    def _selected(self) -> QTableWidgetItem | None:
        row = self.table.currentRow()
        if row < 0 and self.table.rowCount():
            row = 0
        return self.table.item(row, 0) if row >= 0 else None

    def _attach(self) -> None:
        item = self._selected()
        if item is not None and self.candidates:
            self.attach_requested.emit(str(item.data(ID_ROLE)), str(item.data(NUMBER_ROLE)))

    def _open(self) -> None:
        item = self._selected()
        if item is not None:
            self.open_case.emit(str(item.data(ID_ROLE)))
