"""Nodes as a mesh, under stress: three offices converge through two nodes that pull from each other on a
timer; a node SIGKILLed in the middle of a push loses nothing once restarted; 50 concurrent pullers while an
office pushes only ever see checkpoints whose tiles are there and prove them. Real nodes, real sockets."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from console.core import ledgerverify, registry
from console.core.ledger import checkpoint as cp
from console.core.ledger import proofs
from console.core.ledger.authn import TileHashReader
from console.core.ledger.tiles import Tile
from console.node import peer
from console.node.fetch import FolderFetcher
from console.node.folder import office_signer
from console.node.verify import verify_folder
from tests.node.conftest import CODES, Authority
from tests.node.nodes import RunningNode, start_node
from tests.node.test_node_sync import statuses, work

HQ, B, C = CODES


def sync_ok(a: Authority, code: str, url: str) -> dict:
    report = peer.run_sync_peer(a.session(code, "clerk"), url).to_json()
    assert report["errors"] == [] and report["forks"] == [], (code, report)
    return report


def node_sizes(node_dir: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{node_dir / 'node.db'}?mode=ro", uri=True, timeout=10)
    try:
        return {str(r[0]): int(r[1]) for r in conn.execute("SELECT office_code, size FROM ledger_peers")}
    finally:
        conn.close()


def wait_for(what: Callable[[], bool], seconds: float, why: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if what():
            return
        time.sleep(0.2)
    raise AssertionError(why)


def own_size(a: Authority, code: str) -> int:
    return int(a.offices[code].db.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])


def test_three_offices_converge_through_two_peered_nodes(authority: Authority, person: Callable[[int], object]) -> None:
    a = authority
    hq_dir, c_dir = (a.offices[code].paths.data_dir for code in (HQ, C))
    for i, code in enumerate(CODES):
        work(a, code, person, 100 * i)
    one = start_node(hq_dir, "--rate-limit", "0")
    # The second node pulls from the first every second, signing its pulls as office C-03.
    two = start_node(c_dir, "--rate-limit", "0", "--peer", one.url, "--pull-interval", "1", as_user="super")
    nodes: list[RunningNode] = [one, two]
    try:
        sync_ok(a, HQ, one.url)
        sync_ok(a, B, one.url)
        sync_ok(a, C, two.url)
        # the first node, restarted on the same folder, now also pulls from the second (restart resumes)
        assert one.stop() == 0
        port = one.url.rsplit(":", 1)[1]
        one = start_node(hq_dir, "--rate-limit", "0", "--port", port, "--peer", two.url, "--pull-interval", "1",
                         as_user="super")  # fmt: skip
        nodes[0] = one
        want = {code: own_size(a, code) for code in CODES}
        for url_dir, name in ((hq_dir / "node", "first"), (c_dir / "node", "second")):
            wait_for(lambda d=url_dir: node_sizes(d) == want, 60, f"the {name} node never held every log: {want}")
        for code, url in ((HQ, one.url), (B, one.url), (C, two.url)):
            sync_ok(a, code, url)
        first = statuses(a, HQ)
        assert len(first) == 9 and list(first.values()).count("revoked") == 3
        for code in CODES:
            assert statuses(a, code) == first
            records = a.session(code, "admin").office_keys().records_key
            assert ledgerverify.verify_database(a.offices[code].db.conn, records) == []
        # each node's folder verifies on its own (every tile rebuilt, every entry's signature)
        for d in (hq_dir / "node", c_dir / "node"):
            conn = sqlite3.connect(f"file:{d / 'node.db'}?mode=ro", uri=True)
            try:
                assert verify_folder(conn, FolderFetcher(d)) == []
            finally:
                conn.close()
        metrics = peer.httpx.get(f"{one.url}/metrics").text
        assert f'idc_node_log_entries{{log="{C}"}} {float(want[C])}' in metrics
        assert "idc_node_last_sync_timestamp_seconds" in metrics
    finally:
        for n in nodes:
            n.stop()


@pytest.mark.parametrize("delay", [0.0, 0.15, 0.4])
def test_node_killed_mid_push_loses_nothing(
    authority: Authority, person: Callable[[int], object], delay: float
) -> None:
    a = authority
    hq_dir = a.offices[HQ].paths.data_dir
    clerk = a.session(B, "clerk")
    for i in range(300):  # more than one full tile: several files, a commit worth interrupting
        registry.register(clerk, person(i))  # type: ignore[arg-type]
    node = start_node(hq_dir, "--rate-limit", "0")
    errors: list[BaseException] = []

    def push() -> None:
        try:
            peer.run_sync_peer(a.session(B, "clerk"), node.url)
        except BaseException as e:  # the node died under it: PeerError is the expected outcome
            errors.append(e)

    pusher = threading.Thread(target=push)
    pusher.start()
    time.sleep(delay)
    node.stop(signal.SIGKILL)
    pusher.join(60)
    assert all(isinstance(e, peer.PeerError) for e in errors), errors
    port = node.url.rsplit(":", 1)[1]
    node = start_node(hq_dir, "--rate-limit", "0", "--port", port)
    try:
        sync_ok(a, B, node.url)
        sync_ok(a, HQ, node.url)
        sync_ok(a, B, node.url)
        assert node_sizes(hq_dir / "node")[B] == own_size(a, B)
        hq = a.offices[HQ].db.conn
        assert int(hq.execute("SELECT COUNT(*) FROM citizens WHERE office_code = ?", (B,)).fetchone()[0]) == 300
        conn = sqlite3.connect(f"file:{hq_dir / 'node' / 'node.db'}?mode=ro", uri=True)
        try:
            assert verify_folder(conn, FolderFetcher(hq_dir / "node")) == []
        finally:
            conn.close()
    finally:
        node.stop()


def test_fifty_pullers_see_only_consistent_checkpoints(authority: Authority, person: Callable[[int], object]) -> None:
    a = authority
    node = start_node(a.offices[HQ].paths.data_dir, "--rate-limit", "0", "--max-connections", "400")
    conn = a.offices[B].db.conn
    seeds = a.session(B, "super").office_keys().signing_seeds
    signer = office_signer(conn, seeds)
    seed = bytes(signer.signing_key)
    cert = peer.office_certificate(conn, seed)
    done = threading.Event()

    def puller(_n: int) -> tuple[int, int]:
        """Checkpoints seen and the largest size; every one verified, growing, and proven by the tiles served."""
        client = peer.NodeClient(node.url, seed, cert)
        seen, last = 0, 0
        try:
            while not done.is_set() or seen == 0:
                data = client.get(f"/logs/{B}/checkpoint", 1 << 14)
                if data is None:
                    time.sleep(0.05)
                    continue
                found = cp.open_checkpoint(data, signer.name, [signer.verifier]).checkpoint
                assert found.size >= last, f"a checkpoint went back from {last} to {found.size}"
                last = found.size
                tiles = TileHashReader(found.size, found.root, Reader(client))
                assert proofs.tree_hash(found.size, tiles) == found.root
                seen += 1
        finally:
            client.close()
        return seen, last

    class Reader:
        def __init__(self, client: peer.NodeClient) -> None:
            self.client = client

        def read_tiles(self, tiles: list[Tile]) -> list[bytes]:
            out = []
            for t in tiles:
                data = self.client.get(f"/logs/{B}/{t.path}", 1 << 16)
                assert data is not None, f"the node served a checkpoint before its tile {t.path}"
                out.append(data)
            return out

    try:
        clerk = a.session(B, "clerk")
        registry.register(clerk, person(0))  # type: ignore[arg-type]
        sync_ok(a, B, node.url)
        with ThreadPoolExecutor(50) as pool:
            futures = [pool.submit(puller, n) for n in range(50)]
            for round_ in range(4):
                for i in range(40):
                    registry.register(clerk, person(1000 + 40 * round_ + i))  # type: ignore[arg-type]
                sync_ok(a, B, node.url)
            done.set()
            results = [f.result(timeout=300) for f in futures]
        assert all(seen >= 1 for seen, _ in results)
        assert max(last for _, last in results) <= own_size(a, B)
    finally:
        done.set()
        node.stop()
