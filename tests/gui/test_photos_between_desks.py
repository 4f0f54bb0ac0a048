"""Issue 15's closed loop through the screens: a grid worker's photo of the problem
and a department's two photos of the result, recorded on one desk, reach the
coordinator on another desk after a sync, and the verify (核查) dialog shows
them before and after, side by side, from the files that came down."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint

from desktop.app_settings import Preferences
from desktop.context import AppContext
from models.tables import Case, User
from services import sync
from services.cases import actions
from services.demo.district import demo_user_id
from tests.sync_harness import Desktop, ServerThread, demo_server_db, fresh_server_url
from tests.test_blob_sync import DEPT, download, photo, store_of
from tests.test_sync import _actor, new_case
from tests.test_two_desks import _dispatch_to
from views.queue.actions.verify import VerifyDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerThread]:
    with fresh_server_url("sqlite", tmp_path) as url:
        db = demo_server_db(url)
        with ServerThread(db) as running:
            yield running
        db.dispose()


def _context(desk: Desktop, username: str) -> AppContext:
    with desk.db.sessions() as session:
        user = session.get(User, demo_user_id(username))
    assert user is not None
    return AppContext(db=desk.db, data_dir=desk.folder, user=user, prefs=Preferences())


def test_the_coordinator_verifies_against_photos_from_another_desk(
    qtbot: Any, server: ServerThread, tmp_path: Path, zh_translations: Any
) -> None:
    pictures = tmp_path / "pictures"
    scene = photo(pictures, "现场.png", 1)
    done = [photo(pictures, "整改后一.png", 2), photo(pictures, "整改后二.png", 3)]
    a = Desktop.create(tmp_path / "a", server.url)
    for name in (DEPT, "coordinator"):
        a.login(name)
    case_id = new_case(a)
    coordinator, department = _actor(a.db, "coordinator"), _actor(a.db, DEPT)
    with a.db.session() as session:
        actions.comment(
            session, coordinator, case_id, "网格员现场照片", files=[scene], folder=store_of(a)
        )
    _dispatch_to(a, case_id, DEPT)
    with a.db.session() as session:
        actions.acknowledge(session, department, case_id)
        actions.feedback(session, department, case_id, "杂物已清理", files=done, folder=store_of(a))
    assert a.sync().rejected == []

    b = Desktop.create(tmp_path / "b", server.url)
    b.login("coordinator")
    b.sync()
    assert download(b).downloaded == 3  # what the sync loop does after a round
    with b.db.sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.state == "handled"
        session.expunge(case)

    dialog = VerifyDialog(_context(b, "coordinator"), case)
    qtbot.addWidget(dialog)
    dialog.resize(900, 620)
    dialog.show()
    strips = [dialog.before, dialog.after]
    qtbot.waitUntil(
        lambda: all(s.tile_state(i) == "thumbnail" for s in strips for i in range(len(s.files))),
        timeout=10000,
    )
    assert [f.file_name for f in dialog.before.files] == ["现场.png"]
    assert [f.file_name for f in dialog.after.files] == ["整改后一.png", "整改后二.png"]
    for info, source in zip(dialog.after.files, done, strict=True):
        assert info.path is not None and info.path.is_relative_to(b.folder)
        assert (
            hashlib.sha256(info.path.read_bytes()).digest()
            == hashlib.sha256(source.read_bytes()).digest()
        )
    before = dialog.before.mapTo(dialog, QPoint(0, 0))
    after = dialog.after.mapTo(dialog, QPoint(0, 0))
    assert after.x() >= before.x() + dialog.before.width() and abs(after.y() - before.y()) < 5
    if os.environ.get("GRIDDESK_SHOTS"):
        dialog.grab().save(str(Path(os.environ["GRIDDESK_SHOTS"]) / "verify-between-desks.png"))


def test_the_sync_loop_downloads_photos_off_the_gui_thread(
    qtbot: Any, server: ServerThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Photos come down on a worker thread with its own event loop; the progress the
    sync screen shows arrives on the loop's own thread."""
    import asyncio
    import threading

    from desktop.sync_loop import SyncLoop

    pictures = tmp_path / "pictures"
    done = [photo(pictures, "整改后一.png", 4), photo(pictures, "整改后二.png", 5)]
    a = Desktop.create(tmp_path / "a", server.url)
    for name in (DEPT, "coordinator"):
        a.login(name)
    case_id = new_case(a)
    _dispatch_to(a, case_id, DEPT)
    department = _actor(a.db, DEPT)
    with a.db.session() as session:
        actions.acknowledge(session, department, case_id)
        actions.feedback(session, department, case_id, "杂物已清理", files=done, folder=store_of(a))
    a.sync()
    b = Desktop.create(tmp_path / "b", server.url)
    b.login("coordinator")
    b.sync()

    loop = SyncLoop(_context(b, "coordinator"))
    seen: list[tuple[int, str]] = []
    loop.status_changed.connect(
        lambda status: (
            seen.append((threading.get_ident(), getattr(status.transfer, "direction", "")))
            if status.transfer is not None
            else None
        )
    )
    here = threading.get_ident()
    fetched_on: list[int] = []
    original = sync.SyncEngine.download_blobs

    async def spy(engine: Any, **kwargs: Any) -> Any:
        fetched_on.append(threading.get_ident())
        return await original(engine, **kwargs)

    monkeypatch.setattr(sync.SyncEngine, "download_blobs", spy)
    asyncio.run(loop._download(None))  # type: ignore[arg-type]
    assert fetched_on and here not in fetched_on  # the network reads ran elsewhere
    assert {hashlib.sha256(p.read_bytes()).hexdigest() for p in done} <= {
        p.stem for p in store_of(b).rglob("*") if p.is_file()
    }
    assert seen and {thread for thread, _d in seen} == {here}
