"""The key hierarchy (docs/security.md): authority root key → office keys → officer keys.

- Authority root key (Ed25519): certifies office keys. Sealed in ``keys/authority.sealed`` under the
  authority master key (AMK), which only administrators' keystores carry.
- Office secrets: the office signing key (Ed25519, signs credentials and enrolments), the authority's records
  key (X25519, opens sealed person records of every office) and numbering secret (uin-10 permutation). Sealed
  in ``keys/office.sealed`` under the office master key (OMK), which clerks', supervisors' and administrators'
  keystores carry.
- Officer keystore: one per officer, sealed with the officer's password (argon2id): the officer's own Ed25519
  signing key plus the master keys the role is granted (roles.KEY_GRANTS).

Certificates are COSE_Sign1 messages (same path as credentials) over a CBOR map; they go on the ledger.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2
import nacl.exceptions
import nacl.public
import nacl.secret
import nacl.signing
import nacl.utils

from console.core import cose
from console.core.atomic import atomic_write
from console.core.errors import StorageError

SEALED_FORMAT = "id-console-sealed"


@dataclass(frozen=True)
class OfficeSecrets:
    """What an office needs to issue: its signing keys and the authority-wide records and numbering secrets.

    `signing_seeds` keeps every office key the office has had (newest last), so that a key rotation can write
    the new key before the database says it is in force; the database names the key in force.
    """

    signing_seeds: tuple[bytes, ...]
    records_private: bytes
    numbering_secret: bytes

    @property
    def records_key(self) -> nacl.public.PrivateKey:
        return nacl.public.PrivateKey(self.records_private)

    def matching_key(self) -> bytes:
        """HMAC key for the keyed digests that let offices match records without revealing them."""
        return hmac.new(self.records_private, b"id-console/matching/v1", hashlib.sha256).digest()

    def with_new_signing_seed(self, seed: bytes) -> OfficeSecrets:
        return OfficeSecrets((*self.signing_seeds, seed), self.records_private, self.numbering_secret)

    def to_bytes(self) -> bytes:
        return cbor2.dumps(
            {"signing": list(self.signing_seeds), "records": self.records_private, "numbering": self.numbering_secret}
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> OfficeSecrets:
        doc = cbor2.loads(data)
        return cls(tuple(bytes(s) for s in doc["signing"]), bytes(doc["records"]), bytes(doc["numbering"]))


@dataclass(frozen=True)
class AuthoritySecrets:
    """The authority root key: certifies office keys."""

    root_seed: bytes

    @property
    def root_key(self) -> nacl.signing.SigningKey:
        return nacl.signing.SigningKey(self.root_seed)

    def to_bytes(self) -> bytes:
        return cbor2.dumps({"root": self.root_seed})

    @classmethod
    def from_bytes(cls, data: bytes) -> AuthoritySecrets:
        return cls(bytes(cbor2.loads(data)["root"]))


@dataclass(frozen=True)
class OfficerSecrets:
    """Plaintext of an officer keystore: own signing key and the granted master keys."""

    signing_seed: bytes
    grants: dict[str, bytes]

    @property
    def signing_key(self) -> nacl.signing.SigningKey:
        return nacl.signing.SigningKey(self.signing_seed)

    def to_bytes(self) -> bytes:
        return cbor2.dumps({"signing": self.signing_seed, "grants": self.grants})

    @classmethod
    def from_bytes(cls, data: bytes) -> OfficerSecrets:
        doc = cbor2.loads(data)
        return cls(bytes(doc["signing"]), {str(k): bytes(v) for k, v in doc["grants"].items()})


def new_seed() -> bytes:
    """32 random bytes from the OS CSPRNG (a key seed or master key)."""
    return nacl.utils.random(32)


def public_key_of(seed: bytes) -> bytes:
    """Raw Ed25519 public key of a signing seed."""
    return bytes(nacl.signing.SigningKey(seed).verify_key)


def write_master_sealed(path: Path, master_key: bytes, plaintext: bytes) -> None:
    """Encrypt `plaintext` under a 32-byte master key and write it atomically (0600)."""
    box = nacl.secret.SecretBox(master_key)
    doc = {"format": SEALED_FORMAT, "version": 1, "box": base64.b64encode(bytes(box.encrypt(plaintext))).decode()}
    atomic_write(path, json.dumps(doc).encode(), mode=0o600)


def read_master_sealed(path: Path, master_key: bytes) -> bytes:
    """Inverse of `write_master_sealed`.

    Raises:
        StorageError: the file is missing, damaged, or was not sealed with this master key.
    """
    try:
        doc = json.loads(path.read_bytes())
        if doc.get("format") != SEALED_FORMAT or doc.get("version") != 1:
            raise ValueError("unknown format")
        return nacl.secret.SecretBox(master_key).decrypt(base64.b64decode(doc["box"], validate=True))
    except FileNotFoundError as e:
        raise StorageError(f"The key file {path} is missing. Restore it from the key backup.") from e
    except (OSError, ValueError, KeyError, TypeError, AttributeError, nacl.exceptions.CryptoError) as e:
        raise StorageError(
            f"The key file {path} is damaged or does not belong to this office. Restore it from the key backup."
        ) from e


def certify(signer: nacl.signing.SigningKey, claims: dict[str, Any]) -> bytes:
    """A certificate: COSE_Sign1 by `signer` over the CBOR of `claims` (sorted keys, deterministic)."""
    return cose.sign1(signer, cbor2.dumps(claims, canonical=True))
