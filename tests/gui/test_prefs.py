"""The last folders are written to QSettings by a thread of their own (console/gui/prefs.py): saving a card must
not wait on the settings file's lock and two fdatasyncs on the GUI thread (425 ms measured under load)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from console.gui import prefs
from console.gui.pages.cards import CardsPage
from console.gui.window import ConsoleWindow
from tests.gui.conftest import FakeDialogs
from tests.gui.test_cards import LEFT

HOLD_S = 1.5


@contextmanager
def settings_lock_held() -> Iterator[None]:
    """Another process holding the settings file's lock for HOLD_S seconds, as a second console would."""
    lock = QSettings().fileName() + ".lock"
    Path(lock).parent.mkdir(parents=True, exist_ok=True)
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom PySide6.QtCore import QLockFile\n"
            f"lock = QLockFile({lock!r}); assert lock.lock(); print('held', flush=True); time.sleep({HOLD_S})\n"
            "lock.unlock()",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "held"
        yield
    finally:
        child.wait(timeout=30)
        child.stdout.close()


def test_remembered_value_is_recalled_at_once_and_written_by_the_writer(gui_app: Any) -> None:
    prefs.remember("tests/folder", "/srv/cards/one")
    assert prefs.recall("tests/folder", "") == "/srv/cards/one"
    prefs.flush()
    assert QSettings().value("tests/folder") == "/srv/cards/one"  # a new QSettings reads it from the file
    assert prefs.recall("tests/missing", "fallback") == "fallback"


def test_a_locked_settings_file_does_not_hold_the_caller(gui_app: Any) -> None:
    with settings_lock_held():
        started = time.perf_counter()
        prefs.remember("tests/locked", "/srv/cards/two")
        took = time.perf_counter() - started
        # Without the writer thread the call waits for the lock: HOLD_S (1.5 s). 0.5 s leaves room for a
        # loaded machine and still cannot be met by a caller that waits.
        assert took < 0.5, f"remember() waited {took:.2f} s for the settings file"
        assert prefs.recall("tests/locked") == "/srv/cards/two"
    prefs.flush()
    assert QSettings().value("tests/locked") == "/srv/cards/two"


def test_saving_a_card_leaves_the_settings_file_to_the_writer(
    qtbot: Any, window: ConsoleWindow, log_in: Any, fake_dialogs: FakeDialogs, tmp_path: Path
) -> None:
    from console.core import issuance
    from console.core.registry import PersonInput, register

    workspace = log_in("clerk")
    clerk = workspace.ctx.session
    number = str(register(clerk, PersonInput("Berg", "Ola", "1971-05-17", "M", "NOR"))["id_number"])
    issuance.issue(clerk, number)
    assert workspace.open("cards", number)
    cards = workspace.page("cards")
    assert isinstance(cards, CardsPage)
    qtbot.waitUntil(lambda: cards._preview is not None, timeout=60_000)
    fake_dialogs.save_answer = str(tmp_path / "out" / "card.pdf")
    (tmp_path / "out").mkdir()
    with settings_lock_held():
        started = time.perf_counter()
        qtbot.mouseClick(cards.save_button, LEFT)  # the click handler returns before the job runs
        took = time.perf_counter() - started
        assert took < 0.5, f"the Save click held the GUI thread {took:.2f} s"
    with qtbot.waitSignal(cards.saved, timeout=60_000):
        pass
    prefs.flush()
    assert QSettings().value("cards/folder") == str(tmp_path / "out")
    assert prefs.recall("cards/folder") == str(tmp_path / "out")
