"""Deciding with the person in front of you: the holder's name (both forms), photo, ID number and card number in
the approval list, its details and the confirmation dialogs; typing an ID number in Requests shows whose card it
is, and a wrong check digit reads as a likely typo."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from console.core import coding, issuance, registry, requests
from console.core.cardservice import document_number
from console.core.errors import ValidationError
from console.core.registry import PersonInput
from console.gui.pages.approvals import ApprovalsPage
from console.gui.pages.requests import RequestsPage
from console.gui.window import ConsoleWindow
from tests.gui.conftest import TASK_TIMEOUT_MS, FakeDialogs, wait_idle

LEFT = Qt.MouseButton.LeftButton


def holder_with_request(session_of: Any) -> tuple[str, str]:
    """张伟 (ZHANG WEI) with a card and a pending revocation asked by the clerk: (ID number, card number)."""
    clerk = session_of("clerk")
    number = registry.register(clerk, PersonInput("张", "伟", "1990-01-02", "M", "CHN"))["id_number"]
    issued = issuance.issue(clerk, number)
    requests.create_request(clerk, "revoke", number, "Card reported stolen.")
    return number, document_number(bytes.fromhex(issued.credential_id))


def test_approvals_show_and_confirm_with_the_holders_name(
    qtbot: Any, window: ConsoleWindow, log_in: Any, session_of: Any, fake_dialogs: FakeDialogs
) -> None:
    number, card = holder_with_request(session_of)
    workspace = log_in("super")
    workspace.open("approvals")
    approvals = workspace.page("approvals")
    assert isinstance(approvals, ApprovalsPage)
    qtbot.waitUntil(lambda: approvals.request_model.rowCount() == 1, timeout=TASK_TIMEOUT_MS)
    row = approvals.request_model.row_at(0) or {}
    assert row["holder"] == "张 伟" and row["card_number"] == card

    approvals.request_table.selectRow(0)
    qtbot.waitUntil(lambda: approvals.request_holder.holder is not None, timeout=TASK_TIMEOUT_MS)
    assert approvals.request_holder.name.text() == "张 伟"
    assert approvals.request_holder.latin.text() == "ZHANG WEI"
    assert card in approvals.request_holder.facts.text()
    assert "张 伟" in approvals.request_detail.text() and card in approvals.request_detail.text()

    fake_dialogs.confirm_answer = False
    qtbot.mouseClick(approvals.approve_button, LEFT)
    kind, _title, text = fake_dialogs.shown[-1]
    assert kind == "confirm" and "张 伟" in text and "ZHANG WEI" in text and card in text
    assert number[:4] in text

    fake_dialogs.confirm_answer = True
    with qtbot.waitSignal(approvals.decided, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(approvals.approve_button, LEFT)
    wait_idle(qtbot, window.runner)
    # The decided request left the list, and with it the person: the detail pane is empty again.
    assert approvals.request_model.rowCount() == 0
    assert approvals.request_holder.holder is None and approvals.request_holder.name.text() == ""
    assert "revoked" in approvals.banner.text.text()


def test_typing_an_id_number_in_requests_shows_whose_card_it_is(
    qtbot: Any, window: ConsoleWindow, log_in: Any, session_of: Any
) -> None:
    number, card = holder_with_request(session_of)
    workspace = log_in("clerk")
    workspace.open("requests")
    page = workspace.page("requests")
    assert isinstance(page, RequestsPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=TASK_TIMEOUT_MS)
    assert (page.model.row_at(0) or {})["holder"] == "张 伟"

    with qtbot.waitSignal(page.holder_shown, timeout=TASK_TIMEOUT_MS):
        qtbot.keyClicks(page.target, number)
    assert page.holder.name.text() == "张 伟" and card in page.holder.facts.text()

    # One digit changed: the check digit no longer matches, and the screen says it is probably a typo.
    wrong = number[:-2] + str((int(number[-2]) + 1) % 10) + number[-1]
    with pytest.raises(ValidationError) as refused:
        coding.validate("uin-10", wrong)
    expected = str(refused.value)
    page.target.clear()
    with qtbot.waitSignal(page.holder_shown, timeout=TASK_TIMEOUT_MS):
        qtbot.keyClicks(page.target, wrong)
    assert page.holder.holder is None
    assert page.holder.facts.text() == expected
    assert "typo" in expected or "mistyped" in expected or "check" in expected


def test_a_wrong_check_digit_reads_as_a_typo_in_search_and_issue(
    qtbot: Any, window: ConsoleWindow, log_in: Any, session_of: Any, fake_dialogs: FakeDialogs
) -> None:
    number, _card = holder_with_request(session_of)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as refused:
        coding.validate("uin-10", wrong)
    workspace = log_in("clerk")

    workspace.open("citizens", number)
    citizens = workspace.page("citizens")
    qtbot.waitUntil(lambda: citizens.details.content.isVisible(), timeout=TASK_TIMEOUT_MS)
    citizens.search.setText(wrong)
    citizens.run_search()
    qtbot.waitUntil(lambda: citizens.count_label.text().startswith("No match"), timeout=TASK_TIMEOUT_MS)
    assert str(refused.value) in citizens.count_label.text()
    assert not citizens.details.content.isVisible()  # the person shown before is gone with the selection

    workspace.open("cards", wrong)
    cards = workspace.page("cards")
    qtbot.waitUntil(lambda: cards.banner.kind == "error", timeout=TASK_TIMEOUT_MS)
    assert cards.banner.text.text() == str(refused.value)
    assert fake_dialogs.kinds() == []


def test_f1_lists_only_what_the_role_can_do(window: ConsoleWindow, log_in: Any, fake_dialogs: FakeDialogs) -> None:
    admin = log_in("admin")
    lines = admin.shortcut_lines()
    assert not any("Ctrl+N" in line or "Ctrl+I" in line or "Ctrl+F" in line for line in lines)
    window.lock("")
    clerk = log_in("clerk")
    assert any("Ctrl+N" in line for line in clerk.shortcut_lines())
    assert any("Ctrl+I" in line for line in clerk.shortcut_lines())


def test_refusals_name_permissions_in_words_not_codes(session_of: Any, fake_dialogs: FakeDialogs) -> None:
    from console.core.errors import PermissionDenied
    from console.gui.dialogs import report_error

    _number, _card = holder_with_request(session_of)
    with pytest.raises(PermissionDenied) as refused:
        requests.approve(session_of("clerk"), 1, "")
    assert "request.decide" in str(refused.value)  # the core's sentence names the code (and audits it)
    report_error(None, refused.value)
    kind, _title, text = fake_dialogs.shown[-1]
    assert kind == "error" and "decide requests" in text and "request.decide" not in text
