"""Small MBTiles files for tests and screenshots, drawn with QPainter.

Each tile shows its own XYZ address, so a picture shows at once whether the
rows were flipped right; the tiles are stored by the MBTiles (TMS) rule, rows
counted from the south.
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen


def tile_xy(lat: float, lon: float, z: int) -> tuple[int, int]:
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def draw_tile(z: int, x: int, y: int) -> bytes:
    """A 256 px PNG: a pale paper colour, a few 'streets', and the label z/x/y."""
    image = QImage(256, 256, QImage.Format.Format_RGB32)
    tint = (x * 37 + y * 91) % 40
    image.fill(QColor(236 - tint // 3, 232, 220 + tint // 4))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(255, 255, 255), 6))
    for offset in (64, 192):
        painter.drawLine(offset, 0, offset + 20, 256)
        painter.drawLine(0, offset, 256, offset - 16)
    painter.setPen(QPen(QColor(170, 170, 160), 1))
    painter.drawRect(0, 0, 255, 255)
    painter.setPen(QColor(90, 90, 80))
    font = QFont()
    font.setPixelSize(18)
    painter.setFont(font)
    painter.drawText(QRect(0, 0, 256, 256), Qt.AlignmentFlag.AlignCenter, f"{z}/{x}/{y}")
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def make_mbtiles(
    path: Path,
    bounds: tuple[float, float, float, float],
    zooms: range,
    name: str = "测试底图",
) -> int:
    """Write an MBTiles file covering ``bounds`` (west, south, east, north); return the tile count."""
    west, south, east, north = bounds
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE metadata (name TEXT, value TEXT);"
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
        "tile_data BLOB);"
        "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);"
    )
    meta = {
        "name": name,
        "format": "png",
        "minzoom": str(zooms.start),
        "maxzoom": str(zooms.stop - 1),
        "bounds": f"{west},{south},{east},{north}",
        "type": "baselayer",
    }
    conn.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
    count = 0
    for z in zooms:
        x0, y0 = tile_xy(north, west, z)
        x1, y1 = tile_xy(south, east, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                tms = (1 << z) - 1 - y
                conn.execute(
                    "INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, tms, draw_tile(z, x, y))
                )
                count += 1
    conn.commit()
    conn.close()
    return count
