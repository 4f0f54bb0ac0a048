"""The attachment picker: a pasted screenshot becomes a PNG attachment, a dropped
file is added, refused files say why, the feedback dialog records the files, and
the reception form offers a photo's GPS position (never a document's)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import ExifTags, Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from models.db import Database
from models.queue import Attachment
from models.tables import Case, CaseEvent
from services.cases import actions as case_actions
from services.worktime.workdays import load_calendar
from tests.builders import actor, load_demo_reference, type_text
from tests.gui.test_queue_screen import context, new_case
from views.attachments.picker import AttachmentPicker, incoming_folder
from views.queue.actions.feedback import FeedbackDialog
from views.reception.form import VisitForm

pytestmark = pytest.mark.gui


def photo(path: Path, gps: bool = False) -> Path:
    image = Image.new("RGB", (320, 240), "green")
    exif = Image.Exif()
    if gps:
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (30.0, 15.0, 36.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (120.0, 9.0, 0.0),
        }
    image.save(path, "JPEG", exif=exif.tobytes())
    return path


def test_a_pasted_image_becomes_a_png_attachment(qtbot: Any, tmp_path: Path) -> None:
    picker = AttachmentPicker(tmp_path)
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitExposed(picker)
    image = QImage(200, 120, QImage.Format.Format_RGB32)
    image.fill(QColor("orange"))
    QGuiApplication.clipboard().setImage(image)
    picker.activateWindow()
    qtbot.waitActive(picker)
    picker.paste_button.setFocus()
    # Ctrl+V through the window, as a key typed by a person reaches the shortcut.
    QTest.keyClick(picker.windowHandle(), Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: picker.count() == 1, timeout=2000)
    (pasted,) = picker.files()
    assert pasted.path.parent == incoming_folder(tmp_path)
    assert pasted.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert QImage(str(pasted.path)).size().width() == 200
    # An empty clipboard says so instead of adding nothing silently.
    QGuiApplication.clipboard().clear()
    assert not picker.paste()
    assert "no picture" in picker.message.text()
    # Clearing removes the temporary file the paste made.
    picker.clear()
    assert not pasted.path.exists()


def test_a_dropped_file_is_added_and_a_refused_one_says_why(qtbot: Any, tmp_path: Path) -> None:
    picker = AttachmentPicker(tmp_path / "data")
    qtbot.addWidget(picker)
    dropped = photo(tmp_path / "现场.jpg")
    fake = tmp_path / "setup.jpg"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped)), QUrl.fromLocalFile(str(fake))])
    point = QPointF(10, 10)
    enter = QDragEnterEvent(
        point.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(picker, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        point,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(picker, drop)
    assert picker.paths() == [dropped]
    assert "setup.jpg" in picker.message.text()
    assert "not a photo" in picker.message.text()
    assert not picker.list.item(0).icon().isNull()


def test_the_feedback_dialog_records_the_files(qtbot: Any, db: Database, tmp_path: Path) -> None:
    load_demo_reference(db)
    case_id = new_case(db, "楼道堆放杂物")
    with db.session() as session:
        coord = actor(session, "coordinator")
        case_actions.dispatch_cases(
            session, coord, load_calendar(session), [case_id], "department", "dept_wuye"
        )
        case_actions.acknowledge(session, actor(session, "dept_wuye"), case_id)
        case = session.get(Case, case_id)
    ctx = context(db, tmp_path, "dept_wuye")
    dialog = FeedbackDialog(ctx, case)
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.result_text, "杂物已清理")
    letter = photo(tmp_path / "回执.jpg", gps=True)
    dialog.add_files([photo(tmp_path / "清理后.jpg"), letter])
    dialog.picker.list.item(1).setCheckState(Qt.CheckState.Checked)  # a document
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    with db.sessions() as session:
        event = session.scalar(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.type == "feedback")
        )
        assert event is not None
        rows = list(session.scalars(select(Attachment).where(Attachment.event_id == event.id)))
    names = [e["file_name"] for e in event.data["attachments"]]
    assert names == ["清理后.jpg", "回执.jpg"]
    assert len(rows) == 2
    stored = (
        tmp_path / "attachments" / next(r.stored_name for r in rows if r.file_name == "回执.jpg")
    )
    assert not Image.open(stored).getexif().get_ifd(ExifTags.IFD.GPSInfo)


def test_the_reception_form_offers_a_photos_location(qtbot: Any, tmp_path: Path) -> None:
    form = VisitForm(True, data_dir=tmp_path)
    qtbot.addWidget(form)
    form.show()
    assert form.picker is not None
    form.picker.add_files([photo(tmp_path / "井盖.jpg", gps=True)])
    assert form.photo_location.isVisibleTo(form)
    form.picker.list.item(0).setCheckState(Qt.CheckState.Checked)  # a document: never offered
    assert not form.photo_location.isVisibleTo(form)
    form.picker.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(form.photo_location, Qt.MouseButton.LeftButton)
    assert (form.lat, form.lon) == pytest.approx((30.26, 120.15))
    assert not form.photo_location.isVisibleTo(form)
    assert [f.path.name for f in form.files()] == ["井盖.jpg"]
    form.outcome_buttons["record_only"].setChecked(True)
    assert form.files() == [] and not form.picker.isVisibleTo(form)


def test_keep_the_originals_keeps_a_large_photos_bytes(qtbot: Any, tmp_path: Path) -> None:
    """Unticked, a photo over 2,560 px is made smaller; ticked, its bytes and hash stay."""
    from services.attachments import photos

    big = tmp_path / "大图.jpg"
    Image.new("RGB", (3000, 2000), "blue").save(big, "JPEG", quality=95)
    picker = AttachmentPicker(tmp_path / "data")
    qtbot.addWidget(picker)
    assert picker.add_files([big]) == [big]
    smaller = photos.prepare(big, **_how(picker.files()[0]))
    assert max(Image.open(io.BytesIO(smaller.data)).size) == 2560
    picker.keep_original.setChecked(True)
    kept = photos.prepare(big, **_how(picker.files()[0]))
    assert kept.data == big.read_bytes()


def _how(new: Any) -> dict[str, bool]:
    return {"keep_original": new.keep_original, "document": new.document}
