"""Where the map's base tiles come from: nothing, an XYZ/WMTS server, or an
MBTiles file on this machine.

Offices often sit on an intranet with no internet, so the base map is a
device setting: 天地图 (vector or imagery, with the office's ``tk`` key), the
county's own tile server as a URL template, or an offline MBTiles file
(SQLite, tiles in TMS row order — the desktop serves them to the page and
flips the row). With no tiles at all the map shows its layers on a plain
background.

Coordinates are WGS-84/CGCS2000; 天地图's ``_w`` layers are in the web
Mercator tiling Leaflet uses, so no datum shift is ever applied (never GCJ-02).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from services.cases.permissions import Actor

SOURCE_NONE = "none"
SOURCE_TIANDITU_VECTOR = "tianditu_vec"
SOURCE_TIANDITU_IMAGERY = "tianditu_img"
SOURCE_URL = "url"
SOURCE_MBTILES = "mbtiles"

TILE_SETTING_KEYS = (
    "device.tile_source",
    "device.tile_url",
    "device.tile_key",
    "device.tile_mbtiles",
)

SOURCES: dict[str, str] = {
    SOURCE_NONE: QT_TRANSLATE_NOOP("services", "No base map (plain background)"),
    SOURCE_TIANDITU_VECTOR: QT_TRANSLATE_NOOP("services", "Tianditu vector map"),
    SOURCE_TIANDITU_IMAGERY: QT_TRANSLATE_NOOP("services", "Tianditu satellite imagery"),
    SOURCE_URL: QT_TRANSLATE_NOOP("services", "Tile server (XYZ or WMTS address)"),
    SOURCE_MBTILES: QT_TRANSLATE_NOOP("services", "Offline MBTiles file"),
}

_TIANDITU = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}"
)
# Base layer and its annotation (labels) layer.
_TIANDITU_LAYERS = {SOURCE_TIANDITU_VECTOR: ("vec", "cva"), SOURCE_TIANDITU_IMAGERY: ("img", "cia")}
TIANDITU_ATTRIBUTION = "© 天地图 国家地理信息公共服务平台"
TIANDITU_SUBDOMAINS = "01234567"

# The fields each source reads.
_SOURCE_FIELDS: dict[str, tuple[str, ...]] = {
    SOURCE_TIANDITU_VECTOR: ("device.tile_key",),
    SOURCE_TIANDITU_IMAGERY: ("device.tile_key",),
    SOURCE_URL: ("device.tile_url", "device.tile_key"),
    SOURCE_MBTILES: ("device.tile_mbtiles",),
}

# Tile formats an MBTiles file may declare, and the content type served.
MBTILES_FORMATS = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}


@dataclass(frozen=True)
class TileLayerSpec:
    """One tile layer as the page needs it: a Leaflet URL template and options."""

    url: str
    attribution: str = ""
    subdomains: str = ""
    min_zoom: int = 0
    max_zoom: int = 19
    max_native_zoom: int | None = None
    bounds: tuple[float, float, float, float] | None = None  # west, south, east, north
    overlay: bool = False  # an annotation layer drawn over the base


@dataclass(frozen=True)
class TileConfig:
    """The base map chosen in the settings; ``layers`` is empty for a plain background."""

    source: str = SOURCE_NONE
    layers: tuple[TileLayerSpec, ...] = field(default_factory=tuple)
    mbtiles_path: str = ""
    problem: ValidationError | None = None  # why the setting cannot be used (plain background)

    @property
    def plain(self) -> bool:
        return not self.layers


def check_source(value: Any) -> Any:
    text = str(value or SOURCE_NONE).strip()
    if text not in SOURCES:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Choose a base map from the list."),
            field="device.tile_source",
        )
    return text


def check_url_template(value: Any) -> Any:
    """An XYZ or WMTS tile address: http(s), with the {z}, {x} and {y} placeholders."""
    text = str(value or "").strip()
    if not text:
        return ""
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services",
                "Enter a tile address starting with http:// or https://, for example {example}.",
            ),
            field="device.tile_url",
            example="http://10.0.0.8/tiles/{z}/{x}/{y}.png",
        )
    missing = [p for p in ("{z}", "{x}") if p not in text]
    if "{y}" not in text and "{-y}" not in text:
        missing.append("{y}")
    if missing:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services",
                "The tile address needs the placeholders {{z}}, {{x}} and {{y}} "
                "(for WMTS: TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}); missing: {missing}.",
            ),
            field="device.tile_url",
            missing=" ".join(missing),
        )
    return text


def check_key(value: Any) -> Any:
    text = str(value or "").strip()
    if text and not text.isalnum():
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services", "The Tianditu key (tk) has only letters and digits; check it."
            ),
            field="device.tile_key",
        )
    return text


@dataclass(frozen=True)
class MBTilesInfo:
    path: str
    name: str
    format: str
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None
    tile_count: int

    @property
    def content_type(self) -> str:
        return MBTILES_FORMATS.get(self.format, "image/png")


def _mbtiles_problem(path: str, template: str) -> ValidationError:
    return ValidationError(template, field="device.tile_mbtiles", path=path)


def open_mbtiles(path: str | Path) -> sqlite3.Connection:
    """A read-only connection to an MBTiles file (usable from the GUI thread only)."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


def read_mbtiles_info(path: str | Path) -> MBTilesInfo:
    """Check an MBTiles file and read what the map needs from its metadata.

    Raises ValidationError with a message saying what is wrong with the file.
    """
    text = str(path)
    file = Path(text)
    if not text or not file.is_file():
        raise _mbtiles_problem(
            text, QT_TRANSLATE_NOOP("services", "The MBTiles file {path} does not exist.")
        )
    try:
        with open_mbtiles(file) as conn:
            meta = dict(conn.execute("SELECT name, value FROM metadata").fetchall())
            row = conn.execute(
                "SELECT MIN(zoom_level), MAX(zoom_level), COUNT(*) FROM tiles"
            ).fetchone()
        conn.close()
    except sqlite3.Error as exc:
        raise _mbtiles_problem(
            text,
            QT_TRANSLATE_NOOP(
                "services",
                "{path} is not an MBTiles file (an SQLite file with the tables metadata and tiles).",
            ),
        ) from exc
    if not row or not row[2]:
        raise _mbtiles_problem(
            text, QT_TRANSLATE_NOOP("services", "The MBTiles file {path} contains no tiles.")
        )
    fmt = str(meta.get("format") or "png").lower()
    if fmt not in MBTILES_FORMATS:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services",
                "The MBTiles file holds {format} tiles; the map can show png, jpg and webp tiles.",
            ),
            field="device.tile_mbtiles",
            format=fmt,
        )
    return MBTilesInfo(
        path=str(file),
        name=str(meta.get("name") or file.stem),
        format=fmt,
        min_zoom=int(meta.get("minzoom") or row[0]),
        max_zoom=int(meta.get("maxzoom") or row[1]),
        bounds=_bounds(meta.get("bounds")),
        tile_count=int(row[2]),
    )


def _bounds(value: Any) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(v) for v in str(value).split(","))
    except (TypeError, ValueError):
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return west, south, east, north


def check_mbtiles_path(value: Any) -> Any:
    text = str(value or "").strip()
    if text:
        read_mbtiles_info(text)
    return text


def tms_row(z: int, y: int) -> int:
    """The MBTiles (TMS) row of the XYZ tile row ``y`` at zoom ``z``: 2^z − 1 − y."""
    return (1 << z) - 1 - y


def read_tile(conn: sqlite3.Connection, z: int, x: int, y: int) -> bytes | None:
    """The tile at XYZ address z/x/y (y counted from the north), or None."""
    if z < 0 or z > 30 or not (0 <= x < (1 << z)) or not (0 <= y < (1 << z)):
        return None
    row = conn.execute(
        "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
        (z, x, tms_row(z, y)),
    ).fetchone()
    return bytes(row[0]) if row else None


def _tianditu_layers(source: str, key: str) -> tuple[TileLayerSpec, ...]:
    base, labels = _TIANDITU_LAYERS[source]
    return tuple(
        TileLayerSpec(
            url=_TIANDITU.replace("{layer}", layer).replace("{tk}", key),
            attribution=TIANDITU_ATTRIBUTION,
            subdomains=TIANDITU_SUBDOMAINS,
            min_zoom=1,
            max_zoom=18,
            overlay=overlay,
        )
        for layer, overlay in ((base, False), (labels, True))
    )


def tile_config(values: dict[str, Any], mbtiles_url: str = "") -> TileConfig:
    """The base map described by the device settings ``values`` (see settings.SPECS).

    ``mbtiles_url`` is the template under which the desktop serves the MBTiles
    file (e.g. ``griddesk://local/tiles/<token>/{z}/{x}/{y}``). A setting that
    cannot be used gives a plain background and says why in ``problem``.
    """
    source = str(values.get("device.tile_source") or SOURCE_NONE)
    key = str(values.get("device.tile_key") or "")
    url = str(values.get("device.tile_url") or "")
    mbtiles = str(values.get("device.tile_mbtiles") or "")
    if source in _TIANDITU_LAYERS:
        if not key:
            return TileConfig(
                source,
                problem=ValidationError(
                    QT_TRANSLATE_NOOP(
                        "services", "The Tianditu base map needs the key (tk) of your office."
                    ),
                    field="device.tile_key",
                ),
            )
        return TileConfig(source, _tianditu_layers(source, key))
    if source == SOURCE_URL:
        if not url:
            return TileConfig(
                source,
                problem=ValidationError(
                    QT_TRANSLATE_NOOP("services", "Enter the tile server's address."),
                    field="device.tile_url",
                ),
            )
        return TileConfig(source, (TileLayerSpec(url=url.replace("{tk}", key)),))
    if source == SOURCE_MBTILES:
        try:
            info = read_mbtiles_info(mbtiles)
        except ValidationError as exc:
            return TileConfig(source, mbtiles_path=mbtiles, problem=exc)
        return TileConfig(
            source,
            (
                TileLayerSpec(
                    url=mbtiles_url,
                    attribution=info.name,
                    min_zoom=0,
                    max_zoom=19,
                    max_native_zoom=info.max_zoom,
                    bounds=info.bounds,
                ),
            ),
            mbtiles_path=info.path,
        )
    return TileConfig(SOURCE_NONE)


def save_tile_settings(session: Session, actor: Actor, values: dict[str, Any]) -> TileConfig:
    """Check the base-map settings together and store them (each change audited).

    Raises ValidationError (with ``field``) when the chosen source cannot work
    with what was entered — e.g. 天地图 without its key — so nothing half-set is saved.
    """
    from services import settings

    source = check_source(values.get("device.tile_source"))
    used = {"device.tile_source", *_SOURCE_FIELDS.get(source, ())}
    checked: dict[str, Any] = {}
    for key in TILE_SETTING_KEYS:
        try:
            checked[key] = settings.validate(key, values.get(key, ""))
        except ValidationError:
            if key in used:
                raise
            # A field of another source that was left half-typed: keep what was stored.
            checked[key] = settings.get(session, key)
    config = tile_config(checked, mbtiles_url="griddesk://check/{z}/{x}/{y}")
    if config.problem is not None:
        raise config.problem
    for key in TILE_SETTING_KEYS:
        settings.change(session, actor, key, checked[key])
    return config
