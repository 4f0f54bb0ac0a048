"""What a person sees when something goes wrong: database problems in Chinese,
and the error dialog with details they can copy."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from desktop import app as app_module
from desktop import crash
from models.db import DB_FILENAME, DatabaseProblem, open_database
from views.messages import database_problem_text

pytestmark = pytest.mark.gui

CODES = [
    "data_dir_unavailable",
    "database_locked",
    "database_read_only",
    "disk_full",
    "database_too_new",
    "database_corrupt",
]


@pytest.mark.parametrize("code", CODES)
def test_every_database_problem_has_a_chinese_message(code: str, zh_translations) -> None:  # type: ignore[no-untyped-def]
    problem = type("P", (DatabaseProblem,), {"code": code})("/data/griddesk.sqlite3")
    text = database_problem_text(problem)
    assert "/data/griddesk.sqlite3" in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_start_on_a_newer_database_explains_and_leaves_it(
    tmp_path: Path, monkeypatch, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    open_database(tmp_path).dispose()
    con = sqlite3.connect(tmp_path / DB_FILENAME)
    con.execute(
        "UPDATE alembic_version SET version_num = 'ffffffff0000' WHERE rowid = (SELECT min(rowid) FROM alembic_version)"
    )
    con.commit()
    con.close()
    before = (tmp_path / DB_FILENAME).read_bytes()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    assert app_module.open_or_explain(tmp_path) is None
    assert shown and "更新版本" in shown[0]
    assert (tmp_path / DB_FILENAME).read_bytes() == before


def test_disk_full_while_working_is_explained_not_crashed(monkeypatch, zh_translations) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(
        crash.ErrorDialog, "exec", lambda self: pytest.fail("no traceback dialog for a full disk")
    )
    error = sqlite3.OperationalError("database or disk is full")
    crash.excepthook(type(error), error, None)
    assert shown and "磁盘已满" in shown[0]


def test_unexpected_error_dialog_offers_copyable_details(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[crash.ErrorDialog] = []

    def fake_exec(self: crash.ErrorDialog) -> int:
        seen.append(self)
        self.copy_details()
        return 0

    monkeypatch.setattr(crash.ErrorDialog, "exec", fake_exec)
    try:
        raise ValueError("boom in a screen")
    except ValueError:
        crash.excepthook(*sys.exc_info())
    assert len(seen) == 1
    details = seen[0].details.toPlainText()
    assert "ValueError: boom in a screen" in details and "GridDesk" in details
    assert QGuiApplication.clipboard().text() == details
