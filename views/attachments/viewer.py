"""The photo viewer: one photo of a case scaled to fit, zoom (Ctrl+wheel, + and −,
fit, 100 %), drag to pan, the previous and next photo (arrow keys, buttons), and a
caption with the file name, the step, who and when.

Photos are decoded off the GUI thread (``views.tasks.Op``) with their EXIF
orientation applied, so a 20 MB photo never freezes the window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeyEvent, QKeySequence, QPainter, QPixmap, QShortcut, QWheelEvent
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..formatting import clean, plain_label
from ..tasks import Op
from .thumbs import read_image, step_title

MIN_ZOOM = 0.02
MAX_ZOOM = 16.0
STEP = 1.25


@dataclass(frozen=True)
class Photo:
    """What the viewer shows of one photo."""

    sha256: str
    path: Path
    file_name: str
    step: str
    at: datetime | None
    who: str


class PhotoView(QGraphicsView):
    """The picture: drag to pan, Ctrl+wheel to zoom."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoView")
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(Qt.GlobalColor.darkGray)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the arrow keys are the viewer's
        self.fitting = True
        self.on_zoom: Callable[[], None] | None = None

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_image(self, image: QImage) -> None:
        self.item.setPixmap(QPixmap.fromImage(image))
        self.scene().setSceneRect(self.item.boundingRect())
        self.fit()

    def clear_image(self) -> None:
        self.item.setPixmap(QPixmap())

    def fit(self) -> None:
        self.fitting = True
        if self.item.pixmap().isNull():
            return
        self.resetTransform()
        rect = self.item.boundingRect()
        view = self.viewport().rect()
        if rect.width() > view.width() or rect.height() > view.height():
            self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)
        self._zoomed()

    def actual_size(self) -> None:
        self.fitting = False
        self.resetTransform()
        self._zoomed()

    def zoom_by(self, factor: float) -> None:
        target = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom * factor))
        if target != self.zoom and self.zoom > 0:
            self.fitting = False
            self.scale(target / self.zoom, target / self.zoom)
            self._zoomed()

    def _zoomed(self) -> None:
        if self.on_zoom is not None:
            self.on_zoom()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            delta = event.angleDelta().y()
            if delta:
                self.zoom_by(STEP if delta > 0 else 1 / STEP)
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.fitting:
            self.fit()


class PhotoViewer(QDialog):
    def __init__(self, photos: list[Photo], index: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoViewer")
        self.setWindowTitle(self.tr("Photos"))
        self.photos = photos
        self.index = max(0, min(index, len(photos) - 1))
        self.resize(960, 720)
        self._load: Op[QImage] | None = None

        self.view = PhotoView()
        self.view.on_zoom = self._show_zoom
        self.message = QLabel()
        self.message.setObjectName("photoMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.hide()
        self.caption = plain_label()
        self.caption.setObjectName("photoCaption")
        self.caption.setWordWrap(True)
        self.position = QLabel()
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(56)

        self.previous_button = QPushButton(self.tr("◀ Previous"))
        self.next_button = QPushButton(self.tr("Next ▶"))
        self.zoom_out_button = QPushButton(self.tr("Zoom out (−)"))
        self.zoom_in_button = QPushButton(self.tr("Zoom in (+)"))
        self.fit_button = QPushButton(self.tr("Fit"))
        self.actual_button = QPushButton(self.tr("100 %"))
        self.close_button = QPushButton(self.tr("Close"))
        for button in (
            self.previous_button,
            self.next_button,
            self.zoom_out_button,
            self.zoom_in_button,
            self.fit_button,
            self.actual_button,
            self.close_button,
        ):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the arrow keys stay the viewer's
        self.previous_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)
        self.zoom_in_button.clicked.connect(lambda: self.view.zoom_by(STEP))
        self.zoom_out_button.clicked.connect(lambda: self.view.zoom_by(1 / STEP))
        self.fit_button.clicked.connect(self.view.fit)
        self.actual_button.clicked.connect(self.view.actual_size)
        self.close_button.clicked.connect(self.accept)
        for keys, slot in (
            ("Ctrl++", lambda: self.view.zoom_by(STEP)),
            ("Ctrl+=", lambda: self.view.zoom_by(STEP)),
            ("Ctrl+-", lambda: self.view.zoom_by(1 / STEP)),
            ("Ctrl+0", self.view.fit),
        ):
            QShortcut(QKeySequence(keys), self, slot)

        buttons = QHBoxLayout()
        buttons.addWidget(self.previous_button)
        buttons.addWidget(self.position)
        buttons.addWidget(self.next_button)
        buttons.addStretch(1)
        buttons.addWidget(self.zoom_out_button)
        buttons.addWidget(self.zoom_label)
        buttons.addWidget(self.zoom_in_button)
        buttons.addWidget(self.fit_button)
        buttons.addWidget(self.actual_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.caption)
        layout.addLayout(buttons)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.show_photo(self.index)

    # ------------------------------------------------------------ photos
    @property
    def current(self) -> Photo | None:
        return self.photos[self.index] if self.photos else None

    @property
    def loading(self) -> bool:
        return self._load is not None and self._load.pending

    def show_photo(self, index: int) -> None:
        if not self.photos:
            self._say(self.tr("No photos."))
            self._update_controls()
            return
        self.index = index = index % len(self.photos)
        photo = self.photos[self.index]
        parts = [clean(photo.file_name, 120), step_title(photo.step, photo.at, photo.who)]
        self.caption.setText(" · ".join(p for p in parts if p))
        self.position.setText(f"{self.index + 1} / {len(self.photos)}")
        self._update_controls()
        self.view.clear_image()
        self._say(self.tr("Loading…"))
        path = photo.path
        self._load = (
            Op(self, lambda: read_image(path), key="photo")
            .success(partial(self._decoded, index))
            .failure(lambda _exc: self._decoded(index, QImage()))
            .run_in_background()
        )

    def _decoded(self, index: int, image: QImage) -> None:
        if index != self.index:
            return
        if image.isNull():
            self._say(self.tr("This photo cannot be shown: the file is damaged or not a photo."))
            return
        self.message.hide()
        self.view.show()
        self.view.set_image(image)

    def _say(self, text: str) -> None:
        self.view.hide()
        self.message.setText(text)
        self.message.show()

    def _update_controls(self) -> None:
        several = len(self.photos) > 1
        self.previous_button.setEnabled(several)
        self.next_button.setEnabled(several)
        self._show_zoom()

    def _show_zoom(self) -> None:
        self.zoom_label.setText(f"{self.view.zoom * 100:.0f} %")

    def next(self) -> None:
        if self.photos:
            self.show_photo(self.index + 1)

    def previous(self) -> None:
        if self.photos:
            self.show_photo(self.index - 1)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space):
            self.next()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_PageUp, Qt.Key.Key_Backspace):
            self.previous()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.view.zoom_by(STEP)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.view.zoom_by(1 / STEP)
        elif key == Qt.Key.Key_0:
            self.view.fit()
        elif key == Qt.Key.Key_1:
            self.view.actual_size()
        else:
            super().keyPressEvent(event)
