"""The Chinese catalogue: complete, placeholders intact, and loaded by the screens."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale

from console.core.resources import resource_path
from console.gui import i18n
from console.gui.login import LoginPage
from console.gui.tasks import TaskRunner

TS = resource_path("translations", "id_console_zh_CN.ts")
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
MNEMONIC = re.compile(r"&(?!&)\w")


def messages() -> list[tuple[str, str, str, str | None]]:
    root = ET.parse(TS).getroot()
    out = []
    for context in root.iter("context"):
        for message in context.iter("message"):
            translation = message.find("translation")
            text = ""
            if translation is not None:
                forms = translation.findall("numerusform")  # a message with a count: one form per plural class
                text = " | ".join(form.text or "" for form in forms) if forms else translation.text or ""
                if forms and not all((form.text or "").strip() for form in forms):
                    text = ""
            out.append(
                (
                    context.findtext("name") or "",
                    message.findtext("source") or "",
                    text,
                    translation.get("type") if translation is not None else "missing",
                )
            )
    return out


def test_every_message_is_translated_with_its_placeholders_and_mnemonics() -> None:
    found = messages()
    assert len(found) > 250
    for context, source, translation, kind in found:
        assert kind is None and translation.strip(), f"untranslated in {context}: {source!r}"
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(translation)), (context, source)
        assert bool(MNEMONIC.search(source)) == bool(MNEMONIC.search(translation)), (context, source)


def test_compiled_catalogue_is_current(tmp_path: Path) -> None:
    lrelease = shutil.which("pyside6-lrelease") or shutil.which(
        "pyside6-lrelease", path=str(Path(sys.executable).parent)
    )
    if lrelease is None:
        pytest.skip("pyside6-lrelease is not installed")
    fresh = tmp_path / "fresh.qm"
    subprocess.run([lrelease, str(TS), "-qm", str(fresh)], check=True, capture_output=True)
    assert fresh.read_bytes() == TS.with_suffix(".qm").read_bytes(), "run python resources/translations/build.py"


@pytest.fixture
def chinese(gui_app: Any) -> Iterator[None]:
    installed = i18n.install_translators(gui_app, QLocale("zh_CN"))
    yield
    for translator in installed:
        gui_app.removeTranslator(translator)
    QLocale.setDefault(QLocale("en_US"))


def test_screens_speak_chinese(chinese: None, qtbot: Any, runner: TaskRunner) -> None:
    page = LoginPage(runner)
    qtbot.addWidget(page)
    assert page.login_button.text() == "登录"
    assert QCoreApplication.translate("Names", "revoked") == "已吊销"
    assert QCoreApplication.translate("PrintTexts", "%n page(s) printed at true size", "", 3) == "已按实际尺寸打印 3 页"


LOCKED = "Locked after %n minute(s) without activity; log in again."


def test_counts_read_as_english(gui_app: Any) -> None:
    """English is the source language; its small catalogue gives messages with a count their singular."""
    assert QCoreApplication.translate("ConsoleWindow", LOCKED, "", 1) == (
        "Locked after 1 minute without activity; log in again."
    )
    assert QCoreApplication.translate("ConsoleWindow", LOCKED, "", 10) == (
        "Locked after 10 minutes without activity; log in again."
    )
    assert QCoreApplication.translate("PrintTexts", "(%n card(s)).", "", 1) == "(1 card)."


def test_a_language_without_a_catalogue_gets_the_english_counts(gui_app: Any) -> None:
    installed = i18n.install_translators(gui_app, QLocale("de_DE"))
    try:
        assert installed
        assert (
            QCoreApplication.translate("PrintTexts", "%n page(s) printed at true size", "", 2)
            == "2 pages printed at true size"
        )
    finally:
        for translator in installed:
            gui_app.removeTranslator(translator)
        QLocale.setDefault(QLocale("en_US"))


def test_english_catalogue_has_both_forms_of_every_count() -> None:
    english = ET.parse(TS.with_name("id_console_en.ts")).getroot()
    counted = [m for m in english.iter("message") if m.get("numerus") == "yes"]
    assert len(counted) >= 2
    for message in counted:
        forms = [form.text or "" for form in message.iter("numerusform")]
        assert len(forms) == 2 and all("%n" in form for form in forms), message.findtext("source")
