"""What the county refused, on screen (docs/sync-rules.md): the timeline keeps the
refused step struck through with the reason, and the sync screen gives a case
refused for its number a new one and opens the visitor's new receipt."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.app_settings import Preferences
from desktop.context import AppContext
from desktop.sync_loop import SyncStatus
from models.db import Database
from models.tables import AuditEntry, Case, OutboxItem, SyncState, User
from services import sync
from services.cases.records import create_case, dispatch
from services.demo.district import demo_user_id
from services.reception.labels import Outcome
from services.reception.validation import VisitInput, VisitorInput
from services.reception.visits import register_visit
from services.worktime.workdays import load_calendar
from tests.builders import GRID, actor, load_demo_reference
from tests.gui.test_sync_view import FakeLoop

pytestmark = pytest.mark.gui


def _online_loop() -> FakeLoop:
    """The sync screen's stand-in loop (tests/gui/test_sync_view.py), online, nothing waiting."""
    loop = FakeLoop()
    loop.status = SyncStatus(configured=True, online=True, pending=0, server_url="http://x")
    return loop


def _context(db: Database, data_dir: Path, username: str) -> AppContext:
    with db.sessions() as session:
        user = session.get(User, demo_user_id(username))
    assert user is not None
    return AppContext(db=db, data_dir=data_dir, user=user, prefs=Preferences())


def _county_answers(db: Database, answers: dict[str, tuple[str, str]]) -> None:
    """Record the county's answer to everything pending: accepted, unless ``answers``
    names the item (id → (code, message))."""
    with db.session() as session:
        batch = sync.next_batch(session)
        assert batch is not None
        ids = [str(item["id"]) for item in batch.visits + batch.events]
        results = [
            {
                "id": item_id,
                "status": "rejected",
                "code": answers[item_id][0],
                "message": answers[item_id][1],
            }
            if item_id in answers
            else {"id": item_id, "status": "accepted"}
            for item_id in ids
        ]
        sync.record_results(session, batch, results)


def test_the_timeline_strikes_through_a_refused_step(
    qtbot: Any, db: Database, tmp_path: Path, zh_translations: Any
) -> None:
    from views.queue.detail import DetailPanel

    load_demo_reference(db)
    with db.session() as session:
        who = actor(session, "coordinator")
        case = create_case(
            session, who, title="路灯不亮", description="", category_code="0111", org_unit_id=GRID
        )
        case_id = case.id
    _county_answers(db, {})
    with db.session() as session:
        who = actor(session, "coordinator")
        dispatch(session, who, load_calendar(session), case_id, "department", "dept_chengguan")
        refused = session.scalar(select(OutboxItem.item_id).where(OutboxItem.status == "pending"))
    _county_answers(db, {str(refused): ("illegal_transition", "案件已作废，不能派遣")})

    panel = DetailPanel(_context(db, tmp_path, "coordinator"))
    qtbot.addWidget(panel)
    panel.show_case(case_id)
    rows = [panel.timeline.topLevelItem(i) for i in range(panel.timeline.topLevelItemCount())]
    assert len(rows) == 2
    kept, struck = rows
    assert not kept.font(3).strikeOut()
    assert struck.data(0, Qt.ItemDataRole.UserRole) == "rejected"
    assert all(struck.font(c).strikeOut() for c in range(4))
    assert struck.text(3).startswith("派遣")
    assert struck.text(2) == ""  # it changed no state
    reason = struck.child(0).text(0)
    assert "区县" in reason and "案件已作废，不能派遣" in reason
    # The case itself ignores it: still registered, nobody assigned.
    assert "已受理" in panel.status.text()


def test_a_refused_number_is_renumbered_from_the_sync_screen(
    qtbot: Any, db: Database, tmp_path: Path, zh_translations: Any, monkeypatch: Any
) -> None:
    from views.reception.receipt import ReceiptDialog
    from views.sync.view import SyncView

    load_demo_reference(db)
    with db.session() as session:
        session.add(SyncState(key="desk_code", value="07"))
        who = actor(session, "reception")
        result = register_visit(
            session,
            who,
            load_calendar(session),
            VisitInput(
                visitor=VisitorInput(name="王建国", phone="13800138000"),
                summary="小区门口路灯不亮，晚上看不见路。",
                outcome=Outcome.CASE,
                category_code="0111",
                org_unit_id=GRID,
                address="幸福路12号",
            ),
        )
        created = session.scalar(
            select(OutboxItem.item_id).where(
                OutboxItem.kind == "case_event", OutboxItem.status == "pending"
            )
        )
    old_number = result.case_number
    assert old_number is not None and old_number.endswith("-07001")
    _county_answers(db, {str(created): ("duplicate_number", f"{old_number} 已被其他案件使用")})
    with db.sessions() as session:
        assert session.get(Case, result.case_id) is None

    opened: list[ReceiptDialog] = []
    monkeypatch.setattr(ReceiptDialog, "show", lambda self: opened.append(self))
    loop = _online_loop()
    view = SyncView(_context(db, tmp_path, "reception"), loop)
    qtbot.addWidget(view)
    assert "首次登录" in view.desk_code.text()  # the stand-in loop knows no code
    with db.sessions() as session:
        loop.status = replace(loop.status, desk_code=sync.overview(session).desk_code)
    loop.refresh()
    assert view.desk_code.text() == "07"
    assert view.table.rowCount() == 1
    assert "已被其他案件使用" in view.table.item(0, 3).text()
    assert view.renumber_button.isVisibleTo(view)
    view.table.selectRow(0)
    assert view.renumber_button.isEnabled() and not view.retry_button.isEnabled()
    done = view.renumber_item(view.items[0].seq)
    assert done is not None and done.old_number == old_number
    assert done.new_number == old_number[:-3] + "002"
    assert done.new_number in view.action_message.text()
    assert view.table.rowCount() == 0 and not view.renumber_button.isVisibleTo(view)
    assert len(opened) == 1 and opened[0].receipt.case_number == done.new_number
    with db.sessions() as session:
        case = session.get(Case, result.case_id)
        assert case is not None and case.number == done.new_number
        assert session.scalar(
            select(AuditEntry.action).where(AuditEntry.action == "sync.renumber_rejected")
        )
