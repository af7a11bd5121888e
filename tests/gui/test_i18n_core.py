"""In Chinese, the core's sentences on the screens are Chinese too (the register form's field errors)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from console.core import i18n as core_i18n
from console.gui.pages.register import RegisterPage
from console.gui.window import ConsoleWindow
from tests.gui.conftest import type_text


@pytest.fixture
def core_in_chinese() -> Iterator[None]:
    core_i18n.set_language("zh_CN")
    yield
    core_i18n.set_language(None)


def test_register_form_field_errors_are_chinese(
    core_in_chinese: None, qtbot: Any, window: ConsoleWindow, log_in: Any
) -> None:
    page = log_in("clerk").page("register")
    assert isinstance(page, RegisterPage)
    type_text(page.family, "Mü1ler")
    assert page.family.property("invalid") is True
    assert page._messages["family"].text() == "姓氏第 3 个字符处含有数字“1”；姓名中不含数字，请删除。"
    qtbot.keyClicks(page.birth, "2031-02-30")
    assert page.birth.property("invalid") is True
    assert page._messages["birth"].text() == "出生日期 2031-02-30 在日历中不存在。"
