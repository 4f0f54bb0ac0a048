"""Thumbnails of a case's attachments: tiles in strips, one strip per step.

A thumbnail is decoded off the GUI thread (``views.tasks.Op``; ``QImageReader``
with the EXIF orientation applied and scaled while decoding) and kept by its
SHA-256, so the same file is decoded once however often a case is opened. A file
not on this computer shows a placeholder tile ("未下载，点击下载"); a click asks
the county for it in the background (``views.queue.ops.download_attachment``)
and the tile says in words when that fails. PDFs show an icon and open in the
system's viewer.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QIcon, QImage, QImageReader, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from services.attachments.store import local_blob
from services.cases.detail import AttachmentInfo
from services.errors import DomainError

from ..context import ViewContext
from ..formatting import clean, plain_label, plain_tip
from ..messages import error_text
from ..tasks import Op
from .picker import attachments_folder

THUMB = 112
"""The long side of a thumbnail, in pixels."""
LOOK_AGAIN_MS = 300
"""How soon after news of downloaded files a strip looks for its missing ones."""

_cache: dict[tuple[str, int], QImage] = {}
_cache_lock = threading.Lock()
_CACHE_MAX = 400

Downloader = Callable[[ViewContext, str], Path | None]


def _default_downloader(ctx: ViewContext, sha256: str) -> Path | None:
    from ..queue import ops

    return ops.download_attachment(ctx, sha256)


def read_image(path: Path, long_side: int | None = None) -> QImage:
    """A photo upright (EXIF orientation applied), scaled while decoding when
    ``long_side`` is given; a null image when it cannot be read. Safe off the GUI thread."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    if long_side:
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > long_side:
            reader.setScaledSize(
                size.scaled(long_side, long_side, Qt.AspectRatioMode.KeepAspectRatio)
            )
    image = reader.read()
    if not image.isNull() and long_side and max(image.width(), image.height()) > long_side:
        image = image.scaled(
            long_side,
            long_side,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return image


def thumbnail(sha256: str, path: Path, long_side: int = THUMB) -> QImage:
    """The thumbnail of blob ``sha256``, from the cache or decoded now."""
    key = (sha256, long_side)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    image = read_image(path, long_side)
    if not image.isNull():
        with _cache_lock:
            if len(_cache) >= _CACHE_MAX:
                _cache.pop(next(iter(_cache)))
            _cache[key] = image
    return image


DATA_URI_PREFIX = "data:image/jpeg;base64,"


def data_uri(sha256: str, path: Path, long_side: int = 120) -> str | None:
    """A small JPEG of a local photo as a ``data:`` URI (for the map's tooltip,
    whose page loads nothing from the network); None when it cannot be read."""
    image = thumbnail(sha256, path, min(long_side, THUMB))
    if image.isNull():
        return None
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    if not rgb.save(buffer, "JPEG", 80):  # type: ignore[call-overload]
        return None
    return DATA_URI_PREFIX + base64.b64encode(bytes(buffer.data().data())).decode("ascii")


def cached_thumbnail(sha256: str, long_side: int = THUMB) -> QImage | None:
    with _cache_lock:
        return _cache.get((sha256, long_side))


def _tile(text: str, colour: str = "#eef1f5") -> QPixmap:
    """A square placeholder tile with a few words on it."""
    pixmap = QPixmap(THUMB, THUMB)
    pixmap.fill(QColor(colour))
    painter = QPainter(pixmap)
    painter.setPen(QColor("#8a94a6"))
    painter.drawRect(0, 0, THUMB - 1, THUMB - 1)
    painter.setPen(QColor("#44506a"))
    painter.drawText(
        pixmap.rect().adjusted(8, 8, -8, -8),
        Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
        text,
    )
    painter.end()
    return pixmap


def _pdf_tile() -> QPixmap:
    pixmap = QPixmap(THUMB, THUMB)
    pixmap.fill(QColor("#fbeaea"))
    painter = QPainter(pixmap)
    icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
    icon.paint(painter, pixmap.rect().adjusted(28, 18, -28, -38))
    painter.setPen(QColor("#b3261e"))
    font = painter.font()
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(
        pixmap.rect().adjusted(0, 0, 0, -12),
        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
        "PDF",
    )
    painter.end()
    return pixmap


class ThumbnailStrip(QListWidget):
    """The tiles of some attachments. ``wrap=False``: one row that scrolls sideways."""

    photo_opened = Signal(str)
    """The SHA-256 of a photo on this computer the user opened."""
    file_changed = Signal(str)
    """A file was downloaded: its SHA-256 (its path is in :attr:`files`)."""

    STATE_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self,
        ctx: ViewContext,
        files: list[AttachmentInfo] | None = None,
        *,
        wrap: bool = False,
        downloader: Downloader | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.downloader = downloader
        self.setObjectName("thumbnailStrip")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 28, THUMB + 44))
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setWordWrap(True)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(wrap)
        if not wrap:
            self.setFixedHeight(THUMB + 44 + self.horizontalScrollBar().sizeHint().height())
            self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.files: list[AttachmentInfo] = []
        self._ops: dict[str, Op[Any]] = {}
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._activated)
        # Files the background download brings while this strip is shown replace their
        # placeholders; bursts of news (one per file) are looked at every LOOK_AGAIN_MS.
        self._look_again = QTimer(self)
        self._look_again.setSingleShot(True)
        self._look_again.setInterval(LOOK_AGAIN_MS)
        self._look_again.timeout.connect(self.look_for_arrived)
        events = getattr(ctx, "events", None)
        if events is not None:
            events.attachments_arrived.connect(self._arrived)
        if files:
            self.set_files(files)

    # ------------------------------------------------------------ filling
    def set_files(self, files: list[AttachmentInfo]) -> None:
        self.clear()
        self.files = list(files)
        for index in range(len(self.files)):
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, index)
            item.setSizeHint(QSize(THUMB + 24, THUMB + 40))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            self.addItem(item)
            self._show(index)

    def tile_state(self, index: int) -> str:
        """``thumbnail``, ``loading``, ``pdf``, ``missing``, ``downloading``,
        ``failed`` or ``unreadable``."""
        return str(self.item(index).data(self.STATE_ROLE) or "")

    def _caption(self, info: AttachmentInfo) -> str:
        return clean(info.file_name, 40)

    def _set(
        self, index: int, state: str, pixmap: QPixmap, text: str | None = None, note: str = ""
    ) -> None:
        item = self.item(index)
        info = self.files[index]
        item.setData(self.STATE_ROLE, state)
        item.setIcon(QIcon(pixmap))
        item.setText(text if text is not None else self._caption(info))
        tip = [info.file_name, _size_text(info.size), note]
        item.setToolTip(plain_tip("\n".join(t for t in tip if t)))

    def _show(self, index: int) -> None:
        info = self.files[index]
        if info.path is None:
            note = self.tr("Not downloaded; click to download")
            self._set(index, "missing", _tile(note), note=note)
            return
        if info.is_pdf:
            self._set(index, "pdf", _pdf_tile())
            return
        if not info.is_photo:
            self._set(index, "file", _tile(self.tr("File")))
            return
        cached = cached_thumbnail(info.sha256)
        if cached is not None:
            self._set(index, "thumbnail", QPixmap.fromImage(cached))
            return
        self._set(index, "loading", _tile(self.tr("Loading…")))
        sha, path = info.sha256, info.path
        self._ops[sha] = (
            Op(self, lambda: thumbnail(sha, path), key=("thumb", sha))
            .success(partial(self._thumbnail_ready, index, sha))
            .failure(lambda _exc: self._unreadable(index, sha))
            .run_in_background()
        )

    def _thumbnail_ready(self, index: int, sha: str, image: QImage) -> None:
        if index >= len(self.files) or self.files[index].sha256 != sha:
            return  # the strip shows other files now
        if image.isNull():
            self._unreadable(index, sha)
            return
        self._set(index, "thumbnail", QPixmap.fromImage(image))

    def _unreadable(self, index: int, sha: str) -> None:
        if index < len(self.files) and self.files[index].sha256 == sha:
            self._set(index, "unreadable", _tile(self.tr("Cannot show this photo"), "#fdf3e7"))

    # ------------------------------------------------------------ clicks
    def _clicked(self, item: QListWidgetItem) -> None:
        index = int(item.data(Qt.ItemDataRole.UserRole))
        if self.tile_state(index) in ("missing", "failed"):
            self.download(index)

    def _activated(self, item: QListWidgetItem) -> None:
        index = int(item.data(Qt.ItemDataRole.UserRole))
        state = self.tile_state(index)
        info = self.files[index]
        if state in ("missing", "failed"):
            self.download(index)
        elif state == "thumbnail":
            self.photo_opened.emit(info.sha256)
        elif info.path is not None and state in ("pdf", "file", "unreadable"):
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(info.path)))

    def download_missing(self) -> None:
        """Fetch every file of this strip that is not on this computer yet."""
        for index in range(len(self.files)):
            if self.tile_state(index) == "missing":
                self.download(index)

    def download(self, index: int) -> None:
        """Ask the county for a file not on this computer, in the background."""
        info = self.files[index]
        if self.tile_state(index) == "downloading":
            return
        self._set(index, "downloading", _tile(self.tr("Downloading…")))
        ctx, sha = self.ctx, info.sha256
        fetch = self.downloader or _default_downloader
        self._ops[sha] = (
            Op(self, lambda: fetch(ctx, sha), key=("download", sha))
            .success(partial(self._downloaded, index, sha))
            .failure(partial(self._download_failed, index, sha))
            .run_in_background()
        )

    def _downloaded(self, index: int, sha: str, path: Path | None) -> None:
        if index >= len(self.files) or self.files[index].sha256 != sha:
            return
        if path is None:
            self._download_failed(index, sha, None)
            return
        self.files[index] = replace(self.files[index], path=path)
        self._show(index)
        self.file_changed.emit(sha)

    def _download_failed(self, index: int, sha: str, exc: BaseException | None) -> None:
        if index >= len(self.files) or self.files[index].sha256 != sha:
            return
        if exc is None:
            reason = self.tr("the county does not have it or cannot be reached")
        elif isinstance(exc, DomainError):
            reason = error_text(exc)
        elif isinstance(exc, OSError):
            reason = self.tr("it could not be saved on this computer")
        else:
            reason = self.tr("an unexpected problem")
        text = self.tr("Cannot download: %1").replace("%1", reason)
        self._set(index, "failed", _tile(text, "#fdecea"), text, text)

    def _arrived(self) -> None:
        if not self._look_again.isActive() and any(f.path is None for f in self.files):
            self._look_again.start()

    def look_for_arrived(self) -> list[str]:
        """Show the files not on this computer that are now (a stat each): the hashes
        that arrived."""
        folder = attachments_folder(self.ctx.data_dir)
        found: list[str] = []
        for info in list(self.files):
            if info.path is not None or info.sha256 in found:
                continue
            path = local_blob(folder, info.sha256)
            if path is not None:
                found.append(info.sha256)
                self.update_file(info.sha256, path)
                self.file_changed.emit(info.sha256)
        return found

    def update_file(self, sha: str, path: Path) -> None:
        """Another strip downloaded ``sha``: show it here too."""
        for index, info in enumerate(self.files):
            if info.sha256 == sha and info.path is None:
                self.files[index] = replace(info, path=path)
                self._show(index)


def _size_text(size: int) -> str:
    if size <= 0:
        return ""
    if size < 1048576:
        return f"{max(size / 1024, 1):.0f} KB"
    return f"{size / 1048576:.1f} MB"


def step_title(kind: str, at: object, who: str) -> str:
    """ "受理 · 2026-11-20 09:12 · 谢丽"."""
    from services.cases.labels import EVENT_LABELS

    from ..formatting import label, local

    parts = [label(EVENT_LABELS.get(kind, kind)), local(at), clean(who, 60)]  # type: ignore[arg-type]
    return " · ".join(p for p in parts if p)


class StepSection(QFrame):
    """A header ("反馈 · 2026-11-21 15:40 · 城管科") over the strip of one step's files."""

    def __init__(self, title: str, strip: ThumbnailStrip, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentStep")
        self.header = plain_label(title)
        self.header.setObjectName("attachmentStepHeader")
        font = self.header.font()
        font.setBold(True)
        self.header.setFont(font)
        self.strip = strip
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 4, 0, 4)
        column.setSpacing(2)
        column.addWidget(self.header)
        column.addWidget(strip)
