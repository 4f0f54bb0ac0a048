"""Opening the database: engine set-up, migrations with a backup first, and the
errors a person can act on (locked, read-only, disk full, newer version).

The desktop keeps one SQLite file per data folder. SQLite runs in WAL mode with
``synchronous=FULL`` (a committed visit survives a power cut), foreign keys on
and a busy timeout, so that the UI thread and background work can share it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from .private import create_private_file, private_dir, tighten

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DB_FILENAME = "griddesk.sqlite3"
BUSY_TIMEOUT_MS = 10_000
BACKUPS_KEPT = 3


class DatabaseProblem(Exception):
    """A database the application cannot use as it is. ``code`` says why."""

    code = "database"

    def __init__(self, path: Path | str | None, detail: str = "") -> None:
        self.path = str(path) if path is not None else ""
        self.detail = detail
        super().__init__(f"{self.code}: {self.path} {detail}".strip())


class DataDirUnavailable(DatabaseProblem):
    code = "data_dir_unavailable"


class DatabaseLocked(DatabaseProblem):
    code = "database_locked"


class DatabaseReadOnly(DatabaseProblem):
    code = "database_read_only"


class DiskFull(DatabaseProblem):
    code = "disk_full"


class DatabaseTooNew(DatabaseProblem):
    code = "database_too_new"


class DatabaseCorrupt(DatabaseProblem):
    code = "database_corrupt"


def classify(error: BaseException, path: Path | str | None) -> DatabaseProblem | None:
    """Turn a driver error into the problem a person can act on, if it is one."""
    text = str(getattr(error, "orig", error)).lower()
    if "database is locked" in text or "database table is locked" in text:
        return DatabaseLocked(path, text)
    if "readonly" in text or "read-only" in text or "attempt to write a readonly" in text:
        return DatabaseReadOnly(path, text)
    if "disk is full" in text or "no space left" in text or "database or disk is full" in text:
        return DiskFull(path, text)
    if "file is not a database" in text or "malformed" in text:
        return DatabaseCorrupt(path, text)
    if "unable to open database" in text:
        return DataDirUnavailable(path, text)
    return None


def _pragmas(busy_timeout_ms: int) -> Any:
    def apply(dbapi_connection: Any, _record: Any) -> None:
        _sqlite_pragmas(dbapi_connection, busy_timeout_ms)

    return apply


def _sqlite_pragmas(dbapi_connection: Any, busy_timeout_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


def _json_dumps(value: Any) -> str:
    """JSON with Chinese kept readable in the file (and half the size of \\u escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def make_engine(url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS, **kwargs: Any) -> Engine:
    """An engine for ``url`` with GridDesk's connection settings applied."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
            json_serializer=_json_dumps,
            **kwargs,
        )
        event.listen(engine, "connect", _pragmas(busy_timeout_ms))
        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=_json_dumps, **kwargs)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def alembic_config(url: str, migrations_dir: Path = MIGRATIONS_DIR) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revisions(migrations_dir: Path = MIGRATIONS_DIR) -> frozenset[str]:
    """The newest revision of every branch (features may add parallel branches)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://", migrations_dir))
    return frozenset(script.get_heads())


def current_revisions(engine: Engine) -> frozenset[str]:
    with engine.connect() as conn:
        return frozenset(MigrationContext.configure(conn).get_current_heads())


def _backup(path: Path, revision: str | None) -> Path:
    """Copy the database (with a consistent snapshot through SQLite's backup API)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup_dir = private_dir(path.parent / "backups")
    target = backup_dir / f"{path.stem}-{revision or 'empty'}-{stamp}{path.suffix}"
    create_private_file(target)  # 0600 before SQLite writes a visitor's data into it
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    old = sorted(backup_dir.glob(f"{path.stem}-*{path.suffix}"))
    for stale in old[:-BACKUPS_KEPT]:
        stale.unlink(missing_ok=True)
    return target


def migrate(
    engine: Engine, path: Path | None = None, migrations_dir: Path = MIGRATIONS_DIR
) -> bool:
    """Bring the schema to the newest revision; returns True if anything ran.

    A database written by a newer GridDesk (a revision this version does not
    know) raises :class:`DatabaseTooNew` and is left untouched. An existing
    SQLite file is copied to ``backups/`` before any migration runs.
    """
    script = ScriptDirectory.from_config(alembic_config("sqlite://", migrations_dir))
    heads = frozenset(script.get_heads())
    current = current_revisions(engine)
    if current == heads:
        return False
    for revision in current:
        try:
            known = script.get_revision(revision)
        except Exception as exc:  # alembic raises several kinds for an unknown id
            raise DatabaseTooNew(path, f"revision {revision} is not known to this version") from exc
        if known is None:
            raise DatabaseTooNew(path, f"revision {revision} is not known to this version")
    label = ",".join(sorted(current)) or None
    if path is not None and path.exists() and path.stat().st_size > 0 and current:
        saved = _backup(path, label)
        log.info("database copied to %s before migrating from %s", saved, label)
    cfg = alembic_config(str(engine.url), migrations_dir)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    log.info("database migrated from %s to %s", label, ",".join(sorted(heads)))
    return True


@dataclass
class Database:
    """An open, migrated database and its session factory."""

    engine: Engine
    sessions: sessionmaker[Session]
    path: Path | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_url(url: str, *, run_migrations: bool = True, **engine_kwargs: Any) -> Database:
    engine = make_engine(url, **engine_kwargs)
    if run_migrations:
        migrate(engine)
    return Database(engine, sessionmaker(engine, expire_on_commit=False))


def open_database(
    data_dir: Path, *, run_migrations: bool = True, busy_timeout_ms: int = BUSY_TIMEOUT_MS
) -> Database:
    """Open (creating and migrating as needed) the database in ``data_dir``.

    Raises a :class:`DatabaseProblem` a person can act on instead of a driver error.
    """
    tightened = tighten(data_dir)  # models.private: visitors' data for this account only
    if tightened:
        log.warning("%s", tightened.summary(data_dir))
    try:
        private_dir(data_dir)
    except OSError as exc:
        raise DataDirUnavailable(data_dir, str(exc)) from exc
    path = data_dir / DB_FILENAME
    if path.exists() and not _writable(path):
        raise DatabaseReadOnly(path, "the file cannot be written")
    if not _writable(data_dir):
        raise DataDirUnavailable(data_dir, "the folder cannot be written")
    if not path.exists():
        # SQLite would make it 0644 less the umask; its -wal and -shm files take this mode.
        try:
            create_private_file(path)
        except OSError as exc:
            raise DataDirUnavailable(data_dir, str(exc)) from exc
    engine = make_engine(sqlite_url(path), busy_timeout_ms=busy_timeout_ms)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA schema_version").scalar()
        if run_migrations:
            migrate(engine, path)
    except DatabaseProblem:
        engine.dispose()
        raise
    except (OperationalError, DBAPIError, sqlite3.Error) as exc:
        engine.dispose()
        problem = classify(exc, path)
        if problem is None:
            raise
        raise problem from exc
    return Database(engine, sessionmaker(engine, expire_on_commit=False), path)


def _writable(path: Path) -> bool:
    """Writable for us, and not marked read-only (no write bit; honoured even for root)."""
    import os
    import stat

    mode = path.stat().st_mode
    return os.access(path, os.W_OK) and bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
