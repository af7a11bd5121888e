"""The registration form while it registers, and the birthplace completer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from console.gui.pages.register import RegisterPage, rank_regions
from console.gui.window import ConsoleWindow
from tests.gui.conftest import TASK_TIMEOUT_MS
from tests.gui.test_flow import fill_form


def register_page(window: ConsoleWindow, log_in: Any) -> RegisterPage:
    workspace = log_in("clerk")
    page = workspace.page("register")
    assert isinstance(page, RegisterPage)
    return page


def test_form_is_read_only_while_registering(qtbot: Any, window: ConsoleWindow, log_in: Any) -> None:
    page = register_page(window, log_in)
    fill_form(qtbot, page, "Okafor", "Chinedu", "1979-12-01", "M", "NGA")
    fields = (page.family, page.given, page.birth, page.sex, page.birthplace, page.photo_button, page.clear_button)
    with qtbot.waitSignal(page.registered, timeout=TASK_TIMEOUT_MS) as registered:
        page.submit()
        assert page.submit_button.text() == "Registering…"
        assert not any(widget.isEnabled() for widget in fields)
        assert not page.submit_button.isEnabled()
    assert registered.args[0]["status"] == "registered"
    assert "Chinedu Okafor" in page.banner.text.text()
    assert all(widget.isEnabled() for widget in fields) and page.submit_button.isEnabled()
    assert not page.photo_remove.isEnabled()  # no photo


def test_rank_regions_puts_codes_first_then_names() -> None:
    items = ["BGD — Bangladesh", "COD — Congo, Democratic Republic of the", "DEU — Germany", "DNK — Denmark"]
    assert rank_regions(items, "de") == [
        "DEU — Germany",
        "DNK — Denmark",
        "BGD — Bangladesh",
        "COD — Congo, Democratic Republic of the",
    ]
    assert rank_regions(items, " ") == items
    assert rank_regions(items, "xyz") == []


def test_birthplace_completer_offers_the_code_first(qtbot: Any, window: ConsoleWindow, log_in: Any) -> None:
    page = register_page(window, log_in)
    edit = page.birthplace.lineEdit()
    assert edit is not None
    completer = page.birthplace.completer()
    assert completer is not None
    edit.setFocus()
    qtbot.keyClicks(edit, "de")
    popup = completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=TASK_TIMEOUT_MS)
    model = completer.completionModel()
    shown = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert shown[:2] == ["DEU — Germany", "DNK — Denmark"]
    assert "BGD — Bangladesh" in shown
    popup.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert page.birthplace.currentText() == "DEU — Germany"
    assert page._birthplace_code() == "DEU"
