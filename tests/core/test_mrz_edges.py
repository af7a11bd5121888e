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
