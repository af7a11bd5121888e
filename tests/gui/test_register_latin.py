"""The Register page's Latin name fields: a name no table covers can be registered with its typed Latin form."""

from __future__ import annotations

from typing import Any

from console.core.office import Office
from console.gui.pages.register import RegisterPage
from console.gui.window import ConsoleWindow
from tests.gui.conftest import type_text
from tests.gui.test_flow import fill_form, register
from tests.gui.test_register import register_page


def test_a_name_without_automatic_latin_form_asks_for_the_latin_field(
    qtbot: Any, window: ConsoleWindow, log_in: Any, staffed: Office
) -> None:
    page: RegisterPage = register_page(window, log_in)
    fill_form(qtbot, page, "אברהם", "Sara", "1981-03-04", "F", "ISR")
    message = page._messages["family"]
    assert not message.isHidden()
    assert "Latin family name" in message.text()  # the label of the field that exists on this page
    assert page.family_latin.text() == ""

    type_text(page.latin_family, "Avraham")
    assert message.isHidden()  # the typed form resolves the family name's problem
    assert page.family_latin.text().endswith("AVRAHAM")

    result = register(qtbot, page)
    assert result["status"] == "registered"
    row = staffed.db.execute(
        "SELECT family_name, latin_family, latin_given FROM citizens WHERE id_number = ?", (result["id_number"],)
    ).fetchone()
    assert tuple(row) == ("אברהם", "AVRAHAM", "SARA")


def test_the_latin_field_refuses_letters_outside_icao_latin(qtbot: Any, window: ConsoleWindow, log_in: Any) -> None:
    page = register_page(window, log_in)
    fill_form(qtbot, page, "علي", "حسن", "1975-06-07", "M", "EGY")
    assert page.family_latin.text().endswith("ELY")  # ICAO 9303 Table C when nothing is typed
    type_text(page.latin_given, "Ḥasan")
    message = page._messages["latin_given"]
    assert not message.isHidden() and "“Ḥ” at position 1" in message.text()
    page.submit()
    assert "Nothing was registered yet" in page.banner.text.text()
    page.latin_given.clear()
    type_text(page.latin_given, "Hasan")
    assert message.isHidden()
    assert page.given_latin.text().endswith("HASAN")
