"""Shared fixtures: Qt offscreen with its settings in a temporary folder, a fresh
database per test, and a small demo district built once per run and copied."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

import pytest

from models.db import DB_FILENAME, Database, open_database
from views.map.scheme import register_scheme

register_scheme()  # before pytest-qt creates the application

DEMO_CASES = 400


@pytest.fixture(scope="session", autouse=True)
def _isolated_qt_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep QSettings and QStandardPaths away from the real user's files."""
    from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    QCoreApplication.setOrganizationName("GridDeskTests")
    QCoreApplication.setApplicationName("GridDeskTests")
    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))


@pytest.fixture(autouse=True)
def _wait_for_background_work() -> Iterator[None]:
    """After each test, wait for the ops still running in Qt's thread pool, so a
    worker of one test never touches the next test's database or widgets."""
    yield
    from PySide6.QtCore import QThreadPool

    assert QThreadPool.globalInstance().waitForDone(60_000), "background work still running"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "data")
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def reference_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo district's reference data without cases, loaded once per run and copied per test."""
    from tests.builders import load_demo_reference

    folder = tmp_path_factory.mktemp("reference-template")
    database = open_database(folder)
    load_demo_reference(database)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return folder


@pytest.fixture
def ref_db(reference_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A private database holding the demo district's reference data (no cases)."""
    target = tmp_path / "ref-data"
    target.mkdir()
    shutil.copy2(reference_template / DB_FILENAME, target / DB_FILENAME)
    database = open_database(target)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo district with a few hundred cases, made once per test run."""
    from services.demo.generator import seed_demo

    folder = tmp_path_factory.mktemp("demo-template")
    database = open_database(folder)
    seed_demo(database, cases=DEMO_CASES)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return folder


@pytest.fixture
def demo_dir(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo district's data folder."""
    target = tmp_path / "demo"
    target.mkdir()
    shutil.copy2(demo_template / DB_FILENAME, target / DB_FILENAME)
    return target


@pytest.fixture
def demo_db(demo_dir: Path) -> Iterator[Database]:
    database = open_database(demo_dir)
    yield database
    database.dispose()


@pytest.fixture
def zh_translations(qapp):  # type: ignore[no-untyped-def]
    """Chinese translators installed for the duration of a test."""
    from desktop.i18n import install_translators

    assert install_translators("zh_CN")
    yield
    install_translators("en")
