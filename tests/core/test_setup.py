"""Office set-up: all or nothing, never over an existing office, clear errors."""

from __future__ import annotations

import os
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


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_unwritable_folder(tmp_path: Path) -> None:  # pragma: no cover - CI runs as root
    tmp_path.chmod(0o500)
    with pytest.raises(StorageError):
        init_office(tmp_path / "office", make_setup(), kdf=FAST)


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
