"""console/core/coding.py at its edges: every refusal's sentence word for word (what the officer reads), the
field each names, what `validate` returns, and the region names and kinds in the active language.

Written for the mutation score of coding.py (docs/testing.md, "Mutation score"): test_coding.py and the property
tests check that numbers are right and wrong numbers refused, not what the officer is told.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from stdnum.cn import ric
from stdnum.ee import ik

from console.core import coding, i18n
from console.core.coding import NumberExhaustedError, NumberInfo, OfficePartition, allocator_for, validate
from console.core.errors import ValidationError

SECRET = bytes(range(32))
TODAY = date(2026, 11, 30)


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield
    i18n.set_language(None)


def _cn18(region: str | None) -> coding.Allocator:
    return allocator_for(OfficePartition("cn-18", 0, region, SECRET))


def _refused(call: object, *args: object) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        call(*args)  # type: ignore[operator]
    return refused.value


# ------------------------------------------------------------------------------------------------- cn-18


@pytest.mark.parametrize(
    ("region", "sentence"),
    [
        (
            None,
            "A cn-18 office needs its six-digit GB/T 2260 county code as its region; ask the authority which code is "
            "this office's jurisdiction.",
        ),
        ("110101,110101", "The office's region list names a code twice; list each code once."),
        ("999998", "The region code 999998 is not in the GB/T 2260 table; check the office's region."),
        (
            "110000",
            "The region code 110000 (北京市) is a province or prefecture, not a county; give the office a county-level "
            "code.",
        ),
        (
            "110103",
            "The region code 110103 (北京市崇文区) is no longer in use; list the office's current county code first.",
        ),
    ],
)
def test_a_cn18_office_region_is_refused_with_the_sentence(region: str | None, sentence: str) -> None:
    refused = _refused(_cn18, region)
    assert (refused.field, str(refused)) == ("region", sentence)


def test_a_cn18_office_numbers_with_its_older_code_for_people_born_before_the_new_one() -> None:
    allocator = _cn18("110112,110221")  # 通州区 since 1997; 昌平县 1982–1999 (a listed older code)
    assert allocator.counter_key(date(1990, 1, 2), "M") == "cn-18:110221:19900102:M"
    assert allocator.counter_key(date(2001, 1, 2), "M") == "cn-18:110112:20010102:M"
    # nobody born in 1970 can be numbered: the key falls back to the first code, and the capacity is none
    assert allocator.counter_key(date(1970, 1, 2), "F") == "cn-18:110112:19700102:F"
    assert allocator.capacity(date(1970, 1, 2), "F") == 0 and allocator.capacity(date(1990, 1, 2), "X") == 500
    assert allocator.number(0, date(1990, 1, 2), "M") == "11022119900102001" + ric.calc_check_digit(
        "11022119900102001" + "0"
    )


def test_no_code_in_use_in_the_birth_year_is_explained_with_every_period() -> None:
    with pytest.raises(NumberExhaustedError) as refused:
        _cn18("110112,110221").number(0, date(1970, 5, 6), "F")
    assert str(refused.value) == (
        "None of this office's region codes was in use in 1970 (in use: 110112 (北京市通州区) since 1997, "
        "110221 (北京市昌平县) from 1982 to 1999), so it cannot number a person born then; ask the authority to add "
        "a code of this county that was in use in that year."
    )


def test_period_words_name_every_kind_of_period() -> None:
    period = coding._RegionPeriod
    assert coding._period_words(()) == ""
    assert coding._period_words((period("a", "a", None, None),)) == "in every year"
    assert coding._period_words((period("a", "a", None, 1991), period("b", "b", 1992, None))) == (
        "until 1991 and since 1992"
    )
    three = (period("a", "a", None, 1980), period("b", "b", 1981, 1990), period("c", "c", 1991, None))
    assert coding._period_words(three) == "until 1980 and from 1981 to 1990 and since 1991"


def test_the_current_period_is_the_open_one_else_the_last_to_end() -> None:
    period = coding._RegionPeriod
    old, new = period("old", "old", None, 1991), period("new", "new", 1992, None)
    assert coding._current_period((new, old)) == new and coding._current_period((old, new)) == new
    first, second = period("1", "1", 1950, 1960), period("2", "2", 1961, 1970)
    assert coding._current_period((second, first)) == second
    # the one that ended last wins even if it began first
    assert coding._current_period((period("y", "y", 1960, 1970), period("x", "x", 1950, 1980))).name == "x"
    # both open: the later start; both ended the same year: the later start
    assert coding._current_period((period("x", "x", 1990, None), period("y", "y", 1980, None))).name == "x"
    assert coding._current_period((period("x", "x", 1950, 1970), period("y", "y", 1960, 1970))).name == "y"
    assert coding._current_period((period("x", "x", 1950, 1970), period("y", "y", None, 1970))).name == "x"


@pytest.mark.parametrize("born", [date(1, 1, 1), date(999, 5, 6), date(9999, 12, 31)])
def test_cn18_birth_years_at_the_ends_of_the_calendar(born: date) -> None:
    """Every year the allocator accepts is written in four digits (strftime's %Y wrote "1" for year 1: a
    15-character number)."""
    table = coding._region_table("cn-18")
    assert any(p.in_use(born.year) for p in table["110101"])
    number = _cn18("110101").number(0, born, "M")
    assert number is not None and len(number) == 18 and number[6:14] == f"{born.year:04d}{born:%m%d}"
    assert ric.is_valid(number)


def test_a_cn18_block_used_up_is_explained() -> None:
    with pytest.raises(NumberExhaustedError) as refused:
        _cn18("110101").number(500, date(1980, 2, 3), "F")
    assert str(refused.value) == (
        "Region 110101 has used all 500 sequence numbers for women born on 1980-02-03; ask the authority to give "
        "this office another region code."
    )
    with pytest.raises(NumberExhaustedError, match="for men born on 1980-02-03"):
        _cn18("110101").number(500, date(1980, 2, 3), "M")


@pytest.mark.parametrize(
    ("number", "sentence"),
    [
        (
            "999998198001020010",
            "The region code 999998 (the first six digits of the ID number) is not in the GB/T 2260 table; check "
            "those digits.",
        ),
        (
            "110112198001020010",
            "The region code 110112 (北京市通州区) was not in use in 1980, the birth year in the ID number; check the "
            "first six digits and the birth date.",
        ),
        (
            "110101198001020019",
            "The check character (the last character) does not match the rest of the ID number, so a character was "
            "probably mistyped; compare the number with the document again.",
        ),
        (
            "110101198013020019",
            "The birth date in the ID number (characters 7–14, read as 1980-13-02) is not a real date; check those "
            "digits.",
        ),
        (
            "110101202712310019",
            "The birth date in the ID number (2027-12-31) is in the future; check characters 7–14.",
        ),
    ],
)
def test_a_cn18_number_is_refused_with_the_sentence(number: str, sentence: str) -> None:
    refused = _refused(lambda: validate("cn-18", number, today=TODAY))
    assert (refused.field, str(refused)) == ("id_number", sentence)


def test_cn18_says_what_the_number_encodes() -> None:
    body = "11010119800102011"  # sequence 011: odd, a man
    number = body + ric.calc_check_digit(body + "0")
    assert validate("cn-18", number, today=TODAY) == NumberInfo(
        number=number, scheme="cn-18", birth_date=date(1980, 1, 2), sex="M", region="110101"
    )
    body = "11010119800102020"  # sequence 020: even, a woman (the digit before the check digit, not the one before)
    assert validate("cn-18", body + ric.calc_check_digit(body + "0"), today=TODAY).sex == "F"
    born_today = "110101" + f"{TODAY:%Y%m%d}" + "011"
    assert validate("cn-18", born_today + ric.calc_check_digit(born_today + "0"), today=TODAY).birth_date == TODAY


# ------------------------------------------------------------------------------------------------- ee-11


def test_ee11_refusals_and_what_a_number_encodes() -> None:
    allocator = allocator_for(OfficePartition("ee-11", 3, None, SECRET))
    assert allocator.capacity(date(1990, 1, 1), "X") == 50
    with pytest.raises(NumberExhaustedError) as refused:
        allocator.number(50, date(1990, 1, 1), "F")
    assert str(refused.value) == (
        "Office slot 3 has used all 50 ee-11 serial numbers for women born on 1990-01-01; ask the authority to "
        "give this office another slot."
    )
    refused_date = _refused(allocator.number, 0, date(2200, 1, 1), "M")
    assert (refused_date.field, str(refused_date)) == (
        "birth_date",
        "An ee-11 number can only encode birth years 1800–2199; check the birth date.",
    )
    slot = _refused(allocator_for, OfficePartition("ee-11", 20, None, SECRET))
    assert str(slot) == (
        "Office slot 20 is outside the ee-11 scheme's 20 slots (0–19); ask the authority for a valid slot."
    )
    body = "8991231" + "001"  # first digit 8: a woman born in the 2100s
    number = body + ik.calc_check_digit(body + "0")
    assert validate("ee-11", number, today=date(2200, 1, 1)) == NumberInfo(
        number=number, scheme="ee-11", birth_date=date(2199, 12, 31), sex="F"
    )
    assert validate("ee-11", "1" + number[1:-1] + ik.calc_check_digit("1" + number[1:-1] + "0"), today=TODAY).sex == "M"
    first = _refused(lambda: validate("ee-11", "9" + number[1:], today=TODAY))
    assert str(first) == (
        "The first digit of the ID number is 9, but it must be 1–8 (it encodes sex and birth century); check it."
    )
    bad_date = _refused(lambda: validate("ee-11", "3801301" + "0010", today=TODAY))
    assert str(bad_date) == (
        "The birth date in the ID number (digits 2–7, read as 1980-13-01) is not a real date; check those digits."
    )
    future = "6301231001"  # 2030-12-31
    assert str(_refused(lambda: validate("ee-11", future + ik.calc_check_digit(future + "0"), today=TODAY))) == (
        "The birth date in the ID number (2030-12-31) is in the future; check digits 2–7."
    )
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert str(_refused(lambda: validate("ee-11", wrong, today=date(2200, 1, 1)))) == (
        "The check digit (the last digit) does not match the rest of the ID number, so a digit was probably "
        "mistyped; compare the number with the document again."
    )


# ------------------------------------------------------------------------------------------------ uin-10


def test_uin10_refusals_and_what_a_number_encodes() -> None:
    assert str(_refused(lambda: validate("uin-10", "1234567890"))) == (
        "The ID number starts with 1, but uin-10 numbers never start with 0 or 1; check the first digit."
    )
    assert "starts with 0" in str(_refused(lambda: validate("uin-10", "0234567890")))
    from stdnum import verhoeff

    repeated = "27866" + "4935"  # "786" is a number MOSIP never issues
    repeated += verhoeff.calc_check_digit(repeated)
    assert str(_refused(lambda: validate("uin-10", repeated))) == (
        "The ID number contains “786”, a pattern no uin-10 number is issued with, so it was probably mistyped; "
        "compare the number with the document again."
    )
    allocator = allocator_for(OfficePartition("uin-10", 0, None, SECRET))
    number = next(n for k in range(100) if (n := allocator.number(k, date(1990, 1, 1), "F")) is not None)
    assert number is not None and validate("uin-10", number) == NumberInfo(number=number, scheme="uin-10")


# --------------------------------------------------------------------------------------------- regions


def test_region_kinds_are_said_in_the_consoles_language(chinese: None) -> None:
    catalogue = {
        "cn-18": "GB/T 2260 administrative division code (6 digits)",
        "ee-11": "ISO 3166-2:EE county code",
        "uin-10": "ISO 3166-1 alpha-3 country code",
    }
    for scheme, english in catalogue.items():
        said = coding.region_kind(scheme)
        assert said == i18n._(english) and said != english, scheme
    assert coding._region_kinds()["region code"] == i18n._("region code") != "region code"


def test_region_kinds_in_english_and_a_phrase_without_a_translation() -> None:
    assert coding.region_kind("cn-18") == "GB/T 2260 administrative division code (6 digits)"
    assert coding.region_kind("uin-10") == "ISO 3166-1 alpha-3 country code"
    assert (
        set(coding._region_kinds())
        == set(coding._region_kinds().values())
        == {
            "GB/T 2260 administrative division code (6 digits)",
            "ISO 3166-2:EE county code",
            "ISO 3166-1 alpha-3 country code",
            "region code",
        }
    )


def test_country_names_follow_the_language_and_other_tables_do_not(chinese: None) -> None:
    assert coding.region_name("uin-10", "deu") == "德国"
    assert coding.regions("uin-10")["DEU"] == "德国"
    assert coding.region_name("ee-11", "EE-37") == "Harjumaa" == coding.regions("ee-11")["EE-37"]
    assert coding.region_name("cn-18", "110101") == "北京市东城区"


def test_country_names_in_english_without_a_language() -> None:
    assert coding.region_name("uin-10", "DEU") == "Germany" == coding.regions("uin-10")["DEU"]
    assert coding.region_name("uin-10", "ZZZ") is None


def test_is_country_reads_the_iso_3166_list() -> None:
    assert coding.is_country("EST") and coding.is_country(" chn ")
    assert not coding.is_country("EE-37") and not coding.is_country("110101") and not coding.is_country("ZZZ")
