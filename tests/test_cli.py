"""The command line end to end, through real subprocesses: exit codes, one-line errors, --json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ADMIN_PW = "amber-tulip-4711"
CLERK_PW = "cedar-river-2718"


def run(
    data_dir: Path,
    *args: str,
    password: str | None = None,
    new_password: str | None = None,
    stdin: int | None = subprocess.DEVNULL,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ID_CONSOLE_")}
    env["ID_CONSOLE_KDF"] = "min"
    env["ID_CONSOLE_ALLOW_WEAK_KDF"] = "1"
    if password is not None:
        env["ID_CONSOLE_PASSWORD"] = password
    if new_password is not None:
        env["ID_CONSOLE_NEW_PASSWORD"] = new_password
    return subprocess.run(
        [sys.executable, "-m", "console.cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=stdin,
        timeout=60,
    )


def init(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run(
        data_dir,
        "init",
        "--authority-name",
        "Utopia Identity Authority",
        "--authority-domain",
        "ids.utopia.example",
        "--office-code",
        "HQ-01",
        "--office-name",
        "Central Office",
        "--scheme",
        "uin-10",
        "--admin",
        "admin",
        "--json",
        password=ADMIN_PW,
    )


def register_cmd(family: str, given: str, born: str, sex: str, place: str) -> list[str]:
    """The arguments of `register` by the clerk clara."""
    return [
        "register",
        "--as",
        "clara",
        "--family-name",
        family,
        "--given-name",
        given,
        "--birth-date",
        born,
        "--sex",
        sex,
        "--birthplace",
        place,
    ]


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture
def office_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "office"
    result = init(folder)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["office"] == "HQ-01"
    return folder


def test_init_whoami_user_add_list(office_dir: Path) -> None:
    who = run(office_dir, "whoami", "--as", "admin", "--json", password=ADMIN_PW)
    assert who.returncode == 0, who.stderr
    assert json.loads(who.stdout)["role"] == "administrator"
    added = run(
        office_dir,
        "user",
        "add",
        "--as",
        "admin",
        "--username",
        "clara",
        "--role",
        "clerk",
        "--full-name",
        "Clara Clerk",
        "--json",
        password=ADMIN_PW,
        new_password=CLERK_PW,
    )
    assert added.returncode == 0, added.stderr
    listed = run(office_dir, "user", "list", "--as", "admin", "--json", password=ADMIN_PW)
    assert {u["username"]: u["role"] for u in json.loads(listed.stdout)} == {"admin": "administrator", "clara": "clerk"}
    clerk_who = run(office_dir, "whoami", "--as", "clara", password=CLERK_PW)
    assert clerk_who.returncode == 0 and "clerk" in clerk_who.stdout


def test_clerk_cannot_manage_officers(office_dir: Path) -> None:
    run(
        office_dir,
        "user",
        "add",
        "--as",
        "admin",
        "--username",
        "clara",
        "--role",
        "clerk",
        "--full-name",
        "C",
        password=ADMIN_PW,
        new_password=CLERK_PW,
    )
    refused = run(office_dir, "user", "list", "--as", "clara", password=CLERK_PW)
    assert refused.returncode == 3
    assert "clerk may not" in one_line_error(refused)


def test_wrong_password_unknown_user_and_lockout(office_dir: Path) -> None:
    wrong = run(office_dir, "whoami", "--as", "admin", password="not-the-password")
    assert wrong.returncode == 4 and "Wrong password" in one_line_error(wrong)
    unknown = run(office_dir, "whoami", "--as", "ghost", password="whatever-pass")
    # issue 12: an unknown user gets the wrong-password answer (no list of officers for a guesser)
    assert unknown.returncode == 4 and "Wrong password for 'ghost'" in one_line_error(unknown)
    for _ in range(4):
        run(office_dir, "whoami", "--as", "admin", password="not-the-password")
    locked = run(office_dir, "whoami", "--as", "admin", password=ADMIN_PW)
    assert "locked" in one_line_error(locked)


def test_no_password_and_no_terminal_fails_at_once(office_dir: Path) -> None:
    result = run(office_dir, "whoami", "--as", "admin")  # stdin is /dev/null, no env password
    assert result.returncode == 2
    assert "ID_CONSOLE_PASSWORD" in one_line_error(result)


def test_init_twice_refused(office_dir: Path) -> None:
    before = (office_dir / "office.db").read_bytes()
    again = init(office_dir)
    assert again.returncode == 6 and "already set up" in one_line_error(again)
    assert (office_dir / "office.db").read_bytes() == before


def test_unwritable_data_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    result = init(blocker / "office")
    assert result.returncode == 7 and "Cannot create the folder" in one_line_error(result)


def test_corrupt_keystore_and_database(office_dir: Path) -> None:
    keystore = office_dir / "keys" / "officers" / "admin.keystore"
    keystore.write_bytes(keystore.read_bytes()[:40])
    broken = run(office_dir, "whoami", "--as", "admin", password=ADMIN_PW)
    assert broken.returncode == 7 and "admin.keystore" in one_line_error(broken)
    (office_dir / "office.db").write_bytes(b"garbage" * 1000)
    broken_db = run(office_dir, "whoami", "--as", "admin", password=ADMIN_PW)
    assert "office.db" in one_line_error(broken_db)


def test_missing_office(tmp_path: Path) -> None:
    result = run(tmp_path, "whoami", "--as", "admin", password=ADMIN_PW)
    assert "No office is set up" in one_line_error(result)


def test_bad_init_field(tmp_path: Path) -> None:
    result = run(
        tmp_path / "o",
        "init",
        "--authority-name",
        "A",
        "--authority-domain",
        "nodomain",
        "--office-code",
        "HQ",
        "--office-name",
        "C",
        "--scheme",
        "ee-11",
        "--admin",
        "admin",
        password=ADMIN_PW,
    )
    assert result.returncode == 2 and "domain" in one_line_error(result)
    assert not (tmp_path / "o").exists()


def _staff(office_dir: Path) -> None:
    for user, role, pw in (("clara", "clerk", CLERK_PW), ("sam", "supervisor", "silver-harbor-1618")):
        result = run(
            office_dir,
            "user",
            "add",
            "--as",
            "admin",
            "--username",
            user,
            "--role",
            role,
            "--full-name",
            user.title(),
            password=ADMIN_PW,
            new_password=pw,
        )
        assert result.returncode == 0, result.stderr


def test_register_issue_verify_revoke(office_dir: Path, tmp_path: Path) -> None:
    _staff(office_dir)
    reg = run(
        office_dir,
        *register_cmd("김", "민준", "1988-08-08", "M", "KOR"),
        "--json",
        password=CLERK_PW,
    )
    assert reg.returncode == 0, reg.stderr
    registered = json.loads(reg.stdout)
    assert registered["status"] == "registered"
    number = registered["id_number"]
    plain = run(office_dir, "validate-id", number)
    assert plain.returncode == 0 and "valid" in plain.stdout
    shown = json.loads(run(office_dir, "show", "--as", "clara", number, "--json", password=CLERK_PW).stdout)
    assert shown["latin_family"] == "KIM"
    found = json.loads(run(office_dir, "search", "--as", "clara", "kim", "--json", password=CLERK_PW).stdout)
    assert [f["id_number"] for f in found] == [number]

    issued = json.loads(run(office_dir, "issue", "--as", "clara", number, "--json", password=CLERK_PW).stdout)
    assert {"credential_id", "qr", "expires"} <= issued.keys()
    ok = run(office_dir, "verify", issued["qr"], "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["status"] == "valid"

    trust = tmp_path / "trust.json"
    assert run(office_dir, "trust", "export", "--out", str(trust)).returncode == 0
    keys = json.loads(trust.read_text())["keys"]
    assert keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519"
    offline = run(tmp_path / "elsewhere", "verify", "--trust", str(trust), issued["qr"], "--json")
    offline_verdict = json.loads(offline.stdout)
    assert offline.returncode == 0 and offline_verdict["status_checked"] is False

    req = json.loads(
        run(office_dir, "revoke", "--as", "clara", number, "--reason", "stolen", "--json", password=CLERK_PW).stdout
    )
    own = run(office_dir, "approve", "--as", "clara", str(req["request_id"]), password=CLERK_PW)
    assert own.returncode == 3
    approved = run(office_dir, "approve", "--as", "sam", str(req["request_id"]), password="silver-harbor-1618")
    assert approved.returncode == 0, approved.stderr
    revoked = run(office_dir, "verify", issued["qr"], "--json")
    assert revoked.returncode == 1 and json.loads(revoked.stdout)["status"] == "revoked"
    listed = json.loads(run(office_dir, "requests", "--as", "sam", "--json", password="silver-harbor-1618").stdout)
    assert listed[0]["status"] == "approved" and listed[0]["decided_by"] == "sam"


def test_register_bad_input(office_dir: Path) -> None:
    _staff(office_dir)
    bad = run(
        office_dir,
        *register_cmd("Tamm", "Mari", "2999-01-01", "F", "EST"),
        password=CLERK_PW,
    )
    assert bad.returncode == 2 and "future" in one_line_error(bad)
    listed = run(office_dir, "search", "--as", "clara", "tamm", "--json", password=CLERK_PW)
    assert json.loads(listed.stdout) == []


def test_validate_id_reasons(tmp_path: Path) -> None:
    bad = run(tmp_path, "validate-id", "11010519491231002Y", "--scheme", "cn-18", "--json")
    assert bad.returncode == 1
    verdict = json.loads(bad.stdout)
    assert verdict["valid"] is False and verdict["reason"]
    good = run(tmp_path, "validate-id", "11010519491231002X", "--scheme", "cn-18", "--json")
    assert good.returncode == 0 and json.loads(good.stdout)["birth_date"] == "1949-12-31"
    no_scheme = run(tmp_path, "validate-id", "123")
    assert "--scheme" in one_line_error(no_scheme)


def test_verify_garbage(office_dir: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x89PNG not really")
    for args in (["NOT-A-CREDENTIAL"], ["--image", str(junk)], ["--pdf", str(junk)], ["hello world lower"]):
        result = run(office_dir, "verify", *args, "--json")
        assert result.returncode == 1, args
        assert json.loads(result.stdout)["valid"] is False
        assert "Traceback" not in result.stderr


def test_card_pdf_verifies(office_dir: Path, tmp_path: Path) -> None:
    _staff(office_dir)
    number = json.loads(
        run(
            office_dir,
            *register_cmd("Õunapuu", "Mari-Liis", "1992-02-29", "F", "EST"),
            "--json",
            password=CLERK_PW,
        ).stdout
    )["id_number"]
    no_card = run(office_dir, "card", "--as", "clara", number, "--out", str(tmp_path / "none.pdf"), password=CLERK_PW)
    assert no_card.returncode == 5 and "credential" in one_line_error(no_card)
    assert not (tmp_path / "none.pdf").exists()
    run(office_dir, "issue", "--as", "clara", number, password=CLERK_PW)
    out = tmp_path / "card.pdf"
    made = run(
        office_dir,
        "card",
        "--as",
        "clara",
        number,
        "--out",
        str(out),
        "--sheet",
        "a4",
        "--back",
        "--json",
        password=CLERK_PW,
    )
    assert made.returncode == 0, made.stderr
    assert out.read_bytes().startswith(b"%PDF")
    checked = run(office_dir, "verify", "--pdf", str(out), "--json")
    assert checked.returncode == 0, checked.stdout
    assert json.loads(checked.stdout)["claims"]["id_number"] == number


def test_verify_a_scanned_card_image(office_dir: Path, tmp_path: Path) -> None:
    import pypdfium2

    _staff(office_dir)
    number = json.loads(
        run(
            office_dir,
            *register_cmd("Иванова", "Анна", "1975-03-09", "F", "RUS"),
            "--json",
            password=CLERK_PW,
        ).stdout
    )["id_number"]
    run(office_dir, "issue", "--as", "clara", number, password=CLERK_PW)
    pdf = tmp_path / "card.pdf"
    run(office_dir, "card", "--as", "clara", number, "--out", str(pdf), password=CLERK_PW)
    # a "scan": the card rendered at 200 dpi, rotated a little and saved as JPEG
    image = pypdfium2.PdfDocument(pdf.read_bytes())[0].render(scale=200 / 72, fill_color=(255, 255, 255, 255))
    scan = tmp_path / "scan.jpg"
    image.to_pil().convert("RGB").rotate(4, expand=True, fillcolor="white").save(scan, quality=85)
    checked = run(office_dir, "verify", "--image", str(scan), "--json")
    assert checked.returncode == 0, checked.stdout
    verdict = json.loads(checked.stdout)
    assert verdict["status"] == "valid" and verdict["claims"]["full_name"] == "ANNA IVANOVA"


def test_endless_or_misplaced_files(office_dir: Path, tmp_path: Path) -> None:
    _staff(office_dir)
    endless = run(
        office_dir,
        *register_cmd("Tamm", "Mari", "1990-01-30", "F", "EST"),
        "--photo",
        "/dev/zero",
        password=CLERK_PW,
    )
    assert endless.returncode == 2 and "larger than" in one_line_error(endless)
    scan = run(office_dir, "verify", "--image", "/dev/zero", "--json")
    assert scan.returncode == 1 and json.loads(scan.stdout)["status"] == "malformed"
    number = json.loads(
        run(
            office_dir,
            *register_cmd("Tamm", "Mari", "1990-01-30", "F", "EST"),
            "--json",
            password=CLERK_PW,
        ).stdout
    )["id_number"]
    run(office_dir, "issue", "--as", "clara", number, password=CLERK_PW)
    db_before = (office_dir / "office.db").read_bytes()
    into_data = run(
        office_dir, "card", "--as", "clara", number, "--out", str(office_dir / "office.db"), password=CLERK_PW
    )
    assert into_data.returncode == 2 and "data directory" in one_line_error(into_data)
    assert (office_dir / "office.db").read_bytes()[:16] == db_before[:16]
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear citizen, …")
    over = run(office_dir, "card", "--as", "clara", number, "--out", str(letter), password=CLERK_PW)
    assert over.returncode == 2 and "not a PDF" in one_line_error(over)
    assert letter.read_text() == "Dear citizen, …"
    trust = run(office_dir, "trust", "export", "--out", str(office_dir / "keys" / "officers" / "clara.keystore"))
    assert trust.returncode == 2


def test_import_csv(office_dir: Path, tmp_path: Path) -> None:
    _staff(office_dir)
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "family_name,given_name,birth_date,sex,birthplace\n"
        "Tamm,Mari,1990-01-30,F,EST\n"
        "Kask,Jaan,1985-13-01,M,EST\n"
        "王,芳,1979-03-03,F,CHN\n"
        "Tamm,Mari,1990-01-30,F,EST\n",
        encoding="utf-8",
    )
    result = run(office_dir, "import", "--as", "clara", str(csv_file), "--json", password=CLERK_PW)
    assert result.returncode == 1  # one row refused
    data = json.loads(result.stdout)
    assert len(data["registered"]) == 2 and len(data["held_for_review"]) == 1
    assert data["errors"] == [
        {"row": 3, "field": "birth-date", "error": "The birth date 1985-13-01 does not exist in the calendar."}
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("name,born\nx,y\n")
    refused = run(office_dir, "import", "--as", "clara", str(bad), password=CLERK_PW)
    assert refused.returncode == 2 and "lacks the column" in one_line_error(refused)
