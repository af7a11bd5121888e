"""Idle auto-lock: after N minutes without keyboard or mouse input the session locks.

Input anywhere in the application counts (an application-wide event filter), and it also keeps the core's
session alive (`Session.touch`), which otherwise only counts service calls: a clerk typing a long form for
nine minutes must not find the session expired on submit. Time is monotonic, so clock changes do not lock
or unlock anyone.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.InputMethod,
    }
)
CHECK_INTERVAL_MS = 5_000
TOUCH_EVERY_S = 30.0


class IdleGuard(QObject):
    """Emits `timed_out` once after `timeout_s` seconds without input; `stop()` before dropping it."""

    timed_out = Signal()

    def __init__(
        self,
        timeout_s: float,
        on_activity: Callable[[], None] | None = None,
        parent: QObject | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.timeout_s = timeout_s
        self._clock = clock
        self._on_activity = on_activity
        self._last_input = clock()
        self._last_touch = self._last_input
        self._fired = False
        self._timer = QTimer(self)
        self._timer.setInterval(min(CHECK_INTERVAL_MS, max(50, int(timeout_s * 1000 / 4))))
        self._timer.timeout.connect(self.check)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._timer.start()

    @property
    def idle_seconds(self) -> float:
        return self._clock() - self._last_input

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY_EVENTS:
            self.activity()
        return False

    def activity(self) -> None:
        now = self._clock()
        self._last_input = now
        if self._on_activity is not None and now - self._last_touch >= TOUCH_EVERY_S:
            self._last_touch = now
            self._on_activity()

    def check(self) -> None:
        if not self._fired and self.idle_seconds >= self.timeout_s:
            self._fired = True
            self._timer.stop()
            self.timed_out.emit()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
