"""Pulling: checking a page of the change feed and applying it locally.

Each item of a page is checked (:mod:`services.sync.checks`) before anything
is written; what fails is quarantined, the rest is applied in one transaction
with the page's cursor: reference data, visits (personal data only as the
scope allows) and events, after which each touched case is re-projected from
its events in the county's order (:func:`reproject_case`). A pulled item this
desk pushed itself marks its outbox row sent.

A page is applied set-wise: its new events are written with one multi-row
statement, the events of all the cases it touches are read with one query,
re-projected in memory and the case rows written with one statement each for
new and changed cases (:func:`reproject_cases`); the outbox rows it confirms are
marked sent with one statement.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.orm import Session

from models.enums import EventType, OutboxKind, OutboxStatus
from models.tables import (
    Case,
    CaseEvent,
    Category,
    Department,
    Holiday,
    OrgUnit,
    OutboxItem,
    Setting,
    User,
    Visit,
)
from models.types import utcnow
from services import settings as settings_service
from services.attachments.records import note_event_attachments
from services.cases.event_checks import parse_time
from services.cases.projection import CaseProjection, Event, apply
from services.cases.records import (
    case_columns,
    event_columns,
    event_from_row,
    events_of,
    write_case_row,
)
from services.errors import DomainError
from services.protocol.reference import FILE_KEYS, UPSERTS
from services.protocol.wire import insert_visit, visit_columns
from services.sync import prune
from services.sync.checks import (
    ItemProblem,
    check_event,
    check_reference,
    check_visit,
    quarantine,
    safe_uuid_text,
)
from services.sync.report import EVENT, VISIT, RoundReport

log = logging.getLogger(__name__)

T = TypeVar("T")


REFERENCE_ORDER = {kind: index for index, (_key, kind) in enumerate(FILE_KEYS)}


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


def reproject_cases(session: Session, case_ids: Iterable[str]) -> None:
    """:func:`reproject_case` for many cases at once: their events read with one query
    per 500 cases, projected in memory, the case rows written one statement per kind
    of change (inserted, updated, deleted)."""
    ids = sorted(set(case_ids))
    if not ids:
        return
    session.flush()
    events, cases = _table(CaseEvent), _table(Case)
    projections: dict[str, CaseProjection | None] = dict.fromkeys(ids)
    stored: dict[str, dict[str, Any]] = {}
    for chunk in chunks(ids):
        for stored_row in session.execute(select(cases).where(cases.c.id.in_(chunk))):
            stored[stored_row.id] = dict(stored_row._mapping)
        query = (
            select(
                events.c.id,
                events.c.case_id,
                events.c.type,
                events.c.at,
                events.c.actor_id,
                events.c.data,
            )
            .where(events.c.case_id.in_(chunk), events.c.rejected_code.is_(None))
            .order_by(
                events.c.case_id,
                events.c.server_seq.is_(None),
                events.c.server_seq,
                events.c.type != EventType.CREATED,
                events.c.seq,
            )
        )  # the order of services.cases.records.events_of
        for row in session.execute(query):
            event = Event(
                id=row.id,
                case_id=row.case_id,
                type=row.type,
                at=row.at,
                actor_id=row.actor_id,
                data=row.data or {},
            )
            try:
                projections[row.case_id] = apply(projections[row.case_id], event)
            except DomainError as exc:
                log.info("event %s of case %s skipped in projection: %s", row.id, row.case_id, exc)
    inserted = [p for case_id, p in projections.items() if p is not None and case_id not in stored]
    # Only rows whose projection differs are written: an UPDATE stamps updated_at (the
    # time the row last changed), which a page of events this desk already held must
    # not move (as the ORM's write of an unchanged row writes nothing).
    changed = [
        p
        for case_id, p in projections.items()
        if p is not None
        and case_id in stored
        and any(stored[case_id][k] != v for k, v in case_columns(p).items())
    ]
    gone = [case_id for case_id, p in projections.items() if p is None and case_id in stored]
    if inserted:
        session.execute(cases.insert(), [case_columns(p) for p in inserted])
    if changed:
        session.execute(
            update(cases).where(cases.c.id == bindparam("case_key")),
            [{**case_columns(p), "case_key": p.id} for p in changed],
        )
    for chunk in chunks(gone):
        session.execute(delete(cases).where(cases.c.id.in_(chunk)))
    _expire(session, Case, set(ids))


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def _expire(session: Session, model: type[Any], ids: set[str]) -> None:
    """Rows written with Core statements: the session's objects of them are read again."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, model) and getattr(obj, "id", None) in ids:
            session.expire(obj)


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
    # cases that received events this desk did not hold (services.sync.report)
    new_event_cases: set[str] = field(default_factory=set)
    # what the page stored, per type (services.sync.report)
    report: RoundReport = field(default_factory=RoundReport)


def chunks(items: Sequence[T], size: int = 500) -> Iterable[Sequence[T]]:
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


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _note_credentials(session: Session, data: Mapping[str, Any]) -> None:
    """The county changed this user's password, disabled or revoked them: drop the cached hash."""
    value = data.get("credentials_changed_at")
    if not value:
        return
    changed_at = as_utc(_time_of(value, "credentials_changed_at"))
    row = session.get(User, data.get("id"))
    if row is None:
        return
    known = as_utc(row.credentials_changed_at)
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
                had_row = _holds_reference(session, kind, data)
                changed = UPSERTS[kind](session, data)
                if changed:
                    result.reference += 1
                session.flush()
                if had_row and changed:
                    result.report.add_updated(kind)
                elif not had_row and _holds_reference(session, kind, data):
                    result.report.add_new(kind)  # a setting equal to the default is a new row too
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
    cases_before = _held_cases(session, result.case_ids)
    reproject_cases(session, result.case_ids)
    session.flush()
    cases_after = _held_cases(session, result.case_ids)
    result.report.note_cases(
        cases_after - cases_before, cases_after & cases_before & result.new_event_cases
    )
    result.report.add_new(EVENT, result.new_events)
    result.report.add_new(VISIT, result.new_visits)
    result.report.add_updated(VISIT, result.updated_visits)
    result.report.quarantined += result.quarantined
    return result


_REFERENCE_ROWS: dict[str, tuple[type[Any], str]] = {
    "org_unit": (OrgUnit, "id"),
    "department": (Department, "id"),
    "category": (Category, "code"),
    "user": (User, "id"),
    "holiday": (Holiday, "date"),
    "setting": (Setting, "key"),
}


def _holds_reference(session: Session, kind: str, data: Mapping[str, Any]) -> bool:
    """Whether this desk already holds the reference row ``data`` names (new or updated)."""
    model, key_name = _REFERENCE_ROWS[kind]
    key: Any = data.get(key_name)
    if key is None:
        return False
    try:
        if kind == "holiday" and not isinstance(key, date):
            key = date.fromisoformat(str(key))
        elif kind != "holiday":
            key = str(key)
    except ValueError:
        return False  # the upsert refuses it
    return session.get(model, key) is not None


def _held_cases(session: Session, case_ids: set[str]) -> set[str]:
    held: set[str] = set()
    for chunk in chunks(sorted(case_ids)):
        held.update(session.scalars(select(Case.id).where(Case.id.in_(chunk))))
    return held


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
    table = _table(CaseEvent)
    ids = sorted({event.id for event, _seq, _p in events})
    # id → (server_seq, pushed_by) of the events this desk holds
    existing: dict[str, tuple[int | None, str | None]] = {}
    for chunk in chunks(ids):
        for row in session.execute(
            select(table.c.id, table.c.server_seq, table.c.pushed_by).where(table.c.id.in_(chunk))
        ):
            existing[row.id] = (row.server_seq, row.pushed_by)
    confirmed: list[str] = []
    new_rows: list[dict[str, Any]] = []
    attached: list[Event] = []
    # The county holds it after all (a resend answered before a crash): whatever it
    # said earlier, it is part of the history now.
    confirm_rows: list[dict[str, Any]] = []
    provenance_rows: list[dict[str, Any]] = []
    for event, server_seq, provenance in events:
        known = existing.get(event.id)
        if known is not None:
            result.known += 1
            held_seq, pushed_by = known
            if held_seq is None and server_seq is not None:
                confirm_rows.append(
                    {
                        "event_key": event.id,
                        "server_seq": server_seq,
                        "rejected_code": None,
                        "rejected_message": None,
                        "rejected_at": None,
                        **provenance.columns(),
                    }
                )
                existing[event.id] = (server_seq, provenance.pushed_by)
                confirmed.append(event.id)
            elif pushed_by is None and provenance.pushed_by is not None:
                provenance_rows.append({"event_key": event.id, **provenance.columns()})
                existing[event.id] = (held_seq, provenance.pushed_by)
            continue
        new_rows.append({**event_columns(event), "server_seq": server_seq, **provenance.columns()})
        existing[event.id] = (server_seq, provenance.pushed_by)
        if event.data.get("attachments"):
            attached.append(event)
        result.new_events += 1
        result.case_ids.add(event.case_id)
        result.new_event_cases.add(event.case_id)
        confirmed.append(event.id)
    session.flush()
    if new_rows:
        session.execute(table.insert(), new_rows)
    by_key = table.c.id == bindparam("event_key")
    if confirm_rows:
        session.execute(update(table).where(by_key), confirm_rows)
        # The case of a confirmed event: the stored one (a pulled copy names the same).
        for chunk in chunks([row["event_key"] for row in confirm_rows]):
            result.case_ids.update(
                session.scalars(select(table.c.case_id).where(table.c.id.in_(chunk)))
            )
    if provenance_rows:
        session.execute(update(table).where(by_key), provenance_rows)
    if confirm_rows or provenance_rows:
        _expire(session, CaseEvent, {row["event_key"] for row in (*confirm_rows, *provenance_rows)})
    # The case's files are listed before they are downloaded (services.sync.blobs).
    for event in attached:
        note_event_attachments(session, event.case_id, event.id, event.actor_id, event.data)
    session.flush()
    _mark_sent(session, OutboxKind.CASE_EVENT, confirmed)


def _mark_sent(session: Session, kind: str, item_ids: Sequence[str]) -> None:
    """The county holds these items: a pending outbox entry for them is done (one
    statement per 1,000 items)."""
    for chunk in chunks(sorted(set(item_ids)), 1000):
        session.execute(
            update(OutboxItem)
            .where(
                OutboxItem.kind == kind,
                OutboxItem.item_id.in_(chunk),
                OutboxItem.status == OutboxStatus.PENDING,
            )
            .values(status=OutboxStatus.SENT, last_error=None)
        )
