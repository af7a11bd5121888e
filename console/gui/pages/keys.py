"""Keys (administrators): the office's signing keys and their rotation.

Rotating retires the current office key (its validity ends now) and certifies a new one with the authority
key (`officers.rotate_office_key`). Cards signed with the old key stay valid until they expire, revoked or
not as before: verifiers trust a key for what it signed while it was valid.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.core import administration, officers
from console.core.errors import Conflict, PermissionDenied
from console.gui.context import Context
from console.gui.dialogs import dialogs
from console.gui.icons import icon
from console.gui.pages.atrest import RegistryAtRestBox
from console.gui.texts import error_text, short_time
from console.gui.widgets import Banner, DictTableModel, hint_label, page_title

logger = logging.getLogger(__name__)


class KeysPage(QWidget):
    loaded = Signal()
    rotated = Signal(dict)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(
            page_title(
                self.tr("Office keys"),
                self.tr(
                    "The office key signs every credential this office issues. Replace it when it may have been "
                    "exposed (a lost backup, a stolen computer) or on a schedule."
                ),
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        columns = [
            ("kid", self.tr("Key")),
            ("valid_from", self.tr("In use from")),
            ("valid_until", self.tr("Until")),
            ("credentials", self.tr("Credentials signed")),
        ]
        formatters = {
            "kid": lambda v: str(v)[:16],
            "valid_from": lambda v: short_time(v),
            "valid_until": lambda v: short_time(v) if v else self.tr("in use"),
        }
        self.model = DictTableModel(columns, self, formatters)
        self.table = QTableView()
        self.table.setObjectName("KeyTable")
        self.table.setAccessibleName(self.tr("Office keys"))
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint_label(self.explanation()))
        row = QHBoxLayout()
        row.addStretch(1)
        self.rotate_button = QPushButton(icon("refresh"), self.tr("Replace the office key…"))
        self.rotate_button.clicked.connect(self.rotate)
        row.addWidget(self.rotate_button)
        layout.addLayout(row)
        self.at_rest = RegistryAtRestBox(ctx)  # issue 17: the registry's encryption and its backup
        layout.addWidget(self.at_rest)
        self.refresh()

    def explanation(self) -> str:
        return self.tr(
            "What happens when the key is replaced: credentials issued from now on are signed with the new key. "
            "Cards already issued stay valid until they expire (or are revoked): verifiers keep trusting the old "
            "key for what it signed while it was in use, so nobody needs a new card. The old key signs nothing more. "
            "Publish the trust list again so that offline verifiers learn the new key."
        )

    def refresh(self) -> None:
        self._ctx.runner.read("office keys", administration.office_keys, self._ctx.session).then(
            self, self._on_loaded, self._on_failed
        )

    def _on_loaded(self, rows: Any) -> None:
        self.model.set_rows(rows)
        self.loaded.emit()

    def rotate(self) -> None:
        current = next((r for r in self.model.rows() if r["valid_until"] is None), None)
        count = int(current["credentials"]) if current else 0
        if not dialogs().confirm(
            self,
            self.tr("Replace the office key?"),
            self.tr(
                "The current key has signed %n credential(s); they stay valid until they expire. New "
                "credentials will be signed with a new key. Replace the key now?",
                "",
                count,
            ),
        ):
            return
        self.rotate_button.setEnabled(False)
        self._ctx.runner.write("rotate office key", officers.rotate_office_key, self._ctx.session).then(
            self, self._on_rotated, self._on_failed
        )

    def _on_rotated(self, result: Any) -> None:
        self.rotate_button.setEnabled(True)
        self.banner.show_message(
            "success",
            self.tr("Office key replaced"),
            self.tr("New key {kid} in use from {time}. Cards already issued stay valid.").format(
                kid=str(result["kid"])[:16], time=short_time(result["valid_from"])
            ),
        )
        self.rotated.emit(dict(result))
        self.refresh()

    def _on_failed(self, exc: BaseException) -> None:
        self.rotate_button.setEnabled(True)
        if isinstance(exc, Conflict | PermissionDenied):
            self.banner.show_message("error", self.tr("Not replaced"), error_text(exc))
            return
        self._ctx.fail(self, exc)
