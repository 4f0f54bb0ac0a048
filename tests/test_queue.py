"""The dispatch queue's SQL against plain SQL on a demo district: paging (offset and
keyset), sorting on every column, every filter and the full-text search; saved
filters, alerts and the refusals of the action services, with their messages."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pypinyin
import pytest
from sqlalchemy import select, update

from models.db import DB_FILENAME, Database, open_database
from models.enums import CaseState
from models.queue import Attachment, QueueAlert
from models.tables import Case, CaseEvent
from models.types import utcnow
from services.cases import actions as case_actions
from services.cases import alerts, queue
from services.cases import records as cases_service
from services.cases.permissions import Actor
from services.errors import IllegalTransition, PermissionDenied, ValidationError
from services.worktime.workdays import load_calendar
from tests.builders import actor

MID_CASES = int(os.environ.get("GRIDDESK_QUEUE_TEST_CASES", "4000"))


def _build(folder: Path, cases: int) -> Path:
    from services.demo.generator import seed_demo

    database = open_database(folder)
    seed_demo(database, cases=cases, seed=7)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return folder


@pytest.fixture(scope="session")
def mid_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("queue-mid"), MID_CASES)


@pytest.fixture(scope="session")
def big_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("queue-100k"), 100_000)


def _open(template: Path) -> Iterator[Database]:
    database = open_database(template)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def mid_db(mid_template: Path) -> Iterator[Database]:
    yield from _open(mid_template)


# ---------------------------------------------------------------- plain SQL twin
SCOPE = (
    "((org_unit_id >= :u AND org_unit_id < :u || ':') OR (escalated_to >= :u AND escalated_to < :u || ':')"
    " OR (assignee_type = 'org_unit' AND assignee_id >= :u AND assignee_id < :u || ':'))"
)
RANK = (
    "CASE WHEN state IN ('dispatched','acknowledged','handled') THEN 0 "
    "WHEN state IN ('registered','returned','escalated') THEN 1 WHEN state = 'suspended' THEN 2 ELSE 3 END"
)
ORDERS = {
    ("created_at", True): "created_at DESC, rowid DESC",
    ("number", False): "number, rowid",
    ("title", False): "title, rowid",
    ("title", True): "title DESC, rowid DESC",
    ("state", False): "state, rowid",
    ("urgency", True): "urgency DESC, rowid DESC",
    ("org_unit", False): "org_unit_id, rowid",
    ("assignee", False): "assignee_type, assignee_id, rowid",
    ("due", False): f"{RANK}, deadline, rowid",
    ("due", True): f"{RANK} DESC, deadline DESC, rowid DESC",
    ("deadline", False): "deadline IS NULL, deadline, rowid",
    ("deadline", True): "deadline DESC, rowid DESC",
    ("category", False): "cat_rank, rowid",
}


def plain(path: Path, where: str, order: str, params: dict, offset: int, limit: int) -> list[str]:
    conn = sqlite3.connect(path / DB_FILENAME)
    try:
        names = conn.execute("SELECT code, name FROM categories").fetchall()
        ranked = sorted(names, key=lambda r: ("".join(pypinyin.lazy_pinyin(r[1])), r[0]))
        rank_sql = "CASE category_code " + " ".join(
            f"WHEN '{code}' THEN {i}" for i, (code, _n) in enumerate(ranked)
        )
        rank_sql += " END"
        sql = (
            f"SELECT id FROM (SELECT cases.*, cases.rowid AS rowid, {rank_sql} AS cat_rank FROM cases) "
            f"WHERE {SCOPE} AND {where} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
        )
        return [r[0] for r in conn.execute(sql, params)]
    finally:
        conn.close()


def coordinator(db: Database) -> Actor:
    with db.sessions() as session:
        return actor(session, "coordinator")


def ids(rows: list) -> list[str]:
    return [r.id for r in rows]


def _check_sorts_and_pages(db: Database, path: Path, deep: int) -> None:
    me = coordinator(db)
    now = utcnow()
    flt = queue.QueueFilter()
    with db.sessions() as session:
        total = queue.count(session, me, flt, now)
        for (key, desc), order in ORDERS.items():
            for offset in (0, deep):
                got = queue.page(session, me, flt, now, key, desc, offset, 50)
                expected = plain(path, "1", order, {"u": me.org_unit_id}, offset, 50)
                assert ids(got) == expected, (key, desc, offset)
                # The next page by keyset is the same as by offset.
                after = queue.sort_values(got[-1], key, desc)
                by_key = queue.page(session, me, flt, now, key, desc, after=after, limit=50)
                by_offset = queue.page(session, me, flt, now, key, desc, offset + 50, 50)
                assert ids(by_key) == ids(by_offset), (key, desc, offset)
            probe = got[17].id
            assert queue.row_position(session, me, flt, now, probe, key, desc) == deep + 17
    conn = sqlite3.connect(path / DB_FILENAME)
    expected_total = conn.execute(
        f"SELECT count(*) FROM cases WHERE {SCOPE}", {"u": me.org_unit_id}
    ).fetchone()[0]
    conn.close()
    assert total == expected_total > deep


def test_sorting_and_paging_match_plain_sql(mid_db: Database, mid_template: Path) -> None:
    _check_sorts_and_pages(mid_db, mid_template, deep=MID_CASES // 3)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_sorting_and_paging_match_plain_sql_on_100k_cases(big_template: Path) -> None:
    for database in _open(big_template):
        _check_sorts_and_pages(database, big_template, deep=40_000)


FILTERS = [
    (
        queue.QueueFilter(states=("dispatched", "acknowledged")),
        "state IN ('dispatched','acknowledged')",
    ),
    (
        queue.QueueFilter(overdue_only=True),
        "state IN ('dispatched','acknowledged','handled') AND deadline < :now",
    ),
    (
        queue.QueueFilter(near_only=True),
        "state IN ('dispatched','acknowledged','handled') AND deadline >= :now AND dispatched_at IS NOT NULL"
        " AND julianday(deadline) - julianday(:now) < (julianday(deadline) - julianday(dispatched_at)) / 4",
    ),
    (queue.QueueFilter(category_codes=("0601", "1002")), "category_code IN ('0601','1002')"),
    (queue.QueueFilter(urgency="urgent"), "urgency = 'urgent'"),
    (queue.QueueFilter(source="hotline"), "source = 'hotline'"),
    (queue.QueueFilter(supervised_only=True), "supervise_count > 0"),
    (queue.QueueFilter(org_unit_prefix="990101001002"), "org_unit_id LIKE '990101001002%'"),
    (
        queue.QueueFilter(assignee_type="department", assignee_id="dept_huanwei"),
        "assignee_type = 'department' AND assignee_id = 'dept_huanwei'",
    ),
    (
        queue.QueueFilter(text="垃圾清运"),
        "(title LIKE '%垃圾清运%' OR description LIKE '%垃圾清运%' OR number LIKE '%垃圾清运%' OR address LIKE '%垃圾清运%')",
    ),
    (
        queue.QueueFilter(text="电梯"),  # two characters: no trigram, LIKE only
        "(title LIKE '%电梯%' OR description LIKE '%电梯%' OR number LIKE '%电梯%' OR address LIKE '%电梯%')",
    ),
    (
        queue.QueueFilter(text="楼道内 杂物"),
        "(title LIKE '%楼道内%' OR description LIKE '%楼道内%' OR address LIKE '%楼道内%')"
        " AND (title LIKE '%杂物%' OR description LIKE '%杂物%' OR address LIKE '%杂物%')",
    ),
]


@pytest.mark.parametrize(("flt", "where"), FILTERS, ids=lambda v: str(v)[:40])
def test_filters_match_plain_sql(
    mid_db: Database, mid_template: Path, flt: queue.QueueFilter, where: str
) -> None:
    me = coordinator(mid_db)
    now = utcnow()
    stored_now = now.replace(tzinfo=None).isoformat(sep=" ")
    with mid_db.sessions() as session:
        got = queue.page(session, me, flt, now, "due", False, 0, 10_000)
        n = queue.count(session, me, flt, now)
    expected = plain(
        mid_template,
        where,
        ORDERS[("due", False)],
        {"u": me.org_unit_id, "now": stored_now},
        0,
        10_000,
    )
    assert ids(got) == expected
    assert n == len(expected)
    if flt.text or flt.states or flt.overdue_only:
        assert n > 0  # the demo district holds such cases: the comparison means something


def test_search_index_follows_changes_and_survives_a_lost_trigger(db: Database) -> None:
    from tests.builders import GRID, load_demo_reference

    load_demo_reference(db)
    with db.session() as session:
        me = actor(session, "coordinator")
        case = cases_service.create_case(
            session,
            me,
            title="井盖破损需要更换",
            description="人民街与胜利路交叉口",
            category_code="0101",
            org_unit_id=GRID,
        )
    now = utcnow()
    with db.sessions() as session:
        assert ids(queue.page(session, me, queue.QueueFilter(text="胜利路"), now)) == [case.id]
        assert ids(queue.page(session, me, queue.QueueFilter(text="破损"), now)) == [case.id]
        assert queue.page(session, me, queue.QueueFilter(text="路灯不亮"), now) == []
        number_tail = case.number[-6:]
        assert ids(queue.page(session, me, queue.QueueFilter(text=number_tail), now)) == [case.id]
    with db.session() as session:  # a batch migration copying cases would drop the triggers
        session.execute(update(Case).where(Case.id == case.id).values(title="路灯不亮"))
        session.connection().exec_driver_sql("DROP TRIGGER cases_fts_au")
    with db.session() as session:
        assert queue.ensure_search_index(session) is True
    with db.sessions() as session:
        assert ids(queue.page(session, me, queue.QueueFilter(text="路灯不亮"), now)) == [case.id]
        assert queue.search_index_ready(session)


def test_saved_filters_are_per_user_and_round_trip(mid_db: Database) -> None:
    me = coordinator(mid_db)
    with mid_db.sessions() as session:
        other = actor(session, "coordinator2")
    flt = queue.QueueFilter(
        states=("dispatched",),
        overdue_only=True,
        text="井盖",
        created_from=utcnow() - timedelta(days=7),
        category_codes=("01", "0101"),
    )
    with mid_db.session() as session:
        queue.save_filter(session, me, "本周超期", flt)
        queue.save_filter(session, me, "本周超期", flt.replace(text="路灯"))  # replaces
    with mid_db.sessions() as session:
        mine = queue.saved_filters(session, me)
        assert [s.name for s in mine] == ["本周超期"]
        assert mine[0].filter == flt.replace(text="路灯")
        assert queue.saved_filters(session, other) == []
    with mid_db.session() as session, pytest.raises(ValidationError) as err:
        queue.save_filter(session, me, "  ", flt)
    assert err.value.field == "name"
    with mid_db.session() as session, pytest.raises(ValidationError) as err:
        queue.save_filter(session, me, "空", queue.QueueFilter())
    assert "condition" in str(err.value)
    with mid_db.session() as session:
        queue.delete_saved_filter(session, me, "本周超期")


def test_alerts_are_raised_once_per_case_kind_and_deadline(mid_db: Database) -> None:
    me = coordinator(mid_db)
    now = utcnow()
    every = 10**6  # every raised case's number, not a sample
    with mid_db.session() as session:
        first = alerts.raise_alerts(session, me, now, sample=every)
    with mid_db.sessions() as session:
        overdue = queue.count(session, me, queue.QueueFilter(overdue_only=True), now)
        near = queue.count(session, me, queue.QueueFilter(near_only=True), now)
    assert (first.overdue, first.near) == (overdue, near)
    assert first.overdue > 0 and len(first.numbers) == first.total
    # Never the same alert twice: nothing at the same instant, and none of these cases
    # five minutes later (the demo follows the clock, so a case may come near its
    # deadline in those five minutes: that one is a new alert).
    with mid_db.session() as session:
        assert alerts.raise_alerts(session, me, now).total == 0
        soon = alerts.raise_alerts(session, me, now + timedelta(minutes=5), sample=every)
    assert not set(soon.numbers) & set(first.numbers)
    # An extension gives a new deadline: when that one passes, it alerts again.
    with mid_db.sessions() as session:
        # An overdue case of the coordinator's own street (the demo follows the clock, so
        # which cases are overdue, and where, changes from run to run).
        case = session.scalar(
            select(Case)
            .where(
                Case.state.in_([CaseState.DISPATCHED, CaseState.ACKNOWLEDGED]),
                Case.deadline < now,
                Case.org_unit_id.startswith(str(me.org_unit_id)),
            )
            .order_by(Case.id)
            .limit(1)
        )
        assert case is not None
    with mid_db.session() as session:
        case_actions.extend(session, me, case.id, now + timedelta(hours=1), "等待材料")
    with mid_db.session() as session:
        later = alerts.raise_alerts(session, me, now + timedelta(hours=2))
        assert later.overdue >= 1
        assert alerts.unseen_count(session, me) == first.total + soon.total + later.total
        assert alerts.mark_seen(session, me, [case.id]) >= 1
        kinds = session.scalars(select(QueueAlert.kind).where(QueueAlert.case_id == case.id)).all()
        assert kinds.count("overdue") == 2


# ---------------------------------------------------------------- refusals
@pytest.fixture
def small(db: Database) -> Database:
    from tests.builders import load_demo_reference

    load_demo_reference(db)
    return db


def _new_case(db: Database, title: str = "楼道堆放杂物") -> str:
    from tests.builders import GRID

    with db.session() as session:
        me = actor(session, "coordinator")
        return cases_service.create_case(
            session,
            me,
            title=title,
            description="",
            category_code="1503",
            org_unit_id=GRID,
        ).id


def test_refusals_for_roles_and_illegal_transitions_with_their_messages(small: Database) -> None:
    case_id = _new_case(small)
    calendar = None
    with small.sessions() as session:
        calendar = load_calendar(session)
        dept = actor(session, "dept_wuye")
        other_dept = actor(session, "dept_huanwei")
        coord = actor(session, "coordinator")
        official = actor(session, "official")
        reception = actor(session, "reception")
    with small.session() as session, pytest.raises(PermissionDenied) as err:
        case_actions.dispatch_cases(session, dept, calendar, [case_id], "department", "dept_wuye")
    assert "may not dispatch cases" in str(err.value)
    with small.session() as session, pytest.raises(IllegalTransition) as err:
        case_actions.verify(session, coord, case_id, True)
    assert "registered" in str(err.value) and "Allowed now: dispatch" in str(err.value)
    with small.session() as session:
        preview = case_actions.preview_dispatch(session, coord, calendar, [case_id])
        assert preview[0].error is None and preview[0].deadline > preview[0].ack_deadline
        case_actions.dispatch_cases(session, coord, calendar, [case_id], "department", "dept_wuye")
    with small.session() as session, pytest.raises(PermissionDenied) as err:
        case_actions.acknowledge(session, other_dept, case_id)
    assert "not assigned to you" in str(err.value)
    with small.session() as session, pytest.raises(PermissionDenied) as err:
        case_actions.void(session, reception, case_id, "重复")
    assert "may not void cases" in str(err.value)
    with small.session() as session, pytest.raises(ValidationError) as err:
        case_actions.return_case(session, dept, case_id, "  ")
    assert err.value.field == "reason"
    with small.session() as session, pytest.raises(IllegalTransition) as err:
        case_actions.feedback(session, dept, case_id, "已清理")
    assert "dispatched" in str(err.value)
    with small.session() as session:
        case_actions.acknowledge(session, dept, case_id)
    with small.session() as session, pytest.raises(ValidationError) as err:
        case_actions.extend(session, coord, case_id, utcnow() - timedelta(hours=1), "等待")
    assert err.value.field == "new_deadline"
    with small.session() as session:
        case_actions.supervise(session, official, case_id, "请加快办理")
    with small.session() as session, pytest.raises(ValidationError) as err:
        case_actions.void(session, coord, case_id, "重复", duplicate_of=case_id)
    assert err.value.field == "duplicate_of"
    with small.session() as session:
        preview = case_actions.preview_dispatch(session, coord, calendar, [case_id])
    assert isinstance(preview[0].error, IllegalTransition)


def test_feedback_copies_attachments_into_the_data_folder(small: Database, tmp_path: Path) -> None:
    case_id = _new_case(small)
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"x" * 5000)
    with small.sessions() as session:
        calendar = load_calendar(session)
        dept = actor(session, "dept_wuye")
        coord = actor(session, "coordinator")
    folder = tmp_path / "data" / "attachments"
    with small.session() as session:
        case_actions.dispatch_cases(session, coord, calendar, [case_id], "department", "dept_wuye")
        case_actions.acknowledge(session, dept, case_id)
        with pytest.raises(ValidationError) as err:
            case_actions.feedback(
                session, dept, case_id, "已清理", [tmp_path / "missing.jpg"], folder
            )
        assert err.value.field == "attachments"
    with small.session() as session:
        case_actions.feedback(session, dept, case_id, "杂物已清理", [photo], folder)
    with small.sessions() as session:
        row = session.scalar(select(Attachment).where(Attachment.case_id == case_id))
        event = session.scalar(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.type == "feedback")
        )
    assert row is not None and event is not None
    import hashlib

    sha = hashlib.sha256(photo.read_bytes()).hexdigest()
    assert event.data["attachments"] == [
        {"sha256": sha, "file_name": "现场照片.jpg", "size": 5003, "content_type": "image/jpeg"}
    ]
    assert (folder / row.stored_name).read_bytes() == photo.read_bytes()
    assert row.event_id == event.id
