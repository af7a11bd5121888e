"""Screenshots of the administrator's ledger controls in a real window on a virtual X server, English and Chinese.

    python scripts/ledger_screenshots.py           # starts Xvfb itself (apt-get install xvfb)

The Shared ledger screen with this office's peer node running (started with its button, a real
`id-console node serve` child process on 127.0.0.1), and the Settings screen's ledger folder and peer node
fields, each grabbed from the X server (QScreen.grabWindow: what a person sees, window chrome aside) into
docs/screenshots/admin-ledger-node[-zh_CN].png and admin-settings-ledger[-zh_CN].png. `scripts/screenshots.py`
renders every other screen (offscreen, QWidget.grab).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    for number in range(121, 160):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            display = f":{number}"
            server = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x860x24", "-nolisten", "tcp"])
            for _ in range(100):
                if Path(f"/tmp/.X11-unix/X{number}").exists():
                    return server, display
                time.sleep(0.05)
            server.kill()
    raise RuntimeError("no free X display for Xvfb")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    server, display = start_xvfb()
    os.environ["DISPLAY"] = display
    os.environ.pop("QT_QPA_PLATFORM", None)
    os.environ["ID_CONSOLE_LANG"] = "en_US"
    temp = tempfile.TemporaryDirectory(prefix="id-console-ledger-shots-")
    try:
        return shoot(args.out, Path(temp.name))
    finally:
        server.terminate()
        server.wait(timeout=10)
        temp.cleanup()


def shoot(out: Path, work: Path) -> int:
    import screenshots as common  # scripts/screenshots.py: pump, wait, log_in, open_window, _shrink
    from PySide6.QtCore import QLocale
    from PySide6.QtGui import QImage

    from console.core import i18n as core_i18n
    from console.gui import i18n
    from console.gui.app import create_application, warm_up_imports
    from console.gui.tasks import TaskRunner

    out.mkdir(parents=True, exist_ok=True)
    app = create_application([sys.argv[0]], scheme="light")
    warm_up_imports()
    runner = TaskRunner(app)
    data_dir = work / "demo"

    def grab(win: object, name: str) -> None:
        common.pump(0.3)
        screen = win.screen()  # type: ignore[attr-defined]
        image = screen.grabWindow(int(win.winId())).toImage()  # type: ignore[attr-defined]
        path = out / f"{name}.png"
        image.convertToFormat(QImage.Format.Format_RGB32).save(str(path), "PNG", 9)
        common._shrink(path)
        print(f"{path}  {path.stat().st_size // 1024} KB")

    def tour(suffix: str) -> None:
        win = common.open_window(runner, data_dir)
        win.move(0, 0)
        ws = common.log_in(win, "admin")
        ws.open("settings")
        settings = ws.page("settings")
        common.wait(lambda: bool(settings.country.text()), what="settings")
        folder = work / "shared-ledger"
        folder.mkdir(exist_ok=True)
        for kind, field, value in (
            ("peer", settings.ledger_peer, "http://127.0.0.1:8470"),
            ("folder", settings.ledger_folder, str(folder)),
        ):
            field.setText(value)
            settings.set_ledger_place(kind)
            common.wait(lambda: not runner.active and settings.set_peer_button.isEnabled(), what=f"the {kind} saved")
        settings.ledger_folder.setFocus()
        grab(win, f"admin-settings-ledger{suffix}")

        ws.open("ledger")
        ledger = ws.page("ledger")
        common.wait(lambda: not runner.active, what="the ledger screen")
        ledger.sync_now()
        common.wait(lambda: ledger.syncer.running is None and not runner.active, 60, "the sync")
        ledger.node_port.setValue(free_port())
        ledger.toggle_node()
        common.wait(lambda: ledger.node.state == "running", 60, "the peer node")
        grab(win, f"admin-ledger-node{suffix}")
        ledger.toggle_node()
        common.wait(lambda: ledger.node.state == "stopped", 30, "the node to stop")
        win.lock("")
        win.close()
        win.deleteLater()
        common.pump(0.2)

    tour("")
    for translator in app.property("console_translators") or []:
        app.removeTranslator(translator)
    keep = i18n.install_translators(app, QLocale("zh_CN"))
    core_i18n.set_language("zh_CN")
    tour("-zh_CN")
    del keep
    runner.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
