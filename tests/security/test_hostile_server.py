"""A county server that misbehaves towards the desk (issue 12, docs/protocol.md).

Each probe asserts the clear error the round ends with (or the quarantine of
the bad pulled item) and that nothing the desk stores changed otherwise.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from models.tables import Case, CaseEvent, OutboxItem, User, Visit
from services import sync
from services.demo.district import demo_user_id
from tests.security.hostile_county import (
    Desk,
    Reply,
    created_change,
    hostile,
    http,
    ok,
    page,
    visit_change,
)

ROOT = Path(__file__).resolve().parents[2]


def feed_only(reply: Callable[[str], Reply]) -> Callable[[str, str, bytes], Reply]:
    """Answer the feed with ``reply(query)``; everything else 404."""

    def handler(method: str, path: str, body: bytes) -> Reply:
        if path.endswith("/sync/changes"):
            return reply(path)
        return http(404, '{"error":"not_found","message":"no"}')

    return handler


def expect_failure(
    tmp_path: Path,
    reply: Callable[[str], Reply],
    error: type[sync.SyncError],
    code: str,
    *,
    pages_before: bool = False,
    **engine: Any,
) -> sync.SyncError:
    """``pages_before``: good (empty) pages came first, so the cursor may have moved."""
    with hostile(feed_only(reply), tmp_path) as (_county, desk):
        before = desk.counts()
        with pytest.raises(error) as caught:
            desk.sync(**engine)
        assert caught.value.code == code, caught.value
        assert caught.value.detail or code == "offline"
        after = desk.counts()
        if pages_before:
            before.pop("cursor"), after.pop("cursor")
        assert after == before
        return caught.value


# ---------------------------------------------------------------- broken answers
BROKEN_ANSWERS: dict[str, tuple[bytes, str]] = {
    "garbage_200": (http(200, b"\x00\xffgarbage\x13"), "not_protocol"),
    "html_200": (
        http(200, "<html><body>Login to the portal</body></html>", "text/html"),
        "not_protocol",
    ),
    "html_without_type": (http(200, "<!DOCTYPE html><p>nginx</p>", "text/plain"), "not_protocol"),
    "html_502": (http(502, "<html>Bad Gateway</html>", "text/html"), "server_error"),
    "changes_is_text": (ok({"changes": "x", "next": "v1.2", "more": False}), "not_protocol"),
    "answer_is_list": (ok([]), "not_protocol"),
    "next_is_number": (ok({"changes": [], "next": 5, "more": False}), "not_protocol"),
    "next_missing": (ok({"changes": [], "more": False}), "not_protocol"),
    "more_is_text": (ok({"changes": [], "next": "v1.2", "more": "no"}), "not_protocol"),
    "malformed_json": (http(200, b'{"changes": [ {"type": '), "not_protocol"),
    "not_utf8": (http(200, b'{"changes": [], "next": "\xff\xfe", "more": false}'), "not_protocol"),
    "deep_nesting": (http(200, b"[" * 100_000 + b"]" * 100_000), "not_protocol"),
    "gzip_bomb": (
        http(200, gzip.compress(b"0" * 10_000_000), content_encoding="gzip"),
        "not_protocol",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN_ANSWERS))
def test_broken_feed_answer(tmp_path: Path, name: str) -> None:
    raw, code = BROKEN_ANSWERS[name]
    error = expect_failure(tmp_path, lambda _q: raw, sync.ServerFailed, code)
    assert "Traceback" not in str(error)


def test_not_http_at_all(tmp_path: Path) -> None:
    expect_failure(tmp_path, lambda _q: b"SSH-2.0-OpenSSH_9.6\r\n\r\n", sync.Offline, "offline")


def test_endless_more_with_the_same_cursor(tmp_path: Path) -> None:
    error = expect_failure(
        tmp_path,
        lambda _q: page([], "v1.5", more=True),
        sync.ServerFailed,
        "feed_loop",
        pages_before=True,
    )
    assert "same or an earlier cursor" in error.detail


def test_more_with_an_earlier_cursor(tmp_path: Path) -> None:
    cursors = iter(["v1.9", "v1.3"])
    expect_failure(
        tmp_path,
        lambda _q: page([], next(cursors), more=True),
        sync.ServerFailed,
        "feed_loop",
        pages_before=True,
    )


def test_a_feed_that_never_ends_meets_the_deadline(tmp_path: Path) -> None:
    counter = iter(range(1, 10**9))
    expect_failure(
        tmp_path,
        lambda _q: page([], f"v1.{next(counter)}", more=True),
        sync.DeadlineExceeded,
        "deadline",
        pages_before=True,
        deadline=1.5,
    )


def test_a_trickle_of_one_byte_a_second_meets_the_deadline(tmp_path: Path) -> None:
    body = json.dumps({"changes": [], "next": "v1.1", "more": False}).encode()

    async def trickle(writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        for byte in body:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(1.0)

    error = expect_failure(
        tmp_path, lambda _q: trickle, sync.DeadlineExceeded, "deadline", deadline=2.5
    )
    assert "2.5 s" in error.detail


def test_a_declared_100_mb_body_is_refused(tmp_path: Path) -> None:
    async def huge(writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: 104857600\r\n\r\n" + b" " * 65536
        )
        await writer.drain()

    expect_failure(tmp_path, lambda _q: huge, sync.ServerFailed, "answer_too_large")


def test_a_chunked_100_mb_body_stops_at_the_cap(tmp_path: Path) -> None:
    async def huge(writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b" " * (1024 * 1024)
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        for _ in range(100):
            writer.write(framed)
            await writer.drain()

    expect_failure(
        tmp_path, lambda _q: huge, sync.ServerFailed, "answer_too_large", max_answer_bytes=4_000_000
    )


# ---------------------------------------------------------------- push and login answers
def _with_pending_item(desk: Desk) -> None:
    from services.cases.records import create_case
    from tests.builders import GRID, actor

    with desk.db.session() as session:
        create_case(
            session,
            actor(session, "coordinator"),
            title="井盖缺失",
            description="",
            category_code="0101",
            org_unit_id=GRID,
        )


@pytest.mark.parametrize(
    "raw",
    [
        ok({"results": "x"}),
        http(200, "<html>proxy says hi</html>", "text/html"),
        ok({"results": [{"id": "someone-else", "status": "accepted"}]}),
    ],
    ids=["results_text", "html", "unanswered"],
)
def test_broken_push_answer_leaves_items_pending(tmp_path: Path, raw: bytes) -> None:
    def handler(method: str, path: str, body: bytes) -> Reply:
        return raw if path.endswith("/sync/push") else page([])

    with hostile(handler, tmp_path) as (_county, desk):
        _with_pending_item(desk)
        before = desk.counts()
        with pytest.raises(sync.ServerFailed):
            desk.sync()
        assert desk.counts() == before
        with desk.db.sessions() as session:
            assert {i.status for i in session.scalars(select(OutboxItem))} == {"pending"}


@pytest.mark.parametrize(
    "raw",
    [
        ok({"token": "", "user": {}}),
        http(
            200,
            b'{"token": "t", "expires_at": NaN, "user": {"id": "u", "username": "x", "role": "coordinator"}}',
        ),
        ok({"token": "t\x00", "user": {"id": "u", "username": "x", "role": "coordinator"}}),
        http(200, "<html>captive portal</html>", "text/html"),
    ],
    ids=["empty", "nan", "nul", "html"],
)
def test_broken_login_answer(tmp_path: Path, raw: bytes) -> None:
    with hostile(lambda m, p, b: raw, tmp_path, login=None) as (_county, desk):
        before = desk.counts()
        with pytest.raises(sync.ServerFailed) as caught:
            desk.run(lambda e: e.login("coordinator", "secret-1"))
        assert caught.value.code == "not_protocol"
        assert desk.counts() == before
        assert desk.token_record("coordinator") is None


# ---------------------------------------------------------------- bad pulled items
def _bad_items() -> dict[str, Any]:
    good = created_change
    nan_event = good(2)
    items: dict[str, Any] = {}
    items["nan_in_data"] = nan_event  # made NaN in the raw body below
    items["nul_in_title"] = good(3, title="井盖\x00缺失")
    items["lone_surrogate"] = good(4, title="井盖\ud800")
    items["oversize_description"] = good(5, description="长" * 200_000)
    items["control_character"] = good(6, title="井盖\x1b[31m已结案")
    items["unknown_type"] = {"type": "bogus", "id": "x", "data": {"id": "x"}}
    items["data_not_object"] = {"type": "case_event", "id": "x", "data": "x"}
    items["change_not_object"] = "just text"
    early = good(7)
    early["data"]["at"] = "1999-12-31T00:00:00+00:00"
    items["time_before_2000"] = early
    late = good(8)
    late["data"]["at"] = "2999-01-01T00:00:00+00:00"
    items["time_far_future"] = late
    garbled = good(9)
    garbled["data"]["at"] = "yesterday"
    items["time_not_a_time"] = garbled
    wrong_type = good(10)
    wrong_type["data"]["data"]["title"] = 42
    items["title_not_text"] = wrong_type
    items["bad_pushed_by"] = dict(good(11), pushed_by="x" * 500)
    items["bad_received_at"] = dict(good(12), received_at="soon")
    feedback = good(13)
    feedback["data"].update(
        type="feedback", data={"result": "已修复", "attachments": [{"sha256": "../../etc/passwd"}]}
    )
    items["malformed_attachment"] = feedback
    visit = visit_change(phone=float("inf"))
    items["visit_with_infinity"] = visit
    items["visit_bad_purpose"] = visit_change()
    items["visit_bad_purpose"]["data"]["purpose"] = "<script>"
    items["user_bad_role"] = {
        "type": "user",
        "id": "u-x",
        "data": {"id": "u-x", "username": "evil", "role": "root", "org_unit_id": None},
    }
    return items


BAD_ITEMS = _bad_items()


@pytest.mark.parametrize("name", sorted(BAD_ITEMS))
def test_bad_pulled_item_is_kept_aside_and_the_rest_applied(tmp_path: Path, name: str) -> None:
    bad = BAD_ITEMS[name]
    good = created_change(1)
    body = json.dumps(
        {"changes": [bad, good], "next": "v1.2", "more": False}, ensure_ascii=True, allow_nan=True
    ).encode()
    if name == "nan_in_data":
        body = body.replace(b'"lat": null', b'"lat": NaN', 1)
        assert b"NaN" in body
    raw = http(200, body)
    with hostile(feed_only(lambda _q: raw), tmp_path) as (_county, desk):
        before = desk.counts()
        result = desk.sync()
        assert result.quarantined == 1
        after = desk.counts()
        assert after["PulledQuarantine"] == before["PulledQuarantine"] + 1
        assert after["Case"] == before["Case"] + 1  # the good item of the page
        assert after["CaseEvent"] == before["CaseEvent"] + 1
        assert after["Visit"] == before["Visit"]
        assert after["User"] == before["User"]
        (kept,) = desk.quarantine()
        assert kept.field and kept.message
        assert len(kept.payload) <= 64 * 1024
        with desk.db.sessions() as session:
            case = session.get(Case, good["data"]["case_id"])
            assert case is not None and case.number == good["data"]["data"]["number"]
            event = session.scalar(select(CaseEvent).where(CaseEvent.id == good["id"]))
            assert event is not None
            assert (event.pushed_by, event.pushed_device, event.push_protocol) == (
                demo_user_id("coordinator"),
                "接待台1",
                "1.1",
            )
            assert event.received_at is not None
        # Pulled again (at least once delivery): still one row, nothing applied twice.
        desk.sync()
        assert desk.counts()["PulledQuarantine"] == after["PulledQuarantine"]


def test_a_pulled_user_never_sets_a_password(tmp_path: Path) -> None:
    user = {
        "type": "user",
        "id": demo_user_id("reception"),
        "data": {
            "id": demo_user_id("reception"),
            "username": "reception",
            "display_name": "接待员",
            "role": "reception",
            "org_unit_id": "990101001",
            "department_id": None,
            "grid_ids": [],
            "active": True,
            "password": "attacker-chosen-1",
            "credentials_changed_at": None,
        },
    }
    with hostile(feed_only(lambda _q: page([user])), tmp_path) as (_county, desk):
        desk.sync()
        with desk.db.sessions() as session:
            row = session.get(User, demo_user_id("reception"))
            assert row is not None and row.password_hash is None


# ---------------------------------------------------------------- tokens from a hostile county
@pytest.mark.parametrize("reason", ["password_changed", "disabled", "revoked", "wrong_device"])
def test_refused_refresh_forgets_the_token(tmp_path: Path, reason: str) -> None:
    from services.accounts.auth import hash_password

    def handler(method: str, path: str, body: bytes) -> Reply:
        if path.endswith("/auth/refresh"):
            return http(
                401, json.dumps({"error": "invalid_token", "message": "no", "reason": reason})
            )
        return page([])

    with hostile(handler, tmp_path, login=None) as (_county, desk):
        desk.keep_login("coordinator", hours=-1)  # the short token is over: refresh
        with desk.db.session() as session:
            row = session.get(User, demo_user_id("coordinator"))
            assert row is not None
            row.password_hash = hash_password("secret-123")
        with pytest.raises(sync.LoginRequired):
            desk.sync()
        assert desk.token_record("coordinator") is None
        with desk.db.sessions() as session:
            row = session.get(User, demo_user_id("coordinator"))
            assert row is not None
            dropped = reason in ("password_changed", "disabled", "revoked")
            assert (row.password_hash is None) == dropped
            assert row.active == (reason != "disabled")


def test_refresh_rotation_stores_the_new_pair_first(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    seen: list[str] = []

    def handler(method: str, path: str, body: bytes) -> Reply:
        if path.endswith("/auth/refresh"):
            seen.append(json.loads(body)["refresh_token"])
            later = datetime.now(UTC) + timedelta(hours=12)
            return ok(
                {
                    "token": "fresh-token",
                    "expires_at": later.isoformat(),
                    "refresh_token": "fresh-refresh",
                    "refresh_expires_at": (later + timedelta(days=29)).isoformat(),
                    "user": {
                        "id": demo_user_id("coordinator"),
                        "username": "coordinator",
                        "display_name": "c",
                        "role": "coordinator",
                    },
                }
            )
        return page([])

    with hostile(handler, tmp_path, login=None) as (county, desk):
        desk.keep_login("coordinator", hours=-1)
        old = desk.token_record("coordinator")
        assert old is not None
        desk.sync()
        assert seen == [old.refresh_token]
        record = desk.token_record("coordinator")
        assert record is not None
        assert (record.token, record.refresh_token) == ("fresh-token", "fresh-refresh")
        assert any("changes" in target for _m, target in county.requests)


def test_token_file_is_private_and_not_in_the_database(tmp_path: Path) -> None:
    with hostile(feed_only(lambda _q: page([])), tmp_path) as (_county, desk):
        record = desk.token_record("coordinator")
        assert record is not None
        files = list((desk.folder / "county-tokens").glob("*.json"))
        assert len(files) == 1
        if os.name == "posix":
            assert files[0].stat().st_mode & 0o777 == 0o600
            assert (desk.folder / "county-tokens").stat().st_mode & 0o777 == 0o700
        database = (desk.folder / "griddesk.sqlite3").read_bytes()
        for secret in (record.token, record.refresh_token):
            assert secret.encode() not in database


def test_reveal_answer_that_is_not_a_number(tmp_path: Path) -> None:
    def handler(method: str, path: str, body: bytes) -> Reply:
        return ok({"visit_id": "v", "field": "phone", "value": {"x": 1}})

    with hostile(handler, tmp_path, login="dept_chengguan") as (_county, desk):
        with desk.db.sessions() as session:
            conn = sync.connection(session)
        with pytest.raises(sync.ServerFailed):
            sync.reveal(desk.db, conn, demo_user_id("dept_chengguan"), "v", "phone", "回访")


# ---------------------------------------------------------------- the sync command
def _command(
    desk: Desk, *extra: str, server: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GRIDDESK_TOKEN_STORE="file")
    env.pop("GRIDDESK_PASSWORD", None)
    args = [sys.executable, "main.py", "sync", "--lang", "en", "--data-dir", str(desk.folder)]
    if server:
        args += ["--server", server]
    return subprocess.run(
        args + list(extra), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("answer", "code", "words"),
    [
        (http(200, "<html>portal</html>", "text/html"), 3, "web page"),
        (ok({"changes": "x", "next": "v1.1", "more": False}), 3, "no list of changes"),
        (page([], "v1.1", more=True), 3, "same or an earlier cursor"),
        (page([BAD_ITEMS["nul_in_title"], created_change(1)]), 5, "kept aside"),
        (page([created_change(1)]), 0, r"^\s*case events\s+1\s"),
    ],
    ids=["html", "wrong_shape", "endless_more", "quarantined", "good"],
)
def test_sync_command_exit_codes(tmp_path: Path, answer: bytes, code: int, words: str) -> None:
    with hostile(feed_only(lambda _q: answer), tmp_path) as (_county, desk):
        desk.db.dispose()
        done = _command(desk)
        assert done.returncode == code, done.stderr + done.stdout
        assert re.search(words, done.stdout + done.stderr, re.M), done.stdout + done.stderr
        assert "Traceback" not in done.stdout + done.stderr


def test_sync_command_trickle_hits_the_deadline(tmp_path: Path) -> None:
    async def trickle(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        for _ in range(100):
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(1.0)

    with hostile(feed_only(lambda _q: trickle), tmp_path) as (_county, desk):
        desk.db.dispose()
        done = _command(desk, "--deadline", "2")
        assert done.returncode == 3, done.stderr
        assert "within 2 s" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("extra", "server", "words"),
    [
        (("--deadline", "-1"), None, "--deadline"),
        (("--user", "coordinator"), None, "GRIDDESK_PASSWORD"),
    ],
    ids=["bad_deadline", "user_without_password"],
)
def test_sync_command_usage(
    tmp_path: Path, extra: tuple[str, ...], server: str | None, words: str
) -> None:
    with hostile(feed_only(lambda _q: page([])), tmp_path) as (_county, desk):
        desk.db.dispose()
        done = _command(desk, *extra, server=server)
        assert done.returncode == 2, done.stderr
        assert words in done.stderr and "Traceback" not in done.stderr


def test_sync_command_takes_an_address_without_scheme_as_http(tmp_path: Path) -> None:
    """A clerk's "127.0.0.1:8765" is http://127.0.0.1:8765, said in a note; nobody is
    logged in to that address on this desk, which is said too (exit 4), never a traceback."""
    with hostile(feed_only(lambda _q: page([])), tmp_path) as (_county, desk):
        desk.db.dispose()
        done = _command(desk, server="127.0.0.1:8765")
        assert "using http://127.0.0.1:8765" in done.stderr
        assert done.returncode == 4, done.stderr
        assert "Traceback" not in done.stderr


def test_sync_command_without_server_or_login(tmp_path: Path) -> None:
    with hostile(feed_only(lambda _q: page([])), tmp_path, login=None) as (_county, desk):
        desk.db.dispose()
        done = _command(desk)
        assert done.returncode == 4, done.stderr
        assert "--user" in done.stderr
    assert Visit  # noqa: B018 - imported for the counts of the probes above
