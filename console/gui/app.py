"""Composition root of the desktop console: QApplication, error hook, data directory, first window."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import platformdirs
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

logger = logging.getLogger(__name__)


def resolve_data_dir(data_dir: str | None, demo: bool) -> Path:
    """--data-dir, else ID_CONSOLE_DATA_DIR, else the platform folder (a separate one for the demo office)."""
    if data_dir:
        return Path(data_dir).expanduser()
    if os.environ.get("ID_CONSOLE_DATA_DIR"):
        return Path(os.environ["ID_CONSOLE_DATA_DIR"]).expanduser()
    base = Path(platformdirs.user_data_dir("id-console", appauthor=False))
    return base.with_name(base.name + "-demo") if demo else base


class MainWindow(QMainWindow):
    """The console's main window (the working screens arrive with the GUI issue)."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("ID Console"))
        self.setCentralWidget(QLabel(self.tr("Office data: {0}").format(data_dir)))
        self.resize(1000, 700)


def run(data_dir: str | None = None, demo: bool = False) -> int:
    """Open the console and run the event loop until the window closes."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("id-console")
    window = MainWindow(resolve_data_dir(data_dir, demo))
    window.show()
    return int(app.exec())


def main() -> None:
    """Entry point of the `id-console-gui` launcher."""
    sys.exit(run())
