"""Working days, office hours and deadlines (docs/figures.md, working time)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.db import Database, open_url
from models.tables import Holiday, Setting
from services.errors import ValidationError
from services.worktime import workdays as worktime
from services.worktime.workdays import SHANGHAI, OfficeHours, WorkCalendar, load_calendar


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An aware Asia/Shanghai datetime, as a person at the desk would read it."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def shown(t: datetime) -> datetime:
    """``t`` on the local wall clock, checking on the way that it is aware UTC."""
    assert t.tzinfo is UTC
    return t.astimezone(SHANGHAI)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


# -- working days ---------------------------------------------------------------------


def test_spec_example_friday_dispatch_three_days(cal: WorkCalendar) -> None:
    deadline = cal.handling_deadline(local(2026, 11, 20, 10, 0), 3)
    assert shown(deadline) == local(2026, 11, 25, 17, 30)
    assert deadline == datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def test_own_date_never_counts_even_before_office_opens(cal: WorkCalendar) -> None:
    assert shown(cal.handling_deadline(local(2026, 11, 20, 0, 5), 1)) == local(2026, 11, 23, 17, 30)
    # A dispatch late on Sunday: Monday is the first working day after it.
    assert shown(cal.handling_deadline(local(2026, 11, 22, 23, 59), 1)) == local(
        2026, 11, 23, 17, 30
    )


def test_local_date_not_utc_date_decides(cal: WorkCalendar) -> None:
    # 2026-11-19 17:00 UTC is Friday 01:00 in Shanghai: Friday does not count.
    t = datetime(2026, 11, 19, 17, 0, tzinfo=UTC)
    assert shown(cal.handling_deadline(t, 1)) == local(2026, 11, 23, 17, 30)


def test_national_day_2026_and_its_make_up_days(cal: WorkCalendar) -> None:
    for day in range(1, 8):
        assert not cal.is_workday(date(2026, 10, day))
    # Sunday 20 September and Saturday 10 October 2026 are make-up working days (调休).
    assert date(2026, 9, 20).weekday() == 6 and cal.is_workday(date(2026, 9, 20))
    assert date(2026, 10, 10).weekday() == 5 and cal.is_workday(date(2026, 10, 10))
    assert not cal.is_workday(date(2026, 10, 11))
    # Dispatched Wed 30 Sept: Thu 8, Fri 9, Sat 10 (调休) October.
    assert shown(cal.handling_deadline(local(2026, 9, 30, 10, 0), 3)) == local(2026, 10, 10, 17, 30)
    # Dispatched Saturday 19 Sept with one day: the make-up Sunday counts.
    assert shown(cal.handling_deadline(local(2026, 9, 19, 10, 0), 1)) == local(2026, 9, 20, 17, 30)
    assert cal.year_source(2026) == "chinesecalendar"


def test_year_end_2026_falls_back_to_monday_friday_for_2027(cal: WorkCalendar) -> None:
    assert cal.year_source(2027) == "fallback"
    assert cal.fallback_used == set()
    deadline = cal.handling_deadline(local(2026, 12, 28, 10, 0), 5)
    # Dec 29, 30, 31, Fri Jan 1 (a plain Friday in the fallback), Mon Jan 4.
    assert shown(deadline) == local(2027, 1, 4, 17, 30)
    assert cal.fallback_used == {2027}


def test_county_table_decides_2027() -> None:
    cal = WorkCalendar(holidays={date(2027, 1, 1): "holiday"})
    assert cal.year_source(2027) == "county"
    deadline = cal.handling_deadline(local(2026, 12, 28, 10, 0), 5)
    assert shown(deadline) == local(2027, 1, 5, 17, 30)
    assert cal.fallback_used == set()


def test_county_make_up_working_day() -> None:
    cal = WorkCalendar(holidays={date(2027, 1, 1): "holiday", date(2027, 1, 2): "workday"})
    assert cal.is_workday(date(2027, 1, 2))  # a Saturday
    assert not cal.is_workday(date(2027, 1, 3))  # an ordinary Sunday
    assert cal.is_workday(date(2027, 1, 4))  # an ordinary Monday, not in the table
    assert shown(cal.handling_deadline(local(2026, 12, 31, 9, 0), 1)) == local(2027, 1, 2, 17, 30)


def test_chinesecalendar_wins_over_county_for_years_it_knows() -> None:
    cal = WorkCalendar(holidays={date(2026, 11, 20): "holiday"})
    assert cal.year_source(2026) == "chinesecalendar"
    assert cal.is_workday(date(2026, 11, 20))


def test_unknown_years_never_crash_and_are_recorded(cal: WorkCalendar) -> None:
    for year in (1990, 2099):
        deadline = cal.handling_deadline(local(year, 5, 2, 10, 0), 3)
        assert shown(deadline).time() == time(17, 30)
        assert shown(deadline).weekday() < 5
    assert cal.office_minutes_between(local(1990, 6, 1, 0, 0), local(1990, 6, 2, 0, 0)) == 450
    assert cal.fallback_used == {1990, 2099}


def test_fallback_years_warns_without_recording(cal: WorkCalendar) -> None:
    assert cal.fallback_years(date(2026, 12, 1), date(2028, 1, 1)) == [2027, 2028]
    assert cal.fallback_years(date(2026, 1, 1), date(2026, 12, 31)) == []
    assert cal.fallback_used == set()
    county = WorkCalendar(holidays={date(2027, 10, 1): "holiday"})
    assert county.fallback_years(date(2026, 12, 1), date(2028, 1, 1)) == [2028]


def test_is_workday_asks_chinesecalendar_once_per_date(
    cal: WorkCalendar, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[date] = []
    real = worktime.chinese_calendar.is_workday

    def counting(d: date) -> bool:
        calls.append(d)
        return bool(real(d))

    cal.year_source(2026)  # year probe out of the way
    monkeypatch.setattr(worktime.chinese_calendar, "is_workday", counting)
    for _ in range(1000):
        assert cal.is_workday(date(2026, 11, 20))
    assert calls == [date(2026, 11, 20)]


def test_unknown_holiday_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        WorkCalendar(holidays={date(2027, 1, 1): "maybe"})


# -- office hours ---------------------------------------------------------------------


def test_before_lunch_continues_after_lunch(cal: WorkCalendar) -> None:
    assert shown(cal.add_office_minutes(local(2026, 11, 20, 11, 50), 30)) == local(
        2026, 11, 20, 13, 50
    )


def test_landing_on_close_stays_at_close(cal: WorkCalendar) -> None:
    # 17:00 + 30 office minutes is exactly 17:30, the end of the period: not next morning.
    assert shown(cal.add_office_minutes(local(2026, 11, 20, 17, 0), 30)) == local(
        2026, 11, 20, 17, 30
    )
    # Lunch is the same: 11:30 + 30 is 12:00, not 13:30.
    assert shown(cal.add_office_minutes(local(2026, 11, 20, 11, 30), 30)) == local(
        2026, 11, 20, 12, 0
    )


def test_late_afternoon_carries_to_next_working_day(cal: WorkCalendar) -> None:
    # Friday 17:00 + 60: 30 minutes today, 30 on Monday morning.
    assert shown(cal.add_office_minutes(local(2026, 11, 20, 17, 0), 60)) == local(
        2026, 11, 23, 9, 0
    )
    # Thursday 17:00 + 60 → Friday 09:00.
    assert shown(cal.add_office_minutes(local(2026, 11, 19, 17, 0), 60)) == local(
        2026, 11, 20, 9, 0
    )


def test_counting_starts_when_office_opens(cal: WorkCalendar) -> None:
    assert shown(cal.add_office_minutes(local(2026, 11, 20, 7, 0), 30)) == local(2026, 11, 20, 9, 0)
    assert shown(cal.add_office_minutes(local(2026, 11, 20, 12, 40), 30)) == local(
        2026, 11, 20, 14, 0
    )
    assert shown(cal.add_office_minutes(local(2026, 11, 20, 19, 0), 30)) == local(
        2026, 11, 23, 9, 0
    )


def test_sunday_counts_from_monday(cal: WorkCalendar) -> None:
    assert shown(cal.add_office_minutes(local(2026, 11, 22, 15, 0), 30)) == local(
        2026, 11, 23, 9, 0
    )
    assert cal.office_minutes_between(local(2026, 11, 21, 0, 0), local(2026, 11, 23, 0, 0)) == 0


def test_seconds_are_kept(cal: WorkCalendar) -> None:
    t = local(2026, 11, 20, 10, 0, 30)
    assert shown(cal.add_office_minutes(t, 30)) == local(2026, 11, 20, 10, 30, 30)
    assert cal.office_minutes_between(t, local(2026, 11, 20, 10, 1, 29)) == 0
    assert cal.office_minutes_between(t, local(2026, 11, 20, 10, 1, 30)) == 1


def test_working_hours_limit_spans_days(cal: WorkCalendar) -> None:
    # 8 working hours from Friday 10:00: 6h today (2h + 4h), 2h on Monday → 10:30.
    assert shown(cal.add_working_hours(local(2026, 11, 20, 10, 0), 8)) == local(
        2026, 11, 23, 10, 30
    )
    assert shown(cal.add_working_hours(local(2026, 11, 20, 10, 0), 0.5)) == local(
        2026, 11, 20, 10, 30
    )
    # Many days at once: 30 full working days from before opening on a Monday.
    far = cal.add_working_hours(local(2026, 11, 2, 8, 0), 7.5 * 30)
    assert cal.working_days_between(local(2026, 11, 2, 8, 0), far) == 30.0
    assert shown(far).time() == time(17, 30)


def test_zero_minutes_is_the_same_instant(cal: WorkCalendar) -> None:
    t = local(2026, 11, 22, 15, 0)
    assert cal.add_office_minutes(t, 0) == t


def test_negative_amounts_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_office_minutes(local(2026, 11, 20, 10, 0), -1)
    with pytest.raises(ValueError):
        cal.handling_deadline(local(2026, 11, 20, 10, 0), 0)


def test_minutes_and_days_between(cal: WorkCalendar) -> None:
    a, b = local(2026, 11, 20, 8, 30), local(2026, 11, 20, 17, 30)
    assert cal.office_minutes_between(a, b) == 450
    assert cal.working_days_between(a, b) == 1.0
    assert cal.office_minutes_between(b, a) == -450
    assert cal.working_days_between(b, a) == -1.0
    # Friday 10:00 → Monday 10:30: 360 + 120 = 480 minutes.
    c = local(2026, 11, 23, 10, 30)
    assert cal.office_minutes_between(local(2026, 11, 20, 10, 0), c) == 480
    assert round(cal.working_days_between(local(2026, 11, 20, 10, 0), c), 1) == 1.1
    # Three quarters of a year, across National Day, without a minute loop.
    spring, autumn = local(2026, 1, 1, 0, 0), local(2026, 10, 12, 0, 0)
    days = sum(
        cal.is_workday(date(2026, 1, 1) + timedelta(days=i))
        for i in range((autumn.date() - spring.date()).days)
    )
    assert cal.office_minutes_between(spring, autumn) == days * 450


def test_between_across_years_and_sources() -> None:
    cal = WorkCalendar(holidays={date(2027, 1, 1): "holiday"})
    # Thu 31 Dec 2026 17:00 → Mon 4 Jan 2027 09:00: 30 + 30 minutes (1 Jan is off).
    assert cal.office_minutes_between(local(2026, 12, 31, 17, 0), local(2027, 1, 4, 9, 0)) == 60
    fallback = WorkCalendar()
    assert (
        fallback.office_minutes_between(local(2026, 12, 31, 17, 0), local(2027, 1, 4, 9, 0))
        == 30 + 450 + 30
    )
    assert fallback.fallback_used == {2027}


def test_naive_datetimes_are_refused(cal: WorkCalendar) -> None:
    naive = datetime(2026, 11, 20, 10, 0)
    with pytest.raises(ValueError):
        cal.handling_deadline(naive, 3)
    with pytest.raises(ValueError):
        cal.add_office_minutes(naive, 10)
    with pytest.raises(ValueError):
        cal.office_minutes_between(naive, local(2026, 11, 20, 11, 0))
    with pytest.raises(ValueError):
        cal.deadlines_for(naive, ack_hours=8, handle_days=3, urgent=True)


# -- deadlines for a dispatch ---------------------------------------------------------


def test_deadlines_for_normal_case(cal: WorkCalendar) -> None:
    t = local(2026, 11, 20, 10, 0)
    ack, handle = cal.deadlines_for(t, ack_hours=8, handle_days=3, urgent=False)
    assert shown(ack) == local(2026, 11, 23, 10, 30)
    assert shown(handle) == local(2026, 11, 25, 17, 30)


def test_deadlines_for_urgent_case_counts_natural_hours(cal: WorkCalendar) -> None:
    t = local(2026, 10, 1, 22, 0)  # a holiday night
    ack, handle = cal.deadlines_for(t, ack_hours=8, handle_days=3, urgent=True)
    assert ack == datetime(2026, 10, 1, 16, 0, tzinfo=UTC)
    assert handle == datetime(2026, 10, 2, 14, 0, tzinfo=UTC)
    ack, handle = cal.deadlines_for(
        t, ack_hours=8, handle_days=3, urgent=True, urgent_ack_hours=1, urgent_hours=12
    )
    assert shown(ack) == local(2026, 10, 1, 23, 0)
    assert shown(handle) == local(2026, 10, 2, 10, 0)


# -- custom office hours --------------------------------------------------------------


def test_custom_office_hours() -> None:
    hours = OfficeHours.parse([["09:00", "12:00"], ["14:00", "18:00"]])
    assert hours.minutes_per_day == 420
    assert hours.close == time(18, 0)
    cal = WorkCalendar(hours)
    assert shown(cal.handling_deadline(local(2026, 11, 20, 10, 0), 3)) == local(2026, 11, 25, 18, 0)
    assert shown(cal.add_office_minutes(local(2026, 11, 20, 11, 50), 30)) == local(
        2026, 11, 20, 14, 20
    )
    assert shown(cal.add_office_minutes(local(2026, 11, 20, 8, 30), 10)) == local(
        2026, 11, 20, 9, 10
    )
    full = (local(2026, 11, 20, 0, 0), local(2026, 11, 21, 0, 0))
    assert cal.office_minutes_between(*full) == 420
    assert cal.working_days_between(*full) == 1.0


def test_three_periods_and_touching_periods() -> None:
    hours = OfficeHours.parse([["08:00", "10:00"], ["10:00", "11:00"], ["19:00", "20:30"]])
    assert hours.minutes_per_day == 270
    cal = WorkCalendar(hours)
    assert shown(cal.add_office_minutes(local(2026, 11, 20, 10, 30), 60)) == local(
        2026, 11, 20, 19, 30
    )


def test_office_hours_defaults_and_round_trip() -> None:
    default = OfficeHours()
    assert default.minutes_per_day == 450
    assert default.close == time(17, 30)
    assert OfficeHours.parse(None) == default
    assert default.to_setting() == [["08:30", "12:00"], ["13:30", "17:30"]]
    assert OfficeHours.parse(default.to_setting()) == default
    assert OfficeHours.parse([[" 8:30", "12:00"]]).periods == ((time(8, 30), time(12, 0)),)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("08:30-17:30", "list of periods"),
        ({"start": "08:30"}, "list of periods"),
        ([["08:30"]], "list of periods"),
        ([["08:30", "12:00", "13:00"]], "list of periods"),
        (["08:30", "12:00"], "list of periods"),
        ([], "at least one period"),
        ([["8h30", "12:00"]], "8h30 is not a time of day"),
        ([["08:30", "24:00"]], "24:00 is not a time of day"),
        ([["08:30", 1200]], "1200 is not a time of day"),
        ([["08:61", "12:00"]], "08:61 is not a time of day"),
        ([["12:00", "08:30"]], "12:00–08:30 must end after it starts"),
        ([["08:30", "08:30"]], "must end after it starts"),
        ([["08:30", "12:00"], ["11:30", "17:30"]], "08:30–12:00 and 11:30–17:30 overlap"),
        ([["13:30", "17:30"], ["08:30", "12:00"]], "out of order"),
    ],
)
def test_office_hours_parse_errors(value: object, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        OfficeHours.parse(value)  # type: ignore[arg-type]
    assert caught.value.field == "office_hours"
    assert says in str(caught.value)
    assert caught.value.template != str(caught.value) or "{" not in caught.value.template


def test_office_hours_constructor_checks_too() -> None:
    with pytest.raises(ValidationError):
        OfficeHours(((time(12, 0), time(8, 0)),))
    with pytest.raises(ValidationError):
        OfficeHours(((time(8, 0, 30), time(12, 0)),))


# -- loading from the database --------------------------------------------------------


@pytest.fixture
def db() -> Iterator[Database]:
    database = open_url("sqlite://")
    yield database
    database.dispose()


def test_load_calendar_from_database(db: Database) -> None:
    with db.session() as s:
        s.add_all(
            [
                Holiday(date=date(2027, 1, 1), kind="holiday", name="元旦"),
                Holiday(date=date(2027, 1, 2), kind="workday", name="元旦调休"),
                Setting(key="office_hours", value=[["09:00", "12:00"], ["14:00", "18:00"]]),
            ]
        )
    with db.session() as s:
        cal = load_calendar(s)
    assert cal.office_hours.to_setting() == [["09:00", "12:00"], ["14:00", "18:00"]]
    assert cal.year_source(2027) == "county"
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 1, 2))
    # Thu 31 Dec → Sat 2 Jan (make-up day), closing at 18:00.
    assert shown(cal.handling_deadline(local(2026, 12, 31, 10, 0), 1)) == local(2027, 1, 2, 18, 0)
    assert cal.fallback_used == set()


def test_load_calendar_defaults_when_empty(db: Database) -> None:
    with db.session() as s:
        cal = load_calendar(s)
    assert cal.office_hours == OfficeHours()
    assert cal.year_source(2027) == "fallback"


def test_load_calendar_survives_bad_data(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    with db.session() as s:
        s.add_all(
            [
                Holiday(date=date(2028, 5, 1), kind="festival", name="?"),
                Setting(key="office_hours", value=[["17:30", "08:30"]]),
            ]
        )
    with caplog.at_level(logging.WARNING, logger="services.worktime.workdays"), db.session() as s:
        cal = load_calendar(s)
    assert cal.office_hours == OfficeHours()
    assert cal.year_source(2028) == "fallback"
    assert "office hours" in caplog.text and "festival" in caplog.text


def test_load_calendar_accepts_json_text_setting(db: Database) -> None:
    with db.session() as s:
        s.add(Setting(key="office_hours", value='[["08:00", "12:00"], ["14:00", "17:00"]]'))
    with db.session() as s:
        assert load_calendar(s).office_hours.close == time(17, 0)


# -- properties -----------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2026, 8, 1), max_value=datetime(2027, 2, 28), timezones=st.just(UTC)
)
whole_minutes = instants.map(lambda t: t.replace(second=0, microsecond=0))
SHARED = WorkCalendar(holidays={date(2027, 1, 1): "holiday", date(2027, 2, 13): "workday"})


def reference_minutes(cal: WorkCalendar, a: datetime, b: datetime) -> int:
    """Office minutes from ``a`` to ``b`` (whole-minute instants), counted one by one."""
    count = 0
    t = a
    while t < b:
        here = t.astimezone(SHANGHAI)
        if cal.is_workday(here.date()) and any(
            s <= here.time() < e for s, e in cal.office_hours.periods
        ):
            count += 1
        t += timedelta(minutes=1)
    return count


@settings(max_examples=200, deadline=None)
@given(t=instants, minutes=st.integers(min_value=0, max_value=450 * 40))
def test_add_then_measure_gives_the_same_minutes(t: datetime, minutes: int) -> None:
    end = SHARED.add_office_minutes(t, minutes)
    assert end >= t
    assert end.tzinfo is UTC
    assert SHARED.office_minutes_between(t, end) == minutes
    assert SHARED.office_minutes_between(end, t) == -minutes


@settings(max_examples=200, deadline=None)
@given(t=instants, n=st.integers(min_value=1, max_value=40))
def test_deadlines_are_monotonic_in_days(t: datetime, n: int) -> None:
    this, following = SHARED.handling_deadline(t, n), SHARED.handling_deadline(t, n + 1)
    assert t < this < following
    for deadline in (this, following):
        assert shown(deadline).time() == time(17, 30)
        assert SHARED.is_workday(shown(deadline).date())
    # Exactly n working days lie after t's date up to and including the deadline's date.
    first = t.astimezone(SHANGHAI).date() + timedelta(days=1)
    last = shown(this).date() + timedelta(days=1)
    assert SHARED.working_days_in(first, last) == n


@settings(max_examples=100, deadline=None)
@given(a=instants, b=instants, n=st.integers(min_value=1, max_value=10))
def test_deadlines_are_monotonic_in_dispatch_time(a: datetime, b: datetime, n: int) -> None:
    a, b = min(a, b), max(a, b)
    assert SHARED.handling_deadline(a, n) <= SHARED.handling_deadline(b, n)
    assert SHARED.add_office_minutes(a, 60 * n) <= SHARED.add_office_minutes(b, 60 * n)


@settings(max_examples=200, deadline=None)
@given(a=whole_minutes, b=whole_minutes, c=whole_minutes)
def test_minutes_between_add_up(a: datetime, b: datetime, c: datetime) -> None:
    ab = SHARED.office_minutes_between(a, b)
    bc = SHARED.office_minutes_between(b, c)
    assert ab + bc == SHARED.office_minutes_between(a, c)
    assert SHARED.working_days_between(a, c) * 450 == pytest.approx(ab + bc)


@settings(max_examples=60, deadline=None)
@given(a=whole_minutes, length=st.integers(min_value=0, max_value=4 * 24 * 60))
def test_minutes_between_matches_minute_by_minute_count(a: datetime, length: int) -> None:
    b = a + timedelta(minutes=length)
    assert SHARED.office_minutes_between(a, b) == reference_minutes(SHARED, a, b)
