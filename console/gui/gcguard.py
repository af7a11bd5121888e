"""Python's cycle collector runs on the GUI thread only, while the console runs.

CPython collects cycles in whichever thread happens to allocate when a generation fills up. In the console that
is usually a worker (an import allocates millions of objects), and a cycle it frees may hold a Qt object made
on the GUI thread: PySide then deletes that object, or drops its wrapper while the GUI thread deletes it, from
the worker, which Qt does not allow (objects are deleted in their own thread). The crash comes later and
elsewhere, in the GUI thread's next deferred delete. The usual cure in Qt applications written in Python
(pyqtgraph's `GarbageCollector`, calibre) is the one here: automatic collection off, and a timer on the GUI
thread that collects each generation when its count passes the interpreter's own threshold, so collections
happen as often as before, only in the GUI thread. Reference counting, which frees almost everything, is
unchanged; only cycles wait for the next tick (at most `INTERVAL_MS`).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

# Often enough that a worker allocating at full speed (an import) leaves at most ~0.1 s of young cycles.
INTERVAL_MS = 100
OBJECT_NAME = "console-gc-guard"


class GcGuard(QObject):
    """Owns the collector while it lives on the GUI thread: `uninstall()` gives collection back to Python."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(OBJECT_NAME)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the generations whose counts passed their thresholds (as the interpreter would); returns
        the number of unreachable objects found."""
        threshold0, threshold1, threshold2 = self._thresholds
        count0, count1, count2 = gc.get_count()
        if threshold0 == 0 or count0 <= threshold0:
            return 0
        if count1 > threshold1:
            return gc.collect(2 if count2 > threshold2 else 1)
        return gc.collect(0)

    def uninstall(self) -> None:
        """Stop collecting here and give automatic collection back (tests; the console keeps it for its life)."""
        self._timer.stop()
        self.setParent(None)
        if self._was_enabled:
            gc.enable()


def install(app: QObject) -> GcGuard:
    """Switch automatic cycle collection off and collect on the GUI thread from now on (once per `app`)."""
    existing = app.findChild(GcGuard, OBJECT_NAME)
    return existing if isinstance(existing, GcGuard) else GcGuard(app)
