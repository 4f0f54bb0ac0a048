"""Possible duplicates: open cases of the same category nearby, shown while the
clerk registers a visit so that one problem does not become two cases."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from models.enums import OrgLevel
from models.tables import Case, OrgUnit
from models.types import utcnow
from services.cases.permissions import Actor, Permission, require
from services.cases.queue_clauses import scope_clause
from services.reception.lookups import dispatch_preview
from services.reception.visits import DUPLICATE_STATES
from services.worktime.workdays import WorkCalendar

DUPLICATE_RADIUS_M = 100.0
DUPLICATE_DAYS = 30
DUPLICATE_LIMIT = 20
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class PlaceCheck:
    """What the desk shows once category and place are known: possible duplicates
    and the dispatch a new case would get now."""

    candidates: list[DuplicateCandidate]
    department_name: str | None
    ack_deadline: datetime
    deadline: datetime


def _level(session: Session, unit_id: str) -> str | None:
    unit = session.get(OrgUnit, unit_id)
    return unit.level if unit is not None else None


@dataclass(frozen=True)
class DuplicateCandidate:
    case_id: str
    number: str
    title: str
    state: str
    org_unit_id: str
    grid_id: str | None
    address: str | None
    created_at: datetime
    distance_m: float | None
    same_grid: bool


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def find_duplicates(
    session: Session,
    actor: Actor,
    *,
    category_code: str | None,
    org_unit_id: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    now: datetime | None = None,
    radius_m: float = DUPLICATE_RADIUS_M,
    days: int = DUPLICATE_DAYS,
    limit: int = DUPLICATE_LIMIT,
) -> list[DuplicateCandidate]:
    """Open cases of the same category in the same grid, or within ``radius_m``,
    created in the last ``days`` days, that the actor may see; nearest first.

    One indexed range (category, creation time) with a latitude/longitude box
    as the coarse filter; the exact distance is computed for the few rows left.
    """
    require(actor, Permission.REGISTER_VISIT)
    if not category_code:
        return []
    grid_id = None
    if org_unit_id and _level(session, org_unit_id) == OrgLevel.GRID:
        grid_id = org_unit_id
    has_point = lat is not None and lon is not None
    if grid_id is None and not has_point:
        return []
    now = now or utcnow()
    since = now - timedelta(days=days)
    near = _near_clauses(grid_id, lat, lon, radius_m)
    rows = _nearby_rows(session, actor, category_code, near, since, limit)
    found: list[DuplicateCandidate] = []
    for row in rows:
        distance = None
        if lat is not None and lon is not None and row.lat is not None and row.lon is not None:
            distance = haversine_m(lat, lon, row.lat, row.lon)
        same_grid = grid_id is not None and row.grid_id == grid_id
        if not same_grid and (distance is None or distance > radius_m):
            continue
        found.append(
            DuplicateCandidate(
                case_id=row.id,
                number=row.number,
                title=row.title,
                state=row.state,
                org_unit_id=row.org_unit_id,
                grid_id=row.grid_id,
                address=row.address,
                created_at=row.created_at,
                distance_m=distance,
                same_grid=same_grid,
            )
        )
    found.sort(
        key=lambda c: (c.distance_m if c.distance_m is not None else 1e9, -c.created_at.timestamp())
    )
    return found[:limit]


def _near_clauses(
    grid_id: str | None, lat: float | None, lon: float | None, radius_m: float
) -> list[Any]:
    """Two narrow index ranges instead of one OR: the same grid, and a box around the point."""
    near: list[Any] = []
    if grid_id is not None:
        near.append(Case.grid_id == grid_id)
    if lat is not None and lon is not None:
        dlat = math.degrees(radius_m / EARTH_RADIUS_M)
        dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
        near.append(
            and_(
                Case.lat.between(lat - dlat, lat + dlat),
                Case.lon.between(lon - dlon, lon + dlon),
            )
        )
    return near


def _nearby_rows(
    session: Session,
    actor: Actor,
    category_code: str,
    near: list[Any],
    since: datetime,
    limit: int,
) -> list[Any]:
    """The open cases of the category in any of the ``near`` ranges, each once."""
    by_id: dict[str, Any] = {}
    for clause in near:
        for row in session.execute(
            select(
                Case.id,
                Case.number,
                Case.title,
                Case.state,
                Case.org_unit_id,
                Case.grid_id,
                Case.address,
                Case.created_at,
                Case.lat,
                Case.lon,
            )
            .where(
                Case.category_code == category_code,
                clause,
                Case.created_at >= since,
                Case.state.in_(DUPLICATE_STATES),
                scope_clause(actor),
            )
            .order_by(Case.created_at.desc())
            .limit(limit * 2)
        ):
            by_id[row.id] = row
    return list(by_id.values())


def check_place(
    session: Session,
    actor: Actor,
    calendar: WorkCalendar,
    *,
    category_code: str,
    org_unit_id: str | None,
    lat: float | None,
    lon: float | None,
    urgency: str,
) -> PlaceCheck:
    """Possible duplicates of a new case and the deadlines of dispatching it now."""
    candidates = find_duplicates(
        session, actor, category_code=category_code, org_unit_id=org_unit_id, lat=lat, lon=lon
    )
    department, ack, deadline = dispatch_preview(session, calendar, category_code, urgency)
    return PlaceCheck(candidates, department, ack, deadline)
