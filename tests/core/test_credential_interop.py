"""Other people's code reads our credentials: MOSIP's `claim169` library and pycose.

Each test takes the verification key from our JWKS (as an outside verifier would), not from our objects,
so the JWKS form is checked too.
"""

from __future__ import annotations

import base64
import json
import zlib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import base45
import claim169
import nacl.signing
import pytest
from pycose.headers import KID
from pycose.keys.curves import Ed25519
from pycose.keys.okp import OKPKey
from pycose.messages.cosemessage import CoseMessage
from pycose.messages.sign1message import Sign1Message

from console.core.credentials import Credential, HolderClaims, encode_credential
from console.core.trust import TrustedKey, to_jwks

ROOT = Path(__file__).resolve().parents[2]
VECTOR = json.loads((ROOT / "tests" / "vectors" / "credential-1.json").read_text(encoding="utf-8"))

SIGNING_KEY = nacl.signing.SigningKey(bytes(range(32)))
OFFICE = "CN-BJ-0001"
JWKS = to_jwks(
    [
        TrustedKey(
            public_key=bytes(SIGNING_KEY.verify_key),
            issuer=OFFICE,
            valid_from=datetime.fromisoformat("2025-01-01T00:00:00+00:00"),
        )
    ]
)
HOLDER = HolderClaims(
    id_number="11010519491231002X",
    full_name="ZHANG WEI",
    first_name="WEI",
    last_name="ZHANG",
    secondary_full_name="张伟",
    secondary_language="zho",
    birth_date=date(1949, 12, 31),
    sex="F",
    location_code="110105",
    country="CHN",
    photo=bytes.fromhex("52494646") + bytes(range(200)),
    photo_format="webp",
)
CRED = Credential(
    holder=HOLDER,
    issuer=OFFICE,
    issued_at=datetime.fromisoformat("2026-01-15T09:30:00+00:00"),
    expires_at=datetime.fromisoformat("2036-01-15T09:30:00+00:00"),
    credential_id=bytes(range(16)),
)


def _public_key(jwks: dict[str, Any], kid: str | None = None) -> bytes:
    """The raw Ed25519 key from a JWKS entry, decoded as any RFC 8037 consumer would."""
    jwk = next(k for k in jwks["keys"] if kid is None or k["kid"] == kid)
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "EdDSA")
    x: str = jwk["x"]
    return base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))


def _claim169_fields(decoded: Any) -> dict[str, Any]:
    c = decoded.claim169
    return {
        "id_number": c.id,
        "full_name": c.full_name,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "secondary_full_name": c.secondary_full_name,
        "secondary_language": c.secondary_language,
        "birth_date": c.date_of_birth,
        "gender": c.gender,
        "location_code": c.location_code,
        "country": c.country_of_issuance,
    }


def test_claim169_decodes_and_verifies_our_credential() -> None:
    text = encode_credential(CRED, SIGNING_KEY)
    result = claim169.decode_with_ed25519(text, _public_key(JWKS))
    assert result.is_verified()
    assert _claim169_fields(result) == {
        "id_number": HOLDER.id_number,
        "full_name": HOLDER.full_name,
        "first_name": HOLDER.first_name,
        "last_name": HOLDER.last_name,
        "secondary_full_name": HOLDER.secondary_full_name,
        "secondary_language": HOLDER.secondary_language,
        "birth_date": HOLDER.birth_date.strftime("%Y%m%d"),
        "gender": claim169.Gender.FEMALE,
        "location_code": HOLDER.location_code,
        "country": HOLDER.country,
    }
    (face,) = result.claim169.face
    assert (face.data, face.format, face.sub_format) == (HOLDER.photo, 0, 4)  # image, WEBP
    meta = result.cwt_meta
    assert meta.issuer == OFFICE
    assert meta.issued_at == int(CRED.issued_at.timestamp())
    assert meta.expires_at == int(CRED.expires_at.timestamp())


def test_claim169_decodes_the_frozen_vector_with_its_jwks() -> None:
    result = claim169.decode_with_ed25519(VECTOR["qr_text"], _public_key(VECTOR["jwks"], VECTOR["kid_text"]))
    assert result.is_verified()
    holder = VECTOR["credential"]["holder"]
    fields = _claim169_fields(result)
    assert fields["id_number"] == holder["id_number"]
    assert fields["full_name"] == holder["full_name"]
    assert fields["secondary_full_name"] == holder["secondary_full_name"]
    assert fields["birth_date"] == holder["birth_date"].replace("-", "")
    assert fields["gender"] == claim169.Gender.FEMALE
    assert fields["country"] == holder["country"]


def test_claim169_rejects_our_credential_under_another_key() -> None:
    text = encode_credential(CRED, SIGNING_KEY)
    other = bytes(nacl.signing.SigningKey(bytes(range(1, 33))).verify_key)
    with pytest.raises(claim169.SignatureError):
        claim169.decode_with_ed25519(text, other)


def _pycose_message(text: str) -> Sign1Message:
    message = CoseMessage.decode(zlib.decompress(base45.b45decode(text)))
    assert isinstance(message, Sign1Message)
    return message


def test_pycose_verifies_our_cose_sign1() -> None:
    message = _pycose_message(encode_credential(CRED, SIGNING_KEY))
    message.key = OKPKey(crv=Ed25519, x=_public_key(JWKS))
    assert message.verify_signature()


def test_pycose_verifies_the_frozen_vector_and_reads_its_kid() -> None:
    message = _pycose_message(VECTOR["qr_text"])
    kid = base64.urlsafe_b64decode(VECTOR["kid_text"] + "=")
    assert message.get_attr(KID) == kid
    message.key = OKPKey(crv=Ed25519, x=_public_key(VECTOR["jwks"], VECTOR["kid_text"]))
    assert message.verify_signature()


def test_pycose_rejects_a_wrong_key() -> None:
    message = _pycose_message(encode_credential(CRED, SIGNING_KEY))
    message.key = OKPKey(crv=Ed25519, x=bytes(nacl.signing.SigningKey(bytes(range(1, 33))).verify_key))
    assert not message.verify_signature()
