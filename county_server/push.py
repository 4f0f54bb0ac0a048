"""Applying a push (docs/protocol.md "Push" and docs/trust.md).

One transaction per request; each item in a savepoint of its own, so that a
bad item is rejected alone and never rolls back, blocks or fails the others.
The cases the batch touches are locked first (``SELECT … FOR UPDATE`` in id
order, so two pushes never deadlock), then each item is checked and applied in
the order given, visits first:

1. its shape, with the strict schemas of :mod:`services.protocol.schemas` → ``invalid``
   with ``field`` (characters, lengths, times, enumerations, NaN …);
2. an id the server already stores → ``duplicate`` (nothing changes);
   then the blobs the event's ``data.attachments`` names (any event type, each entry
   checked by the attachment schema): one the county does not hold, or holds but the
   pusher neither uploaded nor may read (:func:`county_server.blobs.unusable`) →
   ``missing_blob`` (upload it, then send the event again);
3. its author: a visit's ``received_by`` and an event's ``actor_id`` must be
   the user whose token carries the push → else ``forbidden``;
4. what the pusher may do, judged on the *server's* projection of the case
   (``services.cases.permissions.require_case_action``: role, scope, assignee) and
   the targets of 1.1 (escalate only upwards, dispatch only to an active
   department, a grid worker of the case's area or a unit of it) → ``forbidden``
   or ``invalid``; a case number held by another case → ``duplicate_number``;
5. ``services.cases.projection.apply`` → ``illegal_transition`` or ``accepted``: the
   item is stored with who pushed it, from which desk and address, and the
   server's ``received_at``; the case row and the feed rows follow.

Anything the database itself refuses inside an item's savepoint (a value the
schemas let through by mistake) rejects that item as ``invalid``; it is logged,
never answered with a 5xx.

**Set-wise** (:meth:`Pusher.events`): the events of a batch are not written one
savepoint at a time. The batch's cases are locked and read once, the rows the rules
need (units, categories, departments, grid workers, numbers, linked visits, scope
keys) are read with one query each, every event is checked and applied to its case's
projection in memory, in the order given, and what was accepted is written at the end
with one multi-row statement per table (``INSERT … ON CONFLICT DO NOTHING`` for
events, cases and scope keys): events, case rows, blob references and feed rows. The
answers are the same as item by item. Should the database refuse the batch's writes
(a value the schemas let through, or an event or case another push stored a moment
before), the batch's savepoint is rolled back and the events are applied again item
by item as above, which rejects or answers ``duplicate`` for just the items at fault.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from models.enums import AssigneeType, EventType, Role
from models.tables import Case, CaseEvent, Category, Department, OrgUnit, User, Visit
from models.types import utcnow
from services.cases.permissions import (
    Actor,
    Permission,
    can_see_case,
    in_scope,
    require,
    require_case_action,
)
from services.cases.projection import CaseProjection, Event, apply
from services.cases.records import case_columns, event_columns, projection_from_row
from services.errors import DomainError, PermissionDenied, ValidationError
from services.protocol.fields import is_uuid
from services.protocol.schemas import case_number_parts, check_event, check_visit, find_bad_value
from services.protocol.wire import insert_visit

from .blobs import attachment_shas, check_attachments, record_refs, unusable
from .bulk import insert_rows
from .feed import (
    FeedWriter,
    case_keys,
    covered,
    minimal_keys,
    record_case_change,
    stored_keys,
    visit_keys,
)
from .models import BlobRef, CaseScope

log = logging.getLogger(__name__)

MAX_ITEMS = 500
PROTOCOL = "1.1"


@dataclass(frozen=True)
class Origin:
    """Where a push came from: the desk's id and name, and the client address."""

    device_id: str
    device_name: str
    address: str


def _result(
    item_id: Any, status: str, code: str = "", message: str = "", field: str = ""
) -> dict[str, Any]:
    safe = isinstance(item_id, str) and len(item_id) <= 64 and find_bad_value(item_id) is None
    out: dict[str, Any] = {
        "id": item_id if safe else None,
        "status": status,
    }
    if code:
        out["code"] = code
        out["message"] = message
    if field:
        out["field"] = field
    return out


_CODES = (
    "invalid",
    "illegal_transition",
    "forbidden",
    "duplicate_number",
    "unknown_case",
    "missing_blob",
)


def _reject(item_id: Any, exc: DomainError) -> dict[str, Any]:
    code = exc.code if exc.code in _CODES else "invalid"
    return _result(item_id, "rejected", code, str(exc), exc.field or "")


class DuplicateNumber(ValidationError):
    code = "duplicate_number"


class Conflict(Exception):
    """Another push stored one of the batch's events or cases a moment before this one."""


@dataclass
class Known:
    """What the rules need of the county's data for one batch of events, each read once.

    ``cases`` holds the projection of every case the batch touches, as the batch leaves
    it so far (the county's stored case first, then each event accepted in this batch).
    """

    cases: dict[str, CaseProjection] = field(default_factory=dict)
    stored_cases: set[str] = field(default_factory=set)
    keys: dict[str, set[str]] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)  # case number → the case holding it
    visits_of: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # (id, unit)
    history: dict[str, list[str]] = field(default_factory=dict)  # stored events, in order
    rows: list[Any] = field(default_factory=list)  # looked-up rows, kept in the identity map


@dataclass
class Writes:
    """The rows the batch's accepted events add, written at its end one statement each."""

    events: list[dict[str, Any]] = field(default_factory=list)
    refs: list[dict[str, Any]] = field(default_factory=list)
    scopes: list[dict[str, Any]] = field(default_factory=list)
    new_cases: list[str] = field(default_factory=list)
    changed_cases: list[str] = field(default_factory=list)
    of_case: dict[str, list[str]] = field(default_factory=dict)  # this batch's events, in order


class Pusher:
    def __init__(self, session: Session, user: User, origin: Origin) -> None:
        self.session = session
        self.user = user
        self.origin = origin
        self.pusher = Actor.from_user(user)
        self.feed = FeedWriter()
        self.now = utcnow()
        self._keys: dict[str, set[str]] = {}
        self._stored: set[str] = set()  # event ids the server holds (of this batch)
        self._locked: dict[str, CaseProjection] = {}  # the batch's stored cases, read once
        self._known: Known | None = None  # set while a batch is applied set-wise

    def keys_of(self, case: Case) -> set[str]:
        if case.id not in self._keys:
            self._keys[case.id] = stored_keys(self.session, case.id)
        return self._keys[case.id]

    def authorship(self) -> dict[str, Any]:
        return {
            "received_at": self.now,
            "pushed_by": self.user.id,
            "pushed_device": self.origin.device_name[:100] or None,
            "pushed_address": self.origin.address[:64] or None,
            "push_protocol": PROTOCOL,
        }

    # ------------------------------------------------------------ helpers
    def require_author(self, author: Any, field: str) -> None:
        if author != self.user.id:
            raise PermissionDenied(
                "Each item is pushed with its author's own login: {field} names "
                "another person than the one logged in.",
                field=field,
            )

    def lock_cases(self, events: Sequence[Any]) -> None:
        def ids_of(key: str) -> list[str]:
            return sorted(
                {e[key] for e in events if isinstance(e, Mapping) and is_uuid(e.get(key))}
            )

        ids = ids_of("case_id")
        table = _table(Case)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = select(table).where(table.c.id.in_(chunk)).order_by(table.c.id)
            if self.session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update()
            for row in self.session.execute(query):
                self._locked[row.id] = CaseProjection.from_columns(dict(row._mapping))
        event_ids = ids_of("id")
        for start in range(0, len(event_ids), 500):
            chunk = event_ids[start : start + 500]
            self._stored.update(
                self.session.scalars(select(CaseEvent.id).where(CaseEvent.id.in_(chunk)))
            )

    def apply_item(self, item_id: Any, work: Any) -> dict[str, Any]:
        """Run ``work`` in a savepoint: a rule it breaks or a value the database refuses
        rejects this item only."""
        self.session.flush()  # earlier items must not ride in this savepoint
        savepoint = self.session.begin_nested()
        try:
            result: dict[str, Any] = work()
            self.session.flush()
        except DomainError as exc:
            savepoint.rollback()
            return _reject(item_id, exc)
        except OperationalError:
            savepoint.rollback()
            raise  # the database is gone: "not known", the desk sends the item again
        except IntegrityError as exc:
            savepoint.rollback()
            log.warning("item %r refused by a constraint: %s", item_id, exc.orig)
            if self._already_stored(item_id):
                return _result(item_id, "duplicate")
            return _result(
                item_id, "rejected", "invalid", "The item conflicts with what the county holds."
            )
        except DataError as exc:
            savepoint.rollback()
            log.warning("item %r refused by the database: %s", item_id, exc.orig)
            return _result(
                item_id, "rejected", "invalid", "The item holds a value the county cannot store."
            )
        except Exception:  # a fault of ours must not fail the other items of the batch
            savepoint.rollback()
            log.exception("item %r could not be checked", item_id)
            return _result(
                item_id,
                "rejected",
                "invalid",
                "The county could not check this item; tell the county's administrator.",
            )
        if result.get("status") == "rejected":
            savepoint.rollback()
        else:
            savepoint.commit()
        return result

    def _already_stored(self, item_id: Any) -> bool:
        if not isinstance(item_id, str):
            return False
        return (
            self.session.get(Visit, item_id) is not None
            or self.session.scalar(select(CaseEvent.seq).where(CaseEvent.id == item_id)) is not None
        )

    # ------------------------------------------------------------ visits
    def visit(self, raw: Any) -> dict[str, Any]:
        item_id = raw.get("id") if isinstance(raw, Mapping) else None
        try:
            wire = check_visit(raw, now=self.now)
        except DomainError as exc:
            return _reject(item_id, exc)
        item_id = wire["id"]
        if self.session.get(Visit, item_id) is not None:
            return _result(item_id, "duplicate")
        return self.apply_item(item_id, lambda: self._store_visit(wire))

    def _store_visit(self, wire: dict[str, Any]) -> dict[str, Any]:
        self.require_author(wire["received_by"], "received_by")
        require(self.pusher, Permission.REGISTER_VISIT)
        unit_id = wire["org_unit_id"]
        if self.session.get(OrgUnit, unit_id) is None:
            raise ValidationError(
                "The org unit {unit} is not known to the county.", field="org_unit_id", unit=unit_id
            )
        if not in_scope(self.pusher, unit_id):
            raise PermissionDenied(
                "The visit's unit {unit} lies outside your area.", field="org_unit_id", unit=unit_id
            )
        case_id = wire["case_id"]
        if case_id is not None:
            case = self.session.get(Case, case_id)
            if case is not None and not can_see_case(self.pusher, case):
                raise PermissionDenied(
                    "The visit links to a case outside your area.", field="case_id"
                )
        visit = insert_visit(self.session, wire)
        for key, value in self.authorship().items():
            setattr(visit, key, value)
        self.session.flush()
        for key in visit_keys(self.session, visit):
            self.feed.add("visit", visit.id, key)
        return _result(visit.id, "accepted")

    # ------------------------------------------------------------ events
    def event(self, raw: Any) -> dict[str, Any]:
        item_id = raw.get("id") if isinstance(raw, Mapping) else None
        try:
            event = check_event(raw, now=self.now)
        except DomainError as exc:
            return _reject(item_id, exc)
        if event.id in self._stored:
            return _result(event.id, "duplicate")
        checked = self._with_usable_attachments(raw, event)
        if isinstance(checked, dict):
            return checked
        event = checked
        case = self.session.get(Case, event.case_id)
        if case is None and event.type != EventType.CREATED:
            return _result(
                event.id,
                "rejected",
                "unknown_case",
                f"The county does not hold the case {event.case_id}.",
                "case_id",
            )
        result = self.apply_item(event.id, lambda: self._store_event(event, case))
        if result["status"] == "accepted":
            self._stored.add(event.id)
        elif case is not None:
            self.session.refresh(case)  # the savepoint's changes to it were rolled back
            self._keys.pop(case.id, None)
        return result

    @staticmethod
    def with_attachments(raw: Any, event: Event) -> Event:
        """The event with ``data.attachments`` kept for any event type, checked by the
        attachment schema (a type whose schema has no such field would drop it)."""
        if "attachments" in event.data:
            return event  # checked by its type's schema
        entries = raw["data"].get("attachments")
        if entries is None:
            return event
        return replace(event, data={**event.data, "attachments": check_attachments(entries)})

    def _store_event(self, event: Event, case: Case | None) -> dict[str, Any]:
        self.require_author(event.actor_id, "actor_id")
        actor = self.pusher
        if case is None:
            require_case_action(actor, None, event.type, dict(event.data))
            self._check_created(event)
            projection = apply(None, event)
        else:
            before = projection_from_row(case)
            require_case_action(actor, before, event.type, dict(event.data))
            self._check_targets(event, case)
            projection = apply(before, event)
        self.session.add(CaseEvent(**event_columns(event), **self.authorship()))
        record_refs(self.session, event.id, event.case_id, event.data)
        if case is None:
            case = Case(**case_columns(projection))
            self.session.add(case)
            self.session.flush()
            self._keys[case.id] = record_case_change(
                self.session, self.feed, case, [event.id], old_keys=None
            )
        else:
            old_keys = self.keys_of(case)
            for key, value in case_columns(projection).items():
                setattr(case, key, value)
            self.session.flush()
            self._keys[case.id] = record_case_change(
                self.session, self.feed, case, [event.id], old_keys=old_keys
            )
        return _result(event.id, "accepted")

    # ------------------------------------------------------------ the rules of 1.1
    def _check_created(self, event: Event) -> None:
        data = event.data
        unit_id = str(data["org_unit_id"])
        unit = self.session.get(OrgUnit, unit_id)
        if unit is None:
            raise ValidationError(
                "The org unit {unit} is not known to the county.",
                field="data.org_unit_id",
                unit=unit_id,
            )
        category = self.session.get(Category, data["category_code"])
        if category is None or not category.active:
            raise ValidationError(
                "The category {code} is not known to the county.",
                field="data.category_code",
                code=data["category_code"],
            )
        if not in_scope(self.pusher, unit_id):
            raise PermissionDenied(
                "The unit {unit} lies outside your area.", field="data.org_unit_id", unit=unit_id
            )
        self._check_number(str(data["number"]), unit_id, event.case_id)
        for linking_id, visit_unit in self._visits_linking(event.case_id):
            if not unit_id.startswith(visit_unit):
                raise PermissionDenied(
                    "The case lies outside the area of the visit {visit} that links to it.",
                    field="data.org_unit_id",
                    visit=linking_id,
                )
        visit_id = data.get("visit_id")
        if visit_id:
            linked = self.session.get(Visit, visit_id)
            if linked is not None and not in_scope(self.pusher, linked.org_unit_id):
                raise PermissionDenied(
                    "The case links to a visit outside your area.", field="data.visit_id"
                )

    def _check_number(self, number: str, unit_id: str, case_id: str) -> None:
        parts = case_number_parts(number)
        if parts is None or parts[0] != unit_id[:9] or not _is_date(parts[1]):
            raise ValidationError(
                "The case number {number} must read {{street code}}-{{yyyymmdd}}-"
                "{{desk code}}{{serial}} with the case's street code, such as "
                "990101001-20261120-03007.",
                field="data.number",
                number=number[:40],
            )
        holder: str | None
        if self._known is not None:
            holder = self._known.numbers.get(number)
            holder = None if holder == case_id else holder
        else:
            holder = self.session.scalar(
                select(Case.id).where(Case.number == number, Case.id != case_id).limit(1)
            )
        if holder is not None:
            raise DuplicateNumber(
                "The case number {number} is already held by another case of the county; "
                "renumber this case.",
                field="data.number",
                number=number,
            )

    def _visits_linking(self, case_id: str) -> list[tuple[str, str]]:
        """(id, unit) of the visits that link to a case."""
        if self._known is not None:
            return self._known.visits_of.get(case_id, [])
        return [
            (row.id, row.org_unit_id)
            for row in self.session.execute(
                select(Visit.id, Visit.org_unit_id).where(Visit.case_id == case_id)
            )
        ]

    def _check_targets(self, event: Event, case: Case | CaseProjection) -> None:
        data = event.data
        area = case.org_unit_id[:9]
        if event.type == EventType.ESCALATED:
            target = str(data["to_org_unit_id"])
            unit = self.session.get(OrgUnit, target)
            if (
                unit is None
                or not unit.active
                or target == case.org_unit_id
                or not case.org_unit_id.startswith(target)
            ):
                raise ValidationError(
                    "A case is escalated only to a higher unit of its own: {unit} is not one.",
                    field="data.to_org_unit_id",
                    unit=target,
                )
        elif event.type == EventType.DISPATCHED:
            kind, target = str(data["assignee_type"]), str(data["assignee_id"])
            if kind == AssigneeType.DEPARTMENT:
                dept = self.session.get(Department, target)
                if (
                    dept is None
                    or not dept.active
                    or (dept.org_unit_id and not case.org_unit_id.startswith(dept.org_unit_id[:6]))
                ):
                    raise ValidationError(
                        "The department {target} is not an active department of the county.",
                        field="data.assignee_id",
                        target=target,
                    )
            elif kind == AssigneeType.GRID_WORKER:
                worker = self.session.get(User, target)
                if (
                    worker is None
                    or not worker.active
                    or worker.role != Role.GRID_WORKER
                    or not any(str(g).startswith(area) for g in worker.grid_ids or [])
                ):
                    raise ValidationError(
                        "{target} is not an active grid worker of the case's area.",
                        field="data.assignee_id",
                        target=target,
                    )
            else:
                unit = self.session.get(OrgUnit, target)
                if unit is None or not unit.active or not target.startswith(area):
                    raise ValidationError(
                        "The unit {target} does not lie in the case's area.",
                        field="data.assignee_id",
                        target=target,
                    )

    # ------------------------------------------------------------ events, set-wise
    def events(self, raws: Sequence[Any]) -> list[dict[str, Any]]:
        """Apply the batch's events set-wise (the module's docstring); should the database
        refuse the batch's writes, apply them again item by item."""
        self.session.flush()  # the visits, which the rules of the events read
        feed_mark, stored = len(self.feed.rows), set(self._stored)
        savepoint = self.session.begin_nested()
        try:
            results = self._events_setwise(raws)
            self.session.flush()
        except OperationalError:
            savepoint.rollback()
            raise  # the database is gone: "not known", the desk sends the batch again
        except Exception as exc:  # noqa: BLE001 - item by item finds the items at fault
            savepoint.rollback()
            if isinstance(exc, Conflict | IntegrityError | DataError):
                log.warning("batch written item by item: %s", getattr(exc, "orig", exc))
            else:
                log.exception("batch written item by item after a fault")
            del self.feed.rows[feed_mark:]
            self._stored, self._known = stored, None
            return [self.event(raw) for raw in raws]
        savepoint.commit()
        return results

    def _events_setwise(self, raws: Sequence[Any]) -> list[dict[str, Any]]:
        results: list[dict[str, Any] | None] = []
        checked: list[tuple[int, Any, Event]] = []
        for raw in raws:
            try:
                event = check_event(raw, now=self.now)
            except DomainError as exc:
                results.append(_reject(raw.get("id") if isinstance(raw, Mapping) else None, exc))
                continue
            checked.append((len(results), raw, event))
            results.append(None)
        known = self._known = self._read_known([event for _i, _raw, event in checked])
        writes = Writes()
        for index, raw, event in checked:
            results[index] = self._apply_one(raw, event, known, writes)
        self._write(known, writes)
        self._known = None
        return [result for result in results if result is not None]

    def _read_known(self, events: Sequence[Event]) -> Known:
        """One query per kind of row the batch's rules read (the cases are locked already)."""
        session = self.session
        known = Known(cases=dict(self._locked), stored_cases=set(self._locked))
        stored = sorted(known.stored_cases)
        for chunk in _chunks(stored):
            for case_id, scope in session.execute(
                select(CaseScope.case_id, CaseScope.scope).where(CaseScope.case_id.in_(chunk))
            ):
                known.keys.setdefault(case_id, set()).add(scope)
        created = [e for e in events if e.type == EventType.CREATED]
        numbers = sorted({str(e.data["number"]) for e in created})
        for chunk in _chunks(numbers):
            for case_id, number in session.execute(
                select(Case.id, Case.number).where(Case.number.in_(chunk)).order_by(Case.id)
            ):
                known.numbers.setdefault(number, case_id)
        case_ids = sorted({e.case_id for e in events})
        for chunk in _chunks(case_ids):
            for visit_id, unit, linked in session.execute(
                select(Visit.id, Visit.org_unit_id, Visit.case_id)
                .where(Visit.case_id.in_(chunk))
                .order_by(Visit.at, Visit.id)
            ):
                if linked is not None:
                    known.visits_of.setdefault(linked, []).append((visit_id, unit))
        # The rows the rules look up by key, into the session's identity map, so that
        # each session.get below is answered without a query.
        units, departments, workers = set(), set(), set()
        for e in events:
            if e.type == EventType.CREATED:
                units.add(str(e.data["org_unit_id"]))
            elif e.type == EventType.ESCALATED:
                units.add(str(e.data["to_org_unit_id"]))
            elif e.type == EventType.DISPATCHED:
                kind, target = str(e.data["assignee_type"]), str(e.data["assignee_id"])
                if kind == AssigneeType.DEPARTMENT:
                    departments.add(target)
                elif kind == AssigneeType.GRID_WORKER:
                    workers.add(target)
                else:
                    units.add(target)
        visit_links = {str(e.data["visit_id"]) for e in created if e.data.get("visit_id")}
        categories = {str(e.data["category_code"]) for e in created}
        for model, column, keys in (
            (OrgUnit, OrgUnit.id, units),
            (Department, Department.id, departments),
            (User, User.id, workers),
            (Visit, Visit.id, visit_links),
            (Category, Category.code, categories),
        ):
            for chunk in _chunks(sorted(keys)):
                known.rows.extend(session.scalars(select(model).where(column.in_(chunk))))
        # The stored history of cases that may gain a scope key in this batch.
        widening = sorted(
            {
                e.case_id
                for e in events
                if e.case_id in known.stored_cases
                and e.type in (EventType.DISPATCHED, EventType.ESCALATED)
            }
        )
        for case_id in widening:
            known.history[case_id] = []
        for chunk in _chunks(widening):
            for case_id, event_id in session.execute(
                select(CaseEvent.case_id, CaseEvent.id)
                .where(CaseEvent.case_id.in_(chunk))
                .order_by(CaseEvent.seq)
            ):
                known.history[case_id].append(event_id)
        return known

    def _history(self, known: Known, case_id: str) -> list[str]:
        if case_id not in known.history:
            known.history[case_id] = list(
                self.session.scalars(
                    select(CaseEvent.id).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
                )
            )
        return known.history[case_id]

    def _with_usable_attachments(self, raw: Any, event: Event) -> Event | dict[str, Any]:
        """The event with its attachments checked, or the answer refusing it: an invalid
        entry, or a file the pusher may not name (``missing_blob``). Both push paths
        (item by item and set-wise) ask this."""
        try:
            event = self.with_attachments(raw, event)
        except DomainError as exc:
            return _reject(event.id, exc)
        missing = unusable(
            self.session, self.user, self.origin.device_id, attachment_shas(event.data)
        )
        if missing:
            return _result(
                event.id,
                "rejected",
                "missing_blob",
                f"The county does not hold the file {missing[0]}: upload it "
                f"(PUT /api/v1/blobs/{missing[0]}) and send the event again.",
                "data.attachments",
            )
        return event

    def _apply_one(self, raw: Any, event: Event, known: Known, writes: Writes) -> dict[str, Any]:
        """Check one event against the batch's projection of its case and, if it is
        accepted, add its rows to ``writes`` (the same answers as :meth:`event`)."""
        if event.id in self._stored:
            return _result(event.id, "duplicate")
        checked = self._with_usable_attachments(raw, event)
        if isinstance(checked, dict):
            return checked
        event = checked
        before = known.cases.get(event.case_id)
        if before is None and event.type != EventType.CREATED:
            return _result(
                event.id,
                "rejected",
                "unknown_case",
                f"The county does not hold the case {event.case_id}.",
                "case_id",
            )
        try:
            self.require_author(event.actor_id, "actor_id")
            require_case_action(self.pusher, before, event.type, dict(event.data))
            if before is None:
                self._check_created(event)
            else:
                self._check_targets(event, before)
            projection = apply(before, event)
        except DomainError as exc:
            return _reject(event.id, exc)
        except OperationalError:
            raise
        except Exception:  # a fault of ours must not fail the other items of the batch
            log.exception("item %r could not be checked", event.id)
            return _result(
                event.id,
                "rejected",
                "invalid",
                "The county could not check this item; tell the county's administrator.",
            )
        case_id = event.case_id
        known.cases[case_id] = projection
        self._stored.add(event.id)
        writes.events.append({**event_columns(event), **self.authorship()})
        writes.refs.extend(
            {"sha256": sha, "event_id": event.id, "case_id": case_id}
            for sha in attachment_shas(event.data)
        )
        if before is None:
            known.numbers[str(event.data["number"])] = case_id
            writes.new_cases.append(case_id)
        elif case_id in known.stored_cases and case_id not in writes.of_case:
            writes.changed_cases.append(case_id)
        self._feed_rows(event, projection, known, writes, created=before is None)
        writes.of_case.setdefault(case_id, []).append(event.id)
        return _result(event.id, "accepted")

    def _feed_rows(
        self, event: Event, case: CaseProjection, known: Known, writes: Writes, *, created: bool
    ) -> None:
        """The scope keys and feed rows of one accepted event, as
        :func:`county_server.feed.record_case_change` writes them."""
        case_id = event.case_id
        old = set() if created else known.keys.get(case_id, set())
        now_keys = case_keys(case)
        for key in sorted(now_keys - old):
            writes.scopes.append({"case_id": case_id, "scope": key})
            if not created and not covered(key, old):
                for visit_id, _unit in known.visits_of.get(case_id, []):
                    self.feed.add("visit", visit_id, key)
                earlier = self._history(known, case_id) if case_id in known.stored_cases else []
                for event_id in (*earlier, *writes.of_case.get(case_id, [])):
                    self.feed.add("case_event", event_id, key)
        all_keys = old | now_keys
        for key in minimal_keys(all_keys):
            self.feed.add("case_event", event.id, key)
        known.keys[case_id] = all_keys

    def _write(self, known: Known, writes: Writes) -> None:
        """The batch's rows, one multi-row statement per table (see the module docstring)."""
        if not writes.events:
            return
        expected = {row["id"] for row in writes.events}
        if self._insert_new(_table(CaseEvent), writes.events, ("id",)) != expected:
            raise Conflict("an event of the batch is stored already")
        if writes.refs:
            self.session.execute(_table(BlobRef).insert(), writes.refs)
        if writes.new_cases:
            rows = [
                {**known.cases[case_id].as_columns(), "updated_at": self.now}
                for case_id in writes.new_cases
            ]
            if self._insert_new(_table(Case), rows, ("id",)) != set(writes.new_cases):
                raise Conflict("a case of the batch is stored already")
        if writes.changed_cases:
            table = _table(Case)
            self.session.execute(
                update(table).where(table.c.id == bindparam("case_key")),
                [
                    {"case_key": case_id, **_without_id(known.cases[case_id].as_columns())}
                    for case_id in writes.changed_cases
                ],
            )
        if writes.scopes:
            self._insert_new(_table(CaseScope), writes.scopes, ("case_id", "scope"))

    def _insert_new(
        self, table: Table, rows: Sequence[dict[str, Any]], key: tuple[str, ...]
    ) -> set[Any]:
        """``INSERT … ON CONFLICT (key) DO NOTHING`` of ``rows`` in multi-row statements;
        returns the first key column of the rows inserted."""
        if self.session.get_bind().dialect.name == "postgresql":
            return set(insert_rows(self.session, table, rows, conflict=key, returning=key[0]))
        statement = (
            sqlite.insert(table)
            .on_conflict_do_nothing(index_elements=list(key))
            .returning(table.c[key[0]])
        )
        return set(self.session.scalars(statement, rows))


def _is_date(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y%m%d")
    except ValueError:
        return False
    return True


def push(
    session: Session,
    user: User,
    visits: Sequence[Any],
    events: Sequence[Any],
    origin: Origin | None = None,
) -> list[dict[str, Any]]:
    """Apply one push in the caller's write transaction; the feed is flushed last."""
    pusher = Pusher(session, user, origin or Origin("", "", ""))
    pusher.lock_cases(events)
    results = [pusher.visit(v) for v in visits]
    with session.no_autoflush:
        results += pusher.events(events)
    pusher.feed.flush(session)
    return results


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def _without_id(columns: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in columns.items() if key != "id"}


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
