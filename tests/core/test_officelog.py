"""The office's event log is a transparency log: stored hashes and a signed head in the same transaction, so
sqlite3 edits to events, hashes or the head are detected; large events move into blobs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, timedelta

import pytest
import sqlcipher3

from console.core import events, officelog, registry
from console.core.accounts import Session
from console.core.errors import LedgerIntegrityError
from console.core.ledger import proofs
from console.core.ledger.hashing import stored_hash_count
from console.core.office import Office
from console.core.store import sql_key


def _conn(office: Office) -> sqlite3.Connection:
    return office.db.conn


def sql(office: Office, statement: str) -> None:
    """Edit office.db as an attacker would: the sqlite3 shell (foreign keys off), no console, no keys."""
    raw = sqlcipher3.connect(str(office.paths.db), isolation_level=None)  # the console's SQLite (issue 17)
    if office.database_key is not None:  # the registry is in the encrypted personal.db
        raw.execute("ATTACH DATABASE ? AS personal KEY ?", (str(office.paths.personal), sql_key(office.database_key)))
    try:
        raw.execute(statement)
    finally:
        raw.close()


def _register(session: Session, n: int) -> None:
    for i in range(n):
        registry.register(
            session, registry.PersonInput("Doe", f"Jane{chr(65 + i)}", f"199{i % 10}-0{1 + i % 9}-1{i % 9}", "F", "CHN")
        )


def test_every_event_extends_the_signed_head(staffed: Office, session_of: Callable[[str], Session]) -> None:
    conn = _conn(staffed)
    head = officelog.quick_check(conn)
    assert head is not None
    before = head.size
    _register(session_of("clerk"), 3)
    head = officelog.quick_check(conn)
    assert head is not None and head.size == before + 3 and head.signer == "clerk"
    assert int(conn.execute("SELECT MAX(seq) FROM events").fetchone()[0]) == head.size
    assert int(conn.execute("SELECT COUNT(*) FROM ledger_hashes").fetchone()[0]) == stored_hash_count(head.size)
    assert head.root == proofs.tree_hash(head.size, officelog.SqliteHashReader(conn))
    assert officelog.verify_events(conn) == []


@pytest.mark.parametrize(
    ("edit", "expect"),
    [
        ("DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)", "ends at"),
        ("DELETE FROM events WHERE seq = 3", "event 3 is missing"),
        ("UPDATE events SET entry = entry || x'00' WHERE seq = 2", "event 2 differs"),
        (
            "INSERT INTO events (type, officer, created_at, entry) SELECT type, officer, created_at, entry FROM events "
            "WHERE seq = 1",
            "ends at",
        ),
        ("UPDATE ledger_hashes SET hash = zeroblob(32) WHERE idx = 0", "differs"),
        ("UPDATE ledger_head SET size = size - 1", "edited"),
        ("UPDATE ledger_head SET note = CAST(replace(CAST(note AS TEXT), 'clerk', 'super') AS BLOB)", "head"),
        ("DELETE FROM ledger_head", None),
    ],
)
def test_sqlite_edits_are_detected(
    staffed: Office, session_of: Callable[[str], Session], edit: str, expect: str | None
) -> None:
    _register(session_of("clerk"), 4)
    conn = _conn(staffed)
    sql(staffed, edit)
    problems = officelog.verify_events(conn)
    if expect is None:  # no head at all: the next write refuses instead of silently signing over the gap
        assert problems and all("no signed head" in p for p in problems), problems
        with pytest.raises(LedgerIntegrityError):
            _register(session_of("clerk"), 1)
        return
    assert problems, edit
    assert any(expect in p for p in problems), problems
    if "seq = 2" in edit or "seq = 3" in edit or "idx = 0" in edit:
        return  # inside the log: found by the full check (`ledger verify`), not the O(log n) start-up check
    with pytest.raises(LedgerIntegrityError):
        officelog.quick_check(conn)


def test_a_write_after_a_deleted_event_is_refused(staffed: Office, session_of: Callable[[str], Session]) -> None:
    _register(session_of("clerk"), 2)
    conn = _conn(staffed)
    sql(staffed, "DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)")
    count = int(conn.execute("SELECT COUNT(*) FROM citizens").fetchone()[0])
    # the start-up check at login finds it (issue 9, round 2): the session may look and verify, not write
    with pytest.raises(LedgerIntegrityError, match=r"failed its check when you logged in: .* events table ends at"):
        _register(session_of("clerk"), 1)
    assert int(conn.execute("SELECT COUNT(*) FROM citizens").fetchone()[0]) == count  # nothing half-written


def test_large_events_move_to_a_blob(staffed: Office, session_of: Callable[[str], Session]) -> None:
    session = session_of("clerk")
    start = date(1950, 1, 1)
    rows = [
        {
            "family_name": "Roe",
            "given_name": "Ann" + "".join(chr(97 + (i // 26**k) % 26) for k in range(3)),
            "birth_date": (start + timedelta(days=37 * i)).isoformat(),
            "sex": "F",
            "birthplace": "CHN",
        }
        for i in range(600)
    ]
    result = registry.register_batch(session, registry.iter_people(rows))
    assert len(result.registered) + len(result.held) == 600
    conn = _conn(staffed)
    # a batch commits in short transactions (issue 12), each with its own event: every subject is in one of them
    entries = [bytes(row[0]) for row in conn.execute("SELECT entry FROM events WHERE type = 'citizens.imported'")]
    assert entries and all(len(entry) < 65_535 for entry in entries)
    payloads = [events.decode_entry(entry, conn) for entry in entries]
    assert sum(len(p["clear"]["subjects"]) for p in payloads) == len(result.registered)
    payload = max(payloads, key=lambda p: len(p["clear"]["subjects"]))
    assert "sealed" in payload and "blob" not in payload
    assert officelog.verify_events(conn) == []


def test_an_office_from_before_the_ledger_is_hashed_on_its_next_event(
    staffed: Office, session_of: Callable[[str], Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = _conn(staffed)
    with monkeypatch.context() as old_console:  # its last events written without the "log" mark (issue 12)
        old_console.setattr(officelog, "LOG_MARK", None)
        _register(session_of("clerk"), 1)
    events_before = int(conn.execute("SELECT MAX(seq) FROM events").fetchone()[0])
    sql(staffed, "DELETE FROM ledger_hashes")
    sql(staffed, "DELETE FROM ledger_head")
    sql(staffed, f"INSERT INTO settings (key, value) VALUES ('ledger_unhashed_events', '{events_before}')")
    assert officelog.verify_events(conn) == []  # migrated, not yet sealed
    _register(session_of("clerk"), 1)
    head = officelog.quick_check(conn)
    assert head is not None and head.size == events_before + 1
    assert officelog.verify_events(conn) == []
