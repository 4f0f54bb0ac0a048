"""Hostile pushes (docs/protocol.md): authorship, role and scope, every field of
every item, targets, case numbers, devices and body limits.

Every probe asserts the clear refusal *and* that what the county stores did not
change (or changed by exactly the good items that rode in the same push).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from county_server.admin import load_reference_file
from models.tables import User
from services.accounts.auth import hash_password
from services.protocol.schemas import DATA_SCHEMAS
from tests.security.conftest import GRID, PASSWORD, STREET, Api, now_wire, stored_counts

FOREIGN_COUNTY = "990199"
FOREIGN_GRID = "990199001001001"
ROLES = {
    "reception": "reception",
    "coordinator": "coordinator",
    "department": "dept_chengguan",
    "grid_worker": "gw_1",
    "official": "official",
    "admin": "admin",
}
EVENT_TYPES = [str(kind) for kind in DATA_SCHEMAS]  # every event type of the protocol


def valid_data(api: Api, event_type: str, unit: str = GRID) -> dict[str, Any]:
    """Data that passes the schema of ``event_type`` (the probes then break one rule)."""
    return {
        "created": lambda: api.created(org_unit_id=unit)["data"],
        "dispatched": lambda: {
            "assignee_type": "department",
            "assignee_id": api.department_of("dept_chengguan"),
            "ack_deadline": now_wire(timedelta(hours=8)),
            "deadline": now_wire(timedelta(days=3)),
            "note": "",
        },
        "acknowledged": dict,
        "returned": lambda: {"reason": "不属于本部门"},
        "feedback": lambda: {"result": "已处理", "attachments": []},
        "verified": lambda: {"passed": True, "note": ""},
        "closed": lambda: {"resolution": "other", "note": "已办结"},
        "evaluated": lambda: {"satisfaction": "satisfied", "method": "phone", "note": ""},
        "escalated": lambda: {"to_org_unit_id": unit[:6], "reason": "需区级协调"},
        "supervised": lambda: {"note": "请加快"},
        "extended": lambda: {"new_deadline": now_wire(timedelta(days=10)), "reason": "需采购"},
        "suspended": lambda: {"reason": "等预算"},
        "resumed": dict,
        "voided": lambda: {"reason": "重复", "duplicate_of": None},
        "commented": lambda: {"text": "备注"},
    }[event_type]()


@pytest.fixture(scope="module")
def world(api: Api) -> Iterator[dict[str, str]]:
    """A case of the demo county, and a case of another county that no demo user may touch."""
    other_coord = str(uuid.uuid4())
    load_reference_file(
        api.db,
        {
            "org_units": [
                {"id": FOREIGN_COUNTY, "parent_id": None, "level": "county", "name": "外县"},
                {
                    "id": FOREIGN_COUNTY + "001",
                    "parent_id": FOREIGN_COUNTY,
                    "level": "street",
                    "name": "外街",
                },
                {
                    "id": FOREIGN_GRID[:12],
                    "parent_id": FOREIGN_COUNTY + "001",
                    "level": "community",
                    "name": "外社区",
                },
                {
                    "id": FOREIGN_GRID,
                    "parent_id": FOREIGN_GRID[:12],
                    "level": "grid",
                    "name": "外网格",
                },
            ],
            "users": [
                {
                    "id": other_coord,
                    "username": "foreign_coord",
                    "display_name": "外县调度员",
                    "role": "coordinator",
                    "org_unit_id": FOREIGN_COUNTY + "001",
                }
            ],
        },
    )
    with api.db.session() as session:
        session.execute(
            update(User).where(User.id == other_coord).values(password_hash=hash_password(PASSWORD))
        )
    foreign = api.created(
        "foreign_coord", org_unit_id=FOREIGN_GRID, number=f"{FOREIGN_COUNTY}001-20261130-01001"
    )
    assert api.push_one("foreign_coord", foreign)["status"] == "accepted"
    yield {"home": api.dispatched_case(), "foreign": str(foreign["case_id"])}


def _expect(
    api: Api, response: httpx.Response, code: str, field: str | None = None
) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["results"][0]
    assert result["status"] == "rejected", result
    assert result["code"] == code, result
    assert result["message"]
    if field is not None:
        assert result.get("field") == field, result
    return result


# ---------------------------------------------------------------- authorship
@pytest.mark.parametrize("event_type", EVENT_TYPES)
@pytest.mark.parametrize("role", list(ROLES))
def test_an_event_in_another_persons_name_is_forbidden(
    api: Api, world: dict[str, str], role: str, event_type: str
) -> None:
    """Logged in as one person, an item naming another as its actor is refused."""
    pusher = ROLES[role]
    victim = "coordinator" if pusher != "coordinator" else "reception"
    if event_type == "created":
        event = api.created(victim)
    else:
        event = api.event(world["home"], event_type, victim, **valid_data(api, event_type))
    before = stored_counts(api.db)
    result = _expect(api, api.push(pusher, events=[event]), "forbidden", "actor_id")
    assert "author" in result["message"]
    assert stored_counts(api.db) == before


@pytest.mark.parametrize("role", list(ROLES))
def test_a_visit_in_another_persons_name_is_forbidden(api: Api, role: str) -> None:
    pusher = ROLES[role]
    victim = "reception" if pusher != "reception" else "coordinator"
    before = stored_counts(api.db)
    response = api.push(pusher, visits=[_visit(api, victim)])
    _expect(api, response, "forbidden", "received_by")
    assert stored_counts(api.db) == before


def test_an_event_without_an_actor_is_forbidden(api: Api, world: dict[str, str]) -> None:
    event = api.event(world["home"], "commented", "coordinator", text="x")
    event["actor_id"] = None
    before = stored_counts(api.db)
    _expect(api, api.push("coordinator", events=[event]), "forbidden", "actor_id")
    assert stored_counts(api.db) == before


# ---------------------------------------------------------------- outside scope
@pytest.mark.parametrize("event_type", EVENT_TYPES)
@pytest.mark.parametrize("role", list(ROLES))
def test_an_event_outside_the_pushers_scope_is_forbidden(
    api: Api, world: dict[str, str], role: str, event_type: str
) -> None:
    """In their own name, on a case (or unit) of another county: refused."""
    pusher = ROLES[role]
    if event_type == "created":
        event = api.created(
            pusher, org_unit_id=FOREIGN_GRID, number=f"{FOREIGN_COUNTY}001-20261130-02001"
        )
    else:
        event = api.event(
            world["foreign"], event_type, pusher, **valid_data(api, event_type, FOREIGN_GRID)
        )
    before = stored_counts(api.db)
    _expect(api, api.push(pusher, events=[event]), "forbidden")
    assert stored_counts(api.db) == before


def test_a_department_cannot_report_on_another_departments_case(api: Api) -> None:
    case_id = api.dispatched_case("dept_chengguan")
    event = api.event(case_id, "acknowledged", "dept_zhujian")
    before = stored_counts(api.db)
    _expect(api, api.push("dept_zhujian", events=[event]), "forbidden")
    assert stored_counts(api.db) == before


def test_a_department_cannot_pass_a_verification(api: Api) -> None:
    case_id = api.dispatched_case("dept_chengguan")
    for step, data in (("acknowledged", {}), ("feedback", {"result": "已处理", "attachments": []})):
        assert (
            api.push_one("dept_chengguan", api.event(case_id, step, "dept_chengguan", **data))[
                "status"
            ]
            == "accepted"
        )
    before = stored_counts(api.db)
    event = api.event(case_id, "verified", "dept_chengguan", passed=True, note="")
    _expect(api, api.push("dept_chengguan", events=[event]), "forbidden")
    assert stored_counts(api.db) == before


def test_reception_cannot_void(api: Api) -> None:
    case_id = api.new_case("reception")
    before = stored_counts(api.db)
    event = api.event(case_id, "voided", "reception", reason="x", duplicate_of=None)
    _expect(api, api.push("reception", events=[event]), "forbidden")
    assert stored_counts(api.db) == before


# ---------------------------------------------------------------- every field, every item
def _visit(api: Api, username: str = "reception", **changes: Any) -> dict[str, Any]:
    visit: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "org_unit_id": STREET,
        "at": now_wire(),
        "received_by": api.user_id(username),
        "visitor": {
            "name": "张三",
            "phone": "13800138000",
            "id_number": None,
            "gender": None,
            "address": None,
        },
        "purpose": "request",
        "summary": "咨询",
        "case_id": None,
        "resolved_on_the_spot": True,
    }
    visit.update(changes)
    return visit


NAN, SURROGATE = "__NAN__", "__SURROGATE__"


def _raw_body(api: Api, visits: list[Any], events: list[Any]) -> bytes:
    """A push body with NaN and lone surrogates where the markers are (json.dumps writes neither)."""
    text = json.dumps({"device_id": api.device_id, "visits": visits, "events": events})
    text = text.replace(f'"{NAN}"', "NaN").replace(f'"{SURROGATE}"', '"\\ud800"')
    return text.encode("utf-8")


def _set(item: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = item
    for part in parents:
        target = target[part]
    target[last] = value


TEXT_FIELDS = {
    # (event type, field path): the longest value allowed
    ("created", "data.number"): 32,
    ("created", "data.title"): 200,
    ("created", "data.description"): 5000,
    ("created", "data.category_code"): 20,
    ("created", "data.address"): 200,
    ("dispatched", "data.assignee_id"): 40,
    ("dispatched", "data.note"): 200,
    ("returned", "data.reason"): 200,
    ("feedback", "data.result"): 5000,
    ("verified", "data.note"): 200,
    ("closed", "data.note"): 200,
    ("evaluated", "data.note"): 200,
    ("escalated", "data.reason"): 200,
    ("supervised", "data.note"): 200,
    ("extended", "data.reason"): 200,
    ("suspended", "data.reason"): 200,
    ("voided", "data.reason"): 200,
    ("commented", "data.text"): 5000,
}
CHOICE_FIELDS = {
    ("created", "data.source"),
    ("created", "data.urgency"),
    ("dispatched", "data.assignee_type"),
    ("closed", "data.resolution"),
    ("evaluated", "data.satisfaction"),
    ("evaluated", "data.method"),
    ("commented", "type"),
}
ID_FIELDS = {
    ("commented", "id"),
    ("commented", "case_id"),
    ("created", "data.org_unit_id"),
    ("created", "data.visit_id"),
    ("escalated", "data.to_org_unit_id"),
    ("voided", "data.duplicate_of"),
}
TIME_FIELDS = {
    ("commented", "at"),
    ("dispatched", "data.ack_deadline"),
    ("dispatched", "data.deadline"),
    ("extended", "data.new_deadline"),
}
NUMBER_FIELDS = {("created", "data.lat"), ("created", "data.lon")}
BOOL_FIELDS = {("verified", "data.passed")}

BAD_VALUES: dict[str, Any] = {
    "nan": NAN,
    "nul": "ab\x00cd",
    "surrogate": SURROGATE,
    "control": "ab\x1bcd",
    "object": {"$gt": ""},
}


def _event_for(api: Api, event_type: str, case_id: str) -> dict[str, Any]:
    if event_type == "created":
        return api.created("coordinator")
    return api.event(case_id, event_type, "coordinator", **valid_data(api, event_type))


def _all_fields() -> list[tuple[str, str]]:
    return sorted(
        set(TEXT_FIELDS) | CHOICE_FIELDS | ID_FIELDS | TIME_FIELDS | NUMBER_FIELDS | BOOL_FIELDS
    )


def _probe_bad_event(api: Api, world: dict[str, str], event: dict[str, Any], field: str) -> None:
    """Push [bad, good]: the bad one is refused naming ``field``, the good one still lands."""
    good = api.event(world["home"], "supervised", "coordinator", note="仍然收到")
    before = stored_counts(api.db)
    response = api.client.post(
        "/api/v1/sync/push",
        headers={**api.headers("coordinator"), "Content-Type": "application/json"},
        content=_raw_body(api, [], [event, good]),
    )
    assert response.status_code == 200, response.text
    bad, ok = response.json()["results"]
    assert bad["status"] == "rejected" and bad["code"] == "invalid", bad
    assert bad["field"] == field, bad
    assert bad["message"]
    assert ok["status"] == "accepted", ok
    after = stored_counts(api.db)
    assert after["CaseEvent"] == before["CaseEvent"] + 1
    assert after["Case"] == before["Case"]


@pytest.mark.parametrize("kind", list(BAD_VALUES))
@pytest.mark.parametrize(("event_type", "field"), _all_fields())
def test_a_bad_value_in_any_field_rejects_only_its_item(
    api: Api, world: dict[str, str], event_type: str, field: str, kind: str
) -> None:
    event = _event_for(api, event_type, world["home"])
    _set(event, field, BAD_VALUES[kind])
    _probe_bad_event(api, world, event, field)


@pytest.mark.parametrize(("event_type", "field"), sorted(TEXT_FIELDS))
def test_an_oversize_text_is_refused(
    api: Api, world: dict[str, str], event_type: str, field: str
) -> None:
    event = _event_for(api, event_type, world["home"])
    _set(event, field, "字" * (TEXT_FIELDS[(event_type, field)] + 1))
    _probe_bad_event(api, world, event, field)


@pytest.mark.parametrize(
    ("event_type", "field"), sorted(TEXT_FIELDS | {k: 0 for k in CHOICE_FIELDS})
)
def test_a_wrong_type_is_refused(
    api: Api, world: dict[str, str], event_type: str, field: str
) -> None:
    event = _event_for(api, event_type, world["home"])
    _set(event, field, 12345)
    _probe_bad_event(api, world, event, field)


ODD_TIMES = {
    "no offset": "2026-11-30T10:00:00",
    "not a date": "2026-13-45T10:00:00+08:00",
    "before 2000": "1999-12-31T23:00:00+00:00",
    "year 9999": "9999-12-31T23:59:59+00:00",
    "a number": 1764460800,
    "empty": "",
}


@pytest.mark.parametrize("label", list(ODD_TIMES))
@pytest.mark.parametrize(("event_type", "field"), sorted(TIME_FIELDS))
def test_odd_times_are_refused(
    api: Api, world: dict[str, str], event_type: str, field: str, label: str
) -> None:
    event = _event_for(api, event_type, world["home"])
    _set(event, field, ODD_TIMES[label])
    _probe_bad_event(api, world, event, field)


def test_an_event_in_the_future_is_refused(api: Api, world: dict[str, str]) -> None:
    event = api.event(world["home"], "commented", "coordinator", text="x")
    event["at"] = now_wire(timedelta(hours=25))
    _probe_bad_event(api, world, event, "at")


def test_a_deadline_beyond_a_year_is_refused(api: Api, world: dict[str, str]) -> None:
    event = api.event(world["home"], "extended", "coordinator", **valid_data(api, "extended"))
    event["data"]["new_deadline"] = now_wire(timedelta(days=400))
    _probe_bad_event(api, world, event, "data.new_deadline")


def test_a_string_where_a_boolean_belongs_is_refused(api: Api, world: dict[str, str]) -> None:
    event = api.event(world["home"], "verified", "coordinator", passed="true", note="")
    _probe_bad_event(api, world, event, "data.passed")


def test_nan_in_an_unknown_field_is_refused(api: Api, world: dict[str, str]) -> None:
    event = api.event(world["home"], "commented", "coordinator", text="x", extra=NAN)
    _probe_bad_event(api, world, event, "data.extra")


ATTACHMENT_BREAKS: dict[str, tuple[str, Any]] = {
    "sha not hex": ("sha256", "z" * 64),
    "sha short": ("sha256", "a" * 10),
    "path in name": ("file_name", "../../etc/passwd"),
    "backslash in name": ("file_name", "..\\boot.ini"),
    "long name": ("file_name", "x" * 121 + ".jpg"),
    "size text": ("size", "abc"),
    "size negative": ("size", -1),
    "size float": ("size", 1.5),
    "type exe": ("content_type", "application/x-msdownload"),
    "type missing": ("content_type", None),
}


@pytest.mark.parametrize("label", list(ATTACHMENT_BREAKS))
def test_a_malformed_attachment_entry_is_refused(
    api: Api, world: dict[str, str], label: str
) -> None:
    key, value = ATTACHMENT_BREAKS[label]
    entry = {
        "sha256": "a" * 64,
        "file_name": "现场.jpg",
        "size": 1024,
        "content_type": "image/jpeg",
    }
    entry[key] = value
    if value is None:
        del entry[key]
    event = api.event(
        world["home"], "feedback", "coordinator", result="已处理", attachments=[entry]
    )
    _probe_bad_event(api, world, event, f"data.attachments.0.{key}")


def test_attachments_that_are_not_a_list_are_refused(api: Api, world: dict[str, str]) -> None:
    event = api.event(world["home"], "feedback", "coordinator", result="x", attachments="a.jpg")
    _probe_bad_event(api, world, event, "data.attachments")


VISIT_FIELDS = {
    "id": "not-a-uuid",
    "org_unit_id": "12ab",
    "at": "yesterday",
    "visitor.name": "名" * 61,
    "visitor.phone": "1" * 21,
    "visitor.id_number": "1" * 19,
    "visitor.gender": "g" * 9,
    "visitor.address": "址" * 201,
    "purpose": "revolution",
    "summary": "字" * 5001,
    "case_id": "123",
    "resolved_on_the_spot": "yes",
}


@pytest.mark.parametrize(
    ("field", "kind"),
    [
        (field, kind)
        for field in VISIT_FIELDS
        for kind in ("value", "nul", "surrogate")
        if kind == "value" or field != "resolved_on_the_spot"  # a boolean has no characters
    ],
)
def test_a_bad_visit_field_rejects_only_that_visit(api: Api, field: str, kind: str) -> None:
    bad = _visit(api)
    value = {"value": VISIT_FIELDS[field], "nul": "a\x00b", "surrogate": SURROGATE}[kind]
    _set(bad, field, value)
    good = _visit(api)
    before = stored_counts(api.db)
    response = api.client.post(
        "/api/v1/sync/push",
        headers={**api.headers("reception"), "Content-Type": "application/json"},
        content=_raw_body(api, [bad, good], []),
    )
    assert response.status_code == 200, response.text
    first, second = response.json()["results"]
    assert first["status"] == "rejected" and first["code"] == "invalid", first
    assert first["field"] == field, first
    assert second["status"] == "accepted", second
    assert stored_counts(api.db)["Visit"] == before["Visit"] + 1


def test_items_that_are_not_objects_are_refused_one_by_one(api: Api) -> None:
    before = stored_counts(api.db)
    response = api.push("reception", visits=["x", 5, None, []], events=[[], "y"])
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 6
    assert all(r["code"] == "invalid" for r in results)
    assert stored_counts(api.db) == before


# ---------------------------------------------------------------- case numbers
@pytest.mark.parametrize(
    "number",
    [
        '=HYPERLINK("http://e.vil","x")',
        "+1+1",
        "@SUM(A1)",
        "990101002-20261130-01001",  # another street's code
        "990101001-20261340-01001",  # no such date
        "990101001-20261130-1",
        "990101001-20261130-1234567",
        "990101001_20261130_01001",
    ],
)
def test_a_malformed_case_number_is_refused(api: Api, world: dict[str, str], number: str) -> None:
    event = api.created("coordinator", number=number)
    _probe_bad_event(api, world, event, "data.number")


def test_a_number_held_by_another_case_is_a_duplicate_number(api: Api) -> None:
    number = f"{STREET}-20261130-07001"
    api.new_case(number=number)
    before = stored_counts(api.db)
    result = _expect(
        api, api.push("coordinator", events=[api.created(number=number)]), "duplicate_number"
    )
    assert result["field"] == "data.number"
    assert stored_counts(api.db) == before


def test_new_and_old_numbers_are_both_accepted(api: Api) -> None:
    for number in (f"{STREET}-20261130-03007", f"{STREET}-20261130-0042"):
        assert api.push_one("coordinator", api.created(number=number))["status"] == "accepted"


# ---------------------------------------------------------------- targets
def _registered(api: Api) -> str:
    return api.new_case()


@pytest.mark.parametrize(
    "target",
    [FOREIGN_COUNTY, FOREIGN_COUNTY + "001", "990101002", GRID, "990101001002", "999999"],
)
def test_escalation_goes_only_to_a_higher_unit_of_the_case(
    api: Api, world: dict[str, str], target: str
) -> None:
    case_id = _registered(api)
    event = api.event(case_id, "escalated", "coordinator", to_org_unit_id=target, reason="x")
    before = stored_counts(api.db)
    result = _expect(api, api.push("coordinator", events=[event]), "invalid")
    assert result["field"] == "data.to_org_unit_id"
    assert stored_counts(api.db) == before


def test_escalation_to_the_county_is_accepted(api: Api) -> None:
    case_id = _registered(api)
    event = api.event(case_id, "escalated", "coordinator", to_org_unit_id="990101", reason="x")
    assert api.push_one("coordinator", event)["status"] == "accepted"


@pytest.mark.parametrize(
    ("assignee_type", "assignee_id"),
    [
        ("department", "no_such_department"),
        ("grid_worker", "no-such-user"),
        ("grid_worker", "coordinator"),  # replaced by the coordinator's id: not a grid worker
        ("org_unit", "990101002001"),  # a community of the other street
        ("org_unit", FOREIGN_GRID),
    ],
)
def test_dispatch_goes_only_to_real_targets_of_the_case(
    api: Api, assignee_type: str, assignee_id: str
) -> None:
    if assignee_id == "coordinator":
        assignee_id = api.user_id("coordinator")
    case_id = _registered(api)
    data = valid_data(api, "dispatched")
    data.update(assignee_type=assignee_type, assignee_id=assignee_id)
    before = stored_counts(api.db)
    result = _expect(
        api,
        api.push("coordinator", events=[api.event(case_id, "dispatched", "coordinator", **data)]),
        "invalid",
    )
    assert result["field"] == "data.assignee_id"
    assert stored_counts(api.db) == before


def test_dispatch_to_a_grid_worker_of_another_street_is_refused(api: Api) -> None:
    from sqlalchemy import select

    with api.db.sessions() as session:
        workers = list(session.scalars(select(User).where(User.role == "grid_worker")))
    other = next(w for w in workers if not any(str(g).startswith(STREET) for g in w.grid_ids))
    case_id = _registered(api)
    data = valid_data(api, "dispatched")
    data.update(assignee_type="grid_worker", assignee_id=other.id)
    before = stored_counts(api.db)
    _expect(
        api,
        api.push("coordinator", events=[api.event(case_id, "dispatched", "coordinator", **data)]),
        "invalid",
    )
    assert stored_counts(api.db) == before


# ---------------------------------------------------------------- visits and their cases
def test_a_visit_cannot_link_a_case_outside_the_pushers_area(
    api: Api, world: dict[str, str]
) -> None:
    before = stored_counts(api.db)
    response = api.push("reception", visits=[_visit(api, case_id=world["foreign"])])
    _expect(api, response, "forbidden", "case_id")
    assert stored_counts(api.db) == before


def test_a_new_case_must_lie_in_the_area_of_its_visit(api: Api) -> None:
    """The visit goes first and names a case that does not exist yet; the case's
    ``created`` then places it in another street: that event is forbidden."""
    created = api.created(
        "coordinator", org_unit_id="990101002001001", number="990101002-20261130-01001"
    )
    visit = _visit(api, "coordinator", org_unit_id=STREET, case_id=created["case_id"])
    response = api.push("coordinator", visits=[visit], events=[created])
    visit_result, event_result = response.json()["results"]
    assert visit_result["status"] == "accepted"
    assert event_result["status"] == "rejected"
    assert event_result["code"] == "forbidden"


# ---------------------------------------------------------------- devices, bodies, tokens
def test_a_push_from_another_desk_is_wrong_device(api: Api, world: dict[str, str]) -> None:
    before = stored_counts(api.db)
    event = api.event(world["home"], "commented", "coordinator", text="x")
    response = api.push("coordinator", events=[event], device_id=str(uuid.uuid4()))
    assert response.status_code == 403
    assert response.json()["error"] == "wrong_device"
    assert stored_counts(api.db) == before


def test_a_body_over_8_mb_is_refused_while_read(api: Api) -> None:
    before = stored_counts(api.db)
    big = b'{"device_id": "x", "events": [], "pad": "' + b"a" * (9 * 1024 * 1024) + b'"}'
    response = api.client.post(
        "/api/v1/sync/push",
        headers={**api.headers("coordinator"), "Content-Type": "application/json"},
        content=big,
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert stored_counts(api.db) == before


def test_a_body_with_a_lying_length_is_refused_while_read(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"pad": "'
        for _ in range(10):
            yield b"a" * (1024 * 1024)
        yield b'"}'

    response = api.client.post(
        "/api/v1/sync/push",
        headers={**api.headers("coordinator"), "Content-Type": "application/json"},
        content=chunks(),
    )
    assert response.status_code == 413


def test_a_big_body_without_a_valid_token_is_401_before_it_is_read(api: Api) -> None:
    """Headers announce 50 MB, a few bytes follow: the 401 comes without waiting for the rest."""
    import socket

    host, port = api.server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/sync/push HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer bogus\r\nContent-Type: application/json\r\n"
            b"Content-Length: 52428800\r\n\r\n" + b"a" * 1024
        )
        answer = _read_answer(sock)  # times out (fails) if the server waits for 50 MB
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b"invalid_token" in answer


def _read_answer(sock: Any) -> bytes:
    """One HTTP answer: its headers, then as many body bytes as they announce."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'"text"', b"{", b'{"events": "x"}', b'{"visits": {}}', b"\xff\xfe"],
)
def test_a_malformed_body_is_400(api: Api, body: bytes) -> None:
    before = stored_counts(api.db)
    response = api.client.post(
        "/api/v1/sync/push",
        headers={**api.headers("coordinator"), "Content-Type": "application/json"},
        content=body,
    )
    assert response.status_code in (400, 403), response.text
    assert response.json()["error"] in ("invalid", "wrong_device")
    assert stored_counts(api.db) == before


def test_more_than_500_items_are_refused(api: Api) -> None:
    before = stored_counts(api.db)
    response = api.push("reception", visits=[_visit(api) for _ in range(501)])
    assert response.status_code == 413
    assert response.json()["error"] == "too_many_items"
    assert stored_counts(api.db) == before


def test_the_stored_trail_names_who_pushed(api: Api) -> None:
    from sqlalchemy import select

    from models.tables import CaseEvent

    case_id = api.new_case("coordinator")
    with api.db.sessions() as session:
        row = session.scalar(select(CaseEvent).where(CaseEvent.case_id == case_id))
        assert row is not None
        assert row.pushed_by == api.user_id("coordinator")
        assert row.pushed_device == "probe"
        assert row.pushed_address == "127.0.0.1"
        assert row.push_protocol == "1.1"
        assert row.received_at is not None
