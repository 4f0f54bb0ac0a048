"""Pushes applied set-wise (county_server/push.py ``Pusher.events``): what batching could
get wrong, on SQLite and PostgreSQL.

Each test pushes one batch over HTTP and checks the per-item answers, what the county
stores (events, the case row as the projection of the accepted events) and what the feed
gives the readers who may see the case.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from county_server import push as push_module
from county_server.models import CaseScope, Change
from models.tables import Case, CaseEvent
from services.cases.projection import Event, project
from tests.security.conftest import OTHER_GRID, Api, now_wire, stored_counts


def statuses(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.text
    return [(r["status"], r.get("code", "")) for r in response.json()["results"]]


def case_row(api: Api, case_id: str) -> Case | None:
    with api.db.sessions() as session:
        return session.get(Case, case_id)


def county_events(api: Api, case_id: str) -> list[str]:
    with api.db.sessions() as session:
        return list(
            session.scalars(
                select(CaseEvent.id).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
            )
        )


def feed_rows(api: Api, item_id: str) -> list[str | None]:
    with api.db.sessions() as session:
        return list(
            session.scalars(
                select(Change.scope).where(Change.item_id == item_id).order_by(Change.seq)
            )
        )


def assert_row_is_projection(api: Api, case_id: str) -> None:
    """The county's case row equals the projection of its stored events, in order."""
    with api.db.sessions() as session:
        rows = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        )
        expected = project(
            Event(
                id=r.id, case_id=r.case_id, type=r.type, at=r.at, actor_id=r.actor_id, data=r.data
            )
            for r in rows
        )
        case = session.get(Case, case_id)
        assert case is not None
        for name, value in expected.as_columns().items():
            assert getattr(case, name) == value, name


def dispatch(api: Api, case_id: str, department_user: str = "dept_chengguan") -> dict[str, Any]:
    return api.event(
        case_id,
        "dispatched",
        "coordinator",
        assignee_type="department",
        assignee_id=api.department_of(department_user),
        ack_deadline=now_wire(timedelta(hours=8)),
        deadline=now_wire(timedelta(days=3)),
        note="",
    )


def test_several_events_of_one_case_in_one_batch(api: Api) -> None:
    """Created, commented and dispatched in one push: one projection carried through the
    batch, the batch's earlier events written under the department's new key before the
    dispatch."""
    created = api.created()
    case_id = str(created["case_id"])
    comment = api.event(case_id, "commented", "coordinator", text="请城管处理")
    dispatched = dispatch(api, case_id)
    response = api.push("coordinator", events=[created, comment, dispatched])
    assert statuses(response) == [("accepted", "")] * 3
    assert county_events(api, case_id) == [created["id"], comment["id"], dispatched["id"]]
    row = case_row(api, case_id)
    assert row is not None and row.state == "dispatched" and row.event_count == 3
    assert_row_is_projection(api, case_id)
    department = api.changes("dept_chengguan")
    stored = county_events(api, case_id)
    mine = [c["id"] for c in department if c["type"] == "case_event" and c["id"] in stored]
    assert mine == [created["id"], comment["id"], dispatched["id"]]
    seqs = [c["data"]["server_seq"] for c in department if c["id"] in mine]
    assert seqs == sorted(seqs)
    with api.db.sessions() as session:
        keys = set(session.scalars(select(CaseScope.scope).where(CaseScope.case_id == case_id)))
    assert "d:" + api.department_of("dept_chengguan") in keys


def test_a_duplicate_within_a_batch_and_across_batches(api: Api) -> None:
    created = api.created()
    case_id = str(created["case_id"])
    comment = api.event(case_id, "commented", "coordinator", text="一次")
    response = api.push("coordinator", events=[created, comment, comment])
    assert statuses(response) == [("accepted", ""), ("accepted", ""), ("duplicate", "")]
    assert county_events(api, case_id) == [created["id"], comment["id"]]
    scopes = feed_rows(api, str(comment["id"]))
    assert len(scopes) == 1
    before = stored_counts(api.db)
    again = api.push("coordinator", events=[created, comment])
    assert statuses(again) == [("duplicate", ""), ("duplicate", "")]
    assert stored_counts(api.db) == before
    assert feed_rows(api, str(comment["id"])) == scopes
    row = case_row(api, case_id)
    assert row is not None and row.event_count == 2


def test_one_bad_item_among_good_ones_of_the_same_case(api: Api) -> None:
    """A refused event in the middle of a case's events: the ones after it are judged on
    the case without it, and it reaches neither the case row nor the feed."""
    created = api.created()
    case_id = str(created["case_id"])
    first = api.event(case_id, "commented", "coordinator", text="第一条")
    illegal = api.event(case_id, "verified", "coordinator", passed=True, note="")
    foreign_author = api.event(case_id, "commented", "reception", text="冒名")
    last = api.event(case_id, "commented", "coordinator", text="第二条")
    response = api.push("coordinator", events=[created, first, illegal, foreign_author, last])
    assert statuses(response) == [
        ("accepted", ""),
        ("accepted", ""),
        ("rejected", "illegal_transition"),
        ("rejected", "forbidden"),
        ("accepted", ""),
    ]
    assert county_events(api, case_id) == [created["id"], first["id"], last["id"]]
    assert feed_rows(api, str(illegal["id"])) == []
    assert feed_rows(api, str(foreign_author["id"])) == []
    row = case_row(api, case_id)
    assert row is not None and row.state == "registered" and row.event_count == 3
    assert_row_is_projection(api, case_id)


def test_a_batch_mixing_cases_the_user_may_and_may_not_act_on(api: Api) -> None:
    """Another street's case, a case created outside the area and a number another case
    of the batch took, between good items: each refused alone."""
    theirs = api.created(
        "coordinator2",
        org_unit_id=OTHER_GRID,
        number=f"{OTHER_GRID[:9]}-20261130-01{uuid.uuid4().int % 1000:03d}",
    )
    assert api.push_one("coordinator2", theirs)["status"] == "accepted"
    their_case = str(theirs["case_id"])
    before_theirs = county_events(api, their_case)

    mine = api.created()
    my_case = str(mine["case_id"])
    on_theirs = api.event(their_case, "commented", "coordinator", text="越界")
    outside = api.created(org_unit_id=OTHER_GRID)
    outside["data"]["number"] = f"{OTHER_GRID[:9]}-20261130-02{uuid.uuid4().int % 1000:03d}"
    same_number = api.created(number=mine["data"]["number"])
    my_comment = api.event(my_case, "commented", "coordinator", text="本街道")
    response = api.push("coordinator", events=[mine, on_theirs, outside, same_number, my_comment])
    assert statuses(response) == [
        ("accepted", ""),
        ("rejected", "forbidden"),
        ("rejected", "forbidden"),
        ("rejected", "duplicate_number"),
        ("accepted", ""),
    ]
    assert county_events(api, their_case) == before_theirs
    assert case_row(api, str(outside["case_id"])) is None
    assert case_row(api, str(same_number["case_id"])) is None
    assert county_events(api, my_case) == [mine["id"], my_comment["id"]]
    # The other street's coordinator never receives this street's case.
    assert my_case not in {c["data"].get("case_id") for c in api.changes("coordinator2")}


def test_a_batch_the_database_refuses_is_applied_item_by_item(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the batch's writes fail (here: made to fail after they ran), nothing of them
    stays and the items are applied one by one with the same answers."""
    original = push_module.Pusher._write
    calls: list[int] = []

    def failing(self: push_module.Pusher, known: Any, writes: Any) -> None:
        original(self, known, writes)
        calls.append(len(writes.events))
        raise push_module.Conflict("made to fail")

    monkeypatch.setattr(push_module.Pusher, "_write", failing)
    created = api.created()
    case_id = str(created["case_id"])
    comment = api.event(case_id, "commented", "coordinator", text="一")
    illegal = api.event(case_id, "acknowledged", "coordinator")
    before = stored_counts(api.db)
    response = api.push("coordinator", events=[created, comment, comment, illegal])
    assert calls == [2]
    assert statuses(response) == [
        ("accepted", ""),
        ("accepted", ""),
        ("duplicate", ""),
        ("rejected", "forbidden"),
    ]
    after = stored_counts(api.db)
    assert after["CaseEvent"] == before["CaseEvent"] + 2
    assert after["Case"] == before["Case"] + 1
    assert county_events(api, case_id) == [created["id"], comment["id"]]
    assert len(feed_rows(api, str(comment["id"]))) == 1
    assert_row_is_projection(api, case_id)


def test_many_cases_in_one_batch_are_stored_once_each(api: Api) -> None:
    """A full batch (500 items, 100 cases of five events): every case row is the
    projection of its events and every event has its feed row."""
    events: list[dict[str, Any]] = []
    for _ in range(100):
        created = api.created()
        events.append(created)
        events += [
            api.event(str(created["case_id"]), "commented", "coordinator", text=f"第{k}条")
            for k in range(4)
        ]
    response = api.push("coordinator", events=events)
    assert statuses(response) == [("accepted", "")] * 500
    ids = [str(e["id"]) for e in events]
    with api.db.sessions() as session:
        held = session.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.id.in_(ids))
        )
        fed = session.scalar(
            select(func.count(func.distinct(Change.item_id))).where(Change.item_id.in_(ids))
        )
    assert held == 500 and fed == 500
    for created in events[::25]:
        assert_row_is_projection(api, str(created["case_id"]))
