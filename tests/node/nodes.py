"""Real peer nodes for tests: `id-console node serve` in a subprocess on 127.0.0.1, a free port, real sockets."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import PASSWORDS


@dataclass
class RunningNode:
    proc: subprocess.Popen[str]
    url: str
    log: Path

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)
        finally:
            if self.proc.stdout is not None:
                self.proc.stdout.close()

    def requests(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


def start_node(data_dir: Path, *args: str, as_user: str | None = None, log: Path | None = None) -> RunningNode:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ID_CONSOLE_")}
    env.update(ID_CONSOLE_KDF="min", ID_CONSOLE_ALLOW_WEAK_KDF="1")
    extra: list[str] = []
    if as_user is not None:
        env["ID_CONSOLE_PASSWORD"] = PASSWORDS[as_user]
        extra = ["--as", as_user]
    log = log or data_dir.parent / f"node-{data_dir.name}-{time.monotonic_ns()}.log"
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "console.cli",
                "--data-dir",
                str(data_dir),
                "node",
                "serve",
                "--port",
                "0",
                *extra,
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "node: serving DIR at http://127.0.0.1:PORT" (blocks until listening)
    match = re.search(r"at (https?://\S+)", line)
    if match is None:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        raise AssertionError(f"the node did not start: {line!r} {log.read_text()}")
    url = match.group(1)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=2, verify=False).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        proc.kill()
        raise AssertionError(f"the node at {url} never answered /health: {log.read_text()}")
    return RunningNode(proc, url, log)
