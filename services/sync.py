"""The desktop's sync engine (PROTOCOL.md): push the outbox, pull the change feed.

No Qt here: the loop that runs it in the background lives in
``desktop/sync_loop.py`` and the one-shot command in ``desktop/commands/sync.py``.
Network calls use ``httpx.AsyncClient``; database work runs through
``run_db`` (``asyncio.to_thread`` by default) so that an event loop shared
with the UI never waits on SQLite.

Guarantees, and how they are kept:

* **Nothing lost locally** — every visit and case event is written with its
  ``sync_outbox`` row in one transaction (``services.cases``). An item leaves
  ``pending`` only on the server's answer: ``accepted``/``duplicate`` → ``sent``,
  ``rejected`` → ``rejected`` with the code and message, shown to a person.
* **Nothing stored twice** — a push that fails in any way (time-out, cut
  connection, 5xx, crash before the answer was stored) leaves the items
  pending, and the next push sends the same ids; the server answers
  ``duplicate``. A pulled id the desktop holds already is not stored again.
* **The county decides the order** — pulled events carry ``server_seq``;
  ``services.cases.events_of`` orders a case's events by it, local events not
  yet accepted after them, and :func:`reproject_case` recomputes the case.
* **A rejected event leaves the case's history** — the server never accepted
  it, so it is removed from ``case_events`` (its full content stays in the
  outbox row, status ``rejected``), and the case is re-projected from what the
  county accepted. The person then re-records what is still needed (for
  example a new dispatch) or discards the item, which is audited.
* **The cursor moves with the data** — each pulled page is applied and its
  ``next`` cursor stored in one transaction, so a crash repeats at most one
  page, which is harmless (delivery is at least once, applying is idempotent).
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import ssl
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.db import Database
from models.enums import EventType, OutboxKind, OutboxStatus
from models.tables import AuditEntry, Case, CaseEvent, OrgUnit, OutboxItem, SyncState, User, Visit
from models.types import utcnow

from . import settings as settings_service
from .auth import hash_password
from .cases import dispatch, event_columns, event_from_row, events_of, write_case_row
from .errors import DomainError, NotFound, ValidationError
from .i18n import QT_TRANSLATE_NOOP
from .permissions import Actor, Permission, require
from .projection import CaseProjection, Event, apply, parse_time
from .reference import FILE_KEYS, UPSERTS, upsert_user
from .wire import insert_visit
from .worktime import WorkCalendar

log = logging.getLogger(__name__)

T = TypeVar("T")

PUSH_BATCH = 500
PULL_LIMIT = 500
TIMEOUT_SECONDS = 30.0
BACKOFF_BASE = 5.0
BACKOFF_CAP = 600.0

STATE_CURSOR = "cursor"
STATE_TOKEN = "token"
STATE_LAST_SUCCESS = "last_success"
STATE_LAST_ERROR = "last_error"

REFERENCE_ORDER = {kind: index for index, (_key, kind) in enumerate(FILE_KEYS)}


# ---------------------------------------------------------------- errors
class SyncError(Exception):
    """A round that could not finish; ``code`` says why (the views translate it)."""

    code = "sync_failed"

    def __init__(self, detail: str = "", *, code: str | None = None) -> None:
        if code:
            self.code = code
        self.detail = detail
        super().__init__(f"{self.code}: {detail}" if detail else self.code)


class Offline(SyncError):
    """The server could not be reached, or the connection broke (the outcome is not known)."""

    code = "offline"


class ServerFailed(SyncError):
    """The server answered 5xx or something that is not the protocol."""

    code = "server_error"


class LoginRequired(SyncError):
    """No valid token: ``invalid_credentials``, ``token_expired``, ``too_many_attempts`` …"""

    code = "login_required"


class NotConfigured(SyncError):
    code = "not_configured"


def backoff_delay(failures: int, *, rng: random.Random | None = None) -> float:
    """Seconds to wait after ``failures`` failed rounds: exponential, capped, with jitter.

    Half the delay is fixed and half is random ("equal jitter"), so desktops
    that lost the network together do not all come back in the same second.
    """
    if failures <= 0:
        return 0.0
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(failures - 1, 20))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


# ---------------------------------------------------------------- settings
@dataclass(frozen=True)
class Connection:
    server_url: str
    proxy: str = ""
    ca_file: str = ""
    verify_tls: bool = True
    device_id: str = ""
    device_name: str = ""


def connection(session: Session) -> Connection:
    return Connection(
        server_url=str(settings_service.get(session, "device.server_url") or ""),
        proxy=str(settings_service.get(session, "device.proxy") or ""),
        ca_file=str(settings_service.get(session, "device.ca_file") or ""),
        verify_tls=bool(settings_service.get(session, "device.verify_tls")),
        device_id=settings_service.device_id(session),
        device_name=str(settings_service.get(session, "device.name") or socket.gethostname()),
    )


def tls_verify(conn: Connection) -> bool | ssl.SSLContext:
    """TLS verification: on by default; with the county's own CA file when one is set."""
    if not conn.verify_tls:
        return False
    if conn.ca_file:
        try:
            return ssl.create_default_context(cafile=conn.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise SyncError(f"{conn.ca_file}: {exc}", code="bad_ca_file") from exc
    return True


def _client_options(conn: Connection, timeout: float) -> dict[str, Any]:
    """The same address, proxy, TLS and headers for the async and the blocking client."""
    if not conn.server_url:
        raise NotConfigured("no server address")
    return {
        "base_url": conn.server_url.rstrip("/") + "/api/v1",
        "proxy": conn.proxy or None,
        "verify": tls_verify(conn),
        "timeout": timeout,
        "trust_env": False,
        "headers": {"User-Agent": "GridDesk-sync/1"},
    }


def make_client(conn: Connection, *, timeout: float = TIMEOUT_SECONDS) -> httpx.AsyncClient:
    return httpx.AsyncClient(**_client_options(conn, timeout))


def make_blocking_client(conn: Connection, *, timeout: float = 15.0) -> httpx.Client:
    return httpx.Client(**_client_options(conn, timeout))


# ---------------------------------------------------------------- state
def get_state(session: Session, key: str) -> Any:
    row = session.get(SyncState, key)
    return row.value if row is not None else None


def put_state(session: Session, key: str, value: Any) -> None:
    row = session.get(SyncState, key)
    if row is None:
        session.add(SyncState(key=key, value=value))
    else:
        row.value = value


@dataclass
class Overview:
    """What the sync screen and the status bar show."""

    server_url: str
    pending: int
    rejected: int
    last_success: datetime | None
    last_error: str
    logged_in_as: str
    token_valid: bool


def overview(session: Session) -> Overview:
    counts = dict(
        session.execute(select(OutboxItem.status, func.count()).group_by(OutboxItem.status)).all()
    )
    last = get_state(session, STATE_LAST_SUCCESS)
    token = get_state(session, STATE_TOKEN) or {}
    expires = token.get("expires_at")
    valid = (
        bool(token.get("token")) and bool(expires) and parse_time(expires, "expires_at") > utcnow()
    )
    return Overview(
        server_url=str(settings_service.get(session, "device.server_url") or ""),
        pending=int(counts.get(OutboxStatus.PENDING, 0)),
        rejected=int(counts.get(OutboxStatus.REJECTED, 0)),
        last_success=parse_time(last, "last_success") if last else None,
        last_error=str(get_state(session, STATE_LAST_ERROR) or ""),
        logged_in_as=str(token.get("username") or ""),
        token_valid=valid,
    )


# ---------------------------------------------------------------- local apply
def begin_write(session: Session) -> None:
    """Open the transaction explicitly on SQLite before anything else runs in it.

    Python's sqlite3 module starts a transaction only before the first data
    change, so a ``SAVEPOINT`` issued earlier would run (and its ``RELEASE``
    commit) on its own, and a page would not be applied atomically with its
    cursor. ``BEGIN IMMEDIATE`` also takes the write lock up front, so a
    concurrent writer (the UI) waits instead of failing to upgrade.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    driver: Any = connection.connection.driver_connection
    if not driver.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def reproject_case(session: Session, case_id: str) -> Case | None:
    """Recompute a case from its events, tolerating events that do not fit (yet).

    The county's events come first in ``server_seq`` order, then local events
    not yet accepted. A county event that does not apply means an earlier one
    has not arrived yet (it will, and the case is recomputed then); a local
    event that no longer applies stays pending for the county to judge. Either
    is skipped here instead of making the case unreadable.
    """
    projection: CaseProjection | None = None
    for row in events_of(session, case_id):
        try:
            projection = apply(projection, event_from_row(row))
        except DomainError as exc:
            log.info("event %s of case %s skipped in projection: %s", row.id, case_id, exc)
    case = session.get(Case, case_id)
    if projection is None:
        if case is not None:
            session.delete(case)
        return None
    return write_case_row(session, case, projection)


@dataclass
class PageResult:
    new_events: int = 0
    new_visits: int = 0
    reference: int = 0
    known: int = 0
    skipped: int = 0
    case_ids: set[str] = field(default_factory=set)
    visit_ids: set[str] = field(default_factory=set)


def _chunks(items: Sequence[T], size: int = 500) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def apply_changes(session: Session, changes: Sequence[Mapping[str, Any]]) -> PageResult:
    """Apply one pulled page idempotently (the caller's transaction also stores the cursor)."""
    result = PageResult()
    reference: list[tuple[str, Mapping[str, Any]]] = []
    visits: list[Mapping[str, Any]] = []
    events: list[Mapping[str, Any]] = []
    for change in changes:
        if not isinstance(change, Mapping) or not isinstance(change.get("data"), Mapping):
            result.skipped += 1
            continue
        kind = change.get("type")
        if kind in UPSERTS:
            reference.append((str(kind), change["data"]))
        elif kind == OutboxKind.VISIT:
            visits.append(change["data"])
        elif kind == OutboxKind.CASE_EVENT:
            events.append(change["data"])
        else:
            result.skipped += 1  # a type of a newer protocol: ignored
    # Reference data first, parents before children (foreign keys).
    reference.sort(
        key=lambda item: (
            REFERENCE_ORDER[item[0]],
            len(str(item[1].get("id", ""))) if item[0] == "org_unit" else 0,
        )
    )
    for kind, data in reference:
        try:
            with session.begin_nested():
                if UPSERTS[kind](session, data):
                    result.reference += 1
                session.flush()
        except (DomainError, ValueError, TypeError) as exc:
            log.warning("pulled %s not applied: %s", kind, exc)
            result.skipped += 1
    for data in visits:
        visit_id = str(data.get("id", ""))
        if session.get(Visit, visit_id) is not None:
            result.known += 1
            continue
        try:
            with session.begin_nested():
                insert_visit(session, data)
                session.flush()
        except (DomainError, ValueError, TypeError) as exc:
            log.warning("pulled visit %s not applied: %s", visit_id, exc)
            result.skipped += 1
            continue
        result.new_visits += 1
        result.visit_ids.add(visit_id)
        _mark_sent(session, OutboxKind.VISIT, [visit_id])
    _apply_events(session, events, result)
    for case_id in sorted(result.case_ids):
        reproject_case(session, case_id)
    session.flush()
    return result


def _apply_events(
    session: Session, events: Sequence[Mapping[str, Any]], result: PageResult
) -> None:
    ids = [str(e.get("id")) for e in events]
    existing: dict[str, CaseEvent] = {}
    for chunk in _chunks(ids):
        for row in session.scalars(select(CaseEvent).where(CaseEvent.id.in_(chunk))):
            existing[row.id] = row
    confirmed: list[str] = []
    for data in events:
        try:
            event = Event.from_wire(data)
            server_seq = int(data["server_seq"]) if data.get("server_seq") is not None else None
            received = data.get("received_at")
            received_at = parse_time(received, "received_at") if received else None
        except (DomainError, ValueError, TypeError, KeyError) as exc:
            log.warning("pulled event %s not applied: %s", data.get("id"), exc)
            result.skipped += 1
            continue
        known = existing.get(event.id)
        if known is not None:
            result.known += 1
            if known.server_seq is None and server_seq is not None:
                known.server_seq = server_seq
                known.received_at = received_at
                result.case_ids.add(known.case_id)
                confirmed.append(event.id)
            continue
        row = CaseEvent(**event_columns(event), server_seq=server_seq, received_at=received_at)
        session.add(row)
        existing[event.id] = row
        result.new_events += 1
        result.case_ids.add(event.case_id)
        confirmed.append(event.id)
    session.flush()
    _mark_sent(session, OutboxKind.CASE_EVENT, confirmed)


def _mark_sent(session: Session, kind: str, item_ids: Sequence[str]) -> None:
    """The county holds these items: a pending outbox entry for them is done."""
    for chunk in _chunks(list(item_ids)):
        for item in session.scalars(
            select(OutboxItem).where(
                OutboxItem.kind == kind,
                OutboxItem.item_id.in_(chunk),
                OutboxItem.status == OutboxStatus.PENDING,
            )
        ):
            item.status = OutboxStatus.SENT
            item.last_error = None


# ---------------------------------------------------------------- push bookkeeping
@dataclass
class Batch:
    seqs: list[int]
    visits: list[dict[str, Any]]
    events: list[dict[str, Any]]
    kinds: dict[str, str]  # item id → kind

    @property
    def size(self) -> int:
        return len(self.seqs)


def next_batch(session: Session, limit: int = PUSH_BATCH, after: int = 0) -> Batch | None:
    items = list(
        session.scalars(
            select(OutboxItem)
            .where(OutboxItem.status == OutboxStatus.PENDING, OutboxItem.seq > after)
            .order_by(OutboxItem.seq)
            .limit(limit)
        )
    )
    if not items:
        return None
    batch = Batch([], [], [], {})
    for item in items:
        batch.seqs.append(item.seq)
        batch.kinds[item.item_id] = item.kind
        (batch.visits if item.kind == OutboxKind.VISIT else batch.events).append(item.payload)
    return batch


@dataclass
class Rejection:
    seq: int
    kind: str
    item_id: str
    code: str
    message: str


@dataclass
class PushOutcome:
    accepted: int = 0
    duplicate: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    unanswered: int = 0


def record_results(
    session: Session, batch: Batch, results: Sequence[Mapping[str, Any]]
) -> PushOutcome:
    """Store the server's answer to one push (one transaction)."""
    outcome = PushOutcome()
    by_id = {str(r.get("id")): r for r in results if isinstance(r, Mapping)}
    touched_cases: set[str] = set()
    items = {
        item.seq: item
        for item in session.scalars(select(OutboxItem).where(OutboxItem.seq.in_(batch.seqs)))
    }
    for seq in batch.seqs:
        item = items.get(seq)
        if item is None or item.status != OutboxStatus.PENDING:
            continue
        answer = by_id.get(item.item_id)
        status = answer.get("status") if answer else None
        item.attempts = (item.attempts or 0) + 1
        if status in ("accepted", "duplicate"):
            item.status = OutboxStatus.SENT
            item.last_error = None
            if status == "accepted":
                outcome.accepted += 1
            else:
                outcome.duplicate += 1
        elif status == "rejected":
            assert answer is not None
            code = str(answer.get("code") or "invalid")[:30]
            message = str(answer.get("message") or "")
            item.status = OutboxStatus.REJECTED
            item.reject_code = code
            item.reject_message = message
            outcome.rejected.append(Rejection(seq, item.kind, item.item_id, code, message))
            if item.kind == OutboxKind.CASE_EVENT:
                row = session.scalar(select(CaseEvent).where(CaseEvent.id == item.item_id))
                if row is not None and row.server_seq is None:
                    touched_cases.add(row.case_id)
                    session.delete(row)
        else:
            item.last_error = "no answer for this item"
            outcome.unanswered += 1
    session.flush()
    for case_id in touched_cases:
        reproject_case(session, case_id)
    return outcome


def note_failure(session: Session, seqs: Sequence[int], error: str) -> None:
    for chunk in _chunks(list(seqs)):
        for item in session.scalars(select(OutboxItem).where(OutboxItem.seq.in_(chunk))):
            if item.status == OutboxStatus.PENDING:
                item.attempts = (item.attempts or 0) + 1
                item.last_error = error[:500]
                item.next_attempt_at = utcnow()


# ---------------------------------------------------------------- rejected items
@dataclass
class RejectedItem:
    seq: int
    kind: str
    item_id: str
    code: str
    message: str
    event_type: str | None
    case_id: str | None
    case_number: str | None
    at: datetime | None
    payload: dict[str, Any]


def rejected_items(session: Session) -> list[RejectedItem]:
    out = []
    for item in session.scalars(
        select(OutboxItem)
        .where(OutboxItem.status == OutboxStatus.REJECTED)
        .order_by(OutboxItem.seq)
    ):
        payload = dict(item.payload or {})
        case_id = payload.get("case_id") if isinstance(payload.get("case_id"), str) else None
        case = session.get(Case, case_id) if case_id else None
        at_value = payload.get("at")
        try:
            at = parse_time(at_value, "at") if at_value else None
        except DomainError:
            at = None
        out.append(
            RejectedItem(
                seq=item.seq,
                kind=item.kind,
                item_id=item.item_id,
                code=item.reject_code or "",
                message=item.reject_message or "",
                event_type=payload.get("type") if item.kind == OutboxKind.CASE_EVENT else None,
                case_id=case_id,
                case_number=case.number if case is not None else None,
                at=at,
                payload=payload,
            )
        )
    return out


def _rejected(session: Session, seq: int) -> OutboxItem:
    item = session.get(OutboxItem, seq)
    if item is None or item.status != OutboxStatus.REJECTED:
        raise NotFound(
            QT_TRANSLATE_NOOP("services", "This rejected item is no longer waiting for a decision.")
        )
    return item


def discard_rejected(session: Session, actor: Actor, seq: int, reason: str = "") -> None:
    """Give up a rejected item after the person confirmed it; written to the audit log."""
    require(actor, Permission.SYNC)
    item = _rejected(session, seq)
    item.status = OutboxStatus.DISCARDED
    session.add(
        AuditEntry(
            user_id=actor.id,
            action="sync.discard_rejected",
            target_type=item.kind,
            target_id=item.item_id,
            detail={
                "code": item.reject_code,
                "message": item.reject_message,
                "reason": reason,
                "payload": item.payload,
            },
        )
    )


def retry_rejected(session: Session, actor: Actor, seq: int) -> None:
    """Send a rejected item once more (e.g. after the county fixed a user's area).

    Only a person does this, once per click, so a rejected item is never retried
    by itself. A case event goes back into the case's local history.
    """
    require(actor, Permission.SYNC)
    item = _rejected(session, seq)
    if item.kind == OutboxKind.CASE_EVENT:
        try:
            event = Event.from_wire(item.payload)
        except DomainError as exc:
            raise ValidationError(
                QT_TRANSLATE_NOOP("services", "The item cannot be sent again as it is: {reason}"),
                reason=str(exc),
            ) from exc
        if session.scalar(select(CaseEvent.seq).where(CaseEvent.id == event.id)) is None:
            session.add(CaseEvent(**event_columns(event)))
            session.flush()
            reproject_case(session, event.case_id)
    item.status = OutboxStatus.PENDING
    item.reject_code = None
    item.reject_message = None
    session.add(
        AuditEntry(
            user_id=actor.id,
            action="sync.retry_rejected",
            target_type=item.kind,
            target_id=item.item_id,
            detail={},
        )
    )


def redispatch_rejected(session: Session, actor: Actor, calendar: WorkCalendar, seq: int) -> Case:
    """Record the rejected dispatch again, as a new event on the case as the county has it.

    The old item is closed as discarded (audited, pointing at the new event);
    the new dispatch is checked like any other (state, permission, deadlines
    from now).
    """
    item = _rejected(session, seq)
    payload = dict(item.payload or {})
    if item.kind != OutboxKind.CASE_EVENT or payload.get("type") != EventType.DISPATCHED:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Only a rejected dispatch can be dispatched again.")
        )
    data = payload.get("data") or {}
    new_id = str(uuid.uuid4())
    case = dispatch(
        session,
        actor,
        calendar,
        str(payload.get("case_id")),
        str(data.get("assignee_type")),
        str(data.get("assignee_id")),
        note=str(data.get("note") or ""),
        event_id=new_id,
    )
    item.status = OutboxStatus.DISCARDED
    session.add(
        AuditEntry(
            user_id=actor.id,
            action="sync.redispatch_rejected",
            target_type=item.kind,
            target_id=item.item_id,
            detail={"new_event_id": new_id, "code": item.reject_code},
        )
    )
    return case


# ---------------------------------------------------------------- logging in
def remember_login(session: Session, user_data: Mapping[str, Any], password: str) -> User | None:
    """Keep a county user's account (and an Argon2 hash of the password) for offline logins.

    Returns None when the user's org unit is not known here yet (pull first).
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
    session.flush()
    return row


def _error_of(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200]
    if isinstance(body, Mapping):
        return str(body.get("error") or ""), str(body.get("message") or "")
    return "", ""


def _token_from(response: httpx.Response) -> dict[str, Any]:
    if response.status_code == 200:
        body = response.json()
        if not isinstance(body, Mapping) or not body.get("token") or not body.get("user"):
            raise ServerFailed("the login answer is not the protocol's")
        return dict(body)
    code, message = _error_of(response)
    if response.status_code in (401, 429) or code in ("invalid_credentials", "too_many_attempts"):
        raise LoginRequired(message, code=code or "invalid_credentials")
    if response.status_code >= 500:
        raise ServerFailed(f"{response.status_code} {message}")
    raise ServerFailed(f"{response.status_code} {code} {message}")


def login_blocking(db: Database, username: str, password: str) -> User:
    """Log in against the county from a worker thread (the login dialog's fallback).

    On success the user is stored locally with an Argon2 hash of the password,
    so the next login works offline; the token is kept for the sync loop.
    Raises :class:`SyncError` subclasses.
    """
    with db.sessions() as session:
        conn = connection(session)
        session.commit()
    try:
        with make_blocking_client(conn) as client:
            response = client.post(
                "/auth/token",
                json={
                    "username": username,
                    "password": password,
                    "device_id": conn.device_id,
                    "device_name": conn.device_name,
                },
            )
    except httpx.HTTPError as exc:
        raise Offline(str(exc)) from exc
    body = _token_from(response)
    engine = SyncEngine(db, conn, client=None)
    engine.store_token(body)
    with db.session() as session:
        user = remember_login(session, body["user"], password)
    if user is None:
        asyncio.run(engine.pull_then_remember_and_close(body, password))
    with db.sessions() as session:
        found = session.get(User, body["user"]["id"])
        if found is None:
            raise ServerFailed("the county's user could not be stored here")
        session.expunge(found)
        return found


# ---------------------------------------------------------------- the engine
@dataclass
class RoundResult:
    pushed: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    pulled: int = 0
    new_events: int = 0
    new_visits: int = 0
    reference: int = 0
    case_ids: set[str] = field(default_factory=set)
    visit_ids: set[str] = field(default_factory=set)
    restarted_feed: bool = False


async def _to_thread(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.to_thread(fn, *args)


class SyncEngine:
    """One desktop's conversation with the county. Not thread-safe: one round at a time."""

    def __init__(
        self,
        db: Database,
        conn: Connection,
        *,
        client: httpx.AsyncClient | None,
        run_db: Callable[..., Awaitable[Any]] = _to_thread,
        push_batch: int = PUSH_BATCH,
        pull_limit: int = PULL_LIMIT,
    ) -> None:
        self.db = db
        self.conn = conn
        self._client = client
        self._run_db = run_db
        self.push_batch = push_batch
        self.pull_limit = pull_limit

    @classmethod
    def from_settings(cls, db: Database, **kwargs: Any) -> SyncEngine:
        with db.session() as session:
            conn = connection(session)
        return cls(db, conn, client=make_client(conn), **kwargs)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = make_client(self.conn)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        result: T = await self._run_db(fn, *args)
        return result

    # ------------------------------------------------------------ http
    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise Offline(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            code, message = _error_of(response)
            raise ServerFailed(f"{response.status_code} {code} {message}".strip())
        return response

    def _token(self) -> str:
        with self.db.sessions() as session:
            token = get_state(session, STATE_TOKEN) or {}
        if not token.get("token") or token.get("server") != self.conn.server_url:
            raise LoginRequired("not logged in to this server", code="login_required")
        expires = token.get("expires_at")
        if expires and parse_time(expires, "expires_at") <= utcnow():
            raise LoginRequired("the token has expired", code="token_expired")
        return str(token["token"])

    def store_token(self, body: Mapping[str, Any]) -> None:
        with self.db.session() as session:
            put_state(
                session,
                STATE_TOKEN,
                {
                    "token": body["token"],
                    "expires_at": body.get("expires_at"),
                    "server": self.conn.server_url,
                    "user_id": body["user"]["id"],
                    "username": body["user"]["username"],
                },
            )

    def forget_token(self) -> None:
        with self.db.session() as session:
            put_state(session, STATE_TOKEN, {})

    async def _authorised(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        token = await self._db(self._token)
        response = await self._request(
            method, url, headers={"Authorization": f"Bearer {token}"}, **kwargs
        )
        if response.status_code == 401:
            code, message = _error_of(response)
            await self._db(self.forget_token)
            raise LoginRequired(message, code=code or "invalid_token")
        return response

    async def login(self, username: str, password: str) -> dict[str, Any]:
        """Get a token; store the user locally with a hash of the password for offline logins."""
        response = await self._request(
            "POST",
            "/auth/token",
            json={
                "username": username,
                "password": password,
                "device_id": self.conn.device_id,
                "device_name": self.conn.device_name,
            },
        )
        body = _token_from(response)
        await self._db(self.store_token, body)
        remembered = await self._db(self._remember, body["user"], password)
        if not remembered:
            await self.pull_reference_then_remember(body, password)
        return body

    def _remember(self, user: Mapping[str, Any], password: str) -> bool:
        with self.db.session() as session:
            return remember_login(session, user, password) is not None

    async def pull_reference_then_remember(self, body: Mapping[str, Any], password: str) -> None:
        """A first login on a fresh desktop: its org unit arrives with the first pull."""
        await self.pull()
        await self._db(self._remember, body["user"], password)

    async def pull_then_remember_and_close(self, body: Mapping[str, Any], password: str) -> None:
        try:
            await self.pull_reference_then_remember(body, password)
        finally:
            await self.close()

    # ------------------------------------------------------------ push
    async def push(self, result: RoundResult | None = None) -> RoundResult:
        result = result or RoundResult()
        after = 0
        while True:
            batch = await self._db(self._next_batch, after)
            if batch is None:
                return result
            after = batch.seqs[-1]
            try:
                response = await self._authorised(
                    "POST",
                    "/sync/push",
                    json={
                        "device_id": self.conn.device_id,
                        "visits": batch.visits,
                        "events": batch.events,
                    },
                )
                if response.status_code != 200:
                    code, message = _error_of(response)
                    raise ServerFailed(f"{response.status_code} {code} {message}")
                try:
                    results = response.json()["results"]
                except (ValueError, KeyError, TypeError) as exc:
                    raise ServerFailed("the push answer is not the protocol's") from exc
            except SyncError as exc:
                await self._db(self._note_failure, batch.seqs, str(exc))
                raise
            outcome = await self._db(self._record, batch, results)
            result.pushed += batch.size
            result.accepted += outcome.accepted
            result.duplicate += outcome.duplicate
            result.rejected.extend(outcome.rejected)
            if outcome.unanswered:
                raise ServerFailed(f"{outcome.unanswered} items had no answer")

    def _next_batch(self, after: int) -> Batch | None:
        with self.db.sessions() as session:
            return next_batch(session, self.push_batch, after)

    def _record(self, batch: Batch, results: Sequence[Mapping[str, Any]]) -> PushOutcome:
        with self.db.session() as session:
            begin_write(session)
            return record_results(session, batch, results)

    def _note_failure(self, seqs: Sequence[int], error: str) -> None:
        with self.db.session() as session:
            note_failure(session, seqs, error)

    # ------------------------------------------------------------ pull
    async def pull(self, result: RoundResult | None = None) -> RoundResult:
        result = result or RoundResult()
        restarted = False
        while True:
            cursor = await self._db(self._cursor)
            params: dict[str, Any] = {"limit": self.pull_limit}
            if cursor:
                params["after"] = cursor
            response = await self._authorised("GET", "/sync/changes", params=params)
            if response.status_code == 410 and not restarted:
                restarted = True
                result.restarted_feed = True
                await self._db(self._store_cursor, None)
                continue
            if response.status_code != 200:
                code, message = _error_of(response)
                raise ServerFailed(f"{response.status_code} {code} {message}")
            try:
                body = response.json()
                changes = body["changes"]
                next_cursor = str(body["next"])
                more = bool(body["more"])
            except (ValueError, KeyError, TypeError) as exc:
                raise ServerFailed("the changes answer is not the protocol's") from exc
            page = await self._db(self._apply_page, changes, next_cursor)
            result.pulled += len(changes)
            result.new_events += page.new_events
            result.new_visits += page.new_visits
            result.reference += page.reference
            result.case_ids |= page.case_ids
            result.visit_ids |= page.visit_ids
            if not more:
                return result

    def _cursor(self) -> str | None:
        with self.db.sessions() as session:
            state = get_state(session, STATE_CURSOR) or {}
        if state.get("server") != self.conn.server_url:
            return None
        return state.get("cursor")

    def _store_cursor(self, cursor: str | None) -> None:
        with self.db.session() as session:
            put_state(session, STATE_CURSOR, {"server": self.conn.server_url, "cursor": cursor})

    def _apply_page(self, changes: Sequence[Mapping[str, Any]], cursor: str) -> PageResult:
        with self.db.session() as session:
            begin_write(session)
            page = apply_changes(session, changes)
            put_state(session, STATE_CURSOR, {"server": self.conn.server_url, "cursor": cursor})
            return page

    # ------------------------------------------------------------ a round
    async def run_round(self) -> RoundResult:
        """Push everything pending, then pull until the feed has nothing more."""
        result = RoundResult()
        try:
            await self.push(result)
            await self.pull(result)
        except SyncError as exc:
            await self._db(self._note, STATE_LAST_ERROR, str(exc))
            raise
        await self._db(self._success)
        return result

    def _note(self, key: str, value: Any) -> None:
        with self.db.session() as session:
            put_state(session, key, value)

    def _success(self) -> None:
        with self.db.session() as session:
            put_state(session, STATE_LAST_SUCCESS, utcnow().isoformat())
            put_state(session, STATE_LAST_ERROR, "")


__all__ = [
    "Connection",
    "LoginRequired",
    "NotConfigured",
    "Offline",
    "RoundResult",
    "ServerFailed",
    "SyncEngine",
    "SyncError",
    "apply_changes",
    "backoff_delay",
    "connection",
    "discard_rejected",
    "login_blocking",
    "overview",
    "redispatch_rejected",
    "rejected_items",
    "remember_login",
    "reproject_case",
    "retry_rejected",
]
