"""The core's translation layer: catalogues complete, placeholders intact, Chinese on demand, English by default."""

from __future__ import annotations

import importlib.util
import json
import string
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from types import ModuleType

import pytest

from console.core import coding, i18n, registry
from console.core.credentials import verify_credential
from console.core.errors import ValidationError
from console.core.registry import PersonInput
from console.core.resources import resource_path
from console.core.trust import TrustList

TODAY = date(2024, 5, 1)
FUTURE = PersonInput("Tamm", "Mari", "2031-01-01", "F", "EST")


def extractor() -> ModuleType:
    path = resource_path("translations", "core_messages.py")
    spec = importlib.util.spec_from_file_location("core_messages", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield
    i18n.set_language(None)


def test_every_core_message_is_translated_with_its_placeholders() -> None:
    tool = extractor()
    messages, problems = tool.extract()
    assert problems == []  # every _() call has one literal argument with named placeholders
    assert len(messages) > 30
    assert tool.check("zh_CN", messages) == []
    catalogue = json.loads(resource_path("translations", "core_zh_CN.json").read_text(encoding="utf-8"))
    assert set(catalogue) == set(messages), "stale or missing entries: run core_messages.py --update zh_CN"


def test_placeholders_are_named_and_compared_with_conversion() -> None:
    tool = extractor()
    assert tool.placeholders("{text!r} and {n}") == tool.placeholders("{n}：{text!r}")
    assert tool.placeholders("{text!r}") != tool.placeholders("{text}")
    with pytest.raises(ValueError):
        tool.placeholders("{} of {0}")


def test_check_reports_a_changed_placeholder(monkeypatch: pytest.MonkeyPatch) -> None:
    tool = extractor()
    monkeypatch.setattr(tool, "load", lambda language: {"The birth date {text} is in the future.": "{date} 晚于今天。"})
    problems = tool.check("xx", {"The birth date {text} is in the future.": ["registry.py:1"]})
    assert len(problems) == 1 and "placeholders differ" in problems[0]


def test_chinese_validation_error_and_english_again(chinese: None) -> None:
    with pytest.raises(ValidationError) as chinese_error:
        registry.check_person("ee-11", FUTURE, TODAY)
    assert chinese_error.value.field == "birth-date"
    assert str(chinese_error.value) == "出生日期 2031-01-01 晚于当前日期。"
    i18n.set_language(None)
    with pytest.raises(ValidationError) as english_error:
        registry.check_person("ee-11", FUTURE, TODAY)
    assert str(english_error.value) == "The birth date 2031-01-01 is in the future."


def test_field_labels_are_translated_inside_name_errors(chinese: None) -> None:
    with pytest.raises(ValidationError) as error:
        registry.check_person("ee-11", PersonInput("Mü1ler", "Mari", "1990-01-01", "F", "EST"), TODAY)
    assert error.value.field == "family-name"
    assert str(error.value) == "姓氏第 3 个字符处含有数字“1”；姓名中不含数字，请删除。"


def test_language_codes_and_fallbacks() -> None:
    try:
        i18n.set_language("zh-CN.UTF-8")
        assert i18n.language() == "zh_CN"
        for code in ("en_US", "de_DE", "C", "", None):
            i18n.set_language(code)
            assert i18n.language() is None
            assert i18n._("The birth date {text} is in the future.") == "The birth date {text} is in the future."
    finally:
        i18n.set_language(None)


def test_reads_from_other_threads_see_a_whole_catalogue(chinese: None) -> None:
    source = "The birth date {text} is in the future."
    seen: set[str] = set()

    def read() -> None:
        for _ in range(2000):
            seen.add(i18n._(source))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for code in ["zh_CN", None] * 50:
        i18n.set_language(code)
    for thread in threads:
        thread.join()
    assert seen <= {source, "出生日期 {text} 晚于当前日期。"}


def test_formatting_happens_after_translation(chinese: None) -> None:
    translated = i18n._("The birth date {text} is before {oldest}; check the year.")
    assert [name for _, name, _, _ in string.Formatter().parse(translated) if name] == ["text", "oldest"]
    assert (
        translated.format(text="1899-12-31", oldest="1900-01-01") == "出生日期 1899-12-31 早于 1900-01-01，请核对年份。"
    )


def test_verdict_reasons_are_translated(chinese: None) -> None:
    now = datetime(2024, 5, 1, tzinfo=UTC)
    assert verify_credential("", TrustList(), now).reason == "扫描所得文本为空。"
    i18n.set_language(None)
    assert verify_credential("", TrustList(), now).reason == "The scanned text is empty."


def test_id_number_reasons_and_region_kinds_are_translated(chinese: None) -> None:
    with pytest.raises(ValidationError) as error:
        coding.validate("cn-18", "11010519491231002Y")
    assert error.value.field == "id_number"
    assert (
        str(error.value) == "证件号码第 18 位为“Y”，但 cn-18 号码只能包含数字，以及仅可位于末位的字母 X；请核对该字符。"
    )
    assert coding.region_kind("cn-18") == "GB/T 2260 行政区划代码（6 位数字）"
    i18n.set_language(None)
    with pytest.raises(ValidationError) as english_error:
        coding.validate("cn-18", "11010519491231002Y")
    assert str(english_error.value) == (
        "The ID number has “Y” at position 18, but cn-18 numbers contain only digits and, at the end only, "
        "the letter X; check that character."
    )
    assert coding.region_kind("cn-18") == "GB/T 2260 administrative division code (6 digits)"


def test_mrz_and_card_errors_are_translated(chinese: None) -> None:
    from console.core import cards, mrz

    with pytest.raises(ValidationError) as error:
        mrz.td1_mrz(
            issuing_state="EST",
            document_number="AB123",
            birth_date=date(1990, 1, 1),
            sex="Q",
            expiry_date=date(2030, 1, 1),
            nationality="EST",
            primary_identifier="Tamm",
            secondary_identifier="Mari",
        )
    assert str(error.value) == "性别必须为 F、M 或 X，不能为 'Q'。"
    with pytest.raises(ValidationError) as sheet_error:
        cards.render_cards([], sheet="a5")  # type: ignore[arg-type]
    assert str(sheet_error.value) == "未知的纸张类型 'a5'：请选择 'id1'（证卡打印机）或 'a4'。"
    i18n.set_language(None)
    with pytest.raises(ValidationError) as english_error:
        mrz.icao_latin("Жанна")
    assert str(english_error.value) == (
        "The Latin form of the name contains 'Ж', which has no ICAO 9303 Latin equivalent; "
        "enter the name's transliteration in Latin letters (A-Z)."
    )
