"""What the administrator's ledger controls look like, checked as the screenshots showed them (issue 13): the
Settings form is never squeezed, its hints take the height their text needs, every label's mnemonic reaches its
field; the Shared ledger screen says where it syncs (folder or peer node) in the officer's words."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLabel, QLineEdit

from console.core import accounts
from console.core.office import Office
from console.gui.pages.ledger import LedgerPage
from console.gui.pages.settings import SettingsPage
from console.gui.window import ConsoleWindow
from console.node import peer
from tests.conftest import PASSWORDS
from tests.gui.conftest import TASK_TIMEOUT_MS


def test_settings_fields_keep_their_height_and_hints_take_only_what_they_need(
    qtbot: Any, window: ConsoleWindow, log_in: Any
) -> None:
    workspace = log_in("admin")
    workspace.open("settings")
    page = workspace.page("settings")
    assert isinstance(page, SettingsPage)
    qtbot.waitUntil(lambda: page.country.text() == "UTO", timeout=TASK_TIMEOUT_MS)
    page.banner.show_message("success", "Ledger settings saved", "The console syncs through them from now on.")
    qtbot.wait(100)  # layout
    own = [w for w in page.findChildren(QLineEdit) if w.objectName() != "qt_spinbox_lineedit"]  # not a spin box's
    fields = [w for w in own + page.findChildren(QAbstractSpinBox) if w.isVisible()]
    fields += [w for w in page.findChildren(QComboBox) if w.isVisible()]
    assert len(fields) >= 8
    for field in fields:  # seen before: half-height fields when a banner made the page taller than the window
        assert field.height() >= field.sizeHint().height(), field.accessibleName()
    hints = [label for label in page.findChildren(QLabel) if label.property("hint") and label.isVisible()]
    assert len(hints) >= 4
    for hint in hints:  # seen before: one-line hints given three lines of height (gaps in the form)
        assert hint.height() <= hint.heightForWidth(hint.width()) + 4, hint.text()


def test_settings_ledger_labels_reach_their_fields(qtbot: Any, window: ConsoleWindow, log_in: Any) -> None:
    workspace = log_in("admin")
    workspace.open("settings")
    page = workspace.page("settings")
    buddies = {label.buddy(): label.text() for label in page.findChildren(QLabel) if label.buddy() is not None}
    for field in (page.ledger_folder, page.ledger_peer, page.validity, page.verifier_url, page.language):
        assert field in buddies and "&" in buddies[field]  # the & is a mnemonic, not shown as it is


def test_ledger_summary_names_the_peer_node_when_there_is_no_folder(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office
) -> None:
    workspace = log_in("admin")
    workspace.open("ledger")
    page = workspace.page("ledger")
    assert isinstance(page, LedgerPage)
    qtbot.waitUntil(lambda: "This office" in page.summary.text(), timeout=TASK_TIMEOUT_MS)
    text = page.summary.text()
    assert "No shared folder or peer node yet" in text and "Settings" in text
    assert "`" not in text and "ledger configure" not in text  # no command-line words on screen

    peer.configure_peer(accounts.login(staffed, "admin", PASSWORDS["admin"]), "http://127.0.0.1:8470")
    with qtbot.waitSignal(page.loaded, timeout=TASK_TIMEOUT_MS):
        page.refresh()
    assert page.summary.text().startswith("Peer node: http://127.0.0.1:8470. This office")
    assert "last sync: never" in page.summary.text()
