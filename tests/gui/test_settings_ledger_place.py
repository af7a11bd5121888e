"""Settings: the administrator sets the shared ledger folder or peer node through the same node services as
`ledger configure` (checked, audited); refusals show the service's sentence; the auditor only reads (issue 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from console.core import accounts
from console.core.office import Office
from console.gui.pages.settings import SettingsPage
from console.gui.window import ConsoleWindow
from console.node import peer, sync
from tests.conftest import PASSWORDS
from tests.gui.conftest import TASK_TIMEOUT_MS, wait_idle

LEFT = Qt.MouseButton.LeftButton


def _settings(qtbot: Any, log_in: Any, who: str) -> SettingsPage:
    workspace = log_in(who)
    workspace.open("settings")
    page = workspace.page("settings")
    assert isinstance(page, SettingsPage)
    qtbot.waitUntil(lambda: page.country.text() == "UTO", timeout=TASK_TIMEOUT_MS)
    return page


def _audit(office: Office) -> list[str]:
    rows = office.db.execute("SELECT detail FROM audit_full WHERE action = 'ledger.configure' ORDER BY id").fetchall()
    return [str(r[0]) for r in rows]


def test_administrator_sets_the_ledger_folder_and_peer(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office, tmp_path: Path
) -> None:
    page = _settings(qtbot, log_in, "admin")
    assert page.ledger_folder.text() == "" and page.set_folder_button.isEnabled()

    # Not a folder: the service's sentence, nothing stored, nothing audited.
    page.ledger_folder.setText(str(tmp_path / "missing"))
    qtbot.mouseClick(page.set_folder_button, LEFT)
    qtbot.waitUntil(lambda: page.banner.kind == "error", timeout=TASK_TIMEOUT_MS)
    assert "is not a folder" in page.banner.text.text()
    assert sync.configured_folder(staffed.db.conn) is None and _audit(staffed) == []
    wait_idle(qtbot, window.runner)

    shared = tmp_path / "shared"
    shared.mkdir()
    page.ledger_folder.setText(str(shared))
    with qtbot.waitSignal(page.ledger_changed, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(page.set_folder_button, LEFT)
    assert sync.configured_folder(staffed.db.conn) == shared.resolve()
    assert page.ledger_folder.text() == str(shared.resolve())
    assert _audit(staffed) == [f"ledger folder {shared.resolve()}"]

    # A bad peer URL is refused with the service's sentence.
    page.ledger_peer.setText("ftp://node.example")
    qtbot.mouseClick(page.set_peer_button, LEFT)
    qtbot.waitUntil(lambda: "not an http" in page.banner.text.text(), timeout=TASK_TIMEOUT_MS)
    assert peer.configured_peer(staffed.db.conn) is None
    wait_idle(qtbot, window.runner)
    page.ledger_peer.setText("http://127.0.0.1:8470/")
    with qtbot.waitSignal(page.ledger_changed, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(page.set_peer_button, LEFT)
    assert peer.configured_peer(staffed.db.conn) == "http://127.0.0.1:8470"
    assert _audit(staffed)[-1] == "ledger peer node http://127.0.0.1:8470"


def test_auditor_reads_the_ledger_folder_but_cannot_set_it(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office, tmp_path: Path
) -> None:
    admin = accounts.login(staffed, "admin", PASSWORDS["admin"])
    sync.configure(admin, tmp_path)
    page = _settings(qtbot, log_in, "auditor")
    qtbot.waitUntil(lambda: page.ledger_folder.text() == str(tmp_path.resolve()), timeout=TASK_TIMEOUT_MS)
    assert page.ledger_folder.isReadOnly() and page.set_folder_button.isHidden() and page.set_peer_button.isHidden()
    # The service refuses even if the page were driven anyway: deny by default in the core.
    before = _audit(staffed)
    page.ledger_peer.setText("http://127.0.0.1:8470")
    page.set_ledger_place("peer")
    qtbot.waitUntil(lambda: page.banner.kind == "error", timeout=TASK_TIMEOUT_MS)
    assert peer.configured_peer(staffed.db.conn) is None and _audit(staffed) == before
