"""The half-monthly bulletin (半月通报) as an Excel workbook (figures: docs/figures.md).

The workbook is an official document sent to every department and street, so
its texts are fixed Chinese whatever the UI language; its columns are those of
:mod:`services.reports.figures`. Sheets, in order: 汇总, 部门考核, 街道社区考核,
网格员考核, 超期案件明细, 分类统计.
Each has a merged title row, the period row (and a warning row when the
period's working days came from the Monday–Friday fallback), a header row,
A4 landscape print set-up with the header row repeated and fit to width, and
panes frozen below the header. Rates are fractions formatted ``0.0%`` (red
below 90%), an empty denominator shows "—", and the last place is shaded.

:func:`write_bulletin` reports progress through a callback and checks a
cancel flag between rows and sheets; a cancelled or failed export leaves no
file behind (the workbook is saved to a temporary file and renamed).

The overdue sheet can hold a hundred thousand cases on a big county. Its rows are
streamed: openpyxl writes the workbook with that sheet's title block, header and
note only, and :class:`_OverdueRows` then writes the cases' rows straight into that
sheet's XML as the file is copied to its final name, with the styles openpyxl
registered for them — one string per row, no cell objects (an openpyxl cell per
value was most of the time of a large bulletin). Every text is an inline string,
never a formula, with the quote prefix where a spreadsheet would evaluate it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from copy import copy
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from models.enums import Role
from services.cases.permissions import Actor, Permission, require
from services.errors import DomainError
from services.i18n import QT_TRANSLATE_NOOP
from services.reports import archive
from services.reports.assessment import assess
from services.reports.coverage import as_of_text
from services.reports.exports import (
    clean_file_name,
    literal_cells,
    literal_workbook,
    looks_like_formula,
)
from services.reports.figures import (
    CATEGORY_COLUMNS,
    COUNT,
    DAYS,
    HANDLER_COLUMNS,
    NUMBER_FORMATS,
    OVERDUE_COLUMNS,
    RANK,
    RATE,
    SCORE,
    SUMMARY_FIGURES,
    TEXT,
    TIME,
    UNIT_COLUMNS,
    Column,
)
from services.reports.periods import Period
from services.reports.results import (
    GOOD_RATE,
    Assessment,
    Figures,
    OverdueCase,
    SignOff,
    overdue_text,
)
from services.worktime.workdays import SHANGHAI, WorkCalendar

log = logging.getLogger(__name__)

SHEETS = ("汇总", "部门考核", "街道社区考核", "网格员考核", "超期案件明细", "分类统计")

SUMMARY_LAYOUT = (
    Column("label", "指标", "", TEXT, 24),
    Column("value", "数值", "", TEXT, 14),
    Column("", "", "", TEXT, 3),  # a gap before the category counts of the chart
    replace(CATEGORY_COLUMNS[0], width=20),
    *(replace(c, width=10) for c in CATEGORY_COLUMNS[2:]),
)
"""汇总's columns: the totals (one figure a line) beside the category counts of its chart."""

STATE_ZH = {
    "registered": "已受理",
    "dispatched": "已派遣",
    "acknowledged": "处置中",
    "returned": "已退回",
    "escalated": "已上报",
    "handled": "待核查",
    "suspended": "挂账",
    "closed": "已结案（逾期）",
    "voided": "已作废",
}

EMPTY = "—"
COUNT_FORMAT = NUMBER_FORMATS[COUNT]
TIME_FORMAT = NUMBER_FORMATS[TIME]

FONT_NAME = "宋体"
TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
PERIOD_FONT = Font(name=FONT_NAME, size=10)
WARNING_FONT = Font(name=FONT_NAME, size=10, bold=True, color="C00000")
HEADER_FONT = Font(name=FONT_NAME, size=10, bold=True)
BODY_FONT = Font(name=FONT_NAME, size=10)
RED_FONT = Font(name=FONT_NAME, size=10, color="C00000")
BOLD_FONT = Font(name=FONT_NAME, size=10, bold=True)
NOTE_FONT = Font(name=FONT_NAME, size=9, italic=True)
GREY_FONT = Font(name=FONT_NAME, size=10, color="595959")
SIGN_FONT = Font(name=FONT_NAME, size=12)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
LAST_FILL = PatternFill("solid", fgColor="FFE699")
SUBTOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=False)
RIGHT = Alignment(horizontal="right", vertical="center")
WRAP = Alignment(horizontal="left", vertical="center", wrap_text=True)

FOOTER = "第 &P 页 共 &N 页"
"""The page footer: 第 3 页 共 17 页."""
FOOTER_ROOM = 0.9
FOOTER_EDGE = 0.35
"""The bottom margin and the footer's distance from the edge, in inches (print_setup)."""
SIGN_OFF_ROWS_BELOW_CHART = 18
"""Rows the chart of 汇总 covers (8.5 cm at 15 pt a row is 16 rows) and a gap after it."""

_STYLES: WeakKeyDictionary[Workbook, dict[tuple[int, int, str | None], tuple[Any, Any, Any]]] = (
    WeakKeyDictionary()
)
"""Per workbook: the style indexes of each (font, alignment, number format) :meth:`_Writer.put`
has applied (with the font and alignment themselves, so their ids stay theirs)."""

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
CHECK_EVERY = 200
"""Rows written between two progress reports / cancel checks."""


SCHEDULED_EXPORT_ACTOR = Actor(
    id="system", role=Role.OFFICIAL, org_unit_id="", username="system", display_name="system"
)
"""Who a scheduled export (``export-bulletin``) acts as: an official over the whole data folder."""


LINE_HEIGHT = 13.5
"""Points a line of 10 pt text takes in a wrapped cell."""


@lru_cache(maxsize=65536)
def wrapped_lines(text_: str, width: float) -> int:
    """How many lines ``text_`` wraps to in a column ``width`` characters wide (a
    Chinese character is two; a line keeps a character's width for the cell's margins)."""
    room = max(width - 1.5, 1.0)
    if 2 * len(text_) <= room:  # no character is wider than two: one line
        return 1
    lines, used = 1, 0.0
    for ch in text_:
        w = 2.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.1
        if used + w > room:
            lines += 1
            used = 0.0
        used += w
    return lines


class BulletinCancelled(DomainError):
    code = "cancelled"


def _cancelled_error() -> BulletinCancelled:
    return BulletinCancelled(
        QT_TRANSLATE_NOOP("services", "The export was cancelled; no file was written.")
    )


class _Writer:
    def __init__(
        self, assessment: Assessment, progress: Progress | None, cancelled: Cancelled | None
    ) -> None:
        self.a = assessment
        self.progress = progress
        self.cancelled = cancelled
        a = assessment
        self.total = (
            len(SHEETS)
            + len(a.departments)
            + len(a.streets)
            + len(a.communities)
            + len(a.grid_workers)
            + len(a.overdue)
            + len(a.categories)
        )
        self.done = 0
        self.overdue_rows: _OverdueRows | None = None

    # -- progress ---------------------------------------------------------------------
    def step(self, n: int = 1) -> None:
        before = self.done // CHECK_EVERY
        self.done += n
        if n > 1 or self.done // CHECK_EVERY != before:
            self.check()

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise _cancelled_error()
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)

    # -- common blocks ----------------------------------------------------------------
    def head(self, ws: Worksheet, columns: Sequence[Column]) -> int:
        """Title, period (and warning) rows, the header row; returns the header row number."""
        a = self.a
        ncols = len(columns)
        last = get_column_letter(ncols)
        ws.sheet_view.showGridLines = False
        ws["A1"] = a.title
        ws["A1"].font = TITLE_FONT
        ws["A1"].alignment = CENTER
        ws.merge_cells(f"A1:{last}1")
        ws.row_dimensions[1].height = 34
        generated = a.generated_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        ws["A2"] = (
            f"统计时段：{a.period.range_zh()}　统计范围：{a.scope_name}　生成时间：{generated}"
        )
        ws["A2"].font = PERIOD_FONT
        ws["A2"].alignment = Alignment(horizontal="center", vertical="center")
        ws.merge_cells(f"A2:{last}2")
        row = 3
        if a.as_of is not None:  # the period is still running: say how far the figures go
            ws[f"A{row}"] = as_of_text(a.as_of)
            ws[f"A{row}"].font = WARNING_FONT
            ws[f"A{row}"].alignment = Alignment(horizontal="center", vertical="center")
            ws.merge_cells(f"A{row}:{last}{row}")
            row += 1
        if a.fallback_years:
            years = "、".join(str(y) for y in a.fallback_years)
            ws[f"A{row}"] = (
                f"注意：{years}年暂无节假日安排数据，本期工作日按周一至周五计算，"
                "处置时限与时长可能有偏差。"
            )
            ws[f"A{row}"].font = WARNING_FONT
            ws[f"A{row}"].alignment = Alignment(horizontal="center", vertical="center")
            ws.merge_cells(f"A{row}:{last}{row}")
            row += 1
        header_row = row
        for col, column in enumerate(columns, start=1):
            cell = ws.cell(header_row, col, column.header)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.border = BORDER
            cell.alignment = CENTER
        ws.row_dimensions[header_row].height = 32
        for col, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(col)].width = column.width
        self.print_setup(ws, header_row)
        return header_row

    @staticmethod
    def print_setup(ws: Worksheet, header_row: int) -> None:
        """A4 landscape, fit to the page's width, the title block and header row printed
        on every page, and the page number in a footer with room to print whole.

        The margins are in inches: ``footer`` is the footer's distance from the paper's
        edge, ``bottom`` the table's. LibreOffice makes the footer area ``bottom −
        footer`` high, less its spacing; with 0.6/0.3 that left no room for a 9 pt
        line and cut it in half. 0.9/0.35 leaves more than two lines.
        """
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        margins = ws.page_margins
        margins.left = margins.right = 0.4
        margins.top = 0.6
        margins.header = 0.3
        margins.bottom = FOOTER_ROOM
        margins.footer = FOOTER_EDGE
        ws.print_title_rows = f"1:{header_row}"
        ws.oddFooter.center.text = FOOTER
        ws.oddFooter.center.size = 9
        ws.oddFooter.center.font = f"{FONT_NAME},Regular"

    @staticmethod
    def put(
        ws: Worksheet,
        row: int,
        col: int,
        value: Any,
        fmt: str | None = None,
        *,
        font: Font = BODY_FONT,
        align: Alignment = RIGHT,
    ) -> None:
        cell = ws.cell(row, col, value)
        if value == EMPTY or value is None:
            align, fmt = CENTER, None
        # Setting a style attribute makes openpyxl hash the style object to find it in the
        # workbook's list: most of a large bulletin's time. Each combination is styled once
        # per workbook, then its style indexes are copied to the next cell.
        known = _STYLES.setdefault(ws.parent, {})
        key = (id(font), id(align), fmt)
        seen = known.get(key)
        if seen is not None and seen[0] is font and seen[1] is align:
            cell._style = copy(seen[2])
            return
        cell.border = BORDER
        cell.font = font
        cell.alignment = align
        if fmt is not None:
            cell.number_format = fmt
        known[key] = (font, align, copy(cell._style))

    def put_figure(self, ws: Worksheet, row: int, col: int, value: Any, kind: str) -> None:
        """A figure in the number format of its kind ("—" for an empty rate, rank or mean)."""
        fmt = NUMBER_FORMATS.get(kind)
        if kind == TEXT:
            self.put(ws, row, col, value, align=LEFT)
        elif value is None:
            self.put(ws, row, col, EMPTY)
        elif kind == RATE:
            self.put(ws, row, col, value, fmt, font=RED_FONT if value < GOOD_RATE else BODY_FONT)
        elif kind in (DAYS, SCORE):
            self.put(ws, row, col, round(value, 4), fmt)
        else:
            self.put(ws, row, col, value, fmt, align=CENTER if kind == RANK else RIGHT)

    def note(self, ws: Worksheet, row: int, ncols: int, text_: str) -> None:
        ws.cell(row, 1, text_).font = NOTE_FONT
        ws.cell(row, 1).alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        ws.row_dimensions[row].height = 30

    def rank_note(self) -> str:
        w = self.a.weights
        return (
            f"注：综合得分＝100×（{w['on_time']:g}×按期结案率＋{w['closure']:g}×结案率＋"
            f"{w['satisfaction']:g}×满意率＋{w['ack']:g}×及时签收率）－{w['rework_penalty']:g}×返工数；"
            "分母为零的比率显示为“—”、计分时按100%计。按综合得分排名，得分相同的依次比较按期结案率、结案数。"
            "比率低于90%的以红色显示，末位单位以黄色底纹标注；本期无业务量的单位不参与排名。"
        )

    # -- sheets -----------------------------------------------------------------------
    def summary(self, ws: Worksheet) -> None:
        a, t = self.a, self.a.totals
        header_row = self.head(ws, SUMMARY_LAYOUT)
        ws.page_setup.fitToHeight = 1  # the totals and their chart on one page
        ws.cell(header_row, 3).fill = PatternFill(fill_type=None)
        ws.cell(header_row, 3).border = Border()
        row = header_row
        for figure in SUMMARY_FIGURES:
            row += 1
            self.put(ws, row, 1, figure.header, font=BOLD_FONT, align=LEFT)
            self.put_figure(ws, row, 2, figure.value(t), figure.kind)
        last_item = row
        cats = a.category_totals()
        row = header_row
        for cat in cats:
            row += 1
            self.put(ws, row, 4, cat.name, align=LEFT)
            self.put(ws, row, 5, cat.created, COUNT_FORMAT)
            self.put(ws, row, 6, cat.closed, COUNT_FORMAT)
            self.put(ws, row, 7, cat.overdue, COUNT_FORMAT)
        last_cat = row
        note_row = max(last_item, last_cat) + 2
        self.note(
            ws,
            note_row,
            len(SUMMARY_LAYOUT),
            "注：平均处置时长为案件自受理至结案的平均工作时长（办公分钟÷每日办公分钟）。"
            "应结案数为本期结案的案件与截至期末已到处置时限仍未办结的案件之和（不含作废、挂账案件）。",
        )
        if cats:
            chart = BarChart()
            chart.type = "col"
            chart.grouping = "clustered"
            chart.title = "各大类案件数"
            chart.y_axis.title = "件"
            chart.x_axis.title = None
            data = Reference(ws, min_col=5, max_col=7, min_row=header_row, max_row=last_cat)
            labels = Reference(ws, min_col=4, min_row=header_row + 1, max_row=last_cat)
            chart.add_data(data, titles_from_data=True)
            chart.set_categories(labels)
            chart.height = 8.5
            chart.width = 24
            chart.legend.position = "b"
            chart.x_axis.delete = False
            chart.y_axis.delete = False
            ws.add_chart(chart, f"A{note_row + 2}")
        self.sign_off(ws, note_row + 2 + (SIGN_OFF_ROWS_BELOW_CHART if cats else 0))
        ws.freeze_panes = f"A{header_row + 1}"
        self.step()

    def sign_off(self, ws: Worksheet, row: int) -> int:
        """The 落款 from ``row`` on, to the right: the issuing unit and the date, then the
        审核 and 签发 lines where set; returns its last row."""
        a = self.a
        sign = a.sign_off or SignOff(issuer=a.scope_name)
        day = a.generated_at.astimezone(SHANGHAI).date()
        lines = [sign.issuer, f"{day.year}年{day.month}月{day.day}日"]
        approvals = "　　".join(
            text_
            for text_ in (
                f"审核：{sign.reviewer}" if sign.reviewer else "",
                f"签发：{sign.signer}" if sign.signer else "",
            )
            if text_
        )
        if approvals:
            lines.append(approvals)
        first_col, last_col = 4, len(SUMMARY_LAYOUT)
        for line in lines:
            ws.cell(row, first_col, line).font = SIGN_FONT
            ws.cell(row, first_col).alignment = Alignment(horizontal="right", vertical="center")
            ws.merge_cells(start_row=row, start_column=first_col, end_row=row, end_column=last_col)
            ws.row_dimensions[row].height = 22
            row += 1
        return row - 1

    def ranking(
        self,
        ws: Worksheet,
        rows: list[Figures],
        handler: bool,
        blocks: dict[int, str] | None = None,
    ) -> None:
        """One row per unit; ``blocks`` puts a label row before the row at that index."""
        columns = HANDLER_COLUMNS if handler else UNIT_COLUMNS
        header_row = self.head(ws, columns)
        row = header_row
        for index, fig in enumerate(rows):
            row += 1
            if blocks and index in blocks:
                self.put(ws, row, 1, blocks[index], font=BOLD_FONT, align=LEFT)
                for col in range(2, len(columns) + 1):
                    self.put(ws, row, col, None)
                    ws.cell(row, col).fill = SUBTOTAL_FILL
                ws.cell(row, 1).fill = SUBTOTAL_FILL
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(columns))
                row += 1
            for col, column in enumerate(columns, start=1):
                self.put_figure(ws, row, col, column.value(fig), column.kind)
            if fig.last_place:
                for col in range(1, len(columns) + 1):
                    ws.cell(row, col).fill = LAST_FILL
                ws.cell(row, 2).font = BOLD_FONT
            self.step()
        if not rows:
            row += 1
            self.put(ws, row, 1, "本期无数据", align=CENTER)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(columns))
        self.note(ws, row + 2, len(columns), self.rank_note())
        ws.freeze_panes = f"C{header_row + 1}"

    def units(self, ws: Worksheet) -> None:
        """Streets ranked among streets, then communities ranked among communities."""
        a = self.a
        street_names = {s.key: s.name for s in a.streets}
        communities = []
        for fig in a.communities:
            parent = street_names.get(fig.parent_key or "")
            shown = Figures(**{**fig.__dict__})
            if parent and a.scope_level != "community":
                shown.name = f"{parent}·{fig.name}"
            communities.append(shown)
        blocks: dict[int, str] = {}
        if a.streets and communities:
            blocks = {0: "一、街道", len(a.streets): "二、社区"}
        self.ranking(ws, [*a.streets, *communities], handler=False, blocks=blocks)

    def overdue(self, ws: Worksheet) -> None:
        """Every case counted in 超期数 as at E: still open past its deadline at E, or
        closed in the period after it; the overdue time in words (never "0.0").

        The cases' rows are left to :class:`_OverdueRows`, which streams them into the
        saved file; the sheet here holds the title block, the header and the note."""
        header_row = self.head(ws, OVERDUE_COLUMNS)
        cases = self.a.overdue
        row = header_row + len(cases)
        if cases:
            self.overdue_rows = _OverdueRows(ws, header_row, cases, self.a.minutes_per_day)
        else:
            row += 1
            self.put(ws, row, 1, "本期无超期案件", align=CENTER)
            ws.merge_cells(
                start_row=row, start_column=1, end_row=row, end_column=len(OVERDUE_COLUMNS)
            )
        self.note(
            ws,
            row + 2,
            len(OVERDUE_COLUMNS),
            "注：列出截至统计期末超期的案件（期末仍未办结且已过处置时限的，及本期逾期办结的）。"
            "超期时长为处置时限至采纳的处置反馈（未办结的至统计期末）的工作时长，"
            "满一个工作日的以工作日计，不足的以小时计；仅在下班后或节假日超期的记为“非工作时间”。"
            "状态为统计期末的状态。按超期时长由长到短排列。",
        )
        ws.freeze_panes = f"C{header_row + 1}"

    def categories(self, ws: Worksheet) -> None:
        # The 大类 is written on every row, never merged down the block: a merged cell
        # split by a page break would leave the rows of the next page without it.
        header_row = self.head(ws, CATEGORY_COLUMNS)
        row = header_row
        for cat in self.a.categories:
            row += 1
            if cat.code is None:
                self.put(ws, row, 1, cat.parent_name, font=BOLD_FONT, align=CENTER)
                self.put(ws, row, 2, "小计", font=BOLD_FONT, align=LEFT)
                fill: PatternFill | None = SUBTOTAL_FILL
                font = BOLD_FONT
            else:
                self.put(ws, row, 1, cat.parent_name, font=GREY_FONT, align=CENTER)
                self.put(ws, row, 2, cat.name or "（未细分）", align=LEFT)
                fill, font = None, BODY_FONT
            for col, column in enumerate(CATEGORY_COLUMNS[2:], start=3):
                self.put(ws, row, col, column.value(cat), column.number_format, font=font)
            if fill is not None:
                for col in range(2, 6):
                    ws.cell(row, col).fill = fill
            self.step()
        totals = self.a.category_totals()
        row += 1
        self.put(ws, row, 1, "合计", font=BOLD_FONT, align=CENTER)
        self.put(ws, row, 2, None)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        for col, column in enumerate(CATEGORY_COLUMNS[2:], start=3):
            total = sum(column.value(c) for c in totals)
            self.put(ws, row, col, total, column.number_format, font=BOLD_FONT)
        self.note(
            ws,
            row + 2,
            len(CATEGORY_COLUMNS),
            "注：受理数为本期受理的案件；结案数、超期数口径同考核表（按期末状态计）。细项计入所属小类。",
        )
        ws.freeze_panes = f"A{header_row + 1}"

    # -- the workbook ------------------------------------------------------------------
    def build(self) -> Workbook:
        """The workbook, but for the overdue sheet's case rows (:meth:`save` adds them)."""
        wb = Workbook()
        first = wb.active
        assert first is not None
        first.title = SHEETS[0]
        self.check()
        self.summary(first)
        self.check()
        self.ranking(wb.create_sheet(SHEETS[1]), self.a.departments, handler=True)
        self.step()
        self.units(wb.create_sheet(SHEETS[2]))
        self.step()
        self.ranking(wb.create_sheet(SHEETS[3]), self.a.grid_workers, handler=True)
        self.step()
        self.overdue(wb.create_sheet(SHEETS[4]))
        self.categories(wb.create_sheet(SHEETS[5]))
        self.step()
        wb.properties.title = self.a.title
        wb.properties.creator = "GridDesk"
        # Case numbers, titles, addresses and the names of units, departments,
        # categories and people come from other desks: never a formula.
        # The overdue sheet's case rows are not in it yet: _OverdueRows keeps them text.
        rows = self.overdue_rows
        if rows is None:
            formulas = literal_workbook(wb)
        else:
            held = [r for ws in wb.worksheets if ws is not rows.ws for r in ws.iter_rows()]
            held += rows.ws.iter_rows(max_row=rows.header_row)
            held += rows.ws.iter_rows(min_row=rows.header_row + len(rows.cases) + 1)
            formulas = sum(literal_cells(r) for r in held)
        if formulas:
            log.warning("bulletin: %d text cells that looked like formulas kept as text", formulas)
        return wb

    def save(self, wb: Workbook, path: str) -> None:
        """Save ``wb`` to ``path`` with the overdue sheet's case rows streamed into it."""
        rows = self.overdue_rows
        if rows is None:
            wb.save(path)
        else:
            staged = io.BytesIO()  # the workbook without those rows is small
            wb.save(staged)
            rows.splice(staged, path, self.step)
            if rows.formulas:
                log.warning(
                    "bulletin: %d overdue-sheet texts that looked like formulas kept as text",
                    rows.formulas,
                )
        self.step()  # the overdue sheet done


class _OverdueRows:
    """The case rows of the overdue sheet, written as XML straight into the saved file.

    The styles are registered in the workbook when the sheet is built (so openpyxl
    writes them into its style sheet); :meth:`splice` copies the saved workbook and,
    in the overdue sheet's XML, puts the rows after the header row — one string per
    row, in chunks of :data:`CHECK_EVERY` rows with a progress report and a cancel
    check each. Texts are inline strings (never formulas): one that a spreadsheet
    would evaluate once edited gets the quote prefix, and characters XML cannot hold
    (controls other than tab and line breaks) are dropped.
    """

    def __init__(
        self, ws: Worksheet, header_row: int, cases: Sequence[OverdueCase], minutes_per_day: int
    ) -> None:
        self.ws = ws
        self.header_row = header_row
        self.cases = cases
        self.per_day = minutes_per_day
        self.formulas = 0
        self._styles: dict[tuple[int, str | None, bool], int] = {}
        self._texts: dict[str, tuple[str, bool]] = {}
        self._columns = [
            (c.key, c.width, get_column_letter(i)) for i, c in enumerate(OVERDUE_COLUMNS, start=1)
        ]
        # Every style a row can use, registered now: the workbook's style sheet is written
        # when openpyxl saves it, before the rows are.
        for align, fmt, quote in (
            (CENTER, COUNT_FORMAT, False),
            (CENTER, TIME_FORMAT, False),
            *((align, None, quote) for align in (LEFT, WRAP, CENTER, RIGHT) for quote in (0, 1)),
        ):
            self._styles[(id(align), fmt, bool(quote))] = self.style(align, fmt, bool(quote))

    def style(self, align: Alignment, fmt: str | None, quote: bool) -> int:
        """The workbook's style index for a body cell (border, body font) with ``align``."""
        cell = Cell(self.ws)  # never placed in the sheet: only its style is kept
        cell.border = BORDER
        cell.font = BODY_FONT
        cell.alignment = align
        if fmt is not None:
            cell.number_format = fmt
        if quote:
            cell.quotePrefix = True
        return cell.style_id

    def values(self, n: int, case: OverdueCase) -> dict[str, tuple[Any, str | None, Alignment]]:
        """The cells of the case's row by column key: (value, number format, alignment)."""
        deadline = (
            case.deadline.astimezone(SHANGHAI).replace(tzinfo=None) if case.deadline else None
        )
        per_day = self.per_day
        return {
            "position": (n, COUNT_FORMAT, CENTER),
            "number": (case.number, None, LEFT),
            "title": (case.title or EMPTY, None, WRAP),
            "address": (case.address or EMPTY, None, WRAP),
            "category": (case.category, None, WRAP),
            "assignee": (case.assignee or EMPTY, None, WRAP),
            "deadline": (to_excel(deadline) if deadline else EMPTY, TIME_FORMAT, CENTER),
            "overdue_days": (overdue_text(case.overdue_days * per_day, per_day), None, RIGHT),
            "state": (STATE_ZH.get(case.state, case.state), None, CENTER),
            "supervised": ("是" if case.supervised else "否", None, CENTER),
        }

    def row_xml(self, row: int, n: int, case: OverdueCase) -> str:
        values = self.values(n, case)
        styles = self._styles
        texts = self._texts
        cells = []
        lines = 1
        for key, width, letter in self._columns:
            value, fmt, align = values[key]
            if value.__class__ is str:
                if value == EMPTY:
                    align = CENTER
                known = texts.get(value)
                if known is None:
                    quote = looks_like_formula(value)
                    known = texts[value] = (_xml_text(value), quote)
                    if len(texts) > 50_000:  # titles and addresses rarely repeat
                        texts.clear()
                xml, quote = known
                self.formulas += quote
                s = styles[(id(align), None, quote)]
                cells.append(f'<c r="{letter}{row}" s="{s}" t="inlineStr"><is>{xml}</is></c>')
                if align is WRAP:
                    lines = max(lines, wrapped_lines(value, width))
            else:
                s = styles[(id(align), fmt, False)]
                cells.append(f'<c r="{letter}{row}" s="{s}"><v>{value}</v></c>')
        # Neither Excel nor LibreOffice grows a row for wrapped text.
        height = f' ht="{LINE_HEIGHT * lines + 3:g}" customHeight="1"' if lines > 1 else ""
        return f'<row r="{row}"{height}>{"".join(cells)}</row>'

    def chunks(self) -> Iterator[tuple[int, str]]:
        """(rows, their XML) in chunks of :data:`CHECK_EVERY` rows."""
        row = self.header_row
        for start in range(0, len(self.cases), CHECK_EVERY):
            part = self.cases[start : start + CHECK_EVERY]
            xml = []
            for n, case in enumerate(part, start=start + 1):
                xml.append(self.row_xml(row + n, n, case))
            yield len(part), "".join(xml)

    def splice(self, staged: io.BytesIO, path: str, step: Callable[[int], None]) -> None:
        """Copy the workbook ``staged`` to ``path``, the case rows put into the sheet."""
        name = self.ws.path.lstrip("/")  # known once the workbook is saved
        staged.seek(0)
        with (
            zipfile.ZipFile(staged) as book,
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as out,
        ):
            for info in book.infolist():
                data = book.read(info)
                if info.filename != name:
                    out.writestr(info, data, zipfile.ZIP_DEFLATED, ZIP_LEVEL)
                    continue
                xml = data.decode("utf-8")
                at = self._insert_at(xml)
                with out.open(name, "w", force_zip64=True) as sheet:
                    sheet.write(xml[:at].encode("utf-8"))
                    for count, rows in self.chunks():
                        sheet.write(rows.encode("utf-8"))
                        step(count)
                    sheet.write(xml[at:].encode("utf-8"))

    def _insert_at(self, xml: str) -> int:
        """Where the case rows go: before the first row below the header (the note's)."""
        for match in _ROW_START.finditer(xml):
            if int(match.group(1)) > self.header_row:
                return match.start()
        at = xml.find("</sheetData>")
        if at < 0:
            raise RuntimeError("the overdue sheet was saved without its sheetData")
        return at


ZIP_LEVEL = 1
"""Deflate level of the bulletin file: the sheets' XML is repetitive; level 1 packs it to
about a tenth, at a fraction of the default level's time."""

_ROW_START = re.compile(r'<row r="(\d+)"')
_XML_WORK = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]|^\s|\s$")
"""A text needing more than ``<t>…</t>``: escapes, dropped characters, kept spaces."""


def _xml_text(value: str) -> str:
    """``<t>`` of an inline string: escaped, characters XML cannot hold dropped."""
    if not _XML_WORK.search(value):
        return f"<t>{value}</t>"
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    if value.strip() != value:
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


def write_bulletin(
    assessment: Assessment,
    path: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the workbook of ``assessment`` to ``path`` (all or nothing).

    ``progress(done, total)`` is called from the writing thread every few
    hundred rows; ``cancelled()`` is checked at the same points and before the
    file is saved, and a true answer raises :class:`BulletinCancelled`.
    """
    writer = _Writer(assessment, progress, cancelled)
    wb = writer.build()
    writer.check()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".bulletin-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        writer.save(wb, tmp_name)
        if cancelled is not None and cancelled():
            raise _cancelled_error()
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    if progress is not None:
        progress(writer.total, writer.total)
    log.info("bulletin %s written to %s", assessment.period.key, path)
    return path


def export_bulletin(
    session: Session,
    actor: Actor,
    period: Period,
    calendar: WorkCalendar,
    path: Path,
    scope_id: str | None = None,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    now: datetime | None = None,
) -> Assessment:
    """Compute the assessment and write its bulletin; needs the export permission.

    The export is recorded in the archive in ``session``'s transaction (commit it)."""
    require(actor, Permission.EXPORT_BULLETIN)
    assessment = assess(session, actor, period, calendar, scope_id, now=now)
    if cancelled is not None and cancelled():
        raise _cancelled_error()
    write_bulletin(assessment, path, progress, cancelled)
    archive.record_export(session, actor, assessment, path)
    return assessment


def export_assessment(
    actor: Actor,
    assessment: Assessment,
    path: Path,
    *,
    write: archive.SessionFactory,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write the bulletin of an assessment already computed (and shown) for ``actor``,
    and record it in the archive in a transaction of ``write``."""
    require(actor, Permission.EXPORT_BULLETIN)
    write_bulletin(assessment, path, progress, cancelled)
    archive.record_written(write, actor, assessment, path)
    return path


def default_filename(assessment: Assessment) -> str:
    """The suggested file name (the scope's name comes from the county: no path in it)."""
    return clean_file_name(
        f"{assessment.scope_name}网格化服务管理工作通报_{assessment.period.key}.xlsx",
        limit=150,
        fallback="通报",
    )
