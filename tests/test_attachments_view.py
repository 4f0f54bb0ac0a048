"""Looking at attachments (issue 15 part 4): the files of every step of a case —
the registration, each feedback, each comment — grouped by step with who and
when; malformed entries from any desk left out and counted, never raising;
refused steps' files not shown; local files only inside the attachments folder."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from models.db import Database
from models.tables import CaseEvent
from models.types import utcnow
from services.attachments.store import write_blob
from services.cases import records as cases_service
from services.cases.detail import before_and_after, case_detail, case_photos
from services.demo.district import demo_user_id
from tests.builders import GRID, actor

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"before" * 20
JPEG2 = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"after" * 20
PDF = b"%PDF-1.7\n" + b"x" * 50


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def entry(data: bytes, name: str, content_type: str = "image/jpeg") -> dict[str, Any]:
    return {"sha256": sha(data), "file_name": name, "size": len(data), "content_type": content_type}


MALFORMED: dict[str, Any] = {
    "not_a_list": "photo.jpg",
    "a_number": 7,
    "an_object": {"sha256": sha(JPEG)},
    "missing_keys": [{"file_name": "x.jpg"}],
    "bad_sha": [{"sha256": "g" * 64, "file_name": "x.jpg", "size": 1}],
    "huge_size": [{"sha256": sha(JPEG), "file_name": "x.jpg", "size": 10**40}],
    "size_text": [{"sha256": sha(JPEG), "file_name": "x.jpg", "size": "12"}],
    "entry_number": [3.5],
    "entry_null": [None],
    "nested_list": [[sha(JPEG), 1]],
}


@pytest.fixture
def case(ref_db: Database) -> tuple[Database, str]:
    with ref_db.session() as session:
        return ref_db, cases_service.create_case(
            session,
            actor(session, "coordinator"),
            title="占道经营",
            description="占道经营",
            category_code="1503",
            org_unit_id=GRID,
        ).id


def set_created(db: Database, case_id: str, attachments: Any) -> None:
    with db.session() as session:
        row = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.type == "created")
        ).one()
        row.data = {**row.data, "attachments": attachments}


def add_event(
    db: Database,
    case_id: str,
    kind: str,
    attachments: Any,
    user: str = "dept_wuye",
    minutes: int = 10,
    rejected: str | None = None,
) -> str:
    event_id = str(uuid.uuid4())
    with db.session() as session:
        session.add(
            CaseEvent(
                id=event_id,
                case_id=case_id,
                type=kind,
                at=utcnow() + timedelta(minutes=minutes),
                actor_id=demo_user_id(user),
                data={"text": "x", "result": "x", "attachments": attachments},
                rejected_code=rejected,
                rejected_message="refused" if rejected else None,
            )
        )
    return event_id


def detail_of(db: Database, case_id: str, folder: Path | None = None) -> Any:
    with db.sessions() as session:
        return case_detail(session, actor(session, "coordinator"), case_id, folder)


def test_files_are_grouped_by_step_with_who_and_when(
    case: tuple[Database, str], tmp_path: Path
) -> None:
    db, case_id = case
    folder = tmp_path / "attachments"
    write_blob(folder, sha(JPEG), [JPEG])
    set_created(db, case_id, [entry(JPEG, "现场.jpg")])
    comment = add_event(
        db, case_id, "commented", [entry(PDF, "说明.pdf", "application/pdf")], "coordinator", 5
    )
    feedback = add_event(db, case_id, "feedback", [entry(JPEG2, "整改后.jpg")], "dept_wuye", 20)

    detail = detail_of(db, case_id, folder)

    steps = detail.attachment_steps
    assert [s.kind for s in steps] == ["created", "commented", "feedback"]
    assert [s.event_id for s in steps[1:]] == [comment, feedback]
    assert steps[0].actor_id == demo_user_id("coordinator")
    assert steps[2].actor_id == demo_user_id("dept_wuye")
    assert steps[0].at < steps[1].at < steps[2].at
    assert [f.file_name for s in steps for f in s.files] == ["现场.jpg", "说明.pdf", "整改后.jpg"]
    # The registration's photo is in the blob store; the others are not on this computer.
    assert steps[0].files[0].path == folder.resolve() / sha(JPEG)[:2] / f"{sha(JPEG)}.jpg"
    assert steps[2].files[0].path is None
    assert steps[1].files[0].is_pdf and not steps[1].files[0].is_photo
    assert steps[0].files[0].content_type == "image/jpeg"
    assert [f.sha256 for f in detail.attachments] == [sha(JPEG), sha(PDF), sha(JPEG2)]


def test_before_and_after_split_at_the_last_feedback(case: tuple[Database, str]) -> None:
    db, case_id = case
    set_created(db, case_id, [entry(JPEG, "a.jpg")])
    add_event(db, case_id, "feedback", [entry(JPEG2, "b.jpg")], minutes=5)
    add_event(db, case_id, "commented", [entry(PDF, "c.pdf", "application/pdf")], "coordinator", 6)
    last = sha(b"\xff\xd8\xff last")
    add_event(db, case_id, "feedback", [{**entry(JPEG, "d.jpg"), "sha256": last}], minutes=9)

    before, after = before_and_after(detail_of(db, case_id).attachment_steps)

    assert [p.file_name for p in before] == ["a.jpg", "b.jpg"]  # the PDF is no photo
    assert [p.file_name for p in after] == ["d.jpg"]


def test_without_feedback_everything_is_before(case: tuple[Database, str]) -> None:
    db, case_id = case
    set_created(db, case_id, [entry(JPEG, "a.jpg")])
    before, after = before_and_after(detail_of(db, case_id).attachment_steps)
    assert [p.file_name for p in before] == ["a.jpg"] and after == []


@pytest.mark.parametrize("where", ["created", "feedback", "commented"])
@pytest.mark.parametrize("kind", list(MALFORMED))
def test_malformed_attachments_never_raise_and_are_counted(
    case: tuple[Database, str], tmp_path: Path, where: str, kind: str
) -> None:
    db, case_id = case
    bad = MALFORMED[kind]
    good = entry(JPEG2, "好.jpg")
    if where == "created":
        set_created(db, case_id, bad)
        add_event(db, case_id, "feedback", [good])
    else:
        add_event(db, case_id, where, bad)
        add_event(db, case_id, "feedback", [good], minutes=30)

    detail = detail_of(db, case_id, tmp_path / "attachments")

    assert detail.unreadable_attachments == 1
    assert [f.file_name for f in detail.attachments] == ["好.jpg"]
    assert [s.kind for s in detail.attachment_steps] == ["feedback"]


def test_a_path_in_a_file_name_is_cleaned(case: tuple[Database, str]) -> None:
    db, case_id = case
    add_event(db, case_id, "commented", [{**entry(JPEG, "x"), "file_name": "../../etc/passwd"}])
    detail = detail_of(db, case_id)
    assert [f.file_name for f in detail.attachments] == ["passwd"]
    assert detail.unreadable_attachments == 0


def test_data_that_is_not_an_object_never_raises(case: tuple[Database, str]) -> None:
    db, case_id = case
    event_id = add_event(db, case_id, "commented", [])
    with db.session() as session:
        row = session.scalars(select(CaseEvent).where(CaseEvent.id == event_id)).one()
        row.data = ["attachments", 1]
    detail = detail_of(db, case_id)
    assert detail.attachment_steps == [] and detail.unreadable_attachments == 0


def test_refused_events_files_are_not_shown(case: tuple[Database, str], tmp_path: Path) -> None:
    db, case_id = case
    add_event(
        db,
        case_id,
        "commented",
        [entry(JPEG, "refused.jpg")],
        "coordinator",
        rejected="not_allowed",
    )
    add_event(
        db, case_id, "feedback", ["malformed but refused"], rejected="wrong_state", minutes=11
    )
    add_event(db, case_id, "feedback", [entry(JPEG2, "kept.jpg")], minutes=12)
    detail = detail_of(db, case_id, tmp_path)
    assert [f.file_name for f in detail.attachments] == ["kept.jpg"]
    assert [s.kind for s in detail.attachment_steps] == ["feedback"]
    assert detail.unreadable_attachments == 0


def test_a_local_path_resolves_only_inside_the_folder(
    case: tuple[Database, str], tmp_path: Path
) -> None:
    db, case_id = case
    folder = tmp_path / "data" / "attachments"
    outside = tmp_path / "data" / sha(JPEG)[:2]
    outside.mkdir(parents=True)
    (outside / f"{sha(JPEG)}.jpg").write_bytes(JPEG)  # beside the folder, not in it
    (folder / sha(JPEG)[:2]).mkdir(parents=True)
    # A link inside the folder that leads out of it is not followed either.
    (folder / sha(JPEG)[:2] / f"{sha(JPEG)}.png").symlink_to(outside / f"{sha(JPEG)}.jpg")
    set_created(db, case_id, [entry(JPEG, "a.jpg")])
    assert detail_of(db, case_id, folder).attachments[0].path is None
    # Once the blob is really in the folder it is found.
    (folder / sha(JPEG)[:2] / f"{sha(JPEG)}.png").unlink()
    write_blob(folder, sha(JPEG), [JPEG])
    found = detail_of(db, case_id, folder).attachments[0].path
    assert found is not None and found.is_relative_to(folder.resolve())


def test_case_photos_are_local_photos_newest_first(
    case: tuple[Database, str], tmp_path: Path
) -> None:
    db, case_id = case
    folder = tmp_path / "attachments"
    write_blob(folder, sha(JPEG), [JPEG])
    write_blob(folder, sha(JPEG2), [JPEG2])
    write_blob(folder, sha(PDF), [PDF])
    set_created(db, case_id, [entry(JPEG, "a.jpg")])
    add_event(db, case_id, "commented", [entry(PDF, "c.pdf", "application/pdf")], "coordinator")
    add_event(
        db, case_id, "feedback", [entry(JPEG2, "b.jpg"), entry(b"gone", "gone.jpg")], minutes=20
    )
    with db.sessions() as session:
        photos = case_photos(session, actor(session, "coordinator"), case_id, folder)
    assert [p.file_name for p in photos] == ["b.jpg", "a.jpg"]
