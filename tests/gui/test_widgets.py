"""Shared widgets: message banners keep their text readable with and without buttons."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

from console.gui.widgets import Banner

TEXT = "Credential 0123456789ab… is valid until 2036-11-30. The earlier card is no longer valid."


def _text_is_one_wide_line(banner: Banner) -> bool:
    return banner.text.width() > 600 and banner.text.height() < 2.5 * banner.text.fontMetrics().height()


def test_banner_text_uses_the_width_with_and_without_buttons(qtbot: Any, gui_app: Any) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = QVBoxLayout(holder)
    banner = Banner()
    layout.addWidget(banner)
    layout.addStretch(1)
    holder.resize(900, 600)
    holder.show()

    banner.show_message("success", "Credential issued", TEXT)
    qtbot.waitUntil(lambda: _text_is_one_wide_line(banner), timeout=2000)
    assert banner.height() < 100

    banner.show_message("success", "Registered", TEXT, [("Issue and print a card", lambda: None)])
    qtbot.waitUntil(lambda: _text_is_one_wide_line(banner), timeout=2000)
    assert banner.button_row.isVisible()

    banner.show_message("warning", "Held for review", TEXT)  # the buttons go, the row with them
    qtbot.waitUntil(lambda: _text_is_one_wide_line(banner), timeout=2000)
    assert not banner.button_row.isVisible()
    assert banner.height() < 100
