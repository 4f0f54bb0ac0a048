"""Files the background download brings replace their placeholders in an open case
detail by themselves: the sync loop says files arrived (``DataEvents.attachments_arrived``,
per file) and every thumbnail strip on screen looks for its missing ones."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from models.db import Database
from services.attachments.store import write_blob
from services.cases import actions
from tests.gui.test_attachments_gui import build_case, photo
from tests.gui.test_photos_between_desks import _context
from tests.gui.test_queue_screen import context
from tests.sync_harness import Desktop, ServerThread, demo_server_db, fresh_server_url
from tests.test_blob_sync import DEPT, store_of
from tests.test_blob_sync import photo as png
from tests.test_sync import _actor, new_case
from tests.test_two_desks import _dispatch_to
from views.attachments.thumbs import LOOK_AGAIN_MS
from views.queue.actions.feedback import attachments_folder
from views.queue.detail import DetailPanel

pytestmark = pytest.mark.gui


def test_a_file_that_arrives_replaces_its_placeholder(
    qtbot: Any, ref_db: Database, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    extra = photo(tmp_path / "extra.jpg", "#c62828", "补充")
    case_id = build_case(ref_db, data_dir, tmp_path, missing=extra)
    ctx = context(ref_db, data_dir, "coordinator")
    panel = DetailPanel(ctx)
    qtbot.addWidget(panel)
    panel.attachments.auto_download = False  # nothing but the background brings it
    panel.show_case(case_id)
    strip = next(s for s in panel.attachments.strips if s.files[0].step == "commented")
    assert strip.tile_state(0) == "missing"

    ctx.events.attachments_arrived.emit()  # news of another file: nothing to show yet
    qtbot.wait(LOOK_AGAIN_MS * 2)
    assert strip.tile_state(0) == "missing"

    write_blob(attachments_folder(ctx), hashlib.sha256(extra).hexdigest(), [extra])
    for _ in range(5):  # a burst of news is looked at once
        ctx.events.attachments_arrived.emit()
    qtbot.waitUntil(lambda: strip.tile_state(0) == "thumbnail", timeout=5000)
    assert strip.files[0].path is not None and strip.files[0].path.is_file()
    viewer = panel.attachments.opener.open(strip.files[0].sha256)  # and it opens
    qtbot.addWidget(viewer)
    assert viewer.current is not None and viewer.current.sha256 == strip.files[0].sha256


def test_a_failed_tile_recovers_when_the_file_arrives_later(
    qtbot: Any, ref_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from views.queue import ops

    data_dir = tmp_path / "data"
    extra = photo(tmp_path / "extra.jpg", "#c62828", "补充")
    case_id = build_case(ref_db, data_dir, tmp_path, missing=extra)
    monkeypatch.setattr(ops, "download_attachment", lambda ctx, sha: None)  # offline now
    ctx = context(ref_db, data_dir, "coordinator")
    panel = DetailPanel(ctx)
    qtbot.addWidget(panel)
    panel.show_case(case_id)
    strip = next(s for s in panel.attachments.strips if s.files[0].step == "commented")
    qtbot.waitUntil(lambda: strip.tile_state(0) == "failed", timeout=5000)
    write_blob(attachments_folder(ctx), hashlib.sha256(extra).hexdigest(), [extra])
    ctx.events.attachments_arrived.emit()
    qtbot.waitUntil(lambda: strip.tile_state(0) == "thumbnail", timeout=5000)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerThread]:
    with fresh_server_url("sqlite", tmp_path) as url:
        db = demo_server_db(url)
        with ServerThread(db) as running:
            yield running
        db.dispose()


def test_the_sync_loops_download_refreshes_the_open_detail(
    qtbot: Any, server: ServerThread, tmp_path: Path
) -> None:
    """The whole way: a department's photos from desk A; desk B's coordinator has the
    case open with placeholders when the sync loop fetches them."""
    from desktop.sync_loop import SyncLoop

    pictures = tmp_path / "pictures"
    done = [png(pictures, "整改后一.png", 6), png(pictures, "整改后二.png", 7)]
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

    ctx = _context(b, "coordinator")
    panel = DetailPanel(ctx)
    qtbot.addWidget(panel)
    panel.attachments.auto_download = False
    panel.show_case(case_id)
    strip = next(s for s in panel.attachments.strips if s.files[0].step == "feedback")
    assert [strip.tile_state(i) for i in range(2)] == ["missing", "missing"]

    loop = SyncLoop(ctx)
    asyncio.run(loop._download(None))  # type: ignore[arg-type]
    qtbot.waitUntil(
        lambda: [strip.tile_state(i) for i in range(2)] == ["thumbnail", "thumbnail"],
        timeout=10000,
    )
    for info, source in zip(strip.files, done, strict=True):
        assert info.path is not None
        assert info.path.read_bytes() == source.read_bytes()
