"""Issue and print: the outcome stays on screen, and long input cannot stretch the window."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt

from console.core.accounts import Session
from console.core.registry import PersonInput, register
from console.gui.pages.cards import CardsPage
from console.gui.widgets import elide_words
from console.gui.window import ConsoleWindow
from tests.gui.conftest import TASK_TIMEOUT_MS, FakeDialogs, wait_idle

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def person(session_of: Callable[[str], Session]) -> str:
    """A registered person without a credential; their ID number."""
    result = register(session_of("clerk"), PersonInput("Lindqvist", "Åsa", "1984-03-09", "F", "SWE"))
    assert result["status"] == "registered"
    return str(result["id_number"])


def open_cards(qtbot: Any, window: ConsoleWindow, log_in: Any, id_number: str = "") -> CardsPage:
    workspace = log_in("clerk")
    assert workspace.open("cards", id_number or None)
    cards = workspace.page("cards")
    assert isinstance(cards, CardsPage)
    if id_number:
        qtbot.waitUntil(lambda: cards._subject is not None, timeout=TASK_TIMEOUT_MS)
    return cards


def test_the_issued_banner_stays_visible(
    qtbot: Any, window: ConsoleWindow, log_in: Any, person: str, fake_dialogs: FakeDialogs
) -> None:
    cards = open_cards(qtbot, window, log_in, person)
    with (
        qtbot.waitSignal(cards.preview_ready, timeout=TASK_TIMEOUT_MS),
        qtbot.waitSignal(cards.issued, timeout=TASK_TIMEOUT_MS),
    ):
        qtbot.mouseClick(cards.issue_button, LEFT)
    wait_idle(qtbot, window.runner)
    assert cards.banner.isVisible() and cards.banner.kind == "success"
    assert cards.banner.title.text() == "Credential issued"
    assert "valid until" in cards.banner.text.text()
    assert "active" in cards.credential_info.text() or "Newest credential" in cards.credential_info.text()
    assert fake_dialogs.kinds() == []


def test_long_input_cannot_widen_the_window(
    qtbot: Any, window: ConsoleWindow, log_in: Any, fake_dialogs: FakeDialogs
) -> None:
    cards = open_cards(qtbot, window, log_in)
    width = window.width()
    qtbot.keyClicks(cards.number, "9" * 300)
    assert len(cards.number.text()) <= 32
    qtbot.keyClick(cards.number, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cards.banner.kind == "error", timeout=TASK_TIMEOUT_MS)
    assert window.minimumSizeHint().width() <= width and window.width() == width

    # A banner that echoes a long name without spaces (a saved file's path) is shortened in the middle.
    path = "/media/usb/" + "x" * 300 + "/card-1234567890.pdf"
    cards.banner.show_message("success", "Card saved", path)
    assert "…" in cards.banner.text.text() and cards.banner.text.text().endswith("card-1234567890.pdf")
    assert cards.banner.text.toolTip() == path and cards.banner.accessibleDescription() == path
    qtbot.wait(10)
    assert window.minimumSizeHint().width() <= width and window.width() == width
    assert fake_dialogs.kinds() == []


def test_elide_words_keeps_short_words_and_shortens_long_runs() -> None:
    assert elide_words("No citizen with ID number 1234567890.") == "No citizen with ID number 1234567890."
    long = "a" * 30 + "b" * 40
    shortened = elide_words(f"Saved to {long} today", limit=20)
    assert shortened == f"Saved to {'a' * 9}…{'b' * 10} today"
