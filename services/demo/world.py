"""What the demo generator knows of the loaded district: grids, category limits, who does what.

:meth:`World.load` reads it once from the reference data just loaded into the
database (the categories with their time limits, the workday calendar, the
visitor hash key) and from the demo reference file (grids with their
boundaries and grid workers, coordinators and receptions by street, department
users). The generator never queries the database after that.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import OrgLevel, Role
from models.tables import Category
from services import settings as settings_service
from services.demo.district import COUNTY_CODE
from services.demo.texts import case_texts
from services.worktime.workdays import WorkCalendar, load_calendar


@dataclass(frozen=True)
class Grid:
    id: str
    community_name: str
    street_name: str
    ring: tuple[tuple[float, float], ...]  # (lon, lat), closed
    box: tuple[float, float, float, float]  # west, south, east, north
    roads: tuple[str, ...]
    workers: tuple[str, ...]


@dataclass(frozen=True)
class Limits:
    name: str
    parent: str  # the 大类 code
    ack_hours: int
    handle_days: int
    urgent_hours: int
    department_id: str


@dataclass
class World:
    """What the generator needs from the loaded reference data, read once."""

    calendar: WorkCalendar
    urgent_ack_hours: int
    hash_key: str
    limits: dict[str, Limits]
    grids: list[Grid]
    coordinators: dict[str, str]  # street code → user id
    receptions: dict[str, str]
    department_users: dict[str, tuple[str, ...]]
    departments: tuple[str, ...]
    official: str | None
    county_coordinator: str | None

    @classmethod
    def load(cls, session: Session, reference: Mapping[str, Any]) -> World:
        departments = tuple(d["id"] for d in reference["departments"])
        users = reference["users"]
        department_users: dict[str, list[str]] = {}
        for user in users:
            if user["role"] == Role.DEPARTMENT and user.get("department_id"):
                department_users.setdefault(user["department_id"], []).append(user["id"])
        officials = [u["id"] for u in users if u["role"] == Role.OFFICIAL]
        return cls(
            calendar=load_calendar(session),
            urgent_ack_hours=int(settings_service.get(session, "urgent_ack_hours") or 2),
            hash_key=settings_service.visitor_hash_key(session),
            limits=_limits(session, departments),
            grids=_grids(reference),
            coordinators=_by_street(users, Role.COORDINATOR),
            receptions=_by_street(users, Role.RECEPTION),
            department_users={k: tuple(v) for k, v in department_users.items()},
            departments=departments,
            official=officials[0] if officials else None,
            county_coordinator=next(
                (
                    u["id"]
                    for u in users
                    if u["role"] == Role.COORDINATOR and u.get("org_unit_id") == COUNTY_CODE
                ),
                None,
            ),
        )


def _limits(session: Session, departments: tuple[str, ...]) -> dict[str, Limits]:
    """The active categories' time limits and default departments, by code."""
    limits: dict[str, Limits] = {}
    for cat in session.scalars(select(Category).where(Category.active.is_(True))):
        limits[cat.code] = Limits(
            name=cat.name,
            parent=cat.code[:2],
            ack_hours=cat.ack_hours,
            handle_days=cat.handle_days,
            urgent_hours=cat.urgent_hours,
            department_id=cat.default_department_id or departments[0],
        )
    return limits


def _grids(reference: Mapping[str, Any]) -> list[Grid]:
    """The grids with a boundary, their roads and grid workers, in id order."""
    units = {u["id"]: u for u in reference["org_units"]}
    workers: dict[str, list[str]] = {}
    for user in reference["users"]:
        if user["role"] == Role.GRID_WORKER:
            for grid_id in user["grid_ids"]:
                workers.setdefault(grid_id, []).append(user["id"])
    road_rng = random.Random(f"demo-roads-{len(units)}")
    roads = case_texts().roads
    grids = []
    for unit in units.values():
        if unit["level"] != OrgLevel.GRID or not unit.get("boundary"):
            continue
        community = units[unit["parent_id"]]
        street = units[community["parent_id"]]
        ring = tuple((float(x), float(y)) for x, y in unit["boundary"]["coordinates"][0])
        xs = [p[0] for p in ring]
        ys = [p[1] for p in ring]
        grids.append(
            Grid(
                id=unit["id"],
                community_name=community["name"],
                street_name=street["name"],
                ring=ring,
                box=(min(xs), min(ys), max(xs), max(ys)),
                roads=tuple(road_rng.sample(roads, 3)),
                workers=tuple(workers.get(unit["id"], ())),
            )
        )
    grids.sort(key=attrgetter("id"))
    return grids


def _by_street(users: Sequence[Mapping[str, Any]], role: str) -> dict[str, str]:
    """Street code → the first user (by username) of ``role`` in that street."""
    found: dict[str, str] = {}
    for user in sorted(users, key=lambda u: u["username"]):
        unit = user.get("org_unit_id") or ""
        if user["role"] == role and len(unit) >= 9:
            found.setdefault(unit[:9], user["id"])
    return found


def inside(x: float, y: float, ring: Sequence[tuple[float, float]]) -> bool:
    """Even-odd rule point-in-polygon test on a closed ring."""
    result = False
    x0, y0 = ring[-1]
    for x1, y1 in ring:
        if (y1 > y) != (y0 > y) and x < (x0 - x1) * (y - y1) / (y0 - y1) + x1:
            result = not result
        x0, y0 = x1, y1
    return result
