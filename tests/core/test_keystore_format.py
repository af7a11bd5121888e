"""Keystore envelopes: a frozen vector, the exact sentences of each refusal, and the edges of what is accepted.

Written to kill the mutants that survived `scripts/mutation.sh keystore` (docs/testing.md): a round trip
alone cannot notice a change to the key derivation, and a test that only checks the exception type cannot
notice a sentence that no longer names the file.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import nacl.pwhash
import pytest

from console.core.errors import InvalidPassword, StorageError
from console.core.keystore import KDF_PRESETS, MAX_LIMITS, MIN_LIMITS, VERSION, read_sealed, seal, unseal, write_sealed

#: Sealed by this console (argon2id at the "min" preset) and frozen: the key derivation may never change
#: silently, or every officer's keystore stops opening.
VECTOR = b"""{
 "format": "id-console-keystore",
 "version": 1,
 "kdf": {
  "name": "argon2id",
  "opslimit": 1,
  "memlimit": 8192,
  "salt": "xlysl1Hv3zBODDHX+jkaXw=="
 },
 "box": "2wKmX9YlZOpZDdSpD8FcxsE8uaAd0prBXJVUoW8mLNUJwH0D4T9uuZYAW6CMKHYaODo0gN8="
}"""
VECTOR_PASSWORD = "pässwörd-vector-1"
FAST = KDF_PRESETS["min"]
DAMAGED = "is damaged or truncated and cannot be read. Restore it from the key backup."


def _doc(**changes: object) -> dict[str, object]:
    doc = json.loads(VECTOR)
    for key, value in changes.items():
        if key in ("opslimit", "memlimit", "salt", "name"):
            doc["kdf"][key] = value
        else:
            doc[key] = value
    return doc


def _envelope(**changes: object) -> bytes:
    return json.dumps(_doc(**changes)).encode()


def test_frozen_vector_opens() -> None:
    assert unseal(VECTOR, VECTOR_PASSWORD) == b"frozen secret"
    with pytest.raises(InvalidPassword) as info:
        unseal(VECTOR, "passwörd-vector-1")
    assert str(info.value) == "Wrong password."


def test_envelope_layout_is_stable() -> None:
    envelope = seal(b"x", "a password", FAST)
    doc = json.loads(envelope)
    assert envelope == json.dumps(doc, indent=1).encode()
    assert doc["format"] == "id-console-keystore" and doc["version"] == VERSION
    assert doc["kdf"]["opslimit"] == FAST.opslimit and doc["kdf"]["memlimit"] == FAST.memlimit


def test_empty_plaintext_round_trips() -> None:
    """The smallest box (nonce and tag, 40 bytes) is a valid keystore, not a damaged one."""
    envelope = seal(b"", "a password", FAST)
    assert len(base64.b64decode(json.loads(envelope)["box"])) == 40
    assert unseal(envelope, "a password") == b""


def test_refusals_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "alice.keystore"
    with pytest.raises(StorageError) as info:
        read_sealed(path, "x")
    assert str(info.value) == f"The keystore {path} is missing. Restore it from the key backup."

    path.mkdir()
    with pytest.raises(StorageError) as info:
        read_sealed(path, "x")
    assert str(info.value) == f"Cannot read the keystore {path}: Is a directory."
    path.rmdir()

    path.write_bytes(_envelope(version=VERSION + 1))
    with pytest.raises(StorageError) as info:
        read_sealed(path, "x")
    assert str(info.value) == (
        f"The keystore {path} has format version {VERSION + 1}; this console reads version {VERSION}. "
        "Update the console."
    )

    path.write_bytes(b"{}")
    with pytest.raises(StorageError) as info:
        read_sealed(path, "x")
    assert str(info.value) == f"The keystore {path} {DAMAGED}"


def test_unnamed_envelope_is_called_the_keystore() -> None:
    with pytest.raises(StorageError) as info:
        unseal(b"not json", "x")
    assert str(info.value) == f"the keystore {DAMAGED}"


@pytest.mark.parametrize(
    "changes",
    [
        {"format": "something-else"},
        {"name": "scrypt"},
        {"opslimit": MIN_LIMITS.opslimit - 1},
        {"opslimit": MAX_LIMITS.opslimit + 1},  # a doctored file must not make an unlock run for hours
        {"memlimit": MIN_LIMITS.memlimit - 1},
        {"memlimit": MAX_LIMITS.memlimit + 1},
        {"salt": base64.b64encode(b"short").decode()},  # salt alone too short (the box is fine)
        {"salt": "xlysl1Hv3zBODDHX+jka*Xw=="},  # not Base64: never read leniently (dropping the "*")
        {"box": "2wKmX9YlZOpZDdSpD8Fc*xsE8uaAd0prBXJVUoW8mLNUJwH0D4T9uuZYAW6CMKHYaODo0gN8="},
        {"box": base64.b64encode(bytes(39)).decode()},
    ],
    ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items())[:40],
)
def test_damaged_fields_are_refused_as_damaged(changes: dict[str, object]) -> None:
    with pytest.raises(StorageError) as info:
        unseal(_envelope(**changes), VECTOR_PASSWORD, where="Bob's keystore")
    assert str(info.value) == f"Bob's keystore {DAMAGED}"


def test_highest_allowed_cost_is_accepted() -> None:
    """MAX_LIMITS.opslimit itself is allowed (at the smallest memory, so the test stays fast)."""
    assert MAX_LIMITS.opslimit == 4 * nacl.pwhash.argon2id.OPSLIMIT_SENSITIVE
    with pytest.raises(InvalidPassword):
        unseal(_envelope(opslimit=MAX_LIMITS.opslimit), VECTOR_PASSWORD)


def test_written_keystore_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "k.keystore"
    write_sealed(path, b"secret", "a password", FAST)
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_sealed(path, "a password") == b"secret"
