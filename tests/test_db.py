"""Opening and migrating the database, and the problems a person can act on."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from models.db import (
    DB_FILENAME,
    MIGRATIONS_DIR,
    DatabaseLocked,
    DatabaseReadOnly,
    DatabaseTooNew,
    DataDirUnavailable,
    DiskFull,
    classify,
    current_revisions,
    head_revisions,
    migrate,
    open_database,
)
from models.tables import Setting


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_gets_every_table_and_the_pragmas(tmp_path: Path) -> None:
    db = open_database(tmp_path / "new")
    try:
        assert current_revisions(db.engine) == head_revisions()
        tables = set(inspect(db.engine).get_table_names())
        assert {
            "org_units",
            "departments",
            "categories",
            "users",
            "visits",
            "cases",
            "case_events",
            "audit_log",
            "settings",
            "holidays",
            "sync_outbox",
            "sync_state",
            "drafts",
        } <= tables
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    finally:
        db.dispose()


def test_reopening_keeps_data_and_makes_no_backup(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    with db.session() as session:
        session.add(Setting(key="centre_name", value="长河街道"))
    db.dispose()
    db = open_database(tmp_path)
    with db.sessions() as session:
        assert session.get(Setting, "centre_name").value == "长河街道"
    db.dispose()
    assert not (tmp_path / "backups").exists()


def test_migration_on_an_existing_database_keeps_a_copy_first(tmp_path: Path) -> None:
    """A newer schema (a made-up revision adding a column) migrates an old file
    after copying it, and keeps every row."""
    db = open_database(tmp_path)
    with db.session() as session:
        session.add(Setting(key="centre_name", value="西岭街道"))
    db.dispose()

    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations)
    parents = tuple(sorted(head_revisions()))
    (migrations / "versions" / "t9999_test.py").write_text(
        '"""test revision"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = 't9999'\ndown_revision = {parents!r}\nbranch_labels = None\ndepends_on = None\n\n"
        "def upgrade():\n"
        "    with op.batch_alter_table('settings') as batch:\n"
        "        batch.add_column(sa.Column('note', sa.String(20), nullable=True))\n\n"
        "def downgrade():\n"
        "    with op.batch_alter_table('settings') as batch:\n"
        "        batch.drop_column('note')\n",
        encoding="utf-8",
    )
    db = open_database(tmp_path, run_migrations=False)
    assert migrate(db.engine, db.path, migrations) is True
    assert current_revisions(db.engine) == head_revisions(migrations)
    assert current_revisions(db.engine) == {"t9999"}
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT value, note FROM settings")).one() == ('"西岭街道"', None)
    db.dispose()
    backups = list((tmp_path / "backups").glob("*.sqlite3"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    try:
        assert {r[0] for r in copy.execute("SELECT version_num FROM alembic_version")} == set(
            parents
        )
        assert copy.execute("SELECT count(*) FROM settings").fetchone() == (1,)
    finally:
        copy.close()


def test_database_from_a_newer_version_is_left_untouched(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE alembic_version SET version_num = 'f00dcafe9999' WHERE rowid = (SELECT min(rowid) FROM alembic_version)"
            )
        )
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    before = file_digest(tmp_path / DB_FILENAME)
    with pytest.raises(DatabaseTooNew):
        open_database(tmp_path)
    assert file_digest(tmp_path / DB_FILENAME) == before
    assert not (tmp_path / "backups").exists()


def test_read_only_file_is_reported_not_changed(tmp_path: Path) -> None:
    open_database(tmp_path).dispose()
    path = tmp_path / DB_FILENAME
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        before = file_digest(path)
        with pytest.raises(DatabaseReadOnly):
            open_database(tmp_path)
        assert file_digest(path) == before
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_data_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DataDirUnavailable):
        open_database(blocker / "data")


def test_locked_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE squatter (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseLocked):
            open_database(tmp_path, busy_timeout_ms=200)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_driver_messages_are_classified() -> None:
    assert isinstance(classify(sqlite3.OperationalError("database or disk is full"), "x"), DiskFull)
    assert isinstance(classify(sqlite3.OperationalError("database is locked"), "x"), DatabaseLocked)
    assert isinstance(
        classify(sqlite3.OperationalError("attempt to write a readonly database"), "x"),
        DatabaseReadOnly,
    )
    assert classify(sqlite3.OperationalError("no such table: x"), "x") is None


def test_session_rolls_back_on_error(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    with pytest.raises(RuntimeError), db.session() as session:
        session.add(Setting(key="centre_name", value="x"))
        session.flush()
        raise RuntimeError("boom")
    with db.sessions() as session:
        assert session.scalar(select(Setting).where(Setting.key == "centre_name")) is None
    db.dispose()
