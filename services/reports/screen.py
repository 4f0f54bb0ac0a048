"""What the reports screen asks of the database, each answer read in one session.

The screen (``views/reports/view.py``) opens no session itself: it hands these
functions its read-session helper (``ctx.read``) from a background op, and
gets plain values back — the scopes it may offer and the assessment of the
chosen period and scope. Permissions are checked here, as everywhere in
``services/``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.cases.permissions import Actor
from services.reports.assessment import assess, scope_choices
from services.reports.periods import Period
from services.reports.results import Assessment
from services.worktime.workdays import load_calendar

ReadSession = Callable[[], AbstractContextManager[Session]]
"""Opens a session that never commits (``ViewContext.read``)."""


@dataclass(frozen=True)
class ScopeChoice:
    """A county, street or community the actor may assess."""

    id: str
    name: str
    level: str


def scopes(read: ReadSession, actor: Actor) -> list[ScopeChoice]:
    """The scopes ``actor`` may assess, in tree order (the county first)."""
    with read() as session:
        return [ScopeChoice(u.id, u.name, u.level) for u in scope_choices(session, actor)]


def assessment(read: ReadSession, actor: Actor, period: Period, scope_id: str | None) -> Assessment:
    """The assessment of ``period`` for ``scope_id`` (the actor's own area when None)."""
    with read() as session:
        return assess(session, actor, period, load_calendar(session), scope_id)
