"""Adding files where people work: photos made small and upright, their GPS read
and offered, documents stripped of it, refused files, and the files of a comment
and of a registration stored with their events, checked before anything is copied."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlalchemy import select

from models.db import Database
from models.queue import Attachment
from models.tables import CaseEvent
from services.attachments.photos import NewFile, prepare
from services.cases import actions as case_actions
from services.errors import PermissionDenied, ValidationError
from services.protocol.schemas import CommentedData, CreatedData
from services.reception.labels import Outcome
from services.reception.visits import register_visit
from services.worktime.workdays import load_calendar
from tests.builders import actor
from tests.test_reception import visit

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (30.0, 15.0, 36.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (120.0, 9.0, 0.0),
}


def jpeg(
    path: Path,
    size: tuple[int, int] = (800, 600),
    *,
    orientation: int | None = None,
    gps: dict[int, object] | None = None,
) -> Path:
    """A JPEG whose left half is red and right half blue, with the EXIF asked."""
    image = Image.new("RGB", size, "red")
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if gps is not None:
        exif[ExifTags.IFD.GPSInfo] = gps
    image.save(path, "JPEG", quality=95, exif=exif.tobytes())
    return path


def test_a_large_photo_is_turned_upright_scaled_and_re_encoded(tmp_path: Path) -> None:
    source = jpeg(tmp_path / "现场.jpg", (4000, 3000), orientation=6)
    ready = prepare(source, keep_original=False, document=False)
    assert ready.reencoded and ready.content_type == "image/jpeg"
    stored = Image.open(io.BytesIO(ready.data))
    # Orientation 6 turns the landscape picture upright: portrait, long side 2,560.
    assert stored.size == (1920, 2560)
    assert ExifTags.Base.Orientation not in stored.getexif()
    # Rotated clockwise: the left (red) half is now on top, the blue below.
    assert stored.getpixel((960, 100))[0] > 200  # type: ignore[index]
    assert stored.getpixel((960, 2450))[2] > 200  # type: ignore[index]
    # Quality 85: the same quantisation tables as Pillow's own encoding at 85.
    reference = io.BytesIO()
    Image.new("RGB", (16, 16)).save(reference, "JPEG", quality=85)
    assert stored.quantization == Image.open(reference).quantization  # type: ignore[attr-defined]
    assert ready.sha256 == hashlib.sha256(ready.data).hexdigest()
    assert ready.size < source.stat().st_size


def test_keep_original_keeps_the_bytes_and_their_hash(tmp_path: Path) -> None:
    source = jpeg(tmp_path / "big.jpg", (4000, 3000), orientation=6)
    ready = prepare(source, keep_original=True, document=False)
    assert not ready.reencoded
    assert ready.data == source.read_bytes()
    assert ready.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    # A small photo is kept as it is without being asked.
    small = jpeg(tmp_path / "small.jpg")
    assert prepare(small).data == small.read_bytes()


def test_gps_is_read_in_decimal_degrees_and_a_document_is_stripped_of_it(tmp_path: Path) -> None:
    source = jpeg(tmp_path / "gps.jpg", gps=GPS)
    ready = prepare(source)
    assert ready.gps is not None
    assert ready.gps == pytest.approx((30.26, 120.15), abs=1e-6)
    south_west = dict(GPS)
    south_west[ExifTags.GPS.GPSLatitudeRef] = "S"
    south_west[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps = prepare(jpeg(tmp_path / "sw.jpg", gps=south_west)).gps
    assert gps == pytest.approx((-30.26, -120.15), abs=1e-6)
    # Out of range or 0/0 (a phone without a fix): no position.
    wrong = dict(GPS)
    wrong[ExifTags.GPS.GPSLatitude] = (95.0, 0.0, 0.0)
    assert prepare(jpeg(tmp_path / "wrong.jpg", gps=wrong)).gps is None
    zero = {
        **GPS,
        ExifTags.GPS.GPSLatitude: (0.0, 0.0, 0.0),
        ExifTags.GPS.GPSLongitude: (0.0, 0.0, 0.0),
    }
    assert prepare(jpeg(tmp_path / "zero.jpg", gps=zero)).gps is None

    letter = prepare(source, document=True)
    assert letter.gps is None
    stored = Image.open(io.BytesIO(letter.data))
    assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"Exif" not in letter.data[:200]
    assert letter.sha256 != hashlib.sha256(source.read_bytes()).hexdigest()
    # keep_original never keeps a document's position.
    assert prepare(source, document=True, keep_original=True).gps is None
    assert prepare(source, document=True, keep_original=True).data == letter.data


def test_refused_files_say_why(tmp_path: Path) -> None:
    exe = tmp_path / "照片.jpg"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 2000)
    with pytest.raises(ValidationError) as err:
        prepare(exe)
    assert err.value.field == "attachments"
    assert "is not a photo" in err.value.template
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"0" * 100)
    assert prepare(pdf).data == pdf.read_bytes()
    with pytest.raises(ValidationError) as err:
        prepare(tmp_path / "missing.jpg")
    assert "cannot be read" in err.value.template


def _case_for_comment(db: Database, folder: Path, photo: Path) -> str:
    with db.session() as session:
        result = register_visit(
            session,
            actor(session, "reception"),
            load_calendar(session),
            visit(),
            files=[NewFile(photo), NewFile(photo.with_name("letter.pdf"), document=True)],
            folder=folder,
        )
    assert result.case_id is not None
    return result.case_id


def test_registration_and_comment_with_files(ref_db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "attachments"
    photo = jpeg(tmp_path / "井盖.jpg", gps=GPS)
    (tmp_path / "letter.pdf").write_bytes(b"%PDF-1.4\nletter")
    case_id = _case_for_comment(ref_db, folder, photo)
    with ref_db.sessions() as session:
        created = session.scalar(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.type == "created")
        )
        assert created is not None
        entries = created.data["attachments"]
        CreatedData.model_validate(created.data)
        rows = list(session.scalars(select(Attachment).where(Attachment.event_id == created.id)))
    assert [e["file_name"] for e in entries] == ["井盖.jpg", "letter.pdf"]
    assert {r.sha256 for r in rows} == {e["sha256"] for e in entries}
    for row in rows:
        assert (folder / row.stored_name).is_file()

    second = jpeg(tmp_path / "夜间.jpg", (640, 480))
    with ref_db.session() as session:
        coordinator = actor(session, "coordinator")
        case_actions.comment(session, coordinator, case_id, "补充夜间照片", [second], folder)
    with ref_db.sessions() as session:
        event = session.scalar(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.type == "commented")
        )
        assert event is not None
        CommentedData.model_validate(event.data)
        row = session.scalar(select(Attachment).where(Attachment.event_id == event.id))
    sha = hashlib.sha256(second.read_bytes()).hexdigest()
    assert event.data["attachments"] == [
        {
            "sha256": sha,
            "file_name": "夜间.jpg",
            "size": second.stat().st_size,
            "content_type": "image/jpeg",
        }
    ]
    assert row is not None and row.added_by == coordinator.id


def test_permission_is_refused_before_any_file_is_copied(ref_db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "attachments"
    photo = jpeg(tmp_path / "p.jpg")
    (tmp_path / "letter.pdf").write_bytes(b"%PDF-1.4\nletter")
    case_id = _case_for_comment(ref_db, tmp_path / "first", photo)
    other = jpeg(tmp_path / "other.jpg", (300, 200))
    with ref_db.session() as session, pytest.raises(PermissionDenied):
        # A department comments only on cases assigned to it.
        case_actions.comment(
            session, actor(session, "dept_chengguan"), case_id, "看看", [other], folder
        )
    with ref_db.session() as session, pytest.raises(PermissionDenied):
        register_visit(
            session,
            actor(session, "official"),
            load_calendar(session),
            visit(),
            files=[other],
            folder=folder,
        )
    with ref_db.session() as session, pytest.raises(ValidationError) as err:
        register_visit(
            session,
            actor(session, "reception"),
            load_calendar(session),
            visit(outcome=Outcome.RECORD_ONLY),
            files=[other],
            folder=folder,
        )
    assert err.value.field == "attachments"
    assert not folder.exists() or not any(folder.rglob("*.*"))
