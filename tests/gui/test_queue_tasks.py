"""The op helper the queue (and every screen) runs its database work through:
progress on the GUI thread, cancel, and "latest wins"."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QEvent, QObject, QThread, QThreadPool
from PySide6.QtWidgets import QApplication

from views.tasks import Op, OpCancelled, OpControl

pytestmark = pytest.mark.gui


def settle() -> None:
    QThreadPool.globalInstance().waitForDone(30_000)
    QApplication.processEvents()
    QApplication.processEvents()


def test_success_and_failure_arrive_on_the_gui_thread(qapp) -> None:
    got: list[object] = []
    threads: list[QThread] = []

    def remember(value: object) -> None:
        threads.append(QThread.currentThread())
        got.append(value)

    Op(None, lambda: threading.current_thread().name).success(remember).run_in_background()
    Op(None, lambda: 1 / 0).failure(remember).run_in_background()
    settle()
    assert len(got) == 2
    names = [value for value in got if isinstance(value, str)]
    assert len(names) == 1 and names[0] != threading.main_thread().name
    assert any(isinstance(value, ZeroDivisionError) for value in got)
    assert all(thread is qapp.thread() for thread in threads)


def test_progress_is_delivered_in_order_on_the_gui_thread(qapp) -> None:
    steps: list[object] = []
    on_gui: list[bool] = []
    results: list[int] = []

    def work(control: OpControl) -> int:
        for step in range(5):
            control.report(step)
        return 5

    def step(value: object) -> None:
        on_gui.append(QThread.currentThread() is qapp.thread())
        steps.append(value)

    Op.controlled(None, work).progress(step).success(results.append).run_in_background()
    settle()
    assert steps == [0, 1, 2, 3, 4]
    assert all(on_gui)
    assert results == [5]


def test_a_cancelled_op_never_delivers_and_its_worker_sees_the_flag(qapp) -> None:
    started, release = threading.Event(), threading.Event()
    seen: list[object] = []
    worker_saw: list[bool] = []

    def work(control: OpControl) -> str:
        started.set()
        release.wait(10)
        worker_saw.append(control.cancelled)
        control.report("late progress")
        control.check()
        return "never"

    op = Op.controlled(None, work).success(seen.append).failure(seen.append)
    op.progress(seen.append).run_in_background()
    assert started.wait(10)
    op.cancel()
    release.set()
    settle()
    assert worker_saw == [True]
    assert seen == []  # neither the result, the OpCancelled failure nor the progress


def test_the_latest_op_with_a_key_wins(qapp) -> None:
    owner = QObject()
    release = threading.Event()
    seen: list[str] = []

    def slow() -> str:
        release.wait(10)
        return "old"

    first = Op(owner, slow, key="counts").success(seen.append).run_in_background()
    second = Op(owner, lambda: "new", key="counts").success(seen.append).run_in_background()
    other = Op(QObject(), lambda: "other owner", key="counts").success(seen.append)
    other.run_in_background()
    release.set()
    settle()
    assert first.cancelled and not second.cancelled
    assert sorted(seen) == ["new", "other owner"]


def test_an_op_whose_parent_is_destroyed_delivers_nothing(qapp) -> None:
    owner = QObject()
    release = threading.Event()
    seen: list[str] = []
    op = Op(owner, lambda: release.wait(10) and "result").success(seen.append)
    op.run_in_background()
    owner.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    release.set()
    settle()
    assert op.cancelled
    assert seen == []


def test_check_raises_only_after_cancel(qapp) -> None:
    op = Op.controlled(None, lambda control: control.check())
    op.control.check()  # not cancelled: nothing happens
    op.cancel()
    with pytest.raises(OpCancelled):
        op.control.check()
