"""The attachment picker: photos and documents chosen from a file dialog, dropped
on it, or pasted from the clipboard (a WeChat screenshot), each with a small
thumbnail, a "document" tick and a remove button.

The picker only collects: a file is checked when it is added (its type told by
its bytes, its size, by :func:`services.attachments.photos.inspect`, with the
service's own messages), and the service prepares and stores it when the form
is sent. A pasted image is saved as a PNG under ``attachments/.incoming/`` in
the data folder; the picker removes those it made when cleared, and any older
than a day when one is made.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QIcon,
    QImage,
    QImageReader,
    QKeySequence,
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.attachments.photos import Inspected, NewFile, inspect
from services.cases.actions import ATTACHMENTS_MAX, check_attachment_count
from services.errors import ValidationError

from ..formatting import plain_label, plain_tip
from ..messages import error_text

THUMB = 48
INCOMING = ".incoming"
_PATH = Qt.ItemDataRole.UserRole
_STALE_SECONDS = 24 * 3600


def attachments_folder(data_dir: Path | str) -> Path:
    """``attachments/`` in the data folder (the same place desktop.paths names)."""
    return Path(data_dir) / "attachments"


def incoming_folder(data_dir: Path | str) -> Path:
    """Where pasted images wait until the form that holds them is sent."""
    return attachments_folder(data_dir) / INCOMING


def _pdf_icon() -> QIcon:
    pixmap = QPixmap(THUMB, THUMB)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#fbeaea"))
    painter.setPen(QColor("#c0392b"))
    painter.drawRoundedRect(6, 2, THUMB - 12, THUMB - 4, 4, 4)
    font = painter.font()
    font.setBold(True)
    font.setPixelSize(12)
    painter.setFont(font)
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "PDF")
    painter.end()
    return QIcon(pixmap)


def thumbnail(path: Path, content_type: str) -> QIcon:
    """A small picture of a photo, upright (EXIF orientation applied), or a PDF sign."""
    if content_type == "application/pdf":
        return _pdf_icon()
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > THUMB * 2:
        reader.setScaledSize(size.scaled(THUMB * 2, THUMB * 2, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return _pdf_icon() if content_type == "application/pdf" else QIcon()
    return QIcon(QPixmap.fromImage(image))


@dataclass
class _Chosen:
    path: Path
    info: Inspected
    pasted: bool = False


class AttachmentPicker(QWidget):
    """Photos and documents to attach; :meth:`files` gives them to the service.

    ``keep``, when given, copies each accepted file somewhere safe and returns the
    copy, which the picker then holds instead of the original (the reception form's
    draft: services.reception.draft_files); an OSError refuses the file with a message.
    """

    changed = Signal()

    def __init__(
        self,
        data_dir: Path | str,
        parent: QWidget | None = None,
        *,
        keep: Callable[[Path], Path] | None = None,
    ) -> None:
        super().__init__(parent)
        self.keep = keep
        self.setObjectName("attachmentPicker")
        self.data_dir = Path(data_dir)
        self.maximum = ATTACHMENTS_MAX
        self._chosen: dict[str, _Chosen] = {}
        self.setAcceptDrops(True)

        self.list = QListWidget()
        self.list.setObjectName("attachmentList")
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setMinimumHeight(THUMB * 2 + 16)
        self.list.setMaximumHeight(THUMB * 3 + 24)
        self.list.setAcceptDrops(False)  # the picker takes the drop
        self.list.itemChanged.connect(lambda _item: self.changed.emit())
        self.list.setToolTip(
            self.tr("Tick a file that is a document (证件/信件): its location data is removed.")
        )
        self.empty_hint = plain_label()
        self.empty_hint.setObjectName("hintLabel")
        self.empty_hint.setWordWrap(True)

        self.add_button = QPushButton(self.tr("Add files…"))
        self.add_button.setObjectName("addFiles")
        self.add_button.clicked.connect(self.choose_files)
        self.paste_button = QPushButton(self.tr("Paste image"))
        self.paste_button.setObjectName("pasteImage")
        self.paste_button.setToolTip(self.tr("Ctrl+V — a screenshot or a copied picture"))
        self.paste_button.clicked.connect(self.paste)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setObjectName("removeFiles")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.paste_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.keep_original = QCheckBox(self.tr("Keep the originals"))
        self.keep_original.setObjectName("keepOriginal")
        self.keep_original.setToolTip(
            self.tr(
                "Photos larger than 2,560 pixels are made smaller unless this is ticked; "
                "documents always lose their location data."
            )
        )
        self.keep_original.toggled.connect(lambda _on: self.changed.emit())
        buttons.addWidget(self.keep_original)
        self.message = plain_label()
        self.message.setObjectName("errorLabel")
        self.message.setWordWrap(True)
        self.message.hide()

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.list)
        column.addWidget(self.empty_hint)
        column.addLayout(buttons)
        column.addWidget(self.message)

        paste = QShortcut(QKeySequence(QKeySequence.StandardKey.Paste), self)
        paste.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        paste.activated.connect(self.paste)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.remove_selected)
        self._purge_stale()
        self._update()

    # ---------------------------------------------------------------- adding
    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Attach photos or documents"),
            str(Path.home()),
            self.tr("Photos and PDF documents (*.jpg *.jpeg *.png *.webp *.pdf);;All files (*)"),
        )
        self.add_files([Path(n) for n in names])

    def add_files(
        self, paths: list[Path], *, pasted: bool = False, documents: Collection[Path] = ()
    ) -> list[Path]:
        """Add the files that can be attached; say why the others cannot. Returns those
        added; those in ``documents`` are ticked as documents."""
        refused: list[str] = []
        added: list[Path] = []
        for path in paths:
            key = str(Path(path).resolve())
            if key in self._chosen:
                continue
            try:
                check_attachment_count([None] * (len(self._chosen) + 1))
                info = inspect(Path(path))
            except ValidationError as exc:
                refused.append(error_text(exc))
                if exc.params.get("maximum") == self.maximum and "name" not in exc.params:
                    break
                continue
            held, is_pasted = Path(path), pasted
            if self.keep is not None:
                try:
                    held = self.keep(Path(path))
                except OSError:
                    refused.append(
                        self.tr(
                            "%1 could not be copied into the data folder; check that the file "
                            "can be read and the disk is not full."
                        ).replace("%1", Path(path).name)
                    )
                    continue
                if pasted and held != Path(path):
                    Path(path).unlink(missing_ok=True)  # the copy is what is kept now
                    is_pasted = False
            self._chosen[key] = _Chosen(held, info, is_pasted)
            item = QListWidgetItem(thumbnail(held, info.content_type), Path(path).name)
            item.setData(_PATH, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if Path(path) in documents else Qt.CheckState.Unchecked
            )
            item.setToolTip(plain_tip(str(path)))
            self.list.addItem(item)
            added.append(Path(path))
        self._show_refused(refused)
        self._update()
        if added:
            self.changed.emit()
        return added

    def paste(self) -> bool:
        """The clipboard's image (or copied files) added; False when it holds neither."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is not None and self._take_mime(mime):
            return True
        self._show_refused(
            [self.tr("The clipboard holds no picture; copy a screenshot or a photo first.")]
        )
        return False

    def _take_mime(self, mime: QMimeData) -> bool:
        files = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
        if files:
            self.add_files(files)
            return True
        if mime.hasImage():
            image = QImage(mime.imageData())
            if not image.isNull():
                saved = self._save_pasted(image)
                if saved is not None:
                    self.add_files([saved], pasted=True)
                    return True
        return False

    def _save_pasted(self, image: QImage) -> Path | None:
        folder = incoming_folder(self.data_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            folder = Path()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        prefix = self.tr("pasted")  # the file name a pasted picture is attached under
        target = folder / f"{prefix}-{stamp}-{uuid.uuid4().hex[:6]}.png"
        if not image.save(str(target)):  # PNG, from the suffix
            self._show_refused(
                [self.tr("The pasted picture could not be saved in the data folder.")]
            )
            return None
        return target

    # ---------------------------------------------------------------- drag and drop
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        self._accept_drag(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        self._accept_drag(event)

    @staticmethod
    def _accept_drag(event: QDragEnterEvent | QDragMoveEvent) -> None:
        mime = event.mimeData()
        if any(u.isLocalFile() for u in mime.urls()) or mime.hasImage():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        if self._take_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    # ---------------------------------------------------------------- removing
    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self._forget(str(item.data(_PATH)))
            self.list.takeItem(self.list.row(item))
        self.message.hide()
        self._update()
        self.changed.emit()

    def clear(self) -> None:
        for key in list(self._chosen):
            self._forget(key)
        self.list.clear()
        self.message.hide()
        self._update()
        self.changed.emit()

    def _forget(self, key: str) -> None:
        chosen = self._chosen.pop(key, None)
        if chosen is not None and chosen.pasted:
            chosen.path.unlink(missing_ok=True)

    def _purge_stale(self) -> None:
        folder = incoming_folder(self.data_dir)
        if not folder.is_dir():
            return
        now = time.time()
        for old in folder.glob("*.png"):
            try:
                if now - old.stat().st_mtime > _STALE_SECONDS:
                    old.unlink()
            except OSError:
                continue

    # ---------------------------------------------------------------- reading
    def files(self) -> list[NewFile]:
        """The files in the list's order, each with its "document" tick."""
        out: list[NewFile] = []
        for row in range(self.list.count()):
            item = self.list.item(row)
            chosen = self._chosen[str(item.data(_PATH))]
            document = item.checkState() == Qt.CheckState.Checked
            out.append(
                NewFile(
                    chosen.path, document=document, keep_original=self.keep_original.isChecked()
                )
            )
        return out

    def paths(self) -> list[Path]:
        return [f.path for f in self.files()]

    def count(self) -> int:
        return self.list.count()

    def location(self) -> tuple[float, float] | None:
        """The GPS position of the first photo not ticked as a document, if any."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                continue
            gps = self._chosen[str(item.data(_PATH))].info.gps
            if gps is not None:
                return gps
        return None

    # ---------------------------------------------------------------- showing
    def show_message(self, messages: list[str]) -> None:
        """Say something about the files under the list (hidden when ``messages`` is empty)."""
        self._show_refused(messages)

    def _show_refused(self, messages: list[str]) -> None:
        if not messages:
            self.message.hide()
            return
        self.message.setText("\n".join(dict.fromkeys(messages)))
        self.message.show()

    def _update(self) -> None:
        has = self.list.count() > 0
        self.list.setVisible(has)
        self.empty_hint.setText(
            self.tr("Tick the documents (证件/信件): their location data is removed.")
            if has
            else self.tr("Drop photos or PDF files here, or paste a screenshot (Ctrl+V).")
        )
        self.remove_button.setEnabled(has)
        full = self.list.count() >= self.maximum
        self.add_button.setEnabled(not full)
        self.paste_button.setEnabled(not full)
