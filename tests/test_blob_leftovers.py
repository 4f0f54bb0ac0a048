"""Unfinished uploads on the county: a ``.part`` file a killed server process left in the
blob folder is removed once nothing has written to it for an hour, when the server starts
and every hour after; a real blob, a fresh upload and foreign files are never touched."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
import uuid
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from county_server.app import create_app, sweep_blob_leftovers
from county_server.blobs import PARTIAL_MAX_AGE, BlobStore
from county_server.db import open_server_db


def _blob(store: BlobStore, body: bytes) -> Path:
    sha = hashlib.sha256(body).hexdigest()
    path = store.path(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path


def _partial(store: BlobStore, body: bytes, age: float) -> Path:
    """A ``.part`` file as a killed upload leaves it, last written ``age`` seconds ago."""
    partial, handle = store.open_partial(hashlib.sha256(body).hexdigest())
    with handle:
        handle.write(body[:10])
    when = time.time() - age
    os.utime(partial, (when, when))
    return partial


def _age(path: Path, seconds: float) -> None:
    when = time.time() - seconds
    os.utime(path, (when, when))


def test_old_partials_go_fresh_ones_and_blobs_stay(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = BlobStore(tmp_path / "blobs")
    blob = _blob(store, b"a photo")
    _age(blob, 10 * PARTIAL_MAX_AGE)  # an old blob is still a blob
    killed = _partial(store, b"a cut photo", age=PARTIAL_MAX_AGE + 60)
    killed_too = _partial(store, b"another cut photo", age=5 * PARTIAL_MAX_AGE)
    running = _partial(store, b"an upload going on", age=30)
    stranger = blob.parent / "notes.part"  # not the store's naming: not ours to remove
    stranger.write_bytes(b"x")
    _age(stranger, 10 * PARTIAL_MAX_AGE)

    with caplog.at_level(logging.INFO, logger="county_server.blobs"):
        assert store.sweep_partials() == 2

    assert not killed.exists() and not killed_too.exists()
    assert blob.read_bytes() == b"a photo"
    assert running.exists() and stranger.exists()
    assert any("removed 2 unfinished upload" in r.getMessage() for r in caplog.records)
    assert store.sweep_partials() == 0  # nothing left to do, nothing logged


def test_a_partial_is_judged_by_its_last_write(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    partial = _partial(store, b"slow upload", age=2 * PARTIAL_MAX_AGE)
    with partial.open("ab") as handle:  # the upload is still writing: it is alive
        handle.write(b"more")
    assert store.sweep_partials() == 0
    assert partial.exists()
    assert store.sweep_partials(now=time.time() + PARTIAL_MAX_AGE + 1) == 1
    assert not partial.exists()


def test_a_missing_or_empty_root_is_nothing_to_sweep(tmp_path: Path) -> None:
    assert BlobStore(tmp_path / "not-there").sweep_partials() == 0
    (tmp_path / "blobs" / "zz").mkdir(parents=True)
    (tmp_path / "blobs" / f".{uuid.uuid4().hex * 2}.{uuid.uuid4().hex}.part").write_bytes(b"x")
    # a .part outside the shard folders is not one the store writes: left alone
    assert BlobStore(tmp_path / "blobs").sweep_partials() == 0


def test_the_server_sweeps_when_it_starts(tmp_path: Path) -> None:
    db = open_server_db(f"sqlite:///{tmp_path / 'county.db'}")
    root = tmp_path / "shared-blobs"
    store = BlobStore(root)
    killed = _partial(store, b"cut when the server was killed", age=PARTIAL_MAX_AGE + 600)
    blob = _blob(store, b"kept")
    app = create_app(db, blob_root=root)
    assert killed.exists()  # made, not started: nothing swept yet
    with TestClient(app) as client:
        assert client.get("/api/v1/ping").status_code == 200
    assert not killed.exists()
    assert blob.exists()


def test_a_running_server_sweeps_again(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")

    async def run() -> bool:
        sweeper = asyncio.create_task(sweep_blob_leftovers(store, every=0.01))
        killed = _partial(store, b"cut while the server ran", age=PARTIAL_MAX_AGE + 1)
        try:
            for _ in range(500):
                await asyncio.sleep(0.01)
                if not killed.exists():
                    return True
            return False
        finally:
            sweeper.cancel()

    assert asyncio.run(run())
