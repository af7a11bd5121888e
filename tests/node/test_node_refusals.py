"""A real node on 127.0.0.1 refuses every bad request with the status the issue names and writes nothing:
unsigned (401), forged, stale, replayed, another authority's or another office's (403), unknown log (404), a
fork or an older checkpoint (409), files that do not prove the checkpoint (422), too large (413), too fast
(429), malformed (400), and paths that try to leave the log (400/404)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cbor2
import httpx
import nacl.signing
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from http_message_signatures import HTTPMessageSigner, algorithms

from console.core import issuance, officelog, registry
from console.core.ledger import checkpoint as cp
from console.core.ledger import note, proofs
from console.node import httpauth, peer
from console.node.folder import log_files, office_signer
from tests.node.conftest import Authority
from tests.node.nodes import RunningNode, start_node

B = "B-02"


@dataclass
class Office:
    """What B-02 needs to talk to the node: its connection, checkpoint signer, key seed and certificate."""

    conn: sqlite3.Connection
    signer: note.Signer
    seed: bytes
    cert: bytes

    def client(self, url: str) -> peer.NodeClient:
        return peer.NodeClient(url, self.seed, self.cert)

    def size(self) -> int:
        head = officelog.quick_check(self.conn)
        return head.size if head else 0

    def body(self, start: int, end: int, *, root: bytes | None = None, signer: note.Signer | None = None,
             tamper: Callable[[dict[str, bytes]], None] | None = None) -> bytes:  # fmt: skip
        reader = officelog.SqliteHashReader(self.conn)
        root = root if root is not None else proofs.tree_hash(end, reader)
        signed = cp.sign_checkpoint(cp.Checkpoint(self.signer.name, end, root), signer or self.signer)
        files = dict(log_files(self.conn, start, end))
        if tamper is not None:
            tamper(files)
        return cbor2.dumps({"checkpoint": signed, "files": files})


def push(client: peer.NodeClient, body: bytes, code: str = B) -> httpx.Response:
    response = client.send("POST", f"/logs/{code}/push", body, "application/cbor")
    response.read()
    response.close()
    return response


def node_state(node_dir: Path) -> tuple[list[str], list[tuple[str, int]]]:
    """Every file the node holds under logs/ and the sizes node.db accepted (read-only)."""
    files = sorted(str(p.relative_to(node_dir)) for p in (node_dir / "logs").rglob("*") if p.is_file())
    conn = sqlite3.connect(f"file:{node_dir / 'node.db'}?mode=ro", uri=True)
    try:
        sizes = [(str(r[0]), int(r[1])) for r in conn.execute("SELECT office_code, size FROM ledger_peers")]
    finally:
        conn.close()
    return files, sorted(sizes)


@pytest.fixture
def office_b(authority: Authority, person: Callable[[int], object]) -> Office:
    clerk = authority.session(B, "clerk")
    for i in range(4):
        issuance.issue(clerk, registry.register(clerk, person(i))["id_number"])  # type: ignore[arg-type]
    conn = authority.offices[B].db.conn
    signer = office_signer(conn, authority.session(B, "super").office_keys().signing_seeds)
    seed = bytes(signer.signing_key)
    return Office(conn, signer, seed, peer.office_certificate(conn, seed))


@pytest.fixture
def node(authority: Authority) -> Iterator[RunningNode]:
    running = start_node(authority.offices["HQ-01"].paths.data_dir, "--rate-limit", "0")
    yield running
    running.stop()


def node_dir(authority: Authority) -> Path:
    return authority.offices["HQ-01"].paths.data_dir / "node"


def test_bad_pushes_are_refused_with_their_status_and_write_nothing(
    authority: Authority, node: RunningNode, office_b: Office
) -> None:
    b, size = office_b, office_b.size()
    half = size // 2
    client = b.client(node.url)
    try:
        before = node_state(node_dir(authority))

        def refused(status: int, body: bytes, words: str, code: str = B, c: peer.NodeClient = client) -> None:
            response = push(c, body, code)
            assert response.status_code == status, response.text
            assert words in response.json()["error"], response.text
            assert node_state(node_dir(authority)) == before, "a refused push wrote something"

        def flip_bundle(files: dict[str, bytes]) -> None:
            path = next(p for p in files if p.startswith("tile/entries/"))
            files[path] = files[path][:40] + bytes([files[path][40] ^ 1]) + files[path][41:]

        refused(422, b.body(0, half, tamper=flip_bundle), "do not")  # changed entries: no proof of the root
        refused(
            422, b.body(0, half, root=bytes(32)), "does not hash to the signed checkpoint"
        )  # entries do not hash to the signed root
        stranger = note.Signer(b.signer.name, nacl.signing.SigningKey.generate())
        refused(403, b.body(0, half, signer=stranger), "not signed by a key the authority certified")
        refused(403, b.body(0, half), "may push only its own log", code="HQ-01")  # another office's log
        refused(400, b"\xa1\x61x\x01", "malformed push")
        refused(400, cbor2.dumps({"checkpoint": b"x", "files": {"../../node.db": b""}}), "not a tlog-tiles")
        unsigned = httpx.post(f"{node.url}/logs/{B}/push", content=b.body(0, half))
        assert unsigned.status_code == 401 and node_state(node_dir(authority)) == before

        # A good push is taken; then a fork (other root, same size) and an older checkpoint are conflicts.
        assert push(client, b.body(0, half)).status_code == 200
        before = node_state(node_dir(authority))
        assert (B, half) in before[1]
        refused(409, b.body(0, half, root=hashlib.sha256(b"fork").digest()), "forked")
        before = node_state(node_dir(authority))  # the fork is recorded as evidence (and the log frozen)
    finally:
        client.close()


def test_older_checkpoint_is_a_conflict_and_the_rest_is_taken(
    authority: Authority, node: RunningNode, office_b: Office
) -> None:
    b, size = office_b, office_b.size()
    client = b.client(node.url)
    try:
        assert push(client, b.body(0, size - 2)).status_code == 200
        before = node_state(node_dir(authority))
        stale = push(client, b.body(0, size - 3))
        assert stale.status_code == 409 and "older checkpoint" in stale.json()["error"]
        assert node_state(node_dir(authority)) == before
        done = push(client, b.body(size - 2, size))
        assert done.status_code == 200 and done.json()["size"] == size and done.json()["applied"] == 2
        # what the node serves is what the office wrote: checkpoint not cached, tiles immutable
        got = client.get(f"/logs/{B}/checkpoint", 1 << 14)
        assert got is not None and cp.open_checkpoint(got, b.signer.name, [b.signer.verifier]).checkpoint.size == size
        head = client.send("GET", f"/logs/{B}/checkpoint")
        assert head.headers["cache-control"] == "no-cache"
        head.close()
        tile = client.send("GET", f"/logs/{B}/tile/0/000.p/{size}" if size < 256 else f"/logs/{B}/tile/0/000")
        tile.read()
        assert tile.status_code == 200 and "immutable" in tile.headers["cache-control"]
        assert tile.content == dict(log_files(b.conn, 0, size))[tile.url.path.split(f"/logs/{B}/", 1)[1]]
    finally:
        client.close()


def _signed(office: Office, url: str, *, created: datetime.datetime | None = None, nonce: str | None = None,
            seed: bytes | None = None, cert: bytes | None = None) -> httpx.Request:  # fmt: skip
    """A GET of B's first entry bundle signed as the caller wants (old, a given nonce, another key)."""
    request = httpx.Request("GET", f"{url}/logs/{B}/tile/entries/000.p/{office.size()}")
    private = ed25519.Ed25519PrivateKey.from_private_bytes(seed or office.seed)
    kid = httpauth.cose.key_id(private.public_key().public_bytes_raw()).hex()
    request.headers[httpauth.CERT_HEADER] = httpauth.b64url(cert or office.cert)
    now = created or datetime.datetime.now(datetime.UTC)
    HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=httpauth._OneKey(kid, private=private)).sign(
        request,
        key_id=kid,
        created=now,
        expires=now + datetime.timedelta(seconds=httpauth.WINDOW),
        nonce=nonce or secrets.token_urlsafe(18),
        label=httpauth.LABEL,
        tag=httpauth.TAG,
        covered_component_ids=httpauth.COVERED,
    )
    return request


def test_a_request_replayed_after_the_node_restarts_is_refused(authority: Authority, office_b: Office) -> None:
    """Seen nonces outlive the node's process (httpauth.NonceStore, nonces.db): the same signed request sent to
    the restarted node, on the same address and within the signature's window, is refused as a replay."""
    data_dir = authority.offices["HQ-01"].paths.data_dir
    first = start_node(data_dir, "--rate-limit", "0")
    port = str(httpx.URL(first.url).port)
    try:
        with httpx.Client() as http:
            good = _signed(office_b, first.url)
            assert http.send(good).status_code in (200, 404)  # accepted: B's log is simply not on the node yet
    finally:
        assert first.stop() == 0
    second = start_node(data_dir, "--rate-limit", "0", "--port", port)
    try:
        assert second.url == first.url
        with httpx.Client() as http:
            replay = http.send(good)
            assert replay.status_code == 403 and "replayed" in replay.json()["error"], replay.text
            fresh = http.send(_signed(office_b, second.url))
            assert fresh.status_code in (200, 404), fresh.text
    finally:
        second.stop()
    with sqlite3.connect(data_dir / "node" / "nonces.db") as db:
        assert db.execute("SELECT COUNT(*) FROM seen_nonces").fetchone()[0] == 2


def test_the_nonce_store_is_shared_and_forgets_expired_nonces(tmp_path: Path) -> None:
    a, b = httpauth.NonceStore(tmp_path / "nonces.db"), httpauth.NonceStore(tmp_path / "nonces.db")
    try:
        assert a.first_use("n" * 20, until=100.0, now=50.0)
        assert not b.first_use("n" * 20, until=101.0, now=60.0)  # another process on the same file: a replay
        assert not a.first_use("n" * 20, until=101.0, now=99.0)
        assert b.first_use("n" * 20, until=200.0, now=100.5)  # expired: the window has passed, so it is new
        assert not a.first_use("n" * 20, until=300.0, now=150.0)
    finally:
        a.close()
        b.close()
    memory = httpauth.NonceStore()
    assert memory.first_use("m" * 20, 10.0, 0.0) and not memory.first_use("m" * 20, 10.0, 5.0)


def test_unsigned_forged_stale_and_replayed_requests_are_refused(
    authority: Authority, node: RunningNode, office_b: Office
) -> None:
    b = office_b
    client = b.client(node.url)
    try:
        assert push(client, b.body(0, b.size())).status_code == 200
    finally:
        client.close()
    with httpx.Client() as http:
        good = _signed(b, node.url)
        assert http.send(good).status_code == 200
        replay = http.send(good)
        assert replay.status_code == 403 and "replayed" in replay.json()["error"]
        old = _signed(b, node.url, created=datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=120))
        stale = http.send(old)
        assert stale.status_code == 403 and "stale" in stale.json()["error"]
        forged = http.send(_signed(b, node.url, seed=nacl.signing.SigningKey.generate().encode()))
        assert forged.status_code == 403 and "does not verify" in forged.json()["error"]
        alien = http.send(_signed(b, node.url, cert=b.cert[:-1] + bytes([b.cert[-1] ^ 1])))
        assert alien.status_code == 403 and "authority" in alien.json()["error"]
        unsigned = http.get(f"{node.url}/logs/{B}/tile/entries/000.p/{b.size()}")
        assert unsigned.status_code == 401
        # sealed entries are never public; checkpoints are public only with --public-status
        assert http.get(f"{node.url}/logs/{B}/checkpoint").status_code == 401
        # unknown log, unknown file, paths that try to leave the log
        c = b.client(node.url)
        try:
            for path, status in (
                ("/logs/ZZ-99/checkpoint", 404),
                (f"/logs/{B}/tile/0/999", 404),
                (f"/logs/{B}/tile/0/%2e%2e/%2e%2e/node.db", 400),
                (f"/logs/{B}/../../node.db", 404),
                (f"/logs/{B}/node.db", 400),
                (f"/logs/{B}/tile/entries/x", 400),
            ):
                response = c.send("GET", path)
                response.read()
                assert response.status_code == status, (path, response.status_code, response.text)
                assert b"SQLite" not in response.content
        finally:
            c.close()
        # request size: a GET carries no body worth the name; a push above the limit is refused unread
        big = http.request("GET", f"{node.url}/health", content=b"x" * (128 * 1024))
        assert big.status_code == 413
    lines = node.requests()
    assert any('"status": 403' in line and '"path": "/logs/B-02/tile/entries/' in line for line in lines)


def test_rate_limit_answers_429_and_clients_wait(authority: Authority, office_b: Office) -> None:
    running = start_node(authority.offices["HQ-01"].paths.data_dir, "--rate-limit", "2")
    try:
        with httpx.Client() as http:
            codes = [http.get(f"{running.url}/health").status_code for _ in range(40)]
        assert codes[0] == 200 and 429 in codes, codes  # burst max(10, 4 x rate), then 2/s
        time.sleep(1.5)  # the bucket refills at 2 requests/s
        metrics = httpx.get(f"{running.url}/metrics").text
        assert 'idc_node_requests_total{method="GET",status="429"}' in metrics
        # a sync that needs more requests than the bucket holds waits for the node's Retry-After and completes
        for code in (B, "C-03"):
            report = peer.run_sync_peer(authority.session(code, "clerk"), running.url).to_json()
            assert report["errors"] == [], report
        assert report["applied"][B] == office_b.size()
        assert any('"status": 429' in line for line in running.requests()[-30:])
    finally:
        running.stop()
