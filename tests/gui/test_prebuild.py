"""After login the role's screens are built ahead, one per quiet moment, so that no screen is built when the
officer first clicks it; the GUI thread stays responsive while they are built."""

from __future__ import annotations

from typing import Any

import pytest

from console.gui.window import ConsoleWindow, Workspace
from tests.gui.conftest import TASK_TIMEOUT_MS, wait_idle
from tests.gui.heartbeat import Heartbeat


@pytest.fixture
def prebuilding(window: ConsoleWindow, monkeypatch: pytest.MonkeyPatch) -> ConsoleWindow:
    monkeypatch.setattr(Workspace, "PREBUILD_DELAY_MS", 50)
    monkeypatch.setattr(Workspace, "PREBUILD_GAP_MS", 20)
    window.prebuild_screens = True
    return window


def test_every_screen_is_built_ahead_without_stalling(
    qtbot: Any, prebuilding: ConsoleWindow, log_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = log_in("super")
    assert set(workspace.pages) <= {"dashboard"}  # nothing else is built by the login itself
    with Heartbeat() as beat:
        build = Workspace._build
        monkeypatch.setattr(Workspace, "_build", lambda self, key: (beat.phase(f"building {key}"), build(self, key))[1])
        qtbot.waitUntil(lambda: set(workspace.pages) == set(workspace.allowed), timeout=4 * TASK_TIMEOUT_MS)
        wait_idle(qtbot, prebuilding.runner)
    beat.check()
    built = dict(workspace.pages)
    for key in workspace.allowed:  # opening one now only shows it
        assert workspace.open(key)
        assert workspace.pages[key] is built[key]
    assert workspace.stack.count() == len(workspace.allowed)  # each screen once in the stack


def test_a_screen_opened_first_is_not_built_twice_and_locking_stops_it(
    qtbot: Any, prebuilding: ConsoleWindow, log_in: Any
) -> None:
    workspace = log_in("clerk")
    verify = workspace.page("verify")  # the officer goes straight to the last screen
    qtbot.waitUntil(lambda: set(workspace.pages) == set(workspace.allowed), timeout=4 * TASK_TIMEOUT_MS)
    assert workspace.pages["verify"] is verify
    prebuilding.lock("")
    qtbot.wait(100)  # the workspace and its timer are gone: nothing is built for a locked console
    assert prebuilding.workspace is None
