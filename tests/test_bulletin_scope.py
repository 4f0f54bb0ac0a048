"""An honest bulletin: a desk reports only the scopes whose cases it holds completely,
never a period that has not begun, and marks one that has not ended
(services/reports/coverage.py); the same checks behind the command and the screen."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.db import Database, open_database
from services import settings as settings_service
from services.errors import NotFound, PermissionDenied, ValidationError
from services.reports import screen
from services.reports.assessment import assess
from services.reports.bulletin import SCHEDULED_EXPORT_ACTOR, SHEETS, export_bulletin
from services.reports.coverage import COUNTY_EXPORT_COMMAND, data_unit, default_scope
from services.reports.periods import parse_period
from services.sync.config import STATE_CURSOR, put_state
from tests.assessment_scenario import CAL, build_district
from tests.builders import actor, local

P = parse_period("2026-11-H1")
AFTER = local(2026, 11, 20, 9, 0)  # a "now" after P
COUNTY, CHANGHE, XILING = "990101", "990101001", "990101002"


def _follow(db: Database, scope: str) -> None:
    """Make the database a desk whose feed is ``scope`` (as after a pull)."""
    with db.session() as session:
        put_state(
            session,
            STATE_CURSOR,
            {
                "server": "https://county.example",
                "cursor": "v1.9",
                "protocol": "1.1",
                "scope": scope,
            },
        )


@pytest.fixture
def street_desk(tmp_path: Path) -> Iterator[Database]:
    """The hand-built district (all in 长河街道) on a desk following 长河街道's feed."""
    db = build_district(open_database(tmp_path / "desk"))
    _follow(db, f"full:{CHANGHE}")
    yield db
    db.dispose()


def test_a_street_desk_refuses_the_county_and_other_streets(street_desk: Database) -> None:
    with street_desk.sessions() as session:
        official = actor(session, "official")  # the county's official, on a street desk
        assert official.org_unit_id == COUNTY
        with pytest.raises(PermissionDenied) as county:
            assess(session, official, P, CAL, COUNTY, now=AFTER)
        assert COUNTY_EXPORT_COMMAND in str(county.value)
        assert "长河街道" in str(county.value) and "河西示范区" in str(county.value)
        with pytest.raises(PermissionDenied) as other:
            assess(session, official, P, CAL, XILING, now=AFTER)
        assert "西岭街道" in str(other.value) and "长河街道" in str(other.value)
        with pytest.raises(NotFound):
            assess(session, official, P, CAL, "990101009", now=AFTER)
        with pytest.raises(NotFound):
            assess(session, official, P, CAL, "'; DROP TABLE cases; --", now=AFTER)
        # Without a scope: the part of the official's county this desk holds.
        a = assess(session, official, P, CAL, now=AFTER)
        assert a.scope_id == CHANGHE and a.title.startswith("长河街道网格化服务管理工作通报")
        assert a.totals.created == 12
        # A community inside the street is held too.
        assert assess(session, official, P, CAL, "990101001001", now=AFTER).totals.created == 12
        # The screen offers only what is held.
        choices = screen.scopes(street_desk.sessions, official)
        assert [c.id for c in choices][:1] == [CHANGHE]
        assert all(c.id.startswith(CHANGHE) for c in choices)


def test_the_export_refuses_too_and_writes_nothing(street_desk: Database, tmp_path: Path) -> None:
    out = tmp_path / "county.xlsx"
    with street_desk.sessions() as session, pytest.raises(PermissionDenied):
        export_bulletin(session, actor(session, "official"), P, CAL, out, COUNTY, now=AFTER)
    assert not out.exists()


def test_a_coordinator_of_another_street_is_refused_by_area_first(street_desk: Database) -> None:
    with street_desk.sessions() as session:
        coordinator = actor(session, "coordinator")
        with pytest.raises(PermissionDenied, match="outside your area"):
            assess(session, coordinator, P, CAL, XILING, now=AFTER)


def test_what_a_database_holds(tmp_path: Path) -> None:
    db = open_database(tmp_path / "d")
    try:
        with db.session() as session:
            assert data_unit(session).unit_id == ""  # nothing known: everything it holds
            assert default_scope(session, SCHEDULED_EXPORT_ACTOR) is None  # no county yet
            settings_service.put(session, "device.home_org_unit_id", XILING)
        with db.session() as session:
            held = data_unit(session)
            assert held.unit_id == XILING and held.covers(XILING + "001")
            assert not held.covers(COUNTY) and not held.covers(CHANGHE)
        _follow(db, f"masked:{COUNTY}")  # an official's desk: the whole county
        with db.session() as session:
            assert data_unit(session).covers(XILING)
        _follow(db, "department:dept_huanwei")  # a department's desk: no unit whole
        with db.session() as session:
            assert data_unit(session).unit_id is None
    finally:
        db.dispose()


def test_a_department_desk_holds_no_scope(street_desk: Database) -> None:
    _follow(street_desk, "department:dept_huanwei")
    with street_desk.sessions() as session:
        with pytest.raises(PermissionDenied) as refused:
            assess(session, actor(session, "official"), P, CAL, now=AFTER)
        assert COUNTY_EXPORT_COMMAND in str(refused.value)


def test_a_period_not_begun_is_refused(street_desk: Database, tmp_path: Path) -> None:
    with street_desk.sessions() as session:
        official = actor(session, "official")
        with pytest.raises(ValidationError, match="has not begun"):
            assess(session, official, P, CAL, now=P.start - timedelta(seconds=1))
        with pytest.raises(ValidationError, match="2026-12-H1"):
            export_bulletin(
                session, official, parse_period("2026-12-H1"), CAL, tmp_path / "x.xlsx", now=AFTER
            )
    assert not (tmp_path / "x.xlsx").exists()


def test_an_unfinished_period_counts_up_to_now_and_says_so(
    street_desk: Database, tmp_path: Path
) -> None:
    # Thursday 12 Nov 08:00: the deadline of case D (12 Nov 17:30) is still ahead.
    now = local(2026, 11, 12, 8, 0)
    out = tmp_path / "running.xlsx"
    with street_desk.sessions() as session:
        official = actor(session, "official")
        done = assess(session, official, P, CAL, now=AFTER)
        running = export_bulletin(session, official, P, CAL, out, now=now)
    assert done.as_of is None
    assert running.as_of == now
    assert running.totals.created < done.totals.created  # only what happened by now
    assert running.totals.due < done.totals.due  # a deadline still ahead is not due yet
    assert all(c.deadline is not None and c.deadline <= now for c in running.overdue)
    wb = load_workbook(out)
    for name in SHEETS:
        block = [wb[name].cell(row, 1).value for row in range(1, 5)]
        assert "本期尚未结束，数据截至 2026-11-12 08:00" in block, name


def _cli(data_dir: Path, *extra: str) -> int:
    from desktop.commands import export_bulletin as command

    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args(list(extra))
    args.data_dir = data_dir
    return command.run(args)


def test_the_command_on_a_street_desk(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(demo_dir)
    _follow(db, f"full:{CHANGHE}")
    db.dispose()
    assert _cli(demo_dir, "--list-units") == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].split() == [CHANGHE, "长河街道", "(default)"]
    assert all(line.split()[0].startswith(CHANGHE) for line in listed)
    assert len(listed) == 5  # the street and its four communities
    assert _cli(demo_dir, "--scope", "help") == 0
    assert capsys.readouterr().out.splitlines() == listed

    out = tmp_path / "street.xlsx"
    assert _cli(demo_dir, "--period", "2026-11-H1", "--out", str(out), "--quiet") == 0
    assert load_workbook(out)["汇总"]["A1"].value.startswith("长河街道网格化服务管理工作通报")
    capsys.readouterr()
    county = tmp_path / "county.xlsx"
    assert _cli(demo_dir, "--period", "2026-11-H1", "--scope", COUNTY, "--out", str(county)) == 2
    assert COUNTY_EXPORT_COMMAND in capsys.readouterr().err
    assert not county.exists()
    assert _cli(demo_dir, "--period", "2099-01-H1", "--out", str(tmp_path / "f.xlsx")) == 2
    assert "has not begun" in capsys.readouterr().err


def test_the_command_without_a_feed_lists_the_county(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(demo_dir, "--list-units") == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].split() == [COUNTY, "河西示范区", "(default)"]
    assert {line.split()[1] for line in listed} >= {"长河街道", "西岭街道"}
