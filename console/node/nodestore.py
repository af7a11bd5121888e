"""What a peer node holds: the logs it accepted, in a tlog-tiles folder, and node.db, the state that checks them.

node.db has the office schema (`store.open_database`) but knows only the authority (its root public key and
domain, copied from the office that runs the node); it learns offices, office keys and officers from the logs
themselves, exactly as an office's `ledger sync` does. A push from an office or a pull from another node is
handed to the same `sync.sync_log` as a folder sync; only once every check passed are the files written into
the node's folder (write-once, inside the transaction: a failed write applies nothing), the transaction commits,
and the checkpoint is replaced last. A node killed between the commit and the checkpoint finds on start a
checkpoint older than its node.db and puts the accepted one in place (the tiles were written before the
commit). Sealed records are never opened here (the node holds no records key).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3

from console.core import store
from console.core.errors import LedgerIntegrityError, StorageError
from console.core.ledger import checkpoint as cp
from console.node import durable, sync
from console.node.fetch import LOGS_DIR, Fetcher, FetchError, FolderFetcher

NODE_DB = "node.db"
LOCK = ".node.lock"


@dataclass(frozen=True)
class Ingested:
    log: str
    old_size: int
    size: int
    applied: int


class Recording:
    """A fetcher that keeps every file it returned (the files `sync_log` read and, on success, verified)."""

    def __init__(self, inner: Fetcher) -> None:
        self.inner = inner
        self.seen: dict[str, bytes] = {}

    def logs(self) -> list[str]:
        return self.inner.logs()

    def read(self, log: str, path: str) -> bytes:
        data = self.inner.read(log, path)
        self.seen[path] = data
        return data

    def files(self, log: str) -> list[str]:
        return self.inner.files(log)


class Pushed:
    """The files of one push, in front of what the node already holds for that log."""

    def __init__(self, base: FolderFetcher, log: str, files: dict[str, bytes]) -> None:
        self.base, self.log, self.pushed = base, log, files

    def logs(self) -> list[str]:
        return [self.log]

    def read(self, log: str, path: str) -> bytes:
        if log == self.log and path in self.pushed:
            return self.pushed[path]
        if path == "checkpoint":
            raise FileNotFoundError(path)
        return self.base.read(log, path)

    def files(self, log: str) -> list[str]:
        return sorted(set(self.base.files(log)) | set(self.pushed))


def seed_authority(node_conn: sqlite3.Connection, office_db: Path) -> None:
    """Copy the authority row (public data) from the office that runs the node, once; refuse another authority."""
    # SQLCipher's SQLite, like every other connection of the process: two SQLite libraries on one file in one
    # process drop each other's POSIX locks when one closes (issue 17 made the console's connections SQLCipher's)
    src = sqlcipher3.connect(f"file:{office_db}?mode=ro", uri=True)
    try:
        row = src.execute(
            "SELECT name, domain, scheme, CAST(root_public AS BLOB), CAST(records_public AS BLOB), created_at "
            "FROM authority WHERE id = 1"
        ).fetchone()
    except store.DatabaseError as e:
        raise StorageError(f"The office database {office_db} cannot be read ({e}).") from None
    finally:
        src.close()
    if row is None:
        raise StorageError(f"The office database {office_db} has no authority; run `id-console init` first.")
    have = node_conn.execute("SELECT CAST(root_public AS BLOB) FROM authority WHERE id = 1").fetchone()
    if have is not None:
        if bytes(have[0]) != bytes(row[3]):
            raise StorageError("The node folder belongs to another authority; give another --node-dir.")
        return
    with contextlib.closing(node_conn.cursor()) as c:
        c.execute("BEGIN IMMEDIATE")
        c.execute(
            "INSERT INTO authority (id, name, domain, scheme, root_public, records_public, created_at) "
            "VALUES (1, ?, ?, ?, ?, ?, ?)",
            row,
        )
        c.execute("COMMIT")


class NodeStore:
    """The node's folder and node.db. Every write runs on one thread (`self.executor`): one writer."""

    def __init__(self, root: Path, office_db: Path) -> None:
        self.root = Path(root)
        durable.ensure_dir(self.root / LOGS_DIR)
        self._lock_fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            raise StorageError(
                f"Another node serves {self.root} already; stop it or give another --node-dir."
            ) from None
        self.db_path = self.root / NODE_DB
        self.folder = FolderFetcher(self.root)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="node-writer")
        self._local = threading.local()
        self.executor.submit(self._setup, office_db).result()

    def _setup(self, office_db: Path) -> None:
        seed_authority(self.conn, office_db)
        self.reconcile()

    @property
    def conn(self) -> sqlite3.Connection:
        """The writer's connection (only ever used on the writer thread)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = store.open_database(self.db_path, create=True).conn
            self._local.conn = conn
        return conn

    def authority(self) -> tuple[bytes, str]:
        with self.reader() as conn:
            row = conn.execute("SELECT CAST(root_public AS BLOB), domain FROM authority WHERE id = 1").fetchone()
        return bytes(row[0]), str(row[1])

    @contextlib.contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection for the calling thread (WAL: readers never wait for the writer)."""
        conn = sqlcipher3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)  # see seed_authority
        try:
            yield conn
        finally:
            conn.close()

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        os.close(self._lock_fd)

    def log_dir(self, code: str) -> Path:
        return self.root / LOGS_DIR / code

    def reconcile(self) -> list[str]:
        """Put back every checkpoint node.db accepted but the folder lacks (a crash after the commit)."""
        fixed = []
        for code, note in self.conn.execute(
            "SELECT office_code, CAST(checkpoint AS BLOB) FROM ledger_peers WHERE status = 'ok' AND checkpoint IS NOT NULL"
        ).fetchall():
            path = self.log_dir(code) / "checkpoint"
            try:
                current = path.read_bytes()
            except FileNotFoundError:
                current = b""
            if current != bytes(note) and _size(current) < _size(bytes(note)):
                durable.replace(path, bytes(note))
                fixed.append(str(code))
        return fixed

    def ingest(self, fetcher: Fetcher, code: str) -> Ingested:
        """Verify and take in office `code`'s log from `fetcher` (writer thread only).

        Raises:
            sync.LogProblem: the log was refused; nothing was written.
            LedgerIntegrityError: a verified file differs from one the node already holds (write-once).
        """
        recording = Recording(fetcher)
        log_dir = self.log_dir(code)

        def write_files(old: int, new: int, signed: cp.SignedCheckpoint) -> None:
            for path, data in sorted(recording.seen.items()):
                if path == "checkpoint":
                    continue
                try:
                    durable.write_once(log_dir / path, data)
                except durable.WriteOnceConflict:
                    raise LedgerIntegrityError(
                        f"log {code}, file {path}: the node holds other bytes for this file; the log forked"
                    ) from None

        row = self.conn.execute("SELECT size FROM ledger_peers WHERE office_code = ?", (code,)).fetchone()
        old = int(row[0]) if row else 0
        evidence = self.root / "evidence"
        _fetched, applied = sync.sync_log(self.conn, recording, code, None, evidence, before_commit=write_files)
        signed = self.conn.execute(
            "SELECT size, CAST(checkpoint AS BLOB) FROM ledger_peers WHERE office_code = ?", (code,)
        ).fetchone()
        size = int(signed[0]) if signed else 0
        if signed is not None and signed[1] is not None:
            current = b""
            with contextlib.suppress(FileNotFoundError, FetchError):
                current = self.folder.read(code, "checkpoint")
            if current != bytes(signed[1]):
                durable.replace(log_dir / "checkpoint", bytes(signed[1]))
        return Ingested(code, old, size, applied)

    def logs(self) -> list[str]:
        """Logs the node serves: those with a checkpoint in its folder."""
        return [code for code in self.folder.logs() if (self.log_dir(code) / "checkpoint").is_file()]

    def sizes(self) -> dict[str, tuple[int, str]]:
        with self.reader() as conn:
            return {
                str(r[0]): (int(r[1]), str(r[2]))
                for r in conn.execute("SELECT office_code, size, status FROM ledger_peers ORDER BY office_code")
            }


def _size(note: bytes) -> int:
    try:
        return cp.parse_checkpoint_body(note.decode().split("\n\n", 1)[0] + "\n").size
    except (UnicodeDecodeError, ValueError, cp.CheckpointError):
        return -1
