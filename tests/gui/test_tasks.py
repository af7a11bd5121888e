"""The task runner lets go of finished jobs: their functions, arguments and results."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent

from console.gui import tasks as tasks_module
from console.gui.tasks import TaskRunner
from tests.gui.conftest import TASK_TIMEOUT_MS, wait_idle


class Payload:
    """Stands for a session, a photo, a rendered card: something big a job takes or returns."""

    def __init__(self, size: int = 1 << 16) -> None:
        self.data = bytearray(size)


def _live_jobs() -> int:
    return sum(isinstance(o, tasks_module._Job) for o in gc.get_objects())


def test_finished_jobs_their_arguments_and_results_are_freed(qtbot: Any, runner: TaskRunner) -> None:
    arguments: list[weakref.ref[Payload]] = []
    results: list[weakref.ref[Payload]] = []

    def render(argument: Payload) -> Payload:
        result = Payload()
        results.append(weakref.ref(result))
        return result

    def fail(argument: Payload) -> None:
        raise ValueError("refused")

    delivered: list[int] = []
    for n in range(40):
        argument = Payload()
        arguments.append(weakref.ref(argument))
        submit = runner.write if n % 4 == 0 else runner.read
        task = submit(f"job {n}", fail if n % 10 == 9 else render, argument)
        task.finished.connect(lambda: delivered.append(1))
        del argument, task
    wait_idle(qtbot, runner)
    assert len(delivered) == 40

    def all_freed() -> bool:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the runner's task.deleteLater()
        gc.collect()
        return _live_jobs() == 0 and not any(r() for r in arguments) and not any(r() for r in results)

    qtbot.waitUntil(all_freed, timeout=TASK_TIMEOUT_MS)
    assert len(results) == 36


def test_a_result_lives_as_long_as_its_task_is_held(qtbot: Any, runner: TaskRunner) -> None:
    task = runner.read("keep", Payload)
    with qtbot.waitSignal(task.finished, timeout=TASK_TIMEOUT_MS):
        pass
    assert isinstance(task.result, Payload)


def test_outcomes_and_progress_reach_their_own_runners_task(qtbot: Any, runner: TaskRunner) -> None:
    """Workers report through one relay, naming their task by number (they never touch a Task, which the GUI
    thread deletes once delivered): each runner delivers its own tasks' outcomes and progress, and only those."""
    other = TaskRunner()
    try:

        def count(n: int, progress: Any, cancel: Any) -> int:
            for i in range(n):
                progress(i + 1, n)
            return n

        seen: dict[str, list[tuple[int, int]]] = {"mine": [], "theirs": []}
        mine = runner.read("mine", count, 3, progress=True)
        theirs = other.read("theirs", count, 5, progress=True)
        mine.progressed.connect(lambda done, total: seen["mine"].append((done, total)))
        theirs.progressed.connect(lambda done, total: seen["theirs"].append((done, total)))
        with qtbot.waitSignals([mine.finished, theirs.finished], timeout=TASK_TIMEOUT_MS):
            pass
        assert (mine.result, theirs.result) == (3, 5)
        # (reports are queued to this thread, so none is delivered before the connects above)
        assert seen["mine"] == [(1, 3), (2, 3), (3, 3)]
        assert seen["theirs"] == [(i, 5) for i in range(1, 6)]
        assert runner.active == other.active == 0
    finally:
        assert other.shutdown(timeout_ms=TASK_TIMEOUT_MS)


class _Tracked:
    """Notes the thread that frees it: a job's function, arguments, result or exception stands for a screen's
    method, a session or a runner, whose last reference must never be dropped in a worker (Qt objects behind
    them would be deleted there)."""

    def __init__(self, freed_in: list[str]) -> None:
        self.freed_in = freed_in

    def __call__(self, argument: object, fail: bool) -> object:
        if fail:
            raise _TrackedError(_Tracked(self.freed_in))
        return _Tracked(self.freed_in)

    def __del__(self) -> None:
        self.freed_in.append(threading.current_thread().name)


class _TrackedError(Exception):
    pass


def test_a_jobs_function_arguments_result_and_exception_are_freed_on_the_gui_thread(
    qtbot: Any, runner: TaskRunner
) -> None:
    freed_in: list[str] = []
    for fail in (False, True):
        function, argument = _Tracked(freed_in), _Tracked(freed_in)
        task = runner.read("tracked", function, argument, fail)
        del function, argument
        with qtbot.waitSignal(task.finished, timeout=TASK_TIMEOUT_MS):
            pass
        del task
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the runner's task.deleteLater()
    gc.collect()
    assert len(freed_in) == 6  # function, argument and result (or the exception's payload), twice
    assert set(freed_in) == {threading.main_thread().name}


def test_nothing_starts_after_shutdown(qtbot: Any, gui_app: Any) -> None:
    late = TaskRunner()
    assert late.shutdown(timeout_ms=TASK_TIMEOUT_MS)
    ran: list[int] = []
    task = late.read("late follow-up", ran.append, 1)
    qtbot.wait(200)
    assert ran == [] and not task.done and late.active == 0
