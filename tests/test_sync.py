"""County server and desktop sync end to end (docs/protocol.md), on SQLite and,
when GRIDDESK_TEST_PG_URL is set, on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from county_server.admin import load_reference_file
from county_server.models import Change
from models.tables import AuditEntry, Case, CaseEvent, Category, OutboxItem, User
from models.types import utcnow
from services import sync
from services.cases.permissions import Actor
from services.cases.records import create_case, dispatch, record
from services.demo.district import demo_reference
from services.worktime.workdays import load_calendar
from tests.sync_harness import (
    PASSWORD,
    Desktop,
    FaultProxy,
    ProxyPlan,
    ServerThread,
    demo_server_db,
    fresh_server_url,
    pg_base_url,
)

GRID = "990101001001001"
OTHER_STREET = "990101002"

BACKENDS = [
    "sqlite",
    pytest.param(
        "pg",
        marks=[
            pytest.mark.pg,
            pytest.mark.skipif(not pg_base_url(), reason="GRIDDESK_TEST_PG_URL is not set"),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerThread]:
    with fresh_server_url(request.param, tmp_path) as url:
        db = demo_server_db(url)
        with ServerThread(db) as running:
            yield running
        db.dispose()


def _actor(db: Any, username: str) -> Actor:
    with db.sessions() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return Actor.from_user(user)


def _category(db: Any) -> str:
    with db.sessions() as session:
        return str(session.scalar(select(Category.code).where(Category.parent_code.is_not(None))))


def new_case(desk: Desktop, username: str = "coordinator", unit: str = GRID, **kw: Any) -> str:
    who = _actor(desk.db, username)
    with desk.db.session() as session:
        case = create_case(
            session,
            who,
            title="井盖缺失",
            description="人行道井盖缺失",
            category_code=_category(desk.db),
            org_unit_id=unit,
            **kw,
        )
        return case.id


def do_dispatch(desk: Desktop, case_id: str, username: str = "coordinator", **kw: Any) -> None:
    who = _actor(desk.db, username)
    with desk.db.session() as session:
        dispatch(
            session,
            who,
            load_calendar(session),
            case_id,
            "department",
            "dept_chengguan" if False else _department(session),
            **kw,
        )


def _department(session: Any) -> str:
    from models.tables import Department

    return str(session.scalar(select(Department.id).order_by(Department.id)))


def event_ids(db: Any, case_id: str | None = None, *, with_rejected: bool = False) -> list[str]:
    """The events a desk holds as the case's history (without those the county refused)."""
    with db.sessions() as session:
        query = select(CaseEvent.id)
        if not with_rejected:
            query = query.where(CaseEvent.rejected_code.is_(None))
        if case_id:
            query = query.where(CaseEvent.case_id == case_id)
        return list(session.scalars(query))


def outbox_statuses(db: Any) -> dict[str, int]:
    with db.sessions() as session:
        return dict(
            session.execute(
                select(OutboxItem.status, func.count()).group_by(OutboxItem.status)
            ).all()
        )


def case_state(db: Any, case_id: str) -> str | None:
    with db.sessions() as session:
        case = session.get(Case, case_id)
        return case.state if case else None


def assert_same_case(server_db: Any, desk: Desktop, case_id: str) -> None:
    from services.cases.records import projection_from_row

    with server_db.sessions() as s1, desk.db.sessions() as s2:
        a, b = s1.get(Case, case_id), s2.get(Case, case_id)
        assert a is not None and b is not None
        assert projection_from_row(a) == projection_from_row(b)


# ---------------------------------------------------------------- the basics
def test_round_trip_scope_and_exactly_once(server: ServerThread, tmp_path: Path) -> None:
    desk = Desktop.create(tmp_path / "d1", server.url)
    desk.login("coordinator")
    case_id = new_case(desk)
    do_dispatch(desk, case_id)
    result = desk.sync()
    assert (result.pushed, result.accepted, result.rejected) == (2, 2, [])
    assert outbox_statuses(desk.db) == {"sent": 2}
    assert sorted(event_ids(server.db, case_id)) == sorted(event_ids(desk.db, case_id))
    with desk.db.sessions() as session:
        assert all(e.server_seq for e in session.scalars(select(CaseEvent)))
    assert_same_case(server.db, desk, case_id)
    # Nothing new: a second round moves nothing.
    again = desk.sync()
    assert (again.pushed, again.new_events) == (0, 0)

    # A coordinator of another street does not receive the case; the county official does.
    other = Desktop.create(tmp_path / "d2", server.url)
    other.login("coordinator2")
    other.sync()
    assert event_ids(other.db, case_id) == []
    county = Desktop.create(tmp_path / "d3", server.url)
    county.login("official")
    county.sync()
    assert sorted(event_ids(county.db, case_id)) == sorted(event_ids(server.db, case_id))
    assert_same_case(server.db, county, case_id)


def test_login_stores_local_hash_and_reference(server: ServerThread, tmp_path: Path) -> None:
    from services.accounts.auth import login

    desk = Desktop.create(tmp_path / "d", server.url)
    desk.login("reception")
    user = login(desk.db, "reception", PASSWORD)  # offline from now on
    assert user.username == "reception"
    with desk.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Category)) > 100
        # Users arrive without passwords: only the one who logged in has a hash.
        hashes = session.scalars(select(User.username).where(User.password_hash.is_not(None)))
        assert set(hashes) == {"reception"}


def test_same_batch_twice_and_protocol_errors(server: ServerThread, tmp_path: Path) -> None:
    desk = Desktop.create(tmp_path / "d", server.url)
    desk.login("coordinator")
    new_case(desk)
    with desk.db.sessions() as session:
        batch = sync.next_batch(session)
        assert sync.get_state(session, sync.STATE_TOKEN) in (None, {})  # never in the database
    token = desk.token("coordinator")
    assert batch is not None
    body = {"device_id": desk.device_id(), "visits": batch.visits, "events": batch.events}
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url + "/api/v1") as client:
        first = client.post("/sync/push", json=body, headers=headers).json()["results"]
        second = client.post("/sync/push", json=body, headers=headers).json()["results"]
        assert [r["status"] for r in first] == ["accepted"]
        assert [r["status"] for r in second] == ["duplicate"]
        device = {"device_id": desk.device_id()}
        wrong = client.post("/sync/push", json={"events": [], "device_id": "x"}, headers=headers)
        assert (wrong.status_code, wrong.json()["error"]) == (403, "wrong_device")
        bad = client.post(
            "/sync/push", json={"events": [{"id": "nope"}], **device}, headers=headers
        )
        assert bad.json()["results"][0]["code"] == "invalid"
        unknown = dict(batch.events[0], id="6d3f1c2e-4b1a-4c55-9a1e-000000000001", type="commented")
        unknown["case_id"] = "6d3f1c2e-4b1a-4c55-9a1e-000000000002"
        unknown["data"] = {"text": "?"}
        answer = client.post(
            "/sync/push", json={"events": [unknown], **device}, headers=headers
        ).json()
        assert answer["results"][0]["code"] == "unknown_case"
        for response, code in (
            (client.get("/sync/changes"), "invalid_token"),
            (client.get("/sync/changes", headers={"Authorization": "Bearer x"}), "invalid_token"),
            (client.get("/sync/changes?limit=0", headers=headers), "invalid"),
            (client.get("/sync/changes?after=zz", headers=headers), "invalid"),
            (client.get("/sync/changes?after=v1.999999999", headers=headers), "cursor_expired"),
            (client.post("/sync/push", content=b"{", headers=headers), "invalid"),
            (client.get("/nothing"), "not_found"),
        ):
            assert response.json()["error"] == code
            assert response.json()["message"]
    assert len(event_ids(server.db)) == 1


def test_forbidden_outside_scope(server: ServerThread, tmp_path: Path) -> None:
    desk = Desktop.create(tmp_path / "d", server.url)
    desk.login("coordinator")
    # A case in another street, recorded by a local administrator-less trick: the local
    # service refuses it too, so write the outbox entry of a foreign case by hand.
    case_id = new_case(desk)
    with desk.db.session() as session:
        item = session.scalar(select(OutboxItem))
        assert item is not None
        payload = dict(item.payload)
        payload["data"] = dict(payload["data"], org_unit_id=OTHER_STREET + "001001")
        item.payload = payload
    result = desk.sync()
    assert [r.code for r in result.rejected] == ["forbidden"]
    assert outbox_statuses(desk.db) == {"rejected": 1}
    assert case_state(desk.db, case_id) is None  # the rejected registration left the history


def test_token_expiry_and_throttling(tmp_path: Path) -> None:
    with fresh_server_url("sqlite", tmp_path) as url:
        db = demo_server_db(url)
        with ServerThread(db, token_hours=-1) as server:
            desk = Desktop.create(tmp_path / "d", server.url)
            with pytest.raises(sync.SyncError):
                desk.login("coordinator")  # the token is already expired when stored
            with pytest.raises(sync.LoginRequired) as expired:
                desk.sync()
            # 1.1: the desk knows the token is over and asks for a login before calling.
            assert expired.value.code == "login_required"
            codes = []
            with httpx.Client(base_url=server.url + "/api/v1") as client:
                for _ in range(7):
                    response = client.post(
                        "/auth/token",
                        json={
                            "username": "coordinator",
                            "password": "wrong-1",
                            "device_id": desk.device_id(),
                        },
                    )
                    codes.append((response.status_code, response.json()["error"]))
            assert codes[0] == (401, "invalid_credentials")
            assert (429, "too_many_attempts") in codes
        db.dispose()


def test_load_reference_is_idempotent(tmp_path: Path) -> None:
    with fresh_server_url("sqlite", tmp_path) as url:
        db = demo_server_db(url)
        with db.sessions() as session:
            before = session.scalar(select(func.count()).select_from(Change))
        reference = demo_reference()
        for user in reference["users"]:
            user.pop("password")
        assert load_reference_file(db, reference) == 0
        with db.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Change)) == before
        reference["categories"][0]["name"] = "市容环境（新）"
        assert load_reference_file(db, reference) == 1
        db.dispose()


# ---------------------------------------------------------------- conflicts and scope
def test_two_desktops_change_the_same_case_offline(server: ServerThread, tmp_path: Path) -> None:
    a = Desktop.create(tmp_path / "a", server.url)
    b = Desktop.create(tmp_path / "b", server.url)
    a.login("coordinator")
    b.login("coordinator")
    case_id = new_case(a)
    a.sync()
    b.sync()
    assert case_state(b.db, case_id) == "registered"
    # Offline: A voids the case, B dispatches it.
    who = _actor(a.db, "coordinator")
    with a.db.session() as session:
        record(session, who, case_id, "voided", {"reason": "重复", "duplicate_of": None})
    do_dispatch(b, case_id)
    assert a.sync().accepted == 1
    result = b.sync()
    assert [(r.code, r.kind) for r in result.rejected] == [("illegal_transition", "case_event")]
    # Shown, kept, not retried by itself; the case follows the county.
    assert case_state(b.db, case_id) == "voided"
    with b.db.sessions() as session:
        items = sync.rejected_items(session)
    assert len(items) == 1 and items[0].event_type == "dispatched" and items[0].message
    assert b.sync().pushed == 0
    assert outbox_statuses(b.db)["rejected"] == 1
    # Dispatching again is refused in the voided state; discarding is audited.
    with pytest.raises(Exception), b.db.session() as session:  # noqa: B017
        sync.redispatch_rejected(session, who, load_calendar(session), items[0].seq)
    with b.db.session() as session:
        sync.discard_rejected(session, who, items[0].seq, "case was voided")
    with b.db.sessions() as session:
        audit = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "sync.discard_rejected")
        )
        assert audit is not None and audit.detail["payload"]["type"] == "dispatched"
        # Discarded, and still in the case's history, marked with the county's answer.
        kept = session.scalar(select(CaseEvent).where(CaseEvent.id == items[0].item_id))
        assert kept is not None and kept.rejected_code == "illegal_transition"
    assert sorted(event_ids(a.db, case_id)) == sorted(event_ids(b.db, case_id))
    assert sorted(event_ids(server.db, case_id)) == sorted(event_ids(a.db, case_id))
    assert_same_case(server.db, b, case_id)


def test_redispatch_after_return(server: ServerThread, tmp_path: Path) -> None:
    """A rejected dispatch can be dispatched again when the state allows it."""
    a = Desktop.create(tmp_path / "a", server.url)
    b = Desktop.create(tmp_path / "b", server.url)
    a.login("coordinator")
    b.login("coordinator")
    case_id = new_case(a)
    do_dispatch(a, case_id)
    a.sync()
    b.sync()
    do_dispatch(a, case_id)  # re-dispatch: allowed in dispatched
    who = _actor(b.db, "coordinator")
    with b.db.session() as session:
        record(session, who, case_id, "suspended", {"reason": "等待预算"})
    a.sync()
    assert b.sync().rejected == []  # suspended is allowed after a re-dispatch too
    with b.db.session() as session:
        record(session, who, case_id, "resumed", {})
    do_dispatch(a, case_id)
    b.sync()
    rejected = a.sync().rejected
    # A's dispatch was made when the case was dispatched; at the county it is suspended/resumed
    # already, so it is accepted or rejected, never lost: it is one or the other.
    assert len(rejected) in (0, 1)
    if rejected:
        with a.db.session() as session:
            items = sync.rejected_items(session)
            sync.redispatch_rejected(session, who, load_calendar(session), items[0].seq)
        assert a.sync().accepted == 1
    b.sync()
    assert sorted(event_ids(a.db, case_id)) == sorted(event_ids(server.db, case_id))
    assert sorted(event_ids(b.db, case_id)) == sorted(event_ids(server.db, case_id))


def test_case_entering_a_scope_brings_its_history(server: ServerThread, tmp_path: Path) -> None:
    """1.1: a department receives a case when it is dispatched to it, with all its history."""
    a = Desktop.create(tmp_path / "a", server.url)
    b = Desktop.create(tmp_path / "b", server.url)
    a.login("coordinator")
    b.login("dept_chengguan")
    b.sync()
    case_id = new_case(a)
    who = _actor(a.db, "coordinator")
    with a.db.session() as session:
        record(session, who, case_id, "commented", {"text": "现场核实"})
    a.sync()
    b.sync()
    assert event_ids(b.db, case_id) == []  # not dispatched to it yet
    with a.db.session() as session:
        dispatch(session, who, load_calendar(session), case_id, "department", "dept_chengguan")
    a.sync()
    b.sync()
    assert sorted(event_ids(b.db, case_id)) == sorted(event_ids(server.db, case_id))
    assert len(event_ids(b.db, case_id)) == 3
    assert_same_case(server.db, b, case_id)


def test_desktop_clock_hours_off(server: ServerThread, tmp_path: Path) -> None:
    """The county's order of acceptance decides, not the desktops' clocks."""
    fast = Desktop.create(tmp_path / "fast", server.url)
    slow = Desktop.create(tmp_path / "slow", server.url)
    fast.login("coordinator")
    slow.login("coordinator")
    case_id = new_case(slow)
    slow.sync()
    fast.sync()
    who = _actor(fast.db, "coordinator")
    with fast.db.session() as session:  # six hours ahead
        record(
            session,
            who,
            case_id,
            "voided",
            {"reason": "重复", "duplicate_of": None},
            at=utcnow() + timedelta(hours=6),
        )
    with slow.db.session() as session:  # three hours behind
        record(
            session, who, case_id, "commented", {"text": "已联系"}, at=utcnow() - timedelta(hours=3)
        )
    slow.sync()
    fast.sync()
    slow.sync()
    with server.db.sessions() as session:
        order = [
            e.type
            for e in session.scalars(
                select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
            )
        ]
        received = [
            e.received_at
            for e in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id))
        ]
    assert order == ["created", "commented", "voided"]
    assert all(r is not None and abs(r - utcnow()) < timedelta(minutes=5) for r in received)
    assert case_state(slow.db, case_id) == "voided"
    assert_same_case(server.db, slow, case_id)
    assert_same_case(server.db, fast, case_id)


# ---------------------------------------------------------------- faults
def test_server_500_before_and_after_the_work(server: ServerThread, tmp_path: Path) -> None:
    desk = Desktop.create(tmp_path / "d", server.url)
    desk.login("coordinator")
    case_id = new_case(desk)
    do_dispatch(desk, case_id)
    for fault in ("500_before", "500_after"):
        server.faults.decide = lambda path, f=fault: f if path.endswith("/push") else None
        with pytest.raises(sync.ServerFailed):
            desk.sync()
        assert outbox_statuses(desk.db) == {"pending": 2}
    assert len(event_ids(server.db, case_id)) == 2  # the 500 after the work stored them
    server.faults.decide = lambda path: None
    result = desk.sync()
    assert (result.accepted, result.duplicate) == (0, 2)
    assert outbox_statuses(desk.db) == {"sent": 2}
    assert sorted(event_ids(server.db, case_id)) == sorted(event_ids(desk.db, case_id))


@pytest.mark.parametrize("mode", ["refuse", "delay", "cut_request", "cut_response"])
def test_proxy_faults(server: ServerThread, tmp_path: Path, mode: str) -> None:
    with FaultProxy(server.port) as proxy:
        desk = Desktop.create(tmp_path / "d", proxy.url, timeout=2.0)
        desk.login("coordinator")
        case_ids = [new_case(desk) for _ in range(3)]
        faulty = [True]
        proxy.plan = lambda: (
            ProxyPlan(mode, delay=2.5, after_bytes=300) if faulty[0] else ProxyPlan()
        )
        with pytest.raises(sync.SyncError):
            desk.sync()
        faulty[0] = False
        desk.sync()
        assert outbox_statuses(desk.db) == {"sent": 3}
        for case_id in case_ids:
            assert event_ids(server.db, case_id) == event_ids(desk.db, case_id)
            assert len(event_ids(server.db, case_id)) == 1
        assert proxy.faults.get(mode, 0) >= 1


def test_client_killed_mid_push_and_restarted(server: ServerThread, tmp_path: Path) -> None:
    folder = tmp_path / "d"
    desk = Desktop.create(folder, server.url)
    desk.login("coordinator")
    case_ids = [new_case(desk) for _ in range(5)]
    desk.close()
    server.faults.slow_seconds = 4
    server.faults.decide = lambda path: "slow" if path.endswith("/push") else None
    env = dict(os.environ, GRIDDESK_PASSWORD=PASSWORD)
    command = [
        sys.executable,
        "main.py",
        "sync",
        "--lang",
        "en",  # the report's English labels are read below
        "--data-dir",
        str(folder),
        "--user",
        "coordinator",
    ]
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while server.faults.counts.get("slow", 0) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.faults.counts.get("slow", 0) == 1, "the push never reached the server"
    time.sleep(0.3)  # the server commits, then holds the answer back
    process.kill()
    process.wait(10)
    server.faults.decide = lambda path: None
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    went_up = done.stdout.split("went up:")[1].splitlines()
    assert [line.split() for line in went_up if "case events" in line] == [
        ["case", "events", "0", "5", "0"]  # accepted, already there, rejected
    ]
    desk = Desktop.create(folder, server.url)
    assert outbox_statuses(desk.db) == {"sent": 5}
    for case_id in case_ids:
        assert len(event_ids(server.db, case_id)) == 1
        assert event_ids(desk.db, case_id) == event_ids(server.db, case_id)


def test_sync_command_unreachable_and_output(server: ServerThread, tmp_path: Path) -> None:
    from desktop.cli import main

    folder = tmp_path / "d"
    desk = Desktop.create(folder, server.url)
    desk.login("coordinator")
    new_case(desk)
    desk.close()
    os.environ["GRIDDESK_PASSWORD"] = PASSWORD
    try:
        assert (
            main(
                [
                    "sync",
                    "--data-dir",
                    str(folder),
                    "--server",
                    "http://127.0.0.1:9",
                    "--user",
                    "coordinator",
                ]
            )
            == 3
        )
        assert (
            main(
                ["sync", "--data-dir", str(folder), "--server", server.url, "--user", "coordinator"]
            )
            == 0
        )
        os.environ["GRIDDESK_PASSWORD"] = "wrong-password-1"
        assert main(["sync", "--data-dir", str(folder), "--user", "coordinator"]) == 4
    finally:
        os.environ.pop("GRIDDESK_PASSWORD", None)


# ---------------------------------------------------------------- the round's report
def desk_counts(db: Any) -> dict[str, int]:
    """What a desk holds, per type of the report (services.sync.report)."""
    from models.tables import Department, Holiday, OrgUnit, Setting, Visit

    models = {
        "case": Case,
        "case_event": CaseEvent,
        "visit": Visit,
        "user": User,
        "org_unit": OrgUnit,
        "department": Department,
        "category": Category,
        "holiday": Holiday,
    }
    with db.sessions() as session:
        counts = {
            kind: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for kind, model in models.items()
        }
        counts["setting"] = int(
            session.scalar(
                select(func.count())
                .select_from(Setting)
                .where(Setting.key.not_like("device.%"))  # a desk's own, never pulled
            )
            or 0
        )
    return counts


def register_complaint(desk: Desktop, username: str = "reception") -> str:
    """A visit that opens a case (a visit and a ``created`` event in the outbox)."""
    from services.reception.labels import Outcome
    from services.reception.validation import VisitInput, VisitorInput
    from services.reception.visits import register_visit

    data = VisitInput(
        visitor=VisitorInput(name="张三", phone="13812345678"),
        summary="小区门口井盖缺失",
        outcome=Outcome.CASE,
        category_code=_category(desk.db),
        org_unit_id=GRID,
        dispatch_now=False,
    )
    with desk.db.session() as session:
        who = _actor(desk.db, username)
        return register_visit(session, who, load_calendar(session), data).visit_id


def _county_in_street(server: ServerThread, tmp_path: Path) -> None:
    """The county holds 3 cases (one with a visit, one dispatched) in the coordinator's
    street and one in another street."""
    writer = Desktop.create(tmp_path / "writer", server.url)
    writer.login("reception")
    writer.login("coordinator")
    register_complaint(writer)
    do_dispatch(writer, new_case(writer))
    new_case(writer)
    other = Desktop.create(tmp_path / "other", server.url)
    other.login("coordinator2")
    new_case(other, "coordinator2", unit=OTHER_STREET + "001001")
    assert writer.sync().report.accepted == {"visit": 1, "case_event": 4}
    assert other.sync().report.accepted == {"case_event": 1}
    writer.close()
    other.close()


def test_first_sync_reports_what_came_down_per_type(server: ServerThread, tmp_path: Path) -> None:
    _county_in_street(server, tmp_path)
    desk = Desktop.create(tmp_path / "fresh", server.url)
    assert set(desk_counts(desk.db).values()) == {0}  # an empty desk
    desk.login("coordinator")  # a first login pulls the feed before any round
    result = desk.sync()
    report = result.report
    held = desk_counts(desk.db)
    # The desk holds the street's three cases (not the other street's) with their
    # four events and the visit, the county's 43 users and the reference data.
    assert (held["case"], held["case_event"], held["visit"]) == (3, 4, 1)
    assert held["user"] > 10 and held["org_unit"] > 10 and held["category"] > 100
    assert {kind: report.count_new(kind) for kind in held} == held
    assert {kind: report.count_updated(kind) for kind in held} == dict.fromkeys(held, 0)
    assert report.from_start and report.went_up() == 0 and report.waiting == 0
    # The login's pull is in the round's report, not lost (the round itself stored nothing).
    assert result.new_events == 0
    with desk.db.sessions() as session:
        kept = sync.overview(session).last_report
        assert sync.get_state(session, "login_pull") == {}
    assert kept is not None and kept.to_json() == report.to_json()
    assert kept.finished_at

    # A second round moves nothing, and says so.
    again = desk.sync().report
    assert again.came_down() == 0 and again.went_up() == 0 and not again.from_start
    assert {kind: again.count_new(kind) for kind in held} == dict.fromkeys(held, 0)
    with desk.db.sessions() as session:
        second = sync.overview(session).last_report
    assert second is not None and second.new == {} and second.accepted == {}

    # A new event of a case the desk holds: one case updated, one event new.
    writer = Desktop.create(tmp_path / "writer", server.url)
    with writer.db.sessions() as session:
        case_id = session.scalar(
            select(Case.id).where(Case.state == "registered").order_by(Case.id)
        )
    assert case_id is not None
    do_dispatch(writer, case_id)
    assert writer.sync().report.accepted == {"case_event": 1}
    third = desk.sync().report
    assert (third.count_new("case"), third.count_updated("case")) == (0, 1)
    assert third.count_new("case_event") == 1 and third.came_down() == 2


def test_push_reports_answers_per_kind(server: ServerThread, tmp_path: Path) -> None:
    desk = Desktop.create(tmp_path / "d", server.url)
    desk.login("reception")
    desk.login("coordinator")
    desk.sync()
    visit_id = register_complaint(desk)
    case_id = new_case(desk)
    do_dispatch(desk, case_id)
    report = desk.sync().report
    assert report.accepted == {"visit": 1, "case_event": 3}
    assert report.duplicate == {} and report.rejected == {} and report.waiting == 0
    # Our own items come back with the pull: nothing new came down.
    assert report.came_down() == 0
    # The same items sent again (an answer lost on the way) are already at the county.
    with desk.db.session() as session:
        for item in session.scalars(select(OutboxItem)):
            item.status = "pending"
    again = desk.sync().report
    assert again.accepted == {} and again.duplicate == {"visit": 1, "case_event": 3}
    # A step of someone without a login here waits, counted.
    new_case(desk)
    assert desk.run(lambda e: e.logout(desk.user_id("coordinator"))) is True
    waiting = desk.sync().report
    assert waiting.waiting == 1 and waiting.accepted == {}
    with desk.db.sessions() as session:
        assert session.scalar(select(OutboxItem.status).where(OutboxItem.item_id == visit_id))


def _printed(out: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The rows of the sync command's report, came down and went up: label → figures."""
    sections: list[dict[str, list[str]]] = [{}, {}]
    section = 0
    for line in out.splitlines():
        if line.startswith("went up"):
            section = 1
        words = line.split()
        figures = [w for w in words if w.isdigit() or w == "-"]
        if line.startswith("  ") and figures:
            sections[section][" ".join(w for w in words if w not in figures)] = figures
    return sections[0], sections[1]


def test_sync_command_prints_the_first_round_per_type(
    server: ServerThread, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.cli import main

    _county_in_street(server, tmp_path)
    folder = tmp_path / "new-desk"
    os.environ["GRIDDESK_PASSWORD"] = PASSWORD
    try:
        command = ["sync", "--lang", "en", "--data-dir", str(folder), "--server", server.url]
        command += ["--user", "coordinator"]
        # A folder that does not exist is refused, and not made.
        with pytest.raises(SystemExit) as exited:
            main(command)
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert f"no GridDesk database in {folder}" in err and "--create" in err
        assert not folder.exists()
        # With --create: the folder, the database and the first round.
        assert main([*command, "--create"]) == 0
        out = capsys.readouterr().out
    finally:
        os.environ.pop("GRIDDESK_PASSWORD", None)
    assert "came down (the county's feed read from the beginning):" in out
    desk = Desktop.create(folder, server.url)
    held = desk_counts(desk.db)
    down, up = _printed(out)
    names = {
        "case": "cases",
        "case_event": "case events",
        "visit": "visits",
        "user": "users",
        "org_unit": "org units",
        "department": "departments",
        "category": "categories",
        "holiday": "holidays",
        "setting": "settings",
    }
    assert held["case"] == 3 and held["user"] > 10
    for kind, name in names.items():
        updated = "-" if kind == "case_event" else "0"
        assert down[name] == [str(held[kind]), updated], (name, out)
    assert up == {
        "visits": ["0", "0", "0"],
        "case events": ["0", "0", "0"],
        "waiting for a county login:": ["0"],
    }
    # The next round: zeros, from the cursor, in a folder that exists now.
    assert main(["sync", "--lang", "en", "--data-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "from the beginning" not in out
    down, _up = _printed(out)
    assert down["cases"] == ["0", "0"] and down["case events"] == ["0", "-"]
    assert {figure for figures in down.values() for figure in figures} == {"0", "-"}


# ---------------------------------------------------------------- the feed never skips
def _concurrent_pushes_while_pulling(
    server: ServerThread, tmp_path: Path, writers: int, cases: int
) -> None:
    desks = []
    for n in range(writers):
        desk = Desktop.create(tmp_path / f"w{n}", server.url)
        desk.login("coordinator")
        desks.append(desk)
    reader = Desktop.create(tmp_path / "reader", server.url)
    reader.login("official")
    reader.sync()
    for desk in desks:
        for _ in range(cases):
            case_id = new_case(desk)
            do_dispatch(desk, case_id)
    stop = threading.Event()
    errors: list[BaseException] = []

    def write(desk: Desktop) -> None:
        try:
            desk.sync(push_batch=3)  # many small concurrent transactions
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    async def read_until_stopped() -> None:
        engine = reader.engine(pull_limit=5)
        try:
            while not stop.is_set():
                await engine.pull()
                await asyncio.sleep(0.005)
            await engine.pull()
        finally:
            await engine.close()

    threads = [threading.Thread(target=write, args=(d,)) for d in desks]
    reading = threading.Thread(target=lambda: asyncio.run(read_until_stopped()))
    reading.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    stop.set()
    reading.join(120)
    assert not errors
    expected = set(event_ids(server.db))
    assert len(expected) == writers * cases * 2
    got = event_ids(reader.db)
    assert set(got) == expected and len(got) == len(expected)


def test_feed_never_skips_with_concurrent_pushes(server: ServerThread, tmp_path: Path) -> None:
    _concurrent_pushes_while_pulling(server, tmp_path, writers=3, cases=4)


@pytest.mark.pg
@pytest.mark.skipif(not pg_base_url(), reason="GRIDDESK_TEST_PG_URL is not set")
def test_feed_lock_orders_numbers_by_commit(tmp_path: Path) -> None:
    """A transaction that numbered its change first but commits late holds the others back."""
    from county_server.db import write_session
    from county_server.feed import FeedWriter, Viewer, read_changes

    with fresh_server_url("pg", tmp_path) as url:
        db = demo_server_db(url)
        with db.sessions() as session:
            top = session.scalar(select(func.max(Change.seq))) or 0
        slow_has_lock = threading.Event()
        release = threading.Event()

        def slow() -> None:
            with write_session(db) as session:
                feed = FeedWriter()
                feed.add("setting", "late")
                feed.flush(session)
                slow_has_lock.set()
                release.wait(20)

        def fast() -> None:
            with write_session(db) as session:
                feed = FeedWriter()
                feed.add("setting", "early")
                feed.flush(session)

        t1 = threading.Thread(target=slow)
        t1.start()
        assert slow_has_lock.wait(20)
        t2 = threading.Thread(target=fast)
        t2.start()
        time.sleep(0.5)
        with db.sessions() as session:  # the fast one waits for the lock: nothing visible yet
            everything = Viewer("u", "official", "990101", "990101", exact=False)
            assert read_changes(session, everything, top, 100).next_seq == top
        release.set()
        t1.join(20)
        t2.join(20)
        with db.sessions() as session:
            rows = list(
                session.execute(select(Change.item_id).where(Change.seq > top).order_by(Change.seq))
            )
        assert [r.item_id for r in rows] == ["late", "early"]
        db.dispose()
