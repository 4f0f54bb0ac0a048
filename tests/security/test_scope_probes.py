"""What each role receives (docs/protocol.md "Pull: the feed") and the
reveal call, on a county holding the demo district.

``-s`` prints the figures per demo role: cases and visits received now, and what
the v1 rule (every row of the user's org-unit subtree) would have sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from county_server.admin import seed_demo
from models.tables import Case, CaseEvent, User, Visit
from tests.security.conftest import BACKENDS, Api
from tests.sync_harness import ServerThread, demo_server_db, fresh_server_url

CASES = 300


@pytest.fixture(params=BACKENDS, scope="module")
def demo_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    with fresh_server_url(request.param, tmp_path_factory.mktemp("county")) as url:
        db = demo_server_db(url)
        seed_demo(db, cases=CASES, seed=2026, today=date(2026, 11, 30))
        with ServerThread(db) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            yield Api(server, client)
        db.dispose()


def received(api: Api, username: str) -> tuple[set[str], list[dict[str, Any]]]:
    """(case ids of the events, visit data) that ``username`` receives."""
    changes = api.changes(username)
    cases = {c["data"]["case_id"] for c in changes if c["type"] == "case_event"}
    visits = {c["id"]: c["data"] for c in changes if c["type"] == "visit"}
    return cases, list(visits.values())


def user(api: Api, username: str) -> User:
    with api.db.sessions() as session:
        found = session.scalar(select(User).where(User.username == username))
        assert found is not None
        session.expunge(found)
        return found


def dispatched_to(api: Api, assignee_id: str) -> set[str]:
    with api.db.sessions() as session:
        return set(
            session.scalars(
                select(CaseEvent.case_id).where(
                    CaseEvent.type == "dispatched", CaseEvent.assignee_id == assignee_id
                )
            )
        )


def v1_figures(api: Api, unit: str | None) -> tuple[int, int]:
    """What the v1 feed sent: every case and visit of the user's org-unit subtree."""
    with api.db.sessions() as session:
        cases = session.scalars(select(Case.id).where(Case.org_unit_id.startswith(unit or "x")))
        visits = session.scalars(select(Visit.id).where(Visit.org_unit_id.startswith(unit or "x")))
        return len(list(cases)), len(list(visits))


def _report(api: Api, username: str, cases: set[str], visits: list[dict[str, Any]]) -> None:
    who = user(api, username)
    old_cases, old_visits = v1_figures(api, who.org_unit_id)
    ids = sum(1 for v in visits if (v.get("visitor") or {}).get("id_number"))
    phones = sum(
        1
        for v in visits
        if (v.get("visitor") or {}).get("phone") and "*" not in v["visitor"]["phone"]
    )
    print(
        f"\n{username:18} cases {len(cases):4} (v1 {old_cases:4})  visits {len(visits):4} "
        f"(v1 {old_visits:4})  clear phones {phones:3}  ID numbers {ids:3}"
    )


@pytest.mark.parametrize("username", ["dept_chengguan", "dept_zhujian", "dept_gongdian"])
def test_a_department_receives_only_cases_dispatched_to_it(demo_api: Api, username: str) -> None:
    who = user(demo_api, username)
    assert who.department_id
    cases, visits = received(demo_api, username)
    _report(demo_api, username, cases, visits)
    assert cases == dispatched_to(demo_api, who.department_id)
    for visit in visits:
        assert visit["case_id"] in cases
        visitor = visit["visitor"]
        assert visitor["id_number"] is None
        assert visitor["address"] is None and visitor["gender"] is None
        assert visitor["phone"] is None or "****" in visitor["phone"]


@pytest.mark.parametrize("username", ["gw_1", "gw_13"])
def test_a_grid_worker_receives_only_cases_dispatched_to_them(demo_api: Api, username: str) -> None:
    who = user(demo_api, username)
    cases, visits = received(demo_api, username)
    _report(demo_api, username, cases, visits)
    assert cases == dispatched_to(demo_api, who.id)
    assert all(v["visitor"]["id_number"] is None for v in visits)
    assert all(v["visitor"]["phone"] is None or "****" in v["visitor"]["phone"] for v in visits)


@pytest.mark.parametrize("username", ["reception", "coordinator", "reception2", "coordinator2"])
def test_street_staff_receive_their_street_with_full_visitors(demo_api: Api, username: str) -> None:
    who = user(demo_api, username)
    assert who.org_unit_id and len(who.org_unit_id) == 9
    cases, visits = received(demo_api, username)
    _report(demo_api, username, cases, visits)
    with demo_api.db.sessions() as session:
        own = set(
            session.scalars(select(Case.id).where(Case.org_unit_id.startswith(who.org_unit_id)))
        )
    assert own <= cases
    assert all(
        v["org_unit_id"].startswith(who.org_unit_id) or v["case_id"] in cases for v in visits
    )
    assert any(v["visitor"]["id_number"] for v in visits), "the street's own desk keeps ID numbers"
    assert all(
        not v["visitor"]["id_number"] or v["org_unit_id"].startswith(who.org_unit_id)
        for v in visits
    )


@pytest.mark.parametrize("username", ["official", "admin"])
def test_officials_and_admins_receive_visits_without_phone_or_id(
    demo_api: Api, username: str
) -> None:
    cases, visits = received(demo_api, username)
    _report(demo_api, username, cases, visits)
    assert visits
    assert all(v["visitor"]["phone"] is None and v["visitor"]["id_number"] is None for v in visits)


def test_a_county_coordinator_gets_no_id_numbers(demo_api: Api) -> None:
    cases, visits = received(demo_api, "county_coordinator")
    _report(demo_api, "county_coordinator", cases, visits)
    assert visits
    assert all(v["visitor"]["id_number"] is None for v in visits)
    assert any(v["visitor"]["phone"] for v in visits)


# ---------------------------------------------------------------- reveal
def _visit_of_case(api: Api, case_ids: set[str], *, with_id: bool = False) -> Visit:
    with api.db.sessions() as session:
        query = select(Visit).where(
            Visit.case_id.in_(sorted(case_ids)), Visit.visitor_phone.is_not(None)
        )
        if with_id:
            query = query.where(Visit.visitor_id_number.is_not(None))
        found = session.scalars(query.order_by(Visit.id)).first()
        assert found is not None
        session.expunge(found)
        return found


def _reveal(api: Api, username: str | None, **body: Any) -> httpx.Response:
    headers = api.headers(username) if username else {}
    return api.client.post("/api/v1/reveal", headers=headers, json=body)


def test_a_department_reveals_the_phone_of_its_own_case_audited(demo_api: Api) -> None:
    who = user(demo_api, "dept_chengguan")
    visit = _visit_of_case(demo_api, dispatched_to(demo_api, str(who.department_id)))
    before = demo_api.audit_count("reveal")
    response = _reveal(
        demo_api, "dept_chengguan", visit_id=visit.id, field="phone", reason="回访来访人"
    )
    assert response.status_code == 200, response.text
    assert response.json()["value"] == visit.visitor_phone
    assert demo_api.audit_count("reveal") == before + 1


REFUSALS = [
    # (who, which visit, field, status)
    ("dept_chengguan", "own", "id_number", 403),
    ("dept_chengguan", "other_department", "phone", 404),
    ("official", "own", "phone", 403),
    ("reception2", "changhe", "phone", 404),
    ("county_coordinator", "changhe_id", "id_number", 403),
    ("gw_1", "other_department", "phone", 404),
]


@pytest.mark.parametrize(("username", "which", "field", "status"), REFUSALS)
def test_reveal_refusals(demo_api: Api, username: str, which: str, field: str, status: int) -> None:
    chengguan = dispatched_to(demo_api, str(user(demo_api, "dept_chengguan").department_id))
    zhujian = dispatched_to(demo_api, str(user(demo_api, "dept_zhujian").department_id)) - chengguan
    zhujian -= dispatched_to(demo_api, user(demo_api, "gw_1").id)
    with demo_api.db.sessions() as session:
        changhe = set(
            session.scalars(select(Case.id).where(Case.org_unit_id.startswith("990101001")))
        )
    visit = {
        "own": lambda: _visit_of_case(demo_api, chengguan),
        "other_department": lambda: _visit_of_case(demo_api, zhujian),
        "changhe": lambda: _visit_of_case(demo_api, changhe),
        "changhe_id": lambda: _visit_of_case(demo_api, changhe, with_id=True),
    }[which]()
    before = demo_api.audit_count("reveal")
    response = _reveal(demo_api, username, visit_id=visit.id, field=field, reason="核实")
    assert response.status_code == status, response.text
    assert "value" not in response.json()
    assert demo_api.audit_count("reveal") == before


def test_the_street_reveals_an_id_number(demo_api: Api) -> None:
    with demo_api.db.sessions() as session:
        changhe = set(
            session.scalars(select(Case.id).where(Case.org_unit_id.startswith("990101001")))
        )
    visit = _visit_of_case(demo_api, changhe, with_id=True)
    response = _reveal(
        demo_api, "coordinator", visit_id=visit.id, field="id_number", reason="核实身份"
    )
    assert response.status_code == 200
    assert response.json()["value"] == visit.visitor_id_number


@pytest.mark.parametrize(
    "body",
    [
        {"visit_id": "x", "field": "phone", "reason": "r"},
        {"visit_id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "field": "password", "reason": "r"},
        {"visit_id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "field": "phone"},
        {"visit_id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "field": "phone", "reason": "r" * 201},
        {"visit_id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "field": "phone", "reason": "a\x00"},
    ],
)
def test_a_malformed_reveal_is_400(demo_api: Api, body: dict[str, Any]) -> None:
    before = demo_api.audit_count("reveal")
    response = _reveal(demo_api, "coordinator", **body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid" and response.json()["message"]
    assert demo_api.audit_count("reveal") == before


def test_reveal_of_an_unknown_visit_is_404(demo_api: Api) -> None:
    response = _reveal(
        demo_api,
        "coordinator",
        visit_id="3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        field="phone",
        reason="r",
    )
    assert response.status_code == 404


def test_reveal_without_a_token_is_401(demo_api: Api) -> None:
    response = _reveal(
        demo_api, None, visit_id="3f2504e0-4f89-41d3-9a0c-0305e82c3301", field="phone", reason="r"
    )
    assert response.status_code == 401
