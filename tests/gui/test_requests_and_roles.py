"""Four-eyes requests through the screens, lockout at the login screen, and what each role can reach."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from console.core import issuance, registry
from console.core.accounts import Session
from console.core.registry import PersonInput
from console.gui.pages.approvals import ApprovalsPage
from console.gui.pages.requests import RequestsPage
from console.gui.pages.verify import VerifyPage
from console.gui.window import ConsoleWindow
from tests.gui.conftest import TASK_TIMEOUT_MS, FakeDialogs, activate

LEFT = Qt.MouseButton.LeftButton


def issued_card(session: Session) -> tuple[str, str]:
    """A registered person with a credential: (ID number, QR text)."""
    result = registry.register(session, PersonInput("Ivanova", "Anna", "1985-03-02", "F", "RUS"))
    number = result["id_number"]
    return number, issuance.issue(session, number).qr


def select_first_row(qtbot: Any, table: Any) -> None:
    table.selectRow(0)
    qtbot.waitUntil(lambda: table.selectionModel().hasSelection(), timeout=TASK_TIMEOUT_MS)


def test_clerk_requests_a_different_supervisor_approves_verify_says_revoked(
    qtbot: Any, window: ConsoleWindow, log_in: Any, session_of: Any, fake_dialogs: FakeDialogs
) -> None:
    number, qr = issued_card(session_of("clerk"))

    workspace = log_in("clerk")
    assert workspace.page("approvals") is None  # a clerk has no approval queue...
    activate(qtbot, window)
    assert workspace.allowed[-1] == "verify"
    qtbot.keyClick(workspace, getattr(Qt.Key, f"Key_{len(workspace.allowed)}"), Qt.KeyboardModifier.ControlModifier)
    assert workspace.current_key() == "verify"  # ...Ctrl+N is simply the Nth screen they have
    assert not workspace.open("approvals")
    assert "approvals" not in [
        workspace.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(workspace.nav.count())
    ]

    assert workspace.open("requests", number)
    page = workspace.page("requests")
    assert isinstance(page, RequestsPage)
    page.action.setCurrentIndex(page.action.findData("revoke"))
    qtbot.keyClicks(page.reason, "Card reported stolen; police report 2026/114.")
    with qtbot.waitSignal(page.request_created, timeout=TASK_TIMEOUT_MS) as created:
        qtbot.mouseClick(page.submit_button, LEFT)
    request_id = created.args[0]["request_id"]
    assert page.banner.kind == "success"

    with qtbot.waitSignal(window.locked, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(workspace.lock_button, LEFT)
    assert window.stack.currentWidget() is window.login_page
    assert window.login_page.username.text() == "clerk"

    workspace = log_in("super")
    approvals = workspace.page("approvals")
    assert isinstance(approvals, ApprovalsPage)
    workspace.open("approvals")
    qtbot.waitUntil(lambda: approvals.request_model.rowCount() == 1, timeout=TASK_TIMEOUT_MS)
    assert (approvals.request_model.row_at(0) or {})["request_id"] == request_id
    select_first_row(qtbot, approvals.request_table)
    qtbot.mouseClick(approvals.reject_button, LEFT)  # rejecting needs a note: nothing is sent without one
    assert approvals.banner.kind == "error" and approvals.request_note.property("invalid") is True
    qtbot.keyClicks(approvals.request_note, "Police report seen.")
    # Revoking is permanent: the supervisor confirms first, and saying no decides nothing.
    fake_dialogs.confirm_answer = False
    qtbot.mouseClick(approvals.approve_button, LEFT)
    kind, title, text = fake_dialogs.shown[-1]
    assert kind == "confirm" and "for good" in title and "permanently" in text
    qtbot.wait(50)
    assert approvals.request_model.rowCount() == 1 and approvals.approve_button.isEnabled()
    fake_dialogs.confirm_answer = True
    with qtbot.waitSignal(approvals.decided, timeout=TASK_TIMEOUT_MS) as decided:
        qtbot.mouseClick(approvals.approve_button, LEFT)
    assert decided.args[0]["credential_status"] == "revoked"

    workspace.open("verify")
    verify = workspace.page("verify")
    assert isinstance(verify, VerifyPage)
    with qtbot.waitSignal(verify.verified, timeout=TASK_TIMEOUT_MS) as verdict:
        qtbot.keyClicks(verify.scan, qr)
        qtbot.keyClick(verify.scan, Qt.Key.Key_Return)
    assert verdict.args[0].status == "revoked"
    assert verify.verdict_title.text() == "REVOKED"
    assert verify.verdict.property("kind") == "invalid"
    assert "Do not accept" in verify.verdict_advice.text()
    assert "crash" not in fake_dialogs.kinds()


def test_supervisor_cannot_approve_own_request_and_sees_why(
    qtbot: Any, window: ConsoleWindow, log_in: Any, session_of: Any
) -> None:
    number, _ = issued_card(session_of("clerk"))
    workspace = log_in("super")
    workspace.open("requests", number)
    page = workspace.page("requests")
    assert isinstance(page, RequestsPage)
    page.action.setCurrentIndex(page.action.findData("suspend"))
    qtbot.keyClicks(page.reason, "Holder reports the card lost.")
    with qtbot.waitSignal(page.request_created, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(page.submit_button, LEFT)

    approvals = workspace.page("approvals")
    assert isinstance(approvals, ApprovalsPage)
    workspace.open("approvals")
    qtbot.waitUntil(lambda: approvals.request_model.rowCount() == 1, timeout=TASK_TIMEOUT_MS)
    select_first_row(qtbot, approvals.request_table)
    assert "another supervisor" in approvals.request_detail.text()
    qtbot.mouseClick(approvals.approve_button, LEFT)
    qtbot.waitUntil(lambda: approvals.banner.kind == "error", timeout=TASK_TIMEOUT_MS)
    assert "four-eyes" in approvals.banner.text.text()  # the core's own sentence


def test_wrong_passwords_then_lockout(qtbot: Any, window: ConsoleWindow) -> None:
    page = window.login_page

    def attempt(password: str) -> str:
        page.username.clear()
        qtbot.keyClicks(page.username, "clerk")
        qtbot.keyClicks(page.password, password)
        with qtbot.waitSignal(page.attempt_finished, timeout=TASK_TIMEOUT_MS):
            qtbot.keyClick(page.password, Qt.Key.Key_Return)
        return page.message.text()

    assert "4 tries left" in attempt("not-the-password")
    assert page.password.text() == ""
    for left in (3, 2, 1):
        assert f"{left} tr" in attempt("still-not-it")
    locked = attempt("nope-again-123")
    assert "locked" in locked and "15 minutes" in locked
    # Even the right password is refused while the account is locked, with the time it ends.
    assert "until" in attempt("cedar-river-2718")
    assert window.workspace is None


def test_auditor_and_administrator_see_only_their_screens(window: ConsoleWindow, log_in: Any) -> None:
    auditor = log_in("auditor")
    assert auditor.allowed == [
        "dashboard",
        "citizens",
        "requests",
        "officers",
        "settings",
        "audit",
        "ledger",
        "offices",
        "verify",
    ]
    requests_page = auditor.page("requests")
    assert isinstance(requests_page, RequestsPage)
    assert requests_page.form_box.isHidden()  # reads requests, cannot make them
    window.lock("")
    admin = log_in("admin")
    assert admin.allowed == ["dashboard", "officers", "settings", "keys", "audit", "ledger", "offices", "verify"]
