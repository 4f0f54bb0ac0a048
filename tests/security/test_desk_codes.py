"""Desk codes (docs/protocol.md): the county hands each desk a 2-digit code unique in
its street at its first login, and the desk numbers its cases with it, so two desks
of one street working offline never hand out the same number."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from county_server.cli import main as cli_main
from county_server.models import Device
from models.db import open_database
from models.tables import OrgUnit, SyncState
from services.cases.records import next_case_number
from tests.security.conftest import STREET, Api
from tests.sync_harness import PASSWORD

OTHER_STREET = "990101002"  # 西岭街道


def test_each_desk_of_a_street_gets_its_own_code_for_good(api: Api) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    a = api.login("reception", device_id=first)["desk_code"]
    b = api.login("coordinator", device_id=second)["desk_code"]
    assert a != b and len(a) == len(b) == 2 and a.isdigit() and b.isdigit()
    assert api.login("coordinator", device_id=first)["desk_code"] == a  # never changes
    refreshed = api.client.post(
        "/api/v1/auth/refresh",
        json={"refresh_token": api.logins["coordinator"]["refresh_token"], "device_id": first},
    )
    assert refreshed.json()["desk_code"] == a


def test_another_street_counts_its_own_codes(api: Api) -> None:
    code = api.login("reception2", device_id=str(uuid.uuid4()))["desk_code"]
    assert code == "01"  # the first desk of 西岭街道, whatever 长河街道 has


def test_the_desk_numbers_cases_with_its_code(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    at = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    with db.session() as session:
        session.add(OrgUnit(id="990101", level="county", name="县"))
        session.flush()
        session.add(OrgUnit(id="990101001", parent_id="990101", level="street", name="街"))
        session.flush()
        assert next_case_number(session, "990101001", at) == "990101001-20261130-0001"
        session.add(SyncState(key="desk_code", value="07"))
        session.flush()
        assert next_case_number(session, "990101001", at) == "990101001-20261130-07001"
    db.dispose()


# ---------------------------------------------------------------- desks installed without network
def reserve(api: Api, street: str, capsys: pytest.CaptureFixture[str], name: str = "") -> str:
    """``python -m county_server desk-code`` against the running server's database."""
    url = api.db.engine.url.render_as_string(hide_password=False)
    capsys.readouterr()
    assert cli_main(["desk-code", "--street", street, "--name", name, "--db", url]) == 0
    code = capsys.readouterr().out.strip().splitlines()[-1]
    assert len(code) == 2 and code.isdigit(), code
    return code


def device_row(api: Api, device_id: str) -> Device:
    with api.db.sessions() as session:
        row = session.get(Device, device_id)
        assert row is not None
        session.expunge(row)
        return row


def test_the_command_reserves_codes_no_desk_is_ever_given(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    first = reserve(api, STREET, capsys, name="会议室电脑")
    second = reserve(api, STREET, capsys)
    other = reserve(api, OTHER_STREET, capsys)
    assert first != second
    with api.db.sessions() as session:
        taken = list(session.scalars(select(Device.desk_code).where(Device.street == OTHER_STREET)))
    assert taken.count(other) == 1  # unique in its own street
    handed = {api.login("reception", device_id=str(uuid.uuid4()))["desk_code"] for _ in range(3)}
    assert len(handed) == 3 and not handed & {first, second}
    # A desk that logged in before keeps its code; a new one still never gets a reserved code.
    assert api.login("coordinator", device_id=str(uuid.uuid4()))["desk_code"] not in (
        first,
        second,
    )


def test_the_command_refuses_what_is_not_a_street(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    url = api.db.engine.url.render_as_string(hide_password=False)
    for street in ("990101", "990101001001", "990101999", "abc"):
        assert cli_main(["desk-code", "--street", street, "--db", url]) == 2
        assert "no street" in capsys.readouterr().err


def test_a_desk_numbering_with_a_reserved_code_gets_it_bound_at_its_first_login(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    code = reserve(api, STREET, capsys)
    desk = str(uuid.uuid4())
    assert api.login("reception", device_id=desk, desk_code=code)["desk_code"] == code
    row = device_row(api, desk)
    assert (row.street, row.desk_code) == (STREET, code)
    with api.db.sessions() as session:  # the reservation became the desk's row
        holders = list(
            session.scalars(
                select(Device.id).where(Device.street == STREET, Device.desk_code == code)
            )
        )
    assert holders == [desk]
    assert api.login("coordinator", device_id=desk)["desk_code"] == code  # for good
    # Another desk sending the same code (a mistyped copy) gets a code of its own.
    twin = api.login("reception", device_id=str(uuid.uuid4()), desk_code=code)["desk_code"]
    assert twin != code
    # A desk that has a code keeps it whatever it sends.
    spare = reserve(api, STREET, capsys)
    assert api.login("reception", device_id=desk, desk_code=spare)["desk_code"] == code
    with api.db.sessions() as session:
        spare_row = session.scalar(
            select(Device).where(Device.street == STREET, Device.desk_code == spare)
        )
        assert spare_row is not None and spare_row.id.startswith("reserved:")


def test_a_code_reserved_for_another_street_is_not_bound(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    other = reserve(api, OTHER_STREET, capsys)
    desk = str(uuid.uuid4())
    api.login("reception", device_id=desk, desk_code=other)  # reception works in 长河街道
    row = device_row(api, desk)
    assert row.street == STREET and row.desk_code
    with api.db.sessions() as session:
        kept = session.scalar(
            select(Device).where(Device.street == OTHER_STREET, Device.desk_code == other)
        )
        assert kept is not None and kept.id.startswith("reserved:")  # still free for its desk
    # An unreserved code is not taken on the desk's word either.
    loose = str(uuid.uuid4())
    with api.db.sessions() as session:
        used = set(session.scalars(select(Device.desk_code).where(Device.street == STREET)))
    unused = next(f"{n:02d}" for n in range(99, 0, -1) if f"{n:02d}" not in used)
    assert api.login("reception", device_id=loose, desk_code=unused)["desk_code"] != unused


def test_a_malformed_desk_code_is_refused_with_the_field(api: Api) -> None:
    for bad in ("7", "00", "100", "a1", 7):
        response = api.client.post(
            "/api/v1/auth/token",
            json={
                "username": "reception",
                "password": PASSWORD,
                "device_id": str(uuid.uuid4()),
                "desk_code": bad,
            },
        )
        assert response.status_code == 400, bad
        assert response.json()["field"] == "desk_code"
