"""The sync screen and the status-bar indicator, with a stand-in for the loop."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal
from sqlalchemy import select

from desktop.sync_loop import SyncStatus
from models.tables import AuditEntry, OutboxItem
from services.cases.records import create_case
from tests.builders import GRID, actor, load_demo_reference

pytestmark = pytest.mark.gui


class FakeLoop(QObject):
    status_changed = Signal(object)
    round_finished = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.status = SyncStatus(configured=True, online=False, pending=3, server_url="http://x")
        self.synced = 0

    def refresh(self) -> None:
        self.status_changed.emit(self.status)

    def sync_now(self) -> None:
        self.synced += 1

    async def login(self, username: str, password: str) -> None:
        return None


@pytest.fixture
def ctx(db: Any) -> Any:
    from desktop.app_settings import Preferences
    from desktop.context import AppContext
    from models.tables import User

    load_demo_reference(db)
    with db.session() as session:
        who = actor(session, "coordinator")
        case = create_case(
            session, who, title="路灯", description="", category_code="0101", org_unit_id=GRID
        )
        item = session.scalar(select(OutboxItem).where(OutboxItem.item_id != case.id))
        assert item is not None
        item.status = "rejected"
        item.reject_code = "illegal_transition"
        item.reject_message = "This case is voided, so dispatch is not possible."
        user = session.get(User, who.id)
        session.expunge(user)
    return AppContext(
        db=db, data_dir=db.path.parent if db.path else None, user=user, prefs=Preferences()
    )  # type: ignore[arg-type]


def test_sync_view_shows_state_and_rejected_items(qtbot: Any, ctx: Any, monkeypatch: Any) -> None:
    from views.sync.status import SyncIndicator
    from views.sync.view import SyncView

    loop = FakeLoop()
    view = SyncView(ctx, loop)
    qtbot.addWidget(view)
    indicator = SyncIndicator(loop)
    qtbot.addWidget(indicator)
    assert view.online.text() == "offline"
    assert "3" in view.pending.text()
    assert "3" in indicator.text()
    assert view.table.rowCount() == 1
    assert "first" in view.table.item(0, 2).text()  # "Somebody else changed this case first"
    view.table.selectRow(0)
    assert view.discard_button.isEnabled() and view.retry_button.isEnabled()
    loop.status = replace(
        loop.status, online=True, last_success=datetime(2026, 11, 20, 2, tzinfo=UTC)
    )
    loop.refresh()
    assert view.online.text() == "online"
    assert view.last_success.text() == "2026-11-20 10:00"
    view.sync_button.click()
    assert loop.synced == 1
    # A bad address is refused next to the field; nothing is saved.
    view.server_url.setText("county-server")
    assert not view.save_connection()
    assert view.server_error.isVisibleTo(view)
    # Discarding (after the confirmations) is audited and empties the list.
    seq = view.items[0].seq
    view.discard_item(seq, "案件已作废")
    assert view.table.rowCount() == 0
    with ctx.db.sessions() as session:
        audit = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "sync.discard_rejected")
        )
        assert audit is not None and audit.detail["reason"] == "案件已作废"


def test_sync_view_lists_items_waiting_for_a_login(qtbot: Any, ctx: Any, tmp_path: Any) -> None:
    from services.sync import Waiting
    from views.sync.view import SyncView

    loop = FakeLoop()
    loop.status = replace(
        loop.status,
        online=True,
        waiting=(
            Waiting("u-coord", "coordinator", "李协调<b>员</b>", 3),
            Waiting("u-rec", "reception", "王接待", 1),
        ),
        quarantined=2,
    )
    view = SyncView(ctx, loop)
    qtbot.addWidget(view)
    view.resize(1280, 760)
    view.show()
    shot = os.environ.get("GRIDDESK_SYNC_SHOT") or str(tmp_path / "sync-waiting.png")
    assert view.grab().save(shot)
    assert view.waiting_box.isVisibleTo(view)
    rows = [row.findChildren(type(view.quarantine))[0].text() for row in view.waiting_rows]
    assert rows == [
        "3 items wait until 李协调<b>员</b> logs in to the county.",
        "1 items wait until 王接待 logs in to the county.",
    ]
    assert view.quarantine.isVisibleTo(view) and "2" in view.quarantine.text()
    loop.status = replace(loop.status, waiting=(), quarantined=0)
    loop.refresh()
    assert not view.waiting_box.isVisibleTo(view)
    assert not view.quarantine.isVisibleTo(view)


def test_sync_screen_shows_the_last_round_per_type(qtbot: Any, tmp_path: Any) -> None:
    """A real first round against a county server: the screen shows what came down, per type."""
    import asyncio

    from desktop.app_settings import Preferences
    from desktop.context import AppContext
    from desktop.sync_loop import SyncLoop
    from models.tables import User
    from tests.sync_harness import Desktop, ServerThread, demo_server_db, fresh_server_url
    from tests.test_sync import _county_in_street, desk_counts
    from views.sync.view import SyncView

    with fresh_server_url("sqlite", tmp_path) as url:
        server_db = demo_server_db(url)
        with ServerThread(server_db) as server:
            _county_in_street(server, tmp_path)
            desk = Desktop.create(tmp_path / "fresh", server.url)
            desk.login("coordinator")
            with desk.db.sessions() as session:
                user = session.scalar(select(User).where(User.username == "coordinator"))
                session.expunge(user)
            ctx = AppContext(db=desk.db, data_dir=desk.folder, user=user, prefs=Preferences())  # type: ignore[arg-type]
            loop = SyncLoop(ctx)
            view = SyncView(ctx, loop)
            qtbot.addWidget(view)
            box = view.report_box
            # Before any round (the login pulled, but no round finished): no figures.
            assert loop.status.last_report is None
            assert box.empty.isVisibleTo(view) and not box.down["case"].isVisibleTo(view)
            finished: list[Any] = []
            loop.round_finished.connect(finished.append)
            asyncio.run(loop._round())
            assert finished, loop.status
        server_db.dispose()
    held = desk_counts(desk.db)
    assert (held["case"], held["case_event"], held["visit"]) == (3, 4, 1)
    view.resize(1400, 900)
    view.show()
    assert not box.empty.isVisibleTo(view)
    assert box.down["case"].text() == "3 new · 0 updated"
    assert box.down["case_event"].text() == "4 new"
    assert box.down["visit"].text() == "1 new · 0 updated"
    assert box.down["user"].text() == f"{held['user']} new · 0 updated"
    assert box.up["case_event"].text() == "0 accepted"
    assert box.up["visit"].text() == "0 accepted"
    reference = box.reference.text()
    for kind, name in [
        ("org_unit", "org units"),
        ("department", "departments"),
        ("category", "categories"),
        ("holiday", "holidays"),
        ("setting", "settings"),
    ]:
        assert f"{held[kind]} {name}" in reference
    assert "Rejected: 0" in box.answers.text() and "Waiting for a login: 0" in box.answers.text()
    assert "from the beginning" in box.when.text()
    desk.close()
