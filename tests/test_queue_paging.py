"""Keyset paging of the queue against a plain ORDER BY … OFFSET, page by page.

On a demo district whose cases are partly copied (so every sort key has ties,
deadlines and timestamps equal to the second) with some running cases left
without a deadline, every sort order in both directions, under several filters
and the search, must give the very same pages whether a page is reached by
offset, by seeking past the previous page, by seeking back from the next page
or by a jump through the sampled keys; the queries must be seeks in an index.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from models.db import DB_FILENAME, Database, open_database
from models.tables import Case
from models.types import utcnow
from services.cases import queue
from services.cases.permissions import Actor
from tests.builders import actor

BASE_CASES = 1500
COPIES = 2
PAGE = 97  # an odd size, so pages end in the middle of runs of equal keys
SMALL_PAGE = 11  # for a filter that leaves fewer rows

ORDERS = [(key, desc) for key in queue.SORT_COLUMNS for desc in (False, True)]


def _copy_cases(path: Path, copies: int) -> None:
    """Copy every case ``copies`` times (new id and number, all else equal) and take the
    deadline from some running cases: ties in every key, NULLs inside each rank."""
    conn = sqlite3.connect(path)
    try:
        cols = [row[1] for row in conn.execute("PRAGMA table_info(cases)")]
        values = [
            "printf('%08x', :n) || substr(id, 9)"
            if c == "id"
            else "number || '-' || :n"
            if c == "number"
            else c
            for c in cols
        ]
        base = conn.execute("SELECT max(rowid) FROM cases").fetchone()[0]
        for n in range(1, copies + 1):
            conn.execute(
                f"INSERT INTO cases ({', '.join(cols)}) SELECT {', '.join(values)} "
                "FROM cases WHERE rowid <= :base ORDER BY rowid",
                {"n": n, "base": base},
            )
        conn.execute(
            "UPDATE cases SET deadline = NULL WHERE rowid % 37 = 0"
            " AND state IN ('dispatched', 'acknowledged', 'handled')"
        )
        conn.commit()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def tie_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    from services.demo.generator import seed_demo

    folder = tmp_path_factory.mktemp("queue-ties")
    database = open_database(folder)
    seed_demo(database, cases=BASE_CASES, seed=17)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    _copy_cases(folder / DB_FILENAME, COPIES)
    database = open_database(folder)
    yield database
    database.dispose()


def _ids(rows: list) -> list[str]:
    return [r.id for r in rows]


def _filters(session) -> list[queue.QueueFilter]:  # type: ignore[no-untyped-def]
    codes = tuple(
        session.execute(
            select(Case.category_code)
            .group_by(Case.category_code)
            .order_by(func.count().desc())
            .limit(2)
        ).scalars()
    )
    return [
        queue.QueueFilter(),
        queue.QueueFilter(overdue_only=True),
        queue.QueueFilter(states=("registered", "closed", "acknowledged")),
        queue.QueueFilter(category_codes=codes),
        queue.QueueFilter(text="垃圾"),
    ]


def _check_order(session, me: Actor, flt: queue.QueueFilter, now, key: str, desc: bool) -> int:  # type: ignore[no-untyped-def]
    """Every page by every route against the offset reference; the number of pages."""
    if key == "category":
        queue._fill_category_rank(session)
    plain = queue.page_query(me, flt, now, key, desc, 0, 1_000_000)  # one ORDER BY, no seeks
    reference = _ids(list(session.execute(plain)))
    assert len(reference) == queue.count(session, me, flt, now)
    assert len(set(reference)) == len(reference)
    size = PAGE if len(reference) > 5 * PAGE else SMALL_PAGE
    pages = [reference[i : i + size] for i in range(0, len(reference), size)]
    where = (key, desc, flt)

    # Offset pages are slices of the one ORDER BY (the reference holds together).
    for number in (0, len(pages) // 2, len(pages) - 1):
        assert (
            _ids(queue.page(session, me, flt, now, key, desc, number * size, size)) == pages[number]
        ), where

    # Forward: each page seeks past the last row of the one before.
    rows = queue.page(session, me, flt, now, key, desc, 0, size)
    for number, expected in enumerate(pages):
        assert _ids(rows) == expected, (*where, "forward", number)
        rows = queue.page(
            session,
            me,
            flt,
            now,
            key,
            desc,
            after=queue.sort_values(rows[-1], key, desc),
            limit=size,
        )
    assert rows == [], where

    # Backward: each page seeks back from the first row of the one after.
    rows = queue.page(session, me, flt, now, key, desc, (len(pages) - 1) * size, size)
    for number in range(len(pages) - 1, 0, -1):
        assert _ids(rows) == pages[number], (*where, "backward", number)
        rows = queue.page(
            session,
            me,
            flt,
            now,
            key,
            desc,
            before=queue.sort_values(rows[0], key, desc),
            limit=size,
        )
    assert _ids(rows) == pages[0], where

    # Jumps: the sampled key of the row before each page, then one seek.
    samples = queue.sample_keys(session, me, flt, now, key, desc, size)
    assert len(samples) == len(reference) // size, where
    for number in range(1, len(pages)):
        got = queue.page(session, me, flt, now, key, desc, after=samples[number - 1], limit=size)
        assert _ids(got) == pages[number], (*where, "jump", number)

    # The row number of a case counts the rows before it, segment by segment.
    for row in (0, len(reference) // 3, len(reference) - 1):
        case_id = reference[row]
        assert queue.row_position(session, me, flt, now, case_id, key, desc) == row, where
    return len(pages)


@pytest.mark.timeout(900)
def test_every_page_of_every_order_matches_offset_paging(tie_db: Database) -> None:
    now = utcnow()
    with tie_db.sessions() as session:
        me = actor(session, "coordinator")
        filters = _filters(session)
        assert queue.count(session, me, queue.QueueFilter(), now) > BASE_CASES  # copies in it
        for flt in filters:
            assert queue.count(session, me, flt, now) > 3 * SMALL_PAGE, flt  # several pages each
            for key, desc in ORDERS:
                _check_order(session, me, flt, now, key, desc)


def test_a_department_pages_its_own_cases_the_same_way(tie_db: Database) -> None:
    now = utcnow()
    with tie_db.sessions() as session:
        me = actor(session, "dept_huanwei")
        assert queue.count(session, me, queue.QueueFilter(), now) > 2 * PAGE
        for key, desc in (("due", False), ("due", True), ("assignee", False), ("title", True)):
            _check_order(session, me, queue.QueueFilter(), now, key, desc)


def test_the_segments_of_a_null_deadline_inside_a_rank() -> None:
    """Overdue first, after a running case without a deadline: the rest of the NULLs
    of its rank, then the deadlines of its rank, then the later ranks — three seeks."""
    order = queue.ordering("due", False)
    segments = order.segments((0, None, 42))
    compiled = [s.where.compile() for s in segments]
    sql = [str(c) for c in compiled]
    assert len(sql) == 3
    assert "deadline IS NULL" in sql[0] and "cases.rowid >" in sql[0]
    assert sorted(compiled[0].params.values()) == [0, 42]
    assert "deadline IS NOT NULL" in sql[1] and "rowid" not in sql[1]
    assert sql[2].startswith("CASE WHEN") and " > " in sql[2] and "deadline" not in sql[2]
    assert [s.fixed for s in segments] == [2, 1, 0]
    # Descending, after a deadline: the rest of its rank's deadlines, then its NULLs, then lower ranks.
    values = (0, utcnow(), 42)
    segments = queue.ordering("due", True).segments(values)
    assert len(segments) == 4
    assert "cases.rowid <" in str(segments[0].where)  # the tie-breaker seeks alone
    assert "cases.deadline <" in str(segments[1].where)
    assert "deadline IS NULL" in str(segments[2].where)


def test_keyset_pages_are_index_seeks(tie_db: Database) -> None:
    """No page after a known row sorts or scans the table: each segment is a SEARCH
    in an index, in the index's order."""
    plans: list[str] = []

    def explain(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().startswith("SELECT cases.id"):
            rows = cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            plans.append(" | ".join(row[-1] for row in rows))

    now = utcnow()
    with tie_db.sessions() as session:
        me = actor(session, "coordinator")
        for key, desc in ORDERS:
            middle = queue.page(session, me, queue.QueueFilter(), now, key, desc, 2000, 1)
            values = queue.sort_values(middle[0], key, desc)
            event.listen(tie_db.engine, "before_cursor_execute", explain)
            try:
                plans.clear()
                queue.page(
                    session, me, queue.QueueFilter(), now, key, desc, after=values, limit=PAGE
                )
                queue.page(
                    session, me, queue.QueueFilter(), now, key, desc, before=values, limit=PAGE
                )
            finally:
                event.remove(tie_db.engine, "before_cursor_execute", explain)
            assert plans, (key, desc)
            for plan in plans:
                assert "TEMP B-TREE" not in plan, (key, desc, plan)
                assert "SCAN cases" not in plan, (key, desc, plan)
                assert "USING INDEX" in plan, (key, desc, plan)


def test_sampling_stops_when_asked_and_the_connection_stays_usable(tie_db: Database) -> None:
    now = utcnow()
    with tie_db.sessions() as session:
        me = actor(session, "coordinator")
        flt = queue.QueueFilter()
        with pytest.raises(OperationalError, match="interrupted"):
            queue.sample_keys(session, me, flt, now, "due", False, PAGE, stop=lambda: True)
    with tie_db.sessions() as session:
        asked: list[int] = []

        def never() -> bool:
            asked.append(1)
            return False

        samples = queue.sample_keys(session, me, flt, now, "due", False, PAGE, stop=never)
        assert len(samples) == queue.count(session, me, flt, now) // PAGE
        assert queue.page(session, me, flt, now, "due", False, 0, 3)  # no handler left behind


def test_segments_where_nulls_sort_last_ascending() -> None:
    """PostgreSQL's NULL order (last ascending): after a department, the rest of its ids,
    then its cases without an id, then the later kinds, then the cases without a kind."""
    order = queue.ordering("assignee", False, sqlite=False)
    where = [str(s.where.compile()) for s in order.segments(("department", "dept_a", "id-1"))]
    assert len(where) == 5
    assert "assignee_id =" in where[0] and "cases.id >" in where[0]
    assert "assignee_type =" in where[1] and "cases.assignee_id >" in where[1]
    assert "assignee_type =" in where[2] and "assignee_id IS NULL" in where[2]
    assert where[3] == "cases.assignee_type > :param_1"
    assert where[4] == "cases.assignee_type IS NULL"
