"""Import (clerks, supervisors): register many citizens from a CSV file.

1. Pick the file: it is read and every row checked with the core's own rules (`registry.check_person`) on the
   read pool, a dry run that writes nothing; the bad rows are listed with the line, the field and the reason.
2. Import: the good rows go to `registry.register_batch` on the write queue in chunks, with progress and
   Cancel (what was committed stays; nothing is half-written). Likely duplicates are held for a supervisor.
3. The summary (registered, held, refused) can be saved as a CSV report.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.core import registry
from console.core.accounts import Session
from console.core.atomic import atomic_write, read_bounded
from console.core.errors import UserCancelled, ValidationError
from console.core.registry import PersonInput
from console.core.roles import Permission
from console.gui import prefs
from console.gui.context import Context
from console.gui.dialogs import dialogs
from console.gui.icons import icon
from console.gui.models import format_id
from console.gui.texts import field_name
from console.gui.widgets import Banner, DictTableModel, hint_label, page_title

logger = logging.getLogger(__name__)

IMPORT_COLUMNS = ("family_name", "given_name", "birth_date", "sex", "birthplace")
MAX_IMPORT_BYTES = 200 * 1024 * 1024
CHUNK = 250  # rows per transaction: progress and Cancel answer within a fraction of a second
# A CPU-bound worker hands the GIL over only every 5 ms, and every PySide call the GUI thread makes releases
# and re-takes it; so a slot of 20 calls can wait 100 ms behind a busy worker. The checks yield every few rows.
YIELD_EVERY = 8


@dataclass
class ImportPlan:
    """A checked file: the rows that will be imported (with their line numbers) and the refused ones."""

    path: str
    good: list[tuple[int, PersonInput]] = field(default_factory=list)
    bad: list[dict[str, Any]] = field(default_factory=list)  # line, field, error

    @property
    def total(self) -> int:
        return len(self.good) + len(self.bad)


@dataclass
class ImportOutcome:
    plan: ImportPlan
    registered: list[str]  # new ID numbers
    held: list[int]  # review numbers of the registrations held as possible duplicates
    refused: list[dict[str, Any]]


class ImportFileError(ValidationError):
    """The file is not a CSV the import can read."""


def check_file(
    session: Session,
    path: str,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ImportPlan:
    """Read and check every row without writing anything (the dry run; read pool)."""
    session.require(Permission.CITIZEN_REGISTER)
    data = read_bounded(Path(path), MAX_IMPORT_BYTES, "CSV")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "file",
            QCoreApplication.translate(
                "ImportPage", "{path} is not UTF-8 text; save it from the spreadsheet as CSV UTF-8."
            ).format(path=path),
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFileError(
            "file",
            QCoreApplication.translate(
                "ImportPage", "{path} lacks the column(s) {missing}; the first line must name {columns}."
            ).format(path=path, missing=", ".join(missing), columns=", ".join(IMPORT_COLUMNS)),
        )
    rows = list(reader)
    scheme = session.office.authority()["scheme"]
    today = session.office.clock().date()
    plan = ImportPlan(path)
    for index, person in enumerate(registry.iter_people(rows)):
        line = index + 2  # the header is line 1
        if cancel is not None and cancel.is_set():
            raise UserCancelled()
        try:
            registry.check_person(scheme, person, today)
        except ValidationError as e:
            plan.bad.append({"line": line, "field": e.field, "error": str(e)})
        else:
            plan.good.append((line, person))
        if index % YIELD_EVERY == 0:
            time.sleep(0)  # let the GUI thread take the GIL now, not after the 5 ms switch interval
        if progress is not None and (index % 200 == 0 or index == len(rows) - 1):
            progress(index + 1, len(rows))
    return plan


def run_import(
    session: Session,
    plan: ImportPlan,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ImportOutcome:
    """Register the good rows of a checked plan (write queue)."""
    lines = [line for line, _ in plan.good]
    result = registry.register_batch(session, [p for _, p in plan.good], chunk=CHUNK, progress=progress, cancel=cancel)
    # register_batch reports refused rows by their index in what it was given: map them back to file lines.
    refused = plan.bad + [{"line": lines[i], "field": f, "error": m} for i, f, m in result.errors]
    return ImportOutcome(plan, result.registered, result.held, sorted(refused, key=lambda r: r["line"]))


def report_csv(outcome: ImportOutcome) -> bytes:
    """The report an officer keeps: one line per refused row, then the counts."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["line", "field", "error"])
    for row in outcome.refused:
        writer.writerow([row["line"], row["field"], row["error"]])
    writer.writerow([])
    writer.writerow(["registered", len(outcome.registered)])
    writer.writerow(["held_for_review", len(outcome.held)])
    writer.writerow(["refused", len(outcome.refused)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class ImportPage(QWidget):
    checked = Signal(object)  # ImportPlan
    imported = Signal(object)  # ImportOutcome

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.plan: ImportPlan | None = None
        self.outcome: ImportOutcome | None = None
        self._task: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(
            page_title(
                self.tr("Import citizens"),
                self.tr(
                    "Register many people from a CSV file (UTF-8, first line: {columns}). The file is checked "
                    "first; nothing is registered until you import."
                ).format(columns=", ".join(IMPORT_COLUMNS)),
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        row = QHBoxLayout()
        self.pick_button = QPushButton(icon("open"), self.tr("Choose a CSV file…"))
        self.pick_button.clicked.connect(self.pick)
        self.file_label = QLabel(self.tr("No file chosen."))
        self.file_label.setWordWrap(True)
        row.addWidget(self.pick_button)
        row.addWidget(self.file_label, 1)
        layout.addLayout(row)
        self.summary = hint_label("")
        layout.addWidget(self.summary)
        self.model = DictTableModel(
            [("line", self.tr("Line")), ("field", self.tr("Field")), ("error", self.tr("Why it is refused"))],
            self,
            {"field": lambda v: field_name(str(v))},
        )
        self.table = QTableView()
        self.table.setObjectName("ImportErrors")
        self.table.setAccessibleName(self.tr("Refused rows"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(self.tr("Import progress"))
        self.progress.hide()
        layout.addWidget(self.progress)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(icon("save"), self.tr("Save the report…"))
        self.save_button.clicked.connect(self.save_report)
        self.cancel_button = QPushButton(icon("cancel"), self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.import_button = QPushButton(icon("import"), self.tr("Import"))
        self.import_button.clicked.connect(self.start_import)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.import_button)
        layout.addLayout(buttons)
        self._set_state("idle")

    def focus_first(self) -> None:
        self.pick_button.setFocus()

    def _set_state(self, state: str) -> None:
        busy = state in ("checking", "importing")
        self.pick_button.setEnabled(not busy)
        self.cancel_button.setVisible(busy)
        self.progress.setVisible(busy)
        self.import_button.setEnabled(state == "checked" and bool(self.plan and self.plan.good))
        self.save_button.setEnabled(state in ("checked", "done") and (self.plan is not None))

    # ----------------------------------------------------------------------------------------- check
    def pick(self) -> None:
        folder = str(prefs.recall("import/folder", str(Path.home())))
        path = dialogs().open_file(self, self.tr("Choose the CSV file to import"), self.tr("CSV files (*.csv)"), folder)
        if path:
            prefs.remember("import/folder", str(Path(path).parent))  # written off the GUI thread (prefs.py)
            self.check(path)

    def check(self, path: str) -> None:
        self.plan, self.outcome = None, None
        self.model.set_rows([])
        self.banner.clear()
        self.file_label.setText(path)
        self.summary.setText(self.tr("Checking every row…"))
        self._set_state("checking")
        self._task = self._ctx.runner.read("check import", check_file, self._ctx.session, path, progress=True)
        self._task.progressed.connect(self._on_progress)
        self._task.then(self, self._on_checked, self._on_failed)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _on_checked(self, plan: Any) -> None:
        assert isinstance(plan, ImportPlan)
        self._task = None
        self.plan = plan
        self.model.set_rows(plan.bad)
        text = self.tr("%n row(s) in the file", "", plan.total) + ": "
        text += self.tr("%n can be imported", "", len(plan.good)) + ", "
        text += self.tr("%n refused (listed below).", "", len(plan.bad))
        self.summary.setText(text)
        if plan.bad:
            self.banner.show_message(
                "warning",
                self.tr("Some rows are refused"),
                self.tr("Correct them in the file and choose it again, or import the others now."),
            )
        self._set_state("checked")
        self.checked.emit(plan)

    # ----------------------------------------------------------------------------------------- import
    def start_import(self) -> None:
        plan = self.plan
        if plan is None or not plan.good:
            return
        self._set_state("importing")
        self.summary.setText(self.tr("Importing…"))
        self._task = self._ctx.runner.write("import", run_import, self._ctx.session, plan, progress=True)
        self._task.progressed.connect(self._on_progress)
        self._task.then(self, self._on_imported, self._on_failed)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _on_imported(self, outcome: Any) -> None:
        assert isinstance(outcome, ImportOutcome)
        self._task = None
        self.outcome = outcome
        self.model.set_rows(outcome.refused)
        self.summary.setText(self.summary_text(outcome))
        self.banner.show_message("success", self.tr("Import finished"), self.summary_text(outcome))
        self._set_state("done")
        self._ctx.data_changed.emit("citizens")
        if outcome.held:
            self._ctx.data_changed.emit("reviews")
        self.imported.emit(outcome)

    def summary_text(self, outcome: ImportOutcome) -> str:
        text = self.tr("%n registered", "", len(outcome.registered)) + ", "
        text += self.tr("%n held as possible duplicates for a supervisor", "", len(outcome.held)) + ", "
        text += self.tr("%n refused.", "", len(outcome.refused))
        if outcome.registered:
            text += " " + self.tr("First new ID number: {number}.").format(number=format_id(outcome.registered[0]))
        return text

    def _on_failed(self, exc: BaseException) -> None:
        self._task = None
        if isinstance(exc, UserCancelled):
            self.summary.setText(str(exc) or self.tr("Cancelled."))
            self.banner.show_message("warning", self.tr("Cancelled"), str(exc) or self.tr("Nothing more was imported."))
            self._set_state("idle")
            self._ctx.data_changed.emit("citizens")
            return
        self._set_state("idle" if self.plan is None else "checked")
        if isinstance(exc, ValidationError):
            self.summary.setText("")
            self.banner.show_message("error", self.tr("Cannot import this file"), str(exc))
            return
        self._ctx.fail(self, exc)

    # ----------------------------------------------------------------------------------------- report
    def save_report(self) -> None:
        plan = self.plan
        if plan is None:
            return
        outcome = self.outcome or ImportOutcome(plan, [], [], plan.bad)
        suggested = str(Path(plan.path).with_name(Path(plan.path).stem + "-report.csv"))
        path = dialogs().save_file(self, self.tr("Save the import report"), suggested, self.tr("CSV files (*.csv)"))
        if not path:
            return
        self._ctx.runner.write("save import report", atomic_write, Path(path), report_csv(outcome), 0o600).then(
            self,
            lambda _r: self.banner.show_message("success", self.tr("Report saved"), path),
            self._on_failed,
        )
