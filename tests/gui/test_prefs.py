"""The last folders are written by a thread of their own, in Python (console/gui/prefs.py): saving a card must not
wait on the settings file's lock and two fdatasyncs, neither on the GUI thread (425 ms measured under load) nor
on a thread that keeps the GIL while it waits (QSettings.sync does: 209 ms measured)."""

from __future__ import annotations

import json
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
    assert stored()["tests/folder"] == "/srv/cards/one"
    assert prefs.recall("tests/missing", "fallback") == "fallback"


def stored() -> dict[str, Any]:
    """What the preferences file holds (what a new console reads)."""
    return dict(json.loads(prefs.path().read_text(encoding="utf-8")))


def test_a_value_left_in_qsettings_by_an_earlier_version_is_still_recalled(gui_app: Any) -> None:
    settings = QSettings()
    settings.setValue("tests/legacy", "/srv/old")
    settings.sync()
    assert prefs.recall("tests/legacy", "") == "/srv/old"
    prefs.remember("tests/legacy", "/srv/new")
    assert prefs.recall("tests/legacy", "") == "/srv/new"
    prefs.flush()
    assert stored()["tests/legacy"] == "/srv/new"
    assert QSettings().value("tests/legacy") == "/srv/old"  # never written there again


def test_the_writer_neither_waits_for_the_settings_lock_nor_keeps_the_gil(gui_app: Any) -> None:
    """While another process holds QSettings' lock, the writer still writes at once, and this thread keeps
    running throughout. (Through QSettings, the writer waited HOLD_S for the lock inside `QSettings.sync`, which
    keeps the GIL: this thread could not run a line for 1.5 s.)"""
    with settings_lock_held():
        started = time.perf_counter()
        prefs.remember("tests/unlocked", "/srv/cards/three")
        longest, last = 0.0, time.perf_counter()
        while time.perf_counter() - started < 0.5:  # the writer's whole run falls in here
            time.sleep(0.001)
            now = time.perf_counter()
            longest, last = max(longest, now - last), now
        prefs.flush()
        took = time.perf_counter() - started
        # 0.5 s of spinning plus the write; HOLD_S (1.5 s) is what waiting for the lock would take.
        assert took < HOLD_S, f"the preferences waited {took:.2f} s for the settings lock"
        # Generous for a loaded machine (the operating system may not run this thread for ~0.2 s); a writer
        # that kept the GIL while waiting for the lock would show HOLD_S here.
        assert longest < 0.75, f"this thread could not run for {longest:.2f} s while the preferences were written"
    assert stored()["tests/unlocked"] == "/srv/cards/three"


def test_a_damaged_file_is_started_afresh(gui_app: Any) -> None:
    prefs.flush()
    prefs.path().write_text("{not json", encoding="utf-8")
    prefs._loaded_from = None  # as a console started now would
    assert prefs.recall("tests/folder", "none") == "none"
    prefs.remember("tests/folder", "/srv/again")
    prefs.flush()
    assert stored()["tests/folder"] == "/srv/again"


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
    assert stored()["tests/locked"] == "/srv/cards/two"


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
    assert stored()["cards/folder"] == str(tmp_path / "out")
    assert prefs.recall("cards/folder") == str(tmp_path / "out")
