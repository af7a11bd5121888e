"""Appending many events at once (events.append_events, officelog.append_many): the same entries, stored hashes
and audit rows as one by one, one signed head over the batch, and a log that every check still accepts."""

from __future__ import annotations

import os
from collections.abc import Callable

import nacl.signing

from console.core import cose, events, officelog
from console.core.accounts import Session
from console.core.ledger import proofs
from console.core.ledger.hashing import build_stored_hashes, leaf_hash
from console.core.office import Office


def test_sign1_many_writes_what_sign1_writes() -> None:
    key = nacl.signing.SigningKey(b"\x09" * 32)
    payloads = [b"", b"x" * 23, b"y" * 24, os.urandom(300), os.urandom(70000)]
    assert cose.sign1_many(key, payloads) == [cose.sign1(key, p) for p in payloads]


def _issue_clear(i: int) -> dict[str, object]:
    return {"credential": i.to_bytes(16, "big"), "kid": b"\x00" * 8, "iat": "t", "exp": "t", "supersedes": []}


def test_a_batch_is_one_signed_head_over_the_same_log(staffed: Office, session_of: Callable[[str], Session]) -> None:
    clerk = session_of("clerk")
    conn = staffed.db.conn
    before = officelog.quick_check(conn)
    assert before is not None
    records = bytes(clerk.office_keys().records_key.public_key)
    items = [
        events.NewEvent("credential.issued", _issue_clear(i), events.seal_record(records, {"n": i}), f"#{i}")
        for i in range(300)
    ]
    conn.execute("BEGIN IMMEDIATE")
    seqs = events.append_events(conn, actor=clerk.actor, office="HQ-01", now=staffed.clock(), items=items)
    conn.execute("COMMIT")
    assert seqs == list(range(before.size + 1, before.size + 301))
    head = officelog.quick_check(conn)
    assert head is not None and head.size == before.size + 300 and head.signer == "clerk"
    rows = conn.execute("SELECT seq, CAST(entry AS BLOB) FROM events ORDER BY seq").fetchall()
    assert [r[0] for r in rows] == list(range(1, head.size + 1))
    stored = [bytes(r[0]) for r in conn.execute("SELECT hash FROM ledger_hashes ORDER BY idx")]
    assert stored == build_stored_hashes([leaf_hash(bytes(r[1])) for r in rows])
    assert head.root == proofs.tree_hash(head.size, officelog.SqliteHashReader(conn))
    payload = events.decode_entry(bytes(rows[-1][1]))
    assert payload["type"] == "credential.issued" and payload["officer"] == "clerk" and "log" in payload
    audit = conn.execute("SELECT action, detail, event_seq FROM audit WHERE event_seq >= ? ORDER BY id", (seqs[0],))
    assert [tuple(a) for a in audit][:2] == [("credential.issued", "#0", seqs[0]), ("credential.issued", "#1", seqs[1])]
    assert officelog.verify_events(conn) == []
    # the log goes on one event at a time after a batch, and a batch of one is an ordinary append
    conn.execute("BEGIN IMMEDIATE")
    events.append_events(conn, actor=clerk.actor, office="HQ-01", now=staffed.clock(), items=items[:1])
    conn.execute("COMMIT")
    head2 = officelog.quick_check(conn)
    assert head2 is not None and head2.size == head.size + 1
    assert officelog.verify_events(conn) == []


def test_a_batch_after_a_deleted_event_saves_nothing(staffed: Office, session_of: Callable[[str], Session]) -> None:
    import sqlite3

    import pytest

    from console.core.errors import LedgerIntegrityError

    clerk = session_of("clerk")
    raw = sqlite3.connect(staffed.paths.db, isolation_level=None)
    raw.execute("DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)")
    raw.close()
    conn = staffed.db.conn
    count = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    conn.execute("BEGIN IMMEDIATE")
    with pytest.raises(LedgerIntegrityError):
        events.append_events(
            conn,
            actor=clerk.actor,
            office="HQ-01",
            now=staffed.clock(),
            items=[events.NewEvent("credential.issued", _issue_clear(i)) for i in range(5)],
        )
    # nothing of the batch stays, even before the caller rolls back
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == count
    assert conn.execute("SELECT COUNT(*) FROM ledger_head WHERE note = x''").fetchone()[0] == 0
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == count
