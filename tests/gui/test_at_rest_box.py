"""Issue 17 on the Keys screen: an administrator sees whether the registry is encrypted, encrypts an office kept in
the clear (made before issue 17) in place, and deletes the backup that leaves, with the core's services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt

from console.core import atrest, registry
from console.core.accounts import Session
from console.core.office import Office
from console.core.registry import PersonInput
from console.gui.pages.atrest import AtRestState, RegistryAtRestBox
from console.gui.pages.keys import KeysPage
from console.gui.window import ConsoleWindow
from tests.gui.conftest import TASK_TIMEOUT_MS, FakeDialogs, wait_idle
from tests.security.test_at_rest import make_plain

LEFT = Qt.MouseButton.LeftButton
PEOPLE = [
    PersonInput("Kask", "Liisbet", "1987-03-14", "F", "EST"),
    PersonInput("Õunapuu", "Jüri", "1975-11-02", "M", "EST"),
]


@pytest.fixture
def kept_in_the_clear(session_of: Callable[[str], Session], staffed: Office) -> list[str]:
    """The staffed office with two citizens, turned back into the layout before issue 17; their ID numbers."""
    clerk = session_of("clerk")
    numbers = [str(registry.register(clerk, person)["id_number"]) for person in PEOPLE]
    key = staffed.database_key
    assert key is not None
    staffed.close()
    make_plain(staffed.paths.data_dir, key)
    staffed.database_key = None  # nothing to attach any more: the office is as it was before issue 17
    assert not staffed.encrypted
    return numbers


def _box(qtbot: Any, log_in: Any) -> RegistryAtRestBox:
    workspace = log_in("admin")
    workspace.open("keys")
    keys = workspace.page("keys")
    assert isinstance(keys, KeysPage)
    box = keys.at_rest
    qtbot.waitUntil(lambda: bool(box.state.text()), timeout=TASK_TIMEOUT_MS)
    return box


def test_an_office_kept_in_the_clear_is_encrypted_from_the_keys_screen(
    qtbot: Any,
    kept_in_the_clear: list[str],
    window: ConsoleWindow,
    log_in: Any,
    staffed: Office,
    fake_dialogs: FakeDialogs,
) -> None:
    box = _box(qtbot, log_in)
    assert "kept in the clear" in box.state.text()
    assert box.encrypt_button.isVisibleTo(box) and not box.delete_button.isVisibleTo(box)

    fake_dialogs.confirm_answer = False  # "No": nothing happens
    qtbot.mouseClick(box.encrypt_button, LEFT)
    wait_idle(qtbot, window.runner)
    assert not staffed.encrypted and fake_dialogs.kinds() == ["confirm"]

    fake_dialogs.confirm_answer = True
    with qtbot.waitSignal(box.encrypted, timeout=TASK_TIMEOUT_MS) as done:
        qtbot.mouseClick(box.encrypt_button, LEFT)
    assert done.args[0]["moved"]["citizens"] == len(PEOPLE)
    with qtbot.waitSignal(box.loaded, timeout=TASK_TIMEOUT_MS) as loaded:
        pass
    state = loaded.args[0]
    assert isinstance(state, AtRestState) and state.encrypted and state.backup
    assert staffed.encrypted and atrest.backup_path(staffed.paths.data_dir).exists()
    assert box.banner.kind == "success" and "2 citizens moved" in box.banner.text.text()
    assert box.delete_button.isVisibleTo(box) and not box.encrypt_button.isVisibleTo(box)
    assert state.backup in box.state.text()
    # The officers' sessions go on with the encrypted registry (every role got the key's wrap).
    assert sorted(r["id_number"] for r in staffed.db.query("SELECT id_number FROM citizens")) == sorted(
        kept_in_the_clear
    )

    with qtbot.waitSignal(box.backup_deleted, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(box.delete_button, LEFT)
    qtbot.waitUntil(lambda: not box.delete_button.isVisibleTo(box), timeout=TASK_TIMEOUT_MS)
    assert not atrest.backup_path(staffed.paths.data_dir).exists()
    assert "kept in the clear" not in box.state.text() and "encrypted in personal.db" in box.state.text()
    assert "crash" not in fake_dialogs.kinds() and "error" not in fake_dialogs.kinds()
    actions = {r["action"] for r in staffed.db.query("SELECT action FROM audit")}
    assert {"registry.encrypted", "registry.backup-deleted"} <= actions


def test_an_encrypted_office_offers_nothing_to_do(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office, fake_dialogs: FakeDialogs
) -> None:
    box = _box(qtbot, log_in)
    assert "is encrypted in personal.db" in box.state.text()
    assert not box.encrypt_button.isVisibleTo(box) and not box.delete_button.isVisibleTo(box)
