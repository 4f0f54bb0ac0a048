"""The blob store (docs/protocol.md "Blobs"): attachments as content-addressed files.

``PUT /api/v1/blobs/{sha256}`` stores the raw bytes of a photo or PDF under its
SHA-256; ``HEAD``/``GET`` serve it to a user who may see an event naming it.

**On disk** a blob is ``<root>/ab/cd/<sha256>`` (no extension: its type is in
``srv_blobs``). An upload is streamed to ``<root>/ab/cd/.<sha>.<random>.part`` in the
same folder, fsynced, checked (size, hash, type told from the first bytes by
:func:`services.attachments.store.sniff`) and only then renamed onto the real name
with :func:`os.replace`, which is atomic: a crash or a cut upload never leaves half a
file under a real name (at most a ``.part`` file, removed when the request ends), and
several server processes writing the same blob at once each rename a whole, identical
file. A ``.part`` file left by a process killed mid-upload is removed by
:meth:`BlobStore.sweep_partials` once nothing has written to it for an hour, when the
server starts and every hour after (:func:`county_server.app.create_app`). The ``srv_blobs`` row is written after the rename, so a row always has its file.
Blobs are never deleted: there is no delete path.

**Who may read** a blob: ``srv_blob_refs`` names, for each accepted event whose
``data.attachments`` lists blobs, the blob and the event's case (filled by
:mod:`county_server.push`); a user may read the blob when one of those cases carries a
scope key of theirs in ``srv_case_scopes`` — the feed's own rule (:class:`feed.Viewer`):
a unit prefix for reception, coordinators, officials and administrators, ``d:<department>``
for a department, ``u:<user>`` for a grid worker. One indexed query answers it. Anything
else — a blob not held, one held but not named in the user's scope, a malformed hash —
is ``404``, so existence does not leak.

**Who may name** a blob in an event (:func:`unusable`): the blob must be held, and the
pusher must have uploaded it themselves (or from the same desk), or may read it already.
Knowing a hash is not enough to gain a file through an event of one's own case.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Annotated, Any

from pydantic import Field, TypeAdapter
from pydantic import ValidationError as PydanticError
from sqlalchemy import exists, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from models.db import Database
from models.tables import User
from models.types import utcnow
from services.attachments.store import CONTENT_TYPES, MAX_BYTES, is_sha256, sniff
from services.protocol.fields import MAX_ATTACHMENTS, rejected
from services.protocol.schemas import AttachmentItem

from .db import write_session
from .feed import Viewer, viewer_of
from .models import Blob, BlobHolder, BlobRef, CaseScope
from .tokens import Principal

log = logging.getLogger(__name__)

BLOB_ROOT_ENV = "GRIDDESK_BLOB_ROOT"
WRITE_BUFFER = 1024 * 1024
"""Bytes of an upload gathered before they are hashed and written in a worker thread:
the server receives a body in pieces of about 64 KiB, and a thread hop for each cost
more than the write (bench_blobs.py)."""
PARTIAL_MAX_AGE = 3600.0
"""Seconds without a write after which a ``.part`` file is a leftover of a killed upload."""
_PARTIAL_NAME = re.compile(r"\.[0-9a-f]{64}\.[0-9a-f]{32}\.part")
_SHARD = re.compile(r"[0-9a-f]{2}")
_ATTACHMENTS = TypeAdapter(Annotated[list[AttachmentItem], Field(max_length=MAX_ATTACHMENTS)])


def default_blob_root(url: str) -> Path | None:
    """``blobs/`` next to a SQLite database file; None for PostgreSQL or an in-memory
    database (``serve`` then needs ``--blob-root``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database)).resolve().parent / "blobs"


# ---------------------------------------------------------------- the folder
class BlobStore:
    """The blob folder: ``root/ab/cd/<sha256>``, written by temporary file and rename."""

    def __init__(self, root: Path, max_bytes: int = MAX_BYTES) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    def path(self, sha: str) -> Path:
        if not is_sha256(sha):
            raise ValueError("not a SHA-256")
        return self.root / sha[:2] / sha[2:4] / sha

    def open_partial(self, sha: str) -> tuple[Path, IO[bytes]]:
        folder = self.path(sha).parent
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{sha}.{uuid.uuid4().hex}.part"
        return partial, partial.open("xb")

    @staticmethod
    def finish(handle: IO[bytes]) -> None:
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()

    def partials(self) -> list[Path]:
        """The ``.part`` files in the shard folders (never a blob: those are bare hashes)."""
        found: list[Path] = []
        if not self.root.is_dir():
            return found
        for first in self.root.iterdir():
            if not (first.is_dir() and _SHARD.fullmatch(first.name)):
                continue
            for second in first.iterdir():
                if not (second.is_dir() and _SHARD.fullmatch(second.name)):
                    continue
                found.extend(
                    f
                    for f in second.iterdir()
                    if _PARTIAL_NAME.fullmatch(f.name)
                    and f.name[1:65].startswith(first.name + second.name)
                )
        return found

    def sweep_partials(self, max_age: float = PARTIAL_MAX_AGE, now: float | None = None) -> int:
        """Remove the ``.part`` files nothing has written to for ``max_age`` seconds: what
        an upload leaves when its server process is killed. A live upload writes its file
        every few seconds and a ``.part`` is never read, so several processes sweeping one
        folder lose nothing. Returns how many were removed (logged)."""
        cutoff = (time.time() if now is None else now) - max_age
        removed = 0
        for partial in self.partials():
            try:
                if partial.stat().st_mtime >= cutoff:
                    continue
                partial.unlink()
            except FileNotFoundError:
                continue  # finished, or swept by another process meanwhile
            except OSError as exc:
                log.warning("could not remove the unfinished upload %s: %s", partial, exc)
                continue
            removed += 1
        if removed:
            log.info(
                "removed %d unfinished upload file(s) (.part) older than %d minutes from %s",
                removed,
                max_age // 60,
                self.root,
            )
        return removed

    def place(self, partial: Path, sha: str) -> None:
        """Rename a checked ``.part`` file onto the blob's name (atomic), then make the
        rename durable. Another process renaming the same bytes at once is harmless."""
        target = self.path(sha)
        try:
            os.replace(partial, target)
        except PermissionError:  # Windows: the target is open for a download
            if not target.is_file():
                raise
            partial.unlink(missing_ok=True)
        if hasattr(os, "O_DIRECTORY"):
            fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


class BlobRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _refused(exc: BlobRefused) -> JSONResponse:
    return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status)


def _declared_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _write(handle: IO[bytes], digest: Any, chunk: bytes) -> None:
    digest.update(chunk)
    handle.write(chunk)


# ---------------------------------------------------------------- scope
def _scope_match(viewer: Viewer) -> Any:
    assert viewer.key is not None
    if viewer.exact:
        return CaseScope.scope == viewer.key
    return CaseScope.scope.startswith(viewer.key, autoescape=True)


def readable(session: Session, viewer: Viewer, shas: Iterable[str]) -> set[str]:
    """The blobs of ``shas`` that some case in ``viewer``'s scope names (held or not)."""
    wanted = sorted(set(shas))
    if viewer.key is None or not wanted:
        return set()
    query = (
        select(BlobRef.sha256)
        .join(CaseScope, CaseScope.case_id == BlobRef.case_id)
        .where(BlobRef.sha256.in_(wanted), _scope_match(viewer))
        .distinct()
    )
    return set(session.scalars(query))


def readable_blob(session: Session, user: User, sha: str) -> Blob | None:
    """The held blob ``sha`` if ``user`` may read it, else None (one query)."""
    viewer = viewer_of(user)
    if viewer.key is None or not is_sha256(sha):
        return None
    named = (
        select(BlobRef.sha256)
        .join(CaseScope, CaseScope.case_id == BlobRef.case_id)
        .where(BlobRef.sha256 == sha, _scope_match(viewer))
    )
    return session.scalar(select(Blob).where(Blob.sha256 == sha, exists(named)))


def unusable(session: Session, user: User, device_id: str, shas: Iterable[str]) -> list[str]:
    """The blobs of ``shas`` an event of ``user`` pushed from ``device_id`` may not name:
    not held, or held but neither uploaded by this user or desk nor readable by the user.
    Both answer ``missing_blob`` alike, so a push does not tell whether a blob exists."""
    wanted = sorted(set(shas))
    if not wanted:
        return []
    proved = or_(BlobHolder.user_id == user.id, BlobHolder.device_id == (device_id or "-"))
    held_by_pusher = set(
        session.scalars(
            select(Blob.sha256)
            .where(Blob.sha256.in_(wanted))
            .where(
                exists(select(BlobHolder.sha256).where(BlobHolder.sha256 == Blob.sha256, proved))
            )
        )
    )
    rest = [sha for sha in wanted if sha not in held_by_pusher]
    if rest:
        held = set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(rest))))
        held_by_pusher |= readable(session, viewer_of(user), held)
    return [sha for sha in wanted if sha not in held_by_pusher]


def check_attachments(entries: Any, prefix: str = "data.attachments") -> list[dict[str, Any]]:
    """``attachments`` of any event's data, checked by the protocol's attachment schema
    (:class:`ItemRejected` naming the field otherwise); None is no attachment."""
    if entries is None:
        return []
    try:
        _ATTACHMENTS.validate_python(entries)
    except PydanticError as exc:
        raise rejected(exc.errors(include_url=False), prefix) from None
    return [dict(entry) for entry in entries]


def attachment_shas(data: Mapping[str, Any]) -> list[str]:
    entries = data.get("attachments")
    if not isinstance(entries, list):
        return []
    return sorted({e["sha256"] for e in entries if isinstance(e, Mapping) and "sha256" in e})


def record_refs(session: Session, event_id: str, case_id: str, data: Mapping[str, Any]) -> None:
    """Index the blobs an accepted event names (inside the event's savepoint)."""
    for sha in attachment_shas(data):
        session.add(BlobRef(sha256=sha, event_id=event_id, case_id=case_id))


# ---------------------------------------------------------------- the routes
class BlobApi:
    """``PUT``, ``HEAD`` and ``GET /api/v1/blobs/{sha256}``.

    ``principal`` is the sync API's token check (401 before any body is read).
    ``store`` None means no blob folder is configured: the routes answer 503.
    """

    def __init__(
        self, db: Database, store: BlobStore | None, principal: Callable[[Request], Principal]
    ) -> None:
        self.db = db
        self.store = store
        self.principal = principal

    def _store(self) -> BlobStore:
        if self.store is None:
            raise BlobRefused(
                503, "blobs_unavailable", "This county server has no blob folder configured."
            )
        return self.store

    # ------------------------------------------------------------ PUT
    async def put(self, request: Request) -> Response:
        principal = await run_in_threadpool(self.principal, request)
        sha = str(request.path_params["sha256"])
        try:
            store = self._store()
            if not is_sha256(sha):
                raise BlobRefused(
                    400, "invalid", "A blob's name is its SHA-256 in 64 lower-case hex digits."
                )
            declared = _declared_type(request)
            if declared not in CONTENT_TYPES:
                raise BlobRefused(
                    415,
                    "unsupported_type",
                    "Only " + ", ".join(CONTENT_TYPES) + " files are stored.",
                )
            size = await self._receive(request, store, sha, declared)
            created = await run_in_threadpool(self._record, principal, sha, size, declared)
        except BlobRefused as exc:
            return _refused(exc)
        return JSONResponse(
            {"sha256": sha, "size": size, "content_type": declared, "stored": created},
            status_code=201 if created else 200,
        )

    async def _receive(self, request: Request, store: BlobStore, sha: str, declared: str) -> int:
        """Stream the body into a ``.part`` file, check it, rename it; its size."""
        limit = store.max_bytes
        too_large = BlobRefused(413, "too_large", f"A file may be at most {limit // 1048576} MB.")
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise too_large
        partial, handle = await run_in_threadpool(store.open_partial, sha)
        try:
            digest = hashlib.sha256()
            head = b""
            size = 0
            try:
                pending: list[bytes] = []
                buffered = 0
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise too_large
                    if len(head) < 16:
                        head = (head + chunk)[:16]
                    pending.append(chunk)
                    buffered += len(chunk)
                    if buffered >= WRITE_BUFFER:  # one thread hop per buffer, not per chunk
                        await run_in_threadpool(_write, handle, digest, b"".join(pending))
                        pending, buffered = [], 0
                if pending:
                    await run_in_threadpool(_write, handle, digest, b"".join(pending))
            except ClientDisconnect as exc:
                raise BlobRefused(400, "client_disconnected", "The upload was cut off.") from exc
            await run_in_threadpool(store.finish, handle)
            if digest.hexdigest() != sha:
                raise BlobRefused(
                    422, "hash_mismatch", "The bytes sent do not have the SHA-256 of the address."
                )
            kind = sniff(head)
            if kind is None or kind[0] != declared:
                raise BlobRefused(
                    415,
                    "unsupported_type",
                    f"The content is not {declared}: only photos (JPEG, PNG, WebP) and PDF "
                    "files are stored, named by their real type.",
                )
            await run_in_threadpool(store.place, partial, sha)
            return size
        finally:
            handle.close()
            partial.unlink(missing_ok=True)

    def _record(self, principal: Principal, sha: str, size: int, content_type: str) -> bool:
        """The blob's row and the uploader's proof of holding it; True if it is new.
        Two processes recording the same blob at once: the second one's insert fails on
        the primary key and is retried as 'already held'."""
        for attempt in range(3):
            try:
                with write_session(self.db) as session:
                    created = session.get(Blob, sha) is None
                    if created:
                        session.add(
                            Blob(
                                sha256=sha,
                                size=size,
                                content_type=content_type,
                                stored_at=utcnow(),
                                uploaded_by=principal.user.id,
                            )
                        )
                    key = (sha, principal.user.id, principal.device_id or "")
                    if session.get(BlobHolder, key) is None:
                        session.add(
                            BlobHolder(
                                sha256=sha,
                                user_id=principal.user.id,
                                device_id=principal.device_id or "",
                                at=utcnow(),
                            )
                        )
                return created
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    # ------------------------------------------------------------ HEAD / GET
    def _readable(self, principal: Principal, sha: str) -> Blob | None:
        with self.db.sessions() as session:
            user = session.get(User, principal.user.id)
            if user is None or not user.active:
                return None
            blob = readable_blob(session, user, sha)
            if blob is not None:
                session.expunge(blob)
            return blob

    async def get(self, request: Request) -> Response:
        principal = await run_in_threadpool(self.principal, request)
        sha = str(request.path_params["sha256"])
        try:
            store = self._store()
        except BlobRefused as exc:
            return _refused(exc)
        blob = await run_in_threadpool(self._readable, principal, sha)
        path = store.path(sha) if blob is not None else None
        if blob is None or path is None or not path.is_file():
            if blob is not None:
                log.error("blob %s is recorded but its file %s is missing", sha, path)
            return JSONResponse(
                {"error": "not_found", "message": "No such file, or not one you may see."},
                status_code=404,
            )
        etag = f'"{sha}"'
        headers = {
            "ETag": etag,
            "Cache-Control": "private",
            "X-Content-Type-Options": "nosniff",
        }
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return FileResponse(path, media_type=blob.content_type, headers=headers)

    def routes(self, prefix: str) -> list[Route]:
        return [
            Route(f"{prefix}/blobs/{{sha256}}", self.put, methods=["PUT"]),
            Route(f"{prefix}/blobs/{{sha256}}", self.get, methods=["GET", "HEAD"]),
        ]
