"""Office set-up: all or nothing, never over an existing office, clear errors."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from console.core.errors import Conflict, StorageError, ValidationError
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.setup import init_office
from tests.conftest import make_setup

FAST = KDF_PRESETS["min"]


def test_init_creates_office_admin_and_signed_events(office_dir: Path) -> None:
    office = Office(office_dir)
    assert office.local_office()["code"] == "HQ-01"
    assert office.authority()["scheme"] == "uin-10"
    assert office.officer_row("admin")["role"] == "administrator"
    types = [r["type"] for r in office.db.query("SELECT type FROM events ORDER BY seq")]
    assert types == ["authority.created", "office.certified", "officer.enrolled"]
    assert not [p for p in office_dir.iterdir() if p.name.startswith(".init-")]
    assert oct(office_dir.joinpath("office.db").stat().st_mode & 0o777) == "0o600"


def test_init_refuses_to_overwrite(office_dir: Path) -> None:
    before = (office_dir / "office.db").read_bytes()
    with pytest.raises(Conflict, match="already set up"):
        init_office(office_dir, make_setup(office_code="OTHER"), kdf=FAST)
    assert (office_dir / "office.db").read_bytes() == before


@pytest.mark.parametrize(
    ("field", "override"),
    [
        ("authority-domain", {"authority_domain": "not a domain"}),
        ("office-code", {"office_code": "lower case"}),
        ("scheme", {"scheme": "xx-99"}),
        ("username", {"admin_username": "Bad Name"}),
        ("password", {"admin_password": "short"}),
        ("password", {"admin_password": "admin-is-in-here"}),
        ("authority-name", {"authority_name": "  "}),
    ],
)
def test_bad_fields_write_nothing(tmp_path: Path, field: str, override: dict[str, str]) -> None:
    target = tmp_path / "office"
    with pytest.raises(ValidationError) as info:
        init_office(target, make_setup(**override), kdf=FAST)
    assert info.value.field == field
    assert not target.exists()


_INIT_IN_UNWRITABLE_FOLDER = """
import os, sys
from pathlib import Path
folder = Path(sys.argv[1])
try:
    (folder / "probe").write_text("x")
except PermissionError:
    pass
else:
    sys.exit("the folder is writable for this process: the test would prove nothing")
from console.core.errors import StorageError
from console.core.keystore import KDF_PRESETS
from console.core.setup import init_office
from tests.conftest import make_setup
try:
    init_office(folder / "office", make_setup(), kdf=KDF_PRESETS["min"])
except StorageError as e:
    print(f"StorageError: {e}")
    sys.exit(0 if not (folder / "office").exists() else 3)
sys.exit("init_office wrote into an unwritable folder")
"""


def _drop_to_nobody() -> None:  # pragma: no cover - runs in the child between fork and exec
    nobody = pwd.getpwnam("nobody")
    os.setgroups([])
    os.setgid(nobody.pw_gid)
    os.setuid(nobody.pw_uid)


def _as_nobody(command: list[str]) -> tuple[list[str], Callable[[], None] | None]:
    """The command run as `nobody` when we are root (else as we are). util-linux's setpriv keeps the
    capabilities until the exec, so an interpreter under a root-only folder (pyenv in /root) still starts;
    without setpriv the child drops its uid itself."""
    if os.geteuid() != 0:
        return command, None
    setpriv = shutil.which("setpriv")
    if setpriv:
        nobody = pwd.getpwnam("nobody")
        return [setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups", *command], None
    return command, _drop_to_nobody


def test_unwritable_folder() -> None:
    """A folder the console may not write into: a clear StorageError, nothing created. Root ignores folder
    permissions, so as root (CI) the set-up runs in a child process that has dropped to `nobody` first."""
    base = Path(tempfile.mkdtemp(prefix="id-console-ro-"))  # under /tmp: `nobody` can reach it
    try:
        folder = base / "readonly"
        folder.mkdir()
        folder.chmod(0o555)
        base.chmod(0o755)
        command, drop = _as_nobody([sys.executable, "-c", _INIT_IN_UNWRITABLE_FOLDER, str(folder)])
        result = subprocess.run(
            command,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "HOME": str(base), "PYTHONDONTWRITEBYTECODE": "1"},
            preexec_fn=drop,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith("StorageError: "), result.stdout
        assert str(folder / "office") in result.stdout or str(folder) in result.stdout, result.stdout
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)
        shutil.rmtree(base)


def test_unwritable_folder_even_as_root(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the data directory should be")
    with pytest.raises(StorageError, match="Cannot create the folder"):
        init_office(blocker / "office", make_setup(), kdf=FAST)


def test_existing_keys_folder_is_never_removed(tmp_path: Path) -> None:
    target = tmp_path / "office"
    (target / "keys").mkdir(parents=True)
    (target / "keys" / "authority.sealed").write_text("a restore in progress")
    with pytest.raises(Conflict, match="move that folder away"):
        init_office(target, make_setup(), kdf=FAST)
    assert (target / "keys" / "authority.sealed").read_text() == "a restore in progress"
    assert not (target / "office.db").exists()
    assert [p.name for p in target.iterdir()] == ["keys"]


def test_corrupt_database_is_reported(office_dir: Path) -> None:
    db = office_dir / "office.db"
    db.write_bytes(b"this is not sqlite" * 100)
    for suffix in ("-wal", "-shm"):
        (office_dir / f"office.db{suffix}").unlink(missing_ok=True)
    with pytest.raises(StorageError, match="damaged or is not a database"):
        Office(office_dir)


def test_truncated_database_is_reported(office_dir: Path) -> None:
    db = office_dir / "office.db"
    data = db.read_bytes()
    db.write_bytes(data[:1500])
    with pytest.raises(StorageError):
        Office(office_dir).local_office()


def test_missing_office(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="No office is set up"):
        Office(tmp_path)
