"""What an assessment answers: the rows of its tables and the assessment itself.

:class:`Figures` is one row of a ranking sheet (a department, grid worker,
street, community, or the scope's totals) with its counts and the rates derived
from them; :class:`OverdueCase` and :class:`CategoryRow` are the rows of the
overdue and category sheets; :class:`Assessment` holds them all for one period
and scope. How every figure is computed: docs/figures.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from services.reports.periods import Period

GOOD_RATE = 0.9
"""Rates below this are shown in red, in the workbook and on the screen."""

SUMMED = (
    "created",
    "dispatched",
    "ack_on_time",
    "due",
    "closed",
    "on_time",
    "rework",
    "returned",
    "duration_minutes",
    "duration_count",
    "evaluations",
    "satisfied",
)
"""The counts of :class:`Figures` that add up from parts into a row."""


@dataclass
class Figures:
    """The counts of one row (a department, grid worker, street, community or the total).

    Rates are ``None`` when their denominator is empty (shown "—", counted as 1
    in the score).
    """

    key: str
    name: str
    kind: str
    created: int = 0
    dispatched: int = 0
    ack_on_time: int = 0
    due: int = 0
    closed: int = 0
    on_time: int = 0
    rework: int = 0
    returned: int = 0
    duration_minutes: float = 0.0
    duration_count: int = 0
    evaluations: int = 0
    satisfied: int = 0
    minutes_per_day: int = 450
    score: float | None = None
    rank: int | None = None
    last_place: bool = False
    parent_key: str | None = None

    def add(self, other: Figures) -> None:
        for name in SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def overdue(self) -> int:
        """超期数 = 应结案数 − 按期结案数."""
        return self.due - self.on_time

    @property
    def ack_rate(self) -> float | None:
        return _rate(self.ack_on_time, self.dispatched)

    @property
    def closure_rate(self) -> float | None:
        return _rate(self.closed, self.due)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.due)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.evaluations)

    @property
    def mean_days(self) -> float | None:
        """平均处置时长 in working days (office minutes ÷ minutes per working day)."""
        if not self.duration_count:
            return None
        return self.duration_minutes / self.duration_count / self.minutes_per_day

    @property
    def active(self) -> bool:
        return bool(self.created or self.due or self.dispatched or self.evaluations)


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class OverdueCase:
    case_id: str
    number: str
    title: str
    address: str
    category_code: str
    category: str
    assignee_type: str | None
    assignee_id: str | None
    assignee: str
    deadline: datetime | None
    overdue_days: float
    state: str  # the case's state at E
    supervised: bool
    closed: bool


@dataclass(frozen=True)
class CategoryRow:
    parent_code: str
    parent_name: str
    code: str | None  # None on the 大类's subtotal row
    name: str
    created: int
    closed: int
    overdue: int


@dataclass(frozen=True)
class SignOff:
    """The 落款 printed under the bulletin: the issuing unit and, where set, who
    reviewed (审核) and who signed (签发) it; the date is that of the export."""

    issuer: str
    reviewer: str = ""
    signer: str = ""


def overdue_text(minutes: float, minutes_per_day: int) -> str:
    """An overdue time as the bulletin prints it: working days with one decimal from
    one working day up (``1.3 工作日``), working hours below (``2.5 小时``), minutes
    below six minutes, and, for a deadline passed only outside office hours (a case
    open at E whose deadline was 17:30 that day), ``非工作时间`` — never "0.0"."""
    if minutes >= minutes_per_day:
        return f"{minutes / minutes_per_day:.1f} 工作日"
    if minutes >= 6:
        return f"{minutes / 60:.1f} 小时"
    if minutes >= 1:
        return f"{int(minutes)} 分钟"
    return "非工作时间"


@dataclass
class Assessment:
    period: Period
    scope_id: str
    scope_name: str
    scope_level: str
    generated_at: datetime
    weights: dict[str, float]
    totals: Figures
    departments: list[Figures]
    grid_workers: list[Figures]
    streets: list[Figures]
    communities: list[Figures]
    categories: list[CategoryRow]
    overdue: list[OverdueCase]
    per_day: list[tuple[date, int, int]]  # local day, created, closed
    fallback_years: list[int] = field(default_factory=list)
    minutes_per_day: int = 450
    event_seq: int | None = None
    """The last event counted (``case_events.seq``): the bulletin archive's as-at mark."""
    as_of: datetime | None = None
    """For a period not yet ended: the instant its figures were counted up to (E)."""
    sign_off: SignOff | None = None

    @property
    def title(self) -> str:
        return f"{self.scope_name}网格化服务管理工作通报（{self.period.label_zh()}）"

    def category_totals(self) -> list[CategoryRow]:
        """The 大类 subtotal rows, for the charts."""
        return [row for row in self.categories if row.code is None]
