"""The citizens table: lazy pages of the registry, or the hits of a search.

Browsing never loads the registry: the model holds only the pages the view has scrolled through, fetched
by rowid on the read pool (`canFetchMore`/`fetchMore`), so a registry of a million people opens as fast as
one of a hundred. A search shows at most `SEARCH_LIMIT` hits (the core's index-only search).

Results arrive asynchronously; each reset bumps a generation number so a late page of an earlier browse or
search is dropped instead of mixed into the new one.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from console.core import coding, registry
from console.gui import reads
from console.gui.context import Context
from console.gui.texts import sex_name

logger = logging.getLogger(__name__)

ModelIndex = QModelIndex | QPersistentModelIndex

PAGE_SIZE = 200
SEARCH_LIMIT = 500


class CitizenTableModel(QAbstractTableModel):
    """Citizens for a `QTableView`: browse mode (newest first, paged) or search mode (one result list)."""

    # (count, is_search): the registry size in browse mode, the number of hits in search mode.
    count_known = Signal(int, bool)
    loading_changed = Signal(bool)
    # A page or search finished (tests wait on it).
    loaded = Signal()

    KEYS = ("id_number", "name", "latin", "birth_date", "sex", "birthplace")

    def __init__(self, ctx: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._rows: list[dict[str, Any]] = []
        self._generation = 0
        self._exhausted = True
        self._loading = False
        self._query = ""
        self._headers = (
            QCoreApplication.translate("CitizenTableModel", "ID number"),
            QCoreApplication.translate("CitizenTableModel", "Name"),
            QCoreApplication.translate("CitizenTableModel", "Latin form"),
            QCoreApplication.translate("CitizenTableModel", "Birth date"),
            QCoreApplication.translate("CitizenTableModel", "Sex"),
            QCoreApplication.translate("CitizenTableModel", "Birthplace"),
        )

    # ---------------------------------------------------------------------------------------------- modes
    @property
    def query(self) -> str:
        return self._query

    @property
    def loading(self) -> bool:
        return self._loading

    def browse(self) -> None:
        """Show the whole registry, newest first, one page at a time."""
        self._reset("")
        self._exhausted = False
        self._fetch_page()
        generation = self._generation
        self._ctx.runner.read("count citizens", reads.citizen_count, self._ctx.session).then(
            self, lambda n: self._on_count(generation, n), self._on_failed
        )

    def search(self, text: str) -> None:
        """Show the citizens matching `text` (ID number, birth date or name prefix); empty text browses."""
        text = " ".join(text.split())
        if not text:
            self.browse()
            return
        self._reset(text)
        self._set_loading(True)
        generation = self._generation
        self._ctx.runner.read("search citizens", registry.search, self._ctx.session, text, limit=SEARCH_LIMIT).then(
            self, lambda rows: self._on_search(generation, rows), self._on_failed
        )

    def refresh(self) -> None:
        """Load again with the same query (after a registration)."""
        self.search(self._query)

    def _reset(self, query: str) -> None:
        self.beginResetModel()
        self._generation += 1
        self._rows = []
        self._query = query
        self._exhausted = True
        self._loading = False
        self.endResetModel()

    # ------------------------------------------------------------------------------------------- fetching
    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008 (Qt's signature)
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._fetch_page()

    def _fetch_page(self) -> None:
        before = self._rows[-1]["row_id"] if self._rows else None
        self._set_loading(True)
        generation = self._generation
        self._ctx.runner.read("citizen page", reads.citizen_page, self._ctx.session, before, PAGE_SIZE).then(
            self, lambda rows: self._on_page(generation, rows), self._on_failed
        )

    def _on_page(self, generation: int, rows: list[dict[str, Any]]) -> None:
        if generation != self._generation:
            return
        if len(rows) < PAGE_SIZE:
            self._exhausted = True
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._set_loading(False)
        self.loaded.emit()

    def _on_search(self, generation: int, rows: list[dict[str, Any]]) -> None:
        if generation != self._generation:
            return
        if rows:
            self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
            self._rows = list(rows)
            self.endInsertRows()
        self._set_loading(False)
        self.count_known.emit(len(rows), True)
        self.loaded.emit()

    def _on_count(self, generation: int, count: int) -> None:
        if generation == self._generation:
            self.count_known.emit(count, False)

    def _on_failed(self, exc: BaseException) -> None:
        self._set_loading(False)
        self._exhausted = True
        self._ctx.fail(None, exc)
        self.loaded.emit()

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    # --------------------------------------------------------------------------------------------- model
    def row_at(self, row: int) -> dict[str, Any] | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.KEYS)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._rows[index.row()]
        key = self.KEYS[index.column()]
        if key == "latin":
            return f"{row['latin_family']} {row['latin_given']}"
        if key == "name":
            return f"{row['family_name']} {row['given_name']}"
        if key == "id_number":
            return format_id(row["id_number"])
        if key == "sex":  # in words, as the details panel and the approvals say it
            return sex_name(str(row.get("sex") or ""))
        if key == "birthplace" and role == Qt.ItemDataRole.ToolTipRole:  # the code, and its name on hover
            code = str(row.get("birthplace") or "")
            name = coding.region_name(self._ctx.info.scheme, code) if code else None
            return f"{code} — {name}" if name else code
        return str(row.get(key) or "")

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None


def format_id(number: str) -> str:
    """Group a 10-digit uin-10 number for reading aloud (1234 5678 90); other schemes stay as they are."""
    if len(number) == 10 and number.isdigit():
        return f"{number[:4]} {number[4:8]} {number[8:]}"
    return number
