"""Pick a place on the map: its coordinates and the grid it lies in (point in
polygon against the grid boundaries). Used by the reception desk."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.map.geo import GridArea
from services.map.page import MODE_PICK

from ..context import ViewContext
from ..formatting import plain_label
from . import ops
from .pages import build_html, resolve_tiles, tile_values
from .web import MapWebView


class MapPickerDialog(QDialog):
    """``exec()``; then ``lat``, ``lon`` and ``grid`` (a GridArea) describe the choice."""

    def __init__(
        self,
        ctx: ViewContext,
        lat: float | None = None,
        lon: float | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("mapPicker")
        self.setWindowTitle(self.tr("Pick on the map"))
        self.resize(900, 640)
        self.lat: float | None = None
        self.lon: float | None = None
        self.grid: GridArea | None = None
        self.locator = ops.locator(ctx)  # the user's grids: a handful of rows
        self.web = MapWebView()
        self.web.setObjectName("pickerWeb")
        self.web.bridge.point_picked.connect(self.pick)
        self.status = plain_label(self.tr("Click the place of the visit on the map."))
        self.status.setObjectName("pickerStatus")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Use this place"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._ok().setEnabled(False)
        self._ok().setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.web, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        start = (lat, lon) if lat is not None and lon is not None else None
        tiles = resolve_tiles(tile_values(ctx))
        self.web.show_page(build_html(ctx, MODE_PICK, tiles, pick=start))
        if start is not None:
            self.pick(start[0], start[1])

    def _ok(self) -> Any:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def pick(self, lat: float, lon: float) -> None:
        """A point was chosen (by a click on the map, or given at the start)."""
        lat, lon = round(lat, 6), round(lon, 6)
        self.web.run_js(f"GridDesk.setPicked({lat!r}, {lon!r});")
        grid = self.locator.locate(lat, lon)
        if grid is None:
            self.lat = self.lon = None
            self.grid = None
            self.status.setProperty("error", True)
            self.status.setText(
                self.tr(
                    "%1, %2 lies in none of your grids. Click inside a grid (the outlined areas)."
                )
                .replace("%1", f"{lat:.6f}")
                .replace("%2", f"{lon:.6f}")
            )
            self._ok().setEnabled(False)
        else:
            self.lat, self.lon, self.grid = lat, lon, grid
            self.status.setProperty("error", False)
            self.status.setText(
                self.tr("%1, %2 — grid: %3 (%4)")
                .replace("%1", f"{lat:.6f}")
                .replace("%2", f"{lon:.6f}")
                .replace("%3", grid.name)
                .replace("%4", grid.id)
            )
            self._ok().setEnabled(True)
            self.web.run_js(f"GridDesk.selectGrid({grid.id!r});")
        self.status.style().polish(self.status)

    @property
    def grid_id(self) -> str | None:
        return self.grid.id if self.grid else None

    def wait_until_ready(self, timeout_ms: int = 20_000) -> bool:
        return self.web.wait_until_ready(timeout_ms)


def add_pick_button(form: Any, ctx: ViewContext) -> QPushButton:
    """Put "Pick on the map" into a form's ``location_actions`` row.

    The form must offer ``lat``/``lon`` and ``set_location(lat, lon, grid_id)``
    (the reception desk's visit form does).
    """
    button = QPushButton(QCoreApplication.translate("MapPickerDialog", "Pick on the map"))
    button.setObjectName("pickOnMap")
    button.setToolTip(
        QCoreApplication.translate(
            "MapPickerDialog", "Click the place on a map; its grid is filled in for you."
        )
    )

    def pick() -> None:
        dialog = MapPickerDialog(ctx, getattr(form, "lat", None), getattr(form, "lon", None), form)
        try:
            if dialog.exec() and dialog.lat is not None and dialog.lon is not None:
                form.set_location(dialog.lat, dialog.lon, dialog.grid_id)
        finally:
            dialog.deleteLater()

    button.clicked.connect(pick)
    form.location_actions.addWidget(button)
    return button
