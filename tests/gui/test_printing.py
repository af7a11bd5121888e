"""Printing at true size: an ID-1 card on Letter paper is one page with the card at 85.6 × 54 mm, measured in
the PDF the printer wrote; unusual paper is announced before printing; calibration and batches."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPageSize

from console.core import issuance
from console.core.accounts import Session
from console.core.registry import PersonInput, register
from console.gui.pages.cards import CardsPage
from console.gui.window import ConsoleWindow
from tests.gui.conftest import TASK_TIMEOUT_MS, FakeDialogs, wait_idle

LEFT = Qt.MouseButton.LeftButton
MM = 72 / 25.4  # PDF points per millimetre


@pytest.fixture
def issued(session_of: Callable[[str], Session]) -> str:
    """A registered person with a credential in force; their ID number."""
    clerk = session_of("clerk")
    number = str(register(clerk, PersonInput("Lindqvist", "Åsa", "1984-03-09", "F", "SWE"))["id_number"])
    issuance.issue(clerk, number)
    return number


def pdf_geometry(path: Path) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(page sizes, size of the picture drawn on each page), in millimetres, read from the PDF's own geometry.

    A page's picture is the union of its image objects: the card is painted in bands of rows (cardprint's
    `_draw_in_bands`, so the GUI thread runs between them), which meet edge to edge.
    """
    document = pypdfium2.PdfDocument(str(path))
    pages, images = [], []
    try:
        for page in document:
            width, height = page.get_size()
            pages.append((width / MM, height / MM))
            bounds = [obj.get_bounds() for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])]
            if bounds:
                left, bottom = min(b[0] for b in bounds), min(b[1] for b in bounds)
                right, top = max(b[2] for b in bounds), max(b[3] for b in bounds)
                images.append(((right - left) / MM, (top - bottom) / MM))
    finally:
        document.close()
    return pages, images


def print_from_cards_page(
    qtbot: Any, window: ConsoleWindow, log_in: Any, number: str, fake_dialogs: FakeDialogs, sheet: str = "id1"
) -> CardsPage:
    workspace = log_in("clerk")
    assert workspace.open("cards", number)
    cards = workspace.page("cards")
    assert isinstance(cards, CardsPage)
    cards.sheet.setCurrentIndex(cards.sheet.findData(sheet))
    qtbot.waitUntil(lambda: cards.print_button.isEnabled(), timeout=TASK_TIMEOUT_MS)
    wait_idle(qtbot, window.runner)
    with qtbot.waitSignal(cards.printed, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(cards.print_button, LEFT)
    wait_idle(qtbot, window.runner)
    return cards


def test_a_card_printed_on_letter_is_one_page_at_true_size(
    qtbot: Any, window: ConsoleWindow, log_in: Any, issued: str, fake_dialogs: FakeDialogs, tmp_path: Path
) -> None:
    fake_dialogs.print_to = tmp_path / "letter.pdf"
    fake_dialogs.print_paper = QPageSize.PageSizeId.Letter
    cards = print_from_cards_page(qtbot, window, log_in, issued, fake_dialogs)

    # Letter is neither ID-1 nor A4: the officer was asked first, and told the card keeps its size.
    confirms = [(title, text) for kind, title, text in fake_dialogs.shown if kind == "confirm"]
    assert len(confirms) == 1 and "216 × 279 mm" in confirms[0][1] and "true size" in confirms[0][1]

    pages, images = pdf_geometry(fake_dialogs.print_to)
    assert len(pages) == 1
    assert pages[0] == pytest.approx((215.9, 279.4), abs=0.5)
    assert len(images) == 1
    width, height = images[0]
    assert width == pytest.approx(85.6, abs=0.3) and height == pytest.approx(53.98, abs=0.3)
    assert cards.banner.title.text() == "Sent to the printer"
    assert "1 page printed at true size" in cards.banner.text.text()
    assert "(1 card)" in cards.banner.text.text()


def test_a_card_on_id1_paper_fills_it_without_asking(
    qtbot: Any, window: ConsoleWindow, log_in: Any, issued: str, fake_dialogs: FakeDialogs, tmp_path: Path
) -> None:
    fake_dialogs.print_to = tmp_path / "id1.pdf"
    fake_dialogs.confirm_answer = False  # any question would stop the print
    cards = print_from_cards_page(qtbot, window, log_in, issued, fake_dialogs)
    pages, images = pdf_geometry(fake_dialogs.print_to)
    assert "confirm" not in fake_dialogs.kinds()
    # Qt writes a landscape page as a portrait MediaBox turned by /Rotate: compare the sides, not their order.
    assert len(pages) == 1 and sorted(pages[0]) == pytest.approx([53.98, 85.6], abs=0.3)
    assert sorted(images[0]) == pytest.approx([53.98, 85.6], abs=0.3)
    assert "1 page printed" in cards.banner.text.text()


def test_the_a4_sheet_keeps_its_own_layout_on_a4(
    qtbot: Any, window: ConsoleWindow, log_in: Any, issued: str, fake_dialogs: FakeDialogs, tmp_path: Path
) -> None:
    fake_dialogs.print_to = tmp_path / "a4.pdf"
    print_from_cards_page(qtbot, window, log_in, issued, fake_dialogs, sheet="a4")
    pages, images = pdf_geometry(fake_dialogs.print_to)
    assert "confirm" not in fake_dialogs.kinds()
    assert len(pages) == 1 and pages[0] == pytest.approx((210, 297), abs=0.5)
    assert images[0] == pytest.approx((210, 297), abs=0.5)


def test_declining_the_paper_warning_prints_nothing(
    qtbot: Any, window: ConsoleWindow, log_in: Any, issued: str, fake_dialogs: FakeDialogs, tmp_path: Path
) -> None:
    fake_dialogs.print_to = tmp_path / "letter.pdf"
    fake_dialogs.print_paper = QPageSize.PageSizeId.Letter
    fake_dialogs.confirm_answer = False
    workspace = log_in("clerk")
    workspace.open("cards", issued)
    cards = workspace.page("cards")
    qtbot.waitUntil(lambda: cards.print_button.isEnabled(), timeout=TASK_TIMEOUT_MS)
    wait_idle(qtbot, window.runner)
    qtbot.mouseClick(cards.print_button, LEFT)
    wait_idle(qtbot, window.runner)
    assert fake_dialogs.kinds() == ["confirm"]
    assert not fake_dialogs.print_to.exists()
    assert cards.print_button.isEnabled()
