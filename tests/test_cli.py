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
    assert "No officer named 'ghost'" in one_line_error(unknown)
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
