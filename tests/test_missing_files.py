"""A step the county keeps answering ``missing_blob`` (services.sync.missing_files): it
is listed with the file it names, a person re-attaches the file from disk (only the
file the step names is taken, audited), and the next round sends the step."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from models.tables import AuditEntry, OutboxItem
from services.attachments.store import local_blob
from services.cases.permissions import Actor
from services.errors import NotFound, PermissionDenied, ValidationError
from services.sync import missing_files
from services.sync.outbox import MISSING_BLOB_NOTE
from tests.sync_harness import Desktop, ServerThread, demo_server_db, fresh_server_url
from tests.test_blob_sync import (
    county_blobs,
    department_desk,
    handled_case,
    outbox_states,
    photo,
    store_of,
)
from tests.test_sync import _actor


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerThread]:
    with fresh_server_url("sqlite", tmp_path) as url:
        db = demo_server_db(url)
        with ServerThread(db) as running:
            yield running
        db.dispose()


def lost_photo_desk(server: ServerThread, tmp_path: Path) -> tuple[Desktop, Path, str]:
    """A department's feedback whose photo vanished from the desk's store before the sync."""
    a = department_desk(server.url, tmp_path / "a")
    original = photo(tmp_path / "camera", "整改后.png", 11)
    _case_id, (sha,) = handled_case(a, [original])
    held = local_blob(store_of(a), sha)
    assert held is not None
    held.unlink()
    a.sync()
    return a, original, sha


def waiting(desk: Desktop) -> list[missing_files.WaitingForFile]:
    with desk.db.sessions() as session:
        return missing_files.waiting_for_files(session, store_of(desk))


def test_a_step_missing_its_file_is_listed_with_the_file(
    server: ServerThread, tmp_path: Path
) -> None:
    a, _original, sha = lost_photo_desk(server, tmp_path)
    (item,) = waiting(a)
    assert item.event_type == "feedback" and item.case_number
    assert [(f.sha256, f.file_name, f.here) for f in item.files] == [(sha, "整改后.png", False)]
    assert item.missing == item.files
    with a.db.sessions() as session:
        row = session.get(OutboxItem, item.seq)
        assert row is not None and row.status == "pending"
        assert row.last_error == MISSING_BLOB_NOTE
    a.sync()  # round after round it stays, and stays listed
    assert [i.seq for i in waiting(a)] == [item.seq]


def test_re_attaching_the_file_sends_the_step_next_round(
    server: ServerThread, tmp_path: Path
) -> None:
    a, original, sha = lost_photo_desk(server, tmp_path)
    (item,) = waiting(a)
    coordinator = _actor(a.db, "coordinator")
    other = photo(tmp_path / "camera", "别的.png", 12)
    with a.db.session() as session, pytest.raises(ValidationError) as refused:
        missing_files.reattach_file(session, coordinator, store_of(a), item.seq, other)
    assert refused.value.params["wanted"] == "整改后.png"
    assert refused.value.params["name"] == "别的.png"
    assert local_blob(store_of(a), sha) is None

    moved = tmp_path / "usb" / "IMG_0001.png"  # the same photo under another name
    moved.parent.mkdir()
    moved.write_bytes(original.read_bytes())
    with a.db.session() as session:
        back = missing_files.reattach_file(session, coordinator, store_of(a), item.seq, moved)
    assert back.sha256 == sha and back.file_name == "整改后.png"
    assert local_blob(store_of(a), sha) is not None
    (listed,) = waiting(a)
    assert listed.files[0].here and not listed.missing
    with a.db.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "sync.reattach_file"))
        assert entry is not None and entry.target_id == item.item_id

    a.sync()
    assert set(outbox_states(a)) == {"sent"}
    assert sha in county_blobs(server)
    assert waiting(a) == []
    with a.db.session() as session, pytest.raises(NotFound):
        missing_files.reattach_file(session, coordinator, store_of(a), item.seq, moved)


def test_re_attaching_needs_the_sync_permission(server: ServerThread, tmp_path: Path) -> None:
    a, original, _sha = lost_photo_desk(server, tmp_path)
    (item,) = waiting(a)
    nobody: Actor = dataclasses.replace(_actor(a.db, "coordinator"), role="visitor")
    with a.db.session() as session, pytest.raises(PermissionDenied):
        missing_files.reattach_file(session, nobody, store_of(a), item.seq, original)
