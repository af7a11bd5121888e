"""The puppet rule (console/core/independence.py) at its edges: who controls an officer, for exactly how long,
from which events, and what a refusal says and audits.

Written to kill the mutants of independence.py that the flows in tests/security/test_tidy_failures.py let
live (docs/testing.md, "Mutation score"): the limits of the control period and of the set-up day are each
tested one second inside and one second outside.
"""

from __future__ import annotations

import sqlite3

import cbor2
import nacl.signing
import pytest

from console.core import cose, independence, officers
from console.core.accounts import Session, login
from console.core.errors import PermissionDenied
from console.core.office import Office
from tests.conftest import PASSWORDS, FakeClock


def password_of(username: str) -> str:
    return f"marionette-{len(username)}-strings-4471"


def enrol(admin: Session, username: str, role: str = "clerk") -> None:
    officers.add_officer(
        admin,
        username=username,
        role=role,
        full_name=username.rstrip("0123456789").title() + " Person",
        password=password_of(username),
    )


def control(office: Office, username: str) -> set[str]:
    return independence.controllers(office.db.conn, username, office.clock())


def refusals(office: Office) -> list[tuple[str, str, str]]:
    rows = office.db.execute("SELECT officer, action, detail FROM audit_full WHERE outcome = 'refused' ORDER BY id")
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows.fetchall()]


@pytest.fixture
def admin(office: Office, clock: FakeClock) -> Session:
    clock.advance(days=2)  # past the office's set-up day
    return login(office, "admin", PASSWORDS["admin"])


def test_the_enroller_controls_for_exactly_the_control_period(office: Office, clock: FakeClock, admin: Session) -> None:
    enrol(admin, "pat")
    assert control(office, "pat") == {"pat", "admin"}
    clock.advance(days=independence.CONTROL_DAYS)  # the enrolment is exactly CONTROL_DAYS old: still counts
    assert control(office, "pat") == {"pat", "admin"}
    clock.advance(seconds=1)
    assert control(office, "pat") == {"pat"}
    assert control(office, "admin") == {"admin"}  # nobody enrolled the founding administrator after set-up


def test_enrolments_of_the_set_up_day_do_not_count(office: Office, clock: FakeClock) -> None:
    clock.advance(hours=independence.SETUP_HOURS, seconds=-1)  # one second before the set-up day ends
    admin = login(office, "admin", PASSWORDS["admin"])
    enrol(admin, "early")
    clock.advance(seconds=1)  # the set-up day's last second has passed: this one counts
    enrol(admin, "ontime")
    assert control(office, "early") == {"early"}
    assert control(office, "ontime") == {"ontime", "admin"}
    set_up = office.db.execute("SELECT created_at FROM events ORDER BY seq LIMIT 1").fetchone()[0]
    assert set_up == "2026-11-30T09:00:00Z"  # the clock the office was made with (tests/conftest.py)


def test_a_password_reset_makes_the_resetter_a_controller_again(
    office: Office, clock: FakeClock, admin: Session
) -> None:
    enrol(admin, "admin2", "administrator")
    enrol(admin, "pat")
    clock.advance(days=independence.CONTROL_DAYS + 1)
    assert control(office, "pat") == {"pat"}
    second = login(office, "admin2", password_of("admin2"))
    officers.reset_password(second, "pat", "a-brand-new-password-5521")
    assert control(office, "pat") == {"pat", "admin2"}
    officers.unlock_officer(second, "pat")  # other events naming the officer give no control
    assert control(office, "pat") == {"pat", "admin2"}


def test_a_changed_own_password_gives_nobody_control(office: Office, clock: FakeClock, admin: Session) -> None:
    enrol(admin, "pat")
    clock.advance(days=independence.CONTROL_DAYS + 1)
    officers.change_password(login(office, "pat", password_of("pat")), "chosen-by-herself-8812")
    assert control(office, "pat") == {"pat"}


def events_table() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, officer TEXT NOT NULL, "
        "created_at TEXT NOT NULL, entry BLOB NOT NULL)"
    )
    return conn


def test_no_events_means_only_oneself(clock: FakeClock) -> None:
    assert independence.controllers(events_table(), "pat", clock()) == {"pat"}


def test_an_undecodable_entry_names_nobody_and_does_not_stop_the_rest(office: Office, admin: Session) -> None:
    enrol(admin, "pat")
    conn = events_table()
    for seq, kind, actor, created, entry in office.db.execute(
        "SELECT seq, type, officer, created_at, entry FROM events ORDER BY seq"
    ).fetchall():
        conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?)", (seq, kind, actor, created, entry))
    last = conn.execute("SELECT max(seq), max(created_at) FROM events").fetchone()
    conn.execute(  # a damaged enrolment before the good one: skipped, the good one still found
        "INSERT INTO events (seq, type, officer, created_at, entry) VALUES (?, 'officer.enrolled', 'mallory', ?, ?)",
        (last[0] + 1, last[1], b"\xff not an entry"),
    )
    conn.execute(  # an entry whose clear part is not a mapping: skipped too
        "INSERT INTO events (seq, type, officer, created_at, entry) VALUES (?, 'officer.enrolled', 'trent', ?, ?)",
        (last[0] + 2, last[1], cose.sign1(nacl.signing.SigningKey.generate(), cbor2.dumps({"clear": ["pat"]}))),
    )
    assert independence.controllers(conn, "pat", office.clock()) == {"pat", "admin"}


def test_a_refusal_names_both_officers_the_controller_and_the_period(
    office: Office, clock: FakeClock, admin: Session
) -> None:
    enrol(admin, "pclerk")
    enrol(admin, "psuper", "supervisor")
    decider = login(office, "psuper", password_of("psuper"))
    with pytest.raises(PermissionDenied) as refused:
        independence.require_independent(decider, "pclerk", "request.decide", "request 7", "Request 7")
    assert str(refused.value) == (
        "pclerk and psuper were both enrolled (or given a password) by admin in the last 14 days, so one person may "
        "hold both accounts; Request 7 must be decided by an officer whom admin did not enrol, e.g. one enrolled "
        "by a second administrator."
    )
    assert refusals(office) == [("psuper", "request.decide", "request 7: pclerk and psuper both controlled by admin")]


def test_two_shared_controllers_are_named_in_order(office: Office, clock: FakeClock, admin: Session) -> None:
    enrol(admin, "zed", "administrator")
    enrol(admin, "pclerk")
    enrol(admin, "psuper", "supervisor")
    zed = login(office, "zed", password_of("zed"))
    officers.reset_password(zed, "pclerk", "reset-by-zed-one-7731")
    officers.reset_password(zed, "psuper", "reset-by-zed-two-7732")
    decider = login(office, "psuper", "reset-by-zed-two-7732")
    with pytest.raises(PermissionDenied, match=r"by admin, zed in the last 14 days") as refused:
        independence.require_independent(decider, "pclerk", "review.decide", "registration 3", "Registration 3")
    assert "whom admin, zed did not enrol" in str(refused.value)
    assert refusals(office)[-1] == (
        "psuper",
        "review.decide",
        "registration 3: pclerk and psuper both controlled by admin, zed",
    )


def test_independent_officers_pass_and_nothing_is_audited(office: Office, clock: FakeClock, admin: Session) -> None:
    enrol(admin, "admin2", "administrator")
    enrol(admin, "pclerk")
    second = login(office, "admin2", password_of("admin2"))
    enrol(second, "osuper", "supervisor")
    decider = login(office, "osuper", password_of("osuper"))
    independence.require_independent(decider, "pclerk", "request.decide", "request 1", "Request 1")
    # the decider's own control of their account is not a shared controller; nor is the requester's
    clock.advance(days=independence.CONTROL_DAYS, seconds=1)
    decider = login(office, "osuper", password_of("osuper"))
    independence.require_independent(decider, "osuper", "request.decide", "request 2", "Request 2")
    assert refusals(office) == []


def test_control_expires_to_a_valid_pair(office: Office, clock: FakeClock, admin: Session) -> None:
    enrol(admin, "pclerk")
    enrol(admin, "psuper", "supervisor")
    clock.advance(days=independence.CONTROL_DAYS, seconds=1)
    decider = login(office, "psuper", password_of("psuper"))
    independence.require_independent(decider, "pclerk", "request.decide", "request 1", "Request 1")
    assert refusals(office) == []
