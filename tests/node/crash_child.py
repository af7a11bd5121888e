"""Child process for the kill -9 tests: runs `ledger sync` for one officer with one function patched to
SIGKILL the process at its n-th call (before or after the real call). Not a test module.

Usage: python -m tests.node.crash_child DATA_DIR FOLDER USER MODULE:FUNCTION N before|after
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from pathlib import Path
from typing import Any


def main() -> None:
    data_dir, folder, user, target, nth, when = sys.argv[1:7]
    module_name, attr = target.split(":")
    module = importlib.import_module(module_name)
    real = getattr(module, attr)
    calls = {"n": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == int(nth) and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = real(*args, **kwargs)
        if calls["n"] == int(nth) and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(module, attr, wrapper)
    from console.core.accounts import login
    from console.core.keystore import KDF_PRESETS
    from console.core.office import Office
    from console.node import sync
    from tests.conftest import PASSWORDS

    office = Office(Path(data_dir), kdf=KDF_PRESETS["min"])
    sync.run_sync(login(office, user, PASSWORDS[user]), Path(folder))
    print("finished without being killed")


if __name__ == "__main__":
    main()
