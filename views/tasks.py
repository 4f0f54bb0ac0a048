"""Background work: one path for every screen, with one place for errors.

``Op(parent, fn).success(cb).failure(cb).run_in_background()`` runs ``fn`` in
Qt's thread pool and calls the callbacks on the GUI thread. A failure without
its own handler shows a domain error's message, or hands anything unexpected to
``sys.excepthook`` (the error dialog).

Three additions, all optional:

- **progress** — ``Op.controlled(parent, fn)`` passes ``fn`` an ``OpControl``;
  the worker calls ``control.report(value)`` and the ``.progress(cb)`` callback
  receives ``value`` on the GUI thread.
- **cancel** — ``op.cancel()`` sets a flag the worker reads as
  ``control.cancelled`` (or ``control.check()``, which raises ``OpCancelled``).
  A cancelled op never delivers anything: no progress, success or failure.
  An op is also cancelled when its parent QObject is destroyed.
- **latest wins** — ``key=`` names what the op computes for its parent (e.g.
  ``"counts"``). Starting an op with the same parent and key cancels the
  previous one, so an answer to an old question never overwrites a newer one.

``TaskSlot`` keeps a reference to one running asyncio task (on the qasync loop)
and cancels the stale one when a new one starts, e.g. when the selection changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import warnings
from collections.abc import Callable, Coroutine, Hashable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from services.errors import DomainError

from .messages import error_text, show_message

T = TypeVar("T")

_running: set[Op[Any]] = set()
_latest: dict[tuple[int, Hashable], Op[Any]] = {}


class OpCancelled(Exception):
    """Raised by ``OpControl.check()`` in a worker whose op was cancelled."""


class OpControl:
    """What the worker of a controlled op holds: progress out, cancel in."""

    def __init__(self, bridge: _Bridge) -> None:
        self._bridge = bridge
        self._cancelled = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """Stop the worker here (``OpCancelled``) if the op was cancelled."""
        if self._cancelled.is_set():
            raise OpCancelled

    def report(self, value: object) -> None:
        """Send ``value`` to the op's progress callback, on the GUI thread."""
        if not self._cancelled.is_set():
            self._bridge.progressed.emit(value)


class _Bridge(QObject):
    done = Signal(object)
    failed = Signal(object)
    progressed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], bridge: _Bridge) -> None:
        super().__init__()
        self.fn, self.bridge = fn, bridge

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread
            self.bridge.failed.emit(exc)
        else:
            self.bridge.done.emit(result)


class Op(Generic[T]):
    def __init__(
        self, parent: QObject | None, fn: Callable[[], T], *, key: Hashable | None = None
    ) -> None:
        self.parent = parent
        self.key = key
        self._bridge = _Bridge()
        self.control = OpControl(self._bridge)
        self.fn = fn
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._progress: Callable[[Any], None] | None = None
        self._watching = False
        self._started = False
        self._delivered = False

    @classmethod
    def controlled(
        cls, parent: QObject | None, fn: Callable[[OpControl], T], *, key: Hashable | None = None
    ) -> Op[T]:
        """An op whose worker receives its ``OpControl`` (progress, cancel)."""
        op: Op[T] = cls(parent, lambda: fn(op.control), key=key)
        return op

    def success(self, callback: Callable[[T], None]) -> Op[T]:
        self._success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Op[T]:
        self._failure = callback
        return self

    def progress(self, callback: Callable[[Any], None]) -> Op[T]:
        self._progress = callback
        return self

    @property
    def cancelled(self) -> bool:
        return self.control.cancelled

    @property
    def pending(self) -> bool:
        """Started, and neither delivered nor cancelled yet."""
        return self._started and not self._delivered and not self.cancelled

    def cancel(self) -> None:
        """Tell the worker to stop and drop whatever it would still deliver."""
        self.control._cancelled.set()
        self._forget()

    def run_in_background(self) -> Op[T]:
        if self.key is not None:
            slot = (id(self.parent), self.key)
            previous = _latest.get(slot)
            if previous is not None:
                previous.cancel()
            _latest[slot] = self
        if self.parent is not None:
            self.parent.destroyed.connect(self.cancel)
            self._watching = True
        _running.add(self)
        self._started = True
        self._bridge.done.connect(self._on_done)
        self._bridge.failed.connect(self._on_failed)
        self._bridge.progressed.connect(self._on_progress)
        QThreadPool.globalInstance().start(_Runnable(self.fn, self._bridge))
        return self

    def _forget(self) -> None:
        """Leave the latest-wins table and stop watching the parent."""
        if self.key is not None:
            slot = (id(self.parent), self.key)
            if _latest.get(slot) is self:
                del _latest[slot]
        if self.parent is not None and self._watching:
            self._watching = False
            with warnings.catch_warnings():  # the parent may be gone already
                warnings.simplefilter("ignore", RuntimeWarning)
                with contextlib.suppress(RuntimeError, TypeError):
                    self.parent.destroyed.disconnect(self.cancel)

    def _on_progress(self, value: object) -> None:
        if not self.cancelled and self._progress is not None:
            self._progress(value)

    def _on_done(self, result: T) -> None:
        _running.discard(self)
        self._delivered = True
        if self.cancelled:
            return
        self._forget()
        if self._success is not None:
            self._success(result)

    def _on_failed(self, exc: BaseException) -> None:
        _running.discard(self)
        self._delivered = True
        if self.cancelled:
            return
        self._forget()
        if self._failure is not None:
            self._failure(exc)
        else:
            show_failure(exc, self.parent if isinstance(self.parent, QWidget) else None)


def show_failure(exc: BaseException, parent: QWidget | None = None) -> None:
    """A domain error as a message box; anything else to the error dialog."""
    if isinstance(exc, DomainError):
        show_message(parent, QCoreApplication.translate("Tasks", "GridDesk"), error_text(exc))
        return
    sys.excepthook(type(exc), exc, exc.__traceback__)


class TaskSlot:
    """Holds one asyncio task at a time; starting another cancels the stale one."""

    def __init__(self) -> None:
        self.task: asyncio.Task[Any] | None = None

    def run(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        self.cancel()
        self.task = asyncio.ensure_future(coro)
        return self.task

    def cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
        self.task = None
