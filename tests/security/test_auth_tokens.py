"""Hostile use of tokens (docs/protocol.md "Logging in: token pairs"): refresh tokens bound to a
desk and rotated on use, a stolen copy that gets nothing, logout, and the
password change, disabled user and administrator's revocation that end every
token of a user at once, with the reason in the 401 and the time in the user's
feed entry.

Each probe works on a user of its own (made with ``admin.create_user``), so that
the probes of the module can share one server.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from county_server import admin
from county_server.models import AccessToken, RefreshToken
from county_server.tokens import TOKEN_HOURS, issue_token
from models.tables import User
from services.protocol.reference import user_wire
from tests.security.conftest import STREET, Api
from tests.security.test_auth_login import auth_state

TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
CHANGES = "/api/v1/sync/changes"
PASSWORD = "first-pass-1"


def make_user(api: Api, role: str = "reception") -> str:
    name = f"probe_{uuid.uuid4().hex[:10]}"
    admin.create_user(
        api.db,
        username=name,
        password=PASSWORD,
        display_name="探针",
        role=role,
        org_unit_id=STREET,
    )
    return name


def login(api: Api, username: str, device: str, password: str = PASSWORD) -> dict[str, Any]:
    response = api.client.post(
        TOKEN,
        json={
            "username": username,
            "password": password,
            "device_id": device,
            "device_name": "probe",
        },
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def refresh(api: Api, refresh_token: str, device: str) -> Any:
    return api.client.post(REFRESH, json={"refresh_token": refresh_token, "device_id": device})


def pull(api: Api, token: str) -> Any:
    return api.client.get(
        CHANGES, headers={"Authorization": f"Bearer {token}"}, params={"limit": 1}
    )


def refused(response: Any, reason: str, code: str = "invalid_token") -> None:
    assert response.status_code == 401, response.text
    answer = response.json()
    assert (answer["error"], answer["reason"]) == (code, reason)
    assert answer["message"]


@pytest.fixture
def device() -> str:
    return str(uuid.uuid4())


# ---------------------------------------------------------------- the pair
def test_login_gives_a_short_token_and_a_refresh_token(api: Api, device: str) -> None:
    name = make_user(api)
    before = datetime.now(UTC)
    answer = login(api, name, device)
    assert set(answer) == {
        "token",
        "expires_at",
        "refresh_token",
        "refresh_expires_at",
        "user",
        "desk_code",
    }
    assert answer["user"]["username"] == name
    token_life = datetime.fromisoformat(answer["expires_at"]) - before
    refresh_life = datetime.fromisoformat(answer["refresh_expires_at"]) - before
    assert timedelta(0) < token_life <= timedelta(hours=12, minutes=1)
    assert timedelta(days=1) < refresh_life <= timedelta(days=30, minutes=1)
    assert pull(api, answer["token"]).status_code == 200


def test_only_hashes_of_tokens_are_stored(api: Api, device: str) -> None:
    answer = login(api, make_user(api), device)
    with api.db.sessions() as session:
        stored = set(session.scalars(select(AccessToken.token_hash))) | set(
            session.scalars(select(RefreshToken.token_hash))
        )
        row = session.get(AccessToken, hashlib.sha256(answer["token"].encode()).hexdigest())
        assert row is not None and row.device_id == device
        assert row.refresh_hash == hashlib.sha256(answer["refresh_token"].encode()).hexdigest()
    assert answer["token"] not in stored and answer["refresh_token"] not in stored


def test_a_server_asked_for_longer_tokens_still_gives_at_most_twelve_hours(api: Api) -> None:
    issued = issue_token(
        api.db,
        username=make_user(api),
        password=PASSWORD,
        device_id=str(uuid.uuid4()),
        device_name="probe",
        client="192.0.2.1",
        token_hours=48,
    )
    assert issued.expires_at - datetime.now(UTC) <= timedelta(hours=TOKEN_HOURS)


def test_refresh_rotates_the_pair(api: Api, device: str) -> None:
    first = login(api, make_user(api), device)
    second = refresh(api, first["refresh_token"], device)
    assert second.status_code == 200, second.text
    new = second.json()
    assert new["token"] != first["token"] and new["refresh_token"] != first["refresh_token"]
    assert new["user"] == first["user"]
    assert pull(api, new["token"]).status_code == 200
    third = refresh(api, new["refresh_token"], device)
    assert third.status_code == 200


def test_a_spent_refresh_token_is_refused_and_ends_the_chain(api: Api, device: str) -> None:
    """The thief (or the desk) that shows a spent refresh token again gets nothing,
    and the pair given for it is ended too: a stolen copy is worth nothing."""
    first = login(api, make_user(api), device)
    second = refresh(api, first["refresh_token"], device).json()
    refused(refresh(api, first["refresh_token"], device), "revoked")
    refused(refresh(api, second["refresh_token"], device), "revoked")
    refused(pull(api, second["token"]), "revoked")
    refused(pull(api, first["token"]), "revoked")


def test_chain_revocation_spares_the_same_user_on_another_desk(api: Api, device: str) -> None:
    name = make_user(api)
    other_desk = str(uuid.uuid4())
    elsewhere = login(api, name, other_desk)
    first = login(api, name, device)
    refresh(api, first["refresh_token"], device)
    refused(refresh(api, first["refresh_token"], device), "revoked")
    assert pull(api, elsewhere["token"]).status_code == 200
    assert refresh(api, elsewhere["refresh_token"], other_desk).status_code == 200


def test_refresh_from_another_desk_is_refused_and_spends_nothing(api: Api, device: str) -> None:
    first = login(api, make_user(api), device)
    before = auth_state(api.db)
    refused(refresh(api, first["refresh_token"], str(uuid.uuid4())), "wrong_device")
    assert auth_state(api.db) == before
    assert refresh(api, first["refresh_token"], device).status_code == 200


def test_an_unknown_refresh_token_is_refused(api: Api, device: str) -> None:
    before = auth_state(api.db)
    refused(refresh(api, "made-up-refresh-token", device), "unknown")
    assert auth_state(api.db) == before


def test_an_expired_refresh_token_is_refused(api: Api, device: str) -> None:
    first = login(api, make_user(api), device)
    digest = hashlib.sha256(first["refresh_token"].encode()).hexdigest()
    with api.db.session() as session:
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == digest)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    before = auth_state(api.db)
    refused(refresh(api, first["refresh_token"], device), "expired")
    assert auth_state(api.db) == before


def test_an_expired_token_answers_token_expired(api: Api, device: str) -> None:
    first = login(api, make_user(api), device)
    digest = hashlib.sha256(first["token"].encode()).hexdigest()
    with api.db.session() as session:
        session.execute(
            update(AccessToken)
            .where(AccessToken.token_hash == digest)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    refused(pull(api, first["token"]), "expired", code="token_expired")
    assert refresh(api, first["refresh_token"], device).status_code == 200


# ---------------------------------------------------------------- logout
def test_logout_ends_the_token_and_its_refresh_token(api: Api, device: str) -> None:
    name = make_user(api)
    first = login(api, name, device)
    other_desk = str(uuid.uuid4())
    elsewhere = login(api, name, other_desk)
    response = api.client.post(LOGOUT, headers={"Authorization": f"Bearer {first['token']}"})
    assert response.status_code == 200 and response.json() == {"ok": True}
    refused(pull(api, first["token"]), "revoked")
    refused(refresh(api, first["refresh_token"], device), "revoked")
    again = api.client.post(LOGOUT, headers={"Authorization": f"Bearer {first['token']}"})
    refused(again, "revoked")
    # The same person on another desk stays logged in.
    assert pull(api, elsewhere["token"]).status_code == 200


def test_logout_after_a_refresh_also_ends_the_newer_pair(api: Api, device: str) -> None:
    first = login(api, make_user(api), device)
    second = refresh(api, first["refresh_token"], device).json()
    response = api.client.post(LOGOUT, headers={"Authorization": f"Bearer {first['token']}"})
    assert response.status_code == 200
    refused(refresh(api, second["refresh_token"], device), "revoked")
    refused(pull(api, second["token"]), "revoked")


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer made-up", "Basic Y29vcmRpbmF0b3I6eA==", "bearer x"]
)
def test_logout_without_a_valid_token_is_refused(api: Api, header: str | None) -> None:
    before = auth_state(api.db)
    headers = {"Authorization": header} if header is not None else {}
    response = api.client.post(LOGOUT, headers=headers)
    refused(response, "unknown")
    assert auth_state(api.db) == before


# ---------------------------------------------------------------- revocation
def _feed_user(api: Api, reader: str, user_id: str) -> dict[str, Any]:
    entries = [c for c in api.changes(reader) if c["type"] == "user" and c["id"] == user_id]
    assert entries, "the user has no feed entry"
    data: dict[str, Any] = entries[-1]["data"]
    return data


def _user(api: Api, name: str) -> User:
    with api.db.sessions() as session:
        user = session.scalar(select(User).where(User.username == name))
        assert user is not None
        return user


def test_password_change_ends_every_token_at_once(api: Api, device: str) -> None:
    name = make_user(api)
    first = login(api, name, device)
    other = login(api, name, str(uuid.uuid4()))
    assert _user(api, name).credentials_changed_at is None
    assert admin.set_password(api.db, username=name, password="second-pass-2") == 4
    for answer in (first, other):
        refused(pull(api, answer["token"]), "password_changed")
    refused(refresh(api, first["refresh_token"], device), "password_changed")
    changed = _user(api, name).credentials_changed_at
    assert changed is not None
    assert _feed_user(api, "coordinator", _user(api, name).id)["credentials_changed_at"] == (
        changed.isoformat()
    )
    wrong = api.client.post(
        TOKEN, json={"username": name, "password": PASSWORD, "device_id": device}
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_credentials"
    assert pull(api, login(api, name, device, "second-pass-2")["token"]).status_code == 200


def test_a_weak_new_password_changes_nothing(api: Api, device: str) -> None:
    from services.errors import ValidationError

    name = make_user(api)
    first = login(api, name, device)
    before = auth_state(api.db)
    with pytest.raises(ValidationError):
        admin.set_password(api.db, username=name, password="short")
    assert auth_state(api.db) == before
    assert pull(api, first["token"]).status_code == 200


def test_disabling_a_user_ends_their_tokens_and_logins(api: Api, device: str) -> None:
    name = make_user(api)
    first = login(api, name, device)
    admin.disable_user(api.db, username=name)
    refused(pull(api, first["token"]), "disabled")
    refused(refresh(api, first["refresh_token"], device), "disabled")
    refused(
        api.client.post(LOGOUT, headers={"Authorization": f"Bearer {first['token']}"}), "disabled"
    )
    data = _feed_user(api, "coordinator", _user(api, name).id)
    assert data["active"] is False and data["credentials_changed_at"]
    denied = api.client.post(
        TOKEN, json={"username": name, "password": PASSWORD, "device_id": device}
    )
    assert denied.status_code == 401 and denied.json()["error"] == "invalid_credentials"
    # Enabled again: a new login works, the old tokens stay ended.
    assert admin.enable_user(api.db, username=name) is True
    assert admin.enable_user(api.db, username=name) is False
    refused(pull(api, first["token"]), "disabled")
    refused(refresh(api, first["refresh_token"], device), "disabled")
    assert pull(api, login(api, name, device)["token"]).status_code == 200
    assert _feed_user(api, "coordinator", _user(api, name).id)["active"] is True


def test_revoke_tokens_ends_every_token_but_not_the_password(api: Api, device: str) -> None:
    name = make_user(api)
    first = login(api, name, device)
    second = refresh(api, first["refresh_token"], device).json()
    admin.revoke_tokens(api.db, username=name)
    for answer in (first, second):
        refused(pull(api, answer["token"]), "revoked")
    refused(refresh(api, second["refresh_token"], device), "revoked")
    assert _feed_user(api, "coordinator", _user(api, name).id)["credentials_changed_at"]
    assert pull(api, login(api, name, device)["token"]).status_code == 200


def test_commands_for_an_unknown_user_change_nothing(api: Api) -> None:
    from services.errors import NotFound

    before = auth_state(api.db)
    for command in (admin.disable_user, admin.enable_user, admin.revoke_tokens):
        with pytest.raises(NotFound):
            command(api.db, username="nobody-here")
    with pytest.raises(NotFound):
        admin.set_password(api.db, username="nobody-here", password="good-pass-1")
    assert auth_state(api.db) == before


def _reference_entry(api: Api, name: str, **changes: Any) -> dict[str, Any]:
    return {**user_wire(_user(api, name)), **changes}


def test_a_new_password_in_the_reference_file_ends_the_tokens(api: Api, device: str) -> None:
    name = make_user(api)
    first = login(api, name, device)
    admin.load_reference_file(api.db, {"users": [_reference_entry(api, name)]})
    assert pull(api, first["token"]).status_code == 200  # the same data: nothing ends
    admin.load_reference_file(api.db, {"users": [_reference_entry(api, name, password=PASSWORD)]})
    assert pull(api, first["token"]).status_code == 200  # the same password: nothing ends
    admin.load_reference_file(
        api.db, {"users": [_reference_entry(api, name, password="from-the-file-3")]}
    )
    refused(pull(api, first["token"]), "password_changed")
    refused(refresh(api, first["refresh_token"], device), "password_changed")
    assert _feed_user(api, "coordinator", _user(api, name).id)["credentials_changed_at"]


def test_a_user_disabled_in_the_reference_file_loses_the_tokens(api: Api, device: str) -> None:
    name = make_user(api)
    first = login(api, name, device)
    admin.load_reference_file(api.db, {"users": [_reference_entry(api, name, active=False)]})
    refused(pull(api, first["token"]), "disabled")
    refused(refresh(api, first["refresh_token"], device), "disabled")
    data = _feed_user(api, "coordinator", _user(api, name).id)
    assert data["active"] is False and data["credentials_changed_at"]


def test_the_feed_does_not_take_credentials_changed_at_from_a_reference_file(api: Api) -> None:
    name = make_user(api)
    admin.load_reference_file(
        api.db,
        {
            "users": [
                _reference_entry(api, name, credentials_changed_at="2030-01-01T00:00:00+00:00")
            ]
        },
    )
    assert _user(api, name).credentials_changed_at is None
