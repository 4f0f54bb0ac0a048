"""The map page: folium builds it, and every CDN address in it is rewritten to
files from installed packages, so the page works with no network at all.

Leaflet comes from the ``XStatic-Leaflet`` package (the same 1.9.3 folium
asks for), the heat-map plugin from the ``folium`` package itself, and the
page's own script and style from ``resources/map``. The desktop serves them
under one base address (``griddesk://local/assets/``); nothing third-party is
copied into the repository. The case points are not in the page: the page loads
them from a data script (see :func:`data_script`), so a new filter reloads a
megabyte of numbers instead of the whole page.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
import xstatic.pkg.leaflet as xstatic_leaflet
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import HeatMap
from jinja2 import Template

from services.accounts.setup import RESOURCES
from services.map.data import GRID_CLASSES, MARKER_CLASSES, CaseLayer, GridShape, grid_class
from services.map.tiles import TileConfig

log = logging.getLogger(__name__)

LEAFLET_CDN = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/"
HEAT_CDN = HeatMap.default_js[0][1]

# Folders under the asset base address, and where their files are on this machine.
ASSET_FOLDERS: dict[str, Path] = {
    "leaflet": Path(xstatic_leaflet.BASE_DIR),
    "folium": Path(folium.__file__).resolve().parent / "templates",
    "griddesk": RESOURCES / "map",
}

# CDN addresses folium writes, and the asset that replaces each.
CDN_ASSETS: dict[str, str] = {
    HEAT_CDN: "folium/" + HEAT_CDN.rsplit("/", 1)[1],
}
# Leaflet's files, whichever 1.9 release a folium version names.
_LEAFLET_CDN = re.compile(
    r"https://cdn\.jsdelivr\.net/npm/leaflet@1\.9\.\d+/dist/(leaflet\.(?:js|css))"
)

# A script or style sheet loaded from the network.
_REMOTE_TAG = re.compile(
    r"""<(script|link)\b[^>]*?\b(?:src|href)\s*=\s*["'](https?:)?//[^"']*["'][^>]*>(\s*</script>)?""",
    re.IGNORECASE,
)

MODE_CASES = "cases"  # grids, cases, heat map, legend
MODE_PICK = "pick"  # grids; a click picks a point
MODE_PREVIEW = "preview"  # grids on the base map only


def asset_path(relative: str) -> Path | None:
    """The file on this machine for an asset address ``folder/file`` (None if unknown)."""
    folder, _, rest = relative.partition("/")
    root = ASSET_FOLDERS.get(folder)
    if root is None or not rest:
        return None
    path = (root / rest).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    return path


def rewrite_cdn(page: str, asset_base: str) -> str:
    """Point every known CDN address at the local assets; drop any other remote
    script or style sheet (it could never load offline, and would only delay the page)."""
    page = _LEAFLET_CDN.sub(lambda m: asset_base + "leaflet/" + m.group(1), page)
    for url, asset in CDN_ASSETS.items():
        page = page.replace(url, asset_base + asset)

    def drop(match: re.Match[str]) -> str:
        log.warning("map page: dropped a remote resource %s", match.group(0)[:200])
        return ""

    return _REMOTE_TAG.sub(drop, page)


class OfflineMap(folium.Map):
    """folium's Map with only the assets the page uses (Leaflet), no Bootstrap,
    jQuery or icon fonts from a CDN."""

    default_js = [("leaflet", LEAFLET_CDN + "leaflet.js")]
    default_css = [("leaflet_css", LEAFLET_CDN + "leaflet.css")]


class _GridDeskScript(JSCSSMixin, MacroElement):
    """The page's own script: the case layer, the legend, and the bridge to the desktop."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            GridDesk.init({
                map: {{ this._parent.get_name() }},
                grids: {{ this.grids_name }},
                heat: {{ this.heat_name }},
                control: {{ this.control_name }},
                config: {{ this.config_json }}
            });
        {% endmacro %}
        """
    )

    def __init__(
        self,
        asset_base: str,
        config: dict[str, Any],
        grids_name: str,
        heat_name: str,
        control_name: str,
    ) -> None:
        super().__init__()
        self._name = "GridDeskScript"
        self.default_js = [
            ("qwebchannel", asset_base + "qt/qwebchannel.js"),
            ("griddesk_map", asset_base + "griddesk/griddesk_map.js"),
        ]
        self.default_css = [("griddesk_map_css", asset_base + "griddesk/griddesk_map.css")]
        # JSON inside a <script>: "</" must not close the element.
        self.config_json = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
        self.grids_name = grids_name
        self.heat_name = heat_name
        self.control_name = control_name


@dataclass
class PageConfig:
    mode: str
    grids: list[GridShape]
    tiles: TileConfig
    texts: dict[str, str]  # translated texts the page shows (legend, layer names, hints)
    asset_base: str
    data_url: str = ""  # the first data script (cases mode)
    data_token: str = ""  # the token that data script carries
    base_names: dict[str, str] = field(default_factory=dict)  # tile source → layer name
    center: tuple[float, float] = (41.10, 123.00)
    pick: tuple[float, float] | None = None  # a point already chosen (pick mode)


def _grid_features(grids: Iterable[GridShape]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": grid.id,
                "properties": {
                    "id": grid.id,
                    "name": grid.name,
                    "community": grid.community,
                    "street": grid.street,
                },
                "geometry": grid.boundary,
            }
            for grid in grids
        ],
    }


def _bounds(grids: Iterable[GridShape]) -> list[list[float]] | None:
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], (int, float)):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
            return
        for item in coords:
            walk(item)

    for grid in grids:
        walk(grid.boundary.get("coordinates") or [])
    if not xs:
        return None
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


def _add_base_layers(fmap: folium.Map, config: PageConfig) -> None:
    """The base map's tile layers (a source may stack an overlay of labels)."""
    base_name = config.base_names.get(config.tiles.source, "")
    for spec in config.tiles.layers:
        options: dict[str, Any] = {"max_native_zoom": spec.max_native_zoom or spec.max_zoom}
        if spec.subdomains:
            options["subdomains"] = spec.subdomains
        if spec.bounds is not None:
            west, south, east, north = spec.bounds
            options["bounds"] = [[south, west], [north, east]]
        folium.TileLayer(
            tiles=spec.url,
            attr=html.escape(spec.attribution) or " ",
            name=base_name,
            min_zoom=spec.min_zoom,
            max_zoom=spec.max_zoom,
            overlay=spec.overlay,
            control=not spec.overlay,
            **options,
        ).add_to(fmap)


def build_page(config: PageConfig) -> str:
    """The whole HTML page, with no address outside ``config.asset_base`` but the tiles'."""
    bounds = _bounds(config.grids)
    center = (
        ((bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2)
        if bounds
        else config.center
    )
    fmap = OfflineMap(
        location=center,
        zoom_start=14,
        tiles=None,
        prefer_canvas=True,
        control_scale=False,  # the page adds a metric-only scale
        max_zoom=19,
        min_zoom=3,
    )
    _add_base_layers(fmap, config)

    grids = folium.GeoJson(
        _grid_features(config.grids),
        name=config.texts.get("grids_layer", "Grids"),
        style_function=lambda _feature: {
            "color": "#4a5a6a",
            "weight": 1.2,
            "fillColor": GRID_CLASSES[0].colour,
            "fillOpacity": 0.45,
        },
        highlight_function=lambda _feature: {"weight": 3, "color": "#1d3557"},
        zoom_on_click=False,
        control=config.mode == MODE_CASES,
    ).add_to(fmap)
    heat = HeatMap(
        [],
        name=config.texts.get("heat_layer", "Heat map"),
        show=False,
        overlay=True,
        control=config.mode == MODE_CASES,
        radius=18,
        blur=14,
        min_opacity=0.35,
        max_zoom=16,
    ).add_to(fmap)
    control_name = "null"
    if config.mode != MODE_PREVIEW:  # a preview only shows the base map under the grids
        control = folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
        control_name = control.get_name()
    script_config = {
        "mode": config.mode,
        "texts": config.texts,
        "markerClasses": [{"code": c.code, "colour": c.colour} for c in MARKER_CLASSES],
        "gridClasses": [{"code": c.code, "colour": c.colour} for c in GRID_CLASSES],
        "bounds": bounds,
        "dataUrl": config.data_url,
        "dataToken": config.data_token,
        "plain": config.tiles.plain,
        "pick": list(config.pick) if config.pick else None,
    }
    _GridDeskScript(
        config.asset_base,
        script_config,
        grids.get_name(),
        heat.get_name(),
        control_name,
    ).add_to(fmap)
    page = fmap.get_root().render()
    return rewrite_cdn(page, config.asset_base)


def data_script(layer: CaseLayer, grid_counts: dict[str, tuple[int, int]], token: str) -> str:
    """The page's data as a script calling ``GridDesk.setData`` (no text from any case)."""
    payload = {
        "token": token,
        "lat": layer.lat,
        "lon": layer.lon,
        "cls": layer.cls,
        "withoutLocation": layer.without_location,
        "grids": {
            grid: [open_cases, overdue, grid_class(open_cases, overdue)]
            for grid, (open_cases, overdue) in grid_counts.items()
        },
    }
    return "GridDesk.setData(" + json.dumps(payload, separators=(",", ":")) + ");\n"
