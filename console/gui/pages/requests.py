"""Requests: ask for a credential to be revoked, suspended or reinstated, and follow what became of it.

A request changes nothing by itself; a supervisor other than the requester decides it (Approvals screen).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.core import requests
from console.core.errors import NotFound, ValidationError
from console.core.roles import Permission
from console.gui import reads
from console.gui.context import Context
from console.gui.holder import HolderPanel
from console.gui.icons import icon
from console.gui.models import format_id
from console.gui.texts import action_name, short_time, status_name
from console.gui.widgets import Banner, DictTableModel, hint_label, page_title, set_invalid

logger = logging.getLogger(__name__)

HOLDER_DELAY_MS = 300  # look the holder up once typing pauses, not on every key
TARGET_INPUT_MAX = 64  # an ID number or a credential id (32 hex digits), with grouping spaces or dashes


def request_columns() -> list[tuple[str, str]]:
    from PySide6.QtCore import QCoreApplication

    return [
        ("request_id", QCoreApplication.translate("RequestsPage", "No.")),
        ("action", QCoreApplication.translate("RequestsPage", "Action")),
        ("holder", QCoreApplication.translate("RequestsPage", "Holder")),
        ("id_number", QCoreApplication.translate("RequestsPage", "ID number")),
        ("card_number", QCoreApplication.translate("RequestsPage", "Card")),
        ("status", QCoreApplication.translate("RequestsPage", "Status")),
        ("requested_by", QCoreApplication.translate("RequestsPage", "Requested by")),
        ("requested_at", QCoreApplication.translate("RequestsPage", "Requested")),
        ("decided_by", QCoreApplication.translate("RequestsPage", "Decided by")),
        ("reason", QCoreApplication.translate("RequestsPage", "Reason")),
        ("note", QCoreApplication.translate("RequestsPage", "Decision note")),
    ]


REQUEST_FORMATTERS = {
    "action": lambda v: action_name(str(v)),
    "status": lambda v: status_name(str(v)),
    "id_number": lambda v: format_id(str(v)),
    "requested_at": lambda v: short_time(v),
    "decided_at": lambda v: short_time(v),
    "note": lambda v: "" if v is None else str(v),
    "decided_by": lambda v: "" if v is None else str(v),
}


class RequestsPage(QWidget):
    """New request form (clerks, supervisors) and the list of requests (everyone who may read them)."""

    request_created = Signal(dict)
    loaded = Signal()
    holder_shown = Signal()  # the holder (or why there is none) of the typed number is on screen

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        intro = (
            self.tr(
                "Ask for a card to be revoked (lost, stolen, wrong data), suspended or reinstated. A supervisor "
                "other than you decides; the card's status changes only when the request is approved."
            )
            if ctx.allows(Permission.REQUEST_CREATE)
            else self.tr("Requests to revoke, suspend or reinstate cards, who decided them and why.")
        )
        layout.addWidget(page_title(self.tr("Requests"), intro))
        self.banner = Banner()
        layout.addWidget(self.banner)

        self.form_box = QGroupBox(self.tr("New request"))
        form = QFormLayout(self.form_box)
        self.action = QComboBox()
        self.action.setAccessibleName(self.tr("Action"))
        self.action.addItem(self.tr("Revoke the card (permanent)"), "revoke")
        self.action.addItem(self.tr("Suspend the card (can be reinstated)"), "suspend")
        self.action.addItem(self.tr("Reinstate a suspended card"), "reinstate")
        self.target = QLineEdit()
        self.target.setAccessibleName(self.tr("ID number or credential id"))
        self.target.setPlaceholderText(self.tr("ID number (the newest card) or credential id"))
        self.target.setMaxLength(TARGET_INPUT_MAX)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName(self.tr("Reason"))
        self.reason.setPlaceholderText(self.tr("Why? The supervisor decides on it and it stays in the audit trail."))
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(64)
        self.reason_message = hint_label("", "error")
        self.reason_message.hide()
        self.submit_button = QPushButton(icon("requests"), self.tr("Send request"))
        self.submit_button.setToolTip(self.tr("Send the request to a supervisor (Ctrl+Enter)"))
        self.submit_button.clicked.connect(self.submit)
        form.addRow(self.tr("&Action"), self.action)
        form.addRow(self.tr("&Card of"), self.target)
        self.holder = HolderPanel()
        self.holder.setObjectName("RequestHolder")
        form.addRow("", self.holder)
        self._holder_timer = QTimer(self)
        self._holder_timer.setSingleShot(True)
        self._holder_timer.setInterval(HOLDER_DELAY_MS)
        self._holder_timer.timeout.connect(self._look_up_holder)
        self._holder_generation = 0
        self.target.textChanged.connect(self._on_target_edited)
        form.addRow(self.tr("&Reason"), self.reason)
        form.addRow("", self.reason_message)
        submit_row = QHBoxLayout()
        submit_row.addStretch(1)
        submit_row.addWidget(self.submit_button)
        form.addRow(submit_row)
        layout.addWidget(self.form_box)
        self.form_box.setVisible(ctx.allows(Permission.REQUEST_CREATE))
        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(
                QKeySequence(sequence),
                self.form_box,
                self.submit,
                context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
            )

        list_head = QHBoxLayout()
        title = QLabel(self.tr("All requests"))
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        list_head.addWidget(title)
        list_head.addStretch(1)
        self.filter = QComboBox()
        self.filter.setAccessibleName(self.tr("Show requests"))
        self.filter.addItem(self.tr("All"), None)
        self.filter.addItem(self.tr("Pending"), "pending")
        self.filter.addItem(self.tr("Approved"), "approved")
        self.filter.addItem(self.tr("Rejected"), "rejected")
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        list_head.addWidget(self.filter)
        refresh = QPushButton(icon("refresh"), self.tr("Refresh"))
        refresh.setToolTip(self.tr("Load the list again (F5)"))
        refresh.clicked.connect(self.refresh)
        list_head.addWidget(refresh)
        layout.addLayout(list_head)

        self.model = DictTableModel(request_columns(), self, REQUEST_FORMATTERS)
        self.table = QTableView()
        self.table.setObjectName("RequestTable")
        self.table.setAccessibleName(self.tr("Requests"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = hint_label(self.tr("No requests."))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self.empty.hide()
        self.setTabOrder(self.action, self.target)
        self.setTabOrder(self.target, self.reason)
        self.setTabOrder(self.reason, self.submit_button)
        ctx.data_changed.connect(lambda what: self.refresh() if what in ("requests", "credentials") else None)
        self.refresh()

    def focus_first(self) -> None:
        (self.target if self.form_box.isVisible() else self.table).setFocus()

    def _on_target_edited(self, _text: str) -> None:
        self._holder_generation += 1
        self.holder.set_holder(None)
        self._holder_timer.start()

    def _look_up_holder(self) -> None:
        """Whose card the typed number names: shown under the field before the request is sent."""
        text = self.target.text().replace(" ", "").strip()
        if not text:
            return
        self._holder_generation += 1
        generation = self._holder_generation
        self._ctx.runner.read("request holder", reads.holder, self._ctx.session, text).then(
            self, lambda h: self._on_holder(generation, h), lambda e: self._on_holder_failed(generation, e)
        )

    def _on_holder(self, generation: int, holder: Any) -> None:
        if generation == self._holder_generation:
            self.holder.set_holder(holder)
            self.holder_shown.emit()

    def _on_holder_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._holder_generation:
            return
        if isinstance(exc, ValidationError | NotFound):  # a typo (wrong check digit) or nobody: say so in place
            self.holder.set_message(str(exc))
            self.holder_shown.emit()
            return
        self._ctx.fail(self, exc)

    def prefill(self, id_number: str) -> None:
        self.target.setText(format_id(id_number))
        self.reason.setFocus()

    def refresh(self) -> None:
        self._ctx.runner.read(
            "list requests", reads.requests_with_holders, self._ctx.session, status=self.filter.currentData()
        ).then(self, self._on_loaded, lambda e: self._ctx.fail(self, e))

    def _on_loaded(self, rows: Any) -> None:
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self.loaded.emit()

    def submit(self) -> None:
        reason = " ".join(self.reason.toPlainText().split())
        target = self.target.text().replace(" ", "").strip()
        if not target:
            self.target.setFocus()
            set_invalid(self.target, True)
            return
        set_invalid(self.target, False)
        if not reason:
            self._reason_error(self.tr("Give a reason: the supervisor decides on it."))
            return
        self._reason_error("")
        self.submit_button.setEnabled(False)
        self._ctx.runner.write(
            "create request", requests.create_request, self._ctx.session, str(self.action.currentData()), target, reason
        ).then(self, self._on_created, self._on_failed)

    def _reason_error(self, text: str) -> None:
        self.reason_message.setText(text)
        self.reason_message.setVisible(bool(text))
        set_invalid(self.reason, bool(text))
        if text:
            self.reason.setFocus()

    def _on_created(self, result: Any) -> None:
        self.submit_button.setEnabled(True)
        self.banner.show_message(
            "success",
            self.tr("Request {number} sent").format(number=result["request_id"]),
            self.tr("A supervisor other than you will approve or reject it; the card stays as it is until then."),
        )
        self.target.clear()
        self.reason.clear()
        self.request_created.emit(result)
        self._ctx.data_changed.emit("requests")

    def _on_failed(self, exc: BaseException) -> None:
        self.submit_button.setEnabled(True)
        if isinstance(exc, ValidationError) and exc.field == "reason":
            self._reason_error(str(exc))
            return
        from console.core.errors import Conflict

        if isinstance(exc, Conflict | NotFound | ValidationError):
            self.banner.show_message("error", self.tr("The request was not sent"), str(exc))
            return
        self._ctx.fail(self, exc)
