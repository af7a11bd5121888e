"""Every endpoint of docs/node-openapi.yaml fuzzed against a real node (schemathesis generates the requests):
each is sent unsigned and signed by an office key; no answer is a server error, every status is one the
description lists, every refusal is a JSON sentence, and nothing fuzzed is ever written."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cbor2
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from console.core import issuance, registry
from console.core.registry import PersonInput
from console.node import peer
from console.node.folder import office_signer
from tests.conftest import FakeClock
from tests.node.conftest import make_authority
from tests.node.nodes import RunningNode, start_node

SPEC = Path(__file__).parents[2] / "docs" / "node-openapi.yaml"
schema = schemathesis.openapi.from_path(str(SPEC))

PATHS = st.one_of(
    st.sampled_from(["tile/0/000", "tile/0/000.p/3", "tile/entries/000.p/3", "tile/1/000", "checkpoint", "../x"]),
    st.builds(lambda h: f"blob/{h.hex()}", st.binary(min_size=32, max_size=32)),
    st.text(max_size=30),
)
#: Push bodies: random bytes, and CBOR maps shaped like a push (checkpoint text, tile and blob paths) with
#: random contents, so that the fuzzing reaches the checks behind the parser.
schemathesis.openapi.media_type(
    "application/cbor",
    st.one_of(
        st.binary(max_size=300),
        st.builds(
            lambda c, f: cbor2.dumps({"checkpoint": c, "files": f}),
            st.one_of(st.binary(max_size=200), st.just(b"ids.utopia.example/B-02\n3\nAAAA\n\n")),
            st.dictionaries(PATHS, st.binary(max_size=300), max_size=4),
        ),
    ),
)


@dataclass
class Fuzzed:
    node: RunningNode
    node_dir: Path
    client: peer.NodeClient
    before: tuple[list[str], list[tuple[str, int]]]


def state(node_dir: Path) -> tuple[list[str], list[tuple[str, int]]]:
    files = sorted(str(p.relative_to(node_dir)) for p in (node_dir / "logs").rglob("*") if p.is_file())
    conn = sqlite3.connect(f"file:{node_dir / 'node.db'}?mode=ro", uri=True)
    try:
        return files, sorted((str(r[0]), int(r[1])) for r in conn.execute("SELECT office_code, size FROM ledger_peers"))
    finally:
        conn.close()


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    a = make_authority(tmp_path_factory.mktemp("fuzz"), FakeClock(), ("HQ-01", "B-02"))
    clerk = a.session("B-02", "clerk")
    for i in range(3):
        person = PersonInput("Tan", "Mei" + "abc"[i], f"19{50 + i}-0{1 + i}-1{i}", "FM"[i % 2], "CHN")
        issuance.issue(clerk, registry.register(clerk, person)["id_number"])
    hq = a.offices["HQ-01"].paths.data_dir
    node = start_node(hq, "--rate-limit", "0")
    peer.run_sync_peer(a.session("B-02", "clerk"), node.url)
    conn = a.offices["B-02"].db.conn
    seed = bytes(office_signer(conn, a.session("B-02", "super").office_keys().signing_seeds).signing_key)
    client = peer.NodeClient(node.url, seed, peer.office_certificate(conn, seed), timeout=30)
    try:
        fuzzed = Fuzzed(node, hq / "node", client, state(hq / "node"))
        assert ("B-02", 0) not in fuzzed.before[1] and fuzzed.before[0], "B's log should be on the node"
        yield fuzzed
        assert state(hq / "node") == fuzzed.before
    finally:
        client.close()
        node.stop()


def check(case: schemathesis.Case, response: httpx.Response) -> None:
    allowed = {int(code) for code in case.operation.definition.raw["responses"]}
    if case.method.upper() != case.operation.method.upper():  # schemathesis also tries methods not described
        allowed = {405, 413, 429}
    assert response.status_code < 500, (case.method, case.formatted_path, response.text)
    assert response.status_code in allowed, (case.method, case.formatted_path, response.status_code, response.text)
    if response.status_code >= 400:
        assert isinstance(response.json()["error"], str) and response.headers["cache-control"] == "no-store"


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_endpoint_fuzzed(fuzzed: Fuzzed, case: schemathesis.Case) -> None:
    body = case.body if isinstance(case.body, bytes) else None
    path = case.formatted_path
    if case.query:
        path += "?" + httpx.QueryParams(case.query).__str__()
    with httpx.Client(timeout=30) as http:
        unsigned = http.request(case.method, fuzzed.node.url + path, content=body, headers=dict(case.headers or {}))
        unsigned.read()
        check(case, unsigned)
    signed = fuzzed.client.send(case.method, path, body, "application/cbor" if body is not None else None)
    try:
        signed.read()
        check(case, signed)
    finally:
        signed.close()
    assert state(fuzzed.node_dir) == fuzzed.before, f"{case.method} {path} wrote something"
