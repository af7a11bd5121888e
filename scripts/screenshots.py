"""Render the console's main screens on the demo office into docs/screenshots/*.png.

    python scripts/screenshots.py                  # offscreen, Fusion style, light (+ one dark, one Chinese)
    xvfb-run -a python scripts/screenshots.py      # the same on a virtual X server

The demo office is built in a temporary folder (or --data-dir), the screens are driven like an officer would,
and each window is grabbed with QWidget.grab(). PNGs are reduced to 256 colours to keep the repository small.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEventLoop, QLocale  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from console.core import issuance, registry  # noqa: E402
from console.core.keystore import KDF_PRESETS  # noqa: E402
from console.demo import ACCOUNTS  # noqa: E402
from console.gui import i18n, theme  # noqa: E402
from console.gui.app import create_application, warm_up_imports  # noqa: E402
from console.gui.tasks import TaskRunner  # noqa: E402
from console.gui.window import ConsoleWindow, Workspace  # noqa: E402

SIZE = (1180, 760)


def pump(seconds: float = 0.05) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


def wait(predicate: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise TimeoutError(f"timed out waiting for {what or predicate}")
        pump(0.02)
    pump(0.15)  # let layouts and paints settle


def shot(widget: QWidget, out: Path, name: str) -> None:
    pump(0.2)
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    path = out / f"{name}.png"
    image.save(str(path), "PNG", 9)
    _shrink(path)
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB")


def _shrink(path: Path) -> None:
    """Quantise to 256 colours with Pillow (median cut keeps the pale banner tints that Qt's fixed palette
    conversion merges into white); falls back to the full-colour PNG."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def password(username: str) -> str:
    return next(a.password for a in ACCOUNTS if a.username == username)


def log_in(win: ConsoleWindow, username: str) -> Workspace:
    page = win.login_page
    page.username.setText(username)
    page.password.setText(password(username))
    page.submit()
    wait(lambda: win.workspace is not None, what=f"login of {username}")
    assert win.workspace is not None
    return win.workspace


def open_window(runner: TaskRunner, data_dir: Path) -> ConsoleWindow:
    win = ConsoleWindow(runner, data_dir, demo=True, kdf=KDF_PRESETS["interactive"])
    win.resize(*SIZE)
    win.show()
    win.start()
    wait(lambda: win.office is not None and win.stack.currentWidget() is win.login_page, 60, "the demo office")
    return win


def type_into(widget: Any, text: str) -> None:
    widget.setFocus()
    for char in text:
        widget.insert(char)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--data-dir", type=Path, help="demo data directory (default: a temporary folder)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    temp = tempfile.TemporaryDirectory(prefix="id-console-shots-")
    data_dir = args.data_dir or Path(temp.name) / "demo"

    os.environ["ID_CONSOLE_LANG"] = "en_US"
    app = create_application([sys.argv[0]], scheme="light")
    warm_up_imports()
    runner = TaskRunner(app)
    win = open_window(runner, data_dir)
    shot(win, args.out, "login")

    # ---- clerk: register with live checks, a held duplicate, citizens, card, requests, verify
    ws = log_in(win, "clerk")
    office = win.office
    assert office is not None
    session = ws.ctx.session
    register = ws.page("register")
    type_into(register.family, "欧阳")
    type_into(register.given, "娜娜")
    type_into(register.birth, "1992-02-30")
    register._touched.add("birth")
    register._check("birth")
    register.sex.setCurrentIndex(register.sex.findData("F"))
    register.birthplace.setEditText("CHN — China")
    pump(0.2)
    shot(win, args.out, "register")

    twin = registry.search(session, "Müller") or registry.search(session, "Schäfer")
    person = registry.show(session, twin[0]["id_number"])
    register.clear_form()
    type_into(register.family, person["family_name"].replace("ü", "ue").replace("ä", "ae"))
    type_into(register.given, person["given_name"])
    type_into(register.birth, person["birth_date"])
    register.sex.setCurrentIndex(register.sex.findData(person["sex"]))
    register.birthplace.setEditText(person["birthplace"])
    register.submit()
    wait(lambda: register.banner.kind == "warning", what="the duplicate warning")
    shot(win, args.out, "register-duplicate")

    with_card = [c for c in issuance_holders(session) if c]
    chinese = next((n for n in with_card if _is_han(registry.show(session, n)["family_name"])), with_card[0])
    ws.open("citizens", chinese)
    citizens = ws.page("citizens")
    wait(lambda: citizens.details.content.isVisible() and citizens.details.credentials.topLevelItemCount() > 0)
    shot(win, args.out, "citizens")

    ws.open("cards", chinese)
    cards = ws.page("cards")
    wait(lambda: len(cards.preview.pages()) == 1, what="the card preview")
    cards.back.setChecked(True)
    wait(lambda: len(cards.preview.pages()) == 2, what="front and back")
    shot(win, args.out, "cards")

    ws.open("requests", chinese)
    page = ws.page("requests")
    page.reason.setPlainText("Holder reports the card lost on 2026-11-28.")
    wait(lambda: page.model.rowCount() > 0, what="the requests list")
    shot(win, args.out, "requests")

    ws.open("verify")
    verify = ws.page("verify")
    qr = issuance.current_credential(session, chinese)["qr"]
    verify.scan.setText(qr)
    verify.verify_scanned()
    wait(lambda: verify.last_verdict is not None, what="the verdict")
    shot(win, args.out, "verify-valid")
    revoked = next(r for r in office.db.query("SELECT qr FROM credentials WHERE status = 'revoked'"))["qr"]
    verify.scan.setText(revoked)
    verify.verify_scanned()
    wait(lambda: verify.last_verdict is not None and verify.last_verdict.status == "revoked", what="revoked")
    shot(win, args.out, "verify-revoked")
    win.lock("")

    # ---- supervisor: approvals (requests and a held duplicate)
    ws = log_in(win, "supervisor")
    ws.open("approvals")
    approvals = ws.page("approvals")
    wait(lambda: approvals.request_model.rowCount() > 0, what="pending requests")
    approvals.request_table.selectRow(0)
    shot(win, args.out, "approvals")
    approvals.tabs.setCurrentIndex(1)
    wait(lambda: approvals.review_model.rowCount() > 0, what="pending reviews")
    approvals.review_table.selectRow(0)
    shot(win, args.out, "approvals-duplicates")
    win.lock("")

    # ---- dark scheme, and the Chinese translation
    theme.apply_theme(app, "dark")
    ws = log_in(win, "clerk")
    ws.open("verify")
    verify = ws.page("verify")
    verify.scan.setText(qr)
    verify.verify_scanned()
    wait(lambda: verify.last_verdict is not None, what="the verdict (dark)")
    shot(win, args.out, "verify-dark")
    win.lock("")
    theme.apply_theme(app, "light")

    for translator in app.property("console_translators") or []:
        app.removeTranslator(translator)
    keep = i18n.install_translators(app, QLocale("zh_CN"))
    win.close()
    win.deleteLater()
    pump(0.2)
    zh = open_window(runner, data_dir)
    shot(zh, args.out, "login-zh_CN")
    ws = log_in(zh, "clerk")
    register = ws.page("register")
    type_into(register.family, "张")
    type_into(register.given, "晓明")
    type_into(register.birth, "1990-07-14")
    shot(zh, args.out, "register-zh_CN")
    zh.lock("")
    zh.close()
    del keep
    runner.shutdown()
    temp.cleanup()
    return 0


def issuance_holders(session: Any) -> list[str]:
    """ID numbers whose newest credential is in force, oldest registrations first (they have portraits)."""
    rows = session.office.db.query(
        "SELECT c.id_number FROM credentials c JOIN citizens p ON p.id_number = c.id_number "
        "WHERE c.status = 'active' AND p.photo IS NOT NULL ORDER BY p.rowid"
    )
    return [r["id_number"] for r in rows]


def _is_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


if __name__ == "__main__":
    sys.exit(main())
