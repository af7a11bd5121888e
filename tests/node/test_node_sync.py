"""Offices sync through real peer nodes (subprocesses on 127.0.0.1, random ports): push ours, pull theirs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from console.core import issuance, ledgerverify, registry, requests
from console.node import peer
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
