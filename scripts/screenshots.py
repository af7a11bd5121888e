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

from console.core import i18n as core_i18n  # noqa: E402
from console.core import issuance, registry  # noqa: E402
from console.core.keystore import KDF_PRESETS  # noqa: E402
from console.core.roles import Permission  # noqa: E402
from console.demo import ACCOUNTS  # noqa: E402
from console.gui import i18n, theme  # noqa: E402
from console.gui.app import create_application, warm_up_imports  # noqa: E402
from console.gui.models import format_id  # noqa: E402
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

    work = Path(temp.name)
    role_tour(win, args.out, "", work)
    # The printer calibration tab, with offsets entered (the preview has moved).
    ws = log_in(win, "clerk")
    ws.open("printing")
    printing = ws.page("printing")
    printing.tabs.setCurrentIndex(1)
    wait(lambda: printing.printer_name.count() >= 0 and not win.runner.active, what="the printers")
    printing.printer_name.setCurrentText("Card printer (front desk)")
    printing.offset_x.setValue(1.5)
    printing.offset_y.setValue(-0.8)
    shot(win, args.out, "clerk-printing-calibrate")
    win.lock("")

    for translator in app.property("console_translators") or []:
        app.removeTranslator(translator)
    keep = i18n.install_translators(app, QLocale("zh_CN"))
    core_i18n.set_language("zh_CN")
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
    role_tour(zh, args.out, "-zh_CN", work)
    zh.close()
    del keep
    runner.shutdown()
    temp.cleanup()
    return 0


ROLE_SCREENS = {
    # Screens that look the same for several roles are shot once, for the first role that has them.
    "clerk": ("dashboard", "register", "import", "citizens", "cards", "printing", "requests", "verify"),
    "supervisor": ("dashboard", "approvals"),
    "admin": ("dashboard", "officers", "settings", "keys", "audit", "ledger", "offices"),
    "auditor": ("dashboard", "citizens", "requests", "officers", "settings", "audit"),
}


def role_tour(win: ConsoleWindow, out: Path, suffix: str, work: Path) -> list[str]:
    """Every screen of every role, as the officer first sees it with something on it; returns the names."""
    names = []
    for username, screens in ROLE_SCREENS.items():
        ws = log_in(win, username)
        session = ws.ctx.session
        holders = issuance_holders(session) if ws.ctx.allows(Permission.CARD_PRINT) else []
        for key in screens:
            assert ws.open(key), f"{username} has no {key} screen"
            page = ws.page(key)
            prepare(key, page, holders, work, ws)
            name = f"{username}-{key}{suffix}"
            shot(win, out, name)
            names.append(name)
        win.lock("")
    return names


def prepare(key: str, page: Any, holders: list[str], work: Path, ws: Workspace) -> None:
    """Put something on a screen to look at, and wait until it shows."""
    if key == "dashboard":
        wait(lambda: page.figures is not None, what="the dashboard")
    elif key == "import":
        sample = work / "people.csv"
        sample.write_text(
            "family_name,given_name,birth_date,sex,birthplace\n"
            "Okafor,Chinedu,1979-12-01,M,NGA\n王,芳,1988-04-31,F,CHN\nNovák,Jan,1990-01-02,Q,CZE\n"
            "Šimkus,Rūta,2001-06-15,F,LTU\n",
            encoding="utf-8",
        )
        page.check(str(sample))
        wait(lambda: page.plan is not None, what="the import check")
    elif key == "citizens":
        wait(lambda: page.table.model().rowCount() > 0, what="citizens")
        page.table.selectRow(0)
        wait(lambda: page.details.content.isVisible(), what="the details")
    elif key == "cards" and holders:
        page.open_person(holders[0])
        wait(lambda: len(page.preview.pages()) == 1, what="the card preview")
    elif key == "printing":
        page.numbers.setPlainText("\n".join(format_id(h) for h in holders[:12]))
        page.tabs.setCurrentIndex(0)
    elif key == "requests":
        wait(lambda: page.model.rowCount() > 0, what="requests")
        if page.form_box.isVisible() and holders:
            page.target.setText(holders[1])
            wait(lambda: page.holder.holder is not None, what="the holder")
    elif key == "approvals":
        wait(lambda: page.request_model.rowCount() > 0, what="pending requests")
        page.request_table.selectRow(0)
        wait(lambda: page.request_holder.holder is not None, what="the holder")
    elif key == "officers":
        wait(lambda: page.model.rowCount() > 0, what="officers")
        page.select("clerk")
    elif key == "settings":
        wait(lambda: bool(page.country.text()), what="settings")
    elif key == "keys":
        wait(lambda: page.model.rowCount() > 0, what="keys")
    elif key == "audit":
        wait(lambda: page.model.rowCount() > 0, what="the audit trail")
        page.table.selectRow(0)
    elif key == "ledger":
        from console.node import sync

        folder = work / "ledger"
        if not folder.exists():  # a shared folder where another office's log was tampered with: the alarm
            (folder / "logs" / "B-02").mkdir(parents=True)
            (folder / "logs" / "B-02" / "checkpoint").write_text("ids.example/B-02\n3\nnot a root\n\n")
        sync.configure(ws.ctx.session, folder)
        page.sync_now()
        wait(lambda: page.syncer.running is None and page.model.rowCount() > 0, what="the sync")
        page.table.selectRow(0)
    elif key == "offices":
        wait(lambda: page.model.rowCount() > 0, what="offices")


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
