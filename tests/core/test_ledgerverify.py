"""`ledger verify`, the database half (console/core/ledgerverify.py), in the test process: an office that has
done every kind of signed work, then one SQL edit at a time (rolled back after), and the exact faults named.

tests/node/test_ledger_cli.py makes the same kind of edits through the command line (a child process, which
mutation testing cannot reach, and which only asserts that the edited table is named); here each edit's faults
are compared whole, table, key and sentence, and so is the clean office (no fault with or without the records
key). Written for the mutation score of ledgerverify.py (docs/testing.md).
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import nacl.public
import pytest
from PIL import Image

from console.core import issuance, ledgerverify, officers, registry, requests
from console.core.accounts import Session, login
from console.core.errors import PermissionDenied
from console.core.keystore import KDF_PRESETS
from console.core.ledgerverify import Fault
from console.core.office import Office
from console.core.registry import PersonInput
from console.core.setup import init_office
from tests import rawdb
from tests.conftest import PASSWORDS, ROLES, FakeClock, make_setup


def _photo(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 50), (shade, 90, 120)).save(out, "JPEG")
    return out.getvalue()


@dataclass
class Worked:
    db: Path
    records: nacl.public.PrivateKey
    numbers: list[str]
    credentials: dict[str, bytes]  # id number -> its current credential id
    superseded: bytes
    revoke: int
    pending: int
    rejected: int
    held: list[int]  # accepted, rejected, pending


@pytest.fixture(scope="module")
def worked(tmp_path_factory: pytest.TempPathFactory) -> Worked:
    """One office with every kind of event verify_database replays: enrolments, a key reset, a disabled officer,
    an office key rotation, single and batch registrations (one with a photo), single and batch issues, a
    re-issue, and requests approved, rejected and pending."""
    clock = FakeClock()
    folder = tmp_path_factory.mktemp("worked") / "office"
    init_office(folder, make_setup(), kdf=KDF_PRESETS["min"], clock=clock)
    office = Office(folder, clock=clock, kdf=KDF_PRESETS["min"])
    admin = login(office, "admin", PASSWORDS["admin"])
    for username, role in ROLES.items():
        officers.add_officer(
            admin, username=username, role=role, full_name="Some Officer", password=PASSWORDS[username]
        )
    clerk = login(office, "clerk", PASSWORDS["clerk"])
    numbers = [
        str(
            registry.register(clerk, PersonInput("Tamm", "Mari", "1981-05-17", "F", "EST", photo=_photo(10)))[
                "id_number"
            ]
        ),
        str(registry.register(clerk, PersonInput("Kask", "Jaan", "1975-02-03", "M", "FIN"))["id_number"]),
    ]
    batch = registry.register_batch(
        clerk,
        [PersonInput("Lepp", "Anu", "1990-07-30", "F", "EST"), PersonInput("Saar", "Peeter", "1960-12-01", "M", "LVA")],
    )
    numbers += [str(n) for n in batch.registered]
    first = issuance.issue(clerk, numbers[0]).credential_id
    issuance.issue(clerk, numbers[1])
    issuance.issue_batch(clerk, numbers[2:])
    clock.advance(seconds=2)
    issuance.issue(clerk, numbers[0])  # supersedes the first
    credentials = {n: bytes(issuance.current_credential(clerk, n)["credential_id"]) for n in numbers}
    revoke = int(requests.create_request(clerk, "revoke", numbers[1], "stolen")["request_id"])
    requests.approve(login(office, "super", PASSWORDS["super"]), revoke)
    rejected = int(requests.create_request(clerk, "suspend", numbers[2], "holder abroad")["request_id"])
    requests.reject(login(office, "super", PASSWORDS["super"]), rejected, "no proof")
    pending = int(requests.create_request(clerk, "suspend", numbers[3], "holder abroad")["request_id"])
    held = [
        int(registry.register(clerk, PersonInput("Tamm", "Mari", "1981-05-17", "F", "EST"))["review_id"]),
        int(registry.register(clerk, PersonInput("Kask", "Jaan", "1975-02-03", "M", "FIN"))["review_id"]),
        int(registry.register(clerk, PersonInput("Lepp", "Anu", "1990-07-30", "F", "EST"))["review_id"]),
    ]
    supervisor = login(office, "super", PASSWORDS["super"])
    numbers.append(str(registry.accept_review(supervisor, held[0], "a different person")["id_number"]))
    registry.reject_review(supervisor, held[1], "the same person")
    officers.reset_password(admin, "super2", "stone-lantern-9999")
    officers.disable_officer(admin, "clerk2")
    clock.advance(seconds=2)
    officers.rotate_office_key(admin)
    office.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Worked(
        folder / "office.db",
        admin.office_keys().records_key,
        numbers,
        credentials,
        bytes.fromhex(first),
        revoke,
        pending,
        rejected,
        held,
    )


@pytest.fixture
def conn(worked: Worked) -> Iterator[sqlite3.Connection]:
    """A connection in a transaction that is rolled back after the test: every edit is undone."""
    # As someone with a password and `sqlcipher` (issue 17): the registry's tables are in personal.db.
    raw = rawdb.connect(worked.db.parent)
    raw.execute("BEGIN")
    yield raw
    raw.execute("ROLLBACK")
    raw.close()


# name -> (the edit, the faults it must cause: (table, key, sentence)). A key starting with SELECT is read from
# the database before the edit (credential ids, key ids, ID numbers and event numbers are not fixed).
DISABLED_EVENT = "(SELECT seq FROM events WHERE type = 'officer.disabled')"
REVOKED = "SELECT lower(hex(credential_id)) FROM credentials WHERE status = 'revoked'"
SUPERSEDED = "SELECT lower(hex(credential_id)) FROM credentials WHERE status = 'superseded'"
CASES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "officer-role": (
        "UPDATE officers SET role = 'administrator' WHERE username = 'clerk'",
        [("officers", "clerk", "role is 'administrator' but the signed enrolment says 'clerk'")],
    ),
    "officer-status": (
        "UPDATE officers SET status = 'active' WHERE username = 'clerk2'",
        [("officers", "clerk2", "status is 'active' but the signed events say 'disabled'")],
    ),
    "officer-added": (
        "INSERT INTO officers (username, full_name, role, created_at) VALUES ('mallory', 'M', 'administrator', 'x')",
        [("officers", "mallory", "no signed enrolment of this officer; the row was added")],
    ),
    "officer-deleted": (
        "DELETE FROM officers WHERE username = 'auditor'",
        [("officers", "auditor", "enrolled in the signed events but the row is missing")],
    ),
    "officer-key-role": (
        "UPDATE officer_keys SET role = 'supervisor' WHERE username = 'clerk'",
        [
            (
                "officer_keys",
                "SELECT lower(hex(kid)) FROM officer_keys WHERE username = 'clerk'",
                "this officer key (or its role) is not the one the signed events certify",
            )
        ],
    ),
    "officer-key-deleted": (
        "DELETE FROM officer_keys WHERE username = 'auditor'",
        [
            (
                "officer_keys",
                "SELECT lower(hex(kid)) FROM officer_keys WHERE username = 'auditor'",
                "certified in the signed events but the row is missing",
            )
        ],
    ),
    "office-key-added": (
        "INSERT INTO office_keys (kid, office_code, public_key, valid_from, certificate) "
        "VALUES (x'0102030405060708', 'HQ-01', zeroblob(32), 'x', x'00')",
        [
            (
                "office_keys",
                "0102030405060708",
                "this office key is not one the authority certified in the signed events",
            )
        ],
    ),
    "office-key-deleted": (
        "DELETE FROM office_keys WHERE valid_until IS NULL",
        [
            (
                "office_keys",
                "SELECT lower(hex(kid)) FROM office_keys WHERE valid_until IS NULL",
                "certified in the signed events but the row is missing",
            )
        ],
    ),
    "credential-status": (
        "UPDATE credentials SET status = 'active' WHERE status = 'revoked'",
        [("credentials", REVOKED, "status is 'active' but the signed events say 'revoked'")],
    ),
    "credential-superseded": (
        "UPDATE credentials SET status = 'active' WHERE status = 'superseded'",
        [("credentials", SUPERSEDED, "status is 'active' but the signed events say 'superseded'")],
    ),
    "credential-kid": (
        "UPDATE credentials SET kid = x'00112233' WHERE status = 'revoked'",
        [("credentials", REVOKED, "the signing key differs from the signed issuance")],
    ),
    "credential-deleted": (
        "DELETE FROM credentials WHERE status = 'superseded'",
        [("credentials", SUPERSEDED, "issued in the signed events but the row is missing")],
    ),
    "request-status": (
        "UPDATE requests SET status = 'approved' WHERE status = 'pending'",
        [
            (
                "requests",
                "SELECT id FROM requests WHERE status = 'pending'",
                "status is 'approved' but the signed events say 'pending'",
            )
        ],
    ),
    "request-action": (
        "UPDATE requests SET action = 'suspend' WHERE status = 'approved'",
        [
            (
                "requests",
                "SELECT id FROM requests WHERE status = 'approved'",
                "the action, credential or requester differs from the signed request",
            )
        ],
    ),
    "request-requester": (
        "UPDATE requests SET requested_by = 'clerk2' WHERE status = 'pending'",
        [
            (
                "requests",
                "SELECT id FROM requests WHERE status = 'pending'",
                "the action, credential or requester differs from the signed request",
            )
        ],
    ),
    "request-decider": (
        "UPDATE requests SET decided_by = 'super2' WHERE status = 'approved'",
        [
            (
                "requests",
                "SELECT id FROM requests WHERE status = 'approved'",
                "decided by another officer than the signed decision says",
            )
        ],
    ),
    "request-rejecter": (
        "UPDATE requests SET decided_by = 'super2' WHERE status = 'rejected'",
        [
            (
                "requests",
                "SELECT id FROM requests WHERE status = 'rejected'",
                "decided by another officer than the signed decision says",
            )
        ],
    ),
    "request-added": (
        "INSERT INTO requests (id, action, credential_id, id_number, reason, status, requested_by, requested_at) "
        "SELECT 99, action, credential_id, id_number, reason, 'pending', requested_by, requested_at FROM requests "
        "WHERE status = 'pending'",
        [("requests", "99", "no signed request; the row was added")],
    ),
    "request-deleted": (
        "DELETE FROM requests WHERE status = 'rejected'",
        [
            (
                "requests",
                "SELECT id FROM requests WHERE status = 'rejected'",
                "made in the signed events but the row is missing",
            )
        ],
    ),
    "review-status": (
        "UPDATE registrations SET status = 'accepted' WHERE status = 'rejected'",
        [
            (
                "registrations",
                "SELECT id FROM registrations WHERE status = 'rejected'",
                "status is 'accepted' but the signed events say 'rejected'",
            )
        ],
    ),
    "review-deleted": (
        "DELETE FROM registrations WHERE status = 'pending-review'",
        [
            (
                "registrations",
                "SELECT id FROM registrations WHERE status = 'pending-review'",
                "held in the signed events but the row is missing",
            )
        ],
    ),
    "audit-deleted": (
        f"DELETE FROM audit WHERE event_seq = {DISABLED_EVENT}",
        [("audit", f"SELECT 'event ' || {DISABLED_EVENT}", "the audit row of this signed event is missing")],
    ),
    "audit-officer": (
        f"UPDATE audit SET officer = 'super2' WHERE event_seq = {DISABLED_EVENT}",
        [("audit", f"SELECT 'event ' || {DISABLED_EVENT}", "the audit row differs from the signed event")],
    ),
    "audit-action": (
        f"UPDATE audit SET action = 'officer.enrolled' WHERE event_seq = {DISABLED_EVENT}",
        [("audit", f"SELECT 'event ' || {DISABLED_EVENT}", "the audit row differs from the signed event")],
    ),
    "event-deleted": (
        f"DELETE FROM events WHERE seq = {DISABLED_EVENT}",
        [
            (
                "events",
                "",
                f"SELECT 'event ' || {DISABLED_EVENT} || ' is missing (the next is ' || ({DISABLED_EVENT} + 1) || ').'",
            ),
            ("officers", "clerk2", "status is 'disabled' but the signed events say 'active'"),
        ],
    ),
}
CASES["credential-added"] = (
    "INSERT INTO credentials (credential_id, id_number, office_code, kid, issued_at, expires_at, status) "
    "SELECT x'000102030405060708090a0b0c0d0e0f', id_number, office_code, kid, issued_at, expires_at, 'active' "
    "FROM credentials WHERE status = 'revoked'",
    [("credentials", "000102030405060708090a0b0c0d0e0f", "no signed issuance of this credential; the row was added")],
)
CASES["review-added"] = (
    "INSERT INTO registrations (id, status, family_name, given_name, latin_family, latin_given, birth_date, sex, "
    "birthplace, candidates, requested_by, requested_at) SELECT 77, 'pending-review', family_name, given_name, "
    "latin_family, latin_given, birth_date, sex, birthplace, candidates, requested_by, requested_at "
    "FROM registrations WHERE status = 'pending-review'",
    [("registrations", "77", "no signed hold for review; the row was added")],
)

# With the records key the citizens are compared field by field and a credential's holder checked; without it
# (an auditor) citizens are only counted.
CITIZEN_CASES: dict[str, tuple[str, list[tuple[str, str, str]], list[tuple[str, str, str]]]] = {
    "credential-number": (
        "UPDATE credentials SET id_number = '1111111111' WHERE status = 'revoked'",
        [("credentials", REVOKED, "the holder's ID number differs from the signed issuance")],
        [],  # the number is in the sealed part of the issuance
    ),
    "citizen-name": (
        "UPDATE citizens SET family_name = 'Evil' WHERE photo IS NULL AND rowid = (SELECT MIN(rowid) FROM citizens "
        "WHERE photo IS NULL)",
        [
            (
                "citizens",
                "SELECT id_number FROM citizens WHERE photo IS NULL ORDER BY rowid LIMIT 1",
                "family_name differs from the sealed record",
            )
        ],
        [],
    ),
    "citizen-birth": (
        "UPDATE citizens SET birth_date = '1999-01-01', sex = 'X' WHERE photo IS NOT NULL",
        [
            (
                "citizens",
                "SELECT id_number FROM citizens WHERE photo IS NOT NULL",
                "birth_date differs from the sealed record",
            ),
            (
                "citizens",
                "SELECT id_number FROM citizens WHERE photo IS NOT NULL",
                "sex differs from the sealed record",
            ),
        ],
        [],
    ),
    "citizen-photo-removed": (
        "UPDATE citizens SET photo = NULL WHERE photo IS NOT NULL",
        [
            (
                "citizens",
                "SELECT id_number FROM citizens WHERE photo IS NOT NULL",
                "the photo differs from the sealed record",
            )
        ],
        [],
    ),
    "citizen-photo-added": (
        "UPDATE citizens SET photo = (SELECT photo FROM citizens WHERE photo IS NOT NULL) "
        "WHERE rowid = (SELECT MIN(rowid) FROM citizens WHERE photo IS NULL)",
        [
            (
                "citizens",
                "SELECT id_number FROM citizens WHERE photo IS NULL ORDER BY rowid LIMIT 1",
                "the photo differs from the sealed record",
            )
        ],
        [],
    ),
    "citizen-deleted": (
        "DELETE FROM citizens WHERE rowid = (SELECT MAX(rowid) FROM citizens)",
        [
            (
                "citizens",
                "SELECT id_number FROM citizens ORDER BY rowid DESC LIMIT 1",
                "registered in the signed events but the row is missing",
            )
        ],
        [("citizens", "", "4 rows but the signed events register 5 people")],
    ),
    "citizen-added": (
        "INSERT INTO citizens (id_number, family_name, given_name, latin_family, latin_given, match_key, birth_date, "
        "sex, birthplace, office_code, registered_at, registered_by) VALUES ('2999999999', 'A', 'B', 'A', 'B', 'a b', "
        "'1990-01-01', 'F', 'CHN', 'HQ-01', 'x', 'clerk')",
        [("citizens", "2999999999", "no signed registration of this number; the row was added")],
        [("citizens", "", "6 rows but the signed events register 5 people")],
    ),
}


def _expected(conn: sqlite3.Connection, faults: list[tuple[str, str, str]]) -> list[Fault]:
    """The faults, with every part written as a SELECT read from the database (before the edit)."""

    def value(text: str) -> str:
        return str(conn.execute(text).fetchone()[0]) if text.startswith("SELECT") else text

    return [Fault(table, value(key), value(message)) for table, key, message in faults]


def test_the_worked_office_verifies_clean(worked: Worked, conn: sqlite3.Connection) -> None:
    assert ledgerverify.verify_database(conn, worked.records) == []
    assert ledgerverify.verify_database(conn, None) == []
    assert conn.execute("SELECT count(*) FROM citizens").fetchone()[0] == 5  # what the count sentences say


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_edit_is_named(name: str, worked: Worked, conn: sqlite3.Connection) -> None:
    edit, faults = CASES[name]
    expected = _expected(conn, faults)
    conn.execute(edit)
    assert ledgerverify.verify_database(conn, worked.records) == expected
    assert ledgerverify.verify_database(conn, None) == expected  # nothing here needs the records key


@pytest.mark.parametrize("name", sorted(CITIZEN_CASES))
def test_each_citizen_edit_is_named_with_the_records_key_and_counted_without(
    name: str, worked: Worked, conn: sqlite3.Connection
) -> None:
    edit, with_key, without_key = CITIZEN_CASES[name]
    expected, counted = _expected(conn, with_key), _expected(conn, without_key)
    conn.execute(edit)
    assert ledgerverify.verify_database(conn, worked.records) == expected
    assert ledgerverify.verify_database(conn, None) == counted


def test_a_damaged_signature_is_named_and_its_event_not_replayed(worked: Worked, conn: sqlite3.Connection) -> None:
    seq = conn.execute("SELECT seq FROM events WHERE type = 'officer.disabled'").fetchone()[0]
    conn.execute(
        "UPDATE events SET entry = substr(entry, 1, length(entry) - 1) || "
        "CASE WHEN substr(entry, -1) = x'00' THEN x'01' ELSE x'00' END WHERE seq = ?",
        (seq,),
    )
    faults = ledgerverify.verify_database(conn, worked.records)
    tables = [(f.table, f.key) for f in faults]
    assert ("events", f"seq {seq}") in tables  # the signature
    # its change (clerk2 disabled) is not taken from an event that does not verify
    assert Fault("officers", "clerk2", "status is 'disabled' but the signed events say 'active'") in faults
    assert Fault("audit", f"event {seq}", "the audit row of this signed event is missing") not in faults


def test_a_fault_reads_as_one_line() -> None:
    assert str(Fault("officers", "clerk", "role differs")) == "officers clerk: role differs"
    assert str(Fault("citizens", "", "4 rows")) == "citizens: 4 rows"


def test_an_administrator_compares_fields_and_an_auditor_counts(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    """verify_office uses the records key where the officer holds it (an administrator), else counts (an auditor,
    who holds no keys)."""
    number = registry.register(session_of("clerk"), PersonInput("Tamm", "Mari", "1981-05-17", "F", "EST"))["id_number"]
    admin, auditor = session_of("admin"), session_of("auditor")
    assert ledgerverify.verify_office(admin) == [] and ledgerverify.verify_office(auditor) == []
    with staffed.db.conn:
        staffed.db.conn.execute("UPDATE citizens SET given_name = 'Evil' WHERE id_number = ?", (number,))
    assert ledgerverify.verify_office(admin) == [Fault("citizens", number, "given_name differs from the sealed record")]
    assert ledgerverify.verify_office(auditor) == []
    with staffed.db.conn:
        staffed.db.conn.execute("DELETE FROM citizens WHERE id_number = ?", (number,))
    assert ledgerverify.verify_office(auditor) == [
        Fault("citizens", "", "0 rows but the signed events register 1 people")
    ]


def test_a_refusal_names_ledger_verify(session_of: Callable[[str], Session], staffed: Office) -> None:
    with pytest.raises(PermissionDenied) as refused:
        ledgerverify.verify_office(session_of("clerk"))
    assert str(refused.value) == (
        "A clerk may not do this (ledger.verify: ledger verify); ask an officer whose role allows it."
    )
    row = staffed.db.execute(
        "SELECT officer, action, outcome, detail FROM audit_full ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert tuple(row) == ("clerk", "ledger.verify", "refused", "role clerk lacks ledger.verify (ledger verify)")


def test_progress_is_reported_every_10000_events(session_of: Callable[[str], Session], staffed: Office) -> None:
    """A long check tells the screen how far it is (every 10,000 events): 10,000 junk events are appended (each
    is also a fault, which is beside the point here)."""
    admin = session_of("admin")
    with staffed.db.conn:
        staffed.db.conn.execute(
            "INSERT INTO events (type, officer, created_at, entry) SELECT 'junk', 'x', 'x', x'00' FROM "
            "(WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10000) SELECT n FROM c)"
        )
    total = staffed.db.execute("SELECT count(*) FROM events").fetchone()[0]
    seen: list[tuple[int, int]] = []
    assert ledgerverify.verify_office(admin, lambda done, of: seen.append((done, of)))
    assert seen == [(10000, total)]
