"""`id-console ledger …` end to end in subprocesses: sync JSON, status, configure, trust export, and `ledger
verify` naming each of a dozen plain-SQL edits of office.db (table and key), exit status 8."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from console.core import issuance, officers, registry, requests
from tests import rawdb
from tests.conftest import PASSWORDS
from tests.node.conftest import Authority
from tests.test_cli import one_line_error, run


def _work(a: Authority, code: str, person: Callable[[int], object]) -> None:
    clerk = a.session(code, "clerk")
    numbers = [registry.register(clerk, person(i))["id_number"] for i in range(3)]  # type: ignore[arg-type]
    for n in numbers:
        issuance.issue(clerk, n)
    rid = requests.create_request(clerk, "revoke", numbers[0], "stolen")["request_id"]
    requests.approve(a.session(code, "super"), rid)
    requests.create_request(clerk, "suspend", numbers[1], "holder abroad")  # stays pending
    a.offices[code].clock.advance(seconds=5)  # type: ignore[attr-defined]
    officers.disable_officer(a.session(code, "admin"), "auditor")


def test_sync_status_configure_and_trust_export(authority: Authority, person: Callable[[int], object]) -> None:
    a = authority
    _work(a, "B-02", person)
    hq, b = (a.offices[c].paths.data_dir for c in ("HQ-01", "B-02"))
    out = run(b, "ledger", "sync", "--as", "clerk", "--folder", str(a.folder), "--json", password=PASSWORDS["clerk"])
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"published", "fetched", "applied", "forks", "errors"}
    assert data["published"]["log"] == "B-02" and data["published"]["new_entries"] > 5
    denied = run(hq, "ledger", "configure", "--as", "clerk", "--folder", str(a.folder), password=PASSWORDS["clerk"])
    assert "may not" in one_line_error(denied)
    ok = run(hq, "ledger", "configure", "--as", "admin", "--folder", str(a.folder), password=PASSWORDS["admin"])
    assert ok.returncode == 0, ok.stderr
    out = run(hq, "ledger", "sync", "--as", "clerk", "--json", password=PASSWORDS["clerk"])  # the configured folder
    data = json.loads(out.stdout)
    assert data["applied"]["B-02"] == data["fetched"]["B-02"] > 5 and out.returncode == 0
    status = json.loads(run(hq, "ledger", "status", "--json").stdout)
    assert status["folder"] == str(a.folder.resolve()) and [p["log"] for p in status["logs"]] == ["B-02"]
    trust = json.loads(run(hq, "trust", "export").stdout)
    assert {log["origin"] for log in trust["ledger_logs"]} == {"ids.utopia.example/HQ-01", "ids.utopia.example/B-02"}
    assert all(log["vkey"].startswith(log["origin"] + "+") for log in trust["ledger_logs"])
    clean = run(hq, "ledger", "verify", "--as", "auditor", "--json", password=PASSWORDS["auditor"])
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert json.loads(clean.stdout)["checked"] == ["database", "folder"]
    refused = run(hq, "ledger", "verify", "--as", "clerk", password=PASSWORDS["clerk"])
    assert "may not" in one_line_error(refused)
    missing = run(
        hq, "ledger", "sync", "--as", "clerk", "--folder", str(a.root / "nowhere"), password=PASSWORDS["clerk"]
    )
    assert "does not exist" in one_line_error(missing)


EDITS: list[tuple[str, str, str]] = [
    ("UPDATE officers SET role = 'administrator' WHERE username = 'clerk'", "officers", "clerk"),
    ("UPDATE officers SET status = 'active' WHERE username = 'auditor'", "officers", "auditor"),
    (
        "INSERT INTO officers (username, full_name, role, created_at) VALUES ('mallory', 'M', 'administrator', 'x')",
        "officers",
        "mallory",
    ),
    ("UPDATE officer_keys SET role = 'supervisor' WHERE username = 'clerk'", "officer_keys", ""),
    (
        "INSERT INTO office_keys (kid, office_code, public_key, valid_from, certificate) "
        "VALUES (x'0102030405060708', 'HQ-01', zeroblob(32), 'x', x'00')",
        "office_keys",
        "0102030405060708",
    ),
    ("UPDATE credentials SET status = 'active' WHERE status = 'revoked'", "credentials", ""),
    (
        "DELETE FROM credentials WHERE status = 'superseded' OR rowid = (SELECT MAX(rowid) FROM credentials)",
        "credentials",
        "",
    ),
    ("UPDATE requests SET status = 'approved' WHERE status = 'pending'", "requests", "2"),
    ("UPDATE citizens SET family_name = 'Evil' WHERE rowid = 1", "citizens", ""),
    ("DELETE FROM audit WHERE event_seq = (SELECT MAX(event_seq) FROM audit)", "audit", ""),
    ("DELETE FROM events WHERE seq = 4", "events", ""),
    (
        "INSERT INTO citizens (id_number, family_name, given_name, latin_family, latin_given, match_key, birth_date, "
        "sex, birthplace, office_code, registered_at, registered_by) VALUES ('2999999999', 'A', 'B', 'A', 'B', 'a b', "
        "'1990-01-01', 'F', 'CHN', 'HQ-01', 'x', 'clerk')",
        "citizens",
        "2999999999",
    ),
]


@pytest.mark.parametrize(("edit", "table", "key"), EDITS, ids=[f"{t}-{i}" for i, (_, t, _k) in enumerate(EDITS)])
def test_verify_names_each_sql_edit(
    authority: Authority, person: Callable[[int], object], tmp_path: Path, edit: str, table: str, key: str
) -> None:
    a = authority
    _work(a, "HQ-01", person)
    data_dir = a.offices["HQ-01"].paths.data_dir
    a.offices["HQ-01"].db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = tmp_path / "copy"
    shutil.copytree(data_dir, copy)
    raw = rawdb.connect(copy)  # the registry's rows are in the encrypted personal.db (issue 17)
    raw.execute(edit)
    raw.close()
    out = run(copy, "ledger", "verify", "--as", "admin", "--json", password=PASSWORDS["admin"])
    assert out.returncode == 8, out.stdout + out.stderr
    faults = json.loads(out.stdout)["faults"]
    assert any(f["table"] == table and key in f["key"] for f in faults), faults
    line = one_line_error(out)
    assert table in line or "event" in line
