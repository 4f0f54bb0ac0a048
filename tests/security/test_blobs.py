"""The county's blob store (docs/protocol.md "Blobs"): uploads checked by hash, size
and type, written whole or not at all; files served only within the feed's scope,
404 alike for a file one may not see and one that does not exist; events naming a
file the county does not hold are refused ``missing_blob``."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from county_server.blobs import BlobApi
from county_server.models import Blob, BlobRef
from tests.security.conftest import OTHER_GRID, Api, now_wire, stored_counts


# ---------------------------------------------------------------- helpers
def jpeg(size: int = 3000) -> bytes:
    """A fresh JPEG-looking file (new bytes each time, so a new blob)."""
    body = os.urandom(size)
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + body


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def entry(data: bytes, content_type: str = "image/jpeg") -> dict[str, Any]:
    return {
        "sha256": sha(data),
        "file_name": "现场.jpg",
        "size": len(data),
        "content_type": content_type,
    }


def blob_api(api: Api) -> BlobApi:
    found: BlobApi = api.server.faults.app.state.blobs
    return found


def blob_root(api: Api) -> Path:
    store = blob_api(api).store
    assert store is not None
    return store.root


def put(
    api: Api,
    username: str | None,
    data: bytes,
    content_type: str = "image/jpeg",
    name: str | None = None,
) -> httpx.Response:
    headers = {"Content-Type": content_type}
    if username:
        headers.update(api.headers(username))
    return api.client.put(f"/api/v1/blobs/{name or sha(data)}", headers=headers, content=data)


def get(api: Api, username: str, name: str, method: str = "GET", **headers: str) -> httpx.Response:
    return api.client.request(
        method, f"/api/v1/blobs/{name}", headers={**api.headers(username), **headers}
    )


def comment(api: Api, case_id: str, username: str, *files: bytes) -> dict[str, Any]:
    return api.event(
        case_id, "commented", username, text="现场照片", attachments=[entry(f) for f in files]
    )


def blob_rows(api: Api, name: str) -> int:
    with api.db.sessions() as session:
        return int(
            session.scalar(select(func.count()).select_from(Blob).where(Blob.sha256 == name)) or 0
        )


def files_named(api: Api, name: str) -> list[str]:
    """Every entry of the blob's shard folder that belongs to it (the real name or a .part)."""
    folder = blob_root(api) / name[:2] / name[2:4]
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if name in p.name)


def other_street_case(api: Api) -> str:
    number = f"990101002-{datetime.now(UTC):%Y%m%d}-{uuid.uuid4().int % 10_000:04d}"
    return api.new_case("coordinator2", org_unit_id=OTHER_GRID, number=number, address="西岭路1号")


def dispatch(api: Api, case_id: str, department_user: str) -> None:
    event = api.event(
        case_id,
        "dispatched",
        "coordinator",
        assignee_type="department",
        assignee_id=api.department_of(department_user),
        ack_deadline=now_wire(timedelta(hours=8)),
        deadline=now_wire(timedelta(days=3)),
        note="",
    )
    result = api.push_one("coordinator", event)
    assert result["status"] == "accepted", result


@pytest.fixture(scope="module")
def shown(api: Api) -> dict[str, Any]:
    """A case of 长河街道 dispatched to 城管, with a comment naming an uploaded photo."""
    case_id = api.new_case()
    photo = jpeg(50_000)
    assert put(api, "coordinator", photo).status_code == 201
    result = api.push_one("coordinator", comment(api, case_id, "coordinator", photo))
    assert result["status"] == "accepted", result
    dispatch(api, case_id, "dept_chengguan")
    return {"case_id": case_id, "photo": photo, "sha": sha(photo)}


# ---------------------------------------------------------------- PUT
def test_an_upload_is_201_and_the_same_bytes_again_200(api: Api) -> None:
    data = jpeg()
    first = put(api, "coordinator", data)
    assert first.status_code == 201, first.text
    assert first.json()["sha256"] == sha(data)
    again = put(api, "coordinator", data)
    assert again.status_code == 200, again.text
    stored = blob_root(api) / sha(data)[:2] / sha(data)[2:4] / sha(data)
    assert stored.read_bytes() == data
    assert files_named(api, sha(data)) == [sha(data)]
    assert blob_rows(api, sha(data)) == 1


def test_bytes_that_are_not_their_hash_are_422(api: Api) -> None:
    data = jpeg()
    claimed = sha(jpeg())
    response = put(api, "coordinator", data, name=claimed)
    assert response.status_code == 422
    assert response.json()["error"] == "hash_mismatch"
    assert files_named(api, claimed) == [] and blob_rows(api, claimed) == 0


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + os.urandom(500), "image/jpeg"),  # a renamed .exe
        ("这是一个文本文件，不是照片。\n".encode() * 20, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + os.urandom(500), "image/jpeg"),  # a PNG said to be a JPEG
        (b"%PDF-1.7\n" + os.urandom(500), "image/png"),
        (b"\xff\xd8\xff\xe0" + os.urandom(500), "text/plain"),
        (b"\xff\xd8\xff\xe0" + os.urandom(500), "application/octet-stream"),
        (b"\xff\xd8\xff\xe0" + os.urandom(500), ""),
    ],
)
def test_content_that_is_not_its_type_is_415(api: Api, content: bytes, content_type: str) -> None:
    response = put(api, "coordinator", content, content_type)
    assert response.status_code == 415, response.text
    assert response.json()["error"] == "unsupported_type"
    assert files_named(api, sha(content)) == [] and blob_rows(api, sha(content)) == 0


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"\x89PNG\r\n\x1a\n" + os.urandom(200), "image/png"),
        (b"RIFF\x00\x01\x00\x00WEBPVP8 " + os.urandom(200), "image/webp"),
        (b"%PDF-1.7\n" + os.urandom(200), "application/pdf"),
        (b"\xff\xd8\xff\xe0" + os.urandom(200), "image/jpeg; charset=binary"),
    ],
)
def test_each_allowed_type_is_stored(api: Api, content: bytes, content_type: str) -> None:
    assert put(api, "reception", content, content_type).status_code == 201


def test_a_bad_name_is_refused(api: Api) -> None:
    data = jpeg()
    for name in (sha(data).upper(), sha(data)[:63], "..%2F..%2Fetc%2Fpasswd", "x" * 64):
        response = put(api, "coordinator", data, name=name)
        assert response.status_code in (400, 404), (name, response.text)


def test_an_upload_over_the_limit_is_413_while_read(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = blob_api(api).store
    assert store is not None
    monkeypatch.setattr(store, "max_bytes", 10_000)
    data = jpeg(20_000)
    declared = put(api, "coordinator", data)  # Content-Length says too much
    assert declared.status_code == 413 and declared.json()["error"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no length: refused once it passes the limit
        for start in range(0, len(data), 4096):
            yield data[start : start + 4096]

    streamed = api.client.put(
        f"/api/v1/blobs/{sha(data)}",
        headers={**api.headers("coordinator"), "Content-Type": "image/jpeg"},
        content=chunks(),
    )
    assert streamed.status_code == 413
    assert files_named(api, sha(data)) == [] and blob_rows(api, sha(data)) == 0


def _raw_put(api: Api, name: str, token: str, length: int, sent: bytes) -> bytes:
    host, port = api.server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            f"PUT /api/v1/blobs/{name} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: image/jpeg\r\n"
            f"Content-Length: {length}\r\n\r\n".encode()
            + sent
        )
        return _read_answer(sock)  # times out (fails) if the server waits for the rest


def _read_answer(sock: socket.socket) -> bytes:
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


def test_an_announced_21_mb_upload_is_413_before_it_is_read(api: Api) -> None:
    answer = _raw_put(api, "a" * 64, api.token("coordinator"), 21 * 1024 * 1024, b"\xff" * 1024)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"too_large" in answer


def test_an_upload_without_a_valid_token_is_401_before_it_is_read(api: Api) -> None:
    data = jpeg()
    answer = _raw_put(api, sha(data), "bogus", 15 * 1024 * 1024, data[:1024])
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b"invalid_token" in answer
    assert put(api, None, data).status_code == 401
    assert files_named(api, sha(data)) == [] and blob_rows(api, sha(data)) == 0


# ---------------------------------------------------------------- HEAD / GET
def test_get_and_head_give_back_the_same_bytes_and_headers(api: Api, shown: dict[str, Any]) -> None:
    name, photo = shown["sha"], shown["photo"]
    response = get(api, "coordinator", name)
    assert response.status_code == 200, response.text
    assert response.content == photo
    headers = response.headers
    assert headers["content-type"] == "image/jpeg"
    assert headers["content-length"] == str(len(photo))
    assert headers["etag"] == f'"{name}"'
    assert headers["cache-control"] == "private"
    assert headers["x-content-type-options"] == "nosniff"
    head = get(api, "coordinator", name, "HEAD")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(photo))
    assert head.headers["etag"] == f'"{name}"'
    part = get(api, "coordinator", name, Range="bytes=100-199")
    assert part.status_code == 206 and part.content == photo[100:200]
    assert get(api, "coordinator", name, **{"If-None-Match": f'"{name}"'}).status_code == 304


@pytest.mark.parametrize(
    "username", ["reception", "coordinator", "official", "admin", "dept_chengguan"]
)
def test_who_may_see_the_case_reads_its_files(
    api: Api, shown: dict[str, Any], username: str
) -> None:
    response = get(api, username, shown["sha"])
    assert response.status_code == 200, (username, response.text)
    assert response.content == shown["photo"]


@pytest.mark.parametrize("username", ["coordinator2", "reception2", "dept_zhujian", "gw_1"])
def test_who_may_not_see_the_case_gets_the_404_of_a_file_that_does_not_exist(
    api: Api, shown: dict[str, Any], username: str
) -> None:
    hidden = get(api, username, shown["sha"])
    absent = get(api, username, sha(jpeg()))
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json() == absent.json()
    assert hidden.headers.get("etag") is None
    assert get(api, username, shown["sha"], "HEAD").status_code == 404


def test_an_uploaded_file_no_event_names_is_served_to_nobody(api: Api) -> None:
    data = jpeg()
    assert put(api, "coordinator", data).status_code == 201
    assert get(api, "coordinator", sha(data)).status_code == 404
    assert get(api, "official", sha(data)).status_code == 404


def test_a_department_reads_a_file_once_the_case_is_dispatched_to_it(api: Api) -> None:
    case_id = api.new_case()
    photo = jpeg()
    assert put(api, "coordinator", photo).status_code == 201
    assert api.push_one("coordinator", comment(api, case_id, "coordinator", photo))["status"] == (
        "accepted"
    )
    assert get(api, "dept_zhujian", sha(photo)).status_code == 404
    dispatch(api, case_id, "dept_zhujian")
    assert get(api, "dept_zhujian", sha(photo)).content == photo
    # ... and its feedback photo is read by the street
    ack = api.event(case_id, "acknowledged", "dept_zhujian")
    assert api.push_one("dept_zhujian", ack)["status"] == "accepted"
    after = jpeg()
    assert put(api, "dept_zhujian", after).status_code == 201
    feedback = api.event(
        case_id, "feedback", "dept_zhujian", result="已处理", attachments=[entry(after)]
    )
    assert api.push_one("dept_zhujian", feedback)["status"] == "accepted"
    assert get(api, "coordinator", sha(after)).content == after
    assert get(api, "coordinator2", sha(after)).status_code == 404


# ---------------------------------------------------------------- missing_blob
def test_an_event_naming_a_file_not_uploaded_is_missing_blob_then_accepted(api: Api) -> None:
    case_id = api.new_case()
    photo = jpeg()
    event = comment(api, case_id, "coordinator", photo)
    before = stored_counts(api.db)
    result = api.push_one("coordinator", event)
    assert result["status"] == "rejected" and result["code"] == "missing_blob", result
    assert sha(photo) in result["message"]
    assert stored_counts(api.db) == before
    assert put(api, "coordinator", photo).status_code == 201
    assert api.push_one("coordinator", event)["status"] == "accepted"
    with api.db.sessions() as session:
        refs = list(session.scalars(select(BlobRef).where(BlobRef.sha256 == sha(photo))))
    assert [(r.event_id, r.case_id) for r in refs] == [(event["id"], case_id)]
    assert api.push_one("coordinator", event)["status"] == "duplicate"


def test_missing_blob_holds_for_a_created_event_too(api: Api) -> None:
    photo = jpeg()
    event = api.created(attachments=[entry(photo)])
    result = api.push_one("coordinator", event)
    assert result["code"] == "missing_blob", result
    assert put(api, "coordinator", photo).status_code == 201
    assert api.push_one("coordinator", event)["status"] == "accepted"
    assert get(api, "coordinator", sha(photo)).content == photo


def test_knowing_a_hash_does_not_open_the_file(api: Api) -> None:
    """coordinator2 learns the hash of another street's photo and names it in a comment
    on a case of his own: refused as if the county did not hold it, and still 404."""
    photo = jpeg()
    assert put(api, "coordinator", photo).status_code == 201
    home = api.new_case()
    assert api.push_one("coordinator", comment(api, home, "coordinator", photo))["status"] == (
        "accepted"
    )
    desk = Api(api.server, api.client)  # coordinator2's own desk
    event = comment(desk, other_street_case(desk), "coordinator2", photo)
    result = desk.push_one("coordinator2", event)
    assert result["code"] == "missing_blob", result
    assert get(desk, "coordinator2", sha(photo)).status_code == 404
    # Holding the bytes (uploading them) is what lets a person name a file.
    assert put(desk, "coordinator2", photo).status_code == 200
    assert desk.push_one("coordinator2", event)["status"] == "accepted"
    assert get(desk, "coordinator2", sha(photo)).content == photo


def test_a_malformed_attachment_on_any_event_is_invalid(api: Api) -> None:
    case_id = api.new_case()
    event = api.event(case_id, "supervised", "coordinator", note="x", attachments=[{"sha256": "x"}])
    result = api.push_one("coordinator", event)
    assert result["code"] == "invalid" and result["field"].startswith("data.attachments.0")


# ---------------------------------------------------------------- concurrency and crashes
def test_two_uploads_of_one_file_at_once_store_it_once(api: Api) -> None:
    data = jpeg(2_000_000)
    token = api.token("coordinator")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def upload() -> None:
        with httpx.Client(base_url=api.server.url, timeout=30) as client:
            barrier.wait()
            response = client.put(
                f"/api/v1/blobs/{sha(data)}",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"},
                content=data,
            )
            statuses.append(response.status_code)

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [200, 201]
    assert files_named(api, sha(data)) == [sha(data)]
    assert blob_rows(api, sha(data)) == 1
    path = blob_root(api) / sha(data)[:2] / sha(data)[2:4] / sha(data)
    assert path.read_bytes() == data


def test_a_failure_while_checking_leaves_no_file_under_the_real_name(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(head: bytes) -> Any:
        raise RuntimeError("the checker fell over")

    monkeypatch.setattr("county_server.blobs.sniff", broken)
    data = jpeg()
    # Its own connection: the server closes a connection whose request raised.
    with httpx.Client(base_url=api.server.url, timeout=30) as client:
        response = client.put(
            f"/api/v1/blobs/{sha(data)}",
            headers={**api.headers("coordinator"), "Content-Type": "image/jpeg"},
            content=data,
        )
    assert response.status_code == 500
    assert files_named(api, sha(data)) == [] and blob_rows(api, sha(data)) == 0
    monkeypatch.undo()
    assert put(api, "coordinator", data).status_code == 201


def test_an_upload_cut_mid_stream_leaves_no_file_under_the_real_name(api: Api) -> None:
    data = jpeg(200_000)
    name = sha(data)
    host, port = api.server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            f"PUT /api/v1/blobs/{name} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {api.token('coordinator')}\r\nContent-Type: image/jpeg\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode()
            + data[:50_000]
        )
        deadline = time.monotonic() + 10
        while not files_named(api, name) and time.monotonic() < deadline:
            time.sleep(0.02)  # the server has begun writing its .part file
        assert files_named(api, name) and all(n.endswith(".part") for n in files_named(api, name))
    deadline = time.monotonic() + 10
    while files_named(api, name) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert files_named(api, name) == [] and blob_rows(api, name) == 0
    assert put(api, "coordinator", data).status_code == 201


# ---------------------------------------------------------------- migration and set-up
def test_migration_indexes_the_files_of_events_stored_before_it(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    from county_server.db import migrate_server
    from models.db import alembic_config, make_engine

    url = f"sqlite:///{tmp_path / 'county.sqlite3'}"
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    name = sha(jpeg())
    data = '{"result": "已处理", "attachments": [{"sha256": "%s", "file_name": "a.jpg", "size": 9, "content_type": "image/jpeg"}]}'
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO case_events (id, case_id, type, at, actor_id, data) "
                "VALUES ('e1', 'c1', 'feedback', :at, 'u', :data)"
            ),
            {"at": datetime.now(UTC).replace(tzinfo=None), "data": data % name},
        )
    migrate_server(engine)
    with engine.connect() as conn:
        refs = conn.execute(select(BlobRef.sha256, BlobRef.event_id, BlobRef.case_id)).all()
    assert [tuple(r) for r in refs] == [(name, "e1", "c1")]
    engine.dispose()


def test_serve_needs_a_blob_root_with_postgresql(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from county_server.blobs import default_blob_root
    from county_server.cli import main

    monkeypatch.delenv("GRIDDESK_BLOB_ROOT", raising=False)
    assert main(["serve", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"]) == 2
    assert "--blob-root" in capsys.readouterr().err
    assert default_blob_root("sqlite:////srv/county/county.sqlite3") == Path("/srv/county/blobs")
    assert default_blob_root("sqlite://") is None
