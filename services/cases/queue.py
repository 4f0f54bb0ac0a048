"""The dispatch queue as SQL: the filter, sorting and pages, counts and saved filters.

Which cases a filter selects (scope, deadlines, buckets, search) is built from
the clauses of :mod:`services.cases.queue_clauses`.

Nothing here loads all cases: the screen asks for a count and for one page at
a time, sorted and filtered by the database (with a unique tie-breaker so pages
never overlap or skip rows).

* Sorting: every column sorts in SQL. Category and assignee sort by *name*
  through a small mapping (code → rank of the name in pinyin order) built from
  the reference tables, so no join with the reference tables is needed per row.
  The coordinators' default order ``due`` (running cases first, by deadline, so
  overdue ones lead) has an expression index (``ix_cases_due_rank``).
* Deadlines: "overdue" is a running case whose handling deadline has passed;
  "near" is a running case not yet overdue with less than a quarter of its
  allotted span left, measured in natural time in SQL: ``deadline - now <
  (deadline - dispatched_at) / 4``. The remaining *working* time shown on each
  row is computed for the visible rows only, with the work calendar.
* Full-text search: an FTS5 table with the trigram tokenizer over number,
  title, description and address (created by migration 0003, kept in step by
  triggers). A term of three or more characters is looked up through its
  trigrams; every term is then checked with LIKE on the case columns, which is
  also how terms of one or two characters (such as 垃圾) are found — trigrams
  cannot index them. PostgreSQL has no FTS table here and uses LIKE only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    column,
    delete,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from models.queue import (
    DUE_RANK_SQL,
    FTS_CREATE,
    FTS_REBUILD,
    FTS_TABLE,
    FTS_TRIGGERS,
    NO_DEADLINE_SQL,
    QUEUE_INDEXES,
    QUEUE_INDEXES_CREATE,
)
from models.queue import SavedFilter as SavedFilterRow
from models.tables import Case
from models.types import utcnow
from services.cases.permissions import Actor, Permission, require
from services.cases.queue_clauses import (
    BUCKETS,
    RUNNING_STATES,
    bucket_clause,
    near_clause,
    overdue_clause,
    prefix_clause,
    scope_clause,
    search_clause,
)
from services.errors import NotFound, ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.text import require_text

DUE_RANK: ColumnElement[int] = literal_column(DUE_RANK_SQL)
"""The rank of the default order (0 running, 1 waiting for a decision, 2 suspended, 3 finished)."""

# Sort keys the screen may ask for, mapped to columns (``category`` and
# ``assignee`` are sorted by name, see :func:`page_query`).
SORT_COLUMNS: dict[str, Any] = {
    "number": Case.number,
    "title": Case.title,
    "category": Case.category_code,
    "state": Case.state,
    "urgency": Case.urgency,
    "assignee": Case.assignee_id,
    "org_unit": Case.org_unit_id,
    "created_at": Case.created_at,
    "deadline": Case.deadline,
    "updated_at": Case.updated_at,
    "due": DUE_RANK,
}
DEFAULT_SORT = "due"
"""Overdue first, then by deadline: the coordinators' default."""

# The columns a queue row needs (never description or other large fields).
ROW_COLUMNS = (
    Case.id,
    Case.number,
    Case.title,
    Case.category_code,
    Case.state,
    Case.urgency,
    Case.assignee_type,
    Case.assignee_id,
    Case.org_unit_id,
    Case.created_at,
    Case.deadline,
    Case.ack_deadline,
    Case.dispatched_at,
    Case.supervise_count,
    Case.rework_count,
    Case.source,
    Case.lat,
    Case.lon,
)


SEARCH_MAX = 100
NAME_MAX = 60


def search_index_ready(session: Session) -> bool:
    """True when the FTS table and its three triggers exist (SQLite only)."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    names = set(
        session.execute(
            text("SELECT name FROM sqlite_master WHERE name IN (:t, :a, :b, :c)"),
            {"t": FTS_TABLE, "a": FTS_TRIGGERS[0], "b": FTS_TRIGGERS[1], "c": FTS_TRIGGERS[2]},
        ).scalars()
    )
    return names == {FTS_TABLE, *FTS_TRIGGERS}


def ensure_search_index(session: Session) -> bool:
    """Recreate the queue's indexes and the search index if a later migration dropped them.

    (A batch migration that copies the ``cases`` table drops its triggers.)
    Returns True if it had to rebuild. The caller commits.
    """
    if session.get_bind().dialect.name != "sqlite":
        return False
    present = set(
        session.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars()
    )
    for name, statement in zip(QUEUE_INDEXES, QUEUE_INDEXES_CREATE, strict=True):
        if name not in present:  # a batch migration of cases drops them too
            session.execute(text(statement))
    if search_index_ready(session):
        return False
    for statement in FTS_CREATE:
        session.execute(text(statement))
    session.execute(text(FTS_REBUILD))
    return True


# ---------------------------------------------------------------- the filter
@dataclass(frozen=True)
class QueueFilter:
    states: tuple[str, ...] = ()
    category_codes: tuple[str, ...] = ()
    assignee_type: str | None = None
    assignee_id: str | None = None
    org_unit_prefix: str | None = None
    urgency: str | None = None
    source: str | None = None
    overdue_only: bool = False
    supervised_only: bool = False
    created_from: datetime | None = None
    created_to: datetime | None = None
    case_ids: tuple[str, ...] = field(default=())
    near_only: bool = False
    """Near its deadline (not yet overdue); with ``overdue_only`` too: either."""
    text: str = ""
    """Full-text search over number, title, description and address."""
    bucket: str | None = None
    """A department's or grid worker's own view: see :data:`BUCKETS`."""

    def clauses(self, now: datetime, use_fts: bool = True) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.states:
            out.append(Case.state.in_(self.states))
        if self.category_codes:
            out.append(Case.category_code.in_(self.category_codes))
        if self.assignee_type:
            out.append(Case.assignee_type == self.assignee_type)
        if self.assignee_id:
            out.append(Case.assignee_id == self.assignee_id)
        if self.org_unit_prefix:
            out.append(prefix_clause(Case.org_unit_id, self.org_unit_prefix))
        if self.urgency:
            out.append(Case.urgency == self.urgency)
        if self.source:
            out.append(Case.source == self.source)
        if self.overdue_only and self.near_only:
            out.append(or_(overdue_clause(now), near_clause(now)))
        elif self.overdue_only:
            out.append(overdue_clause(now))
        elif self.near_only:
            out.append(near_clause(now))
        if self.supervised_only:
            out.append(Case.supervise_count > 0)
        if self.created_from is not None:
            out.append(Case.created_at >= self.created_from)
        if self.created_to is not None:
            out.append(Case.created_at < self.created_to)
        if self.case_ids:
            out.append(Case.id.in_(self.case_ids))
        if self.bucket:
            out.append(bucket_clause(self.bucket))
        if self.text.strip():
            clause = search_clause(self.text, use_fts)
            if clause is not None:
                out.append(clause)
        return out

    def is_empty(self) -> bool:
        return self == QueueFilter()

    def replace(self, **changes: Any) -> QueueFilter:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return QueueFilter(**values)

    # A saved filter is this as JSON (times as ISO text, tuples as lists).
    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if key == "case_ids":
                continue  # a list of picked cases is not a reusable filter
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            if value not in (None, False, "", []):
                out[key] = value
        return out

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> QueueFilter:
        known = {f.name for f in fields(cls)} - {"case_ids"}
        values: dict[str, Any] = {}
        for key, value in payload.items():
            if key not in known:
                continue  # written by a newer version: ignore
            if key in ("created_from", "created_to") and value:
                value = datetime.fromisoformat(value)
            elif key in ("states", "category_codes"):
                value = tuple(value or ())
            values[key] = value
        return cls(**values)


# ---------------------------------------------------------------- queries
def _use_fts(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _where(
    actor: Actor, flt: QueueFilter, now: datetime, use_fts: bool = True
) -> list[ColumnElement[bool]]:
    return [scope_clause(actor), *flt.clauses(now, use_fts)]


def count(session: Session, actor: Actor, flt: QueueFilter, now: datetime) -> int:
    where = _where(actor, flt, now, _use_fts(session))
    return int(session.scalar(select(func.count()).select_from(Case).where(*where)) or 0)


CATEGORY_RANK_TABLE = "queue_category_rank"
"""A per-connection temporary table: rank (integer key, name order) → category code."""


def category_order(session: Session) -> list[str]:
    """Category codes in the order of their names (pinyin), for the name sort."""
    from models.tables import Category

    rows = tuple((c, n) for c, n in session.execute(select(Category.code, Category.name)))
    return list(_by_pinyin(rows))


@lru_cache(maxsize=4)
def _by_pinyin(rows: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    import pypinyin

    def key(row: tuple[str, str]) -> tuple[str, str]:
        return "".join(pypinyin.lazy_pinyin(row[1])), row[0]

    return tuple(code for code, _name in sorted(rows, key=key))


def _fill_category_rank(session: Session) -> None:
    session.execute(
        text(
            f"CREATE TEMP TABLE IF NOT EXISTS {CATEGORY_RANK_TABLE} "
            "(rank INTEGER PRIMARY KEY, code TEXT NOT NULL)"
        )
    )
    session.execute(text(f"DELETE FROM temp.{CATEGORY_RANK_TABLE}"))
    codes = category_order(session)
    if codes:
        session.execute(
            text(f"INSERT INTO temp.{CATEGORY_RANK_TABLE} (rank, code) VALUES (:rank, :code)"),
            [{"rank": i, "code": code} for i, code in enumerate(codes)],
        )


_RANK_TABLE = table(CATEGORY_RANK_TABLE, column("rank"), column("code"), schema="temp")
_CATEGORY_RANK = _RANK_TABLE.c.rank


def _with_category_join(query: Select[Any]) -> Select[Any]:
    """Drive from the small rank table in rank order, then the category index of cases."""
    return query.select_from(_RANK_TABLE.join(Case, _RANK_TABLE.c.code == Case.category_code))


ROWID: ColumnElement[int] = literal_column("cases.rowid")
_NO_DEADLINE: ColumnElement[int] = literal_column(NO_DEADLINE_SQL)


@dataclass(frozen=True)
class Ordering:
    """The ORDER BY of a sort: keys (expression, descending), the last one unique."""

    keys: tuple[tuple[Any, bool], ...]
    category_join: bool = False

    def clauses(self) -> list[Any]:
        return [k.desc() if desc else k.asc() for k, desc in self.keys]

    def after(self, values: Sequence[Any]) -> ColumnElement[bool]:
        """Rows after the row whose key values are ``values`` (keyset paging, SQLite NULL order)."""
        options: list[ColumnElement[bool]] = []
        for i, (key, desc) in enumerate(self.keys):
            equal = [
                k.is_not_distinct_from(v) for (k, _d), v in zip(self.keys[:i], values, strict=False)
            ]
            value = values[i]
            if desc:  # NULLs come last
                if value is None:
                    continue
                beyond: ColumnElement[bool] = or_(key < value, key.is_(None))
            else:  # NULLs come first
                beyond = key.is_not(None) if value is None else key > value
            options.append(and_(*equal, beyond))
        return or_(*options) if options else false()


def ordering(sort_key: str, descending: bool, sqlite: bool = True) -> Ordering:
    """The keys of ``sort_key``; the tie-breaker is the rowid on SQLite (in every index)."""
    column = SORT_COLUMNS.get(sort_key)
    if column is None:
        raise KeyError(sort_key)
    tie = ROWID if sqlite else Case.id
    d = descending
    if sort_key == "due":
        # Overdue first: running cases by deadline (earliest, i.e. most overdue, first).
        return Ordering(((DUE_RANK, d), (Case.deadline, d), (tie, d)))
    if sort_key == "category" and sqlite:
        return Ordering(((_CATEGORY_RANK, d), (tie, d)), category_join=True)
    if sort_key == "assignee":
        # By kind (department, grid worker, unit) and id: the assignee index gives this order.
        return Ordering(((Case.assignee_type, d), (Case.assignee_id, d), (tie, d)))
    if sort_key == "deadline":
        # Cases without a deadline go last in either direction.
        if d:  # SQLite puts NULLs last when descending already
            return Ordering(((Case.deadline, True), (tie, True)))
        return Ordering(((_NO_DEADLINE, False), (Case.deadline, False), (tie, False)))
    return Ordering(((column, d), (tie, d)))


def order_by(sort_key: str, descending: bool, sqlite: bool = True) -> list[Any]:
    return ordering(sort_key, descending, sqlite).clauses()


def page_query(
    actor: Actor,
    flt: QueueFilter,
    now: datetime,
    sort_key: str = "created_at",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
    columns: Sequence[Any] = ROW_COLUMNS,
    sqlite: bool = True,
    after: Sequence[Any] | None = None,
) -> Select[Any]:
    """One page: by ``offset``, or (keyset) the rows after the key values ``after``.

    The selected row ends with its sort key values (``sort_0`` …), to pass as
    ``after`` for the next page.
    """
    order = ordering(sort_key, descending, sqlite)
    keys = [k.label(f"sort_{i}") for i, (k, _d) in enumerate(order.keys)]
    query = select(*columns, *keys)
    if order.category_join:
        query = _with_category_join(query)
    where = _where(actor, flt, now, sqlite)
    if after is not None:
        where.append(order.after(after))
        offset = 0
    return query.where(*where).order_by(*order.clauses()).offset(offset).limit(limit)


def page(
    session: Session,
    actor: Actor,
    flt: QueueFilter,
    now: datetime,
    sort_key: str = "created_at",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
    after: Sequence[Any] | None = None,
) -> list[Any]:
    sqlite = _use_fts(session)
    if sort_key == "category" and sqlite:
        _fill_category_rank(session)
    query = page_query(
        actor, flt, now, sort_key, descending, offset, limit, sqlite=sqlite, after=after
    )
    return list(session.execute(query).all())


def sort_values(row: Any, sort_key: str, descending: bool, sqlite: bool = True) -> tuple[Any, ...]:
    """The key values of a row fetched by :func:`page` (for keyset paging)."""
    n = len(ordering(sort_key, descending, sqlite).keys)
    return tuple(getattr(row, f"sort_{i}") for i in range(n))


def row_position(
    session: Session,
    actor: Actor,
    flt: QueueFilter,
    now: datetime,
    case_id: str,
    sort_key: str = "created_at",
    descending: bool = True,
) -> int | None:
    """The row number of ``case_id`` in the sorted, filtered queue (None if not in it).

    Counts the rows before it with the keyset condition (one query).
    """
    sqlite = _use_fts(session)
    if sort_key == "category" and sqlite:
        _fill_category_rank(session)
    mine = page(session, actor, flt.replace(case_ids=(case_id,)), now, sort_key, descending, 0, 1)
    if not mine:
        return None
    order = ordering(sort_key, descending, sqlite)
    values = sort_values(mine[0], sort_key, descending, sqlite)
    # Rows before it are those it comes "after" seen from them: count rows r with mine after r.
    before = [
        _reverse(order).after(values),
    ]
    query = select(func.count()).select_from(Case)
    if order.category_join:
        query = _with_category_join(select(func.count()))
    n = session.scalar(query.where(*_where(actor, flt, now, sqlite), *before))
    return int(n or 0)


def _reverse(order: Ordering) -> Ordering:
    return Ordering(tuple((k, not d) for k, d in order.keys), order.category_join)


def state_counts(session: Session, actor: Actor, flt: QueueFilter, now: datetime) -> dict[str, int]:
    where = _where(actor, flt, now, _use_fts(session))
    query = select(Case.state, func.count()).where(*where).group_by(Case.state)
    return {state: int(n) for state, n in session.execute(query).all()}


def bucket_counts(session: Session, actor: Actor, now: datetime) -> dict[str, int]:
    """How many of a handler's own cases are in each bucket (one query)."""
    query = select(
        *(
            func.coalesce(func.sum(case((bucket_clause(b), 1), else_=0)), 0).label(b)
            for b in BUCKETS
        )
    ).where(scope_clause(actor))
    row = session.execute(query).one()
    return {b: int(getattr(row, b)) for b in BUCKETS}


def deadline_counts(session: Session, actor: Actor, now: datetime) -> dict[str, int]:
    """How many cases in the actor's view are overdue and near their deadline."""
    query = select(
        func.coalesce(func.sum(case((overdue_clause(now), 1), else_=0)), 0),
        func.coalesce(func.sum(case((near_clause(now), 1), else_=0)), 0),
    ).where(scope_clause(actor), Case.state.in_(RUNNING_STATES))
    overdue, near = session.execute(query).one()
    return {"overdue": int(overdue), "near": int(near)}


# ---------------------------------------------------------------- saved filters
@dataclass(frozen=True)
class SavedFilter:
    name: str
    filter: QueueFilter


def saved_filters(session: Session, actor: Actor) -> list[SavedFilter]:
    require(actor, Permission.VIEW_CASES)
    rows = session.scalars(
        select(SavedFilterRow)
        .where(SavedFilterRow.user_id == actor.id)
        .order_by(SavedFilterRow.name)
    )
    return [SavedFilter(row.name, QueueFilter.from_payload(row.payload)) for row in rows]


def save_filter(session: Session, actor: Actor, name: str, flt: QueueFilter) -> SavedFilter:
    """Save (or replace) the actor's filter called ``name``."""
    require(actor, Permission.VIEW_CASES)
    name = require_text(
        name,
        "name",
        limit=NAME_MAX,
        empty=QT_TRANSLATE_NOOP("services", "Give the filter a name, such as 本周超期."),
        too_long=QT_TRANSLATE_NOOP(
            "services", "The name is {length} characters long; keep it under {maximum}."
        ),
    )
    payload = flt.to_payload()
    if not payload:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services", "Choose at least one condition before saving the filter."
            ),
            field="filter",
        )
    row = session.scalar(
        select(SavedFilterRow).where(
            SavedFilterRow.user_id == actor.id, SavedFilterRow.name == name
        )
    )
    if row is None:
        session.add(SavedFilterRow(user_id=actor.id, name=name, payload=payload))
    else:
        row.payload = payload
        row.updated_at = utcnow()
    session.flush()
    return SavedFilter(name, QueueFilter.from_payload(payload))


def delete_saved_filter(session: Session, actor: Actor, name: str) -> None:
    require(actor, Permission.VIEW_CASES)
    result = session.execute(
        delete(SavedFilterRow).where(
            SavedFilterRow.user_id == actor.id, SavedFilterRow.name == name
        )
    )
    if not getattr(result, "rowcount", 0):
        raise NotFound(
            QT_TRANSLATE_NOOP("services", "There is no saved filter called {name}."), name=name
        )
