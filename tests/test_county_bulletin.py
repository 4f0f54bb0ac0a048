"""The county's own bulletin (``python -m county_server export-bulletin``), on SQLite and
on PostgreSQL: the command and its refusals, and the same figures as a desk that holds
all of the county's data after syncing with the county server (tests/sync_harness.py)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from county_server.admin import seed_demo
from county_server.bulletin import COUNTY_EXPORT_ACTOR, export_county_bulletin
from county_server.cli import main
from models.db import Database
from models.tables import Case, CaseEvent, User
from models.types import utcnow
from services.cases import records
from services.cases.permissions import Actor
from services.demo.district import demo_user_id
from services.reports.assessment import assess
from services.reports.bulletin import export_bulletin
from services.reports.periods import Period, half_month_of, last_complete_half_month
from services.worktime.workdays import load_calendar
from tests.engines import ENGINES, engine_database
from tests.sync_harness import Desktop, ServerThread

DEMO_CASES = 160
COUNTY = "990101"
XILING = "990101002"  # 西岭街道
CHANGHE_GRID = "990101001001001"


@pytest.fixture(scope="module", params=ENGINES)
def county(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Database]]:
    """A county server database holding the demo district (every street's cases)."""
    with engine_database(request.param, tmp_path_factory.mktemp("county"), server=True) as db:
        seed_demo(db, cases=DEMO_CASES, seed=2026, today=None)
        yield str(db.engine.url.render_as_string(hide_password=False)), db


def _close(a: float, b: float) -> bool:
    # Durations: SQLite's julianday and PostgreSQL's exact interval arithmetic differ in
    # the last bits of a double (docs/figures.md); every count, rate and rank is equal.
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def assert_same(left: Any, right: Any, where: str = "") -> None:
    """Two assessments (or workbook rows) hold the same figures: equal, floats to 1e-9."""
    if dataclasses.is_dataclass(left) and not isinstance(left, type):
        assert type(left) is type(right), where
        for f in dataclasses.fields(left):
            assert_same(getattr(left, f.name), getattr(right, f.name), f"{where}.{f.name}")
    elif isinstance(left, (list, tuple)):
        assert isinstance(right, (list, tuple)) and len(left) == len(right), where
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(left, dict):
        assert isinstance(right, dict) and left.keys() == right.keys(), where
        for key in left:
            assert_same(left[key], right[key], f"{where}[{key!r}]")
    elif isinstance(left, float) and isinstance(right, float):
        assert _close(left, right), f"{where}: {left} != {right}"
    else:
        assert left == right, f"{where}: {left!r} != {right!r}"


def workbook_values(path: Path) -> dict[str, list[list[Any]]]:
    wb = load_workbook(path)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb}


# ---------------------------------------------------------------- the command
def test_the_command_writes_the_county_bulletin(
    county: tuple[str, Database], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, db = county
    out = tmp_path / "县通报.xlsx"
    assert main(["export-bulletin", "--db", url, "--period", "last", "--out", str(out)]) == 0
    period = last_complete_half_month(utcnow())
    said = capsys.readouterr().out
    assert f"河西示范区网格化服务管理工作通报（{period.first_day:%Y年%m月}" in said
    summary = workbook_values(out)["汇总"]
    assert str(summary[0][0]).startswith("河西示范区网格化服务管理工作通报")
    with db.sessions() as session:
        expected = assess(
            session,
            COUNTY_EXPORT_ACTOR,
            period,
            load_calendar(session),
            COUNTY,
        )
        cases = session.scalar(select(func.count()).select_from(Case))
    assert cases == DEMO_CASES
    t = expected.totals
    assert t.created > 0 and t.due > 0  # the demo's last half-month is not empty
    assert f"{t.created:,} registered, {t.due:,} due, {t.closed:,} closed" in said
    values = {row[0]: row[1] for row in summary if row and row[0] in ("受理数", "应结案数")}
    assert values == {"受理数": t.created, "应结案数": t.due}


def test_a_street_of_the_county(county: tuple[str, Database], tmp_path: Path) -> None:
    url, db = county
    period = last_complete_half_month(utcnow())
    whole = export_county_bulletin(db, period, tmp_path / "county.xlsx")
    street = export_county_bulletin(db, period, tmp_path / "street.xlsx", XILING)
    assert street.scope_id == XILING and street.scope_name == "西岭街道"
    assert whole.scope_id == COUNTY
    assert 0 < street.totals.created < whole.totals.created
    by_street = {r.key: r for r in whole.streets}
    assert street.totals.due == by_street[XILING].due
    assert street.totals.closed == by_street[XILING].closed


def test_the_command_refuses_what_it_cannot_export(
    county: tuple[str, Database], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _db = county
    out = tmp_path / "x.xlsx"
    future = half_month_of(utcnow() + timedelta(days=40))
    cases = [
        (["--period", future.key, "--out", str(out)], "has not begun"),
        (["--period", "2026-13", "--out", str(out)], "is not a period"),
        (["--period", "last", "--scope", CHANGHE_GRID, "--out", str(out)], "is a grid"),
        (["--period", "last", "--scope", "990199", "--out", str(out)], "does not exist"),
        (["--period", "last", "--out", str(tmp_path / "x.csv")], "--out must name an .xlsx"),
    ]
    for args, message in cases:
        assert main(["export-bulletin", "--db", url, *args]) == 2, args
        assert message in capsys.readouterr().err, args
        assert not out.exists()
    assert main(["export-bulletin", "--db", url, "--period", "last", "--scope", "help"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].split("\t") == [COUNTY, "county", "河西示范区"]
    assert [XILING, "street", "西岭街道"] in [line.split("\t") for line in listed]
    assert not any(line.startswith(CHANGHE_GRID) for line in listed)


def test_an_unfinished_period_is_counted_until_now(
    county: tuple[str, Database], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _db = county
    current = half_month_of(utcnow())
    out = tmp_path / "now.xlsx"
    assert main(["export-bulletin", "--db", url, "--period", current.key, "--out", str(out)]) == 0
    assert f"{current.key} has not ended" in capsys.readouterr().out
    assert out.exists()


# ---------------------------------------------------------------- a desk holding all data
def _street_work(desk: Desktop) -> None:
    """A street desk records a case dispatched today and one closed on the spot: pushed."""
    now = utcnow()
    with desk.db.session() as session:
        coordinator = Actor.from_user(session.get(User, demo_user_id("coordinator")))
        category = "06"
        case = records.create_case(
            session,
            coordinator,
            title="路灯不亮",
            description="",
            category_code=category,
            org_unit_id=CHANGHE_GRID,
            at=now - timedelta(hours=3),
        )
        records.dispatch(
            session,
            coordinator,
            load_calendar(session),
            case.id,
            "department",
            "dept_gongdian",
            at=now - timedelta(hours=2),
        )
        spot = records.create_case(
            session,
            coordinator,
            title="共享单车乱停",
            description="",
            category_code=category,
            org_unit_id=CHANGHE_GRID,
            at=now - timedelta(hours=1),
        )
        records.record(
            session,
            coordinator,
            spot.id,
            "closed",
            {"resolution": "on_the_spot"},
            at=now - timedelta(minutes=50),
        )


@pytest.mark.slow
@pytest.mark.parametrize("kind", ENGINES)
def test_a_desk_holding_all_data_gives_the_county_figures(kind: str, tmp_path: Path) -> None:
    with engine_database(kind, tmp_path / "county", server=True) as server_db:
        seed_demo(server_db, cases=DEMO_CASES, seed=2026, today=None)
        with ServerThread(server_db) as server:
            street = Desktop.create(tmp_path / "street", server.url)
            centre = Desktop.create(tmp_path / "centre", server.url)
            try:
                street.login("coordinator")
                street.sync()
                _street_work(street)
                street.sync()
                centre.login("official")  # the county's official: the feed of the whole county
                centre.sync()
                centre.sync()
                with centre.db.sessions() as session, server_db.sessions() as c:
                    # the street's two cases reached the county, and the centre holds all
                    assert c.scalar(select(func.count()).select_from(Case)) == DEMO_CASES + 2
                    for table in (Case, CaseEvent):
                        held = session.scalar(select(func.count()).select_from(table))
                        assert held == c.scalar(select(func.count()).select_from(table))
                now = utcnow()
                last = last_complete_half_month(now)
                periods: list[Period] = [last.previous(), last, half_month_of(now)]
                for period in periods:
                    for scope in (COUNTY, XILING, "990101001"):
                        name = f"{period.key}-{scope}"
                        county_file = tmp_path / f"county-{name}.xlsx"
                        desk_file = tmp_path / f"desk-{name}.xlsx"
                        at_county = export_county_bulletin(
                            server_db, period, county_file, scope, now=now
                        )
                        with centre.db.sessions() as session:
                            official = Actor.from_user(session.get(User, demo_user_id("official")))
                            at_desk = export_bulletin(
                                session,
                                official,
                                period,
                                load_calendar(session),
                                desk_file,
                                scope,
                                now=now,
                            )
                        assert at_desk.totals.due + at_desk.totals.created > 0, name
                        assert_same(at_county, at_desk, name)
                        assert_same(workbook_values(county_file), workbook_values(desk_file), name)
            finally:
                street.close()
                centre.close()
