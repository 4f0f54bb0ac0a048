"""Running a test on both database engines: SQLite (a desk's data folder) and PostgreSQL
(a county server's database, when ``GRIDDESK_TEST_PG_URL`` is set; skipped where absent).

``@pytest.fixture(params=ENGINES)`` and :func:`engine_database` give a fresh, migrated,
empty database of the engine: on SQLite the desk's schema (:func:`models.db.open_database`;
with ``server=True`` the county server's), on PostgreSQL the county server's (:func:`county_server.db.open_server_db`: the same shared
tables plus the server's own), in a new database dropped afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from county_server.db import open_server_db
from models.db import Database, open_database
from tests.sync_harness import fresh_server_url, pg_base_url

PG = pytest.param(
    "pg",
    marks=[
        pytest.mark.pg,
        pytest.mark.skipif(not pg_base_url(), reason="GRIDDESK_TEST_PG_URL is not set"),
    ],
)
ENGINES = ["sqlite", PG]
"""The engines a test runs on: ``"sqlite"`` and ``"pg"``."""


@contextlib.contextmanager
def engine_database(kind: str, folder: Path, *, server: bool = False) -> Iterator[Database]:
    """An empty migrated database of ``kind`` ("sqlite" or "pg"), disposed (and, on
    PostgreSQL, dropped) afterwards. ``server=True`` gives a county server's database on
    SQLite too (the shared tables plus the server's own)."""
    if kind == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        db = (
            open_server_db(f"sqlite:///{folder / 'county.sqlite3'}")
            if server
            else open_database(folder)
        )
        try:
            yield db
        finally:
            db.dispose()
        return
    with fresh_server_url("pg", folder) as url:
        db = open_server_db(url)
        try:
            yield db
        finally:
            db.dispose()
