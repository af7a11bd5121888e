"""`office add` → encrypted enrolment file → `init --join` on another PC; both offices meet in the folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.test_cli import ADMIN_PW, init, one_line_error

PASSPHRASE = "correct horse battery staple"


def run(
    data_dir: Path, *args: str, passphrase: str | None = PASSPHRASE, password: str = ADMIN_PW
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ID_CONSOLE_")}
    env.update(ID_CONSOLE_KDF="min", ID_CONSOLE_ALLOW_WEAK_KDF="1", ID_CONSOLE_PASSWORD=password)
    if passphrase is not None:
        env["ID_CONSOLE_ENROL_PASSPHRASE"] = passphrase
    return subprocess.run(
        [sys.executable, "-m", "console.cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_enrol_join_and_sync(tmp_path: Path) -> None:
    hq, b, folder = tmp_path / "hq", tmp_path / "b", tmp_path / "ledger"
    folder.mkdir()
    assert init(hq).returncode == 0
    enrol = tmp_path / "b-02.enrol"
    out = run(
        hq, "office", "add", "--as", "admin", "--code", "B-02", "--name", "Branch Two", "--out", str(enrol), "--json"
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["slot"] == 1
    assert b"records" not in enrol.read_bytes() and b"Branch" not in enrol.read_bytes()  # encrypted
    again = run(hq, "office", "add", "--as", "admin", "--code", "B-02", "--name", "Again", "--out", str(tmp_path / "x"))
    assert "already enrolled" in one_line_error(again)
    wrong = run(b, "init", "--join", str(enrol), "--admin", "bea", passphrase="not the passphrase at all")
    one_line_error(wrong)
    assert not (b / "office.db").exists()
    joined = run(b, "init", "--join", str(enrol), "--admin", "bea", "--json")
    assert joined.returncode == 0, joined.stderr
    assert json.loads(joined.stdout)["office"] == "B-02"
    for office in (hq, b, hq):
        synced = run(
            office, "ledger", "sync", "--as", "admin" if office == hq else "bea", "--folder", str(folder), "--json"
        )
        assert synced.returncode == 0, synced.stdout + synced.stderr
    rows = {r["code"]: r for r in json.loads(run(b, "office", "list", "--json").stdout)}
    assert set(rows) == {"HQ-01", "B-02"} and rows["B-02"]["local"] and rows["HQ-01"]["slot"] == 0
    assert rows["HQ-01"]["keys"] == 1
    verify = run(b, "ledger", "verify", "--as", "bea", "--folder", str(folder), "--json")
    assert verify.returncode == 0, verify.stdout
    status = json.loads(run(hq, "ledger", "status", "--json").stdout)
    assert [p["log"] for p in status["logs"]] == ["B-02"] and status["logs"][0]["status"] == "ok"
    usage = run(tmp_path / "c", "init", "--admin", "x")
    assert one_line_error(usage).startswith("id-console: init needs --authority-name") and usage.returncode == 2
