"""Logging in to the county: Argon2 passwords (``services.auth``), bearer tokens
stored as SHA-256 hashes with an expiry, and throttling of failed logins per
client address on top of the per-account lock of ``services.auth``."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from models.db import Database
from models.tables import User
from models.types import utcnow
from services.auth import AuthError, authenticate

from .db import write_session
from .models import AccessToken, Device, LoginThrottle

TOKEN_HOURS = 12
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_MAX_FAILURES = 10
THROTTLE_LOCK = timedelta(minutes=5)
SLOWDOWN_PER_FAILURE = 0.25  # seconds added to a failed answer per recent failure (max 2 s)


class LoginRefused(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


class TokenRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Issued:
    token: str
    expires_at: datetime
    user: User


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _throttle(session: Session, key: str, now: datetime) -> LoginThrottle:
    row = session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, window_start=now, locked_until=None)
        session.add(row)
    elif now - row.window_start > THROTTLE_WINDOW:
        row.failures, row.window_start = 0, now
    return row


def issue_token(
    db: Database,
    *,
    username: str,
    password: str,
    device_id: str,
    device_name: str,
    client: str,
    token_hours: float = TOKEN_HOURS,
    now: datetime | None = None,
) -> Issued:
    """A new token for a correct username and password, or :class:`LoginRefused`."""
    now = now or utcnow()
    key = f"addr:{client}"[:120]
    with write_session(db) as session:
        throttle = _throttle(session, key, now)
        if throttle.locked_until is not None and throttle.locked_until > now:
            wait = int((throttle.locked_until - now).total_seconds()) + 1
            raise LoginRefused(
                429, "too_many_attempts", "Too many failed logins; try again later.", wait
            )
    failures = 0
    refusal: LoginRefused | None = None
    with write_session(db) as session:
        throttle = _throttle(session, key, now)
        try:
            user = authenticate(session, username, password, now)
        except AuthError as exc:
            throttle.failures += 1
            failures = throttle.failures
            if throttle.failures >= THROTTLE_MAX_FAILURES:
                throttle.locked_until = now + THROTTLE_LOCK
                throttle.failures = 0
            locked = exc.code == "too_many_attempts"
            refusal = LoginRefused(
                429 if locked else 401,
                "too_many_attempts" if locked else "invalid_credentials",
                str(exc),
                int(THROTTLE_LOCK.total_seconds()) if locked else 0,
            )
        else:
            refusal = None
            throttle.failures = 0
            token = secrets.token_urlsafe(32)
            expires = now + timedelta(hours=token_hours)
            session.add(
                AccessToken(
                    token_hash=token_hash(token),
                    user_id=user.id,
                    device_id=device_id or None,
                    created_at=now,
                    expires_at=expires,
                    revoked=False,
                )
            )
            if device_id:
                device = session.get(Device, device_id[:64])
                if device is None:
                    session.add(
                        Device(
                            id=device_id[:64],
                            name=device_name[:100],
                            user_id=user.id,
                            first_seen=now,
                            last_seen=now,
                        )
                    )
                else:
                    device.name, device.user_id, device.last_seen = (
                        device_name[:100] or device.name,
                        user.id,
                        now,
                    )
            # Expired tokens are of no use to anybody: drop them now and then.
            session.execute(
                delete(AccessToken).where(AccessToken.expires_at < now - timedelta(days=1))
            )
            session.flush()
            session.expunge(user)
    if refusal is not None:
        time.sleep(min(2.0, SLOWDOWN_PER_FAILURE * failures))
        raise refusal
    return Issued(token, expires, user)


def check_token(session: Session, header: str | None, now: datetime | None = None) -> User:
    """The user of a ``Bearer`` header, or :class:`TokenRefused`."""
    now = now or utcnow()
    if not header or not header.startswith("Bearer "):
        raise TokenRefused("invalid_token", "Log in first: this call needs a bearer token.")
    row = session.get(AccessToken, token_hash(header[7:].strip()))
    if row is None or row.revoked:
        raise TokenRefused("invalid_token", "The token is not valid; log in again.")
    if row.expires_at <= now:
        raise TokenRefused("token_expired", "The token has expired; log in again.")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise TokenRefused("invalid_token", "The account is no longer active.")
    return user
