"""The office's signed event log as a transparency log: stored hashes and a signed head, kept in office.db.

Invariants (docs/ledger.md):
- Leaf i of the office's log is the entry (COSE_Sign1 bytes) of event seq = i + 1; seqs have no gaps.
- `ledger_hashes` holds the log's stored hashes (G sumdb/tlog), appended in the same transaction as each
  event: O(log n) reads and writes per append, never a rewrite.
- `ledger_head` holds the tree head after the last event, as a C2SP signed note signed by the actor of that
  event (the officer, or the authority/office key during set-up) under the key name ``<origin>/<actor>``.
  Someone who edits office.db with sqlite3 has no officer's key, so a deleted, altered or added event makes the
  head, the stored hashes and the events disagree, and `quick_check`/`verify_events` say so.
- Published checkpoints (the office key's signature, key name = origin) are made by the folder driver
  (console.node.folder) from the same stored hashes.
- Entries are at most 65,535 bytes (tlog-tiles): a larger event moves its clear and sealed parts into a
  content-addressed blob (`ledger_blobs`, published as ``blob/<sha256 hex>``) that the signed entry names.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import cbor2
import nacl.signing

from console.core import cose
from console.core.errors import LedgerIntegrityError
from console.core.ledger import note, proofs
from console.core.ledger.checkpoint import Checkpoint, CheckpointError, parse_checkpoint_body
from console.core.ledger.hashing import (
    edge_root,
    extend_stored_hashes,
    leaf_hash,
    split_stored_hash_index,
    stored_hash_count,
    stored_hash_index,
    stored_hashes_for_record_hash,
)
from console.core.ledger.tiles import MAX_ENTRY_SIZE

#: Events whose signed CBOR is larger than this move their clear and sealed parts to a blob.
BLOB_THRESHOLD = 32_768


class SqliteHashReader:
    """Reads stored hashes of the office's log (table `ledger_hashes`) or of a peer's (`ledger_peer_hashes`)."""

    def __init__(self, conn: sqlite3.Connection, origin: str | None = None) -> None:
        self.conn = conn
        self.origin = origin

    def read_hashes(self, indexes: Sequence[int], /) -> list[bytes]:
        found: dict[int, bytes] = {}
        wanted = sorted(set(indexes))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            if self.origin is None:
                rows = self.conn.execute(
                    f"SELECT idx, CAST(hash AS BLOB) FROM ledger_hashes WHERE idx IN ({marks})", chunk
                )
            else:
                rows = self.conn.execute(
                    f"SELECT idx, hash FROM ledger_peer_hashes WHERE origin = ? AND idx IN ({marks})",
                    [self.origin, *chunk],
                )
            found.update((int(i), bytes(h)) for i, h in rows)
        try:
            return [found[i] for i in indexes]
        except KeyError as e:
            raise LedgerIntegrityError(
                f"The office database lacks stored hash {e.args[0]} of the log; run `id-console ledger verify`."
            ) from None


def log_origin(conn: sqlite3.Connection, office_code: str) -> str:
    """The log's origin (checkpoint first line and office key name): ``<authority domain>/<office code>``."""
    row = conn.execute("SELECT domain FROM authority WHERE id = 1").fetchone()
    if row is None:
        raise LedgerIntegrityError("The office database has no authority; it is damaged.")
    return f"{row[0]}/{office_code}"


def head_key_name(origin: str, actor: str) -> str:
    return f"{origin}/{actor}"


def prepare_payload(conn: sqlite3.Connection, payload: dict[str, Any]) -> dict[str, Any]:
    """Move the clear and sealed parts of an oversized payload into a content-addressed blob."""
    sealed = payload.get("sealed")
    small_clear = all(
        len(v) < (16 if isinstance(v, (list, dict)) else 1024)
        for v in payload["clear"].values()
        if isinstance(v, (bytes, str, list, dict))
    )
    if small_clear and len(sealed if isinstance(sealed, bytes) else b"") < BLOB_THRESHOLD // 2:
        return payload  # certainly small: skip measuring (appends are hot)
    if len(cbor2.dumps(payload, canonical=True)) <= BLOB_THRESHOLD:
        return payload
    parts = {"clear": payload["clear"]}
    if "sealed" in payload:
        parts["sealed"] = payload["sealed"]
    blob = cbor2.dumps(parts, canonical=True)
    digest = hashlib.sha256(blob).digest()
    conn.execute("INSERT OR IGNORE INTO ledger_blobs (digest, data) VALUES (?, ?)", (digest, blob))
    slim = {k: v for k, v in payload.items() if k not in ("clear", "sealed")}
    slim["blob"] = digest
    return slim


def resolve_payload(payload: dict[str, Any], blob_reader: Callable[[bytes], bytes | None]) -> dict[str, Any]:
    """The full payload of an entry: a blob reference is replaced by the blob's clear and sealed parts.

    Raises:
        LedgerIntegrityError: the blob is missing or does not hash to its name.
    """
    digest = payload.get("blob")
    if digest is None:
        return payload
    if not isinstance(digest, bytes) or len(digest) != 32:
        raise LedgerIntegrityError("An event names a blob with a malformed digest.")
    data = blob_reader(digest)
    if data is None:
        raise LedgerIntegrityError(f"The blob {digest.hex()} an event names is missing.")
    if hashlib.sha256(data).digest() != digest:
        raise LedgerIntegrityError(f"The blob {digest.hex()} does not match its digest; it was altered.")
    try:
        parts = cbor2.loads(data)
    except Exception:  # a blob that hashes to its name but is not CBOR: whatever the decoder raises
        parts = None
    if not isinstance(parts, dict) or "clear" not in parts:
        raise LedgerIntegrityError(f"The blob {digest.hex()} is not an event's clear and sealed parts.")
    full = {k: v for k, v in payload.items() if k != "blob"}
    full.update(parts)
    return full


def db_blob_reader(conn: sqlite3.Connection) -> Callable[[bytes], bytes | None]:
    def read(digest: bytes) -> bytes | None:
        row = conn.execute("SELECT data FROM ledger_blobs WHERE digest = ?", (digest,)).fetchone()
        return bytes(row[0]) if row else None

    return read


class _Frontier:
    """The right edge of a log: the hashes of the complete subtrees that make up its tree, left to right (the
    stored hashes at `proofs.tree_hash_indexes(size)`), and its last leaf hash. The next append's left siblings
    are the last of them, and the root is their fold, so an append reads nothing else.

    Kept in memory by (size, root): the root commits to the whole tree, so the same (size, root) means the same
    hashes whichever database or connection asks, and an append that was rolled back simply misses.
    """

    __slots__ = ("hashes", "last_leaf")

    def __init__(self, hashes: list[bytes], last_leaf: bytes) -> None:
        self.hashes = hashes
        self.last_leaf = last_leaf

    @classmethod
    def load(cls, conn: sqlite3.Connection, size: int) -> _Frontier:
        reader = SqliteHashReader(conn)
        last = reader.read_hashes([stored_hash_index(0, size - 1)])[0] if size else b""
        return cls(reader.read_hashes(proofs.tree_hash_indexes(size)), last)

    def push(self, size: int, leaf: bytes) -> tuple[list[bytes], _Frontier, bytes]:
        """Append leaf number `size`: (the stored hashes it adds, in index order; the new edge; the new root)."""
        sha = hashlib.sha256
        stack = list(self.hashes)
        added = [leaf]
        h, n = leaf, size
        while n & 1:  # one merge per trailing 1-bit: the left sibling is the last complete subtree
            h = sha(b"\x01" + stack.pop() + h).digest()
            added.append(h)
            n >>= 1
        stack.append(h)
        root = h
        for i in range(len(stack) - 2, -1, -1):  # the root folds the complete subtrees, right to left
            root = sha(b"\x01" + stack[i] + root).digest()
        return added, _Frontier(stack, leaf), root


_FRONTIERS: dict[tuple[int, bytes], _Frontier] = {}
_FRONTIERS_LOCK = threading.Lock()
_FRONTIERS_MAX = 32  # a few offices' logs (tests, the demo); each entry is about log2(size) hashes


def _remember(size: int, root: bytes, frontier: _Frontier) -> None:
    with _FRONTIERS_LOCK:
        if len(_FRONTIERS) >= _FRONTIERS_MAX:
            _FRONTIERS.pop(next(iter(_FRONTIERS)))
        _FRONTIERS[(size, root)] = frontier


class _Tip(NamedTuple):
    """What this process last appended to one connection's log: the head it wrote (size, root), the entry of its
    last event, the log's origin and right edge. The next append on that connection checks all of it inside the
    statement that writes the new head (`_write_head_if`), instead of reading head and event first; when the
    database is not as the tip says (another writer, an edit, a rollback) that statement changes nothing and the
    append reads everything as before."""

    code: str
    size: int
    root: bytes
    last_entry: bytes
    origin: str
    frontier: _Frontier


#: Tips by connection (`id(conn)`): a stale one (a closed connection whose id was reused, a rolled-back append)
#: only costs the read it saves, because every field is checked against the database before it is relied on.
_TIPS: dict[int, _Tip] = {}


#: ``INSERT INTO ledger_hashes`` of n rows (an append adds 1 + its number of merges, at most ~64)
_INSERT_HASHES = [""] + [
    "INSERT INTO ledger_hashes (idx, hash) VALUES " + ", ".join(["(?, ?)"] * n) for n in range(1, 65)
]


def _insert_hashes(conn: sqlite3.Connection, first: int, hashes: list[bytes]) -> None:
    """One append's stored hashes (contiguous from `first`) in one statement."""
    values: list[int | bytes] = []
    for i, h in enumerate(hashes):
        values += (first + i, h)
    conn.execute(_INSERT_HASHES[len(hashes)], values)


def _write_head_if(conn: sqlite3.Connection, tip: _Tip, size: int, root: bytes, signed: bytes) -> bool:
    """Move the head from the tip's to (size, root, signed) if, and only if, the database still holds the tip's
    head and last event."""
    cur = conn.execute(
        "UPDATE ledger_head SET size = ?, root = ?, note = ? WHERE id = 1 AND size = ? AND root = ? "
        "AND (SELECT CAST(entry AS BLOB) FROM events WHERE seq = ?) = ?",
        (size, root, signed, tip.size, tip.root, tip.size, tip.last_entry),
    )
    return cur.rowcount == 1


def append(
    conn: sqlite3.Connection,
    *,
    seq: int,
    entry: bytes,
    office_code: str,
    actor: str,
    key: nacl.signing.SigningKey,
    sign: bool = True,
) -> Checkpoint:
    """Add event `seq`'s entry to the log and sign the new head (inside the event's transaction).

    Two statements when this connection made the previous append (`_Tip`): the head is moved only if the
    database still holds that append's head and event (checked in the same UPDATE), then the stored hashes are
    written. Otherwise one read (head, last event, authority domain) and two writes: the right edge of the tree
    comes from memory when the head is one this process signed (`_Frontier`), else from the stored hashes
    (O(log n)).

    Raises:
        LedgerIntegrityError: the events do not continue the signed head (a row was deleted or added), or the
            entry is too large for the log.
    """
    if len(entry) > MAX_ENTRY_SIZE:
        raise LedgerIntegrityError(
            f"This change is {len(entry)} bytes once signed, more than the ledger's {MAX_ENTRY_SIZE}; nothing was saved."
        )
    tip = _TIPS.get(id(conn))
    if tip is not None and tip.code == office_code and seq == tip.size + 1 and tip.size:
        hashes, edge, root = tip.frontier.push(tip.size, leaf_hash(entry))
        head = Checkpoint(tip.origin, seq, root)
        signed = note.sign_one(head.body(), head_key_name(tip.origin, actor), key) if sign else b""
        if _write_head_if(conn, tip, seq, root, signed):
            _insert_hashes(conn, stored_hash_index(0, tip.size), hashes)
            _TIPS[id(conn)] = _Tip(office_code, seq, root, entry, tip.origin, edge)
            return head
    _TIPS.pop(id(conn), None)
    row = conn.execute(
        "SELECT h.size, CAST(h.root AS BLOB), CAST(e.entry AS BLOB), (SELECT domain FROM authority WHERE id = 1) "
        "FROM ledger_head h LEFT JOIN events e ON e.seq = h.size WHERE h.id = 1"
    ).fetchone()
    frontier: _Frontier | None = None
    if row is not None and seq == int(row[0]) + 1:
        size, prev, domain = int(row[0]), row[2], row[3]
        if domain is None:
            raise LedgerIntegrityError("The office database has no authority; it is damaged.")
        origin = f"{domain}/{office_code}"
        frontier = _FRONTIERS.get((size, bytes(row[1])))
    else:  # an empty log, or one that does not continue (the legacy catch-up, or a refusal)
        size = _catch_up(conn, seq)
        prev = None
        if size:
            found = conn.execute("SELECT CAST(entry AS BLOB) FROM events WHERE seq = ?", (size,)).fetchone()
            prev = found[0] if found else None
        origin = log_origin(conn, office_code)
    if frontier is None:
        frontier = _Frontier.load(conn, size)
    if size and (prev is None or frontier.last_leaf != leaf_hash(bytes(prev))):
        raise LedgerIntegrityError(
            f"The office's event {size} is not the one its signed log head covers: events were deleted or "
            "changed behind the console's back. Nothing was saved; run `id-console ledger verify`."
        )
    hashes, edge, root = frontier.push(size, leaf_hash(entry))
    first = stored_hash_index(0, size)
    conn.executemany(
        "INSERT INTO ledger_hashes (idx, hash) VALUES (?, ?)", [(first + i, h) for i, h in enumerate(hashes)]
    )
    head = Checkpoint(origin, size + 1, root)
    # `sign=False` (append_many's first entry only): the head row gets a placeholder note that append_many
    # replaces with the batch's signed head in the same transaction
    signed = note.sign_one(head.body(), head_key_name(origin, actor), key) if sign else b""
    conn.execute(
        "INSERT INTO ledger_head (id, size, root, note) VALUES (1, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note",
        (head.size, head.root, signed),
    )
    _remember(head.size, head.root, edge)
    if len(_TIPS) >= _FRONTIERS_MAX:
        _TIPS.clear()
    _TIPS[id(conn)] = _Tip(office_code, head.size, head.root, entry, origin, edge)
    return head


def append_many(
    conn: sqlite3.Connection,
    *,
    first_seq: int,
    entries: Sequence[bytes],
    office_code: str,
    actor: str,
    key: nacl.signing.SigningKey,
) -> Checkpoint:
    """Add events first_seq, first_seq+1, ... (their entries) to the log and sign ONE head over all of them.

    The batch form of `append` for a caller that appends many events in one transaction: the same checks
    (the events continue the signed head, entry size), the stored hashes of the whole batch computed in one pass
    from the right edge (`hashing.extend_stored_hashes`) and written with one statement, and one head signature
    instead of one per event. A reader sees the same log either way: the head covers every event, and the events
    in between were never visible outside the transaction.

    Raises:
        LedgerIntegrityError: as `append`.
    """
    if not entries:
        raise ValueError("append_many needs at least one entry")
    for entry in entries:
        if len(entry) > MAX_ENTRY_SIZE:
            raise LedgerIntegrityError(
                f"This change is {len(entry)} bytes once signed, more than the ledger's {MAX_ENTRY_SIZE}; nothing "
                "was saved."
            )
    if len(entries) == 1:
        return append(conn, seq=first_seq, entry=entries[0], office_code=office_code, actor=actor, key=key)
    # the first entry goes through `append` (every check, the catch-up of a pre-ledger office); the rest extend
    # the edge it leaves in memory
    append(conn, seq=first_seq, entry=entries[0], office_code=office_code, actor=actor, key=key, sign=False)
    row = conn.execute(
        "SELECT h.size, CAST(h.root AS BLOB), (SELECT domain FROM authority WHERE id = 1) FROM ledger_head h WHERE h.id = 1"
    ).fetchone()
    size, root = int(row[0]), bytes(row[1])
    tip = _TIPS.get(id(conn))
    if tip is not None and tip.size == size and tip.root == root:
        frontier = tip.frontier
    else:
        frontier = _FRONTIERS.get((size, root)) or _Frontier.load(conn, size)
    sha = hashlib.sha256
    added, edge = extend_stored_hashes(size, frontier.hashes, [sha(b"\x00" + e).digest() for e in entries[1:]])
    first = stored_hash_index(0, size)
    conn.executemany(
        "INSERT INTO ledger_hashes (idx, hash) VALUES (?, ?)", [(first + i, h) for i, h in enumerate(added)]
    )
    origin = f"{row[2]}/{office_code}"
    head = Checkpoint(origin, size + len(entries) - 1, edge_root(edge))
    signed = note.sign_one(head.body(), head_key_name(origin, actor), key)
    conn.execute("UPDATE ledger_head SET size = ?, root = ?, note = ? WHERE id = 1", (head.size, head.root, signed))
    last = _Frontier(edge, sha(b"\x00" + entries[-1]).digest())
    _remember(head.size, head.root, last)
    _TIPS[id(conn)] = _Tip(office_code, head.size, head.root, bytes(entries[-1]), origin, last)
    return head


#: The payload key "log" (value LOG_MARK) of every event written by a console that keeps the signed head
#: (issue 12, robust2). Before it, deleting the head and stored hashes and planting the pre-ledger marker
#: (`ledger_unhashed_events`) made a log cut by `sqlite3` pass for an office from before the ledger: nothing
#: reported it, and the next event re-hashed the cut log and signed a head over it.
LOG_MARK: int | None = 1  # None only in tests that play a console from before the mark


def written_under_head(entry: bytes) -> bool:
    """Whether a stored event says (in its signed payload) that it was written under a signed log head. An
    entry that does not decode counts as written under one: it is certainly no office's pre-ledger event."""
    try:
        payload = cbor2.loads(cose.decode_sign1(bytes(entry)).payload)
    except (cose.CoseError, ValueError, TypeError, cbor2.CBORDecodeError):
        return True
    return not isinstance(payload, dict) or "log" in payload


def _catch_up(conn: sqlite3.Connection, seq: int) -> int:
    """The log's size before event `seq`; hashes events of a database made before the ledger existed."""
    row = conn.execute("SELECT size FROM ledger_head WHERE id = 1").fetchone()
    size = int(row[0]) if row else 0
    if seq == size + 1:
        return size
    legacy = conn.execute("SELECT value FROM settings WHERE key = 'ledger_unhashed_events'").fetchone()
    empty = conn.execute("SELECT 1 FROM ledger_hashes LIMIT 1").fetchone() is None
    before = conn.execute("SELECT CAST(entry AS BLOB) FROM events WHERE seq < ? ORDER BY seq DESC LIMIT 1", (seq,))
    last = before.fetchone()
    pre_ledger = last is None or not written_under_head(bytes(last[0]))
    if row is None and empty and legacy is not None and int(legacy[0]) == seq - 1 and pre_ledger:
        # An office from before the ledger (the migration noted how many events it had): hash them now; the head
        # signed by this event covers them all. Without that note a missing head is an edit, not a migration.
        reader = SqliteHashReader(conn)
        rows = conn.execute("SELECT seq, CAST(entry AS BLOB) FROM events WHERE seq < ? ORDER BY seq", (seq,))
        for n, (s, entry) in enumerate(rows.fetchall()):
            if int(s) != n + 1:
                break
            hashes = stored_hashes_for_record_hash(n, leaf_hash(bytes(entry)), reader)
            first = stored_hash_index(0, n)
            conn.executemany(
                "INSERT INTO ledger_hashes (idx, hash) VALUES (?, ?)", [(first + i, h) for i, h in enumerate(hashes)]
            )
        else:
            conn.execute("DELETE FROM settings WHERE key = 'ledger_unhashed_events'")
            return seq - 1
    raise LedgerIntegrityError(
        f"The office's event log does not continue its signed head (event {seq} after a head of {size} events): "
        "events were deleted or added behind the console's back. Nothing was saved; run `id-console ledger verify`."
    )


# -- checking ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """The verified head: size, root, and who signed it."""

    size: int
    root: bytes
    signer: str


def signer_keys(conn: sqlite3.Connection, office_code: str, actor: str) -> list[bytes]:
    """Public keys that `actor` may have signed with: an officer's keys, the office's keys, or the authority root.

    Office keys and the authority root come from tables; their certificates are checked by `verify_chain`.
    """
    if actor == "authority":
        return [bytes(r[0]) for r in conn.execute("SELECT root_public FROM authority WHERE id = 1")]
    if actor.startswith("office:"):
        return [
            bytes(r[0]) for r in conn.execute("SELECT public_key FROM office_keys WHERE office_code = ?", (actor[7:],))
        ]
    return [bytes(r[0]) for r in conn.execute("SELECT public_key FROM officer_keys WHERE username = ?", (actor,))]


def local_office_code(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT code FROM offices WHERE is_local = 1").fetchone()
    if row is None:
        raise LedgerIntegrityError("The office database has no local office; it is damaged.")
    return str(row[0])


def quick_check(conn: sqlite3.Connection) -> Head | None:
    """The start-up check, O(log n): the head's signature, the root from the stored hashes, the last event.

    Returns None for an office from before the ledger (no head yet, events not yet hashed, and the last event
    not written under a head).

    Raises:
        LedgerIntegrityError: naming what disagrees (the head, the stored hashes, or the events).
    """
    row = conn.execute("SELECT size, CAST(root AS BLOB), CAST(note AS BLOB) FROM ledger_head WHERE id = 1").fetchone()
    last = conn.execute("SELECT seq, CAST(entry AS BLOB) FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    if row is None:
        if last is not None and written_under_head(bytes(last[1])):
            raise LedgerIntegrityError(
                f"The office's log has no signed head, but its last event ({last[0]}) was written under one: the "
                "head was deleted, and events after it may have been cut. Run `id-console ledger verify`; restore "
                "office.db from backup or rebuild it from the ledger."
            )
        return None
    size, root, signed = int(row[0]), bytes(row[1]), bytes(row[2])
    code = local_office_code(conn)
    origin = log_origin(conn, code)
    head = _open_head(conn, code, origin, signed)
    if head.size != size or head.root != root:
        raise LedgerIntegrityError("The office's log head row does not match its own signed note; it was edited.")
    if last is None or int(last[0]) != size:
        raise LedgerIntegrityError(
            f"The office's signed log head covers {size} events but the events table ends at "
            f"{0 if last is None else last[0]}: events were deleted or added behind the console's back."
        )
    reader = SqliteHashReader(conn)
    if proofs.tree_hash(size, reader) != root:
        raise LedgerIntegrityError(
            "The office's stored log hashes do not give the signed head's root; they were edited."
        )
    if reader.read_hashes([stored_hash_index(0, size - 1)])[0] != leaf_hash(bytes(last[1])):
        raise LedgerIntegrityError(f"The office's last event ({size}) differs from the one the head signed.")
    return head


def _open_head(conn: sqlite3.Connection, code: str, origin: str, signed: bytes) -> Head:
    try:
        text = signed.decode()
        sig_name = text[text.rindex("\n— ") + 3 :].split(" ", 1)[0]
    except (UnicodeDecodeError, ValueError):
        raise LedgerIntegrityError("The office's log head is not a signed note; it was edited.") from None
    prefix = origin + "/"
    if not sig_name.startswith(prefix):
        raise LedgerIntegrityError(f"The office's log head is signed by {sig_name!r}, not an officer of {origin}.")
    actor = sig_name[len(prefix) :]
    verifiers = [note.Verifier(sig_name, k) for k in signer_keys(conn, code, actor)]
    try:
        opened = note.open_note(signed, verifiers)
        checkpoint = parse_checkpoint_body(opened.text)
    except (note.NoteError, CheckpointError) as e:
        raise LedgerIntegrityError(f"The office's log head does not verify ({e}); the log was edited.") from None
    if checkpoint.origin != origin:
        raise LedgerIntegrityError(f"The office's log head is for {checkpoint.origin}, not {origin}.")
    return Head(checkpoint.size, checkpoint.root, actor)


def iter_entries(conn: sqlite3.Connection, batch: int = 5000) -> Iterator[tuple[int, bytes]]:
    """(seq, entry) in order, in batches (bounded memory at a million events)."""
    last = 0
    while True:
        rows = conn.execute(
            "SELECT seq, CAST(entry AS BLOB) FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (last, batch)
        ).fetchall()
        if not rows:
            return
        for seq, entry in rows:
            yield int(seq), bytes(entry)
        last = int(rows[-1][0])


def verify_events(conn: sqlite3.Connection, progress: Callable[[int, int], None] | None = None) -> list[str]:
    """The full check of the office's own log: every event is present, in order, hashes to the stored hash,
    and the stored hashes give the signed head. Returns problems (empty when all is well)."""
    problems: list[str] = []
    try:
        head = quick_check(conn)
        if head is None and conn.execute("SELECT 1 FROM events LIMIT 1").fetchone():
            legacy = conn.execute("SELECT 1 FROM settings WHERE key = 'ledger_unhashed_events'").fetchone()
            if legacy is None:
                problems.append("ledger_head: the office's log has no signed head; it was deleted.")
            return problems
    except LedgerIntegrityError as e:
        problems.append(str(e))
        head = None
    total = int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    reader = SqliteHashReader(conn)
    expected = 1
    leaf_indexes: list[int] = []
    leaf_hashes: list[bytes] = []

    def flush() -> None:
        stored = reader.read_hashes(leaf_indexes) if leaf_indexes else []
        for i, (want, got) in enumerate(zip(leaf_hashes, stored, strict=True)):
            if want != got:
                problems.append(f"events: event {_seq_of(leaf_indexes[i])} differs from the one the log recorded.")
        leaf_indexes.clear()
        leaf_hashes.clear()

    for seq, entry in iter_entries(conn):
        if seq != expected:
            problems.append(f"events: event {expected} is missing (the next is {seq}).")
            expected = seq
        leaf_indexes.append(stored_hash_index(0, seq - 1))
        leaf_hashes.append(leaf_hash(entry))
        if len(leaf_indexes) >= 5000:
            try:
                flush()
            except LedgerIntegrityError as e:
                problems.append(str(e))
                leaf_indexes.clear()
                leaf_hashes.clear()
        if progress is not None and seq % 10000 == 0:
            progress(seq, total)
        expected += 1
    try:
        flush()
    except LedgerIntegrityError as e:
        problems.append(str(e))
    count = int(conn.execute("SELECT COUNT(*) FROM ledger_hashes").fetchone()[0])
    if head is not None and count != stored_hash_count(head.size):
        problems.append(
            f"ledger_hashes: {count} stored hashes, the log of {head.size} events has {stored_hash_count(head.size)}."
        )
    return problems


def _seq_of(leaf_index: int) -> int:
    return split_stored_hash_index(leaf_index)[1] + 1


def verify_entry_signature(conn: sqlite3.Connection, code: str, entry: bytes) -> dict[str, Any]:
    """Decode an event entry and verify its COSE signature by its actor's key; returns the payload.

    Raises:
        LedgerIntegrityError: malformed, or not signed by a key of the actor it names.
    """
    try:
        message = cose.decode_sign1(entry)
        payload = cbor2.loads(message.payload)
    except (cose.CoseError, ValueError, cbor2.CBORDecodeError) as e:
        raise LedgerIntegrityError(f"malformed entry ({e})") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("officer"), str):
        raise LedgerIntegrityError("the entry is not an event payload")
    keys = {cose.key_id(k): k for k in signer_keys(conn, code, payload["officer"]) if len(k) == 32}
    try:
        kid = message.kid
    except cose.CoseError as e:
        raise LedgerIntegrityError(str(e)) from None
    key = keys.get(kid)
    if key is None:
        raise LedgerIntegrityError(f"signed by key {kid.hex()}, which is not a key of {payload['officer']!r}")
    try:
        cose.verify_sign1(message, key)
    except cose.CoseSignatureError as e:
        raise LedgerIntegrityError(str(e)) from None
    return payload
