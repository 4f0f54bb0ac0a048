"""What a screen may ask of the running application: ``ViewContext``.

Views receive one object, typed by this Protocol (``desktop.context.AppContext``
is the one implementation; tests may pass their own). It gives:

- who is working: ``user``, ``actor`` and ``can(permission)``;
- the database, through exactly two helpers — ``read()`` for a session that
  never commits (look-ups, counts, lists) and ``write()`` for one transaction
  that commits on success and rolls back on error. Both are safe to call from a
  worker thread, so an op (``views.tasks.Op``) runs ``ctx.read()`` itself;
- the work calendar (``calendar``, ``reload_calendar()``), the data folder,
  the preferences, and the message bus between screens (``events``).

``DataEvents`` lives here, not in ``desktop/``, because screens emit and connect
its signals; the desktop creates one per login.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QSettings, Signal

if TYPE_CHECKING:  # types only: views never open the database themselves
    from sqlalchemy.orm import Session

    from models.db import Database
    from models.tables import User
    from services.cases.permissions import Actor, Permission
    from services.worktime.workdays import WorkCalendar


class DataEvents(QObject):
    """The application's message bus between screens.

    ``cases_changed`` after something changed cases (ids; empty: anything may
    have changed), so every screen refreshes; ``visits_changed`` likewise for
    reception visits; ``reference_changed`` after categories, units or workers
    changed; ``open_case`` asks the main window to show a case in the queue's
    detail panel; ``case_selected`` tells other screens (the map) which case the
    queue has selected; ``attachments_arrived`` when files may have come down to
    this computer in the background (the sync loop, per file): a screen showing a
    file not here looks for it again.
    """

    cases_changed = Signal(list)
    visits_changed = Signal(list)
    reference_changed = Signal()
    open_case = Signal(str)
    case_selected = Signal(str)
    attachments_arrived = Signal()


class ViewPreferences(Protocol):
    """The per-user preferences a screen reads or changes."""

    language: str

    @property
    def store(self) -> QSettings: ...


class ViewContext(Protocol):
    """The running application as a screen sees it (see the module docstring)."""

    @property
    def user(self) -> User: ...

    @property
    def actor(self) -> Actor: ...

    def can(self, permission: Permission) -> bool: ...

    def read(self) -> AbstractContextManager[Session]:
        """A session for reading: never commits, closed (and rolled back) at the end."""
        ...

    def write(self) -> AbstractContextManager[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        ...

    @property
    def db(self) -> Database:
        """The open database. Screens use ``read()``/``write()``; this remains for
        the reception and reports screens until they move to those helpers."""
        ...

    @property
    def data_dir(self) -> Path: ...

    @property
    def prefs(self) -> ViewPreferences: ...

    @property
    def demo(self) -> bool: ...

    @property
    def events(self) -> DataEvents: ...

    @property
    def calendar(self) -> WorkCalendar: ...

    def reload_calendar(self) -> None: ...

    def org_unit_name(self) -> str: ...
