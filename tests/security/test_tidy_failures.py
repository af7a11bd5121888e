"""Issue 12, point 5: failures leave nothing behind, user text cannot steer the terminal, every state change is
signed, the data folder is private, puppet accounts cannot make four eyes, and a revoked person cannot come
back unreviewed with a birth date one day off."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from console.core import cose, events, issuance, officers, registry, requests
from console.core.accounts import Session, login
from console.core.errors import PermissionDenied, StorageError
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.registry import PersonInput
from tests import rawdb
from tests.conftest import PASSWORDS, FakeClock
from tests.security.clihelp import ADMIN_PW, CLERK_PW, SUPER_PW, cli, init_office

# ---------------------------------------------------------------------------------------------------------
# A crash while writing a card PDF

CRASH = r"""
import os, sys
mode, out_dir = sys.argv[1], os.path.realpath(sys.argv[2])
real_fsync, real_replace = os.fsync, os.replace

def in_output(path):
    return os.path.realpath(str(path)).startswith(out_dir + os.sep)

def fsync(fd):
    if mode == "while-writing" and os.readlink(f"/proc/self/fd/{fd}").startswith(out_dir + os.sep):
        os._exit(137)  # the power goes while the card's bytes are being written
    return real_fsync(fd)

def replace(src, dst, **kw):
    if mode == "before-rename" and in_output(dst):
        os._exit(137)  # the power goes after the file is complete, before it gets its name
    return real_replace(src, dst, **kw)

os.fsync, os.replace = fsync, replace
from console.cli import main
sys.exit(main(sys.argv[3:]))
"""


@pytest.fixture(scope="module")
def card_office(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("tidy") / "office"
    init_office(folder)
    run = cli(
        folder,
        *("register", "--as", "clara", "--family-name", "Tamm", "--given-name", "Mari"),
        *("--birth-date", "1990-01-02", "--sex", "F", "--birthplace", "EST", "--json"),
        password=CLERK_PW,
    )
    number = json.loads(run.out)["id_number"]
    assert cli(folder, "issue", "--as", "clara", number, password=CLERK_PW).returncode == 0
    return folder, number


@pytest.mark.parametrize("mode", ["while-writing", "before-rename"])
def test_a_crash_while_writing_a_card_leaves_no_card_behind_after_the_next_start(
    card_office: tuple[Path, str], tmp_path: Path, mode: str
) -> None:
    folder, number = card_office
    out = tmp_path / "out"
    out.mkdir()
    crashed = cli(
        folder,
        "card",
        "--as",
        "clara",
        number,
        "--out",
        str(out / "card.pdf"),
        password=CLERK_PW,
        prefix=[sys.executable, "-c", CRASH, mode, str(out), "--data-dir", str(folder)],
    )
    assert crashed.returncode == 137, crashed.err
    left = sorted(p.name for p in out.iterdir())
    if mode == "while-writing":
        assert left == []  # the bytes were in an unnamed file: nothing to clean up
    else:
        assert len(left) == 1 and left[0].startswith(".tmp-")  # a whole card under a temp name…
        assert (out / left[0]).read_bytes().startswith(b"%PDF")
    assert cli(folder, "whoami", "--as", "clara", password=CLERK_PW).returncode == 0  # the next start
    assert list(out.iterdir()) == []  # …removed
    assert not list((folder / "outputs.pending").iterdir())


def test_a_normal_card_write_leaves_only_the_card(card_office: tuple[Path, str], tmp_path: Path) -> None:
    folder, number = card_office
    run = cli(folder, "card", "--as", "clara", number, "--out", str(tmp_path / "c.pdf"), password=CLERK_PW)
    assert run.returncode == 0, run.err
    assert [p.name for p in tmp_path.iterdir()] == ["c.pdf"]
    assert stat.S_IMODE((tmp_path / "c.pdf").stat().st_mode) == 0o600


# ---------------------------------------------------------------------------------------------------------
# Temp files and half-made officers


def age(path: Path, seconds: float = 3600) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


def test_temp_files_of_dead_writers_are_removed_at_start_and_live_ones_kept(office: Office) -> None:
    paths = office.paths
    dead = [paths.data_dir / ".tmp-dead1", paths.keys / ".tmp-dead2", paths.officer_keys / ".tmp-dead3"]
    for path in dead:
        path.write_bytes(b"secret half-written keystore")
        age(path)
    fresh = paths.keys / ".tmp-fresh"
    fresh.write_bytes(b"a write under way in another process")
    held = paths.keys / ".tmp-held"
    held.write_bytes(b"an old write still under way")
    age(held)
    fd = os.open(held, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        Office(paths.data_dir, kdf=KDF_PRESETS["min"])  # the next start
        assert not any(path.exists() for path in dead)
        assert fresh.exists() and held.exists()
    finally:
        os.close(fd)


def test_an_officer_whose_keystore_could_not_be_installed_is_finished_at_the_next_start(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = login(office, "admin", PASSWORDS["admin"])

    real_replace = os.replace

    def disk_full(src: str | Path, dst: str | Path) -> None:
        if Path(dst).name == "bob.keystore":  # the move into place, after the enrolment committed
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(StorageError, match="installed the next time the console starts"):
        officers.add_officer(admin, username="bob", role="clerk", full_name="Bob B", password=PASSWORDS["clerk"])
    monkeypatch.undo()
    assert not office.paths.officer_keystore("bob").exists()  # half-made for now…
    assert [p.name for p in office.paths.officer_keys.glob(".pending-bob-*")]
    restarted = Office(office.paths.data_dir, kdf=KDF_PRESETS["min"])  # …until the next start
    assert office.paths.officer_keystore("bob").exists()
    assert login(restarted, "bob", PASSWORDS["clerk"]).username == "bob"


def test_a_keystore_of_an_enrolment_that_never_committed_is_removed(office: Office) -> None:
    stray = office.paths.officer_keys / ".pending-eve-00112233445566ff.keystore"
    stray.write_bytes(b"sealed keys of an officer that does not exist")
    Office(office.paths.data_dir, kdf=KDF_PRESETS["min"])
    assert stray.exists()  # young: its enrolment may still be committing
    age(stray)
    Office(office.paths.data_dir, kdf=KDF_PRESETS["min"])
    assert not stray.exists() and not office.paths.officer_keystore("eve").exists()


# ---------------------------------------------------------------------------------------------------------
# Control characters never reach the terminal raw

HOSTILE = "stolen \x1b[2J\x1b]0;pwned\x07 \x9b31m red \u202eevil\u202c"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")
PRINTER_SET = ("printer", "set", "--as", "clara", "Desk \x1b[5m", "--offset-x", "1", "--offset-y", "0")
BAD_PRINTER = ("--printer", "\x1b[2J")


def test_control_characters_in_reasons_printer_names_and_audit_are_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "office"
    init_office(folder)
    made = cli(
        folder,
        *("register", "--as", "clara", "--family-name", "Tamm", "--given-name", "Mari"),
        *("--birth-date", "1990-01-02", "--sex", "F", "--birthplace", "EST", "--json"),
        password=CLERK_PW,
    )
    number = json.loads(made.out)["id_number"]
    cli(folder, "issue", "--as", "clara", number, password=CLERK_PW)
    outputs = [
        cli(folder, "revoke", "--as", "clara", number, "--reason", HOSTILE, password=CLERK_PW),
        cli(folder, "requests", "--as", "sam", password=SUPER_PW),
        cli(
            folder,
            "printer",
            "set",
            "--as",
            "clara",
            "Desk \x1b[5m",
            "--offset-x",
            "1",
            "--offset-y",
            "0",
            password=CLERK_PW,
        ),
        cli(folder, "printer", "list", "--as", "clara", password=CLERK_PW),
        cli(folder, "audit", "--as", "admin", password=ADMIN_PW),
        cli(
            folder,
            "card",
            "--as",
            "clara",
            number,
            "--out",
            str(tmp_path / "c.pdf"),
            "--printer",
            "\x1b[2J",
            password=CLERK_PW,
        ),
    ]
    for run in outputs:
        text = run.out + run.err
        assert not any(ch in text for ch in RAW), repr(text)
    assert "\\u001b[2J" in outputs[1].out and "\\u001b[5m" in outputs[3].out
    # JSON keeps the exact value: the escapes are JSON's own
    listed = cli(folder, "requests", "--as", "sam", "--json", password=SUPER_PW)
    assert not any(ch in listed.out for ch in RAW)
    assert json.loads(listed.out)[0]["reason"] == " ".join(HOSTILE.split())


# ---------------------------------------------------------------------------------------------------------
# Every state change is a signed event


def test_settings_and_unlock_write_signed_events(office: Office) -> None:
    admin = login(office, "admin", PASSWORDS["admin"])
    officers.set_office_setting(admin, "lockout_minutes", 30)
    officers.add_officer(admin, username="bob", role="clerk", full_name="Bob B", password=PASSWORDS["clerk"])
    officers.unlock_officer(admin, "bob")
    public = bytes(office.db.execute("SELECT public_key FROM officer_keys WHERE username = 'admin'").fetchone()[0])
    rows = office.db.execute(
        "SELECT type, entry FROM events WHERE type IN ('settings.changed', 'officer.unlocked') ORDER BY seq"
    ).fetchall()
    assert [r[0] for r in rows] == ["settings.changed", "officer.unlocked"]
    payloads = [events.decode_entry(bytes(r[1])) for r in rows]
    for _type, entry in rows:
        cose.verify_sign1(cose.decode_sign1(bytes(entry)), public)  # raises if not signed by the admin
    assert payloads[0]["clear"] == {"key": "lockout_minutes", "value": 30}
    assert payloads[1]["clear"] == {"username": "bob"} and payloads[1]["officer"] == "admin"


# ---------------------------------------------------------------------------------------------------------
# init makes the data folder private


def test_init_makes_an_existing_data_folder_0700(tmp_path: Path) -> None:
    folder = tmp_path / "office"
    folder.mkdir()
    os.chmod(folder, 0o777)
    init_office(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


# ---------------------------------------------------------------------------------------------------------
# Puppet accounts cannot make four eyes


def puppet_password(username: str) -> str:
    return f"puppet-string-{len(username)}-{username[::-1]}-9137"


def enrol(admin: Session, username: str, role: str) -> Session:
    password = puppet_password(username)
    officers.add_officer(
        admin, username=username, role=role, full_name=username.rstrip("0123456789").title() + " P", password=password
    )
    return login(admin.office, username, password)


def revoke_request(clerk: Session) -> int:
    number = registry.register(clerk, PersonInput("Tamm", "Mari", "1990-01-02", "F", "EST"))["id_number"]
    issuance.issue(clerk, number)
    return int(requests.create_request(clerk, "revoke", number, "card stolen")["request_id"])


def test_an_administrator_cannot_revoke_alone_through_puppets(office: Office, clock: FakeClock) -> None:
    clock.advance(days=2)  # after the office's set-up day
    admin = login(office, "admin", PASSWORDS["admin"])
    puppet_clerk, puppet_super = enrol(admin, "pclerk", "clerk"), enrol(admin, "psuper", "supervisor")
    request = revoke_request(puppet_clerk)
    with pytest.raises(PermissionDenied, match=r"both enrolled .* by admin"):
        requests.approve(puppet_super, request)
    assert requests.list_requests(puppet_super)[0]["status"] == "pending"
    refusals = office.db.execute("SELECT detail FROM audit_full WHERE outcome = 'refused'").fetchall()
    assert any("both controlled by admin" in r[0] for r in refusals)
    # a supervisor enrolled by a second administrator is another person: the pair is valid
    admin2 = enrol(admin, "admin2", "administrator")
    other_super = enrol(admin2, "osuper", "supervisor")
    assert requests.approve(other_super, request)["credential_status"] == "revoked"


def test_puppets_cannot_accept_a_held_registration_either(office: Office, clock: FakeClock) -> None:
    clock.advance(days=2)
    admin = login(office, "admin", PASSWORDS["admin"])
    puppet_clerk, puppet_super = enrol(admin, "pclerk", "clerk"), enrol(admin, "psuper", "supervisor")
    registry.register(puppet_clerk, PersonInput("Tamm", "Mari", "1990-01-02", "F", "EST"))
    held = registry.register(puppet_clerk, PersonInput("Tam", "Mari", "1990-01-02", "F", "EST"))
    assert held["status"] == "pending-review"
    with pytest.raises(PermissionDenied):
        registry.accept_review(puppet_super, held["review_id"])
    clock.advance(days=15)  # after the control period (documented: visible in the signed log meanwhile)
    puppet_clerk, puppet_super = (login(office, u, puppet_password(u)) for u in ("pclerk", "psuper"))
    assert registry.accept_review(puppet_super, held["review_id"])["status"] == "accepted"


# ---------------------------------------------------------------------------------------------------------
# A revoked person does not come back with a birth date one day off


def test_reregistering_a_revoked_person_with_a_day_off_or_another_sex_is_held(
    session_of: Callable[[str], Session],
) -> None:
    clerk, supervisor = session_of("clerk"), session_of("super")
    revoked = registry.register(clerk, PersonInput("Tamm", "Mari", "1990-01-02", "F", "EST"))["id_number"]
    issuance.issue(clerk, revoked)
    request = requests.create_request(clerk, "revoke", revoked, "fraud")["request_id"]
    requests.approve(supervisor, request)
    kept = registry.register(clerk, PersonInput("Kask", "Jaan", "1980-05-05", "M", "EST"))["id_number"]
    issuance.issue(clerk, kept)

    next_day = registry.register(clerk, PersonInput("Tamm", "Mari", "1990-01-03", "F", "EST"))
    assert next_day["status"] == "pending-review"
    [candidate] = next_day["possible_duplicates"]
    assert candidate["ref"] == revoked and "one day apart" in candidate["reason"] and "revoked" in candidate["reason"]
    other_sex = registry.register(clerk, PersonInput("Tamm", "Mari", "1990-01-02", "M", "EST"))
    assert other_sex["status"] == "pending-review"
    assert "other sex" in other_sex["possible_duplicates"][0]["reason"]
    typo_and_day = registry.register(clerk, PersonInput("Tam", "Mari", "1990-01-01", "X", "EST"))
    assert typo_and_day["status"] == "pending-review"
    # a person in good standing is not held for a neighbour's birthday or another sex
    assert registry.register(clerk, PersonInput("Kask", "Jaan", "1980-05-06", "M", "EST"))["status"] == "registered"
    assert registry.register(clerk, PersonInput("Kask", "Jaan", "1980-05-05", "F", "EST"))["status"] == "registered"


def test_the_duplicate_index_covers_rows_written_by_other_writers(session_of: Callable[[str], Session]) -> None:
    clerk = session_of("clerk")
    registry.register(clerk, PersonInput("Tamm", "Mari", "1990-01-02", "F", "EST"))
    db = rawdb.connect(clerk.office.paths.data_dir)  # e.g. a sync of another office's records
    with db:
        db.execute(
            "INSERT INTO citizens (id_number, family_name, given_name, latin_family, latin_given, match_key, "
            "birth_date, sex, birthplace, office_code, registered_at, registered_by) VALUES "
            "('2345678901', 'Saar', 'Liis', 'SAAR', 'LIIS', 'LIIS SAAR', '1975-03-04', 'F', 'EST', 'NO-02', "
            "'2026-01-01T00:00:00Z', 'sync')"
        )
    db.close()
    held = registry.register(clerk, PersonInput("Saar", "Liis", "1975-03-04", "F", "EST"))
    assert held["status"] == "pending-review" and held["possible_duplicates"][0]["ref"] == "2345678901"
