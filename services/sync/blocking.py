"""The engine's one-shot calls for worker threads of the desktop (no event loop
of their own): logging in from the login dialog, logging out, and revealing a
masked visitor field with a stated reason.
"""

from __future__ import annotations

import asyncio
from typing import Any

from models.db import Database
from models.tables import User
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.sync.config import Connection, connection, make_client
from services.sync.engine import SyncEngine
from services.sync.errors import (
    ServerFailed,
)


def login_blocking(db: Database, username: str, password: str) -> User:
    """Log in against the county from a worker thread (the login dialog's county login).

    On success the user is stored locally with an Argon2 hash of the password,
    so the next login works offline, and the user's device-bound token is kept
    for the sync loop. Raises :class:`SyncError` subclasses.
    """
    with db.sessions() as session:
        conn = connection(session)
        session.commit()

    async def go() -> dict[str, Any]:
        engine = SyncEngine(db, conn, client=make_client(conn, timeout=15.0))
        try:
            return await engine.login(username, password)
        finally:
            await engine.close()

    body = asyncio.run(go())
    with db.sessions() as session:
        found = session.get(User, body["user"]["id"])
        if found is None:
            raise ServerFailed("the county's user could not be stored here", code="user_not_stored")
        session.expunge(found)
        return found


def logout_blocking(db: Database, user_id: str) -> bool:
    """Revoke ``user_id``'s county token on this desk and forget it (from a worker thread)."""
    with db.sessions() as session:
        conn = connection(session)
        session.commit()

    async def go() -> bool:
        engine = SyncEngine(db, conn, client=make_client(conn, timeout=10.0))
        try:
            return await engine.logout(user_id)
        finally:
            await engine.close()

    return asyncio.run(go())


REVEAL_FIELDS = ("phone", "id_number")


def reveal(
    db: Database, conn: Connection, user_id: str, visit_id: str, field: str, reason: str
) -> str | None:
    """Ask the county for one clear value of a visitor (audited there); never stored here.

    Blocking (run it in a worker thread). Raises ValidationError for a missing
    reason, :class:`Offline` when the county cannot be reached,
    :class:`LoginRequired` when this user has no county login here and
    :class:`RevealRefused` when the county refuses.
    """
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Say why you need the full value (1 to 200 characters)."),
            field="reason",
        )
    if field not in REVEAL_FIELDS:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Only a phone or an ID number can be revealed."),
            field="field",
        )

    async def go() -> str | None:
        engine = SyncEngine(db, conn, client=make_client(conn, timeout=15.0), deadline=60.0)
        try:
            return await engine.reveal(user_id, visit_id, field, reason)
        finally:
            await engine.close()

    return asyncio.run(go())
