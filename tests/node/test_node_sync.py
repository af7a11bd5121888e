"""Offices sync through real peer nodes (subprocesses on 127.0.0.1, random ports): push ours, pull theirs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from console.core import issuance, ledgerverify, registry, requests
from console.node import peer
from console.node.folder import office_signer
from tests.conftest import PASSWORDS
from tests.node.conftest import CODES, Authority
from tests.node.nodes import RunningNode, start_node
from tests.test_cli import run


def work(a: Authority, code: str, person: Callable[[int], object], base: int, n: int = 3) -> list[str]:
    clerk = a.session(code, "clerk")
    numbers = [registry.register(clerk, person(base + i))["id_number"] for i in range(n)]  # type: ignore[arg-type]
    for number in numbers:
        issuance.issue(clerk, number)
    req = requests.create_request(clerk, "revoke", numbers[0], "card reported stolen")
    requests.approve(a.session(code, "super"), req["request_id"])
    return numbers


def statuses(a: Authority, code: str) -> dict[bytes, str]:
    conn = a.offices[code].db.conn
    return {bytes(r[0]): r[1] for r in conn.execute("SELECT credential_id, status FROM credentials")}


@pytest.fixture
def node(authority: Authority) -> Iterator[RunningNode]:
    running = start_node(authority.offices["HQ-01"].paths.data_dir)
    yield running
    running.stop()


def test_three_offices_converge_through_one_node(
    authority: Authority, node: RunningNode, person: Callable[[int], object]
) -> None:
    a = authority
    numbers: list[str] = []
    for i, code in enumerate(CODES):
        numbers += work(a, code, person, 100 * i)
    for _round in range(2):
        for code in CODES:
            report = peer.run_sync_peer(a.session(code, "clerk"), node.url).to_json()
            assert report["errors"] == [] and report["forks"] == [], report
    first = statuses(a, CODES[0])
    assert len(first) == 9 and sorted(first.values()).count("revoked") == 3
    for code in CODES:
        assert statuses(a, code) == first
        conn = a.offices[code].db.conn
        assert sorted(r[0] for r in conn.execute("SELECT id_number FROM citizens")) == sorted(numbers)
        assert ledgerverify.verify_database(conn, a.session(code, "admin").office_keys().records_key) == []
    again = peer.run_sync_peer(a.session("B-02", "clerk"), node.url).to_json()
    assert again["published"]["new_entries"] == 0 and set(again["applied"].values()) == {0}
    # the structured request log: one JSON object per request, naming the signing office
    lines = [json.loads(line) for line in node.requests() if line.startswith("{")]
    assert any(r["method"] == "POST" and r["status"] == 200 and r["office"] == "B-02" for r in lines)


def test_cli_sync_with_peer(authority: Authority, node: RunningNode, person: Callable[[int], object]) -> None:
    a = authority
    work(a, "B-02", person, 0)
    b, c = (a.offices[code].paths.data_dir for code in ("B-02", "C-03"))
    out = run(b, "ledger", "sync", "--as", "clerk", "--peer", node.url, "--json", password=PASSWORDS["clerk"])
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"published", "fetched", "applied", "forks", "errors"}
    assert data["published"]["log"] == "B-02" and data["published"]["new_entries"] > 5
    out = run(c, "ledger", "sync", "--as", "clerk", "--peer", node.url, "--json", password=PASSWORDS["clerk"])
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["applied"]["B-02"] == data["fetched"]["B-02"] > 5
    both = run(c, "ledger", "sync", "--as", "clerk", "--peer", node.url, "--folder", str(a.folder))
    assert both.returncode == 2 and "not both" in both.stderr
    bad = run(c, "ledger", "sync", "--as", "clerk", "--peer", "ftp://x", password=PASSWORDS["clerk"])
    assert bad.returncode == 2 and "http://" in bad.stderr


def test_node_serve_usage_errors(authority: Authority, tmp_path: Path) -> None:
    hq = authority.offices["HQ-01"].paths.data_dir
    for args, words in (
        (["--host", "0.0.0.0"], "--tls-cert"),  # plain HTTP off loopback needs --insecure-http
        (["--port", "70000"], "not a port"),
        (["--tls-cert", str(tmp_path / "missing.pem"), "--tls-key", str(tmp_path / "k.pem")], "no such file"),
        (["--tls-cert", str(hq / "office.db")], "both"),
        (["--peer", "ftp://node"], "http://"),
        (["--peer", "http://127.0.0.1:9"], "--as USER"),
        (["--pull-interval", "0.1"], "at least 1 second"),
    ):
        out = run(hq, "node", "serve", *args)
        assert out.returncode == 2 and words in out.stderr and "Traceback" not in out.stderr, (args, out.stderr)
    empty = tmp_path / "empty"
    empty.mkdir()
    out = run(empty, "node", "serve")
    assert out.returncode == 2 and "No office database" in out.stderr


def test_configured_peer_is_used_by_cli_and_console_sync(
    authority: Authority, node: RunningNode, person: Callable[[int], object]
) -> None:
    a = authority
    work(a, "B-02", person, 0)
    b, c = (a.offices[code].paths.data_dir for code in ("B-02", "C-03"))
    for data_dir in (b, c):
        bad = run(
            data_dir, "ledger", "configure", "--as", "admin", "--peer", "http://x/?a=1", password=PASSWORDS["admin"]
        )
        assert bad.returncode == 2 and "without query" in bad.stderr, bad.stderr
        out = run(data_dir, "ledger", "configure", "--as", "admin", "--peer", node.url + "/", "--json",
                  password=PASSWORDS["admin"])  # fmt: skip
        assert out.returncode == 0 and json.loads(out.stdout) == {"peer": node.url}, out.stderr
        # `ledger status` names the configured peer (text and JSON), beside the keys it always had
        shown = run(data_dir, "ledger", "status", "--json")
        status = json.loads(shown.stdout)
        assert status["peer"] == node.url and status["folder"] is None, shown.stderr
        assert {"folder", "log", "logs", "forks"} <= set(status)
        assert f"Peer node: {node.url}" in run(data_dir, "ledger", "status").stdout
    out = run(b, "ledger", "sync", "--as", "clerk", "--json", password=PASSWORDS["clerk"])  # no --folder, no --peer
    assert out.returncode == 0 and json.loads(out.stdout)["published"]["new_entries"] > 5, out.stderr
    # the desktop console's background sync takes the configured peer when no folder is configured
    from console.gui.pages.ledger import _sync

    steps: list[tuple[int, int]] = []
    report = _sync(a.session("C-03", "clerk"), progress=lambda done, total: steps.append((done, total)))
    assert report["errors"] == [] and report["applied"]["B-02"] > 5 and steps[-1][0] == steps[-1][1]
    assert statuses(a, "C-03") == statuses(a, "B-02")


def test_a_long_log_is_pushed_in_chunks(
    authority: Authority, node: RunningNode, person: Callable[[int], object], monkeypatch: pytest.MonkeyPatch
) -> None:
    a = authority
    clerk = a.session("B-02", "clerk")
    for i in range(600):
        registry.register(clerk, person(i))  # type: ignore[arg-type]
    monkeypatch.setattr(peer, "CHUNK_ENTRIES", 256)
    conn = a.offices["B-02"].db.conn
    signer = office_signer(conn, a.session("B-02", "super").office_keys().signing_seeds)
    seed = bytes(signer.signing_key)
    client = peer.NodeClient(node.url, seed, peer.office_certificate(conn, seed))
    try:
        done = peer.push(conn, client, signer)
    finally:
        client.close()
    size = int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    assert (done.old_size, done.size, done.requests) == (0, size, 3)  # bundles 0-255, 256-511, 512-size
    report = peer.run_sync_peer(a.session("HQ-01", "clerk"), node.url).to_json()
    assert report["applied"]["B-02"] == size and report["errors"] == []
