"""Looking at attachments (issue 15 part 4) on screen: the detail panel's
thumbnails grouped by step, a placeholder for a file not on this computer that
downloads on a click, the photo viewer's next/previous and zoom, and the
verify dialog's before and after side by side."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from sqlalchemy import select

from models.db import Database
from models.tables import Case, CaseEvent
from models.types import utcnow
from services.attachments.store import write_blob
from services.cases import actions as case_actions
from services.cases import records as cases_service
from services.demo.district import demo_user_id
from services.worktime.workdays import load_calendar
from tests.builders import GRID, actor
from tests.gui.test_queue_screen import context
from views.attachments.thumbs import ThumbnailStrip
from views.attachments.viewer import PhotoViewer
from views.queue import ops
from views.queue.actions.feedback import attachments_folder
from views.queue.actions.verify import VerifyDialog
from views.queue.detail import DetailPanel

pytestmark = pytest.mark.gui


def photo(path: Path, colour: str, text: str, size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A real JPEG: a colour and a few words."""
    image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    painter = QPainter(image)
    painter.setPen(QColor("white"))
    font = QFont()
    font.setPixelSize(size[1] // 8)
    painter.setFont(font)
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    assert image.save(str(path), "JPEG", 85)
    return path.read_bytes()


def entry(data: bytes, name: str) -> dict[str, Any]:
    sha = hashlib.sha256(data).hexdigest()
    return {"sha256": sha, "file_name": name, "size": len(data), "content_type": "image/jpeg"}


def build_case(db: Database, data_dir: Path, work: Path, missing: bytes | None = None) -> str:
    """A case registered with two photos, dispatched, signed for and reported with
    two more: ready for verification. ``missing``: a comment names a photo whose
    file is not on this computer."""
    folder = data_dir / "attachments"
    before = [
        photo(work / "b1.jpg", "#8d6e63", "堆放杂物 1"),
        photo(work / "b2.jpg", "#6d4c41", "堆放杂物 2", (1200, 1600)),
    ]
    for data in before:
        write_blob(folder, hashlib.sha256(data).hexdigest(), [data])
    with db.session() as session:
        coord = actor(session, "coordinator")
        case_id = cases_service.create_case(
            session,
            coord,
            title="楼道堆放杂物",
            description="楼道堆放杂物",
            category_code="1503",
            org_unit_id=GRID,
        ).id
        row = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.type == "created")
        ).one()
        row.data = {
            **row.data,
            "attachments": [entry(before[0], "现场一.jpg"), entry(before[1], "现场二.jpg")],
        }
        case_actions.dispatch_cases(
            session, coord, load_calendar(session), [case_id], "department", "dept_wuye"
        )
    with db.session() as session:
        case_actions.acknowledge(session, actor(session, "dept_wuye"), case_id)
    if missing is not None:
        with db.session() as session:
            session.add(
                CaseEvent(
                    id=str(uuid.uuid4()),
                    case_id=case_id,
                    type="commented",
                    at=utcnow() + timedelta(seconds=1),
                    actor_id=demo_user_id("coordinator"),
                    data={"text": "补充照片", "attachments": [entry(missing, "补充.jpg")]},
                    server_seq=77,
                    received_at=utcnow(),
                )
            )
    photo(work / "a1.jpg", "#2e7d32", "已清理 1")
    photo(work / "a2.jpg", "#1565c0", "已清理 2")
    with db.session() as session:
        case_actions.feedback(
            session,
            actor(session, "dept_wuye"),
            case_id,
            "已清理完毕",
            [work / "a1.jpg", work / "a2.jpg"],
            folder,
        )
    return case_id


@pytest.fixture
def district(ref_db: Database) -> Database:
    return ref_db


def wait_thumbnails(qtbot: Any, strips: list[ThumbnailStrip]) -> None:
    def done() -> None:
        states = [s.tile_state(i) for s in strips for i in range(s.count())]
        assert "loading" not in states and "downloading" not in states

    qtbot.waitUntil(done, timeout=5000)


def test_the_detail_shows_thumbnails_grouped_by_step(
    qtbot: Any, district: Database, tmp_path: Path, zh_translations: Any
) -> None:
    case_id = build_case(district, tmp_path / "data", tmp_path)
    panel = DetailPanel(context(district, tmp_path / "data", "coordinator"))
    qtbot.addWidget(panel)
    panel.resize(700, 800)
    panel.show_case(case_id)
    pane = panel.attachments
    headers = [s.header.text() for s in pane.sections]
    assert len(headers) == 2
    assert headers[0].startswith("受理 · ") and headers[1].startswith("反馈 · ")
    assert headers[1].endswith(panel.names.user(demo_user_id("dept_wuye")))
    wait_thumbnails(qtbot, pane.strips)
    assert [s.count() for s in pane.strips] == [2, 2]
    states = [s.tile_state(i) for s in pane.strips for i in range(s.count())]
    assert states == ["thumbnail"] * 4
    icon = pane.strips[0].item(1).icon().pixmap(112, 112)
    assert icon.height() > icon.width()  # the upright photo stays upright
    assert panel.tabs.tabText(3) == "附件 (4)" or "4" in panel.tabs.tabText(3)


def test_a_missing_file_shows_a_placeholder_and_downloads_on_click(
    qtbot: Any, district: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    extra = photo(tmp_path / "extra.jpg", "#c62828", "补充")
    case_id = build_case(district, data_dir, tmp_path, missing=extra)
    asked: list[str] = []

    def download(ctx: Any, sha: str) -> Path | None:
        asked.append(sha)
        return write_blob(attachments_folder(ctx), sha, [extra])

    monkeypatch.setattr(ops, "download_attachment", download)
    panel = DetailPanel(context(district, data_dir, "coordinator"))
    qtbot.addWidget(panel)
    panel.attachments.auto_download = False  # the click path, alone
    panel.show_case(case_id)
    pane = panel.attachments
    kinds = [s.header.text().split(" · ")[0] for s in pane.sections]
    assert sorted(kinds) == ["comment", "feedback", "registration"]
    strip = pane.strips[kinds.index("comment")]
    assert strip.tile_state(0) == "missing"
    assert "click to download" in strip.item(0).toolTip()
    rect = strip.visualItemRect(strip.item(0))
    qtbot.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: strip.tile_state(0) == "thumbnail", timeout=5000)
    assert asked == [hashlib.sha256(extra).hexdigest()]
    assert strip.files[0].path is not None and strip.files[0].path.is_file()


def test_a_failed_download_says_so_in_words(
    qtbot: Any, district: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    case_id = build_case(district, data_dir, tmp_path, missing=b"\xff\xd8\xff gone")
    monkeypatch.setattr(ops, "download_attachment", lambda ctx, sha: None)
    panel = DetailPanel(context(district, data_dir, "coordinator"))
    qtbot.addWidget(panel)
    panel.show_case(case_id)
    strip = next(s for s in panel.attachments.strips if s.files[0].step == "commented")
    strip.download(0)
    qtbot.waitUntil(lambda: strip.tile_state(0) == "failed", timeout=5000)
    assert strip.item(0).text().startswith("Cannot download: ")


def test_a_desk_without_a_county_says_the_file_cannot_be_fetched(
    qtbot: Any, district: Database, tmp_path: Path
) -> None:
    """The real downloader on a desk with no county set: the tile says so, in words."""
    data_dir = tmp_path / "data"
    case_id = build_case(district, data_dir, tmp_path, missing=b"\xff\xd8\xff gone")
    ctx = context(district, data_dir, "coordinator")
    assert ops.download_attachment(ctx, "a" * 64) is None
    panel = DetailPanel(ctx)
    qtbot.addWidget(panel)
    panel.show_case(case_id)
    strip = next(s for s in panel.attachments.strips if s.files[0].step == "commented")
    qtbot.waitUntil(lambda: strip.tile_state(0) == "failed", timeout=10000)
    assert "无法下载" in strip.item(0).text() or "Cannot download" in strip.item(0).text()


def test_the_viewer_goes_next_and_previous_and_zooms(
    qtbot: Any, district: Database, tmp_path: Path
) -> None:
    case_id = build_case(district, tmp_path / "data", tmp_path)
    panel = DetailPanel(context(district, tmp_path / "data", "coordinator"))
    qtbot.addWidget(panel)
    panel.show_case(case_id)
    wait_thumbnails(qtbot, panel.attachments.strips)
    third = panel.attachments.strips[1].files[0].sha256
    viewer = panel.attachments.opener.open(third)
    qtbot.addWidget(viewer)
    viewer.resize(900, 700)
    assert len(viewer.photos) == 4 and viewer.index == 2
    qtbot.waitUntil(lambda: not viewer.loading and not viewer.view.item.pixmap().isNull())
    assert "a1.jpg" in viewer.caption.text()
    assert panel.names.user(demo_user_id("dept_wuye")) in viewer.caption.text()
    fitted = viewer.view.zoom
    assert fitted < 1  # a 1600 px photo is scaled to fit 900 px
    qtbot.keyClick(viewer, Qt.Key.Key_Plus)
    assert viewer.view.zoom == pytest.approx(fitted * 1.25)
    viewer.zoom_out_button.click()
    viewer.zoom_out_button.click()
    assert viewer.view.zoom == pytest.approx(fitted / 1.25)
    viewer.actual_button.click()
    assert viewer.view.zoom == pytest.approx(1.0)
    viewer.fit_button.click()
    assert viewer.view.zoom == pytest.approx(fitted)
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    assert viewer.index == 3 and "a2.jpg" in viewer.caption.text()
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    assert viewer.index == 0 and "现场一.jpg" in viewer.caption.text()
    viewer.previous_button.click()
    assert viewer.index == 3
    # The second registration photo is portrait: shown upright, taller than wide.
    viewer.show_photo(1)
    qtbot.waitUntil(lambda: not viewer.loading and not viewer.view.item.pixmap().isNull())
    pixmap = viewer.view.item.pixmap()
    assert (pixmap.width(), pixmap.height()) == (1200, 1600)


def test_the_viewer_wheel_zooms_only_with_ctrl(qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent

    from views.attachments.viewer import Photo

    photo(tmp_path / "p.jpg", "#455a64", "p")
    viewer = PhotoViewer([Photo("a" * 64, tmp_path / "p.jpg", "p.jpg", "feedback", None, "")])
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitUntil(lambda: not viewer.loading and not viewer.view.item.pixmap().isNull())
    before = viewer.view.zoom

    def wheel(modifiers: Qt.KeyboardModifier) -> None:
        centre = QPointF(viewer.view.viewport().rect().center())
        event = QWheelEvent(
            centre,
            viewer.view.viewport().mapToGlobal(centre),
            QPoint(0, 0),
            QPoint(0, 120),
            Qt.MouseButton.NoButton,
            modifiers,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        viewer.view.wheelEvent(event)

    wheel(Qt.KeyboardModifier.NoModifier)
    assert viewer.view.zoom == pytest.approx(before)
    wheel(Qt.KeyboardModifier.ControlModifier)
    assert viewer.view.zoom == pytest.approx(before * 1.25)
    assert viewer.previous_button.isEnabled() is False


def test_the_verify_dialog_shows_before_and_after_side_by_side(
    qtbot: Any, district: Database, tmp_path: Path, zh_translations: Any
) -> None:
    case_id = build_case(district, tmp_path / "data", tmp_path)
    ctx = context(district, tmp_path / "data", "coordinator")
    with district.sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.state == "handled"
        session.expunge(case)
    dialog = VerifyDialog(ctx, case)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_thumbnails(qtbot, [dialog.before, dialog.after])
    assert [f.file_name for f in dialog.before.files] == ["现场一.jpg", "现场二.jpg"]
    assert [f.file_name for f in dialog.after.files] == ["a1.jpg", "a2.jpg"]
    assert dialog.before.tile_state(0) == dialog.after.tile_state(0) == "thumbnail"
    before = dialog.before.mapTo(dialog, QPoint(0, 0))
    after = dialog.after.mapTo(dialog, QPoint(0, 0))
    assert after.x() > before.x() + dialog.before.width() - 1  # side by side
    assert abs(after.y() - before.y()) < 5
    viewer = dialog.opener.open(dialog.after.files[1].sha256)
    qtbot.addWidget(viewer)
    assert len(viewer.photos) == 4 and viewer.index == 3


def test_opening_a_case_downloads_its_missing_files_by_itself(
    qtbot: Any, district: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    extra = photo(tmp_path / "extra.jpg", "#c62828", "补充")
    case_id = build_case(district, data_dir, tmp_path, missing=extra)
    asked: list[str] = []

    def download(ctx: Any, sha: str) -> Path | None:
        asked.append(sha)
        return write_blob(attachments_folder(ctx), sha, [extra])

    monkeypatch.setattr(ops, "download_attachment", download)
    panel = DetailPanel(context(district, data_dir, "coordinator"))
    qtbot.addWidget(panel)
    panel.show_case(case_id)
    strip = next(s for s in panel.attachments.strips if s.files[0].step == "commented")
    qtbot.waitUntil(lambda: strip.tile_state(0) == "thumbnail", timeout=5000)
    assert asked == [hashlib.sha256(extra).hexdigest()]  # only the missing one, once
