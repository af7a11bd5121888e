"""Issue 17: exports that hold personal data are encrypted too (docs/security.md, "Exports of personal data").

The audit trail's CSV names ID numbers and free-text reasons. It is written only as an age file under a
passphrase: the raw file holds none of them, the console (`export open`) and the reference `age` tool open it
with the passphrase, a wrong passphrase or a changed byte is refused, and nothing is written in the clear.
"""

from __future__ import annotations

import csv
import io
import os
import pty
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from console.core import administration, exports, issuance, registry, requests
from console.core.accounts import Session
from console.core.administration import AuditFilter
from console.core.errors import InvalidPassword, ValidationError
from console.core.office import Office
from console.core.registry import PersonInput
from tests.conftest import PASSWORDS
from tests.security.clihelp import cli, env

PASSPHRASE = "pale-violet-harbour-1729"
REASON = "card reported stolen at the Tartu bus station by Mr Vahtramäe"
PERSON = PersonInput("Õunapuu", "Jüri", "1975-11-02", "M", "EST")


@pytest.fixture
def trail(session_of: Callable[[str], Session]) -> tuple[str, str]:
    """A registration, a credential and a revocation request with a reason: what the trail's details name."""
    clerk = session_of("clerk")
    number = str(registry.register(clerk, PERSON)["id_number"])
    issued = issuance.issue(clerk, number)
    requests.create_request(clerk, "revoke", issued.credential_id, REASON)
    return number, issued.credential_id


def _clear_text(path: Path, passphrase: str = PASSPHRASE) -> str:
    return exports.open_export(path.read_bytes(), passphrase).decode("utf-8-sig")


def _needles(number: str, credential_id: str) -> list[bytes]:
    words = [number, credential_id, REASON, "Vahtram", PERSON.family_name, PERSON.given_name, "Tartu"]
    return [form for w in words for form in (w.encode("utf-8"), w.encode("utf-16-le"), w.upper().encode())]


def test_the_audit_export_holds_no_id_number_or_reason_in_the_raw_file(
    tmp_path: Path, session_of: Callable[[str], Session], trail: tuple[str, str]
) -> None:
    number, credential_id = trail
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "trail.csv.age"
    count = administration.export_audit(session_of("auditor"), AuditFilter(), out, PASSPHRASE)
    raw = out.read_bytes()
    assert raw.startswith(exports.MAGIC) and out.stat().st_mode & 0o777 == 0o600
    clear = _clear_text(out)
    rows = list(csv.DictReader(io.StringIO(clear)))
    assert len(rows) == count >= 3
    # The clear text names them (so the search below can find them) and the raw file names none.
    assert number in clear and REASON in clear
    assert [n for n in _needles(number, credential_id) if n in raw] == []
    assert [p.name for p in out.parent.iterdir()] == ["trail.csv.age"]  # no clear temp file left beside it


def test_a_wrong_passphrase_a_changed_byte_and_a_short_passphrase_are_refused(
    tmp_path: Path, session_of: Callable[[str], Session], trail: tuple[str, str]
) -> None:
    auditor = session_of("auditor")
    out = tmp_path / "trail.csv.age"
    with pytest.raises(ValidationError, match="at least 12 characters"):
        administration.export_audit(auditor, AuditFilter(), out, "short")
    assert not out.exists()  # refused before anything was written
    administration.export_audit(auditor, AuditFilter(), out, PASSPHRASE)
    with pytest.raises(InvalidPassword, match="does not open"):
        _clear_text(out, "pale-violet-harbour-1730")
    changed = bytearray(out.read_bytes())
    changed[-20] ^= 0x01
    with pytest.raises(InvalidPassword, match="or the file was changed"):
        exports.open_export(bytes(changed), PASSPHRASE)
    with pytest.raises(ValidationError, match="not an encrypted export"):
        exports.open_export(b"time,officer\r\n", PASSPHRASE)


def test_the_command_line_writes_the_export_and_opens_it_again(
    tmp_path: Path, staffed: Office, trail: tuple[str, str]
) -> None:
    number, _credential_id = trail
    folder = staffed.paths.data_dir
    out = tmp_path / "audit.csv.age"
    environ = env(PASSWORDS["auditor"], ID_CONSOLE_EXPORT_PASSPHRASE=PASSPHRASE)
    run = cli(folder, "audit", "--as", "auditor", "--out", str(out), "--json", environ=environ)
    assert run.returncode == 0, run.err
    assert out.read_bytes().startswith(exports.MAGIC) and number.encode() not in out.read_bytes()
    assert '"format": "age"' in run.out

    # The reader needs no office and no login: only the file and its passphrase.
    elsewhere = tmp_path / "no-office"
    reader = env(None, ID_CONSOLE_EXPORT_PASSPHRASE=PASSPHRASE)
    opened = cli(elsewhere, "export", "open", str(out), environ=reader)
    assert opened.returncode == 0, opened.err
    assert number in opened.out and REASON in opened.out and opened.out.startswith("id,time,")
    plain = tmp_path / "audit.csv"
    opened = cli(elsewhere, "export", "open", str(out), "--out", str(plain), environ=reader)
    assert opened.returncode == 0, opened.err
    assert REASON in plain.read_text(encoding="utf-8-sig") and plain.stat().st_mode & 0o777 == 0o600
    again = cli(elsewhere, "export", "open", str(out), "--out", str(plain), environ=reader)
    assert again.returncode == 2 and "exists" in again.err  # the clear text is never overwritten

    wrong = cli(elsewhere, "export", "open", str(out), environ=env(None, ID_CONSOLE_EXPORT_PASSPHRASE="x" * 12))
    assert wrong.returncode == 4 and "does not open" in wrong.err and "Traceback" not in wrong.err


def test_the_command_line_refuses_bad_targets_and_short_passphrases(tmp_path: Path, staffed: Office) -> None:
    folder = staffed.paths.data_dir
    good = env(PASSWORDS["auditor"], ID_CONSOLE_EXPORT_PASSPHRASE=PASSPHRASE)
    short = cli(
        folder,
        "audit", "--as", "auditor", "--out", str(tmp_path / "a.csv.age"),
        environ=env(PASSWORDS["auditor"], ID_CONSOLE_EXPORT_PASSPHRASE="too-short"),
    )  # fmt: skip
    assert short.returncode == 2 and "at least 12 characters" in short.err
    inside = cli(folder, "audit", "--as", "auditor", "--out", str(folder / "a.csv.age"), environ=good)
    assert inside.returncode == 2 and "data directory" in inside.err
    plain_name = cli(folder, "audit", "--as", "auditor", "--out", str(tmp_path / "a.csv"), environ=good)
    assert plain_name.returncode == 2 and ".age" in plain_name.err
    document = tmp_path / "letter.csv.age"
    document.write_text("not an export")
    over = cli(folder, "audit", "--as", "auditor", "--out", str(document), environ=good)
    assert over.returncode == 2 and "refusing to overwrite" in over.err and document.read_text() == "not an export"
    clerk = cli(
        folder, "audit", "--as", "clerk", "--out", str(tmp_path / "b.csv.age"),
        environ=env(PASSWORDS["clerk"], ID_CONSOLE_EXPORT_PASSPHRASE=PASSPHRASE),
    )  # fmt: skip
    assert clerk.returncode == 3 and not (tmp_path / "b.csv.age").exists()  # clerks do not read the trail
    not_age = cli(tmp_path, "export", "open", str(document), environ=env(None))
    assert not_age.returncode == 2 and "not an encrypted export" in not_age.err
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["letter.csv.age"]


def _age_decrypt(sealed: Path, passphrase: str, out: Path) -> tuple[int, str]:
    """`age -d -o OUT FILE`, typing the passphrase at the terminal it asks on (age reads no environment)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: age on the pseudo-terminal
        os.execvp("age", ["age", "-d", "-o", str(out), str(sealed)])
    seen = b""
    deadline = time.monotonic() + 60
    typed = False
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal: it finished
            break
        if not chunk:
            break
        seen += chunk
        if not typed and b"passphrase" in seen.lower():
            os.write(fd, passphrase.encode() + b"\r")
            typed = True
    _pid, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode("utf-8", "replace")


@pytest.mark.skipif(
    shutil.which("age") is None, reason="the age tool is not installed (Debian age; .ci/run installs it)"
)
def test_the_reference_age_tool_opens_the_export_without_the_console(
    tmp_path: Path, session_of: Callable[[str], Session], trail: tuple[str, str]
) -> None:
    number, _credential_id = trail
    sealed = tmp_path / "trail.csv.age"
    administration.export_audit(session_of("auditor"), AuditFilter(), sealed, PASSPHRASE)
    out = tmp_path / "trail.csv"
    code, said = _age_decrypt(sealed, PASSPHRASE, out)
    assert code == 0, said
    text = out.read_text(encoding="utf-8-sig")
    assert number in text and REASON in text
    assert out.read_bytes() == exports.open_export(sealed.read_bytes(), PASSPHRASE)  # byte for byte
    version = subprocess.run(["age", "--version"], capture_output=True, text=True, check=True).stdout
    assert version.strip()  # the tool that read it is the reference implementation, not ours
