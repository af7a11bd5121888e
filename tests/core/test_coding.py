"""Coding rules: allocation is collision-free and valid by our rules and python-stdnum's; validation says why."""

from __future__ import annotations

import itertools
import random
import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import verhoeff
from stdnum.cn import ric
from stdnum.ee import ik

from console.core import coding
from console.core.coding import (
    NumberExhaustedError,
    OfficePartition,
    allocator_for,
    is_known_region,
    region_name,
    regions,
    scheme_names,
    validate,
)
from console.core.errors import ValidationError
from tests.core import mosip_uin

SECRET = bytes(range(32))
TODAY = date(2026, 11, 30)
STDNUM_VALID = {"cn-18": ric.is_valid, "ee-11": ik.is_valid, "uin-10": verhoeff.is_valid}


def _always_valid_counties() -> list[str]:
    """County-level codes in force in every year: usable for any birth date (stdnum checks the year)."""
    table = coding._region_table("cn-18")
    return sorted(
        code
        for code, periods in table.items()
        if not code.endswith("00") and any(p.valid_from is None and p.valid_to is None for p in periods)
    )


COUNTIES = _always_valid_counties()


def _allocate(allocator: coding.Allocator, counters: dict[str, int], born: date, sex: str) -> str:
    """What the database layer does in its transaction: advance the counter until a number comes back."""
    key = allocator.counter_key(born, sex)
    n = counters.get(key, 0)
    while True:
        number = allocator.number(n, born, sex)
        n += 1
        if number is not None:
            counters[key] = n
            return number


def test_scheme_names() -> None:
    assert scheme_names() == ("cn-18", "ee-11", "uin-10")


# ---------------------------------------------------------------------------------------------- properties

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sexes = st.sampled_from(["M", "F", "X"])


def _space(scheme: str, sex: str) -> str:
    return str(coding._schemes()[scheme]["sex_x_space"]) if sex == "X" else sex


@settings(max_examples=300, deadline=None)
@given(region=st.sampled_from(COUNTIES), counter=st.integers(0, 499), born=birth_dates, sex=sexes)
def test_cn18_numbers_validate_and_round_trip(region: str, counter: int, born: date, sex: str) -> None:
    allocator = allocator_for(OfficePartition("cn-18", 0, region, SECRET))
    number = allocator.number(counter, born, sex)
    assert number is not None
    assert ric.is_valid(number)
    info = validate("cn-18", number, today=TODAY)
    assert (info.number, info.birth_date, info.sex, info.region) == (number, born, _space("cn-18", sex), region)


@settings(max_examples=300, deadline=None)
@given(
    slot=st.integers(0, 19),
    counter=st.integers(0, 49),
    born=st.dates(min_value=date(1800, 1, 1), max_value=TODAY),
    sex=sexes,
)
def test_ee11_numbers_validate_and_round_trip(slot: int, counter: int, born: date, sex: str) -> None:
    allocator = allocator_for(OfficePartition("ee-11", slot, None, SECRET))
    number = allocator.number(counter, born, sex)
    assert number is not None
    assert ik.is_valid(number)
    assert ik.get_birth_date(number) == born
    info = validate("ee-11", number, today=TODAY)
    assert (info.birth_date, info.sex) == (born, _space("ee-11", sex))
    assert int(number[7:10]) // 50 == slot  # the serial lies in the office's block


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    secret=st.binary(min_size=32, max_size=32),
    slot=st.integers(0, 199),
    counter=st.integers(0, 3_999_999),
    sex=sexes,
)
def test_uin10_numbers_validate(secret: bytes, slot: int, counter: int, sex: str) -> None:
    allocator = allocator_for(OfficePartition("uin-10", slot, None, secret))
    number = allocator.number(counter, date(2000, 1, 1), sex)
    if number is None:  # a filtered output: the counter just moves on
        return
    assert verhoeff.is_valid(number)
    assert validate("uin-10", number).number == number


@settings(max_examples=300, deadline=None)
@given(
    region=st.sampled_from(sorted(coding._region_table("cn-18"))),
    born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sequence=st.integers(0, 999),
    check=st.sampled_from([*"0123456789X", None]),
)
def test_cn18_validate_agrees_with_stdnum(region: str, born: date, sequence: int, check: str | None) -> None:
    """Our validator accepts exactly what python-stdnum accepts (besides refusing future dates)."""
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    number = body + (check if check is not None else ric.calc_check_digit(body + "0"))
    try:
        validate("cn-18", number, today=TODAY)
        ours = True
    except ValidationError:
        ours = False
    assert ours == ric.is_valid(number)


@settings(max_examples=300, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_ee11_validate_agrees_with_stdnum(digits: str) -> None:
    try:
        validate("ee-11", digits, today=date(2199, 12, 31))
        ours = True
    except ValidationError:
        ours = False
    assert ours == ik.is_valid(digits)


# ------------------------------------------------------------------------------------- ten offices, no clash


def _ten_offices(scheme: str) -> list[str]:
    rng = random.Random(f"ten-offices-{scheme}")
    span = (TODAY - date(1930, 1, 1)).days
    numbers: list[str] = []
    for slot in range(10):
        region = COUNTIES[slot * 31] if scheme == "cn-18" else None
        allocator = allocator_for(OfficePartition(scheme, slot, region, SECRET))
        counters: dict[str, int] = {}
        for _ in range(10_000):
            born = date(1930, 1, 1) + timedelta(days=rng.randrange(span))
            numbers.append(_allocate(allocator, counters, born, rng.choice("MFX")))
    return numbers


@pytest.mark.parametrize("scheme", ["cn-18", "ee-11", "uin-10"])
def test_ten_offices_never_collide(scheme: str) -> None:
    numbers = _ten_offices(scheme)
    assert len(numbers) == 100_000
    assert len(set(numbers)) == 100_000
    is_valid = STDNUM_VALID[scheme]
    assert all(is_valid(n) for n in numbers[::7])
    for n in numbers[::97]:
        validate(scheme, n, today=TODAY)


# ------------------------------------------------------------------------------------------------- uin-10


def _uin_block(slot: int, count: int) -> list[str]:
    allocator = allocator_for(OfficePartition("uin-10", slot, None, SECRET))
    counters: dict[str, int] = {}
    return [_allocate(allocator, counters, date(2000, 1, 1), "F") for _ in range(count)]


def test_uin10_filters_hold() -> None:
    numbers = _uin_block(3, 5000)
    ascending = "01234567890123456789"
    for n in numbers:
        assert len(n) == 10 and n.isdigit() and n[0] not in "01"
        assert not re.search(r"(\d)\d?\1", n), n  # no equal digits within two positions (33, 3x3)
        assert not any(n[i : i + 3] in ascending or n[i : i + 3] in ascending[::-1] for i in range(8)), n
        assert not re.search(r"(\d{2,}).*?\1", n), n  # no block of two or more digits anywhere twice
        assert not re.search("[2468]{3}", n), n  # no three of 2, 4, 6, 8 in a row
        assert n[:5] != n[5:] and n[:5] != n[5:][::-1]
        assert "666" not in n and "786" not in n and "142857" not in n


def test_ten_thousand_allocated_uin10_numbers_pass_mosips_own_rules() -> None:
    """Checked by tests/core/mosip_uin.py: MOSIP's generator filter and validator, read apart from our code."""
    numbers = [n for slot in (0, 77, 199) for n in _uin_block(slot, 3334)][:10_000]
    assert len(set(numbers)) == 10_000
    refused = [n for n in numbers if not mosip_uin.is_valid_uin(n)]
    assert refused == []


def test_uin10_validate_applies_exactly_mosips_rules() -> None:
    """On random numbers with a correct check digit, our validator and MOSIP's rules agree both ways."""
    rng = random.Random(11)
    accepted = 0
    for _ in range(20_000):
        body = str(rng.randrange(200_000_000, 1_000_000_000))
        number = body + verhoeff.calc_check_digit(body)
        try:
            validate("uin-10", number)
            ours = True
        except ValidationError:
            ours = False
        assert ours == mosip_uin.is_valid_uin(number), number
        accepted += ours
    assert 0.06 < accepted / 20_000 < 0.085  # MOSIP's rules keep about 7% (docs/coding-rules.md §4)


@pytest.mark.parametrize(
    ("number", "accepted"),
    [  # MOSIP's own test values (kernel-idvalidator-uin test application.properties)
        ("2013023805", True),
        ("2013013805", False),  # repeating
        ("2013223805", False),  # sequential / repeating
        ("4345643456", False),  # first five = last five
        ("4345665434", False),  # first five = last five reversed
        ("4567890123", False),  # ascending, wrapping
        ("6543210987", False),  # descending, wrapping
        ("3434343434", False),  # repeated digits
        ("2013564809", False),  # three adjacent even digits (648)
    ],
)
def test_uin10_mosips_published_test_values(number: str, accepted: bool) -> None:
    assert mosip_uin.is_valid_uin(number) is accepted
    if accepted:
        assert validate("uin-10", number).number == number
    else:
        with pytest.raises(ValidationError):
            validate("uin-10", number)


def test_uin10_consecutive_counters_are_far_apart_and_offices_do_not_show() -> None:
    first = [int(n) for n in _uin_block(0, 3000)]
    gaps = sorted(abs(a - b) for a, b in itertools.pairwise(first))
    assert gaps[0] > 1000
    assert gaps[len(gaps) // 2] > 10**9  # median gap: a large fraction of the whole range
    second = [int(n) for n in _uin_block(1, 3000)]
    # Both offices spread over the whole space: the slot leaves no visible trace in the number.
    for block in (first, second):
        assert min(block) < 2_100_000_000 and max(block) > 9_800_000_000  # valid numbers lie in 2013… to 986…


def test_uin10_frozen_vectors() -> None:
    """Pinned outputs for a known secret: another vendor's implementation must reproduce these."""
    zero = allocator_for(OfficePartition("uin-10", 0, None, SECRET))
    issued = {c: zero.number(c, date(2000, 1, 1), "M") for c in range(28)}
    assert {c: n for c, n in issued.items() if n} == {
        14: "9418405287",
        15: "6041847209",
        22: "2154601481",
        27: "4063125687",
    }
    assert coding._Feistel(SECRET, 10).permute(0) == 527_195_994  # counter 0: 7271959940, skipped (7x7)
    one = allocator_for(OfficePartition("uin-10", 1, None, SECRET))
    assert [one.number(c, date(2000, 1, 1), "M") for c in range(17)] == [None] * 16 + ["2650893687"]


def test_uin10_answers_do_not_depend_on_the_order_counters_are_asked_in() -> None:
    """The allocator works out runs of counters at once; each answer is still a pure function of the counter."""
    born = date(2000, 1, 1)
    sequential = allocator_for(OfficePartition("uin-10", 9, None, SECRET))
    forward = [sequential.number(c, born, "F") for c in range(5000)]
    rng = random.Random(4)
    order = [*rng.sample(range(5000), 600), 4999, 0, 2500, 2499]
    for c in order:  # a fresh allocator asked in random order, and once per counter
        assert allocator_for(OfficePartition("uin-10", 9, None, SECRET)).number(c, born, "F") == forward[c]
        assert sequential.number(c, born, "F") == forward[c]
    feistel = coding._Feistel(SECRET, 10)
    inputs = range(36_000_000, 36_003_000)
    one_by_one = coding._Feistel(SECRET, 10)  # its own tables, filled by the single-input path
    assert feistel.permute_many(inputs) == [one_by_one.permute(x) for x in inputs]
    last = allocator_for(OfficePartition("uin-10", 9, None, SECRET))
    tail = [last.number(c, born, "F") for c in range(3_999_990, 4_000_000)]  # a run stops at the slot's end
    fresh = [allocator_for(OfficePartition("uin-10", 9, None, SECRET)) for _ in range(10)]
    assert tail == [a.number(c, born, "F") for a, c in zip(fresh, range(3_999_990, 4_000_000), strict=True)]
    with pytest.raises(NumberExhaustedError):
        last.number(4_000_000, born, "F")


def test_uin10_counter_key_and_capacity() -> None:
    allocator = allocator_for(OfficePartition("uin-10", 5, None, SECRET))
    assert allocator.counter_key(date(1990, 1, 1), "M") == allocator.counter_key(date(2001, 2, 3), "F") == "uin-10:5"
    assert allocator.capacity(date(1990, 1, 1), "M") == 4_000_000
    with pytest.raises(NumberExhaustedError, match="another slot"):
        allocator.number(4_000_000, date(1990, 1, 1), "M")


# ----------------------------------------------------------------------------------------- cn-18 and ee-11


def test_cn18_frozen_vectors_and_sequence_parity() -> None:
    allocator = allocator_for(OfficePartition("cn-18", 0, "110101", SECRET))
    born = date(1990, 5, 17)
    assert allocator.number(0, born, "M") == "110101199005170016"
    assert allocator.number(0, born, "F") == "110101199005170008"
    assert allocator.number(1, born, "M") == "110101199005170032"
    assert (allocator.number(499, born, "M") or "")[14:17] == "999"
    assert (allocator.number(499, born, "F") or "")[14:17] == "998"


def test_cn18_sex_x_shares_the_configured_space() -> None:
    allocator = allocator_for(OfficePartition("cn-18", 0, "110101", SECRET))
    born = date(1990, 5, 17)
    assert allocator.counter_key(born, "X") == allocator.counter_key(born, "F") == "cn-18:110101:19900517:F"
    assert allocator.counter_key(born, "M") == "cn-18:110101:19900517:M"
    assert allocator.number(3, born, "X") == allocator.number(3, born, "F")


def test_cn18_capacity_and_exhaustion() -> None:
    allocator = allocator_for(OfficePartition("cn-18", 0, "110101", SECRET))
    born = date(1990, 5, 17)
    assert allocator.capacity(born, "M") == allocator.capacity(born, "X") == 500
    with pytest.raises(NumberExhaustedError, match="all 500 sequence numbers for men born on 1990-05-17"):
        allocator.number(500, born, "M")


def test_cn18_region_not_in_use_in_birth_year() -> None:
    """密云区 (110118) exists since 2015; stdnum rejects it for earlier births, so we cannot number them."""
    allocator = allocator_for(OfficePartition("cn-18", 0, "110118", SECRET))
    assert allocator.capacity(date(1990, 1, 1), "F") == 0
    assert allocator.capacity(date(2016, 1, 1), "F") == 500
    with pytest.raises(NumberExhaustedError, match=r"in use in 1990 \(in use: 110118 \(北京市密云区\) since 2015\)"):
        allocator.number(0, date(1990, 1, 1), "F")
    assert ric.is_valid(allocator.number(0, date(2016, 1, 1), "F") or "")


def test_cn18_office_with_predecessor_codes() -> None:
    """The office of 密云区 also holds 密云县 (110228, 1982-2015) and numbers people born then under it."""
    allocator = allocator_for(OfficePartition("cn-18", 0, "110118, 110228", SECRET))
    for born, code in [(date(1990, 1, 1), "110228"), (date(2015, 6, 1), "110118"), (date(2016, 1, 1), "110118")]:
        number = allocator.number(0, born, "F")
        assert number is not None and number.startswith(code) and ric.is_valid(number)
        assert allocator.counter_key(born, "F") == f"cn-18:{code}:{born:%Y%m%d}:F"
        assert validate("cn-18", number, today=TODAY).region == code
    assert allocator.capacity(date(1970, 1, 1), "M") == 0
    with pytest.raises(NumberExhaustedError, match="110228 \\(北京市密云县\\) from 1982 to 2015"):
        allocator.number(0, date(1970, 1, 1), "M")


@pytest.mark.parametrize(
    ("region", "message"),
    [
        (None, "needs its six-digit GB/T 2260 county code"),
        ("11010", "needs its six-digit GB/T 2260 county code"),
        ("999999", "not in the GB/T 2260 table"),
        ("110100", "is a province or prefecture"),
        ("110103", "no longer in use"),  # 崇文区, merged in 2010
        ("110228,110118", "no longer in use; list the office's current county code first"),
        ("110118,110118", "names a code twice"),
        ("110118,999999", "999999 is not in the GB/T 2260 table"),
    ],
)
def test_cn18_partition_errors(region: str | None, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as err:
        allocator_for(OfficePartition("cn-18", 0, region, SECRET))
    assert err.value.field == "region"


def test_ee11_frozen_vectors_blocks_and_exhaustion() -> None:
    allocator = allocator_for(OfficePartition("ee-11", 3, None, SECRET))
    born = date(1968, 5, 28)
    assert allocator.number(0, born, "M") == "36805281509"  # serial 150 = slot 3 * 50
    assert allocator.number(0, born, "F") == "46805281501"
    assert allocator.number(0, date(2004, 2, 29), "X") == "60402291502"
    assert allocator.counter_key(born, "X") == "ee-11:3:19680528:F"
    assert allocator.capacity(born, "M") == 50
    with pytest.raises(NumberExhaustedError, match="slot 3 has used all 50"):
        allocator.number(50, born, "M")
    with pytest.raises(ValidationError, match="1800–2199"):
        allocator.number(0, date(1799, 12, 31), "M")


@pytest.mark.parametrize(
    ("scheme", "slot", "secret", "field", "message"),
    [
        ("xx-1", 0, SECRET, "scheme", "not an ID-number scheme"),
        ("ee-11", 20, SECRET, "slot", "outside the ee-11 scheme's 20 slots"),
        ("uin-10", 200, SECRET, "slot", "outside the uin-10 scheme's 200 slots"),
        ("uin-10", -1, SECRET, "slot", "negative"),
        ("uin-10", 0, b"short", "secret", "must be 32 bytes"),
    ],
)
def test_partition_errors(scheme: str, slot: int, secret: bytes, field: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as err:
        allocator_for(OfficePartition(scheme, slot, None, secret))
    assert err.value.field == field


def test_bad_sex_and_negative_counter() -> None:
    allocator = allocator_for(OfficePartition("ee-11", 0, None, SECRET))
    with pytest.raises(ValidationError, match="not one of M, F or X") as err:
        allocator.number(0, date(1990, 1, 1), "Q")
    assert err.value.field == "sex"
    with pytest.raises(ValueError):
        allocator.number(-1, date(1990, 1, 1), "M")


# ------------------------------------------------------------------------------------------------- validate


def _uin_with_check(body: str) -> str:
    return body + verhoeff.calc_check_digit(body)


@pytest.mark.parametrize(
    ("scheme", "number", "message"),
    [
        ("cn-18", "", "is empty"),
        ("cn-18", "   ", "is empty"),
        ("cn-18", "11010119900517001", "has 17 characters, but cn-18 numbers have 18"),
        ("cn-18", "1101011990051700161", "has 19 characters"),
        ("cn-18", "11010119900517001A", "“A” at position 18"),
        ("cn-18", "1101011990X5170016", "“X” at position 11"),
        ("cn-18", "1101011990051700X", "has 17 characters"),
        ("cn-18", "11010119900517\u200b0016", r"invisible character U\+200B at position 15"),
        ("cn-18", "110101199002310018", r"characters 7–14, read as 1990-02-31\) is not a real date"),
        ("cn-18", "110101203005170016", r"\(2030-05-17\) is in the future"),
        ("cn-18", "999999199005170016", "region code 999999 .* is not in the GB/T 2260 table"),
        ("cn-18", "110118199005170016", r"110118 \(北京市密云区\) was not in use in 1990"),
        ("cn-18", "110101199005170017", "check character .* does not match"),
        ("ee-11", "96805280109", "first digit of the ID number is 9, but it must be 1–8"),
        ("ee-11", "36802300109", r"digits 2–7, read as 1968-02-30\) is not a real date"),
        ("ee-11", "36805280108", "check digit .* does not match"),
        ("ee-11", "3680528010", "has 10 characters, but ee-11 numbers have 11"),
        ("ee-11", "3680528O109", "“O” at position 8"),
        ("ee-11", "76805280109", r"\(2168-05-28\) is in the future"),
        ("uin-10", "1234567890", "starts with 1, but uin-10 numbers never start with 0 or 1"),
        ("uin-10", "9418405288", "check digit .* does not match"),
        ("uin-10", "7903324735", "contains “33”, a pattern no uin-10 number is issued with"),
        ("uin-10", "2503736083", "contains “373”"),
        ("uin-10", "4674901530", "contains “901”"),
        ("uin-10", "3490321782", "contains “321”"),
        ("uin-10", "2019468407", "contains “468”"),
        ("uin-10", "4317861423", "contains “786”"),
        ("uin-10", "6397392760", "contains “39739”"),
    ],
)
def test_validate_says_exactly_why(scheme: str, number: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as err:
        validate(scheme, number, today=TODAY)
    assert err.value.field == "id_number"
    sentence = str(err.value)
    assert sentence.endswith(".") and sentence.count(";") == 1  # what is wrong; what to do


def test_validate_never_reveals_the_expected_check_character() -> None:
    with pytest.raises(ValidationError) as err:
        validate("cn-18", "110101199005170017", today=TODAY)
    assert "6" not in str(err.value)


def test_validate_normalises_what_people_type() -> None:
    assert validate("cn-18", " 110101 19900517 0016 ", today=TODAY).number == "110101199005170016"
    assert validate("cn-18", "１１０１０１１９９００５１７００１６", today=TODAY).number == "110101199005170016"
    assert validate("uin-10", "9418-405-287").number == "9418405287"
    info = validate("ee-11", "36805280109", today=TODAY)
    assert (info.birth_date, info.sex, info.region) == (date(1968, 5, 28), "M", None)


def test_validate_accepts_lower_case_x() -> None:
    body = ""
    for seq in range(1000):
        body = f"11010119900517{seq:03d}"
        if ric.calc_check_digit(body + "0") == "X":
            break
    assert validate("cn-18", body + "x", today=TODAY).number == body + "X"


def test_validate_unknown_scheme() -> None:
    with pytest.raises(ValidationError, match="use one of cn-18, ee-11, uin-10") as err:
        validate("us-ssn", "123")
    assert err.value.field == "scheme"


# -------------------------------------------------------------------------------------------------- regions


def test_region_tables() -> None:
    assert region_name("cn-18", "110101") == "北京市东城区"
    assert region_name("cn-18", "130602") == "河北省保定市竞秀区"  # current name of a renamed code
    assert region_name("cn-18", "999999") is None
    assert is_known_region("cn-18", "110103")  # abolished in 2010, still a valid birthplace of older people
    assert not is_known_region("cn-18", "110103", year=2015)
    assert is_known_region("cn-18", "110103", year=1980)
    assert region_name("ee-11", "EE-37") == "Harjumaa"
    assert region_name("ee-11", "ee-79") == "Tartumaa"
    assert not is_known_region("ee-11", "EE-78")  # pre-2020 code of Tartumaa
    assert len(regions("ee-11")) == 15
    assert region_name("uin-10", "EST") == "Estonia"
    assert is_known_region("uin-10", "chn")
    assert not is_known_region("uin-10", "XYZ")
    assert len(regions("uin-10")) >= 249
    assert len(regions("cn-18")) > 6000
