"""The background sync loop on the qasync event loop, and its status.

One :class:`SyncLoop` per logged-in session: it runs a round every
``INTERVAL`` seconds (and at once on "sync now"), backs off exponentially
with jitter after failures, and tells the screens what happened through
``status_changed``. Network I/O is ``httpx.AsyncClient`` on the Qt event loop;
database work runs in worker threads, so the window never waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from services import sync
from services.sync import blobs

from .context import AppContext

log = logging.getLogger(__name__)

INTERVAL = 60.0


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar and the sync screen show."""

    configured: bool = False
    running: bool = False
    online: bool | None = None  # None: not tried yet
    needs_login: bool = False
    last_success: datetime | None = None
    last_error_code: str = ""
    last_error: str = ""
    pending: int = 0
    rejected: int = 0
    server_url: str = ""
    logged_in_as: str = ""
    next_try_in: float = 0.0
    # items that wait for a person's county login (services.sync.Waiting)
    waiting: tuple[object, ...] = ()
    quarantined: int = 0
    # what the last finished round moved, per type (services.sync.RoundReport)
    last_report: object = None
    desk_code: str | None = None  # numbers this desk's cases (services.cases.records)
    # attachments (services.sync.blobs): waiting to go up / to come down, and the transfer
    blobs_up: int = 0
    blobs_down: int = 0
    transfer: object = None  # blobs.BlobProgress while blobs move, else None


class SyncLoop(QObject):
    status_changed = Signal(object)  # SyncStatus
    round_finished = Signal(object)  # services.sync.RoundResult

    def __init__(self, ctx: AppContext, *, interval: float = INTERVAL) -> None:
        super().__init__()
        self.ctx = ctx
        self.interval = interval
        self.status = SyncStatus()
        self._failures = 0
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._start)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    # ------------------------------------------------------------ control
    def start(self, delay_ms: int = 1500) -> None:
        """Start the loop once the qasync loop is running (first round after ``delay_ms``)."""
        self.refresh()
        self._timer.start(delay_ms)

    def _start(self) -> None:
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            return
        if not loop.is_running():
            return  # no qasync loop (a test, a command): nothing runs in the background
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._run())

    def sync_now(self) -> None:
        if self._wake is not None:
            self._failures = 0
            self._wake.set()
        else:
            self._start()

    def stop(self) -> None:
        self._timer.stop()
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def refresh(self) -> None:
        """Re-read the counts and the server address from the database."""
        with self.ctx.read() as session:
            view = sync.overview(session)
        self._set(
            configured=bool(view.server_url),
            pending=view.pending,
            rejected=view.rejected,
            last_success=view.last_success,
            server_url=view.server_url,
            logged_in_as=view.logged_in_as,
            needs_login=bool(view.server_url) and not view.token_valid,
            waiting=tuple(view.waiting),
            quarantined=view.quarantined,
            last_report=view.last_report,
            desk_code=view.desk_code,
        )

    def _set(self, **changes: object) -> None:
        self.status = replace(self.status, **changes)  # type: ignore[arg-type]
        self.status_changed.emit(self.status)

    # ------------------------------------------------------------ logging in
    async def login(self, username: str, password: str) -> None:
        """Log a person in to the county (the sync screen); raises sync.SyncError.

        The person's device-bound token is kept (never the password), and their
        waiting items go up with the next round.
        """
        engine = await asyncio.to_thread(self._engine)
        try:
            await engine.login(username, password)
        finally:
            await engine.close()
        self.refresh()
        self.sync_now()

    async def logout(self, user_id: str) -> bool:
        """Revoke the person's county token and forget it here."""
        engine = await asyncio.to_thread(self._engine)
        try:
            return await engine.logout(user_id)
        finally:
            await engine.close()
            self.refresh()

    def _engine(self) -> sync.SyncEngine:
        user = getattr(self.ctx, "user", None)
        return sync.SyncEngine.from_settings(self.ctx.db, user_id=getattr(user, "id", None) or None)

    # ------------------------------------------------------------ the loop
    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            self.refresh()
            delay = self.interval
            if self.status.configured and not self.status.needs_login:
                await self._round()
                if self._failures:
                    delay = sync.backoff_delay(self._failures)
            self._set(next_try_in=delay)
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def _round(self) -> None:
        self._set(running=True)
        engine: sync.SyncEngine | None = None
        try:
            engine = await asyncio.to_thread(self._engine)
            engine.blob_progress = self._blob_progress
            result = await engine.run_round()
        except sync.LoginRequired as exc:
            self._failures = 0
            self._set(
                online=True, needs_login=True, last_error_code=exc.code, last_error=exc.detail
            )
        except sync.SyncError as exc:
            self._failures += 1
            log.info("sync round failed (%s failures): %s", self._failures, exc)
            self._set(
                online=not isinstance(exc, sync.Offline),
                last_error_code=exc.code,
                last_error=exc.detail,
            )
        except Exception:  # noqa: BLE001 - a bug must not stop the loop for good
            self._failures += 1
            log.exception("sync round crashed")
            self._set(online=None, last_error_code="sync_failed", last_error="")
        else:
            self._failures = 0
            self._set(online=True, last_error_code="", last_error="")
            self._announce(result)
            await self._download(engine)
        finally:
            if engine is not None:
                await engine.close()
            self._set(running=False, transfer=None)
            self.refresh()
            await self._count_blobs()

    def _blob_progress(self, progress: blobs.BlobProgress) -> None:
        """Told on this loop's thread as attachments move (the sync screen's bar)."""
        self._set(transfer=replace(progress))

    async def _download(self, engine: sync.SyncEngine) -> None:
        """The attachments of this desk's cases it lacks, after the round; a failure
        leaves them for the next round and never fails this one.

        Unlike the round's small JSON pages, photos are megabytes each: reading and
        hashing them on this loop (the GUI thread's) stalled the screen for up to
        0.1 s per photo (tests/benchmarks/bench_blobs.py). They are fetched by an
        engine of their own on a worker thread with its own event loop; progress
        comes back to this loop.
        """
        del engine  # the round's engine belongs to this loop; the worker makes its own
        loop = asyncio.get_running_loop()

        files_done = [0]

        def report(progress: blobs.BlobProgress) -> None:
            loop.call_soon_threadsafe(self._blob_progress, replace(progress))
            if progress.done > files_done[0]:  # a file came down: open screens look for theirs
                files_done[0] = progress.done
                loop.call_soon_threadsafe(self.ctx.events.attachments_arrived.emit)

        def fetch() -> blobs.BlobStats:
            async def run() -> blobs.BlobStats:
                worker = self._engine()
                worker.blob_progress = report
                try:
                    return await worker.download_blobs()
                finally:
                    await worker.close()

            return asyncio.run(run())

        try:
            stats = await asyncio.to_thread(fetch)
        except sync.SyncError as exc:
            log.info("attachments not downloaded now: %s", exc)
        except Exception:  # noqa: BLE001 - a bug here must not stop the loop
            log.exception("attachment download crashed")
        else:
            if stats.downloaded:
                log.info("%d attachments downloaded (%d bytes)", stats.downloaded, stats.bytes_down)

    async def _count_blobs(self) -> None:
        try:
            counts = await asyncio.to_thread(blobs.pending_counts, self.ctx.db)
        except Exception:  # noqa: BLE001 - counting is for display only
            log.exception("could not count the attachments to transfer")
            return
        self._set(blobs_up=counts.to_upload, blobs_down=counts.to_download)

    def _announce(self, result: sync.RoundResult) -> None:
        events = self.ctx.events
        if result.reference:
            self.ctx.reload_calendar()
            events.reference_changed.emit()
        if result.case_ids or result.rejected:
            events.cases_changed.emit(sorted(result.case_ids))
        if result.visit_ids:
            events.visits_changed.emit(sorted(result.visit_ids))
        self.round_finished.emit(result)


def sync_loop_for(ctx: AppContext) -> SyncLoop:
    """The session's one loop, made (and started) on first use."""
    loop = getattr(ctx, "_sync_loop", None)
    if loop is None:
        loop = SyncLoop(ctx)
        ctx._sync_loop = loop  # type: ignore[attr-defined]
        loop.start()
    return loop
