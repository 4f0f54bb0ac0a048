"""The map screen: grids coloured by their open and overdue cases, case points
coloured by state and deadline, a heat map, on the configured base map (or a
plain background), with the queue's filters.

Linked both ways: a click on a case opens it in the queue's detail panel
(``ctx.events.open_case``), a case selected in the queue is centred here
(``ctx.events.case_selected``), and a click on a grid shows its figures.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from services.cases.lookups import Names
from services.cases.queue import QueueFilter
from services.cases.queue_clauses import OPEN_STATES
from services.errors import DomainError
from services.map.data import (
    CaseLayer,
)
from services.map.page import MODE_CASES, data_script
from services.map.tiles import TileConfig

from ..context import ViewContext
from ..formatting import label, local, plain_label
from ..messages import error_text
from ..queue.filters import FilterPanel
from ..tasks import Op
from . import ops
from .grid_panel import GridPanel
from .pages import build_html, resolve_tiles, tile_values
from .web import MapWebView

log = logging.getLogger(__name__)

REFRESH_DELAY_MS = 400


@dataclass
class _Data:
    token: str
    layer: CaseLayer
    script: str


class MapView(QWidget):
    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("mapView")
        title = plain_label(self.tr("Map"))
        title.setObjectName("screenTitle")
        # The dispatch queue's own filter panel: the map and the queue filter alike.
        self.filters = FilterPanel(ctx, show_saved=True, show_search=True)
        self.filters.setObjectName("mapFilters")
        # In a scroll area, so the filters never make the window taller than the screen.
        filter_scroll = QScrollArea()
        filter_scroll.setObjectName("mapFilterScroll")
        filter_scroll.setWidgetResizable(True)
        filter_scroll.setFrameShape(QFrame.Shape.NoFrame)
        filter_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        filter_scroll.setWidget(self.filters)
        # As wide as the filters need (their buttons whole) beside a scroll bar.
        scrollbar = filter_scroll.verticalScrollBar().sizeHint().width()
        filter_scroll.setMinimumWidth(max(250, self.filters.minimumSizeHint().width() + scrollbar))
        filter_scroll.setMaximumWidth(max(320, filter_scroll.minimumWidth()))
        # Open cases to start with (set before "changed" is connected below).
        self.filters.set_filter(QueueFilter(states=tuple(OPEN_STATES)))
        self.count_label = plain_label()
        self.count_label.setObjectName("countLabel")
        self.reload_button = QPushButton(self.tr("Refresh"))
        self.reload_button.setObjectName("mapRefresh")
        self.reload_button.clicked.connect(self.reload)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.count_label)
        top.addWidget(self.reload_button)
        self.notice = plain_label()
        self.notice.setObjectName("mapNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()

        self.web = MapWebView()
        self.web.setObjectName("mapWeb")
        self.web.setMinimumSize(480, 360)
        self.grid_panel = GridPanel()
        self.grid_panel.setMinimumWidth(220)
        self.grid_panel.hide()
        self.grid_panel.closed.connect(lambda: self.web.run_js("GridDesk.selectGrid(null);"))
        splitter = QSplitter()
        splitter.addWidget(filter_scroll)
        splitter.addWidget(self.web)
        splitter.addWidget(self.grid_panel)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 900, 260])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)

        self.names: Names | None = None
        self.data: _Data | None = None
        self.tiles: TileConfig | None = None
        self._tile_values: dict[str, Any] | None = None
        self._generation = 0
        self._dirty = False
        self._pending_focus: str | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh_data)

        self.filters.changed.connect(lambda _f: self._refresh_timer.start())
        self.web.bridge.case_clicked.connect(self._case_clicked)
        self.web.bridge.grid_clicked.connect(self.show_grid)
        self.web.bridge.summary_provider = self._summary
        ctx.events.case_selected.connect(self.focus_case)
        ctx.events.cases_changed.connect(self._cases_changed)
        ctx.events.reference_changed.connect(self.reload)
        self.refresh_data()

    # ------------------------------------------------------------ data
    def current_filter(self) -> QueueFilter:
        return self.filters.current_filter()

    def reload(self) -> None:
        """Rebuild the page (base map, grids) and its data."""
        self._tile_values = None
        self.names = None
        self.refresh_data()

    def refresh_data(self) -> None:
        """Compute the case layer for the current filter (in the background)."""
        self._refresh_timer.stop()
        self._dirty = False
        self._generation += 1
        token = f"{self._generation}-{uuid.uuid4().hex[:8]}"
        flt = self.current_filter()
        ctx = self.ctx

        def compute() -> _Data:
            layer, counts = ops.layer(ctx, flt)
            return _Data(token, layer, data_script(layer, counts, token))

        self.count_label.setText(self.tr("Loading…"))
        # latest wins: a newer filter cancels this answer
        Op(self, compute, key="data").success(self._data_ready).failure(
            self._failed
        ).run_in_background()

    def _data_ready(self, data: _Data) -> None:
        self.data = data
        url = self.web.publish_data(data.script)
        values = tile_values(self.ctx)
        if values != self._tile_values or not self.web.page_url:
            self._tile_values = values
            self.tiles = resolve_tiles(values)
            self._show_tile_problem()
            html = build_html(self.ctx, MODE_CASES, self.tiles, data_url=url, data_token=data.token)
            self.web.show_page(html, expected_token=data.token)
        else:
            self.web.load_data(url, data.token)
        self._update_count()
        if self._pending_focus:
            case_id, self._pending_focus = self._pending_focus, None
            self.focus_case(case_id)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, DomainError):
            self.count_label.setText(error_text(exc))
            return
        log.exception("map data", exc_info=exc)
        self.count_label.setText(self.tr("The map could not be loaded; see the log file."))

    def _update_count(self) -> None:
        if self.data is None:
            return
        text = self.tr("%n case(s) on the map", "", len(self.data.layer))
        missing = self.data.layer.without_location
        if missing:
            text += self.tr(" · %n without a location", "", missing)
        self.count_label.setText(text)

    def _show_tile_problem(self) -> None:
        problem = self.tiles.problem if self.tiles else None
        if problem is None:
            self.notice.hide()
            return
        self.notice.setText(
            self.tr("The base map cannot be shown (%1) — showing a plain background.").replace(
                "%1", error_text(problem)
            )
        )
        self.notice.show()

    def _cases_changed(self, _ids: list[str]) -> None:
        if self.isVisible():
            self._refresh_timer.start()
        else:
            self._dirty = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._dirty or (
            self._tile_values is not None and tile_values(self.ctx) != self._tile_values
        ):
            self.refresh_data()

    # ------------------------------------------------------------ the bridge
    def _case_id(self, index: int, token: str) -> str | None:
        if self.data is None or token != self.data.token:
            return None
        if not 0 <= index < len(self.data.layer.ids):
            return None
        return self.data.layer.ids[index]

    def _case_clicked(self, index: int, token: str) -> None:
        case_id = self._case_id(index, token)
        if case_id is not None:
            self.ctx.events.open_case.emit(case_id)

    def _summary(self, index: int, token: str) -> dict[str, Any] | None:
        case_id = self._case_id(index, token)
        if case_id is None:
            return None
        now = datetime.now(UTC)
        if self.names is None:
            self.names = ops.names(self.ctx)
        try:  # the page waits for this answer: one case, by its key
            summary = ops.summary(self.ctx, case_id, now, self.names)
        except DomainError:
            return None
        deadline = ""
        overdue = summary.deadline is not None and summary.deadline < now
        if summary.deadline is not None:
            template = self.tr("Overdue since %1") if overdue else self.tr("Deadline %1")
            deadline = template.replace("%1", local(summary.deadline))
        return {
            "number": summary.number,
            "title": summary.title,
            "state": label(summary.state_label),
            "deadline": deadline,
            "overdue": overdue,
            "category": summary.category,
            "address": summary.address,
            "cls": summary.marker_class,
            "photos": self._photos(case_id),
        }

    def _photos(self, case_id: str) -> list[str]:
        """Up to three small JPEGs of the case's photos on this computer, as
        ``data:`` URIs: the page loads nothing from elsewhere."""
        from ..attachments.thumbs import data_uri
        from ..queue.actions.feedback import attachments_folder

        try:
            photos = ops.photos(self.ctx, case_id, attachments_folder(self.ctx))
        except Exception:  # a tooltip never fails for its pictures
            log.exception("photos of case %s for the map", case_id)
            return []
        uris = (data_uri(p.sha256, p.path) for p in photos if p.path is not None)
        return [uri for uri in uris if uri]

    def show_grid(self, grid_id: str) -> None:
        try:
            figures = ops.grid(self.ctx, grid_id)  # one grid's figures
        except DomainError as exc:
            self.count_label.setText(error_text(exc))
            return
        self.grid_panel.show_figures(figures)

    def focus_case(self, case_id: str) -> None:
        """Centre the map on a case (the queue selected it)."""
        if not case_id:
            return
        if not self.web.page_url:
            self._pending_focus = case_id
            return
        where = ops.location(self.ctx, case_id)  # one case, by its key
        if where is None:
            return
        self.web.run_js(f"GridDesk.focus({where[0]!r}, {where[1]!r}, 16);")

    # ------------------------------------------------------------ screenshots
    def wait_until_ready(self, timeout_ms: int = 30_000) -> bool:
        """Block until the page has loaded and drawn its data (and painted)."""
        ready = self.web.wait_until_ready(timeout_ms)
        loop = QEventLoop()
        QTimer.singleShot(400, loop.quit)
        loop.exec()
        return ready
