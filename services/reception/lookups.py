"""What the reception desk looks up: the pick lists of categories and places,
a category's default department and the dispatch it would get, and the visits
an actor may see (by scope, by id, by the visitor's keyed hashes).

Every function here only reads; the screen calls them off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from models.enums import OrgLevel
from models.tables import Category, Department, OrgUnit, Visit
from models.types import utcnow
from services import settings as settings_service
from services.cases import records as case_service
from services.cases.lookups import Names
from services.cases.permissions import Actor, in_scope
from services.cases.queue_clauses import prefix_clause
from services.errors import NotFound, PermissionDenied
from services.i18n import QT_TRANSLATE_NOOP
from services.reception.identity import visitor_key
from services.worktime.workdays import WorkCalendar

VISIT_UNKNOWN = QT_TRANSLATE_NOOP("services", "The visit {visit_id} does not exist.")
VISIT_OUTSIDE = QT_TRANSLATE_NOOP("services", "This visit was registered outside your area.")


def default_department(session: Session, category_code: str) -> str | None:
    """The category's default department, or its nearest ancestor's."""
    code: str | None = category_code
    while code:
        category = session.get(Category, code)
        if category is None:
            return None
        if category.default_department_id:
            return category.default_department_id
        code = category.parent_code
    return None


def visitor_keys(
    session: Session, phone: str | None, id_number: str | None
) -> tuple[str | None, str | None]:
    """The keyed hashes (phone, ID number) under which a visitor's visits are found."""
    key = settings_service.visitor_hash_key(session)
    return (
        visitor_key(phone, key) if phone else None,
        visitor_key(id_number, key) if id_number else None,
    )


def visit_scope(actor: Actor) -> Any:
    """The visits registered inside the actor's area (a county-wide actor sees all)."""
    if actor.org_unit_id == "":
        return true()
    return prefix_clause(Visit.org_unit_id, actor.org_unit_id or "\x00")


def visit_for(session: Session, actor: Actor, visit_id: str) -> Visit:
    """The visit ``visit_id`` if it lies inside the actor's area."""
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(VISIT_UNKNOWN, visit_id=visit_id)
    if not in_scope(actor, visit.org_unit_id):
        raise PermissionDenied(VISIT_OUTSIDE)
    return visit


@dataclass(frozen=True)
class CategoryChoice:
    """A category as the searchable picker shows it."""

    code: str
    name: str
    path: str  # "公用设施 / 污水井盖 / 污水井盖缺失"
    parent_code: str | None
    depth: int
    initials: str  # pinyin initials of the name, e.g. "wsjgqs"
    search: str  # what typing is matched against (lower case)
    department_id: str | None


def _initials(text: str) -> str:
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a dependency; search still works
        return ""
    return "".join(
        p[:1] for p in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore") if p
    ).lower()


def category_choices(session: Session) -> list[CategoryChoice]:
    """Active categories in tree order, each with its path and pinyin initials."""
    rows = list(
        session.scalars(
            select(Category)
            .where(Category.active.is_(True))
            .order_by(Category.sort_order, Category.code)
        )
    )
    by_code = {c.code: c for c in rows}
    children: dict[str | None, list[Category]] = {}
    for c in rows:
        parent = c.parent_code if c.parent_code in by_code else None
        children.setdefault(parent, []).append(c)
    out: list[CategoryChoice] = []

    def walk(parent: str | None, names: list[str], initials: list[str], depth: int) -> None:
        for c in children.get(parent, []):
            own = _initials(c.name)
            path = [*names, c.name]
            out.append(
                CategoryChoice(
                    code=c.code,
                    name=c.name,
                    path=" / ".join(path),
                    parent_code=parent,
                    depth=depth,
                    initials=own,
                    search=" ".join([*path, own, *initials, c.code]).lower(),
                    department_id=default_department(session, c.code),
                )
            )
            walk(c.code, path, [*initials, own], depth + 1)

    walk(None, [], [], 0)
    return out


@dataclass(frozen=True)
class PlaceChoice:
    """A street, community or grid the actor may register a problem in."""

    id: str
    name: str
    path: str  # "长河街道 / 朝阳社区 / 朝阳社区第1网格"
    level: str
    center_lat: float | None
    center_lon: float | None
    search: str


def place_choices(session: Session, actor: Actor) -> list[PlaceChoice]:
    """Streets, communities and grids inside the actor's area, in code order."""
    units = list(
        session.scalars(select(OrgUnit).where(OrgUnit.active.is_(True)).order_by(OrgUnit.id))
    )
    names = {u.id: u.name for u in units}
    out: list[PlaceChoice] = []
    for unit in units:
        if unit.level == OrgLevel.COUNTY or not in_scope(actor, unit.id):
            continue
        parts: list[str] = []
        for length in (9, 12):
            if len(unit.id) > length and unit.id[:length] in names:
                parts.append(names[unit.id[:length]])
        parts.append(unit.name)
        path = " / ".join(parts)
        out.append(
            PlaceChoice(
                id=unit.id,
                name=unit.name,
                path=path,
                level=unit.level,
                center_lat=unit.center_lat,
                center_lon=unit.center_lon,
                search=f"{path} {_initials(path.replace(' / ', ''))} {unit.id}".lower(),
            )
        )
    return out


def dispatch_preview(
    session: Session,
    calendar: WorkCalendar,
    category_code: str,
    urgency: str,
    at: datetime | None = None,
) -> tuple[str | None, datetime, datetime]:
    """(default department name, sign-for deadline, handling deadline) of a dispatch now."""
    at = at or utcnow()
    department_id = default_department(session, category_code)
    department = session.get(Department, department_id) if department_id else None
    ack, deadline = case_service.compute_deadlines(session, calendar, category_code, urgency, at)
    return (department.name if department else None), ack, deadline


@dataclass(frozen=True)
class DeskChoices:
    """What the reception form picks from, loaded in one go off the GUI thread."""

    names: Names
    categories: list[CategoryChoice]
    places: list[PlaceChoice]


def desk_choices(session: Session, actor: Actor) -> DeskChoices:
    """The names to show, the categories and the places the actor may register in."""
    return DeskChoices(
        names=Names.load(session),
        categories=category_choices(session),
        places=place_choices(session, actor),
    )
