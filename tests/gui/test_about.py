"""Help ▸ About: the version from its one place, the data folder and the log
file, copyable, and a button that opens the data folder (or says it could not)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QDesktopServices, QGuiApplication

from desktop.about import AboutDialog, program_dir
from desktop.app_settings import Preferences
from desktop.context import AppContext
from desktop.main_window import MainWindow
from models.db import Database
from services.version import __version__
from tests.builders import PASSWORD, load_demo_reference

pytestmark = pytest.mark.gui


def test_about_shows_version_data_folder_and_log_file(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log_file = tmp_path / "logs" / "griddesk.log"
    dialog = AboutDialog(tmp_path, log_file)
    qtbot.addWidget(dialog)
    assert __version__ in dialog.version_label.text()
    assert dialog.data_field.text() == str(tmp_path)
    assert dialog.log_field.text() == str(log_file)
    assert dialog.data_field.isReadOnly() and dialog.log_field.isReadOnly()
    assert dialog.program_field.text() == str(program_dir())
    assert (program_dir() / "main.py").exists()  # from the source tree, the repository

    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert f"GridDesk {__version__}" in copied
    assert str(tmp_path) in copied and str(log_file) in copied


def test_about_without_a_log_file_says_so(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = AboutDialog(tmp_path, None)
    qtbot.addWidget(dialog)
    assert dialog.log_field.text() == dialog.tr("(not writing a log file)")


def test_open_data_folder_asks_the_desktop_and_reports_failure(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    opened: list[str] = []
    answer = [True]

    def fake_open(url) -> bool:  # type: ignore[no-untyped-def]
        opened.append(url.toLocalFile())
        return answer[0]

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(fake_open))
    dialog = AboutDialog(tmp_path, None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.open_button.click()
    assert opened == [str(tmp_path)]
    assert dialog.error.isHidden()

    answer[0] = False
    dialog.open_button.click()
    assert dialog.error.isVisible() and dialog.error.text()

    missing = AboutDialog(tmp_path / "gone", None)
    qtbot.addWidget(missing)
    assert missing.open_data_folder() is False
    assert len(opened) == 2  # a folder that does not exist is not handed to the desktop


def test_help_menu_opens_the_about_dialog(
    qtbot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    load_demo_reference(db, with_passwords=("official",))
    from services.accounts.auth import login

    user = login(db, "official", PASSWORD)
    window = MainWindow(AppContext(db=db, data_dir=tmp_path, user=user, prefs=Preferences()))
    qtbot.addWidget(window)
    shown: list[AboutDialog] = []

    def fake_exec(self: AboutDialog) -> int:
        shown.append(self)
        return 0

    monkeypatch.setattr(AboutDialog, "exec", fake_exec)
    about = next(
        action
        for menu in window.menuBar().actions()
        for action in menu.menu().actions()
        if action.text() == window.tr("&About GridDesk")
    )
    about.trigger()
    assert len(shown) == 1
    assert shown[0].data_field.text() == str(tmp_path)
    assert shown[0].windowTitle() == "关于网格工作台"
