"""The desk under docs/protocol.md against the real county server (issue 12).

Two people's offline work on one desk goes up with each person's own token;
a department desk keeps only its own cases after the scope drop and no
resident ID number; refresh, logout and the county's revocation reach the desk.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from county_server import admin
from models.tables import AuditEntry, Case, CaseEvent, OutboxItem, SyncState, User, Visit
from services import sync
from services.accounts.auth import AuthError, hash_password, login
from services.cases.records import dispatch, record
from services.errors import ValidationError
from services.reception.labels import Outcome
from services.reception.validation import VisitInput, VisitorInput
from services.reception.visits import register_visit
from services.worktime.workdays import load_calendar
from tests.builders import GRID, actor
from tests.security.conftest import BACKENDS
from tests.sync_harness import PASSWORD, Desktop, ServerThread, demo_server_db, fresh_server_url

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = "11010519491231002X"


@pytest.fixture(params=BACKENDS)
def county(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerThread]:
    """A fresh county per test: case numbers of different desks never meet."""
    with fresh_server_url(request.param, tmp_path) as url:
        db = demo_server_db(url)
        with ServerThread(db) as running:
            yield running
        db.dispose()


def desk_at(county: ServerThread, folder: Path, *logins: str) -> Desktop:
    desk = Desktop.create(folder, county.url)
    for username in logins:
        desk.login(username)
    return desk


def register(desk: Desktop, username: str, phone: str = "13812345678") -> Any:
    data = VisitInput(
        visitor=VisitorInput(name="张三", phone=phone, id_number=ID_NUMBER, address="幸福里3号"),
        purpose="complaint",
        summary="小区门口污水井盖缺失，夜间有人险些踩空。",
        outcome=Outcome.CASE,
        category_code="010201",
        org_unit_id=GRID,
        address="幸福路12号门口",
        dispatch_now=False,
    )
    with desk.db.session() as session:
        return register_visit(session, actor(session, username), load_calendar(session), data)


def server_event(county: ServerThread, event_id: str) -> CaseEvent | None:
    with county.db.sessions() as session:
        row = session.scalar(select(CaseEvent).where(CaseEvent.id == event_id))
        if row is not None:
            session.expunge(row)
        return row


def outbox(desk: Desktop) -> list[OutboxItem]:
    with desk.db.sessions() as session:
        rows = list(session.scalars(select(OutboxItem).order_by(OutboxItem.seq)))
        for row in rows:
            session.expunge(row)
        return rows


def offline_account(desk: Desktop, username: str) -> None:
    """``username`` logged in here once (a cached hash) but holds no county token now."""
    with desk.db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        user.password_hash = hash_password(PASSWORD)


# ---------------------------------------------------------------- authorship
def test_two_people_on_one_desk_push_with_their_own_tokens(
    county: ServerThread, tmp_path: Path
) -> None:
    desk = desk_at(county, tmp_path / "d", "reception")
    desk.sync()
    offline_account(desk, "coordinator")
    # Offline: reception registers a visit with a case; the coordinator dispatches it
    # and opens a case of their own, on which reception then comments.
    visit = register(desk, "reception")
    coordinator = login(desk.db, "coordinator", PASSWORD)  # offline login
    who = actor_of(desk, "coordinator")
    with desk.db.session() as session:
        dispatch(
            session, who, load_calendar(session), visit.case_id, "department", "dept_chengguan"
        )
    own = new_case(desk, "coordinator")
    with desk.db.session() as session:
        record(session, actor_of(desk, "reception"), own, "commented", {"text": "已电话联系"})
    items = outbox(desk)
    assert sorted(i.kind for i in items[:2]) == ["case_event", "visit"]  # reception's
    assert [i.kind for i in items[2:]] == ["case_event"] * 3
    events = [i for i in items if i.kind == "case_event"]

    first = desk.sync()
    assert (first.accepted, first.rejected) == (2, [])  # reception's visit and registration
    assert first.waiting == {coordinator.id: 3}  # the comment waits behind the coordinator
    with desk.db.sessions() as session:
        waiting = sync.waiting_for_login(session)
    assert [(w.username, w.count) for w in waiting] == [("coordinator", 3)]
    assert [i.status for i in outbox(desk)] == ["sent", "sent", "pending", "pending", "pending"]
    registered = server_event(county, events[0].item_id)
    assert registered is not None and registered.pushed_by == actor_of(desk, "reception").id
    assert server_event(county, events[1].item_id) is None

    desk.login("coordinator")
    second = desk.sync()
    assert (second.accepted, second.rejected, second.waiting) == (3, [], {})
    assert [i.status for i in outbox(desk)] == ["sent"] * 5
    authors = {
        item.item_id: (server_event(county, item.item_id) or CaseEvent()).pushed_by
        for item in events
    }
    assert list(authors.values()) == [
        actor_of(desk, "reception").id,
        coordinator.id,
        coordinator.id,
        actor_of(desk, "reception").id,
    ]
    # The feed brought who pushed what back into the desk's rows.
    with desk.db.sessions() as session:
        rows = {
            e.id: e for e in session.scalars(select(CaseEvent).where(CaseEvent.id.in_(authors)))
        }
    assert {i: rows[i].pushed_by for i in authors} == authors
    assert all(r.push_protocol == "1.1" and r.received_at for r in rows.values())


def actor_of(desk: Desktop, username: str) -> Any:
    with desk.db.sessions() as session:
        return actor(session, username)


def new_case(desk: Desktop, username: str) -> str:
    from services.cases.records import create_case

    with desk.db.session() as session:
        case = create_case(
            session,
            actor(session, username),
            title="路灯不亮",
            description="",
            category_code="010201",
            org_unit_id=GRID,
        )
        return case.id


def test_sync_command_lists_whose_login_is_needed(county: ServerThread, tmp_path: Path) -> None:
    desk = desk_at(county, tmp_path / "d", "reception")
    desk.sync()
    offline_account(desk, "coordinator")
    new_case(desk, "coordinator")
    register(desk, "reception")
    desk.close()
    env = dict(os.environ, GRIDDESK_PASSWORD=PASSWORD, GRIDDESK_TOKEN_STORE="file")
    done = subprocess.run(
        [sys.executable, "main.py", "sync", "--lang", "en", "--data-dir", str(desk.folder)]
        + ["--user", "reception"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # The reception's visit and case went up with the reception's token (the report's
    # "went up" table: accepted, already there, rejected); the coordinator's case waits.
    went_up = done.stdout.split("went up:", 1)[1]
    assert re.search(r"^\s*visits\s+1\s+0\s+0\s*$", went_up, re.M), done.stdout
    assert re.search(r"^\s*case events\s+1\s+0\s+0\s*$", went_up, re.M), done.stdout
    assert "1 items wait for" in done.stdout and "(coordinator)" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr


# ---------------------------------------------------------------- scope drop
def test_department_desk_keeps_only_its_cases_after_the_scope_drop(
    county: ServerThread, tmp_path: Path
) -> None:
    street = desk_at(county, tmp_path / "street", "reception", "coordinator")
    visits = [register(street, "reception", phone=f"1381234567{n}") for n in range(3)]
    with street.db.session() as session:
        dispatch(
            session,
            actor(session, "coordinator"),
            load_calendar(session),
            visits[0].case_id,
            "department",
            "dept_chengguan",
        )
    street.sync()
    assert {i.status for i in outbox(street)} == {"sent"}

    # A desk that pulled under 1.0 with a wide scope holds every case and ID number.
    dept = desk_at(county, tmp_path / "dept", "coordinator")
    dept.sync()
    with dept.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 3
        kept_case = visits[2].case_id
        record(session, actor(session, "coordinator"), kept_case, "commented", {"text": "待定"})
        held = session.scalar(select(OutboxItem).where(OutboxItem.status == "pending"))
        assert held is not None
        held.status, held.reject_code = "rejected", "illegal_transition"
        state = session.get(SyncState, "cursor")
        assert state is not None
        state.value = {"server": state.value["server"], "cursor": state.value["cursor"]}  # 1.0

    dept.login("dept_chengguan")
    result = dept.run(lambda e: e.run_round(), user_id=dept.user_id("dept_chengguan"))
    assert (result.pruned_cases, result.pruned_visits) == (1, 2)
    with dept.db.sessions() as session:
        cases = set(session.scalars(select(Case.id)))
        assert cases == {visits[0].case_id, kept_case}  # its own, and one with a rejected item
        stored = list(session.scalars(select(Visit)))
        assert [v.id for v in stored] == [visits[0].visit_id]
        (visit,) = stored
        assert visit.visitor_id_number is None and visit.id_number_key is None
        assert visit.visitor_phone and "*" in visit.visitor_phone and visit.phone_key is None
        assert (
            session.scalar(
                select(func.count())
                .select_from(CaseEvent)
                .where(CaseEvent.case_id == visits[1].case_id)
            )
            == 0
        )
        audit = list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == "sync.scope_pruned"))
        )
        assert [a.detail for a in audit] == [{"cases": 1, "visits": 2}]
        assert session.get(SyncState, "cursor").value["protocol"] == "1.1"  # type: ignore[union-attr]
    # The next round prunes nothing more.
    again = dept.run(lambda e: e.run_round(), user_id=dept.user_id("dept_chengguan"))
    assert (again.pruned_cases, again.pruned_visits) == (0, 0)

    # Reveal: the department asks the county for the full phone, audited there.
    with dept.db.sessions() as session:
        conn = sync.connection(session)
    dept_id = dept.user_id("dept_chengguan")
    value = sync.reveal(dept.db, conn, dept_id, visits[0].visit_id, "phone", "回访维修时间")
    assert value == "13812345670"
    with pytest.raises(sync.RevealRefused) as refused:
        sync.reveal(dept.db, conn, dept_id, visits[1].visit_id, "phone", "回访")
    assert refused.value.code == "not_found"
    with pytest.raises(sync.RevealRefused):
        sync.reveal(dept.db, conn, dept_id, visits[0].visit_id, "id_number", "核对身份")
    with dept.db.sessions() as session:
        visit = session.get(Visit, visits[0].visit_id)
        assert visit is not None and visit.visitor_phone != "13812345670"  # never stored
    with county.db.sessions() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "reveal")
            )
            == 1
        )


def test_reveal_needs_the_county(tmp_path: Path) -> None:
    desk = Desktop.create(tmp_path / "d", "http://127.0.0.1:9")
    with desk.db.sessions() as session:
        conn = sync.connection(session)
    with pytest.raises(sync.LoginRequired):
        sync.reveal(desk.db, conn, "nobody", "v", "phone", "回访")
    with pytest.raises(ValidationError) as missing:
        sync.reveal(desk.db, conn, "nobody", "v", "phone", "   ")
    assert missing.value.field == "reason"


# ---------------------------------------------------------------- tokens
def _expire_short_token(desk: Desktop, username: str) -> sync.TokenRecord:
    from services.sync.tokens import store_for

    record = desk.token_record(username)
    assert record is not None
    record.expires_at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    store_for(desk.folder).save(record)
    return record


def test_refresh_rotates_the_pair(county: ServerThread, tmp_path: Path) -> None:
    desk = desk_at(county, tmp_path / "d", "coordinator")
    old = _expire_short_token(desk, "coordinator")
    assert old.refresh_token
    new_case(desk, "coordinator")
    assert desk.sync().accepted == 1
    fresh = desk.token_record("coordinator")
    assert fresh is not None and fresh.refresh_token != old.refresh_token
    assert fresh.token != old.token and fresh.token_usable()
    with httpx.Client(base_url=county.url + "/api/v1") as client:
        reused = client.post(
            "/auth/refresh",
            json={"refresh_token": old.refresh_token, "device_id": desk.device_id()},
        )
    assert reused.status_code == 401


def test_logout_revokes_at_the_county(county: ServerThread, tmp_path: Path) -> None:
    desk = desk_at(county, tmp_path / "d", "coordinator")
    token = desk.token("coordinator")
    assert sync.logout_blocking(desk.db, desk.user_id("coordinator")) is True
    assert desk.token_record("coordinator") is None
    with httpx.Client(base_url=county.url + "/api/v1") as client:
        answer = client.get("/sync/changes", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    with pytest.raises(sync.LoginRequired):
        desk.sync()


@pytest.mark.parametrize("action", ["revoke", "password", "disable"])
def test_county_revocation_stops_the_cached_password(
    county: ServerThread, tmp_path: Path, action: str
) -> None:
    desk = desk_at(county, tmp_path / "d", "coordinator2")
    assert login(desk.db, "coordinator2", PASSWORD).username == "coordinator2"  # offline works
    if action == "revoke":
        admin.revoke_tokens(county.db, username="coordinator2")
    elif action == "password":
        admin.set_password(county.db, username="coordinator2", password="new-secret-2027")
    else:
        admin.disable_user(county.db, username="coordinator2")
    _expire_short_token(desk, "coordinator2")  # the refresh is where the county says no
    with pytest.raises(sync.LoginRequired):
        desk.sync()
    assert desk.token_record("coordinator2") is None
    with pytest.raises(AuthError):
        login(desk.db, "coordinator2", PASSWORD)
    with desk.db.sessions() as session:
        user = session.scalar(select(User).where(User.username == "coordinator2"))
        assert user is not None and user.password_hash is None
        assert user.active == (action != "disable")
    if action == "password":  # the new password works through the county again
        desk.login("coordinator2", "new-secret-2027")
        assert login(desk.db, "coordinator2", "new-secret-2027").username == "coordinator2"


def test_feed_credentials_change_drops_another_users_hash(
    county: ServerThread, tmp_path: Path
) -> None:
    desk = desk_at(county, tmp_path / "d", "coordinator", "reception")
    desk.sync()
    admin.set_password(county.db, username="coordinator", password="new-secret-2027")
    desk.run(lambda e: e.run_round(), user_id=desk.user_id("reception"))
    with pytest.raises(AuthError):
        login(desk.db, "coordinator", PASSWORD)
    assert login(desk.db, "reception", PASSWORD).username == "reception"


def test_requests_at_once_with_an_expired_token_refresh_it_once(
    county: ServerThread, tmp_path: Path
) -> None:
    """Attachments move several at a time: only one of them refreshes the token (a spent
    refresh token would be refused and end the login)."""
    import asyncio

    desk = desk_at(county, tmp_path / "d", "coordinator")
    old = _expire_short_token(desk, "coordinator")
    user_id = desk.user_id("coordinator")

    async def go(engine: Any) -> list[str | None]:
        return list(await asyncio.gather(*(engine.token_for(user_id) for _ in range(4))))

    tokens = desk.run(go)
    fresh = desk.token_record("coordinator")
    assert fresh is not None and fresh.token_usable() and fresh.token != old.token
    assert tokens == [fresh.token] * 4
    assert desk.sync().accepted == 0  # still logged in: nothing was dropped
