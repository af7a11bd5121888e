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
    assert "Okafor Chinedu" in page.banner.text.text()  # family name first, as on the card
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


def test_an_oversize_photo_is_cropped_and_scaled_for_the_officer_to_confirm(
    qtbot: Any, window: ConsoleWindow, log_in: Any, fake_dialogs: Any, tmp_path: Any
) -> None:
    import os

    from PIL import Image

    from console.core import registry

    big = tmp_path / "camera.png"
    Image.frombytes("RGB", (2400, 1800), os.urandom(2400 * 1800 * 3)).save(big)  # noise: ~13 MB, landscape
    assert big.stat().st_size > registry.MAX_PHOTO_BYTES
    page = register_page(window, log_in)

    fake_dialogs.confirm_answer = False  # the officer declines: no photo
    page.load_photo(str(big))
    qtbot.waitUntil(lambda: "confirm" in fake_dialogs.kinds(), timeout=TASK_TIMEOUT_MS)
    assert "2400×1800" in fake_dialogs.shown[-1][2] and "480×600" in fake_dialogs.shown[-1][2]
    assert page._photo is None

    fake_dialogs.confirm_answer = True
    page.load_photo(str(big))
    qtbot.waitUntil(lambda: page._photo is not None, timeout=TASK_TIMEOUT_MS)
    assert len(page._photo) <= registry.MAX_PHOTO_BYTES and registry.check_photo(page._photo)
    with Image.open(__import__("io").BytesIO(page._photo)) as photo:
        assert photo.size == (480, 600)

    not_a_picture = tmp_path / "notes.png"
    not_a_picture.write_bytes(b"x" * (600 * 1024))
    page.load_photo(str(not_a_picture))
    qtbot.waitUntil(lambda: bool(page._messages["photo"].text()), timeout=TASK_TIMEOUT_MS)
    assert "photo" in page._messages["photo"].text().lower()
