"""The server's administrative operations behind the command line: loading the
reference file, creating users and the demo district, each writing its feed rows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db import Database
from models.tables import Category, Department, Holiday, OrgUnit, Setting, User
from services.auth import create_user as create_user_row
from services.reference import (
    category_wire,
    department_wire,
    holiday_wire,
    load_reference,
    org_unit_wire,
    user_wire,
)

from .db import write_session
from .feed import FeedWriter, backfill


def reference_snapshot(session: Session) -> dict[tuple[str, str], Any]:
    """Every reference item's wire form, keyed by (kind, id), in load order."""
    snap: dict[tuple[str, str], Any] = {}
    for unit in session.scalars(select(OrgUnit)):
        snap[("org_unit", unit.id)] = org_unit_wire(unit)
    for dept in session.scalars(select(Department)):
        snap[("department", dept.id)] = department_wire(dept)
    for cat in session.scalars(select(Category).order_by(Category.sort_order)):
        snap[("category", cat.code)] = category_wire(cat)
    for user in session.scalars(select(User)):
        snap[("user", user.id)] = user_wire(user)
    for holiday in session.scalars(select(Holiday)):
        snap[("holiday", holiday.date.isoformat())] = holiday_wire(holiday)
    for setting in session.scalars(select(Setting)):
        if not setting.key.startswith("device."):
            snap[("setting", setting.key)] = setting.value
    return snap


_ORDER = {"org_unit": 0, "department": 1, "category": 2, "user": 3, "holiday": 4, "setting": 5}


def emit_reference_changes(
    session: Session, feed: FeedWriter, before: dict[tuple[str, str], Any]
) -> int:
    session.flush()
    after = reference_snapshot(session)
    changed = [key for key, value in after.items() if before.get(key) != value]
    changed.sort(key=lambda k: (_ORDER[k[0]], len(k[1]) if k[0] == "org_unit" else 0))
    for kind, item_id in changed:
        feed.add(kind, item_id)
    return len(changed)


def load_reference_file(db: Database, reference: Mapping[str, Any]) -> int:
    """Load a reference file (PROTOCOL.md); returns the number of items that changed."""
    with write_session(db) as session:
        feed = FeedWriter()
        before = reference_snapshot(session)
        load_reference(session, reference)
        changed = emit_reference_changes(session, feed, before)
        feed.flush(session)
    return changed


def create_user(db: Database, **fields: Any) -> User:
    with write_session(db) as session:
        feed = FeedWriter()
        user = create_user_row(session, **fields)
        feed.add("user", user.id)
        feed.flush(session)
        session.expunge(user)
    return user


def seed_demo(db: Database, *, cases: int, seed: int, today: date | None) -> dict[str, int]:
    """The demo district (same ids as a desktop seeded alike), then its feed rows."""
    from services.demo import seed_demo as generate

    summary = generate(db, cases=cases, seed=seed, today=today)
    with write_session(db) as session:
        feed = FeedWriter()
        counts = backfill(session, feed)
        feed.flush(session)
    return {"cases": summary.cases, "events": summary.events, "visits": summary.visits, **counts}
