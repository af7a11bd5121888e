"""A validly signed event whose content is not what its type holds (a certificate that is not a map of claims, a
clear part that is not a map, a request number that is not a number, ...) is a fault of that event for `ledger
verify`, named with its number and signer, and nothing of it is replayed; the check goes on with the rest.

Such an event can only come from a faulty console or a stolen officer key, so each one here is signed for real
with the administrator's key and appended to a real office's log (its stored hashes and signed head), exactly
as a service would. Found by mutation testing (docs/testing.md: ledgerverify `_claims_5`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cbor2
import pytest

from console.core import cose, events, issuance, ledgerverify, officelog, registry
from console.core.accounts import Session
from console.core.ledgerverify import Fault
from console.core.office import Office
from console.core.registry import PersonInput
from console.core.store import transaction
from tests.conftest import PASSWORDS
from tests.test_cli import one_line_error, run


def _cert(session: Session, claims: Any) -> bytes:
    """A COSE_Sign1 over `claims` (any CBOR), signed for real."""
    return cose.sign1(session.officer_keys().signing_key, cbor2.dumps(claims))


def _sealed(office: Office, record: Any) -> bytes:
    return events.seal_record(bytes(office.authority()["records_public"]), record)


def _sign(session: Session, kind: Any, clear: Any, sealed: bytes | None = None) -> int:
    """Append one event signed by `session`'s officer, as a service does (`events.append_event`); returns its seq.
    A clear part that append_event cannot take (not a map) is signed and appended the same way by hand."""
    office = session.office
    with transaction(office.db) as conn:
        if isinstance(clear, dict):
            return events.append_event(
                conn,
                actor=session.actor,
                office=office.local_office()["code"],
                event_type=kind,
                now=office.clock(),
                clear=clear,
                sealed=sealed,
            )
        return _append_raw(session, conn, {"type": kind, "clear": clear})


def _append_raw(session: Session, conn: Any, fields: dict[str, Any]) -> int:
    """Sign `fields` (with the payload's other members) by hand and append the entry to the office's log."""
    payload = {"v": events.ENTRY_VERSION, "office": "HQ-01", "time": "2026-12-03T10:00:00Z", "officer": "admin"}
    entry = cose.sign1(session.officer_keys().signing_key, cbor2.dumps({**payload, **fields}, canonical=True))
    cur = conn.execute(
        "INSERT INTO events (type, officer, created_at, entry) VALUES (?, 'admin', 'x', ?)",
        (str(fields["type"]), entry),
    )
    seq = int(cur.lastrowid or 0)
    officelog.append(
        conn, seq=seq, entry=entry, office_code="HQ-01", actor="admin", key=session.officer_keys().signing_key
    )
    return seq


KEY = b"\x01" * 32
CID = b"\x02" * 16
# name -> (event type, its clear part (a function of the session, for certificates), a sealed record or None,
# what the fault says is wrong)
Shape = tuple[Any, Callable[[Session], Any], Any, str]
SHAPES: dict[str, Shape] = {
    "certificate-not-a-map": (
        "officer.enrolled",
        lambda s: {"username": "mallory", "role": "clerk", "certificate": _cert(s, [1, 2, 3])},
        None,
        "the certificate's content is not a map",
    ),
    "certificate-not-cose": (
        "officer.key-replaced",
        lambda s: {"username": "clerk", "role": "clerk", "certificate": b"not a certificate"},
        None,
        "clear.certificate is not a COSE_Sign1 certificate",
    ),
    "certificate-without-a-key": (
        "officer.enrolled",
        lambda s: {"username": "mallory", "role": "clerk", "certificate": _cert(s, {"role": "clerk", "key": "k"})},
        None,
        "the certificate holds no Ed25519 key",
    ),
    "certificate-with-a-short-key": (
        "office.key-rotated",
        lambda s: {"office": "HQ-01", "certificate": _cert(s, {"key": KEY[:31]})},
        None,
        "the certificate holds no Ed25519 key",
    ),
    "office-certificate-not-a-map": (
        "office.certified",
        lambda s: {"office": "HQ-01", "certificate": _cert(s, 7)},
        None,
        "the certificate's content is not a map",
    ),
    "type-not-a-name": (5, lambda s: {}, None, "its type is not a name"),
    "clear-not-a-map": ("officer.disabled", lambda s: ["clerk"], None, "clear is not a map"),
    "request-not-a-number": (
        "request.created",
        lambda s: {"request": "seven", "action": "revoke", "credential": CID},
        None,
        "clear.request is not a whole number",
    ),
    "request-a-boolean": ("request.created", lambda s: {"request": True}, None, "clear.request is not a whole number"),
    "rejected-request-missing": ("request.rejected", lambda s: {}, None, "clear.request is not a whole number"),
    "review-a-list": ("registration.held", lambda s: {"review": [1]}, None, "clear.review is not a whole number"),
    "rejected-review-a-string": (
        "registration.rejected",
        lambda s: {"review": "1"},
        None,
        "clear.review is not a whole number",
    ),
    "status-credential-a-list": (
        "credential.status",
        lambda s: {"credential": [CID], "status": "revoked"},
        None,
        "clear.credential is not bytes",
    ),
    "issued-credential-a-list": (
        "credential.issued",
        lambda s: {"credential": [CID], "kid": KEY[:8]},
        None,
        "clear.credential is not bytes",
    ),
    "issued-supersedes-a-string": (
        "credential.issued",
        lambda s: {"credential": CID, "supersedes": "abc"},
        None,
        "clear.supersedes is not a list",
    ),
    "issued-supersedes-a-number": (
        "credential.issued",
        lambda s: {"credential": CID, "supersedes": [CID, 5]},
        None,
        "clear.supersedes is not bytes",
    ),
    # the batch's first credential is good: nothing of the event may be replayed all the same
    "batch-second-not-a-map": (
        "credentials.issued",
        lambda s: {"credentials": [{"credential": CID}, "x"]},
        None,
        "clear.credentials[1] is not a map",
    ),
    "batch-not-a-list": ("credentials.issued", lambda s: {"credentials": CID}, None, "clear.credentials is not a list"),
    "batch-credential-missing": (
        "credentials.issued",
        lambda s: {"credentials": [{"credential": CID}, {"kid": KEY[:8]}]},
        None,
        "clear.credentials[1].credential is not bytes",
    ),
    "sealed-links-not-a-list": (
        "credentials.issued",
        lambda s: {"credentials": [{"credential": CID}]},
        {"links": {"credential": CID}},
        "the sealed links is not a list",
    ),
    "sealed-link-not-a-map": (
        "credentials.issued",
        lambda s: {"credentials": [{"credential": CID}]},
        {"links": [[CID, "1234567890"]]},
        "a sealed link is not a map",
    ),
    "sealed-link-credential-a-string": (
        "credential.issued",
        lambda s: {"credential": CID},
        {"credential": "02020202", "id_number": "1234567890"},
        "a sealed link's credential is not bytes",
    ),
    "imported-subjects-a-number": (
        "citizens.imported",
        lambda s: {"subjects": 3},
        None,
        "clear.subjects is not a list",
    ),
    "imported-held-a-map": (
        "citizens.imported",
        lambda s: {"subjects": [], "held": {"1": 1}},
        None,
        "clear.held is not a list",
    ),
    "imported-records-missing": (
        "citizens.imported",
        lambda s: {"subjects": ["a"]},
        {"people": []},
        "the sealed records is not a list",
    ),
    "imported-record-not-a-map": (
        "citizens.imported",
        lambda s: {"subjects": ["a", "b"]},
        {"records": [{"id_number": "2999999999"}, "2999999998"]},
        "the sealed records[1] is not a map",
    ),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_a_malformed_signed_event_is_a_fault_of_that_event(
    name: str, session_of: Callable[[str], Session], staffed: Office
) -> None:
    """verify_database itself (`verify_office` adds the permission check, and a session's at-use check refuses
    to work at all past an officer or office-key event that does not hold up: console/core/truth.py)."""
    kind, clear, record, why = SHAPES[name]
    admin = session_of("admin")
    records = admin.office_keys().records_key
    sealed = None if record is None else _sealed(staffed, record)
    seq = _sign(admin, kind, clear(admin), sealed)
    # its signature verifies: only its content is wrong
    conn = staffed.db.conn
    entry = bytes(conn.execute("SELECT entry FROM events WHERE seq = ?", (seq,)).fetchone()[0])
    assert officelog.verify_entry_signature(conn, "HQ-01", entry)["officer"] == "admin"
    fault = Fault("events", f"seq {seq}", f"{kind!r} signed by 'admin' is malformed ({why}); it was not replayed")
    # with the records key (sealed parts opened) and without; nothing else is reported: no row it would have
    # made is expected, and the check went on to the end
    assert ledgerverify.verify_database(conn, records) == [fault]
    if record is None:
        assert ledgerverify.verify_database(conn, None) == [fault]
    else:  # the sealed part is what is wrong: without the records key the event is replayed from its clear part
        assert fault not in ledgerverify.verify_database(conn, None)


def test_a_malformed_event_between_good_ones_leaves_them_checked(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    """Events after the malformed one are replayed and compared as usual: an edit made after it is still named."""
    admin, clerk = session_of("admin"), session_of("clerk")
    bad = _sign(admin, "credential.status", {"credential": {"x": 1}, "status": "revoked"})
    number = registry.register(clerk, PersonInput("Tamm", "Mari", "1981-05-17", "F", "EST"))["id_number"]
    issuance.issue(clerk, number)
    with staffed.db.conn:
        staffed.db.conn.execute("UPDATE citizens SET given_name = 'Evil' WHERE id_number = ?", (number,))
    assert ledgerverify.verify_office(admin) == [
        Fault(
            "events",
            f"seq {bad}",
            "'credential.status' signed by 'admin' is malformed (clear.credential is not bytes); it was not replayed",
        ),
        Fault("citizens", number, "given_name differs from the sealed record"),
    ]


def test_a_blob_that_is_not_cbor_is_named(session_of: Callable[[str], Session], staffed: Office) -> None:
    """A large event names a blob by its SHA-256; a blob that hashes right but is not CBOR is a fault of that
    event, not a crash."""
    admin = session_of("admin")
    junk = b"\xff\xfe not CBOR"
    digest = hashlib.sha256(junk).digest()
    with transaction(admin.office.db) as conn:
        conn.execute("INSERT INTO ledger_blobs (digest, data) VALUES (?, ?)", (digest, junk))
        seq = _append_raw(admin, conn, {"type": "citizens.imported", "blob": digest})
    assert ledgerverify.verify_office(admin) == [
        Fault("events", f"seq {seq}", f"The blob {digest.hex()} is not an event's clear and sealed parts.")
    ]


def test_ledger_verify_names_the_event_without_a_traceback(
    session_of: Callable[[str], Session], staffed: Office, office_dir: Path
) -> None:
    """Through the command line: the malformed event is a fault (exit status 8, one line on stderr). An officer
    event that does not hold up stops every session first (the at-use check of truth.py names it the same way)."""
    admin = session_of("admin")
    seq = _sign(admin, "request.created", {"request": "seven", "action": "revoke", "credential": CID})
    staffed.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    out = run(office_dir, "ledger", "verify", "--as", "admin", password=PASSWORDS["admin"])
    assert out.returncode == 8
    assert one_line_error(out) == (
        f"id-console: events seq {seq}: 'request.created' signed by 'admin' is malformed (clear.request is not a "
        "whole number); it was not replayed"
    )
    enrolled = _sign(
        admin, "officer.enrolled", {"username": "mallory", "role": "clerk", "certificate": _cert(admin, [1])}
    )
    staffed.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    out = run(office_dir, "ledger", "verify", "--as", "admin", password=PASSWORDS["admin"])
    assert out.returncode == 8
    assert f"The signed event {enrolled} (officer.enrolled) in office.db does not hold up" in one_line_error(out)


def test_lists_an_older_console_left_out_are_empty_not_malformed(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    """`supersedes`, `held`, a batch's `credentials` and `subjects` may be absent (older consoles wrote no `held`):
    such an event is replayed, so the rows it promises are expected."""
    admin = session_of("admin")
    records = admin.office_keys().records_key
    conn = staffed.db.conn
    _sign(admin, "credential.issued", {"credential": CID, "kid": KEY[:8]})
    _sign(admin, "credentials.issued", {})
    _sign(admin, "citizens.imported", {})
    _sign(admin, "citizens.imported", {"subjects": ["a", "b"]}, _sealed(staffed, {"records": []}))
    missing = Fault("credentials", CID.hex(), "issued in the signed events but the row is missing")
    assert ledgerverify.verify_database(conn, records) == [missing]
    assert ledgerverify.verify_database(conn, None) == [
        missing,
        Fault("citizens", "", "0 rows but the signed events register 2 people"),
    ]
