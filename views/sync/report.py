"""The sync screen's account of the last round: what came down and went up, per type
(``services.sync.report``)."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QWidget

from services.sync import RoundReport
from services.sync.report import CASE, EVENT, REFERENCE_KINDS, USER, VISIT
from views.formatting import local


def kind_name(kind: str) -> str:
    """A type of record, as the report names it."""
    names = {
        CASE: QCoreApplication.translate("RoundReportBox", "Cases"),
        EVENT: QCoreApplication.translate("RoundReportBox", "Case events"),
        VISIT: QCoreApplication.translate("RoundReportBox", "Visits"),
        USER: QCoreApplication.translate("RoundReportBox", "Users"),
        "org_unit": QCoreApplication.translate("RoundReportBox", "Org units"),
        "department": QCoreApplication.translate("RoundReportBox", "Departments"),
        "category": QCoreApplication.translate("RoundReportBox", "Categories"),
        "holiday": QCoreApplication.translate("RoundReportBox", "Holidays"),
        "setting": QCoreApplication.translate("RoundReportBox", "Settings"),
    }
    return names.get(kind, kind)


def reference_count(kind: str, count: int) -> str:
    """``count`` reference records of ``kind``, as the reference row lists them."""
    texts = {
        "org_unit": QCoreApplication.translate("RoundReportBox", "%1 org units"),
        "department": QCoreApplication.translate("RoundReportBox", "%1 departments"),
        "category": QCoreApplication.translate("RoundReportBox", "%1 categories"),
        "holiday": QCoreApplication.translate("RoundReportBox", "%1 holidays"),
        "setting": QCoreApplication.translate("RoundReportBox", "%1 settings"),
    }
    return texts.get(kind, "%1 " + kind).replace("%1", str(count))


# The rows of the box: (object name suffix, kinds counted, pushed kind or None).
_ROWS = (
    ("Cases", CASE, None),
    ("Events", EVENT, EVENT),
    ("Visits", VISIT, VISIT),
    ("Users", USER, None),
)


class RoundReportBox(QGroupBox):
    """Per type: rows that came down (new, updated) and items the county accepted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Last sync round"), parent)
        self.setObjectName("syncReport")
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        self.empty = QLabel(self.tr("No round has finished on this desk yet."))
        self.empty.setObjectName("hintLabel")
        grid.addWidget(self.empty, 0, 0, 1, 3)
        self.headers = [QLabel(""), QLabel(self.tr("Came down")), QLabel(self.tr("Went up"))]
        for column, header in enumerate(self.headers):
            header.setObjectName("reportHeader")
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            grid.addWidget(header, 1, column)
        self.down: dict[str, QLabel] = {}
        self.up: dict[str, QLabel] = {}
        self.names: list[QLabel] = []
        for row, (suffix, kind, pushed) in enumerate(_ROWS, start=2):
            name = QLabel(kind_name(kind))
            self.names.append(name)
            grid.addWidget(name, row, 0)
            self.down[kind] = self._value(f"syncDown{suffix}")
            grid.addWidget(self.down[kind], row, 1)
            if pushed is not None:
                self.up[pushed] = self._value(f"syncUp{suffix}")
                grid.addWidget(self.up[pushed], row, 2)
        reference_row = 2 + len(_ROWS)
        self.reference_name = QLabel(self.tr("Reference data"))
        self.names.append(self.reference_name)
        grid.addWidget(self.reference_name, reference_row, 0, Qt.AlignmentFlag.AlignTop)
        self.reference = self._value("syncDownReference")
        self.reference.setWordWrap(True)
        grid.addWidget(self.reference, reference_row, 1, 1, 2)
        self.answers = self._value("syncUpAnswers")
        self.answers.setWordWrap(True)
        grid.addWidget(self.answers, reference_row + 1, 0, 1, 3)
        self.when = self._value("syncReportWhen")
        self.when.setObjectName("hintLabel")
        self.when.setWordWrap(True)
        grid.addWidget(self.when, reference_row + 2, 0, 1, 3)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 2)
        self.show_report(None)

    @staticmethod
    def _value(name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    def show_report(self, report: RoundReport | None) -> None:
        """Show ``report`` (None: no round has finished here yet)."""
        figures: list[QWidget] = [
            *self.headers,
            *self.names,
            *self.down.values(),
            *self.up.values(),
            self.reference,
            self.answers,
            self.when,
        ]
        self.empty.setVisible(report is None)
        for widget in figures:
            widget.setVisible(report is not None)
        if report is None:
            return
        for kind, label in self.down.items():
            label.setText(self.down_text(report, kind))
        for kind, label in self.up.items():
            label.setText(self.tr("%1 accepted").replace("%1", str(report.accepted.get(kind, 0))))
        parts, tips = [], []
        for kind in REFERENCE_KINDS:
            new, updated = report.count_new(kind), report.count_updated(kind)
            parts.append(reference_count(kind, new + updated))
            tips.append(
                self.tr("%1: %2 new, %3 updated")
                .replace("%1", kind_name(kind))
                .replace("%2", str(new))
                .replace("%3", str(updated))
            )
        # two lines, so that a line never breaks inside one kind ("节假日 0 天")
        self.reference.setText(" · ".join(parts[:3]) + "\n" + " · ".join(parts[3:]))
        self.reference.setToolTip("\n".join(tips))
        self.answers.setText(
            self.tr(
                "Sent before (already at the county): %1 · Rejected: %2 · Waiting for a login: %3"
            )
            .replace("%1", str(sum(report.duplicate.values())))
            .replace("%2", str(sum(report.rejected.values())))
            .replace("%3", str(report.waiting))
        )
        when = self._finished(report.finished_at)
        text = self.tr("Finished %1.").replace("%1", when) if when else ""
        if report.from_start:
            text = (
                text + "\n" + self.tr("The county's records were read from the beginning.")
            ).strip()
        self.when.setText(text)
        self.when.setVisible(bool(text))

    def down_text(self, report: RoundReport, kind: str) -> str:
        new = report.count_new(kind)
        if kind == EVENT:
            return self.tr("%1 new").replace("%1", str(new))
        return (
            self.tr("%1 new · %2 updated")
            .replace("%1", str(new))
            .replace("%2", str(report.count_updated(kind)))
        )

    @staticmethod
    def _finished(value: str) -> str:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return ""
        return local(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
