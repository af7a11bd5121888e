"""Keystores: round trip, wrong password, damage, and no key bytes in the clear."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from console.core.errors import InvalidPassword, StorageError
from console.core.keys import OfficerSecrets
from console.core.keystore import KDF_PRESETS, read_sealed, seal, unseal, write_sealed
from tests.conftest import PASSWORDS

FAST = KDF_PRESETS["min"]


def test_round_trip_and_wrong_password(tmp_path: Path) -> None:
    path = tmp_path / "k.keystore"
    write_sealed(path, b"secret seed bytes", "a good password", FAST)
    assert read_sealed(path, "a good password") == b"secret seed bytes"
    with pytest.raises(InvalidPassword):
        read_sealed(path, "another password")


def test_file_is_private_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "k.keystore"
    write_sealed(path, b"x" * 32, "a good password", FAST)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    doc = json.loads(path.read_bytes())
    assert doc["format"] == "id-console-keystore" and doc["version"] == 1
    assert doc["kdf"]["name"] == "argon2id" and doc["kdf"]["opslimit"] == FAST.opslimit
    assert not list(tmp_path.glob(".tmp-*")), "no temp file left behind"


def test_key_files_hold_no_key_bytes_in_clear(office_dir: Path) -> None:
    from console.core.accounts import login
    from console.core.office import Office

    office = Office(office_dir)
    # Unseal with the real password to learn the key bytes, then look for them in every key file.
    admin = OfficerSecrets.from_bytes(read_sealed(office.paths.officer_keystore("admin"), PASSWORDS["admin"]))
    # the office and authority secrets are wrapped to the administrator's key (key_wraps): open them by logging in
    session = login(office, "admin", PASSWORDS["admin"])
    office_secrets, authority_secrets = session.office_secrets, session.authority_secrets
    assert office_secrets is not None and authority_secrets is not None
    secrets = [
        admin.signing_seed,
        bytes(admin.box_key),
        authority_secrets.root_seed,
        *office_secrets.signing_seeds,
        office_secrets.records_private,
        office_secrets.numbering_secret,
    ]
    for path in office.paths.keys.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for secret in secrets:
            for form in (secret, secret.hex().encode(), base64.b64encode(secret), base64.urlsafe_b64encode(secret)):
                assert form not in data, f"{path.name} holds key bytes in the clear"
    # and none in the database either
    db_bytes = office.paths.db.read_bytes()
    for secret in secrets:
        assert secret not in db_bytes


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b"",  # empty
        lambda b: b"not json at all",
        lambda b: b.replace(b'"version": 1', b'"version": 9'),
        lambda b: b.replace(b'"box": "', b'"box": "AAAA'),  # ciphertext altered
    ],
)
def test_damaged_keystore_is_reported_not_crashed(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    sealed = seal(b"k" * 32, "a good password", FAST)
    with pytest.raises((StorageError, InvalidPassword)) as info:
        unseal(damage(sealed), "a good password", where="The keystore X")
    assert "X" in str(info.value) or "password" in str(info.value).lower()


def test_missing_keystore(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="missing"):
        read_sealed(tmp_path / "nope.keystore", "pw")


def test_written_out_argon2id_limits_are_libsodiums() -> None:
    # keystore writes libsodium's constants out so that opening an office does not import PyNaCl's bindings
    # (issue 16); they must stay exactly PyNaCl's
    import nacl.pwhash

    from console.core import keystore

    argon2id = nacl.pwhash.argon2id
    for level in ("MIN", "INTERACTIVE", "MODERATE", "SENSITIVE"):
        assert getattr(keystore, f"OPSLIMIT_{level}") == getattr(argon2id, f"OPSLIMIT_{level}")
        assert getattr(keystore, f"MEMLIMIT_{level}") == getattr(argon2id, f"MEMLIMIT_{level}")
    assert keystore.SALT_BYTES == argon2id.SALTBYTES
