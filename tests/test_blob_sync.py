"""Attachments between desks and the county (PROTOCOL 1.1 "Attachments", services/sync/blobs.py):
the photos of a feedback go up before the event, come down on another desk with
identical bytes, survive a cut upload and a missing_blob answer, are stored once
at the county, stay away from a desk that may not see them, and closed cases'
files are fetched only within attachments.keep_closed_days.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from county_server.models import Blob
from models.queue import Attachment
from models.tables import Case, CaseEvent, OutboxItem
from models.types import utcnow
from services import settings as settings_service
from services.attachments.store import local_blob
from services.cases import actions
from services.errors import ValidationError
from services.sync import SyncError, blobs
from services.sync.blobs import BlobSync, attachments_folder, download_blocking, wanted_blobs
from tests.sync_harness import (
    Desktop,
    FaultProxy,
    ProxyPlan,
    ServerThread,
    demo_server_db,
    fresh_server_url,
)
from tests.test_sync import BACKENDS, _actor, new_case
from tests.test_two_desks import _dispatch_to

DEPT = "dept_chengguan"
GRID2 = "990101002001001"


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerThread]:
    with fresh_server_url(request.param, tmp_path) as url:
        db = demo_server_db(url)
        with ServerThread(db) as running:
            yield running
        db.dispose()


def photo(folder: Path, name: str, seed: int, size: int = 96) -> Path:
    """A small PNG of noise (tens of kilobytes: an upload the proxy can cut half-way)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pixels = bytes(rng.randrange(256) for _ in range(size * size * 3))
    path = folder / name
    Image.frombytes("RGB", (size, size), pixels).save(path, format="PNG")
    return path


def store_of(desk: Desktop) -> Path:
    folder = attachments_folder(desk.db)
    assert folder is not None
    return folder


def handled_case(desk: Desktop, files: list[Path]) -> tuple[str, list[str]]:
    """A case dispatched to the department, acknowledged and answered with ``files``."""
    case_id = new_case(desk)
    _dispatch_to(desk, case_id, DEPT)
    who = _actor(desk.db, DEPT)
    with desk.db.session() as session:
        actions.acknowledge(session, who, case_id)
        actions.feedback(session, who, case_id, "井盖已补装", files=files, folder=store_of(desk))
    with desk.db.sessions() as session:
        shas = list(session.scalars(select(Attachment.sha256).where(Attachment.case_id == case_id)))
    return case_id, shas


def department_desk(server_url: str, folder: Path) -> Desktop:
    desk = Desktop.create(folder, server_url)
    desk.login(DEPT)
    desk.login("coordinator")
    return desk


def county_blobs(server: ServerThread) -> dict[str, int]:
    with server.db.sessions() as session:
        return {b.sha256: b.size for b in session.scalars(select(Blob))}


def county_bytes(server: ServerThread, sha: str) -> bytes:
    store = server.faults.app.state.blobs.store
    return Path(store.path(sha)).read_bytes()


def outbox_states(desk: Desktop) -> list[str]:
    with desk.db.sessions() as session:
        return list(session.scalars(select(OutboxItem.status).order_by(OutboxItem.seq)))


def download(desk: Desktop, **kwargs: Any) -> blobs.BlobStats:
    return desk.run(lambda e: e.download_blobs(), **kwargs)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- up and down
def test_feedback_photos_reach_the_coordinator_byte_for_byte(
    server: ServerThread, tmp_path: Path
) -> None:
    a = department_desk(server.url, tmp_path / "a")
    files = [photo(tmp_path / "pics", "before.png", 1), photo(tmp_path / "pics", "after.png", 2)]
    case_id, shas = handled_case(a, files)
    assert len(shas) == 2
    a.sync()
    assert set(outbox_states(a)) == {"sent"}
    held = county_blobs(server)
    assert set(shas) <= set(held)
    for sha in shas:
        assert hashlib.sha256(county_bytes(server, sha)).hexdigest() == sha

    b = Desktop.create(tmp_path / "b", server.url)
    b.login("coordinator")
    b.sync()
    # The pulled feedback lists its files before they are downloaded.
    with b.db.sessions() as session:
        rows = list(session.scalars(select(Attachment).where(Attachment.case_id == case_id)))
    assert sorted(r.sha256 for r in rows) == sorted(shas)
    assert all(local_blob(store_of(b), sha) is None for sha in shas)
    assert blobs.pending_counts(b.db).to_download == 2

    stats = download(b)
    assert stats.downloaded == 2 and stats.unavailable == 0
    for sha in shas:
        mine, theirs = local_blob(store_of(a), sha), local_blob(store_of(b), sha)
        assert mine is not None and theirs is not None
        assert mine.read_bytes() == theirs.read_bytes()
    assert blobs.pending_counts(b.db).to_download == 0
    # Nothing more to fetch: a second pass sends no request for them.
    assert download(b).downloaded == 0


def test_download_blocking_fetches_one_on_demand_and_says_none_offline(
    server: ServerThread, tmp_path: Path
) -> None:
    a = department_desk(server.url, tmp_path / "a")
    _case_id, shas = handled_case(a, [photo(tmp_path / "pics", "p.png", 3)])
    a.sync()
    b = Desktop.create(tmp_path / "b", server.url)
    b.login("coordinator")
    b.sync()
    path = download_blocking(b.db, shas[0])
    assert path is not None and hashlib.sha256(path.read_bytes()).hexdigest() == shas[0]
    assert download_blocking(b.db, shas[0]) == path  # held: no request
    # Offline: None, not an exception.
    with b.db.session() as session:
        settings_service.put(session, "device.server_url", "http://127.0.0.1:9")
    assert download_blocking(b.db, "ab" * 32) is None


# ---------------------------------------------------------------- faults
def test_an_upload_cut_half_way_completes_next_round(server: ServerThread, tmp_path: Path) -> None:
    with FaultProxy(server.port) as proxy:
        a = department_desk(proxy.url, tmp_path / "a")
        _case_id, shas = handled_case(a, [photo(tmp_path / "pics", "big.png", 4, size=160)])
        size = local_blob(store_of(a), shas[0]).stat().st_size  # type: ignore[union-attr]
        assert size > 20_000
        cuts = iter([ProxyPlan("cut_request", after_bytes=size // 2)])
        proxy.plan = lambda: next(cuts, ProxyPlan())
        with pytest.raises(SyncError):
            a.sync()
        assert proxy.faults == {"cut_request": 1}
        assert county_blobs(server) == {}  # half a file is never a blob
        with a.db.sessions() as session:
            waiting = {
                i.payload.get("type"): i
                for i in session.scalars(select(OutboxItem).where(OutboxItem.status == "pending"))
            }
        # The coordinator's steps went up; the feedback waits, its failure noted.
        assert set(waiting) == {"acknowledged", "feedback"}
        assert waiting["acknowledged"].last_error
        a.sync()
        assert set(outbox_states(a)) == {"sent"}
        assert county_blobs(server) == {shas[0]: size}
        assert hashlib.sha256(county_bytes(server, shas[0])).hexdigest() == shas[0]


def test_missing_blob_uploads_again_and_the_event_is_accepted(
    server: ServerThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = department_desk(server.url, tmp_path / "a")
    case_id, shas = handled_case(a, [photo(tmp_path / "pics", "p.png", 5)])
    real = BlobSync.upload
    calls: list[bool] = []

    async def skip_first(self: BlobSync, user_id: str, events: Any, *, force: bool = False) -> None:
        calls.append(force)
        if not force:
            return  # as if the blob vanished at the county between upload and push
        await real(self, user_id, events, force=force)

    monkeypatch.setattr(BlobSync, "upload", skip_first)
    engine_stats: list[blobs.BlobStats] = []

    async def round_(engine: Any) -> Any:
        result = await engine.run_round()
        engine_stats.append(engine.blob_sync().stats)
        return result

    result = a.run(round_)
    assert True in calls
    assert engine_stats[0].missing_blob == 1 and engine_stats[0].left_pending == 0
    assert not result.rejected
    assert set(outbox_states(a)) == {"sent"}
    assert set(county_blobs(server)) == set(shas)
    with a.db.sessions() as session:
        refused = session.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.rejected_code.is_not(None))
        )
        case = session.get(Case, case_id)
    assert refused == 0 and case is not None and case.state == "handled"


def test_missing_blob_after_every_try_stays_pending_not_rejected(
    server: ServerThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = department_desk(server.url, tmp_path / "a")
    case_id, shas = handled_case(a, [photo(tmp_path / "pics", "p.png", 6)])
    with a.db.session() as session:  # a later step of the same case waits behind it
        actions.comment(session, _actor(a.db, "coordinator"), case_id, "已督促")

    async def never(self: BlobSync, user_id: str, events: Any, *, force: bool = False) -> None:
        return None

    with monkeypatch.context() as patch:
        patch.setattr(BlobSync, "upload", never)
        result = a.sync()
    assert not result.rejected
    with a.db.sessions() as session:
        items = {
            i.payload.get("type"): i
            for i in session.scalars(select(OutboxItem).where(OutboxItem.kind == "case_event"))
        }
    assert items["feedback"].status == "pending"
    assert "missing_blob" in (items["feedback"].last_error or "")
    assert items["commented"].status == "pending"  # never pushed before the feedback
    assert county_blobs(server) == {}
    a.sync()
    assert set(outbox_states(a)) == {"sent"}
    assert set(county_blobs(server)) == set(shas)


def test_two_desks_attaching_the_same_photo_store_one_blob(
    server: ServerThread, tmp_path: Path
) -> None:
    same = photo(tmp_path / "pics", "same.png", 7)
    a = department_desk(server.url, tmp_path / "a")
    b = department_desk(server.url, tmp_path / "b")
    _one, shas_a = handled_case(a, [same])
    _two, shas_b = handled_case(b, [same])
    assert shas_a == shas_b
    a.sync()
    b.sync()
    assert set(outbox_states(a)) == set(outbox_states(b)) == {"sent"}
    assert list(county_blobs(server)) == shas_a
    assert hashlib.sha256(county_bytes(server, shas_a[0])).hexdigest() == shas_a[0]


# ---------------------------------------------------------------- who sees what
def test_a_blob_the_user_may_not_see_is_not_downloaded(
    server: ServerThread, tmp_path: Path
) -> None:
    a = department_desk(server.url, tmp_path / "a")
    _case, shas = handled_case(a, [photo(tmp_path / "pics", "p.png", 8)])
    a.sync()
    c = Desktop.create(tmp_path / "c", server.url)
    c.login("coordinator2")
    other = new_case(c, "coordinator2", GRID2)
    c.sync()
    with c.db.session() as session:  # an entry naming a blob of another street's case
        session.add(
            Attachment(
                case_id=other,
                event_id=other,
                file_name="x.png",
                stored_name=f"{shas[0][:2]}/{shas[0]}.png",
                sha256=shas[0],
                size=1,
            )
        )
    stats = download(c)
    assert stats.downloaded == 0 and stats.unavailable == 1
    assert local_blob(store_of(c), shas[0]) is None
    # Noted: the next pass does not ask again for a while.
    assert wanted_blobs(c.db, store_of(c)) == []
    assert download_blocking(c.db, shas[0]) is None


def test_closed_cases_files_only_within_keep_closed_days(
    server: ServerThread, tmp_path: Path
) -> None:
    a = department_desk(server.url, tmp_path / "a")
    case_id, shas = handled_case(a, [photo(tmp_path / "pics", "p.png", 9)])
    a.sync()
    b = Desktop.create(tmp_path / "b", server.url)
    b.login("coordinator")
    b.sync()
    assert [sha for sha, _size in wanted_blobs(b.db, store_of(b))] == shas
    with b.db.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.state, case.closed_at = "closed", utcnow() - timedelta(days=100)
    assert wanted_blobs(b.db, store_of(b)) == []
    assert download(b).downloaded == 0
    with b.db.session() as session:
        settings_service.put(session, "attachments.keep_closed_days", 120)
    assert [sha for sha, _size in wanted_blobs(b.db, store_of(b))] == shas
    assert download(b).downloaded == 1


def test_keep_closed_days_is_checked() -> None:
    with pytest.raises(ValidationError):
        settings_service.validate("attachments.keep_closed_days", -1)
    assert settings_service.validate("attachments.keep_closed_days", "30") == 30
    assert settings_service.SPECS["attachments.keep_closed_days"].default == 90


def test_progress_is_reported_in_count_and_bytes(server: ServerThread, tmp_path: Path) -> None:
    a = department_desk(server.url, tmp_path / "a")
    _case, shas = handled_case(
        a, [photo(tmp_path / "pics", "1.png", 10), photo(tmp_path / "pics", "2.png", 11)]
    )
    seen: list[tuple[str, int, int, int, int]] = []

    async def go(engine: Any) -> Any:
        engine.blob_progress = lambda p: seen.append(
            (p.direction, p.done, p.total, p.bytes_done, p.bytes_total)
        )
        return await engine.run_round()

    a.run(go)
    ups = [s for s in seen if s[0] == "up"]
    assert ups and ups[-1][1] == ups[-1][2] == 2
    assert (
        ups[-1][3]
        == ups[-1][4]
        == sum(
            local_blob(store_of(a), sha).stat().st_size  # type: ignore[union-attr]
            for sha in shas
        )
    )


def test_a_download_cut_half_way_leaves_nothing_and_comes_next_time(
    server: ServerThread, tmp_path: Path
) -> None:
    a = department_desk(server.url, tmp_path / "a")
    _case, shas = handled_case(a, [photo(tmp_path / "pics", "big.png", 12, size=200)])
    a.sync()
    size = local_blob(store_of(a), shas[0]).stat().st_size  # type: ignore[union-attr]
    with FaultProxy(server.port) as proxy:
        b = Desktop.create(tmp_path / "b", proxy.url)
        b.login("coordinator")
        b.sync()
        # The blob's answer is cut after half the file: streamed to disk, it is never kept.
        proxy.plan = lambda: ProxyPlan("cut_response", after_bytes=size // 2)
        with pytest.raises(SyncError):
            download(b)
        assert local_blob(store_of(b), shas[0]) is None
        assert not list(store_of(b).rglob("*.part"))  # the temporary file went too
        proxy.plan = ProxyPlan
        assert download(b).downloaded == 1
    got = local_blob(store_of(b), shas[0])
    assert got is not None and hashlib.sha256(got.read_bytes()).hexdigest() == shas[0]


def test_download_progress_moves_as_the_bytes_arrive(
    server: ServerThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = department_desk(server.url, tmp_path / "a")
    files = [photo(tmp_path / "pics", f"{n}.png", 20 + n, size=300) for n in range(2)]
    _case, shas = handled_case(a, files)
    a.sync()
    b = Desktop.create(tmp_path / "b", server.url)
    b.login("coordinator")
    b.sync()
    monkeypatch.setattr(blobs, "PROGRESS_EVERY", 0.0)  # every piece is reported
    seen: list[blobs.BlobProgress] = []

    async def go(engine: Any) -> Any:
        engine.blob_progress = lambda p: seen.append(blobs.BlobProgress(**vars(p)))
        return await engine.download_blobs()

    assert b.run(go).downloaded == 2
    sizes = [local_blob(store_of(b), sha).stat().st_size for sha in shas]  # type: ignore[union-attr]
    assert min(sizes) > 200_000  # several pieces each
    downs = [p for p in seen if p.direction == "down"]
    # Reports inside a file: bytes moved while no more files were done than before.
    assert any(p.bytes_done not in (0, sizes[0], sizes[1], sum(sizes)) for p in downs)
    assert [p.bytes_done for p in downs] == sorted(p.bytes_done for p in downs)
    assert downs[-1].done == downs[-1].total == 2
    assert downs[-1].bytes_done == downs[-1].bytes_total == sum(sizes)


def test_a_desk_removes_downloads_a_crash_left_half_written(tmp_path: Path) -> None:
    import os
    import time

    from services.attachments.store import sweep_partials

    sha = "ab" * 32
    shard = tmp_path / "ab"
    shard.mkdir()
    old = shard / f".{sha}.0123abcd.part"
    fresh = shard / f".{sha}.4567ef01.part"
    blob = shard / f"{sha}.jpg"
    other = shard / ".notes.part"
    for path in (old, fresh, blob, other):
        path.write_bytes(b"x")
    hour_ago = time.time() - 2 * 3600
    for path in (old, blob, other):
        os.utime(path, (hour_ago, hour_ago))
    assert sweep_partials(tmp_path) == 1
    assert not old.exists()
    assert fresh.exists() and blob.exists() and other.exists()  # live, a blob, not ours


def test_transfers_run_a_few_at_a_time_and_the_first_failure_stops_the_rest() -> None:
    import asyncio

    running = 0
    most = 0
    done: list[int] = []

    async def work(n: int) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1
        if n == 4:
            raise SyncError("offline")
        done.append(n)

    with pytest.raises(SyncError):  # as it is, not an ExceptionGroup
        asyncio.run(blobs.bounded(list(range(20)), work, 3))
    assert most == 3
    assert len(done) < 19  # the rest was never started
    done.clear()
    asyncio.run(blobs.bounded(list(range(7)), lambda n: work(n + 10), 3))
    assert sorted(done) == list(range(10, 17))
