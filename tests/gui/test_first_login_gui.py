"""A county person's first login, as they meet it (issue 14): the login dialog on a
desk that knows the county, and the first start's "join the county server" on an
empty desk; the first start's desk code without network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from county_server.admin import create_user
from desktop.first_run import FirstRunDialog
from desktop.login import LoginDialog
from models.db import Database
from models.tables import OrgUnit, SyncState, User
from services import settings as settings_service
from services.accounts.auth import login
from services.accounts.setup import needs_first_run
from tests.builders import load_demo_reference, type_text
from tests.gui.test_shell import fill_first_run
from tests.sync_harness import Desktop, ServerThread, demo_server_db, fresh_server_url

pytestmark = pytest.mark.gui

NEW_PASSWORD = "Fresh-start-14"


@pytest.fixture
def county(tmp_path: Path) -> Iterator[ServerThread]:
    with fresh_server_url("sqlite", tmp_path) as url:
        db = demo_server_db(url)
        with ServerThread(db) as running:
            yield running
        db.dispose()


def county_user(county: ServerThread, username: str, org_unit: str) -> str:
    return create_user(
        county.db,
        username=username,
        password=NEW_PASSWORD,
        display_name="新人",
        role="reception",
        org_unit_id=org_unit,
    ).id


def test_a_county_only_user_logs_in_on_a_desk_that_knows_the_county(
    qtbot, county: ServerThread, tmp_path: Path, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    desk = Desktop.create(tmp_path / "desk", county.url)
    load_demo_reference(desk.db, with_passwords=("coordinator",))
    user_id = county_user(county, "xinren", "990101001001")
    dialog = LoginDialog(desk.db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "xinren")
    qtbot.keyClicks(dialog.password, NEW_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=30_000)
    assert dialog.user is not None and dialog.user.id == user_id
    assert login(desk.db, "xinren", NEW_PASSWORD).id == user_id  # offline next time
    desk.close()


def test_a_desk_without_a_county_says_why_a_county_user_cannot_log_in(
    qtbot, db: Database, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    load_demo_reference(db)
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.username, "xinren")
    qtbot.keyClicks(dialog.password, NEW_PASSWORD)
    dialog.try_login()
    assert dialog.user is None
    assert "用户名或密码错误" in dialog.error.text()
    assert "区（县）服务器" in dialog.error.text()  # and where to set the county's address


def join(qtbot, dialog: FirstRunDialog, server: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    assert dialog.join_choice.isChecked()  # the first choice offered
    for key, value in (("server_url", server), ("username", username), ("password", password)):
        dialog.join_fields[key].clear()
        type_text(qtbot, dialog.join_fields[key], value)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)


def test_the_first_start_joins_the_county_with_a_county_account(
    qtbot, county: ServerThread, db: Database, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    user_id = county_user(county, "xinren", "990101001001")
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()

    join(qtbot, dialog, "county.example", "xinren", NEW_PASSWORD)  # no http://
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "http://" in dialog.error.text()
    assert dialog.join_fields["server_url"].property("invalid") is True

    join(qtbot, dialog, county.url, "xinren", "wrong-pass-1")
    qtbot.waitUntil(lambda: dialog.isEnabled() and "县" in dialog.error.text(), timeout=30_000)
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "用户名或密码" in dialog.error.text()
    with db.sessions() as session:
        assert needs_first_run(session)

    join(qtbot, dialog, county.url, "xinren", NEW_PASSWORD)
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=30_000)
    assert dialog.user is not None and dialog.user.id == user_id
    with db.sessions() as session:
        assert settings_service.get(session, "device.server_url") == county.url
        assert session.get(OrgUnit, "990101001001") is not None
        assert session.scalar(select(User.role).where(User.id == user_id)) == "reception"
    assert login(db, "xinren", NEW_PASSWORD).id == user_id


def test_the_first_start_without_network_keeps_a_reserved_desk_code(
    qtbot, db: Database, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    fill_first_run(qtbot, dialog, desk_code="7")
    dialog.submit()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "01" in dialog.error.text() and "99" in dialog.error.text()
    assert dialog.fields["desk_code"].property("invalid") is True
    with db.sessions() as session:
        assert session.scalars(select(User)).all() == []

    dialog.fields["desk_code"].clear()
    type_text(qtbot, dialog.fields["desk_code"], "07")
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    with db.sessions() as session:
        row = session.get(SyncState, "desk_code")
        assert row is not None and row.value == "07"
