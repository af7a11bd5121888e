"""The task runner lets go of finished jobs: their functions, arguments and results."""

from __future__ import annotations

import gc
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
