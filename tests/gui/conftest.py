"""GUI test fixtures: real widgets on the offscreen platform, dialogs that answer at once, a window per test."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QSettings
from PySide6.QtGui import QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QWidget

from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.gui import dialogs as dialogs_module
from console.gui import gcguard, i18n, noneguard, theme
from console.gui.app import tune_interpreter
from console.gui.tasks import TaskRunner
from console.gui.window import ConsoleWindow, Workspace
from tests.conftest import PASSWORDS

TASK_TIMEOUT_MS = 15_000


@dataclass
class FakeDialogs(dialogs_module.Dialogs):
    """Answers every modal at once and remembers what it was asked."""

    shown: list[tuple[str, str, str]] = field(default_factory=list)
    confirm_answer: bool = True
    open_answer: str | None = None
    save_answer: str | None = None
    print_to: Path | None = None
    # The paper the "print dialog" leaves the printer on (None: what the console asked for).
    print_paper: QPageSize.PageSizeId | None = None

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        self.shown.append(("error", title, text))

    def information(self, parent: QWidget | None, title: str, text: str) -> None:
        self.shown.append(("information", title, text))

    def crash(self, parent: QWidget | None, text: str, details: str) -> None:
        self.shown.append(("crash", text, details))

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        self.shown.append(("confirm", title, text))
        return self.confirm_answer

    def open_file(self, parent: QWidget | None, caption: str, name_filter: str, folder: str = "") -> str | None:
        return self.open_answer

    def save_file(self, parent: QWidget | None, caption: str, suggested: str, name_filter: str) -> str | None:
        return self.save_answer

    def print_setup(self, parent: QWidget | None, printer: QPrinter) -> bool:
        if self.print_to is None:
            return False
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(self.print_to))
        if self.print_paper is not None:
            printer.setPageSize(QPageSize(self.print_paper))
            printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        return True

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.shown]


@pytest.fixture(scope="session")
def gui_app(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> QApplication:
    """The test QApplication with the console's look (fonts, palette, style sheet) and private settings."""
    QCoreApplication.setOrganizationName("id-console-tests")
    QCoreApplication.setApplicationName("id-console-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path_factory.mktemp("qsettings")))
    noneguard.install(qapp)  # PySide6 6.12.0 on Python 3.11 loses references to None (see the module)
    tune_interpreter()  # as the console does (GIL hand-over every 1 ms)
    theme.apply_theme(qapp, "light")
    i18n.install_translators(qapp, QLocale("en_US"))  # English plural forms ("1 minute"), as the console does
    warm_up()
    return qapp


def warm_up() -> None:
    """Load what the console loads at start-up (app.run warms these up off the GUI thread while the login
    screen shows): the transliteration tables are unmarshalled in one long call that holds the GIL."""
    from console.gui.app import warm_up_imports

    warm_up_imports()


@pytest.fixture(autouse=True)
def collect_cycles_on_the_gui_thread(gui_app: QApplication) -> Iterator[None]:
    """As in the console (console/gui/gcguard.py): no cycle is freed on a worker thread during a GUI test. The
    test's leftovers are collected here, on the GUI thread; later, non-GUI tests get automatic collection back."""
    guard = gcguard.install(gui_app)
    yield
    guard.uninstall()
    gc.collect()


@pytest.fixture(autouse=True)
def fake_dialogs() -> Iterator[FakeDialogs]:
    fake = FakeDialogs()
    previous = dialogs_module.set_dialogs(fake)
    yield fake
    dialogs_module.set_dialogs(previous)


@pytest.fixture
def runner(gui_app: QApplication) -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    assert tasks.shutdown(timeout_ms=TASK_TIMEOUT_MS)


@pytest.fixture
def window(qtbot: Any, runner: TaskRunner, staffed: Office) -> ConsoleWindow:
    """The console on the staffed test office (fake clock), at the login screen."""
    win = ConsoleWindow(runner, staffed.paths.data_dir, kdf=KDF_PRESETS["min"], office=staffed)
    qtbot.addWidget(win)
    win.resize(1180, 760)
    win.show()
    activate(qtbot, win)
    with qtbot.waitSignal(win.login_ready, timeout=TASK_TIMEOUT_MS):
        win.start()
    return win


@pytest.fixture
def log_in(qtbot: Any, window: ConsoleWindow) -> Callable[..., Workspace]:
    """Type a username and password into the login screen like an officer would; returns the workspace."""

    def _log_in(username: str, password: str | None = None) -> Workspace:
        page = window.login_page
        page.username.clear()
        qtbot.keyClicks(page.username, username)
        qtbot.keyClicks(page.password, password if password is not None else PASSWORDS[username])
        with qtbot.waitSignal(window.workspace_ready, timeout=TASK_TIMEOUT_MS) as blocker:
            qtbot.mouseClick(page.login_button, _left())
        workspace = blocker.args[0]
        assert isinstance(workspace, Workspace)
        return workspace

    return _log_in


def _left() -> Any:
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def activate(qtbot: Any, widget: QWidget) -> None:
    """Make the window active: shortcuts only reach the active window."""
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=TASK_TIMEOUT_MS)


def type_text(widget: QWidget, text: str) -> None:
    """Type `text` key by key, any script (QTest.keyClicks only knows ASCII, and so do keyboard wedges' keymaps,
    but officers type names in Chinese, Korean and Cyrillic through their input methods)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent

    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char))


def wait_idle(qtbot: Any, runner: TaskRunner, timeout: int = TASK_TIMEOUT_MS) -> None:
    """Wait until every background task has delivered its result."""
    qtbot.waitUntil(lambda: runner.active == 0, timeout=timeout)
