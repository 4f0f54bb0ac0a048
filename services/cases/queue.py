"""The dispatch queue as SQL: the filter, sorting and pages, counts and saved filters.

Which cases a filter selects (scope, deadlines, buckets, search) is built from
the clauses of :mod:`services.cases.queue_clauses`.

Nothing here loads all cases: the screen asks for a count and for one page at
a time, sorted and filtered by the database (with a unique tie-breaker so pages
never overlap or skip rows). A page after (or before) a known row is a keyset
seek, one per segment of the order (:meth:`Ordering.segments`); a jump uses the
sampled keys of every page's last row (:func:`sample_keys`), so any page costs
what the first one does.

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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Column,
    ColumnElement,
    Select,
    and_,
    bindparam,
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
    tuple_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

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
    return list(_where_cached(actor, flt, now, use_fts))


@lru_cache(maxsize=16)
def _where_cached(
    actor: Actor, flt: QueueFilter, now: datetime, use_fts: bool
) -> tuple[ColumnElement[bool], ...]:
    """The WHERE of one queue view, built once for all its pages (clauses are immutable)."""
    return (scope_clause(actor), *flt.clauses(now, use_fts))


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


def _fill_category_rank(session: Session) -> int:
    """Fill the rank table of this connection; the number of categories."""
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
    return len(codes)


_RANK_TABLE = table(CATEGORY_RANK_TABLE, column("rank"), column("code"), schema="temp")
_CATEGORY_RANK = _RANK_TABLE.c.rank


def _with_category_join(query: Select[Any]) -> Select[Any]:
    """Drive from the small rank table in rank order, then the category index of cases."""
    return query.select_from(_RANK_TABLE.join(Case, _RANK_TABLE.c.code == Case.category_code))


ROWID: ColumnElement[int] = literal_column("cases.rowid")
_NO_DEADLINE: ColumnElement[int] = literal_column(NO_DEADLINE_SQL)


class Segment(NamedTuple):
    """Part of the rows after a known row: ``where`` holds the first ``fixed`` keys
    equal (the ORDER BY leaves them out: SQLite would sort rather than read an
    expression index whose leading expression is held equal)."""

    where: ColumnElement[bool]
    fixed: int


@dataclass(frozen=True)
class Ordering:
    """The ORDER BY of a sort: keys (expression, descending), the last one unique.

    Every key of one ordering runs in the same direction. ``nullable`` marks the
    keys that may be NULL; ``nulls_smallest`` is the engine's NULL order (SQLite:
    NULL before every value, so first ascending and last descending; PostgreSQL:
    the other way round). Keys from ``seek_from`` on may be compared together as
    one row value; the keys before it (an expression rank, the category's rank
    in its own table) are sought one value at a time.
    """

    keys: tuple[tuple[Any, bool], ...]
    category_join: bool = False
    nullable: tuple[bool, ...] = ()
    nulls_smallest: bool = True
    seek_from: int = 0

    def clauses(self, fixed: int = 0) -> list[Any]:
        """The ORDER BY, without the first ``fixed`` keys (held equal by the WHERE)."""
        return [k.desc() if desc else k.asc() for k, desc in self.keys[fixed:]]

    def reversed(self) -> Ordering:
        """The same rows the other way round (for the page before a row)."""
        return replace(self, keys=tuple((k, not d) for k, d in self.keys))

    def _nullable(self, i: int) -> bool:
        return self.nullable[i] if i < len(self.nullable) else False

    def segments(self, values: Sequence[Any]) -> list[Segment]:
        """The rows after the row whose key values are ``values``, as disjoint conditions
        in the order of the rows: each one is a single seek in the sort's index.

        Read from the last key back: the rows sharing all keys but the last come
        first, then those sharing one key fewer, and so on. Keys holding a value
        are compared together as one row value, ``(assignee_type, assignee_id) > (?, ?)``
        (the tie-breaker last of all on its own, ``… AND rowid > ?``),
        as far back as no NULLs can fall between (a row value comparison with a
        NULL in it is never true); the NULLs of a nullable key get a seek of
        their own where they come (at the end of the travel); a NULL value is
        passed by ``IS NOT NULL`` when the NULLs come first.
        """
        out: list[Segment] = []
        i = len(self.keys) - 1
        while i >= 0:
            key, desc = self.keys[i]
            nulls_at_end = desc == self.nulls_smallest
            if values[i] is None:
                if not nulls_at_end:  # the NULLs were first: every value comes after
                    out.append(Segment(and_(*self._prefix(values, i), key.is_not(None)), i))
                i -= 1
                continue
            start = i
            # The tie-breaker seeks alone: SQLite seeks a row value only on the index's
            # named columns, so (state, rowid) > (?, ?) would read every earlier case
            # of that state; state = ? AND rowid > ? starts at the row.
            while (
                i < len(self.keys) - 1
                and start > self.seek_from
                and values[start - 1] is not None
                and not (nulls_at_end and self._nullable(start))
            ):
                start -= 1
            prefix = self._prefix(values, start)
            out.append(Segment(and_(*prefix, self._beyond(values, start, i)), start))
            if nulls_at_end and self._nullable(start):
                out.append(Segment(and_(*prefix, self.keys[start][0].is_(None)), start + 1))
            i = start - 1
        return out

    def _prefix(self, values: Sequence[Any], n: int) -> list[ColumnElement[bool]]:
        return [
            k.is_(None) if v is None else k == _bound(k, v)
            for (k, _d), v in zip(self.keys[:n], values[:n], strict=True)
        ]

    def _beyond(self, values: Sequence[Any], start: int, end: int) -> ColumnElement[bool]:
        desc = self.keys[start][1]
        keys = [k for k, _d in self.keys[start : end + 1]]
        bound = [_bound(k, v) for k, v in zip(keys, values[start : end + 1], strict=True)]
        if len(keys) == 1:
            return keys[0] < bound[0] if desc else keys[0] > bound[0]
        return tuple_(*keys) < tuple_(*bound) if desc else tuple_(*keys) > tuple_(*bound)

    def after(self, values: Sequence[Any]) -> ColumnElement[bool]:
        """Rows after the row whose key values are ``values`` (all segments at once)."""
        options = [segment.where for segment in self.segments(values)]
        return or_(*options) if options else false()


def _bound(key: Any, value: Any) -> Any:
    """``value`` as a parameter of the key's type (times stored the way the column stores them)."""
    return bindparam(None, value, type_=getattr(key, "type", None))


def _is_nullable(key: Any) -> bool:
    column = getattr(key, "expression", key)
    return bool(getattr(column, "nullable", False)) and isinstance(column, Column)


def ordering(sort_key: str, descending: bool, sqlite: bool = True) -> Ordering:
    """The keys of ``sort_key``; the tie-breaker is the rowid on SQLite (in every index).

    Each order has an index whose columns are its keys (the rowid ends every
    SQLite index), so a page after a known row is one seek per segment.
    """
    column = SORT_COLUMNS.get(sort_key)
    if column is None:
        raise KeyError(sort_key)
    tie = ROWID if sqlite else Case.id
    d = descending
    seek_from = 0
    join = False
    keys: tuple[tuple[Any, bool], ...]
    if sort_key == "due":
        # Overdue first: running cases by deadline (earliest, i.e. most overdue, first).
        # The rank is an expression: sought rank by rank (ix_cases_due_rank).
        keys, seek_from = ((DUE_RANK, d), (Case.deadline, d), (tie, d)), 1
    elif sort_key == "category" and sqlite:
        keys, join = ((_CATEGORY_RANK, d), (tie, d)), True
        seek_from = 1  # the rank is in the small rank table, the rowid in the cases' index
    elif sort_key == "assignee":
        # By kind (department, grid worker, unit) and id: ix_cases_assignee_order.
        keys = ((Case.assignee_type, d), (Case.assignee_id, d), (tie, d))
    elif sort_key == "deadline":
        # Cases without a deadline go last in either direction.
        if d:  # SQLite puts NULLs last when descending already
            keys = ((Case.deadline, True), (tie, True))
        else:
            keys, seek_from = ((_NO_DEADLINE, False), (Case.deadline, False), (tie, False)), 1
    else:
        keys = ((column, d), (tie, d))
    return Ordering(
        keys,
        category_join=join,
        nullable=tuple(_is_nullable(k) for k, _d in keys),
        nulls_smallest=sqlite,
        seek_from=seek_from,
    )


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
    """One page: by ``offset``, or (keyset) the rows after the key values ``after``
    (all segments at once; :func:`page` seeks them one by one).

    The selected row ends with its sort key values (``sort_0`` …), to pass as
    ``after`` for the next page.
    """
    order = ordering(sort_key, descending, sqlite)
    extra = [order.after(after)] if after is not None else []
    return (
        _page_select(actor, flt, now, order, columns, sqlite, extra)
        .offset(0 if after is not None else offset)
        .limit(limit)
    )


def _page_select(
    actor: Actor,
    flt: QueueFilter,
    now: datetime,
    order: Ordering,
    columns: Sequence[Any],
    sqlite: bool,
    extra: Sequence[ColumnElement[bool]] = (),
    fixed: int = 0,
) -> Select[Any]:
    keys = [k.label(f"sort_{i}") for i, (k, _d) in enumerate(order.keys)]
    query = select(*columns, *keys)
    if order.category_join:
        query = _with_category_join(query)
    where = _where(actor, flt, now, sqlite)
    return query.where(*where, *extra).order_by(*order.clauses(fixed))


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
    before: Sequence[Any] | None = None,
) -> list[Any]:
    """One page of the queue: by ``offset``, or the ``limit`` rows right after the row
    whose sort key values are ``after`` (:func:`sort_values`), or right before the
    row whose values are ``before``.

    A keyset page is read segment by segment (:meth:`Ordering.segments`), each a
    seek in the sort's index reading no more rows than the page still lacks, so
    a page deep down costs what the first one does.
    """
    sqlite = _use_fts(session)
    ranks = 0
    if sort_key == "category" and sqlite:
        ranks = _fill_category_rank(session)
    order = ordering(sort_key, descending, sqlite)
    segments: list[Segment]
    if after is None and before is None:
        if not (order.category_join and offset == 0):
            query = _page_select(actor, flt, now, order, ROW_COLUMNS, sqlite)
            return list(session.connection().execute(query.offset(offset).limit(limit)).all())
        segments = _by_rank(order, None, ranks)  # the first page: from the first category on
    else:
        if before is not None:
            order, values = order.reversed(), before
        else:
            assert after is not None
            values = after
        segments = order.segments(values)
        if order.category_join:
            segments = [*segments[:-1], *_by_rank(order, values[0], ranks)]
    rows: list[Any] = []
    connection = session.connection()  # Core rows: the ORM's row loading costs more than the seek
    for segment in segments:
        query = _page_select(
            actor, flt, now, order, ROW_COLUMNS, sqlite, [segment.where], segment.fixed
        )
        rows.extend(connection.execute(query.limit(limit - len(rows))).all())
        if len(rows) >= limit:
            break
    if before is not None:
        rows.reverse()
    return rows


def _by_rank(order: Ordering, rank: int | None, ranks: int) -> list[Segment]:
    """The categories after ``rank`` (all when None) as one seek each: joined to the rank
    table, ``rank > ?`` made SQLite sort every case of a million (38 s), ``rank = ?``
    reads the category index in rowid order."""
    desc = order.keys[0][1]
    if desc:
        following = range(ranks - 1 if rank is None else rank - 1, -1, -1)
    else:
        following = range(0 if rank is None else rank + 1, ranks)
    return [Segment(_RANK_TABLE.c.rank == r, 1) for r in following]


def sort_values(row: Any, sort_key: str, descending: bool, sqlite: bool = True) -> tuple[Any, ...]:
    """The key values of a row fetched by :func:`page` (for keyset paging)."""
    n = len(ordering(sort_key, descending, sqlite).keys)
    return tuple(getattr(row, f"sort_{i}") for i in range(n))


class _unindexed(FunctionElement[Any]):  # noqa: N801 - reads as an SQL function
    """An ORDER BY key SQLite will not read from an index (``+key``): it sorts instead."""

    inherit_cache = True


@compiles(_unindexed)
def _unindexed_default(element: Any, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_unindexed, "sqlite")
def _unindexed_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"+({compiler.process(element.clauses, **kw)})"


def sample_keys(
    session: Session,
    actor: Actor,
    flt: QueueFilter,
    now: datetime,
    sort_key: str,
    descending: bool,
    every: int,
    stop: Callable[[], bool] | None = None,
) -> list[tuple[Any, ...]]:
    """The sort key values of every ``every``-th row of the sorted, filtered queue
    (rows ``every``, ``2·every`` … counted from 1): entry ``p - 1`` is the last row
    before page ``p``, so a jump to any page is one keyset seek (:func:`page` with
    ``after``).

    One query: the rows are numbered in the sort's order (``row_number()``) and
    only every ``every``-th leaves the database. The numbering sorts the
    filtered rows rather than walking the sort's index (``+key`` on SQLite):
    walking the index visits the table in index order, one random read per
    row, about four times slower on a million cases than reading the table
    through and sorting the keys. On SQLite ``stop`` is asked every 100,000
    virtual-machine steps and ends the query when it answers True (a newer
    order or filter made these samples useless): ``sqlite3.OperationalError``.
    """
    sqlite = _use_fts(session)
    if sort_key == "category" and sqlite:
        _fill_category_rank(session)
    order = ordering(sort_key, descending, sqlite)
    keys = [k.label(f"sort_{i}") for i, (k, _d) in enumerate(order.keys)]
    numbering = func.row_number().over(
        order_by=[_unindexed(k).desc() if d else _unindexed(k).asc() for k, d in order.keys]
    )
    inner = select(*keys, numbering.label("n"))
    if order.category_join:
        inner = _with_category_join(inner)
    numbered = inner.where(*_where(actor, flt, now, sqlite)).subquery()
    query = (
        select(*(numbered.c[f"sort_{i}"] for i in range(len(keys))))
        .where(numbered.c.n % every == 0)
        .order_by(numbered.c.n)
    )
    connection = session.connection()
    driver = connection.connection.driver_connection
    handler = getattr(driver, "set_progress_handler", None) if stop is not None else None
    if handler is not None and stop is not None:
        handler(lambda: 1 if stop() else 0, 100_000)
    try:
        return [tuple(row) for row in connection.execute(query)]
    finally:
        if handler is not None:
            handler(None, 0)


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

    Counts the rows before it, one seek per segment of the reversed order.
    """
    sqlite = _use_fts(session)
    if sort_key == "category" and sqlite:
        _fill_category_rank(session)
    mine = page(session, actor, flt.replace(case_ids=(case_id,)), now, sort_key, descending, 0, 1)
    if not mine:
        return None
    order = ordering(sort_key, descending, sqlite)
    values = sort_values(mine[0], sort_key, descending, sqlite)
    where = _where(actor, flt, now, sqlite)
    total = 0
    # Rows before it are the rows after it in the reversed order.
    for segment in order.reversed().segments(values):
        query = select(func.count()).select_from(Case)
        if order.category_join:
            query = _with_category_join(select(func.count()))
        total += int(session.scalar(query.where(*where, segment.where)) or 0)
    return total


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
