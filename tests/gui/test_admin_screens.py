"""The administrator's and auditor's screens through real widgets: officers, settings, keys, audit trail."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt

from console.core import accounts, exports
from console.core.errors import AuthenticationError
from console.core.office import Office
from console.gui.pages.audit import AuditPage
from console.gui.pages.keys import KeysPage
from console.gui.pages.officers import OfficersPage
from console.gui.pages.settings import SettingsPage
from console.gui.window import ConsoleWindow
from tests.gui.conftest import TASK_TIMEOUT_MS, FakeDialogs, wait_idle

LEFT = Qt.MouseButton.LeftButton


def lock_out(office: Office, username: str) -> None:
    for _ in range(int(office.setting("lockout_threshold"))):
        with pytest.raises(AuthenticationError):
            accounts.login(office, username, "wrong-password-123")


def test_administrator_adds_disables_and_unlocks_officers(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office, fake_dialogs: FakeDialogs
) -> None:
    lock_out(staffed, "clerk2")
    workspace = log_in("admin")
    assert workspace.current_key() == "dashboard"
    workspace.open("officers")
    page = workspace.page("officers")
    assert isinstance(page, OfficersPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 6, timeout=TASK_TIMEOUT_MS)

    # Add a clerk: refused first (password too short), in place; then added.
    qtbot.keyClicks(page.username, "nina")
    qtbot.keyClicks(page.full_name, "Nina Nowak")
    page.role.setCurrentIndex(page.role.findData("clerk"))
    qtbot.keyClicks(page.password, "short")
    qtbot.mouseClick(page.add_button, LEFT)
    qtbot.waitUntil(lambda: page.banner.kind == "error", timeout=TASK_TIMEOUT_MS)
    assert "too short" in page.banner.text.text()
    page.password.clear()
    qtbot.keyClicks(page.password, "birch-window-5813")
    with qtbot.waitSignal(page.changed, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(page.add_button, LEFT)
    qtbot.waitUntil(lambda: page.model.rowCount() == 7, timeout=TASK_TIMEOUT_MS)
    assert page.banner.kind == "success" and "nina" in page.banner.text.text()
    assert accounts.login(staffed, "nina", "birch-window-5813").role.value == "clerk"

    # The locked clerk shows as locked; unlocking lets them in again.
    wait_idle(qtbot, window.runner)
    assert page.select("clerk2")
    assert "locked until" in page.selected_text.text() and page.unlock_button.isEnabled()
    with qtbot.waitSignal(page.changed, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(page.unlock_button, LEFT)
    wait_idle(qtbot, window.runner)
    assert accounts.login(staffed, "clerk2", "coral-meadow-3141").username == "clerk2"

    # Disabling asks first (no: nothing happens), then takes the access away.
    assert page.select("nina")
    fake_dialogs.confirm_answer = False
    qtbot.mouseClick(page.disable_button, LEFT)
    assert fake_dialogs.kinds()[-1] == "confirm" and "Nina Nowak" in fake_dialogs.shown[-1][2]
    fake_dialogs.confirm_answer = True
    with qtbot.waitSignal(page.changed, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(page.disable_button, LEFT)
    wait_idle(qtbot, window.runner)
    row = next(r for r in page.model.rows() if r["username"] == "nina")
    assert row["status"] == "disabled"
    with pytest.raises(Exception, match="disabled"):
        accounts.login(staffed, "nina", "birch-window-5813")

    # One's own account cannot be disabled: the button is off, and the core would refuse anyway.
    assert page.select("admin") and not page.disable_button.isEnabled()
    assert "crash" not in fake_dialogs.kinds()


def test_settings_and_key_rotation(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office, fake_dialogs: FakeDialogs
) -> None:
    workspace = log_in("admin")
    workspace.open("settings")
    settings = workspace.page("settings")
    assert isinstance(settings, SettingsPage)
    qtbot.waitUntil(lambda: settings.country.text() == "UTO", timeout=TASK_TIMEOUT_MS)
    settings.fields["lockout_threshold"].setValue(7)
    settings.validity.setValue(5)
    settings.country.setText("XQZ")
    qtbot.mouseClick(settings.save_button, LEFT)
    qtbot.waitUntil(lambda: settings.banner.kind == "error", timeout=TASK_TIMEOUT_MS)
    assert "ISO 3166-1" in settings.banner.text.text()
    wait_idle(qtbot, window.runner)
    settings.fields["lockout_threshold"].setValue(7)
    settings.validity.setValue(5)
    settings.country.setText("est")
    with qtbot.waitSignal(settings.saved, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(settings.save_button, LEFT)
    assert staffed.setting("lockout_threshold") == "7" and staffed.setting("country") == "EST"
    assert staffed.setting("card_valid_years") == "5"

    workspace.open("keys")
    keys = workspace.page("keys")
    assert isinstance(keys, KeysPage)
    qtbot.waitUntil(lambda: keys.model.rowCount() == 1, timeout=TASK_TIMEOUT_MS)
    assert "stay valid" in keys.explanation()
    staffed.clock.advance(seconds=5)  # type: ignore[attr-defined]
    with qtbot.waitSignal(keys.rotated, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(keys.rotate_button, LEFT)
    kind, _title, text = fake_dialogs.shown[-1]
    assert kind == "confirm" and "stay valid" in text
    qtbot.waitUntil(lambda: keys.model.rowCount() == 2, timeout=TASK_TIMEOUT_MS)
    assert "Cards already issued stay valid" in keys.banner.text.text()


def test_auditor_filters_the_trail_and_exports_it(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office, fake_dialogs: FakeDialogs, tmp_path: Path
) -> None:
    lock_out(staffed, "clerk2")  # failed logins in the trail
    workspace = log_in("auditor")
    assert workspace.page("officers").add_box.isHidden()  # reads officers, cannot change them
    workspace.open("audit")
    page = workspace.page("audit")
    assert isinstance(page, AuditPage)
    qtbot.waitUntil(lambda: page.model.rowCount() > 5, timeout=TASK_TIMEOUT_MS)
    everything = page.model.rowCount()
    events = [r for r in page.model.rows() if r["position"] is not None]
    assert events and all(r["signature"] == "valid" for r in events)

    qtbot.waitUntil(lambda: page.outcome.count() == 4 and page.officer.findData("clerk2") >= 0, timeout=TASK_TIMEOUT_MS)
    with qtbot.waitSignal(page.loaded, timeout=TASK_TIMEOUT_MS):
        page.officer.setCurrentIndex(page.officer.findData("clerk2"))
    with qtbot.waitSignal(page.loaded, timeout=TASK_TIMEOUT_MS):
        page.outcome.setCurrentIndex(page.outcome.findData("failed"))
    rows = page.model.rows()
    assert 0 < len(rows) < everything and all(r["officer"] == "clerk2" and r["outcome"] == "failed" for r in rows)

    # Full text search, and a day range that excludes everything.
    with qtbot.waitSignal(page.loaded, timeout=TASK_TIMEOUT_MS):
        page.outcome.setCurrentIndex(0)
    with qtbot.waitSignal(page.loaded, timeout=TASK_TIMEOUT_MS):
        page.officer.setCurrentIndex(0)
    with qtbot.waitSignal(page.loaded, timeout=TASK_TIMEOUT_MS):
        qtbot.keyClicks(page.text, "enrolled clerk2")
    assert page.model.rowCount() == 1 and "clerk2" in page.model.rows()[0]["detail"]
    page.table.selectRow(0)
    assert "Entry" in page.detail.text() and "signature valid" in page.detail.text()
    with qtbot.waitSignal(page.loaded, timeout=TASK_TIMEOUT_MS):
        page.since.setDate(QDate(2030, 1, 1))
    assert page.model.rowCount() == 0 and page.detail.text() == ""  # the selection went, and its details
    with qtbot.waitSignal(page.loaded, timeout=TASK_TIMEOUT_MS):
        page.since.setDate(QDate(2000, 1, 1))

    fake_dialogs.save_answer = str(tmp_path / "trail")
    asked: list[tuple[str, bool, int]] = []

    def passphrase(parent: Any, title: str, text: str, *, confirm: bool = False, minimum: int = 1) -> str:
        asked.append((title, confirm, minimum))
        return "export passphrase 1"

    fake_dialogs.secret = passphrase  # type: ignore[method-assign]
    with qtbot.waitSignal(page.exported, timeout=TASK_TIMEOUT_MS) as exported:
        qtbot.mouseClick(page.export_button, LEFT)
    path, count = exported.args
    assert path.endswith("trail.csv.age") and count == 1
    assert asked == [("Passphrase for the export", True, 12)]  # issue 17: personal data leaves encrypted
    with open(path, "rb") as fh:
        sealed = fh.read()
    assert sealed.startswith(exports.MAGIC) and b"admin" not in sealed
    clear = exports.open_export(sealed, "export passphrase 1").decode("utf-8-sig")
    written = list(csv.DictReader(io.StringIO(clear, newline="")))
    assert len(written) == 1 and written[0]["officer"] == "admin" and written[0]["signature"] == "valid"
    assert "crash" not in fake_dialogs.kinds()
