"""A county server that misbehaves towards the desk (docs/protocol.md probes).

A raw asyncio HTTP/1.1 server in its own thread: each request is answered by
``handler(method, path, body)``, which returns raw response bytes or an async
function that writes to the connection itself (a trickle, a huge body). And a
desk on the demo reference data with a county login for ``coordinator`` already
kept, so the probes talk to the feed and the push directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from models.db import Database, open_database
from models.tables import Case, CaseEvent, OutboxItem, PulledQuarantine, SyncState, User, Visit
from services import settings as settings_service
from services.demo.district import demo_user_id
from services.sync import SyncEngine, connection, make_client
from services.sync.tokens import TokenRecord, store_for
from tests.builders import load_demo_reference

Writer = Callable[[asyncio.StreamWriter], Awaitable[None]]
Reply = bytes | Writer
Handler = Callable[[str, str, bytes], Reply]

GRID = "990101001001001"
STREET = "990101001"


def http(
    status: int, body: bytes | str, content_type: str = "application/json", **extra: str
) -> bytes:
    data = body.encode("utf-8") if isinstance(body, str) else body
    head = [f"HTTP/1.1 {status} X", f"Content-Type: {content_type}", f"Content-Length: {len(data)}"]
    head += [f"{k.replace('_', '-')}: {v}" for k, v in extra.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + data


def ok(payload: Any) -> bytes:
    return http(200, json.dumps(payload, ensure_ascii=False, allow_nan=True))


def page(changes: list[Any], next_cursor: str = "v1.9", more: bool = False) -> bytes:
    return ok({"changes": changes, "next": next_cursor, "more": more})


class HostileCounty:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[tuple[str, str]] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.AbstractServer | None = None

    def __enter__(self) -> HostileCounty:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        return self

    async def _start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    def __exit__(self, *exc: Any) -> None:
        async def stop() -> None:
            if self.server is not None:
                self.server.close()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                method, target, _version = line.decode("latin-1").split(" ", 2)
                length = 0
                while True:
                    header = await reader.readline()
                    if header in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = header.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                body = await reader.readexactly(length) if length else b""
                path = target.split("?", 1)[0]
                self.requests.append((method, target))
                reply = self.handler(method, path, body)
                if isinstance(reply, bytes):
                    writer.write(reply)
                    await writer.drain()
                else:
                    await reply(writer)
                    return
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()


# ---------------------------------------------------------------- the desk
_TEMPLATE: dict[str, Path] = {}


def _template(tmp_root: Path) -> Path:
    if "desk" not in _TEMPLATE:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="griddesk-hostile-"))
        db = open_database(folder)
        load_demo_reference(db)
        db.dispose()
        _TEMPLATE["desk"] = folder
    return _TEMPLATE["desk"]


@dataclass
class Desk:
    folder: Path
    db: Database
    url: str

    @classmethod
    def create(cls, folder: Path, url: str, *, login: str | None = "coordinator") -> Desk:
        import shutil

        from models.db import DB_FILENAME

        folder.mkdir(parents=True, exist_ok=True)
        source = _template(folder) / DB_FILENAME
        shutil.copy2(source, folder / DB_FILENAME)
        db = open_database(folder)
        with db.session() as session:
            settings_service.put(session, "device.server_url", url)
        desk = cls(folder, db, url)
        if login:
            desk.keep_login(login)
        return desk

    def keep_login(self, username: str, *, hours: float = 10, refresh: bool = True) -> None:
        """A county login for ``username`` as the desk keeps it after a real one."""
        with self.db.sessions() as session:
            conn = connection(session)
            session.commit()
        engine = SyncEngine(self.db, conn, client=None)
        now = datetime.now(UTC)
        record = TokenRecord(
            server=conn.server_url,
            user_id=demo_user_id(username),
            username=username,
            display_name=username,
            device_id=conn.device_id,
            token=f"t-{uuid.uuid4()}",
            expires_at=(now + timedelta(hours=hours)).isoformat(),
            refresh_token=f"r-{uuid.uuid4()}" if refresh else "",
            refresh_expires_at=(now + timedelta(days=30)).isoformat() if refresh else None,
        )
        engine._save_record(record)

    def engine(self, **kwargs: Any) -> SyncEngine:
        with self.db.session() as session:
            conn = connection(session)
        return SyncEngine(self.db, conn, client=make_client(conn, timeout=5.0), **kwargs)

    def run(self, fn: Callable[[SyncEngine], Awaitable[Any]], **kwargs: Any) -> Any:
        async def go() -> Any:
            engine = self.engine(**kwargs)
            try:
                return await fn(engine)
            finally:
                await engine.close()

        return asyncio.run(go())

    def sync(self, **kwargs: Any) -> Any:
        return self.run(lambda e: e.run_round(), **kwargs)

    def token_record(self, username: str) -> TokenRecord | None:
        return store_for(self.folder).load(self.url.rstrip("/"), demo_user_id(username))

    def counts(self) -> dict[str, int]:
        """What a refused answer must leave unchanged (the quarantine apart)."""
        with self.db.sessions() as session:
            out = {
                table.__name__: int(session.scalar(select(func.count()).select_from(table)) or 0)
                for table in (Case, CaseEvent, Visit, OutboxItem, User, PulledQuarantine)
            }
            state = session.get(SyncState, "cursor")
            value = state.value if state is not None and isinstance(state.value, dict) else {}
            out["cursor"] = hash(json.dumps(value.get("cursor")))
            return out

    def quarantine(self) -> list[PulledQuarantine]:
        with self.db.sessions() as session:
            rows = list(session.scalars(select(PulledQuarantine)))
            for row in rows:
                session.expunge(row)
            return rows

    def close(self) -> None:
        self.db.dispose()


@contextlib.contextmanager
def hostile(handler: Handler, tmp: Path, **desk: Any) -> Iterator[tuple[HostileCounty, Desk]]:
    with HostileCounty(handler) as county:
        made = Desk.create(tmp / "desk", county.url, **desk)
        try:
            yield county, made
        finally:
            made.close()


# ---------------------------------------------------------------- items
def created_change(number_serial: int = 1, **data: Any) -> dict[str, Any]:
    """A well-formed ``created`` event as the feed carries it."""
    now = datetime.now(UTC)
    event = {
        "id": str(uuid.uuid4()),
        "case_id": str(uuid.uuid4()),
        "type": "created",
        "at": now.isoformat(),
        "actor_id": demo_user_id("coordinator"),
        "server_seq": 1000 + number_serial,
        "data": {
            "number": f"{STREET}-{now:%Y%m%d}-01{number_serial:03d}",
            "title": "井盖缺失",
            "description": "人行道井盖缺失",
            "category_code": "0101",
            "source": "walk_in",
            "urgency": "normal",
            "org_unit_id": GRID,
            "address": "长河路1号",
            "lat": None,
            "lon": None,
            "visit_id": None,
            **data,
        },
    }
    return {
        "type": "case_event",
        "id": event["id"],
        "data": event,
        "pushed_by": demo_user_id("coordinator"),
        "pushed_device": "接待台1",
        "received_at": now.isoformat(),
        "push_protocol": "1.1",
    }


def visit_change(**visitor: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    visit = {
        "id": str(uuid.uuid4()),
        "org_unit_id": STREET,
        "at": now.isoformat(),
        "received_by": demo_user_id("reception"),
        "visitor": {
            "name": "王某",
            "phone": "13800001111",
            "id_number": None,
            "gender": None,
            "address": None,
            **visitor,
        },
        "purpose": "request",
        "summary": "咨询",
        "case_id": None,
        "resolved_on_the_spot": True,
    }
    return {
        "type": "visit",
        "id": visit["id"],
        "data": visit,
        "pushed_by": demo_user_id("reception"),
        "pushed_device": "接待台1",
        "received_at": now.isoformat(),
        "push_protocol": "1.1",
    }
