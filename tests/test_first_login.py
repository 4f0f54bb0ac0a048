"""A person created on the county logs in on any desk of theirs while it is online
(issue 14): on a fresh desk through the first start's "join the county", on a desk
that already works (the demo district) through the login's county path; the
login brings down what they need and leaves the desk's other data alone; from
then on they log in offline too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from county_server.admin import create_user, load_reference_file, reserve_desk_code
from models.db import Database
from models.enums import OutboxStatus
from models.tables import Case, OrgUnit, OutboxItem, User, Visit
from services import settings as settings_service
from services import sync
from services.accounts.auth import AuthError, login
from services.accounts.setup import UnitInput, first_run_setup, join_county, needs_first_run
from services.cases import records
from services.cases.records import create_case
from services.sync.config import get_state
from services.sync.engine import scope_key
from tests.builders import GRID, actor
from tests.sync_harness import Desktop, ServerThread, demo_server_db, fresh_server_url

NEW_PASSWORD = "Fresh-start-14"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerThread]:
    with fresh_server_url("sqlite", tmp_path) as url:
        db = demo_server_db(url)
        with ServerThread(db) as running:
            yield running
        db.dispose()


def new_county_user(server: ServerThread, username: str, org_unit: str, **extra: str) -> str:
    """``python -m county_server create-user``, after the desk was set up."""
    user = create_user(
        server.db,
        username=username,
        password=NEW_PASSWORD,
        display_name=f"新人{username}",
        role=extra.pop("role", "reception"),
        org_unit_id=org_unit,
        **extra,
    )
    return user.id


def local_case(desk: Desktop, username: str, title: str) -> str:
    """A case recorded on the desk by ``username`` (its outbox row pending)."""
    with desk.db.session() as session:
        case = create_case(
            session,
            actor(session, username),
            title=title,
            description="",
            category_code="0101",
            org_unit_id=GRID,
        )
        return case.id


def counts(db: Database) -> dict[str, int]:
    with db.sessions() as session:
        return {
            "cases": int(session.scalar(select(func.count()).select_from(Case)) or 0),
            "visits": int(session.scalar(select(func.count()).select_from(Visit)) or 0),
            "unsent": int(
                session.scalar(
                    select(func.count())
                    .select_from(OutboxItem)
                    .where(OutboxItem.status == OutboxStatus.PENDING)
                )
                or 0
            ),
        }


def test_a_new_county_user_starts_a_fresh_desk_and_then_logs_in_offline(
    server: ServerThread, tmp_path: Path
) -> None:
    desk = Desktop.create(tmp_path / "fresh", "")  # an empty database, no county address yet
    with desk.db.sessions() as session:
        assert needs_first_run(session)
    user_id = new_county_user(server, "xinren", "990101001001")  # 朝阳社区

    with pytest.raises(sync.LoginRequired):  # a wrong password keeps nothing
        join_county(desk.db, server_url=server.url, username="xinren", password="wrong-pass-1")
    with desk.db.sessions() as session:
        assert needs_first_run(session)
        assert settings_service.get(session, "device.server_url") == ""

    user = join_county(desk.db, server_url=server.url, username="xinren", password=NEW_PASSWORD)
    assert (user.id, user.org_unit_id) == (user_id, "990101001001")
    with desk.db.sessions() as session:
        assert not needs_first_run(session)
        assert settings_service.get(session, "device.server_url") == server.url
        assert settings_service.get(session, "device.home_org_unit_id") == "990101001001"
        # The org unit chain up to the county, and the rest of the reference data.
        for unit in ("990101001001", "990101001", "990101"):
            assert session.get(OrgUnit, unit) is not None
        assert session.scalar(select(func.count()).select_from(User)) > 10
        cursor = get_state(session, sync.STATE_CURSOR)
        assert cursor["scope"] == scope_key(session.get(User, user_id))  # not "": no second pull
        assert get_state(session, "desk_code")  # the county's code for this desk
    assert login(desk.db, "xinren", NEW_PASSWORD).id == user_id  # offline from now on

    # The next round goes on from the login's pull instead of reading the feed again.
    again = desk.run(lambda e: e.run_round(), user_id=user_id)
    assert again.pulled == 0 and not again.restarted_feed
    desk.close()


def test_a_new_county_user_logs_in_on_a_working_desk_which_keeps_its_data(
    server: ServerThread, demo_dir: Path
) -> None:
    desk = Desktop.create(demo_dir, server.url)  # the demo district, its county address set
    desk.login("coordinator")
    local_case(desk, "coordinator", "路灯不亮")
    assert desk.sync(user_id=desk.user_id("coordinator")).accepted > 0
    local_case(desk, "reception", "井盖缺失")  # reception has no county login here: it waits
    with desk.db.sessions() as session:
        before_cursor = get_state(session, sync.STATE_CURSOR)
    before = counts(desk.db)
    assert before["unsent"] > 0

    # (1) someone of a known unit: stored at once.
    same_street = new_county_user(server, "xinren1", "990101001")
    with pytest.raises(AuthError):
        login(desk.db, "xinren1", NEW_PASSWORD)  # not known here yet
    assert sync.login_blocking(desk.db, "xinren1", NEW_PASSWORD).id == same_street

    # (2) someone of another street, in a community the county made after this desk
    # last synced: its unit comes down with the login, nothing else changes here.
    load_reference_file(
        server.db,
        {
            "org_units": [
                {
                    "id": "990101002099",
                    "parent_id": "990101002",
                    "level": "community",
                    "name": "新建社区",
                }
            ]
        },
    )
    other = new_county_user(server, "xinren2", "990101002099", role="coordinator")
    stored = sync.login_blocking(desk.db, "xinren2", NEW_PASSWORD)
    assert (stored.id, stored.org_unit_id) == (other, "990101002099")
    with desk.db.sessions() as session:
        assert session.get(OrgUnit, "990101002099") is not None
        after_cursor = get_state(session, sync.STATE_CURSOR)
    assert after_cursor["scope"] == before_cursor["scope"]  # the desk still follows its scope
    assert after_cursor["cursor"] == before_cursor["cursor"]
    assert counts(desk.db) == before  # no case, visit or unsent record went

    for username, user_id in (("xinren1", same_street), ("xinren2", other)):
        assert login(desk.db, username, NEW_PASSWORD).id == user_id  # offline now
    # The next round's report counts what the two logins brought down: the two new
    # people and the new community.
    report = desk.sync(user_id=desk.user_id("coordinator")).report
    assert report.count_new("user") >= 2 and report.count_new("org_unit") >= 1
    desk.close()


def test_a_scope_change_never_drops_unsent_records(server: ServerThread, demo_dir: Path) -> None:
    """A desk that changes scope prunes what the county confirmed and no longer sends,
    never what is still in its outbox (services/sync/prune.py)."""
    desk = Desktop.create(demo_dir, server.url)
    desk.login("coordinator")
    confirmed = [local_case(desk, "coordinator", f"路灯不亮{n}") for n in range(3)]
    assert desk.sync(user_id=desk.user_id("coordinator")).accepted > 0
    waiting = local_case(desk, "reception", "井盖缺失")  # no county login of reception here
    unsent = counts(desk.db)["unsent"]
    assert unsent > 0

    user_id = new_county_user(server, "gwnew", "990101002001", role="grid_worker")
    desk.login("gwnew", NEW_PASSWORD)  # a grid worker of another street: the narrowest scope
    narrow = desk.sync(user_id=user_id)
    assert narrow.pruned_cases == len(confirmed)  # confirmed cases outside the scope went …
    with desk.db.sessions() as session:
        assert session.get(Case, waiting) is not None
        pending = list(
            session.scalars(select(OutboxItem).where(OutboxItem.status == OutboxStatus.PENDING))
        )
        for item in pending:  # … but nothing still to be sent, nor what it belongs to
            if item.kind == "visit":
                assert session.get(Visit, item.item_id) is not None
            case_id = (item.payload or {}).get("case_id")
            if case_id:
                assert session.get(Case, case_id) is not None
    assert len(pending) == unsent
    desk.close()


def test_a_desk_set_up_without_network_keeps_its_reserved_code_once_online(
    server: ServerThread, tmp_path: Path
) -> None:
    reserved = reserve_desk_code(server.db, street="990101001", name="会议室")
    for folder, typed, expected in (("reserved", reserved, reserved), ("guessed", "98", None)):
        desk = Desktop.create(tmp_path / folder, server.url)
        with desk.db.session() as session:
            first_run_setup(
                session,
                county=UnitInput("990101", "河西示范区"),
                street=UnitInput("990101001", "长河街道"),
                community=None,
                centre_name="",
                admin_username="zhanzhang",
                admin_display_name="站长",
                admin_password="Local-admin-1",
                admin_password_again="Local-admin-1",
                desk_code=typed,
            )
        with desk.db.sessions() as session:
            assert records.desk_code(session) == typed  # numbers with it offline already
        body = desk.login("coordinator")
        with desk.db.sessions() as session:
            kept = records.desk_code(session)
        assert kept == body["desk_code"]  # the county's answer is what the desk numbers with
        if expected:
            assert kept == expected
        else:
            assert kept != typed  # a code nobody reserved is not taken on the desk's word
        desk.close()
