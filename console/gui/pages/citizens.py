"""Citizens: search the registry, browse it page by page, and see one person's record, cards and history."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.core.roles import Permission
from console.gui import reads
from console.gui.context import Context
from console.gui.icons import icon
from console.gui.models import SEARCH_LIMIT, CitizenTableModel, format_id
from console.gui.texts import action_name, sex_name, short_time, status_name
from console.gui.widgets import hint_label, page_title

logger = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250


class CitizensPage(QWidget):
    """Search box, lazy table, details panel."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._current: str | None = None
        self._pending_select: str | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(
            page_title(
                self.tr("Citizens"),
                self.tr("Search by ID number, birth date (YYYY-MM-DD) or the start of a name, in any script."),
            )
        )
        search_row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("CitizenSearch")
        self.search.setAccessibleName(self.tr("Search citizens"))
        self.search.setPlaceholderText(self.tr("ID number, birth date or name… (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        search_row.addWidget(self.search, 1)
        self.count_label = hint_label("")
        self.count_label.setWordWrap(False)
        search_row.addWidget(self.count_label)
        layout.addLayout(search_row)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        layout.addWidget(splitter, 1)

        self.model = CitizenTableModel(ctx, self)
        self.table = QTableView()
        self.table.setObjectName("CitizenTable")
        self.table.setAccessibleName(self.tr("Citizens"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((100, 130, 160, 88, 36, 50)):
            header.resizeSection(column, width)
        splitter.addWidget(self.table)

        self.details = PersonPanel(ctx)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 340])

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.run_search)
        self.model.count_known.connect(self._on_count)
        self.model.loaded.connect(self._on_loaded)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.setTabOrder(self.search, self.table)
        ctx.data_changed.connect(self._on_data_changed)
        self.model.browse()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def run_search(self) -> None:
        self._search_timer.stop()
        self.model.search(self.search.text())

    def show_person(self, id_number: str) -> None:
        """Search for one person and select them (from other screens)."""
        self._pending_select = id_number
        self.search.setText(id_number)
        self.run_search()

    def refresh(self) -> None:
        self.model.refresh()
        if self._current:
            self.details.load(self._current)

    def _on_data_changed(self, what: str) -> None:
        if what in ("citizens", "credentials", "requests"):
            self.refresh()

    def _on_count(self, count: int, is_search: bool) -> None:
        if not is_search:
            text = self.tr("{count} citizens, newest first").format(count=f"{count:,}")
        elif count == 0:
            text = self.tr("No match")
            typo = likely_typo(self._ctx.info.scheme, self.search.text())
            if typo:
                text += ". " + typo
            self._current = None
            self.details.clear()
        elif count >= SEARCH_LIMIT:
            text = self.tr("The first {limit} matches; type more to narrow the search").format(limit=SEARCH_LIMIT)
        else:
            text = self.tr("{count} found").format(count=count)
        self.count_label.setText(text)

    def _on_loaded(self) -> None:
        if self._pending_select is None:
            if self.model.rowCount() and not self.table.selectionModel().hasSelection():
                self.table.selectRow(0)
            return
        wanted = self._pending_select.replace(" ", "")
        self._pending_select = None
        for row in range(self.model.rowCount()):
            record = self.model.row_at(row)
            if record and record["id_number"] == wanted:
                self.table.selectRow(row)
                return

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        if not self.table.selectionModel().hasSelection():  # nothing selected any more: no stale details
            self._current = None
            self.details.clear()
            return
        indexes = selected.indexes()
        if not indexes:
            return
        record = self.model.row_at(indexes[0].row())
        if record:
            self._current = record["id_number"]
            self.details.load(record["id_number"])

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()


class PersonPanel(QScrollArea):
    """One citizen: record, photo, credentials, history, and the actions the role allows."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._number: str | None = None
        self._generation = 0
        self.setWidgetResizable(True)
        self.setMinimumWidth(320)
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(14, 4, 4, 4)

        self.empty = hint_label(self.tr("Select a citizen to see their record, cards and history."))
        layout.addWidget(self.empty)
        self.content = QWidget()
        layout.addWidget(self.content)
        layout.addStretch(1)
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)

        top = QHBoxLayout()
        self.photo = QLabel()
        self.photo.setObjectName("Photo")
        self.photo.setFixedSize(80, 100)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        top.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignTop)
        names = QVBoxLayout()
        self.name = QLabel()
        self.name.setObjectName("DetailName")
        self.name.setWordWrap(True)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.latin = hint_label("", "latin")
        self.number = QLabel()
        self.number.setProperty("hint", "mono")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        names.addWidget(self.name)
        names.addWidget(self.latin)
        names.addWidget(self.number)
        names.addStretch(1)
        top.addLayout(names, 1)
        content.addLayout(top)

        self.facts = QFormLayout()
        self.facts.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self._fact_labels: dict[str, QLabel] = {}
        for key, label in (
            ("birth", self.tr("Born")),
            ("sex", self.tr("Sex")),
            ("place", self.tr("Birthplace")),
            ("registered", self.tr("Registered")),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._fact_labels[key] = value
            self.facts.addRow(label, value)
        content.addLayout(self.facts)

        actions = QHBoxLayout()
        self.issue_button = QPushButton(icon("card"), self.tr("Issue / print card"))
        self.issue_button.clicked.connect(lambda: self._ctx.navigate("cards", self._number))
        self.request_button = QPushButton(icon("requests"), self.tr("Request status change"))
        self.request_button.clicked.connect(lambda: self._ctx.navigate("requests", self._number))
        self.issue_button.setVisible(ctx.allows(Permission.CREDENTIAL_ISSUE, Permission.CARD_PRINT))
        self.request_button.setVisible(ctx.allows(Permission.REQUEST_CREATE))
        actions.addWidget(self.issue_button)
        actions.addWidget(self.request_button)
        actions.addStretch(1)
        content.addLayout(actions)

        content.addWidget(_section(self.tr("Credentials")))
        self.credentials = QTreeWidget()
        self.credentials.setObjectName("CredentialList")
        self.credentials.setAccessibleName(self.tr("Credentials"))
        self.credentials.setRootIsDecorated(False)
        self.credentials.setHeaderLabels(
            [self.tr("Status"), self.tr("Issued"), self.tr("Expires"), self.tr("Credential")]
        )
        self.credentials.setMaximumHeight(130)
        self.credentials.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        content.addWidget(self.credentials)
        self.no_credentials = hint_label(self.tr("No card issued yet."))
        content.addWidget(self.no_credentials)

        content.addWidget(_section(self.tr("History")))
        self.history = QListWidget()
        self.history.setObjectName("History")
        self.history.setAccessibleName(self.tr("History"))
        self.history.setWordWrap(True)
        self.history.setMinimumHeight(120)
        content.addWidget(self.history)
        self.content.hide()

    def clear(self) -> None:
        """Show nobody (the selection went, or a search found no one)."""
        self._generation += 1  # a details answer still on its way is dropped
        self.content.hide()
        self.empty.show()

    def load(self, id_number: str) -> None:
        self._number = id_number
        self._generation += 1
        generation = self._generation
        self._ctx.runner.read("person details", reads.person_details, self._ctx.session, id_number).then(
            self, lambda d: self._show(generation, d), lambda e: self._ctx.fail(self, e)
        )

    def _show(self, generation: int, details: Any) -> None:
        if generation != self._generation:
            return
        assert isinstance(details, reads.PersonDetails)
        record = details.record
        self.empty.hide()
        self.content.show()
        self.name.setText(f"{record['family_name']} {record['given_name']}")
        self.latin.setText(f"{record['latin_family']} {record['latin_given']}")
        self.number.setText(self.tr("ID number {number}").format(number=format_id(record["id_number"])))
        self._fact_labels["birth"].setText(record["birth_date"])
        self._fact_labels["sex"].setText(sex_name(record["sex"]))
        place = record["birthplace"]
        self._fact_labels["place"].setText(f"{place} — {details.birthplace_name}" if details.birthplace_name else place)
        registered = self.tr("{time} by {officer}").format(
            time=short_time(record["registered_at"]), officer=record["registered_by"]
        )
        if record.get("approved_by"):
            registered += " " + self.tr("(approved by {officer})").format(officer=record["approved_by"])
        self._fact_labels["registered"].setText(registered)
        if details.photo:
            pixmap = QPixmap()
            pixmap.loadFromData(details.photo)
            self.photo.setPixmap(
                pixmap.scaled(
                    self.photo.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
        else:
            self.photo.clear()
            self.photo.setPixmap(icon("officer").pixmap(48, 48))

        self.credentials.clear()
        for cred in details.credentials:
            item = QTreeWidgetItem(
                [
                    status_name(cred["status"]),
                    cred["issued_at"][:10],
                    cred["expires_at"][:10],
                    cred["credential_id"][:8],
                ]
            )
            item.setToolTip(3, cred["credential_id"])
            self.credentials.addTopLevelItem(item)
        self.credentials.setVisible(bool(details.credentials))
        self.no_credentials.setVisible(not details.credentials)

        self.history.clear()
        for when, kind, data in reversed(details.history()):
            self.history.addItem(f"{short_time(when)}  {self._history_text(kind, data)}")

    def _history_text(self, kind: str, data: dict[str, Any]) -> str:
        if kind == "registered":
            return self.tr("Registered by {officer}").format(officer=data["registered_by"])
        if kind == "issued":
            return self.tr("Credential {cid} issued by {officer}").format(
                cid=data["credential_id"][:8], officer=data["issued_by"]
            )
        if kind == "requested":
            return self.tr("{officer} requested: {action} — “{reason}”").format(
                officer=data["requested_by"], action=action_name(data["action"]), reason=data["reason"]
            )
        if kind == "decided":
            verdict = self.tr("approved") if data["status"] == "approved" else self.tr("rejected")
            return self.tr("Request {number} {verdict} by {officer}").format(
                number=data["request_id"], verdict=verdict, officer=data["decided_by"]
            )
        return self.tr("Credential {cid} became {status}").format(
            cid=data["credential_id"][:8], status=status_name(kind)
        )


ID_LENGTHS = {"cn-18": 18, "ee-11": 11, "uin-10": 10}  # the published schemes (docs/coding-rules.md)


def likely_typo(scheme: str, text: str) -> str:
    """The core's sentence when `text` is shaped like an ID number of the scheme but fails its checks (a wrong
    check digit reads as a probable typo); "" for anything else (names, dates, valid numbers)."""
    from console.core import coding
    from console.core.errors import ValidationError

    compact = text.replace(" ", "").strip()
    # Only text of the scheme's length made of digits (a date or a name is a search, not a mistyped number).
    if len(compact) != ID_LENGTHS.get(scheme, 0) or not compact[:-1].isdigit():
        return ""
    try:
        coding.validate(scheme, compact)
    except ValidationError as e:
        return str(e)
    return ""


def _section(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.setContentsMargins(0, 8, 0, 0)
    return label
