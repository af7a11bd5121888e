"""Issue 12, point 1: with `sqlite3` and no password, edited rows do not decide; they are refused or reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable

import nacl.signing
import pytest

from console.core import cardservice, cose, issuance, officers, requests
from console.core.accounts import Session, login
from console.core.errors import AuthenticationError, SessionExpired
from console.core.office import Office
from console.core.truth import TamperedError
from tests.conftest import PASSWORDS, FakeClock
from tests.security.conftest import forge, sql


def verdict(office: Office, qr: str) -> tuple[bool, str, str]:
    fresh = Office(office.paths.data_dir, clock=office.clock)  # a new process: no cache from the services
    if office.database_key is not None:  # issue 17: a logged-in console, which reads the encrypted registry
        fresh.unlock_personal(office.database_key)
    result = issuance.verify(qr, trust=issuance.trust_list(fresh), office=fresh)
    return result.valid, result.status, result.reason


def test_role_edited_to_administrator_is_refused_at_login_and_in_session(
    staffed: Office, session_of: Callable[[str], Session]
) -> None:
    clerk = session_of("clerk")
    sql(staffed, "UPDATE officers SET role = 'administrator' WHERE username = 'clerk'")
    # the open session: its role comes from the certificate; the edited row is named and nothing happens
    with pytest.raises(TamperedError, match=r"officers row of 'clerk'.*administrator.*'clerk'"):
        officers.add_officer(clerk, username="puppet", role="supervisor", full_name="P", password="puppet-pass-123")
    # a new login: refused, with the row named
    with pytest.raises(TamperedError, match=r"officers row of 'clerk' in office\.db says role 'administrator'"):
        login(staffed, "clerk", PASSWORDS["clerk"])
    assert not list(staffed.db.query("SELECT 1 FROM officers WHERE username = 'puppet'"))
    with pytest.raises(TamperedError):
        officers.disable_officer(clerk, "admin")
    assert staffed.officer_row("admin")["status"] == "active"


def test_disabled_officer_set_active_again_by_sql_stays_out(
    staffed: Office, session_of: Callable[[str], Session]
) -> None:
    keystore = staffed.paths.officer_keystore("clerk").read_bytes()  # a copy kept before being disabled
    officers.disable_officer(session_of("admin"), "clerk")
    staffed.paths.officer_keystore("clerk").write_bytes(keystore)
    sql(staffed, "UPDATE officers SET status = 'active' WHERE username = 'clerk'")
    sql(staffed, "UPDATE officer_keys SET valid_until = NULL WHERE username = 'clerk'")
    with pytest.raises(AuthenticationError, match="disabled"):
        login(staffed, "clerk", PASSWORDS["clerk"])


def test_session_of_an_officer_disabled_by_signed_event_ends_even_if_the_row_is_reset(
    staffed: Office, session_of: Callable[[str], Session]
) -> None:
    clerk = session_of("clerk")
    officers.disable_officer(session_of("admin"), "clerk")
    sql(staffed, "UPDATE officers SET status = 'active' WHERE username = 'clerk'")
    with pytest.raises(SessionExpired, match="disabled"):
        clerk.require_self()


def test_added_office_key_is_not_trusted_nor_published(
    staffed: Office, session_of: Callable[[str], Session], person: str
) -> None:
    attacker = nacl.signing.SigningKey.generate()
    public = bytes(attacker.verify_key)
    current = staffed.current_office_key()
    sql(
        staffed,
        "INSERT INTO office_keys (kid, office_code, public_key, valid_from, certificate) VALUES (?, ?, ?, ?, ?)",
        (cose.key_id(public), "HQ-01", public, current["valid_from"], b"not a certificate"),
    )
    qr = forge(staffed, person, attacker)
    valid, status, _reason = verdict(staffed, qr)
    assert not valid and status == "unknown-issuer"
    assert cose.key_id(public) not in {k.kid for k in issuance.trust_list(staffed)}
    # the command line: not published, and said so
    env = {**os.environ, "ID_CONSOLE_KDF": "min", "ID_CONSOLE_ALLOW_WEAK_KDF": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "console.cli", "--data-dir", str(staffed.paths.data_dir), "trust", "export"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0
    kids = [k["kid"] for k in json.loads(result.stdout)["keys"]]
    assert len(kids) == 1
    assert "has no valid certificate from the authority root key" in result.stderr
    assert cose.key_id(public).hex() in result.stderr
    # and the console will not sign with it even if the table names it as the key in force
    sql(staffed, "UPDATE office_keys SET valid_until = ? WHERE kid = ?", (current["valid_from"], current["kid"]))
    with pytest.raises(TamperedError, match="office_keys row"):
        issuance.issue(session_of("clerk"), person)


def test_retired_key_cannot_be_stretched_by_clearing_valid_until(
    staffed: Office, session_of: Callable[[str], Session], clock: FakeClock
) -> None:
    old = staffed.current_office_key()
    clock.advance(days=1)
    officers.rotate_office_key(session_of("admin"))
    sql(staffed, "UPDATE office_keys SET valid_until = NULL WHERE kid = ?", (old["kid"],))
    key = next(k for k in issuance.trust_list(staffed) if k.kid == bytes(old["kid"]))
    assert key.valid_until is not None


def _revoke(session_of: Callable[[str], Session], person: str) -> None:
    request = requests.create_request(session_of("clerk"), "revoke", person, "card reported stolen")
    requests.approve(session_of("super"), request["request_id"])


def test_revoked_set_back_to_active_is_caught_everywhere(
    staffed: Office, session_of: Callable[[str], Session], person: str
) -> None:
    issued = issuance.issue(session_of("clerk"), person)
    _revoke(session_of, person)
    assert verdict(staffed, issued.qr)[1] == "revoked"
    sql(staffed, "UPDATE credentials SET status = 'active' WHERE id_number = ?", (person,))
    valid, status, reason = verdict(staffed, issued.qr)
    assert not valid and status == "tampered"
    assert f"credentials row of {issued.credential_id}" in reason and "says active" in reason and "revoked" in reason
    with pytest.raises(TamperedError, match="says active"):
        cardservice.card_pdf(session_of("clerk"), [person])
    with pytest.raises(TamperedError, match="says active"):
        issuance.issue(session_of("clerk"), person)  # a re-issue would undo the four-eyes revocation
    with pytest.raises(TamperedError):
        requests.create_request(session_of("clerk"), "suspend", person, "try to overwrite")


def test_revoked_row_moved_to_another_office_is_caught(
    staffed: Office, session_of: Callable[[str], Session], person: str
) -> None:
    issued = issuance.issue(session_of("clerk"), person)
    _revoke(session_of, person)
    sql(staffed, "UPDATE credentials SET status = 'active', office_code = 'XX-99' WHERE id_number = ?", (person,))
    valid, status, reason = verdict(staffed, issued.qr)
    assert not valid and status == "tampered" and "names another office" in reason


def test_superseded_set_back_to_active_is_caught(
    staffed: Office, session_of: Callable[[str], Session], person: str, clock: FakeClock
) -> None:
    first = issuance.issue(session_of("clerk"), person)
    clock.advance(seconds=5)
    issuance.issue(session_of("clerk"), person)
    sql(
        staffed,
        "UPDATE credentials SET status = 'active' WHERE credential_id = ?",
        (bytes.fromhex(first.credential_id),),
    )
    valid, status, _reason = verdict(staffed, first.qr)
    assert not valid and status == "tampered"


def test_deleted_credential_row_is_not_valid(
    staffed: Office, session_of: Callable[[str], Session], person: str
) -> None:
    issued = issuance.issue(session_of("clerk"), person)
    assert verdict(staffed, issued.qr)[0]
    sql(staffed, "DELETE FROM credentials WHERE credential_id = ?", (bytes.fromhex(issued.credential_id),))
    valid, status, reason = verdict(staffed, issued.qr)
    assert not valid and status == "unrecorded"
    assert "signed" in reason.lower() and "no record" in reason and "deleted" in reason


def test_offline_forgery_with_the_office_key_is_reported(
    staffed: Office, session_of: Callable[[str], Session], person: str
) -> None:
    clerk = session_of("clerk")
    key = clerk.office_signing_key()  # a clerk's session holds the office key; she signs outside the console
    before = staffed.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    qr = forge(staffed, person, key)
    assert staffed.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == before
    valid, status, reason = verdict(staffed, qr)
    assert not valid and status == "unrecorded" and "offline forgery" in reason
    # and a row slipped in by SQL for it does not make it valid either
    from console.core.credentials import decode_credential

    credential, _message = decode_credential(qr)
    sql(
        staffed,
        "INSERT INTO credentials (credential_id, id_number, office_code, kid, issued_at, expires_at, status, qr) "
        "VALUES (?, ?, 'HQ-01', ?, ?, ?, 'active', ?)",
        (
            credential.credential_id,
            person,
            cose.key_id(bytes(key.verify_key)),
            "2026-11-30T09:00:00Z",
            "2031-11-30T09:00:00Z",
            qr,
        ),
    )
    valid, status, reason = verdict(staffed, qr)
    assert not valid and status == "tampered" and "no signed issuance event" in reason


def test_request_marked_approved_or_added_by_sql_is_not_acted_on(
    staffed: Office, session_of: Callable[[str], Session], person: str
) -> None:
    issued = issuance.issue(session_of("clerk"), person)
    request = requests.create_request(session_of("clerk"), "suspend", person, "holder abroad")
    # marked approved without a decision, credential set suspended: the credential's truth is still active
    sql(staffed, "UPDATE requests SET status = 'approved', decided_by = 'super' WHERE id = ?", (request["request_id"],))
    sql(staffed, "UPDATE credentials SET status = 'suspended' WHERE id_number = ?", (person,))
    assert verdict(staffed, issued.qr)[1] == "tampered"
    sql(staffed, "UPDATE credentials SET status = 'active' WHERE id_number = ?", (person,))
    sql(staffed, "UPDATE requests SET status = 'pending', decided_by = NULL WHERE id = ?", (request["request_id"],))
    requests.approve(session_of("super"), request["request_id"])  # the real one still works
    # a request inserted by SQL in another clerk's name is not approved
    sql(
        staffed,
        "INSERT INTO requests (action, credential_id, id_number, reason, status, requested_by, requested_at) "
        "VALUES ('revoke', ?, ?, 'forged', 'pending', 'clerk2', '2026-11-30T09:00:00Z')",
        (bytes.fromhex(issued.credential_id), person),
    )
    forged = staffed.db.execute("SELECT MAX(id) FROM requests").fetchone()[0]
    with pytest.raises(TamperedError, match=f"requests row {forged}"):
        requests.approve(session_of("super2"), forged)
    assert verdict(staffed, issued.qr)[1] == "suspended"


def test_command_line_names_the_edited_row_with_exit_8(staffed: Office) -> None:
    sql(staffed, "UPDATE officers SET role = 'administrator' WHERE username = 'clerk'")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ID_CONSOLE_")}
    env.update(ID_CONSOLE_KDF="min", ID_CONSOLE_ALLOW_WEAK_KDF="1", ID_CONSOLE_PASSWORD=PASSWORDS["clerk"])
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "console.cli",
            "--data-dir",
            str(staffed.paths.data_dir),
            "user",
            "list",
            "--as",
            "clerk",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 8 and result.stdout == ""
    assert "officers row of 'clerk' in office.db says role 'administrator'" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_garbage_in_signed_events_is_refused_not_crashed(
    staffed: Office, session_of: Callable[[str], Session], person: str
) -> None:
    issued = issuance.issue(session_of("clerk"), person)
    sql(staffed, "UPDATE events SET entry = 'not a signature' WHERE type = 'credential.issued'")
    valid, status, reason = verdict(staffed, issued.qr)
    assert not valid and status == "tampered" and "not a signed entry" in reason
    seq = staffed.db.execute("SELECT MAX(seq) FROM events WHERE type = 'officer.enrolled'").fetchone()[0]
    sql(staffed, "UPDATE events SET entry = x'a1' WHERE seq = ?", (seq,))
    with pytest.raises(TamperedError, match=rf"signed event {seq} \(officer.enrolled\)"):
        login(Office(staffed.paths.data_dir, clock=staffed.clock), "clerk", PASSWORDS["clerk"])


def test_command_line_verify_of_a_deleted_row_exits_1(
    staffed: Office, session_of: Callable[[str], Session], person: str
) -> None:
    issued = issuance.issue(session_of("clerk"), person)
    sql(staffed, "DELETE FROM credentials WHERE credential_id = ?", (bytes.fromhex(issued.credential_id),))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ID_CONSOLE_")}
    env.update(ID_CONSOLE_PASSWORD=PASSWORDS["clerk"], ID_CONSOLE_KDF="min", ID_CONSOLE_ALLOW_WEAK_KDF="1")
    # issue 17: the registry is encrypted; `verify --as` logs in at the counter and checks it too
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "console.cli",
            "--data-dir",
            str(staffed.paths.data_dir),
            "verify",
            issued.qr,
            "--as",
            "clerk",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    answer = json.loads(result.stdout)
    assert answer["valid"] is False and answer["status"] == "unrecorded" and answer["status_checked"] is True
