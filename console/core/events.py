"""The signed event outbox and the audit trail.

Every state change made through the services writes, in the same transaction, one event: a COSE_Sign1 signed
by the acting officer's key over a CBOR payload ``{"v", "type", "office", "time", "officer", "clear",
"sealed"?}``. Events are appended in order (``seq``) and never rewritten; the shared ledger publishes exactly
these entries: event seq is leaf seq - 1 of the office's log, whose stored hashes and signed head are
written in the same transaction (console.core.officelog). An event too large for the ledger's 65,535-byte
entries carries its clear and sealed parts in a blob it names by SHA-256 (`decode_entry(entry, conn)`). ``clear`` never holds personal data: only ids, status and keyed digests. Personal data goes in
``sealed``, encrypted to the authority's records key (`seal_record`; two forms, docs/ledger.md "Sealed parts").

The audit trail (`audit` table) records every event plus logins, failed logins and refusals.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import cbor2
import nacl.bindings
import nacl.public
import nacl.signing

from console.core import cose, officelog
from console.core.store import PERSONAL_SCHEMA, PUBLIC_AUDIT_ACTIONS, is_unlocked
from console.core.timeutil import to_iso

ENTRY_VERSION = 1


@dataclass(frozen=True)
class Actor:
    """Who signs: an officer's name and signing key (or "authority"/"office" during set-up)."""

    name: str
    signing_key: nacl.signing.SigningKey


#: A sealed record of the second form is ``epk' || nonce || box``: the sender's ephemeral X25519 public key with
#: the top bit of its last byte set (`_FLAG`), a random 24-byte nonce, and crypto_box(record) under the key
#: X25519(ephemeral secret, records key) (libsodium's ``crypto_box_beforenm``). One ephemeral key seals up to
#: `SEAL_KEY_USES` records, so a seal costs an XSalsa20-Poly1305 box (~2 µs) instead of a SealedBox's fresh key
#: pair and X25519 multiplication (~50 µs), and an opener derives the shared key once per ephemeral key. A
#: SealedBox (the first form, every record before round 5) starts with its ephemeral public key as libsodium
#: encodes it, always below 2**255, so that bit is never set there: the two forms are told apart without a guess.
#: docs/ledger.md ("Sealed parts") gives the reasons and what it changes.
SEAL_KEY_USES = 1024
_FLAG = 0x80
_SEAL_MIN = 32 + 24 + 16


class _Sealer:
    """One ephemeral key pair for up to SEAL_KEY_USES seals to one records key (then a new one)."""

    __slots__ = ("head", "left", "shared")

    def __init__(self, records_public: bytes) -> None:
        public, secret = nacl.bindings.crypto_box_keypair()
        self.head = public[:31] + bytes((public[31] | _FLAG,))
        self.shared = nacl.bindings.crypto_box_beforenm(records_public, secret)
        self.left = SEAL_KEY_USES


_SEALERS: dict[bytes, _Sealer] = {}
_SEAL_LOCK = threading.Lock()


def seal_record(records_public: bytes, record: dict[str, Any]) -> bytes:
    """Encrypt a person record to the authority's records key (anonymous sender; the second form above)."""
    plain = cbor2.dumps(record)
    with _SEAL_LOCK:
        sealer = _SEALERS.get(records_public)
        if sealer is None or sealer.left <= 0:
            if len(records_public) != 32:
                raise ValueError("the records key is an X25519 public key of 32 bytes")
            sealer = _SEALERS[records_public] = _Sealer(records_public)
        sealer.left -= 1
        head, shared = sealer.head, sealer.shared
    nonce = os.urandom(24)
    return head + nonce + nacl.bindings.crypto_box_easy_afternm(plain, nonce, shared)


#: Shared keys already derived by openers: (records public key, ephemeral public key) -> key. Bounded; the records
#: private key itself is never kept here.
_OPEN_KEYS: dict[tuple[bytes, bytes], bytes] = {}
_OPEN_KEYS_MAX = 4096


#: The last (records key object, first 32 bytes of a record, shared key) an opener used.
_last_open: tuple[nacl.public.PrivateKey, bytes, bytes] | None = None


def _remember_open(records_key: nacl.public.PrivateKey, head: bytes, shared: bytes) -> None:
    global _last_open
    _last_open = (records_key, head, shared)


def cheap_to_open(sealed: bytes) -> bool:
    """Whether a sealed part is of the second form (a box under a shared key that openers derive once)."""
    return len(sealed) >= _SEAL_MIN and bool(sealed[31] & _FLAG)


def open_record(records_key: nacl.public.PrivateKey, sealed: bytes) -> dict[str, Any]:
    """Decrypt a sealed person record of either form (only offices of the authority can).

    Raises:
        nacl.exceptions.CryptoError: the record does not open with this key (altered, or sealed to another).
        ValueError: it opens but is not a CBOR map.
    """
    if cheap_to_open(sealed):
        head = sealed[:32]
        last = _last_open
        if last is not None and last[0] is records_key and last[1] == head:
            shared = last[2]  # runs of records share their ephemeral key
        else:
            ephemeral = head[:31] + bytes((head[31] & ~_FLAG & 0xFF,))
            cache_key = (bytes(records_key.public_key), ephemeral)
            found = _OPEN_KEYS.get(cache_key)
            if found is None:
                found = nacl.bindings.crypto_box_beforenm(ephemeral, bytes(records_key))
                if len(_OPEN_KEYS) >= _OPEN_KEYS_MAX:
                    _OPEN_KEYS.clear()
                _OPEN_KEYS[cache_key] = found
            shared = found
            _remember_open(records_key, head, shared)
        plain = nacl.bindings.crypto_box_open_easy_afternm(sealed[56:], sealed[32:56], shared)
    else:
        plain = nacl.public.SealedBox(records_key).decrypt(sealed)
    value = cbor2.loads(plain)
    if not isinstance(value, dict):
        raise ValueError("sealed record is not a map")
    return value


def append_event(
    conn: sqlite3.Connection,
    *,
    actor: Actor,
    office: str,
    event_type: str,
    now: datetime,
    clear: dict[str, Any],
    sealed: bytes | None = None,
    audit_detail: str = "",
) -> int:
    """Sign and append one event (call inside a transaction); also writes its audit row. Returns `seq`."""
    stamp = to_iso(now)
    payload: dict[str, Any] = {
        "v": ENTRY_VERSION,
        "type": event_type,
        "office": office,
        "time": stamp,
        "officer": actor.name,
        "clear": clear,
    }
    if officelog.LOG_MARK is not None:
        # written under a signed log head: signed proof that this office's log had a head at this point, so a
        # deleted head can never pass for an office from before the ledger (officelog.written_under_head)
        payload["log"] = officelog.LOG_MARK
    if sealed is not None:
        payload["sealed"] = sealed
    entry = cose.sign1(actor.signing_key, _encode_payload(conn, payload))
    cur = conn.execute(
        "INSERT INTO events (type, officer, created_at, entry) VALUES (?, ?, ?, ?)",
        (event_type, actor.name, stamp, entry),
    )
    seq = int(cur.lastrowid or 0)
    officelog.append(conn, seq=seq, entry=entry, office_code=office, actor=actor.name, key=actor.signing_key)
    _audit_row(conn, stamp, actor.name, event_type, "ok", audit_detail, seq)
    return seq


def _encode_payload(conn: sqlite3.Connection, payload: dict[str, Any]) -> bytes:
    """The payload's canonical CBOR, its clear and sealed parts moved to a blob when it is too large for an
    entry (`officelog.prepare_payload`): encoded once when it fits, as nearly every event does."""
    data: bytes = cbor2.dumps(payload, canonical=True)
    if len(data) <= officelog.BLOB_THRESHOLD:
        return data
    return bytes(cbor2.dumps(officelog.prepare_payload(conn, payload), canonical=True))


@dataclass(frozen=True)
class NewEvent:
    """One event of a batch (`append_events`)."""

    event_type: str
    clear: dict[str, Any]
    sealed: bytes | None = None
    audit_detail: str = ""


def append_events(
    conn: sqlite3.Connection, *, actor: Actor, office: str, now: datetime, items: Sequence[NewEvent]
) -> list[int]:
    """Sign and append many events of one actor at once (call inside a transaction); returns their `seq`s.

    The same events, entries and audit rows as calling `append_event` for each, but the log's stored hashes are
    computed for the whole batch in one pass and its head is signed once, after the last event
    (`officelog.append_many`), and the rows are written with one statement per table.
    """
    if not items:
        return []
    stamp = to_iso(now)
    payloads = []
    for item in items:
        payload: dict[str, Any] = {
            "v": ENTRY_VERSION,
            "type": item.event_type,
            "office": office,
            "time": stamp,
            "officer": actor.name,
            "clear": item.clear,
        }
        if officelog.LOG_MARK is not None:
            payload["log"] = officelog.LOG_MARK
        if item.sealed is not None:
            payload["sealed"] = item.sealed
        payloads.append(_encode_payload(conn, payload))
    entries = cose.sign1_many(actor.signing_key, payloads)
    # all or nothing even if the caller goes on after a refusal: the first event's head is written unsigned and
    # replaced by the batch's signed head (officelog.append_many), so a half-done batch must never stay
    conn.execute("SAVEPOINT append_events")
    try:
        seqs = _append_rows(conn, actor, office, stamp, items, entries)
    except BaseException:
        conn.execute("ROLLBACK TO append_events")
        conn.execute("RELEASE append_events")
        raise
    conn.execute("RELEASE append_events")
    return seqs


def _append_rows(
    conn: sqlite3.Connection, actor: Actor, office: str, stamp: str, items: Sequence[NewEvent], entries: list[bytes]
) -> list[int]:
    cur = conn.execute(
        "INSERT INTO events (type, officer, created_at, entry) VALUES (?, ?, ?, ?)",
        (items[0].event_type, actor.name, stamp, entries[0]),
    )
    first = int(cur.lastrowid or 0)
    seqs = list(range(first, first + len(items)))
    conn.executemany(
        "INSERT INTO events (seq, type, officer, created_at, entry) VALUES (?, ?, ?, ?, ?)",
        [(seqs[i], items[i].event_type, actor.name, stamp, entries[i]) for i in range(1, len(items))],
    )
    officelog.append_many(
        conn, first_seq=first, entries=entries, office_code=office, actor=actor.name, key=actor.signing_key
    )
    conn.executemany(
        "INSERT INTO audit (time, officer, action, outcome, detail, event_seq) VALUES (?, ?, ?, 'ok', ?, ?)",
        [(stamp, actor.name, item.event_type, item.audit_detail, seq) for item, seq in zip(items, seqs, strict=True)],
    )
    return seqs


def append_signed(
    conn: sqlite3.Connection,
    *,
    entry: bytes,
    event_type: str,
    officer: str,
    now: datetime,
    office: str,
    head_signer: Actor,
    audit_detail: str = "",
) -> int:
    """Append an entry signed elsewhere (the authority's certificate of a new office's key, made at enrolment).

    The log head after it is signed by `head_signer` (the office key at set-up), whose own event follows in the
    same transaction; the entry's signature is checked by every reader like any other.
    """
    cur = conn.execute(
        "INSERT INTO events (type, officer, created_at, entry) VALUES (?, ?, ?, ?)",
        (event_type, officer, to_iso(now), entry),
    )
    seq = int(cur.lastrowid or 0)
    officelog.append(
        conn, seq=seq, entry=entry, office_code=office, actor=head_signer.name, key=head_signer.signing_key
    )
    _audit_row(conn, to_iso(now), officer, event_type, "ok", audit_detail, seq)
    return seq


def audit(
    conn: sqlite3.Connection, *, now: datetime, officer: str | None, action: str, outcome: str, detail: str
) -> None:
    """Record a login, a failed login or a refusal (not a state change, so no event)."""
    _audit_row(conn, to_iso(now), officer, action, outcome, detail, None)


def _audit_row(
    conn: sqlite3.Connection,
    stamp: str,
    officer: str | None,
    action: str,
    outcome: str,
    detail: str,
    seq: int | None,
) -> None:
    """One audit row. Details name people (ID numbers, reasons), so where the office keeps its personal data
    encrypted (issue 17) the detail goes to ``personal.audit_details`` under the row's id; the login rows keep
    theirs in office.db, because the lockout reads them before any key is open (read both through
    ``audit_full``)."""
    private = bool(detail) and action not in PUBLIC_AUDIT_ACTIONS and is_unlocked(conn)
    cur = conn.execute(
        "INSERT INTO audit (time, officer, action, outcome, detail, event_seq) VALUES (?, ?, ?, ?, ?, ?)",
        (stamp, officer, action, outcome, "" if private else detail, seq),
    )
    if private:
        conn.execute(f"INSERT INTO {PERSONAL_SCHEMA}.audit_details (id, detail) VALUES (?, ?)", (cur.lastrowid, detail))


def decode_entry(entry: bytes, conn: sqlite3.Connection | None = None) -> dict[str, Any]:
    """The payload of an event entry, unverified (for display; the ledger verifies). With `conn`, a large
    event's blob (docs/ledger.md) is read back so that the payload always has its clear and sealed parts."""
    payload: dict[str, Any] = cbor2.loads(cose.decode_sign1(entry).payload)
    if not isinstance(payload, dict):
        raise ValueError("event payload is not a map")
    if conn is not None:
        payload = officelog.resolve_payload(payload, officelog.db_blob_reader(conn))
    return payload
