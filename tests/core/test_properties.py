"""Properties where bugs hide: uin-10 validation against independent references, MRZ lines with no filler.

uin-10: python-stdnum's Verhoeff is the reference for the check digit; MOSIP's published UIN validation rules
(kernel-idvalidator `UinValidatorImpl` with MOSIP's default configuration) are implemented here, in the test,
independently of console/core/coding.py. The properties hold whether the scheme's pattern filters are MOSIP's
or stricter.

MRZ: every field filled to its last position with random characters, so that a check digit computed over
one character too few (or too many) changes the line; the `mrz` package's TD1 checker is the reference.
"""

from __future__ import annotations

import re
import string
from datetime import date

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from mrz.checker.td1 import TD1CodeChecker
from stdnum import verhoeff

from console.core.coding import validate
from console.core.errors import ValidationError
from console.core.mrz import td1_mrz

# --------------------------------------------------------------------------------------------- MOSIP's rules

#: MOSIP's defaults (mosip-config application-default.properties): mosip.kernel.uin.length=10,
#: .length.sequence-limit=3, .length.repeating-limit=2, .length.repeating-block-limit=2.
MOSIP_UIN_LENGTH = 10
MOSIP_SEQUENCE_LIMIT = 3
MOSIP_REPEATING_LIMIT = 2
MOSIP_REPEATING_BLOCK_LIMIT = 2
_ASC = "0123456789"
_DESC = "9876543210"


def mosip_uin_is_valid(uin: str) -> bool:
    """MOSIP's UinValidatorImpl.validateId, rule by rule (True where MOSIP would not throw)."""
    if len(uin) != MOSIP_UIN_LENGTH or not re.fullmatch(rf"\d{{{MOSIP_UIN_LENGTH}}}", uin):
        return False
    if uin[0] in "01":  # "should not contain '0' or '1' as the first digit"
        return False
    # sequenceFilter: no run of `limit` ascending or descending digits
    for i in range(len(uin) - MOSIP_SEQUENCE_LIMIT + 1):
        piece = uin[i : i + MOSIP_SEQUENCE_LIMIT]
        if piece in _ASC or piece in _DESC:
            return False
    # repeating digits: (\d)\d{0,limit-1}\1, i.e. 11 and 1x1
    if re.search(rf"(\d)\d{{0,{MOSIP_REPEATING_LIMIT - 1}}}\1", uin):
        return False
    # repeating blocks: (\d{limit,}).*?\1, e.g. 48xx48
    if re.search(rf"(\d{{{MOSIP_REPEATING_BLOCK_LIMIT},}}).*?\1", uin):
        return False
    return verhoeff.is_valid(uin)  # ChecksumUtils.validateChecksum: Verhoeff


def test_mosip_helper_on_known_numbers() -> None:
    """The helper itself bites: MOSIP's README example shape, and one number per rule that it must refuse."""
    good = "2" + "9473058"
    good = good + "6"
    good += verhoeff.calc_check_digit(good)
    assert mosip_uin_is_valid(good), good
    for bad in ("1947305862", "0947305862", "2123058647", "2947705862", "2949305862", "2947294786"):
        body = bad[:9]
        assert not mosip_uin_is_valid(body + verhoeff.calc_check_digit(body)), bad
    assert not mosip_uin_is_valid(good[:9] + str((int(good[9]) + 1) % 10))


def _refusal(number: str) -> str | None:
    """None when uin-10 validation accepts `number`, else its refusal sentence."""
    try:
        info = validate("uin-10", number)
    except ValidationError as err:
        assert err.field, number  # a refusal names its field
        return str(err)
    assert info.number == number
    return None


def _ours_accepts(number: str) -> bool:
    return _refusal(number) is None


# ---------------------------------------------------------------------------------------- uin-10 validation


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_uin10_accepts_only_verhoeff_numbers_not_starting_0_or_1(digits: str) -> None:
    if _ours_accepts(digits):
        assert verhoeff.is_valid(digits) and digits[0] not in "01", digits


@settings(max_examples=500, deadline=None)
@given(body=st.text(alphabet="0123456789", min_size=9, max_size=9), check=st.sampled_from("0123456789"))
def test_uin10_check_digit_is_stdnum_verhoeff(body: str, check: str) -> None:
    """Any body with any last digit: accepted only when the digit is Verhoeff's (a wrong digit is refused)."""
    number = body + check
    if check != verhoeff.calc_check_digit(body) or body[0] in "01":
        assert not _ours_accepts(number), number


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_uin10_never_refuses_a_mosip_valid_number_for_its_check_digit_or_shape(body: str) -> None:
    """A MOSIP-valid number is accepted, or refused only for a mistyping-prone pattern of the scheme's own
    (docs/coding-rules.md: e.g. 098, a sequence across 9-0, and the restricted substrings): never for its
    check digit, length or first digit."""
    number = body + verhoeff.calc_check_digit(body)
    assume(mosip_uin_is_valid(number))
    refusal = _refusal(number)
    assert refusal is None or "pattern" in refusal, (number, refusal)


@settings(max_examples=300, deadline=None)
@given(
    body=st.text(alphabet="0123456789", min_size=9, max_size=9),
    position=st.integers(0, 9),
    delta=st.integers(1, 9),
)
def test_uin10_refuses_every_single_digit_typo(body: str, position: int, delta: int) -> None:
    number = body + verhoeff.calc_check_digit(body)
    typo = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not verhoeff.is_valid(typo)
    assert not _ours_accepts(typo), (number, typo)


@settings(max_examples=300, deadline=None)
@given(body=st.text(alphabet="0123456789", min_size=9, max_size=9), position=st.integers(0, 8))
def test_uin10_refuses_every_adjacent_transposition(body: str, position: int) -> None:
    number = body + verhoeff.calc_check_digit(body)
    assume(number[position] != number[position + 1])
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    assert not _ours_accepts(swapped), (number, swapped)


def test_uin10_refuses_wrong_shapes() -> None:
    for text in ("294730586", "29473058621", "29473O5862", "", "2947-305862"):
        assert not _ours_accepts(text), text


# ---------------------------------------------------------------------------------------------------- MRZ

_ALNUM = string.ascii_uppercase + string.digits
_COUNTRIES = ["UTO", "EST", "CHN", "FRA", "KEN", "IND", "PHL"]  # Germany is D<< in an MRZ, not DEU


def _full(width: int, alphabet: str = _ALNUM) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=width, max_size=width)


@settings(max_examples=300, deadline=None)
@given(
    document_number=_full(9),
    optional_data=_full(15),
    optional_data_2=_full(11),
    # the mrz package reads YY >= 69 as 19YY: dates it reads back as they were meant
    birth=st.dates(min_value=date(1969, 1, 1), max_value=date(2026, 12, 31)),
    expiry=st.dates(min_value=date(2027, 1, 1), max_value=date(2068, 12, 31)),
    sex=st.sampled_from("FM"),
    state=st.sampled_from(_COUNTRIES),
    nationality=st.sampled_from(_COUNTRIES),
    primary=_full(14, string.ascii_uppercase),
    secondary=_full(14, string.ascii_uppercase),
)
def test_td1_with_every_position_filled_passes_the_mrz_checker(
    document_number: str,
    optional_data: str,
    optional_data_2: str,
    birth: date,
    expiry: date,
    sex: str,
    state: str,
    nationality: str,
    primary: str,
    secondary: str,
) -> None:
    lines = td1_mrz(
        issuing_state=state,
        document_number=document_number,
        birth_date=birth,
        sex=sex,
        expiry_date=expiry,
        nationality=nationality,
        primary_identifier=primary,
        secondary_identifier=secondary,
        optional_data=optional_data,
        optional_data_2=optional_data_2,
    )
    assert [len(line) for line in lines] == [30, 30, 30]
    assert lines[0][5:14] == document_number and lines[0][15:30] == optional_data
    assert lines[1][18:29] == optional_data_2
    assert "<" not in lines[0][2:] and "<" not in lines[1]  # nothing left to filler: every digit is exercised
    checker = TD1CodeChecker("\n".join(lines))
    assert bool(checker), (lines, checker.report)
