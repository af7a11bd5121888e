"""Entry point of the PyInstaller bundle: `id-console` (the CLI; with no command, or `gui`, the desktop console).

`multiprocessing.freeze_support()` comes first: the GUI's helper process (console/gui/offload.py, spawn start
method) re-runs this executable with `--multiprocessing-fork`, and PyInstaller's runtime hook turns that call into
the child's main loop instead of a second console.

`ID_CONSOLE_SMOKE=gui id-console` is the installed package's self-test (packaging/smoke.sh): it opens the
console on ID_CONSOLE_DATA_DIR, waits for the login window, has the helper process answer, prints one line and
quits with status 0. `ID_CONSOLE_SMOKE=login` prints READY as soon as the login window shows and quits
(bench/bench_packaging.py times the bundle's cold start with it).
"""

import multiprocessing
import os
import sys


def _smoke_login() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from console.gui import app as gui_app

    def ready(window: object) -> None:
        QTimer.singleShot(0, lambda: (print("READY", flush=True), QApplication.quit()))

    return gui_app.run(ready=ready)


def _smoke_gui() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from console.gui import app as gui_app
    from console.gui import offload

    seen: dict[str, object] = {}

    def ready(window: object) -> None:
        seen["title"] = window.windowTitle()  # type: ignore[attr-defined]
        executor = offload._executor()
        seen["helper"] = executor.submit(os.getpid).result(timeout=300) if executor is not None else None
        QTimer.singleShot(0, QApplication.quit)

    code = gui_app.run(ready=ready)
    if "title" not in seen:
        print("smoke: the login window never showed", file=sys.stderr)
        return 1
    helper = seen["helper"]
    if not isinstance(helper, int) or helper == os.getpid():
        print(f"smoke: the helper process did not run (got {helper!r})", file=sys.stderr)
        return 1
    print(f"login window: {seen['title']}; helper process: pid {helper} (console pid {os.getpid()})")
    return code


if __name__ == "__main__":
    multiprocessing.freeze_support()
    if os.environ.get("ID_CONSOLE_SMOKE") == "gui":
        sys.exit(_smoke_gui())
    if os.environ.get("ID_CONSOLE_SMOKE") == "login":
        sys.exit(_smoke_login())
    from console.cli import main

    sys.exit(main())
