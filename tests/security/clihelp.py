"""Running the command line in a subprocess and measuring it (peak memory from the kernel, wall time)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

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
        *(prefix or [sys.executable, "-m", "console.cli"]),
        "--data-dir",
        str(data_dir),
        *args,
    ]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environ if environ is not None else env(password),  # type: ignore[arg-type]
    )
    returncode, out, err, rss = reap(process, timeout)
    return Run(returncode, out, err, rss, time.perf_counter() - started)


def reap(process: subprocess.Popen[bytes], timeout: float) -> tuple[int, bytes, bytes, float]:
    """Collect output and wait with wait4, for the child's own peak RSS (MB); kill it after `timeout`."""
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
    return process.returncode, b"".join(chunks["out"]), b"".join(chunks["err"]), usage.ru_maxrss / 1024


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
