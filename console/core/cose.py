"""COSE_Sign1 (RFC 9052) with EdDSA over Ed25519: the one signing path for credentials and ledger entries.

Invariants: the protected header always carries ``alg`` = -8 (EdDSA) and ``kid`` = first 8 bytes of
SHA-256 of the raw 32-byte Ed25519 public key; the message is tag 18; external AAD is empty. Decoding never
trusts a field before checking its type, so malformed input raises `CoseError`, never anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cbor2

if TYPE_CHECKING:
    from hashlib import sha256
else:  # CPython's built-in SHA-256: `hashlib` loads OpenSSL (~3 ms a process), which `verify` needs nowhere else
    try:  # (issue 16); the same digest, checked by tests/core/test_ed25519.py
        from _sha256 import sha256
    except ImportError:  # pragma: no cover - Python 3.12 renamed the module (_sha2)
        from hashlib import sha256

from console.core import ed25519
from console.core.errors import ConsoleError
from console.core.i18n import _

if TYPE_CHECKING:  # nacl.signing costs ~10 ms to import and verifying needs none of it (issue 16)
    import nacl.signing

COSE_SIGN1_TAG = 18
HEADER_ALG = 1
HEADER_KID = 4
ALG_EDDSA = -8


class CoseError(ConsoleError):
    """The bytes are not a well-formed COSE_Sign1 of the kind we accept."""


class CoseSignatureError(ConsoleError):
    """The COSE_Sign1 is well formed but its signature does not verify with the given key."""


def key_id(public_key: bytes) -> bytes:
    """Return the `kid` of a raw Ed25519 public key: SHA-256(key)[:8] (DESIGN §5)."""
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return sha256(public_key).digest()[:8]


@dataclass(frozen=True)
class Sign1:
    """A decoded, not yet verified COSE_Sign1."""

    protected: bytes
    protected_header: dict[int, Any]
    unprotected_header: dict[Any, Any]
    payload: bytes
    signature: bytes

    @property
    def kid(self) -> bytes:
        kid = self.protected_header.get(HEADER_KID)  # only the signed header names the key (DESIGN §5)
        if not isinstance(kid, bytes):
            raise CoseError(_("The signature names no key (kid missing)."))
        return kid

    def to_be_signed(self) -> bytes:
        """The Sig_structure bytes (RFC 9052 §4.4) the signature covers."""
        return _sig_structure(self.protected, self.payload)


def _bstr(data: bytes) -> bytes:
    """A CBOR byte string (major type 2) with its shortest head, as cbor2 writes it."""
    n = len(data)
    if n < 24:
        return bytes((0x40 | n,)) + data
    if n < 0x100:
        return bytes((0x58, n)) + data
    if n < 0x10000:
        return b"\x59" + n.to_bytes(2, "big") + data
    return b"\x5a" + n.to_bytes(4, "big") + data


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    # cbor2.dumps(["Signature1", protected, b"", payload]) written out: the same bytes (tests/core/test_cose_fast.py),
    # without building a list and encoding it for every entry a sync checks
    return b"\x84\x6aSignature1" + _bstr(protected) + b"\x40" + _bstr(payload)


#: The last key's protected header: (key, header bytes). A batch signs thousands of payloads with one key, and
#: the key id (a hash of the public key) and its CBOR were a third of `sign1` (issue 16).
_last_protected: tuple[nacl.signing.SigningKey, bytes] | None = None


def _protected(signing_key: nacl.signing.SigningKey) -> bytes:
    global _last_protected
    last = _last_protected
    if last is not None and last[0] is signing_key:
        return last[1]
    protected = cbor2.dumps({HEADER_ALG: ALG_EDDSA, HEADER_KID: key_id(bytes(signing_key.verify_key))})
    _last_protected = (signing_key, protected)
    return protected


def sign1(signing_key: nacl.signing.SigningKey, payload: bytes) -> bytes:
    """Sign `payload` as a tagged COSE_Sign1 with EdDSA; `kid` comes from the key itself."""
    protected = _protected(signing_key)
    signature = signing_key.sign(_sig_structure(protected, payload)).signature
    # cbor2.dumps(CBORTag(18, [protected, {}, payload, signature])) written out, as `sign1_many` does
    return b"\xd2\x84" + _bstr(protected) + b"\xa0" + _bstr(payload) + _bstr(signature)


def encode_sign1(message: Sign1) -> bytes:
    """A decoded COSE_Sign1 written out again (tagged, with an empty unprotected header): the same signed bytes."""
    return b"\xd2\x84" + _bstr(message.protected) + b"\xa0" + _bstr(message.payload) + _bstr(message.signature)


def sign1_many(signing_key: nacl.signing.SigningKey, payloads: list[bytes]) -> list[bytes]:
    """`sign1` for many payloads by one key (a batch of events): the protected header is encoded once."""
    protected = cbor2.dumps({HEADER_ALG: ALG_EDDSA, HEADER_KID: key_id(bytes(signing_key.verify_key))})
    head = b"\xd2\x84" + _bstr(protected) + b"\xa0"  # tag 18, a 4-element array, the protected header, {}
    out = []
    for payload in payloads:
        signature = signing_key.sign(_sig_structure(protected, payload)).signature
        out.append(head + _bstr(payload) + _bstr(signature))
    return out


def decode_sign1(data: bytes, headers: dict[bytes, dict[int, Any]] | None = None) -> Sign1:
    """Parse a COSE_Sign1 (tagged or untagged) without verifying it.

    `headers` is a caller's cache of decoded protected headers (bytes -> map) for runs of entries: the entries
    of one signer share their protected header, so a sync decodes it once. The maps must not be changed.

    Raises:
        CoseError: the bytes are not CBOR, not a 4-element Sign1, or the algorithm is not EdDSA.
    """
    try:
        obj = cbor2.loads(data)
    except Exception as e:  # cbor2 raises many types on garbage, including ValueError and its own
        raise CoseError(_("The signed data is not valid CBOR.")) from e
    if isinstance(obj, cbor2.CBORTag):
        if obj.tag != COSE_SIGN1_TAG:
            raise CoseError(_("Expected a COSE_Sign1 (tag 18), found CBOR tag {tag}.").format(tag=obj.tag))
        obj = obj.value
    if not isinstance(obj, list) or len(obj) != 4:
        raise CoseError(_("The signed data is not a COSE_Sign1 structure (4-element array)."))
    protected, unprotected, payload, signature = obj
    if not isinstance(protected, bytes) or not isinstance(unprotected, dict):
        raise CoseError(_("The COSE_Sign1 headers have the wrong types."))
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise CoseError(_("The COSE_Sign1 payload or signature is not a byte string."))
    cached = headers.get(protected) if headers is not None else None
    if cached is not None:
        protected_header = cached
    else:
        try:
            protected_header = cbor2.loads(protected) if protected else {}
        except Exception as e:
            raise CoseError(_("The COSE_Sign1 protected header is not valid CBOR.")) from e
        if not isinstance(protected_header, dict):
            raise CoseError(_("The COSE_Sign1 protected header is not a map."))
        if headers is not None and len(headers) < 1024:
            headers[protected] = protected_header
    alg = protected_header.get(HEADER_ALG)
    if alg != ALG_EDDSA:
        shown = alg if isinstance(alg, int) and abs(alg) < 2**31 else type(alg).__name__
        raise CoseError(_("Unsupported signature algorithm {alg}; only EdDSA (-8) is accepted.").format(alg=shown))
    if len(signature) != 64:
        raise CoseError(_("An EdDSA signature is 64 bytes; this one is not."))
    return Sign1(protected, protected_header, unprotected, payload, signature)


def verify_sign1(message: Sign1, public_key: bytes) -> bytes:
    """Verify `message` with a raw Ed25519 public key and return its payload.

    Raises:
        CoseSignatureError: the signature does not match.
    """
    if not signature_holds(message, public_key):
        raise CoseSignatureError(_("The signature does not match the signer's key: the data was altered."))
    return message.payload


def signature_holds(message: Sign1, public_key: bytes) -> bool:
    """Whether `message`'s signature verifies with the raw Ed25519 `public_key` (libsodium's check, called
    directly: a sync checks one per entry, so no key object is built per call)."""
    return ed25519.holds(public_key, _sig_structure(message.protected, message.payload), message.signature)


def verify_with_lookup(data: bytes, lookup: Callable[[bytes], bytes | None]) -> tuple[Sign1, bytes]:
    """Decode `data`, find the public key for its `kid` with `lookup`, verify; return (message, payload).

    Raises:
        CoseError: malformed, or `lookup` knows no key for the kid.
        CoseSignatureError: the signature does not verify.
    """
    message = decode_sign1(data)
    public_key = lookup(message.kid)
    if public_key is None:
        raise CoseError(_("The signing key {kid} is not known here.").format(kid=message.kid.hex()))
    return message, verify_sign1(message, public_key)
