"""Desk codes (docs/protocol.md): the county hands each desk a 2-digit code unique in
its street at its first login, and the desk numbers its cases with it, so two desks
of one street working offline never hand out the same number."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from models.db import open_database
from models.tables import OrgUnit, SyncState
from services.cases.records import next_case_number
from tests.security.conftest import Api


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
