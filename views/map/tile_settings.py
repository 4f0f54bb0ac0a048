"""The base-map group of the settings screen: where the map's tiles come from
(none, 天地图 with its key, a tile server, an MBTiles file), with a preview
of the grids on that base map."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.errors import DomainError, ValidationError
from services.map.page import MODE_PREVIEW
from services.map.tiles import (
    SOURCE_MBTILES,
    SOURCE_NONE,
    SOURCE_TIANDITU_IMAGERY,
    SOURCE_TIANDITU_VECTOR,
    SOURCE_URL,
    SOURCES,
    read_mbtiles_info,
)

from ..context import ViewContext
from ..formatting import label, plain_label
from ..forms import FieldErrors
from . import ops
from .pages import build_html, resolve_tiles, tile_values
from .web import MapWebView

_FIELDS = ("device.tile_key", "device.tile_url", "device.tile_mbtiles")


class TileSettingsBox(QGroupBox):
    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Base map"), parent)
        self.ctx = ctx
        self.setObjectName("tileSettings")
        self.source = QComboBox()
        self.source.setObjectName("tileSource")
        for code, text in SOURCES.items():
            self.source.addItem(label(text), code)
        self.key = QLineEdit()
        self.key.setObjectName("tileKey")
        self.key.setPlaceholderText(self.tr("the office's Tianditu key (tk)"))
        self.url = QLineEdit()
        self.url.setObjectName("tileUrl")
        self.url.setPlaceholderText("http://10.0.0.8/tiles/{z}/{x}/{y}.png")
        self.mbtiles = QLineEdit()
        self.mbtiles.setObjectName("tileMbtiles")
        self.mbtiles.setPlaceholderText(self.tr("an .mbtiles file on this computer"))
        browse = QPushButton(self.tr("Choose…"))
        browse.setObjectName("tileBrowse")
        browse.clicked.connect(self.browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.mbtiles, 1)
        file_row.addWidget(browse)

        self.errors = FieldErrors(fallback=lambda text: self.show_message(text, error=True))
        form = QFormLayout()
        form.addRow(self.tr("Source"), self.source)
        self.rows: dict[str, tuple[QLabel, QWidget]] = {}
        for key, text, field in (
            ("device.tile_key", self.tr("Key (tk)"), self.key),
            ("device.tile_url", self.tr("Tile address"), self.url),
            ("device.tile_mbtiles", self.tr("MBTiles file"), None),
        ):
            caption = plain_label(text)
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            if field is None:
                column.addLayout(file_row)
            else:
                column.addWidget(field)
            column.addWidget(self.errors.add(key, field or self.mbtiles))
            self.rows[key] = (caption, holder)
            form.addRow(caption, holder)
        self.hint = plain_label()
        self.hint.setObjectName("hintLabel")
        self.hint.setWordWrap(True)
        form.addRow(self.hint)

        self.message = plain_label()
        self.message.setObjectName("messageLabel")
        self.message.setWordWrap(True)
        self.preview_button = QPushButton(self.tr("Preview"))
        self.preview_button.setObjectName("tilePreview")
        self.preview_button.clicked.connect(self.preview)
        self.save_button = QPushButton(self.tr("Save base map"))
        self.save_button.setObjectName("tileSave")
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save_button)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addStretch(1)
        left.addLayout(buttons)

        self.web = MapWebView()
        self.web.setObjectName("tilePreviewWeb")
        self.web.setFixedSize(360, 230)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(self.web)

        self.source.currentIndexChanged.connect(self._source_changed)
        self.load()
        self.preview()

    # ------------------------------------------------------------ values
    def values(self) -> dict[str, Any]:
        return {
            "device.tile_source": self.source.currentData() or SOURCE_NONE,
            "device.tile_key": self.key.text().strip(),
            "device.tile_url": self.url.text().strip(),
            "device.tile_mbtiles": self.mbtiles.text().strip(),
        }

    def load(self) -> None:
        values = tile_values(self.ctx)
        index = self.source.findData(values.get("device.tile_source") or SOURCE_NONE)
        self.source.setCurrentIndex(max(index, 0))
        self.key.setText(str(values.get("device.tile_key") or ""))
        self.url.setText(str(values.get("device.tile_url") or ""))
        self.mbtiles.setText(str(values.get("device.tile_mbtiles") or ""))
        self._source_changed()

    def _source_changed(self, *_args: object) -> None:
        source = self.source.currentData()
        shown = {
            "device.tile_key": source in (SOURCE_TIANDITU_VECTOR, SOURCE_TIANDITU_IMAGERY),
            "device.tile_url": source == SOURCE_URL,
            "device.tile_mbtiles": source == SOURCE_MBTILES,
        }
        for key, (caption, holder) in self.rows.items():
            caption.setVisible(shown[key])
            holder.setVisible(shown[key])
        hints = {
            SOURCE_NONE: self.tr("Grids and cases are drawn on a plain background."),
            SOURCE_TIANDITU_VECTOR: self.tr(
                "Needs internet access to tianditu.gov.cn and the key of your office."
            ),
            SOURCE_TIANDITU_IMAGERY: self.tr(
                "Needs internet access to tianditu.gov.cn and the key of your office."
            ),
            SOURCE_URL: self.tr(
                "The county's tile server: an XYZ address with {z}, {x} and {y}, "
                "or a WMTS address with TILEMATRIX={z}&TILEROW={y}&TILECOL={x}."
            ),
            SOURCE_MBTILES: self.tr("Tiles from a file: works with no network at all."),
        }
        self.hint.setText(hints.get(source, ""))
        self._clear_errors()

    def browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose an MBTiles file"),
            self.mbtiles.text(),
            self.tr("MBTiles files (*.mbtiles);;All files (*)"),
        )
        if path:
            self.mbtiles.setText(path)
            self.preview()

    # ------------------------------------------------------------ actions
    def _clear_errors(self) -> None:
        self.errors.clear()
        self.message.clear()

    def _show_error(self, exc: DomainError) -> None:
        self.errors.show(exc)

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setProperty("error", error)
        self.message.style().polish(self.message)
        self.message.setText(text)

    def preview(self) -> None:
        """Show the grids on the base map as entered (not yet saved)."""
        self._clear_errors()
        values = self.values()
        tiles = resolve_tiles(values)
        if tiles.problem is not None:
            self._show_error(tiles.problem)
        elif values["device.tile_source"] == SOURCE_MBTILES:
            try:
                info = read_mbtiles_info(values["device.tile_mbtiles"])
            except ValidationError as exc:
                self._show_error(exc)
            else:
                self.show_message(
                    self.tr("%1: zoom levels %2–%3, %n tile(s).", "", info.tile_count)
                    .replace("%1", info.name)
                    .replace("%2", str(info.min_zoom))
                    .replace("%3", str(info.max_zoom))
                )
        self.web.show_page(build_html(self.ctx, MODE_PREVIEW, tiles))

    def save(self) -> bool:
        self._clear_errors()
        try:
            ops.save_tiles(self.ctx, self.values())
        except DomainError as exc:
            self._show_error(exc)
            return False
        self.preview()
        self.show_message(self.tr("Base map saved; the map uses it from now on."))
        return True

    def wait_until_ready(self, timeout_ms: int = 20_000) -> bool:
        return self.web.wait_until_ready(timeout_ms)
