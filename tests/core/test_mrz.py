"""TD1 MRZ lines: layout, check digits and name rules, checked against the `mrz` package's TD1 checker."""

from __future__ import annotations

from datetime import date

import pytest
from mrz.checker.td1 import TD1CodeChecker

from console.core.errors import ValidationError
from console.core.mrz import check_digit, icao_latin, mrz_name, td1_mrz


def _lines(**overrides: object) -> tuple[str, str, str]:
    fields: dict[str, object] = {
        "issuing_state": "UTO",
        "document_number": "D23145890",
        "birth_date": date(1974, 8, 12),
        "sex": "F",
        "expiry_date": date(2012, 4, 15),
        "nationality": "UTO",
        "primary_identifier": "ERIKSSON",
        "secondary_identifier": "ANNA MARIA",
    }
    fields.update(overrides)
    return td1_mrz(**fields)  # type: ignore[arg-type]


def _independent_check(lines: tuple[str, str, str]) -> None:
    assert all(len(line) == 30 for line in lines), lines
    checker = TD1CodeChecker("\n".join(lines))
    assert bool(checker), (lines, checker.report)


def test_icao_specimen_reproduced_exactly() -> None:
    """Doc 9303 Part 5's TD1 specimen (document code "I")."""
    assert _lines(document_code="I") == (
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    )


def test_check_digits() -> None:
    assert check_digit("D23145890") == "7"
    assert check_digit("740812") == "2"
    assert check_digit("120415") == "9"
    assert check_digit("L898902C<") == "3"
    with pytest.raises(ValueError):
        check_digit("abc")


@pytest.mark.parametrize(
    ("family", "given", "line3"),
    [
        ("ZHANG", "WEI", "ZHANG<<WEI<<<<<<<<<<<<<<<<<<<<"),
        ("KIM", "MINJUN", "KIM<<MINJUN<<<<<<<<<<<<<<<<<<<"),
        ("IVANOVA", "ANNA", "IVANOVA<<ANNA<<<<<<<<<<<<<<<<<"),
        ("Åberg", "Søren", "AABERG<<SOEREN<<<<<<<<<<<<<<<<"),
        ("Õunapuu", "Ärni", "OUNAPUU<<AERNI<<<<<<<<<<<<<<<<"),
        ("O'Connor", "Mary-Ann", "OCONNOR<<MARY<ANN<<<<<<<<<<<<<"),
        ("Weiß", "Jürgen", "WEISS<<JUERGEN<<<<<<<<<<<<<<<<"),
        # too long: cut from the end, the last position a letter
        ("MÜLLER-LÜDENSCHEIDT", "Hans-Jürgen Maximilian", "MUELLER<LUEDENSCHEIDT<<HANS<JU"),
        ("NILAVADHANANANDA", "CHAYAPA DEJTHAMRONG KRASUANG", "NILAVADHANANANDA<<CHAYAPA<DEJT"),
        # the cut falls on a separator: the next component's initial takes the last position
        ("SMITHSONIANXY", "ABCDEFGHIJKLMN OPQ", "SMITHSONIANXY<<ABCDEFGHIJKLM<O"),
        # primary identifier too long: keep "<<" and the first initial
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF", "JOHN", "ABCDEFGHIJKLMNOPQRSTUVWXYZA<<J"),
    ],
)
def test_names(family: str, given: str, line3: str) -> None:
    lines = _lines(primary_identifier=family, secondary_identifier=given)
    assert lines[2] == line3
    _independent_check(lines)


def test_mononym_is_the_primary_identifier() -> None:
    assert mrz_name("", "SUKARNO") == "SUKARNO".ljust(30, "<")


def test_unspecified_sex_is_filler() -> None:
    lines = _lines(sex="X")
    assert lines[1][7] == "<"
    _independent_check(lines)


def test_optional_data_and_composite() -> None:
    lines = _lines(document_number="X7K2M9Q4P", optional_data="38601010000", optional_data_2="AB12")
    assert lines[0][15:30] == "38601010000<<<<"
    assert lines[1][18:29] == "AB12<<<<<<<"
    _independent_check(lines)


def test_long_document_number_extension() -> None:
    """Part 5: numbers over nine characters continue in the optional data after a filler."""
    lines = _lines(
        document_number="1234567890",
        birth_date=date(1986, 1, 1),
        sex="M",
        expiry_date=date(2030, 1, 1),
        primary_identifier="SPECIMEN",
        secondary_identifier="JANE",
    )
    assert lines[:2] == ("IDUTO123456789<07<<<<<<<<<<<<<", "8601012M3001019UTO<<<<<<<<<<<6")


def test_latin_form_refuses_other_scripts() -> None:
    with pytest.raises(ValidationError) as err:
        icao_latin("Иванова", field="latin_family")
    assert err.value.field == "latin_family"
    assert "A-Z" in str(err.value)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sex": "Q"}, "sex"),
        ({"issuing_state": "Utopia"}, "country"),
        ({"document_number": "AB-12"}, "document_number"),
        ({"document_number": ""}, "document_number"),
        ({"document_number": "1234567890123", "optional_data": "ABCDEFGHIJ"}, "document_number"),
    ],
)
def test_bad_fields(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        _lines(**overrides)
    assert err.value.field == field
