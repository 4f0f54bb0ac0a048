"""Assessment periods: the texts people type, and the exact instants they cover."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.errors import ValidationError
from services.reports.periods import half_month_of, last_complete_half_month, parse_period
from tests.builders import local


def test_half_months_meet_at_midnight_of_the_16th() -> None:
    h1, h2 = parse_period("2026-11-H1"), parse_period("2026-11-h2")
    assert h1.start == local(2026, 11, 1, 0, 0) == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert h1.end == h2.start == local(2026, 11, 16, 0, 0)
    assert h2.end == local(2026, 12, 1, 0, 0)
    assert h1.label_zh() == "2026年11月上半月" and h2.label_zh() == "2026年11月下半月"
    assert h1.range_zh() == "2026年11月1日0时至2026年11月15日24时"
    assert parse_period("2024-02-H2").last_day.day == 29  # leap year
    assert h1.next() == h2 and h2.previous() == h1
    assert h2.next().key == "2026-12-H1" and h1.previous().key == "2026-10-H2"


def test_months_and_custom_ranges() -> None:
    month = parse_period("2026-02")
    assert (month.first_day.day, month.last_day.day, month.key) == (1, 28, "2026-02")
    custom = parse_period("2026-11-3..2026-11-20")
    assert custom.key == "2026-11-03..2026-11-20" and custom.days == 18
    assert custom.end == local(2026, 11, 21, 0, 0)
    assert parse_period(custom.key) == custom


@pytest.mark.parametrize(
    "text", ["", "2026-13-H1", "2026-11-H3", "2026/11", "2026-02-30..2026-03-01", "last"]
)
def test_bad_periods_are_explained(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_period(text)
    assert caught.value.field == "period" and "2026-11-H1" in caught.value.template


def test_a_range_that_ends_before_it_starts() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_period("2026-11-20..2026-11-03")
    assert caught.value.params == {"first": "2026-11-20", "last": "2026-11-03"}


def test_the_half_month_of_an_instant() -> None:
    assert half_month_of(local(2026, 11, 16, 0, 0)).key == "2026-11-H2"
    assert half_month_of(local(2026, 11, 15, 23, 59)).key == "2026-11-H1"
    assert last_complete_half_month(local(2026, 11, 23, 9, 0)).key == "2026-11-H1"
    assert last_complete_half_month(local(2026, 12, 3, 9, 0)).key == "2026-11-H2"
