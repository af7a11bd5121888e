"""The guard against PySide6 6.12.0 losing references to None (Python 3.11)."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QObject

from console.gui import noneguard


def test_none_keeps_a_safe_reference_count_through_many_calls(gui_app: Any, qtbot: Any) -> None:
    probe = QObject()
    for _ in range(50_000):  # as many void calls as hours of typing
        probe.setObjectName("x")
    qtbot.wait(2 * noneguard.INTERVAL_MS)
    if noneguard.leaks_none():
        assert noneguard._guard is not None and noneguard._guard.added > 0
    assert sys.getrefcount(None) > 100_000 or not noneguard.leaks_none()
