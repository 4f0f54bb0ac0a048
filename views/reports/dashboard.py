"""The dashboard: key figures and four QtCharts — cases by category, cases per
day, closure rates by department and the worst overdue cases."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QCursor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from services.reports.figures import KEY_FIGURES, OVERDUE, RATE
from services.reports.results import GOOD_RATE, Assessment, Figures
from services.worktime.workdays import SHANGHAI

from ..formatting import label, plain, plain_label, plain_tip

AXIS_LABEL_LIMIT = 12
"""Characters of a name shown beside a bar (longer ones end in …; the tables hold them whole)."""
NUMBER_LABEL_LIMIT = 40
"""Case numbers are never cut."""
ROW_HEIGHT = 30
"""Pixels per category of a horizontal bar chart, so Qt shows every label."""
CHART_FRAME = 110
"""A chart's title, legend and value axis."""
BLUE = QColor("#2f6eb5")
GREEN = QColor("#3c9a5f")
ORANGE = QColor("#e07b39")
RED = QColor("#c0392b")
MIN_CHART_HEIGHT = 250
CHART_ROWS = 9
"""Bars per horizontal chart: more and Qt starts hiding every other label."""


def _labels(view: QChartView) -> int:
    """How many category labels a chart's vertical axis holds (0 for a value axis)."""
    count = 0
    for axis in view.chart().axes(Qt.Orientation.Vertical):
        if isinstance(axis, QBarCategoryAxis):
            count = max(count, axis.count())
    return count


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


class KeyFigure(QFrame):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyFigure")
        self.value = plain_label("—")
        self.value.setObjectName("keyFigureValue")
        self.caption = plain_label(title)
        self.caption.setObjectName("keyFigureCaption")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set(self, text: str, bad: bool = False) -> None:
        self.value.setText(text)
        self.value.setProperty("bad", bad)
        self.value.style().unpolish(self.value)
        self.value.style().polish(self.value)


class Dashboard(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsDashboard")
        self.figures = {column.key: KeyFigure(label(column.title)) for column in KEY_FIGURES}
        # A period still running: its figures are those up to now, and say so.
        self.as_of = plain_label()
        self.as_of.setObjectName("reportsWarning")
        self.as_of.setWordWrap(True)
        self.as_of.hide()
        strip = QHBoxLayout()
        strip.setSpacing(10)
        for widget in self.figures.values():
            strip.addWidget(widget)

        self.category_view = self._chart_view()
        self.daily_view = self._chart_view()
        self.closure_view = self._chart_view()
        self.worst_view = self._chart_view()
        grid = QGridLayout()
        grid.setSpacing(10)
        grid.addWidget(self.category_view, 0, 0)
        grid.addWidget(self.daily_view, 0, 1)
        grid.addWidget(self.closure_view, 1, 0)
        grid.addWidget(self.worst_view, 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.as_of)
        layout.addLayout(strip)
        layout.addLayout(grid, 1)

    @staticmethod
    def _chart_view() -> QChartView:
        view = QChartView()
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumHeight(MIN_CHART_HEIGHT)
        view.setObjectName("reportChart")
        return view

    def _chart(self, title: str) -> QChart:
        chart = QChart()
        chart.setTitle(title)
        font = QFont(chart.titleFont())
        font.setBold(True)
        font.setPointSizeF(10.5)
        chart.setTitleFont(font)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        return chart

    # ------------------------------------------------------------------ filling
    def show_assessment(self, a: Assessment) -> None:
        if a.as_of is not None:
            at = a.as_of.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
            self.as_of.setText(
                self.tr("This period has not ended yet; figures as of %1").replace("%1", at)
            )
            self.as_of.show()
        else:
            self.as_of.hide()
        for column in KEY_FIGURES:
            value = column.value(a.totals)
            if column.kind == RATE:
                bad = value is not None and value < GOOD_RATE
                self.figures[column.key].set(_percent(value), bad)
            else:  # a count; only 超期数 is bad when above zero
                self.figures[column.key].set(str(value), column is OVERDUE and value > 0)
        self.category_view.setChart(self._category_chart(a))
        self.daily_view.setChart(self._daily_chart(a))
        self.closure_view.setChart(self._closure_chart(a.departments))
        self.worst_view.setChart(self._worst_chart(a))
        # Each row of charts as tall as its longest list of labels needs.
        bars = [
            _labels(view)
            for view in (self.category_view, self.daily_view, self.closure_view, self.worst_view)
        ]
        for views, count in (
            ((self.category_view, self.daily_view), max(bars[0], bars[1])),
            ((self.closure_view, self.worst_view), max(bars[2], bars[3])),
        ):
            for view in views:
                view.setMinimumHeight(max(MIN_CHART_HEIGHT, CHART_FRAME + count * ROW_HEIGHT))

    def _category_chart(self, a: Assessment) -> QChart:
        chart = self._chart(self.tr("Cases by category"))
        rows = sorted(a.category_totals(), key=lambda r: r.created, reverse=True)[:CHART_ROWS]
        rows.reverse()  # a horizontal bar chart draws its first category at the bottom
        created = QBarSet(self.tr("Cases registered"))
        overdue = QBarSet(self.tr("Cases overdue"))
        created.setColor(BLUE)
        overdue.setColor(RED)
        for row in rows:
            created.append(row.created)
            overdue.append(row.overdue)
        series = QHorizontalBarSeries()
        series.append(created)
        series.append(overdue)
        chart.addSeries(series)
        axis_y = self._category_axis([r.name for r in rows])
        axis_x = QValueAxis()
        axis_x.setRange(0, max(max((r.created for r in rows), default=0) * 1.1, 1))
        axis_x.setLabelFormat("%d")
        axis_x.applyNiceNumbers()
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)
        return chart

    @staticmethod
    def _category_axis(labels: list[str], limit: int = AXIS_LABEL_LIMIT) -> QBarCategoryAxis:
        axis = QBarCategoryAxis()
        # QtCharts draws axis labels as rich text: names and case numbers go in escaped,
        # cut to a label's length, and kept distinct (the axis drops a repeated category).
        shown: list[str] = []
        for text in labels:
            value = plain(text, limit)
            while value in shown:
                value += "\u200b"
            shown.append(value)
        axis.append(shown or [""])
        axis.setTruncateLabels(False)  # Chinese names are elided to "..." otherwise
        small = QFont(axis.labelsFont())
        small.setPointSizeF(8)
        axis.setLabelsFont(small)
        return axis

    def _daily_chart(self, a: Assessment) -> QChart:
        chart = self._chart(self.tr("Cases per day"))
        created = QLineSeries()
        created.setName(self.tr("Cases registered"))
        closed = QLineSeries()
        closed.setName(self.tr("Cases closed"))
        created.setPen(QPen(BLUE, 2))
        closed.setPen(QPen(GREEN, 2))
        for day, n_created, n_closed in a.per_day:
            created.append(day.day, n_created)
            closed.append(day.day, n_closed)
        chart.addSeries(created)
        chart.addSeries(closed)
        axis_x = QValueAxis()
        first = a.per_day[0][0].day if a.per_day else 1
        last = a.per_day[-1][0].day if a.per_day else 1
        axis_x.setRange(first, max(last, first + 1))
        axis_x.setLabelFormat("%d")
        # Every day's label fits only on a wide chart: a tick every 1, 2 or 5 days.
        span = last - first
        axis_x.setTickType(QValueAxis.TickType.TicksDynamic)
        axis_x.setTickAnchor(first)
        axis_x.setTickInterval(1 if span <= 10 else 2 if span <= 16 else 5)
        axis_x.setTitleText(self.tr("Day of the month"))
        peak = max((max(c, d) for _, c, d in a.per_day), default=0)
        axis_y = QValueAxis()
        axis_y.setRange(0, max(peak * 1.1, 1))
        axis_y.setLabelFormat("%d")
        axis_y.applyNiceNumbers()
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        for series in (created, closed):
            series.attachAxis(axis_x)
            series.attachAxis(axis_y)
        return chart

    def _closure_chart(self, departments: list[Figures]) -> QChart:
        chart = self._chart(self.tr("Closure rates by department"))
        rows = sorted((d for d in departments if d.due), key=lambda d: -d.due)[:CHART_ROWS]
        rows.reverse()  # a horizontal bar chart draws its first category at the bottom
        closure = QBarSet(self.tr("Closure rate"))
        on_time = QBarSet(self.tr("On-time rate"))
        closure.setColor(BLUE)
        on_time.setColor(ORANGE)
        for d in rows:
            closure.append(round((d.closure_rate or 0.0) * 100, 1))
            on_time.append(round((d.on_time_rate or 0.0) * 100, 1))
        series = QHorizontalBarSeries()
        series.append(closure)
        series.append(on_time)
        chart.addSeries(series)
        axis_y = self._category_axis([d.name for d in rows])
        axis_x = QValueAxis()
        axis_x.setRange(0, 100)
        axis_x.setLabelFormat("%d%%")
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)
        return chart

    def _worst_chart(self, a: Assessment) -> QChart:
        chart = self._chart(self.tr("Worst overdue cases (working days)"))
        rows = a.overdue[:CHART_ROWS]
        rows = list(reversed(rows))
        bar_set = QBarSet(self.tr("Overdue (working days)"))
        bar_set.setColor(RED)
        for case in rows:
            bar_set.append(round(case.overdue_days, 1))
        series = QHorizontalBarSeries()
        series.append(bar_set)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value")

        def hover(status: bool, index: int) -> None:  # who has the case, on hover
            if status and 0 <= index < len(rows):
                case = rows[index]
                QToolTip.showText(
                    QCursor.pos(), plain_tip(f"{case.number}\n{case.category}\n{case.assignee}")
                )
            else:
                QToolTip.hideText()

        bar_set.hovered.connect(hover)
        chart.addSeries(series)
        chart.legend().hide()
        axis_y = self._category_axis([c.number for c in rows], NUMBER_LABEL_LIMIT)
        axis_x = QValueAxis()
        axis_x.setRange(0, max((c.overdue_days for c in rows), default=1.0) * 1.15 or 1.0)
        axis_x.setLabelFormat("%.1f")
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)
        return chart
