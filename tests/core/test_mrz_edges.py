"""MRZ edges the mutation run found untested: which form field a refusal names, the exact field widths, short
document numbers, and the letters at the ends of the alphabet. Lines are checked by the `mrz` package."""

from __future__ import annotations

from datetime import date

import pytest
from mrz.checker.td1 import TD1CodeChecker

from console.core.errors import ValidationError
from console.core.mrz import icao_latin, mrz_name, td1_mrz

FIELDS: dict[str, object] = {
    "issuing_state": "UTO",
    "document_number": "D23145890",
    "birth_date": date(1974, 8, 12),
    "sex": "F",
    "expiry_date": date(2032, 4, 15),
    "nationality": "UTO",
    "primary_identifier": "ERIKSSON",
    "secondary_identifier": "ANNA MARIA",
}


def _td1(**changes: object) -> tuple[str, str, str]:
    return td1_mrz(**{**FIELDS, **changes})  # type: ignore[arg-type]


def _checked(lines: tuple[str, str, str]) -> tuple[str, str, str]:
    assert bool(TD1CodeChecker("\n".join(lines))), lines
    return lines


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"document_code": "I!"}, "document_code"),
        ({"document_code": "IDX"}, "document_code"),
        ({"issuing_state": "U1O"}, "country"),
        ({"nationality": "U1O"}, "nationality"),
        ({"document_number": "D2314589!"}, "document_number"),
        ({"document_number": "A" * 24}, "document_number"),
        ({"document_number": ""}, "document_number"),
        ({"optional_data": "X" * 16}, "optional_data"),
        ({"optional_data_2": "X" * 12}, "optional_data"),
        ({"sex": "Q"}, "sex"),
        ({"primary_identifier": "", "secondary_identifier": ""}, "latin_family"),
        ({"primary_identifier": "Eriksson1"}, "latin_family"),
        ({"secondary_identifier": "Anna2"}, "latin_given"),
    ],
)
def test_refusals_name_their_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        _td1(**changes)
    assert info.value.field == field
    assert len(str(info.value)) > 20 and str(info.value).endswith(".") and "None" not in str(info.value)


def test_fields_at_their_exact_width_are_accepted() -> None:
    lines = _checked(_td1(optional_data="X" * 15, optional_data_2="Y" * 11))
    assert lines[0][15:30] == "X" * 15 and lines[1][18:29] == "Y" * 11
    assert _td1(document_code="AB")[0][:2] == "AB"


@pytest.mark.parametrize("number", ["D1", "12345", "AB12345C"])
def test_short_document_numbers_are_filled_on_the_right(number: str) -> None:
    line1 = _checked(_td1(document_number=number))[0]
    assert line1[5:14] == number.ljust(9, "<")


def test_letters_at_the_ends_of_the_alphabet() -> None:
    assert icao_latin("Zaza Azzam") == "ZAZA<AZZAM"
    assert icao_latin("Ångström Øz") == "AANGSTROEM<OEZ"
    assert mrz_name("Zed", "Abe") == "ZED<<ABE".ljust(30, "<")
    assert icao_latin("ıZ") == "IZ"  # dotless i has no upper case of its own in the MRZ: I


def test_long_names_are_truncated_as_doc_9303_asks() -> None:
    assert len(mrz_name("A" * 40, "B")) == 30
    assert mrz_name("A" * 40, "BOB") == "A" * 27 + "<<B"
    assert mrz_name("A" * 40, "") == "A" * 30
    cut = mrz_name("VANDERSTEEN", "MARIANNA LOUISE ELISABETH")
    assert len(cut) == 30 and cut[-1] != "<" and cut.startswith("VANDERSTEEN<<MARIANNA<LOUISE<")


# --- written after the second mutation run (docs/testing.md): sentences, punctuation, decompositions ---------


def test_a_character_outside_the_mrz_set_is_a_programming_error_with_its_name() -> None:
    from console.core.mrz import check_digit

    with pytest.raises(ValueError, match=r"^'a' is not an MRZ character$"):
        check_digit("A1a")


@pytest.mark.parametrize("name", ["O_Brien", "Anne^Marie", "Ｘ＿Ｙ", "Jo[h]n"])
def test_symbols_between_z_and_lower_a_are_refused_with_the_sentence(name: str) -> None:
    with pytest.raises(ValidationError) as info:
        icao_latin(name)
    symbol = next(ch for ch in name if ch in "_^＿[")
    assert info.value.field == "name"  # the default: callers that know the form field pass it
    assert str(info.value) == (
        f"The Latin form of the name contains {symbol!r}, which has no ICAO 9303 Latin equivalent; "
        "enter the name's transliteration in Latin letters (A-Z)."
    )


def test_accented_first_and_last_letters_and_letter_pairs() -> None:
    assert icao_latin("Ángel Źeta Ŷves") == "ANGEL<ZETA<YVES"  # NFKD base letters at both ends of A-Z
    assert icao_latin("Ǳemal") == "DZEMAL"  # one character, two letters
    assert icao_latin("-Anna-Lena,") == "ANNA<LENA"  # no filler at either end


def test_a_name_with_no_latin_form_says_so() -> None:
    with pytest.raises(ValidationError) as info:
        mrz_name("", "")
    assert (info.value.field, str(info.value)) == ("latin_family", "The name has no Latin form for the MRZ; enter one.")


def test_a_mononym_one_short_of_the_line_is_filled() -> None:
    assert mrz_name("A" * 29, "") == "A" * 29 + "<"
    assert mrz_name("", "B" * 29) == "B" * 29 + "<"


def test_a_cut_after_a_lone_initial_drops_the_rest() -> None:
    # "SMITH<<" + 20 letters + "<B<CDE": the cut at 30 falls after the lone initial B
    assert mrz_name("Smith", "A" * 20 + " B CDE") == "SMITH<<" + "A" * 20 + "<B<"


@pytest.mark.parametrize(
    ("changes", "field", "sentence"),
    [
        (
            {"document_number": "A" * 24},
            "document_number",
            f"{'A' * 24!r} is longer than the 23 MRZ positions for it.",
        ),
        (
            {"document_number": "A" * 23},
            "document_number",
            f"The document number {'A' * 23} and the optional data do not fit the 30-character MRZ line; use a "
            "document number of at most 9 characters.",
        ),
        ({"document_number": " "}, "document_number", "The card has no document number; it is required in the MRZ."),
        ({"sex": "q"}, "sex", "Sex must be F, M or X, not 'q'."),
        (
            {"nationality": "U1O"},
            "nationality",
            "'U1O' is not a three-letter country code (ISO 3166-1 alpha-3, e.g. EST, or UTO).",
        ),
        (
            {"optional_data": "x-1"},
            "optional_data",
            "'X-1' cannot be written in the MRZ: only the letters A-Z, digits and '<' are allowed.",
        ),
    ],
)
def test_refusals_say_what_to_do(changes: dict[str, object], field: str, sentence: str) -> None:
    with pytest.raises(ValidationError) as info:
        _td1(**changes)
    assert (info.value.field, str(info.value)) == (field, sentence)


def test_one_letter_country_codes_are_filled_on_the_right() -> None:
    line1, line2, _ = _td1(issuing_state="D", nationality="d")  # Germany: "D<<" in Doc 9303
    assert line1[2:5] == "D<<" and line2[15:18] == "D<<"
