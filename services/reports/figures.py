"""The columns of the assessment's tables, defined once for the workbook and the screen.

Each :class:`Column` names the attribute it shows (``key``, read from a
:class:`~services.reports.results.Figures`, ``OverdueCase`` or ``CategoryRow``),
its header in the bulletin workbook (the fixed Chinese of the bulletin, whatever
the UI language), its title on the screen (marked for translation in the
``services`` context), its kind (which fixes the number format: a rate is a
fraction shown as a percentage, durations in working days with one decimal,
counts as integers) and its widths. The bulletin writer
(:mod:`services.reports.bulletin`) and the screen's table models
(``views/reports/tables.py``) both read these tuples; neither lists columns of
its own. What each figure means: docs/figures.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from services.i18n import QT_TRANSLATE_NOOP

RANK = "rank"
TEXT = "text"
COUNT = "count"
RATE = "rate"
DAYS = "days"
SCORE = "score"
TIME = "time"
STATE = "state"
FLAG = "flag"

NUMBER_FORMATS = {
    RANK: "0",
    COUNT: "0",
    RATE: "0.0%",
    DAYS: "0.0",
    SCORE: "0.00",
    TIME: "yyyy-mm-dd hh:mm",
}
"""The workbook's number format of each kind (the screen shows the same precision)."""


@dataclass(frozen=True)
class Column:
    """One column of a sheet and of the table that shows it on the screen."""

    key: str
    header: str  # the workbook's header
    title: str  # the screen's title, English source in the "services" context
    kind: str
    width: float  # in the workbook, in characters
    screen_width: int = 0  # on the screen, in pixels (0: fit the contents)
    on_screen: bool = True

    @property
    def number_format(self) -> str | None:
        return NUMBER_FORMATS.get(self.kind)

    def value(self, row: Any) -> Any:
        return getattr(row, self.key)


# ---- the figures of a unit (a ranking row), in the order of the bulletin's tables
RANK_COLUMN = Column("rank", "排名", QT_TRANSLATE_NOOP("services", "Rank"), RANK, 6)
UNIT_COLUMN = Column("name", "单位", QT_TRANSLATE_NOOP("services", "Unit"), TEXT, 26)
CREATED = Column("created", "受理数", QT_TRANSLATE_NOOP("services", "Cases registered"), COUNT, 8)
DISPATCHED = Column("dispatched", "派遣数", QT_TRANSLATE_NOOP("services", "Dispatched"), COUNT, 8)
ACK_RATE = Column(
    "ack_rate", "及时签收率", QT_TRANSLATE_NOOP("services", "Signed for in time"), RATE, 10
)
DUE = Column("due", "应结案数", QT_TRANSLATE_NOOP("services", "Cases due"), COUNT, 9)
CLOSED = Column("closed", "结案数", QT_TRANSLATE_NOOP("services", "Cases closed"), COUNT, 8)
ON_TIME = Column(
    "on_time", "按期结案数", QT_TRANSLATE_NOOP("services", "Closed on time"), COUNT, 10
)
CLOSURE_RATE = Column(
    "closure_rate", "结案率", QT_TRANSLATE_NOOP("services", "Closure rate"), RATE, 9
)
ON_TIME_RATE = Column(
    "on_time_rate", "按期结案率", QT_TRANSLATE_NOOP("services", "On-time rate"), RATE, 10
)
OVERDUE = Column("overdue", "超期数", QT_TRANSLATE_NOOP("services", "Cases overdue"), COUNT, 8)
REWORK = Column("rework", "返工数", QT_TRANSLATE_NOOP("services", "Rework"), COUNT, 8)
RETURNED = Column("returned", "退回数", QT_TRANSLATE_NOOP("services", "Returned"), COUNT, 8)
MEAN_DAYS = Column(
    "mean_days",
    "平均处置时长(工作日)",
    QT_TRANSLATE_NOOP("services", "Mean handling time (working days)"),
    DAYS,
    12,
)
EVALUATIONS = Column(
    "evaluations", "回访评价数", QT_TRANSLATE_NOOP("services", "Evaluations"), COUNT, 8
)
SATISFACTION = Column(
    "satisfaction_rate", "满意率", QT_TRANSLATE_NOOP("services", "Satisfaction"), RATE, 9
)
SCORE_COLUMN = Column("score", "综合得分", QT_TRANSLATE_NOOP("services", "Score"), SCORE, 10)

HANDLER_COLUMNS = (
    RANK_COLUMN,
    UNIT_COLUMN,
    DISPATCHED,
    ACK_RATE,
    DUE,
    CLOSED,
    ON_TIME,
    CLOSURE_RATE,
    ON_TIME_RATE,
    OVERDUE,
    REWORK,
    RETURNED,
    MEAN_DAYS,
    SATISFACTION,
    SCORE_COLUMN,
)
"""部门考核 and 网格员考核: one row per department or grid worker."""

UNIT_COLUMNS = (
    RANK_COLUMN,
    UNIT_COLUMN,
    CREATED,
    DUE,
    CLOSED,
    ON_TIME,
    CLOSURE_RATE,
    ON_TIME_RATE,
    OVERDUE,
    MEAN_DAYS,
    SATISFACTION,
    SCORE_COLUMN,
)
"""街道社区考核: one row per street or community."""

SUMMARY_FIGURES = (
    CREATED,
    *HANDLER_COLUMNS[2:13],  # 派遣数 … 平均处置时长
    EVALUATIONS,
    *HANDLER_COLUMNS[13:],  # 满意率, 综合得分
)
"""汇总: the totals of the scope, one figure per line."""

KEY_FIGURES = (CREATED, DUE, CLOSED, ON_TIME_RATE, OVERDUE, ACK_RATE, SATISFACTION)
"""The totals the screen's dashboard shows above its charts."""

OVERDUE_COLUMNS = (
    Column("position", "序号", "", RANK, 7, on_screen=False),  # the row number
    Column("number", "案件编号", QT_TRANSLATE_NOOP("services", "Case number"), TEXT, 24, 215),
    Column("title", "标题", "", TEXT, 26, on_screen=False),
    Column("address", "地址", "", TEXT, 24, on_screen=False),
    Column("category", "类别", QT_TRANSLATE_NOOP("services", "Category"), TEXT, 24, 220),
    Column("assignee", "处置单位", QT_TRANSLATE_NOOP("services", "Assignee"), TEXT, 22, 190),
    Column("deadline", "处置时限", QT_TRANSLATE_NOOP("services", "Deadline"), TIME, 17, 140),
    Column(
        "overdue_days",
        "超期时长",  # the workbook writes "1.3 工作日" or, under a day, "2.5 小时"
        QT_TRANSLATE_NOOP("services", "Overdue (working days)"),
        DAYS,
        12,
        150,
    ),
    Column(
        "state", "状态", QT_TRANSLATE_NOOP("services", "State at the period's end"), STATE, 14, 100
    ),
    Column("supervised", "是否督办", QT_TRANSLATE_NOOP("services", "Supervised"), FLAG, 9, 80),
)
"""超期案件明细: every case overdue at the period's end."""

CATEGORY_COLUMNS = (
    Column("parent_name", "大类", QT_TRANSLATE_NOOP("services", "Category"), TEXT, 20, 150),
    Column("name", "小类", QT_TRANSLATE_NOOP("services", "Subcategory"), TEXT, 30, 220),
    replace(CREATED, width=12, screen_width=100),
    replace(CLOSED, width=12, screen_width=100),
    replace(OVERDUE, width=12, screen_width=100),
)
"""分类统计: a subtotal row per 大类, followed by its 小类."""


def headers(columns: tuple[Column, ...]) -> tuple[str, ...]:
    """The workbook's header row of a sheet."""
    return tuple(column.header for column in columns)


def on_screen(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """The columns the screen's table shows."""
    return tuple(column for column in columns if column.on_screen)
