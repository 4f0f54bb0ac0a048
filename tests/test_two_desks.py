"""Two desks, one county (docs/sync-rules.md): the county's order decides, the
losing desk keeps its refused step in the history (marked, struck through,
counted nowhere), both desks end with the same case, and nothing is lost.
Also: a case refused for its number gets a new one, audited, with a new receipt.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from models.tables import AuditEntry, Case, CaseEvent, OutboxItem, SyncState
from models.types import utcnow
from services import sync
from services.cases import actions
from services.cases.detail import case_detail
from services.cases.permissions import Actor
from services.cases.records import dispatch
from services.errors import ValidationError
from services.reception.labels import Outcome
from services.reception.receipt import receipt_data
from services.reception.validation import VisitInput, VisitorInput
from services.reception.visits import register_visit
from services.reports.assessment import assess
from services.reports.periods import half_month_of
from services.worktime.workdays import load_calendar
from tests.sync_harness import Desktop, ServerThread, demo_server_db, fresh_server_url
from tests.test_sync import (
    BACKENDS,
    _actor,
    _category,
    assert_same_case,
    case_state,
    event_ids,
    new_case,
)

DEPT_A, DEPT_B = "dept_chengguan", "dept_huanwei"


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerThread]:
    with fresh_server_url(request.param, tmp_path) as url:
        db = demo_server_db(url)
        with ServerThread(db) as running:
            yield running
        db.dispose()


def _dispatch_to(desk: Desktop, case_id: str, department: str, user: str = "coordinator") -> None:
    who = _actor(desk.db, user)
    with desk.db.session() as session:
        dispatch(session, who, load_calendar(session), case_id, "department", department)


def _act(desk: Desktop, user: str, work: Callable[[Any, Actor], Any]) -> None:
    who = _actor(desk.db, user)
    with desk.db.session() as session:
        work(session, who)


def _two_desks(
    server: ServerThread, tmp_path: Path, user_a: str, user_b: str
) -> tuple[Desktop, Desktop]:
    a = Desktop.create(tmp_path / "a", server.url)
    b = Desktop.create(tmp_path / "b", server.url)
    a.login(user_a)
    b.login(user_b)
    if user_a != "coordinator":
        a.login("coordinator")
    return a, b


def _history(db: Any, case_id: str) -> list[str]:
    """The case's accepted events in the county's order."""
    with db.sessions() as session:
        return list(
            session.scalars(
                select(CaseEvent.id)
                .where(CaseEvent.case_id == case_id, CaseEvent.rejected_code.is_(None))
                .order_by(CaseEvent.server_seq, CaseEvent.seq)
            )
        )


def _server_history(server: ServerThread, case_id: str) -> list[str]:
    with server.db.sessions() as session:
        return list(
            session.scalars(
                select(CaseEvent.id).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
            )
        )


def _rejected_events(db: Any, case_id: str) -> list[CaseEvent]:
    with db.sessions() as session:
        return list(
            session.scalars(
                select(CaseEvent).where(
                    CaseEvent.case_id == case_id, CaseEvent.rejected_code.is_not(None)
                )
            )
        )


def _settle(first: Desktop, second: Desktop) -> tuple[Any, Any]:
    """First pushes, then second; then both pull until quiet."""
    one = first.sync()
    two = second.sync()
    first.sync()
    second.sync()
    return one, two


def _nothing_lost(desk: Desktop, server: ServerThread) -> None:
    """Every event this desk recorded is at the county or kept here, marked refused."""
    with desk.db.sessions() as local, server.db.sessions() as county:
        held = set(county.scalars(select(CaseEvent.id)))
        for event in local.scalars(select(CaseEvent)):
            if event.rejected_code is None:
                assert event.id in held, f"{event.type} {event.id} never reached the county"
            else:
                assert event.id not in held
                assert event.rejected_message
        outbox = dict(
            local.execute(select(OutboxItem.status, func.count()).group_by(OutboxItem.status)).all()
        )
        assert outbox.get("pending", 0) == 0


# ---------------------------------------------------------------- the three conflicts
@pytest.mark.parametrize("a_first", [True, False], ids=["a_first", "b_first"])
def test_two_dispatches_the_later_at_the_county_wins(
    server: ServerThread, tmp_path: Path, a_first: bool
) -> None:
    """Both are allowed (a dispatched case may be dispatched again): the county's order decides."""
    a, b = _two_desks(server, tmp_path, "coordinator", "coordinator")
    case_id = new_case(a)
    a.sync()
    b.sync()
    _dispatch_to(a, case_id, DEPT_A)
    _dispatch_to(b, case_id, DEPT_B)
    one, two = _settle(a, b) if a_first else _settle(b, a)
    assert one.rejected == [] and two.rejected == []
    last = DEPT_B if a_first else DEPT_A
    for desk in (a, b):
        with desk.db.sessions() as session:
            case = session.get(Case, case_id)
            assert case is not None and (case.state, case.assignee_id) == ("dispatched", last)
        assert _history(desk.db, case_id) == _server_history(server, case_id)
        assert_same_case(server.db, desk, case_id)
        _nothing_lost(desk, server)


@pytest.mark.parametrize("return_first", [True, False], ids=["return_first", "feedback_first"])
def test_a_return_and_a_feedback_the_first_wins(
    server: ServerThread, tmp_path: Path, return_first: bool
) -> None:
    a, b = _two_desks(server, tmp_path, "dept_chengguan", "dept_chengguan")
    case_id = new_case(a)
    _dispatch_to(a, case_id, DEPT_A)
    _act(a, "dept_chengguan", lambda s, w: actions.acknowledge(s, w, case_id))
    a.sync()
    b.sync()
    assert case_state(b.db, case_id) == "acknowledged"
    _act(a, "dept_chengguan", lambda s, w: actions.return_case(s, w, case_id, "不属于本部门职责"))
    _act(b, "dept_chengguan", lambda s, w: actions.feedback(s, w, case_id, "井盖已补装"))
    winner, loser = (a, b) if return_first else (b, a)
    _won, lost = _settle(winner, loser)
    assert [(r.code, r.kind) for r in lost.rejected] == [("illegal_transition", "case_event")]
    state = "returned" if return_first else "handled"
    for desk in (a, b):
        assert case_state(desk.db, case_id) == state
        assert _history(desk.db, case_id) == _server_history(server, case_id)
        assert_same_case(server.db, desk, case_id)
        _nothing_lost(desk, server)
    # The losing step stays in the loser's history, marked with the county's answer,
    # and shows on its sync screen; the winner holds nothing refused.
    refused = _rejected_events(loser.db, case_id)
    assert [e.type for e in refused] == ["feedback" if return_first else "returned"]
    assert refused[0].rejected_code == "illegal_transition" and refused[0].rejected_message
    assert _rejected_events(winner.db, case_id) == []
    with loser.db.sessions() as session:
        items = sync.rejected_items(session)
        assert [i.item_id for i in items] == [refused[0].id]
        detail = case_detail(session, _actor(loser.db, "coordinator"), case_id)
    struck = [entry for entry in detail.timeline if entry.rejected]
    assert [entry.event_id for entry in struck] == [refused[0].id]
    assert struck[0].rejected_code == "illegal_transition"
    # It stays through later rounds, and is never pushed again by itself.
    assert loser.sync().pushed == 0
    assert len(_rejected_events(loser.db, case_id)) == 1


@pytest.mark.parametrize("void_first", [True, False], ids=["void_first", "comment_first"])
def test_a_void_and_a_comment_both_stand(
    server: ServerThread, tmp_path: Path, void_first: bool
) -> None:
    """A comment fits a registered case and a voided one: both are kept, in the county's order."""
    a, b = _two_desks(server, tmp_path, "coordinator", "coordinator")
    case_id = new_case(a)
    a.sync()
    b.sync()
    _act(a, "coordinator", lambda s, w: actions.void(s, w, case_id, "重复受理"))
    _act(b, "coordinator", lambda s, w: actions.comment(s, w, case_id, "已电话联系居民"))
    one, two = _settle(a, b) if void_first else _settle(b, a)
    assert one.rejected == [] and two.rejected == []
    for desk in (a, b):
        assert case_state(desk.db, case_id) == "voided"
        history = _history(desk.db, case_id)
        assert history == _server_history(server, case_id) and len(history) == 3
        assert_same_case(server.db, desk, case_id)
        _nothing_lost(desk, server)


# ---------------------------------------------------------------- refused steps count nowhere
def test_a_refused_step_counts_nowhere_and_a_resend_brings_it_back(
    server: ServerThread, tmp_path: Path
) -> None:
    a, b = _two_desks(server, tmp_path, "coordinator", "coordinator")
    case_id = new_case(a)
    a.sync()
    b.sync()
    _act(a, "coordinator", lambda s, w: actions.void(s, w, case_id, "重复受理"))
    _dispatch_to(b, case_id, DEPT_A)
    assert case_state(b.db, case_id) == "dispatched"  # before the county answers
    a.sync()
    assert b.sync().rejected
    assert case_state(b.db, case_id) == "voided"  # the refused dispatch is left out
    with b.db.sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.assignee_id is None and case.deadline is None
        calendar = load_calendar(session)
    # The figures do not count the refused dispatch either.
    with b.db.sessions() as session:
        created_at = session.get(Case, case_id).created_at  # type: ignore[union-attr]
        figures = assess(
            session,
            _actor(b.db, "coordinator"),
            half_month_of(created_at),
            calendar,
            now=utcnow(),
        )
    assert figures.totals.created == 1 and figures.totals.dispatched == 0
    # Sending it again is a person's choice: the mark goes, the step counts again until
    # the county answers (here: refused again, marked again).
    with b.db.session() as session:
        item = sync.rejected_items(session)[0]
        sync.retry_rejected(session, _actor(b.db, "coordinator"), item.seq)
    assert _rejected_events(b.db, case_id) == []
    assert case_state(b.db, case_id) == "voided"  # the county's void comes first
    assert [r.code for r in b.sync().rejected] == ["illegal_transition"]
    assert [e.id for e in _rejected_events(b.db, case_id)] == [item.item_id]
    # Discard keeps it, marked; the audit log says who discarded it and why.
    with b.db.session() as session:
        item = sync.rejected_items(session)[0]
        sync.discard_rejected(session, _actor(b.db, "coordinator"), item.seq, "案件已作废")
    assert [e.id for e in _rejected_events(b.db, case_id)] == [item.item_id]
    assert item.item_id in event_ids(b.db, case_id, with_rejected=True)
    with b.db.sessions() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "sync.discard_rejected")
            )
            == 1
        )


def test_an_upgraded_desk_gets_back_the_events_it_removed(tmp_path: Path) -> None:
    """Before migration 0006 a refused event was removed; the migration puts it back, marked."""
    from alembic import command

    from models.db import alembic_config, open_database

    db = open_database(tmp_path)
    case_id = "11111111-1111-4111-8111-111111111111"
    event_id = "22222222-2222-4222-8222-222222222222"
    with db.engine.begin() as conn:
        config = alembic_config(str(db.engine.url))
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO sync_outbox (kind, item_id, payload, status, attempts, reject_code, "
            "reject_message, created_at, updated_at) VALUES ('case_event', ?, ?, 'rejected', 1, "
            "'illegal_transition', 'not in voided', '2026-11-20 01:00:00', '2026-11-20 01:05:00')",
            (
                event_id,
                json.dumps(
                    {
                        "id": event_id,
                        "case_id": case_id,
                        "type": "dispatched",
                        "at": "2026-11-20T01:00:00+00:00",
                        "actor_id": "u1",
                        "data": {
                            "assignee_type": "department",
                            "assignee_id": "dept_chengguan",
                            "deadline": "2026-11-23T09:30:00+00:00",
                            "ack_deadline": "2026-11-20T09:30:00+00:00",
                        },
                    }
                ),
            ),
        )
    db.dispose()
    db = open_database(tmp_path)  # migrates up again
    with db.sessions() as session:
        row = session.scalar(select(CaseEvent).where(CaseEvent.id == event_id))
        assert row is not None
        assert (row.case_id, row.type, row.rejected_code) == (
            case_id,
            "dispatched",
            "illegal_transition",
        )
        assert row.assignee_id == "dept_chengguan" and row.deadline is not None
    db.dispose()


# ---------------------------------------------------------------- a number the county refuses
def _same_code(*desks: Desktop, code: str = "07") -> None:
    """Two desks with one code (a copied installation): their numbers collide."""
    for desk in desks:
        with desk.db.session() as session:
            row = session.get(SyncState, "desk_code")
            if row is None:
                session.add(SyncState(key="desk_code", value=code))
            else:
                row.value = code


def _register(desk: Desktop, user: str = "reception") -> tuple[str, str]:
    """A walk-in visit that opens a case: (visit id, case id)."""
    who = _actor(desk.db, user)
    with desk.db.session() as session:
        result = register_visit(
            session,
            who,
            load_calendar(session),
            VisitInput(
                visitor=VisitorInput(name="王建国", phone="13800138000"),
                purpose="complaint",
                summary="小区门口路灯不亮，晚上看不见路。",
                outcome=Outcome.CASE,
                category_code=_category(desk.db),
                org_unit_id="990101001001001",
                address="幸福路12号门口",
            ),
        )
        assert result.case_id is not None
        return result.visit_id, result.case_id


def test_a_refused_number_gets_a_new_one_and_a_new_receipt(
    server: ServerThread, tmp_path: Path
) -> None:
    a, b = _two_desks(server, tmp_path, "reception", "reception")
    _same_code(a, b)
    _visit_a, case_a = _register(a)
    visit_b, case_b = _register(b)
    with a.db.sessions() as s1, b.db.sessions() as s2:
        number = s1.get(Case, case_a).number  # type: ignore[union-attr]
        assert s2.get(Case, case_b).number == number  # type: ignore[union-attr]
    # B also acts on its case before the county has answered.
    _act(b, "reception", lambda s, w: actions.comment(s, w, case_b, "来访人补充了照片"))
    a.sync()
    result = b.sync()
    codes = sorted(r.code for r in result.rejected)
    assert codes == ["duplicate_number", "unknown_case"]
    with b.db.sessions() as session:
        assert session.get(Case, case_b) is None  # left out until it has a number of its own
        items = sync.rejected_items(session)
    created = next(i for i in items if i.code == "duplicate_number")
    assert created.case_number == number and created.event_type == "created"

    # The way out: a new number, audited; the later step goes behind it.
    with b.db.session() as session:
        done = sync.renumber_rejected(session, _actor(b.db, "reception"), created.seq)
    assert done.old_number == number and done.new_number != number
    assert done.new_number.startswith(number[:-3]) and done.visit_id == visit_b
    with b.db.sessions() as session:
        audit = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "sync.renumber_rejected")
        )
        assert audit is not None
        assert (audit.detail["old_number"], audit.detail["new_number"]) == (
            number,
            done.new_number,
        )
        receipt = receipt_data(session, _actor(b.db, "reception"), load_calendar(session), visit_b)
        assert receipt.case_number == done.new_number
    result = b.sync()
    assert result.rejected == [] and result.accepted == 2
    b.sync()
    a.sync()
    for desk in (a, b):
        with desk.db.sessions() as session:
            numbers = dict(session.execute(select(Case.id, Case.number)).all())
        assert numbers[case_a] == number and numbers[case_b] == done.new_number
        assert len(set(numbers.values())) == len(numbers)
        _nothing_lost(desk, server)
    # The refused registration stays in B's history, marked, and its number is never reused.
    refused = _rejected_events(b.db, case_b)
    assert [(e.type, e.data["number"]) for e in refused] == [("created", number)]
    assert_same_case(server.db, b, case_b)
    with b.db.sessions() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(CaseEvent)
                .where(CaseEvent.case_id == case_b, CaseEvent.type == "commented")
            )
            == 1
        )


def test_only_a_refused_number_can_be_renumbered(server: ServerThread, tmp_path: Path) -> None:
    a, b = _two_desks(server, tmp_path, "coordinator", "coordinator")
    case_id = new_case(a)
    a.sync()
    b.sync()
    _act(a, "coordinator", lambda s, w: actions.void(s, w, case_id, "重复受理"))
    _dispatch_to(b, case_id, DEPT_A)
    a.sync()
    b.sync()
    with b.db.session() as session:
        item = sync.rejected_items(session)[0]
        with pytest.raises(ValidationError):
            sync.renumber_rejected(session, _actor(b.db, "coordinator"), item.seq)


def test_two_desks_of_a_street_offline_never_share_a_number(
    server: ServerThread, tmp_path: Path
) -> None:
    """Each desk got its own code at its first login: offline registrations never collide."""
    a, b = _two_desks(server, tmp_path, "reception", "reception")
    codes = []
    for desk in (a, b):
        with desk.db.sessions() as session:
            row = session.get(SyncState, "desk_code")
            assert row is not None
            codes.append(row.value)
    assert codes[0] != codes[1]
    for _ in range(3):
        _register(a)
        _register(b)
    first, second = a.sync(), b.sync()
    assert first.rejected == [] and second.rejected == []
    a.sync()
    for desk in (a, b):
        with desk.db.sessions() as session:
            numbers = list(session.scalars(select(Case.number)))
        assert len(numbers) == 6 and len(set(numbers)) == 6
    with server.db.sessions() as session:
        numbers = list(session.scalars(select(Case.number)))
    assert len(numbers) == len(set(numbers)) == 6
    assert {n[-5:-3] for n in numbers} == set(codes)
