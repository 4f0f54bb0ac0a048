"""The shell as a person meets it: first start, login, the main window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from desktop.app_settings import Preferences
from desktop.context import AppContext
from desktop.first_run import FirstRunDialog
from desktop.login import LoginDialog
from desktop.main_window import MainWindow
from models.db import Database
from models.tables import Category, Department, OrgUnit, User
from services import settings as settings_service
from tests.builders import PASSWORD, load_demo_reference, type_text

pytestmark = pytest.mark.gui


def fill_first_run(qtbot, dialog: FirstRunDialog, **overrides: str) -> None:  # type: ignore[no-untyped-def]
    """The first start's path without network, filled in."""
    dialog.offline_choice.click()
    assert dialog.offline_choice.isChecked()
    values = {
        "county_code": "990101",
        "county_name": "河西示范区",
        "street_code": "990101001",
        "street_name": "长河街道",
        "community_code": "",
        "community_name": "",
        "centre_name": "长河街道网格化服务管理中心",
        "username": "wangli",
        "display_name": "王丽",
        "password": "Strong-pass-1",
        "password_again": "Strong-pass-1",
        **overrides,
    }
    for key, value in values.items():
        dialog.fields[key].clear()
        type_text(qtbot, dialog.fields[key], value)


def test_first_start_creates_units_reference_data_and_the_administrator(
    qtbot, db: Database
) -> None:  # type: ignore[no-untyped-def]
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    fill_first_run(qtbot, dialog)
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.user is not None and dialog.user.role == "admin"
    with db.sessions() as session:
        assert {u.id for u in session.scalars(select(OrgUnit))} == {"990101", "990101001"}
        assert (
            session.scalar(select(User).where(User.username == "wangli")).org_unit_id == "990101001"
        )
        assert len(session.scalars(select(Category)).all()) > 100
        assert len(session.scalars(select(Department)).all()) == 12
        assert settings_service.get(session, "device.home_org_unit_id") == "990101001"


def test_first_start_error_keeps_what_was_typed(qtbot, db: Database, zh_translations) -> None:  # type: ignore[no-untyped-def]
    dialog = FirstRunDialog(db)
    qtbot.addWidget(dialog)
    fill_first_run(qtbot, dialog, street_code="99010100")
    dialog.submit()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "9" in dialog.error.text() and "位" in dialog.error.text()
    assert dialog.fields["street_code"].property("invalid") is True
    assert dialog.fields["username"].text() == "wangli"
    assert dialog.fields["password"].text() == "Strong-pass-1"
    with db.sessions() as session:
        assert session.scalars(select(User)).all() == []


def test_login_dialog_refuses_a_wrong_password_in_chinese(
    qtbot, db: Database, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    load_demo_reference(db, with_passwords=("coordinator",))
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "coordinator")
    qtbot.keyClicks(dialog.password, "wrong-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.user is None
    assert dialog.error.text().splitlines()[0] == "用户名或密码错误。"
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, PASSWORD)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.user is not None and dialog.user.username == "coordinator"
    assert dialog.result() == dialog.DialogCode.Accepted


def test_main_window_shows_who_is_working(
    qtbot, db: Database, tmp_path: Path, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    load_demo_reference(db, with_passwords=("official",))
    from services.accounts.auth import login

    user = login(db, "official", PASSWORD)
    window = MainWindow(AppContext(db=db, data_dir=tmp_path, user=user, prefs=Preferences()))
    qtbot.addWidget(window)
    assert "queue" in window.screen_keys() and "settings" in window.screen_keys()
    assert user.display_name in window.user_label.text()
    assert "领导" in window.role_label.text()
    assert "河西示范区" in window.unit_label.text()
