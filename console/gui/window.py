"""The console's one window: start-up, login, the officer's workspace, and locking.

States: *start* (opening the office, or building the demo with progress) → *login* (or *verify* without
login) → *workspace* (one per login) → back to *login* on lock, idle time-out or an expired session. The
workspace and everything in it are dropped on lock, so no screen keeps data of the previous officer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.core.accounts import Session
from console.core.hsm import missing_pin
from console.core.keystore import KdfLimits
from console.core.office import Office
from console.core.roles import Permission
from console.demo import DemoInfo, ensure_demo_office
from console.gui import prefs, reads
from console.gui.context import Context
from console.gui.dialogs import dialogs, report_error
from console.gui.icons import icon
from console.gui.idle import IdleGuard
from console.gui.login import LoginPage
from console.gui.pages.approvals import ApprovalsPage
from console.gui.pages.cards import CardsPage
from console.gui.pages.citizens import CitizensPage
from console.gui.pages.register import RegisterPage
from console.gui.pages.requests import RequestsPage
from console.gui.pages.verify import VerifyPage
from console.gui.tasks import Task, TaskRunner
from console.gui.texts import role_name
from console.gui.tokenpin import TokenPinPrompt, token_label

logger = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1180, 760)
MAX_NUMBERED = 9  # Ctrl+1 … Ctrl+9 reach the first nine screens of the navigation list
# Smaller than this (or than the screen, if that is smaller) a saved geometry is not restored: the forms and
# the card preview need the room, and a sliver of a window looks like a console that did not start.
MIN_USEFUL_SIZE = QSize(800, 540)


class StartPage(QWidget):
    """Shown while the office opens or the demo is built, and when there is no office to open."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.logo = QLabel()
        self.logo.setPixmap(icon("app").pixmap(72, 72))
        self.logo.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.logo)
        self.title = QLabel(self.tr("Opening the office…"))
        self.title.setObjectName("LoginTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.title)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setMinimumWidth(480)
        self.text.setMaximumWidth(620)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.text)
        row.addStretch(1)
        layout.addLayout(row)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(420)
        self.progress.setTextVisible(False)
        self.progress.hide()
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.progress)
        bar.addStretch(1)
        layout.addLayout(bar)
        layout.addStretch(2)

    def show_progress(self, title: str, text: str, done: int = 0, total: int = 0) -> None:
        self.title.setText(title)
        self.text.setText(text)
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.setVisible(True)

    def show_problem(self, title: str, text: str) -> None:
        self.title.setText(title)
        self.text.setText(text)
        self.progress.hide()


def page_factories() -> dict[str, Callable[[Context], QWidget]]:
    """How each screen is built from the officer's context (imported here, on first use, not at start-up)."""
    from console.gui.pages.audit import AuditPage
    from console.gui.pages.dashboard import DashboardPage
    from console.gui.pages.importer import ImportPage
    from console.gui.pages.keys import KeysPage
    from console.gui.pages.ledger import LedgerPage, OfficesPage
    from console.gui.pages.officers import OfficersPage
    from console.gui.pages.printing import PrintingPage
    from console.gui.pages.settings import SettingsPage

    return {
        "dashboard": DashboardPage,
        "register": RegisterPage,
        "import": ImportPage,
        "citizens": CitizensPage,
        "cards": CardsPage,
        "printing": PrintingPage,
        "requests": RequestsPage,
        "approvals": ApprovalsPage,
        "officers": OfficersPage,
        "settings": SettingsPage,
        "keys": KeysPage,
        "audit": AuditPage,
        "ledger": LedgerPage,
        "offices": OfficesPage,
        "verify": lambda ctx: VerifyPage(ctx.runner, ctx.office, ctx.info.scheme),
    }


class Workspace(QWidget):
    """Header, navigation and the screens the officer's role allows."""

    lock_requested = Signal()

    # (key, icon, permissions: any of them shows the screen; empty = everyone logged in), in navigation order.
    # A screen another branch adds (the ledger's "ledger" and "offices") slots in with one row here and one
    # factory in `page_factories()`; the shortcuts and the F1 help follow the list.
    PAGES: tuple[tuple[str, str, tuple[Permission, ...]], ...] = (
        ("dashboard", "dashboard", ()),
        ("register", "register", (Permission.CITIZEN_REGISTER,)),
        ("import", "import", (Permission.CITIZEN_REGISTER,)),
        ("citizens", "citizens", (Permission.CITIZEN_READ,)),
        ("cards", "card", (Permission.CREDENTIAL_ISSUE, Permission.CARD_PRINT)),
        ("printing", "print", (Permission.CARD_PRINT,)),
        ("requests", "requests", (Permission.REQUEST_CREATE, Permission.REQUEST_READ)),
        ("approvals", "approvals", (Permission.REQUEST_DECIDE, Permission.REVIEW_DECIDE)),
        ("officers", "officer", (Permission.OFFICER_READ,)),
        ("settings", "settings", (Permission.OFFICER_READ,)),
        ("keys", "key", (Permission.KEY_MANAGE,)),
        ("audit", "audit", (Permission.AUDIT_READ,)),
        ("ledger", "ledger", (Permission.SYNC_RUN, Permission.LEDGER_VERIFY)),
        ("offices", "offices", (Permission.OFFICER_READ,)),
        ("verify", "verify", ()),
    )

    def page_titles(self) -> dict[str, str]:
        return {
            "dashboard": self.tr("Dashboard"),
            "register": self.tr("Register"),
            "import": self.tr("Import"),
            "citizens": self.tr("Citizens"),
            "cards": self.tr("Issue and print"),
            "printing": self.tr("Printing"),
            "requests": self.tr("Requests"),
            "approvals": self.tr("Approvals"),
            "officers": self.tr("Officers"),
            "settings": self.tr("Settings"),
            "keys": self.tr("Office keys"),
            "audit": self.tr("Audit trail"),
            "ledger": self.tr("Shared ledger"),
            "offices": self.tr("Offices"),
            "verify": self.tr("Verify a card"),
        }

    def __init__(self, ctx: Context, demo: bool, full_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        # The screens this role has, in navigation order; each is built the first time it is shown, so the
        # login does not pay for screens the officer may not open.
        self.allowed: list[str] = []
        self.pages: dict[str, QWidget] = {}
        self._prebuild_queue: list[str] = []
        self._prebuild_timer = QTimer(self)
        self._prebuild_timer.setSingleShot(True)
        self._prebuild_timer.timeout.connect(self._prebuild_next)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        header = QFrame()
        header.setObjectName("Header")
        head = QHBoxLayout(header)
        head.setContentsMargins(14, 8, 10, 8)
        title = QLabel(f"{ctx.info.authority_name} · {ctx.info.office_name}")
        title.setObjectName("HeaderTitle")
        head.addWidget(title)
        if demo:
            badge = QLabel(self.tr("DEMO"))
            badge.setStyleSheet("background:#B48A2C;color:white;border-radius:4px;padding:1px 6px;font-weight:600;")
            head.addWidget(badge)
        head.addStretch(1)
        self.officer_label = QLabel(
            self.tr("{name} · {role}").format(
                name=full_name or ctx.session.username, role=role_name(ctx.session.role.value)
            )
        )
        self.officer_label.setToolTip(self.tr("Logged in as {username}").format(username=ctx.session.username))
        self.officer_label.setAccessibleName(self.tr("Logged-in officer"))
        head.addWidget(self.officer_label)
        self.lock_button = QToolButton()
        self.lock_button.setText(self.tr("Lock"))
        self.lock_button.setIcon(icon("lock"))
        self.lock_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.lock_button.setToolTip(self.tr("Lock the console and log out (Ctrl+L)"))
        self.lock_button.clicked.connect(self.lock_requested)
        head.addWidget(self.lock_button)
        layout.addWidget(header)
        if ctx.session.log_fault:  # the start-up check of the office's signed log failed at this login
            from console.gui.widgets import Banner

            self.log_alarm = Banner()
            self.log_alarm.setObjectName("LogAlarm")
            self.log_alarm.show_message(
                "error",
                self.tr("The office's signed log does not check out: changes are refused"),
                self.tr(
                    "{fault} You can look and verify (Shared ledger); restore office.db from a backup or rebuild "
                    "the office from the ledger."
                ).format(fault=ctx.session.log_fault),
            )
            layout.addWidget(self.log_alarm)

        body = QHBoxLayout()
        body.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("Nav")
        self.nav.setAccessibleName(self.tr("Screens"))
        self.nav.setFixedWidth(200)
        self.nav.setIconSize(QSize(20, 20))
        self.stack = QStackedWidget()
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        layout.addLayout(body, 1)

        titles = self.page_titles()
        for key, icon_name, permissions in self.PAGES:
            if permissions and not ctx.allows(*permissions):
                continue
            self.allowed.append(key)
            number = len(self.allowed)
            item = QListWidgetItem(icon(icon_name), titles[key])
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(
                self.tr("{title} (Ctrl+{number})").format(title=titles[key], number=number)
                if number <= MAX_NUMBERED
                else titles[key]
            )
            self.nav.addItem(item)
            if number <= MAX_NUMBERED:
                QShortcut(QKeySequence(f"Ctrl+{number}"), self, lambda k=key: self.open(k))
        self.nav.currentRowChanged.connect(self._on_nav_row)
        QShortcut(QKeySequence("Ctrl+L"), self, self.lock_requested.emit)
        QShortcut(QKeySequence("Ctrl+N"), self, lambda: self.open("register"))
        QShortcut(QKeySequence.StandardKey.Find, self, self._find)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self.refresh_current)
        QShortcut(QKeySequence.StandardKey.HelpContents, self, self.show_shortcuts)
        ctx.navigate_requested.connect(self.open)
        if ctx.allows(Permission.SYNC_RUN):  # the ledger syncs on a timer while the console is open (ledger issue)
            from console.gui.pages.ledger import syncer_for

            self.syncer = syncer_for(ctx)
        self.nav.setCurrentRow(0)

    def _build(self, key: str) -> QWidget:
        return page_factories()[key](self.ctx)

    #: Pause before the first screen is built ahead, and between two (time for the officer's own clicks).
    PREBUILD_DELAY_MS = 1200
    PREBUILD_GAP_MS = 250
    #: Built first: the screen each role came for (a supervisor's approvals, an administrator's officers, an
    #: auditor's trail), then searching and verifying; the rest follow in navigation order.
    PREBUILD_FIRST = ("approvals", "officers", "audit", "citizens", "verify")

    def start_prebuilding(self) -> None:
        """Build the role's other screens ahead, one per quiet moment, so that none is built when first clicked.

        Building a screen's widgets must happen on the GUI thread (Qt widgets) and took 20–55 ms of CPU each
        on the build machine; done when the officer clicks, the first opening stalled for that plus whatever
        the loaded machine added (382–565 ms measured, docs/performance.md). Here each screen is built on its
        own timer tick, only while no background task is running (its first reads then do not compete with
        another screen's for the interpreter), in navigation order. A screen the officer opens first is simply
        skipped; locking deletes the workspace and its timer with it.
        """
        first = [key for key in self.PREBUILD_FIRST if key in self.allowed]
        self._prebuild_queue = [key for key in first + self.allowed if key not in self.pages]
        self._prebuild_timer.start(self.PREBUILD_DELAY_MS)

    def _prebuild_next(self) -> None:
        if self.ctx.runner.active:  # a read or job is under way: wait for a quiet moment
            self._prebuild_timer.start(self.PREBUILD_GAP_MS)
            return
        while self._prebuild_queue:
            key = self._prebuild_queue.pop(0)
            if key not in self.pages:
                self.page(key)
                break
        if self._prebuild_queue:
            self._prebuild_timer.start(self.PREBUILD_GAP_MS)

    def page(self, key: str) -> Any:
        """The screen `key` (built on first use), or None when the role does not have it."""
        if key not in self.allowed:
            return None
        if key not in self.pages:
            page = self._build(key)
            self.pages[key] = page
            self.stack.addWidget(page)
        return self.pages[key]

    def current_key(self) -> str:
        item = self.nav.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""

    def open(self, key: str, payload: Any = None) -> bool:
        """Show a screen (and hand it `payload`); False when the role has no such screen."""
        page = self.page(key)
        if page is None:
            return False
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(row)
        if payload:
            if isinstance(page, CardsPage):
                page.open_person(str(payload))
            elif isinstance(page, CitizensPage):
                page.show_person(str(payload))
            elif isinstance(page, RequestsPage):
                page.prefill(str(payload))
        return True

    def _on_nav_row(self, row: int) -> None:
        item = self.nav.item(row)
        if item is None:
            return
        page = self.page(str(item.data(Qt.ItemDataRole.UserRole)))
        self.stack.setCurrentWidget(page)
        focus = getattr(page, "focus_first", None)
        if callable(focus):
            focus()

    def _find(self) -> None:
        if self.open("citizens"):
            page = self.page("citizens")
            assert isinstance(page, CitizensPage)
            page.focus_search()

    def refresh_current(self) -> None:
        page = self.stack.currentWidget()
        refresh = getattr(page, "refresh", None)
        if callable(refresh):
            refresh()

    def shortcut_lines(self) -> list[str]:
        """The shortcuts this officer can use: only screens and actions their role has."""
        allowed = set(self.allowed)
        lines = [self.tr("Ctrl+1 … Ctrl+{n}: switch screens").format(n=min(len(self.allowed), MAX_NUMBERED))]
        if "register" in allowed:
            lines.append(self.tr("Ctrl+N: register a citizen"))
        if "citizens" in allowed:
            lines.append(self.tr("Ctrl+F: find a citizen"))
        if allowed & {"register", "requests"} and self.ctx.allows(Permission.REQUEST_CREATE):
            lines.append(self.tr("Ctrl+Enter: submit the form"))
        if "cards" in allowed:
            if self.ctx.allows(Permission.CREDENTIAL_ISSUE):
                lines.append(self.tr("Ctrl+I: issue a credential · Ctrl+P: print · Ctrl+S: save PDF"))
            else:
                lines.append(self.tr("Ctrl+P: print · Ctrl+S: save PDF"))
        lines.append(self.tr("Ctrl+O: open a picture or PDF to verify"))
        lines.append(self.tr("F5: refresh · Ctrl+L: lock"))
        return lines

    def show_shortcuts(self) -> None:
        dialogs().information(self, self.tr("Keyboard shortcuts"), "\n".join(self.shortcut_lines()))


class ConsoleWindow(QMainWindow):
    """The main window and its states (see the module docstring)."""

    # The office is open and the login screen shows (benchmarks and tests wait on it).
    login_ready = Signal()
    # A workspace was built for a logged-in officer.
    workspace_ready = Signal(object)
    # The session ended (lock, idle time-out, expiry) with this sentence.
    locked = Signal(str)
    # Build the role's screens ahead after login (Workspace.start_prebuilding); the console turns it on
    # (app.run), tests that count tasks or time a screen's first opening leave it off.
    prebuild_screens = False

    def __init__(
        self,
        runner: TaskRunner,
        data_dir: Path,
        *,
        demo: bool = False,
        kdf: KdfLimits,
        idle_seconds: float | None = None,
        office: Office | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.data_dir = data_dir
        self.demo = demo
        self.kdf = kdf
        self.idle_override = idle_seconds
        self.office: Office | None = None
        self._given_office = office
        self.info: reads.OfficeInfo | None = None
        self.demo_info: DemoInfo | None = None
        self.ctx: Context | None = None
        self.workspace: Workspace | None = None
        self.idle: IdleGuard | None = None
        self.verify_page: VerifyPage | None = None
        self._last_username = ""

        self.setWindowTitle(self.tr("ID Console"))
        self.setWindowIcon(icon("app"))
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.start_page = StartPage()
        self.login_page = LoginPage(runner)
        self.stack.addWidget(self.start_page)
        self.stack.addWidget(self.login_page)
        self.login_page.logged_in.connect(self._on_logged_in)
        self.login_page.verify_requested.connect(self.show_standalone_verify)
        self.login_page.card_scanned.connect(self._on_card_scanned)
        self._build_status_bar()
        self._restore_geometry()

    # ----------------------------------------------------------------------------------------- start-up
    def start(self) -> None:
        """Open the office (building the demo first in demo mode), then show the login screen."""
        if self.demo:
            self.start_page.show_progress(
                self.tr("Preparing the demo office…"),
                self.tr("Creating a sample authority, officers and a few hundred citizens. This takes a few seconds."),
            )
            data_dir, kdf = self.data_dir, self.kdf

            def build(progress: Any, cancel: Any) -> DemoInfo:  # a few seconds; cannot stop halfway
                return ensure_demo_office(data_dir, kdf=kdf, progress=progress)

            task = self.runner.write("demo office", build, progress=True, cancellable=False)
            task.progressed.connect(self._on_demo_progress)
            task.then(self, self._on_demo_ready, self._on_open_failed)
        else:
            self.start_page.show_progress(self.tr("Opening the office…"), str(self.data_dir))
            self._open_office()

    def _on_demo_progress(self, done: int, total: int) -> None:
        self.start_page.progress.setRange(0, total)
        self.start_page.progress.setValue(done)

    def _on_demo_ready(self, info: Any) -> None:
        assert isinstance(info, DemoInfo)
        self.demo_info = info
        self.login_page.show_demo_accounts(info.accounts)
        self._open_office()

    def _open_office(self) -> None:
        given = self._given_office
        if given is not None:  # already open (tests): only read its facts
            self.runner.read("office info", lambda: (given, reads.office_info(given))).then(
                self, self._on_office_opened, self._on_open_failed
            )
            return
        self.runner.write("open office", reads.open_office, self.data_dir, self.kdf).then(
            self, self._on_office_opened, self._on_open_failed
        )

    def _on_office_opened(self, result: Any) -> None:
        office, info = result
        self.office, self.info = office, info
        if office.token_pin is missing_pin:  # issue 17: a token-held office key asks its PIN in a dialog
            office.token_pin = TokenPinPrompt(self, lambda: token_label(office))
        self.login_page.set_office(office, info)
        title = self.tr("ID Console — {office}").format(office=info.office_name)
        self.setWindowTitle(title + (self.tr(" (demo)") if self.demo else ""))
        self.stack.setCurrentWidget(self.login_page)
        self.login_page.username.setFocus()
        self.login_ready.emit()

    def _on_open_failed(self, exc: BaseException) -> None:
        from console.core.errors import ConsoleError

        if isinstance(exc, ConsoleError):
            self.start_page.show_problem(
                self.tr("No office to open"),
                str(exc)
                + "\n\n"
                + self.tr("To try the console with sample data, start it with: id-console gui --demo"),
            )
            return
        self.start_page.show_problem(self.tr("The office could not be opened"), str(exc))
        report_error(self, exc)

    # ----------------------------------------------------------------------------------------- verify
    def show_standalone_verify(self) -> None:
        """Verify a card without logging in (from the login screen)."""
        if self.office is None:
            return
        if self.verify_page is None:
            self.verify_page = VerifyPage(
                self.runner, self.office, self.info.scheme if self.info else "", standalone=True
            )
            self.verify_page.back_requested.connect(self.show_login)
            self.stack.addWidget(self.verify_page)
        self.stack.setCurrentWidget(self.verify_page)
        self.verify_page.focus_first()

    def _on_card_scanned(self, text: str) -> None:
        """A card was scanned into the login form: verify it on the verify screen, as the scan field would."""
        self.show_standalone_verify()
        if self.verify_page is not None:
            self.verify_page.check_text(text)

    def show_login(self) -> None:
        if self.verify_page is not None:  # the next person at the counter must not see the last holder
            self.verify_page.clear_verdict()
        self.stack.setCurrentWidget(self.login_page)
        self.login_page.reset(self._last_username, "")

    # ----------------------------------------------------------------------------------------- session
    def _on_logged_in(self, session: Session, full_name: str) -> None:
        assert self.office is not None and self.info is not None
        self._last_username = session.username
        self.ctx = Context(self.runner, self.office, self.info, session, self)
        self.ctx.session_expired.connect(self.lock)
        self.workspace = Workspace(self.ctx, self.demo, full_name)
        self.workspace.lock_requested.connect(lambda: self.lock(""))
        if self.prebuild_screens:
            self.workspace.start_prebuilding()
        self.stack.addWidget(self.workspace)
        self.stack.setCurrentWidget(self.workspace)
        timeout = self.idle_override if self.idle_override is not None else self.info.idle_minutes * 60.0
        self.idle = IdleGuard(timeout, session.touch, self)
        self.idle.timed_out.connect(self._on_idle)
        self.workspace_ready.emit(self.workspace)

    def _on_idle(self) -> None:
        minutes = max(1, round((self.idle.timeout_s if self.idle else 600) / 60))
        self.lock(self.tr("Locked after %n minute(s) without activity; log in again.", "", minutes))

    def lock(self, message: str = "") -> None:
        """End the session: forget the keys, stop its work, drop the workspace, show the login screen."""
        if self.ctx is not None:
            self.ctx.session.lock()
        # Jobs that can stop do (an import, printing); their late results are dropped with their screens.
        self.runner.cancel_all()
        self._clear_progress()
        if self.idle is not None:
            self.idle.stop()
            self.idle.deleteLater()
            self.idle = None
        if self.workspace is not None:
            self.stack.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None
        if self.ctx is not None:
            self.ctx.deleteLater()
            self.ctx = None
        self.stack.setCurrentWidget(self.login_page)
        self.login_page.reset(self._last_username, message)
        self.locked.emit(message)

    # ----------------------------------------------------------------------------------------- chrome
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.task_label = QLabel()
        self.task_progress = QProgressBar()
        self.task_progress.setMaximumWidth(220)
        self.task_progress.setTextVisible(False)
        self.task_cancel = QPushButton(icon("cancel"), self.tr("Cancel"))
        self.task_cancel.setFlat(True)
        self.task_cancel.clicked.connect(self._on_task_cancel_clicked)
        for widget in (self.task_label, self.task_progress, self.task_cancel):
            bar.addPermanentWidget(widget)
            widget.hide()
        self._progress_task: Task | None = None
        self.runner.progress_task_started.connect(self._on_progress_task)

    def _on_progress_task(self, task: Task) -> None:
        """The status bar follows the newest job that reports progress (with Cancel if it can stop)."""
        self._progress_task = task
        self.task_label.setText(self.tr("Working…"))
        self.task_progress.setRange(0, 0)
        self.task_label.show()
        self.task_progress.show()
        self.task_cancel.setVisible(task.cancellable)
        task.progressed.connect(lambda done, total: self._on_task_progress(task, done, total))
        task.finished.connect(lambda: self._on_progress_task_finished(task))

    def _on_task_progress(self, task: Task, done: int, total: int) -> None:
        if task is self._progress_task:
            self.task_progress.setRange(0, total)
            self.task_progress.setValue(done)

    def _on_progress_task_finished(self, task: Task) -> None:
        if task is self._progress_task:
            self._clear_progress()

    def _on_task_cancel_clicked(self) -> None:
        if self._progress_task is not None and self._progress_task.cancellable:
            self._progress_task.cancel()

    def _clear_progress(self) -> None:
        self._progress_task = None
        for widget in (self.task_label, self.task_progress, self.task_cancel):
            widget.hide()

    def _restore_geometry(self) -> None:
        """The size and place the window had last time, unless that would hide it or make it unusable
        (a damaged setting, a window shrunk to a sliver, a monitor that is no longer attached)."""
        geometry = prefs.recall("window/geometry")
        if isinstance(geometry, str) and geometry:  # base64, as closeEvent keeps it
            geometry = QByteArray.fromBase64(geometry.encode("ascii"))
        if isinstance(geometry, QByteArray | bytes) and geometry:
            if self.restoreGeometry(QByteArray(geometry)) and self._geometry_usable():
                return
            logger.info("saved window geometry not usable (%s); default size", self.geometry())
        self._default_geometry()

    def _geometry_usable(self) -> bool:
        if self.isMaximized() or self.isFullScreen():
            return True
        frame = self.geometry()
        screen = QGuiApplication.screenAt(QPoint(frame.center().x(), frame.top() + 8))  # the title bar
        if screen is None:
            return False
        available = screen.availableGeometry()
        least = MIN_USEFUL_SIZE.boundedTo(available.size() * 0.75)  # on a small screen, three quarters will do
        return frame.width() >= least.width() and frame.height() >= least.height()

    def _default_geometry(self) -> None:
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry()
        size = DEFAULT_SIZE.boundedTo(available.size())
        self.setWindowState(Qt.WindowState.WindowNoState)
        self.setGeometry(
            QStyle.alignedRect(Qt.LayoutDirection.LeftToRight, Qt.AlignmentFlag.AlignCenter, size, available)
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        # Written by the preferences' thread: a QSettings write here held the GUI thread 160-340 ms at quit
        # under load (lock file and fdatasync; bench_gui_session.py --stacks).
        prefs.remember("window/geometry", bytes(self.saveGeometry().toBase64().data()).decode("ascii"))
        if self.ctx is not None:
            self.ctx.session.lock()
        self.runner.cancel_all()
        super().closeEvent(event)
