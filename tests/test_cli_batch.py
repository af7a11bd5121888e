"""`issue --batch FILE` and `verify --batch FILE|-` (issue 16): JSON lines out, in order, progress on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from console.core import registry
from console.core.accounts import Session
from console.core.office import Office
from console.core.registry import PersonInput
from tests.conftest import PASSWORDS


def _cli(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ID_CONSOLE_")}
    env.update(ID_CONSOLE_KDF="min", ID_CONSOLE_ALLOW_WEAK_KDF="1", ID_CONSOLE_PASSWORD=PASSWORDS["clerk"])
    return subprocess.run(
        [sys.executable, "-m", "console.cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        timeout=120,
    )


def _people(session: Session, count: int) -> list[str]:
    rows = [
        PersonInput("Tamm", given, f"19{70 + i}-0{1 + i}-1{i}", "F", "EST")
        for i, given in enumerate(["Mari", "Liis", "Kati", "Anu"][:count])
    ]
    numbers = registry.register_batch(session, rows).registered
    assert len(numbers) == count
    return numbers


def _credentials(office: Office) -> int:
    return int(office.db.execute("SELECT COUNT(*) FROM credentials").fetchone()[0])


def test_issue_batch_then_verify_batch_in_order(
    staffed: Office, session_of: Callable[[str], Session], tmp_path: Path
) -> None:
    numbers = _people(session_of("clerk"), 3)
    listing = tmp_path / "ids.txt"
    listing.write_text(f"{numbers[2]}\n\n {numbers[0]} \n{numbers[1]}\n")  # blank lines and spaces are ignored
    issued = _cli(staffed.paths.data_dir, "issue", "--as", "clerk", "--batch", str(listing))
    assert issued.returncode == 0, issued.stderr
    lines = [json.loads(line) for line in issued.stdout.splitlines()]
    assert [line["id_number"] for line in lines] == [numbers[2], numbers[0], numbers[1]]
    assert "issued 3 of 3" in issued.stderr and _credentials(staffed) == 3
    texts = [line["qr"] for line in lines]

    checked = _cli(staffed.paths.data_dir, "verify", "--batch", "-", stdin=f"{texts[0]}\nNOT A CARD\n{texts[2]}\n")
    assert checked.returncode == 1, checked.stderr  # one line is not a card
    verdicts = [json.loads(line) for line in checked.stdout.splitlines()]
    assert [(v["line"], v["status"], v["credential_id"]) for v in verdicts] == [
        (1, "valid", lines[0]["credential_id"]),
        (2, "malformed", None),
        (3, "valid", lines[2]["credential_id"]),
    ]
    assert "3 lines: 2 valid, 1 not valid" in checked.stderr

    good = tmp_path / "good.txt"
    good.write_text("\n".join(texts) + "\n")
    checked = _cli(staffed.paths.data_dir, "verify", "--batch", str(good))
    assert checked.returncode == 0, checked.stderr
    assert [json.loads(line)["valid"] for line in checked.stdout.splitlines()] == [True, True, True]


def test_issue_batch_refuses_bad_lists_before_issuing(
    staffed: Office, session_of: Callable[[str], Session], tmp_path: Path
) -> None:
    numbers = _people(session_of("clerk"), 2)
    cases = {
        "twice.txt": (f"{numbers[0]}\n{numbers[1]}\n{numbers[0]}\n", 2, f"ID number {numbers[0]} is on lines 1 and 3"),
        "junk.txt": (f"{numbers[0]}\nnot an id; drop table\n", 2, "Line 2 of"),
        "empty.txt": ("\n\n", 2, "holds no ID numbers"),
        "unknown.txt": (f"{numbers[0]}\n0000000000\n", None, "The 0 credentials printed before this are issued"),
    }
    for name, (content, code, says) in cases.items():
        path = tmp_path / name
        path.write_text(content)
        done = _cli(staffed.paths.data_dir, "issue", "--as", "clerk", "--batch", str(path))
        assert done.returncode != 0 and (code is None or done.returncode == code), (name, done.returncode, done.stderr)
        assert says in done.stderr and "Traceback" not in done.stderr, (name, done.stderr)
        assert done.stdout == "" and _credentials(staffed) == 0, name  # nothing half-written
    both = _cli(staffed.paths.data_dir, "issue", "--as", "clerk", numbers[0], "--batch", str(tmp_path / "empty.txt"))
    assert both.returncode == 2 and "exactly one of ID_NUMBER or --batch" in both.stderr


def test_verify_batch_usage(staffed: Office, tmp_path: Path) -> None:
    missing = _cli(staffed.paths.data_dir, "verify", "--batch", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "is not a file" in missing.stderr
    both = _cli(staffed.paths.data_dir, "verify", "ABC", "--batch", "-", stdin="ABC\n")
    assert both.returncode == 2 and "exactly one of" in both.stderr
    empty = _cli(staffed.paths.data_dir, "verify", "--batch", "-", stdin="")
    assert empty.returncode == 2 and "holds no QR texts" in empty.stderr
    long_line = _cli(staffed.paths.data_dir, "verify", "--batch", "-", stdin="A" * 70_000 + "\nABC\n")
    verdicts = [json.loads(line) for line in long_line.stdout.splitlines()]
    assert long_line.returncode == 1 and [(v["line"], v["status"]) for v in verdicts] == [
        (1, "malformed"),
        (2, "malformed"),
    ]
    assert "far longer than a QR text" in verdicts[0]["reason"]
