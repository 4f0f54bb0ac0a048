"""Hostile logins (docs/protocol.md "Logging in: token pairs"): wrong and made-up names,
locks per account and per (address, account) that answer alike for names that
exist and names that do not, a street office behind one NAT address, forged
``X-Forwarded-For`` headers, and malformed bodies.

Addresses are simulated with ``X-Forwarded-For`` sent through a server that
trusts 127.0.0.1 as its reverse proxy (:func:`behind_proxy`); each probe uses
addresses and names of its own, because the server is shared by the module.
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select
from starlette.requests import Request

from county_server.app import create_app
from county_server.auth_api import client_address, parse_proxies
from county_server.models import AccessToken, Device, LoginThrottle, RefreshToken
from models.db import Database
from models.tables import User
from tests.security.conftest import Api, stored_counts
from tests.sync_harness import PASSWORD, ServerThread

TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/refresh"
WRONG = {"error": "invalid_credentials", "message": "Wrong username or password."}

_addresses = itertools.count(1)


def new_address() -> str:
    """A documentation address (TEST-NET-3) not used by any other probe of the module."""
    n = next(_addresses)
    return f"203.0.{113 + n // 250}.{n % 250 + 1}"


def auth_state(db: Database) -> dict[str, Any]:
    """Tokens, refresh tokens, devices and the users' credentials: what a refused login
    must leave as it was (failure counts excepted)."""
    with db.sessions() as session:
        count = {
            table.__name__: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in (AccessToken, RefreshToken, Device)
        }
        live = int(
            session.scalar(
                select(func.count()).select_from(AccessToken).where(AccessToken.revoked.is_(False))
            )
            or 0
        )
        users = sorted(
            (u.id, u.password_hash, u.active, u.credentials_changed_at)
            for u in session.scalars(select(User))
        )
    return {**count, "live_tokens": live, "users": users, **stored_counts(db)}


def throttle_rows(db: Database) -> dict[str, tuple[int, Any]]:
    with db.sessions() as session:
        return {
            row.key: (row.failures, row.locked_until)
            for row in session.scalars(select(LoginThrottle))
        }


def body(username: str, password: str = PASSWORD, **extra: Any) -> dict[str, Any]:
    return {
        "username": username,
        "password": password,
        "device_id": str(uuid.uuid4()),
        "device_name": "probe",
        **extra,
    }


def post_login(
    client: httpx.Client, username: str, password: str = PASSWORD, address: str | None = None
) -> httpx.Response:
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post(TOKEN, json=body(username, password), headers=headers)


def comparable(response: httpx.Response) -> tuple[int, Any, dict[str, str]]:
    """Status, body and headers, without the date (which says nothing about the name)."""
    headers = {k: v for k, v in response.headers.items() if k.lower() != "date"}
    return response.status_code, response.json(), headers


class DirectServer(ServerThread):
    """A county server as ``python -m county_server serve`` runs it: uvicorn
    believes no proxy header (``proxy_headers=False``), only the app's own
    trusted-proxy setting decides."""

    def __init__(self, db: Database, trusted_proxies: tuple[str, ...]) -> None:
        super().__init__(db)
        self.faults.app = create_app(db, trusted_proxies=trusted_proxies)
        config = uvicorn.Config(
            self.faults,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            proxy_headers=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)


@pytest.fixture(scope="module")
def behind_proxy(server: ServerThread) -> Iterator[httpx.Client]:
    """The module's county database served by an app that trusts 127.0.0.1 as its proxy."""
    with (
        DirectServer(server.db, ("127.0.0.1",)) as proxied,
        httpx.Client(base_url=proxied.url, timeout=60) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def untrusting(server: ServerThread) -> Iterator[httpx.Client]:
    """The module's county database served by an app that trusts no proxy."""
    with (
        DirectServer(server.db, ()) as direct,
        httpx.Client(base_url=direct.url, timeout=60) as client,
    ):
        yield client


# ---------------------------------------------------------------- wrong and unknown
def test_wrong_password_is_refused_and_issues_nothing(api: Api) -> None:
    before = auth_state(api.db)
    response = post_login(api.client, "reception2", "not-the-password")
    assert response.status_code == 401
    assert response.json() == WRONG
    assert "retry-after" not in response.headers
    assert auth_state(api.db) == before


def test_unknown_name_answers_like_a_wrong_password(api: Api, behind_proxy: httpx.Client) -> None:
    before = auth_state(api.db)
    address = new_address()
    wrong = post_login(behind_proxy, "gw_20", "not-the-password", address)
    unknown = post_login(behind_proxy, "nobody-at-all", "not-the-password", address)
    assert wrong.status_code == 401
    assert comparable(wrong) == comparable(unknown)
    assert auth_state(api.db) == before


def test_disabled_user_with_the_right_password_answers_like_a_wrong_one(
    api: Api, behind_proxy: httpx.Client
) -> None:
    from county_server.admin import disable_user

    disable_user(api.db, username="gw_21")
    before = auth_state(api.db)
    address = new_address()
    disabled = post_login(behind_proxy, "gw_21", PASSWORD, address)
    wrong = post_login(behind_proxy, "gw_22", "not-the-password", address)
    assert disabled.status_code == 401
    assert comparable(disabled) == comparable(wrong)
    assert auth_state(api.db) == before


def test_failures_are_counted_for_unknown_names_too(api: Api, behind_proxy: httpx.Client) -> None:
    address = new_address()
    post_login(behind_proxy, "Ghost-Counted", "x-1", address)
    rows = throttle_rows(api.db)
    assert rows["acct:ghost-counted"][0] == 1
    assert rows[f"pair:{address}|ghost-counted"][0] == 1


# ---------------------------------------------------------------- per (address, account)
def test_pair_lock_after_five_failures_refuses_even_the_right_password(
    api: Api, behind_proxy: httpx.Client
) -> None:
    address = new_address()
    codes = [post_login(behind_proxy, "gw_1", f"wrong-{i}", address).status_code for i in range(5)]
    assert codes == [401] * 5
    before = auth_state(api.db)
    locked = post_login(behind_proxy, "gw_1", PASSWORD, address)
    assert locked.status_code == 429
    assert locked.json()["error"] == "too_many_attempts"
    assert locked.json()["message"]
    assert int(locked.headers["retry-after"]) > 0
    assert auth_state(api.db) == before  # no token for the right password during the lock
    # The same account from another address is not locked (no per-account lock yet) …
    assert post_login(behind_proxy, "gw_1", PASSWORD, new_address()).status_code == 200
    # … and the lock of the pair holds after that success elsewhere.
    assert post_login(behind_proxy, "gw_1", PASSWORD, address).status_code == 429


def test_locked_existing_and_unknown_names_answer_alike(
    api: Api, behind_proxy: httpx.Client
) -> None:
    address = new_address()
    for name in ("gw_2", "nobody-locked"):
        for i in range(5):
            assert post_login(behind_proxy, name, f"wrong-{i}", address).status_code == 401
    before = auth_state(api.db)
    existing = post_login(behind_proxy, "gw_2", PASSWORD, address)
    unknown = post_login(behind_proxy, "nobody-locked", PASSWORD, address)
    assert existing.status_code == 429
    assert comparable(existing) == comparable(unknown)  # status, body, Retry-After
    assert "gw_2" not in existing.text
    assert auth_state(api.db) == before


def test_a_success_clears_the_pair_count(api: Api, behind_proxy: httpx.Client) -> None:
    address = new_address()
    for i in range(4):
        assert post_login(behind_proxy, "gw_3", f"wrong-{i}", address).status_code == 401
    assert post_login(behind_proxy, "gw_3", PASSWORD, address).status_code == 200
    for i in range(4):
        assert post_login(behind_proxy, "gw_3", f"again-{i}", address).status_code == 401
    assert post_login(behind_proxy, "gw_3", PASSWORD, address).status_code == 200


def test_a_burst_of_parallel_guesses_gets_at_most_five_checks(
    api: Api, behind_proxy: httpx.Client
) -> None:
    address = new_address()
    statuses: list[int] = []
    lock = threading.Lock()

    def guess(i: int) -> None:
        response = post_login(behind_proxy, "gw_4", f"burst-{i}", address)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 5 + [429] * 7
    assert post_login(behind_proxy, "gw_4", PASSWORD, address).status_code == 429


# ---------------------------------------------------------------- one NAT address, many people
def test_made_up_names_from_one_address_do_not_block_a_real_login(
    api: Api, behind_proxy: httpx.Client
) -> None:
    office = new_address()
    for i in range(10):
        response = post_login(behind_proxy, f"made-up-{i}", "whatever-1", office)
        assert response.status_code == 401
    assert post_login(behind_proxy, "gw_5", PASSWORD, office).status_code == 200


def test_thirty_failures_on_one_name_do_not_block_another_name_at_that_address(
    api: Api, behind_proxy: httpx.Client
) -> None:
    office = new_address()
    codes = [post_login(behind_proxy, "gw_6", f"wrong-{i}", office).status_code for i in range(30)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    assert post_login(behind_proxy, "gw_7", PASSWORD, office).status_code == 200
    assert post_login(behind_proxy, "nobody-else", "whatever-1", office).status_code == 401


# ---------------------------------------------------------------- per account
def _fail_twenty(client: httpx.Client, name: str) -> None:
    """20 failures from 5 addresses, 4 each (no pair is locked)."""
    for _ in range(5):
        address = new_address()
        for i in range(4):
            assert post_login(client, name, f"wrong-{i}", address).status_code == 401


def test_account_lock_across_addresses_answers_like_an_unknown_locked_name(
    api: Api, behind_proxy: httpx.Client
) -> None:
    _fail_twenty(behind_proxy, "gw_8")
    _fail_twenty(behind_proxy, "nobody-spread")
    before = auth_state(api.db)
    fresh = new_address()
    existing = post_login(behind_proxy, "gw_8", PASSWORD, fresh)
    unknown = post_login(behind_proxy, "nobody-spread", PASSWORD, fresh)
    assert existing.status_code == 429
    assert existing.json()["error"] == "too_many_attempts"
    assert int(existing.headers["retry-after"]) > 5 * 60  # the account lock: 15 minutes
    assert comparable(existing) == comparable(unknown)
    assert auth_state(api.db) == before
    # Other accounts from those addresses are not touched.
    assert post_login(behind_proxy, "gw_9", PASSWORD, fresh).status_code == 200


def test_account_names_are_counted_without_regard_to_case(
    api: Api, behind_proxy: httpx.Client
) -> None:
    address = new_address()
    for i, name in enumerate(("GW_10", "gw_10", "Gw_10", " gw_10", "gW_10")):
        assert post_login(behind_proxy, name, f"wrong-{i}", address).status_code == 401
    assert post_login(behind_proxy, "gw_10", PASSWORD, address).status_code == 429


# ---------------------------------------------------------------- X-Forwarded-For
def test_forwarded_for_is_ignored_from_an_untrusted_peer(
    api: Api, untrusting: httpx.Client
) -> None:
    """A server that trusts no proxy: five failures with five forged addresses
    are five failures of one pair (the real peer)."""
    for i in range(5):
        response = post_login(untrusting, "gw_11", f"wrong-{i}", new_address())
        assert response.status_code == 401
    before = auth_state(api.db)
    locked = post_login(untrusting, "gw_11", PASSWORD, new_address())
    assert locked.status_code == 429
    assert auth_state(api.db) == before
    assert not any(
        key.startswith("pair:203.0.") and "gw_11" in key for key in throttle_rows(api.db)
    )


def test_forged_left_entries_do_not_escape_the_pair_lock(
    api: Api, behind_proxy: httpx.Client
) -> None:
    """Behind the trusted proxy the right-most entry is the client; whatever the
    client wrote to its left changes nothing."""
    real = new_address()
    for i in range(5):
        forged = f"{new_address()}, {real}"
        assert post_login(behind_proxy, "gw_12", f"wrong-{i}", forged).status_code == 401
    before = auth_state(api.db)
    again = post_login(behind_proxy, "gw_12", PASSWORD, f"198.51.100.1, {real}")
    assert again.status_code == 429
    assert auth_state(api.db) == before


def _request(peer: str, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "client": (peer, 50000), "headers": headers})


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("127.0.0.1", [], (), "127.0.0.1"),
        ("198.51.100.9", ["203.0.113.5"], (), "198.51.100.9"),
        ("198.51.100.9", ["203.0.113.5"], ("127.0.0.1",), "198.51.100.9"),
        ("127.0.0.1", ["203.0.113.5"], ("127.0.0.1",), "203.0.113.5"),
        ("127.0.0.1", ["1.2.3.4, 203.0.113.5"], ("127.0.0.1",), "203.0.113.5"),
        ("127.0.0.1", ["203.0.113.5, 10.1.2.3"], ("127.0.0.1", "10.0.0.0/8"), "203.0.113.5"),
        ("127.0.0.1", ["1.2.3.4", "203.0.113.6"], ("127.0.0.1",), "203.0.113.6"),
        ("127.0.0.1", ["203.0.113.5, not-an-ip"], ("127.0.0.1",), "127.0.0.1"),
        ("127.0.0.1", ["2001:db8::1"], ("127.0.0.1",), "2001:db8::1"),
        ("127.0.0.1", ["[2001:db8::2]:443"], ("127.0.0.1",), "2001:db8::2"),
        ("127.0.0.1", ["203.0.113.7:5555"], ("127.0.0.1",), "203.0.113.7"),
        ("::ffff:127.0.0.1", ["203.0.113.8"], ("127.0.0.1",), "203.0.113.8"),
        ("127.0.0.1", ["10.0.0.1, 10.0.0.2"], ("127.0.0.1", "10.0.0.0/8"), "10.0.0.1"),
    ],
)
def test_client_address(
    peer: str, forwarded: list[str], trusted: tuple[str, ...], expected: str
) -> None:
    assert client_address(_request(peer, *forwarded), trusted) == expected


def test_a_trusted_proxy_that_is_no_address_is_refused() -> None:
    with pytest.raises(ValueError, match="nope"):
        parse_proxies(["10.0.0.0/8", "nope"])


# ---------------------------------------------------------------- malformed bodies
DEVICE = "0f8fad5b-d9cb-469f-a165-70867728950e"
MALFORMED_LOGIN: list[tuple[str, bytes, int, str | None]] = [
    ("not_json", b"username=coordinator&password=x", 400, None),
    ("truncated", b'{"username": "coordinator", ', 400, None),
    ("empty", b"", 400, None),
    ("array", json.dumps([body("coordinator")]).encode(), 400, None),
    ("string", b'"coordinator"', 400, None),
    ("nan", json.dumps(body("coordinator", extra=float("nan"))).encode(), 400, None),
    ("infinity", b'{"username": "coordinator", "password": "x", "n": Infinity}', 400, None),
    ("huge_float", b'{"username": "coordinator", "password": "x", "n": 1e999}', 400, None),
    ("deep", b"[" * 50_000 + b"]" * 50_000, 413, None),
    ("nested_deep", b"[" * 20_000 + b"]" * 20_000, 400, None),
    ("bad_utf8", b'{"username": "\xff\xfe", "password": "x"}', 400, None),
    ("huge", json.dumps(body("coordinator", password="x" * 100_000)).encode(), 413, None),
    ("nul_username", json.dumps(body("coord\u0000inator")).encode(), 400, "username"),
    ("control_username", json.dumps(body("coord\u001binator")).encode(), 400, "username"),
    (
        "lone_surrogate",
        b'{"username": "\\ud800", "password": "x", "device_id": "' + DEVICE.encode() + b'"}',
        400,
        "username",
    ),
    (
        "surrogate_password",
        b'{"username": "coordinator", "password": "a\\udfffb", "device_id": "'
        + DEVICE.encode()
        + b'"}',
        400,
        "password",
    ),
    ("username_int", json.dumps({**body("coordinator"), "username": 42}).encode(), 400, "username"),
    (
        "username_null",
        json.dumps({**body("coordinator"), "username": None}).encode(),
        400,
        "username",
    ),
    ("username_blank", json.dumps(body("   ")).encode(), 400, "username"),
    ("username_61", json.dumps(body("u" * 61)).encode(), 400, "username"),
    ("password_list", json.dumps(body("coordinator", password=["x"])).encode(), 400, "password"),
    ("password_257", json.dumps(body("coordinator", password="p" * 257)).encode(), 400, "password"),
    (
        "password_missing",
        json.dumps({"username": "coordinator", "device_id": DEVICE}).encode(),
        400,
        "password",
    ),
    (
        "device_name_101",
        json.dumps(body("coordinator", device_name="d" * 101)).encode(),
        400,
        "device_name",
    ),
    (
        "device_name_object",
        json.dumps(body("coordinator", device_name={})).encode(),
        400,
        "device_name",
    ),
    (
        "device_id_missing",
        json.dumps({"username": "coordinator", "password": PASSWORD}).encode(),
        400,
        "device_id",
    ),
    (
        "device_id_not_uuid",
        json.dumps(body("coordinator", device_id="desk-1")).encode(),
        400,
        "device_id",
    ),
    (
        "device_id_number",
        json.dumps(body("coordinator", device_id=12345)).encode(),
        400,
        "device_id",
    ),
    (
        "device_id_long",
        json.dumps(body("coordinator", device_id=DEVICE + "0" * 100)).encode(),
        400,
        "device_id",
    ),
]


@pytest.mark.parametrize(
    ("raw", "status", "field"),
    [pytest.param(raw, status, field, id=name) for name, raw, status, field in MALFORMED_LOGIN],
)
def test_malformed_login_bodies_are_refused_with_a_message(
    api: Api, raw: bytes, status: int, field: str | None
) -> None:
    before, throttle = auth_state(api.db), throttle_rows(api.db)
    response = api.client.post(TOKEN, content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.text
    answer = response.json()
    assert answer["error"] == ("too_large" if status == 413 else "invalid")
    assert answer["message"]
    if field:
        assert answer["field"] == field and field in answer["message"]
    assert auth_state(api.db) == before
    assert throttle_rows(api.db) == throttle  # a malformed body is no login attempt


def test_a_large_body_is_refused_while_it_is_read(api: Api) -> None:
    """No Content-Length (chunked): the server stops at 64 KB instead of reading it all."""
    before = auth_state(api.db)

    def chunks() -> Iterator[bytes]:
        yield b'{"username": "coordinator", "password": "'
        for _ in range(4096):  # 4 MB if it were read to the end
            yield b"x" * 1024
        yield b'"}'

    response = api.client.post(TOKEN, content=chunks())
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert auth_state(api.db) == before


MALFORMED_REFRESH: list[tuple[str, bytes, str | None]] = [
    ("not_json", b"refresh_token=abc", None),
    ("array", b"[]", None),
    ("nan", b'{"refresh_token": NaN, "device_id": "' + DEVICE.encode() + b'"}', None),
    (
        "token_number",
        json.dumps({"refresh_token": 1, "device_id": DEVICE}).encode(),
        "refresh_token",
    ),
    ("token_missing", json.dumps({"device_id": DEVICE}).encode(), "refresh_token"),
    (
        "token_nul",
        json.dumps({"refresh_token": "a\u0000b", "device_id": DEVICE}).encode(),
        "refresh_token",
    ),
    (
        "token_long",
        json.dumps({"refresh_token": "t" * 201, "device_id": DEVICE}).encode(),
        "refresh_token",
    ),
    ("device_missing", json.dumps({"refresh_token": "abc"}).encode(), "device_id"),
    (
        "device_not_uuid",
        json.dumps({"refresh_token": "abc", "device_id": "x"}).encode(),
        "device_id",
    ),
]


@pytest.mark.parametrize(
    ("raw", "field"),
    [pytest.param(raw, field, id=name) for name, raw, field in MALFORMED_REFRESH],
)
def test_malformed_refresh_bodies_are_refused_with_a_message(
    api: Api, raw: bytes, field: str | None
) -> None:
    before = auth_state(api.db)
    response = api.client.post(REFRESH, content=raw)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid" and response.json()["message"]
    if field:
        assert response.json()["field"] == field
    assert auth_state(api.db) == before


def test_an_upper_case_device_id_is_stored_in_canonical_form(api: Api) -> None:
    device = str(uuid.uuid4())
    answer = api.client.post(TOKEN, json=body("gw_13", device_id=device.upper()))
    assert answer.status_code == 200, answer.text
    with api.db.sessions() as session:
        row = session.get(Device, device)
        assert row is not None and row.name == "probe"
