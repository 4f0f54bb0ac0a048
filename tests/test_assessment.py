"""The assessment figures on the hand-built district of tests/assessment_scenario.py,
whose comments give each case's contribution. Period: 2026-11-H1. On both engines
(tests/engines.py): SQLite and PostgreSQL run the one definition (docs/figures.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from models.db import Database
from services.errors import PermissionDenied, ValidationError
from services.reports.assessment import assess
from services.reports.periods import half_month, parse_period
from services.reports.ranking import rank, score
from services.reports.results import Assessment, Figures
from services.settings import DEFAULT_WEIGHTS
from tests.assessment_scenario import CAL, GW1, build_district
from tests.builders import GRID, actor, local
from tests.engines import ENGINES, engine_database


@pytest.fixture(scope="module", params=ENGINES)
def district(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """The hand-built district on a desk's SQLite and on the county's PostgreSQL."""
    with engine_database(request.param, tmp_path_factory.mktemp("assessment")) as db:
        yield build_district(db)


def run(db: Database, period: str = "2026-11-H1", scope: str | None = None) -> Assessment:
    with db.sessions() as session:
        return assess(session, actor(session, "official"), parse_period(period), CAL, scope)


def row(rows: list[Figures], key: str) -> Figures:
    return next(r for r in rows if r.key == key)


def test_totals_of_the_first_half(district: Database) -> None:
    t = run(district).totals
    assert t.created == 12  # A B C D E E2 F G H J M N (I at E and K, L before S are not)
    assert t.dispatched == 10  # A B C D E E2 G×2 H N (M's is at E)
    assert t.ack_on_time == 6  # A C D E2 G(2nd) N
    assert t.due == 9  # A B C D E2 F G K N
    assert t.closed == 5  # A B C F N
    assert t.on_time == 4  # A C F N
    assert t.overdue == 5  # B D E2 G K
    assert t.rework == 1  # B
    assert t.returned == 1  # G by 供电
    assert t.evaluations == 3 and t.satisfied == 2  # A satisfied, B dissatisfied, L at S
    # creation → closing: A 1170, B 1920, C 2370, F 10, N 570 office minutes
    assert t.mean_days == pytest.approx((1170 + 1920 + 2370 + 10 + 570) / 5 / 450)
    assert t.closure_rate == pytest.approx(5 / 9)
    assert t.on_time_rate == pytest.approx(4 / 9)


def test_departments_and_their_ranking(district: Database) -> None:
    a = run(district)
    huanwei = row(a.departments, "dept_huanwei")
    assert (huanwei.dispatched, huanwei.ack_on_time) == (4, 2)  # A B G H; A and G in time
    assert (huanwei.due, huanwei.closed, huanwei.on_time, huanwei.overdue) == (4, 2, 1, 3)
    assert huanwei.rework == 1 and huanwei.returned == 0
    assert huanwei.mean_days == pytest.approx((900 + 1800) / 2 / 450)  # A 2.0, B 4.0
    assert huanwei.satisfaction_rate == pytest.approx(0.5)
    assert huanwei.score == pytest.approx(
        100 * (0.4 * 0.25 + 0.2 * 0.5 + 0.2 * 0.5 + 0.2 * 0.5) - 0.5
    )
    chengguan = row(a.departments, "dept_chengguan")
    assert (chengguan.dispatched, chengguan.ack_on_time) == (4, 3)  # C D E E2; E never
    assert (chengguan.due, chengguan.closed, chengguan.on_time) == (3, 1, 1)  # C D E2
    assert chengguan.mean_days == pytest.approx(5.0)  # C: Nov 2 10:00 → Nov 9 10:00
    assert chengguan.satisfaction_rate is None
    assert chengguan.score == pytest.approx(100 * (0.4 / 3 + 0.2 / 3 + 0.2 + 0.2 * 0.75))
    gongdian = row(a.departments, "dept_gongdian")
    assert (gongdian.dispatched, gongdian.ack_on_time, gongdian.returned) == (1, 0, 1)
    assert gongdian.due == 0 and gongdian.on_time_rate is None and gongdian.mean_days is None
    assert gongdian.score == pytest.approx(80.0)  # empty rates count as 1
    ranked = [r for r in a.departments if r.rank is not None]
    assert [r.key for r in ranked] == ["dept_gongdian", "dept_chengguan", "dept_huanwei"]
    assert [r.rank for r in ranked] == [1, 2, 3]
    assert [r.last_place for r in ranked] == [False, False, True]
    idle = row(a.departments, "dept_sifa")
    assert idle.rank is None and idle.score is None and not idle.last_place


def test_grid_worker_and_org_units(district: Database) -> None:
    a = run(district)
    gw = row(a.grid_workers, GW1)
    assert (gw.dispatched, gw.ack_on_time, gw.due, gw.closed, gw.on_time) == (1, 1, 1, 1, 1)
    assert gw.mean_days == pytest.approx(1.0)
    street = row(a.streets, "990101001")
    community = row(a.communities, "990101001001")
    for unit in (street, community):
        assert (unit.created, unit.due, unit.closed, unit.on_time, unit.overdue) == (12, 9, 5, 4, 5)
        assert unit.mean_days == pytest.approx(a.totals.mean_days)
    other = row(a.streets, "990101002")
    assert other.created == other.due == 0 and other.rank is None


def test_overdue_cases_as_at_the_end(district: Database) -> None:
    a = run(district)
    assert len(a.overdue) == 5
    by_state = sorted(c.state for c in a.overdue)
    assert by_state == ["acknowledged", "acknowledged", "acknowledged", "closed", "handled"]
    d_case = next(c for c in a.overdue if c.deadline == local(2026, 11, 12, 17, 30))
    assert d_case.overdue_days == pytest.approx(1.0)  # Fri Nov 13; the weekend does not count
    assert d_case.supervised and d_case.assignee == "区城市管理综合行政执法局"
    b_case = next(c for c in a.overdue if c.closed)
    assert b_case.overdue_days == pytest.approx(90 / 450)  # Nov 5 17:30 → Nov 6 10:00
    assert a.overdue[0].overdue_days >= a.overdue[-1].overdue_days
    k_case = next(c for c in a.overdue if c.state == "handled")
    assert k_case.deadline == local(2026, 11, 4, 17, 30)


def test_categories_and_days(district: Database) -> None:
    a = run(district)
    (top,) = a.category_totals()
    assert (top.parent_code, top.created, top.closed, top.overdue) == ("06", 12, 5, 5)
    days = {d.day: (created, closed) for d, created, closed in a.per_day}
    assert len(a.per_day) == 15
    assert days[1] == (1, 0)  # J at 00:00 of the first day
    assert days[2] == (7, 0)
    assert days[3] == (1, 1)  # F registered and closed on the spot
    assert days[15] == (1, 0)  # M at 23:00
    assert a.fallback_years == []


def test_the_second_half_sees_what_happened_at_and_after_its_start(district: Database) -> None:
    t = run(district, "2026-11-H2").totals
    assert t.created == 1  # I, registered exactly at 16th 00:00
    assert t.dispatched == 1  # M, dispatched exactly at 16th 00:00
    # K closed at 00:00 on time; D closed late on the 17th; E2, G and M (never signed
    # for, due Nov 19 17:30) still open and overdue at the end of November.
    assert (t.due, t.closed, t.on_time) == (5, 2, 1)


def test_a_month_and_a_custom_range(district: Database) -> None:
    month = run(district, "2026-11").totals
    assert month.created == 13
    assert month.dispatched == 11
    custom = run(district, "2026-11-02..2026-11-02").totals
    assert custom.created == 7
    assert custom.dispatched == 8  # A B C E E2 G×2 H
    assert custom.returned == 1


def test_scope_and_permissions(district: Database) -> None:
    other = run(district, scope="990101002").totals
    assert other.created == other.due == other.dispatched == 0
    with district.sessions() as session:
        period = half_month(2026, 11, 1)
        with pytest.raises(PermissionDenied):
            assess(session, actor(session, "reception"), period, CAL)
        coordinator = actor(session, "coordinator")  # 长河街道
        with pytest.raises(PermissionDenied):
            assess(session, coordinator, period, CAL, "990101002")
        assert assess(session, coordinator, period, CAL).scope_id == "990101001"
        with pytest.raises(ValidationError):
            assess(session, coordinator, period, CAL, GRID)


def test_weights_come_from_the_settings(district: Database) -> None:
    from services import settings

    with district.session() as session:
        settings.put(
            session,
            "score_weights",
            {"on_time": 1.0, "closure": 0, "satisfaction": 0, "ack": 0, "rework_penalty": 2},
        )
    try:
        a = run(district)
        huanwei = row(a.departments, "dept_huanwei")
        assert huanwei.score == pytest.approx(100 * 0.25 - 2)
    finally:
        with district.session() as session:
            settings.put(session, "score_weights", dict(DEFAULT_WEIGHTS))


def test_ties_are_broken_by_on_time_rate_then_closed() -> None:
    def fig(key: str, due: int, on_time: int, closed: int, rework: int = 0) -> Figures:
        return Figures(
            key, key, "department", due=due, on_time=on_time, closed=closed, rework=rework
        )

    w = dict(DEFAULT_WEIGHTS)
    # same score 100·(0.4·r1 + 0.2·r2 + 0.4): a (0.5, 1.0) = b (0.75, 0.5) = 80 …
    a = fig("a", 4, 2, 4)
    b = fig("b", 4, 3, 2)
    c = fig("c", 8, 6, 4)  # … c ties b on both rates but closed more
    d = fig("d", 4, 3, 2)  # ties b on everything: shares its rank
    ranked = rank([a, b, c, d, Figures("idle", "idle", "department")], w)
    assert score(a, w) == pytest.approx(score(b, w))
    assert [(r.key, r.rank) for r in ranked] == [
        ("c", 1),
        ("b", 2),
        ("d", 2),
        ("a", 4),
        ("idle", None),
    ]
    assert [r.last_place for r in ranked] == [False, False, False, True, False]
