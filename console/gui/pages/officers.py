"""Officers (administrators): who may work here, in which role; add, disable, unlock, reset a password.

Everything goes through `console.core.officers`, which checks the permission and the rules (no disabling
yourself or the last administrator); its refusals are shown in place. Adding an officer and resetting a
password create a keystore (argon2id): both run on the write queue.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QItemSelection, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.core import officers
from console.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from console.core.passwords import MIN_LENGTH
from console.core.roles import Permission
from console.gui.context import Context
from console.gui.dialogs import dialogs
from console.gui.icons import icon
from console.gui.texts import error_text, officer_status_name, role_name, role_names, short_time
from console.gui.widgets import Banner, DictTableModel, hint_label, page_title, set_invalid

logger = logging.getLogger(__name__)

INLINE_ERRORS = (PermissionDenied, Conflict, NotFound, ValidationError)


class OfficersPage(QWidget):
    """The officers table, what can be done to the selected one, and the form for a new one."""

    loaded = Signal()
    changed = Signal(str)  # what was done: "added", "disabled", "unlocked", "reset"

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(
            page_title(
                self.tr("Officers"),
                self.tr(
                    "Who works in this office and in which role. Disabling an officer ends their access and their "
                    "signing key at once; their past work stays signed and in the audit trail."
                ),
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        columns = [
            ("username", self.tr("Username")),
            ("full_name", self.tr("Name")),
            ("role", self.tr("Role")),
            ("status", self.tr("Status")),
            ("locked_until", self.tr("Locked until")),
            ("last_login", self.tr("Last login")),
            ("created_at", self.tr("Added")),
        ]
        formatters = {
            "role": lambda v: role_name(str(v)),
            "status": lambda v: officer_status_name(str(v)),
            "locked_until": lambda v: short_time(v) if v else "",
            "last_login": lambda v: short_time(v) if v else self.tr("never"),
            "created_at": lambda v: short_time(v),
        }
        self.model = DictTableModel(columns, self, formatters)
        self.table = QTableView()
        self.table.setObjectName("OfficerTable")
        self.table.setAccessibleName(self.tr("Officers"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)

        self.selected_box = QGroupBox(self.tr("Selected officer"))
        selected = QVBoxLayout(self.selected_box)
        self.selected_text = hint_label(self.tr("Select an officer to disable, unlock or give a new password."))
        selected.addWidget(self.selected_text)
        row = QHBoxLayout()
        self.disable_button = QPushButton(icon("reject"), self.tr("Disable…"))
        self.disable_button.clicked.connect(self.disable_selected)
        self.unlock_button = QPushButton(icon("lock"), self.tr("Unlock"))
        self.unlock_button.setToolTip(self.tr("Lift the lock after too many wrong passwords"))
        self.unlock_button.clicked.connect(self.unlock_selected)
        self.reset_password = QLineEdit()
        self.reset_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.reset_password.setAccessibleName(self.tr("New password for the selected officer"))
        self.reset_password.setPlaceholderText(
            self.tr("New password (at least {count} characters)").format(count=MIN_LENGTH)
        )
        self.reset_button = QPushButton(icon("officer"), self.tr("Reset password"))
        self.reset_button.clicked.connect(self.reset_selected)
        row.addWidget(self.disable_button)
        row.addWidget(self.unlock_button)
        row.addStretch(1)
        row.addWidget(self.reset_password, 1)
        row.addWidget(self.reset_button)
        selected.addLayout(row)
        layout.addWidget(self.selected_box)

        self.add_box = QGroupBox(self.tr("New officer"))
        form = QFormLayout(self.add_box)
        self.username = QLineEdit()
        self.username.setAccessibleName(self.tr("Username"))
        self.username.setMaxLength(32)
        self.full_name = QLineEdit()
        self.full_name.setAccessibleName(self.tr("Full name"))
        self.full_name.setMaxLength(100)
        self.role = QComboBox()
        self.role.setAccessibleName(self.tr("Role"))
        for code, name in role_names():
            self.role.addItem(name, code)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("First password"))
        self.password.setPlaceholderText(
            self.tr("At least {count} characters; tell it to the officer in person").format(count=MIN_LENGTH)
        )
        self.add_button = QPushButton(icon("register"), self.tr("Add officer"))
        self.add_button.clicked.connect(self.add)
        form.addRow(self.tr("&Username"), self.username)
        form.addRow(self.tr("&Full name"), self.full_name)
        form.addRow(self.tr("&Role"), self.role)
        form.addRow(self.tr("First &password"), self.password)
        add_row = QHBoxLayout()
        add_row.addStretch(1)
        add_row.addWidget(self.add_button)
        form.addRow(add_row)
        layout.addWidget(self.add_box)
        may_manage = ctx.allows(Permission.OFFICER_MANAGE)
        self.add_box.setVisible(may_manage)
        self.selected_box.setVisible(may_manage)

        self.table.selectionModel().selectionChanged.connect(self._on_selected)
        self._enable_actions(None)
        self.refresh()

    def focus_first(self) -> None:
        self.table.setFocus()

    # ----------------------------------------------------------------------------------------- list
    def refresh(self) -> None:
        self._ctx.runner.read("officers", officers.list_officers, self._ctx.session).then(
            self, self._on_loaded, self._on_failed
        )

    def _on_loaded(self, rows: Any) -> None:
        self.model.set_rows(rows)
        self.table.clearSelection()
        self._enable_actions(None)
        self.loaded.emit()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select(self, username: str) -> bool:
        for index, row in enumerate(self.model.rows()):
            if row["username"] == username:
                self.table.selectRow(index)
                return True
        return False

    def _on_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._enable_actions(self.selected())

    def _enable_actions(self, row: dict[str, Any] | None) -> None:
        active = bool(row and row["status"] == "active")
        self.disable_button.setEnabled(active and row is not None and row["username"] != self._ctx.session.username)
        self.unlock_button.setEnabled(bool(row and row.get("locked_until")))
        self.reset_password.setEnabled(active)
        self.reset_button.setEnabled(active)
        if row is None:
            self.selected_text.setText(self.tr("Select an officer to disable, unlock or give a new password."))
            return
        state = officer_status_name(row["status"])
        if row.get("locked_until"):
            state = self.tr("locked until {time}").format(time=short_time(row["locked_until"]))
        self.selected_text.setText(
            self.tr("{name} ({username}), {role}: {state}; last login {login}.").format(
                name=row["full_name"],
                username=row["username"],
                role=role_name(row["role"]),
                state=state,
                login=short_time(row["last_login"]) if row.get("last_login") else self.tr("never"),
            )
        )

    # ----------------------------------------------------------------------------------------- actions
    def add(self) -> None:
        username = self.username.text().strip()
        if not username:
            set_invalid(self.username, True)
            self.username.setFocus()
            return
        set_invalid(self.username, False)
        self.add_button.setEnabled(False)
        self._ctx.runner.write(
            "add officer",
            officers.add_officer,
            self._ctx.session,
            username=username,
            role=str(self.role.currentData()),
            full_name=self.full_name.text(),
            password=self.password.text(),
        ).then(self, self._on_added, self._on_failed)

    def _on_added(self, result: Any) -> None:
        self.add_button.setEnabled(True)
        self.banner.show_message(
            "success",
            self.tr("Officer added"),
            self.tr("{name} can now log in as {username} ({role}).").format(
                name=result["full_name"], username=result["username"], role=role_name(result["role"])
            ),
        )
        for field in (self.username, self.full_name, self.password):
            field.clear()
        self.changed.emit("added")
        self.refresh()

    def disable_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        if not dialogs().confirm(
            self,
            self.tr("Disable this officer?"),
            self.tr(
                "{name} ({username}) will no longer be able to log in, and their signing key ends now. What they "
                "signed before stays valid. This cannot be undone; enrol them again if they come back."
            ).format(name=row["full_name"], username=row["username"]),
        ):
            return
        self._run("disable officer", officers.disable_officer, row["username"], "disabled")

    def unlock_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self._run("unlock officer", officers.unlock_officer, row["username"], "unlocked")

    def reset_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        password = self.reset_password.text()
        if not password:
            set_invalid(self.reset_password, True)
            self.reset_password.setFocus()
            return
        set_invalid(self.reset_password, False)
        self._run("reset password", officers.reset_password, row["username"], "reset", password)

    def _run(self, name: str, function: Any, username: str, what: str, *args: Any) -> None:
        self._enable_actions(None)
        self._ctx.runner.write(name, function, self._ctx.session, username, *args).then(
            self, lambda _r: self._on_done(what, username), self._on_failed
        )

    def _on_done(self, what: str, username: str) -> None:
        titles = {
            "disabled": self.tr("Officer disabled"),
            "unlocked": self.tr("Officer unlocked"),
            "reset": self.tr("Password reset"),
        }
        texts = {
            "disabled": self.tr("{username} can no longer log in."),
            "unlocked": self.tr("{username} can log in again with their password."),
            "reset": self.tr("{username} logs in with the new password from now on; tell it to them in person."),
        }
        self.reset_password.clear()
        self.banner.show_message("success", titles[what], texts[what].format(username=username))
        self.changed.emit(what)
        self.refresh()

    def _on_failed(self, exc: BaseException) -> None:
        self.add_button.setEnabled(True)
        self._enable_actions(self.selected())
        if isinstance(exc, INLINE_ERRORS):
            self.banner.show_message("error", self.tr("Not done"), error_text(exc))
            return
        self._ctx.fail(self, exc)
