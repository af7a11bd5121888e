"""The main window: saved geometry that would leave it unusable is not restored; the status bar's progress."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QByteArray
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from console.core.errors import UserCancelled
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.gui import prefs
from console.gui.tasks import TaskRunner
from console.gui.window import DEFAULT_SIZE, MIN_USEFUL_SIZE, ConsoleWindow
from tests.gui.conftest import TASK_TIMEOUT_MS, FakeDialogs


class SavedGeometry:
    """The window geometry kept in this computer's preferences (console/gui/prefs.py), as closeEvent keeps it."""

    def setValue(self, key: str, value: Any) -> None:
        text = value if isinstance(value, str) else bytes(QByteArray(value).toBase64().data()).decode("ascii")
        prefs.remember(key, text)

    def remove(self, key: str) -> None:
        prefs.remember(key, "")  # nothing kept: the default size


@pytest.fixture
def saved_geometry(gui_app: Any) -> Iterator[SavedGeometry]:
    previous = prefs.recall("window/geometry")
    yield SavedGeometry()
    prefs.remember("window/geometry", previous if isinstance(previous, str) else "")


def geometry_of(x: int, y: int, width: int, height: int) -> QByteArray:
    widget = QWidget()
    widget.setGeometry(x, y, width, height)
    return widget.saveGeometry()


def new_window(qtbot: Any, runner: TaskRunner, staffed: Office) -> ConsoleWindow:
    win = ConsoleWindow(runner, staffed.paths.data_dir, kdf=KDF_PRESETS["min"], office=staffed)
    qtbot.addWidget(win)
    return win


def default_size() -> tuple[int, int]:
    available = QGuiApplication.primaryScreen().availableGeometry().size()
    size = DEFAULT_SIZE.boundedTo(available)
    return size.width(), size.height()


@pytest.mark.parametrize(
    "saved",
    [
        pytest.param(lambda: geometry_of(40, 40, 160, 90), id="tiny"),
        pytest.param(lambda: QByteArray(b"\x01\xd9\xd0\xcb damaged"), id="damaged"),
        pytest.param(lambda: "not geometry at all", id="wrong-type"),
    ],
)
def test_unusable_saved_geometry_gives_the_default_size(
    qtbot: Any, runner: TaskRunner, staffed: Office, saved_geometry: SavedGeometry, saved: Any
) -> None:
    saved_geometry.setValue("window/geometry", saved())
    win = new_window(qtbot, runner, staffed)
    assert (win.width(), win.height()) == default_size()
    assert QGuiApplication.screenAt(win.geometry().center()) is not None


def test_usable_saved_geometry_is_restored(
    qtbot: Any, runner: TaskRunner, staffed: Office, saved_geometry: SavedGeometry
) -> None:
    available = QGuiApplication.primaryScreen().availableGeometry()  # offscreen: 800 × 800
    width = min(max(MIN_USEFUL_SIZE.width(), 900), available.width() - 40)
    height = min(max(MIN_USEFUL_SIZE.height(), 600), available.height() - 100)
    saved_geometry.setValue("window/geometry", geometry_of(available.x() + 20, available.y() + 40, width, height))
    win = new_window(qtbot, runner, staffed)
    assert (win.width(), win.height()) == (width, height) != default_size()


def test_a_window_whose_title_bar_is_on_no_screen_is_not_usable(
    qtbot: Any, runner: TaskRunner, staffed: Office, saved_geometry: SavedGeometry
) -> None:
    """Qt moves most off-screen geometry back itself; what it leaves off every screen gets the default."""
    saved_geometry.remove("window/geometry")
    win = new_window(qtbot, runner, staffed)
    assert win._geometry_usable()
    win.move(-5000, 12000)  # a monitor that is no longer attached
    assert not win._geometry_usable()
    win._default_geometry()
    assert win._geometry_usable() and (win.width(), win.height()) == default_size()


def wait_for_cancel(progress: Any, cancel: threading.Event) -> str:
    progress(1, 10)
    if not cancel.wait(TASK_TIMEOUT_MS / 1000):
        return "never cancelled"
    raise UserCancelled()


def test_lock_cancels_running_work_and_clears_the_status_bar(
    qtbot: Any, window: ConsoleWindow, log_in: Any, fake_dialogs: FakeDialogs
) -> None:
    log_in("clerk")
    task = window.runner.write("long import", wait_for_cancel, progress=True)
    with qtbot.waitSignal(task.progressed, timeout=TASK_TIMEOUT_MS):
        pass
    assert window.task_progress.isVisibleTo(window) and window.task_cancel.isVisibleTo(window)
    window.lock("")
    assert task.cancel_event.is_set()
    assert not window.task_progress.isVisibleTo(window) and not window.task_label.isVisibleTo(window)
    with qtbot.waitSignal(task.finished, timeout=TASK_TIMEOUT_MS):
        pass
    assert isinstance(task.error, UserCancelled)
    assert fake_dialogs.shown == []


def test_a_job_that_cannot_stop_gets_no_cancel_button(qtbot: Any, window: ConsoleWindow) -> None:
    release = threading.Event()

    def build(progress: Any, cancel: threading.Event) -> None:  # like building the demo office
        progress(1, 2)
        release.wait(TASK_TIMEOUT_MS / 1000)

    task = window.runner.write("demo office", build, progress=True, cancellable=False)
    with qtbot.waitSignal(task.progressed, timeout=TASK_TIMEOUT_MS):
        pass
    assert window.task_progress.isVisibleTo(window) and not window.task_cancel.isVisibleTo(window)
    assert window.task_progress.maximum() == 2
    with qtbot.waitSignal(task.finished, timeout=TASK_TIMEOUT_MS):
        release.set()
    assert not window.task_progress.isVisibleTo(window)
