"""Small widgets every screen uses: page titles, message banners, field messages, a list-of-dicts table model."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from console.gui.icons import icon

ModelIndex = QModelIndex | QPersistentModelIndex

BANNER_ICONS = {"success": "success", "warning": "warning", "error": "error", "info": "info"}


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property changed (Qt does not do it by itself)."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def set_invalid(widget: QWidget, invalid: bool) -> None:
    """Mark an input as holding a value the rules refuse (red frame through the style sheet)."""
    if bool(widget.property("invalid")) != invalid:
        widget.setProperty("invalid", invalid)
        repolish(widget)


LONG_WORD = 48  # characters; a wrapped label cannot break a longer run and would widen the window


def elide_words(text: str, limit: int = LONG_WORD) -> str:
    """Shorten every run of more than `limit` non-space characters to its start and end around "…".

    Banners and verdicts echo what was typed or opened (an ID number, a file name, a path); a word-wrapped
    label breaks only at spaces, so one long run would set the label's minimum width and push the window
    wider than the screen.
    """
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    tail = limit - 1 - head
    return re.sub(rf"\S{{{limit + 1},}}", lambda m: m.group()[:head] + "…" + m.group()[-tail:], text)


def hint_label(text: str = "", hint: str = "muted") -> QLabel:
    """A wrapped secondary label: ``hint`` is muted, error, latin or mono (see console.qss)."""
    label = QLabel(text)
    label.setProperty("hint", hint)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def page_title(title: str, intro: str = "") -> QWidget:
    """The title line (and a one-sentence purpose) at the top of a screen."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 6)
    heading = QLabel(title)
    heading.setObjectName("PageTitle")
    heading.setAccessibleName(title)
    layout.addWidget(heading)
    if intro:
        text = QLabel(intro)
        text.setObjectName("PageIntro")
        text.setWordWrap(True)
        layout.addWidget(text)
    return box


def mono_font() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class Banner(QFrame):
    """A coloured message box inside a page: success, warning, error or info, with optional buttons.

    Used instead of a modal dialog for outcomes the officer should read while carrying on (registered,
    held for review, refused by the four-eyes rule).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(10)
        self._icon = QLabel()
        self._icon.setFixedSize(24, 24)
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout()
        column.setSpacing(4)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # the text may echo input; never render it as HTML
        self.title.setWordWrap(True)
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.title)
        column.addWidget(self.text)
        # The buttons sit in a widget that is hidden when there are none: an empty row layout would still
        # take part in the column's width (an empty box layout's maximum width is 0), squeezing the text to
        # a word per line.
        self.button_row = QWidget()
        self._buttons = QHBoxLayout(self.button_row)
        self._buttons.setContentsMargins(0, 0, 0, 0)
        self._buttons.setSpacing(6)
        self.button_row.hide()
        column.addWidget(self.button_row)
        layout.addLayout(column, 1)
        self.kind = ""
        self.hide()

    def show_message(
        self,
        kind: str,
        title: str,
        text: str = "",
        buttons: Sequence[tuple[str, Callable[[], None]]] = (),
    ) -> None:
        self.kind = kind
        self.setProperty("banner", kind)
        self._icon.setPixmap(icon(BANNER_ICONS.get(kind, "info")).pixmap(24, 24))
        shown = elide_words(text)
        self.title.setText(elide_words(title))
        self.text.setText(shown)
        self.text.setToolTip(text if shown != text else "")
        self.text.setVisible(bool(text))
        self.setAccessibleName(title)
        self.setAccessibleDescription(text)
        while self._buttons.count():
            item = self._buttons.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for label, action in buttons:
            button = QPushButton(label)
            button.clicked.connect(action)
            self._buttons.addWidget(button)
        if buttons:
            self._buttons.addStretch(1)
        self.button_row.setVisible(bool(buttons))
        repolish(self)
        self.show()

    def clear(self) -> None:
        self.kind = ""
        self.hide()


_TEXT_ROLES = frozenset({int(Qt.ItemDataRole.DisplayRole.value), int(Qt.ItemDataRole.ToolTipRole.value)})


class DictTableModel(QAbstractTableModel):
    """A read-only table over a list of dicts (requests, reviews): small lists the services return whole."""

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
        formatters: dict[str, Callable[[Any], str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[dict[str, Any]] = []
        self._formatters = formatters or {}
        # Each cell's text, made on first request: Qt asks for a cell ~20 times while it sizes and paints the
        # table, and a formatter (a local time, a translated word) costs far more than a lookup.
        self._cells: dict[tuple[int, int], str] = {}

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._cells = {}
        self.endResetModel()

    def row_at(self, row: int) -> dict[str, Any] | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _TEXT_ROLES or not index.isValid():
            return None
        where = (index.row(), index.column())
        text = self._cells.get(where)
        if text is None:
            key = self._columns[where[1]][0]
            value = self._rows[where[0]].get(key)
            text = self._formatters[key](value) if key in self._formatters else "" if value is None else str(value)
            self._cells[where] = text
        return text

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._columns[section][1]
        return None
