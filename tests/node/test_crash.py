"""kill -9 at each step of a publish and of an apply: afterwards the folder and both databases verify, and the
next sync completes with nothing lost or doubled."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from console.core import issuance, ledgerverify, registry
from console.core.ledger.hashing import stored_hash_count
from console.node import sync
from console.node.fetch import FolderFetcher
from console.node.verify import verify_folder
from tests.node.conftest import Authority

ROOT = Path(__file__).resolve().parents[2]

PUBLISH_STEPS = [
    ("console.node.folder:_stage", 1, "before"),
    ("console.node.folder:_stage", 1, "after"),
    ("console.node.durable:write_once", 1, "after"),
    ("console.node.durable:write_once", 2, "before"),
    ("console.node.durable:replace", 1, "before"),
    ("console.node.durable:replace", 1, "after"),
]
APPLY_STEPS = [
    ("console.core.ledgerapply:apply_entry", 1, "before"),
    ("console.core.ledgerapply:apply_entry", 7, "after"),
    ("console.node.sync:_record_fork", 1, "before"),  # never called: the run completes (control)
]


def _work(a: Authority, code: str, person: Callable[[int], object], base: int) -> None:
    clerk = a.session(code, "clerk")
    for i in range(base, base + 3):
        issuance.issue(clerk, registry.register(clerk, person(i))["id_number"])  # type: ignore[arg-type]


def _crash(a: Authority, code: str, target: str, nth: int, when: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.node.crash_child",
            str(a.offices[code].paths.data_dir),
            str(a.folder),
            "clerk",
            target,
            str(nth),
            when,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check_everything(a: Authority) -> None:
    for code in ("HQ-01", "B-02"):
        conn = a.offices[code].db.conn
        records = a.session(code, "admin").office_keys().records_key
        assert ledgerverify.verify_database(conn, records) == [], code
        assert verify_folder(conn, FolderFetcher(a.folder)) == [], code


@pytest.mark.slow
@pytest.mark.parametrize(("target", "nth", "when"), PUBLISH_STEPS + APPLY_STEPS)
def test_kill_during_publish_or_apply(
    authority: Authority, person: Callable[[int], object], target: str, nth: int, when: str
) -> None:
    a = authority
    _work(a, "HQ-01", person, 0)
    _work(a, "B-02", person, 10)
    if target.startswith("console.core.ledgerapply") or "_record_fork" in target:
        sync.run_sync(a.session("B-02", "clerk"), a.folder)  # B's log is in the folder for HQ to apply
    result = _crash(a, "HQ-01", target, nth, when)
    if "_record_fork" in target:
        assert result.returncode == 0 and "finished" in result.stdout, result.stderr
    else:
        assert result.returncode == -9, (result.stdout, result.stderr)  # really killed at that step
    for code in ("HQ-01", "B-02"):
        a.offices[code].close()
    for _round in range(2):
        for code in ("HQ-01", "B-02"):
            report = sync.run_sync(a.session(code, "clerk"), a.folder).to_json()
            assert report["errors"] == [] and report["forks"] == [], (code, report)
    _check_everything(a)
    hq, b = (a.offices[c].db.conn for c in ("HQ-01", "B-02"))
    statuses = [
        sorted((bytes(r[0]), r[1]) for r in c.execute("SELECT credential_id, status FROM credentials")) for c in (hq, b)
    ]
    assert statuses[0] == statuses[1] and len(statuses[0]) == 6  # nothing lost, nothing doubled
    for conn, other in ((hq, "B-02"), (b, "HQ-01")):
        size = int(conn.execute("SELECT size FROM ledger_peers WHERE office_code = ?", (other,)).fetchone()[0])
        count = int(
            conn.execute("SELECT COUNT(*) FROM ledger_peer_hashes WHERE origin LIKE ?", (f"%/{other}",)).fetchone()[0]
        )
        assert count == stored_hash_count(size)
