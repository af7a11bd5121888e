"""Logging in and sessions (console/core/accounts.py) at their edges: what `whoami` shows, what counts as
activity, the locked account's sentence, attempts that fail before or after the password is checked, and the
key-derivation cost an unknown username is charged.

Written for the mutants of accounts.py that tests/core/test_accounts.py, test_permissions.py and
tests/security/test_lockout_bursts.py let live (docs/testing.md, "Mutation score").
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from console.core import accounts, officers
from console.core.accounts import Session, login
from console.core.errors import AccountLocked, InvalidPassword, PermissionDenied, SessionExpired, StorageError
from console.core.keystore import KDF_PRESETS, MAX_LIMITS, KdfLimits, write_sealed
from console.core.office import Office
from console.core.truth import TamperedError
from tests.conftest import PASSWORDS, FakeClock
from tests.core.test_permissions import EXPECTED


def last_attempt(office: Office, username: str) -> tuple[str, str]:
    row = office.db.execute(
        "SELECT outcome, detail FROM audit WHERE officer = ? AND action = 'login' ORDER BY id DESC LIMIT 1", (username,)
    ).fetchone()
    return str(row[0]), str(row[1])


def test_describe_is_what_whoami_prints(session_of: Callable[[str], Session], clock: FakeClock) -> None:
    clerk = session_of("clerk")
    assert clerk.describe() == {
        "username": "clerk",
        "full_name": "Clerk Officer",
        "role": "clerk",
        "office": "HQ-01",
        "office_name": "Central Office",
        "permissions": sorted(EXPECTED["clerk"]),  # the hand-written table of tests/core/test_permissions.py
        "last_login": "2026-11-30T09:00:00Z",
    }


def test_activity_without_a_service_call_keeps_the_session_open(
    session_of: Callable[[str], Session], clock: FakeClock
) -> None:
    """The idle limit (10 minutes) counts from the last activity: a touch (typing in a form) or the officer's own
    password change restarts it."""
    clerk = session_of("clerk")
    clock.advance(minutes=9)
    clerk.touch()
    clock.advance(minutes=9)
    clerk.require_self()  # 18 minutes after login, 9 after the touch
    clock.advance(minutes=9)
    officers.change_password(clerk, "a-quiet-harbour-5150")
    clock.advance(minutes=9)
    clerk.require_self()
    clock.advance(minutes=11)
    with pytest.raises(SessionExpired) as ended:
        clerk.require_self()
    assert str(ended.value) == "The session of clerk ended after 10 minutes without activity; log in again."


def test_a_locked_account_says_until_when(staffed: Office, session_of: Callable[[str], Session]) -> None:
    officers.set_office_setting(session_of("admin"), "lockout_threshold", 3)
    for _ in range(2):
        with pytest.raises(InvalidPassword):
            login(staffed, "clerk", "not-the-password-0000")
    with pytest.raises(AccountLocked) as now_locked:
        login(staffed, "clerk", "not-the-password-0000")
    assert now_locked.value.until == "2026-11-30T09:15:00Z"
    with pytest.raises(AccountLocked) as locked:
        login(staffed, "clerk", PASSWORDS["clerk"])
    assert str(locked.value) == (
        "The account 'clerk' is locked after too many wrong passwords until 2026-11-30T09:15:00Z (UTC); "
        "wait or ask an administrator."
    )
    assert locked.value.until == "2026-11-30T09:15:00Z"


def test_an_unusable_keystore_settles_the_attempt_as_refused(staffed: Office) -> None:
    """The attempt counted before the key derivation is settled, not left "in progress" (which would count
    towards a lockout for ever)."""
    staffed.paths.officer_keystore("clerk").write_bytes(b"not a keystore")
    with pytest.raises(StorageError, match="is damaged or truncated and cannot be read"):
        login(staffed, "clerk", PASSWORDS["clerk"])
    assert last_attempt(staffed, "clerk") == ("refused", "keystore unusable: StorageError")


def test_a_refusal_after_the_password_is_settled_with_its_reason(staffed: Office) -> None:
    """The right password, but office.db's root key is not the one the keystore pins: refused, and the audit row
    says why."""
    with staffed.db.conn:
        staffed.db.conn.execute("UPDATE authority SET root_public = zeroblob(32) WHERE id = 1")
    with pytest.raises(TamperedError) as refused:
        login(staffed, "clerk", PASSWORDS["clerk"])
    assert last_attempt(staffed, "clerk") == ("refused", f"refused after the password: {refused.value}")


def test_an_unknown_username_costs_what_most_keystores_cost(staffed: Office, clock: FakeClock) -> None:
    """The dummy key derivation for an unknown name uses the limits most of the office's keystores use (not the
    office's default, which older keystores may not have): the time an attempt takes does not tell whether the
    name exists. A damaged keystore file (sorted first) and a minority of keystores at other limits are passed
    over; limits outside the allowed range do not count."""
    keys = staffed.paths.officer_keys
    (keys / "aaa.keystore").write_bytes(b"damaged")
    other = KdfLimits(KDF_PRESETS["min"].opslimit + 1, KDF_PRESETS["min"].memlimit)
    write_sealed(keys / "aab.keystore", b"x" * 64, "some-password-123", other)  # read before the majority
    # more keystores than the office has officers, doctored to a cost beyond the allowed range (the memory within
    # it): never counted, or they would be the majority
    doctored = json.loads((keys / "clerk.keystore").read_bytes())
    doctored["kdf"]["opslimit"] = MAX_LIMITS.opslimit + 1
    for n in range(8):
        (keys / f"aac{n}.keystore").write_text(json.dumps(doctored))
    opened = Office(staffed.paths.data_dir, clock=clock, kdf=KdfLimits(KDF_PRESETS["min"].opslimit + 2, 8192 * 1024))
    assert accounts._keystore_limits(opened) == KDF_PRESETS["min"]
    # and the cost is charged: an unknown name is answered like a wrong password
    with pytest.raises(InvalidPassword) as unknown:
        login(opened, "nobody", "some-password-123")
    assert str(unknown.value) == "Wrong password for 'nobody'; 4 tries left before the account locks."
    # no keystore it can read: the office's own default
    for path in keys.glob("*.keystore"):
        path.unlink()
    (keys / "aaa.keystore").write_bytes(b"damaged")
    fresh = Office(staffed.paths.data_dir, clock=clock, kdf=other)
    assert accounts._keystore_limits(fresh) == other


def test_a_wrong_password_and_an_unknown_name_are_audited_apart(staffed: Office) -> None:
    """The officer sees the same answer for both; the audit trail tells the administrator which it was."""
    with pytest.raises(InvalidPassword):
        login(staffed, "clerk", "not-the-password-0000")
    assert last_attempt(staffed, "clerk") == ("failed", "wrong password")
    with pytest.raises(InvalidPassword):
        login(staffed, "nobody", "not-the-password-0000")
    assert last_attempt(staffed, "nobody") == ("failed", "unknown user 'nobody'")


def test_the_four_eyes_refusal_is_audited_and_says_what(session_of: Callable[[str], Session], staffed: Office) -> None:
    supervisor = session_of("super")
    supervisor.require_not_own("clerk", "request.decide", "request 7")  # someone else's: allowed
    with pytest.raises(PermissionDenied) as refused:
        supervisor.require_not_own("super", "request.decide", "request 7", "申请 7")
    assert str(refused.value) == "You made 申请 7 yourself; another supervisor must decide it (four-eyes rule)."
    with pytest.raises(PermissionDenied) as plain:
        supervisor.require_not_own("super", "review.decide", "review 3")
    assert str(plain.value) == "You made review 3 yourself; another supervisor must decide it (four-eyes rule)."
    rows = staffed.db.execute(
        "SELECT officer, action, outcome, detail FROM audit_full WHERE outcome = 'refused' ORDER BY id DESC LIMIT 2"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("super", "review.decide", "refused", "own review 3"),
        ("super", "request.decide", "refused", "own request 7"),
    ]
