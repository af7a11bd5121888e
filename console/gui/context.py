"""What every screen of a logged-in officer shares: the session, the task runner, the office and its facts.

Screens never talk to each other directly; they ask the context to navigate (`navigate_requested`) and
report failures through `fail`, which turns an expired session into a return to the login screen.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from console.core.accounts import Session
from console.core.errors import SessionExpired
from console.core.office import Office
from console.core.roles import Permission, allows
from console.gui.dialogs import report_error
from console.gui.reads import OfficeInfo
from console.gui.tasks import TaskRunner

logger = logging.getLogger(__name__)


class Context(QObject):
    """The logged-in officer's working context (one per login; dropped when the session locks)."""

    session_expired = Signal(str)
    navigate_requested = Signal(str, object)  # page key, payload (e.g. an ID number)
    data_changed = Signal(str)  # "citizens", "credentials", "requests", "reviews": screens refresh

    def __init__(
        self, runner: TaskRunner, office: Office, info: OfficeInfo, session: Session, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.office = office
        self.info = info
        self.session = session
        self.expired = False

    def allows(self, *permissions: Permission) -> bool:
        """True when the officer's role holds any of `permissions` (what to show; the core still decides)."""
        return any(allows(self.session.role, p) for p in permissions)

    def fail(self, parent: QWidget | None, exc: BaseException) -> None:
        """The failure path of every task a screen starts."""
        if isinstance(exc, SessionExpired):
            # Several jobs may find the session over; the first sentence (the reason) is the one shown.
            if not self.expired:
                self.expired = True
                logger.info("session ended: %s", exc)
                self.session_expired.emit(str(exc))
            return
        report_error(parent, exc)

    def navigate(self, page: str, payload: Any = None) -> None:
        self.navigate_requested.emit(page, payload)
