"""Background work with one place for errors.

``Op(parent, fn).success(cb).failure(cb).run_in_background()`` runs ``fn`` in
Qt's thread pool and calls the callbacks on the GUI thread. A failure without
its own handler shows a domain error's message, or hands anything unexpected to
``sys.excepthook`` (the error dialog). ``TaskSlot`` keeps a reference to one
running asyncio task (on the qasync loop) and cancels the stale one when a new
one starts, e.g. when the selection changes.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from services.errors import DomainError

from .messages import error_text, show_message

T = TypeVar("T")

_running: set[Op[Any]] = set()


class _Bridge(QObject):
    done = Signal(object)
    failed = Signal(object)


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
    def __init__(self, parent: QObject | None, fn: Callable[[], T]) -> None:
        self.parent = parent
        self.fn = fn
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._bridge = _Bridge()

    def success(self, callback: Callable[[T], None]) -> Op[T]:
        self._success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Op[T]:
        self._failure = callback
        return self

    def run_in_background(self) -> None:
        _running.add(self)
        self._bridge.done.connect(self._on_done)
        self._bridge.failed.connect(self._on_failed)
        QThreadPool.globalInstance().start(_Runnable(self.fn, self._bridge))

    def _on_done(self, result: T) -> None:
        _running.discard(self)
        if self._success is not None:
            self._success(result)

    def _on_failed(self, exc: BaseException) -> None:
        _running.discard(self)
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
