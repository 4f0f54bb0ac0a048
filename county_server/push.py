"""Applying a push (PROTOCOL.md "Push") in the server's order of acceptance.

One transaction per request. The cases the batch touches are locked first
(``SELECT … FOR UPDATE`` in id order, so two pushes never deadlock), then each
item is checked and applied in the order given, visits first:

* an id the server already stores → ``duplicate`` (nothing changes);
* a malformed item → ``invalid``; an event of a case the server does not
  hold → ``unknown_case``;
* the recorded actor's role (``services.permissions.require_case_action``
  against the *server's* projection of the case) and the pushing user's scope
  (the case, or the visit's unit, must lie in their subtree) → ``forbidden``;
* ``services.projection.apply`` on the server's projection →
  ``illegal_transition`` if the event is no longer allowed, else ``accepted``:
  the event row (with the server's ``received_at``), the new case row and the
  feed rows are written.

The desktop's ``at`` is kept as it was recorded (display and working time);
the case's state follows the order in which the server accepted events.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.enums import EventType
from models.tables import Case, CaseEvent, Category, OrgUnit, User, Visit
from models.types import utcnow
from services.cases import case_columns, event_columns, projection_from_row
from services.errors import DomainError, PermissionDenied, ValidationError
from services.permissions import Actor, Permission, in_scope, require, require_case_action
from services.projection import Event, apply
from services.wire import insert_visit, visit_columns

from .feed import FeedWriter, case_keys, record_case_change, stored_keys, visit_keys

log = logging.getLogger(__name__)

MAX_ITEMS = 500


def _result(item_id: Any, status: str, code: str = "", message: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"id": item_id if isinstance(item_id, str) else None, "status": status}
    if code:
        out["code"] = code
        out["message"] = message
    return out


def _reject(item_id: Any, exc: DomainError) -> dict[str, Any]:
    code = exc.code if exc.code in ("invalid", "illegal_transition", "forbidden") else "invalid"
    return _result(item_id, "rejected", code, str(exc))


class Pusher:
    def __init__(self, session: Session, user: User) -> None:
        self.session = session
        self.user = user
        self.pusher = Actor.from_user(user)
        self.feed = FeedWriter()
        self._actors: dict[str, Actor | None] = {}
        self._keys: dict[str, set[str]] = {}
        self._stored: set[str] = set()  # event ids the server holds (of this batch)

    def keys_of(self, case: Case) -> set[str]:
        if case.id not in self._keys:
            self._keys[case.id] = stored_keys(self.session, case.id)
        return self._keys[case.id]

    # ------------------------------------------------------------ helpers
    def actor(self, actor_id: str | None) -> Actor:
        """The person who recorded the item (the pushing user when not given)."""
        if not actor_id or actor_id == self.user.id:
            return self.pusher
        if actor_id not in self._actors:
            row = self.session.get(User, actor_id)
            self._actors[actor_id] = (
                Actor.from_user(row) if row is not None and row.active else None
            )
        found = self._actors[actor_id]
        if found is None:
            raise PermissionDenied(
                "The person who recorded this ({actor}) is not an active user of the county.",
                actor=actor_id,
            )
        return found

    def pusher_sees(self, keys: set[str]) -> bool:
        return any(in_scope(self.pusher, key) for key in keys) or self.pusher.org_unit_id == ""

    def lock_cases(self, events: Sequence[Any]) -> None:
        ids = sorted(
            {
                e["case_id"]
                for e in events
                if isinstance(e, Mapping) and isinstance(e.get("case_id"), str)
            }
        )
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = select(Case).where(Case.id.in_(chunk)).order_by(Case.id)
            if self.session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update()
            list(self.session.scalars(query))
        event_ids = [
            e["id"] for e in events if isinstance(e, Mapping) and isinstance(e.get("id"), str)
        ]
        for start in range(0, len(event_ids), 500):
            chunk = event_ids[start : start + 500]
            self._stored.update(
                self.session.scalars(select(CaseEvent.id).where(CaseEvent.id.in_(chunk)))
            )

    # ------------------------------------------------------------ visits
    def visit(self, raw: Any) -> dict[str, Any]:
        item_id = raw.get("id") if isinstance(raw, Mapping) else None
        try:
            columns = visit_columns(raw, "0" * 32)  # shape check only; keys made on insert
        except DomainError as exc:
            return _reject(item_id, exc)
        item_id = columns["id"]
        if self.session.get(Visit, item_id) is not None:
            return _result(item_id, "duplicate")
        try:
            require(self.actor(columns["received_by"]), Permission.REGISTER_VISIT)
            if self.session.get(OrgUnit, columns["org_unit_id"]) is None:
                raise ValidationError(
                    "The org unit {unit} is not known to the county.", unit=columns["org_unit_id"]
                )
            if not in_scope(self.pusher, columns["org_unit_id"]):
                raise PermissionDenied(
                    "The visit's unit {unit} lies outside your area.", unit=columns["org_unit_id"]
                )
        except DomainError as exc:
            return _reject(item_id, exc)
        self.session.flush()  # earlier items must not ride in the savepoint
        savepoint = self.session.begin_nested()
        try:
            visit = insert_visit(self.session, raw)
            self.session.flush()
        except IntegrityError:
            savepoint.rollback()
            return _result(item_id, "duplicate")
        savepoint.commit()
        for key in visit_keys(self.session, visit):
            self.feed.add("visit", visit.id, key)
        return _result(item_id, "accepted")

    # ------------------------------------------------------------ events
    def event(self, raw: Any) -> dict[str, Any]:
        item_id = raw.get("id") if isinstance(raw, Mapping) else None
        try:
            event = Event.from_wire(raw)
        except DomainError as exc:
            return _reject(item_id, exc)
        except (TypeError, ValueError) as exc:
            return _result(item_id, "rejected", "invalid", str(exc))
        session = self.session
        if event.id in self._stored:
            return _result(event.id, "duplicate")
        case = session.get(Case, event.case_id)
        if case is None and event.type != EventType.CREATED:
            return _result(
                event.id,
                "rejected",
                "unknown_case",
                f"The county does not hold the case {event.case_id}.",
            )
        try:
            actor = self.actor(event.actor_id)
            if case is None:
                projection = apply(None, event)
                require_case_action(actor, None, event.type, dict(event.data))
                self._check_created(actor, event)
            else:
                keys = case_keys(case) | self.keys_of(case)
                if not self.pusher_sees(keys):
                    raise PermissionDenied(
                        "Case {number} lies outside your area of responsibility.",
                        number=case.number,
                    )
                before = projection_from_row(case)
                require_case_action(actor, before, event.type, dict(event.data))
                projection = apply(before, event)
        except DomainError as exc:
            return _reject(event.id, exc)
        if case is None:
            session.flush()  # earlier items must not ride in the savepoint
            savepoint = session.begin_nested()
            try:
                session.add(CaseEvent(**event_columns(event), received_at=utcnow()))
                case = Case(**case_columns(projection))
                session.add(case)
                session.flush()
            except IntegrityError:
                savepoint.rollback()
                return _result(event.id, "duplicate")
            savepoint.commit()
            self._keys[case.id] = record_case_change(
                session, self.feed, case, [event.id], old_keys=None
            )
        else:
            session.add(CaseEvent(**event_columns(event), received_at=utcnow()))
            for key, value in case_columns(projection).items():
                setattr(case, key, value)
            self._keys[case.id] = record_case_change(
                session, self.feed, case, [event.id], old_keys=self.keys_of(case)
            )
        self._stored.add(event.id)
        return _result(event.id, "accepted")

    def _check_created(self, actor: Actor, event: Event) -> None:
        data = event.data
        unit_id = data.get("org_unit_id")
        unit = self.session.get(OrgUnit, unit_id) if isinstance(unit_id, str) else None
        if unit is None:
            raise ValidationError("The org unit {unit} is not known to the county.", unit=unit_id)
        if self.session.get(Category, data.get("category_code")) is None:
            raise ValidationError(
                "The category {code} is not known to the county.", code=data.get("category_code")
            )
        if not in_scope(self.pusher, unit_id) or not in_scope(actor, unit_id):
            raise PermissionDenied("The unit {unit} lies outside your area.", unit=unit_id)


def push(
    session: Session, user: User, visits: Sequence[Any], events: Sequence[Any]
) -> list[dict[str, Any]]:
    """Apply one push in the caller's write transaction; the feed is flushed last."""
    pusher = Pusher(session, user)
    pusher.lock_cases(events)
    results = [pusher.visit(v) for v in visits]
    with session.no_autoflush:
        results += [pusher.event(e) for e in events]
    pusher.feed.flush(session)
    return results
