"""Workaround for a PySide6 6.12.0 bug on Python 3.11: calls that return None drop a reference to None.

Measured here: every Python call into PySide6 6.12.0 that returns nothing (``QLabel.setText``,
``Signal.emit``, ``QCoreApplication.processEvents`` …) leaves ``sys.getrefcount(None)`` one lower, as if the
binding returned ``Py_None`` without taking a reference (harmless from Python 3.12, where None is immortal).
On 3.11 the count reaches zero after some tens of thousands of calls (about 5 per keystroke in a form) and
the interpreter aborts with "Fatal Python error: none_dealloc". PySide6 6.11.3 does not have the bug.

The guard detects the leak at start-up and, only then, raises None's count from a timer by the references
lost, so the process never gets near zero. It writes the count directly (CPython's ``ob_refcnt``, the first
field of every object) rather than holding references in a list: held references would be released when
the interpreter shuts down and bring the count to zero at exit, which is what the bug needs to abort. The real fix is a PySide6 version
without the bug (pin ``PySide6-Essentials``/``-Addons`` ``!= 6.12.0``); then `leaks_none` is False and the guard
does nothing.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QObject, QTimer

logger = logging.getLogger(__name__)

#: The guard keeps None's count at least this high, topping up to TARGET when it falls below FLOOR.
TARGET = 400_000
FLOOR = 300_000
INTERVAL_MS = 250


def leaks_none(calls: int = 200) -> bool:
    """True when calls into PySide6 that return None lose a reference to None (see the module docstring)."""
    if sys.version_info >= (3, 12):
        return False  # None is immortal: a missing reference cannot hurt
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(calls):
        probe.setObjectName("probe")
    lost = before - sys.getrefcount(None)
    return lost >= calls // 2


def _add_none_references(count: int) -> None:
    """Give back `count` references to None that the binding took away (CPython < 3.12 only)."""
    refcount = ctypes.c_ssize_t.from_address(id(None))
    refcount.value += count


class NoneRefGuard(QObject):
    """Keeps None's reference count far from zero while the binding keeps losing references to it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.added = 0
        self.top_up()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        if sys.getrefcount(None) < FLOOR:
            self.top_up()

    def top_up(self) -> None:
        missing = TARGET - sys.getrefcount(None)
        if missing > 0:
            _add_none_references(missing)
            self.added += missing


_guard: NoneRefGuard | None = None


def install(parent: QObject) -> NoneRefGuard | None:
    """Start the guard if this PySide6 leaks references to None (once per process); returns it, or None."""
    global _guard
    if _guard is None and leaks_none():
        logger.warning(
            "PySide6 %s loses a reference to None on every call that returns None (Python %s); "
            "compensating. Use a PySide6 version other than 6.12.0.",
            _pyside_version(),
            sys.version.split()[0],
        )
        _guard = NoneRefGuard(parent)
    return _guard


def _pyside_version() -> str:
    import PySide6

    return str(PySide6.__version__)
