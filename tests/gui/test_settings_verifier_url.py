"""The administrator sets the verifier URL printed on the back of cards from the Settings screen (issue 13)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from console.core import accounts, site
from console.core.office import Office
from console.gui.pages.settings import SettingsPage
from console.gui.window import ConsoleWindow
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


def test_administrator_sets_changes_and_clears_the_verifier_url(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office
) -> None:
    page = _settings(qtbot, log_in, "admin")
    assert page.verifier_url.text() == "" and page.verifier_url.isEnabled()

    # Refused in place with the core's sentence; nothing stored.
    page.verifier_url.setText("http://ids.utopia.example/check")
    qtbot.mouseClick(page.save_button, LEFT)
    qtbot.waitUntil(lambda: page.banner.kind == "error", timeout=TASK_TIMEOUT_MS)
    assert "https" in page.banner.text.text()
    assert site.verifier_url(staffed) is None
    wait_idle(qtbot, window.runner)

    page.verifier_url.setText("https://ids.utopia.example/check")
    with qtbot.waitSignal(page.saved, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(page.save_button, LEFT)
    assert site.verifier_url(staffed) == "https://ids.utopia.example/check/"
    assert page.verifier_url.text() == "https://ids.utopia.example/check/"  # as stored, shown back
    assert page.changes() == {}
    # The same address without its final slash is no change.
    page.verifier_url.setText("https://ids.utopia.example/check")
    assert page.changes() == {}
    audit = staffed.db.execute(
        "SELECT detail FROM audit_full WHERE action = 'settings.changed' ORDER BY id DESC"
    ).fetchone()
    assert audit is not None and "verifier_url" in audit[0]

    page.verifier_url.clear()
    with qtbot.waitSignal(page.saved, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(page.save_button, LEFT)
    assert site.verifier_url(staffed) is None and page.verifier_url.text() == ""


def test_auditor_reads_the_verifier_url_but_cannot_change_it(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office
) -> None:
    admin = accounts.login(staffed, "admin", PASSWORDS["admin"])
    site.set_verifier_url(admin, "https://ids.utopia.example/")
    page = _settings(qtbot, log_in, "auditor")
    qtbot.waitUntil(lambda: page.verifier_url.text() == "https://ids.utopia.example/", timeout=TASK_TIMEOUT_MS)
    assert not page.verifier_url.isEnabled() and page.save_button.isHidden()
