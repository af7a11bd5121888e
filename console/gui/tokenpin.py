"""The PIN of a token-held office key, asked on the GUI thread when a worker thread signs (issue 17).

The core asks for the PIN (``office.token_pin``) only when the token signs and no logged-in token session is
open, and it asks from whichever thread signs — in the console, a task runner's worker. A dialog can only run on
the GUI thread, so the worker blocks on a queued signal while the GUI thread shows `dialogs().secret(...)`; the
core holds its token lock meanwhile, so one PIN is asked at a time. Cancel stops the work silently
(`UserCancelled`): nothing is signed. The PIN is handed to the token and not kept here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
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
        self._wanted.connect(self._on_wanted, Qt.ConnectionType.BlockingQueuedConnection)

    def __call__(self) -> str:
        try:
            self._label = self._token()
        except Exception:  # only a name for the dialog's sentence: the token itself reports real problems
            self._label = ""
        if QThread.currentThread() is self.thread():
            self._on_wanted()
        else:
            self._wanted.emit()  # returns once the dialog on the GUI thread closed
        answer, self._answer = self._answer, None
        if answer is None:
            raise UserCancelled(self.tr("No PIN was given; nothing was signed."))
        return answer

    @Slot()
    def _on_wanted(self) -> None:
        label = self._label
        text = (
            self.tr("The office key is in the token {token}. Type the token's PIN to sign.").format(token=label)
            if label
            else self.tr("The office key is in a token. Type the token's PIN to sign.")
        )
        self._answer = dialogs().secret(self._window, self.tr("Token PIN"), text)
