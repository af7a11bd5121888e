"""Officer administration at its edges: every security setting's range to the unit, the audit trail's order and
limit, the officer list's lock column, a changed password, and the sentences that say what to do.

Written to kill the mutants of console/core/officers.py that tests/core/test_accounts.py and
tests/core/test_permissions.py let live (docs/testing.md, "Mutation score").
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from console.core import events, officers
from console.core.accounts import Session, login
from console.core.errors import AccountLocked, Conflict, InvalidPassword, ValidationError
from console.core.office import Office
from tests.conftest import PASSWORDS, FakeClock

RANGES = {"lockout_threshold": (3, 20), "lockout_minutes": (1, 1440), "session_idle_minutes": (1, 120)}
MEANINGS = {
    "lockout_threshold": "wrong passwords before an account locks",
    "lockout_minutes": "minutes an account stays locked",
    "session_idle_minutes": "minutes without activity before a session ends",
}


def last_event(office: Office) -> tuple[str, str, dict[str, object]]:
    kind, actor, entry = office.db.execute(
        "SELECT type, officer, entry FROM events ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return str(kind), str(actor), events.decode_entry(bytes(entry))["clear"]


def last_audit(office: Office) -> tuple[str, str, str, str]:
    row = office.db.execute(
        "SELECT officer, action, outcome, detail FROM audit_full ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return str(row[0]), str(row[1]), str(row[2]), str(row[3])


def test_the_settings_table_is_the_documented_one() -> None:
    assert {key: (low, high) for key, (low, high, _) in officers.SETTINGS.items()} == RANGES
    assert {key: meaning for key, (_, _, meaning) in officers.SETTINGS.items()} == MEANINGS


@pytest.mark.parametrize("key", sorted(RANGES))
def test_each_setting_accepts_its_range_and_refuses_one_beyond(
    key: str, session_of: Callable[[str], Session], staffed: Office
) -> None:
    admin = session_of("admin")
    low, high = RANGES[key]
    for value in (low, high):
        settings = officers.set_office_setting(admin, key, value)
        assert settings == officers.office_settings(admin)
        assert settings[key] == value
        assert int(staffed.setting(key)) == value
        assert last_event(staffed) == ("settings.changed", "admin", {"key": key, "value": value})
        assert last_audit(staffed)[1:] == ("settings.changed", "ok", f"{key} = {value}")
    for value in (low - 1, high + 1):
        with pytest.raises(ValidationError) as refused:
            officers.set_office_setting(admin, key, value)
        assert refused.value.field == "value"
        assert str(refused.value) == f"{key} ({MEANINGS[key]}) must be {low} to {high}; got {value}."
        assert officers.office_settings(admin)[key] == high  # unchanged


def test_an_unknown_setting_is_named_with_the_choices(session_of: Callable[[str], Session]) -> None:
    with pytest.raises(ValidationError) as refused:
        officers.set_office_setting(session_of("admin"), "lockout_hours", 3)
    assert refused.value.field == "setting"
    assert str(refused.value) == (
        "Unknown setting 'lockout_hours'; choose one of lockout_threshold, lockout_minutes, session_idle_minutes."
    )


def test_settings_come_back_as_whole_numbers(session_of: Callable[[str], Session]) -> None:
    admin = session_of("admin")
    settings = officers.set_office_setting(admin, "lockout_minutes", 45)
    assert sorted(settings) == sorted(RANGES)
    assert all(type(value) is int for value in settings.values())
    assert officers.set_office_setting(admin, "lockout_minutes", 46)["lockout_minutes"] == 46  # updated in place


def test_the_audit_trail_is_newest_first_and_limited(session_of: Callable[[str], Session], staffed: Office) -> None:
    admin = session_of("admin")
    everything = officers.audit_trail(admin, limit=100_000)
    ids = [row["id"] for row in everything]
    assert (
        ids == sorted(ids, reverse=True) and len(ids) == staffed.db.execute("SELECT count(*) FROM audit").fetchone()[0]
    )
    assert list(everything[0]) == ["id", "time", "officer", "action", "outcome", "detail", "event_seq"]
    assert officers.audit_trail(admin, limit=1) == everything[:1]
    assert officers.audit_trail(admin, limit=3) == everything[:3]
    assert len(officers.audit_trail(admin)) == min(200, len(everything))
    with pytest.raises(ValidationError) as refused:
        officers.audit_trail(admin, limit=0)
    assert refused.value.field == "limit"
    assert str(refused.value) == "The number of audit entries must be at least 1."


def test_the_default_audit_limit_is_200(session_of: Callable[[str], Session], staffed: Office) -> None:
    admin = session_of("admin")
    with staffed.db.conn:
        staffed.db.conn.executemany(
            "INSERT INTO audit (time, officer, action, outcome, detail) VALUES (?, 'admin', 'test', 'ok', '')",
            [("2026-11-30T09:00:00Z",)] * 250,
        )
    assert len(officers.audit_trail(admin)) == 200
    assert len(officers.audit_trail(admin, limit=201)) == 201


def test_the_officer_list_shows_a_lock_only_while_it_lasts(
    session_of: Callable[[str], Session], staffed: Office, clock: FakeClock
) -> None:
    admin = session_of("admin")
    officers.set_office_setting(admin, "lockout_threshold", 3)
    officers.set_office_setting(admin, "lockout_minutes", 5)
    for _ in range(3):
        with pytest.raises((InvalidPassword, AccountLocked)):
            login(staffed, "clerk", "not-the-password-0000")
    listed = {row["username"]: row for row in officers.list_officers(admin)}
    assert [row["username"] for row in officers.list_officers(admin)] == sorted(listed)
    assert set(listed["clerk"]) == {
        "username",
        "full_name",
        "role",
        "status",
        "last_login",
        "created_at",
        "created_by",
        "locked_until",
    }
    assert listed["clerk"]["locked_until"] == "2026-11-30T09:05:00Z"
    assert listed["clerk2"]["locked_until"] is None
    assert (listed["clerk"]["role"], listed["clerk"]["status"], listed["clerk"]["created_by"]) == (
        "clerk",
        "active",
        "admin",
    )
    clock.advance(minutes=5)  # the lock ends at that second: no longer shown
    admin = session_of("admin")
    assert {row["username"]: row for row in officers.list_officers(admin)}["clerk"]["locked_until"] is None


def test_a_changed_password_opens_the_keystore_and_the_old_one_does_not(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    clerk = session_of("clerk")
    officers.change_password(clerk, "a-quiet-harbour-5150")
    assert last_audit(staffed) == ("clerk", "password.change", "ok", "")
    assert login(staffed, "clerk", "a-quiet-harbour-5150").username == "clerk"
    with pytest.raises(InvalidPassword):
        login(staffed, "clerk", PASSWORDS["clerk"])
    with pytest.raises(ValidationError):
        officers.change_password(clerk, "clerk-clerk-clerk-1")  # the password rules still apply


def test_a_taken_username_is_refused_with_its_name(session_of: Callable[[str], Session]) -> None:
    with pytest.raises(Conflict) as refused:
        officers.add_officer(
            session_of("admin"), username="clerk", role="clerk", full_name="Other Clerk", password="fresh-pine-6021"
        )
    assert str(refused.value) == "An officer named 'clerk' already exists; choose another username."


def test_an_unknown_role_names_the_role_field(session_of: Callable[[str], Session]) -> None:
    with pytest.raises(ValidationError) as refused:
        officers.add_officer(
            session_of("admin"), username="newbie", role="wizard", full_name="New Person", password="fresh-pine-6021"
        )
    assert refused.value.field == "role"
    assert "wizard" in str(refused.value)
