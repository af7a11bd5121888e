"""The Shared ledger and Offices screens through real widgets (ledger issue, round 2): sync now and on a timer,
alarms in red with the evidence, enrolling an office, and the start-up check of the log at login."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlcipher3
from PySide6.QtCore import Qt

from console.core import registry
from console.core.accounts import login
from console.core.enrolment import Enrolment
from console.core.keystore import unseal
from console.core.office import Office
from console.core.registry import PersonInput
from console.gui.pages.ledger import ALARM, LedgerPage, OfficesPage, syncer_for
from console.gui.window import ConsoleWindow
from console.node import sync
from tests.conftest import PASSWORDS
from tests.gui.conftest import TASK_TIMEOUT_MS, FakeDialogs, wait_idle

LEFT = Qt.MouseButton.LeftButton


def _configure(office: Office, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    sync.configure(login(office, "admin", PASSWORDS["admin"]), folder)


def test_sync_now_shows_progress_result_and_alarms_in_red(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office, tmp_path: Path
) -> None:
    folder = tmp_path / "ledger"
    _configure(staffed, folder)
    registry.register(login(staffed, "clerk", PASSWORDS["clerk"]), PersonInput("Tan", "Mei", "1980-01-02", "F", "CHN"))
    bad = folder / "logs" / "X-09"  # a log whose checkpoint is junk: refused, named, in red
    bad.mkdir(parents=True)
    (bad / "checkpoint").write_bytes(b"not a checkpoint\n")
    workspace = log_in("clerk")
    assert workspace.open("ledger")
    page = workspace.page("ledger")
    assert isinstance(page, LedgerPage)
    qtbot.waitUntil(lambda: "ledger" in page.summary.text(), timeout=TASK_TIMEOUT_MS)
    assert "0 published" in page.summary.text() and "never" in page.summary.text()
    with qtbot.waitSignal(page.syncer.sync_finished, timeout=TASK_TIMEOUT_MS * 2) as done:
        qtbot.mouseClick(page.sync_button, LEFT)
        assert not page.sync_button.isEnabled()  # one sync at a time
    report = done.args[0]
    assert report["published"]["new_entries"] > 0 and report["errors"][0]["log"] == "X-09"
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=TASK_TIMEOUT_MS)
    assert page.banner.kind == "error" and "X-09" in page.banner.text.toolTip() + page.banner.text.text()
    index = page.model.index(0, 0)
    assert page.model.data(index, Qt.ItemDataRole.ForegroundRole) == ALARM
    page.table.selectRow(0)
    assert "checkpoint" in page.evidence.toPlainText()  # the evidence: which file, and why
    published = int(report["published"]["size"])
    assert f"{published} published" in page.summary.text()
    assert page.sync_button.isEnabled()
    wait_idle(qtbot, window.runner)


def test_the_console_syncs_on_a_timer_while_a_folder_is_configured(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office, tmp_path: Path
) -> None:
    _configure(staffed, tmp_path / "ledger")
    workspace = log_in("clerk")
    syncer = syncer_for(workspace.ctx)
    assert syncer is workspace.syncer and syncer.timer.isActive()  # started at login, no screen opened
    syncer.timer.setInterval(50)
    with qtbot.waitSignal(syncer.sync_finished, timeout=TASK_TIMEOUT_MS * 2) as done:
        pass
    assert done.args[0]["errors"] == []
    assert (tmp_path / "ledger" / "logs" / "HQ-01" / "checkpoint").exists()
    syncer.timer.stop()
    wait_idle(qtbot, window.runner)


def test_administrator_enrols_an_office_and_the_auditor_only_looks(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office, tmp_path: Path, fake_dialogs: FakeDialogs
) -> None:
    workspace = log_in("admin")
    assert workspace.open("offices")
    page = workspace.page("offices")
    assert isinstance(page, OfficesPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=TASK_TIMEOUT_MS)
    out = tmp_path / "b-02.enrol"
    fake_dialogs.save_answer = str(out)
    qtbot.keyClicks(page.code, "B-02")
    qtbot.keyClicks(page.name, "Branch Two")
    qtbot.keyClicks(page.passphrase, "correct horse battery")
    qtbot.keyClicks(page.passphrase2, "correct horse battery!")
    qtbot.mouseClick(page.enrol_button, LEFT)
    assert page.banner.kind == "error" and not out.exists()  # the passphrases differ
    page.passphrase2.clear()
    qtbot.keyClicks(page.passphrase2, "correct horse battery")
    with qtbot.waitSignal(page.enrolled, timeout=TASK_TIMEOUT_MS * 2):
        qtbot.mouseClick(page.enrol_button, LEFT)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=TASK_TIMEOUT_MS)
    enrolment = Enrolment.from_bytes(unseal(out.read_bytes(), "correct horse battery"))
    assert enrolment.code == "B-02" and enrolment.slot == 1 and page.banner.kind == "success"
    wait_idle(qtbot, window.runner)
    window.lock("")
    auditor = log_in("auditor")
    assert auditor.open("offices")
    look = auditor.page("offices")
    qtbot.waitUntil(lambda: look.model.rowCount() == 2, timeout=TASK_TIMEOUT_MS)
    assert not look.form.isVisible()
    wait_idle(qtbot, window.runner)


def test_a_log_that_fails_the_start_up_check_shows_the_fault_at_login(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office
) -> None:
    # SQLCipher's SQLite, the console's own: two SQLite libraries on one file in one process drop each other's
    # POSIX locks when one closes, which damages the WAL the console's threads still read (issue 17)
    conn = sqlcipher3.connect(str(staffed.paths.db))
    conn.execute("DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)")
    conn.commit()
    conn.close()
    workspace = log_in("clerk")
    assert workspace.log_alarm.isVisible()
    assert "events table ends at" in workspace.log_alarm.text.toolTip() + workspace.log_alarm.text.text()
    wait_idle(qtbot, window.runner)
