"""The change feed (docs/protocol.md "Pull: the feed") and why it never skips a change.

Every write that a desktop must learn about adds rows to ``srv_changes`` in the
same transaction (:class:`FeedWriter`). A plain increasing number is not
enough on PostgreSQL: transaction A may take number 10, transaction B number
11, and B commit first; a client that read 11 and moved its cursor past it
would never see 10. GridDesk therefore serialises the *numbering* of changes:

* **PostgreSQL** — :meth:`FeedWriter.flush` runs last in the transaction: it
  takes the transaction-scoped advisory lock ``pg_advisory_xact_lock(FEED_LOCK)``,
  inserts its rows (``seq`` from the table's sequence) and the transaction
  commits, which releases the lock only after the commit is visible. So a
  change numbered n is committed before any change numbered above n can get
  its number, and numbers follow commit order. The lock is held only for the
  feed insert and the commit (all validation, projection and event writes
  happen before), so concurrent pushes still overlap for most of their work.
  Several server processes share the lock through the database.
* **SQLite** — one writer at a time (``BEGIN IMMEDIATE``), so the rowid order
  is the commit order already.

Reading (:func:`read_changes`) first takes ``top = max(seq)`` in one statement
and then serves rows ``after < seq <= top``. Because of the lock, every number
up to ``top`` belongs to a transaction that has finished (committed, or rolled
back and left a harmless gap), so nothing below ``top`` can appear later and
``next = top`` is safe when the page is not full. The cursor is the last
number served, written ``v1.<seq>``; the feed is never purged, so a cursor
stays valid for ever; a cursor beyond ``top`` (a rebuilt server) answers
``410 cursor_expired``.

Scope: a visit or case event is written into the feed once per *scope key*,
the org unit whose subtree may see it: the case's own unit, plus a unit it was
escalated to or dispatched to (``srv_case_scopes`` remembers every key a case
ever had). A user sees a row whose key lies in their subtree (unit codes are
hierarchical, so this is a prefix test) and every reference row (key NULL).
When a case gains a key that no earlier key already covers (e.g. escalated to
another street), all its earlier events and its visits are written into the
feed again under the new key, so a desktop of that unit receives the whole
history, in order, before the new event. Re-emitting at write time keeps the
read a simple indexed range scan; the price is duplicate rows for a user who
can see two keys, which the desktop ignores (delivery is at least once).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Table, and_, func, insert, or_, select, text
from sqlalchemy.orm import Session

from models.enums import AssigneeType, Role
from models.tables import (
    Case,
    CaseEvent,
    Category,
    Department,
    Holiday,
    OrgUnit,
    Setting,
    User,
    Visit,
)
from models.types import utcnow
from services.cases.event_checks import format_time
from services.protocol.reference import (
    category_wire,
    department_wire,
    holiday_wire,
    org_unit_wire,
    user_wire,
)
from services.protocol.wire import stored_event_wire, visit_wire
from services.reception.identity import mask_phone

from .bulk import insert_rows
from .models import CaseScope, Change

FEED_LOCK = 0x47524944  # "GRID"
REFERENCE_KINDS = ("org_unit", "department", "category", "user", "holiday", "setting")
MAX_LIMIT = 1000
DEFAULT_LIMIT = 500


class CursorError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def encode_cursor(seq: int) -> str:
    return f"v1.{seq}"


def decode_cursor(cursor: str | None) -> int:
    if cursor in (None, ""):
        return 0
    assert cursor is not None
    prefix, _, number = cursor.partition(".")
    if prefix != "v1" or not number.isdigit():
        raise CursorError("invalid", "The cursor is not one this server gave out.")
    return int(number)


# ---------------------------------------------------------------- writing
@dataclass
class FeedWriter:
    """Collects a transaction's changes; :meth:`flush` numbers them under the feed lock."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, kind: str, item_id: str, scope: str | None = None) -> None:
        self.rows.append({"kind": kind, "item_id": item_id, "scope": scope})

    def flush(self, session: Session) -> int:
        """Write the rows; call it as the transaction's last statement before commit."""
        if not self.rows:
            return 0
        session.flush()
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK})
        now = utcnow()
        rows = [{**row, "created_at": now} for row in self.rows]
        if session.get_bind().dialect.name == "postgresql":
            insert_rows(session, _table(Change), rows)  # one statement, in order
        else:
            session.execute(insert(Change), rows)
        count = len(self.rows)
        self.rows = []
        return count


DEPARTMENT_KEY = "d:"
WORKER_KEY = "u:"


def case_keys(case: Any) -> set[str]:
    """The keys a case is visible to now: the org units (its own, escalated to,
    dispatched to), the department it is dispatched to (``d:<id>``) and the
    grid worker it is dispatched to (``u:<user id>``)."""
    keys = {case.org_unit_id}
    if case.escalated_to:
        keys.add(case.escalated_to)
    if case.assignee_id:
        keys.add(_assignee_key(case.assignee_type, case.assignee_id))
    return {k for k in keys if k}


def _assignee_key(kind: str | None, assignee_id: str) -> str:
    """The key of a dispatch's assignee: ``d:``/``u:`` for handlers, the unit code otherwise."""
    if kind == AssigneeType.DEPARTMENT:
        return DEPARTMENT_KEY + assignee_id
    if kind == AssigneeType.GRID_WORKER:
        return WORKER_KEY + assignee_id
    return assignee_id


def _is_unit(key: str) -> bool:
    return key.isdigit()


def _sees(key: str, other: str) -> bool:
    """True if every user who sees ``key`` sees ``other`` too (unit codes nest by prefix)."""
    if _is_unit(key) and _is_unit(other):
        return other.startswith(key)
    return other == key


def minimal_keys(keys: Iterable[str]) -> list[str]:
    """Drop a unit key whose users all see a longer unit key anyway (a prefix of it)."""
    keys = set(keys)
    return sorted(k for k in keys if not any(o != k and _sees(k, o) for o in keys))


def covered(key: str, keys: Iterable[str]) -> bool:
    """True if every user who sees ``key`` already sees one of ``keys``."""
    return any(_sees(key, o) for o in keys)


def stored_keys(session: Session, case_id: str) -> set[str]:
    return set(session.scalars(select(CaseScope.scope).where(CaseScope.case_id == case_id)))


def case_history_ids(session: Session, case_id: str) -> tuple[list[str], list[str]]:
    """(visit ids, event ids in order) of a case, for re-emitting under a new key."""
    events = list(
        session.scalars(
            select(CaseEvent.id).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        )
    )
    visits = list(session.scalars(select(Visit.id).where(Visit.case_id == case_id)))
    return visits, events


def record_case_change(
    session: Session,
    feed: FeedWriter,
    case: Any,
    new_event_ids: Sequence[str],
    *,
    old_keys: set[str] | None,
) -> set[str]:
    """Feed rows for events just added to ``case``, re-emitting history for new keys.

    ``old_keys`` are the case's stored keys (None for a case created now);
    returns the keys it has from now on.
    """
    now_keys = case_keys(case)
    known = old_keys or set()
    all_keys = known | now_keys
    for key in sorted(now_keys - known):
        session.add(CaseScope(case_id=case.id, scope=key))
        if old_keys is not None and not covered(key, known):
            session.flush()
            visits, events = case_history_ids(session, case.id)
            new = set(new_event_ids)
            for visit_id in visits:
                feed.add("visit", visit_id, key)
            for event_id in events:
                if event_id not in new:
                    feed.add("case_event", event_id, key)
    for key in minimal_keys(all_keys):
        for event_id in new_event_ids:
            feed.add("case_event", event_id, key)
    return all_keys


def visit_keys(session: Session, visit: Visit) -> list[str]:
    keys = {visit.org_unit_id}
    if visit.case_id:
        keys |= stored_keys(session, visit.case_id)
    return minimal_keys(keys)


def backfill(session: Session, feed: FeedWriter) -> dict[str, int]:
    """Feed rows for everything stored but not yet in the feed (after a bulk load).

    Used by ``seed-demo`` (which bulk-inserts the demo district) and safe to
    run again: items already in the feed are skipped.
    """
    counts: dict[str, int] = {}
    known = {
        (kind, item_id) for kind, item_id in session.execute(select(Change.kind, Change.item_id))
    }

    def add(kind: str, item_id: str, scope: str | None = None) -> None:
        if (kind, item_id) not in known:
            feed.add(kind, item_id, scope)
            counts[kind] = counts.get(kind, 0) + 1

    for unit in session.scalars(select(OrgUnit.id).order_by(func.length(OrgUnit.id), OrgUnit.id)):
        add("org_unit", unit)
    for dept in session.scalars(select(Department.id).order_by(Department.id)):
        add("department", dept)
    for code in session.scalars(select(Category.code).order_by(Category.sort_order)):
        add("category", code)
    for user_id in session.scalars(select(User.id).order_by(User.username)):
        add("user", user_id)
    for day in session.scalars(select(Holiday.date).order_by(Holiday.date)):
        add("holiday", day.isoformat())
    for key in session.scalars(select(Setting.key).order_by(Setting.key)):
        if not key.startswith("device."):
            add("setting", key)
    scopes: dict[str, set[str]] = {}
    for row in session.scalars(select(CaseScope)):
        scopes.setdefault(row.case_id, set()).add(row.scope)
    dispatched: dict[str, set[str]] = {}
    for case_id, kind, assignee in session.execute(
        select(CaseEvent.case_id, CaseEvent.assignee_type, CaseEvent.assignee_id).where(
            CaseEvent.type == "dispatched", CaseEvent.assignee_id.is_not(None)
        )
    ):
        dispatched.setdefault(case_id, set()).add(_assignee_key(kind, str(assignee)))
    for case in session.scalars(select(Case)):
        keys = case_keys(case) | dispatched.get(case.id, set())
        for key in keys - scopes.get(case.id, set()):
            session.add(CaseScope(case_id=case.id, scope=key))
        scopes[case.id] = scopes.get(case.id, set()) | keys
    for visit in session.scalars(select(Visit).order_by(Visit.at)):
        keys = {visit.org_unit_id} | scopes.get(visit.case_id or "", set())
        for key in minimal_keys(keys):
            add("visit", visit.id, key)
    for event_id, case_id in session.execute(
        select(CaseEvent.id, CaseEvent.case_id).order_by(CaseEvent.seq)
    ):
        for key in minimal_keys(scopes.get(case_id, set())):
            add("case_event", event_id, key)
    return counts


# ---------------------------------------------------------------- reading
@dataclass
class Page:
    changes: list[dict[str, Any]]
    next_seq: int
    more: bool


@dataclass(frozen=True)
class Viewer:
    """Who reads the feed, as docs/protocol.md "Pull: the feed" needs to know them.

    ``key`` is the one scope key the user's rows match: a unit prefix for the
    roles that see an area, ``d:<department>`` or ``u:<user id>`` for the
    handlers; None for a user who sees reference data only.
    """

    user_id: str
    role: str
    org_unit_id: str | None
    key: str | None
    exact: bool

    def visitor(self, visit_unit: str) -> str:
        """How much of a visitor this viewer receives: "full", "no_id", "none" or "masked"."""
        if self.role in (Role.DEPARTMENT, Role.GRID_WORKER):
            return "masked"
        if self.role in (Role.RECEPTION, Role.COORDINATOR):
            unit = self.org_unit_id or ""
            # The ID number leaves the server only to the visit's own street.
            return "full" if len(unit) >= 9 and unit.startswith(visit_unit[:9]) else "no_id"
        return "none"


def viewer_of(user: User) -> Viewer:
    if user.role == Role.DEPARTMENT:
        key = DEPARTMENT_KEY + user.department_id if user.department_id else None
        return Viewer(user.id, user.role, user.org_unit_id, key, True)
    if user.role == Role.GRID_WORKER:
        return Viewer(user.id, user.role, user.org_unit_id, WORKER_KEY + user.id, True)
    return Viewer(user.id, user.role, user.org_unit_id, user.org_unit_id or None, False)


def read_changes(session: Session, viewer: Viewer, after: int, limit: int) -> Page:
    top = session.scalar(select(func.max(Change.seq))) or 0
    if after > top:
        raise CursorError(
            "cursor_expired", "The cursor is not known here any more; start from the beginning."
        )
    change, event, visit = _table(Change), _table(CaseEvent), _table(Visit)
    query = (
        select(
            change.c.seq,
            change.c.kind,
            change.c.item_id,
            *(event.c[name].label("e_" + name) for name in _EVENT_COLUMNS),
            *(visit.c[name].label("v_" + name) for name in _VISIT_COLUMNS),
        )
        .select_from(
            change.outerjoin(
                event, and_(change.c.kind == "case_event", event.c.id == change.c.item_id)
            ).outerjoin(visit, and_(change.c.kind == "visit", visit.c.id == change.c.item_id))
        )
        .where(change.c.seq > after, change.c.seq <= top)
    )
    if viewer.key is None:
        query = query.where(change.c.scope.is_(None))
    elif viewer.exact:
        query = query.where(or_(change.c.scope.is_(None), change.c.scope == viewer.key))
    else:
        query = query.where(or_(change.c.scope.is_(None), change.c.scope.startswith(viewer.key)))
    rows = list(session.execute(query.order_by(change.c.seq).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_seq = rows[-1].seq if more else top
    return Page(_page_changes(session, rows, viewer), next_seq, more)


_EVENT_COLUMNS = (
    "id",
    "seq",
    "case_id",
    "type",
    "at",
    "actor_id",
    "data",
    "received_at",
    "pushed_by",
    "pushed_device",
    "push_protocol",
)
_VISIT_COLUMNS = (
    "id",
    "org_unit_id",
    "at",
    "received_by",
    "visitor_name",
    "visitor_phone",
    "visitor_id_number",
    "visitor_gender",
    "visitor_address",
    "purpose",
    "summary",
    "case_id",
    "resolved_on_the_spot",
    "received_at",
    "pushed_by",
    "pushed_device",
    "push_protocol",
)


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def _page_changes(session: Session, rows: Sequence[Any], viewer: Viewer) -> list[dict[str, Any]]:
    """A page's ``changes`` from the feed rows joined to their events and visits (one
    query); reference rows, few, are read per kind by :func:`materialise`."""
    reference = [(r.kind, r.item_id) for r in rows if r.kind not in ("case_event", "visit")]
    loaded = {(c["type"], c["id"]): c for c in materialise(session, reference, viewer)}
    out: list[dict[str, Any]] = []
    for row in rows:
        kind = row.kind
        if kind == "case_event":
            if row.e_id is None:
                continue  # not stored (any more): nothing to send, as before
            wire: dict[str, Any] = {
                "id": row.e_id,
                "case_id": row.e_case_id,
                "type": row.e_type,
                "at": format_time(row.e_at),
                "actor_id": row.e_actor_id,
                "data": dict(row.e_data or {}),
                "server_seq": row.e_seq,
                "received_at": format_time(row.e_received_at) if row.e_received_at else None,
            }
            out.append({"type": kind, "id": row.item_id, "data": wire, **_origin_of(row, "e_")})
        elif kind == "visit":
            if row.v_id is None:
                continue  # not stored (any more): nothing to send, as before
            mapping = row._mapping
            columns = {name: mapping["v_" + name] for name in _VISIT_COLUMNS}
            visit_data = redact_visit(
                visit_wire(columns), viewer.visitor(str(columns["org_unit_id"] or ""))
            )
            out.append(
                {"type": kind, "id": row.item_id, "data": visit_data, **_origin_of(row, "v_")}
            )
        else:
            found = loaded.get((kind, row.item_id))
            if found is not None:
                out.append(found)
    return out


def _origin_of(row: Any, prefix: str) -> dict[str, Any]:
    mapping = row._mapping
    received = mapping[prefix + "received_at"]
    return {
        "pushed_by": mapping[prefix + "pushed_by"],
        "received_at": format_time(received) if received else None,
        "pushed_device": mapping[prefix + "pushed_device"],
        "push_protocol": mapping[prefix + "push_protocol"],
    }


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def materialise(
    session: Session, refs: Sequence[tuple[str, str]], viewer: Viewer | None = None
) -> list[dict[str, Any]]:
    """The ``changes`` list of a page: each item's current data, in feed order,
    with a visitor's personal data cut to what ``viewer`` may receive, and for
    visits and case events who pushed them and when (docs/protocol.md)."""
    wanted: dict[str, list[str]] = {}
    for kind, item_id in refs:
        wanted.setdefault(kind, []).append(item_id)
    data: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, ids in wanted.items():
        unique = sorted(set(ids))
        for chunk in _chunks(unique):
            for item_id, wire in _load(session, kind, chunk):
                data[(kind, item_id)] = wire
    out = []
    for kind, item_id in refs:
        found = data.get((kind, item_id))
        if found is None:
            continue
        change: dict[str, Any] = {"type": kind, "id": item_id}
        origin = found.pop(_ORIGIN, None)
        if kind == "visit" and viewer is not None:
            found = redact_visit(found, viewer.visitor(str(found.get("org_unit_id") or "")))
        change["data"] = found
        if origin:
            change.update(origin)
        out.append(change)
    return out


_ORIGIN = "__origin__"


def _origin(row: Any) -> dict[str, Any]:
    return {
        "pushed_by": row.pushed_by,
        "received_at": format_time(row.received_at) if row.received_at else None,
        "pushed_device": row.pushed_device,
        "push_protocol": row.push_protocol,
    }


def redact_visit(wire: dict[str, Any], level: str) -> dict[str, Any]:
    """A visit's wire form with the visitor cut to ``level`` (see :meth:`Viewer.visitor`)."""
    if level == "full":
        return wire
    visitor = dict(wire.get("visitor") or {})
    visitor["id_number"] = None
    if level == "none":
        visitor["phone"] = None
    elif level == "masked":
        visitor = {
            "name": visitor.get("name"),
            "phone": mask_phone(visitor.get("phone")) if visitor.get("phone") else None,
            "id_number": None,
            "gender": None,
            "address": None,
        }
    return {**wire, "visitor": visitor}


def _load(session: Session, kind: str, ids: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    if kind == "org_unit":
        return [
            (u.id, org_unit_wire(u))
            for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))
        ]
    if kind == "department":
        return [
            (d.id, department_wire(d))
            for d in session.scalars(select(Department).where(Department.id.in_(ids)))
        ]
    if kind == "category":
        return [
            (c.code, category_wire(c))
            for c in session.scalars(select(Category).where(Category.code.in_(ids)))
        ]
    if kind == "user":
        return [(u.id, user_wire(u)) for u in session.scalars(select(User).where(User.id.in_(ids)))]
    if kind == "holiday":
        days = [date.fromisoformat(i) for i in ids]
        return [
            (h.date.isoformat(), holiday_wire(h))
            for h in session.scalars(select(Holiday).where(Holiday.date.in_(days)))
        ]
    if kind == "setting":
        return [
            (s.key, {"key": s.key, "value": s.value})
            for s in session.scalars(select(Setting).where(Setting.key.in_(ids)))
        ]
    if kind == "visit":
        return [
            (v.id, {**visit_wire(v), _ORIGIN: _origin(v)})
            for v in session.scalars(select(Visit).where(Visit.id.in_(ids)))
        ]
    if kind == "case_event":
        return [
            (e.id, {**stored_event_wire(e, e.seq), _ORIGIN: _origin(e)})
            for e in session.scalars(select(CaseEvent).where(CaseEvent.id.in_(ids)))
        ]
    return []
