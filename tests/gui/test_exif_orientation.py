"""A phone photo held upright is stored landscape with EXIF Orientation 6 ("rotate
90° clockwise to show"). The detail's thumbnail, the map's small picture, the picker's
preview and the viewer show it upright: taller than wide, its left edge on top."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage

from services.attachments.store import write_blob
from services.cases.detail import AttachmentInfo
from tests.gui.test_queue_screen import context
from views.attachments import picker, thumbs
from views.attachments.thumbs import ThumbnailStrip, read_image
from views.attachments.viewer import Photo, PhotoViewer

pytestmark = pytest.mark.gui

ORIENTATION = 0x0112
WIDTH, HEIGHT = 800, 400  # as stored: landscape


def rotated_jpeg(path: Path) -> bytes:
    """Left half red, right half blue, stored 800×400 with Orientation 6."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (220, 30, 30))
    image.paste((30, 30, 220), (WIDTH // 2, 0, WIDTH, HEIGHT))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    image.save(path, "JPEG", quality=90, exif=exif.tobytes())
    with Image.open(path) as check:  # the tag really is in the file
        assert check.getexif().get(ORIENTATION) == 6
        assert check.size == (WIDTH, HEIGHT)
    return path.read_bytes()


def is_red(colour: QColor) -> bool:
    return colour.red() > 150 and colour.blue() < 100


def is_blue(colour: QColor) -> bool:
    return colour.blue() > 150 and colour.red() < 100


def assert_upright(image: QImage) -> None:
    """Turned clockwise: the stored left (red) is on top, the right (blue) below."""
    assert not image.isNull()
    assert image.height() > image.width()
    assert image.height() == pytest.approx(2 * image.width(), abs=2)
    middle = image.width() // 2
    assert is_red(image.pixelColor(middle, image.height() // 8))
    assert is_blue(image.pixelColor(middle, image.height() * 7 // 8))


@pytest.fixture
def stored(tmp_path: Path) -> tuple[str, Path]:
    data = rotated_jpeg(tmp_path / "phone.jpg")
    sha = hashlib.sha256(data).hexdigest()
    return sha, write_blob(tmp_path / "attachments", sha, [data])


def test_the_decoder_turns_the_photo_upright(stored: tuple[str, Path]) -> None:
    _sha, path = stored
    full = read_image(path)
    assert (full.width(), full.height()) == (HEIGHT, WIDTH)
    assert_upright(full)
    small = read_image(path, 112)
    assert max(small.width(), small.height()) == 112
    assert_upright(small)


def test_the_detail_thumbnail_and_the_map_picture_are_upright(
    qtbot: Any, ref_db: Any, tmp_path: Path, stored: tuple[str, Path]
) -> None:
    sha, path = stored
    thumbs._cache.clear()
    info = AttachmentInfo(
        "phone.jpg", sha, path.stat().st_size, "e1", datetime.now(UTC), path, "image/jpeg"
    )
    strip = ThumbnailStrip(context(ref_db, tmp_path / "data", "coordinator"), [info])
    qtbot.addWidget(strip)
    qtbot.waitUntil(lambda: strip.tile_state(0) == "thumbnail", timeout=5000)
    icon = strip.item(0).icon()
    shown = icon.pixmap(icon.availableSizes()[0]).toImage()
    assert_upright(shown)
    uri = thumbs.data_uri(sha, path)
    assert uri is not None
    small = QImage.fromData(base64.b64decode(uri.split(",", 1)[1]), "JPEG")
    assert_upright(small)


def test_the_picker_preview_is_upright(qtbot: Any, stored: tuple[str, Path]) -> None:
    _sha, path = stored
    icon = picker.thumbnail(path, "image/jpeg")
    shown = icon.pixmap(icon.availableSizes()[0]).toImage()
    assert_upright(shown)


def test_the_viewer_shows_the_photo_upright(qtbot: Any, stored: tuple[str, Path]) -> None:
    sha, path = stored
    viewer = PhotoViewer([Photo(sha, path, "phone.jpg", "created", None, "接待员")])
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitUntil(lambda: not viewer.loading and not viewer.view.item.pixmap().isNull())
    pixmap = viewer.view.item.pixmap()
    assert (pixmap.width(), pixmap.height()) == (HEIGHT, WIDTH)
    assert_upright(pixmap.toImage())
    # fitted into the window, the scene keeps the upright proportions
    rect = viewer.view.mapFromScene(viewer.view.sceneRect()).boundingRect()
    assert rect.height() > rect.width()
