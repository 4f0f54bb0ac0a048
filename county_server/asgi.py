"""The ASGI application for ``uvicorn county_server.asgi:app`` (database URL in
``GRIDDESK_SERVER_DB``, reverse proxies to believe in ``GRIDDESK_TRUSTED_PROXIES``,
comma-separated, the blob folder in ``GRIDDESK_BLOB_ROOT`` (default: ``blobs/`` next to a
SQLite database file)); ``python -m county_server serve`` sets it up."""

from __future__ import annotations

import os

from .app import create_app
from .db import DEFAULT_URL, open_server_db

app = create_app(
    open_server_db(os.environ.get("GRIDDESK_SERVER_DB", DEFAULT_URL)),
    token_hours=float(os.environ.get("GRIDDESK_SERVER_TOKEN_HOURS", "12")),
    trusted_proxies=os.environ.get("GRIDDESK_TRUSTED_PROXIES", "").split(","),
)
