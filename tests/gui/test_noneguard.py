"""The guard against PySide6 6.12.0 losing references to None (Python 3.11).

The pinned PySide6 does not have the bug, so the guard is idle in a normal run and a test that only watched
the real binding would pass whatever the guard does. These tests make the bug happen on purpose: a stand-in
for QObject whose call drops a reference to None exactly as 6.12.0 does (CPython's ``ob_refcnt``, lowered by
hand, always kept far above zero), and check that detection, the top-up timer and the application's start-up
each do their part. Removing or breaking any of them fails a test here.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject

from console.gui import noneguard

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")


def _drop_none_references(count: int) -> None:
    """What PySide6 6.12.0 does on every void call, `count` times at once (the caller keeps the count high)."""
    assert sys.getrefcount(None) - count > 10_000, "never take None anywhere near zero"
    ctypes.c_ssize_t.from_address(id(None)).value -= count


class _LeakyObject(QObject):
    """A QObject whose setObjectName loses one reference to None, like the broken binding."""

    def setObjectName(self, name: str) -> None:  # type: ignore[override]
        super().setObjectName(name)
        _drop_none_references(1)


@pytest.fixture
def no_guard_installed() -> Iterator[None]:
    saved = noneguard._guard
    noneguard._guard = None
    yield
    if noneguard._guard is not None and noneguard._guard is not saved:
        noneguard._guard._timer.stop()
    noneguard._guard = saved


def test_detects_a_leaking_binding(monkeypatch: pytest.MonkeyPatch, gui_app: Any) -> None:
    # top up first so the simulated leak cannot get near zero
    ctypes.c_ssize_t.from_address(id(None)).value += 1_000  # what leaks_none will take
    monkeypatch.setattr(noneguard, "QObject", _LeakyObject)
    assert noneguard.leaks_none()


def test_the_pinned_binding_does_not_leak(gui_app: Any) -> None:
    assert not noneguard.leaks_none()
    before = sys.getrefcount(None)
    probe = QObject()
    for _ in range(10_000):
        probe.setObjectName("x")
    assert sys.getrefcount(None) >= before - 100


def test_guard_tops_up_what_the_binding_loses(gui_app: Any, qtbot: Any, no_guard_installed: None) -> None:
    guard = noneguard.NoneRefGuard(gui_app)
    try:
        assert sys.getrefcount(None) >= noneguard.TARGET  # topped up at once
        assert guard._timer.isActive() and guard._timer.interval() == noneguard.INTERVAL_MS
        added = guard.added
        _drop_none_references(sys.getrefcount(None) - noneguard.FLOOR + 1_000)  # a long day of typing
        assert sys.getrefcount(None) < noneguard.FLOOR
        qtbot.waitUntil(lambda: sys.getrefcount(None) >= noneguard.TARGET - 1_000, timeout=10 * noneguard.INTERVAL_MS)
        assert guard.added > added
    finally:
        guard._timer.stop()
        guard.deleteLater()


def test_install_starts_the_guard_only_for_a_leaking_binding(
    monkeypatch: pytest.MonkeyPatch, gui_app: Any, no_guard_installed: None
) -> None:
    monkeypatch.setattr(noneguard, "leaks_none", lambda: False)
    assert noneguard.install(gui_app) is None
    monkeypatch.setattr(noneguard, "leaks_none", lambda: True)
    guard = noneguard.install(gui_app)
    assert isinstance(guard, noneguard.NoneRefGuard) and guard._timer.isActive()
    assert noneguard.install(gui_app) is guard  # once per process


_START_UP = """
from console.gui import noneguard
calls = []
real_install = noneguard.install
noneguard.install = lambda parent: calls.append(parent) or real_install(parent)
from console.gui.app import create_application
app = create_application([], scheme="light")
print("installed" if calls == [app] else f"not installed: {calls!r}")
"""


def test_the_application_installs_the_guard() -> None:
    """The composition root installs the guard (in a child process: create_application sets process-wide
    state the other GUI tests must not inherit)."""
    result = subprocess.run(
        [sys.executable, "-c", _START_UP],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "installed", result.stdout + result.stderr
