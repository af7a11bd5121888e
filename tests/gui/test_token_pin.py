"""Issue 17: with the office key in a token, the console asks for the token's PIN in a small no-echo dialog.

Against SoftHSM2 (skipped cleanly without it): issuing a card from the Cards screen signs in the token, so the
console asks the PIN once (on the GUI thread, while the worker waits), then signs; cancelling the dialog issues
nothing and shows no error; the dialog hides what is typed and speaks English and Simplified Chinese.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import claim169
import pytest
import shiboken6
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QWidget

from console.core import foreigntrust, hsm, issuance, keytoken, registry
from console.core import i18n as core_i18n
from console.core.accounts import Session
from console.core.errors import UserCancelled
from console.core.hsm import missing_pin
from console.core.office import Office
from console.core.registry import PersonInput
from console.gui import i18n
from console.gui.pages.cards import CardsPage
from console.gui.secretdialog import SecretDialog
from console.gui.tokenpin import TokenPinPrompt
from console.gui.window import ConsoleWindow
from tests.gui.conftest import TASK_TIMEOUT_MS, FakeDialogs, wait_idle
from tests.softhsm import MODULE, PIN, TOKEN, process_token

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def in_token(session_of: Callable[[str], Session], staffed: Office) -> Iterator[str]:
    """The office key moved into the SoftHSM2 token, no PIN source set (as the GUI opens it); a person's number."""
    process_token()  # skips without SoftHSM2
    admin = session_of("admin")
    staffed.clock.advance(seconds=5)  # type: ignore[attr-defined]
    keytoken.move_to_token(admin, MODULE, TOKEN, lambda: PIN)
    number = str(
        registry.register(session_of("clerk"), PersonInput("Kask", "Liisbet", "1987-03-14", "F", "EST"))["id_number"]
    )
    staffed.token_pin = missing_pin  # the console installs its own prompt when it opens the office
    hsm.forget_sessions()  # the token asks for its PIN again
    yield number
    hsm.forget_sessions()


def _cards(qtbot: Any, log_in: Any, number: str) -> CardsPage:
    workspace = log_in("clerk")
    assert workspace.open("cards", number)
    cards = workspace.page("cards")
    assert isinstance(cards, CardsPage)
    qtbot.waitUntil(lambda: cards._subject is not None, timeout=TASK_TIMEOUT_MS)
    return cards


def test_issuing_with_the_key_in_a_token_asks_the_pin_once_and_signs_in_the_token(
    qtbot: Any, in_token: str, window: ConsoleWindow, log_in: Any, staffed: Office, fake_dialogs: FakeDialogs
) -> None:
    assert isinstance(staffed.token_pin, TokenPinPrompt)
    asked: list[tuple[str, str, bool]] = []

    def secret(parent: Any, title: str, text: str, *, confirm: bool = False, minimum: int = 1) -> str:
        asked.append((title, text, QApplication.instance().thread() is parent.thread()))  # type: ignore[union-attr]
        return PIN

    fake_dialogs.secret = secret  # type: ignore[method-assign]
    cards = _cards(qtbot, log_in, in_token)
    with qtbot.waitSignal(cards.issued, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(cards.issue_button, LEFT)
    wait_idle(qtbot, window.runner)
    assert (
        cards.banner.kind == "success" and "crash" not in fake_dialogs.kinds() and "error" not in fake_dialogs.kinds()
    )
    assert len(asked) == 1
    title, text, on_gui_thread = asked[0]
    assert title == "Token PIN" and TOKEN in text and on_gui_thread

    # The credential was signed by the token's key (the office key in force), and verifies.
    office_key = bytes(staffed.current_office_key()["public_key"])
    credential = staffed.db.execute(
        "SELECT qr FROM credentials WHERE id_number = ? ORDER BY rowid DESC LIMIT 1", [in_token]
    ).fetchone()[0]
    verdict = issuance.verify(credential, trust=foreigntrust.verifier_trust_list(staffed), office=staffed)
    assert verdict.valid, verdict
    decoded = claim169.decode_with_ed25519(credential, office_key)  # MOSIP's library, with the token's public key
    assert decoded.is_verified() and decoded.claim169.id == in_token

    # A second card in the same session signs without asking again (the token session stays logged in).
    with qtbot.waitSignal(cards.issued, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(cards.issue_button, LEFT)
    wait_idle(qtbot, window.runner)
    assert len(asked) == 1


def test_cancelling_the_pin_issues_nothing_and_shows_no_error(
    qtbot: Any, in_token: str, window: ConsoleWindow, log_in: Any, staffed: Office, fake_dialogs: FakeDialogs
) -> None:
    answers: list[str | None] = [None, PIN]

    def secret(parent: Any, title: str, text: str, *, confirm: bool = False, minimum: int = 1) -> str | None:
        return answers.pop(0)

    fake_dialogs.secret = secret  # type: ignore[method-assign]
    cards = _cards(qtbot, log_in, in_token)
    before = staffed.db.execute("SELECT COUNT(*) FROM credentials").fetchone()[0]
    qtbot.mouseClick(cards.issue_button, LEFT)
    wait_idle(qtbot, window.runner)
    qtbot.waitUntil(lambda: answers == [PIN], timeout=TASK_TIMEOUT_MS)
    wait_idle(qtbot, window.runner)
    assert staffed.db.execute("SELECT COUNT(*) FROM credentials").fetchone()[0] == before
    assert fake_dialogs.kinds() == [] and cards.banner.kind != "success"
    # The officer tries again and types the PIN this time.
    qtbot.waitUntil(cards.issue_button.isEnabled, timeout=TASK_TIMEOUT_MS)
    with qtbot.waitSignal(cards.issued, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(cards.issue_button, LEFT)
    assert answers == [] and staffed.db.execute("SELECT COUNT(*) FROM credentials").fetchone()[0] == before + 1


def test_a_wrong_pin_is_said_in_one_sentence_and_asked_again(
    qtbot: Any, in_token: str, window: ConsoleWindow, log_in: Any, staffed: Office, fake_dialogs: FakeDialogs
) -> None:
    answers = ["0000-0000", PIN]

    def secret(parent: Any, title: str, text: str, *, confirm: bool = False, minimum: int = 1) -> str:
        return answers.pop(0)

    fake_dialogs.secret = secret  # type: ignore[method-assign]
    cards = _cards(qtbot, log_in, in_token)
    before = staffed.db.execute("SELECT COUNT(*) FROM credentials").fetchone()[0]
    qtbot.mouseClick(cards.issue_button, LEFT)
    qtbot.waitUntil(lambda: bool(fake_dialogs.shown), timeout=TASK_TIMEOUT_MS)
    wait_idle(qtbot, window.runner)
    kind, _title, text = fake_dialogs.shown[0]
    assert kind == "error" and f"The PIN of the token {TOKEN!r} is wrong; nothing was signed." in text
    assert staffed.db.execute("SELECT COUNT(*) FROM credentials").fetchone()[0] == before
    qtbot.waitUntil(cards.issue_button.isEnabled, timeout=TASK_TIMEOUT_MS)
    with qtbot.waitSignal(cards.issued, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(cards.issue_button, LEFT)
    assert answers == [] and staffed.db.execute("SELECT COUNT(*) FROM credentials").fetchone()[0] == before + 1


def test_a_worker_waiting_for_the_pin_gives_up_when_the_window_goes(
    qtbot: Any, gui_app: Any, fake_dialogs: FakeDialogs
) -> None:
    asked: list[str] = []
    fake_dialogs.secret = lambda *a, **k: asked.append("asked")  # type: ignore[method-assign]
    window = QWidget()
    prompt = TokenPinPrompt(window)
    outcome: list[object] = []

    def sign() -> None:  # what the task runner's worker does when the token wants its PIN
        try:
            outcome.append(prompt())
        except UserCancelled as e:
            outcome.append(e)

    worker = threading.Thread(target=sign)
    worker.start()
    time.sleep(0.3)  # the worker waits; this thread runs no event loop, so no dialog opens
    assert outcome == [] and worker.is_alive()
    shiboken6.delete(window)  # the window goes (as at quit): the worker must not wait for an answer forever
    worker.join(timeout=5)
    assert not worker.is_alive() and isinstance(outcome[0], UserCancelled) and asked == []
    assert str(outcome[0]) == "No PIN was given; nothing was signed."


def test_the_pin_dialog_hides_what_is_typed_and_holds_ok_back(qtbot: Any, gui_app: Any) -> None:
    dialog = SecretDialog(None, "Token PIN", "Type the token's PIN.")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.field.echoMode() == QLineEdit.EchoMode.Password and not ok.isEnabled()
    qtbot.keyClicks(dialog.field, PIN)
    assert ok.isEnabled() and PIN not in dialog.field.displayText()
    qtbot.mouseClick(ok, LEFT)
    assert dialog.answer() == PIN and dialog.field.text() == ""  # the text does not outlive the dialog

    twice = SecretDialog(None, "Passphrase", "Choose one.", confirm=True, minimum=12)
    qtbot.addWidget(twice)
    ok = twice.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert twice.repeat is not None and twice.repeat.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClicks(twice.field, "short")
    assert not ok.isEnabled() and "12" in twice.hint.text()
    qtbot.keyClicks(twice.field, " but now long")
    qtbot.keyClicks(twice.repeat, "short but now lonG")
    assert not ok.isEnabled() and twice.hint.text() == "The two entries differ."
    twice.repeat.clear()
    qtbot.keyClicks(twice.repeat, "short but now long")
    assert ok.isEnabled()
    twice.reject()
    assert twice.answer() is None


def test_the_pin_prompt_speaks_chinese(qtbot: Any, gui_app: Any) -> None:
    installed = i18n.install_translators(gui_app, QLocale("zh_CN"))
    core_i18n.set_language("zh_CN")
    try:
        dialog = SecretDialog(None, "PIN", "", confirm=True, minimum=12)
        qtbot.addWidget(dialog)
        assert dialog.repeat is not None and dialog.repeat.placeholderText() != "Repeat it"
        assert dialog.hint.text() and "character" not in dialog.hint.text()
        prompt = TokenPinPrompt(dialog)
        title = prompt.tr("Token PIN")
        assert title != "Token PIN" and "PIN" in title
        assert prompt.tr("No PIN was given; nothing was signed.") != "No PIN was given; nothing was signed."
    finally:
        core_i18n.set_language(None)
        for translator in installed:
            gui_app.removeTranslator(translator)
        i18n.install_translators(gui_app, QLocale("en_US"))
