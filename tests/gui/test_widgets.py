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


def test_table_cells_are_formatted_once_however_often_qt_asks(qtbot: Any, gui_app: Any) -> None:
    """Qt asks for each cell many times while it sizes and paints a table; the formatter (a local time, a
    translated word) runs once per cell, and again only when new rows come."""
    from PySide6.QtWidgets import QHeaderView, QTableView

    from console.gui.widgets import DictTableModel

    calls: list[object] = []

    def shout(value: object) -> str:
        calls.append(value)
        return str(value).upper()

    model = DictTableModel([("name", "Name"), ("n", "Number")], None, {"name": shout})
    model.set_rows([{"name": f"row {i}", "n": i} for i in range(30)])
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.resize(400, 300)
    table.show()
    qtbot.waitExposed(table)
    for width in (300, 500, 350):  # re-layouts ask again
        table.resize(width, 300)
        qtbot.wait(20)
    assert model.index(3, 0).data() == "ROW 3" and model.index(3, 1).data() == "3"
    assert len(calls) == len(set(calls)) <= 30  # each cell at most once
    model.set_rows([{"name": "new", "n": 1}])
    assert model.index(0, 0).data() == "NEW"  # new rows, new text
