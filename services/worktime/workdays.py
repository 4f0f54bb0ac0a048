"""Working time: which days are working days, office hours and the deadlines built on them.

Every deadline and every "how long did it take" figure in GridDesk goes through
this module, so the desktop, the county server and the bulletin agree to the
minute (docs/figures.md, working time).

Which days are working days, year by year:

1. ``chinesecalendar`` for the years it knows (statutory holidays and the
   make-up working days, 调休);
2. otherwise the county's holiday table, for a year in which the table has any
   entry (a ``holiday`` entry is a day off, a ``workday`` entry a make-up
   working day, every other day follows Monday–Friday);
3. otherwise Monday–Friday, and the year is recorded in
   :attr:`WorkCalendar.fallback_used` so that the UI and the bulletin can warn
   that the figures may be off. An unknown year never raises.

Reasoning happens on the Asia/Shanghai wall clock (office hours are wall-clock
times) and every datetime returned is aware UTC. Positions within a day are
kept in microseconds, so that adding office time to a dispatch made at
10:00:30 lands on hh:mm:30 and adding then measuring gives back the same
amount. The demo district computes deadlines for millions of cases, so answers
are cached per day and spans are measured with per-year running totals of
working days, never minute by minute.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import Holiday, Setting
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")

OFFICE_HOURS_KEY = "office_hours"
"""The ``settings`` key whose JSON value is the office hours (see :meth:`OfficeHours.parse`)."""

HOLIDAY = "holiday"
WORKDAY = "workday"

YearSource = Literal["chinesecalendar", "county", "fallback"]

FALLBACK_WARNING = QT_TRANSLATE_NOOP(
    "services",
    "No holiday calendar is known for {years}; working days in those years are counted Monday to Friday and deadlines may be off.",
)
"""Text for the visible warning the UI and the bulletin show for :attr:`WorkCalendar.fallback_used`
(format with ``years`` joined by ", ")."""

_US_PER_MINUTE = 60_000_000
_TIME_TEXT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_ONE_DAY = timedelta(days=1)


def _time_text(t: time) -> str:
    return t.strftime("%H:%M")


def _check_periods(periods: tuple[tuple[time, time], ...]) -> None:
    """Raise a :class:`ValidationError` unless the periods are sane office hours.

    Periods must be whole minutes (the arithmetic counts office minutes), end
    after they start, and follow each other without overlapping; touching
    periods are allowed.
    """
    if not periods:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Office hours need at least one period."),
            field=OFFICE_HOURS_KEY,
        )
    for start, end in periods:
        for value in (start, end):
            if value.second or value.microsecond or value.tzinfo is not None:
                raise ValidationError(
                    QT_TRANSLATE_NOOP(
                        "services",
                        "{value} is not a time of day; write office times as HH:MM, for example 08:30.",
                    ),
                    field=OFFICE_HOURS_KEY,
                    value=value.isoformat(),
                )
        if end <= start:
            raise ValidationError(
                QT_TRANSLATE_NOOP(
                    "services", "The office period {start}–{end} must end after it starts."
                ),
                field=OFFICE_HOURS_KEY,
                start=_time_text(start),
                end=_time_text(end),
            )
    for (s1, e1), (s2, e2) in zip(periods, periods[1:], strict=False):
        if s2 < e1:
            raise ValidationError(
                QT_TRANSLATE_NOOP(
                    "services",
                    "The office periods {first} and {second} overlap or are out of order; list them from morning to evening without overlapping.",
                ),
                field=OFFICE_HOURS_KEY,
                first=f"{_time_text(s1)}–{_time_text(e1)}",
                second=f"{_time_text(s2)}–{_time_text(e2)}",
            )


def _parse_time(value: Any) -> time:
    if isinstance(value, str):
        match = _TIME_TEXT.match(value.strip())
        if match:
            return time(int(match.group(1)), int(match.group(2)))
    raise ValidationError(
        QT_TRANSLATE_NOOP(
            "services",
            "{value} is not a time of day; write office times as HH:MM, for example 08:30.",
        ),
        field=OFFICE_HOURS_KEY,
        value=str(value),
    )


@dataclass(frozen=True)
class OfficeHours:
    """The office periods of a working day, on the Asia/Shanghai wall clock."""

    periods: tuple[tuple[time, time], ...] = (
        (time(8, 30), time(12, 0)),
        (time(13, 30), time(17, 30)),
    )

    def __post_init__(self) -> None:
        # Frozen, so checking once here keeps every calendar built on it sound.
        object.__setattr__(self, "periods", tuple((s, e) for s, e in self.periods))
        _check_periods(self.periods)

    @property
    def minutes_per_day(self) -> int:
        """Office minutes in one working day (450 with the default hours)."""
        return sum(_minute_of_day(e) - _minute_of_day(s) for s, e in self.periods)

    @property
    def close(self) -> time:
        """Close of office: the end of the last period; handling deadlines fall here."""
        return self.periods[-1][1]

    @classmethod
    def parse(cls, value: list[list[str]] | None) -> OfficeHours:
        """Office hours from their settings form ``[["08:30", "12:00"], ["13:30", "17:30"]]``.

        ``None`` (no setting stored) gives the default hours. Anything else that
        is not a sorted list of non-overlapping periods raises a
        :class:`ValidationError` for the ``office_hours`` field.
        """
        if value is None:
            return cls()
        shape_error = ValidationError(
            QT_TRANSLATE_NOOP(
                "services",
                "Office hours should be a list of periods, each with a start and an end time, for example 08:30 to 12:00.",
            ),
            field=OFFICE_HOURS_KEY,
        )
        if not isinstance(value, list | tuple):
            raise shape_error
        periods: list[tuple[time, time]] = []
        for item in value:
            if not isinstance(item, list | tuple) or len(item) != 2:
                raise shape_error
            periods.append((_parse_time(item[0]), _parse_time(item[1])))
        return cls(tuple(periods))

    def to_setting(self) -> list[list[str]]:
        """The JSON form stored under the ``office_hours`` setting (inverse of :meth:`parse`)."""
        return [[_time_text(s), _time_text(e)] for s, e in self.periods]


def _minute_of_day(t: time) -> int:
    return t.hour * 60 + t.minute


def _chinesecalendar_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _local(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"working-time arithmetic needs an aware datetime, got naive {t!r}")
    return t.astimezone(SHANGHAI)


def _us_of_day(t: datetime) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _at(d: date, us: int) -> datetime:
    """The aware UTC instant of wall-clock position ``us`` on local date ``d``."""
    # Same-zone aware arithmetic is wall-clock arithmetic, which is what office
    # hours are (and stays right across the 1986–1991 summer-time changes).
    local = datetime(d.year, d.month, d.day, tzinfo=SHANGHAI) + timedelta(microseconds=us)
    return local.astimezone(UTC)


class WorkCalendar:
    """Working days and office hours, with the deadline arithmetic built on them.

    ``holidays`` is the county's table: date → ``"holiday"`` or ``"workday"``.
    Build one calendar per loaded configuration and reuse it: its caches are
    what make millions of deadline computations cheap.
    """

    def __init__(
        self,
        office_hours: OfficeHours = OfficeHours(),
        holidays: Mapping[date, str] | None = None,
    ) -> None:
        self.office_hours = office_hours
        table: dict[date, bool] = {}
        for day, kind in (holidays or {}).items():
            normal = kind.strip().lower() if isinstance(kind, str) else kind
            if normal not in (HOLIDAY, WORKDAY):
                raise ValueError(
                    f"holiday kind for {day} must be 'holiday' or 'workday', not {kind!r}"
                )
            table[day] = normal == WORKDAY
        self._county: dict[date, bool] = table
        self._county_years: frozenset[int] = frozenset(d.year for d in table)
        self.fallback_used: set[int] = set()
        """Years for which a Monday–Friday fallback answer was given so far.

        Cumulative: answers are cached per day, so a year is added once, the
        first time it is needed. Read it, do not clear it; load a new calendar
        to start over."""
        self._workday: dict[date, bool] = {}
        self._sources: dict[int, YearSource] = {}
        self._year_totals: dict[int, list[int]] = {}
        self._periods_us: tuple[tuple[int, int], ...] = tuple(
            (_minute_of_day(s) * _US_PER_MINUTE, _minute_of_day(e) * _US_PER_MINUTE)
            for s, e in office_hours.periods
        )
        self._day_us: int = office_hours.minutes_per_day * _US_PER_MINUTE
        self._open_us: int = self._periods_us[0][0]
        self._close_us: int = self._periods_us[-1][1]

    # -- which days are working days -------------------------------------------------

    def year_source(self, year: int) -> YearSource:
        """Where the working days of ``year`` come from (see the module docstring)."""
        source = self._sources.get(year)
        if source is None:
            if _chinesecalendar_knows(year):
                source = "chinesecalendar"
            elif year in self._county_years:
                source = "county"
            else:
                source = "fallback"
            self._sources[year] = source
        return source

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` (a local date) is a working day; cached, as it is asked very often."""
        answer = self._workday.get(d)
        if answer is None:
            answer = self._compute_workday(d)
            self._workday[d] = answer
        return answer

    def _compute_workday(self, d: date) -> bool:
        source = self.year_source(d.year)
        if source == "chinesecalendar":
            return bool(chinese_calendar.is_workday(d))
        if source == "county":
            county = self._county.get(d)
            if county is not None:
                return county
        else:
            self.fallback_used.add(d.year)
        return d.weekday() < 5

    def fallback_years(self, start: date, end: date) -> list[int]:
        """Years in ``[start, end]`` counted Monday–Friday, for a warning before it matters."""
        return [y for y in range(start.year, end.year + 1) if self.year_source(y) == "fallback"]

    def _totals(self, year: int) -> list[int]:
        """Running totals: ``totals[i]`` is the number of working days among the first ``i`` days."""
        totals = self._year_totals.get(year)
        if totals is None:
            totals = [0]
            day = date(year, 1, 1)
            count = 0
            while day.year == year:
                count += self.is_workday(day)
                totals.append(count)
                if day == date.max:
                    break
                day += _ONE_DAY
            self._year_totals[year] = totals
        return totals

    def working_days_in(self, start: date, end: date) -> int:
        """Number of working days ``d`` with ``start <= d < end`` (0 if ``end <= start``)."""
        if end <= start:
            return 0
        first = self._totals(start.year)
        i = start.timetuple().tm_yday - 1
        j = end.timetuple().tm_yday - 1
        if start.year == end.year:
            return first[j] - first[i]
        count = first[-1] - first[i]
        for year in range(start.year + 1, end.year):
            count += self._totals(year)[-1]
        return count + self._totals(end.year)[j]

    # -- office time -------------------------------------------------------------------

    def _office_us_before(self, d: date, us: int) -> int:
        """Office microseconds on local date ``d`` before wall-clock position ``us``."""
        if us <= self._open_us or not self.is_workday(d):
            return 0
        if us >= self._close_us:
            return self._day_us
        total = 0
        for start, end in self._periods_us:
            if us <= start:
                break
            total += min(us, end) - start
        return total

    def _office_us_between(self, a: datetime, b: datetime) -> int:
        la, lb = _local(a), _local(b)
        if lb < la:
            return -self._office_us_between(b, a)
        da, db = la.date(), lb.date()
        return (
            self.working_days_in(da, db) * self._day_us
            + self._office_us_before(db, _us_of_day(lb))
            - self._office_us_before(da, _us_of_day(la))
        )

    def _add_office_us(self, t: datetime, amount: int) -> datetime:
        if amount < 0:
            raise ValueError("office time to add must not be negative")
        local = _local(t)
        if amount == 0:
            return t.astimezone(UTC)
        day = local.date()
        pos = _us_of_day(local)
        remaining = amount
        while True:
            if self.is_workday(day):
                if pos <= self._open_us and remaining > self._day_us:
                    remaining -= self._day_us  # a whole working day, no need to walk its periods
                else:
                    for start, end in self._periods_us:
                        if pos >= end:
                            continue
                        begin = max(pos, start)
                        if remaining <= end - begin:
                            # "<=": landing exactly on a period's end stays there (17:30).
                            return _at(day, begin + remaining)
                        remaining -= end - begin
            day += _ONE_DAY
            pos = 0

    def add_office_minutes(self, t: datetime, minutes: int) -> datetime:
        """The instant ``minutes`` office minutes after ``t`` (aware UTC).

        Counting starts at the next office period when ``t`` is outside office
        hours; a result exactly at the end of a period is that end (17:30), not
        the next morning. Zero minutes gives ``t`` itself.
        """
        return self._add_office_us(t, minutes * _US_PER_MINUTE)

    def add_working_hours(self, t: datetime, hours: float) -> datetime:
        """Like :meth:`add_office_minutes` for a limit in working hours (``ack_hours``)."""
        return self._add_office_us(t, round(hours * 60 * _US_PER_MINUTE))

    def office_minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole office minutes from ``a`` to ``b``; negative if ``b`` is before ``a``."""
        us = self._office_us_between(a, b)
        return us // _US_PER_MINUTE if us >= 0 else -(-us // _US_PER_MINUTE)

    def working_days_between(self, a: datetime, b: datetime) -> float:
        """Office time from ``a`` to ``b`` in working days (office minutes ÷ minutes per day).

        The caller rounds for display (one decimal, docs/figures.md).
        """
        return self._office_us_between(a, b) / self._day_us

    def handling_deadline(self, t: datetime, days: int) -> datetime:
        """Close of office of the ``days``-th working day after ``t``'s local date (aware UTC).

        ``t``'s own date never counts, whatever the time of day: dispatched
        Fri 2026-11-20 10:00 with 3 days → Wed 2026-11-25 17:30.
        """
        if days < 1:
            raise ValueError(f"a handling limit needs at least one working day, got {days}")
        day = _local(t).date()
        left = days
        while left:
            day += _ONE_DAY
            if self.is_workday(day):
                left -= 1
        return _at(day, self._close_us)

    def deadlines_for(
        self,
        t: datetime,
        *,
        ack_hours: int,
        handle_days: int,
        urgent: bool,
        urgent_ack_hours: int = 2,
        urgent_hours: int = 24,
    ) -> tuple[datetime, datetime]:
        """``(ack_deadline, handling_deadline)`` of a dispatch at ``t``.

        A normal case counts working hours to sign for and working days to
        handle; an urgent case counts natural hours for both, because urgent
        means nights and holidays too.
        """
        if urgent:
            start = _local(t).astimezone(UTC)
            return (
                start + timedelta(hours=urgent_ack_hours),
                start + timedelta(hours=urgent_hours),
            )
        return self.add_working_hours(t, ack_hours), self.handling_deadline(t, handle_days)


def _office_hours_setting(value: Any) -> OfficeHours:
    if isinstance(value, str):
        # A value that arrived double-encoded is still the same setting.
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    return OfficeHours.parse(value)


def _holiday_table(rows: Iterable[Holiday]) -> dict[date, str]:
    table: dict[date, str] = {}
    for row in rows:
        kind = (row.kind or "").strip().lower()
        if kind not in (HOLIDAY, WORKDAY):
            log.warning("holiday %s has unknown kind %r; ignored", row.date, row.kind)
            continue
        table[row.date] = kind
    return table


def load_calendar(session: Session) -> WorkCalendar:
    """The calendar configured in the database: county holidays and the office-hours setting.

    A malformed stored office-hours value (it comes from the county or an older
    version) must not stop the application: it is logged and the default hours
    are used. Holiday rows of an unknown kind are skipped the same way.
    """
    holidays = _holiday_table(session.scalars(select(Holiday)))
    value = session.scalar(select(Setting.value).where(Setting.key == OFFICE_HOURS_KEY))
    try:
        office_hours = _office_hours_setting(value)
    except ValidationError as exc:
        log.warning("office hours setting %r is not usable (%s); using the default", value, exc)
        office_hours = OfficeHours()
    return WorkCalendar(office_hours, holidays)
