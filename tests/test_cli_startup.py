"""The command line starts like a tool (issue 16): each command imports only what it needs.

Timing is measured by `python -m bench` (not asserted here: the machine is shared); what keeps start-up fast
over time is which modules a command loads, and that is checked exactly, in a fresh process each time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from console.cli import COMMANDS, build_parser
from console.core import issuance, registry
from console.core.accounts import Session

#: What a check must never pay for: PDFs and pictures, QR writers, sqlite-utils, Qt, the ledger's node.
HEAVY = {"reportlab", "PIL", "segno", "qrcode", "sqlite_utils", "pypdfium2", "zxingcpp", "PySide6", "console.node"}

_PROBE = """
import json, sys
from console.cli import main
code = main(sys.argv[2:])
loaded = sorted(sys.modules)
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "modules": loaded}, out)
"""


def _run(tmp_path: Path, *argv: str) -> tuple[int, set[str], str]:
    """Run `id-console ARGV` in a fresh interpreter; its exit status, the modules it loaded (with their top-level
    packages), and its stdout."""
    report = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(report), *argv], capture_output=True, text=True, timeout=120
    )
    data = json.loads(report.read_text())
    return int(data["code"]), {m for m in data["modules"]} | {m.split(".")[0] for m in data["modules"]}, done.stdout


def _heavy(modules: set[str]) -> set[str]:
    return HEAVY & modules


@pytest.fixture
def issued_qr(session_of: object) -> tuple[Path, str]:
    login = session_of  # a callable username -> Session (conftest)
    clerk: Session = login("clerk")  # type: ignore[operator]
    result = registry.register(clerk, registry.PersonInput("Tamm", "Mari", "1990-01-02", "F", "EST"))
    qr = issuance.issue(clerk, result["id_number"]).qr
    return clerk.office.paths.data_dir, qr


def test_verify_text_loads_no_pdf_qr_writer_sqlite_utils_or_ledger(issued_qr: tuple[Path, str], tmp_path: Path) -> None:
    data_dir, qr = issued_qr
    code, modules, out = _run(tmp_path, "--data-dir", str(data_dir), "verify", qr, "--json")
    assert code == 0, out
    assert json.loads(out)["status"] == "valid"
    assert not _heavy(modules), f"verify loaded {sorted(_heavy(modules))}"
    assert not {"console.gui", "console.cli.cards", "console.cli.credentials", "console.core.cards"} & modules
    # an Ed25519 card needs neither `cryptography` (AES-GCM, P-256: ~15 ms) nor the accounts/keystore code
    assert not {"cryptography", "console.core.accounts", "console.core.keys"} & modules, sorted(modules)
    assert not {m for m in modules if m.startswith(("console.core.ledger", "console.core.officelog"))}
    # round 5: signatures are checked through libsodium directly (console.core.ed25519), not PyNaCl's bindings
    # (~10 ms); no `secrets`/`random` or `hashlib` (OpenSSL), no token (hsm) code, and argparse looks nothing up with gettext/locale
    assert (
        not {"nacl.bindings", "nacl.signing", "secrets", "random", "hashlib", "console.core.hsm", "locale"} & modules
    ), sorted(modules)


def test_validate_id_and_version_load_only_the_coding_rules(tmp_path: Path) -> None:
    code, modules, out = _run(tmp_path, "validate-id", "--scheme", "ee-11", "37605030299", "--json")
    assert code == 0 and json.loads(out)["valid"] is True
    assert not _heavy(modules)
    assert not {"nacl", "cbor2", "cryptography", "rapidfuzz", "console.core.office"} & modules, sorted(modules)
    code, modules, _ = _run(tmp_path, "--version")
    assert code == 0
    assert {m for m in modules if m.startswith("console.")} <= {"console.cli", "console.cli.safety"} | {
        "console.core",
        "console.core.errors",
        "console.core.i18n",
        "console.core.resources",
    }


def test_every_command_in_the_table_is_defined_by_its_module_alone() -> None:
    full = build_parser()
    listed = set(full._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert set(COMMANDS) | {"gui"} == listed  # a command added without a table entry would load everything
    for command in COMMANDS:
        own = build_parser(command)
        assert command in own._subparsers._group_actions[0].choices  # type: ignore[union-attr]
