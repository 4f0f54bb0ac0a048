"""Visitors' personal data at rest (models/private.py): the data folder and what is in
it are for this OS account only — folders 0700, files 0600 — whatever the umask, and
a folder an older version left readable is tightened at the next start, with one log
line. POSIX only: on Windows the per-user profile's ACLs do this."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.logging_setup import LOG_FILENAME, PrivateRotatingFileHandler, setup_logging
from models.db import DB_FILENAME, _backup, open_database
from models.private import create_private_file, private_dir, tighten
from models.tables import Setting
from services.reception import draft_files

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture(params=[0o022, 0o002, 0o000], ids=["umask022", "umask002", "umask000"])
def loose_umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """The umasks a desktop session has: Debian's 022, a group-writable 002, none at all."""
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


@pytest.fixture
def detach_logging() -> Iterator[None]:
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    yield
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_a_new_data_folder_and_database_are_private(tmp_path: Path, loose_umask: int) -> None:
    data = tmp_path / "GridDesk" / "GridDesk"
    db = open_database(data)
    with db.session() as session:  # a write: SQLite makes the -wal and -shm files
        session.add(Setting(key="centre_name", value="西岭街道"))
    assert mode(data) == 0o700
    assert mode(data / DB_FILENAME) == 0o600
    for side in ("-wal", "-shm"):
        side_file = data / (DB_FILENAME + side)
        assert side_file.exists() and mode(side_file) == 0o600, side
    db.dispose()


def test_backups_are_private(tmp_path: Path, loose_umask: int) -> None:
    db = open_database(tmp_path)
    db.dispose()
    saved = _backup(tmp_path / DB_FILENAME, "abc")
    assert mode(tmp_path / "backups") == 0o700
    assert mode(saved) == 0o600
    copy = sqlite3.connect(saved)  # a real copy, not an empty file left by the mode set-up
    try:
        assert copy.execute("SELECT count(*) FROM alembic_version").fetchone()[0] >= 1
    finally:
        copy.close()


def test_the_log_and_its_rotated_files_are_private(
    tmp_path: Path, loose_umask: int, detach_logging: None
) -> None:
    data = tmp_path / "data"
    path = setup_logging(data)
    assert path == data / "logs" / LOG_FILENAME
    logging.getLogger("griddesk.test").warning("visitor 张三 13800000000")
    assert mode(data) == 0o700 and mode(data / "logs") == 0o700
    assert mode(path) == 0o600
    (handler,) = [
        h for h in logging.getLogger().handlers if isinstance(h, PrivateRotatingFileHandler)
    ]
    handler.doRollover()
    logging.getLogger("griddesk.test").warning("after the rollover")
    assert mode(data / "logs" / (LOG_FILENAME + ".1")) == 0o600
    assert mode(path) == 0o600
    assert "after the rollover" in path.read_text(encoding="utf-8")


def test_kept_draft_files_are_private(tmp_path: Path, loose_umask: int) -> None:
    attachments = tmp_path / "data" / "attachments"
    source = tmp_path / "身份证.pdf"
    source.write_bytes(b"%PDF-1.4 a visitor's identity card")
    kept = draft_files.keep_file(draft_files.draft_files_folder(attachments), source)
    assert kept.path.read_bytes() == source.read_bytes()
    assert mode(kept.path) == 0o600
    assert mode(kept.path.parent) == 0o700  # .drafts/<sha>
    assert mode(draft_files.draft_files_folder(attachments)) == 0o700  # .drafts
    assert mode(attachments) == 0o700


def test_a_folder_left_readable_is_tightened_at_start_with_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    open_database(data).dispose()
    outside = tmp_path / "elsewhere.txt"  # linked from the folder, not ours to change
    outside.write_text("not GridDesk's")
    outside.chmod(0o644)
    left = {
        data: 0o755,
        data / DB_FILENAME: 0o644,
        data / "backups": 0o755,
        data / "backups" / "griddesk-abc.sqlite3": 0o644,
        data / "logs": 0o775,
        data / "logs" / LOG_FILENAME: 0o664,
        data / "attachments": 0o755,
        data / "attachments" / "ab": 0o755,
        data / "attachments" / "ab" / ("ab" + "0" * 62 + ".jpg"): 0o644,
        data / "attachments" / ".drafts": 0o755,
        data / "attachments" / ".drafts" / ("cd" * 32): 0o755,
        data / "attachments" / ".drafts" / ("cd" * 32) / "户口本.jpg": 0o644,
        data / "read-only.txt": 0o444,
    }
    for path, wanted in left.items():
        if not path.exists():
            if path.suffix:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(b"x")
            else:
                path.mkdir(parents=True)
        path.chmod(wanted)
    (data / "link").symlink_to(outside)

    caplog.set_level(logging.INFO, logger="models.db")
    open_database(data).dispose()

    for path, before in left.items():
        assert mode(path) == before & 0o700, path
    assert mode(outside) == 0o644  # the link was not followed
    lines = [r.getMessage() for r in caplog.records if "readable by other accounts" in r.message]
    assert len(lines) == 1, lines
    (line,) = lines
    assert str(data) in line
    assert "7 folder(s) and 6 file(s)" in line
    assert ". 755→700" in line and "griddesk.sqlite3 644→600" in line

    caplog.clear()
    open_database(data).dispose()  # nothing left to change: nothing said
    assert not [r for r in caplog.records if "readable by other accounts" in r.message]


def test_a_read_only_file_stays_read_only(tmp_path: Path) -> None:
    marked = tmp_path / "kept.sqlite3"
    marked.write_bytes(b"x")
    marked.chmod(0o444)
    result = tighten(tmp_path)
    assert mode(marked) == 0o400
    assert [(p, stat.S_IMODE(a)) for p, _b, a in result.changed if p == marked] == [(marked, 0o400)]


def test_helpers_set_the_mode_whatever_the_umask(tmp_path: Path, loose_umask: int) -> None:
    folder = private_dir(tmp_path / "a" / "b")
    assert mode(folder) == 0o700
    made = create_private_file(folder / "f")
    assert mode(made) == 0o600
    assert not tighten(tmp_path / "a" / "b")
    made.chmod(0o640)
    create_private_file(made)  # an existing file is left to tighten(), which says so
    assert mode(made) == 0o640
    assert [(p, stat.S_IMODE(a)) for p, _b, a in tighten(folder).changed] == [(made, 0o600)]


def test_attachments_are_private(tmp_path: Path, loose_umask: int) -> None:
    import hashlib

    from services.attachments.store import write_blob

    folder = tmp_path / "data" / "attachments"
    photo = b"\xff\xd8\xff\xe0 a visitor's photo"
    sha = hashlib.sha256(photo).hexdigest()
    stored = write_blob(folder, sha, [photo])
    assert stored.read_bytes() == photo
    assert mode(stored) == 0o600
    assert mode(stored.parent) == 0o700 and mode(folder) == 0o700


def test_a_start_says_in_its_log_what_it_tightened(tmp_path: Path, detach_logging: None) -> None:
    """As the window and the commands start: the log first, then the database."""
    data = tmp_path / "data"
    open_database(data).dispose()
    (data / "logs").mkdir()
    (data / "logs" / LOG_FILENAME).write_text("an older version's log\n", encoding="utf-8")
    for path, loose in ((data, 0o755), (data / "logs", 0o755), (data / DB_FILENAME, 0o644)):
        path.chmod(loose)
    (data / "logs" / LOG_FILENAME).chmod(0o644)

    log_file = setup_logging(data)
    open_database(data).dispose()

    assert log_file is not None
    assert mode(data) == mode(data / "logs") == 0o700
    assert mode(data / DB_FILENAME) == mode(log_file) == 0o600
    lines = [
        line
        for line in log_file.read_text(encoding="utf-8").splitlines()
        if "readable by other accounts" in line
    ]
    assert len(lines) == 1
    assert "2 folder(s) and 2 file(s)" in lines[0]
