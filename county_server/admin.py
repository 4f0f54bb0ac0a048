"""The server's administrative operations behind the command line: loading the
reference file, creating users and the demo district, setting passwords,
disabling and enabling users and revoking their tokens, each writing its feed rows;
and reserving desk codes for desks installed without network.

A password change, a disabled user or a revocation ends every token of the user
at once (:func:`county_server.tokens.revoke_user`) and sets the user's
``credentials_changed_at``, which desks learn from the user's feed entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db import Database
from models.tables import Category, Department, Holiday, OrgUnit, Setting, User
from services.accounts.auth import create_user as create_user_row
from services.accounts.auth import set_password as set_password_hash
from services.errors import NotFound, ValidationError
from services.protocol.reference import (
    category_wire,
    department_wire,
    holiday_wire,
    load_reference,
    org_unit_wire,
    user_wire,
)

from .db import write_session
from .feed import FeedWriter, backfill
from .models import Device
from .tokens import RESERVED_PREFIX, free_code, lock_street_codes, revoke_user


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


def _credentials(session: Session) -> dict[str, tuple[str | None, bool]]:
    return {
        user_id: (password_hash, bool(active))
        for user_id, password_hash, active in session.execute(
            select(User.id, User.password_hash, User.active)
        )
    }


def load_reference_file(db: Database, reference: Mapping[str, Any]) -> int:
    """Load a reference file (docs/protocol.md); returns the number of items that changed.

    A user whose ``password`` changed or who became ``active: false`` loses every
    token at once, as with ``set-password`` and ``disable-user``.
    """
    with write_session(db) as session:
        feed = FeedWriter()
        before = reference_snapshot(session)
        credentials = _credentials(session)
        load_reference(session, reference)
        session.flush()
        for user_id, (password_hash, active) in _credentials(session).items():
            if user_id not in credentials:
                continue
            old_hash, was_active = credentials[user_id]
            user = session.get(User, user_id)
            assert user is not None
            if was_active and not active:
                revoke_user(session, user, "disabled")
            elif password_hash != old_hash:
                revoke_user(session, user, "password_changed")
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


def reserve_desk_code(db: Database, *, street: str, name: str = "") -> str:
    """Reserve the next free desk code of ``street`` for a desk installed without network.

    The code is kept in a device row of its own (``reserved:…``), so it is never
    handed to another desk; the desk that numbers its cases with it sends it at
    its first login and the row becomes that desk's (``tokens.desk_code``).
    """
    street = street.strip()
    name = " ".join(name.split())[:100]
    with write_session(db) as session:
        unit = session.get(OrgUnit, street)
        if len(street) != 9 or not street.isdigit() or unit is None or unit.level != "street":
            raise NotFound(
                "There is no street with the code {street} (nine digits, a street of the county).",
                field="street",
                street=street,
            )
        lock_street_codes(session, street)
        code = free_code(session, street)
        if code is None:
            raise ValidationError(
                "The street {street} has no free desk code left (01 to 99 are taken).",
                field="street",
                street=street,
            )
        session.add(
            Device(
                id=f"{RESERVED_PREFIX}{uuid.uuid4()}",
                name=name,
                user_id=None,
                street=street,
                desk_code=code,
            )
        )
    return code


def _user_named(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound("There is no user named {username}.", field="username", username=username)
    return user


def _credential_change(
    db: Database, username: str, change: Callable[[Session, User], None], reason: str
) -> int:
    """Apply ``change(session, user)``, end the user's tokens and tell the desks."""
    with write_session(db) as session:
        feed = FeedWriter()
        user = _user_named(session, username)
        change(session, user)
        revoked = revoke_user(session, user, reason)
        feed.add("user", user.id)
        feed.flush(session)
    return revoked


def set_password(db: Database, *, username: str, password: str) -> int:
    """A new password (checked for strength); returns how many tokens it ended."""
    return _credential_change(
        db,
        username,
        lambda session, user: set_password_hash(session, user, password),
        "password_changed",
    )


def disable_user(db: Database, *, username: str) -> int:
    """The user can no longer log in; returns how many tokens it ended."""

    def disable(session: Session, user: User) -> None:
        user.active = False

    return _credential_change(db, username, disable, "disabled")


def enable_user(db: Database, *, username: str) -> bool:
    """The user may log in again (with a password; old tokens stay ended).
    Returns False if the user was active already."""
    with write_session(db) as session:
        user = _user_named(session, username)
        if user.active:
            return False
        feed = FeedWriter()
        user.active = True
        feed.add("user", user.id)
        feed.flush(session)
    return True


def revoke_tokens(db: Database, *, username: str) -> int:
    """End every token of the user (a lost or stolen desk); returns how many."""
    return _credential_change(db, username, lambda session, user: None, "revoked")


def seed_demo(
    db: Database, *, cases: int, seed: int, today: date | None
) -> tuple[date, dict[str, int]]:
    """The demo district (same ids as a desktop seeded alike), then its feed rows.

    Returns the day the history ends at the start of, and what was written.
    """
    from services.demo.generator import seed_demo as generate

    summary = generate(db, cases=cases, seed=seed, today=today)
    with write_session(db) as session:
        feed = FeedWriter()
        counts = backfill(session, feed)
        feed.flush(session)
    return summary.today, {
        "cases": summary.cases,
        "events": summary.events,
        "visits": summary.visits,
        **counts,
    }
