"""Ledger and Offices screens, and the timer that syncs the shared ledger while the console is open.

- `LedgerSyncer` (one per logged-in officer, a child of the Context): while a ledger folder is configured and
  the officer may sync (``sync.run``), it runs `sync.run_sync` every `SYNC_INTERVAL_MS` on the task runner's
  serial write queue (never on the GUI thread), and on demand with progress (logs done) and cancel.
- `LedgerPage`: sync now, this office's log (size, published, last sync), every other office's log with its
  status; forks and refused logs in red, with the evidence (both signed checkpoints) shown for the selected log.
- `OfficesPage` (administrators and auditors see the list; enrolling needs ``key.manage``): every office known,
  and a form that enrols a new office (`enrolment.enrol_office`) and writes its enrolment file sealed under a
  passphrase, exactly as `id-console office add` does.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.core import enrolment
from console.core.errors import ConsoleError, UserCancelled, ValidationError
from console.core.keystore import seal
from console.core.roles import Permission
from console.gui.context import Context
from console.gui.dialogs import dialogs
from console.gui.icons import icon
from console.gui.nodeprocess import DEFAULT_PORT, node_for
from console.gui.texts import error_text, short_time
from console.gui.widgets import Banner, DictTableModel, hint_label, mono_font, page_title
from console.node import sync

logger = logging.getLogger(__name__)

#: How often the console syncs while open (ID_CONSOLE_SYNC_SECONDS overrides it, e.g. for a demonstration).
SYNC_INTERVAL_MS = int(float(os.environ.get("ID_CONSOLE_SYNC_SECONDS", "300")) * 1000)
ALARM = QColor("#B3261E")

ModelIndex = QModelIndex | QPersistentModelIndex


def _configured_peer(conn: Any) -> str | None:
    row = conn.execute("SELECT value FROM settings WHERE key = 'ledger_peer'").fetchone()  # peer.PEER_SETTING
    return str(row[0]) if row else None


def _status(office: Any) -> dict[str, Any]:
    """`sync.status` and the configured peer node (`peer`), which the summary names when there is no folder."""
    return {**sync.status(office.db.conn), "peer": _configured_peer(office.db.conn)}


def _sync(session: Any, progress: Any = None, cancel: Any = None) -> dict[str, Any]:
    folder = sync.configured_folder(session.office.db.conn)
    if folder is None:
        from console.node import peer  # issue 10: a peer node where offices share no folder

        url = peer.configured_peer(session.office.db.conn)
        if url is not None:
            return dict(peer.run_sync_peer(session, url, progress=progress, cancel=cancel).to_json())
        raise ValidationError("folder", "No ledger folder or peer node is configured; an administrator sets one first.")
    return sync.run_sync(session, folder, progress=progress, cancel=cancel).to_json()


class LedgerSyncer(QObject):
    """Syncs on a timer while the console is open and a folder is configured; one per officer's context."""

    sync_started = Signal()
    sync_finished = Signal(dict)
    sync_failed = Signal(str)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.setObjectName("LedgerSyncer")
        self._ctx = ctx
        self.running: Any = None
        self.last_report: dict[str, Any] | None = None
        self.last_error = ""
        self.timer = QTimer(self)
        self.timer.setInterval(SYNC_INTERVAL_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        if ctx.allows(Permission.SYNC_RUN):
            self.timer.start()

    def sync_now(self, *, progress: bool = True) -> Any:
        """Start a sync on the write queue (unless one runs); returns its task, or None."""
        if self.running is not None or self._ctx.expired:
            return None
        task = self._ctx.runner.write("ledger sync", _sync, self._ctx.session, progress=progress)
        self.running = task
        task.then(self, self._on_done, self._on_failed)
        self.sync_started.emit()
        return task

    def _on_timer_timeout(self) -> None:
        conn = self._ctx.office.db.conn  # one indexed row each: cheap on the GUI thread
        if sync.configured_folder(conn) is not None or _configured_peer(conn) is not None:
            self.sync_now(progress=False)

    def _on_done(self, report: Any) -> None:
        self.running = None
        self.last_report = dict(report)
        self.last_error = ""
        self.sync_finished.emit(self.last_report)
        if report.get("applied") and any(report["applied"].values()):
            self._ctx.data_changed.emit("credentials")

    def _on_failed(self, exc: BaseException) -> None:
        self.running = None
        if isinstance(exc, UserCancelled):
            self.last_error = str(exc)
            self.sync_failed.emit(self.last_error)
            return
        if isinstance(exc, ConsoleError):
            self.last_error = error_text(exc)
            self.sync_failed.emit(self.last_error)
            return
        self._ctx.fail(None, exc)


def syncer_for(ctx: Context) -> LedgerSyncer:
    """The officer's syncer (made on first use; the Workspace makes it at login so the timer runs)."""
    found = ctx.findChild(LedgerSyncer, "LedgerSyncer")
    return found if isinstance(found, LedgerSyncer) else LedgerSyncer(ctx)


class LogTableModel(DictTableModel):
    """Logs, with forked or refused ones in red."""

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            row = self.row_at(index.row()) or {}
            return ALARM if row.get("status") != "ok" or row.get("problem") else None
        return super().data(index, role)


class LedgerPage(QWidget):
    """Sync now, and the state of every log this office follows."""

    loaded = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.syncer = syncer_for(ctx)
        self._errors: dict[str, dict[str, str]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(
            page_title(
                self.tr("Shared ledger"),
                self.tr(
                    "Every office publishes its signed log to the shared folder and checks everyone else's. "
                    "The console syncs on its own every few minutes while it is open."
                ),
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.summary = QLabel()
        self.summary.setObjectName("LedgerSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        row = QHBoxLayout()
        self.sync_button = QPushButton(icon("refresh"), self.tr("Sync now"))
        self.sync_button.setObjectName("SyncNow")
        self.sync_button.setEnabled(ctx.allows(Permission.SYNC_RUN))
        self.sync_button.clicked.connect(self.sync_now)
        row.addWidget(self.sync_button)
        row.addStretch(1)
        layout.addLayout(row)
        self._add_node_controls(layout)
        columns = [
            ("log", self.tr("Office")),
            ("size", self.tr("Entries")),
            ("status", self.tr("Status")),
            ("updated_at", self.tr("Last accepted")),
            ("problem", self.tr("Problem")),
        ]
        formatters = {
            "status": self._status_text,
            "updated_at": lambda v: short_time(v) if v else "",
        }
        self.model = LogTableModel(columns, self, formatters)
        self.table = QTableView()
        self.table.setObjectName("LogTable")
        self.table.setAccessibleName(self.tr("Logs of other offices"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setMinimumSectionSize(90)  # headers not packed edge to edge when empty
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row)
        layout.addWidget(self.table, 2)
        layout.addWidget(
            hint_label(self.tr("Evidence of the selected log (anyone can check it with the office's key):"))
        )
        self.evidence = QPlainTextEdit()
        self.evidence.setObjectName("Evidence")
        self.evidence.setReadOnly(True)
        self.evidence.setFont(mono_font())
        self.evidence.setAccessibleName(self.tr("Evidence"))
        layout.addWidget(self.evidence, 1)
        self.syncer.sync_started.connect(self._on_syncer_started)
        self.syncer.sync_finished.connect(self._on_syncer_finished)
        self.syncer.sync_failed.connect(self._on_syncer_failed)
        self.refresh()

    def _add_node_controls(self, layout: QVBoxLayout) -> None:
        """Run/stop this office's peer node on 127.0.0.1 (administrators: the same choice as `ledger configure`)."""
        self.node = node_for(self._ctx.office.paths.data_dir)
        self.node_row = QWidget()
        row = QHBoxLayout(self.node_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.node_port = QSpinBox()
        self.node_port.setObjectName("NodePort")
        self.node_port.setRange(1, 65535)
        self.node_port.setValue(DEFAULT_PORT)
        self.node_port.setAccessibleName(self.tr("Peer node port"))
        self.node_button = QPushButton()
        self.node_button.setObjectName("NodeButton")
        self.node_button.clicked.connect(self.toggle_node)
        self.node_state = QLabel()
        self.node_state.setObjectName("NodeState")
        self.node_state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(QLabel(self.tr("Peer node on 127.0.0.1, port")))
        row.addWidget(self.node_port)
        row.addWidget(self.node_button)
        row.addWidget(self.node_state, 1)
        self.node_row.setVisible(self._ctx.allows(Permission.SYNC_CONFIGURE))
        layout.addWidget(self.node_row)
        self.node.state_changed.connect(self._on_node_state)
        self.node.failed.connect(self._on_node_failed)
        self._on_node_state(self.node.state)

    def toggle_node(self) -> None:
        if self.node.state == "stopped":
            self.node.start(self.node_port.value())
        else:
            self.node.stop()

    def _on_node_state(self, state: str) -> None:
        texts = {
            "stopped": self.tr("Stopped"),
            "starting": self.tr("Starting…"),
            "running": self.tr("Running at {url}").format(url=self.node.url),
            "stopping": self.tr("Stopping…"),
        }
        self.node_state.setText(texts.get(state, state))
        self.node_button.setText(self.tr("Run the peer node") if state == "stopped" else self.tr("Stop the peer node"))
        self.node_button.setEnabled(state in ("stopped", "running"))
        self.node_port.setEnabled(state == "stopped")

    def _on_node_failed(self, text: str) -> None:
        self.banner.show_message("error", self.tr("The peer node stopped"), text)

    def _status_text(self, value: Any) -> str:
        return {
            "ok": self.tr("in step"),
            "forked": self.tr("FORKED: no longer applied"),
            "refused": self.tr("refused"),
        }.get(str(value), str(value))

    def refresh(self) -> None:
        self._ctx.runner.read("ledger status", _status, self._ctx.office).then(self, self._on_loaded, self._on_failed)

    def sync_now(self) -> None:
        task = self.syncer.sync_now()
        if task is None and self.syncer.running is None:
            self.banner.show_message("error", self.tr("Not synced"), self.tr("The session has ended; log in again."))

    def _on_syncer_started(self) -> None:
        self.sync_button.setEnabled(False)
        self.banner.show_message(
            "info", self.tr("Syncing…"), self.tr("Publishing this office's log, then checking the others.")
        )

    def _on_syncer_finished(self, report: dict[str, Any]) -> None:
        self.sync_button.setEnabled(self._ctx.allows(Permission.SYNC_RUN))
        self._errors = {e["log"]: e for e in report.get("errors", [])}
        published = report.get("published", {}).get("new_entries", 0)
        applied = sum(int(v) for v in report.get("applied", {}).values())
        if report.get("forks") or report.get("errors"):
            problems = [f"{f['log']}: {f['reason']}" for f in report.get("forks", [])] + [
                self.tr("log {log}, file {file}: {message}").format(log=e["log"], file=e["file"], message=e["message"])
                for e in report.get("errors", [])
            ]
            self.banner.show_message(
                "error",
                self.tr("Synced, with alarms"),
                self.tr("Nothing was applied from these logs:") + " " + "; ".join(problems),
            )
        else:
            self.banner.show_message(
                "success",
                self.tr("Synced"),
                self.tr("{published} new entries published, {applied} applied from other offices.").format(
                    published=published, applied=applied
                ),
            )
        self.refresh()

    def _on_syncer_failed(self, text: str) -> None:
        self.sync_button.setEnabled(self._ctx.allows(Permission.SYNC_RUN))
        self.banner.show_message("error", self.tr("Not synced"), text)

    def _on_loaded(self, status: Any) -> None:
        rows = []
        for log in status["logs"]:
            row = dict(log)
            error = self._errors.get(row["log"])
            if error is not None and row["status"] == "ok":
                row["status"] = "refused"
                row["problem"] = self._file_problem(error)
            rows.append(row)
        for code, error in self._errors.items():  # a log refused before anything was ever accepted from it
            if all(r["log"] != code for r in rows):
                rows.append(
                    {
                        "log": code,
                        "size": 0,
                        "status": "refused",
                        "problem": self._file_problem(error),
                    }
                )
        self.model.set_rows(rows)
        own = status["log"]
        folder = status["folder"]
        last = short_time(own["published_at"]) if own["published_at"] else self.tr("never")
        if folder:
            place = self.tr("Shared folder: {folder}.").format(folder=folder)
        elif status.get("peer"):
            place = self.tr("Peer node: {url}.").format(url=status["peer"])
        else:
            place = self.tr("No shared folder or peer node yet: an administrator sets one in Settings.")
        self.summary.setText(  # one sentence pattern: Chinese joins the two without a space
            self.tr("{place} This office ({office}): {size} entries, {published} published; last sync: {last}.").format(
                place=place, office=own["office"], size=own["size"], published=own["published"], last=last
            )
        )
        forked = [r for r in rows if r["status"] != "ok"]
        if forked and self.banner.kind != "error":
            self.banner.show_message(
                "error",
                self.tr("Ledger alarm"),
                self.tr("These logs are not applied: {logs}. Select one to see the evidence.").format(
                    logs=", ".join(r["log"] for r in forked)
                ),
            )
        self.loaded.emit()

    def _file_problem(self, error: dict[str, str]) -> str:
        return self.tr("file {file}: {message}").format(file=error["file"], message=error["message"])

    def _on_table_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current.row()) or {}
        if row.get("evidence"):
            self.evidence.setPlainText(json.dumps(row["evidence"], indent=2, ensure_ascii=False))
        else:
            self.evidence.setPlainText(str(row.get("problem") or ""))

    def _on_failed(self, exc: BaseException) -> None:
        self._ctx.fail(self, exc)


def _enrol(session: Any, code: str, name: str, region: str | None, passphrase: str, out: str) -> dict[str, Any]:
    """Enrol the office and write its sealed enrolment file (the same file `office add --out` writes)."""
    from console.core.atomic import atomic_write

    result = enrolment.enrol_office(session, code, name, region)
    data = seal(result.to_bytes(), passphrase, session.office.kdf)  # the office's keystore limits
    atomic_write(Path(out), data, mode=0o600)
    return {"office": result.code, "slot": result.slot, "out": out}


class OfficesPage(QWidget):
    """Every office of the authority this office knows, and enrolling a new one (administrators)."""

    loaded = Signal()
    enrolled = Signal(dict)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(
            page_title(
                self.tr("Offices"),
                self.tr(
                    "The offices of the authority. Each hands out ID numbers from its own slot, so two offices never "
                    "give the same number."
                ),
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        columns = [
            ("code", self.tr("Code")),
            ("name", self.tr("Name")),
            ("slot", self.tr("Slot")),
            ("region", self.tr("Region")),
            ("local", self.tr("This office")),
            ("keys", self.tr("Keys")),
        ]
        self.model = DictTableModel(columns, self, {"local": lambda v: self.tr("yes") if v else ""})
        self.table = QTableView()
        self.table.setObjectName("OfficeTable")
        self.table.setAccessibleName(self.tr("Offices"))
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the office's name takes the room
        layout.addWidget(self.table, 1)
        self.form = QGroupBox(self.tr("Enrol a new office"))
        self.form.setMaximumWidth(640)  # a short form, not stretched over a wide window
        form = QFormLayout(self.form)
        self.code = QLineEdit()
        self.code.setPlaceholderText("B-02")
        self.name = QLineEdit()
        self.region = QLineEdit()
        self.region.setPlaceholderText(self.tr("cn-18 only: the county code"))
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase2 = QLineEdit()
        self.passphrase2.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Office code"), self.code)
        form.addRow(self.tr("Office name"), self.name)
        form.addRow(self.tr("Region"), self.region)
        form.addRow(self.tr("Passphrase for the file"), self.passphrase)
        form.addRow(self.tr("Passphrase again"), self.passphrase2)
        self.enrol_button = QPushButton(icon("offices"), self.tr("Enrol the office and save its file…"))
        self.enrol_button.setObjectName("EnrolOffice")
        self.enrol_button.clicked.connect(self.enrol)
        buttons = QHBoxLayout()
        buttons.addWidget(self.enrol_button)
        buttons.addStretch(1)
        form.addRow("", buttons)
        form.addRow(
            hint_label(
                self.tr(
                    "Give the file and its passphrase to the new office's administrator separately; they set the "
                    "office up with `id-console init --join FILE`."
                )
            )
        )
        layout.addWidget(self.form)
        self.form.setVisible(ctx.allows(Permission.KEY_MANAGE))
        self.refresh()

    def refresh(self) -> None:
        self._ctx.runner.read("offices", enrolment.list_offices, self._ctx.office).then(
            self, self._on_loaded, self._on_failed
        )

    def _on_loaded(self, rows: Any) -> None:
        self.model.set_rows(rows)
        self.loaded.emit()

    def enrol(self) -> None:
        if self.passphrase.text() != self.passphrase2.text():
            self.banner.show_message("error", self.tr("Not enrolled"), self.tr("The two passphrases differ."))
            return
        if len(self.passphrase.text()) < 12:
            self.banner.show_message(
                "error", self.tr("Not enrolled"), self.tr("The passphrase must have at least 12 characters.")
            )
            return
        code = self.code.text().strip().upper()
        out = dialogs().save_file(self, self.tr("Save the enrolment file"), f"{code.lower()}.enrol", "*.enrol")
        if not out:
            return
        self.enrol_button.setEnabled(False)
        region = self.region.text().strip() or None
        self._ctx.runner.write(
            "enrol office", _enrol, self._ctx.session, code, self.name.text(), region, self.passphrase.text(), out
        ).then(self, self._on_enrolled, self._on_enrol_failed)

    def _on_enrolled(self, result: Any) -> None:
        self.enrol_button.setEnabled(True)
        self.passphrase.clear()
        self.passphrase2.clear()
        self.banner.show_message(
            "success",
            self.tr("Office enrolled"),
            self.tr("Office {office} has slot {slot}; its file is {out}.").format(**result),
        )
        self.enrolled.emit(dict(result))
        self.refresh()

    def _on_enrol_failed(self, exc: BaseException) -> None:
        self.enrol_button.setEnabled(True)
        if isinstance(exc, ConsoleError):
            self.banner.show_message("error", self.tr("Not enrolled"), error_text(exc))
            return
        self._ctx.fail(self, exc)

    def _on_failed(self, exc: BaseException) -> None:
        self._ctx.fail(self, exc)
