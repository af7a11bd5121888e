"""Talking to a peer node over HTTP: `HTTPFetcher` (pull) and `push` (this office's log), signed requests.

`ledger sync --peer URL` is `ledger sync --folder DIR` with another driver: pushing ours sends the files
`folder.log_files` derives from office.db (the same bytes a folder publish writes) under a checkpoint signed by
the office key, in chunks small enough for the node's size limit; pulling theirs runs `sync.sync_all` over an
`HTTPFetcher`, so every check of a folder sync applies unchanged.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2
import httpx
import nacl.signing

from console.core import cose, officelog
from console.core.errors import LedgerIntegrityError, StorageError
from console.core.ledger import checkpoint as cp
from console.core.ledger import note, proofs
from console.core.ledger.tiles import FULL_WIDTH, Tile, TileFormatError, parse_tile_path
from console.node import httpauth
from console.node.fetch import FetchError, limit_for
from console.node.folder import log_files

#: A push stays under this many bytes and entries (the node takes bodies up to `MAX_PUSH`): the node verifies a
#: push before it answers, so a push is kept to seconds of its work (≈ 500 entries/s on a loaded 2-core VM).
CHUNK_BYTES = 4 * 1024 * 1024
CHUNK_ENTRIES = 4096
MAX_PUSH = 64 * 1024 * 1024
TIMEOUT = 120.0
#: How many tiles of a level a sync fetches ahead of the one it reads.
PREFETCH = 4
#: How often a request the node answered 429 (too fast) is tried again.
RETRIES = 20


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("retry-after", "1")
    return min(10.0, max(0.1, float(value))) if value.replace(".", "", 1).isdigit() else 1.0


class PeerError(StorageError):
    """The node could not be reached, or refused a request (the sentence says which and why)."""


def _ssl_context() -> ssl.SSLContext:
    """The system's trusted CAs, plus SSL_CERT_FILE when set (a private CA for the authority's nodes)."""
    return ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or None)


class NodeClient:
    """Signed HTTP requests to one node, as the office whose key `seed` is (certified by `certificate`)."""

    def __init__(self, url: str, seed: bytes | None, certificate: bytes | None, timeout: float = TIMEOUT) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise PeerError(f"The peer URL {url!r} is not an http:// or https:// address.")
        self.url = url.rstrip("/")
        self.seed, self.certificate = seed, certificate
        self.http = httpx.Client(
            verify=_ssl_context(), timeout=timeout, limits=httpx.Limits(max_connections=8), trust_env=False
        )

    def close(self) -> None:
        self.http.close()

    def send(
        self, method: str, path: str, body: bytes | None = None, content_type: str | None = None
    ) -> httpx.Response:
        """Send a signed request (streamed response); a 429 is retried after the node's Retry-After (a fresh
        signature and nonce each time), up to RETRIES times."""
        headers = {"content-type": content_type} if content_type else {}
        for attempt in range(RETRIES + 1):
            request = self.http.build_request(method, self.url + path, content=body, headers=headers)
            if self.seed is not None and self.certificate is not None:
                httpauth.sign_request(request, self.seed, self.certificate, body)
            try:
                response = self.http.send(request, stream=True)
            except httpx.HTTPError as e:
                raise PeerError(f"The peer node {self.url} cannot be reached ({type(e).__name__}: {e}).") from None
            if response.status_code != 429 or attempt == RETRIES:
                return response
            response.close()
            time.sleep(_retry_after(response))
        raise AssertionError("unreachable")

    def get(self, path: str, limit: int) -> bytes | None:
        """The body of GET `path` (at most `limit` bytes), None for 404; PeerError for any other refusal."""
        response = self.send("GET", path)
        try:
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise PeerError(f"The peer node {self.url} refused GET {path}: {_reason(response)}")
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > limit:
                    raise PeerError(f"The peer node {self.url} sent more than {limit} bytes for {path}.")
            return bytes(data)
        except httpx.HTTPError as e:
            raise PeerError(f"The peer node {self.url} broke off GET {path} ({e}).") from None
        finally:
            response.close()


def _reason(response: httpx.Response) -> str:
    try:
        response.read()
        message = str(response.json().get("error"))
    except Exception:
        message = response.reason_phrase
    return f"{response.status_code} {message}"


class HTTPFetcher:
    """The Fetcher of `sync.sync_all` over a node: GET /logs and /logs/<code>/<path> (404: missing).

    Reading a tile also starts fetching the next `PREFETCH` tiles of its level in the background (their exact
    widths known from the log's checkpoint, read first), so that a sync waits on the network once per window
    instead of once per tile. What is prefetched is only handed out when `sync_log` asks for it, so it is
    checked exactly as a direct read; the rest is dropped by `close`.
    """

    def __init__(self, client: NodeClient, prefetch: int = PREFETCH) -> None:
        self.client = client
        self.prefetch = prefetch
        self._pool = ThreadPoolExecutor(max_workers=max(1, prefetch), thread_name_prefix="node-prefetch")
        self._pending: dict[tuple[str, str], Future[bytes]] = {}
        self._sizes: dict[str, int] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            for future in self._pending.values():
                future.cancel()
            self._pending.clear()
        self._pool.shutdown(wait=True)

    def logs(self) -> list[str]:
        data = self.client.get("/logs", 1 << 20)
        if data is None:
            return []
        logs = _json(data).get("logs")
        if not isinstance(logs, list):
            raise PeerError(f"The peer node {self.client.url} sent no list of logs.")
        return [str(code) for code in logs]

    def _get(self, log: str, path: str) -> bytes:
        try:
            data = self.client.get(f"/logs/{log}/{path}", limit_for(path))
        except PeerError as e:
            raise FetchError(log, path, str(e)) from None
        if data is None:
            raise FileNotFoundError(path)
        return data

    def read(self, log: str, path: str) -> bytes:
        with self._lock:
            future = self._pending.pop((log, path), None)
        data = future.result() if future is not None else self._get(log, path)
        if path == "checkpoint":
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                self._sizes[log] = int(data.decode().split("\n")[1])
        elif self.prefetch:
            self._ahead(log, path)
        return data

    def _ahead(self, log: str, path: str) -> None:
        size = self._sizes.get(log)
        try:
            tile = parse_tile_path(path)
        except TileFormatError:
            return
        if size is None:
            return
        count = size >> (8 * max(tile.level, 0))  # hashes (or entries) at this level
        with self._lock:
            for n in range(tile.n + 1, tile.n + 1 + self.prefetch):
                width = min(FULL_WIDTH, count - n * FULL_WIDTH)
                if width <= 0:
                    break
                key = (log, Tile(tile.level, n, width).path)
                if key not in self._pending:
                    self._pending[key] = self._pool.submit(self._get, *key)

    def files(self, log: str) -> list[str]:
        raise FetchError(log, "", "a node does not list files; verify the node's own folder on the node")


def _json(data: bytes) -> dict[str, Any]:
    import json

    value = json.loads(data)
    if not isinstance(value, dict):
        raise PeerError("The peer node sent an unexpected answer.")
    return value


@dataclass(frozen=True)
class Pushed:
    log: str
    old_size: int
    size: int
    requests: int


def office_certificate(conn: sqlite3.Connection, seed: bytes) -> bytes:
    public = bytes(nacl.signing.SigningKey(seed).verify_key)
    row = conn.execute(
        "SELECT CAST(certificate AS BLOB) FROM office_keys WHERE kid = ?", (cose.key_id(public),)
    ).fetchone()
    if row is None:
        raise StorageError("The office key in force has no authority certificate in the office database.")
    return bytes(row[0])


def remote_size(client: NodeClient, code: str, signer: note.Signer) -> tuple[int, bytes | None]:
    """How much of our log the node holds (and its root); refuses a checkpoint we did not sign."""
    data = client.get(f"/logs/{code}/checkpoint", 16 * 1024)
    if data is None:
        return 0, None
    try:
        found = cp.open_checkpoint(data, signer.name, [signer.verifier]).checkpoint
    except cp.CheckpointError:
        raise LedgerIntegrityError(
            f"log {code}: the peer node {client.url} holds a checkpoint of this office's log that this office's key "
            "did not sign."
        ) from None
    return found.size, found.root


def push(conn: sqlite3.Connection, client: NodeClient, signer: note.Signer) -> Pushed:
    """Send every entry of our log the node lacks, with its tiles, bundles and blobs, under signed checkpoints.

    Raises:
        LedgerIntegrityError: the node holds more of our log than we have, or another root (a fork).
        PeerError: the node refused a push (the sentence has its status and reason).
    """
    code = officelog.local_office_code(conn)
    head = officelog.quick_check(conn)
    size = head.size if head else 0
    reader = officelog.SqliteHashReader(conn)
    start, root = remote_size(client, code, signer)
    old = start
    if start > size:
        raise LedgerIntegrityError(
            f"log {code}: the peer node holds {start} entries of this office's log but the office has {size}: "
            "another console writes this office's log."
        )
    if start and root != proofs.tree_hash(start, reader):
        raise LedgerIntegrityError(f"log {code}: the peer node holds another version of this office's log (a fork).")
    requests = 0
    while start < size:
        end = _chunk_end(conn, start, size)
        signed = cp.sign_checkpoint(cp.Checkpoint(signer.name, end, proofs.tree_hash(end, reader)), signer)
        files = dict(log_files(conn, start, end))
        body = cbor2.dumps({"checkpoint": signed, "files": files})
        response = client.send("POST", f"/logs/{code}/push", body, "application/cbor")
        try:
            if response.status_code != 200:
                raise PeerError(f"The peer node {client.url} refused the push of log {code}: {_reason(response)}")
        finally:
            response.close()
        requests += 1
        start = end
    if size:
        conn.execute("UPDATE events SET published = 1 WHERE seq <= ? AND published = 0", (size,))
    return Pushed(code, old, size, requests)


def _chunk_end(conn: sqlite3.Connection, start: int, size: int) -> int:
    """The largest end (a bundle boundary, or `size`) whose entries stay under CHUNK_BYTES; at least one bundle."""
    end = min(size, (start // 256 + 1) * 256)
    total = 0
    while True:
        row = conn.execute(
            "SELECT COALESCE(SUM(LENGTH(entry)), 0) FROM events WHERE seq > ? AND seq <= ?", (start, end)
        ).fetchone()
        total = int(row[0])
        nxt = min(size, end + 256)
        if nxt == end:
            return end
        more = conn.execute(
            "SELECT COALESCE(SUM(LENGTH(entry)), 0) FROM events WHERE seq > ? AND seq <= ?", (end, nxt)
        ).fetchone()
        if total + int(more[0]) > CHUNK_BYTES or nxt - start > CHUNK_ENTRIES:
            return end
        end = nxt


PEER_SETTING = "ledger_peer"


def configured_peer(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (PEER_SETTING,)).fetchone()
    return str(row[0]) if row else None


def check_url(url: str) -> str:
    """A peer node's base URL, or ValidationError (http(s), a host, no query, fragment or credentials)."""
    from console.core.errors import ValidationError

    parsed = urllib.parse.urlsplit(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValidationError("peer", f"{url!r} is not an http:// or https:// URL of a peer node.")
    if parsed.query or parsed.fragment or parsed.username or parsed.password:
        raise ValidationError("peer", f"{url!r}: give the node's base URL, without query, fragment or password.")
    return url.strip().rstrip("/")


def configure_peer(session: Any, url: str) -> str:
    """Remember the peer node this office syncs through when no folder is configured (sync.configure)."""
    from console.core import events
    from console.core.roles import Permission
    from console.core.store import transaction

    session.require(Permission.SYNC_CONFIGURE, url)
    url = check_url(url)
    office = session.office
    with transaction(office.db) as conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (PEER_SETTING, url),
        )
        events.audit(
            conn,
            now=office.clock(),
            officer=session.username,
            action="ledger.configure",
            outcome="ok",
            detail=f"ledger peer node {url}",
        )
    return url


def run_sync_peer(
    session: Any,
    url: str,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> Any:
    """`ledger sync --peer URL`: push ours, then fetch, verify and apply every other log the node holds; the
    same steps as `sync.run_sync` with a node in place of the folder (progress, cancel, status list)."""
    from console.core.roles import Permission
    from console.node import sync
    from console.node.folder import office_signer

    session.require(Permission.SYNC_RUN, url)
    secrets = session.office_keys()
    conn = session.office.db.conn
    signer = office_signer(conn, secrets.signing_seeds)
    seed = bytes(signer.signing_key)
    client = NodeClient(url, seed, office_certificate(conn, seed))
    try:
        report = sync.SyncReport()
        done = push(conn, client, signer)
        report.published = {"log": done.log, "size": done.size, "new_entries": done.size - done.old_size}
        evidence = Path(session.office.paths.data_dir) / "ledger-evidence"
        fetcher = HTTPFetcher(client)
        try:
            sync.sync_all(conn, fetcher, secrets.records_key, evidence, report, cancel=cancel, counted=progress)
        finally:
            fetcher.close()
    finally:
        client.close()
    sync.remake_local_status_list(session.office, session.office_signing_key())
    return report
