"""Modal dialogs behind one replaceable object, and the GUI's single error path.

Every modal the console opens (message boxes, file pickers, the print dialog) goes through `dialogs()`, so
tests install a `Dialogs` subclass that answers at once instead of blocking the event loop.

`report_error` is the one way an exception reaches a person: a `ConsoleError` is a sentence they can act on
and is shown as it is; `UserCancelled` unwinds silently; anything else is a bug, logged with its traceback
and shown in a crash dialog that says so.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QCoreApplication
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from console.core.errors import ConsoleError, StorageError, UserCancelled
from console.core.store import DatabaseError

logger = logging.getLogger(__name__)


class Dialogs:
    """The real, blocking dialogs. Subclass it in tests (see tests/gui/conftest.py)."""

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)

    def information(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    def crash(self, parent: QWidget | None, text: str, details: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            QCoreApplication.translate("Dialogs", "Internal error"),
            text,
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setDetailedText(details)
        box.exec()

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            parent,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def open_file(self, parent: QWidget | None, caption: str, name_filter: str, folder: str = "") -> str | None:
        path, _ = QFileDialog.getOpenFileName(parent, caption, folder, name_filter)
        return path or None

    def save_file(self, parent: QWidget | None, caption: str, suggested: str, name_filter: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, name_filter)
        return path or None

    def print_setup(self, parent: QWidget | None, printer: QPrinter) -> bool:
        return QPrintDialog(printer, parent).exec() == QPrintDialog.DialogCode.Accepted

    def secret(
        self, parent: QWidget | None, title: str, text: str, *, confirm: bool = False, minimum: int = 1
    ) -> str | None:
        """A secret typed without echo (a token PIN, an export passphrase; issue 17); None if cancelled."""
        from console.gui.secretdialog import SecretDialog

        dialog = SecretDialog(parent, title, text, confirm=confirm, minimum=minimum)
        try:
            dialog.exec()
            return dialog.answer()
        finally:
            dialog.deleteLater()


_current: Dialogs = Dialogs()


def dialogs() -> Dialogs:
    """The dialogs in use (the real ones unless a test installed others)."""
    return _current


def set_dialogs(replacement: Dialogs) -> Dialogs:
    """Install other dialogs (tests); returns the previous ones so they can be put back."""
    global _current
    previous, _current = _current, replacement
    return previous


def report_error(parent: QWidget | None, exc: BaseException) -> None:
    """Show `exc` to the officer the one way the console does it (see the module docstring)."""
    if isinstance(exc, UserCancelled):
        logger.debug("cancelled: %s", exc)
        return
    if isinstance(exc, DatabaseError):  # the disk or the file, not a bug: say what to do
        logger.error("office database error: %s", exc)
        exc = StorageError(
            QCoreApplication.translate(
                "Dialogs",
                "The office database is damaged or unreadable ({error}); nothing was changed. Restore it from backup "
                "or ask your administrator.",
            ).format(error=exc)
        )
    if isinstance(exc, ConsoleError):
        logger.info("reported to the officer: %s: %s", type(exc).__name__, exc)
        from console.gui.texts import error_text

        dialogs().error(parent, QCoreApplication.translate("Dialogs", "Cannot do this"), error_text(exc))
        return
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    logger.error("unexpected error (a bug):\n%s", details)
    dialogs().crash(
        parent,
        QCoreApplication.translate(
            "Dialogs",
            "Something went wrong inside the console. This is a bug, not something you did. Your last action may "
            "not have been saved; check it, and report the details below to your administrator.",
        ),
        details,
    )


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    if value.__traceback__ is None:
        value = value.with_traceback(tb)
    report_error(None, value)


def install_excepthook() -> None:
    """Route exceptions that escape slots (Qt would only print them) into `report_error`."""
    sys.excepthook = _excepthook
