"""Approvals (supervisors): decide revocation/suspension/reinstatement requests and held registrations.

The four-eyes rule (nobody decides what they asked for or entered) is enforced by the core; when it refuses,
this screen shows the core's sentence in place rather than hiding the buttons, so the supervisor learns why.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QItemSelection, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.core import registry, requests
from console.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from console.core.roles import Permission
from console.gui import reads
from console.gui.context import Context
from console.gui.dialogs import dialogs
from console.gui.holder import HolderPanel
from console.gui.icons import icon
from console.gui.models import format_id
from console.gui.pages.requests import REQUEST_FORMATTERS
from console.gui.texts import action_name, error_text, sex_name, short_time, status_name
from console.gui.widgets import Banner, DictTableModel, hint_label, page_title, set_invalid

logger = logging.getLogger(__name__)

# Refusals the officer can act on: shown in the page's banner, not in a dialog.
INLINE_ERRORS = (PermissionDenied, Conflict, NotFound, ValidationError)


class ApprovalsPage(QWidget):
    """Two queues: status-change requests and possible duplicates."""

    decided = Signal(dict)
    loaded = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._holder_generation = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(
            page_title(
                self.tr("Approvals"),
                self.tr(
                    "Decide what other officers asked for. You cannot decide your own requests or registrations: "
                    "another supervisor must (four-eyes rule)."
                ),
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        self.requests_panel = QWidget()
        self._build_requests(self.requests_panel)
        self.reviews_panel = QWidget()
        self._build_reviews(self.reviews_panel)
        if ctx.allows(Permission.REQUEST_DECIDE):
            self.tabs.addTab(self.requests_panel, icon("requests"), self.tr("Requests"))
        if ctx.allows(Permission.REVIEW_DECIDE):
            self.tabs.addTab(self.reviews_panel, icon("citizens"), self.tr("Possible duplicates"))
        ctx.data_changed.connect(lambda what: self.refresh() if what in ("requests", "reviews") else None)
        self._loading = 0
        self.refresh()

    # ----------------------------------------------------------------------------------------- requests
    def _build_requests(self, panel: QWidget) -> None:
        layout = QVBoxLayout(panel)
        columns = [
            ("request_id", self.tr("No.")),
            ("action", self.tr("Action")),
            ("holder", self.tr("Holder")),
            ("id_number", self.tr("ID number")),
            ("card_number", self.tr("Card")),
            ("requested_by", self.tr("Requested by")),
            ("requested_at", self.tr("Requested")),
            ("reason", self.tr("Reason")),
        ]
        self.request_model = DictTableModel(columns, self, REQUEST_FORMATTERS)
        self.request_table = _table(self.request_model, self.tr("Pending requests"))
        self.request_table.setObjectName("PendingRequests")
        layout.addWidget(self.request_table, 1)
        self.requests_empty = hint_label(self.tr("No request waits for a decision."))
        layout.addWidget(self.requests_empty)

        self.request_holder = HolderPanel()
        layout.addWidget(self.request_holder)
        self.request_detail = hint_label(self.tr("Select a request to decide it."))
        layout.addWidget(self.request_detail)
        row = QHBoxLayout()
        self.request_note = QLineEdit()
        self.request_note.setAccessibleName(self.tr("Decision note"))
        self.request_note.setPlaceholderText(self.tr("Note (required to reject; e.g. which document you checked)"))
        self.approve_button = QPushButton(icon("approve"), self.tr("Approve"))
        self.reject_button = QPushButton(icon("reject"), self.tr("Reject"))
        self.approve_button.clicked.connect(self.approve_selected)
        self.reject_button.clicked.connect(self.reject_selected)
        row.addWidget(self.request_note, 1)
        row.addWidget(self.approve_button)
        row.addWidget(self.reject_button)
        layout.addLayout(row)
        self.request_table.selectionModel().selectionChanged.connect(self._on_request_selected)
        self._enable_request_buttons(False)

    def _selected_request(self) -> dict[str, Any] | None:
        rows = self.request_table.selectionModel().selectedRows()
        return self.request_model.row_at(rows[0].row()) if rows else None

    def _on_request_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        row = self._selected_request()
        self._enable_request_buttons(row is not None)
        self._holder_generation += 1
        if row is None:
            self.request_holder.set_holder(None)
            self.request_detail.setText(self.tr("Select a request to decide it."))
            return
        text = self.tr("Request {number}: {action} card {card} of {name}, asked by {officer} on {time}.").format(
            number=row["request_id"],
            action=action_name(row["action"]),
            card=row["card_number"],
            name=row["holder"] or format_id(row["id_number"]),
            officer=row["requested_by"],
            time=short_time(row["requested_at"]),
        )
        text += " " + self.tr("Reason: {reason}").format(reason=row["reason"])
        if row["requested_by"] == self._ctx.session.username:
            text += " " + self.tr("You made this request; another supervisor must decide it.")
        self.request_detail.setText(text)
        self.request_holder.set_message(self.tr("Loading the holder…"))
        generation = self._holder_generation
        self._ctx.runner.read(
            "request holder", reads.holder, self._ctx.session, row["id_number"], row["credential_id"]
        ).then(self, lambda h: self._on_holder(generation, h), lambda e: self._on_holder_failed(generation, e))

    def _on_holder(self, generation: int, holder: Any) -> None:
        if generation == self._holder_generation:
            self.request_holder.set_holder(holder)

    def _on_holder_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._holder_generation:
            return
        if isinstance(exc, NotFound):
            self.request_holder.set_message(str(exc))
            return
        self.request_holder.set_message("")
        self._ctx.fail(self, exc)

    def _holder_words(self, row: dict[str, Any]) -> str:
        """The holder as the confirmation dialogs name them: both forms of the name, ID number, card number."""
        if not row.get("holder"):
            return self.tr("ID number {number}, card {card}").format(
                number=format_id(row["id_number"]), card=row["card_number"]
            )
        return self.tr("{name} ({latin}), ID number {number}, card {card}").format(
            name=row["holder"],
            latin=row["holder_latin"],
            number=format_id(row["id_number"]),
            card=row["card_number"],
        )

    def _enable_request_buttons(self, enabled: bool) -> None:
        for widget in (self.request_note, self.approve_button, self.reject_button):
            widget.setEnabled(enabled)

    def approve_selected(self) -> None:
        row = self._selected_request()
        if row is None:
            return
        who = self._holder_words(row)
        if row["action"] == "revoke":
            title = self.tr("Revoke this card for good?")
            text = self.tr(
                "Approving request {number} revokes the card of {holder} permanently: it will be reported as "
                "revoked whenever it is verified and cannot be reinstated; the holder needs a new card."
            ).format(number=row["request_id"], holder=who)
        elif row["action"] == "suspend":
            title = self.tr("Suspend this card?")
            text = self.tr(
                "Approving request {number} suspends the card of {holder}: it will be reported as suspended "
                "until a supervisor reinstates it."
            ).format(number=row["request_id"], holder=who)
        else:
            title = self.tr("Reinstate this card?")
            text = self.tr(
                "Approving request {number} reinstates the card of {holder}: it will be reported as valid again."
            ).format(number=row["request_id"], holder=who)
        if not dialogs().confirm(self, title, text):
            return
        self._decide(requests.approve, row["request_id"], self.request_note.text())

    def reject_selected(self) -> None:
        row = self._selected_request()
        if row is None:
            return
        if not self.request_note.text().strip():
            set_invalid(self.request_note, True)
            self.banner.show_message(
                "error",
                self.tr("Write a note"),
                self.tr("Say why the request is rejected; the requester will read it."),
            )
            self.request_note.setFocus()
            return
        if not dialogs().confirm(
            self,
            self.tr("Reject this request?"),
            self.tr("Rejecting request {number} leaves the card of {holder} as it is.").format(
                number=row["request_id"], holder=self._holder_words(row)
            ),
        ):
            return
        self._decide(requests.reject, row["request_id"], self.request_note.text())

    def _decide(self, function: Any, number: int, note: str) -> None:
        set_invalid(self.request_note, False)
        self._enable_request_buttons(False)
        self._ctx.runner.write("decide request", function, self._ctx.session, number, note).then(
            self, self._on_request_decided, self._on_refused
        )

    def _on_request_decided(self, result: Any) -> None:
        if result["status"] == "approved":
            title = self.tr("Request {number} approved").format(number=result["request_id"])
            text = self.tr("The card is now {status}.").format(
                status=status_name(str(result.get("credential_status", "")))
            )
        else:
            title = self.tr("Request {number} rejected").format(number=result["request_id"])
            text = self.tr("Nothing changed; the requester can read your note.")
        self.banner.show_message("success", title, text)
        self.request_note.clear()
        self.decided.emit(result)
        self._ctx.data_changed.emit("requests")
        self._ctx.data_changed.emit("credentials")

    def _on_refused(self, exc: BaseException) -> None:
        self._enable_request_buttons(self._selected_request() is not None)
        self._enable_review_buttons(self._selected_review() is not None)
        if isinstance(exc, INLINE_ERRORS):
            self.banner.show_message("error", self.tr("Not allowed"), error_text(exc))
            return
        self._ctx.fail(self, exc)

    # ----------------------------------------------------------------------------------------- reviews
    def _build_reviews(self, panel: QWidget) -> None:
        layout = QVBoxLayout(panel)
        columns = [
            ("id", self.tr("No.")),
            ("family_name", self.tr("Family name")),
            ("given_name", self.tr("Given name")),
            ("birth_date", self.tr("Birth date")),
            ("requested_by", self.tr("Entered by")),
            ("requested_at", self.tr("Entered")),
        ]
        self.review_model = DictTableModel(columns, self, {"requested_at": short_time})
        self.review_table = _table(self.review_model, self.tr("Registrations held for review"))
        self.review_table.setObjectName("PendingReviews")
        layout.addWidget(self.review_table, 1)
        self.reviews_empty = hint_label(self.tr("No registration waits for review."))
        layout.addWidget(self.reviews_empty)
        self.review_detail = hint_label(self.tr("Select a held registration to compare it with the existing records."))
        self.review_detail.setProperty("hint", "")
        layout.addWidget(self.review_detail)
        form = QFormLayout()
        self.review_note = QLineEdit()
        self.review_note.setAccessibleName(self.tr("Review note"))
        self.review_note.setPlaceholderText(self.tr("Note (required to reject: which record it duplicates)"))
        form.addRow(self.tr("Note"), self.review_note)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addStretch(1)
        self.accept_button = QPushButton(icon("register"), self.tr("Not a duplicate: register"))
        self.reject_review_button = QPushButton(icon("reject"), self.tr("Duplicate: reject"))
        self.accept_button.clicked.connect(self.accept_selected_review)
        self.reject_review_button.clicked.connect(self.reject_selected_review)
        row.addWidget(self.accept_button)
        row.addWidget(self.reject_review_button)
        layout.addLayout(row)
        self.review_table.selectionModel().selectionChanged.connect(self._on_review_selected)
        self._enable_review_buttons(False)

    def _selected_review(self) -> dict[str, Any] | None:
        rows = self.review_table.selectionModel().selectedRows()
        return self.review_model.row_at(rows[0].row()) if rows else None

    def _on_review_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        review = self._selected_review()
        self._enable_review_buttons(review is not None)
        if review is None:
            self.review_detail.setText(self.tr("Select a held registration to compare it with the existing records."))
            return
        lines = [
            self.tr("Held: {family} {given} ({latin}), {sex}, born {birth} in {place}.").format(
                family=review["family_name"],
                given=review["given_name"],
                latin=f"{review['latin_family']} {review['latin_given']}",
                sex=sex_name(review["sex"]),
                birth=review["birth_date"],
                place=review["birthplace"],
            ),
            self.tr("Looks like:"),
        ]
        for c in review["candidates"]:
            ref = format_id(c["ref"]) if c["kind"] == "registered" else f"#{c['ref']}"
            lines.append(
                f"  • {c['family_name']} {c['given_name']} ({c['latin_family']} {c['latin_given']}), {c['birth_date']} — {ref}"
            )
        self.review_detail.setText("\n".join(lines))

    def _enable_review_buttons(self, enabled: bool) -> None:
        for widget in (self.review_note, self.accept_button, self.reject_review_button):
            widget.setEnabled(enabled)

    def accept_selected_review(self) -> None:
        review = self._selected_review()
        if review is None:
            return
        if not dialogs().confirm(
            self,
            self.tr("Register as a new person?"),
            self.tr(
                "{name} ({latin}), born {birth}, gets a new ID number: you confirm this is not a person already "
                "registered."
            ).format(name=_review_name(review), latin=_review_latin(review), birth=review["birth_date"]),
        ):
            return
        self._enable_review_buttons(False)
        self._ctx.runner.write(
            "accept review", registry.accept_review, self._ctx.session, review["id"], self.review_note.text()
        ).then(self, self._on_review_decided, self._on_refused)

    def reject_selected_review(self) -> None:
        review = self._selected_review()
        if review is None:
            return
        if not self.review_note.text().strip():
            set_invalid(self.review_note, True)
            self.banner.show_message(
                "error", self.tr("Write a note"), self.tr("Say which record the registration duplicates.")
            )
            self.review_note.setFocus()
            return
        set_invalid(self.review_note, False)
        if not dialogs().confirm(
            self,
            self.tr("Reject as a duplicate?"),
            self.tr("The registration of {name} ({latin}), born {birth}, is closed without a new ID number.").format(
                name=_review_name(review), latin=_review_latin(review), birth=review["birth_date"]
            ),
        ):
            return
        self._enable_review_buttons(False)
        self._ctx.runner.write(
            "reject review", registry.reject_review, self._ctx.session, review["id"], self.review_note.text()
        ).then(self, self._on_review_decided, self._on_refused)

    def _on_review_decided(self, result: Any) -> None:
        if result["status"] == "accepted":
            self.banner.show_message(
                "success",
                self.tr("Registered"),
                self.tr("Review {number} accepted: ID number {id_number}.").format(
                    number=result["review_id"], id_number=format_id(result["id_number"])
                ),
            )
            self._ctx.data_changed.emit("citizens")
        else:
            self.banner.show_message(
                "success",
                self.tr("Rejected as a duplicate"),
                self.tr("Review {number} is closed.").format(number=result["review_id"]),
            )
        self.review_note.clear()
        self.decided.emit(result)
        self._ctx.data_changed.emit("reviews")

    # ----------------------------------------------------------------------------------------- loading
    def refresh(self) -> None:
        runner, session = self._ctx.runner, self._ctx.session
        if self._ctx.allows(Permission.REQUEST_DECIDE):
            self._loading += 1
            runner.read("pending requests", reads.requests_with_holders, session, status="pending").then(
                self, self._on_requests, self._on_load_failed
            )
        if self._ctx.allows(Permission.REVIEW_DECIDE):
            self._loading += 1
            runner.read("pending reviews", registry.list_reviews, session).then(
                self, self._on_reviews, self._on_load_failed
            )

    def _on_requests(self, rows: Any) -> None:
        self.request_model.set_rows(rows)
        self.request_table.clearSelection()
        self.requests_empty.setVisible(not rows)
        self._enable_request_buttons(False)
        self._holder_generation += 1
        self.request_holder.set_holder(None)
        self.request_detail.setText(self.tr("Select a request to decide it."))
        self._loaded_one()

    def _on_reviews(self, rows: Any) -> None:
        self.review_model.set_rows(rows)
        self.review_table.clearSelection()
        self.review_detail.setText(self.tr("Select a held registration to compare it with the existing records."))
        self.reviews_empty.setVisible(not rows)
        self._enable_review_buttons(False)
        self._loaded_one()

    def _on_load_failed(self, exc: BaseException) -> None:
        self._loaded_one()
        self._ctx.fail(self, exc)

    def _loaded_one(self) -> None:
        self._loading = max(0, self._loading - 1)
        if not self._loading:
            self.loaded.emit()

    def pending_counts(self) -> tuple[int, int]:
        return self.request_model.rowCount(), self.review_model.rowCount()


def _review_name(review: dict[str, Any]) -> str:
    return f"{review['family_name']} {review['given_name']}"


def _review_latin(review: dict[str, Any]) -> str:
    return f"{review['latin_family']} {review['latin_given']}"


def _table(model: DictTableModel, name: str) -> QTableView:
    table = QTableView()
    table.setAccessibleName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


__all__ = ["ApprovalsPage", "QLabel"]
