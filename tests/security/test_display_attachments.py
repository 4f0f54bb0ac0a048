"""Attachments from hostile desks and hostile files.

A pulled feedback whose attachment entry breaks docs/protocol.md (size "abc",
size -1, a hash that is not hex, a file name with ``../`` or 5,000
characters, an entry that is not an object, ``attachments`` that is not a
list) never makes its case impossible to open: the bad entry is logged and
left out, the good ones are shown. On this desk, only photos and PDFs of at
most 20 MB are attached, told by their content, recorded exactly as 1.1 says;
anything else is refused with a message and nothing is stored."""

from __future__ import annotations

import hashlib
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from desktop.app_settings import Preferences
from desktop.context import AppContext
from models.db import Database
from models.queue import Attachment
from models.tables import Case, CaseEvent, OutboxItem, User
from models.types import utcnow
from services.cases import actions as case_actions
from services.cases import records as cases_service
from services.cases.detail import case_detail, read_attachment
from services.demo.district import demo_user_id
from services.errors import ValidationError
from services.worktime.workdays import load_calendar
from tests.builders import GRID, actor
from views.messages import error_text
from views.queue.detail import DetailPanel

SHA = hashlib.sha256(b"photo").hexdigest()
GOOD = {"sha256": SHA, "file_name": "现场.jpg", "size": 5, "content_type": "image/jpeg"}

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"x" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 100
PDF = b"%PDF-1.7\n" + b"x" * 100
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100

# Entries that break the protocol, and what they are.
BAD_ENTRIES: dict[str, Any] = {
    "size_text": {**GOOD, "size": "abc"},
    "size_negative": {**GOOD, "size": -1},
    "size_float_nan": {**GOOD, "size": float("nan")},
    "size_bool": {**GOOD, "size": True},
    "size_huge": {**GOOD, "size": 10**30},
    "sha_not_hex": {**GOOD, "sha256": "z" * 64},
    "sha_short": {**GOOD, "sha256": "ab"},
    "sha_missing": {"file_name": "x.jpg", "size": 1},
    "sha_number": {**GOOD, "sha256": 12345},
    "entry_string": "../../etc/passwd",
    "entry_list": [SHA, 5],
    "entry_none": None,
}
# Entries that are shown, with their file name cleaned.
CLEANED_ENTRIES: dict[str, tuple[dict[str, Any], str]] = {
    "name_traversal": ({**GOOD, "file_name": "../../etc/passwd.jpg"}, "passwd.jpg"),
    "name_windows_path": ({**GOOD, "file_name": "C:\\Windows\\evil.pdf"}, "evil.pdf"),
    "name_5000": ({**GOOD, "file_name": "长" * 5000 + ".png"}, "长" * 116 + ".png"),
    "name_rtl": ({**GOOD, "file_name": "发票\u202egpj.exe"}, "发票gpj.exe"),
    "name_missing": ({k: v for k, v in GOOD.items() if k != "file_name"}, SHA[:12]),
    "name_number": ({**GOOD, "file_name": 42}, SHA[:12]),
    "v1_entry": ({"sha256": SHA.upper(), "file_name": "旧.jpg", "size": 3}, "旧.jpg"),
}
NOT_A_LIST: dict[str, Any] = {"string": "abc", "number": 5, "object": {"sha256": SHA}}


def counts(db: Database) -> dict[str, int]:
    with db.sessions() as session:
        return {
            t.__name__: int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in (Case, CaseEvent, Attachment, OutboxItem)
        }


@pytest.fixture
def handled(ref_db: Database) -> tuple[Database, str]:
    """A case dispatched to 物业 and signed for: ready for its result."""
    with ref_db.session() as session:
        coord = actor(session, "coordinator")
        case_id = cases_service.create_case(
            session,
            coord,
            title="楼道堆放杂物",
            description="楼道堆放杂物",
            category_code="1503",
            org_unit_id=GRID,
        ).id
        case_actions.dispatch_cases(
            session, coord, load_calendar(session), [case_id], "department", "dept_wuye"
        )
    with ref_db.session() as session:
        case_actions.acknowledge(session, actor(session, "dept_wuye"), case_id)
    return ref_db, case_id


def pull_feedback(db: Database, case_id: str, attachments: Any) -> None:
    """A feedback event as the sync engine stores a pulled one."""
    with db.session() as session:
        session.add(
            CaseEvent(
                id=str(uuid.uuid4()),
                case_id=case_id,
                type="feedback",
                at=utcnow(),
                actor_id=demo_user_id("dept_wuye"),
                data={"result": "已处理", "attachments": attachments},
                server_seq=99,
                received_at=utcnow(),
                pushed_by=demo_user_id("dept_wuye"),
                pushed_device="物业服务台",
                push_protocol="1.1",
            )
        )


# ---------------------------------------------------------------- pulled entries
@pytest.mark.parametrize("kind", list(BAD_ENTRIES))
def test_a_bad_entry_is_left_out_and_logged_and_the_case_opens(
    handled: tuple[Database, str], kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    db, case_id = handled
    pull_feedback(db, case_id, [BAD_ENTRIES[kind], GOOD])
    with (
        caplog.at_level(logging.WARNING, logger="services.cases.detail"),
        db.sessions() as session,
    ):
        detail = case_detail(session, actor(session, "coordinator"), case_id)
    assert [a.sha256 for a in detail.attachments] == [SHA]
    assert detail.unreadable_attachments == 1
    assert "breaks the protocol" in caplog.text


@pytest.mark.parametrize("kind", list(CLEANED_ENTRIES))
def test_an_odd_file_name_is_shown_cleaned(handled: tuple[Database, str], kind: str) -> None:
    db, case_id = handled
    entry, expected = CLEANED_ENTRIES[kind]
    pull_feedback(db, case_id, [entry])
    with db.sessions() as session:
        detail = case_detail(session, actor(session, "coordinator"), case_id)
    assert [a.file_name for a in detail.attachments] == [expected]
    assert detail.unreadable_attachments == 0
    assert "/" not in expected and "\\" not in expected and len(expected) <= 120


@pytest.mark.parametrize("kind", list(NOT_A_LIST))
def test_attachments_that_are_not_a_list_leave_the_case_readable(
    handled: tuple[Database, str], kind: str
) -> None:
    db, case_id = handled
    pull_feedback(db, case_id, NOT_A_LIST[kind])
    with db.sessions() as session:
        detail = case_detail(session, actor(session, "coordinator"), case_id)
    assert detail.attachments == []
    assert detail.unreadable_attachments == 1
    assert detail.case.id == case_id


def test_attachments_null_is_no_attachment(handled: tuple[Database, str]) -> None:
    db, case_id = handled
    pull_feedback(db, case_id, None)
    with db.sessions() as session:
        detail = case_detail(session, actor(session, "coordinator"), case_id)
    assert detail.attachments == [] and detail.unreadable_attachments == 0


@pytest.mark.gui
def test_the_panel_opens_the_case_and_says_what_was_left_out(
    qtbot: Any, handled: tuple[Database, str], tmp_path: Path
) -> None:
    db, case_id = handled
    pull_feedback(db, case_id, [*BAD_ENTRIES.values(), GOOD])
    pull_feedback(db, case_id, "not a list")
    with db.sessions() as session:
        user = session.get(User, demo_user_id("coordinator"))
    ctx = AppContext(db=db, data_dir=tmp_path, user=user, prefs=Preferences())
    panel = DetailPanel(ctx)
    qtbot.addWidget(panel)
    panel.show_case(case_id)
    assert panel.detail is not None and panel.tabs.isEnabled()
    (strip,) = panel.attachments.strips
    assert [f.file_name for f in strip.files] == ["现场.jpg"]
    assert strip.item(0).text().startswith("现场.jpg")
    note = panel.attachments.note
    assert note is not None and "could not be read" in note.text()
    assert panel.timeline.topLevelItemCount() >= 4


def test_a_stored_name_pointing_outside_the_folder_is_not_opened(
    handled: tuple[Database, str], tmp_path: Path
) -> None:
    db, case_id = handled
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"x")
    folder = tmp_path / "data" / "attachments"
    folder.mkdir(parents=True)
    pull_feedback(db, case_id, [GOOD])
    with db.session() as session:
        session.add(
            Attachment(
                case_id=case_id,
                event_id="e",
                file_name="x.jpg",
                stored_name="../../secret.jpg",
                sha256=SHA,
                size=1,
            )
        )
    with db.sessions() as session:
        detail = case_detail(session, actor(session, "coordinator"), case_id, folder)
    assert detail.attachments[0].path is None


def test_read_attachment_keeps_a_good_entry() -> None:
    assert read_attachment(GOOD) == GOOD


# ---------------------------------------------------------------- recording on this desk
@pytest.mark.parametrize(
    ("name", "content", "content_type", "recorded"),
    [
        ("现场照片.jpg", JPEG, "image/jpeg", "现场照片.jpg"),
        ("整改后.PNG", PNG, "image/png", "整改后.png"),
        ("scene.webp", WEBP, "image/webp", "scene.webp"),
        ("回复函", PDF, "application/pdf", "回复函.pdf"),
        ("photo.png", JPEG, "image/jpeg", "photo.png.jpg"),
        ("发票\u202egpj.pdf", PDF, "application/pdf", "发票gpj.pdf"),
        ("a" * 200 + ".jpg", JPEG, "image/jpeg", "a" * 116 + ".jpg"),
    ],
)
def test_feedback_records_entries_exactly_as_protocol_1_1(
    handled: tuple[Database, str],
    tmp_path: Path,
    name: str,
    content: bytes,
    content_type: str,
    recorded: str,
) -> None:
    db, case_id = handled
    source = tmp_path / "in" / name
    source.parent.mkdir()
    source.write_bytes(content)
    folder = tmp_path / "attachments"
    with db.session() as session:
        case_actions.feedback(
            session, actor(session, "dept_wuye"), case_id, "已清理", [source], folder
        )
    with db.sessions() as session:
        event = session.scalar(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.type == "feedback")
        )
        row = session.scalar(select(Attachment).where(Attachment.case_id == case_id))
    assert event is not None and row is not None
    sha = hashlib.sha256(content).hexdigest()
    assert event.data["attachments"] == [
        {"sha256": sha, "file_name": recorded, "size": len(content), "content_type": content_type}
    ]
    assert len(recorded) <= 120
    assert (folder / row.stored_name).read_bytes() == content
    assert (folder / row.stored_name).resolve().is_relative_to(folder.resolve())


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("现场照片.jpg", EXE),  # a program renamed as a photo
        ("报告.pdf", b"PK\x03\x04word/document.xml"),  # a Word file renamed
        ("empty.png", b""),
        ("half.jpg", b"\xff\xd8"),  # not even a JPEG header
        ("fake.webp", b"RIFF\x00\x00\x00\x00AVI LIST"),
        ("page.pdf", b"<html><script>alert(1)</script>"),
    ],
)
def test_other_files_are_refused_and_nothing_is_stored(
    handled: tuple[Database, str], tmp_path: Path, name: str, content: bytes
) -> None:
    db, case_id = handled
    source = tmp_path / name
    source.write_bytes(content)
    before = counts(db)
    with db.session() as session, pytest.raises(ValidationError) as err:
        case_actions.feedback(
            session, actor(session, "dept_wuye"), case_id, "已清理", [source], tmp_path / "a"
        )
    assert err.value.field == "attachments"
    assert "JPEG, PNG, WebP" in error_text(err.value) and name in error_text(err.value)
    assert counts(db) == before
    assert not (tmp_path / "a").exists() or not list((tmp_path / "a").rglob("*.*"))


def test_a_file_over_20_mb_is_refused(handled: tuple[Database, str], tmp_path: Path) -> None:
    db, case_id = handled
    big = tmp_path / "大照片.jpg"
    with big.open("wb") as handle:
        handle.write(JPEG)
        handle.truncate(20 * 1024 * 1024 + 1)
    before = counts(db)
    with db.session() as session, pytest.raises(ValidationError) as err:
        case_actions.feedback(
            session, actor(session, "dept_wuye"), case_id, "已清理", [big], tmp_path / "a"
        )
    assert "at most 20 MB" in error_text(err.value)
    assert counts(db) == before


def test_a_refused_second_file_leaves_the_first_unrecorded(
    handled: tuple[Database, str], tmp_path: Path
) -> None:
    db, case_id = handled
    good = tmp_path / "ok.jpg"
    good.write_bytes(JPEG)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(EXE)
    before = counts(db)
    with db.session() as session, pytest.raises(ValidationError):
        case_actions.feedback(
            session, actor(session, "dept_wuye"), case_id, "已清理", [good, bad], tmp_path / "a"
        )
    assert counts(db) == before
    with db.sessions() as session:
        assert session.get(Case, case_id).state == "acknowledged"  # type: ignore[union-attr]
