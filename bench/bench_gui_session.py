"""A supervisor's day in a real window under Xvfb, driven with xdotool; the longest GUI-thread stall is the figure.

    python bench/bench_gui_session.py            # needs Xvfb and xdotool (apt-get install xvfb xdotool)

The console runs in this process on a virtual X server (real xcb platform, real X input events); a 10 ms timer
on the GUI thread records every gap between its beats, labelled with the step the driver thread is in:
log in → dashboard → approvals (select the pending revocation, see the holder, approve it, confirm in the real
message box) → citizens (search a name in Chinese) → verify (a USB scanner's keystrokes of a card's QR text) →
lock → the auditor's audit trail (search). Each step waits until the screen shows its result. Prints the
longest gap per step and overall; the GUI's goal is every gap under 100 ms.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    for number in range(91, 120):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            display = f":{number}"
            server = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x860x24", "-nolisten", "tcp"])
            for _ in range(100):
                if Path(f"/tmp/.X11-unix/X{number}").exists():
                    return server, display
                time.sleep(0.05)
            server.kill()
    raise RuntimeError("no free X display for Xvfb")


class Driver(threading.Thread):
    """Types and clicks through xdotool, like a person at the keyboard, and waits for what the screen shows."""

    def __init__(self, window: Any, marks: list[tuple[float, str]], done: Callable[[], None]) -> None:
        super().__init__(daemon=True)
        self.window = window
        self.marks = marks
        self.done = done
        self.error: BaseException | None = None
        self.window_id = ""

    def step(self, name: str) -> None:
        self.marks.append((time.perf_counter(), name))
        print(f"  {name}", flush=True)

    def xdo(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], check=True, capture_output=True)

    def key(self, *keys: str) -> None:
        self.xdo("key", "--delay", "60", *keys)

    def type(self, text: str, delay_ms: int = 25) -> None:
        self.xdo("type", "--delay", str(delay_ms), text)

    def click(self, widget: Any, x: int | None = None, y: int | None = None) -> None:
        """A real mouse click at a point of `widget` (its centre by default), through the X server."""
        from PySide6.QtCore import QPoint

        point = widget.mapToGlobal(
            QPoint(widget.width() // 2 if x is None else x, widget.height() // 2 if y is None else y)
        )
        self.xdo("mousemove", "--sync", str(point.x()), str(point.y()))
        self.xdo("click", "1")
        time.sleep(0.15)

    def screen(self, ws: Any, key: str) -> Any:
        """Switch with Ctrl+number and return the screen once the GUI thread has built it (never build it here)."""
        self.xdo("windowfocus", "--sync", self.window_id)  # no window manager: focus does not come back by itself
        previous = self.marks[-1][1] if self.marks else ""
        self.step(f"open {key} ({'built ahead' if key in ws.pages else 'built on first use'})")
        index = ws.allowed.index(key)
        if index < 9:
            self.key(f"ctrl+{index + 1}")
        else:  # past Ctrl+9: click it in the navigation list
            rect = ws.nav.visualItemRect(ws.nav.item(index))
            self.click(ws.nav.viewport(), rect.center().x(), rect.center().y())
        self.until(lambda: key in ws.pages and ws.current_key() == key, f"the {key} screen", settle=0.2)
        self.step(previous)
        return ws.pages[key]

    def until(self, predicate: Callable[[], bool], what: str, timeout: float = 30.0, settle: float = 0.4) -> None:
        end = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > end:
                raise TimeoutError(f"timed out waiting for {what}")
            time.sleep(0.05)
        time.sleep(settle)  # what a person takes to read it

    def run(self) -> None:
        try:
            self.day()
        except BaseException as e:  # reported by the main thread
            self.error = e
        finally:
            self.done()

    def log_in(self, username: str, password: str) -> Any:
        window = self.window
        self.step(f"log in as {username}")
        window_id = subprocess.run(
            ["xdotool", "search", "--sync", "--name", "ID Console"], capture_output=True, text=True, check=True
        ).stdout.split()[0]
        self.window_id = window_id
        self.xdo("windowfocus", "--sync", window_id)
        self.click(window.login_page.username)
        self.key("ctrl+a")
        self.type(username)
        self.click(window.login_page.password)
        self.key("ctrl+a")
        self.type(password)
        self.key("Return")
        self.until(lambda: window.workspace is not None, f"{username}'s workspace")
        self.step(f"{username}'s workspace shown")
        return window.workspace

    def day(self) -> None:
        from console.demo import ACCOUNTS

        window = self.window
        secret = {a.username: a.password for a in ACCOUNTS}
        ws = self.log_in("supervisor", secret["supervisor"])
        self.step("dashboard")
        self.until(lambda: "dashboard" in ws.pages, "the dashboard")
        dashboard = ws.pages["dashboard"]
        self.until(lambda: dashboard.figures is not None, "the dashboard figures")
        self.step("dashboard: read for 3 s (the other screens are built meanwhile)")
        time.sleep(3.0)  # a person reads the day's figures before going on

        self.step("approvals: select the pending request")
        approvals = self.screen(ws, "approvals")
        self.until(lambda: approvals.request_model.rowCount() > 0, "pending requests")
        self.click(approvals.request_table.viewport(), 60, 10)  # the first row
        self.until(lambda: approvals.request_holder.holder is not None, "the holder's photo and names")
        self.step("approvals: approve with a note, confirm")
        self.click(approvals.request_note)
        self.type("Police report seen at the counter.")
        self.click(approvals.approve_button)
        time.sleep(0.8)  # the real confirmation box
        self.key("alt+y")
        self.until(lambda: approvals.banner.kind == "success", "the approval's outcome")

        self.step("citizens: search a name")
        citizens = self.screen(ws, "citizens")
        self.click(citizens.search)
        self.type("Chen", 60)
        self.until(
            lambda: citizens.count_label.text().endswith("found") or "No match" in citizens.count_label.text(),
            "search results",
        )

        self.step("verify: scanner input")
        verify = self.screen(ws, "verify")
        office = window.office
        qr = next(iter(office.db.query("SELECT qr FROM credentials WHERE status = 'active' AND qr IS NOT NULL")))["qr"]
        self.click(verify.scan)
        self.type(qr, 4)  # a USB scanner types fast
        self.key("Return")
        self.until(lambda: verify.last_verdict is not None, "the verdict")

        self.step("lock")
        self.xdo("windowfocus", "--sync", self.window_id)
        self.key("ctrl+l")
        self.until(lambda: window.workspace is None, "the login screen")
        ws = self.log_in("auditor", secret["auditor"])
        self.step("auditor's dashboard: read for 3 s")
        time.sleep(3.0)
        self.step("audit trail: search")
        audit = self.screen(ws, "audit")
        self.until(lambda: audit.model.rowCount() > 0, "the audit trail")
        self.click(audit.text)
        self.type("approved", 60)
        self.until(lambda: audit.model.rowCount() >= 1 and "approved" in audit.text.text(), "the search")
        self.step("end")


def main() -> int:
    if not shutil.which("Xvfb") or not shutil.which("xdotool"):
        print("needs Xvfb and xdotool: apt-get install xvfb xdotool", file=sys.stderr)
        return 2
    server, display = start_xvfb()
    os.environ["DISPLAY"] = display
    os.environ.pop("QT_QPA_PLATFORM", None)
    os.environ["ID_CONSOLE_LANG"] = "en_US"
    temp = tempfile.TemporaryDirectory(prefix="id-console-day-")
    try:
        from PySide6.QtCore import QObject, QTimer, Signal

        from console.gui.app import run

        beats: list[tuple[float, float]] = []  # (time, the GUI thread's run-queue wait so far)
        marks: list[tuple[float, str]] = []
        holder: dict[str, Any] = {}
        stacks: list[str] = []

        class Finisher(QObject):
            finish = Signal()

        def ready(window: Any) -> None:
            if "driver" in holder:  # login_ready fires again after each lock
                return
            timer = QTimer(window)
            timer.setInterval(10)
            timer.timeout.connect(lambda: beats.append((time.perf_counter(), run_queue_wait())))
            timer.start()
            finisher = Finisher(window)
            finisher.finish.connect(window.close)
            driver = Driver(window, marks, finisher.finish.emit)
            holder.update(driver=driver, finisher=finisher, timer=timer)
            beats.append((time.perf_counter(), run_queue_wait()))
            driver.start()
            if "--stacks" in sys.argv:
                Watchdog(beats, threading.get_ident(), stacks).start()

        print(f"console on {display}, data in {temp.name}")
        code = run(str(Path(temp.name) / "demo"), demo=True, ready=ready)
        driver = holder.get("driver")
        if driver is None or driver.error is not None:
            print(f"the session failed: {driver.error if driver else 'no login screen'}", file=sys.stderr)
            return 1
        report(beats, marks)
        for stack in stacks:
            print(f"\nGUI thread {stack}")
        return code
    finally:
        server.terminate()
        server.wait(timeout=10)
        temp.cleanup()


class Watchdog(threading.Thread):
    """`--stacks`: when the GUI thread has not beaten for 150 ms, record where it is (its Python stack)."""

    def __init__(self, beats: list[tuple[float, float]], gui_thread: int, stacks: list[str]) -> None:
        super().__init__(daemon=True)
        self.beats, self.gui_thread, self.stacks = beats, gui_thread, stacks

    def run(self) -> None:
        import traceback

        seen = 0.0
        while True:
            time.sleep(0.02)
            last = self.beats[-1][0]
            if time.perf_counter() - last > 0.15 and last != seen:
                seen = last
                frame = sys._current_frames().get(self.gui_thread)
                if frame is not None:
                    where = "".join(traceback.format_stack(frame)[-12:])
                    self.stacks.append(f"held {1000 * (time.perf_counter() - last):.0f} ms so far at:\n{where}")


def run_queue_wait() -> float:
    """Seconds the calling thread has waited for a CPU (Linux schedstat; 0 elsewhere), as tests/gui/heartbeat.py."""
    try:
        return int(Path("/proc/thread-self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def report(beats: list[tuple[float, float]], marks: list[tuple[float, str]]) -> None:
    """Per step: the longest gap between two beats, raw and less the time the GUI thread waited for a CPU
    (other programs' load, not the console's doing)."""
    steps: dict[str, tuple[float, float]] = {}
    for (a, wait_a), (b, wait_b) in itertools.pairwise(beats):
        label = "start"
        for t, name in marks:
            if t <= a:
                label = name
        raw, held = steps.get(label, (0.0, 0.0))
        steps[label] = (max(raw, b - a), max(held, (b - a) - (wait_b - wait_a)))
    print(f"\n{'step':48} longest GUI-thread gap: raw / less run-queue wait")
    for label, (raw, held) in steps.items():
        print(f"{label:48} {raw * 1000:6.0f} ms / {held * 1000:6.0f} ms")
    worst_raw = max(steps.items(), key=lambda kv: kv[1][0])
    worst = max(steps.items(), key=lambda kv: kv[1][1])
    span = beats[-1][0] - beats[0][0]
    print(f"\nlongest raw gap: {worst_raw[1][0] * 1000:.0f} ms ({worst_raw[0]})")
    print(
        f"longest stall less run-queue wait: {worst[1][1] * 1000:.0f} ms ({worst[0]}); {len(beats)} beats over {span:.1f} s"
    )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    sys.exit(main())
