"""The login screen: username and password, the core's sentences for wrong passwords and lockouts.

Unlocking an officer's keystore is an argon2id derivation (about half a second at the production preset), so
the login runs on the write queue (it also records the attempt) and the screen stays responsive meanwhile.

A card scanned while this screen shows (a keyboard-wedge scanner types the QR text and presses Enter into
whichever field has the focus) is not a login attempt: it would count as a wrong password, five scans would
lock the account, and an unknown-user attempt would write the card's text into the audit log. Text that
looks like a credential (long, Base45 alphabet only) is taken out of the field and verified instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.core import accounts, b45
from console.core.accounts import Session
from console.core.errors import AuthenticationError, ConsoleError
from console.core.office import Office
from console.demo import DemoAccount
from console.gui.dialogs import report_error
from console.gui.icons import icon
from console.gui.reads import OfficeInfo
from console.gui.tasks import TaskRunner
from console.gui.texts import role_name
from console.gui.widgets import hint_label

logger = logging.getLogger(__name__)

USERNAME_MAX = 32
# The fields take a whole QR code (at most 4,296 characters in alphanumeric mode), so that a scan arrives in
# full and is recognised instead of being cut to a username's or password's length.
SCAN_MAX = 4296
CREDENTIAL_MIN = 60  # a credential's QR text is some hundreds of characters; no officer types 60 of these
_BASE45 = frozenset(b45.ALPHABET)


def looks_like_credential(text: str) -> bool:
    """True for text a barcode scanner typed from a card: long and only Base45 (digits, A-Z, ``$%*+-./:`` and
    space). Passwords and usernames have lower-case letters or are far shorter."""
    text = text.strip()
    return len(text) >= CREDENTIAL_MIN and set(text) <= _BASE45


class LoginPage(QWidget):
    """Log in, or go and verify a card without logging in."""

    logged_in = Signal(object, str)  # Session, the officer's full name
    verify_requested = Signal()
    # A card's QR text was scanned into the login form: verify it (no login attempt was made).
    card_scanned = Signal(str)
    # A login attempt finished either way (tests wait on it).
    attempt_finished = Signal()

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._office: Office | None = None
        self._busy = False

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.card = QFrame()
        self.card.setObjectName("LoginCard")
        self.card.setMinimumWidth(420)
        self.card.setMaximumWidth(520)
        row.addWidget(self.card)
        self.demo_box = QFrame()
        self.demo_box.setObjectName("LoginCard")
        self.demo_box.hide()
        row.addWidget(self.demo_box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        layout = QVBoxLayout(self.card)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(10)
        logo = QLabel()
        logo.setPixmap(icon("app").pixmap(56, 56))
        logo.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(logo)
        self.title = QLabel(self.tr("ID Console"))
        self.title.setObjectName("LoginTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.subtitle = hint_label("")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.subtitle)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.username = QLineEdit()
        self.username.setAccessibleName(self.tr("Username"))
        self.username.setPlaceholderText(self.tr("e.g. clerk"))
        self.username.setMaxLength(SCAN_MAX)  # checked on submit; a scanned card must arrive whole
        self.password = QLineEdit()
        self.password.setAccessibleName(self.tr("Password"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(SCAN_MAX)
        form.addRow(self.tr("&Username"), self.username)
        form.addRow(self.tr("&Password"), self.password)
        layout.addLayout(form)

        self.message = hint_label("", "error")
        self.message.setAccessibleName(self.tr("Login message"))
        self.message.hide()
        layout.addWidget(self.message)

        self.login_button = QPushButton(icon("login"), self.tr("Log in"))
        self.login_button.setDefault(True)
        self.login_button.setAutoDefault(True)
        self.login_button.clicked.connect(self.submit)
        layout.addWidget(self.login_button)
        self.verify_button = QPushButton(icon("verify"), self.tr("Verify a card without logging in"))
        self.verify_button.setToolTip(self.tr("Check a card's QR code: scanner, picture or PDF"))
        self.verify_button.clicked.connect(self.verify_requested)
        layout.addWidget(self.verify_button)

        self.username.returnPressed.connect(self._on_username_return)
        self.password.returnPressed.connect(self.submit)
        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.login_button)
        self.setTabOrder(self.login_button, self.verify_button)
        self._set_enabled(False)

    # --------------------------------------------------------------------------------------------- set-up
    def set_office(self, office: Office, info: OfficeInfo) -> None:
        self._office = office
        self.title.setText(info.authority_name)
        self.subtitle.setText(self.tr("{office} ({code})").format(office=info.office_name, code=info.office_code))
        self._set_enabled(True)
        self.username.setFocus()

    def show_demo_accounts(self, demo_accounts: Sequence[DemoAccount]) -> None:
        """Demo mode only: list the sample officers with their (public) passwords; a click fills the form."""
        if self.demo_box.layout() is not None:
            return
        layout = QVBoxLayout(self.demo_box)
        layout.setContentsMargins(20, 20, 20, 20)
        heading = QLabel(self.tr("Demo office"))
        heading.setObjectName("LoginTitle")
        layout.addWidget(heading)
        layout.addWidget(
            hint_label(
                self.tr(
                    "Sample data only. Click an officer to fill in the form. Each role sees different screens; "
                    "a supervisor cannot approve their own requests."
                )
            )
        )
        table = QTableWidget(len(demo_accounts), 3)
        table.setObjectName("DemoAccounts")
        table.setAccessibleName(self.tr("Demo officers"))
        table.setHorizontalHeaderLabels([self.tr("Username"), self.tr("Role"), self.tr("Password")])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        for row, account in enumerate(demo_accounts):
            for column, text in enumerate((account.username, role_name(account.role), account.password)):
                table.setItem(row, column, QTableWidgetItem(text))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        table.setFixedHeight(
            table.horizontalHeader().height() + 4 + sum(table.rowHeight(r) for r in range(len(demo_accounts)))
        )
        table.setMinimumWidth(360)
        accounts_by_row = list(demo_accounts)

        def fill(row: int, _column: int) -> None:
            self.username.setText(accounts_by_row[row].username)
            self.password.setText(accounts_by_row[row].password)
            self.login_button.setFocus()

        table.cellClicked.connect(fill)
        layout.addWidget(table)
        layout.addStretch(1)
        self.demo_box.show()

    def show_message(self, text: str) -> None:
        """A sentence above the login button (why the session ended, why the login failed)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def reset(self, username: str = "", message: str = "") -> None:
        """Back to an empty form (after logout or lock), keeping the username for convenience."""
        self.username.setText(username)
        self.password.clear()
        self.show_message(message)
        (self.password if username else self.username).setFocus()

    # --------------------------------------------------------------------------------------------- login
    def _on_username_return(self) -> None:
        if looks_like_credential(self.username.text()):
            self.submit()
        else:
            self.password.setFocus()

    def _take_scan(self) -> str | None:
        """The QR text of a card scanned into either field, taken out of it; None when there is none."""
        for field in (self.username, self.password):
            if looks_like_credential(field.text()):
                text = field.text().strip()
                field.clear()
                return text
        return None

    def submit(self) -> None:
        if self._busy or self._office is None:
            return
        scanned = self._take_scan()
        if scanned is not None:
            logger.info("a card was scanned into the login form; verifying it instead of logging in")
            self.show_message("")
            self.card_scanned.emit(scanned)
            return
        username = self.username.text().strip()
        password = self.password.text()
        if len(username) > USERNAME_MAX:
            self.show_message(self.tr("A username has at most {count} characters.").format(count=USERNAME_MAX))
            self.username.setFocus()
            return
        if not username or not password:
            self.show_message(self.tr("Enter your username and password."))
            (self.username if not username else self.password).setFocus()
            return
        self._busy = True
        self._set_enabled(False)
        self.login_button.setText(self.tr("Unlocking your keys…"))
        self.show_message("")
        self._runner.write("login", login_officer, self._office, username, password).then(
            self, self._on_login_succeeded, self._on_login_failed
        )

    def _on_login_succeeded(self, result: object) -> None:
        self._done()
        assert isinstance(result, tuple)
        session, full_name = result
        assert isinstance(session, Session)
        self.password.clear()
        self.logged_in.emit(session, full_name)
        self.attempt_finished.emit()

    def _on_login_failed(self, exc: BaseException) -> None:
        self._done()
        self.password.clear()
        if isinstance(exc, AuthenticationError):  # wrong password (tries left), locked (until when), unknown
            self.show_message(str(exc))
            self.password.setFocus()
        elif isinstance(exc, ConsoleError):
            self.show_message(str(exc))
        else:
            report_error(self, exc)
        self.attempt_finished.emit()

    def _done(self) -> None:
        self._busy = False
        self._set_enabled(True)
        self.login_button.setText(self.tr("Log in"))

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.username, self.password, self.login_button):
            widget.setEnabled(enabled)
        self.verify_button.setEnabled(self._office is not None)


def login_officer(office: Office, username: str, password: str) -> tuple[Session, str]:
    """Log in (argon2id unlock; write queue) and read the officer's full name for the header."""
    session = accounts.login(office, username, password)
    return session, str(office.officer_row(username)["full_name"] or "")
