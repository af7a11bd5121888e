"""Idle auto-lock, an expired session, and the single error path."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from console.core.errors import NotFound, UserCancelled
from console.gui.dialogs import report_error
from console.gui.idle import IdleGuard
from console.gui.pages.citizens import CitizensPage
from console.gui.window import ConsoleWindow
from tests.conftest import FakeClock
from tests.gui.conftest import TASK_TIMEOUT_MS, FakeDialogs, wait_idle


def test_idle_guard_fires_once_after_the_timeout(qtbot: Any, gui_app: Any) -> None:
    now = [100.0]
    touched: list[float] = []
    guard = IdleGuard(60, lambda: touched.append(now[0]), clock=lambda: now[0])
    fired: list[bool] = []
    guard.timed_out.connect(lambda: fired.append(True))
    now[0] += 59
    guard.check()
    assert not fired
    assert guard.activity()  # input keeps the core's session alive too
    assert touched == [159.0]
    now[0] += 61
    guard.check()
    guard.check()
    assert fired == [True]
    guard.stop()


def test_idle_guard_counts_time_asleep(qtbot: Any, gui_app: Any) -> None:
    """A monotonic clock may stop while the laptop sleeps; the wall clock does not, and the larger count wins."""
    mono, wall = [100.0], [1_000_000.0]
    guard = IdleGuard(600, clock=lambda: mono[0], wall_clock=lambda: wall[0])
    fired: list[bool] = []
    guard.timed_out.connect(lambda: fired.append(True))
    mono[0] += 5
    wall[0] += 3600  # an hour asleep: the monotonic clock saw five seconds
    guard.check()
    assert fired == [True]
    guard.stop()

    # Setting the wall clock back keeps nobody logged in: the monotonic count still runs.
    guard = IdleGuard(600, clock=lambda: mono[0], wall_clock=lambda: wall[0])
    guard.timed_out.connect(lambda: fired.append(True))
    wall[0] -= 7200
    mono[0] += 601
    guard.check()
    assert fired == [True, True]
    guard.stop()


def test_first_input_after_sleep_locks_and_goes_nowhere(qtbot: Any, gui_app: Any) -> None:
    """After a resume the first key may arrive before the check timer runs: it locks instead of counting."""
    mono, wall = [100.0], [1_000_000.0]
    guard = IdleGuard(600, clock=lambda: mono[0], wall_clock=lambda: wall[0])
    fired: list[bool] = []
    guard.timed_out.connect(lambda: fired.append(True))
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    qtbot.keyClicks(edit, "a")
    assert edit.text() == "a" and not fired
    wall[0] += 3600
    qtbot.keyClicks(edit, "b")
    assert fired == [True]
    assert edit.text() == "a"  # swallowed: it reached no screen
    qtbot.keyClicks(edit, "c")  # the guard is done; what the lock screen gets is not its business
    assert fired == [True]
    guard.stop()


def test_idle_lock_returns_to_login_and_forgets_the_session(qtbot: Any, window: ConsoleWindow, log_in: Any) -> None:
    workspace = log_in("clerk")
    session = workspace.ctx.session
    assert window.idle is not None
    window.idle.timeout_s = 0
    with qtbot.waitSignal(window.locked, timeout=TASK_TIMEOUT_MS) as locked:
        window.idle.check()
    assert locked.args[0] == "Locked after 1 minute without activity; log in again."
    assert session.closed and session.office_secrets is None
    assert window.workspace is None
    assert window.stack.currentWidget() is window.login_page
    assert "without activity" in window.login_page.message.text()


def test_expired_session_in_a_task_returns_to_login(
    qtbot: Any, window: ConsoleWindow, log_in: Any, clock: FakeClock, fake_dialogs: FakeDialogs
) -> None:
    workspace = log_in("clerk")
    citizens = workspace.page("citizens")
    assert isinstance(citizens, CitizensPage)
    workspace.open("citizens")
    wait_idle(qtbot, window.runner)  # no read in flight may refresh the session while the clock jumps
    clock.advance(minutes=11)  # the office's session_idle_minutes is 10; the core ends the session
    with qtbot.waitSignal(window.locked, timeout=TASK_TIMEOUT_MS) as locked:
        qtbot.keyClicks(citizens.search, "Ivan")
        qtbot.keyClick(citizens.search, Qt.Key.Key_Return)
    assert "minutes without activity" in locked.args[0], fake_dialogs.shown
    qtbot.wait(100)  # the debounced search fails too, on a session already locked: no second lock
    assert "minutes without activity" in window.login_page.message.text()
    assert window.stack.currentWidget() is window.login_page


def test_report_error_paths(gui_app: Any, fake_dialogs: FakeDialogs, caplog: pytest.LogCaptureFixture) -> None:
    report_error(None, NotFound("No citizen with ID number 1234567890 in this office's registry."))
    assert fake_dialogs.shown[-1][0] == "error"
    assert "1234567890" in fake_dialogs.shown[-1][2]
    count = len(fake_dialogs.shown)
    report_error(None, UserCancelled())
    assert len(fake_dialogs.shown) == count  # silent
    try:
        raise KeyError("bug")
    except KeyError as e:
        with caplog.at_level(logging.ERROR, logger="console.gui.dialogs"):
            report_error(None, e)
    kind, text, details = fake_dialogs.shown[-1]
    assert kind == "crash" and "bug" in text.lower() and "KeyError" in details
    assert "Traceback" in caplog.text


def test_resumed_console_locks_on_the_first_key(qtbot: Any, window: ConsoleWindow, log_in: Any) -> None:
    workspace = log_in("clerk")
    citizens = workspace.page("citizens")
    assert isinstance(citizens, CitizensPage)
    workspace.open("citizens")
    assert window.idle is not None
    slept = window.idle._wall_clock() + 3 * 3600.0
    window.idle._wall_clock = lambda: slept  # the lid was closed for three hours
    with qtbot.waitSignal(window.locked, timeout=TASK_TIMEOUT_MS):
        qtbot.keyClicks(citizens.search, "x")
    assert citizens.search.text() == ""
    assert window.workspace is None and window.stack.currentWidget() is window.login_page
    wait_idle(qtbot, window.runner)
