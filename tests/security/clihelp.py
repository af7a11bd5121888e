"""Running the command line in a subprocess and measuring it (peak memory from the kernel, wall time)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ADMIN_PW = "amber-tulip-4711"
CLERK_PW = "cedar-river-2718"
SUPER_PW = "silver-harbor-1618"


@dataclass
class Run:
    returncode: int
    stdout: bytes
    stderr: bytes
    peak_rss_mb: float
    seconds: float

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")


def env(password: str | None = None, **extra: str) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith("ID_CONSOLE_")}
    values.update(ID_CONSOLE_KDF="min", ID_CONSOLE_ALLOW_WEAK_KDF="1", **extra)
    if password is not None:
        values["ID_CONSOLE_PASSWORD"] = password
    return values


def cli(
    data_dir: Path,
    *args: str | bytes,
    password: str | None = None,
    environ: dict[str, str] | dict[bytes, bytes] | None = None,
    timeout: float = 300,
    prefix: list[str] | None = None,
) -> Run:
    """`id-console --data-dir DATA_DIR ARGS…`; the peak RSS is the child's own (wait4), not this process's."""
    command: list[str | bytes] = [
        *LAUNCH,
        *(prefix or [sys.executable, "-m", "console.cli"]),
        "--data-dir",
        str(data_dir),
        *args,
    ]
    started = time.perf_counter()
    process = spawn(command, environ if environ is not None else env(password))
    returncode, out, err, rss = reap(process, timeout)
    return Run(returncode, out, err, rss, time.perf_counter() - started)


#: Runs the command as a grandchild and reports its peak RSS (KB) on a pipe: measured directly, a child forked
#: from a large test process (pytest after the GUI tests: 350 MB) would report the parent's memory as its own
#: peak (Linux keeps the pre-exec high-water mark). SIGINT and SIGTERM are passed on.
LAUNCHER = r"""
import os, signal, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
for number in (signal.SIGINT, signal.SIGTERM):
    signal.signal(number, lambda n, f: os.kill(pid, n))
while True:
    try:
        _pid, status, usage = os.wait4(pid, 0)
        break
    except InterruptedError:
        continue
os.write(int(os.environ["RSS_FD"]), str(usage.ru_maxrss).encode())
sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""
LAUNCH = [sys.executable, "-c", LAUNCHER]


def spawn(command: list[str | bytes], environ: dict[str, str] | dict[bytes, bytes]) -> subprocess.Popen[bytes]:
    """Start `command` (beginning with `LAUNCH`) with pipes for its output and for its peak RSS."""
    read, write = os.pipe()
    values: dict[Any, Any] = dict(environ)
    values[b"RSS_FD" if values and isinstance(next(iter(values)), bytes) else "RSS_FD"] = (
        str(write).encode() if values and isinstance(next(iter(values)), bytes) else str(write)
    )
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=values,
        pass_fds=(write,),
    )
    os.close(write)
    process.rss_pipe = read  # type: ignore[attr-defined]
    return process


def reap(process: subprocess.Popen[bytes], timeout: float) -> tuple[int, bytes, bytes, float]:
    """Collect output and the exit status, and the command's own peak RSS (MB); kill it after `timeout`."""
    chunks: dict[str, list[bytes]] = {"out": [], "err": []}

    def drain(stream: IO[bytes], into: list[bytes]) -> None:
        into.extend(iter(lambda: stream.read(65536), b""))

    readers = [
        threading.Thread(target=drain, args=(process.stdout, chunks["out"]), daemon=True),
        threading.Thread(target=drain, args=(process.stderr, chunks["err"]), daemon=True),
    ]
    for reader in readers:
        reader.start()
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        _pid, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()
    rss_kb = usage.ru_maxrss
    pipe = getattr(process, "rss_pipe", None)
    if pipe is not None:
        with os.fdopen(pipe, "rb") as f:
            reported = f.read()
        rss_kb = int(reported) if reported else rss_kb
    return process.returncode, b"".join(chunks["out"]), b"".join(chunks["err"]), rss_kb / 1024


def init_office(data_dir: Path) -> None:
    """An office with admin, the clerk clara and the supervisor sam (all through the command line)."""
    steps = [
        (
            ADMIN_PW,
            None,
            [
                "init",
                "--authority-name",
                "Utopia Identity Authority",
                "--authority-domain",
                "ids.utopia.example",
                "--office-code",
                "HQ-01",
                "--office-name",
                "Central Office",
                "--scheme",
                "uin-10",
                "--admin",
                "admin",
            ],
        ),
        (
            ADMIN_PW,
            CLERK_PW,
            ["user", "add", "--as", "admin", "--username", "clara", "--role", "clerk", "--full-name", "Clara"],
        ),
        (
            ADMIN_PW,
            SUPER_PW,
            ["user", "add", "--as", "admin", "--username", "sam", "--role", "supervisor", "--full-name", "Sam"],
        ),
    ]
    for password, new, args in steps:
        extra = {"ID_CONSOLE_NEW_PASSWORD": new} if new else {}
        done = subprocess.run(
            [sys.executable, "-m", "console.cli", "--data-dir", str(data_dir), *args],
            env=env(password, **extra),
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, done.stderr
