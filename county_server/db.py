"""The county server's database: the shared schema (the desktop's migrations)
plus the server's own tables (``county_server/migrations``), on SQLite or PostgreSQL.

Write transactions go through :func:`write_session`: on SQLite it starts with
``BEGIN IMMEDIATE`` so that concurrent requests queue for the single writer
instead of failing to upgrade a read snapshot; on PostgreSQL it is a plain
READ COMMITTED transaction whose feed rows are numbered under the feed lock
(:mod:`county_server.feed`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.db import Database, make_engine, migrate

SERVER_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_URL = "sqlite:///county.sqlite3"


def migrate_server(engine: Engine) -> None:
    """Bring both the shared tables and the server's own tables up to date."""
    migrate(engine)
    cfg = Config()
    cfg.set_main_option("script_location", str(SERVER_MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", str(engine.url).replace("%", "%%"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


def open_server_db(url: str, **engine_kwargs: Any) -> Database:
    if not url.startswith("sqlite"):
        engine_kwargs.setdefault("pool_size", 10)
        engine_kwargs.setdefault("max_overflow", 20)
    engine = make_engine(url, **engine_kwargs)
    migrate_server(engine)
    return Database(engine, sessionmaker(engine, expire_on_commit=False))


def is_postgres(session_or_engine: Session | Engine) -> bool:
    bind = (
        session_or_engine.get_bind()
        if isinstance(session_or_engine, Session)
        else session_or_engine
    )
    return bind.dialect.name == "postgresql"


@contextmanager
def write_session(db: Database) -> Iterator[Session]:
    """One write transaction, committed on success (see the module docstring)."""
    with db.sessions() as session:
        if db.engine.dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
