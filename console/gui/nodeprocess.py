"""The office's peer node (`id-console node serve`) run from the Ledger screen as a child process (issue 13).

One per data directory, owned by the application (not by a screen), so that it outlives a locked session and
is stopped when the console quits. Starting and stopping never wait on the GUI thread: QProcess reports the
node's "serving … at URL" line and its exit through signals. A node without ``--peer`` signs nothing, so it
needs no officer's password; none is passed, on the command line or otherwise."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QProcess, Signal

logger = logging.getLogger(__name__)

DEFAULT_PORT = 8470  # console.cli.node.DEFAULT_PORT (the GUI does not import the CLI)
_SERVING = re.compile(r"node: serving .* at (https?://\S+)")
_NODES: dict[Path, NodeProcess] = {}


class NodeProcess(QObject):
    """`python -m console.cli --data-dir DIR node serve --host 127.0.0.1 --port N`, started and stopped."""

    state_changed = Signal(str)  # "stopped", "starting", "running", "stopping"
    failed = Signal(str)  # the node's own last words (e.g. "Cannot listen on 127.0.0.1:8470 (…)")

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.url = ""
        self.state = "stopped"
        self._output = ""
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._on_output)
        self.process.finished.connect(self._on_finished)
        self.process.errorOccurred.connect(self._on_error)

    def start(self, port: int = DEFAULT_PORT) -> None:
        if self.state != "stopped":
            return
        self._output = ""
        self.url = ""
        self._set_state("starting")
        args = ["-m", "console.cli", "--data-dir", str(self.data_dir), "node", "serve"]
        args += ["--host", "127.0.0.1", "--port", str(port)]
        self.process.start(sys.executable, args)

    def stop(self) -> None:
        """SIGTERM: the node finishes in-flight writes and exits 0; `finished` reports it."""
        if self.state in ("starting", "running"):
            self._set_state("stopping")
            self.process.terminate()

    def stop_and_wait(self, msecs: int = 5000) -> None:
        """At quit only: the console waits (bounded) for the node, then kills it if it did not end."""
        if self.process.state() == QProcess.ProcessState.NotRunning:
            return
        self.process.terminate()
        if not self.process.waitForFinished(msecs):
            self.process.kill()
            self.process.waitForFinished(1000)

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)

    def _on_output(self) -> None:
        text = bytes(self.process.readAllStandardOutput().data()).decode("utf-8", "replace")
        self._output = (self._output + text)[-4000:]
        match = _SERVING.search(self._output)
        if match and self.state == "starting":
            self.url = match.group(1)
            self._set_state("running")

    def _on_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        was = self.state
        self.url = ""
        self._set_state("stopped")
        if was != "stopping" and code != 0:
            lines = [line for line in self._output.strip().splitlines() if line.strip()]
            self.failed.emit(lines[-1] if lines else f"exit status {code}")

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._set_state("stopped")
            self.failed.emit(self.process.errorString())


def node_for(data_dir: Path) -> NodeProcess:
    """The application's node process for this office (created on first use; stopped when the console quits)."""
    key = data_dir.resolve()
    node = _NODES.get(key)
    if node is None:
        app = QCoreApplication.instance()
        node = NodeProcess(key, app)
        if app is not None:
            app.aboutToQuit.connect(node.stop_and_wait)
        _NODES[key] = node
    return node


def stop_all() -> None:
    """Stop every node this console started (quit, and tests)."""
    for node in _NODES.values():
        node.stop_and_wait()
