"""The screens of the main window, in navigation order, with the permission
each needs. A screen a role cannot use is not shown; the services refuse its
actions anyway."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from models.enums import Role
from services.cases.permissions import Permission
from services.i18n import QT_TRANSLATE_NOOP  # typed (returns str); lupdate knows the name


@dataclass(frozen=True)
class Screen:
    key: str
    source_title: str  # marked with QT_TRANSLATE_NOOP in the "Screens" context
    icon: str
    permission: Permission | None
    factory: Callable[[Any], QWidget]

    @property
    def title(self) -> str:
        return QCoreApplication.translate("Screens", self.source_title)


def _queue(ctx: Any) -> QWidget:
    from views.queue.view import QueueView

    return QueueView(ctx)


def _reception(ctx: Any) -> QWidget:
    from views.reception.view import ReceptionView

    return ReceptionView(ctx)


def _reports(ctx: Any) -> QWidget:
    from views.reports.view import ReportsView

    return ReportsView(ctx)


def _map(ctx: Any) -> QWidget:
    from views.map.view import MapView

    return MapView(ctx)


def _sync(ctx: Any) -> QWidget:
    from views.sync.view import SyncView

    from .sync_loop import sync_loop_for

    return SyncView(ctx, sync_loop_for(ctx))


def _settings(ctx: Any) -> QWidget:
    from views.settings_view import SettingsView

    from .app_settings import LANGUAGES

    return SettingsView(ctx, LANGUAGES)


SCREENS: list[Screen] = [
    Screen(
        "reception",
        QT_TRANSLATE_NOOP("Screens", "Reception desk"),
        "reception",
        Permission.REGISTER_VISIT,
        _reception,
    ),
    Screen(
        "queue",
        QT_TRANSLATE_NOOP("Screens", "Dispatch queue"),
        "queue",
        Permission.VIEW_CASES,
        _queue,
    ),
    Screen(
        "reports",
        QT_TRANSLATE_NOOP("Screens", "Reports"),
        "reports",
        Permission.VIEW_REPORTS,
        _reports,
    ),
    Screen("map", QT_TRANSLATE_NOOP("Screens", "Map"), "map", Permission.VIEW_MAP, _map),
    Screen("sync", QT_TRANSLATE_NOOP("Screens", "Sync"), "sync", Permission.SYNC, _sync),
    Screen("settings", QT_TRANSLATE_NOOP("Screens", "Settings"), "settings", None, _settings),
]


def screens_for(ctx: Any) -> list[Screen]:
    return [s for s in SCREENS if s.permission is None or ctx.can(s.permission)]


FIRST_SCREENS = {
    Role.RECEPTION: "reception",
    Role.COORDINATOR: "queue",
    Role.DEPARTMENT: "queue",
    Role.GRID_WORKER: "queue",
    Role.OFFICIAL: "reports",
}
"""Where each role starts its day; others (the administrator) start at the first screen."""


def first_screen(role: str, screens: list[Screen]) -> str | None:
    """The key of the screen ``role`` sees first, among the ``screens`` it has."""
    keys = [s.key for s in screens]
    try:
        wanted = FIRST_SCREENS.get(Role(role))
    except ValueError:  # a role this version does not know
        wanted = None
    if wanted in keys:
        return wanted
    return keys[0] if keys else None
