"""The PIN of a token-held office key, asked on the GUI thread when a worker thread signs (issue 17).

The core asks for the PIN (``office.token_pin``) only when the token signs and no logged-in token session is
open, and it asks from whichever thread signs — in the console, a task runner's worker. A dialog can only run on
the GUI thread, so the worker queues a signal and waits while the GUI thread shows `dialogs().secret(...)` (and
gives up when the console quits: its event loop would never answer); the core holds its token lock meanwhile,
so one PIN is asked at a time. Cancel stops the work silently
(`UserCancelled`): nothing is signed. The PIN is handed to the token and not kept here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QWidget

from console.core import hsm
from console.core.errors import UserCancelled
from console.core.office import Office
from console.gui.dialogs import dialogs


def token_label(office: Office) -> str:
    """The label of the token that holds the office key ("" when it is in software); reads the settings."""
    place = hsm.read_place(office.setting(hsm.SETTING))
    return place.token if place is not None else ""


class TokenPinPrompt(QObject):
    """A callable for ``Office.token_pin`` that asks the officer for the PIN in a small no-echo dialog."""

    _wanted = Signal()

    def __init__(self, parent: QWidget, token: Callable[[], str] = lambda: "") -> None:
        """`token` names the token (its label), read on the thread that signs (it may read the database)."""
        super().__init__(parent)  # lives on the GUI thread, like its parent window
        self._window = parent
        self._token = token
        self._label = ""
        self._answer: str | None = None
        self._answered = threading.Event()
        # Set when the console quits or the window goes: a worker waiting for a PIN then gives up instead of
        # waiting for an event loop that will not run again (the runner's shutdown waits for its workers).
        closing = self._closing = threading.Event()
        parent.destroyed.connect(lambda *_: closing.set())
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(closing.set)
        self._wanted.connect(self._on_wanted, Qt.ConnectionType.QueuedConnection)

    def __call__(self) -> str:
        try:
            label = self._token()
        except Exception:  # only a name for the dialog's sentence: the token itself reports real problems
            label = ""
        self._label, self._answer = label, None
        if QThread.currentThread() is self.thread():
            self._ask()
        else:
            self._answered.clear()
            self._wanted.emit()  # the GUI thread asks; the core holds its token lock, so one PIN at a time
            while not self._answered.wait(0.1):
                if self._closing.is_set():
                    break
        answer, self._answer = self._answer, None
        if answer is None:
            # Not self.tr: when the window went, this object may be gone while its worker returns.
            raise UserCancelled(QCoreApplication.translate("TokenPinPrompt", "No PIN was given; nothing was signed."))
        return answer

    @Slot()
    def _on_wanted(self) -> None:
        try:
            self._ask()
        finally:
            self._answered.set()

    def _ask(self) -> None:
        label = self._label
        text = (
            self.tr("The office key is in the token {token}. Type the token's PIN to sign.").format(token=label)
            if label
            else self.tr("The office key is in a token. Type the token's PIN to sign.")
        )
        self._answer = dialogs().secret(self._window, self.tr("Token PIN"), text)
