"""Idle auto-lock: after N minutes without keyboard or mouse input the session locks.

Input anywhere in the application counts (an application-wide event filter), and it also keeps the core's
session alive (`Session.touch`), which otherwise only counts service calls: a clerk typing a long form for
nine minutes must not find the session expired on submit.

Idle time is the larger of two counts: a monotonic clock (setting the system clock back keeps nobody logged
in) and the wall clock (Linux's and macOS's monotonic clocks stop while the machine sleeps: a laptop closed for
an hour must come back locked, not with nine minutes left). Where the system has a monotonic clock that counts
suspend (Linux CLOCK_BOOTTIME) that one is used. The first input after the time-out locks instead of counting
as activity, and is swallowed: the timer may not have run yet after a resume, and that keystroke or click
must not reach the screen being locked.
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


def _monotonic() -> float:
    """Seconds on a monotonic clock, one that also counts suspended time where the system offers it."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    if boottime is not None:
        try:
            return time.clock_gettime(boottime)
        except OSError:  # pragma: no cover - a kernel without it
            pass
    return time.monotonic()


class IdleGuard(QObject):
    """Emits `timed_out` once after `timeout_s` seconds without input; `stop()` before dropping it."""

    timed_out = Signal()

    def __init__(
        self,
        timeout_s: float,
        on_activity: Callable[[], None] | None = None,
        parent: QObject | None = None,
        clock: Callable[[], float] = _monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        self.timeout_s = timeout_s
        self._clock = clock
        self._wall_clock = wall_clock
        self._on_activity = on_activity
        self._last_input = clock()
        self._last_input_wall = wall_clock()
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
        """Seconds since the last input: the larger of the monotonic and the wall-clock count."""
        return max(self._clock() - self._last_input, self._wall_clock() - self._last_input_wall)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY_EVENTS and not self._fired:
            return not self.activity()  # the input that finds the time-out passed locks and goes nowhere
        return False

    def activity(self) -> bool:
        """Input happened: False (and the guard fires) when it came after the time-out, e.g. after a resume."""
        if self._fired:
            return False
        self.check()
        if self._fired:
            return False
        now = self._clock()
        self._last_input = now
        self._last_input_wall = self._wall_clock()
        if self._on_activity is not None and now - self._last_touch >= TOUCH_EVERY_S:
            self._last_touch = now
            self._on_activity()
        return True

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
