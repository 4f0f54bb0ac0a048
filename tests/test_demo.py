"""The demo district (services/demo/generator.py): a believable, replayable, deterministic history."""

from __future__ import annotations

import random
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from models.db import Database, open_database
from models.enums import EventType, OutboxKind
from models.tables import Case, CaseEvent, OrgUnit, OutboxItem, User, Visit
from services import settings as settings_service
from services.accounts.auth import authenticate
from services.cases.event_checks import validate_event
from services.cases.projection import CaseProjection, project
from services.cases.records import event_from_row
from services.demo.district import COUNTY_CODE, demo_reference
from services.demo.draws import seeded_uuid4
from services.demo.generator import CENTRE_NAME, DemoSummary, seed_demo
from services.errors import ValidationError
from services.reception.identity import validate_id_number, validate_phone, visitor_key

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 20)  # a Friday; the window covers the National Day holiday
END = datetime(2026, 11, 20, tzinfo=SHANGHAI).astimezone(UTC)
N = 300
PROJECTION_FIELDS = tuple(f.name for f in fields(CaseProjection))
NUMBER = re.compile(r"^(\d{9})-(\d{8})-(\d{4})$")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    db = open_database(tmp_path_factory.mktemp("demo"))
    calls: list[tuple[int, int]] = []
    summary = seed_demo(db, cases=N, today=TODAY, progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1] == (N, N)
    yield db, summary
    db.dispose()


def rows(
    db: Database, table: Any, order: Any, exclude: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    with db.session() as session:
        found = session.scalars(select(table).order_by(order)).all()
        names = [c.key for c in table.__table__.columns if c.key not in exclude]
        return [{name: getattr(row, name) for name in names} for row in found]


def test_counts_match_the_summary_and_the_reference(seeded: tuple[Database, DemoSummary]) -> None:
    db, summary = seeded
    reference = demo_reference(2026)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == N == summary.cases
        assert session.scalar(select(func.count()).select_from(CaseEvent)) == summary.events
        assert session.scalar(select(func.count()).select_from(Visit)) == summary.visits
        assert session.scalar(select(func.count()).select_from(OrgUnit)) == summary.org_units
        assert summary.org_units == len(reference["org_units"])
        assert session.scalar(select(func.count()).select_from(User)) == summary.users
        walk_ins = session.scalar(select(func.count()).where(Case.source == "walk_in"))
        assert walk_ins == summary.visits
        # No outbox unless asked for.
        assert session.scalar(select(func.count()).select_from(OutboxItem)) == 0
        assert settings_service.get(session, "centre_name") == CENTRE_NAME
    assert summary.events > 4 * N  # real life cycles, not bare registrations
    assert 0.2 < summary.visits / N < 0.5


def test_every_case_row_is_the_projection_of_its_events(
    seeded: tuple[Database, DemoSummary],
) -> None:
    db, _ = seeded
    with db.session() as session:
        events: dict[str, list[CaseEvent]] = defaultdict(list)
        for row in session.scalars(select(CaseEvent).order_by(CaseEvent.seq)):
            events[row.case_id].append(row)
        cases = session.scalars(select(Case)).all()
        assert len(events) == len(cases)
        for case in cases:
            replay = [event_from_row(row) for row in events[case.id]]
            for event in replay:
                validate_event(event)
            projected = project(replay).as_columns()
            stored = {name: getattr(case, name) for name in PROJECTION_FIELDS}
            assert stored == projected, case.number
            assert case.updated_at == case.last_event_at


def test_events_are_in_time_order_and_never_in_the_future(
    seeded: tuple[Database, DemoSummary],
) -> None:
    db, _ = seeded
    by_case: dict[str, list[datetime]] = defaultdict(list)
    with db.session() as session:
        for row in session.scalars(select(CaseEvent).order_by(CaseEvent.seq)):
            by_case[row.case_id].append(row.at)
    for times in by_case.values():
        assert all(a < b for a, b in zip(times, times[1:], strict=False))
        assert times[-1] <= END <= datetime.now(UTC)
    first = min(t[0] for t in by_case.values())
    assert (END - first).days <= 61


def test_case_numbers_are_unique_and_serial_per_street_and_day(
    seeded: tuple[Database, DemoSummary],
) -> None:
    db, _ = seeded
    serials: dict[tuple[str, str], list[tuple[datetime, int]]] = defaultdict(list)
    with db.session() as session:
        cases = session.scalars(select(Case)).all()
    assert len({c.number for c in cases}) == len(cases)
    for case in cases:
        match = NUMBER.match(case.number)
        assert match, case.number
        street, day, serial = match.groups()
        assert street == case.street_id == case.org_unit_id[:9]
        assert day == case.created_at.astimezone(SHANGHAI).strftime("%Y%m%d")
        serials[(street, day)].append((case.created_at, int(serial)))
    for found in serials.values():
        found.sort()
        assert [s for _, s in found] == list(range(1, len(found) + 1))


def test_cases_lie_in_their_grid_with_plausible_texts(seeded: tuple[Database, DemoSummary]) -> None:
    db, _ = seeded
    with db.session() as session:
        cases = session.scalars(select(Case)).all()
        grids = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.level == "grid"))}
    from shapely.geometry import Point, shape

    shapes = {gid: shape(unit.boundary) for gid, unit in grids.items()}
    for case in cases:
        assert case.grid_id in grids
        assert case.lat is not None and case.lon is not None
        assert shapes[case.grid_id].covers(Point(case.lon, case.lat)), case.number
        assert case.title and case.title in case.description
        assert case.address
    assert len({c.grid_id for c in cases}) > len(grids) // 2
    categories = [c.category_code for c in cases]
    assert all(len(code) in (4, 6) for code in categories)  # 小类 or 细项, never a 大类
    common = {"0601", "1002"}
    assert sum(code in common for code in categories) > N * 0.05


def test_every_state_occurs_and_some_open_cases_are_overdue(
    seeded: tuple[Database, DemoSummary],
) -> None:
    db, _ = seeded
    with db.session() as session:
        states = set(session.scalars(select(Case.state).distinct()))
        overdue = session.scalars(
            select(Case).where(
                Case.state.in_(("dispatched", "acknowledged", "handled")), Case.deadline < END
            )
        ).all()
        types = set(session.scalars(select(CaseEvent.type).distinct()))
        escalated = session.scalars(select(Case).where(Case.escalated_to.is_not(None))).all()
        voided = session.scalars(select(Case).where(Case.state == "voided")).all()
    assert {
        "registered",
        "dispatched",
        "acknowledged",
        "handled",
        "closed",
        "returned",
        "suspended",
        "voided",
        "escalated",
    } <= states
    assert overdue
    assert any(c.supervise_count for c in overdue)
    assert set(EventType) - {EventType.RESUMED} <= types
    assert all(c.escalated_to == COUNTY_CODE for c in escalated)
    assert all(c.voided_at is not None for c in voided)


def test_life_cycles_follow_the_mix(seeded: tuple[Database, DemoSummary]) -> None:
    db, _ = seeded
    with db.session() as session:
        closed = session.scalars(select(Case).where(Case.state == "closed")).all()
        dispatched = session.scalars(
            select(CaseEvent).where(CaseEvent.type == EventType.DISPATCHED)
        ).all()
        on_the_spot = session.scalars(
            select(CaseEvent).where(CaseEvent.outcome == "on_the_spot")
        ).all()
        visits = {v.case_id: v for v in session.scalars(select(Visit))}
        cases = {c.id: c for c in session.scalars(select(Case))}
    assert len(closed) > N * 0.6
    evaluated = [c for c in closed if c.satisfaction]
    assert 0.5 < len(evaluated) / len(closed) < 0.9
    assert {"department", "grid_worker"} <= {e.assignee_type for e in dispatched}
    for event in dispatched:
        assert event.ack_deadline is not None and event.deadline is not None
        assert event.at < event.ack_deadline <= event.deadline
    # Closed on the spot: walk-ins whose visit says so.
    for event in on_the_spot:
        assert cases[event.case_id].source == "walk_in"
        assert visits[event.case_id].resolved_on_the_spot
    resolved = [v for v in visits.values() if v.resolved_on_the_spot]
    assert len(resolved) == len(on_the_spot)


def test_visits_have_valid_contacts_and_keys(seeded: tuple[Database, DemoSummary]) -> None:
    db, _ = seeded
    with db.session() as session:
        visits = session.scalars(select(Visit)).all()
        cases = {c.id: c for c in session.scalars(select(Case))}
        key = settings_service.visitor_hash_key(session)
    with_id = 0
    for visit in visits:
        assert visit.visitor_name
        assert validate_phone(visit.visitor_phone or "") == visit.visitor_phone
        assert len(visit.visitor_phone or "") == 11
        assert visit.phone_key == visitor_key(visit.visitor_phone or "", key)
        if visit.visitor_id_number:
            with_id += 1
            assert validate_id_number(visit.visitor_id_number) == visit.visitor_id_number
            assert visit.id_number_key == visitor_key(visit.visitor_id_number, key)
        else:
            assert visit.id_number_key is None
        case = cases[visit.case_id or ""]
        assert case.visit_id == visit.id
        assert visit.at < case.created_at
        assert visit.purpose in {"complaint", "request", "consultation", "dispute", "other"}
        assert visit.summary
    assert 0 < with_id < len(visits)


def test_the_demo_users_can_log_in(seeded: tuple[Database, DemoSummary]) -> None:
    db, _ = seeded
    with db.session() as session:
        user = authenticate(session, "coordinator", "griddesk-demo")
        assert user.role == "coordinator"
        assert authenticate(session, "gw_1", "griddesk-demo").role == "grid_worker"


def test_the_same_seed_gives_the_same_rows(tmp_path: Path) -> None:
    first = open_database(tmp_path / "a")
    second = open_database(tmp_path / "b")
    third = open_database(tmp_path / "c")
    try:
        for db in (first, second):
            seed_demo(db, cases=120, today=TODAY)
        seed_demo(third, cases=120, seed=7, today=TODAY)
        keys = ("phone_key", "id_number_key")  # keyed with each installation's own secret
        for table, order in ((Case, Case.id), (CaseEvent, CaseEvent.seq), (Visit, Visit.id)):
            exclude = keys if table is Visit else ()
            a = rows(first, table, order, exclude)
            assert a == rows(second, table, order, exclude)
            assert a != rows(third, table, order, exclude)
    finally:
        for db in (first, second, third):
            db.dispose()


def test_outbox_queues_every_visit_and_event(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    try:
        summary = seed_demo(db, cases=60, today=TODAY, outbox=True)
        with db.session() as session:
            items = session.scalars(select(OutboxItem).order_by(OutboxItem.seq)).all()
            events = {e.id: e for e in session.scalars(select(CaseEvent))}
            visits = {v.id: v for v in session.scalars(select(Visit))}
        assert len(items) == summary.events + summary.visits
        assert all(i.status == "pending" for i in items)
        for item in items:
            if item.kind == OutboxKind.CASE_EVENT:
                assert item.payload == event_from_row(events[item.item_id]).to_wire()
            else:
                visit = visits[item.item_id]
                assert item.payload["case_id"] == visit.case_id
                assert item.payload["visitor"]["phone"] == visit.visitor_phone
        first_event = next(i.seq for i in items if i.kind == OutboxKind.CASE_EVENT)
        assert all(i.seq < first_event for i in items if i.kind == OutboxKind.VISIT)
    finally:
        db.dispose()


def test_refuses_a_database_that_has_cases(seeded: tuple[Database, DemoSummary]) -> None:
    db, _ = seeded
    with pytest.raises(ValidationError) as raised:
        seed_demo(db, cases=5, today=TODAY)
    assert "already holds cases" in str(raised.value)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == N


def test_no_cases_loads_only_the_district(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    try:
        summary = seed_demo(db, cases=0, today=TODAY)
        assert (summary.cases, summary.events, summary.visits) == (0, 0, 0)
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(User)) == summary.users
    finally:
        db.dispose()


def test_indexes_are_rebuilt_after_the_load(seeded: tuple[Database, DemoSummary]) -> None:
    db, _ = seeded
    expected = {idx.name for t in (Case, CaseEvent, Visit) for idx in t.__table__.indexes}
    with db.engine.connect() as conn:
        names = set(
            conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='index'").scalars()
        )
    assert expected <= names


def test_seeded_uuid4_matches_the_uuid_module() -> None:
    a, b = random.Random(5), random.Random(5)
    for _ in range(200):
        text = seeded_uuid4(a)
        assert text == str(uuid.UUID(int=b.getrandbits(128), version=4))
        assert uuid.UUID(text).version == 4


def test_a_negative_number_of_cases_is_refused(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    try:
        with pytest.raises(ValidationError):
            seed_demo(db, cases=-1, today=TODAY)
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(User)) == 0
    finally:
        db.dispose()
