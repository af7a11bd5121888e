"""Composition root of the desktop console: QApplication, error hook, look, translations, data directory, window.

Nothing below this module looks anything up by itself: the data directory, the KDF limits and the task runner
are decided here and passed down (STYLE.md "Layout and direction").
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

import platformdirs
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from console import __version__
from console.core.errors import ConsoleError
from console.core.keystore import DEFAULT_KDF, KDF_PRESETS, KdfLimits

logger = logging.getLogger(__name__)

APP_NAME = "id-console"
# The demo's keystores: still argon2id, but quick to unlock (see console/demo.py).
DEMO_KDF = "interactive"


def resolve_data_dir(data_dir: str | None, demo: bool) -> Path:
    """--data-dir, else ID_CONSOLE_DATA_DIR, else the platform folder (a separate one for the demo office)."""
    if data_dir:
        return Path(data_dir).expanduser()
    if os.environ.get("ID_CONSOLE_DATA_DIR"):
        return Path(os.environ["ID_CONSOLE_DATA_DIR"]).expanduser()
    base = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return base.with_name(base.name + "-demo") if demo else base


def kdf_limits(demo: bool) -> KdfLimits:
    """argon2id limits for keystores written from the GUI: ID_CONSOLE_KDF names a preset (as in the CLI)."""
    name = os.environ.get("ID_CONSOLE_KDF") or (DEMO_KDF if demo else DEFAULT_KDF)
    if name not in KDF_PRESETS or (name == "min" and os.environ.get("ID_CONSOLE_ALLOW_WEAK_KDF") != "1"):
        logger.warning("ID_CONSOLE_KDF=%r is not a preset for real keystores; using %s", name, DEFAULT_KDF)
        name = DEFAULT_KDF
    return KDF_PRESETS[name]


def check_display() -> None:
    """On Linux, fail with one sentence when there is no screen, instead of Qt aborting the process.

    Raises:
        ConsoleError: no X11 or Wayland display and no QT_QPA_PLATFORM chosen.
    """
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise ConsoleError(
            "No screen to open the console on (DISPLAY and WAYLAND_DISPLAY are not set). Run it in a desktop "
            "session, or use the command line (id-console --help)."
        )


def _configure_logging() -> None:
    if not logging.getLogger().handlers:
        level = os.environ.get("ID_CONSOLE_LOG", "WARNING").upper()
        logging.basicConfig(
            level=getattr(logging, level, logging.WARNING), format="%(levelname)s %(name)s: %(message)s"
        )


# How often a busy Python thread hands the GIL over (the interpreter's default is 5 ms). Every PySide call the
# GUI thread makes releases the GIL and takes it back; behind a CPU-bound worker (an import checking 3,000 rows)
# each re-take waited up to 5 ms, so a slot of twenty calls stalled the window for ~100 ms. At 1 ms the same
# slot waits a fifth as long; the worker loses a few per cent.
GIL_SWITCH_INTERVAL_S = 0.001


def tune_interpreter() -> None:
    """Interpreter settings the GUI needs to stay responsive beside busy worker threads."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)


def create_application(argv: list[str] | None = None, *, scheme: str | None = None) -> QApplication:
    """The QApplication with the console's names, look, translations and error hook (reused if one exists)."""
    from console.core import i18n as core_i18n
    from console.gui import dialogs, gcguard, i18n, noneguard, theme

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv if argv is not None else sys.argv)
    noneguard.install(app)  # before anything else calls into PySide6 (see console/gui/noneguard.py)
    tune_interpreter()
    gcguard.install(app)  # cycles are collected on the GUI thread only (see console/gui/gcguard.py)
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_NAME)
    theme.apply_theme(app, scheme)
    if scheme is None:
        theme.follow_system_scheme(app)
    app.setProperty("console_translators", i18n.install_translators(app))
    core_i18n.set_language(i18n.chosen_locale().name())  # the core's sentences (errors, verdicts) follow Qt's
    dialogs.install_excepthook()
    return app


def run(data_dir: str | None = None, demo: bool = False, *, ready: Callable[[object], None] | None = None) -> int:
    """Open the console and run the event loop until the window closes.

    Args:
        data_dir: the office's data directory (None: ID_CONSOLE_DATA_DIR or the platform folder).
        demo: open (and on first use build) the demo office in its own data directory.
        ready: called with the window once the login screen shows (start-up benchmark).
    """
    _configure_logging()
    check_display()
    app = create_application()
    from console.gui.icons import icon
    from console.gui.tasks import TaskRunner
    from console.gui.window import ConsoleWindow

    app.setWindowIcon(icon("app"))
    runner = TaskRunner(app)
    window = ConsoleWindow(runner, resolve_data_dir(data_dir, demo), demo=demo, kdf=kdf_limits(demo))
    window.prebuild_screens = True  # no screen is built when first clicked (docs/performance.md)
    if ready is not None:
        window.login_ready.connect(lambda: ready(window))
    window.show()
    window.start()
    _warm_up(runner)
    code = int(app.exec())
    from console.gui import prefs

    prefs.flush()  # the last folders remembered, written by their thread (console/gui/prefs.py)
    if not runner.shutdown(timeout_ms=10_000):
        logger.warning("background work did not stop within 10 s; exiting anyway")
    return code


def warm_up_imports() -> None:
    """Load the heavy lazy parts of the core once: pypinyin's tables (~0.15 s, unmarshalled in one call that
    holds the GIL), Pillow, the card renderer, its fonts and a first card. Done at start-up so that the first
    registration or card does not stall the GUI thread on the GIL in the middle of the officer's work.

    Then everything loaded so far is moved out of the cyclic garbage collector's sight (`gc.freeze`): those
    tables are hundreds of thousands of long-lived containers, and every full collection walked them all,
    holding the GIL for 100-370 ms at a time (measured in the GUI tests; docs/testing.md)."""
    from console.core import names, registry

    names.latin_form("张伟", "full")
    names.latin_form("김민준", "full")
    registry.check_photo(None)
    import PIL.Image  # noqa: F401
    import pypdfium2  # noqa: F401

    # The screens' modules (QtCharts for the dashboard is a large library): imported here, off the GUI thread,
    # the first login's workspace does not wait for them (measured: ~0.4 s under load, bench_gui_session.py).
    import console.gui.pages.audit
    import console.gui.pages.dashboard
    import console.gui.pages.importer
    import console.gui.pages.keys
    import console.gui.pages.ledger
    import console.gui.pages.officers
    import console.gui.pages.printing
    import console.gui.pages.settings  # noqa: F401
    from console.gui import camera, cardprint

    camera.warm_up()  # QtMultimedia and its FFmpeg plugin: ~0.16 s on the GUI thread otherwise (camera.py)
    cardprint.warm_up()  # the first card's imports hold the GIL; also starts the helper process (offload.py)
    resolve_qt_types()
    gc.freeze()  # after the imports: what they loaded stays out of full collections


def resolve_qt_types() -> int:
    """Create the Python side of every class of the Qt modules loaded so far (returns how many names).

    PySide6 builds a class's Python type, and an `enum.Enum` for each of its enums, the first time the class is
    needed. The session's app-wide event filter (console/gui/idle.py) makes PySide6 find the Python type of
    every object an event goes to; the dashboard chart's internal objects made it build ~125 classes' enums at
    once, ~100 ms of pure Python on the GUI thread at the first login (docs/performance.md). Done here, on the
    read pool at start-up (~0.13 s), as the screens' imports above already create their classes.
    """
    count = 0
    for name, module in list(sys.modules.items()):
        if name.startswith("PySide6.Qt") and module is not None:
            for attr in dir(module):
                getattr(module, attr, None)
                count += 1
    return count


def _warm_up(runner: object) -> None:
    from console.gui.tasks import TaskRunner

    assert isinstance(runner, TaskRunner)
    runner.read("warm up", warm_up_imports)


def main() -> None:
    """Entry point of the `id-console-gui` launcher (``--demo`` and ``--data-dir DIR`` are understood)."""
    import argparse
    import multiprocessing

    multiprocessing.freeze_support()  # a frozen build's helper process (offload.py) starts here; else a no-op

    parser = argparse.ArgumentParser(prog="id-console-gui", description="ID-issuing authority desktop console")
    parser.add_argument("--data-dir", metavar="DIR")
    parser.add_argument("--demo", action="store_true", help="open a demo office (created on first use)")
    args, _qt_args = parser.parse_known_args()
    try:
        sys.exit(run(args.data_dir, args.demo))
    except ConsoleError as e:
        print(f"id-console-gui: {e}", file=sys.stderr)
        sys.exit(e.exit_code)
