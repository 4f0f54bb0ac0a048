"""Help ▸ Manual (F1): the clerk's manual, Markdown pages under ``docs/manual/``
(one per role and an index), shown in a QTextBrowser without network.

F1 opens the page of the user's role at the section for the screen on show
(:func:`help_target`); links between pages, Back and Contents work inside the
window. Screenshots in the pages are scaled down to the window's width.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImageReader, QKeySequence, QResizeEvent, QTextCursor, QTextImageFormat
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from services.cases.permissions import Role

from .paths import manual_dir

log = logging.getLogger(__name__)

INDEX = "index.md"

ROLE_PAGES: dict[str, str] = {
    Role.RECEPTION: "reception.md",
    Role.COORDINATOR: "coordinator.md",
    Role.DEPARTMENT: "department.md",
    Role.GRID_WORKER: "grid_worker.md",
    Role.OFFICIAL: "official.md",
    Role.ADMIN: "admin.md",
}

# The section (a heading's text) of a role's page for each screen it has.
ROLE_SECTIONS: dict[str, dict[str, str]] = {
    "reception.md": {"reception": "登记来访", "queue": "查看案件"},
    "coordinator.md": {
        "reception": "代为登记来访",
        "queue": "派遣队列",
        "reports": "统计考核",
        "map": "地图",
        "sync": "同步",
    },
    "department.md": {"queue": "待签收的案件", "sync": "同步"},
    "grid_worker.md": {"queue": "我的案件", "sync": "同步"},
    "official.md": {"queue": "查看和督办案件", "reports": "仪表盘", "map": "地图"},
    "admin.md": {"settings": "设置", "sync": "区（县）服务器", "queue": "查看案件"},
}

# Where a screen is described for every role (the index's common sections).
COMMON_SECTIONS: dict[str, str] = {
    "reception": "来访接待",
    "queue": "派遣队列",
    "reports": "统计考核",
    "map": "地图",
    "sync": "同步",
    "settings": "设置",
}


def help_target(role: str, screen_key: str | None) -> tuple[str, str | None]:
    """(page, heading) F1 opens for ``role`` on the screen ``screen_key``."""
    page = ROLE_PAGES.get(role)
    if page is None:
        return INDEX, None
    if screen_key is None:
        return page, None
    heading = ROLE_SECTIONS.get(page, {}).get(screen_key)
    if heading is not None:
        return page, heading
    common = COMMON_SECTIONS.get(screen_key)
    return (INDEX, common) if common is not None else (page, None)


class ManualWindow(QWidget):
    """The manual's window: Contents, Back, Forward and the page."""

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.folder = folder if folder is not None else manual_dir()
        self.setObjectName("manualWindow")
        self.setWindowTitle(self.tr("GridDesk manual"))
        if parent is not None:
            self.setWindowFlag(Qt.WindowType.Window, True)  # a window of its own
        self.resize(980, 700)

        self.browser = QTextBrowser()
        self.browser.setObjectName("manualBrowser")
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)  # offices may have no internet
        self.browser.setSearchPaths([str(self.folder)])
        self.browser.sourceChanged.connect(self._fit_images)

        self.contents_button = QPushButton(self.tr("Contents"))
        self.contents_button.setObjectName("manualContents")
        self.back_button = QPushButton(self.tr("◀ Back"))
        self.back_button.setObjectName("manualBack")
        self.back_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Back))
        self.forward_button = QPushButton(self.tr("Forward ▶"))
        self.forward_button.setObjectName("manualForward")
        self.forward_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Forward))
        self.contents_button.clicked.connect(lambda: self.open_page(INDEX))
        self.back_button.clicked.connect(self.browser.backward)
        self.forward_button.clicked.connect(self.browser.forward)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.back_button.setEnabled(False)
        self.forward_button.setEnabled(False)

        bar = QHBoxLayout()
        bar.addWidget(self.contents_button)
        bar.addWidget(self.back_button)
        bar.addWidget(self.forward_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.browser, 1)

    # ------------------------------------------------------------------ pages
    def page_path(self, page: str) -> Path:
        return self.folder / page

    def open_page(self, page: str, heading: str | None = None) -> bool:
        """Show ``page`` scrolled to ``heading``; False (and the index) when it is missing."""
        path = self.page_path(page)
        if not path.is_file():
            log.warning("manual page missing: %s", path)
            index = self.page_path(INDEX)
            if not index.is_file():
                self.browser.setPlainText(
                    self.tr("The manual was not found in %1.").replace("%1", str(self.folder))
                )
                return False
            path, heading = index, None
        self.browser.setSource(QUrl.fromLocalFile(str(path)))
        self._fit_images()
        if heading is not None:
            return self.scroll_to_heading(heading)
        self.browser.verticalScrollBar().setValue(0)
        return page == path.name

    def current_page(self) -> str:
        return Path(self.browser.source().toLocalFile()).name

    def scroll_to_heading(self, heading: str) -> bool:
        """Put the heading ``heading`` at the top of the view; False if the page has none."""
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0 and block.text().strip() == heading:
                self.browser.setTextCursor(QTextCursor(block))
                top = document.documentLayout().blockBoundingRect(block).top()
                self.browser.verticalScrollBar().setValue(int(top))
                return True
            block = block.next()
        log.warning("manual: no heading %r in %s", heading, self.current_page())
        return False

    def current_heading(self) -> str | None:
        """The heading the cursor is on (where F1 put it), for tests and the title."""
        block = self.browser.textCursor().block()
        return block.text().strip() if block.blockFormat().headingLevel() > 0 else None

    # ----------------------------------------------------------------- images
    def _fit_images(self) -> None:
        """Scale screenshots wider than the view down to its width, keeping the ratio."""
        document = self.browser.document()
        room = max(320, self.browser.viewport().width() - 2 * int(document.documentMargin()) - 4)
        source = self.browser.source()
        block = document.begin()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                char_format = fragment.charFormat()
                if fragment.isValid() and char_format.isImageFormat():
                    image = char_format.toImageFormat()
                    self._fit_image(image, fragment.position(), fragment.length(), room, source)
                iterator += 1
            block = block.next()

    def _fit_image(
        self, image: QTextImageFormat, position: int, length: int, room: int, source: QUrl
    ) -> None:
        path = source.resolved(QUrl(image.name())).toLocalFile()
        size = QImageReader(path).size()
        if not size.isValid() or size.width() <= 0:
            return
        width = min(size.width(), room)
        image.setWidth(width)
        image.setHeight(size.height() * width / size.width())
        cursor = QTextCursor(self.browser.document())
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(image)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_images()
