"""The demo office: built from core services, reused, never on top of a real office; shown in demo mode."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget

from console.core import registry, requests
from console.core.accounts import login
from console.core.errors import Conflict, StorageError
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.demo import ACCOUNTS, ensure_demo_office, is_demo_office, sample_people
from console.gui.tasks import TaskRunner
from console.gui.window import ConsoleWindow
from tests.gui.conftest import TASK_TIMEOUT_MS

KDF = KDF_PRESETS["min"]


def test_demo_office_is_built_once_and_reused(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    (tmp_path / ".demo.building-0123456789ab").mkdir()  # leftover of an interrupted build
    steps: list[tuple[int, int]] = []
    started = time.perf_counter()
    info = ensure_demo_office(folder, kdf=KDF, progress=lambda d, t: steps.append((d, t)))
    assert time.perf_counter() - started < 10
    assert info.created and info.citizens >= 300 and is_demo_office(folder)
    assert steps[-1][0] == steps[-1][1] and [d for d, _ in steps] == sorted(d for d, _ in steps)
    assert not list(tmp_path.glob(".demo.building-*"))

    office = Office(folder, kdf=KDF)
    roles = {login(office, a.username, a.password).role.value for a in ACCOUNTS}
    assert roles == {"clerk", "supervisor", "auditor", "administrator"}
    supervisor = login(office, "supervisor", next(a.password for a in ACCOUNTS if a.username == "supervisor"))
    assert [r["action"] for r in requests.list_requests(supervisor, status="pending")] == ["revoke"]
    assert len(registry.list_reviews(supervisor)) == 1
    families = {p.family_name for p in sample_people()}
    for script_start, end in (("\u4e00", "\u9fff"), ("\uac00", "\ud7af"), ("\u0400", "\u04ff"), ("A", "\u024f")):
        name = next(f for f in sorted(families) if script_start <= f[0] <= end)  # names in several scripts
        assert registry.search(supervisor, name), name
    office.close()

    again = ensure_demo_office(folder, kdf=KDF)
    assert not again.created and again.citizens == info.citizens


def test_demo_refuses_a_real_office_and_foreign_files(tmp_path: Path, office_dir: Path) -> None:
    with pytest.raises(Conflict, match="not the demo"):
        ensure_demo_office(office_dir, kdf=KDF)
    other = tmp_path / "photos"
    other.mkdir()
    (other / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(StorageError, match="not empty"):
        ensure_demo_office(other, kdf=KDF)


def test_demo_mode_window_builds_the_office_and_lists_the_accounts(
    qtbot: Any, runner: TaskRunner, tmp_path: Path
) -> None:
    win = ConsoleWindow(runner, tmp_path / "demo", demo=True, kdf=KDF)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.login_ready, timeout=30_000):
        win.start()
    page = win.login_page
    assert not page.demo_box.isHidden()
    table = page.demo_box.findChild(QTableWidget, "DemoAccounts")
    assert table is not None and table.rowCount() == len(ACCOUNTS)
    item = table.item(1, 0)
    assert item is not None
    rect = table.visualItemRect(item)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.username.text() == "supervisor" and page.password.text() == ACCOUNTS[1].password
    with qtbot.waitSignal(win.workspace_ready, timeout=TASK_TIMEOUT_MS) as ready:
        qtbot.mouseClick(page.login_button, Qt.MouseButton.LeftButton)
    workspace = ready.args[0]
    assert "approvals" in workspace.allowed
    assert "(demo)" in win.windowTitle()
