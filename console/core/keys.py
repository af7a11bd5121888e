"""The key hierarchy (docs/security.md): authority root key → office keys → officer keys.

- Authority root key (Ed25519): certifies office keys. Wrapped to each administrator.
- Office secrets: the office signing key (Ed25519, signs credentials and enrolments), the authority's records
  key (X25519, opens sealed person records of every office) and numbering secret (uin-10 permutation).
  Wrapped to each clerk, supervisor and administrator.
- Officer keystore: one per officer, sealed with the officer's password (argon2id): the officer's own Ed25519
  signing key and the authority root public key it trusts (the anchor of every certificate check).
- A wrap is a SealedBox to the X25519 form of an officer's certified Ed25519 key (libsodium's
  ``crypto_sign_ed25519_sk_to_curve25519``), signed by the administrator who made it, stored in the
  ``key_wraps`` table. Rotation and disabling rewrite the wraps without anyone's password: a removed officer's
  keystore opens no wrap of a secret made after their removal.

Offices set up before the wraps (version 1) kept ``keys/office.sealed`` and ``keys/authority.sealed`` under
master keys carried in keystores (``grants``); an administrator's next login re-wraps them and removes those
files (`console.core.accounts`).

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
    """Plaintext of an officer keystore: own signing key, the pinned authority root public key (`anchor`), and
    (offices set up before key wraps only) the granted master keys."""

    signing_seed: bytes
    grants: dict[str, bytes]
    anchor: bytes | None = None

    @property
    def signing_key(self) -> nacl.signing.SigningKey:
        return nacl.signing.SigningKey(self.signing_seed)

    @property
    def box_key(self) -> nacl.public.PrivateKey:
        """The X25519 form of the signing key: opens the wraps sealed to this officer."""
        return self.signing_key.to_curve25519_private_key()

    def to_bytes(self) -> bytes:
        doc: dict[str, Any] = {"signing": self.signing_seed, "grants": self.grants}
        if self.anchor is not None:
            doc["anchor"] = self.anchor
        return cbor2.dumps(doc)

    @classmethod
    def from_bytes(cls, data: bytes) -> OfficerSecrets:
        doc = cbor2.loads(data)
        anchor = doc.get("anchor")
        return cls(
            bytes(doc["signing"]),
            {str(k): bytes(v) for k, v in doc.get("grants", {}).items()},
            bytes(anchor) if anchor is not None else None,
        )


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


WRAP_TYPE = "key-wrap"


def wrap_secret(
    signer: nacl.signing.SigningKey, *, secret: str, office: str, username: str, recipient: bytes, plaintext: bytes
) -> bytes:
    """A wrap: `plaintext` sealed to the X25519 form of the officer key `recipient` (raw Ed25519 public key),
    signed by `signer` (the administrator making it) so that nobody can slip in a wrap of their own."""
    box_public = nacl.signing.VerifyKey(recipient).to_curve25519_public_key()
    claims = {
        "type": WRAP_TYPE,
        "secret": secret,
        "office": office,
        "to": username,
        "kid": cose.key_id(recipient),
        "box": bytes(nacl.public.SealedBox(box_public).encrypt(plaintext)),
    }
    return certify(signer, claims)


def open_wrap(
    wrap: bytes, *, secret: str, office: str, username: str, officer: OfficerSecrets, signer_public: bytes
) -> bytes:
    """Check a wrap's signature (by `signer_public`) and what it is for, and open it with the officer's key.

    Raises:
        ValueError: the wrap is not signed by that key, is for another secret, officer or key, or does not open.
    """
    try:
        message = cose.decode_sign1(wrap)
        claims = cbor2.loads(cose.verify_sign1(message, signer_public))
        own_kid = cose.key_id(bytes(officer.signing_key.verify_key))
        if (
            not isinstance(claims, dict)
            or claims.get("type") != WRAP_TYPE
            or claims.get("secret") != secret
            or claims.get("office") != office
            or claims.get("to") != username
            or claims.get("kid") != own_kid
        ):
            raise ValueError("the wrap is for another secret, office, officer or key")
        return bytes(nacl.public.SealedBox(officer.box_key).decrypt(bytes(claims["box"])))
    except (cose.CoseError, cose.CoseSignatureError, nacl.exceptions.CryptoError, KeyError, TypeError) as e:
        raise ValueError(str(e)) from e


def wrap_signer_kid(wrap: bytes) -> bytes:
    """The kid of the key that signed a wrap (to look up whether it was an administrator's)."""
    return cose.decode_sign1(wrap).kid
