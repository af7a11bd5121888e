"""Talking to a peer node over HTTP: `HTTPFetcher` (pull) and `push` (this office's log), signed requests.

`ledger sync --peer URL` is `ledger sync --folder DIR` with another driver: pushing ours sends the files
`folder.log_files` derives from office.db (the same bytes a folder publish writes) under a checkpoint signed by
the office key, in chunks small enough for the node's size limit; pulling theirs runs `sync.sync_all` over an
`HTTPFetcher`, so every check of a folder sync applies unchanged.
"""

from __future__ import annotations

import os
import sqlite3
import ssl
import urllib.parse
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
from console.node import httpauth
from console.node.fetch import FetchError, limit_for
from console.node.folder import log_files

#: A push stays under this many bytes of entries (the node takes bodies up to `MAX_PUSH`).
CHUNK_BYTES = 16 * 1024 * 1024
MAX_PUSH = 64 * 1024 * 1024
TIMEOUT = 60.0


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
        headers = {"content-type": content_type} if content_type else {}
        request = self.http.build_request(method, self.url + path, content=body, headers=headers)
        if self.seed is not None and self.certificate is not None:
            httpauth.sign_request(request, self.seed, self.certificate, body)
        try:
            return self.http.send(request, stream=True)
        except httpx.HTTPError as e:
            raise PeerError(f"The peer node {self.url} cannot be reached ({type(e).__name__}: {e}).") from None

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
    """The Fetcher of `sync.sync_all` over a node: GET /logs and /logs/<code>/<path> (404: missing)."""

    def __init__(self, client: NodeClient) -> None:
        self.client = client

    def logs(self) -> list[str]:
        data = self.client.get("/logs", 1 << 20)
        if data is None:
            return []
        logs = _json(data).get("logs")
        if not isinstance(logs, list):
            raise PeerError(f"The peer node {self.client.url} sent no list of logs.")
        return [str(code) for code in logs]

    def read(self, log: str, path: str) -> bytes:
        try:
            data = self.client.get(f"/logs/{log}/{path}", limit_for(path))
        except PeerError as e:
            raise FetchError(log, path, str(e)) from None
        if data is None:
            raise FileNotFoundError(path)
        return data

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
        if total + int(more[0]) > CHUNK_BYTES:
            return end
        end = nxt


def run_sync_peer(session: Any, url: str) -> Any:
    """`ledger sync --peer URL`: push ours, then fetch, verify and apply every other log the node holds."""
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
        return sync.sync_all(conn, HTTPFetcher(client), secrets.records_key, evidence, report)
    finally:
        client.close()
