"""Assessment periods: half-months, months and custom ranges (docs/figures.md).

A period is the half-open instant range ``[start, end)``: ``YYYY-MM-H1`` runs
from day 1 00:00 to day 15 24:00 (= day 16 00:00) and ``YYYY-MM-H2`` from day
16 00:00 to the first of the next month 00:00, on the Asia/Shanghai wall clock.
An event exactly at day 16 00:00 therefore belongs to the second half, never to
both. ``start`` and ``end`` are aware UTC datetimes; ``first_day`` and
``last_day`` are the local calendar days the period covers (both included).

Accepted texts (:func:`parse_period`):

* ``2026-11-H1`` / ``2026-11-H2`` — a half-month;
* ``2026-11`` — a month;
* ``2026-11-03..2026-11-20`` — a custom range of whole days, both included.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.worktime.workdays import SHANGHAI

HALF = "half"
MONTH = "month"
CUSTOM = "custom"

_HALF_RE = re.compile(r"^(\d{4})-(\d{1,2})-[Hh]([12])$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_CUSTOM_RE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s*(?:\.\.|/|~|至)\s*(\d{4}-\d{1,2}-\d{1,2})$")


@dataclass(frozen=True)
class Period:
    """An assessment period ``[start, end)``; see the module docstring."""

    kind: str
    first_day: date
    last_day: date
    half: int = 0  # 1 or 2 for a half-month

    @property
    def start(self) -> datetime:
        return _local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        return _local_midnight(self.last_day + timedelta(days=1))

    @property
    def key(self) -> str:
        """The text that :func:`parse_period` reads back into this period."""
        if self.kind == HALF:
            return f"{self.first_day:%Y-%m}-H{self.half}"
        if self.kind == MONTH:
            return f"{self.first_day:%Y-%m}"
        return f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def label_zh(self) -> str:
        """The period as the bulletin's title writes it: ``2026年11月上半月``."""
        d = self.first_day
        if self.kind == HALF:
            return f"{d.year}年{d.month}月{'上' if self.half == 1 else '下'}半月"
        if self.kind == MONTH:
            return f"{d.year}年{d.month}月"
        e = self.last_day
        return f"{d.year}年{d.month}月{d.day}日至{e.year}年{e.month}月{e.day}日"

    def range_zh(self) -> str:
        """``2026年11月1日0时至2026年11月15日24时``: the exact range, for the period row."""
        d, e = self.first_day, self.last_day
        return f"{d.year}年{d.month}月{d.day}日0时至{e.year}年{e.month}月{e.day}日24时"

    def previous(self) -> Period:
        if self.kind == HALF:
            if self.half == 2:
                return half_month(self.first_day.year, self.first_day.month, 1)
            prev = self.first_day - timedelta(days=1)
            return half_month(prev.year, prev.month, 2)
        if self.kind == MONTH:
            prev = self.first_day - timedelta(days=1)
            return month(prev.year, prev.month)
        span = timedelta(days=self.days)
        return custom(self.first_day - span, self.last_day - span)

    def next(self) -> Period:
        if self.kind == HALF:
            if self.half == 1:
                return half_month(self.first_day.year, self.first_day.month, 2)
            nxt = self.last_day + timedelta(days=1)
            return half_month(nxt.year, nxt.month, 1)
        if self.kind == MONTH:
            nxt = self.last_day + timedelta(days=1)
            return month(nxt.year, nxt.month)
        span = timedelta(days=self.days)
        return custom(self.first_day + span, self.last_day + span)


def _local_midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=SHANGHAI).astimezone(UTC)


def _invalid(text: str) -> ValidationError:
    return ValidationError(
        QT_TRANSLATE_NOOP(
            "services",
            "{text} is not a period; write 2026-11-H1 or 2026-11-H2 for a half-month, 2026-11 for a month, or 2026-11-03..2026-11-20 for a range of days.",
        ),
        field="period",
        text=text,
    )


def half_month(year: int, month_: int, half: int) -> Period:
    if half not in (1, 2):
        raise ValueError(f"half must be 1 or 2, not {half}")
    last = calendar.monthrange(year, month_)[1]
    if half == 1:
        return Period(HALF, date(year, month_, 1), date(year, month_, 15), 1)
    return Period(HALF, date(year, month_, 16), date(year, month_, last), 2)


def month(year: int, month_: int) -> Period:
    last = calendar.monthrange(year, month_)[1]
    return Period(MONTH, date(year, month_, 1), date(year, month_, last))


def custom(first_day: date, last_day: date) -> Period:
    if last_day < first_day:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services", "The range ends ({last}) before it starts ({first}); swap the dates."
            ),
            field="period",
            first=first_day.isoformat(),
            last=last_day.isoformat(),
        )
    return Period(CUSTOM, first_day, last_day)


def parse_period(text: str) -> Period:
    """Read ``YYYY-MM-H1``, ``YYYY-MM-H2``, ``YYYY-MM`` or ``YYYY-MM-DD..YYYY-MM-DD``."""
    value = (text or "").strip()
    try:
        if match := _HALF_RE.match(value):
            return half_month(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if match := _MONTH_RE.match(value):
            return month(int(match.group(1)), int(match.group(2)))
        if match := _CUSTOM_RE.match(value):
            first = date.fromisoformat(_pad(match.group(1)))
            last = date.fromisoformat(_pad(match.group(2)))
            return custom(first, last)
    except ValueError:  # month 13, day 31 of a 30-day month, year 0 …
        raise _invalid(value) from None
    raise _invalid(value)


def _pad(text: str) -> str:
    y, m, d = text.split("-")
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


def half_month_of(at: datetime) -> Period:
    """The half-month containing the instant ``at``."""
    local = at.astimezone(SHANGHAI)
    return half_month(local.year, local.month, 1 if local.day <= 15 else 2)


def last_complete_half_month(now: datetime) -> Period:
    """The latest half-month that has ended by ``now``: what the bulletin usually reports."""
    return half_month_of(now).previous()
