"""A county login's answer: checked field by field, and the person remembered
here (an Argon2 hash of the password) so that the next login works offline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from models.tables import OrgUnit, User
from models.types import utcnow
from services.accounts.auth import hash_password
from services.cases.event_checks import parse_time
from services.errors import DomainError
from services.protocol.reference import upsert_user
from services.sync.apply import as_utc
from services.sync.checks import (
    ItemProblem,
    scan,
)
from services.sync.errors import (
    LoginRequired,
    ServerFailed,
    SyncError,
)
from services.sync.transport import Answer


# ---------------------------------------------------------------- logging in
def remember_login(session: Session, user_data: Mapping[str, Any], password: str) -> User | None:
    """Keep a county user's account (and an Argon2 hash of the password) for offline logins.

    Returns None when the user's org unit is not known here yet (pull first).
    The hash is known good as of now: a later ``credentials_changed_at`` from
    the county drops it again.
    """
    unit_id = user_data.get("org_unit_id")
    if unit_id and session.get(OrgUnit, unit_id) is None:
        return None
    row = session.get(User, user_data["id"])
    if row is None:
        upsert_user(
            session,
            {
                "id": user_data["id"],
                "username": user_data["username"],
                "display_name": user_data.get("display_name") or user_data["username"],
                "role": user_data["role"],
                "org_unit_id": unit_id,
                "department_id": user_data.get("department_id"),
                "grid_ids": list(user_data.get("grid_ids") or []),
                "active": True,
            },
        )
        session.flush()
        row = session.get(User, user_data["id"])
    assert row is not None
    row.password_hash = hash_password(password)
    row.failed_logins = 0
    row.locked_until = None
    row.active = True
    now = utcnow()
    known = as_utc(row.credentials_changed_at)
    if known is None or known < now:
        row.credentials_changed_at = now
    session.flush()
    return row


def check_login_answer(body: Any) -> dict[str, Any]:
    user = body.get("user") if isinstance(body, Mapping) else None
    if (
        not isinstance(body, Mapping)
        or not isinstance(body.get("token"), str)
        or not body["token"]
        or len(body["token"]) > 4096
        or not isinstance(user, Mapping)
        or not isinstance(user.get("id"), str)
        or not isinstance(user.get("username"), str)
        or not isinstance(user.get("role"), str)
        or not isinstance(body.get("refresh_token") or "", str)
    ):
        raise ServerFailed("the login answer is not the protocol's", code="not_protocol")
    try:
        scan(body)
        for key in ("expires_at", "refresh_expires_at"):
            if body.get(key):
                parse_time(body[key], key)
    except (ItemProblem, DomainError) as exc:
        raise ServerFailed(f"the login answer is not valid: {exc}", code="not_protocol") from exc
    return dict(body)


def refused(answer: Answer) -> SyncError:
    code, message, reason = answer.error()
    if answer.status in (401, 429) or code in ("invalid_credentials", "too_many_attempts"):
        error = LoginRequired(message or code, code=code or "invalid_credentials")
        error.reason = reason  # type: ignore[attr-defined]
        return error
    if answer.status >= 500:
        return ServerFailed(f"{answer.status} {code} {message}".strip())
    return ServerFailed(f"{answer.status} {code} {message}".strip())
