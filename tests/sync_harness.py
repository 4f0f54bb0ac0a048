"""A county server, desktops and a misbehaving network, inside one test process.

* :class:`ServerThread` runs the county server's ASGI app under uvicorn on a
  free port in a thread, behind :class:`FaultMiddleware` (500s before or after
  the real work, slow answers).
* :class:`FaultProxy` is a small asyncio TCP proxy in its own thread that can
  refuse, delay or cut a connection in the middle of the request or the
  response.
* :func:`fresh_server_url` gives an empty SQLite file or a new PostgreSQL
  database (when ``GRIDDESK_TEST_PG_URL`` is set).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import select, update

from county_server.admin import load_reference_file
from county_server.app import create_app
from county_server.blobs import default_blob_root
from county_server.db import open_server_db
from models.db import Database, open_database
from models.tables import User
from services import settings as settings_service
from services.accounts.auth import hash_password
from services.demo.district import demo_reference
from services.sync import SyncEngine, connection, make_client
from services.sync.tokens import TokenRecord, store_for

# Tests never write to the real credential store of the machine they run on.
os.environ.setdefault("GRIDDESK_TOKEN_STORE", "file")

PASSWORD = "griddesk-demo"
PG_ENV = "GRIDDESK_TEST_PG_URL"


# ---------------------------------------------------------------- databases
def pg_base_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@contextlib.contextmanager
def fresh_server_url(kind: str, tmp: Path) -> Iterator[str]:
    """An empty database for a county server: ``kind`` is "sqlite" or "pg"."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'county.sqlite3'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    base = pg_base_url()
    assert base, "PostgreSQL tests need GRIDDESK_TEST_PG_URL"
    url = make_url(base)
    name = f"gdt_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_TEMPLATES: dict[str, Path] = {}


def _template(kind: str, build: Callable[[Path], None]) -> Path:
    """A file built once per process and copied for each test (migrations take a while)."""
    if kind not in _TEMPLATES:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix=f"griddesk-{kind}-"))
        build(folder)
        _TEMPLATES[kind] = folder
    return _TEMPLATES[kind]


def _build_server_template(folder: Path) -> None:
    db = _demo_server_db(f"sqlite:///{folder / 'county.sqlite3'}")
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()


def demo_server_db(url: str) -> Database:
    """A county server database with the demo county's reference data (no cases)."""
    if url.startswith("sqlite:///"):
        import shutil

        target = Path(url.removeprefix("sqlite:///"))
        if not target.exists():
            source = _template("server", _build_server_template) / "county.sqlite3"
            shutil.copy2(source, target)
            return open_server_db(url)
    return _demo_server_db(url)


def _demo_server_db(url: str) -> Database:
    db = open_server_db(url)
    reference = demo_reference()
    for user in reference["users"]:
        user.pop("password", None)
    load_reference_file(db, reference)
    with db.session() as session:
        session.execute(update(User).values(password_hash=hash_password(PASSWORD)))
    return db


# ---------------------------------------------------------------- server
class FaultMiddleware:
    """ASGI wrapper: ``decide(path)`` returns None or one of "500_before",
    "500_after" (the real work is done and committed, the client sees 500) or
    "slow" (answer after ``slow_seconds``)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.decide: Callable[[str], str | None] = lambda path: None
        self.slow_seconds = 1.0
        self.counts: dict[str, int] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fault = self.decide(scope["path"])
        if fault:
            self.counts[fault] = self.counts.get(fault, 0) + 1
        if fault == "500_before":
            await _send_500(send)
            return
        if fault == "500_after":

            async def swallow(message: Any) -> None:
                return None

            await self.app(scope, receive, swallow)
            await _send_500(send)
            return
        if fault == "slow":
            messages: list[Any] = []

            async def hold(message: Any) -> None:
                messages.append(message)

            await self.app(scope, receive, hold)
            await asyncio.sleep(self.slow_seconds)
            for message in messages:
                await send(message)
            return
        await self.app(scope, receive, send)


async def _send_500(send: Any) -> None:
    body = b'{"error":"server_error","message":"injected"}'
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ServerThread:
    def __init__(
        self, db: Database, *, token_hours: float = 12, blob_root: Path | None = None
    ) -> None:
        self.db = db
        if blob_root is None and default_blob_root(str(db.engine.url)) is None:
            blob_root = Path(tempfile.mkdtemp(prefix="griddesk-blobs-"))  # PostgreSQL
        self.faults = FaultMiddleware(create_app(db, token_hours=token_hours, blob_root=blob_root))
        config = uvicorn.Config(
            self.faults,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            proxy_headers=False,  # as `serve` runs it: X-Forwarded-For only from trusted proxies
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    @property
    def port(self) -> int:
        return int(self.server.servers[0].sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


# ---------------------------------------------------------------- proxy
@dataclass
class ProxyPlan:
    """What the proxy does to a new connection."""

    mode: str = "pass"  # pass | refuse | delay | cut_request | cut_response
    delay: float = 0.0
    after_bytes: int = 0


class FaultProxy:
    """TCP proxy with faults chosen per connection by ``plan()``."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.plan: Callable[[], ProxyPlan] = ProxyPlan
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.AbstractServer | None = None
        self.connections = 0
        self.faults: dict[str, int] = {}

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self.loop)
        future.result(10)
        return self

    async def _start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: Any) -> None:
        async def stop() -> None:
            if self.server is not None:
                self.server.close()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        plan = self.plan()
        if plan.mode != "pass":
            self.faults[plan.mode] = self.faults.get(plan.mode, 0) + 1
        if plan.mode == "refuse":
            writer.close()
            return
        if plan.mode == "delay":
            await asyncio.sleep(plan.delay)
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        limit_up = plan.after_bytes if plan.mode == "cut_request" else None
        limit_down = plan.after_bytes if plan.mode == "cut_response" else None
        done = asyncio.Event()

        async def pipe(
            src: asyncio.StreamReader, dst: asyncio.StreamWriter, limit: int | None
        ) -> None:
            sent = 0
            try:
                while not done.is_set():
                    data = await src.read(4096)
                    if not data:
                        break
                    if limit is not None and sent + len(data) >= limit:
                        dst.write(data[: max(0, limit - sent)])
                        await dst.drain()
                        break
                    sent += len(data)
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                done.set()
                for w in (writer, up_writer):
                    with contextlib.suppress(Exception):
                        w.close()

        await asyncio.gather(pipe(reader, up_writer, limit_up), pipe(up_reader, writer, limit_down))


def random_plan(rng: random.Random, fault_rate: float) -> Callable[[], ProxyPlan]:
    def plan() -> ProxyPlan:
        if rng.random() >= fault_rate:
            return ProxyPlan()
        mode = rng.choice(["refuse", "delay", "cut_request", "cut_response"])
        return ProxyPlan(mode, delay=rng.uniform(0.01, 0.3), after_bytes=rng.randint(1, 2000))

    return plan


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------- desktops
def _build_desktop_template(folder: Path) -> None:
    db = open_database(folder)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()


@dataclass
class Desktop:
    """A desktop's database and a sync engine pointed at ``url``."""

    folder: Path
    db: Database
    url: str
    timeout: float = 5.0
    engines: list[SyncEngine] = field(default_factory=list)

    @classmethod
    def create(cls, folder: Path, url: str, *, timeout: float = 5.0) -> Desktop:
        import shutil

        from models.db import DB_FILENAME

        if not (folder / DB_FILENAME).exists():
            folder.mkdir(parents=True, exist_ok=True)
            template = _template("desktop", _build_desktop_template)
            shutil.copy2(template / DB_FILENAME, folder / DB_FILENAME)
        db = open_database(folder)
        with db.session() as session:
            settings_service.put(session, "device.server_url", url)
        return cls(folder, db, url, timeout)

    def engine(self, **kwargs: Any) -> SyncEngine:
        with self.db.session() as session:
            conn = connection(session)
        engine = SyncEngine(self.db, conn, client=make_client(conn, timeout=self.timeout), **kwargs)
        self.engines.append(engine)
        return engine

    def run(self, coro_fn: Callable[[SyncEngine], Any], **kwargs: Any) -> Any:
        """Run ``coro_fn(engine)`` on a fresh engine (and client) and close it."""

        async def go() -> Any:
            engine = self.engine(**kwargs)
            try:
                return await coro_fn(engine)
            finally:
                await engine.close()

        return asyncio.run(go())

    def login(self, username: str, password: str = PASSWORD) -> Any:
        return self.run(lambda e: e.login(username, password))

    def sync(self, **kwargs: Any) -> Any:
        return self.run(lambda e: e.run_round(), **kwargs)

    def device_id(self) -> str:
        with self.db.session() as session:
            return settings_service.device_id(session)

    def user_id(self, username: str) -> str:
        with self.db.sessions() as session:
            found = session.scalar(select(User.id).where(User.username == username))
        assert found is not None, username
        return str(found)

    def token_record(self, username: str) -> TokenRecord | None:
        """The county login ``username`` holds on this desk (from the credential store)."""
        return store_for(self.folder).load(self.url.rstrip("/"), self.user_id(username))

    def token(self, username: str) -> str:
        record = self.token_record(username)
        assert record is not None, f"{username} is not logged in to the county on this desk"
        return record.token

    def close(self) -> None:
        self.db.dispose()
