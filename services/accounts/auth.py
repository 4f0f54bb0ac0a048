"""Passwords and logging in.

Passwords are stored as Argon2id hashes (a slow, memory-hard KDF); the clear
password is never written anywhere. Repeated failures lock the account for a
while, so that a password cannot be guessed at the reception desk.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.enums import Role
from models.tables import OrgUnit, User
from models.types import utcnow
from services.errors import DomainError, ValidationError
from services.i18n import QT_TRANSLATE_NOOP

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 5
MIN_PASSWORD_LENGTH = 8

# Parameters of RFC 9106's second recommended option, a little lighter on memory
# so that office PCs with 4 GB stay responsive (about 50 ms a hash here).
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2)


class AuthError(DomainError):
    code = "invalid_credentials"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "The password must have at least {minimum} characters."),
            field="password",
            minimum=MIN_PASSWORD_LENGTH,
        )
    if password.isdigit() or password.isalpha():
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "The password must mix letters with digits or symbols."),
            field="password",
        )


def authenticate(
    session: Session, username: str, password: str, now: datetime | None = None
) -> User:
    """Return the user for a correct username and password, or raise :class:`AuthError`.

    Counts failures on the user row (committed by the caller's transaction) and
    locks the account for ``LOCK_MINUTES`` after ``MAX_FAILED_LOGINS`` failures.
    The message does not say whether the username exists.
    """
    now = now or utcnow()
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        _hasher.hash(password)  # same cost as a real check: do not reveal which names exist
        raise AuthError(QT_TRANSLATE_NOOP("services", "Wrong username or password."))
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise AuthError(
            QT_TRANSLATE_NOOP(
                "services",
                "Too many failed attempts. The account is locked; try again in {minutes} minutes.",
            ),
            code="too_many_attempts",
            minutes=minutes,
        )
    if not verify_password(user.password_hash, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        raise AuthError(QT_TRANSLATE_NOOP("services", "Wrong username or password."))
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    return user


def create_user(
    session: Session,
    *,
    username: str,
    password: str | None,
    display_name: str,
    role: str,
    org_unit_id: str | None,
    department_id: str | None = None,
    grid_ids: list[str] | None = None,
    user_id: str | None = None,
    check_strength: bool = True,
) -> User:
    """Create a user after checking the name, role, org unit and password."""
    username = username.strip()
    if not username or len(username) > 60 or any(c.isspace() for c in username):
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services", "The username must be 1 to 60 characters without spaces."
            ),
            field="username",
        )
    if not display_name.strip():
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Enter the person's name."), field="display_name"
        )
    if role not in set(Role):
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Unknown role {role}."), field="role", role=role
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "The username {username} is taken; choose another."),
            field="username",
            username=username,
        )
    if org_unit_id is not None and session.get(OrgUnit, org_unit_id) is None:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Choose an existing org unit."), field="org_unit_id"
        )
    if password is not None and check_strength:
        check_password_strength(password)
    user = User(
        id=user_id or str(uuid.uuid4()),
        username=username,
        display_name=display_name.strip(),
        role=role,
        org_unit_id=org_unit_id,
        department_id=department_id,
        grid_ids=list(grid_ids or []),
        active=True,
        password_hash=hash_password(password) if password is not None else None,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None


def login(db: Any, username: str, password: str, now: datetime | None = None) -> User:
    """Authenticate in a transaction of its own that keeps the failure count even on failure."""
    with db.sessions() as session:
        try:
            user = authenticate(session, username, password, now)
        except AuthError:
            session.commit()
            raise
        session.commit()
        session.expunge(user)
        return user
