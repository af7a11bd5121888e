"""IETF Token Status List (draft-ietf-oauth-status-list), CWT form: make, sign, read and check.

The Status List Token (CONTRACTS.md): a COSE_Sign1 (tag 18) with protected header ``{1: -8, 4: kid,
16: "application/statuslist+cwt"}`` over the CWT claims ``{2 sub: uri, 6 iat, 4 exp, 65534 ttl,
65533 status_list: {"bits": 2, "lst": zlib(bytes)}}``. Entry i is 2 bits, index 0 in the least significant
bits of byte 0: 0 VALID, 1 INVALID (revoked, superseded and every index never assigned), 2 SUSPENDED.

Invariants:
- A list is packed from the office's whole credential table every time (never patched), so the token always
  equals what the table says at its `iat`.
- Reading is bounded (token size, inflated size) and checks every type; failures are `StatusListError`
  with one sentence, never anything else.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import cbor2

from console.core import cose
from console.core.errors import ConsoleError
from console.core.i18n import _

if TYPE_CHECKING:  # type only: importing nacl.signing costs ~10 ms a process, `verify` needs none of it (issue 16)
    import nacl.signing

VALID: Final = 0
INVALID: Final = 1
SUSPENDED: Final = 2
BITS: Final = 2
MEDIA_TYPE: Final = "application/statuslist+cwt"
HEADER_TYP: Final = 16
CLAIM_SUB: Final = 2
CLAIM_EXP: Final = 4
CLAIM_IAT: Final = 6
CLAIM_TTL: Final = 65534
CLAIM_STATUS_LIST: Final = 65533
#: Every unassigned entry reads INVALID: a byte of four 01 pairs.
UNASSIGNED_BYTE: Final = 0b01010101
#: Largest token / inflated list a verifier reads (16 MiB holds 64 million entries).
MAX_TOKEN_BYTES: Final = 16 * 1024 * 1024
MAX_LIST_BYTES: Final = 16 * 1024 * 1024
#: How long a verifier may use a list before fetching again (ttl), and when it stops being usable (exp).
DEFAULT_TTL_SECONDS: Final = 24 * 3600
DEFAULT_VALIDITY_SECONDS: Final = 7 * 24 * 3600
_STATE_VALUES: Final = {"active": VALID, "revoked": INVALID, "superseded": INVALID, "suspended": SUSPENDED}


class StatusListError(ConsoleError):
    """A status list token is unusable: not a token, bad signature, another issuer, or stale."""


def list_uri(issuer: str) -> str:
    """The status list URI of an issuer (CONTRACTS.md): ``{iss}/status/1.cwt``."""
    return f"{issuer.rstrip('/')}/status/1.cwt"


def pack(size: int, entries: Iterable[tuple[int, str]]) -> bytes:
    """The packed 2-bit list of `size` entries: every index INVALID except those `entries` set by state.

    Args:
        size: number of entries (a multiple of 4).
        entries: (index, credential state) pairs; states are the credentials table's.
    """
    lst = bytearray([UNASSIGNED_BYTE]) * (size // 4)
    for idx, state in entries:
        value = _STATE_VALUES[state]
        byte, shift = idx >> 2, (idx & 3) << 1
        lst[byte] = (lst[byte] & ~(3 << shift)) | (value << shift)
    return bytes(lst)


def value_at(lst: bytes, idx: int) -> int | None:
    """The 2-bit status at `idx`, or None when the list is shorter."""
    byte = idx >> 2
    if idx < 0 or byte >= len(lst):
        return None
    return (lst[byte] >> ((idx & 3) << 1)) & 3


def make_token(
    signing_key: nacl.signing.SigningKey,
    uri: str,
    lst: bytes,
    *,
    iat: int,
    ttl: int = DEFAULT_TTL_SECONDS,
    validity: int = DEFAULT_VALIDITY_SECONDS,
) -> bytes:
    """Sign a Status List Token (COSE_Sign1, EdDSA, kid of the office key) for the packed list `lst`."""
    kid = cose.key_id(bytes(signing_key.verify_key))
    protected = cbor2.dumps({cose.HEADER_ALG: cose.ALG_EDDSA, cose.HEADER_KID: kid, HEADER_TYP: MEDIA_TYPE})
    payload = cbor2.dumps(
        {
            CLAIM_SUB: uri,
            CLAIM_IAT: iat,
            CLAIM_EXP: iat + validity,
            CLAIM_TTL: ttl,
            CLAIM_STATUS_LIST: {"bits": BITS, "lst": zlib.compress(lst, 9)},
        }
    )
    signature = signing_key.sign(cbor2.dumps(["Signature1", protected, b"", payload])).signature
    return bytes(cbor2.dumps(cbor2.CBORTag(cose.COSE_SIGN1_TAG, [protected, {}, payload, signature])))


@dataclass(frozen=True)
class StatusList:
    """A decoded, signature-checked status list token."""

    uri: str
    iat: int
    exp: int | None
    ttl: int | None
    bits: int
    lst: bytes
    kid: bytes | None
    signed_by: Any  # the TrustedKey that verified it

    def value(self, idx: int) -> int | None:
        """The status at `idx` (0 valid, 1 invalid, 2 suspended, 3 unused), or None when out of range."""
        if self.bits != BITS:
            byte, shift = (idx * self.bits) >> 3, (idx * self.bits) & 7
            if idx < 0 or byte >= len(self.lst):
                return None
            return (self.lst[byte] >> shift) & ((1 << self.bits) - 1)
        return value_at(self.lst, idx)


def _int(claims: dict[Any, Any], key: int, name: str, required: bool) -> int | None:
    value = claims.get(key)
    if value is None and not required:
        return None
    if type(value) is not int or not 0 <= value < 2**40:
        raise StatusListError(
            _("The status list's {name} (claim {key}) is missing or not a number.").format(name=name, key=key)
        )
    return value


def read_token(data: bytes, candidates: Iterable[Any]) -> StatusList:
    """Decode a Status List Token and verify its signature with one of `candidates` (TrustedKey).

    The caller chooses the candidates (the keys of the credential's issuer), so a list signed by anyone else
    fails here.

    Raises:
        StatusListError: malformed, too large, or no candidate key verifies it.
    """
    from console.core.claim169 import Claim169Error, open_envelope, verify_signature

    if len(data) > MAX_TOKEN_BYTES:
        raise StatusListError(_("The status list is larger than any this verifier reads."))
    try:
        message = open_envelope(data)
    except Claim169Error as e:
        raise StatusListError(_("The status list is not a signed token: {error}").format(error=e)) from e
    try:
        header = cbor2.loads(message.protected)
    except Exception as e:  # already parsed once by open_envelope; belt and braces
        raise StatusListError(_("The status list's header is not valid CBOR.")) from e
    if header.get(HEADER_TYP) != MEDIA_TYPE:
        raise StatusListError(_("The token is not a status list (its type is not {type}).").format(type=MEDIA_TYPE))
    keys = list(candidates)
    if message.kid is not None:
        keys = [k for k in keys if message.kid in k.names] or []
    signer = next((k for k in keys if verify_signature(message, k.public_key, k.algorithm)), None)
    if signer is None:
        raise StatusListError(
            _(
                "The status list's signature does not verify with a key of the card's issuer: it is forged or from "
                "another issuer."
            )
        )
    try:
        claims = cbor2.loads(message.payload)
    except Exception as e:
        raise StatusListError(_("The status list's claims are not valid CBOR.")) from e
    if not isinstance(claims, dict):
        raise StatusListError(_("The status list's claims are not a map."))
    uri = claims.get(CLAIM_SUB)
    if not isinstance(uri, str):
        raise StatusListError(_("The status list names no URI (claim 2, sub)."))
    iat = _int(claims, CLAIM_IAT, "iat", True)
    exp = _int(claims, CLAIM_EXP, "exp", False)
    ttl = _int(claims, CLAIM_TTL, "ttl", False)
    body = claims.get(CLAIM_STATUS_LIST)
    bits = body.get("bits") if isinstance(body, dict) else None
    compressed = body.get("lst") if isinstance(body, dict) else None
    if bits not in (1, 2, 4, 8) or type(bits) is not int or not isinstance(compressed, bytes):
        raise StatusListError(_("The status list (claim 65533) has no valid bits and lst."))
    inflater = zlib.decompressobj()
    try:
        lst = inflater.decompress(compressed, MAX_LIST_BYTES + 1)
    except zlib.error as e:
        raise StatusListError(_("The status list's lst is not zlib data.")) from e
    if len(lst) > MAX_LIST_BYTES or inflater.unconsumed_tail or not inflater.eof:
        raise StatusListError(_("The status list's lst is too large or cut short."))
    assert iat is not None
    return StatusList(uri, iat, exp, ttl, bits, lst, message.kid, signer)
