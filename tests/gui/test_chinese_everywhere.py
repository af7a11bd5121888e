"""In Chinese, no screen of any role shows an English word: labels, buttons, placeholders, tool tips,
accessible names, table headers and cells, list and combo items, the verdicts and the audit details.

The console runs with both catalogues in Chinese (the Qt one for the screens, the core one for the services'
sentences); every role logs in and opens every screen it has, with something on it (a registered citizen with
a card, a pending request, audit entries, a refused verification). Every text a person could read or a screen
reader could say is collected and searched for Latin words. What may stay Latin is data (the office's and
officers' names, usernames, a citizen's Latin name form, ID and card numbers, key ids) and a short list of
names that have no Chinese form (PDF, CSV, QR, URL, ID-1, A4, Ctrl, …).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from console.core import i18n as core_i18n
from console.core import issuance, requests
from console.core.accounts import Session
from console.core.office import Office
from console.core.registry import PersonInput, register
from console.gui import i18n
from console.gui.pages.verify import VerifyPage
from console.gui.window import ConsoleWindow
from tests.gui.conftest import TASK_TIMEOUT_MS, wait_idle

#: Latin that stays Latin in Chinese: file formats, standards, key names, units and the card's own words.
ALLOWED = {
    "PDF", "CSV", "QR", "URL", "URLs", "https", "http", "ISO", "ID", "A4", "JPEG", "PNG", "JPG", "UTF",
    "Ctrl", "Enter", "Esc", "Tab", "Shift", "Alt", "F1", "F5", "YYYY", "MM", "DD", "EdDSA", "ES256", "MRZ",
    "CBOR", "COSE", "ICAO", "Base45", "ids", "example", "org", "check", "www", "family_name", "given_name",
    "birth_date", "sex", "birthplace", "TD1", "mm", "dpi", "DEMO", "Fusion", "English", "alpha",
    "zho",  # the card's language code (ISO 639-3), shown as written on it
    # Latin examples in the name fields' hints (how a name in that script is typed)
    "Müller", "Zoë", "ALI", "AL", "RASHID",
}  # fmt: skip
#: Data, not words: web addresses (an issuer's), key ids and card numbers (hex), three-letter country codes,
#: ID-number scheme names (cn-18) and commands to type, written `between backticks`.
DATA = re.compile(r"https?://\S+|\b(?=[0-9A-Fa-f]*\d)[0-9A-Fa-f]{6,}\b|\b[A-Z]{3}\b|\b[a-z]{2,3}-\d+\b|`[^`]*`")
LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏ][A-Za-zÀ-ɏ_]+")  # ASCII and accented Latin letters
TAG = re.compile(r"<[^>]+>")


@pytest.fixture
def chinese(gui_app: Any) -> Iterator[None]:
    installed = i18n.install_translators(gui_app, QLocale("zh_CN"))
    core_i18n.set_language("zh_CN")
    yield
    core_i18n.set_language(None)
    for translator in installed:
        gui_app.removeTranslator(translator)
    i18n.install_translators(gui_app, QLocale("en_US"))


def texts_of(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for everything a person sees or hears on the visible widgets under `root`."""
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) and widget is not root:
            continue
        where = f"{type(widget).__name__} {widget.objectName() or widget.accessibleName()!r}"
        yield where + " tooltip", widget.toolTip()
        yield where + " accessible name", widget.accessibleName()
        if isinstance(widget, QLabel):
            yield where, TAG.sub(" ", widget.text())
        elif isinstance(widget, QAbstractButton):
            yield where, widget.text()
        elif isinstance(widget, QLineEdit):
            yield where + " placeholder", widget.placeholderText()
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            yield where + " placeholder", widget.placeholderText()
            yield where, widget.toPlainText()
        elif isinstance(widget, QGroupBox):
            yield where, widget.title()
        elif isinstance(widget, QTabWidget):
            for index in range(widget.count()):
                yield where + " tab", widget.tabText(index)
        elif isinstance(widget, QComboBox):
            for index in range(widget.count()):
                yield where + " item", widget.itemText(index)
        if isinstance(widget, QListWidget):
            for row in range(widget.count()):
                yield where + " item", widget.item(row).text()
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for column in range(model.columnCount()):
                yield where + " header", str(model.headerData(column, Qt.Orientation.Horizontal) or "")
                for row in range(min(model.rowCount(), 30)):
                    yield where + f" cell {row},{column}", str(model.index(row, column).data() or "")


def english_in(root: QWidget, data_words: set[str]) -> list[str]:
    found = []
    for where, text in texts_of(root):
        words = [w for w in LATIN_WORD.findall(DATA.sub(" ", text or "")) if w not in ALLOWED | data_words]
        if words:
            found.append(f"{where}: {text!r}")
    return found


def test_every_screen_of_every_role_is_chinese(
    chinese: None, qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office, session_of: Any
) -> None:
    clerk: Session = session_of("clerk")
    number = str(register(clerk, PersonInput("欧阳", "娜娜", "1992-02-12", "F", "CHN"))["id_number"])
    issuance.issue(clerk, number)
    other = str(register(clerk, PersonInput("王", "芳", "1988-04-30", "F", "CHN"))["id_number"])
    issuance.issue(clerk, other)
    requests.create_request(clerk, "revoke", other, "挂失")
    data_words = {"OUYANG", "NANA", "WANG", "FANG", "Officer", "Clerk", "Super", "Auditor", "Admin", "Ada"}
    data_words |= {"clerk", "clerk2", "super", "super2", "auditor", "admin"}

    problems: list[str] = []
    for username in ("clerk", "super", "admin", "auditor"):
        workspace = log_in(username)
        info = workspace.ctx.info
        data_words |= set(LATIN_WORD.findall(f"{info.authority_name} {info.office_name} {info.office_code}"))
        for key in workspace.allowed:
            assert workspace.open(key)
            page = workspace.page(key)
            wait_idle(qtbot, window.runner)
            if isinstance(page, VerifyPage):  # a card, then a text that is not a card's code
                for text in (issuance.current_credential(clerk, number)["qr"], "HELLO WORLD!"):
                    page.scan.setText(text)
                    page.verify_scanned()
                    wait_idle(qtbot, window.runner)
                    qtbot.waitUntil(lambda p=page: not p.checking, timeout=TASK_TIMEOUT_MS)
                    problems += [f"{username}/{key} after a scan: {p}" for p in english_in(window, data_words)]
            problems += [f"{username}/{key}: {p}" for p in english_in(window, data_words)]
        window.lock("")
    problems = sorted(set(problems))
    assert not problems, "English on the Chinese screens:\n" + "\n".join(problems)


def test_every_audit_action_the_services_write_has_a_name() -> None:
    """The audit screen names each action in words: every action and event type the core and node write, and
    every permission (a refusal's action is the permission refused)."""
    from pathlib import Path

    from console.core.roles import Permission
    from console.gui.texts import audit_action_name

    root = Path(__file__).resolve().parents[2] / "console"
    written = set()
    for path in [*root.joinpath("core").rglob("*.py"), *root.joinpath("node").rglob("*.py")]:
        written |= set(re.findall(r'(?:action|type)="([a-z]+\.[a-z.-]+)"', path.read_text(encoding="utf-8")))
    written |= {"login", "login.lock", "login.unlock", *(p.value for p in Permission)}
    assert len(written) > 30
    assert sorted(a for a in written if audit_action_name(a) == a) == []
