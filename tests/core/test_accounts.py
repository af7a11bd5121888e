"""Login, lockout, sessions, officer administration."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from console.core import officers
from console.core.accounts import Session, login
from console.core.errors import (
    AccountLocked,
    AuthenticationError,
    Conflict,
    InvalidPassword,
    SessionExpired,
    ValidationError,
)
from console.core.office import Office
from tests.conftest import PASSWORDS, FakeClock


def audit_actions(office: Office) -> list[tuple[str, str]]:
    return [(r["action"], r["outcome"]) for r in office.db.query("SELECT action, outcome FROM audit ORDER BY id")]


def test_login_and_describe(staffed: Office) -> None:
    session = login(staffed, "clerk", PASSWORDS["clerk"])
    info = session.describe()
    assert info["role"] == "clerk" and info["office"] == "HQ-01"
    assert "citizen.register" in info["permissions"] and "officer.manage" not in info["permissions"]
    assert session.office_secrets is not None and session.authority_secrets is None


def test_auditor_keystore_carries_no_office_keys(session_of: Callable[[str], Session]) -> None:
    auditor = session_of("auditor")
    assert auditor.office_secrets is None and auditor.authority_secrets is None


def test_unknown_user_gets_the_wrong_password_answer(staffed: Office) -> None:
    # issue 12: an unknown username and a wrong password look the same (message and cost), so a guesser
    # cannot list the officers.
    with pytest.raises(InvalidPassword) as unknown:
        login(staffed, "nobody", "whatever-password")
    with pytest.raises(InvalidPassword) as wrong:
        login(staffed, "clerk", "whatever-password")
    assert str(unknown.value) == str(wrong.value).replace("'clerk'", "'nobody'")
    assert ("login", "failed") in audit_actions(staffed)


def test_lockout_after_five_wrong_passwords_and_release(staffed: Office, clock: FakeClock) -> None:
    for attempt in range(4):
        with pytest.raises(InvalidPassword, match=f"{4 - attempt} tr"):
            login(staffed, "clerk", "wrong-password-1")
    with pytest.raises(AccountLocked, match="locked for 15 minutes"):
        login(staffed, "clerk", "wrong-password-1")
    # even the right password is refused while locked
    with pytest.raises(AccountLocked):
        login(staffed, "clerk", PASSWORDS["clerk"])
    clock.advance(minutes=14)
    with pytest.raises(AccountLocked):
        login(staffed, "clerk", PASSWORDS["clerk"])
    clock.advance(minutes=2)
    assert login(staffed, "clerk", PASSWORDS["clerk"]).username == "clerk"
    assert staffed.officer_row("clerk")["failed_logins"] == 0


def test_lockout_threshold_is_configurable(staffed: Office) -> None:
    staffed.db.execute("INSERT INTO settings (key, value) VALUES ('lockout_threshold', '2')")
    with pytest.raises(InvalidPassword):
        login(staffed, "clerk", "wrong-password-1")
    with pytest.raises(AccountLocked):
        login(staffed, "clerk", "wrong-password-1")


def test_session_expires_when_idle(session_of: Callable[[str], Session], clock: FakeClock) -> None:
    session = session_of("auditor")
    clock.advance(minutes=9)
    officers.audit_trail(session)  # activity keeps it alive
    clock.advance(minutes=9)
    officers.audit_trail(session)
    clock.advance(minutes=11)
    with pytest.raises(SessionExpired, match="without activity"):
        officers.audit_trail(session)
    assert session.office_secrets is None


def test_disabling_takes_access_away_at_once(session_of: Callable[[str], Session], staffed: Office) -> None:
    admin, clerk = session_of("admin"), session_of("clerk")
    officers.disable_officer(admin, "clerk")
    assert not staffed.paths.officer_keystore("clerk").exists()
    with pytest.raises(SessionExpired, match="disabled"):
        clerk.require_self()
    with pytest.raises(AuthenticationError, match="disabled"):
        login(staffed, "clerk", PASSWORDS["clerk"])
    key_rows = list(staffed.db.query("SELECT valid_until FROM officer_keys WHERE username = 'clerk'"))
    assert key_rows and all(r["valid_until"] for r in key_rows)


def test_cannot_disable_self_or_last_admin(session_of: Callable[[str], Session]) -> None:
    admin = session_of("admin")
    with pytest.raises(Conflict, match="your own"):
        officers.disable_officer(admin, "admin")


def test_change_own_password(session_of: Callable[[str], Session], staffed: Office) -> None:
    clerk = session_of("clerk")
    officers.change_password(clerk, "brand-new-pass-77")
    with pytest.raises(InvalidPassword):
        login(staffed, "clerk", PASSWORDS["clerk"])
    again = login(staffed, "clerk", "brand-new-pass-77")
    assert again.secrets.signing_seed == clerk.secrets.signing_seed


def test_admin_reset_replaces_the_officer_key(session_of: Callable[[str], Session], staffed: Office) -> None:
    old = session_of("clerk").secrets.signing_seed
    officers.reset_password(session_of("admin"), "clerk", "reset-by-admin-42")
    new = login(staffed, "clerk", "reset-by-admin-42")
    assert new.secrets.signing_seed != old
    keys = list(staffed.db.query("SELECT valid_until FROM officer_keys WHERE username = 'clerk' ORDER BY valid_from"))
    assert len(keys) == 2 and keys[0]["valid_until"] is not None and keys[1]["valid_until"] is None


def test_add_officer_validation(session_of: Callable[[str], Session], staffed: Office) -> None:
    admin = session_of("admin")
    count = staffed.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    with pytest.raises(ValidationError) as info:
        officers.add_officer(admin, username="x y", role="clerk", full_name="X", password="long-enough-pw")
    assert info.value.field == "username"
    with pytest.raises(ValidationError) as info:
        officers.add_officer(admin, username="xy", role="king", full_name="X", password="long-enough-pw")
    assert info.value.field == "role"
    with pytest.raises(Conflict):
        officers.add_officer(admin, username="clerk", role="clerk", full_name="X", password="long-enough-pw")
    assert staffed.db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == count
    assert not staffed.paths.officer_keystore("xy").exists()


def test_rotate_office_key_keeps_old_key_on_record(
    session_of: Callable[[str], Session], staffed: Office, clock: FakeClock
) -> None:
    clock.advance(days=30)
    before = staffed.current_office_key()["kid"]
    result = officers.rotate_office_key(session_of("admin"))
    after = staffed.current_office_key()
    assert after["kid"] != before and after["kid"].hex() == result["kid"]
    # a clerk logging in after the rotation signs with the new key
    clerk = session_of("clerk")
    assert bytes(clerk.office_signing_key().verify_key) == bytes(after["public_key"])


def test_events_are_signed_by_the_acting_officer(session_of: Callable[[str], Session], staffed: Office) -> None:
    from console.core import cose
    from console.core.events import decode_entry

    row = next(iter(staffed.db.query("SELECT entry FROM events WHERE type = 'officer.enrolled' ORDER BY seq DESC")))
    message = cose.decode_sign1(row["entry"])
    admin_key = next(iter(staffed.db.query("SELECT public_key FROM officer_keys WHERE username = 'admin'")))
    cose.verify_sign1(message, bytes(admin_key["public_key"]))
    payload = decode_entry(row["entry"])
    assert payload["officer"] == "admin" and payload["office"] == "HQ-01"


def test_open_sessions_survive_a_key_rotation(
    session_of: Callable[[str], Session], staffed: Office, clock: FakeClock
) -> None:
    from console.core import issuance, registry
    from console.core.registry import PersonInput

    clerk = session_of("clerk")  # logged in before the rotation
    admin1, admin2 = session_of("admin"), session_of("admin")
    clock.advance(seconds=5)
    officers.rotate_office_key(admin1)
    with pytest.raises(Conflict, match="less than a second"):
        officers.rotate_office_key(admin2)
    clock.advance(seconds=5)
    officers.rotate_office_key(admin2)  # a stale administrator session must not drop admin1's key
    number = registry.register(clerk, PersonInput("Tamm", "Mari", "1990-01-30", "F", "EST"))["id_number"]
    issued = issuance.issue(clerk, number)
    verdict = issuance.verify(issued.qr, trust=issuance.trust_list(staffed), office=staffed)
    assert verdict.valid
    assert len(issuance.trust_list(staffed)) == 3
    fresh = session_of("clerk")
    assert fresh.office_secrets is not None and len(fresh.office_secrets.signing_seeds) == 3


def test_unlock_and_settings(session_of: Callable[[str], Session], staffed: Office) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            login(staffed, "clerk", "wrong-password-1")
    admin = session_of("admin")
    officers.unlock_officer(admin, "clerk")
    assert session_of("clerk").username == "clerk"
    assert officers.office_settings(session_of("auditor"))["lockout_threshold"] == 5
    officers.set_office_setting(admin, "session_idle_minutes", 3)
    assert session_of("clerk").idle_timeout.total_seconds() == 180
    with pytest.raises(ValidationError, match="3 to 20"):
        officers.set_office_setting(admin, "lockout_threshold", 1)
    with pytest.raises(ValidationError):
        officers.set_office_setting(admin, "colour", 1)


def test_lock_forgets_every_key_and_running_work_ends_cleanly(session_of: Callable[[str], Session]) -> None:
    from console.core import issuance, registry
    from console.core.registry import PersonInput

    clerk = session_of("clerk")
    number = registry.register(clerk, PersonInput("Tamm", "Mari", "1990-01-30", "F", "EST"))["id_number"]
    clerk.lock()
    assert clerk.secrets is None and clerk.office_secrets is None and clerk.authority_secrets is None
    with pytest.raises(SessionExpired):
        _ = clerk.actor
    with pytest.raises(SessionExpired):
        clerk.office_signing_key()
    with pytest.raises(SessionExpired):
        issuance.issue(clerk, number)
