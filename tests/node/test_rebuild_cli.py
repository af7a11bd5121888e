"""`keys backup` → encrypted file; the office is lost; `rebuild --from-ledger --keys` brings it back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.test_cli import ADMIN_PW, init, one_line_error

PASSPHRASE = "correct horse battery staple"


def run(data_dir: Path, *args: str, passphrase: str | None = PASSPHRASE) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ID_CONSOLE_")}
    env.update(ID_CONSOLE_KDF="min", ID_CONSOLE_ALLOW_WEAK_KDF="1", ID_CONSOLE_PASSWORD=ADMIN_PW)
    if passphrase is not None:
        env["ID_CONSOLE_BACKUP_PASSPHRASE"] = passphrase
    return subprocess.run(
        [sys.executable, "-m", "console.cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_backup_lose_rebuild(tmp_path: Path) -> None:
    hq, folder, backup = tmp_path / "hq", tmp_path / "ledger", tmp_path / "hq.keys"
    folder.mkdir()
    assert init(hq).returncode == 0
    assert run(hq, "ledger", "configure", "--as", "admin", "--folder", str(folder)).returncode == 0
    short = run(hq, "keys", "backup", "--as", "admin", "--out", str(backup), passphrase="short")
    assert "at least 12 characters" in one_line_error(short) and short.returncode == 2
    made = run(hq, "keys", "backup", "--as", "admin", "--out", str(backup), "--json")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["officers"] == ["admin"]
    assert b"admin" not in backup.read_bytes()  # encrypted
    assert run(hq, "ledger", "sync", "--as", "admin", "--json").returncode == 0
    before = run(hq, "user", "list", "--as", "admin", "--json").stdout
    shutil.rmtree(hq)  # the office PC is lost

    new = tmp_path / "new"
    wrong = run(new, "rebuild", "--from-ledger", str(folder), "--keys", str(backup), passphrase="not the passphrase!")
    one_line_error(wrong)
    assert not (new / "office.db").exists()
    done = run(new, "rebuild", "--from-ledger", str(folder), "--keys", str(backup), "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["office"] == "HQ-01" and out["events"] >= 3 and out["warnings"] == []
    assert "printers" in out["not_rebuilt"]
    after = run(new, "user", "list", "--as", "admin", "--json").stdout  # the administrator's own password
    assert json.loads(after) and [u["username"] for u in json.loads(after)] == [
        u["username"] for u in json.loads(before)
    ]
    again = run(new, "rebuild", "--from-ledger", str(folder), "--keys", str(backup))
    assert "already set up" in one_line_error(again) and again.returncode == 2
    verify = run(new, "ledger", "verify", "--as", "admin", "--folder", str(folder), "--json")
    assert verify.returncode == 0, verify.stdout
    bundle = next((folder / "logs" / "HQ-01" / "tile" / "entries").rglob("*[0-9]"))
    data = bytearray(bundle.read_bytes())
    data[-1] ^= 1  # one bit of the last entry's signature
    bundle.chmod(0o644)
    bundle.write_bytes(bytes(data))
    damaged = run(tmp_path / "third", "rebuild", "--from-ledger", str(folder), "--keys", str(backup))
    assert "file tile/entries" in one_line_error(damaged) and damaged.returncode == 8
    assert not (tmp_path / "third" / "office.db").exists()
