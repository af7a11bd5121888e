"""Issue 17: personal data encrypted at rest. A copied data folder without a password gives away no name, birth
date, photo or reason; an office kept in the clear is encrypted in place without losing a row, and a kill -9 at
any step of that move leaves an office that opens (docs/security.md, "Personal data at rest")."""

from __future__ import annotations

import io
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from PIL import Image

from console.core import atrest, issuance, registry, requests
from console.core.accounts import Session, login
from console.core.errors import StorageError
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.registry import PersonInput
from console.core.store import PERSONAL_TABLES, sql_key
from tests.conftest import PASSWORDS

PEOPLE = [
    PersonInput("Kask", "Liisbet", "1987-03-14", "F", "EST"),
    PersonInput("Õunapuu", "Jüri", "1975-11-02", "M", "EST"),
    PersonInput("王", "秀英", "1969-07-21", "F", "CHN"),
    PersonInput("Saarepuu", "Maarja", "2001-12-30", "X", "EST"),
]
REASON = "card reported stolen at the Tartu bus station by Mr Vahtramäe"


def _photo(seed: int) -> bytes:
    """A small PNG of noise: its bytes are unique, so finding any 24 of them in a file means the photo leaked."""
    rng = random.Random(seed)
    image = Image.new("RGB", (40, 48))
    image.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(40 * 48)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _populate(session_of: Callable[[str], Session]) -> list[tuple[PersonInput, bytes, str]]:
    """Register, issue and request a revocation with a free-text reason: every kind of personal row."""
    clerk = session_of("clerk")
    out = []
    for i, person in enumerate(PEOPLE):
        photo = _photo(i)
        result = registry.register(clerk, PersonInput(**{**person.__dict__, "photo": photo}))
        number = str(result["id_number"])
        issued = issuance.issue(clerk, number)
        out.append((person, photo, number))
        if i == 0:
            requests.create_request(clerk, "revoke", issued.credential_id, REASON)
    return out


def _needles(people: list[tuple[PersonInput, bytes, str]]) -> dict[str, list[bytes]]:
    found: dict[str, list[bytes]] = {}
    for person, photo, _number in people:
        words = [person.family_name, person.given_name]
        dates = [person.birth_date, person.birth_date.replace("-", ""), person.birth_date[2:].replace("-", "")]
        forms = []
        for text in words + dates:
            forms += [text.encode("utf-8"), text.upper().encode("utf-8"), text.encode("utf-16-le")]
        found[person.family_name] = forms + [photo[i : i + 24] for i in range(40, len(photo) - 24, 97)]
    found["reason"] = [REASON.encode(), b"Vahtram"]
    return found


def _leaks(folder: Path, needles: dict[str, list[bytes]]) -> list[str]:
    leaks = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for who, forms in needles.items():
            for needle in forms:
                if len(needle) >= 4 and needle in data:
                    leaks.append(f"{path.relative_to(folder)}: {who}: {needle[:24]!r}")
    return leaks


def test_a_copied_data_folder_yields_no_name_birth_date_photo_or_reason(
    session_of: Callable[[str], Session], tmp_path: Path
) -> None:
    people = _populate(session_of)
    staffed = session_of("clerk").office
    # the thief copies the folder of a running console: WAL files and all, nothing checkpointed on purpose
    copy = tmp_path / "stolen"
    shutil.copytree(staffed.paths.data_dir, copy)
    needles = _needles(people)
    assert _leaks(copy, needles) == []
    # the search itself works: the same needles are all found in a plain dump of the registry
    (tmp_path / "dump").mkdir()
    with (tmp_path / "dump" / "dump.bin").open("wb") as f:
        for row in staffed.db.execute("SELECT family_name, given_name, birth_date, photo FROM citizens"):
            f.write(b"|".join(v if isinstance(v, bytes) else str(v).encode() for v in row))
        for (reason,) in staffed.db.execute("SELECT reason FROM requests"):
            f.write(reason.encode())
    assert {leak.split(": ")[1] for leak in _leaks(tmp_path / "dump", needles)} == set(needles)
    # without a password the copy opens (keys, events, status lists are public) but the registry does not
    thief = Office(copy, kdf=KDF_PRESETS["min"])
    assert thief.encrypted and thief.database_key is None
    with pytest.raises(sqlcipher3.OperationalError, match="no such table"):
        thief.db.execute("SELECT * FROM citizens")
    raw = sqlcipher3.connect(str(copy / "personal.db"))
    with pytest.raises(sqlcipher3.DatabaseError, match="not a database"):
        raw.execute("SELECT * FROM sqlite_master").fetchall()
    raw.close()
    # with a password the copy is the office: the login opens the registry
    clerk = login(thief, "clerk", PASSWORDS["clerk"])
    assert len(registry.search(clerk, "Kask")) == 1


def test_verify_without_login_uses_what_is_public(session_of: Callable[[str], Session]) -> None:
    clerk = session_of("clerk")
    number = str(registry.register(clerk, PEOPLE[0])["id_number"])
    issued = issuance.issue(clerk, number)
    office = Office(clerk.office.paths.data_dir, kdf=KDF_PRESETS["min"], clock=clerk.office.clock)
    from console.core import foreigntrust

    verdict = issuance.verify(issued.qr, trust=foreigntrust.verifier_trust_list(office), office=office)
    assert verdict.valid and verdict.status_checked, verdict


# ---------------------------------------------------------------------------------------------------------
# Migration of an office kept in the clear


def make_plain(folder: Path, key: bytes) -> None:
    """Turn an office back into the layout before issue 17: personal tables in office.db, no personal.db."""
    conn = sqlcipher3.connect(str(folder / "office.db"), isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS p KEY ?", (str(folder / "personal.db"), sql_key(key)))
    conn.execute("BEGIN")
    for table in ("credentials", *[t for t in PERSONAL_TABLES if t != "credentials"]):
        for kind, sql in conn.execute(
            "SELECT type, sql FROM p.sqlite_master WHERE tbl_name = ? AND type IN ('table', 'index') "
            "AND sql IS NOT NULL ORDER BY type = 'index'",
            (table,),
        ).fetchall():
            conn.execute(sql)  # stored without the schema name: lands in main
            if kind == "table":
                conn.execute(f"INSERT INTO main.{table} SELECT * FROM p.{table}")
    for (sql,) in conn.execute("SELECT sql FROM p.sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(sql)  # the citizens' counter: after the rows, which it already counts
    conn.execute(
        "UPDATE main.audit SET detail = (SELECT detail FROM p.audit_details d WHERE d.id = audit.id) "
        "WHERE id IN (SELECT id FROM p.audit_details)"
    )
    conn.execute("DELETE FROM key_wraps WHERE secret = 'database'")
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE p")
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{folder / 'personal.db'}{suffix}").unlink(missing_ok=True)


def _rows(office: Office) -> dict[str, list[tuple[Any, ...]]]:
    out = {t: sorted(map(tuple, office.db.execute(f"SELECT * FROM {t}").fetchall()), key=repr) for t in PERSONAL_TABLES}
    out["audit"] = [tuple(r) for r in office.db.execute("SELECT * FROM audit_full ORDER BY id").fetchall()]
    return out


@pytest.fixture
def plain_office(session_of: Callable[[str], Session]) -> tuple[Path, dict[str, list[tuple[Any, ...]]]]:
    """A staffed office with a populated registry, kept in the clear as before issue 17; and its rows."""
    _populate(session_of)
    office = session_of("clerk").office
    key = office.database_key
    assert key is not None
    folder = office.paths.data_dir
    office.close()
    make_plain(folder, key)
    reopened = Office(folder, kdf=KDF_PRESETS["min"], clock=office.clock)
    assert not reopened.encrypted
    login(reopened, "clerk", PASSWORDS["clerk"])
    assert reopened.database_key is None  # nothing to open: no 'database' wrap yet
    rows = _rows(reopened)
    assert len(rows["citizens"]) == len(PEOPLE) and rows["requests"]
    reopened.close()
    return folder, rows


def test_encrypting_in_place_keeps_every_row(plain_office: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    folder, before = plain_office
    office = Office(folder, kdf=KDF_PRESETS["min"])
    admin = login(office, "admin", PASSWORDS["admin"])
    result = atrest.encrypt_office(admin)
    assert result["moved"]["citizens"] == len(PEOPLE)
    for username in ("clerk", "super", "auditor", "admin"):  # every role got the key
        fresh = Office(folder, kdf=KDF_PRESETS["min"])
        login(fresh, username, PASSWORDS[username])
        assert fresh.encrypted and fresh.database_key is not None
        after = _rows(fresh)
        assert {t: after[t] for t in PERSONAL_TABLES} == {t: before[t] for t in PERSONAL_TABLES}
        assert after["audit"][: len(before["audit"])] == before["audit"]
        fresh.close()
    # office.db no longer holds any of it, not even in free pages; the backup is encrypted and complete
    needles = _needles([(p, _photo(i), "") for i, p in enumerate(PEOPLE)])
    assert _leaks(folder, needles) == []
    backup = atrest.backup_path(folder)
    assert backup.exists() and b"SQLite format 3" not in backup.read_bytes()[:16]
    conn = atrest.unlock_backup(backup, office.database_key or b"")
    assert sorted(map(tuple, conn.execute("SELECT * FROM citizens").fetchall()), key=repr) == before["citizens"]
    conn.close()
    with pytest.raises(StorageError, match="already encrypted"):
        atrest.encrypt_office(admin)
    # The citizens' counter moved with its triggers: it still counts (issue 17, start-up without a COUNT).
    clerk = login(Office(folder, kdf=KDF_PRESETS["min"]), "clerk", PASSWORDS["clerk"])
    registry.register(clerk, PersonInput("Tamm", "Kadri", "1990-05-17", "F", "EST"))
    assert registry.count_citizens(clerk) == len(PEOPLE) + 1
    triggers = clerk.office.db.execute("SELECT name FROM personal.sqlite_master WHERE type = 'trigger'").fetchall()
    assert sorted(t[0] for t in triggers) == ["citizen_count_down", "citizen_count_up"]
    clerk.office.close()
    assert atrest.delete_backup(admin) == backup and not backup.exists()


def _cli(folder: Path, *args: str, password: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("ID_CONSOLE_")}
    full.update({"ID_CONSOLE_KDF": "min", "ID_CONSOLE_ALLOW_WEAK_KDF": "1", "ID_CONSOLE_PASSWORD": password})
    full.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "console.cli", "--data-dir", str(folder), *args],
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


STEPS = ["backup written", "encrypted copy written", "encrypted copy named", "tables dropped"]


@pytest.mark.parametrize("step", STEPS)
def test_kill_9_during_the_move_leaves_an_office_that_opens(
    plain_office: tuple[Path, dict[str, Any]], step: str
) -> None:
    folder, before = plain_office
    proc = _cli(
        folder, "db", "encrypt", "--as", "admin", password=PASSWORDS["admin"], env={atrest.PAUSE_ENV: f"{step}=60"}
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 120  # generous: 2 cores shared by several sessions
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line.strip())
        if line.strip() == f"move: {step}":
            break
    assert f"move: {step}" in seen, (seen, proc.stderr.read() if proc.stderr else "")
    proc.send_signal(signal.SIGKILL)
    proc.communicate()  # reap it and close its pipes
    # the office opens, a login works, and every row is there, encrypted or not
    office = Office(folder, kdf=KDF_PRESETS["min"])
    login(office, "clerk", PASSWORDS["clerk"])
    assert office.encrypted is (step == "tables dropped")
    assert {t: _rows(office)[t] for t in PERSONAL_TABLES} == {t: before[t] for t in PERSONAL_TABLES}
    office.close()
    # running the command again finishes the job (or says there is nothing to do)
    again = _cli(folder, "db", "encrypt", "--as", "admin", password=PASSWORDS["admin"])
    _out, err = again.communicate(timeout=300)
    if step == "tables dropped":
        assert again.returncode != 0 and "already encrypted" in err, err
    else:
        assert again.returncode == 0, err
    office = Office(folder, kdf=KDF_PRESETS["min"])
    login(office, "super", PASSWORDS["super"])
    assert office.encrypted
    assert {t: _rows(office)[t] for t in PERSONAL_TABLES} == {t: before[t] for t in PERSONAL_TABLES}
    assert not list(folder.glob(".tmp-*"))
