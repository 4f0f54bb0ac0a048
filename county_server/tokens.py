"""Logging in to the county (docs/protocol.md "Logging in: token pairs").

* Passwords are Argon2id hashes (:mod:`services.accounts.auth`); every login attempt,
  whatever its outcome, costs exactly one Argon2 verification, so that the
  answer time does not tell whether a name exists or is locked.
* A login gives a pair: a short **token** (at most 12 h) and a **refresh token**
  bound to the user and the desk's ``device_id`` (at most 30 days). Only their
  SHA-256 hashes are stored, so a copy of the database logs nobody in.
* ``refresh`` **rotates**: the refresh token used is spent and a new pair is
  given. A spent refresh token presented again means that two parties hold
  it (a stolen copy): every token and refresh token of that user on that desk
  is revoked, so the thief gets nothing and the desk's user logs in again.
* A password change, a disabled user or an administrator's revocation ends
  every token of the user at once (:func:`revoke_user`) and sets
  ``User.credentials_changed_at``, which travels in the user's feed entry.
* Failed logins are counted per account (``acct:<name>``) and per address and
  account (``pair:<address>|<name>``), for existing and unknown names alike.
  There is no per-address lock: a street office behind one NAT address where
  somebody mistypes made-up names still logs its own people in.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from models.db import Database
from models.tables import User
from models.types import utcnow
from services.accounts.auth import hash_password, verify_password

from .db import write_session
from .models import AccessToken, Device, LoginThrottle, RefreshToken

TOKEN_HOURS = 12  # the longest a token lives (docs/protocol.md)
DESK_CODE_LOCK = 0x4445534B  # "DESK"; with the street code, one advisory lock per street
RESERVED_PREFIX = "reserved:"  # the id of a Device row that only keeps a reserved desk code
REFRESH_DAYS = 30  # the longest a refresh token lives

THROTTLE_WINDOW = timedelta(minutes=15)
PAIR_MAX_FAILURES = 5  # from one address for one name, within the window …
PAIR_LOCK = timedelta(minutes=5)  # … lock that pair this long
ACCOUNT_MAX_FAILURES = 20  # from any address for one name, within the window …
ACCOUNT_LOCK = timedelta(minutes=15)  # … lock that name this long

WRONG_CREDENTIALS = "Wrong username or password."
TOO_MANY = "Too many failed logins for this name; try again in {minutes} minutes."

# Why a token or refresh token is refused (the ``reason`` of a 401 answer).
REASONS = ("expired", "revoked", "password_changed", "disabled", "wrong_device", "unknown")
ROTATED = "rotated"  # stored on a refresh token spent by a refresh; never sent

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class LoginRefused(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


class TokenRefused(Exception):
    """401: ``code`` is ``invalid_token`` or ``token_expired``; ``reason`` one of :data:`REASONS`."""

    def __init__(self, code: str, message: str, reason: str = "unknown") -> None:
        super().__init__(message)
        self.code, self.message, self.reason = code, message, reason


@dataclass
class Issued:
    token: str
    expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    user: User
    desk_code: str | None = None


@dataclass
class Principal:
    """Who calls: the token's user, the desk the token was given to, and the token's hash."""

    user: User
    device_id: str | None
    token_hash: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def canonical_device_id(value: object) -> str | None:
    """A desk's id as stored with its tokens (lower-case UUID), or None if ``value`` is no UUID."""
    if not isinstance(value, str) or not _UUID.match(value):
        return None
    return str(uuid.UUID(value))


def throttle_name(username: str) -> str:
    return username.strip().lower()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _one_argon2(password_hash: str | None, password: str) -> bool:
    """Exactly one Argon2 verification, against a dummy hash when there is no real one."""
    if password_hash:
        return verify_password(password_hash, password)
    verify_password(_dummy_hash(), password)
    return False


# ---------------------------------------------------------------- throttling
def _locked_throttle(session: Session, key: str, now: datetime) -> LoginThrottle:
    """The throttle row of ``key``, created if missing, locked for this transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            pg_insert(LoginThrottle)
            .values(key=key, failures=0, window_start=now, locked_until=None)
            .on_conflict_do_nothing(index_elements=["key"])
        )
    else:
        session.execute(
            sqlite_insert(LoginThrottle)
            .values(key=key, failures=0, window_start=now, locked_until=None)
            .on_conflict_do_nothing(index_elements=["key"])
        )
    row = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    assert row is not None
    expired_lock = row.locked_until is not None and row.locked_until <= now
    if expired_lock or now - row.window_start > THROTTLE_WINDOW:
        row.failures, row.window_start, row.locked_until = 0, now, None
    return row


def _retry_after(locked_until: datetime, now: datetime) -> int:
    """Seconds to wait, rounded up to whole minutes (the answer does not date the lock)."""
    return max(1, math.ceil((locked_until - now).total_seconds() / 60)) * 60


def _too_many(retry_after: int) -> LoginRefused:
    return LoginRefused(
        429, "too_many_attempts", TOO_MANY.format(minutes=retry_after // 60), retry_after
    )


@dataclass
class _Attempt:
    """What the first transaction of a login learnt and counted."""

    user_id: str | None
    password_hash: str | None
    active: bool
    pair_set_lock: bool
    account_set_lock: bool
    window: tuple[datetime, datetime]


def _begin_attempt(
    db: Database, username: str, client: str, now: datetime
) -> _Attempt | LoginRefused:
    """Count the attempt as a failure before the password is checked (so that a
    burst of parallel guesses cannot pass the limits), or refuse a locked key."""
    name = throttle_name(username)
    with write_session(db) as session:
        # Always the account row first, then the pair: one order, no deadlock.
        account = _locked_throttle(session, f"acct:{name}"[:120], now)
        pair = _locked_throttle(session, f"pair:{client}|{name}"[:120], now)
        locks = [
            row.locked_until
            for row in (account, pair)
            if row.locked_until is not None and row.locked_until > now
        ]
        if locks:
            return _too_many(_retry_after(max(locks), now))
        user = session.scalar(select(User).where(User.username == username.strip()))
        attempt = _Attempt(
            user_id=user.id if user else None,
            password_hash=user.password_hash if user else None,
            active=bool(user and user.active),
            pair_set_lock=False,
            account_set_lock=False,
            window=(account.window_start, pair.window_start),
        )
        account.failures += 1
        pair.failures += 1
        if account.failures >= ACCOUNT_MAX_FAILURES:
            account.locked_until = now + ACCOUNT_LOCK
            attempt.account_set_lock = True
        if pair.failures >= PAIR_MAX_FAILURES:
            pair.locked_until = now + PAIR_LOCK
            attempt.pair_set_lock = True
    return attempt


def _undo_failure(session: Session, username: str, client: str, attempt: _Attempt) -> None:
    """The password was right: take back the failure counted in advance."""
    name = throttle_name(username)
    account = session.get(LoginThrottle, f"acct:{name}"[:120], with_for_update=True)
    pair = session.get(LoginThrottle, f"pair:{client}|{name}"[:120], with_for_update=True)
    if account is not None and account.window_start == attempt.window[0]:
        account.failures = max(0, account.failures - 1)
        if attempt.account_set_lock:
            account.locked_until = None
    if pair is not None:
        pair.failures, pair.locked_until = 0, None


# ---------------------------------------------------------------- issuing
def _new_pair(
    session: Session, user: User, device_id: str, token_hours: float, now: datetime
) -> Issued:
    token, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + timedelta(hours=min(token_hours, TOKEN_HOURS))
    refresh_expires = now + timedelta(days=REFRESH_DAYS)
    session.add(
        RefreshToken(
            token_hash=token_hash(refresh),
            user_id=user.id,
            device_id=device_id,
            created_at=now,
            expires_at=refresh_expires,
            revoked=False,
            revoked_reason=None,
        )
    )
    session.add(
        AccessToken(
            token_hash=token_hash(token),
            user_id=user.id,
            device_id=device_id,
            created_at=now,
            expires_at=expires,
            revoked=False,
            refresh_hash=token_hash(refresh),
        )
    )
    return Issued(token, expires, refresh, refresh_expires, user)


def _seen_device(
    session: Session,
    device_id: str,
    device_name: str,
    user: User,
    now: datetime,
    wanted: str | None = None,
) -> str | None:
    """Remember the desk; returns its desk code (handed out at its first login)."""
    device = session.get(Device, device_id)
    if device is None:
        device = Device(
            id=device_id, name=device_name, user_id=user.id, first_seen=now, last_seen=now
        )
        session.add(device)
    else:
        device.name = device_name or device.name
        device.user_id, device.last_seen = user.id, now
    return desk_code(session, device, user, wanted)


def is_reserved(device_id: str) -> bool:
    """A row of ``desk-code``: a code kept for a desk installed without network."""
    return device_id.startswith(RESERVED_PREFIX)


def lock_street_codes(session: Session, street: str) -> None:
    """Two desks of one street (or a desk and ``desk-code``) never take the same code at once."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:kind, :street)"),
            {"kind": DESK_CODE_LOCK, "street": int(street)},
        )


def free_code(session: Session, street: str) -> str | None:
    """The lowest code no desk of ``street`` holds and none is reserved for (call under the lock)."""
    used = set(
        session.scalars(
            select(Device.desk_code).where(Device.street == street, Device.desk_code.is_not(None))
        )
    )
    for number in range(1, 100):
        code = f"{number:02d}"
        if code not in used:
            return code
    return None


def _claim_reserved(session: Session, device: Device, street: str, wanted: str) -> bool:
    """Bind ``wanted`` to ``device`` if ``desk-code`` reserved it in ``street`` and no desk
    holds it yet; a code of another street, or one bound to a desk, is never taken."""
    row = session.scalar(select(Device).where(Device.street == street, Device.desk_code == wanted))
    if row is None or not is_reserved(row.id):
        return False
    session.delete(row)
    session.flush()  # the (street, code) pair is free for the desk's own row
    device.street, device.desk_code = street, wanted
    session.flush()
    return True


def desk_code(
    session: Session, device: Device, user: User, wanted: str | None = None
) -> str | None:
    """The desk's 2-digit code, unique among the desks of its street; it never changes.

    The street is that of the first user who logs in on the desk. A desk installed
    without network may send the code ``desk-code`` reserved for it (``wanted``):
    it is bound to the desk if it was reserved in this street and nobody claimed it;
    otherwise the desk gets the next free code, as any desk. A street with 99 codes
    taken gets no more (those desks keep v1 four-digit serials).
    """
    if device.desk_code:
        return device.desk_code
    street = (user.org_unit_id or "")[:9]
    if len(street) != 9:
        return None
    lock_street_codes(session, street)
    if wanted and _claim_reserved(session, device, street, wanted):
        return wanted
    code = free_code(session, street)
    if code is None:
        return None
    device.street, device.desk_code = street, code
    session.flush()
    return code


def _drop_dead_rows(session: Session, now: datetime) -> None:
    """Expired tokens and forgotten failure counts are of no use to anybody."""
    day_ago = now - timedelta(days=1)
    session.execute(delete(AccessToken).where(AccessToken.expires_at < day_ago))
    session.execute(delete(RefreshToken).where(RefreshToken.expires_at < day_ago))
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.window_start < day_ago,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
        )
    )


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
    wanted_code: str | None = None,
) -> Issued:
    """A new token pair for a correct username and password, or :class:`LoginRefused`.

    ``device_id`` must be a UUID (see :func:`canonical_device_id`); ``client`` is
    the caller's address (:func:`county_server.auth_api.client_address`);
    ``wanted_code`` the desk code a desk installed without network numbers with (bound
    if it was reserved for the user's street, see :func:`desk_code`).
    """
    now = now or utcnow()
    device = canonical_device_id(device_id)
    if device is None:
        raise LoginRefused(400, "invalid", "device_id must be a UUID.")
    started = _begin_attempt(db, username, client, now)
    if isinstance(started, LoginRefused):
        _one_argon2(None, password)  # the same cost as a real check
        raise started
    correct = _one_argon2(started.password_hash, password)
    if not (correct and started.active and started.user_id):
        raise LoginRefused(401, "invalid_credentials", WRONG_CREDENTIALS)
    issued: Issued | None = None
    with write_session(db) as session:
        user = session.get(User, started.user_id)
        # Disabled or given a new password while the password was being checked: refused.
        if user is not None and user.active and user.password_hash == started.password_hash:
            _undo_failure(session, username, client, started)
            issued = _new_pair(session, user, device, token_hours, now)
            issued.desk_code = _seen_device(session, device, device_name, user, now, wanted_code)
            _drop_dead_rows(session, now)
            session.flush()
            session.expunge(user)
    if issued is None:
        raise LoginRefused(401, "invalid_credentials", WRONG_CREDENTIALS)
    return issued


def refresh_pair(
    db: Database,
    *,
    refresh: str,
    device_id: str,
    token_hours: float = TOKEN_HOURS,
    now: datetime | None = None,
) -> Issued:
    """A new pair for a live refresh token of this desk (the old one is spent), or
    :class:`TokenRefused` with a ``reason``."""
    now = now or utcnow()
    device = canonical_device_id(device_id)
    refusal: TokenRefused | None = None
    issued: Issued | None = None
    with write_session(db) as session:
        row = session.get(RefreshToken, token_hash(refresh), with_for_update=True)
        if row is None:
            refusal = _refused("unknown")
        elif device is None or row.device_id != device:
            refusal = _refused("wrong_device")
        elif row.revoked and row.revoked_reason == ROTATED:
            # A spent refresh token again: a copy exists. End the chain for everybody.
            _revoke_device(session, row.user_id, row.device_id, "revoked")
            refusal = _refused("revoked")
        elif row.revoked:
            refusal = _refused(_public_reason(row.revoked_reason))
        elif row.expires_at <= now:
            refusal = _refused("expired")
        else:
            user = session.get(User, row.user_id)
            if user is None or not user.active:
                refusal = _refused("disabled")
            elif user.credentials_changed_at is not None and (
                row.created_at < user.credentials_changed_at
            ):
                refusal = _refused("revoked")
            else:
                row.revoked, row.revoked_reason = True, ROTATED
                issued = _new_pair(session, user, row.device_id, token_hours, now)
                known = session.get(Device, row.device_id)
                issued.desk_code = known.desk_code if known is not None else None
                session.flush()
                session.expunge(user)
    if refusal is not None:
        raise refusal
    assert issued is not None
    return issued


def logout(db: Database, header: str | None, now: datetime | None = None) -> int:
    """End the calling token and its user's refresh tokens on the token's desk.

    Returns how many tokens and refresh tokens were revoked; :class:`TokenRefused`
    for a token that is not valid.
    """
    with write_session(db) as session:
        principal = authenticate_request(session, header, now)
        row = session.get(AccessToken, principal.token_hash)
        assert row is not None
        count = 0
        if row.refresh_hash:
            count += _revoke_refresh(
                session, RefreshToken.token_hash == row.refresh_hash, "revoked"
            )
        if principal.device_id:
            count += _revoke_device(session, principal.user.id, principal.device_id, "revoked")
        if not row.revoked:
            row.revoked = True
            count += 1
    return count


# ---------------------------------------------------------------- revoking
def _public_reason(stored: str | None) -> str:
    return stored if stored in REASONS else "revoked"


def _refused(reason: str) -> TokenRefused:
    messages = {
        "expired": "The refresh token has expired; log in with your password.",
        "revoked": "The refresh token was revoked; log in with your password.",
        "password_changed": "The password was changed; log in with the new password.",
        "disabled": "The account is disabled.",
        "wrong_device": "This refresh token belongs to another desk; log in with your password.",
        "unknown": "The refresh token is not known; log in with your password.",
    }
    return TokenRefused("invalid_token", messages[reason], reason)


def _revoke_refresh(
    session: Session, where: ColumnElement[bool], reason: str, *, spent_too: bool = False
) -> int:
    """Revoke the live refresh tokens matching ``where`` (and, with ``spent_too``,
    re-label the spent ones, so that a copy shown later gets this reason)."""
    alive: ColumnElement[bool] = RefreshToken.revoked.is_(False)
    if spent_too:
        alive = or_(alive, RefreshToken.revoked_reason == ROTATED)
    result = session.execute(
        update(RefreshToken)
        .where(where, alive)
        .values(revoked=True, revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _revoke_access(session: Session, *where: ColumnElement[bool]) -> int:
    result = session.execute(
        update(AccessToken)
        .where(*where, AccessToken.revoked.is_(False))
        .values(revoked=True)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _revoke_device(session: Session, user_id: str, device_id: str, reason: str) -> int:
    """Every token and refresh token of one user on one desk."""
    session.flush()
    count = _revoke_refresh(
        session,
        (RefreshToken.user_id == user_id) & (RefreshToken.device_id == device_id),
        reason,
    )
    count += _revoke_access(
        session, AccessToken.user_id == user_id, AccessToken.device_id == device_id
    )
    session.expire_all()
    return count


def revoke_user(session: Session, user: User, reason: str, now: datetime | None = None) -> int:
    """End every token and refresh token of ``user`` at once and note when
    (``credentials_changed_at``); ``reason`` is ``password_changed``, ``disabled``
    or ``revoked``. The caller writes the user's feed row. Returns the count revoked."""
    assert reason in ("password_changed", "disabled", "revoked"), reason
    now = now or utcnow()
    session.flush()
    count = _revoke_refresh(session, RefreshToken.user_id == user.id, reason, spent_too=True)
    count += _revoke_access(session, AccessToken.user_id == user.id)
    session.expire_all()
    user.credentials_changed_at = now
    return count


# ---------------------------------------------------------------- checking
def authenticate_request(
    session: Session, header: str | None, now: datetime | None = None
) -> Principal:
    """The caller of a ``Bearer`` header, or :class:`TokenRefused` (401 with a ``reason``)."""
    now = now or utcnow()
    if not header or not header.startswith("Bearer "):
        raise TokenRefused(
            "invalid_token", "Log in first: this call needs a bearer token.", "unknown"
        )
    digest = token_hash(header[7:].strip())
    row = session.get(AccessToken, digest)
    if row is None:
        raise TokenRefused("invalid_token", "The token is not valid; log in again.", "unknown")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise TokenRefused("invalid_token", "The account is disabled.", "disabled")
    if row.revoked or (
        user.credentials_changed_at is not None and row.created_at < user.credentials_changed_at
    ):
        reason = "revoked"
        if row.refresh_hash:
            refresh = session.get(RefreshToken, row.refresh_hash)
            if refresh is not None:
                reason = _public_reason(refresh.revoked_reason)
        messages = {
            "password_changed": "The password was changed; log in again with the new password.",
            "disabled": "The account is disabled.",
        }
        raise TokenRefused(
            "invalid_token", messages.get(reason, "The token was revoked; log in again."), reason
        )
    if row.expires_at <= now:
        raise TokenRefused("token_expired", "The token has expired; log in again.", "expired")
    return Principal(user=user, device_id=row.device_id, token_hash=digest)


def check_token(session: Session, header: str | None, now: datetime | None = None) -> User:
    """The user of a ``Bearer`` header, or :class:`TokenRefused`."""
    return authenticate_request(session, header, now).user
