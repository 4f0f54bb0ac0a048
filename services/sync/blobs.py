"""Attachments between the desk and the county (PROTOCOL 1.1 "Attachments").

**Up.** Before an event that names blobs is pushed, the county must hold each
of them: the desk ``PUT``s the bytes from its local store
(:mod:`services.attachments.store`) with the event author's token; ``201``
stored, ``200`` already held, so a round cut half-way simply sends the same
bytes again. A blob this desk does not hold (an attachment pulled from
elsewhere and never downloaded) is not its to upload and is skipped. A failed
upload fails the push like a failed push: the items stay pending with the
outbox's back-off (``note_failure``). An event the county answers
``missing_blob`` (its blob vanished between upload and push, or another desk's
upload failed) is not a person's decision: its blobs go up again and it is
sent again, at most :data:`MISSING_BLOB_TRIES` times in a round; after that it
stays pending for the next round, and the case's later items wait with it.

**Down.** After a round, the blobs named by events of the cases this desk holds
and not yet in the local store are fetched with any county login of this desk
that may see them (assigned open cases first, then other open cases, then
closed ones only within the setting ``attachments.keep_closed_days``). Each is
streamed into a temporary file as it arrives (:class:`~services.attachments.store.BlobWriter`:
hashed on the way, fsynced, checked and renamed in a worker thread), so a cut or
altered download never leaves a file under a real name, and the progress bar moves
with the bytes. :data:`TRANSFERS` files move at once each way, so the network of one
overlaps the disk work of another; the token of a person is refreshed once for all of
them (:meth:`CountyClient.token_for`). ``404`` means the
county does not show it to that person: the next login is tried, then the blob
is noted and left for a while. :func:`download_blocking` fetches one blob on
demand for the case detail.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db import Database
from models.enums import CaseState, OutboxKind, OutboxStatus
from models.queue import Attachment
from models.tables import Case, OutboxItem, User
from models.types import utcnow
from services import settings as settings_service
from services.attachments.records import Entry, entries_of
from services.attachments.store import (
    MAX_BYTES,
    BlobMismatch,
    BlobWriter,
    local_blob,
    sniff,
    sweep_partials,
)
from services.cases.event_checks import parse_time
from services.errors import DomainError
from services.sync.client import CountyClient
from services.sync.config import connection, get_state, make_client, put_state
from services.sync.errors import LoginRequired, ServerFailed, SyncError
from services.sync.login import refused
from services.sync.outbox import Batch
from services.sync.status import usable_users

log = logging.getLogger(__name__)
T = TypeVar("T")

TRANSFERS = 3
"""Attachments moving at once, each way: while one waits on the network another is
hashed or made durable on disk (bench_blobs.py)."""
PROGRESS_EVERY = 0.1
"""Seconds between progress reports as a file's bytes arrive (the sync screen's bar)."""
MISSING_BLOB_TRIES = 2
"""How often, in one round, an event answered ``missing_blob`` is uploaded for and sent again."""
KEEP_CLOSED_SETTING = "attachments.keep_closed_days"
STATE_UNAVAILABLE = "blobs_unavailable"  # sha → when the county last showed it to nobody here
UNAVAILABLE_RETRY = timedelta(hours=6)
CLOSED_STATES = (CaseState.CLOSED, CaseState.VOIDED)

PostBatch = Callable[[str, Batch], Awaitable[list[Any]]]


def attachments_folder(db: Database) -> Path | None:
    """``attachments/`` beside the desk's database (desktop.paths.attachments_dir)."""
    return db.path.parent / "attachments" if db.path else None


@dataclass
class BlobProgress:
    """What the sync screen shows of a transfer: ``direction`` is "up" or "down"."""

    direction: str
    done: int = 0
    total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0


ProgressFn = Callable[[BlobProgress], None]


@dataclass
class BlobStats:
    uploaded: int = 0  # the county stored it (201)
    already_held: int = 0  # the county had it (200)
    absent: int = 0  # named by an event, not in this desk's store: not ours to upload
    refused: int = 0  # 413/415: the county will not take these bytes
    missing_blob: int = 0  # events answered missing_blob
    left_pending: int = 0  # events still missing a blob after the tries of a round
    downloaded: int = 0
    bytes_down: int = 0
    unavailable: int = 0  # 404 for every login here
    download_failed: int = 0
    bad_local: int = 0  # a local file that no longer matches its hash


def event_blobs(events: Sequence[Mapping[str, Any]]) -> dict[str, Entry]:
    """The blobs the events name, each once (sha → its first entry)."""
    out: dict[str, Entry] = {}
    for event in events:
        for entry in entries_of(event.get("data")):
            out.setdefault(entry.sha256, entry)
    return out


def _missing_ids(results: Sequence[Any]) -> set[str]:
    return {
        str(r.get("id"))
        for r in results
        if isinstance(r, Mapping)
        and r.get("status") == "rejected"
        and r.get("code") == "missing_blob"
    }


def _sub_batch(batch: Batch, keep: Callable[[str], bool]) -> Batch:
    out = Batch([], [], [], {})
    payloads = {str(p.get("id")): p for p in (*batch.visits, *batch.events)}
    for item_id, seq in zip(list(batch.kinds), batch.seqs, strict=False):
        if not keep(item_id):
            continue
        out.seqs.append(seq)
        out.kinds[item_id] = batch.kinds[item_id]
        payload = payloads[item_id]
        (out.visits if batch.kinds[item_id] == OutboxKind.VISIT else out.events).append(payload)
    return out


class BlobSync:
    """The blob work of one engine's round (not thread-safe, like the engine)."""

    def __init__(self, client: CountyClient, progress: ProgressFn | None = None) -> None:
        self.client = client
        self.progress = progress
        self.stats = BlobStats()
        self.folder = attachments_folder(client.db)
        self.held: set[str] = set()  # the county answered 200/201 for these in this round
        self.blocked_cases: set[str] = set()  # an event still misses a blob: later items wait
        self._told_at = 0.0

    def _tell(self, report: BlobProgress) -> None:
        if self.progress is not None:
            try:
                self.progress(report)
            except Exception:  # noqa: BLE001 - a progress display never stops a transfer
                log.exception("blob progress callback failed")

    # ------------------------------------------------------------ up
    def _read_local(self, sha: str) -> bytes | None:
        path = local_blob(self.folder, sha) if self.folder is not None else None
        if path is None:
            return None
        body = path.read_bytes()
        if hashlib.sha256(body).hexdigest() != sha:
            log.error("local attachment %s no longer matches its hash; not uploaded", path)
            self.stats.bad_local += 1
            return None
        return body

    async def upload(
        self, user_id: str, events: Sequence[Mapping[str, Any]], *, force: bool = False
    ) -> None:
        """Make sure the county holds each blob the events name that this desk holds
        (:data:`TRANSFERS` at a time)."""
        todo = [e for sha, e in event_blobs(events).items() if force or sha not in self.held]
        report = BlobProgress("up", total=len(todo), bytes_total=sum(e.size for e in todo))

        async def one(entry: Entry) -> None:
            body = await self.client._db(self._read_local, entry.sha256)
            if body is None:
                self.stats.absent += 1
            else:
                await self._put(user_id, entry, body)
            report.done += 1
            report.bytes_done += entry.size if body is None else len(body)
            self._tell(report)

        await bounded(todo, one, TRANSFERS)

    async def _put(self, user_id: str, entry: Entry, body: bytes) -> None:
        kind = sniff(body[:16])
        content_type = kind[0] if kind else entry.content_type or "application/octet-stream"
        answer = await self.client._authorised(
            "PUT",
            f"/blobs/{entry.sha256}",
            user_id,
            content=body,
            headers={"Content-Type": content_type},
        )
        if answer.status in (200, 201):
            self.held.add(entry.sha256)
            if answer.status == 201:
                self.stats.uploaded += 1
            else:
                self.stats.already_held += 1
        elif answer.status == 422:
            # The bytes were altered on the way (ours match their hash): try again later.
            raise ServerFailed(
                f"the county received other bytes for attachment {entry.sha256[:12]}",
                code="hash_mismatch",
            )
        elif answer.status in (413, 415):
            self.stats.refused += 1
            code, message, _reason = answer.error()
            log.warning(
                "the county refused attachment %s (%s %s %s)",
                entry.sha256,
                answer.status,
                code,
                message,
            )
        else:
            raise refused(answer)

    async def push(
        self, user_id: str, batch: Batch, post: PostBatch
    ) -> tuple[Batch, list[Any], list[int]]:
        """Upload the batch's blobs, then ``post`` it; send again what misses a blob.

        Returns the items to record with their answers, and the outbox rows left
        pending because the county still misses one of their blobs.
        """
        await self.upload(user_id, batch.events)
        results = list(await post(user_id, batch))
        for _attempt in range(MISSING_BLOB_TRIES):
            missing = _missing_ids(results)
            if not missing:
                return batch, results, []
            self.stats.missing_blob += len(missing)
            again = _sub_batch(batch, missing.__contains__)
            log.info("%d events miss a blob at the county: uploading again", again.size)
            await self.upload(user_id, again.events, force=True)
            answers = {
                str(r.get("id")): r for r in await post(user_id, again) if isinstance(r, Mapping)
            }
            results = [
                answers.get(str(r.get("id")), r) if isinstance(r, Mapping) else r for r in results
            ]
        missing = _missing_ids(results)
        if not missing:
            return batch, results, []
        self.stats.missing_blob += len(missing)
        self.stats.left_pending += len(missing)
        waiting = _sub_batch(batch, missing.__contains__)
        for payload in waiting.events:
            if isinstance(payload.get("case_id"), str):
                self.blocked_cases.add(payload["case_id"])
        answered = [
            r for r in results if not (isinstance(r, Mapping) and str(r.get("id")) in missing)
        ]
        return _sub_batch(batch, lambda i: i not in missing), answered, waiting.seqs

    def waits(self, item: OutboxItem) -> bool:
        """Whether ``item`` waits behind an event of its case that still misses a blob."""
        payload = item.payload if isinstance(item.payload, dict) else {}
        return payload.get("case_id") in self.blocked_cases

    # ------------------------------------------------------------ down
    async def download_missing(self, *, limit: int | None = None) -> BlobStats:
        """Fetch the blobs this desk's cases name and its store lacks (see the module),
        :data:`TRANSFERS` at a time, the most wanted first."""
        if self.folder is None:
            return self.stats
        swept = await self.client._db(sweep_partials, self.folder)
        if swept:
            log.info("removed %d unfinished downloads left by an earlier run", swept)
        wanted = await self.client._db(wanted_blobs, self.client.db, self.folder)
        if limit is not None:
            wanted = wanted[:limit]
        if not wanted:
            return self.stats
        users = await self.client._db(self._users)
        report = BlobProgress("down", total=len(wanted), bytes_total=sum(s for _h, s in wanted))
        self._tell(report)
        unavailable: list[str] = []

        async def one(item: tuple[str, int]) -> None:
            sha, size = item
            moved = [0]

            def arrived(count: int) -> None:
                moved[0] += count
                report.bytes_done += count
                self._tell_often(report)

            got = await self.fetch(sha, users, arrived=arrived)
            report.done += 1
            report.bytes_done += max(0, size - moved[0])  # a file that failed counts as done
            if got is None:
                unavailable.append(sha)
            self._tell(report)

        try:
            await bounded(wanted, one, TRANSFERS)
        finally:
            if unavailable:
                await self.client._db(_note_unavailable, self.client.db, unavailable)
        return self.stats

    def _tell_often(self, report: BlobProgress) -> None:
        """Progress as bytes arrive, at most every :data:`PROGRESS_EVERY` seconds."""
        now = time.monotonic()
        if now - self._told_at >= PROGRESS_EVERY:
            self._told_at = now
            self._tell(report)

    def _users(self) -> list[str]:
        with self.client.db.sessions() as session:
            users = usable_users(session, self.client.conn.server_url)
        preferred = self.client.user_id
        if preferred in users:
            users.remove(preferred)
            users.insert(0, preferred)
        else:
            users.reverse()  # the most recent login first
        return users

    async def fetch(
        self, sha: str, users: Sequence[str], *, arrived: Callable[[int], None] | None = None
    ) -> Path | None:
        """Download one blob with the first login that may see it; None when none may.

        The bytes are streamed into a temporary file as they arrive (hashed on the
        way, :class:`~services.attachments.store.BlobWriter`) and made durable and
        renamed in a worker thread; ``arrived`` is told each piece's size. Offline and
        server failures are raised (:class:`SyncError`); a download whose bytes do not
        match the hash is counted and left for the next try.
        """
        assert self.folder is not None
        folder = self.folder
        for user_id in users:
            writer: BlobWriter | None = None

            def sink(chunk: bytes) -> None:
                nonlocal writer
                if writer is None:
                    writer = BlobWriter(folder, sha)
                writer.write(chunk)
                if arrived is not None:
                    arrived(len(chunk))

            try:
                answer = await self.client._authorised(
                    "GET", f"/blobs/{sha}", user_id, sink=sink, max_bytes=MAX_BYTES
                )
            except LoginRequired:
                continue
            except BlobMismatch as exc:  # more than a blob may be
                self.stats.download_failed += 1
                log.warning("attachment %s came down altered (%s); tried again later", sha, exc)
                return None
            except BaseException:
                if writer is not None:
                    writer.abort()
                raise
            if answer.status == 404:
                continue
            if answer.status != 200:
                raise refused(answer)
            if writer is None:  # an empty answer: not the file
                writer = BlobWriter(folder, sha)
            try:
                path = await self.client._db(writer.finish)
            except BlobMismatch as exc:
                self.stats.download_failed += 1
                log.warning("attachment %s came down altered (%s); tried again later", sha, exc)
                return None
            self.stats.downloaded += 1
            self.stats.bytes_down += writer.size
            return path
        self.stats.unavailable += 1
        log.info("attachment %s is not shown to any county login of this desk", sha[:12])
        return None


async def bounded(items: Sequence[T], work: Callable[[T], Awaitable[None]], limit: int) -> None:
    """``work`` on every item, at most ``limit`` at a time, started in order. The
    first failure cancels the rest and is raised as it is (not as an ExceptionGroup,
    so the round's ``except SyncError`` sees it)."""
    queue = iter(items)

    async def worker() -> None:
        for item in queue:  # one shared iterator: each item is taken once
            await work(item)

    tasks = [asyncio.ensure_future(worker()) for _ in range(max(1, min(limit, len(items))))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


# ---------------------------------------------------------------- what to fetch
def keep_closed_days(session: Session) -> int:
    try:
        value = settings_service.get(session, KEEP_CLOSED_SETTING)
        return max(0, int(value))
    except (DomainError, TypeError, ValueError):
        return 90


def _mine(session: Session, server: str) -> set[str]:
    """The ids a case of this desk's county logins is assigned to (them, their unit, department)."""
    ids: set[str] = set()
    for user_id in usable_users(session, server):
        user = session.get(User, user_id)
        if user is None:
            continue
        ids.update(x for x in (user.id, user.org_unit_id, user.department_id) if x)
    return ids


def _recently_unavailable(session: Session) -> set[str]:
    raw = get_state(session, STATE_UNAVAILABLE)
    if not isinstance(raw, dict):
        return set()
    now = utcnow()
    out: set[str] = set()
    for sha, when in raw.items():
        try:
            if parse_time(when, "at") > now - UNAVAILABLE_RETRY:
                out.add(sha)
        except (DomainError, KeyError, TypeError, ValueError):
            continue
    return out


def wanted_blobs(db: Database, folder: Path) -> list[tuple[str, int]]:
    """``(sha, size)`` of the blobs to download, most wanted first (see the module)."""
    with db.sessions() as session:
        now = utcnow()
        cutoff = now - timedelta(days=keep_closed_days(session))
        mine = _mine(session, connection(session).server_url)
        skip = _recently_unavailable(session)
        rows = session.execute(
            select(
                Attachment.sha256,
                Attachment.size,
                Case.state,
                Case.assignee_id,
                Case.closed_at,
                Case.voided_at,
                Case.created_at,
            ).join(Case, Case.id == Attachment.case_id)
        ).all()
    ranked: dict[str, tuple[tuple[int, float], int]] = {}
    for sha, size, state, assignee, closed_at, voided_at, created_at in rows:
        if sha in skip:
            continue
        if state in CLOSED_STATES:
            ended = closed_at or voided_at
            if ended is None or _aware(ended) < cutoff:
                continue
            rank = 2
        else:
            rank = 0 if assignee in mine else 1
        key = (rank, -_aware(created_at).timestamp() if created_at else 0.0)
        if sha not in ranked or key < ranked[sha][0]:
            ranked[sha] = (key, int(size or 0))
    wanted = sorted(ranked.items(), key=lambda item: item[1][0])
    return [(sha, size) for sha, (_key, size) in wanted if local_blob(folder, sha) is None]


def _aware(value: Any) -> Any:
    from datetime import UTC

    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _note_unavailable(db: Database, shas: Sequence[str]) -> None:
    with db.session() as session:
        raw = get_state(session, STATE_UNAVAILABLE)
        known = dict(raw) if isinstance(raw, dict) else {}
        now = utcnow().isoformat()
        for sha in shas:
            known[sha] = now
        put_state(session, STATE_UNAVAILABLE, known)


@dataclass
class BlobCounts:
    """The sync screen's line: attachments waiting to go up and to come down."""

    to_upload: int = 0
    to_download: int = 0
    bytes_to_download: int = 0
    shas: list[str] = field(default_factory=list, repr=False)


def pending_counts(db: Database) -> BlobCounts:
    """How many blobs pending events name that this desk holds, and how many to download."""
    folder = attachments_folder(db)
    counts = BlobCounts()
    if folder is None:
        return counts
    with db.sessions() as session:
        payloads = list(
            session.scalars(
                select(OutboxItem.payload).where(
                    OutboxItem.status == OutboxStatus.PENDING,
                    OutboxItem.kind == OutboxKind.CASE_EVENT,
                )
            )
        )
    up = event_blobs([p for p in payloads if isinstance(p, Mapping)])
    counts.to_upload = sum(1 for sha in up if local_blob(folder, sha) is not None)
    wanted = wanted_blobs(db, folder)
    counts.to_download = len(wanted)
    counts.bytes_to_download = sum(size for _sha, size in wanted)
    return counts


# ---------------------------------------------------------------- on demand
def download_blocking(db: Database, sha256: str) -> Path | None:
    """The local file of blob ``sha256``, downloaded now if needed (from a worker thread).

    None when the county does not have it for any login of this desk, when it
    cannot be reached or when no county login is usable here: the caller says
    "not available now", never shows an error dialog.
    """
    folder = attachments_folder(db)
    if folder is None:
        return None
    held = local_blob(folder, sha256)
    if held is not None:
        return held
    try:
        with db.sessions() as session:
            conn = connection(session)
            session.commit()
    except Exception:  # noqa: BLE001 - a broken settings row reads as "not available now"
        log.exception("could not read the connection settings")
        return None
    if not conn.server_url:
        return None

    async def go() -> Path | None:
        client = CountyClient(db, conn, client=make_client(conn, timeout=15.0), deadline=120.0)
        try:
            work = BlobSync(client)
            users = await client._db(work._users)
            return await work.fetch(sha256, users)
        finally:
            await client.close()

    try:
        return asyncio.run(go())
    except (SyncError, OSError) as exc:
        log.info("attachment %s not downloaded now: %s", sha256[:12], exc)
        return None
