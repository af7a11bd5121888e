"""Publishing this office's log into the shared ledger folder (S ctlog.go; T storage/posix/files.go).

Layout: ``<folder>/logs/<office code>/`` holds ``checkpoint``, ``tile/<L>/<N>[.p/<W>]``, ``tile/entries/...``
and ``blob/<sha256 hex>``; ``.lock`` and ``.tmp-*`` are local machinery (exclude them from replication).

Order, so that a crash at any point leaves a folder that verifies and a next run that completes:
1. one writer: an exclusive flock on ``.lock`` (and the CAS below, so two consoles cannot split the log);
2. commit: the checkpoint to publish is signed and recorded in office.db (`ledger_published.staged_*`) with a
   compare-and-swap on the previously published size;
3. apply: tiles, entry bundles and blobs, each write-once (an existing file must match byte for byte);
4. publish: ``checkpoint`` replaced last (temp, fsync, rename, fsync dir);
5. acknowledge: `ledger_published` moves to the new size and the events are marked published.
Everything written is derived from office.db deterministically, so replaying a staged publish after a crash
writes the same bytes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cbor2
import nacl.signing

from console.core import cose, officelog
from console.core.errors import LedgerIntegrityError, StorageError
from console.core.ledger import checkpoint as cp
from console.core.ledger import note, proofs
from console.core.ledger.tiles import ENTRIES_LEVEL, Tile, encode_bundle, new_tiles, tile_data_indexes
from console.core.timeutil import to_iso, utc_now
from console.node import durable
from console.node.fetch import LOGS_DIR

LOCK_NAME = ".lock"


@dataclass(frozen=True)
class Published:
    log: str
    old_size: int
    size: int
    files_written: int


@contextlib.contextmanager
def writer_lock(log_dir: Path) -> Iterator[None]:
    """The one-writer lock of a log folder (flock on a dedicated file, never on a data file)."""
    durable.ensure_dir(log_dir)
    fd = os.open(log_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StorageError(
                f"Another console is publishing the log in {log_dir} right now; try again in a moment."
            ) from None
        yield
    finally:
        os.close(fd)


def office_signer(
    conn: sqlite3.Connection, seeds: tuple[bytes, ...], key: nacl.signing.SigningKey | None = None
) -> note.Signer:
    """The checkpoint signer: the office key now in force (its seed found among the office secrets, or `key`,
    the session's key in force, which may be held in a token)."""
    code = officelog.local_office_code(conn)
    row = conn.execute(
        "SELECT kid FROM office_keys WHERE office_code = ? AND valid_until IS NULL ORDER BY valid_from DESC", (code,)
    ).fetchone()
    if row is None:
        raise StorageError("This office has no signing key in force; an administrator must rotate keys.")
    for seed in seeds:
        software = nacl.signing.SigningKey(seed)
        if cose.key_id(bytes(software.verify_key)) == bytes(row[0]):
            return note.Signer(officelog.log_origin(conn, code), software)
    if key is not None and cose.key_id(bytes(key.verify_key)) == bytes(row[0]):
        return note.Signer(officelog.log_origin(conn, code), key)
    raise StorageError("The office key in force is not among this officer's office secrets.")


def publish(conn: sqlite3.Connection, folder: Path, signer: note.Signer) -> Published:
    """Publish every event not yet in the folder: tiles, bundles, blobs, then the checkpoint.

    Raises:
        LedgerIntegrityError: the office's own log fails its quick check, or the folder's checkpoint for this
            log is not one this office published (another machine writes this office's log).
        StorageError: the folder refused a write (full, read-only).
    """
    code = officelog.local_office_code(conn)
    log_dir = folder / LOGS_DIR / code
    with writer_lock(log_dir):
        durable.sweep_temp(log_dir)
        head = officelog.quick_check(conn)
        size = head.size if head else 0
        row = conn.execute(
            "SELECT size, CAST(checkpoint AS BLOB), staged_size, CAST(staged_checkpoint AS BLOB) "
            "FROM ledger_published WHERE id = 1"
        ).fetchone()
        published = int(row[0]) if row else 0
        start = published
        ours = {bytes(row[1]) if row else b"", bytes(row[3]) if row and row[3] is not None else b""}
        _check_folder_checkpoint(log_dir, signer, published, ours)
        written = 0
        if row is not None and row[2] is not None:  # a publish that committed but did not finish: replay it
            staged, staged_note = int(row[2]), bytes(row[3])
            written += _apply(conn, log_dir, published, staged)
            _publish_checkpoint(conn, log_dir, staged, staged_note)
            published = staged
        if size > published:
            root = proofs.tree_hash(size, officelog.SqliteHashReader(conn))
            signed = cp.sign_checkpoint(cp.Checkpoint(signer.name, size, root), signer)
            _stage(conn, published, size, signed)
            written += _apply(conn, log_dir, published, size)
            _publish_checkpoint(conn, log_dir, size, signed)
        return Published(code, start, max(size, published), written)


def _check_folder_checkpoint(log_dir: Path, signer: note.Signer, published: int, ours: set[bytes]) -> None:
    try:
        data = (log_dir / "checkpoint").read_bytes()
    except FileNotFoundError:
        return
    if data in ours:
        return
    try:
        found = cp.open_checkpoint(data, signer.name, [signer.verifier]).checkpoint
    except cp.CheckpointError:
        raise LedgerIntegrityError(
            f"log {signer.name}, file {log_dir / 'checkpoint'}: not a checkpoint this office signed; restore it "
            "or remove it so that the next sync writes it again."
        ) from None
    if found.size > published:
        raise LedgerIntegrityError(
            f"log {signer.name}, file {log_dir / 'checkpoint'}: the folder holds a checkpoint of {found.size} "
            f"entries but this office published {published}: another console is writing this office's log."
        )


def _stage(conn: sqlite3.Connection, published: int, size: int, signed: bytes) -> None:
    """The commit point: record the checkpoint to publish, compare-and-swap on the published size."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("SELECT size FROM ledger_published WHERE id = 1").fetchone()
        if (int(row[0]) if row else 0) != published:
            raise LedgerIntegrityError("Another sync of this office published at the same time; run sync again.")
        conn.execute(
            "INSERT INTO ledger_published (id, size, checkpoint, staged_size, staged_checkpoint, updated_at) "
            "VALUES (1, 0, x'', ?, ?, ?) ON CONFLICT (id) DO UPDATE SET staged_size = excluded.staged_size, "
            "staged_checkpoint = excluded.staged_checkpoint, updated_at = excluded.updated_at",
            (size, signed, to_iso(utc_now())),
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def log_files(conn: sqlite3.Connection, old: int, new: int) -> Iterator[tuple[str, bytes]]:
    """Every file a log grows by from `old` to `new` entries, as (path in the log's folder, bytes): the blobs
    and entry bundle of each level-0 tile before that tile, hash tiles in `new_tiles` order. Derived from
    office.db alone, so a replay gives the same bytes (a folder write and a push to a peer node share it)."""
    reader = officelog.SqliteHashReader(conn)
    for tile in new_tiles(old, new):
        data = b"".join(reader.read_hashes(tile_data_indexes(tile)))
        if tile.level == 0:
            bundle = Tile(ENTRIES_LEVEL, tile.n, tile.width)
            start = tile.n * 256
            entries = [
                bytes(r[0])
                for r in conn.execute(
                    "SELECT CAST(entry AS BLOB) FROM events WHERE seq > ? AND seq <= ? ORDER BY seq",
                    (start, start + tile.width),
                )
            ]
            if len(entries) != tile.width:
                raise LedgerIntegrityError(f"The office's events {start + 1}–{start + tile.width} are incomplete.")
            for e in entries[max(0, old - start) :]:
                blob = _blob_of(conn, e)
                if blob is not None:
                    yield blob
            yield bundle.path, encode_bundle(entries)
        yield tile.path, data


def _apply(conn: sqlite3.Connection, log_dir: Path, old: int, new: int) -> int:
    written = 0
    try:
        for path, data in log_files(conn, old, new):
            written += _write_once(log_dir / path, data)
    except durable.DurableWriteError as e:
        raise StorageError(f"Could not write the ledger folder {log_dir}: {e}. Nothing was published.") from e
    return written


def _blob_of(conn: sqlite3.Connection, entry: bytes) -> tuple[str, bytes] | None:
    payload = cbor2.loads(cose.decode_sign1(entry).payload)
    digest = payload.get("blob") if isinstance(payload, dict) else None
    if not isinstance(digest, bytes):
        return None
    row = conn.execute("SELECT CAST(data AS BLOB) FROM ledger_blobs WHERE digest = ?", (digest,)).fetchone()
    if row is None:
        raise LedgerIntegrityError(f"The office database lacks the blob {digest.hex()} an event names.")
    return f"blob/{digest.hex()}", bytes(row[0])


def _write_once(path: Path, data: bytes) -> int:
    try:
        return 1 if durable.write_once(path, data) else 0
    except durable.WriteOnceConflict:
        raise LedgerIntegrityError(
            f"file {path}: it exists with other contents than this office's log; it was changed. Remove it and "
            "sync again to write it back."
        ) from None


def _publish_checkpoint(conn: sqlite3.Connection, log_dir: Path, size: int, signed: bytes) -> None:
    try:
        durable.replace(log_dir / "checkpoint", signed)
    except durable.DurableWriteError as e:
        raise StorageError(f"Could not write the checkpoint in {log_dir}: {e}. Nothing was published.") from e
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "UPDATE ledger_published SET size = ?, checkpoint = ?, staged_size = NULL, staged_checkpoint = NULL, "
            "updated_at = ? WHERE id = 1",
            (size, signed, to_iso(utc_now())),
        )
        conn.execute("UPDATE events SET published = 1 WHERE seq <= ? AND published = 0", (size,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
