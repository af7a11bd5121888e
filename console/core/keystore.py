"""Secrets at rest: argon2id-derived key + XSalsa20-Poly1305 (nacl SecretBox), in a versioned JSON envelope.

A keystore file never holds key bytes in the clear. The envelope stores the KDF, its limits and salt beside the
ciphertext, so limits can be raised later without breaking old files. The Poly1305 tag doubles as the password
check: a wrong password and a tampered file are told apart only by the file's structure.

Envelope (version 1)::

    {"format": "id-console-keystore", "version": 1,
     "kdf": {"name": "argon2id", "opslimit": 3, "memlimit": 268435456, "salt": "<base64>"},
     "box": "<base64 of nonce||ciphertext>"}
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

from console.core.atomic import atomic_write
from console.core.errors import InvalidPassword, StorageError
from console.core.i18n import _

FORMAT = "id-console-keystore"
VERSION = 1


@dataclass(frozen=True)
class KdfLimits:
    """argon2id cost: `opslimit` passes over `memlimit` bytes."""

    opslimit: int
    memlimit: int


#: Named presets. "standard" is the default: twice libsodium's MODERATE passes over the same 256 MiB, about
#: 0.9 s per unlock on a 2-core office PC (measured, docs/security.md). A copied keystore can be attacked offline
#: without any lockout, so this cost is all that slows a guesser there. "min" is for tests only.
#: libsodium's argon2id limits (crypto_pwhash_argon2id_{OPSLIMIT,MEMLIMIT}_{MIN,INTERACTIVE,MODERATE,SENSITIVE}),
#: written out: reading them from `nacl.pwhash` imports all of PyNaCl's bindings (~10 ms) in every process that
#: opens an office, `verify` included (issue 16). tests/core/test_keystore.py checks them against PyNaCl's.
OPSLIMIT_MIN, MEMLIMIT_MIN = 1, 8192
OPSLIMIT_INTERACTIVE, MEMLIMIT_INTERACTIVE = 2, 64 * 1024 * 1024
OPSLIMIT_MODERATE, MEMLIMIT_MODERATE = 3, 256 * 1024 * 1024
OPSLIMIT_SENSITIVE, MEMLIMIT_SENSITIVE = 4, 1024 * 1024 * 1024
SALT_BYTES = 16  # crypto_pwhash_argon2id_SALTBYTES
KDF_PRESETS: dict[str, KdfLimits] = {
    "min": KdfLimits(OPSLIMIT_MIN, MEMLIMIT_MIN),
    "interactive": KdfLimits(OPSLIMIT_INTERACTIVE, MEMLIMIT_INTERACTIVE),
    "moderate": KdfLimits(OPSLIMIT_MODERATE, MEMLIMIT_MODERATE),
    "standard": KdfLimits(2 * OPSLIMIT_MODERATE, MEMLIMIT_MODERATE),
    "sensitive": KdfLimits(OPSLIMIT_SENSITIVE, MEMLIMIT_SENSITIVE),
}
DEFAULT_KDF = "standard"
#: Limits a keystore file may name: from the test preset up to four times SENSITIVE's cost.
MIN_LIMITS = KDF_PRESETS["min"]
MAX_LIMITS = KdfLimits(4 * OPSLIMIT_SENSITIVE, 4 * MEMLIMIT_SENSITIVE)


def derive_key(password: str, salt: bytes, limits: KdfLimits) -> bytes:
    """argon2id of `password` (the cost of one unlock; also spent for unknown usernames, to look the same)."""
    import nacl.pwhash
    import nacl.secret

    return nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        password.encode("utf-8"),
        salt,
        opslimit=limits.opslimit,
        memlimit=limits.memlimit,
    )


def seal(plaintext: bytes, password: str, limits: KdfLimits) -> bytes:
    """Encrypt `plaintext` under `password`; return the envelope bytes (JSON)."""
    import nacl.secret
    import nacl.utils

    salt = nacl.utils.random(SALT_BYTES)
    box = nacl.secret.SecretBox(derive_key(password, salt, limits))
    envelope = {
        "format": FORMAT,
        "version": VERSION,
        "kdf": {
            "name": "argon2id",
            "opslimit": limits.opslimit,
            "memlimit": limits.memlimit,
            "salt": base64.b64encode(salt).decode(),
        },
        "box": base64.b64encode(bytes(box.encrypt(plaintext))).decode(),
    }
    return json.dumps(envelope, indent=1).encode()


def unseal(envelope: bytes, password: str, where: str | None = None) -> bytes:
    """Decrypt an envelope made by `seal`; `where` names it in messages (default "the keystore").

    Raises:
        StorageError: the envelope is damaged, truncated or of an unknown version (names `where`).
        InvalidPassword: the password does not open it.
    """
    where = _("the keystore") if where is None else where
    try:
        doc = json.loads(envelope)
        if doc.get("format") != FORMAT:
            raise ValueError("not a keystore")
        if doc.get("version") != VERSION:
            raise StorageError(
                _(
                    "{where} has format version {found!r}; this console reads version {version}. Update the console."
                ).format(where=where, found=doc.get("version"), version=VERSION)
            )
        kdf = doc["kdf"]
        if kdf["name"] != "argon2id":
            raise ValueError("unknown kdf")
        limits = KdfLimits(int(kdf["opslimit"]), int(kdf["memlimit"]))
        if not (MIN_LIMITS.opslimit <= limits.opslimit <= MAX_LIMITS.opslimit) or not (
            MIN_LIMITS.memlimit <= limits.memlimit <= MAX_LIMITS.memlimit
        ):
            raise ValueError("KDF limits out of range")  # a doctored file could make an unlock hang forever
        salt = base64.b64decode(kdf["salt"], validate=True)
        sealed = base64.b64decode(doc["box"], validate=True)
        if len(salt) != SALT_BYTES or len(sealed) < 40:
            raise ValueError("short fields")
    except StorageError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise StorageError(
            _("{where} is damaged or truncated and cannot be read. Restore it from the key backup.").format(where=where)
        ) from e
    import nacl.exceptions
    import nacl.secret

    try:
        return nacl.secret.SecretBox(derive_key(password, salt, limits)).decrypt(sealed)
    except nacl.exceptions.CryptoError as e:
        raise InvalidPassword(_("Wrong password.")) from e


def write_sealed(path: Path, plaintext: bytes, password: str, limits: KdfLimits) -> None:
    """Seal `plaintext` and write it atomically, mode 0600."""
    atomic_write(path, seal(plaintext, password, limits), mode=0o600)


def read_sealed(path: Path, password: str) -> bytes:
    """Read and unseal a keystore file.

    Raises:
        StorageError: missing, unreadable, damaged.
        InvalidPassword: wrong password.
    """
    data = read_keystore(path)
    return unseal(data, password, where=_("The keystore {path}").format(path=path))


def read_keystore(path: Path) -> bytes:
    """The envelope bytes of a keystore file.

    Raises:
        StorageError: missing or unreadable.
    """
    try:
        return path.read_bytes()
    except FileNotFoundError as e:
        raise StorageError(
            _("The keystore {path} is missing. Restore it from the key backup.").format(path=path)
        ) from e
    except OSError as e:
        raise StorageError(_("Cannot read the keystore {path}: {reason}.").format(path=path, reason=e.strerror)) from e


def limits_of(envelope: bytes) -> KdfLimits:
    """The KDF limits an envelope names (an envelope `unseal` already opened), to re-seal it at the same cost."""
    kdf = json.loads(envelope)["kdf"]
    return KdfLimits(int(kdf["opslimit"]), int(kdf["memlimit"]))
