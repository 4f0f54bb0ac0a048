"""The translated texts the map page shows (the page inserts them as text)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from services.map.data import GRID_CLASSES, MARKER_CLASSES
from services.map.tiles import SOURCES

from ..formatting import label


def page_texts() -> dict[str, str]:
    texts = {
        "cases_layer": QCoreApplication.translate("MapPage", "Cases"),
        "grids_layer": QCoreApplication.translate("MapPage", "Grids"),
        "heat_layer": QCoreApplication.translate("MapPage", "Heat map"),
        "plain_layer": QCoreApplication.translate("MapPage", "Plain background"),
        "legend": QCoreApplication.translate("MapPage", "Legend"),
        "legend_toggle": QCoreApplication.translate(
            "MapPage", "Click to fold or unfold the legend"
        ),
        "close_note": QCoreApplication.translate("MapPage", "Hide this note"),
        "legend_cases": QCoreApplication.translate("MapPage", "Cases"),
        "legend_grids": QCoreApplication.translate("MapPage", "Grids"),
        "grid_open": QCoreApplication.translate("MapPage", "Open cases: %1"),
        "grid_overdue": QCoreApplication.translate("MapPage", "Overdue: %1"),
        "cluster": QCoreApplication.translate("MapPage", "%1 cases"),
        "cluster_hint": QCoreApplication.translate("MapPage", "Click to zoom in"),
        "click_to_open": QCoreApplication.translate(
            "MapPage", "Click to open the case in the queue"
        ),
        "no_tiles": QCoreApplication.translate(
            "MapPage", "No base map is set: grids and cases on a plain background."
        ),
        "pick_hint": QCoreApplication.translate(
            "MapPage", "Click the place on the map; the grid is found from its boundary."
        ),
    }
    for marker in MARKER_CLASSES:
        texts["class_" + marker.code] = label(marker.label)
    for grid in GRID_CLASSES:
        texts["grid_" + grid.code] = label(grid.label)
    return texts


def base_layer_names() -> dict[str, str]:
    return {code: label(text) for code, text in SOURCES.items()}
