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
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
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
from services.cases.projection import Event, apply
from services.cases.records import case_columns, event_columns, projection_from_row
from services.errors import DomainError, PermissionDenied, ValidationError
from services.protocol.fields import is_uuid
from services.protocol.schemas import case_number_parts, check_event, check_visit, find_bad_value
from services.protocol.wire import insert_visit

from .blobs import attachment_shas, check_attachments, record_refs, unusable
from .feed import FeedWriter, record_case_change, stored_keys, visit_keys

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
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = select(Case).where(Case.id.in_(chunk)).order_by(Case.id)
            if self.session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update()
            list(self.session.scalars(query))
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
        for visit in self.session.scalars(select(Visit).where(Visit.case_id == event.case_id)):
            if not unit_id.startswith(visit.org_unit_id):
                raise PermissionDenied(
                    "The case lies outside the area of the visit {visit} that links to it.",
                    field="data.org_unit_id",
                    visit=visit.id,
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

    def _check_targets(self, event: Event, case: Case) -> None:
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
        results += [pusher.event(e) for e in events]
    pusher.feed.flush(session)
    return results
