"""Credentials and status list tokens made by hand in the forms CONTRACTS.md and Claim 169 allow.

The console does not yet write the `status` claim or status lists (issue 11 adds them), nor ES256, tag 61 or
kid-less credentials (other issuers do): these builders make them from the published formats, independently
of the page's code, so that the page's status and envelope handling is tested now.
"""

from __future__ import annotations

import base64
import hashlib
import time
import zlib
from dataclasses import dataclass
from typing import Any

import cbor2
import nacl.signing
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from console.core import b45

AUTHORITY = "https://ids.utopia.example"
ISS = f"{AUTHORITY}/HQ-01"
ISS_P256 = f"{AUTHORITY}/EC-02"
STATUS_URI = f"{ISS}/status/1.cwt"
NOW = int(time.time())  # the page checks at the real time
DAY = 86_400

# A 1x1 PNG: the smallest face photo a QR can carry.
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Keys:
    ed: nacl.signing.SigningKey
    p256: ec.EllipticCurvePrivateKey

    @property
    def ed_kid(self) -> bytes:
        return hashlib.sha256(bytes(self.ed.verify_key)).digest()[:8]

    @property
    def p256_kid(self) -> bytes:
        return b"ec-key-1"

    def jwks(self, *, stranger: bool = False) -> dict[str, Any]:
        numbers = self.p256.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": b64url(bytes(self.ed.verify_key)),
                    "kid": b64url(self.ed_kid),
                    "use": "sig",
                    "alg": "EdDSA",
                    "iss": ISS,
                    "nbf": NOW - 400 * DAY,
                    "authority": "Utopia Identity Authority",
                },
                {
                    "kty": "EC",
                    "crv": "P-256",
                    "x": b64url(numbers.x.to_bytes(32, "big")),
                    "y": b64url(numbers.y.to_bytes(32, "big")),
                    "kid": "ec-key-1",
                    "use": "sig",
                    "alg": "ES256",
                    "iss": ISS_P256,
                },
            ]
        }


def new_keys(seed: int = 1) -> Keys:
    return Keys(
        ed=nacl.signing.SigningKey(hashlib.sha256(b"vector-key-%d" % seed).digest()),
        p256=ec.derive_private_key(
            int.from_bytes(hashlib.sha256(b"p256-%d" % seed).digest(), "big") % (2**255), ec.SECP256R1()
        ),
    )


def sign1(
    keys: Keys,
    payload: bytes,
    *,
    alg: int = -8,
    kid: str = "protected",
    extra_protected: dict[int, Any] | None = None,
    tag: bool = True,
) -> bytes:
    """A COSE_Sign1 with the kid where asked: "protected", "unprotected" or "none"."""
    kid_bytes = keys.ed_kid if alg == -8 else keys.p256_kid
    protected_map: dict[int, Any] = {1: alg}
    unprotected: dict[int, Any] = {}
    if kid == "protected":
        protected_map[4] = kid_bytes
    elif kid == "unprotected":
        unprotected[4] = kid_bytes
    protected_map |= extra_protected or {}
    protected = cbor2.dumps(protected_map)
    to_sign = cbor2.dumps(["Signature1", protected, b"", payload])
    if alg == -8:
        signature = keys.ed.sign(to_sign).signature
    else:
        r, s = decode_dss_signature(keys.p256.sign(to_sign, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    body = [protected, unprotected, payload, signature]
    return cbor2.dumps(cbor2.CBORTag(18, body) if tag else body)


def holder(extra: dict[int, Any] | None = None) -> dict[int, Any]:
    return {
        1: "4634967796",
        4: "ZHANG WEI",
        5: "WEI",
        7: "ZHANG",
        8: "19900102",
        9: 1,
        19: "张伟",
        20: "zho",
        23: "UTO",
    } | (extra or {})


def credential(
    keys: Keys,
    *,
    idx: int | None = None,
    iss: str = ISS,
    nbf: int | None = None,
    exp: int = NOW + 3650 * DAY,
    photo: bool | bytes = False,
    alg: int = -8,
    kid: str = "protected",
    cwt_tag: bool = False,
) -> str:
    claims: dict[int, Any] = {1: iss, 4: exp, 6: NOW - 30 * DAY, 7: bytes(range(16))}
    if nbf is not None:
        claims[5] = nbf
    face = photo if isinstance(photo, bytes) else PNG_1PX
    claims[169] = holder({62: [{0: face, 1: 0, 2: 1 if face.startswith(b"\xff\xd8") else 0}]} if photo else None)
    if idx is not None:
        claims[65535] = {"status_list": {"idx": idx, "uri": f"{iss}/status/1.cwt"}}
    signed = sign1(keys, cbor2.dumps(claims), alg=alg, kid=kid)
    if cwt_tag:
        signed = cbor2.dumps(cbor2.CBORTag(61, cbor2.loads(signed)))
    return b45.b45encode(zlib.compress(signed, 9))


def encrypted() -> str:
    """A COSE_Encrypt0 (tag 16): the page cannot read it without a key and says so."""
    body = [cbor2.dumps({1: 3}), {5: b"\x00" * 12}, b"\x01" * 48]
    return b45.b45encode(zlib.compress(cbor2.dumps(cbor2.CBORTag(16, body)), 9))


def status_list(
    keys: Keys, values: list[int], *, iat: int, exp: int, uri: str = STATUS_URI, ttl: int = 43_200
) -> bytes:
    """The Status List Token of CONTRACTS.md: 2 bits per entry, index 0 in the low bits of byte 0."""
    packed = bytearray((len(values) + 3) // 4)
    for i, value in enumerate(values):
        packed[i // 4] |= value << (2 * (i % 4))
    payload = cbor2.dumps(
        {2: uri, 6: iat, 4: exp, 65534: ttl, 65533: {"bits": 2, "lst": zlib.compress(bytes(packed), 9)}}
    )
    return sign1(keys, payload, extra_protected={16: "application/statuslist+cwt"})


def face_jpeg() -> bytes:
    """A drawn head-and-shoulders JPEG under 1 KB (the Claim 169 photo budget), for screenshots."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (48, 60), (227, 232, 238))
    draw = ImageDraw.Draw(image)
    draw.ellipse((14, 8, 34, 32), fill=(201, 160, 130))
    draw.ellipse((6, 36, 42, 80), fill=(40, 60, 90))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=60, optimize=True)
    return out.getvalue()
