"""The settings screen: office hours (administrators only, checked by the
service), the server address and the language."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTime

from desktop.app_settings import Preferences
from desktop.context import AppContext
from models.db import Database
from services import settings as settings_service
from services.accounts.auth import login
from services.cases.permissions import Actor
from services.errors import PermissionDenied
from tests.builders import PASSWORD, load_demo_reference
from views.settings_view import SettingsView

pytestmark = pytest.mark.gui


def make_view(qtbot, db: Database, tmp_path: Path, username: str) -> SettingsView:  # type: ignore[no-untyped-def]
    user = login(db, username, PASSWORD)
    view = SettingsView(
        AppContext(db=db, data_dir=tmp_path, user=user, prefs=Preferences()),
        {"zh_CN": "简体中文", "en": "English"},
    )
    qtbot.addWidget(view)
    return view


def test_administrator_changes_office_hours_and_server(qtbot, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    load_demo_reference(db, with_passwords=("admin",))
    view = make_view(qtbot, db, tmp_path, "admin")
    view.period_edits[1][1].setTime(QTime(18, 0))
    view.server_url.setText("https://county.example:8443/")
    view.save_button.click()
    with db.sessions() as session:
        assert settings_service.get(session, "office_hours") == [
            ["08:30", "12:00"],
            ["13:30", "18:00"],
        ]
        assert settings_service.get(session, "device.server_url") == "https://county.example:8443"
    assert view.ctx.calendar.office_hours.minutes_per_day == 480


def test_bad_values_are_explained_and_nothing_is_saved(
    qtbot, db: Database, tmp_path: Path, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    load_demo_reference(db, with_passwords=("admin",))
    view = make_view(qtbot, db, tmp_path, "admin")
    view.period_edits[0][1].setTime(QTime(14, 0))  # morning ends after the afternoon starts
    view.server_url.setText("county server")
    view.save_button.click()
    assert view.message.property("error") is True
    assert view.message.text()  # a Chinese sentence saying what to fix
    assert view.server_url.text() == "county server"  # what was typed stays
    with db.sessions() as session:
        assert settings_service.get(session, "office_hours") == [
            ["08:30", "12:00"],
            ["13:30", "17:30"],
        ]
        assert settings_service.get(session, "device.server_url") == ""


def test_office_hours_are_read_only_for_others_and_refused_by_the_service(
    qtbot, db: Database, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    load_demo_reference(db, with_passwords=("coordinator",))
    view = make_view(qtbot, db, tmp_path, "coordinator")
    assert not view.hours_box.isEnabled()
    with db.session() as session, pytest.raises(PermissionDenied):
        settings_service.change(
            session, Actor.from_user(view.ctx.user), "office_hours", [["08:00", "12:00"]]
        )


def test_language_choice_is_remembered(qtbot, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    load_demo_reference(db, with_passwords=("admin",))
    view = make_view(qtbot, db, tmp_path, "admin")
    view.language.setCurrentIndex(view.language.findData("en"))
    with qtbot.waitSignal(view.language_changed):
        view.save_button.click()
    assert Preferences().language == "en"
    Preferences().language = "zh_CN"


def test_administrator_sets_how_long_closed_cases_files_stay(qtbot, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    load_demo_reference(db, with_passwords=("admin", "reception"))
    view = make_view(qtbot, db, tmp_path, "admin")
    assert view.keep_closed_days.value() == 90  # the default
    view.keep_closed_days.setValue(30)
    view.save_button.click()
    with db.sessions() as session:
        assert settings_service.get(session, "attachments.keep_closed_days") == 30
    other = make_view(qtbot, db, tmp_path, "reception")
    assert other.keep_closed_days.value() == 30 and not other.files_box.isEnabled()
