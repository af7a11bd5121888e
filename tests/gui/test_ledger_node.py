"""Ledger screen: the administrator runs this office's peer node (a real `node serve` child process on
127.0.0.1) and stops it; the port answers /health while it runs and closes after; a clerk gets no such
button (issue 13)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt

from console.core.office import Office
from console.gui import nodeprocess
from console.gui.pages.ledger import LedgerPage
from console.gui.window import ConsoleWindow

LEFT = Qt.MouseButton.LeftButton
#: Starting a Python process that imports uvicorn and opens the node's store: seconds on an idle machine; the
#: two cores are shared by several sessions, so the wait is generous (it bounds a failure, not a speed).
START_MS = 60_000


@pytest.fixture(autouse=True)
def _no_node_left() -> Iterator[None]:
    yield
    nodeprocess.stop_all()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _health(url: str) -> int:
    """GET /health; the node prints its URL just before uvicorn starts accepting, so allow it a moment."""
    deadline = time.monotonic() + 15
    while True:
        try:
            return httpx.get(f"{url}/health", timeout=10).status_code
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _ledger(log_in: Any, who: str) -> LedgerPage:
    workspace = log_in(who)
    assert workspace.open("ledger")
    page = workspace.page("ledger")
    assert isinstance(page, LedgerPage)
    return page


def test_administrator_runs_and_stops_the_peer_node(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office
) -> None:
    page = _ledger(log_in, "admin")
    assert page.node_button.isVisibleTo(page) and page.node_state.text() == "Stopped"
    assert page.node_port.value() == 8470
    port = _free_port()  # not 8470: other runs on this machine may hold it
    page.node_port.setValue(port)
    qtbot.mouseClick(page.node_button, LEFT)
    assert page.node.state == "starting" and not page.node_button.isEnabled()
    qtbot.waitUntil(lambda: page.node.state == "running", timeout=START_MS)
    url = f"http://127.0.0.1:{port}"
    assert page.node.url == url and url in page.node_state.text()
    assert page.node_button.text() == "Stop the peer node" and not page.node_port.isEnabled()
    assert _health(url) == 200

    qtbot.mouseClick(page.node_button, LEFT)
    qtbot.waitUntil(lambda: page.node.state == "stopped", timeout=START_MS)
    assert page.node_state.text() == "Stopped" and page.banner.kind != "error"  # a clean stop is no failure
    assert _closed(port)

    # Quitting the console stops it too (what aboutToQuit runs), without a click.
    qtbot.mouseClick(page.node_button, LEFT)
    qtbot.waitUntil(lambda: page.node.state == "running", timeout=START_MS)
    assert _health(url) == 200
    nodeprocess.stop_all()
    assert _closed(port)


def test_a_busy_port_is_reported_with_the_nodes_sentence(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office
) -> None:
    page = _ledger(log_in, "admin")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        page.node_port.setValue(busy.getsockname()[1])
        qtbot.mouseClick(page.node_button, LEFT)
        qtbot.waitUntil(lambda: page.banner.kind == "error", timeout=START_MS)
    assert "Cannot listen on 127.0.0.1" in page.banner.text.text() + page.banner.text.toolTip()
    assert page.node.state == "stopped" and page.node_button.isEnabled()


@pytest.mark.parametrize("who", ["clerk", "auditor"])
def test_clerk_and_auditor_have_no_node_controls(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office, who: str
) -> None:
    page = _ledger(log_in, who)
    assert not page.node_button.isVisibleTo(page) and not page.node_port.isVisibleTo(page)
