"""The sync screen's "steps waiting for a file": a step the county keeps answering
missing_blob is listed with the file it names; re-attaching another file says which
one is wanted, re-attaching the right one puts it back and asks for a round."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from desktop.app_settings import Preferences
from desktop.context import AppContext
from models.tables import OutboxItem, User
from services.attachments.store import local_blob
from services.cases import actions
from services.cases.records import create_case
from services.sync.outbox import MISSING_BLOB_NOTE
from tests.builders import GRID, actor, load_demo_reference
from tests.gui.test_sync_view import FakeLoop
from views.attachments.picker import attachments_folder
from views.sync.view import SyncView

pytestmark = pytest.mark.gui


def picture(path: Path, colour: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), colour).save(path, "PNG")
    return path


@pytest.fixture
def desk(db: Any, tmp_path: Path) -> tuple[AppContext, Path, int]:
    """A comment with a photo whose file left this desk; the county answered missing_blob."""
    load_demo_reference(db)
    data_dir = tmp_path / "desk"
    original = picture(tmp_path / "camera" / "现场照片.png", "red")
    with db.session() as session:
        who = actor(session, "coordinator")
        case = create_case(
            session, who, title="路灯不亮", description="", category_code="0101", org_unit_id=GRID
        )
        actions.comment(
            session,
            who,
            case.id,
            "补拍现场",
            files=[original],
            folder=attachments_folder(data_dir),
        )
        item = session.scalar(
            select(OutboxItem).where(OutboxItem.payload["type"].as_string() == "commented")
        )
        assert item is not None
        item.last_error = MISSING_BLOB_NOTE
        seq = item.seq
        user = session.get(User, who.id)
        session.expunge(user)
    for held in attachments_folder(data_dir).rglob("*.png"):
        held.unlink()
    ctx = AppContext(db=db, data_dir=data_dir, user=user, prefs=Preferences())  # type: ignore[arg-type]
    return ctx, original, seq


def test_a_step_waiting_for_a_file_can_get_it_back(
    qtbot: Any, desk: tuple[AppContext, Path, int], tmp_path: Path, zh_translations: Any
) -> None:
    ctx, original, seq = desk
    loop = FakeLoop()
    view = SyncView(ctx, loop)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    box = view.missing_box
    assert box.isVisible() and box.table.rowCount() == 1
    files = box.table.item(0, 2).text()
    assert "现场照片.png" in files and "不在本机" in files
    assert box.reattach_button.isEnabled()
    if os.environ.get("GRIDDESK_SHOTS"):
        view.grab().save(str(Path(os.environ["GRIDDESK_SHOTS"]) / "sync-missing-files.png"))

    wrong = picture(tmp_path / "usb" / "别的.png", "blue")
    assert not box.reattach(seq, wrong)
    assert "现场照片.png" in box.message.text() and "别的.png" in box.message.text()
    assert loop.synced == 0

    assert box.reattach(seq, original)
    assert "现场照片.png" in box.message.text()
    assert loop.synced == 1  # the next round is asked for at once
    assert "下一轮" in box.table.item(0, 2).text()
    assert not box.reattach_button.isEnabled()  # nothing is missing here any more
    folder = attachments_folder(ctx.data_dir)
    assert any(local_blob(folder, f.sha256) for f in box.items[0].files)


def test_the_box_is_hidden_when_nothing_waits(qtbot: Any, db: Any, tmp_path: Path) -> None:
    load_demo_reference(db)
    with db.session() as session:
        user = session.get(User, actor(session, "coordinator").id)
        session.expunge(user)
    ctx = AppContext(db=db, data_dir=tmp_path, user=user, prefs=Preferences())  # type: ignore[arg-type]
    view = SyncView(ctx, FakeLoop())
    qtbot.addWidget(view)
    view.show()
    assert not view.missing_box.isVisible()
