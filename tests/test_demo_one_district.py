"""A demo that is one district (issue 14): the desktop's and the county's ``seed-demo``
draw the same district, ids and case numbers included, at whatever hour of a day they
run, so a demo desk syncs with a demo county without two cases under one number.

The clock the demo reads (services/demo/anchor.py: ``clock``) is set to two times of
the same day; the seedings go through the real commands (``main.py seed-demo``,
``python -m county_server seed-demo``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from county_server import cli as county_cli
from county_server.db import open_server_db
from desktop.cli import main as desktop_main
from models.db import DB_FILENAME
from services.demo import anchor
from services.demo.generator import seed_demo
from services.errors import ValidationError
from tests.sync_harness import Desktop, ServerThread

BEIJING = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 20)  # a Friday
MORNING, NIGHT = time(9, 5), time(23, 37)  # the runs were at 23:21 and 23:37
CASES = 200

TABLES = {
    "cases": "id, number, state, org_unit_id, title, deadline, closed_at, updated_at",
    "case_events": "id, case_id, type, at, actor_id, data",
    "visits": "id, at, case_id, org_unit_id, purpose",
}
DUPLICATE_NUMBERS = (
    "SELECT number, COUNT(DISTINCT id) FROM cases GROUP BY number HAVING COUNT(DISTINCT id) > 1"
)


def set_clock(monkeypatch: pytest.MonkeyPatch, day: date, at: time) -> datetime:
    """The demo's clock reads ``at`` (Beijing) of ``day``; returns that instant (UTC)."""
    instant = datetime.combine(day, at, tzinfo=BEIJING).astimezone(UTC)
    monkeypatch.setattr(anchor, "clock", lambda: instant)
    return instant


def seed_desk(folder: Path, *extra: str) -> Path:
    assert (
        desktop_main(
            ["seed-demo", "--lang", "en", "--data-dir", str(folder), "--cases", str(CASES), *extra]
        )
        == 0
    )
    return folder / DB_FILENAME


def seed_county(path: Path, *extra: str) -> Path:
    url = f"sqlite:///{path}"
    assert county_cli.main(["seed-demo", "--db", url, "--cases", str(CASES), *extra]) == 0
    return path


def rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with closing(sqlite3.connect(path)) as conn:
        return {
            table: conn.execute(f"SELECT {columns} FROM {table} ORDER BY id").fetchall()  # noqa: S608
            for table, columns in TABLES.items()
        }


def duplicate_numbers(path: Path) -> list[tuple[str, int]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(DUPLICATE_NUMBERS).fetchall()


def latest_event(path: Path) -> datetime:
    with closing(sqlite3.connect(path)) as conn:
        (latest,) = conn.execute("SELECT MAX(at) FROM case_events").fetchone()
    return datetime.fromisoformat(latest).replace(tzinfo=UTC)


# ------------------------------------------------------------------- the same district
def test_desk_and_county_seeded_at_two_hours_of_a_day_are_one_district(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded: dict[str, Path] = {}
    for at in (MORNING, NIGHT):
        set_clock(monkeypatch, DAY, at)
        seeded[f"desk {at}"] = seed_desk(tmp_path / f"desk-{at:%H%M}")
        seeded[f"county {at}"] = seed_county(tmp_path / f"county-{at:%H%M}.sqlite3")
    out = capsys.readouterr().out
    assert out.count(f"00:00 of {DAY} (Beijing)") == 4

    districts = {name: rows(path) for name, path in seeded.items()}
    reference = districts[f"desk {MORNING}"]
    assert len(reference["cases"]) == CASES
    assert len(reference["case_events"]) > CASES
    assert reference["visits"]
    for name, district in districts.items():
        assert district == reference, f"{name} is another district than the morning's desk"
    end = anchor.history_end(DAY)
    assert end == datetime(2026, 11, 19, 16, 0, tzinfo=UTC)  # 00:00 in Beijing
    for name, path in seeded.items():
        assert latest_event(path) <= end, name
        assert duplicate_numbers(path) == [], name


def test_the_history_ends_at_the_start_of_the_day_and_never_after_the_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten minutes after midnight the history ends at midnight; tomorrow is refused."""
    from models.db import open_database

    instant = set_clock(monkeypatch, DAY, time(0, 10))
    assert anchor.demo_day() == DAY
    assert anchor.history_end(DAY) == instant - timedelta(minutes=10)
    db = open_database(tmp_path / "desk")
    try:
        with pytest.raises(ValidationError) as refused:
            seed_demo(db, cases=10, today=DAY + timedelta(days=1))
        assert refused.value.field == "today"
        summary = seed_demo(db, cases=40)
    finally:
        db.dispose()
    assert summary.today == DAY
    assert latest_event(tmp_path / "desk" / DB_FILENAME) <= instant - timedelta(minutes=10)


def test_an_earlier_today_on_both_commands_gives_that_days_district(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A desk seeded on an earlier day syncs with a county given that day as --today."""
    set_clock(monkeypatch, DAY - timedelta(days=3), MORNING)
    desk = rows(seed_desk(tmp_path / "desk"))
    set_clock(monkeypatch, DAY, NIGHT)
    county = rows(seed_county(tmp_path / "county.sqlite3", "--today", f"{DAY - timedelta(days=3)}"))
    assert desk == county
    late = f"sqlite:///{tmp_path / 'late.sqlite3'}"
    tomorrow = f"{DAY + timedelta(days=1)}"
    assert county_cli.main(["seed-demo", "--db", late, "--today", tomorrow]) == 2


def test_every_demo_has_the_same_default_size() -> None:
    from desktop.app import DEMO_GUI_CASES

    county = county_cli._parser().parse_args(["seed-demo"])
    assert DEMO_GUI_CASES == county.cases == anchor.DEFAULT_CASES
    assert county.today is None


# ------------------------------------------------------------------- and the sync
@pytest.fixture
def county(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, ServerThread]]:
    """A county seeded in the morning of today (Beijing), serving."""
    today = datetime.now(UTC).astimezone(BEIJING).date()
    set_clock(monkeypatch, today, MORNING)
    path = seed_county(tmp_path / "county.sqlite3")
    db = open_server_db(f"sqlite:///{path}")
    with ServerThread(db) as running:
        yield path, running
    db.dispose()


def test_a_demo_desk_seeded_at_night_syncs_with_the_morning_county_without_duplicates(
    county: tuple[Path, ServerThread], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    county_path, server = county
    today = datetime.now(UTC).astimezone(BEIJING).date()
    set_clock(monkeypatch, today, NIGHT)
    desk_path = seed_desk(tmp_path / "desk")
    before = rows(desk_path)
    assert before == rows(county_path)

    desk = Desktop.create(tmp_path / "desk", server.url)
    try:
        desk.login("coordinator")  # as in the README's trial
        result = desk.sync()
    finally:
        desk.close()
    assert (result.pushed, result.rejected, result.quarantined) == (0, [], 0)
    assert result.pulled > 0
    assert result.new_events == result.new_visits == 0  # the desk held them all

    after, held = rows(desk_path), rows(county_path)
    assert after["cases"]  # its street's (the desk keeps its coordinator's scope)
    for table in TABLES:
        assert set(after[table]) <= set(held[table]), f"{table}: rows the county does not hold"
    assert duplicate_numbers(desk_path) == []
    assert duplicate_numbers(county_path) == []
