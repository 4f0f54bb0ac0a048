"""The web view that shows a map page: its bridge to Python (QWebChannel), the
console messages it collected, and waiting until the page has drawn."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QTimer, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from .scheme import BASE_URL, map_profile, track_page

log = logging.getLogger(__name__)

READY_TIMEOUT_MS = 20_000


@dataclass(frozen=True)
class ConsoleMessage:
    level: str  # "info", "warning" or "error"
    message: str
    line: int
    source: str


_LEVELS = {
    QWebEnginePage.JavaScriptConsoleMessageLevel.InfoMessageLevel: "info",
    QWebEnginePage.JavaScriptConsoleMessageLevel.WarningMessageLevel: "warning",
    QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel: "error",
}


class MapPage(QWebEnginePage):
    """A map page that keeps its console messages and stays on ``griddesk:``."""

    def __init__(self, parent: QObject | None = None) -> None:
        profile, _content = map_profile()
        super().__init__(profile, parent)
        track_page(self)
        self.console: list[ConsoleMessage] = []

    def javaScriptConsoleMessage(  # noqa: N802 - Qt override
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        entry = ConsoleMessage(_LEVELS.get(level, "info"), message, line, source)
        self.console.append(entry)
        log_level = logging.ERROR if entry.level == "error" else logging.DEBUG
        log.log(log_level, "map page %s: %s (%s:%s)", entry.level, message, source, line)

    def errors(self) -> list[ConsoleMessage]:
        return [m for m in self.console if m.level == "error"]

    def acceptNavigationRequest(  # noqa: N802 - Qt override
        self, url: QUrl | str, kind: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        # The map never navigates away (an attribution link would leave a blank map).
        return QUrl(url).toString().startswith(BASE_URL)


class MapBridge(QObject):
    """The object the page's script calls as ``bridge`` (JSON in and out)."""

    case_clicked = Signal(int, str)
    grid_clicked = Signal(str)
    point_picked = Signal(float, float)
    drawn_changed = Signal(dict)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.summary_provider: Callable[[int, str], dict[str, Any] | None] | None = None
        self.last_drawn: dict[str, Any] = {}

    @Slot(int, str)
    def caseClicked(self, index: int, token: str) -> None:  # noqa: N802 - called from JS
        self.case_clicked.emit(index, token)

    @Slot(int, str, result=str)
    def caseSummary(self, index: int, token: str) -> str:  # noqa: N802 - called from JS
        if self.summary_provider is None:
            return ""
        try:
            summary = self.summary_provider(index, token)
        except Exception:  # a tooltip must never break the page
            log.exception("case summary for the map")
            return ""
        return json.dumps(summary, ensure_ascii=False) if summary else ""

    @Slot(str)
    def gridClicked(self, grid_id: str) -> None:  # noqa: N802 - called from JS
        self.grid_clicked.emit(grid_id)

    @Slot(float, float)
    def pointPicked(self, lat: float, lon: float) -> None:  # noqa: N802 - called from JS
        self.point_picked.emit(lat, lon)

    @Slot(str)
    def drawn(self, stats: str) -> None:
        try:
            self.last_drawn = dict(json.loads(stats))
        except (ValueError, TypeError):
            return
        self.drawn_changed.emit(self.last_drawn)


class MapWebView(QWebEngineView):
    """A QWebEngineView on the map profile, with the bridge registered."""

    ready_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.map_page = MapPage(self)
        self.setPage(self.map_page)
        self.bridge = MapBridge(self)
        self.channel = QWebChannel(self.map_page)
        self.channel.registerObject("bridge", self.bridge)
        self.map_page.setWebChannel(self.channel)
        _profile, self.content = map_profile()
        self.page_url = ""
        self.data_url = ""
        self.expected_token = ""
        self.loaded = False
        self.ready = False
        self._queued_js: list[str] = []
        self.loadFinished.connect(self._on_load_finished)
        self.bridge.drawn_changed.connect(self._on_drawn)

    # ------------------------------------------------------------ pages and data
    def show_page(self, html: str, expected_token: str = "") -> None:
        """Load a page (served through the scheme, so its size does not matter)."""
        old = self.page_url
        self.page_url = self.content.publish(html, "text/html")
        if old:
            self.content.withdraw(old)
        self.expected_token = expected_token
        self.loaded = False
        self._set_ready(False)
        self._queued_js.clear()
        self.bridge.last_drawn = {}
        self.load(QUrl(self.page_url))

    def publish_data(self, script: str) -> str:
        """Keep a data script for the page; the previous one is dropped."""
        old = self.data_url
        self.data_url = self.content.publish(script, "application/javascript")
        if old:
            self.content.withdraw(old)
        return self.data_url

    def load_data(self, url: str, token: str) -> None:
        self.expected_token = token
        self._set_ready(False)
        self.run_js(f"GridDesk.loadData({json.dumps(url)}, {json.dumps(token)});")

    def run_js(self, code: str, callback: Callable[[Any], None] | None = None) -> None:
        """Run ``code`` in the page now, or once it has loaded."""
        if not self.loaded:
            self._queued_js.append(code)
            return
        if callback is None:
            self.map_page.runJavaScript(code)
        else:
            self.map_page.runJavaScript(code, 0, callback)

    def _on_load_finished(self, ok: bool) -> None:
        if not ok:
            log.error("the map page %s did not load", self.page_url)
            return
        self.loaded = True
        queued, self._queued_js = self._queued_js, []
        for code in queued:
            self.map_page.runJavaScript(code)

    def _on_drawn(self, stats: dict[str, Any]) -> None:
        if stats.get("token", "") == self.expected_token:
            self._set_ready(True)

    def _set_ready(self, ready: bool) -> None:
        if ready != self.ready:
            self.ready = ready
            self.ready_changed.emit(ready)

    # ------------------------------------------------------------ waiting
    def wait_until_ready(self, timeout_ms: int = READY_TIMEOUT_MS) -> bool:
        """Block (running the event loop) until the page has drawn its data."""
        if self.ready:
            return True
        loop = QEventLoop()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        self.ready_changed.connect(loop.quit)
        timer.start(timeout_ms)
        while not self.ready and timer.isActive():
            loop.exec()
        self.ready_changed.disconnect(loop.quit)
        return self.ready

    def evaluate(self, code: str, timeout_ms: int = 5000) -> Any:
        """Run ``code`` and wait for its value (for tests and the screenshot command)."""
        result: list[Any] = []
        loop = QEventLoop()

        def done(value: Any) -> None:
            result.append(value)
            loop.quit()

        self.map_page.runJavaScript(code, 0, done)
        QTimer.singleShot(timeout_ms, loop.quit)
        if not result:
            loop.exec()
        return result[0] if result else None
