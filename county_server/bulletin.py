"""The county's own bulletin: ``python -m county_server export-bulletin``.

The county centre holds every street's cases: every pushed event is stored in the
shared tables ``cases`` and ``case_events`` of :mod:`models.tables` (the desktop's
own schema and migrations, on SQLite or PostgreSQL), projected by the same
:mod:`services.cases.projection` as on a desk. So the county's bulletin is the
desk's bulletin run over the county's database: the same assessment SQL
(:mod:`services.reports.queries`), the same rows, ranking and workbook
(:mod:`services.reports.bulletin`). Nothing is copied or projected again for it;
docs/figures.md ("One definition on both engines") explains the choice.

It runs with the database's own authority, like the other server commands:
whoever may open the county's database may read its figures. The scope is the
county by default, or any street or community of it; a period that has not
begun is refused, and an unfinished one is counted up to now and marked so in
the workbook (:mod:`services.reports.coverage`). Each export is recorded in the
county database's bulletin archive, as a desk records its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from sqlalchemy import select

from models.db import Database
from models.enums import OrgLevel
from models.tables import OrgUnit
from models.types import utcnow
from services.reports.assessment import assess
from services.reports.bulletin import SCHEDULED_EXPORT_ACTOR, export_assessment
from services.reports.coverage import check_period
from services.reports.periods import Period
from services.reports.results import Assessment
from services.worktime.workdays import load_calendar

from .db import write_session

COUNTY_EXPORT_ACTOR = SCHEDULED_EXPORT_ACTOR
"""Who the county's export acts as: an official over the whole database (no org unit)."""

ASSESSED_LEVELS = (OrgLevel.COUNTY, OrgLevel.STREET, OrgLevel.COMMUNITY)


def assessed_units(db: Database) -> list[OrgUnit]:
    """The county, its streets and communities, in tree order: the scopes one may choose."""
    with db.sessions() as session:
        return list(
            session.scalars(
                select(OrgUnit).where(OrgUnit.level.in_(ASSESSED_LEVELS)).order_by(OrgUnit.id)
            )
        )


def export_county_bulletin(
    db: Database,
    period: Period,
    out: Path,
    scope_id: str | None = None,
    *,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Assessment:
    """Compute the assessment of ``period`` for ``scope_id`` (default: the county) on the
    county's database, write its workbook to ``out`` (all or nothing) and record the
    export in the county's bulletin archive (:mod:`services.reports.archive`).

    Raises :class:`~services.errors.DomainError` for a period that has not begun, an
    unknown scope or a grid; the file is then not written.
    """
    now = now or utcnow()
    check_period(period, now)
    with db.sessions() as session:
        assessment = assess(
            session, COUNTY_EXPORT_ACTOR, period, load_calendar(session), scope_id or None, now=now
        )
    # The archive row in a short write transaction of its own, after the file is written:
    # the assessment only reads, so pushes are never held up behind an export.
    export_assessment(
        COUNTY_EXPORT_ACTOR, assessment, out, write=partial(write_session, db), progress=progress
    )
    return assessment
