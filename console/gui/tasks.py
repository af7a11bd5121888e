"""Background work for the GUI: a serial queue for writes and a pool for reads and rendering.

Invariants:
- The GUI thread only submits work and receives results; it never waits for a job.
- Writes (anything that changes the office database or files: login, register, issue, decide, card printing
  that records an audit entry) run one at a time on the serial queue, in the order they were submitted, so
  that a `Session` is used by one write at a time and the ledger sees events in the officer's order.
- Reads and rendering run on a small pool. They may use the same `Session` as a running write: its only
  mutable state is `last_active` and `closed` (single attribute stores, atomic under the GIL), and every
  database access goes through the calling thread's own SQLite connection (`Office.db` is per thread).
- Every result, error and progress report reaches the GUI thread through a queued signal; a job's exception
  is delivered as a value, never raised in the worker's thread where nobody would see it.
- A worker thread never touches a `Task` (see `_Relay`): it reports through the process's one relay object,
  which nothing deletes, naming its task by number. The GUI thread alone creates, delivers and deletes Tasks.
- Nothing here keeps a finished job alive: Qt drops each job after it ran (see `_Job`), the job lets go of
  its function and arguments as soon as it returns, and the runner forgets a task once its outcome is
  delivered. A result lives as long as whoever asked for it
  holds the `Task` (card previews, PDFs and sessions would otherwise pile up for the life of the process).
"""

from __future__ import annotations

import itertools
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

logger = logging.getLogger(__name__)

# Reads and rendering share this many threads (the work is short; SQLite reads run in parallel under WAL).
READ_THREADS = 3
# How long a thread may keep the GIL while another waits for it (CPython's default: 5 ms). The GUI thread
# takes the GIL back after every call into Qt, several times per event; with a pure-Python worker (card
# rendering) each take waited up to the interval, and on a loaded machine those waits added up to stalls
# over 100 ms. 1 ms costs the workers a little throughput (measured: docs/testing.md, "Responsiveness").
SWITCH_INTERVAL_S = 0.001


class Task(QObject):
    """One submitted job as seen from the GUI thread.

    Connect to `succeeded` (the function's return value), `failed` (the exception) and `progressed`
    (done, total); `finished` fires after either outcome, which is what tests and busy indicators wait on.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)
    finished = Signal()

    def __init__(self, name: str, parent: QObject | None = None, *, cancellable: bool = True) -> None:
        super().__init__(parent)
        self.name = name
        # Whether the job stops when asked (a Cancel button for it does something); jobs that never look at
        # `cancel_event` say so, and get no Cancel button.
        self.cancellable = cancellable
        self.cancel_event = threading.Event()
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None

    def then(
        self,
        receiver: QObject,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Task:
        """Deliver the outcome to `receiver`'s callbacks, unless the receiver was deleted meanwhile.

        A screen may be closed (the session locked) while its job still runs; its late result is then dropped
        here instead of reaching a deleted widget.
        """

        def succeeded(result: object) -> None:
            if on_success is not None and shiboken6.isValid(receiver):
                on_success(result)

        def failed(error: object) -> None:
            assert isinstance(error, BaseException)
            if on_failure is not None and shiboken6.isValid(receiver):
                on_failure(error)
            else:
                logger.info("task %s failed after its screen closed: %s", self.name, error)

        self.succeeded.connect(succeeded)
        self.failed.connect(failed)
        return self

    def cancel(self) -> None:
        """Ask the job to stop at its next checkpoint (core functions raise `UserCancelled`)."""
        self.cancel_event.set()

    def _deliver_result(self, result: object) -> None:
        self.done, self.result = True, result
        self.succeeded.emit(result)
        self.finished.emit()

    def _deliver_error(self, error: BaseException) -> None:
        self.done, self.error = True, error
        self.failed.emit(error)
        self.finished.emit()


class _Relay(QObject):
    """Carries every job's outcome and progress from the pool threads to the GUI thread.

    One per process, made on the GUI thread and never deleted. Workers used to emit on their `Task`, which the
    GUI thread deletes (`deleteLater`) as soon as the outcome is delivered: a worker still inside that emit, or
    dropping its last Python reference to the Task, raced the deletion, and the console crashed in a later
    deferred delete, at random (the CI run of 2026-12-03; a core dump showed a Task freed before its own
    deferred delete ran). Now a worker holds only its task's number, its cancel flag (a `threading.Event`)
    and this relay; and it hands over its function, result or exception in a list that the relay empties on
    the GUI thread, so the last reference to anything a job touched (a screen's method, a session, the
    runner behind them) is dropped here and never in a worker, which would delete Qt objects there.
    """

    outcome = Signal(object, bool, object)  # from a worker: task number, succeeded, [result or exception, fn]
    delivered = Signal(object, bool, object)  # on the GUI thread: task number, succeeded, result or exception
    progress = Signal(object, int, int)  # task number, done, total

    def __init__(self) -> None:
        super().__init__()
        self.outcome.connect(self._take)

    @Slot(object, bool, object)
    def _take(self, number: int, succeeded: bool, payload: list[Any]) -> None:
        value = payload[0]
        payload.clear()  # the function (and its arguments) is let go of here, on the GUI thread
        self.delivered.emit(number, succeeded, value)


_relay: _Relay | None = None
_numbers = itertools.count(1)


def _the_relay() -> _Relay:
    """The process's relay, made on first use (a `TaskRunner` is made on the GUI thread, so is this)."""
    global _relay
    if _relay is None or not shiboken6.isValid(_relay):
        _relay = _Relay()
    return _relay


class _Progress:
    """The `progress` callback handed to core functions: reports through the relay, never through the Task."""

    __slots__ = ("_number", "_relay")

    def __init__(self, number: int, relay: _Relay) -> None:
        self._number, self._relay = number, relay

    def __call__(self, done: int, total: int) -> None:
        self._relay.progress.emit(self._number, int(done), int(total))


class _Job:
    """Runs the function in a pool thread and hands the outcome to the relay, named by its task's number.

    Started as a plain callable (`QThreadPool.start(callable)`): Qt wraps it in a runnable of its own that
    drops the reference once it has run. A Python `QRunnable` subclass is kept alive by its binding instead
    (for ever with auto-delete off; with it on, whenever the job ends before `start` returns), and every
    job then pins its function, arguments and result. `__call__` also lets go of the function, and with it
    the arguments, before it returns.
    """

    __slots__ = ("_function", "_name", "_number", "_relay")

    def __init__(self, number: int, name: str, relay: _Relay, function: Callable[[], Any]) -> None:
        self._number, self._name, self._relay = number, name, relay
        self._function: Callable[[], Any] | None = function

    def __call__(self) -> None:
        # [outcome, function]: no local name refers to the function, its result or its exception when the
        # relay gets the list, so the GUI thread (which empties it) holds the last references.
        payload: list[Any] = [None, self._function]
        self._function = None
        assert payload[1] is not None  # a job runs once
        succeeded = True
        try:
            payload[0] = payload[1]()
        except BaseException as e:  # delivered to the GUI thread; report_error decides what it means
            if not isinstance(e, Exception):
                logger.warning("task %s raised %s", self._name, type(e).__name__)
            succeeded, payload[0] = False, e
        self._relay.outcome.emit(self._number, succeeded, payload)


class TaskRunner(QObject):
    """The one place the GUI starts background work (STYLE.md "Threading")."""

    # Emitted when a task starts and when one finishes (busy indicators; tests wait for `idle`).
    busy_changed = Signal(int)
    idle = Signal()
    # Every task that reports progress, when it starts (a status bar shows its progress and a Cancel button).
    progress_task_started = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
        self._serial = QThreadPool(self)
        self._serial.setMaxThreadCount(1)  # one writer: FIFO order, one Session user at a time
        self._serial.setExpiryTimeout(-1)  # keep the thread and its SQLite connection
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(READ_THREADS)
        self._pool.setExpiryTimeout(-1)
        self._running: dict[int, Task] = {}  # by number: submitted, outcome not yet delivered
        self._closed = False  # after shutdown() nothing new starts
        self._relay = _the_relay()
        self._relay.delivered.connect(self._on_outcome)
        self._relay.progress.connect(self._on_progress)

    @property
    def active(self) -> int:
        """Tasks submitted and not yet delivered."""
        return len(self._running)

    def write(
        self,
        name: str,
        function: Callable[..., Any],
        *args: Any,
        progress: bool = False,
        cancellable: bool = True,
        **kwargs: Any,
    ) -> Task:
        """Queue `function(*args, **kwargs)` on the serial write queue.

        With ``progress=True`` the function also gets ``progress=`` and ``cancel=`` keyword arguments (the
        core's long-running signature); ``cancellable=False`` for one that reports progress but cannot stop.
        """
        return self._submit(self._serial, name, function, args, kwargs, progress, cancellable)

    def read(
        self,
        name: str,
        function: Callable[..., Any],
        *args: Any,
        progress: bool = False,
        cancellable: bool = True,
        **kwargs: Any,
    ) -> Task:
        """Run `function(*args, **kwargs)` on the read/render pool (no ordering between reads)."""
        return self._submit(self._pool, name, function, args, kwargs, progress, cancellable)

    def _submit(
        self,
        pool: QThreadPool,
        name: str,
        function: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        progress: bool,
        cancellable: bool = True,
    ) -> Task:
        task = Task(name, self, cancellable=cancellable)
        if self._closed:  # quitting: a late follow-up (a refresh after a result) must not start new work
            logger.info("task %s not started: the console is shutting down", name)
            return task
        number = next(_numbers)
        if progress:
            kwargs = {**kwargs, "progress": _Progress(number, self._relay), "cancel": task.cancel_event}
        self._running[number] = task
        logger.debug("task %s queued", name)
        pool.start(_Job(number, name, self._relay, lambda: function(*args, **kwargs)))
        self.busy_changed.emit(len(self._running))
        if progress:
            self.progress_task_started.emit(task)
        return task

    @Slot(object, bool, object)
    def _on_outcome(self, number: int, succeeded: bool, value: object) -> None:
        task = self._running.pop(number, None)
        if task is None:  # another runner's task
            return
        if succeeded:
            task._deliver_result(value)
        else:
            assert isinstance(value, BaseException)
            task._deliver_error(value)
        task.deleteLater()
        self.busy_changed.emit(len(self._running))
        if not self._running:
            self.idle.emit()

    @Slot(object, int, int)
    def _on_progress(self, number: int, done: int, total: int) -> None:
        task = self._running.get(number)
        if task is not None:
            task.progressed.emit(done, total)

    def cancel_all(self) -> None:
        """Ask every running task to stop (on lock and on quit)."""
        for task in list(self._running.values()):
            task.cancel()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel what can be cancelled, start nothing new, and wait for the threads; True when everything
        stopped in time."""
        self._closed = True
        self.cancel_all()
        self._serial.clear()
        self._pool.clear()
        return bool(self._serial.waitForDone(timeout_ms)) & bool(self._pool.waitForDone(timeout_ms))
