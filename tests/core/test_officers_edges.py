"""Officer administration at its edges: every security setting's range to the unit, the audit trail's order and
limit, the officer list's lock column, a changed password, and the sentences that say what to do.

Written to kill the mutants of console/core/officers.py that tests/core/test_accounts.py and
tests/core/test_permissions.py let live (docs/testing.md, "Mutation score").
"""

from __future__ import annotations

from collections.abc import Callable

import nacl.signing
import pytest

from console.core import events, i18n, officers
from console.core.accounts import Session, login
from console.core.errors import AccountLocked, Conflict, InvalidPassword, PermissionDenied, ValidationError
from console.core.office import Office
from console.core.trust import kid_text
from console.core.truth import TamperedError
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


# --- round four: the survivors of disable_officer, reset_password and _signed_role -------------------------------

SECOND_ADMIN_PASSWORD = "violet-summit-2024"


def second_admin(admin: Session, office: Office) -> Session:
    officers.add_officer(
        admin, username="admin2", role="administrator", full_name="Second Admin", password=SECOND_ADMIN_PASSWORD
    )
    return login(office, "admin2", SECOND_ADMIN_PASSWORD)


@pytest.mark.parametrize(
    ("service", "call"),
    [
        ("disable_officer", lambda s: officers.disable_officer(s, "clerk2")),
        ("reset_password", lambda s: officers.reset_password(s, "clerk2", "fresh-pine-6021")),
        ("unlock_officer", lambda s: officers.unlock_officer(s, "clerk2")),
        ("set_office_setting", lambda s: officers.set_office_setting(s, "clerk2", 5)),
    ],
)
def test_a_refusal_names_the_officer_it_was_about(
    service: str, call: Callable[[Session], None], session_of: Callable[[str], Session], staffed: Office
) -> None:
    """The audit trail and the sentence say whose account (or which setting) the clerk tried to change, not just
    that they tried. (The setting is named "clerk2" too, so one expected sentence serves every row: the check
    comes before the setting's name is looked at.)"""
    with pytest.raises(PermissionDenied) as refused:
        call(session_of("clerk"))
    assert (
        str(refused.value) == "A clerk may not do this (officer.manage: clerk2); ask an officer whose role allows it."
    )
    assert last_audit(staffed) == ("clerk", "officer.manage", "refused", "role clerk lacks officer.manage (clerk2)")


def test_disabling_is_signed_audited_and_takes_the_wraps(session_of: Callable[[str], Session], staffed: Office) -> None:
    officers.disable_officer(session_of("admin"), "super")
    kind, actor, clear = last_event(staffed)
    assert (kind, actor, clear) == ("officer.disabled", "admin", {"username": "super"})
    entry = staffed.db.execute("SELECT entry FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert events.decode_entry(bytes(entry))["office"] == "HQ-01"
    assert last_audit(staffed) == ("admin", "officer.disabled", "ok", "disabled super")
    assert staffed.db.execute("SELECT count(*) FROM key_wraps WHERE username = 'super'").fetchone()[0] == 0
    assert staffed.db.execute("SELECT count(*) FROM key_wraps WHERE username = 'super2'").fetchone()[0] > 0


def test_disabling_twice_or_oneself_is_refused_with_the_sentence(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    admin = session_of("admin")
    officers.disable_officer(admin, "clerk")
    count = staffed.db.execute("SELECT count(*) FROM events").fetchone()[0]
    with pytest.raises(Conflict) as twice:
        officers.disable_officer(admin, "clerk")
    assert str(twice.value) == "The officer 'clerk' is already disabled."
    with pytest.raises(Conflict) as own:
        officers.disable_officer(admin, "admin")
    assert str(own.value) == "You cannot disable your own account; ask another administrator."
    assert staffed.db.execute("SELECT count(*) FROM events").fetchone()[0] == count


def test_an_administrator_disables_another_administrator(session_of: Callable[[str], Session], staffed: Office) -> None:
    admin = session_of("admin")
    second_admin(admin, staffed)
    officers.disable_officer(admin, "admin2")
    assert staffed.officer_row("admin2")["status"] == "disabled"
    assert not staffed.paths.officer_keystore("admin2").exists()


def test_two_administrators_disabling_each_other_at_once_leave_one(
    session_of: Callable[[str], Session], staffed: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """admin2's call passes its permission check; admin disables admin2 before admin2's transaction starts. The
    count inside the transaction must see it: the office is never left without an active administrator."""
    admin = session_of("admin")
    admin2 = second_admin(admin, staffed)
    real = officers._signed_role

    def admin_acts_in_between(session: Session, username: str) -> object:
        monkeypatch.setattr(officers, "_signed_role", real)
        officers.disable_officer(admin, "admin2")
        return real(session, username)

    monkeypatch.setattr(officers, "_signed_role", admin_acts_in_between)
    with pytest.raises(Conflict) as refused:
        officers.disable_officer(admin2, "admin")
    assert str(refused.value) == "This is the last active administrator; enrol another one first."
    statuses = dict(staffed.db.execute("SELECT username, status FROM officers WHERE role = 'administrator'").fetchall())
    assert statuses == {"admin": "active", "admin2": "disabled"}
    assert staffed.paths.officer_keystore("admin").exists()


def test_two_administrators_disabling_the_same_officer_at_once(
    session_of: Callable[[str], Session], staffed: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = session_of("admin")
    admin2 = second_admin(admin, staffed)
    real = officers._signed_role

    def admin_acts_in_between(session: Session, username: str) -> object:
        monkeypatch.setattr(officers, "_signed_role", real)
        officers.disable_officer(admin, "clerk")
        return real(session, username)

    monkeypatch.setattr(officers, "_signed_role", admin_acts_in_between)
    with pytest.raises(Conflict) as refused:
        officers.disable_officer(admin2, "clerk")
    assert str(refused.value) == "The officer 'clerk' is already disabled."
    assert staffed.db.execute("SELECT count(*) FROM events WHERE type = 'officer.disabled'").fetchone()[0] == 1


def test_an_officers_row_added_with_sqlite_is_refused_with_the_sentence(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    admin = session_of("admin")
    with staffed.db.conn:
        staffed.db.conn.execute(
            "INSERT INTO officers (username, full_name, role, created_at) "
            "VALUES ('ghost', 'Ghost', 'clerk', '2026-11-30T09:00:00Z')"
        )
    expected = (
        "The officers row of 'ghost' in office.db has no signed enrolment behind it: it was added outside the "
        "console. Nothing was done."
    )
    for call in (
        lambda: officers.disable_officer(admin, "ghost"),
        lambda: officers.reset_password(admin, "ghost", "fresh-pine-6021"),
    ):
        with pytest.raises(TamperedError) as refused:
            call()
        assert str(refused.value) == expected
    assert staffed.officer_row("ghost")["status"] == "active"


def test_a_session_keeps_to_the_root_key_pinned_at_login(
    session_of: Callable[[str], Session], staffed: Office, clock: FakeClock
) -> None:
    """office.db's authority root replaced after login: the session's checks still use the key its keystore pins,
    so the signed roster still reads (replayed under the replaced key, nothing would verify)."""
    admin = session_of("admin")
    root = bytes(staffed.authority()["root_public"])
    with staffed.db.conn:
        staffed.db.conn.execute(
            "UPDATE authority SET root_public = ? WHERE id = 1", (bytes(nacl.signing.SigningKey.generate().verify_key),)
        )
    officers.reset_password(admin, "clerk", "reset-by-admin-42")
    officers.disable_officer(admin, "clerk2")
    assert staffed.officer_row("clerk2")["status"] == "disabled"
    clock.advance(seconds=1)
    officers.rotate_office_key(admin)
    # the new key was wrapped to the officers the pinned roster names: the clerk (new key) opens it
    with staffed.db.conn:
        staffed.db.conn.execute("UPDATE authority SET root_public = ? WHERE id = 1", (root,))
    clerk = login(staffed, "clerk", "reset-by-admin-42")
    assert bytes(clerk.office_signing_key().verify_key) == bytes(staffed.current_office_key()["public_key"])


def test_a_reset_password_is_refused_for_a_disabled_officer_or_one_naming_the_user(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    admin = session_of("admin")
    officers.disable_officer(admin, "clerk")
    keys = staffed.db.execute("SELECT count(*) FROM officer_keys").fetchone()[0]
    with pytest.raises(Conflict) as disabled:
        officers.reset_password(admin, "clerk", "reset-by-admin-42")
    assert str(disabled.value) == "The officer 'clerk' is disabled; a disabled account cannot get a new password."
    with pytest.raises(ValidationError) as named:
        officers.reset_password(admin, "clerk2", "my-clerk2-secret-99")
    assert str(named.value) == "The password must not contain the username."
    assert staffed.db.execute("SELECT count(*) FROM officer_keys").fetchone()[0] == keys


def test_a_reset_password_lifts_the_lockout_and_is_signed_and_audited(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    admin = session_of("admin")
    officers.set_office_setting(admin, "lockout_threshold", 3)
    for _ in range(3):
        with pytest.raises((InvalidPassword, AccountLocked)):
            login(staffed, "clerk", "not-the-password-0000")
    with pytest.raises(AccountLocked):
        login(staffed, "clerk", PASSWORDS["clerk"])
    officers.reset_password(admin, "clerk", "reset-by-admin-42")
    kind, actor, clear = last_event(staffed)
    assert (kind, actor, sorted(clear)) == ("officer.key-replaced", "admin", ["certificate", "role", "username"])
    assert (clear["username"], clear["role"]) == ("clerk", "clerk")
    assert last_audit(staffed) == ("admin", "officer.key-replaced", "ok", "password reset for clerk")
    unlock = staffed.db.execute("SELECT officer, outcome, detail FROM audit WHERE action = 'login.unlock'").fetchall()
    assert [tuple(row) for row in unlock] == [("clerk", "ok", "by admin")]
    assert login(staffed, "clerk", "reset-by-admin-42").username == "clerk"  # at once, no waiting for the lock


ZH_MEANINGS = {
    "lockout_threshold": "账户锁定前允许的密码错误次数",
    "lockout_minutes": "账户锁定的分钟数",
    "session_idle_minutes": "会话因无操作而结束前的分钟数",
}


@pytest.mark.parametrize("key", sorted(RANGES))
def test_a_setting_out_of_range_is_explained_in_chinese(key: str, session_of: Callable[[str], Session]) -> None:
    """The meaning in the sentence is translated too (the SETTINGS table's English is only the fallback)."""
    admin = session_of("admin")
    low, high = RANGES[key]
    i18n.set_language("zh_CN")
    try:
        with pytest.raises(ValidationError) as refused:
            officers.set_office_setting(admin, key, high + 1)
    finally:
        i18n.set_language(None)
    assert str(refused.value) == f"{key}（{ZH_MEANINGS[key]}）必须在 {low} 至 {high} 之间，当前为 {high + 1}。"


def test_a_setting_change_is_signed_by_this_office(session_of: Callable[[str], Session], staffed: Office) -> None:
    officers.set_office_setting(session_of("admin"), "lockout_minutes", 30)
    entry = staffed.db.execute("SELECT entry FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    payload = events.decode_entry(bytes(entry))
    assert (payload["office"], payload["clear"]) == ("HQ-01", {"key": "lockout_minutes", "value": 30})


def test_an_unlock_is_signed_audited_and_names_the_administrator(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    admin = session_of("admin")
    officers.set_office_setting(admin, "lockout_threshold", 3)
    for _ in range(3):
        with pytest.raises((InvalidPassword, AccountLocked)):
            login(staffed, "clerk", "not-the-password-0000")
    officers.unlock_officer(admin, "clerk")
    kind, actor, clear = last_event(staffed)
    assert (kind, actor, clear) == ("officer.unlocked", "admin", {"username": "clerk"})
    entry = staffed.db.execute("SELECT entry FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert events.decode_entry(bytes(entry))["office"] == "HQ-01"
    assert last_audit(staffed) == ("admin", "officer.unlocked", "ok", "unlocked clerk")
    unlock = staffed.db.execute("SELECT officer, outcome, detail FROM audit WHERE action = 'login.unlock'").fetchall()
    assert [tuple(row) for row in unlock] == [("clerk", "ok", "by admin")]
    assert login(staffed, "clerk", PASSWORDS["clerk"]).username == "clerk"


def test_disabling_an_officer_whose_keystore_is_already_gone(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    """A keystore lost from the disk (or removed by a tidy-up) does not stop the administrator taking access away."""
    staffed.paths.officer_keystore("clerk").unlink()
    officers.disable_officer(session_of("admin"), "clerk")
    assert staffed.officer_row("clerk")["status"] == "disabled"


def test_a_rotation_is_signed_by_this_office_and_not_twice_in_a_second(
    session_of: Callable[[str], Session], staffed: Office, clock: FakeClock
) -> None:
    clock.advance(days=1)  # the office key was made at set-up, this very second of the fake clock
    admin = session_of("admin")
    result = officers.rotate_office_key(admin)
    current = staffed.current_office_key()
    assert result == {"office": "HQ-01", "kid": kid_text(current["kid"]), "valid_from": "2026-12-01T09:00:00Z"}
    kind, actor, clear = last_event(staffed)
    assert (kind, actor, clear["office"]) == ("office.key-rotated", "admin", "HQ-01")
    assert last_audit(staffed) == ("admin", "office.key-rotated", "ok", f"new office key {bytes(current['kid']).hex()}")
    # the rotating session signs with the new key at once, without logging in again
    assert bytes(admin.office_signing_key().verify_key) == bytes(current["public_key"])
    entry = staffed.db.execute("SELECT entry FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert events.decode_entry(bytes(entry))["office"] == "HQ-01"
    with pytest.raises(Conflict) as again:
        officers.rotate_office_key(admin)
    assert str(again.value) == (
        "The office key was replaced less than a second ago; wait a moment before rotating again."
    )
    assert kid_text(staffed.current_office_key()["kid"]) == result["kid"]


def test_a_rotation_without_the_authority_key_is_refused_with_the_sentence(
    session_of: Callable[[str], Session], staffed: Office, clock: FakeClock
) -> None:
    """An administrator whose authority wrap is gone (deleted with sqlite3) cannot certify a new office key; the
    sentence says what is missing, and nothing changes."""
    with staffed.db.conn:
        staffed.db.conn.execute("DELETE FROM key_wraps WHERE username = 'admin' AND secret = 'authority'")
    clock.advance(days=1)
    admin = session_of("admin")
    assert admin.authority_secrets is None and admin.office_secrets is not None
    before = staffed.current_office_key()["kid"]
    with pytest.raises(PermissionDenied) as refused:
        officers.rotate_office_key(admin)
    assert str(refused.value) == "Your keystore lacks the authority key needed to certify office keys."
    assert staffed.current_office_key()["kid"] == before
