"""`register --latin-family-name/--latin-given-name` and the import columns: names in every script register."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import ADMIN_PW, CLERK_PW, office_dir, one_line_error, register_cmd, run

__all__ = ["office_dir"]  # the fixture, imported for pytest


def _add_clerk(office: Path) -> None:
    added = run(
        office,
        *("user", "add", "--as", "admin", "--username", "clara", "--role", "clerk", "--full-name", "Clara Clerk"),
        password=ADMIN_PW,
        new_password=CLERK_PW,
    )
    assert added.returncode == 0, added.stderr


def test_a_name_without_automatic_latin_form_registers_with_the_options(office_dir: Path) -> None:
    _add_clerk(office_dir)
    refused = run(office_dir, *register_cmd("אברהם", "Sara", "1981-03-04", "F", "ISR"), password=CLERK_PW)
    assert refused.returncode == 2
    line = one_line_error(refused)
    assert "“א” (U+05D0) in the family name" in line and "--latin-family-name" in line

    done = run(
        office_dir,
        *register_cmd("אברהם", "Sara", "1981-03-04", "F", "ISR"),
        *("--latin-family-name", "Avraham", "--json"),
        password=CLERK_PW,
    )
    assert done.returncode == 0, done.stderr
    number = json.loads(done.stdout)["id_number"]
    shown = json.loads(run(office_dir, "show", "--as", "clara", number, "--json", password=CLERK_PW).stdout)
    assert (shown["family_name"], shown["latin_family"], shown["latin_given"]) == ("אברהם", "AVRAHAM", "SARA")


def test_the_options_override_the_automatic_form_and_are_checked(office_dir: Path) -> None:
    _add_clerk(office_dir)
    done = run(
        office_dir,
        *register_cmd("علي", "حسن", "1975-06-07", "M", "EGY"),
        *("--latin-family-name", "Ali", "--latin-given-name", "hasan", "--json"),
        password=CLERK_PW,
    )
    assert done.returncode == 0, done.stderr
    number = json.loads(done.stdout)["id_number"]
    shown = json.loads(run(office_dir, "show", "--as", "clara", number, "--json", password=CLERK_PW).stdout)
    assert (shown["latin_family"], shown["latin_given"]) == ("ALI", "HASAN")

    bad = run(
        office_dir,
        *register_cmd("علي", "حسن", "1975-06-08", "M", "EGY"),
        *("--latin-given-name", "Ḥasan"),
        password=CLERK_PW,
    )
    assert bad.returncode == 2
    assert "The Latin given names has “Ḥ” at position 1" in one_line_error(bad)


def test_import_reads_the_latin_columns(office_dir: Path, tmp_path: Path) -> None:
    _add_clerk(office_dir)
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "family_name,given_name,birth_date,sex,birthplace,latin_family_name,latin_given_name\n"
        "אברהם,Sara,1981-03-04,F,ISR,Avraham,\n"
        "علي,حسن,1975-06-07,M,EGY,,\n"
        "אורי,Dan,1990-01-02,M,ISR,,\n",
        encoding="utf-8",
    )
    result = run(office_dir, "import", "--as", "clara", str(csv_file), "--json", password=CLERK_PW)
    assert result.returncode == 1  # one row refused
    data = json.loads(result.stdout)
    assert len(data["registered"]) == 2
    [error] = data["errors"]
    assert error["row"] == 4 and error["field"] == "latin-family-name"
    assert "latin_family_name" in error["error"]  # names the import column to fill
