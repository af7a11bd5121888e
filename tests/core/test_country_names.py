"""Birthplace countries are named in the active language; the codes and the English default do not change."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

import pytest

from console.core import coding, i18n
from console.core.resources import resource_path


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield
    i18n.set_language(None)


def test_english_by_default() -> None:
    assert coding.region_name("uin-10", "chn") == "China"
    assert coding.regions("uin-10")["UKR"] == "Ukraine"


def test_chinese_names_for_every_country(chinese: None) -> None:
    assert coding.region_name("uin-10", "CHN") == "中国"
    assert coding.region_name("uin-10", "DEU") == "德国"
    assert coding.region_name("uin-10", "XKX") == "科索沃"
    assert coding.region_name("uin-10", "ZZZ") is None
    names = coding.regions("uin-10")
    with resource_path("coding", "countries.csv").open(encoding="utf-8", newline="") as fh:
        codes = [row["code"] for row in csv.DictReader(fh)]
    assert sorted(names) == sorted(codes)
    assert all(not any("a" <= c.lower() <= "z" for c in names[code]) for code in codes), "an English name is left"
    # Chinese region tables stay as they are (already Chinese).
    assert coding.region_name("cn-18", "110101") == "北京市东城区"


def test_the_list_covers_exactly_the_country_table() -> None:
    listed = json.loads(resource_path("translations", "countries_zh_CN.json").read_text(encoding="utf-8"))
    with resource_path("coding", "countries.csv").open(encoding="utf-8", newline="") as fh:
        assert set(listed) == {row["code"] for row in csv.DictReader(fh)}
