"""The audit trail loads a page at a time, its cells written off the GUI thread (issue 13, performance)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from console.core.office import Office
from console.gui.pages import audit
from console.gui.pages.audit import AuditPage
from console.gui.window import ConsoleWindow
from tests.gui.conftest import TASK_TIMEOUT_MS
from tests.gui.test_admin_screens import lock_out

LEFT = Qt.MouseButton.LeftButton


def test_the_trail_shows_a_page_and_older_entries_on_request(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "PAGE_ROWS", 4)
    lock_out(staffed, "clerk2")  # more entries than one page
    total = int(staffed.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]) + 1  # + the auditor's login
    assert total > 8
    workspace = log_in("auditor")
    workspace.open("audit")
    page = workspace.page("audit")
    assert isinstance(page, AuditPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=TASK_TIMEOUT_MS)
    assert page.more_button.isVisible() and "Older entries" in page.summary.text()
    first_page = [r["id"] for r in page.model.rows()]
    assert first_page == sorted(first_page, reverse=True)  # newest first

    with qtbot.waitSignal(page.loaded, timeout=TASK_TIMEOUT_MS):
        qtbot.mouseClick(page.more_button, LEFT)
    ids = [r["id"] for r in page.model.rows()]
    assert len(ids) == 8 and ids[:4] == first_page and max(ids[4:]) < min(first_page)  # older ones below

    # A new search starts again from the newest page.
    with qtbot.waitSignal(page.loaded, timeout=TASK_TIMEOUT_MS):
        page.outcome.setCurrentIndex(page.outcome.findData("failed"))
    assert 0 < page.model.rowCount() <= 4
    with qtbot.waitSignal(page.loaded, timeout=TASK_TIMEOUT_MS):
        page.officer.setCurrentIndex(page.officer.findData("auditor"))  # no failed login: less than a page
    assert page.model.rowCount() < 4 and not page.more_button.isVisible()


def test_cells_are_written_when_the_rows_arrive(qtbot: Any, window: ConsoleWindow, log_in: Any) -> None:
    """Each cell is text made on the read pool: local time without T/Z, actions and outcomes in words, the
    entry's place in the log; the model only hands them out."""
    workspace = log_in("auditor")
    workspace.open("audit")
    page = workspace.page("audit")
    qtbot.waitUntil(lambda: page.model.rowCount() > 3, timeout=TASK_TIMEOUT_MS)
    columns = [key for key, _title in page.model._columns]
    assert tuple(columns) == audit.COLUMNS
    for number, row in enumerate(page.model.rows()):
        cells = [page.model.index(number, column).data() for column in range(len(columns))]
        assert cells == list(row["cells"])
        shown = dict(zip(columns, cells, strict=True))
        assert "T" not in shown["time"] and not shown["time"].endswith("Z")
        assert shown["action"] and "." not in shown["action"]  # "officer added", not "officer.enrolled"
        assert shown["outcome"] in ("done", "refused", "failed")
        if row["position"] is not None:
            assert shown["position"] == f"{row['position']} / {page.log_size}"
            assert shown["signature"] == "signature valid"
    assert page.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == page.model.rows()[0]["cells"][0]
