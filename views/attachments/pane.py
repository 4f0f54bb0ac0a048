"""The attachments of a case, one titled strip per step, and the photo viewer
opened from any of their thumbnails (over every photo of the case)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from services.cases.detail import AttachmentInfo, AttachmentStep
from services.cases.lookups import Names

from ..context import ViewContext
from ..formatting import plain_label
from .thumbs import Downloader, StepSection, ThumbnailStrip, step_title
from .viewer import Photo, PhotoViewer


def viewer_photos(files: Iterable[AttachmentInfo], names: Names) -> list[Photo]:
    """The photos among ``files`` that are on this computer, as the viewer shows them."""
    return [
        Photo(f.sha256, f.path, f.file_name, f.step, f.at, names.user(f.actor_id))
        for f in files
        if f.is_photo and f.path is not None
    ]


class PhotoOpener:
    """Opens the viewer over the photos of some strips, at the one clicked; a file
    downloaded in one strip shows in the others too."""

    def __init__(self, owner: QWidget, names: Names) -> None:
        self.owner = owner
        self.names = names
        self.strips: list[ThumbnailStrip] = []
        self.viewer: PhotoViewer | None = None

    def watch(self, strip: ThumbnailStrip) -> None:
        self.strips.append(strip)
        strip.photo_opened.connect(self.open)
        strip.file_changed.connect(lambda sha, s=strip: self._spread(s, sha))

    def _spread(self, source: ThumbnailStrip, sha: str) -> None:
        path = next((f.path for f in source.files if f.sha256 == sha and f.path), None)
        if path is None:
            return
        for strip in self.strips:
            if strip is not source:
                strip.update_file(sha, path)

    def photos(self) -> list[Photo]:
        seen: set[tuple[str, str]] = set()
        out = []
        for photo in viewer_photos((f for s in self.strips for f in s.files), self.names):
            key = (photo.sha256, photo.step + str(photo.at))
            if key not in seen:
                seen.add(key)
                out.append(photo)
        return out

    def open(self, sha: str) -> PhotoViewer:
        photos = self.photos()
        index = next((i for i, p in enumerate(photos) if p.sha256 == sha), 0)
        if self.viewer is not None:
            self.viewer.close()
            self.viewer.deleteLater()
        self.viewer = PhotoViewer(photos, index, self.owner.window())
        self.viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.viewer.show()
        return self.viewer


class AttachmentsPane(QScrollArea):
    """The detail panel's attachments tab."""

    def __init__(
        self,
        ctx: ViewContext,
        downloader: Downloader | None = None,
        parent: QWidget | None = None,
        *,
        auto_download: bool = True,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.downloader = downloader
        # Files of the opened case not on this computer are fetched at once, in the
        # background (issue 15: "on demand when a case is opened"); a click retries.
        self.auto_download = auto_download
        self.setObjectName("attachments")
        self.setWidgetResizable(True)
        self.sections: list[StepSection] = []
        self.opener = PhotoOpener(self, Names())
        self.note: QLabel | None = None
        self._build()

    def _build(self) -> None:
        body = QWidget()
        self.column = QVBoxLayout(body)
        self.column.setContentsMargins(4, 4, 4, 4)
        self.column.addStretch(1)
        self.setWidget(body)

    def clear(self) -> None:
        if self.opener.viewer is not None:
            self.opener.viewer.close()
        self.sections = []
        self.note = None
        self.opener = PhotoOpener(self, self.opener.names)
        self._build()

    @property
    def strips(self) -> list[ThumbnailStrip]:
        return [s.strip for s in self.sections]

    def count(self) -> int:
        """How many files are shown."""
        return sum(s.count() for s in self.strips)

    def set_steps(self, steps: list[AttachmentStep], names: Names, unreadable: int = 0) -> None:
        self.clear()
        self.opener.names = names
        for step in sorted(steps, key=lambda s: s.at):  # as they happened
            strip = ThumbnailStrip(self.ctx, list(step.files), downloader=self.downloader)
            self.opener.watch(strip)
            section = StepSection(step_title(step.kind, step.at, names.user(step.actor_id)), strip)
            self.column.insertWidget(self.column.count() - 1, section)
            self.sections.append(section)
        if self.auto_download:
            for strip in self.strips:
                strip.download_missing()
        if not steps:
            empty = plain_label(self.tr("No attachments."))
            empty.setObjectName("attachmentsEmpty")
            self.column.insertWidget(0, empty)
        if unreadable:
            self.note = plain_label(
                self.tr(
                    "%n attachment entry(s) from the county could not be read and are not shown.",
                    "",
                    unreadable,
                )
            )
            self.note.setObjectName("attachmentsNote")
            self.note.setWordWrap(True)
            self.column.insertWidget(self.column.count() - 1, self.note)
