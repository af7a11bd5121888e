"""The counter's day, driven through the real widgets: log in, register, duplicate, issue, print, verify."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from console.gui.pages.cards import CardsPage
from console.gui.pages.register import RegisterPage
from console.gui.pages.verify import VerifyPage
from console.gui.window import ConsoleWindow
from tests.gui.conftest import TASK_TIMEOUT_MS, FakeDialogs, activate, type_text, wait_idle

LEFT = Qt.MouseButton.LeftButton


def fill_form(qtbot: Any, page: RegisterPage, family: str, given: str, birth: str, sex: str, place: str) -> None:
    page.clear_form()
    type_text(page.family, family)
    type_text(page.given, given)
    qtbot.keyClicks(page.birth, birth)
    page.sex.setCurrentIndex(page.sex.findData(sex))
    page.birthplace.setEditText(place)


def register(qtbot: Any, page: RegisterPage) -> dict[str, Any]:
    with qtbot.waitSignal(page.registered, timeout=TASK_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(page.submit_button, LEFT)
    result = blocker.args[0]
    assert isinstance(result, dict)
    return result


def test_register_issue_print_verify(
    qtbot: Any, window: ConsoleWindow, log_in: Any, fake_dialogs: FakeDialogs, tmp_path: Path
) -> None:
    workspace = log_in("clerk")
    assert workspace.current_key() == "dashboard"  # everyone's home
    qtbot.keyClick(workspace, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert workspace.current_key() == "register"
    page = workspace.page("register")
    assert isinstance(page, RegisterPage)

    # Live validation: the core's sentence appears at once, and the Latin form as the name is typed.
    type_text(page.family, "Mü1ler")
    assert page.family.property("invalid") is True
    assert "digit" in page._messages["family"].text()
    page.family.clear()
    type_text(page.family, "Müller")
    assert page.family.property("invalid") is False
    assert "MUELLER" in page.family_latin.text()
    qtbot.keyClicks(page.birth, "2031-02-30")
    assert page.birth.property("invalid") is True
    assert "does not exist" in page._messages["birth"].text()

    fill_form(qtbot, page, "张", "晓明", "1990-07-14", "M", "CHN")
    assert "ZHANG" in page.family_latin.text() and "XIAOMING" in page.given_latin.text()
    photo = tmp_path / "face.png"
    portrait = QImage(120, 150, QImage.Format.Format_RGB32)
    portrait.fill(QColor("#c8d4e0"))
    assert portrait.save(str(photo))
    fake_dialogs.open_answer = str(photo)
    qtbot.mouseClick(page.photo_button, LEFT)
    qtbot.waitUntil(page.photo_remove.isEnabled, timeout=TASK_TIMEOUT_MS)
    assert page.person().photo == photo.read_bytes()
    first = register(qtbot, page)
    assert first["status"] == "registered"
    assert page.banner.kind == "success"
    number = first["id_number"]

    # The same person typed again (Latin script this time): held for a supervisor, no number allocated.
    fill_form(qtbot, page, "Zhang", "Xiaoming", "1990-07-14", "M", "CHN")
    second = register(qtbot, page)
    assert second["status"] == "pending-review"
    assert page.banner.kind == "warning"
    assert "supervisor" in page.banner.text.text()
    assert "张" in page.banner.text.text()

    # Issue and print from the card screen.
    assert workspace.open("cards", number)
    cards = workspace.page("cards")
    assert isinstance(cards, CardsPage)
    qtbot.waitUntil(lambda: cards._subject is not None, timeout=TASK_TIMEOUT_MS)
    with (
        qtbot.waitSignal(cards.preview_ready, timeout=TASK_TIMEOUT_MS),
        qtbot.waitSignal(cards.issued, timeout=TASK_TIMEOUT_MS) as issued,
    ):
        qtbot.mouseClick(cards.issue_button, LEFT)
    credential = issued.args[0]
    assert len(cards.preview.pages()) == 1 and cards.preview.pages()[0].width() > 900  # 300 dpi
    assert cards.preview.layout_rects()[0].width() > 300

    fake_dialogs.print_to = tmp_path / "printed.pdf"
    with qtbot.waitSignal(cards.printed, timeout=TASK_TIMEOUT_MS) as printed:
        qtbot.mouseClick(cards.print_button, LEFT)
    assert printed.args[0] == 1
    assert fake_dialogs.print_to.read_bytes()[:5] == b"%PDF-"

    fake_dialogs.save_answer = str(tmp_path / "card")
    activate(qtbot, window)
    cards.number.setFocus()
    with qtbot.waitSignal(cards.saved, timeout=TASK_TIMEOUT_MS):
        qtbot.keyClick(cards.number, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert (tmp_path / "card.pdf").read_bytes()[:5] == b"%PDF-"

    # Verify: the scanner types the QR text and presses Enter.
    assert workspace.open("verify")
    verify = workspace.page("verify")
    assert isinstance(verify, VerifyPage)
    with qtbot.waitSignal(verify.verified, timeout=TASK_TIMEOUT_MS) as verdict:
        qtbot.keyClicks(verify.scan, credential.qr)
        qtbot.keyClick(verify.scan, Qt.Key.Key_Return)
    assert verdict.args[0].status == "valid"
    assert verify.verdict_title.text() == "VALID"
    assert verify.verdict.property("kind") == "valid"
    assert "张晓明" in verify._holder_values["entered"].text()
    assert verify.scan.text() == ""  # ready for the next card

    # The saved PDF verifies too, and so does a picture of the card (the preview, as a phone photo would).
    with qtbot.waitSignal(verify.verified, timeout=TASK_TIMEOUT_MS) as from_pdf:
        verify.verify_path(str(tmp_path / "card.pdf"))
    assert from_pdf.args[0].status == "valid"
    assert cards.preview.pages()[0].save(str(tmp_path / "card.png"))
    fake_dialogs.open_answer = str(tmp_path / "card.png")
    with qtbot.waitSignal(verify.verified, timeout=TASK_TIMEOUT_MS) as from_picture:
        qtbot.mouseClick(verify.open_button, LEFT)
    assert from_picture.args[0].status == "valid"
    assert fake_dialogs.kinds().count("crash") == 0
    wait_idle(qtbot, window.runner)


def test_tampered_and_garbage_scans(qtbot: Any, window: ConsoleWindow) -> None:
    """Verify works without logging in, and says clearly when the text is not a card."""
    qtbot.mouseClick(window.login_page.verify_button, LEFT)
    page = window.verify_page
    assert page is not None and window.stack.currentWidget() is page
    with qtbot.waitSignal(page.verified, timeout=TASK_TIMEOUT_MS) as verdict:
        qtbot.keyClicks(page.scan, "NCF:%$ +-./*NOT A CARD")
        qtbot.keyClick(page.scan, Qt.Key.Key_Return)
    assert verdict.args[0].status == "malformed"
    assert page.verdict.property("kind") == "invalid"
    assert page.verdict_title.text() == "NOT A READABLE CARD CODE"
