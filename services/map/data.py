"""What the map shows, computed in SQL: case points coloured by state and
deadline, grids coloured by their open and overdue cases, and a grid's figures.

The case layer is compact on purpose — coordinates and a colour class per case,
in parallel lists — so that 50,000 cases reach the page as about a megabyte of
numbers. Titles, addresses and the like never go into the page in bulk: the
map asks for one case's summary when the pointer rests on it (and the view
inserts it as text, never as HTML).

Every function checks the map permission and the actor's scope (the same
:func:`services.cases.queue_clauses.scope_clause` as the dispatch queue), so a screen can
show no more than its user may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from models.enums import CaseState, OrgLevel
from models.tables import Case, OrgUnit, User
from services.cases.labels import STATE_LABELS
from services.cases.lookups import Names
from services.cases.permissions import Actor, Permission, can_see_case, require
from services.cases.queue import QueueFilter
from services.cases.queue_clauses import OPEN_STATES, RUNNING_STATES, prefix_clause, scope_clause
from services.errors import NotFound, PermissionDenied
from services.i18n import QT_TRANSLATE_NOOP
from services.reports.periods import Period, half_month_of

# A running deadline closer than this is "due soon" (natural hours).
DUE_SOON = timedelta(hours=24)


@dataclass(frozen=True)
class MarkerClass:
    code: str
    label: str  # English source text, "services" context
    colour: str


# Colour classes of a case point, in drawing order: later classes are drawn on
# top, so overdue cases are never hidden under closed ones.
MARKER_CLASSES: tuple[MarkerClass, ...] = (
    MarkerClass("voided", QT_TRANSLATE_NOOP("services", "voided"), "#b0b7bf"),
    MarkerClass("closed", QT_TRANSLATE_NOOP("services", "closed"), "#2e9e5b"),
    MarkerClass("suspended", QT_TRANSLATE_NOOP("services", "suspended"), "#7d8792"),
    MarkerClass("awaiting_dispatch", QT_TRANSLATE_NOOP("services", "awaiting dispatch"), "#8e44ad"),
    MarkerClass("handled", QT_TRANSLATE_NOOP("services", "awaiting verification"), "#1fa2b8"),
    MarkerClass("in_progress", QT_TRANSLATE_NOOP("services", "being handled, on time"), "#2466b0"),
    MarkerClass("due_soon", QT_TRANSLATE_NOOP("services", "due within 24 hours"), "#f08c00"),
    MarkerClass("overdue", QT_TRANSLATE_NOOP("services", "overdue"), "#d62828"),
)
CLASS_INDEX = {c.code: i for i, c in enumerate(MARKER_CLASSES)}

_STATE_CLASS: dict[str, str] = {
    CaseState.VOIDED: "voided",
    CaseState.CLOSED: "closed",
    CaseState.SUSPENDED: "suspended",
    CaseState.REGISTERED: "awaiting_dispatch",
    CaseState.RETURNED: "awaiting_dispatch",
    CaseState.ESCALATED: "awaiting_dispatch",
    CaseState.HANDLED: "handled",
    CaseState.DISPATCHED: "in_progress",
    CaseState.ACKNOWLEDGED: "in_progress",
}


@dataclass(frozen=True)
class GridClass:
    code: str
    label: str  # English source text, "services" context
    colour: str


GRID_CLASSES: tuple[GridClass, ...] = (
    GridClass("quiet", QT_TRANSLATE_NOOP("services", "no open cases"), "#d9eedd"),
    GridClass("open", QT_TRANSLATE_NOOP("services", "open cases, none overdue"), "#fbe7a1"),
    GridClass("busy", QT_TRANSLATE_NOOP("services", "10 or more open cases"), "#f7c46c"),
    GridClass("overdue", QT_TRANSLATE_NOOP("services", "1–2 overdue cases"), "#f28b64"),
    GridClass("late", QT_TRANSLATE_NOOP("services", "3 or more overdue cases"), "#d64545"),
)
BUSY_OPEN = 10
LATE_OVERDUE = 3


def marker_class(state: str, deadline: datetime | None, now: datetime) -> int:
    """The colour class (index into MARKER_CLASSES) of a case in ``state``."""
    if state in RUNNING_STATES and deadline is not None:
        if deadline < now:
            return CLASS_INDEX["overdue"]
        if deadline - now <= DUE_SOON:
            return CLASS_INDEX["due_soon"]
    return CLASS_INDEX[_STATE_CLASS.get(state, "in_progress")]


def grid_class(open_cases: int, overdue: int) -> int:
    """The colour class (index into GRID_CLASSES) of a grid."""
    if overdue >= LATE_OVERDUE:
        return 4
    if overdue > 0:
        return 3
    if open_cases >= BUSY_OPEN:
        return 2
    if open_cases > 0:
        return 1
    return 0


@dataclass
class CaseLayer:
    """The case points for the page, in parallel lists, in drawing order."""

    ids: list[str] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    cls: list[int] = field(default_factory=list)
    without_location: int = 0

    def __len__(self) -> int:
        return len(self.ids)

    def index_of(self, case_id: str) -> int | None:
        try:
            return self.ids.index(case_id)
        except ValueError:
            return None


def marker_class_sql(now: datetime) -> Any:
    """:func:`marker_class` as an SQL expression (the same rules, evaluated by the database)."""
    running = Case.state.in_(RUNNING_STATES)
    whens: list[Any] = [
        (and_(running, Case.deadline < now), CLASS_INDEX["overdue"]),
        (and_(running, Case.deadline <= now + DUE_SOON), CLASS_INDEX["due_soon"]),
    ]
    for state, code in _STATE_CLASS.items():
        whens.append((Case.state == state, CLASS_INDEX[code]))
    return case(*whens, else_=CLASS_INDEX["in_progress"])


def case_layer(session: Session, actor: Actor, flt: QueueFilter, now: datetime) -> CaseLayer:
    """The cases ``actor`` may see that match ``flt``, as map points.

    Classified and sorted by the database and read without ORM objects, so
    50,000 cases take a fraction of a second.
    """
    require(actor, Permission.VIEW_MAP)
    where = [scope_clause(actor), *flt.clauses(now)]
    located = and_(Case.lat.is_not(None), Case.lon.is_not(None))
    cls = marker_class_sql(now).label("cls")
    query = (
        select(Case.id, func.round(Case.lat, 6), func.round(Case.lon, 6), cls)
        .where(*where, located)
        .order_by(cls, Case.id)
    )
    rows = session.connection().execute(query).all()
    layer = CaseLayer()
    if rows:
        ids, lat, lon, classes = zip(*rows, strict=True)
        layer = CaseLayer(ids=list(ids), lat=list(lat), lon=list(lon), cls=list(classes))
    layer.without_location = int(
        session.scalar(select(func.count()).select_from(Case).where(*where, ~located)) or 0
    )
    return layer


def _open_overdue_columns(now: datetime) -> tuple[Any, Any]:
    open_cases = func.sum(case((Case.state.in_(OPEN_STATES), 1), else_=0))
    overdue = func.sum(
        case((and_(Case.state.in_(RUNNING_STATES), Case.deadline < now), 1), else_=0)
    )
    return open_cases, overdue


def grid_counts(
    session: Session, actor: Actor, flt: QueueFilter, now: datetime
) -> dict[str, tuple[int, int]]:
    """Open and overdue cases per grid, of the cases ``actor`` may see matching ``flt``."""
    require(actor, Permission.VIEW_MAP)
    open_cases, overdue = _open_overdue_columns(now)
    query = (
        select(Case.grid_id, open_cases, overdue)
        .where(scope_clause(actor), *flt.clauses(now), Case.grid_id.is_not(None))
        .group_by(Case.grid_id)
    )
    return {grid: (int(o or 0), int(d or 0)) for grid, o, d in session.execute(query)}


@dataclass(frozen=True)
class GridShape:
    id: str
    name: str
    community: str
    street: str
    boundary: dict[str, Any]


def map_scope_prefix(actor: Actor) -> str:
    """The org unit whose grids the actor's map shows ("" for all).

    Departments and grid workers work across the county, so they see every
    grid, with their own cases on it.
    """
    if actor.is_handler or not actor.org_unit_id:
        return ""
    return actor.org_unit_id


def grid_shapes(session: Session, actor: Actor) -> list[GridShape]:
    """The active grids with a boundary that the actor's map shows."""
    require(actor, Permission.VIEW_MAP)
    prefix = map_scope_prefix(actor)
    query = select(OrgUnit.id, OrgUnit.name, OrgUnit.boundary).where(
        OrgUnit.level == OrgLevel.GRID, OrgUnit.active.is_(True), OrgUnit.boundary.is_not(None)
    )
    if prefix:
        query = query.where(prefix_clause(OrgUnit.id, prefix))
    names = {unit_id: name for unit_id, name in session.execute(select(OrgUnit.id, OrgUnit.name))}
    return [
        GridShape(
            id=grid_id,
            name=name,
            community=names.get(grid_id[:12], ""),
            street=names.get(grid_id[:9], ""),
            boundary=boundary,
        )
        for grid_id, name, boundary in session.execute(query.order_by(OrgUnit.id))
    ]


@dataclass(frozen=True)
class GridFigures:
    id: str
    name: str
    community: str
    street: str
    open_cases: int
    overdue: int
    closed_in_period: int
    created_in_period: int
    period: Period
    workers: tuple[str, ...]


def grid_figures(session: Session, actor: Actor, grid_id: str, now: datetime) -> GridFigures:
    """A grid's figures over the cases ``actor`` may see: open and overdue now,
    created and closed in the current half-month period."""
    require(actor, Permission.VIEW_MAP)
    grid = session.get(OrgUnit, grid_id)
    if grid is None or grid.level != OrgLevel.GRID:
        raise NotFound(QT_TRANSLATE_NOOP("services", "There is no grid {grid}."), grid=grid_id)
    prefix = map_scope_prefix(actor)
    if prefix and not grid_id.startswith(prefix):
        raise PermissionDenied(
            QT_TRANSLATE_NOOP("services", "Grid {grid} lies outside your area of responsibility."),
            grid=grid.name,
        )
    period = half_month_of(now)
    open_cases, overdue = _open_overdue_columns(now)
    closed = func.sum(
        case(
            (
                and_(
                    Case.state == CaseState.CLOSED,
                    Case.closed_at >= period.start,
                    Case.closed_at < period.end,
                ),
                1,
            ),
            else_=0,
        )
    )
    created = func.sum(
        case((and_(Case.created_at >= period.start, Case.created_at < period.end), 1), else_=0)
    )
    row = session.execute(
        select(open_cases, overdue, closed, created).where(
            scope_clause(actor), Case.grid_id == grid_id
        )
    ).one()
    parents = select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_([grid_id[:9], grid_id[:12]]))
    names = {unit_id: name for unit_id, name in session.execute(parents)}
    workers = tuple(
        sorted(
            user.display_name
            for user in session.scalars(select(User).where(User.active.is_(True)))
            if grid_id in (user.grid_ids or [])
        )
    )
    return GridFigures(
        id=grid_id,
        name=grid.name,
        community=names.get(grid_id[:12], ""),
        street=names.get(grid_id[:9], ""),
        open_cases=int(row[0] or 0),
        overdue=int(row[1] or 0),
        closed_in_period=int(row[2] or 0),
        created_in_period=int(row[3] or 0),
        period=period,
        workers=workers,
    )


@dataclass(frozen=True)
class CaseSummary:
    """What the map shows about one case when the pointer rests on it (plain text)."""

    id: str
    number: str
    title: str
    state_label: str  # English source text, "services" context
    marker_class: int
    category: str
    address: str
    deadline: datetime | None
    lat: float | None
    lon: float | None


def case_summary(
    session: Session, actor: Actor, case_id: str, now: datetime, names: Names | None = None
) -> CaseSummary:
    require(actor, Permission.VIEW_MAP)
    row = session.get(Case, case_id)
    if row is None:
        raise NotFound(QT_TRANSLATE_NOOP("services", "There is no case {case}."), case=case_id)
    if not can_see_case(actor, row):
        raise PermissionDenied(
            QT_TRANSLATE_NOOP(
                "services", "Case {number} lies outside your area of responsibility."
            ),
            number=row.number,
        )
    names = names or Names.load(session)
    return CaseSummary(
        id=row.id,
        number=row.number,
        title=row.title,
        state_label=STATE_LABELS.get(row.state, row.state),
        marker_class=marker_class(row.state, row.deadline, now),
        category=names.category_path(row.category_code),
        address=row.address or "",
        deadline=row.deadline if row.state in RUNNING_STATES else None,
        lat=row.lat,
        lon=row.lon,
    )


def case_location(session: Session, actor: Actor, case_id: str) -> tuple[float, float] | None:
    """Where a case lies, if the actor may see it and it has coordinates."""
    require(actor, Permission.VIEW_MAP)
    row = session.get(Case, case_id)
    if row is None or not can_see_case(actor, row) or row.lat is None or row.lon is None:
        return None
    return row.lat, row.lon
