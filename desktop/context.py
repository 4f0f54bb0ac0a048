"""What the screens share once somebody has logged in: the database, the user,
the calendar, and the signal that data changed.

``AppContext`` is the one implementation of ``views.context.ViewContext``; the
views are typed against that Protocol, and ``_check`` below makes mypy prove
this class still satisfies it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from models.db import Database
from models.tables import OrgUnit, User
from services.cases.permissions import Actor, Permission, has
from services.worktime.workdays import WorkCalendar, load_calendar
from views.context import DataEvents, ViewContext

from .app_settings import Preferences

__all__ = ["AppContext", "DataEvents"]


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
    def read(self) -> Iterator[Session]:
        """A session for reading: never commits; closed (rolled back) at the end."""
        with self.db.sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self.db.session() as session:
            yield session

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            with self.read() as session:
                self._calendar = load_calendar(session)
        return self._calendar

    def reload_calendar(self) -> None:
        self._calendar = None

    def org_unit_name(self) -> str:
        if not self.user.org_unit_id:
            return ""
        with self.read() as session:
            unit = session.get(OrgUnit, self.user.org_unit_id)
            return unit.name if unit else self.user.org_unit_id


def _check(ctx: AppContext) -> ViewContext:
    """mypy proves here that AppContext is a ViewContext."""
    return ctx
