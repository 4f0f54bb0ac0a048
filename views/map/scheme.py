"""The ``griddesk:`` URL scheme: how the map page, its scripts and its tiles
reach QtWebEngine with no network.

``griddesk://local/pages/<name>`` — pages and data scripts the desktop made
(kept in memory; a page may be far larger than ``setHtml``'s 2 MB limit),
``griddesk://local/assets/<folder>/<file>`` — Leaflet, the heat plugin and our
own script, read from their installed packages (``services.map.page``), and
QWebChannel's script from Qt's resources,
``griddesk://local/tiles/<token>/<z>/<x>/<y>`` — tiles of an MBTiles file
(the MBTiles row is flipped: TMS counts rows from the south).

The scheme must be registered before the QApplication exists
(:func:`register_scheme`; ``desktop.app`` and the tests' conftest call it).
Everything lives under one host, so the page and its data share an origin.
"""

from __future__ import annotations

import atexit
import logging
import mimetypes
import os
import sqlite3
import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QFile,
    QIODevice,
    QObject,
    Qt,
)
from PySide6.QtGui import QColor, QImage
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from services.map.page import asset_path
from services.map.tiles import MBTilesInfo, open_mbtiles, read_mbtiles_info, read_tile

log = logging.getLogger(__name__)

SCHEME = b"griddesk"
HOST = "local"
BASE_URL = "griddesk://local/"
ASSET_BASE = BASE_URL + "assets/"
PAGES = "pages"
TILES = "tiles"

_CONTENT_TYPES = {
    ".js": "application/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".html": "text/html",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}


def register_scheme() -> None:
    """Make ``griddesk:`` known to QtWebEngine; call before the QApplication exists."""
    if (
        hasattr(os, "geteuid")
        and os.geteuid() == 0
        and "QTWEBENGINE_DISABLE_SANDBOX" not in os.environ
    ):
        # Chromium refuses to start its sandbox as root (containers, kiosk set-ups).
        log.warning("running as root: the web engine's sandbox is switched off")
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    if QWebEngineUrlScheme.schemeByName(QByteArray(SCHEME)).name() == QByteArray(SCHEME):
        return
    scheme = QWebEngineUrlScheme(QByteArray(SCHEME))
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(
        QWebEngineUrlScheme.Flag.LocalAccessAllowed
        | QWebEngineUrlScheme.Flag.CorsEnabled
        | QWebEngineUrlScheme.Flag.FetchApiAllowed
    )
    QWebEngineUrlScheme.registerScheme(scheme)
    # QtWebEngine wants shared OpenGL contexts set up before the application, too.
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


@dataclass
class _TileSource:
    info: MBTilesInfo
    connection: sqlite3.Connection


def _transparent_tile() -> bytes:
    image = QImage(256, 256, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 takes the format as str at run time; its stubs say bytes.
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    buffer.close()
    return bytes(data.data())


class LocalContent(QWebEngineUrlSchemeHandler):
    """Serves the ``griddesk:`` scheme (on the GUI thread, as Qt calls it)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._documents: dict[str, tuple[bytes, str]] = {}
        self._tiles: dict[str, _TileSource] = {}
        self._tile_tokens: dict[tuple[str, float], str] = {}
        self._blank_tile: bytes | None = None
        self.requests: list[str] = []  # the last addresses asked for (newest last)

    # ------------------------------------------------------------ documents
    def publish(self, data: bytes | str, content_type: str, name: str | None = None) -> str:
        """Keep ``data`` for the page; return its address."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        key = name or uuid.uuid4().hex
        self._documents[key] = (data, content_type)
        return f"{BASE_URL}{PAGES}/{key}"

    def withdraw(self, url: str) -> None:
        self._documents.pop(url.rsplit("/", 1)[-1], None)

    # ------------------------------------------------------------ MBTiles
    def add_mbtiles(self, path: str) -> tuple[str, MBTilesInfo]:
        """Serve an MBTiles file; return its tile URL template and its description.

        Raises ValidationError when the file cannot be used.
        """
        file = Path(path).resolve()
        key = (str(file), file.stat().st_mtime if file.exists() else 0.0)
        token = self._tile_tokens.get(key)
        if token is None or token not in self._tiles:
            info = read_mbtiles_info(file)
            token = uuid.uuid4().hex[:12]
            self._tiles[token] = _TileSource(info, open_mbtiles(file))
            self._tile_tokens[key] = token
        info = self._tiles[token].info
        ext = "jpg" if info.format in ("jpg", "jpeg") else info.format
        return f"{BASE_URL}{TILES}/{token}/{{z}}/{{x}}/{{y}}.{ext}", info

    def close_tiles(self) -> None:
        for source in self._tiles.values():
            source.connection.close()
        self._tiles.clear()
        self._tile_tokens.clear()

    # ------------------------------------------------------------ requests
    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 - Qt override
        url = job.requestUrl()
        self.requests = [*self.requests[-199:], url.toString()]
        if url.host() != HOST or job.requestMethod() != QByteArray(b"GET"):
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        parts = [p for p in url.path().split("/") if p]
        if not parts:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        kind, rest = parts[0], parts[1:]
        if kind == PAGES and len(rest) == 1 and rest[0] in self._documents:
            data, content_type = self._documents[rest[0]]
            self._reply(job, data, content_type)
        elif kind == "assets" and rest:
            self._asset(job, "/".join(rest))
        elif kind == TILES and len(rest) == 4:
            self._tile(job, rest)
        else:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)

    def _asset(self, job: QWebEngineUrlRequestJob, relative: str) -> None:
        if relative == "qt/qwebchannel.js":
            file = QFile(":/qtwebchannel/qwebchannel.js")
            if file.open(QIODevice.OpenModeFlag.ReadOnly):
                self._reply(job, bytes(file.readAll().data()), _CONTENT_TYPES[".js"])
                return
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        path = asset_path(relative)
        if path is None:
            log.warning("map asset not found: %s", relative)
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        content_type = _CONTENT_TYPES.get(path.suffix) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        self._reply(job, path.read_bytes(), content_type)

    def _tile(self, job: QWebEngineUrlRequestJob, parts: list[str]) -> None:
        token, z_text, x_text, y_file = parts
        source = self._tiles.get(token)
        try:
            z, x, y = int(z_text), int(x_text), int(y_file.split(".", 1)[0])
        except ValueError:
            job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
            return
        if source is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        try:
            data = read_tile(source.connection, z, x, y)
        except sqlite3.Error:
            log.exception("reading tile %s/%s/%s of %s", z, x, y, source.info.path)
            data = None
        if data is None:
            # Outside the file's area or zoom levels: an empty tile, not an error.
            if self._blank_tile is None:
                self._blank_tile = _transparent_tile()
            self._reply(job, self._blank_tile, "image/png")
            return
        self._reply(job, data, source.info.content_type)

    @staticmethod
    def _reply(job: QWebEngineUrlRequestJob, data: bytes, content_type: str) -> None:
        buffer = QBuffer(parent=job)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(QByteArray(content_type.encode("ascii")), buffer)


_profile: QWebEngineProfile | None = None
_content: LocalContent | None = None
_pages: weakref.WeakSet[QObject] = weakref.WeakSet()


def track_page(page: QObject) -> None:
    """Remember a page of the map profile: pages must go before their profile."""
    _pages.add(page)


def _release_pages() -> None:
    # At exit a view whose deleteLater was never processed still holds its page;
    # delete the pages first so the profile is never released under a live page.
    for page in list(_pages):
        if shiboken6.isValid(page):
            shiboken6.delete(page)


def map_profile() -> tuple[QWebEngineProfile, LocalContent]:
    """The web profile of the map pages (in memory only) and its scheme handler."""
    global _profile, _content
    if _profile is None or _content is None:
        app = QCoreApplication.instance()
        _profile = QWebEngineProfile(app)  # no name: off the record, nothing on disk
        _profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
        _content = LocalContent(_profile)
        _profile.installUrlSchemeHandler(QByteArray(SCHEME), _content)
        atexit.register(_release_pages)
    return _profile, _content
