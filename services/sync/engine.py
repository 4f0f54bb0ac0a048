"""The desktop's sync engine (docs/protocol.md): push the outbox, pull the change feed.

No Qt here: the loop that runs it in the background lives in
``desktop/sync_loop.py`` and the one-shot command in ``desktop/commands/sync.py``.
Network calls use ``httpx.AsyncClient``; database work runs through
``run_db`` (``asyncio.to_thread`` by default) so that an event loop shared
with the UI never waits on SQLite.

Guarantees, and how they are kept:

* **Nothing lost locally** — every visit and case event is written with its
  ``sync_outbox`` row in one transaction (``services.cases.records``). An item leaves
  ``pending`` only on the server's answer: ``accepted``/``duplicate`` → ``sent``,
  ``rejected`` → ``rejected`` with the code and message, shown to a person.
* **Nothing stored twice** — a push that fails in any way (time-out, cut
  connection, 5xx, crash before the answer was stored) leaves the items
  pending, and the next push sends the same ids; the server answers
  ``duplicate``. A pulled id the desktop holds already is not stored again.
* **The county decides the order** — pulled events carry ``server_seq``;
  ``services.cases.records.events_of`` orders a case's events by it, local events not
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
import re
import socket
import ssl
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.db import Database
from models.enums import EventType, OutboxKind, OutboxStatus
from models.tables import AuditEntry, Case, CaseEvent, OrgUnit, OutboxItem, SyncState, User, Visit
from models.types import utcnow
from services import settings as settings_service
from services.accounts.auth import hash_password
from services.cases.permissions import Actor, Permission, require
from services.cases.projection import CaseProjection, Event, apply, parse_time
from services.cases.records import (
    dispatch,
    event_columns,
    event_from_row,
    events_of,
    write_case_row,
)
from services.errors import DomainError, NotFound, ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.protocol.reference import FILE_KEYS, UPSERTS, upsert_user
from services.protocol.wire import insert_visit, visit_columns
from services.sync import prune, transport
from services.sync.authors import PushPlan, pending_authors, pending_items, plan_push
from services.sync.checks import (
    ItemProblem,
    check_event,
    check_reference,
    check_visit,
    quarantine,
    quarantined_count,
    safe_uuid_text,
    scan,
)
from services.sync.errors import (
    DeadlineExceeded,
    LoginRequired,
    NotConfigured,
    Offline,  # noqa: F401  (importable from here)
    RevealRefused,
    ServerFailed,
    SyncError,
)
from services.sync.tokens import TokenRecord, TokenStore, index_entry_usable, store_for, token_key
from services.sync.transport import Answer
from services.worktime.workdays import WorkCalendar

log = logging.getLogger(__name__)

T = TypeVar("T")

PUSH_BATCH = 500
PULL_LIMIT = 500
TIMEOUT_SECONDS = 30.0
BACKOFF_BASE = 5.0
BACKOFF_CAP = 600.0

STATE_CURSOR = "cursor"
STATE_TOKEN = "token"  # 1.0 kept one token in clear here; emptied on the first 1.1 login
STATE_TOKENS = "tokens"  # secret-free index of who holds a county token on this desk
STATE_PULL_USER = "pull_user"
STATE_DESK_CODE = "desk_code"  # handed out by the county at login (case numbers, 1.1)
PROTOCOL_VERSION = "1.1"
STATE_LAST_SUCCESS = "last_success"
STATE_LAST_ERROR = "last_error"

REFERENCE_ORDER = {kind: index for index, (_key, kind) in enumerate(FILE_KEYS)}


# ---------------------------------------------------------------- errors
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
        # Uncompressed answers only: the size cap counts what arrives, and a
        # compressed bomb cannot pass it.
        "headers": {"User-Agent": "GridDesk-sync/1.1", "Accept-Encoding": "identity"},
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
class Waiting:
    """Items that wait until ``user_id`` logs in to the county on this desk."""

    user_id: str
    username: str
    display_name: str
    count: int


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
    waiting: list[Waiting] = field(default_factory=list)
    quarantined: int = 0
    logged_in: list[str] = field(default_factory=list)


def token_index(session: Session, server: str) -> dict[str, dict[str, Any]]:
    """Who holds a county token on this desk for ``server`` (user id → entry, no secrets)."""
    raw = get_state(session, STATE_TOKENS) or {}
    prefix = server.rstrip("/") + "|"
    out: dict[str, dict[str, Any]] = {}
    if isinstance(raw, dict):
        for key, entry in raw.items():
            if isinstance(key, str) and key.startswith(prefix) and isinstance(entry, dict):
                out[key[len(prefix) :]] = entry
    return out


def usable_users(session: Session, server: str) -> list[str]:
    """Users with a usable county login here, most recent login last."""
    now = utcnow()
    return [
        user_id
        for user_id, entry in token_index(session, server).items()
        if index_entry_usable(entry, now)
    ]


def waiting_for_login(session: Session, server: str | None = None) -> list[Waiting]:
    """Pending items whose author (or whose earlier step's author) has no login here."""
    if server is None:
        server = str(settings_service.get(session, "device.server_url") or "")
    usable = set(usable_users(session, server)) if server else set()
    plan = plan_push(pending_items(session), usable.__contains__)
    out = []
    for user_id, count in plan.waiting.items():
        user = session.get(User, user_id) if user_id else None
        out.append(
            Waiting(
                user_id=user_id,
                username=user.username if user is not None else "",
                display_name=(user.display_name or user.username) if user is not None else user_id,
                count=count,
            )
        )
    return sorted(out, key=lambda w: (-w.count, w.display_name))


def overview(session: Session) -> Overview:
    counts = dict(
        session.execute(select(OutboxItem.status, func.count()).group_by(OutboxItem.status)).all()
    )
    last = get_state(session, STATE_LAST_SUCCESS)
    server = str(settings_service.get(session, "device.server_url") or "")
    users = usable_users(session, server) if server else []
    index = token_index(session, server) if server else {}
    names = [str(index[u].get("display_name") or index[u].get("username") or u) for u in users]
    pending = int(counts.get(OutboxStatus.PENDING, 0))
    return Overview(
        server_url=server,
        pending=pending,
        rejected=int(counts.get(OutboxStatus.REJECTED, 0)),
        last_success=parse_time(last, "last_success") if last else None,
        last_error=str(get_state(session, STATE_LAST_ERROR) or ""),
        logged_in_as=", ".join(names),
        token_valid=bool(users),
        waiting=waiting_for_login(session, server) if pending else [],
        quarantined=quarantined_count(session),
        logged_in=names,
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
    updated_visits: int = 0
    reference: int = 0
    known: int = 0
    skipped: int = 0
    quarantined: int = 0
    case_ids: set[str] = field(default_factory=set)
    visit_ids: set[str] = field(default_factory=set)


def _chunks(items: Sequence[T], size: int = 500) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Provenance:
    """Who brought an item to the county, from which desk and when (beside ``data``)."""

    pushed_by: str | None = None
    pushed_device: str | None = None
    received_at: datetime | None = None
    push_protocol: str | None = None

    def columns(self) -> dict[str, Any]:
        return {
            "pushed_by": self.pushed_by,
            "pushed_device": self.pushed_device,
            "received_at": self.received_at,
            "push_protocol": self.push_protocol,
        }


def _provenance(change: Mapping[str, Any], data: Mapping[str, Any]) -> Provenance:
    def text(key: str, limit: int) -> str | None:
        value = change.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > limit:
            raise ItemProblem(key, f"must be text of at most {limit} characters")
        return value or None

    received = change.get("received_at", data.get("received_at"))
    received_at = _time_of(received, "received_at") if received is not None else None
    protocol = text("push_protocol", 8)
    if protocol is not None and protocol not in ("1.0", "1.1"):
        raise ItemProblem("push_protocol", "must be 1.0 or 1.1")
    return Provenance(text("pushed_by", 36), text("pushed_device", 100), received_at, protocol)


def _time_of(value: Any, name: str) -> datetime:
    """A pulled time, or ItemProblem naming the field."""
    try:
        return parse_time(value, "at")
    except (DomainError, KeyError, ValueError, TypeError) as exc:
        raise ItemProblem(name, f"not a time with an offset: {str(exc)[:200]}") from exc


def _server_seq(data: Mapping[str, Any]) -> int | None:
    value = data.get("server_seq")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**62:
        raise ItemProblem("server_seq", "must be a positive whole number")
    return value


@dataclass
class _Checked:
    reference: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    visits: list[tuple[dict[str, Any], Provenance]] = field(default_factory=list)
    events: list[tuple[Event, int | None, Provenance]] = field(default_factory=list)


def _check_page(
    session: Session,
    changes: Sequence[Any],
    result: PageResult,
    *,
    server: str,
    now: datetime,
    pruning: bool,
) -> _Checked:
    checked = _Checked()
    delivered_cases: set[str] = set()
    delivered_visits: set[str] = set()
    for change in changes:
        kind: Any = change.get("type") if isinstance(change, Mapping) else None
        data: Any = change.get("data") if isinstance(change, Mapping) else None
        item_id = data.get("id") if isinstance(data, Mapping) else None
        try:
            if not isinstance(change, Mapping):
                raise ItemProblem("change", "must be an object with type and data")
            if not isinstance(kind, str) or (
                kind not in UPSERTS and kind not in (OutboxKind.VISIT, OutboxKind.CASE_EVENT)
            ):
                raise ItemProblem("type", "not a type of the protocol")
            if not isinstance(data, Mapping):
                raise ItemProblem("data", "must be an object")
            if kind in UPSERTS:
                checked.reference.append((kind, check_reference(kind, data)))
            elif kind == OutboxKind.VISIT:
                provenance = _provenance(change, data)
                visit = check_visit(data, now)
                checked.visits.append((visit, provenance))
                delivered_visits.add(str(visit.get("id")))
            else:
                provenance = _provenance(change, data)
                seq = _server_seq(data)
                event = check_event(data, now)
                checked.events.append((event, seq, provenance))
                delivered_cases.add(event.case_id)
        except ItemProblem as problem:
            if quarantine(
                session,
                kind=kind or "?",
                item_id=item_id,
                problem=problem,
                payload=change,
                server=server,
            ):
                result.quarantined += 1
            result.skipped += 1
            # Delivered, even if kept aside: it belongs to this desk's scope.
            if isinstance(data, Mapping):
                if kind == OutboxKind.VISIT:
                    delivered_visits.add(safe_uuid_text(item_id) or "")
                elif kind == OutboxKind.CASE_EVENT:
                    delivered_cases.add(safe_uuid_text(data.get("case_id")) or "")
    if pruning:
        prune.unmark(session, prune.CASE, delivered_cases)
        prune.unmark(session, prune.VISIT, delivered_visits)
    return checked


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _note_credentials(session: Session, data: Mapping[str, Any]) -> None:
    """The county changed this user's password, disabled or revoked them: drop the cached hash."""
    value = data.get("credentials_changed_at")
    if not value:
        return
    changed_at = _as_utc(_time_of(value, "credentials_changed_at"))
    row = session.get(User, data.get("id"))
    if row is None:
        return
    known = _as_utc(row.credentials_changed_at)
    if known is None or (changed_at is not None and changed_at > known):
        if row.password_hash is not None:
            log.info("the county changed the credentials of %s: offline login dropped", row.id)
        row.password_hash = None
        row.credentials_changed_at = changed_at


def apply_changes(
    session: Session,
    changes: Sequence[Any],
    *,
    server: str = "",
    now: datetime | None = None,
    pruning: bool = False,
) -> PageResult:
    """Apply one pulled page idempotently (the caller's transaction also stores the cursor).

    Every item is checked first (:mod:`services.sync.checks`); one that breaks
    a rule is kept aside in ``sync_quarantine`` and the others are applied.
    """
    result = PageResult()
    checked = _check_page(
        session, changes, result, server=server, now=now or utcnow(), pruning=pruning
    )
    # Reference data first, parents before children (foreign keys).
    checked.reference.sort(
        key=lambda item: (
            REFERENCE_ORDER[item[0]],
            len(str(item[1].get("id", ""))) if item[0] == "org_unit" else 0,
        )
    )
    for kind, data in checked.reference:
        try:
            with session.begin_nested():
                if kind == "user":
                    _note_credentials(session, data)
                if UPSERTS[kind](session, data):
                    result.reference += 1
                session.flush()
        except (DomainError, ValueError, TypeError, KeyError) as exc:
            with session.begin_nested():
                if quarantine(
                    session,
                    kind=kind,
                    item_id=data.get("id") or data.get("code"),
                    problem=ItemProblem(getattr(exc, "field", None) or "data", str(exc)),
                    payload=data,
                    server=server,
                ):
                    result.quarantined += 1
            result.skipped += 1
    held = prune.held_back(session)
    for data, provenance in checked.visits:
        _apply_visit(session, data, provenance, held, result, server)
    _apply_events(session, checked.events, result)
    for case_id in sorted(result.case_ids):
        reproject_case(session, case_id)
    session.flush()
    return result


_PERSONAL = {
    "visitor_name": "name",
    "visitor_phone": "phone",
    "visitor_id_number": "id_number",
    "visitor_gender": "gender",
    "visitor_address": "address",
}


def _apply_visit(
    session: Session,
    data: Mapping[str, Any],
    provenance: Provenance,
    held: prune.Held,
    result: PageResult,
    server: str,
) -> None:
    visit_id = str(data.get("id", ""))
    try:
        with session.begin_nested():
            row = session.get(Visit, visit_id)
            if row is None:
                row = insert_visit(session, data)
                for key, value in provenance.columns().items():
                    setattr(row, key, value)
                session.flush()
                result.new_visits += 1
                result.visit_ids.add(visit_id)
                _mark_sent(session, OutboxKind.VISIT, [visit_id])
                return
            result.known += 1
            for key, value in provenance.columns().items():
                if value is not None:
                    setattr(row, key, value)
            if visit_id in held.visits or row.personal_data_purged_at is not None:
                return
            # The county's version of the personal fields holds: a desk that is
            # sent less (a department: name and masked phone) keeps no more.
            columns = visit_columns(data, settings_service.visitor_hash_key(session))
            changed = False
            for column in (*_PERSONAL, "phone_key", "id_number_key"):
                value = columns[column]
                if column == "phone_key" and not _clear_number(columns["visitor_phone"]):
                    value = None
                if column == "id_number_key" and not _clear_number(columns["visitor_id_number"]):
                    value = None
                if getattr(row, column) != value:
                    setattr(row, column, value)
                    changed = True
            if changed:
                result.updated_visits += 1
                result.visit_ids.add(visit_id)
            session.flush()
    except (DomainError, ValueError, TypeError) as exc:
        with session.begin_nested():
            if quarantine(
                session,
                kind=OutboxKind.VISIT,
                item_id=visit_id,
                problem=ItemProblem(getattr(exc, "field", None) or "data", str(exc)),
                payload=data,
                server=server,
            ):
                result.quarantined += 1
        result.skipped += 1


def _clear_number(value: str | None) -> bool:
    """A phone or ID number in clear (a masked one, ``138****5678``, has no look-up key)."""
    return bool(value) and "*" not in str(value)


def _apply_events(
    session: Session,
    events: Sequence[tuple[Event, int | None, Provenance]],
    result: PageResult,
) -> None:
    ids = [event.id for event, _seq, _p in events]
    existing: dict[str, CaseEvent] = {}
    for chunk in _chunks(ids):
        for row in session.scalars(select(CaseEvent).where(CaseEvent.id.in_(chunk))):
            existing[row.id] = row
    confirmed: list[str] = []
    for event, server_seq, provenance in events:
        known = existing.get(event.id)
        if known is not None:
            result.known += 1
            if known.server_seq is None and server_seq is not None:
                known.server_seq = server_seq
                for key, value in provenance.columns().items():
                    setattr(known, key, value)
                result.case_ids.add(known.case_id)
                confirmed.append(event.id)
            elif known.pushed_by is None and provenance.pushed_by is not None:
                for key, value in provenance.columns().items():
                    setattr(known, key, value)
            continue
        row = CaseEvent(**event_columns(event), server_seq=server_seq, **provenance.columns())
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


def make_batch(items: Sequence[OutboxItem]) -> Batch:
    batch = Batch([], [], [], {})
    for item in items:
        batch.seqs.append(item.seq)
        batch.kinds[item.item_id] = item.kind
        (batch.visits if item.kind == OutboxKind.VISIT else batch.events).append(item.payload)
    return batch


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
    known = _as_utc(row.credentials_changed_at)
    if known is None or known < now:
        row.credentials_changed_at = now
    session.flush()
    return row


def _check_login_answer(body: Any) -> dict[str, Any]:
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


def _refused(answer: Answer) -> SyncError:
    code, message, reason = answer.error()
    if answer.status in (401, 429) or code in ("invalid_credentials", "too_many_attempts"):
        error = LoginRequired(message or code, code=code or "invalid_credentials")
        error.reason = reason  # type: ignore[attr-defined]
        return error
    if answer.status >= 500:
        return ServerFailed(f"{answer.status} {code} {message}".strip())
    return ServerFailed(f"{answer.status} {code} {message}".strip())


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
            raise ServerFailed("the county's user could not be stored here")
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
    quarantined: int = 0
    case_ids: set[str] = field(default_factory=set)
    visit_ids: set[str] = field(default_factory=set)
    restarted_feed: bool = False
    pruned_cases: int = 0
    pruned_visits: int = 0
    waiting: dict[str, int] = field(default_factory=dict)  # user id → items waiting for them
    pushed_as: list[str] = field(default_factory=list)


async def _to_thread(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.to_thread(fn, *args)


def deadline_setting(session: Session) -> float:
    try:
        value = settings_service.get(session, "device.sync_deadline")
    except DomainError:
        value = None
    try:
        seconds = float(value) if value else transport.DEFAULT_DEADLINE
    except (TypeError, ValueError):
        seconds = transport.DEFAULT_DEADLINE
    return seconds if seconds > 0 else transport.DEFAULT_DEADLINE


def scope_key(user: User | None) -> str:
    """What decides a desk's pull scope (docs/protocol.md "Pull: the feed")."""
    if user is None:
        return ""
    if user.role in ("reception", "coordinator"):
        return f"full:{user.org_unit_id}"
    if user.role in ("official", "admin"):
        return f"masked:{user.org_unit_id}"
    if user.role == "department":
        return f"department:{user.department_id}"
    return f"grid_worker:{user.id}"


_CURSOR_NUMBER = re.compile(r"^(.*?)(\d+)$")


def _went_back(old: str | None, new: str) -> bool:
    """``more: true`` with the same or an earlier cursor: a feed that never ends."""
    if old is None:
        return False
    if old == new:
        return True
    a, b = _CURSOR_NUMBER.match(old), _CURSOR_NUMBER.match(new)
    return bool(a and b and a.group(1) == b.group(1) and int(b.group(2)) <= int(a.group(2)))


class SyncEngine:
    """One desktop's conversation with the county. Not thread-safe: one round at a time.

    ``user_id`` names whose scope to pull (the desk's session user); without it
    the last person who logged in to the county here.
    """

    def __init__(
        self,
        db: Database,
        conn: Connection,
        *,
        client: httpx.AsyncClient | None,
        run_db: Callable[..., Awaitable[Any]] = _to_thread,
        push_batch: int = PUSH_BATCH,
        pull_limit: int = PULL_LIMIT,
        deadline: float | None = None,
        max_answer_bytes: int = transport.MAX_ANSWER_BYTES,
        user_id: str | None = None,
        tokens: TokenStore | None = None,
    ) -> None:
        self.db = db
        self.conn = conn
        self._client = client
        self._run_db = run_db
        self.push_batch = push_batch
        self.pull_limit = pull_limit
        self.deadline_seconds = deadline
        self.max_answer_bytes = max_answer_bytes
        self.user_id = user_id
        self.tokens = tokens or store_for(db.path.parent if db.path else None)
        self._deadline: transport.Deadline | None = None
        self._failed_users: set[str] = set()

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
    def _start_deadline(self) -> None:
        if self._deadline is None:
            seconds = self.deadline_seconds
            if seconds is None:
                with self.db.sessions() as session:
                    seconds = deadline_setting(session)
            self._deadline = transport.Deadline(seconds)

    async def _request(self, method: str, url: str, **kwargs: Any) -> Answer:
        self._start_deadline()
        answer = await transport.fetch(
            self.client,
            method,
            url,
            deadline=self._deadline,
            max_bytes=self.max_answer_bytes,
            **kwargs,
        )
        if answer.status >= 500:
            code, message, _reason = answer.error()
            raise ServerFailed(f"{answer.status} {code} {message}".strip())
        return answer

    # ------------------------------------------------------------ tokens
    def _index_put(self, record: TokenRecord) -> None:
        with self.db.session() as session:
            index = dict(get_state(session, STATE_TOKENS) or {})
            index.pop(record.key, None)  # re-insert: the most recent login comes last
            index[record.key] = record.index_entry()
            put_state(session, STATE_TOKENS, index)
            # A token of 1.0 kept in clear in the database: gone for good.
            if get_state(session, STATE_TOKEN):
                put_state(session, STATE_TOKEN, {})

    def _index_drop(self, user_id: str) -> None:
        with self.db.session() as session:
            index = dict(get_state(session, STATE_TOKENS) or {})
            if index.pop(token_key(self.conn.server_url, user_id), None) is not None:
                put_state(session, STATE_TOKENS, index)

    def _save_record(self, record: TokenRecord) -> None:
        self.tokens.save(record)
        self._index_put(record)

    def _forget(self, user_id: str) -> None:
        self.tokens.forget(self.conn.server_url, user_id)
        self._index_drop(user_id)

    def _drop_credentials(self, user_id: str, reason: str) -> None:
        """The county ended this user's tokens: the next login here must reach it."""
        self._forget(user_id)
        if reason not in ("password_changed", "disabled", "revoked"):
            return
        with self.db.session() as session:
            user = session.get(User, user_id)
            if user is not None:
                user.password_hash = None
                if reason == "disabled":
                    user.active = False
                session.add(
                    AuditEntry(
                        user_id=user_id,
                        action="sync.credentials_dropped",
                        target_type="user",
                        target_id=user_id,
                        detail={"reason": reason},
                    )
                )
        log.info("county refused %s's refresh (%s): offline login dropped", user_id, reason)

    def _load(self, user_id: str) -> TokenRecord | None:
        record = self.tokens.load(self.conn.server_url, user_id)
        if record is not None and record.device_id != self.conn.device_id:
            self._forget(user_id)  # bound to another desk (a copied data folder)
            return None
        return record

    async def token_for(self, user_id: str) -> str | None:
        """A usable token of ``user_id`` on this desk (refreshed when needed), or None."""
        if user_id in self._failed_users:
            return None
        record = await self._db(self._load, user_id)
        if record is None:
            return None
        if record.token_usable():
            return record.token
        if not record.refresh_usable():
            await self._db(self._forget, user_id)
            return None
        return await self._refresh(record)

    async def _refresh(self, record: TokenRecord) -> str | None:
        answer = await self._request(
            "POST",
            "/auth/refresh",
            json={"refresh_token": record.refresh_token, "device_id": self.conn.device_id},
        )
        if answer.status == 200:
            body = _check_login_answer(answer.json())
            if str(body["user"]["id"]) != record.user_id:
                raise ServerFailed("the refresh answer names another user", code="not_protocol")
            fresh = TokenRecord.from_answer(self.conn.server_url, self.conn.device_id, body)
            if not fresh.refresh_token:
                fresh.refresh_token, fresh.refresh_expires_at = "", None
            # Rotation: the old refresh token is used up; store the new pair first.
            await self._db(self._save_record, fresh)
            return fresh.token
        if answer.status in (400, 401, 403):
            code, _message, reason = answer.error()
            again = await self._db(self._load, record.user_id)
            if again is not None and again.refresh_token != record.refresh_token:
                # Another round (or the reveal dialog) rotated it meanwhile.
                return again.token if again.token_usable() else None
            await self._db(self._drop_credentials, record.user_id, reason or code)
            self._failed_users.add(record.user_id)
            return None
        raise _refused(answer)

    def _expire_token(self, user_id: str) -> None:
        record = self.tokens.load(self.conn.server_url, user_id)
        if record is not None:
            record.token, record.expires_at = "", None
            self._save_record(record)

    async def _authorised(self, method: str, url: str, user_id: str, **kwargs: Any) -> Answer:
        for attempt in range(2):
            token = await self.token_for(user_id)
            if token is None:
                raise LoginRequired(f"no county login for {user_id} on this desk")
            answer = await self._request(
                method, url, headers={"Authorization": f"Bearer {token}"}, **kwargs
            )
            if answer.status != 401:
                return answer
            code, message, reason = answer.error()
            if code == "token_expired" and attempt == 0:
                await self._db(self._expire_token, user_id)
                continue
            await self._db(self._drop_credentials, user_id, reason or code)
            self._failed_users.add(user_id)
            raise LoginRequired(message or code, code=code or "invalid_token")
        raise LoginRequired("the county keeps refusing this login", code="invalid_token")

    # ------------------------------------------------------------ logging in and out
    async def login(self, username: str, password: str) -> dict[str, Any]:
        """Get a device-bound token; keep it, and the user with a hash of the password."""
        answer = await self._request(
            "POST",
            "/auth/token",
            json={
                "username": username,
                "password": password,
                "device_id": self.conn.device_id,
                "device_name": self.conn.device_name,
            },
        )
        if answer.status != 200:
            raise _refused(answer)
        body = _check_login_answer(answer.json())
        record = TokenRecord.from_answer(self.conn.server_url, self.conn.device_id, body)
        await self._db(self._save_record, record)
        self._failed_users.discard(record.user_id)
        await self._db(self._note, STATE_PULL_USER, record.user_id)
        desk_code = body.get("desk_code")
        if isinstance(desk_code, str) and desk_code.isdigit() and len(desk_code) == 2:
            await self._db(self._note, STATE_DESK_CODE, desk_code)
        remembered = await self._db(self._remember, body["user"], password)
        if not remembered:
            await self.pull_reference_then_remember(body, password)
        return body

    async def logout(self, user_id: str) -> bool:
        """Revoke the user's token at the county (when reachable) and forget it here."""
        revoked = False
        try:
            record = await self._db(self._load, user_id)
            if record is not None and record.token_usable():
                answer = await self._request(
                    "POST", "/auth/logout", headers={"Authorization": f"Bearer {record.token}"}
                )
                revoked = answer.status == 200
            elif record is not None and record.refresh_usable():
                token = await self._refresh(record)
                if token is not None:
                    answer = await self._request(
                        "POST", "/auth/logout", headers={"Authorization": f"Bearer {token}"}
                    )
                    revoked = answer.status == 200
        except SyncError as exc:
            log.info("county logout of %s not confirmed: %s", user_id, exc)
        finally:
            await self._db(self._forget, user_id)
        return revoked

    def _remember(self, user: Mapping[str, Any], password: str) -> bool:
        with self.db.session() as session:
            return remember_login(session, user, password) is not None

    async def pull_reference_then_remember(self, body: Mapping[str, Any], password: str) -> None:
        """A first login on a fresh desktop: its org unit arrives with the first pull."""
        await self.pull()
        await self._db(self._remember, body["user"], password)

    # ------------------------------------------------------------ reveal
    async def reveal(self, user_id: str, visit_id: str, field: str, reason: str) -> str | None:
        answer = await self._authorised(
            "POST",
            "/reveal",
            user_id,
            json={"visit_id": visit_id, "field": field, "reason": reason},
        )
        if answer.status in (403, 404):
            code, message, _reason = answer.error()
            raise RevealRefused(
                message or code, code="not_found" if answer.status == 404 else "forbidden"
            )
        if answer.status != 200:
            raise _refused(answer)
        body = answer.json()
        value = body.get("value") if isinstance(body, Mapping) else None
        if value is not None and (
            not isinstance(value, str) or len(value) > 40 or not value.isprintable()
        ):
            raise ServerFailed("the reveal answer is not the protocol's", code="not_protocol")
        return value

    # ------------------------------------------------------------ push
    def _plan(self, usable: set[str]) -> PushPlan:
        with self.db.sessions() as session:
            plan = plan_push(pending_items(session), usable.__contains__)
            for run in plan.runs:
                for item in run.items:
                    session.expunge(item)
            return plan

    def _authors(self) -> set[str]:
        with self.db.sessions() as session:
            return pending_authors(session)

    async def push(self, result: RoundResult | None = None) -> RoundResult:
        """Push each person's items with their own token; the rest wait for a login."""
        result = result or RoundResult()
        self._start_deadline()
        usable: set[str] = set()
        for author in sorted(await self._db(self._authors)):
            if await self.token_for(author) is not None:
                usable.add(author)
        plan = await self._db(self._plan, usable)
        result.waiting = dict(plan.waiting)
        for run in plan.runs:
            for chunk in _chunks(run.items, self.push_batch):
                await self._push_batch(run.user_id, make_batch(chunk), result)
        return result

    async def _push_batch(self, user_id: str, batch: Batch, result: RoundResult) -> None:
        try:
            answer = await self._authorised(
                "POST",
                "/sync/push",
                user_id,
                json={
                    "device_id": self.conn.device_id,
                    "visits": batch.visits,
                    "events": batch.events,
                },
            )
            if answer.status != 200:
                code, message, _reason = answer.error()
                raise ServerFailed(f"{answer.status} {code} {message}".strip())
            body = answer.json()
            results = body.get("results") if isinstance(body, Mapping) else None
            if not isinstance(results, list):
                raise ServerFailed("the push answer is not the protocol's", code="not_protocol")
        except SyncError as exc:
            await self._db(self._note_failure, batch.seqs, str(exc))
            raise
        outcome = await self._db(self._record, batch, results)
        if user_id not in result.pushed_as:
            result.pushed_as.append(user_id)
        result.pushed += batch.size
        result.accepted += outcome.accepted
        result.duplicate += outcome.duplicate
        result.rejected.extend(outcome.rejected)
        if outcome.unanswered:
            raise ServerFailed(f"{outcome.unanswered} items had no answer")

    def _record(self, batch: Batch, results: Sequence[Any]) -> PushOutcome:
        with self.db.session() as session:
            begin_write(session)
            return record_results(session, batch, results)

    def _note_failure(self, seqs: Sequence[int], error: str) -> None:
        with self.db.session() as session:
            note_failure(session, seqs, error)

    # ------------------------------------------------------------ pull
    def _pull_user(self) -> str | None:
        with self.db.sessions() as session:
            users = usable_users(session, self.conn.server_url)
            preferred = self.user_id or get_state(session, STATE_PULL_USER)
        users = [u for u in users if u not in self._failed_users]
        if preferred in users:
            return str(preferred)
        return users[-1] if users else None

    async def _pull_token_user(self) -> str:
        tried: set[str] = set()
        while True:
            user_id = await self._db(self._pull_user)
            if user_id is None or user_id in tried:
                raise LoginRequired("nobody is logged in to this county on this desk")
            tried.add(user_id)
            if await self.token_for(user_id) is not None:
                return user_id

    def _begin_pull(self, user_id: str) -> dict[str, Any]:
        """The cursor to go on from; a 1.0 cursor or another scope starts over, pruning."""
        with self.db.session() as session:
            begin_write(session)
            state = get_state(session, STATE_CURSOR) or {}
            scope = scope_key(session.get(User, user_id))
            if (
                isinstance(state, dict)
                and state.get("server") == self.conn.server_url
                and state.get("protocol") == PROTOCOL_VERSION
                and state.get("scope") == scope
            ):
                return dict(state)
            marked = prune.mark_all(session)
            fresh = {
                "server": self.conn.server_url,
                "cursor": None,
                "protocol": PROTOCOL_VERSION,
                "scope": scope,
                "pruning": marked != (0, 0),
                "user_id": user_id,
            }
            log.info("pulling the feed from the beginning (scope %s), marked %s", scope, marked)
            put_state(session, STATE_CURSOR, fresh)
            return fresh

    async def pull(self, result: RoundResult | None = None) -> RoundResult:
        result = result or RoundResult()
        self._start_deadline()
        user_id = await self._pull_token_user()
        state = await self._db(self._begin_pull, user_id)
        restarted = False
        seen: set[str] = set()
        while True:
            cursor = state.get("cursor")
            params: dict[str, Any] = {"limit": self.pull_limit}
            if cursor:
                params["after"] = cursor
            answer = await self._authorised("GET", "/sync/changes", user_id, params=params)
            if answer.status == 410 and not restarted:
                restarted = True
                result.restarted_feed = True
                state = dict(state, cursor=None)
                await self._db(self._store_cursor, state)
                continue
            if answer.status != 200:
                raise _refused(answer)
            changes, next_cursor, more = self._read_page(answer)
            if more and (_went_back(cursor, next_cursor) or next_cursor in seen):
                raise ServerFailed(
                    f"the county answered more: true with the same or an earlier cursor "
                    f"({next_cursor[:40]!r}); the feed would never end",
                    code="feed_loop",
                )
            seen.add(next_cursor)
            state = dict(state, cursor=next_cursor)
            page = await self._db(self._apply_page, changes, state)
            result.pulled += len(changes)
            result.new_events += page.new_events
            result.new_visits += page.new_visits
            result.reference += page.reference
            result.quarantined += page.quarantined
            result.case_ids |= page.case_ids
            result.visit_ids |= page.visit_ids
            if not more:
                if state.get("pruning"):
                    cases, visits = await self._db(self._finish_prune, state, user_id)
                    result.pruned_cases, result.pruned_visits = cases, visits
                return result

    def _read_page(self, answer: Answer) -> tuple[list[Any], str, bool]:
        body = answer.json()
        if not isinstance(body, Mapping):
            raise ServerFailed("the changes answer is not a JSON object", code="not_protocol")
        changes, next_cursor, more = body.get("changes"), body.get("next"), body.get("more")
        if not isinstance(changes, list):
            raise ServerFailed("the changes answer has no list of changes", code="not_protocol")
        if not isinstance(more, bool):
            raise ServerFailed(
                "the changes answer's more is not true or false", code="not_protocol"
            )
        if (
            not isinstance(next_cursor, str)
            or not 0 < len(next_cursor) <= 200
            or not next_cursor.isprintable()
        ):
            raise ServerFailed("the changes answer has no valid next cursor", code="not_protocol")
        return changes, next_cursor, more

    def _store_cursor(self, state: dict[str, Any]) -> None:
        with self.db.session() as session:
            put_state(session, STATE_CURSOR, state)

    def _apply_page(self, changes: Sequence[Any], state: dict[str, Any]) -> PageResult:
        with self.db.session() as session:
            begin_write(session)
            page = apply_changes(
                session,
                changes,
                server=self.conn.server_url,
                pruning=bool(state.get("pruning")),
            )
            put_state(session, STATE_CURSOR, state)
            return page

    def _finish_prune(self, state: dict[str, Any], user_id: str) -> tuple[int, int]:
        with self.db.session() as session:
            begin_write(session)
            counts = prune.finish(session, user_id=user_id)
            put_state(session, STATE_CURSOR, dict(state, pruning=False))
            return counts

    # ------------------------------------------------------------ a round
    async def run_round(self) -> RoundResult:
        """Push what may go, then pull until the feed has nothing more, within the deadline."""
        result = RoundResult()
        self._deadline = None
        self._start_deadline()
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
    "DeadlineExceeded",
    "RevealRefused",
]
