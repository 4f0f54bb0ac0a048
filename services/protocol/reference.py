"""Reference data (org units, departments, categories, users, holidays, settings):
loading the docs/protocol.md shapes into the tables, idempotently.

The same functions serve the demo generator, the county server's
``load-reference`` and the desktop's pull of reference changes, so that a unit
or a category looks the same wherever it came from. Loading the same data twice
changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import HolidayKind, OrgLevel, Role
from models.tables import Category, Department, Holiday, OrgUnit, User
from services import settings as settings_service
from services.accounts.auth import hash_password, verify_password
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP

LEVEL_LENGTH = {OrgLevel.COUNTY: 6, OrgLevel.STREET: 9, OrgLevel.COMMUNITY: 12, OrgLevel.GRID: 15}


def boundary_center(boundary: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """(lat, lon) of the area centroid of a GeoJSON Polygon/MultiPolygon's outer rings."""
    if not boundary:
        return None
    kind = boundary.get("type")
    coords = boundary.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    area_sum = cx = cy = 0.0
    for polygon in polygons:
        if not polygon:
            continue
        ring = polygon[0]
        for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
            cross = x0 * y1 - x1 * y0
            area_sum += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    if abs(area_sum) < 1e-15:
        points = [pt for polygon in polygons for pt in (polygon[0] if polygon else [])]
        if not points:
            return None
        return (sum(p[1] for p in points) / len(points), sum(p[0] for p in points) / len(points))
    return (cy / (3 * area_sum), cx / (3 * area_sum))


def _require(data: Mapping[str, Any], *keys: str) -> None:
    for key in keys:
        if data.get(key) in (None, ""):
            raise ValidationError(
                QT_TRANSLATE_NOOP("services", "The reference entry lacks the field {field}."),
                field=key,
            )


def _assign(row: Any, values: Mapping[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


def upsert_org_unit(session: Session, data: Mapping[str, Any]) -> bool:
    _require(data, "id", "level", "name")
    level = data["level"]
    unit_id = str(data["id"])
    if (
        level not in LEVEL_LENGTH
        or len(unit_id) != LEVEL_LENGTH[OrgLevel(level)]
        or not unit_id.isdigit()
    ):
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services",
                "Org unit {id}: a {level} code has {length} digits (county 6, street 9, community 12, grid 15).",
            ),
            field="id",
            id=unit_id,
            level=level,
            length=LEVEL_LENGTH.get(level, "?"),
        )
    center = boundary_center(data.get("boundary"))
    values = {
        "parent_id": data.get("parent_id"),
        "level": level,
        "name": data["name"],
        "boundary": data.get("boundary"),
        "center_lat": center[0] if center else None,
        "center_lon": center[1] if center else None,
        "active": bool(data.get("active", True)),
    }
    row = session.get(OrgUnit, unit_id)
    if row is None:
        session.add(OrgUnit(id=unit_id, **values))
        return True
    return _assign(row, values)


def upsert_department(session: Session, data: Mapping[str, Any]) -> bool:
    _require(data, "id", "name")
    values = {
        "name": data["name"],
        "org_unit_id": data.get("org_unit_id"),
        "active": bool(data.get("active", True)),
    }
    row = session.get(Department, data["id"])
    if row is None:
        session.add(Department(id=data["id"], **values))
        return True
    return _assign(row, values)


def upsert_category(session: Session, data: Mapping[str, Any], sort_order: int = 0) -> bool:
    _require(data, "code", "name")
    values = {
        "parent_code": data.get("parent_code"),
        "name": data["name"],
        "ack_hours": int(data.get("ack_hours") or 8),
        "handle_days": int(data.get("handle_days") or 3),
        "urgent_hours": int(data.get("urgent_hours") or 24),
        "default_department_id": data.get("default_department_id"),
        "active": bool(data.get("active", True)),
    }
    row = session.get(Category, data["code"])
    if row is None:
        session.add(Category(code=data["code"], sort_order=sort_order, **values))
        return True
    return _assign(row, values)


def upsert_user(session: Session, data: Mapping[str, Any]) -> bool:
    """Create or update a user. A ``password`` replaces the hash only if it differs.

    ``credentials_changed_at`` (in the county's feed) is not taken from the data:
    the county sets it itself when it changes a password, disables a user or
    revokes their tokens.
    """
    _require(data, "id", "username", "role")
    if data["role"] not in set(Role):
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Unknown role {role}."), field="role", role=data["role"]
        )
    values: dict[str, Any] = {
        "username": data["username"],
        "display_name": data.get("display_name") or data["username"],
        "role": data["role"],
        "org_unit_id": data.get("org_unit_id"),
        "department_id": data.get("department_id"),
        "grid_ids": list(data.get("grid_ids") or []),
        "active": bool(data.get("active", True)),
    }
    row = session.get(User, data["id"])
    if row is None:
        clash = session.scalar(select(User).where(User.username == data["username"]))
        if clash is not None:
            # A local account of the same name: the county's identity wins, keep the password.
            session.delete(clash)
            session.flush()
            values["password_hash"] = clash.password_hash
        row = User(id=data["id"], failed_logins=0, **values)
        session.add(row)
        changed = True
    else:
        changed = _assign(row, values)
    password = data.get("password")
    if password and not verify_password(row.password_hash, str(password)):
        row.password_hash = hash_password(str(password))
        changed = True
    return changed


def upsert_holiday(session: Session, data: Mapping[str, Any]) -> bool:
    _require(data, "date", "kind")
    if data["kind"] not in set(HolidayKind):
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "A holiday's kind is holiday or workday, not {kind}."),
            field="kind",
            kind=data["kind"],
        )
    day = data["date"] if isinstance(data["date"], date) else date.fromisoformat(str(data["date"]))
    values = {"kind": data["kind"], "name": data.get("name") or ""}
    row = session.get(Holiday, day)
    if row is None:
        session.add(Holiday(date=day, **values))
        return True
    return _assign(row, values)


def upsert_setting(session: Session, data: Mapping[str, Any]) -> bool:
    _require(data, "key")
    key = str(data["key"])
    if key.startswith(settings_service.DEVICE_PREFIX):
        return False  # a device's own settings never come from outside
    old = settings_service.get(session, key)
    new = settings_service.put(session, key, data.get("value"))
    return bool(old != new)


UPSERTS = {
    "org_unit": upsert_org_unit,
    "department": upsert_department,
    "category": upsert_category,
    "user": upsert_user,
    "holiday": upsert_holiday,
    "setting": upsert_setting,
}

# Reference-file key → change type, in an order that satisfies the foreign keys.
FILE_KEYS = (
    ("org_units", "org_unit"),
    ("departments", "department"),
    ("categories", "category"),
    ("users", "user"),
    ("holidays", "holiday"),
    ("settings", "setting"),
)


def _parents_first(units: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return sorted(units, key=lambda u: len(str(u.get("id", ""))))


def _categories_parents_first(categories: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    items = list(categories)
    by_code = {c["code"]: c for c in items}

    def depth(c: Mapping[str, Any]) -> int:
        d, seen = 0, set()
        while c.get("parent_code") and c["parent_code"] in by_code and c["code"] not in seen:
            seen.add(c["code"])
            c = by_code[c["parent_code"]]
            d += 1
        return d

    return sorted(items, key=depth)


def load_reference(session: Session, reference: Mapping[str, Any]) -> dict[str, int]:
    """Load a docs/protocol.md reference file's content; returns how many rows changed per key."""
    counts: dict[str, int] = {}
    for key, kind in FILE_KEYS:
        items = list(reference.get(key) or [])
        if kind == "org_unit":
            items = _parents_first(items)
        elif kind == "category":
            items = _categories_parents_first(items)
        changed = 0
        for index, item in enumerate(items):
            if kind == "category":
                changed += upsert_category(session, item, sort_order=index)
            else:
                changed += UPSERTS[kind](session, item)
            if kind in ("org_unit", "category"):
                session.flush()
        counts[key] = changed
    session.flush()
    return counts


def org_unit_wire(unit: OrgUnit) -> dict[str, Any]:
    return {
        "id": unit.id,
        "parent_id": unit.parent_id,
        "level": unit.level,
        "name": unit.name,
        "boundary": unit.boundary,
        "active": unit.active,
    }


def department_wire(dept: Department) -> dict[str, Any]:
    return {
        "id": dept.id,
        "name": dept.name,
        "org_unit_id": dept.org_unit_id,
        "active": dept.active,
    }


def category_wire(cat: Category) -> dict[str, Any]:
    return {
        "code": cat.code,
        "parent_code": cat.parent_code,
        "name": cat.name,
        "ack_hours": cat.ack_hours,
        "handle_days": cat.handle_days,
        "urgent_hours": cat.urgent_hours,
        "default_department_id": cat.default_department_id,
        "active": cat.active,
    }


def user_wire(user: User) -> dict[str, Any]:
    """A user as the protocol sends it: never a password or its hash."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "org_unit_id": user.org_unit_id,
        "department_id": user.department_id,
        "grid_ids": list(user.grid_ids or []),
        "active": user.active,
        "credentials_changed_at": (
            user.credentials_changed_at.astimezone(UTC).isoformat()
            if user.credentials_changed_at
            else None
        ),
    }


def holiday_wire(holiday: Holiday) -> dict[str, Any]:
    return {"date": holiday.date.isoformat(), "kind": holiday.kind, "name": holiday.name}
