"""SoftHSM2 for the tests of the token-held office key (issue 17; Debian `softhsm2`, installed by .ci/run).

SoftHSM2 reads its configuration once per process, when the PKCS#11 module first loads, and sees only the tokens
that existed then: so every test of a process shares one configuration and one token, made on first use.
Command-line tests in subprocesses make their own (`make_softhsm`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "4711-0815"
SO_PIN = "12345678"
TOKEN = "office-key"
_conf: Path | None = None


def available() -> bool:
    return Path(MODULE).exists() and shutil.which("softhsm2-util") is not None


def make_softhsm(folder: Path, *labels: str) -> Path:
    """A SoftHSM2 configuration with its own token folder and an initialised token per label; its path."""
    (folder / "tokens").mkdir(parents=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    for label in labels:
        subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin", SO_PIN],
            env={**os.environ, "SOFTHSM2_CONF": str(conf)},
            check=True,
            capture_output=True,
        )
    return conf


def process_token() -> Path:
    """This process's SoftHSM2 configuration with the token TOKEN (made on first call; skips without SoftHSM2)."""
    global _conf
    if not available():
        pytest.skip("SoftHSM2 is not installed (Debian softhsm2; .ci/run installs it)")
    if _conf is None:
        _conf = make_softhsm(Path(tempfile.mkdtemp(prefix="softhsm-")), TOKEN)
        os.environ["SOFTHSM2_CONF"] = str(_conf)
    return _conf


def pin() -> str:
    return PIN
