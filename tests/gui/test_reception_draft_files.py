"""Files picked on the reception form survive a crash: each is copied into the drafts
folder at once (services.reception.draft_files), the draft records its hash, name and
document tick, a restored draft brings them back even after the originals moved away,
and submitting or discarding removes the copies (never a blob of the desk's store)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from sqlalchemy import select

from models.db import Database
from models.tables import CaseEvent, Draft
from services.attachments.store import local_blob
from services.reception import draft_files, drafts
from tests.gui.test_reception_desk import GRID_NAME, count, make_view, settle
from views.attachments.picker import attachments_folder
from views.reception.view import ReceptionView

pytestmark = pytest.mark.gui

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def usb_stick(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A photo and a scanned letter on a stick that will be pulled out."""
    stick = tmp_path / "stick"
    stick.mkdir()
    photo = stick / "井盖.jpg"
    Image.new("RGB", (320, 240), "green").save(photo, "JPEG")
    letter = stick / "来信.pdf"
    letter.write_bytes(PDF)
    return stick, photo, letter


def fill(view: ReceptionView) -> None:
    form = view.form
    form.name.setText("张三")
    form.phone.setText("13812345678")
    form.summary.setPlainText("小区门口污水井盖缺失，夜间有人险些踩空。")
    form.category.set_value("010201", text="污水井盖缺失")
    form.place.set_value("990101001001001", text=GRID_NAME)
    form.address.setText("幸福路12号")


def drafts_folder(data_dir: Path) -> Path:
    return draft_files.draft_files_folder(attachments_folder(data_dir))


def kept_files(data_dir: Path) -> list[Path]:
    folder = drafts_folder(data_dir)
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def crash(view: ReceptionView) -> None:
    """The window goes away without submitting or clearing anything (the process
    would die here; the old screen is only hidden, so nothing of it runs again)."""
    view.draft_timer.stop()
    view.hide()
    view.blockSignals(True)
    view.form.blockSignals(True)


def test_picked_files_come_back_with_the_draft_after_a_crash(
    qtbot: Any, ref_db: Database, tmp_path: Path
) -> None:
    data_dir = tmp_path / "desk"
    stick, photo, letter = usb_stick(tmp_path)
    shas = {hashlib.sha256(p.read_bytes()).hexdigest(): p.name for p in (photo, letter)}
    view = make_view(qtbot, ref_db, data_dir)
    fill(view)
    picker = view.form.picker
    assert picker is not None
    assert picker.add_files([photo, letter]) == [photo, letter]
    picker.list.item(1).setCheckState(Qt.CheckState.Checked)  # the letter is a document
    picker.keep_original.setChecked(True)
    view.save_draft()
    with ref_db.sessions() as session:
        saved = drafts.load_draft(session, "reception", view.ctx.user.id)
    assert saved is not None
    assert [(f["sha256"], f["name"], f["document"]) for f in saved.payload["files"]] == [
        (sha, name, name.endswith(".pdf")) for sha, name in shas.items()
    ]
    assert saved.payload["keep_original"] is True
    assert len(kept_files(data_dir)) == 2

    crash(view)
    shutil.rmtree(stick)  # the originals are gone with the stick

    again = make_view(qtbot, ref_db, data_dir)
    assert again.draft_banner.isVisible()
    again.restore_button.click()
    picker = again.form.picker
    assert picker is not None
    assert [picker.list.item(i).text() for i in range(picker.count())] == ["井盖.jpg", "来信.pdf"]
    chosen = picker.files()
    assert [f.document for f in chosen] == [False, True]
    assert all(f.keep_original for f in chosen)
    assert {hashlib.sha256(f.path.read_bytes()).hexdigest() for f in chosen} == set(shas)
    assert picker.message.isHidden()

    result = again.submit()
    assert result is not None and result.case_id
    with ref_db.sessions() as session:
        created = session.scalar(
            select(CaseEvent).where(
                CaseEvent.case_id == result.case_id, CaseEvent.type == "created"
            )
        )
        assert created is not None
        entries = created.data["attachments"]
    assert sorted(e["file_name"] for e in entries) == ["井盖.jpg", "来信.pdf"]
    folder = attachments_folder(data_dir)
    assert all(local_blob(folder, e["sha256"]) is not None for e in entries)
    # Sent: the draft and its copies are gone; the case's files stay in the store.
    assert count(ref_db, Draft) == 0
    assert kept_files(data_dir) == []
    assert all(local_blob(folder, e["sha256"]) is not None for e in entries)


def test_discarding_the_draft_removes_its_files(
    qtbot: Any, ref_db: Database, tmp_path: Path
) -> None:
    data_dir = tmp_path / "desk"
    _stick, photo, _letter = usb_stick(tmp_path)
    view = make_view(qtbot, ref_db, data_dir)
    fill(view)
    assert view.form.picker is not None
    view.form.picker.add_files([photo])
    view.save_draft()
    assert len(kept_files(data_dir)) == 1
    crash(view)
    again = make_view(qtbot, ref_db, data_dir)
    again.discard_button.click()
    settle()
    assert count(ref_db, Draft) == 0
    assert kept_files(data_dir) == []
    assert photo.exists()  # the original is never touched


def test_a_file_removed_from_the_form_leaves_the_draft(
    qtbot: Any, ref_db: Database, tmp_path: Path
) -> None:
    data_dir = tmp_path / "desk"
    _stick, photo, letter = usb_stick(tmp_path)
    view = make_view(qtbot, ref_db, data_dir)
    fill(view)
    picker = view.form.picker
    assert picker is not None
    picker.add_files([photo, letter])
    view.save_draft()
    picker.list.item(0).setSelected(True)
    picker.remove_selected()
    view.save_draft()
    assert [p.name for p in kept_files(data_dir)] == ["来信.pdf"]


def test_a_lost_copy_is_named_on_restore(
    qtbot: Any, ref_db: Database, tmp_path: Path, zh_translations: Any
) -> None:
    data_dir = tmp_path / "desk"
    _stick, photo, letter = usb_stick(tmp_path)
    view = make_view(qtbot, ref_db, data_dir)
    fill(view)
    assert view.form.picker is not None
    view.form.picker.add_files([photo, letter])
    view.save_draft()
    crash(view)
    lost = next(p for p in kept_files(data_dir) if p.name == "井盖.jpg")
    lost.write_bytes(b"\xff\xd8\xff altered")  # no longer the file the draft names
    again = make_view(qtbot, ref_db, data_dir)
    again.restore_button.click()
    picker = again.form.picker
    assert picker is not None
    assert [picker.list.item(i).text() for i in range(picker.count())] == ["来信.pdf"]
    assert not picker.message.isHidden()
    assert "井盖.jpg" in picker.message.text()
    if os.environ.get("GRIDDESK_SHOTS"):
        again.grab().save(str(Path(os.environ["GRIDDESK_SHOTS"]) / "reception-restored-files.png"))


def test_a_pasted_picture_is_kept_and_its_temporary_file_removed(
    qtbot: Any, ref_db: Database, tmp_path: Path
) -> None:
    from views.attachments.picker import incoming_folder

    data_dir = tmp_path / "desk"
    view = make_view(qtbot, ref_db, data_dir)
    picker = view.form.picker
    assert picker is not None
    incoming = incoming_folder(data_dir)
    incoming.mkdir(parents=True)
    pasted = incoming / "pasted-1.png"
    Image.new("RGB", (40, 30), "orange").save(pasted, "PNG")
    picker.add_files([pasted], pasted=True)
    assert not pasted.exists()
    (held,) = picker.files()
    assert held.path.parent.parent == drafts_folder(data_dir) and held.path.name == "pasted-1.png"


def test_releasing_never_touches_the_blob_store(tmp_path: Path, ref_db: Database) -> None:
    from services.attachments.store import write_blob

    folder = attachments_folder(tmp_path)
    data = PDF + b"blob"
    sha = hashlib.sha256(data).hexdigest()
    blob = write_blob(folder, sha, [data])
    source = tmp_path / "scan.pdf"
    source.write_bytes(data)
    kept = draft_files.keep_file(draft_files.draft_files_folder(folder), source)
    assert kept.sha256 == sha and kept.path != blob
    with ref_db.sessions() as session:
        assert draft_files.release_files(session, draft_files.draft_files_folder(folder)) == 1
    assert blob.is_file() and not kept.path.exists()
