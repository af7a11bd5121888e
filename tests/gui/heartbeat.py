"""A heartbeat on the GUI thread: the longest time the thread could not run its event loop.

A 10 ms QTimer beats on the GUI thread; a long gap between two beats means the thread was held: busy in a
handler, waiting for the GIL that a worker kept, or waiting for a lock. One thing makes gaps long without
being the console's doing: the operating system not giving the thread a CPU at all (this machine has 2 cores
shared by many test runs; an idle Qt thread here saw raw gaps of 200 ms at a load of 12). Linux counts that
time per thread (/proc/thread-self/schedstat, "time spent waiting on a run queue"), so each gap is measured
less the run-queue wait that fell into it: what remains is time the GUI thread was running or blocked, the
stall the console caused. Where schedstat is missing the raw gap is used (stricter).
"""

from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path

from PySide6.QtCore import QTimer

#: What a person notices as a hitch.
MAX_STALL_S = 0.100
_SCHEDSTAT = Path("/proc/thread-self/schedstat")


def _run_queue_wait() -> float:
    """Seconds this thread has spent runnable but not running (0 where the kernel does not say)."""
    try:
        return int(_SCHEDSTAT.read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


_TASKS = Path("/proc/self/task")


def _threads() -> dict[int, tuple[float, float]]:
    """Every thread of the process: (seconds on a CPU, seconds runnable but not running), for diagnosis."""
    found: dict[int, tuple[float, float]] = {}
    try:
        tids = os.listdir(_TASKS)
    except OSError:
        return found
    for tid in tids:
        try:
            cpu, wait = (_TASKS / tid / "schedstat").read_text().split()[:2]
        except (OSError, ValueError):
            continue
        found[int(tid)] = (int(cpu) / 1e9, int(wait) / 1e9)
    return found


class Heartbeat:
    """Beats every 10 ms on the GUI thread while entered; `phase(name)` labels what the test is doing so a
    failure says where the GUI thread was held. Garbage collections over 10 ms are recorded for diagnosis."""

    def __init__(self) -> None:
        self.beats: list[tuple[float, float, str]] = []  # (time, run-queue wait so far, phase)
        self.threads: list[dict[int, tuple[float, float]]] = []  # per beat: every thread's (cpu, wait)
        self.collections: list[tuple[float, int, str]] = []
        self._phase = "start"
        self._gc_started = 0.0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._beat)

    def _beat(self) -> None:
        self.beats.append((time.perf_counter(), _run_queue_wait(), self._phase))
        self.threads.append(_threads())

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._gc_started = now
        elif now - self._gc_started > 0.010:
            self.collections.append((now - self._gc_started, info["generation"], self._phase))

    def phase(self, name: str) -> None:
        self._beat()
        self._phase = name

    def __enter__(self) -> Heartbeat:
        self._beat()
        gc.callbacks.append(self._on_gc)
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()
        gc.callbacks.remove(self._on_gc)
        self._beat()

    def stalls(self) -> list[tuple[float, float, str]]:
        """Every gap as (stall: the gap less run-queue wait, raw gap, phase it ended in)."""
        return [
            ((b[0] - a[0]) - (b[1] - a[1]), b[0] - a[0], b[2]) for a, b in zip(self.beats, self.beats[1:], strict=False)
        ]

    @property
    def max_stall(self) -> float:
        return max(stall for stall, _, _ in self.stalls())

    def others(self, index: int) -> str:
        """What the other threads did in gap `index`: the most any one of them ran and waited on a run queue
        (a worker that holds the GIL while the operating system keeps it off a CPU stalls the GUI thread)."""
        before, after = self.threads[index], self.threads[index + 1]
        gui = threading.get_native_id()
        names = {t.native_id: t.name for t in threading.enumerate()}
        ran = waited = 0.0
        waiter = ""
        for tid, (cpu, wait) in after.items():
            if tid == gui:
                continue
            start = before.get(tid, (0.0, 0.0))  # a thread started in the gap (a pool's new worker) counts whole
            ran = max(ran, cpu - start[0])
            if wait - start[1] > waited:
                waited, waiter = wait - start[1], names.get(tid, f"thread {tid}")
        own = after.get(gui, (0.0, 0.0))[0] - before.get(gui, (0.0, 0.0))[0]
        return (
            f"GUI thread ran {own * 1000:.0f} ms; another thread ran {ran * 1000:.0f} ms, "
            f"{waiter or 'another'} waited {waited * 1000:.0f} ms"
        )

    def check(self, limit: float = MAX_STALL_S) -> None:
        gaps = self.stalls()
        worst = max(range(len(gaps)), key=lambda i: gaps[i][0])
        stall, raw, where = gaps[worst]
        log = os.environ.get("HEARTBEAT_LOG")  # scripts that repeat the runs collect the figures here
        if log:
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"{stall * 1000:.0f}\t{max(r for _, r, _ in gaps) * 1000:.0f}\t{where}\t{self.others(worst)}\n")
        collections = ", ".join(f"gen {g} {d * 1000:.0f} ms in {p}" for d, g, p in self.collections) or "none"
        assert stall < limit, (
            f"GUI thread held for {stall * 1000:.0f} ms during {where} (raw gap {raw * 1000:.0f} ms; "
            f"{self.others(worst)}; garbage collections over 10 ms: {collections})"
        )
