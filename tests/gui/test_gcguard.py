"""Cycles are collected on the GUI thread only while the console runs (console/gui/gcguard.py): a worker that
allocates at full speed (an import) must not free a cycle holding objects the GUI thread made."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

from PySide6.QtWidgets import QApplication

from console.gui import gcguard
from tests.gui.conftest import TASK_TIMEOUT_MS


class Node:
    """One half of a reference cycle (as a widget and the closure connected to it make)."""

    def __init__(self) -> None:
        self.other: Node | None = None


def _cycle() -> weakref.ref[Node]:
    first, second = Node(), Node()
    first.other, second.other = second, first
    return weakref.ref(first)


def test_a_busy_worker_frees_no_cycle_the_gui_thread_does(qtbot: Any, gui_app: QApplication) -> None:
    collected_in: list[str] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["collected"]:
            collected_in.append(threading.current_thread().name)

    gc.collect()
    guard = gcguard.install(gui_app)
    gc.callbacks.append(record)
    try:
        assert not gc.isenabled()
        alive = _cycle()

        kept: list[list[int]] = []

        def allocate() -> None:  # far past the threshold at which the interpreter would collect here
            kept.extend([i] for i in range(20_000))

        worker = threading.Thread(target=allocate, name="worker")
        worker.start()
        worker.join()
        assert alive() is not None  # the worker collected nothing
        qtbot.waitUntil(lambda: alive() is None, timeout=TASK_TIMEOUT_MS)  # the GUI thread's next tick did
        assert collected_in and set(collected_in) == {threading.main_thread().name}
        kept.clear()
    finally:
        gc.callbacks.remove(record)
        guard.uninstall()
    assert gc.isenabled()  # given back: the tests after this one collect as usual


def test_install_is_once_per_application(gui_app: QApplication) -> None:
    first = gcguard.install(gui_app)
    try:
        assert gcguard.install(gui_app) is first
    finally:
        first.uninstall()
