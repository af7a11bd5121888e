"""Audit trail (auditors, administrators): every event, login and refusal, filtered and searched; each event's
signature is checked and its place in the office's log shown; the selection can be exported as CSV, encrypted (age).

The search and the checks run in `console.core.administration.search_audit` (permission-checked) on the read
pool; the export is written by the core too (and audited) on the write queue.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.core import administration, auditdetail, exports
from console.core.administration import AuditFilter
from console.core.errors import ValidationError
from console.gui import prefs
from console.gui.context import Context
from console.gui.dialogs import dialogs
from console.gui.icons import icon
from console.gui.texts import audit_action_name, outcome_name, short_time, signature_name
from console.gui.widgets import Banner, DictTableModel, hint_label, page_title

logger = logging.getLogger(__name__)

SEARCH_DELAY_MS = 300
NO_DATE = QDate(2000, 1, 1)  # the date edits' "any day"


# Qt's roles as plain ints, compared in `data()` (called ~20 times per cell while the table sizes its columns).
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_ALTERED = QColor("#B3261E")
# Entries loaded at a time; "Show more" asks for the next page (the core caps one read at MAX_AUDIT_ROWS).
PAGE_ROWS = 200
SIZED_ROWS = 40
COLUMNS = ("time", "officer", "action", "outcome", "signature", "position", "detail")


def cells_of(row: dict[str, Any], log_size: int) -> tuple[str, ...]:
    """What each column shows for one entry, in the screen's language (times local, codes in words)."""
    position = row["position"]
    return (
        short_time(row["time"]),
        "" if row["officer"] is None else auditdetail.actor_name(str(row["officer"])),
        audit_action_name(str(row["action"])),
        outcome_name(str(row["outcome"])),
        signature_name(str(row["signature"] or "")),
        "" if position is None else f"{position} / {log_size}",
        auditdetail.describe(str(row["detail"] or "")),  # stored English → words of the language
    )


def search_for_screen(session: Any, query: AuditFilter) -> dict[str, Any]:
    """`administration.search_audit`, each entry with its cells already written (`cells`).

    Runs on the read pool: formatting an entry (local time, translated action and detail) cost ~0.5 ms, and Qt
    asks for each cell many times while it sizes and paints the table, so formatting on demand held the GUI
    thread ~100 ms at the trail's first showing (docs/performance.md). The translators are thread-safe.
    """
    result = administration.search_audit(session, query)
    log_size = int(result["log_size"])
    for row in result["entries"]:
        row["cells"] = cells_of(row, log_size)
    return result


class AuditTableModel(DictTableModel):
    """The trail, cells written on the read pool (`search_for_screen`); a signature that does not verify is
    painted red."""

    def data(self, index: Any, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        if role in (_DISPLAY, _TOOLTIP):
            row = self.row_at(index.row())
            return None if row is None else row["cells"][index.column()]
        if role == _FOREGROUND:
            row = self.row_at(index.row())
            if row is not None and row["signature"] in ("invalid", "unknown-key"):
                return _ALTERED
        return None


class AuditPage(QWidget):
    loaded = Signal()
    exported = Signal(str, int)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._generation = 0
        self._limit = PAGE_ROWS  # grows by a page with each "Show more"
        self.log_size = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(
            page_title(
                self.tr("Audit trail"),
                self.tr(
                    "Everything officers did here, logins and refusals included, newest first. Each change is a "
                    "signed entry of the office's log; its signature is checked as it is shown."
                ),
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)

        filters = QHBoxLayout()
        self.officer = QComboBox()
        self.officer.setAccessibleName(self.tr("Officer"))
        self.officer.addItem(self.tr("All officers"), None)
        self.action = QComboBox()
        self.action.setAccessibleName(self.tr("Action"))
        self.action.addItem(self.tr("All actions"), None)
        self.outcome = QComboBox()
        self.outcome.setAccessibleName(self.tr("Outcome"))
        self.outcome.addItem(self.tr("Any outcome"), None)
        for code in ("ok", "refused", "failed"):
            self.outcome.addItem(outcome_name(code), code)
        self.since = self._date_edit(self.tr("From"))
        self.until = self._date_edit(self.tr("To"))
        self.text = QLineEdit()
        self.text.setAccessibleName(self.tr("Search the trail"))
        self.text.setPlaceholderText(self.tr("Search: username, ID number, words…"))
        self.text.setClearButtonEnabled(True)
        for widget in (self.officer, self.action, self.outcome):
            filters.addWidget(widget)
        filters.addWidget(QLabel(self.tr("From")))
        filters.addWidget(self.since)
        filters.addWidget(QLabel(self.tr("to")))
        filters.addWidget(self.until)
        filters.addWidget(self.text, 1)
        self.export_button = QPushButton(icon("save"), self.tr("Export CSV…"))
        self.export_button.clicked.connect(self.export)
        filters.addWidget(self.export_button)
        layout.addLayout(filters)

        titles = {
            "time": self.tr("Time"),
            "officer": self.tr("Officer"),
            "action": self.tr("Action"),
            "outcome": self.tr("Outcome"),
            "signature": self.tr("Signature"),
            "position": self.tr("Log entry (of)"),
            "detail": self.tr("Detail"),
        }
        self.model = AuditTableModel([(key, titles[key]) for key in COLUMNS], self)
        self.table = QTableView()
        self.table.setObjectName("AuditTable")
        self.table.setAccessibleName(self.tr("Audit trail"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        # Sizing columns to their contents lays out the text of every cell it looks at (on the GUI thread, each
        # time the table is shown or its rows change): 80% of the trail's first showing. The short columns look
        # at the rows in view and SIZED_ROWS more; the detail, the longest text, takes the rest of the width.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(SIZED_ROWS)
        header.setSectionResizeMode(COLUMNS.index("detail"), QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        below = QHBoxLayout()
        self.summary = hint_label("")
        below.addWidget(self.summary, 1)
        self.more_button = QPushButton(self.tr("Show older entries"))
        self.more_button.setAccessibleName(self.tr("Show older entries"))
        self.more_button.clicked.connect(self.show_more)
        self.more_button.hide()
        below.addWidget(self.more_button)
        layout.addLayout(below)
        self.detail = hint_label("")
        self.detail.setObjectName("AuditDetail")
        layout.addWidget(self.detail)
        self.table.selectionModel().selectionChanged.connect(self._on_selected)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.text.textChanged.connect(lambda _t: self._timer.start())
        for combo in (self.officer, self.action, self.outcome):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        for edit in (self.since, self.until):
            edit.dateChanged.connect(lambda _d: self.refresh())
        self._load_choices()
        self.refresh()

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setAccessibleName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText(self.tr("any day"))
        edit.setDate(NO_DATE)
        return edit

    def focus_first(self) -> None:
        self.text.setFocus()

    def _load_choices(self) -> None:
        session = self._ctx.session

        def choices() -> tuple[list[str], list[str]]:
            return administration.audit_officers(session), administration.audit_actions(session)

        self._ctx.runner.read("audit choices", choices).then(self, self._on_choices, self._on_failed)

    def _on_choices(self, result: Any) -> None:
        officers_, actions = result
        for combo, values, name in (
            (self.officer, officers_, auditdetail.actor_name),
            (self.action, actions, audit_action_name),
        ):
            combo.blockSignals(True)
            for value in values:
                if combo.findData(value) < 0:
                    combo.addItem(name(value), value)
            combo.blockSignals(False)

    @staticmethod
    def _date(edit: QDateEdit) -> date | None:
        value = edit.date()
        return None if value == NO_DATE else date(value.year(), value.month(), value.day())

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            officer=self.officer.currentData(),
            action=self.action.currentData(),
            outcome=self.outcome.currentData(),
            since=self._date(self.since),
            until=self._date(self.until),
            text=self.text.text().strip() or None,
        )

    def refresh(self) -> None:
        """Search again from the newest entry (a filter changed, F5)."""
        self._limit = PAGE_ROWS
        self._load()

    def show_more(self) -> None:
        """The next page of older entries, below those shown."""
        self._limit = min(self._limit + PAGE_ROWS, administration.MAX_AUDIT_ROWS)
        self.more_button.setEnabled(False)
        self._load()

    def _load(self) -> None:
        self._generation += 1
        generation = self._generation
        query = replace(self.current_filter(), limit=self._limit)
        self._ctx.runner.read("audit trail", search_for_screen, self._ctx.session, query).then(
            self, lambda r: self._on_loaded(generation, r), self._on_failed
        )

    def _on_loaded(self, generation: int, result: Any) -> None:
        if generation != self._generation:  # a newer search is on its way
            return
        rows = result["entries"]
        self.log_size = int(result["log_size"])
        # Rows already shown keep their place when a page is added below them (no jump to the top).
        scroll = self.table.verticalScrollBar().value() if len(rows) > self.model.rowCount() else 0
        self.model.set_rows(rows)
        self.table.verticalScrollBar().setValue(scroll)
        more = len(rows) >= self._limit and self._limit < administration.MAX_AUDIT_ROWS
        self.more_button.setVisible(more)
        self.more_button.setEnabled(True)
        self.table.clearSelection()
        self.detail.setText("")
        bad = sum(1 for r in rows if r["signature"] in ("invalid", "unknown-key"))
        text = self.tr("%n entry(ies) shown.", "", len(rows))
        if more:
            text += " " + self.tr("Older entries are not loaded yet.")
        if bad:
            text += " " + self.tr("%n signature(s) do not verify: these entries were altered.", "", bad)
            self.banner.show_message("error", self.tr("Altered entries"), text)
        elif self.banner.kind == "error":
            self.banner.clear()
        self.summary.setText(text)
        self.loaded.emit()

    def _on_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = self.model.row_at(rows[0].row()) if rows else None
        if row is None:
            self.detail.setText("")
            return
        if row["position"] is None:
            where = self.tr("Not a change (a login or a refusal): recorded in the trail, not signed into the log.")
        else:
            where = self.tr("Entry {position} of {size} in this office's log; {signature}.").format(
                position=row["position"], size=self.log_size, signature=signature_name(row["signature"])
            )
        self.detail.setText(
            self.tr("{time} · {officer} · {action} · {outcome}\n{detail}\n{where}").format(
                time=short_time(row["time"]),
                officer=auditdetail.actor_name(row["officer"]) if row["officer"] else self.tr("(unknown user)"),
                action=audit_action_name(row["action"]),
                outcome=outcome_name(row["outcome"]),
                detail=auditdetail.describe(str(row["detail"] or "")),
                where=where,
            )
        )

    def export(self) -> None:
        folder = str(prefs.recall("audit/folder", str(Path.home())))
        suggested = str(Path(folder) / f"audit-{date.today().isoformat()}.csv.age")
        path = dialogs().save_file(
            self, self.tr("Export the audit trail"), suggested, self.tr("Encrypted CSV files (*.csv.age)")
        )
        if not path:
            return
        if path.lower().endswith(".csv"):
            path += ".age"
        elif not path.lower().endswith(".csv.age"):
            path += ".csv.age"
        # Issue 17: the trail names people's ID numbers and reasons, so the file is encrypted (age, passphrase).
        passphrase = dialogs().secret(
            self,
            self.tr("Passphrase for the export"),
            self.tr(
                "The export holds personal data and is encrypted. Choose a passphrase and give it to the reader "
                "by another way than the file; they open it with `id-console export open` or `age -d`."
            ),
            confirm=True,
            minimum=exports.MIN_PASSPHRASE,
        )
        if not passphrase:
            return
        prefs.remember("audit/folder", str(Path(path).parent))  # written off the GUI thread (prefs.py)
        self.export_button.setEnabled(False)
        self._ctx.runner.write(
            "export audit",
            administration.export_audit,
            self._ctx.session,
            self.current_filter(),
            Path(path),
            passphrase,
        ).then(self, lambda n: self._on_exported(path, n), self._on_failed)

    def _on_exported(self, path: str, count: Any) -> None:
        self.export_button.setEnabled(True)
        self.banner.show_message(
            "success", self.tr("Audit trail exported"), self.tr("%n entry(ies) written to", "", int(count)) + " " + path
        )
        self.exported.emit(path, int(count))

    def _on_failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.banner.show_message("error", self.tr("Cannot search"), str(exc))
            return
        self._ctx.fail(self, exc)
