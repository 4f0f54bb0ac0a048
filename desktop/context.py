"""What the screens share once somebody has logged in: the database, the user,
the calendar, and the signal that data changed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from sqlalchemy.orm import Session

from models.db import Database
from models.tables import OrgUnit, User
from services.cases.permissions import Actor, Permission, has
from services.worktime.workdays import WorkCalendar, load_calendar

from .app_settings import Preferences


class DataEvents(QObject):
    """The application's message bus between screens.

    ``cases_changed`` after something changed cases (ids; empty: anything may
    have changed), so every screen refreshes; ``open_case`` asks the main window
    to show a case in the queue's detail panel; ``case_selected`` tells other
    screens (the map) which case the queue has selected.
    """

    cases_changed = Signal(list)
    visits_changed = Signal(list)
    reference_changed = Signal()
    open_case = Signal(str)
    case_selected = Signal(str)


@dataclass
class AppContext:
    db: Database
    data_dir: Path
    user: User
    prefs: Preferences
    demo: bool = False
    events: DataEvents = field(default_factory=DataEvents)
    _calendar: WorkCalendar | None = None

    @property
    def actor(self) -> Actor:
        return Actor.from_user(self.user)

    def can(self, permission: Permission) -> bool:
        return has(self.actor, permission)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.db.session() as session:
            yield session

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            with self.db.sessions() as session:
                self._calendar = load_calendar(session)
        return self._calendar

    def reload_calendar(self) -> None:
        self._calendar = None

    def org_unit_name(self) -> str:
        if not self.user.org_unit_id:
            return ""
        with self.db.sessions() as session:
            unit = session.get(OrgUnit, self.user.org_unit_id)
            return unit.name if unit else self.user.org_unit_id
