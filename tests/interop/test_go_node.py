"""Go's sumdb/{note,tlog} read a peer node's log over HTTP (issue 10): the checkpoint and the hash tiles a real
node on 127.0.0.1 serves (public with --public-status) verify, prove the tree hash and its consistency with an
older checkpoint; a tile changed on the node's disk is refused."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from console.core import registry
from console.node import peer
from console.node.folder import office_signer
from tests.interop.test_go_ledger import ledgercheck  # noqa: F401 (the fixture that builds the Go helper)
from tests.node.conftest import Authority, authority, person  # noqa: F401 (fixtures)
from tests.node.nodes import start_node
from tests.node.test_node_sync import work

B = "B-02"


def test_go_reads_a_node_over_http(
    ledgercheck: Path,  # noqa: F811
    authority: Authority,  # noqa: F811
    person: Callable[[int], object],  # noqa: F811
    tmp_path: Path,
) -> None:
    a = authority
    hq = a.offices["HQ-01"].paths.data_dir
    node = start_node(hq, "--public-status", "--rate-limit", "0")
    try:
        work(a, B, person, 0)
        peer.run_sync_peer(a.session(B, "clerk"), node.url)
        older = tmp_path / "older-checkpoint"
        older.write_bytes((hq / "node" / "logs" / B / "checkpoint").read_bytes())
        clerk = a.session(B, "clerk")
        for i in range(300):  # past a full tile: Go reads full, partial and level-1 tiles
            registry.register(clerk, person(1000 + i))  # type: ignore[arg-type]
        peer.run_sync_peer(a.session(B, "clerk"), node.url)
        conn = a.offices[B].db.conn
        signer = office_signer(conn, a.session(B, "super").office_keys().signing_seeds)
        url = f"{node.url}/logs/{B}"
        args = [str(ledgercheck), url, signer.verifier.vkey, signer.name]
        result = subprocess.run([*args, str(older)], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        size = int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])
        assert result.stdout.split()[:2] == ["ok", str(size)] and size > 300
        tile = hq / "node" / "logs" / B / "tile" / "0" / "000"
        data = tile.read_bytes()
        tile.write_bytes(data[:5] + bytes([data[5] ^ 1]) + data[6:])
        bad = subprocess.run([*args, str(older)], capture_output=True, text=True, timeout=120)  # proof reads it
        assert bad.returncode == 1, bad.stdout
    finally:
        node.stop()
