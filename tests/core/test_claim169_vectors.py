"""The reference Claim 169 test vectors through our verifier, compared with the reference library.

tests/vectors/claim169/ is the `test-vectors/` folder of github.com/idpass/claim-169 (MIT licence, copied with
its LICENSE; see ORIGIN.md there). The reference library is MOSIP's `claim169` package (PyPI, Rust core).

- A vector the reference decodes and verifies (it has a signing key), we decode and verify, with the same
  holder data.
- A vector the reference only decodes unverified (no signature), we decode with the same holder data and
  refuse at the signature layer; re-signed with a test key, both libraries verify it and agree again.
- Invalid vectors are refused at the layer the vector names (Base45, zlib, COSE, claim 169).
- Expired and not-yet-valid vectors (re-signed) are refused on time, as the reference refuses them.
"""

from __future__ import annotations

import base64
import json
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import base45
import cbor2
import claim169 as reference
import nacl.signing
import pytest

from console.core.claim169 import BIOMETRICS
from console.core.credentials import Verdict
from console.core.trust import TrustedKey, TrustList
from console.core.verification import verify

VECTORS = Path(__file__).parents[1] / "vectors" / "claim169"
ALL = sorted(VECTORS.glob("*/*.json"))
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Inside every valid vector's window (claim169-example: nbf 2025-08-28, exp 2026-08-28).
INSIDE = datetime(2025, 10, 1, tzinfo=UTC)
# RFC 8032 §7.1 TEST 1, the key the ed25519-signed vector uses; re-signs the unsigned vectors.
RESIGN_KEY = nacl.signing.SigningKey(bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _trust(vector: dict[str, Any], public_key: bytes | None = None, algorithm: str = "EdDSA") -> TrustList:
    issuer = vector.get("expected_cwt_meta", {}).get("issuer", "https://mosip.example.org")
    if public_key is None:
        public_key = bytes.fromhex(vector["signing_key"]["public_key_hex"])
        algorithm = vector["signing_key"]["algorithm"]
    return TrustList([TrustedKey(public_key=public_key, issuer=issuer, valid_from=EPOCH, algorithm=algorithm)])  # type: ignore[arg-type]


def _by_name(*names: str) -> list[Path]:
    return [p for p in ALL if p.stem in names]


def _signed_vectors() -> list[Path]:
    return [p for p in ALL if "signing_key" in _load(p)]


def _unsigned_vectors() -> list[Path]:
    return [p for p in ALL if _load(p)["category"] != "invalid" and "signing_key" not in _load(p)]


def _reference_holder(claim: Any) -> dict[str, Any]:
    """The reference's decoded holder data in our verdict's terms."""
    ref = claim.to_dict()
    out: dict[str, Any] = {
        "id_number": ref.get("id"),
        "full_name": ref.get("fullName"),
        "first_name": ref.get("firstName"),
        "middle_name": ref.get("middleName"),
        "last_name": ref.get("lastName"),
        "version": ref.get("version"),
        "language": ref.get("language"),
        "address": ref.get("address"),
        "email": ref.get("email"),
        "phone": ref.get("phone"),
        "nationality": ref.get("nationality"),
        "guardian": ref.get("guardian"),
        "secondary_full_name": ref.get("secondaryFullName"),
        "secondary_language": ref.get("secondaryLanguage"),
        "location_code": ref.get("locationCode"),
        "legal_status": ref.get("legalStatus"),
        "country": ref.get("countryOfIssuance"),
        "sex": {1: "M", 2: "F", 3: "X"}.get(claim.gender) if claim.gender is not None else None,
        "marital_status": {1: "unmarried", 2: "married", 3: "divorced"}.get(claim.marital_status),
        "best_quality_fingers": list(claim.best_quality_fingers) if claim.best_quality_fingers else None,
        "birth_date": None,
    }
    if claim.date_of_birth:
        digits = claim.date_of_birth.replace("-", "")
        out["birth_date"] = f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    bios = []
    for key, name in BIOMETRICS.items():
        ref_name = {"right_palm": "right_palm", "left_palm": "left_palm"}.get(name, name)
        for entry in getattr(claim, ref_name, None) or []:
            bios.append((key, len(bytes(entry.data)), entry.format, entry.sub_format, entry.issuer))
    out["biometrics"] = bios
    out["photo"] = bytes(claim.photo) if claim.photo else None
    return out


def _our_holder(verdict: Verdict) -> dict[str, Any]:
    claims = verdict.claims
    out = {name: claims.get(name) for name in _reference_holder_keys()}
    _formats = {"image": 0, "template": 1, "sound": 2, "bio hash": 3}
    out["biometrics"] = [
        (b["key"], b["size"], _formats.get(b["format"], b["format"]), _sub_format_code(b), b["issuer"])
        for b in claims.get("biometrics", [])
    ]
    photo = claims.get("photo")
    face = [b for b in claims.get("biometrics", []) if b["key"] == 62]
    # our `photo` is the face image when there is one, else the deprecated attribute 16
    out["photo"] = base64.b64decode(photo) if photo is not None and not face else None
    return out


def _sub_format_code(bio: dict[str, Any]) -> int | None:
    value = bio["sub_format"]
    if value is None or isinstance(value, int):
        return value
    tables = {
        "image": ["png", "jpeg", "jpeg2000", "avif", "webp", "tiff", "wsq"],
        "template": ["ANSI 378", "ISO 19794-2", "NIST"],
        "sound": ["wav", "mp3"],
    }
    if value.startswith("vendor "):
        return int(value.split()[1])
    return tables[bio["format"]].index(value)


def _reference_holder_keys() -> list[str]:
    return [
        "id_number",
        "full_name",
        "first_name",
        "middle_name",
        "last_name",
        "version",
        "language",
        "address",
        "email",
        "phone",
        "nationality",
        "guardian",
        "secondary_full_name",
        "secondary_language",
        "location_code",
        "legal_status",
        "country",
        "sex",
        "marital_status",
        "best_quality_fingers",
        "birth_date",
    ]


def _resign(qr: str) -> str:
    """The same CWT payload, signed with RESIGN_KEY (EdDSA, no kid, tagged), as QR text."""
    message = cbor2.loads(zlib.decompress(base45.b45decode(qr)))
    protected, _unprotected, payload, _signature = message.value
    signature = RESIGN_KEY.sign(cbor2.dumps(["Signature1", protected, b"", payload])).signature
    signed = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signature]))
    return base45.b45encode(zlib.compress(signed)).decode("ascii")


def test_the_vectors_are_all_here_with_origin_and_licence() -> None:
    assert len(ALL) == 18
    assert (VECTORS / "LICENSE").read_text().startswith("MIT License")
    assert "idpass/claim-169" in (VECTORS / "ORIGIN.md").read_text()


@pytest.mark.parametrize("path", _signed_vectors(), ids=lambda p: p.stem)
def test_every_vector_the_reference_verifies_we_verify_with_the_same_holder_data(path: Path) -> None:
    vector = _load(path)
    qr, public_key = vector["qr_data"], bytes.fromhex(vector["signing_key"]["public_key_hex"])
    decrypt_key = bytes.fromhex(vector["encryption_key"]["symmetric_key_hex"]) if "encryption_key" in vector else None
    if decrypt_key is not None:

        def check(_alg: str, _kid: object, data: bytes, signature: bytes) -> None:
            nacl.signing.VerifyKey(public_key).verify(bytes(data), bytes(signature))

        result = reference.decode_encrypted_aes256(qr, decrypt_key, verifier=check)
    elif vector["signing_key"]["algorithm"] == "ES256":
        result = reference.decode_with_ecdsa_p256(qr, public_key, validate_timestamps=False)
    else:
        result = reference.decode_with_ed25519(qr, public_key, validate_timestamps=False)
    assert result.is_verified()

    verdict = verify(qr, _trust(vector), INSIDE, decrypt_key=decrypt_key)
    assert verdict.valid, verdict.reason
    assert verdict.algorithm == vector["signing_key"]["algorithm"]
    assert verdict.kid_location == "none"  # no vector names its key: every key of the issuer is tried
    assert verdict.encrypted == ("A256GCM" if decrypt_key else None)
    assert _our_holder(verdict) == _reference_holder(result.claim169)
    assert verdict.issuer == result.cwt_meta.issuer
    # ... and without the decryption key an encrypted one gets its own clear verdict
    if decrypt_key is not None:
        locked = verify(qr, _trust(vector), INSIDE)
        assert (locked.valid, locked.status, locked.layer) == (False, "encrypted", "encryption")
        assert "--decrypt-key" in locked.reason


@pytest.mark.parametrize("path", _unsigned_vectors(), ids=lambda p: p.stem)
def test_unsigned_vectors_decode_alike_and_are_refused_at_the_signature(path: Path) -> None:
    vector = _load(path)
    qr = vector["qr_data"]
    decrypt_key = bytes.fromhex(vector["encryption_key"]["symmetric_key_hex"]) if "encryption_key" in vector else None
    if decrypt_key is not None:
        result = reference.decode_encrypted_aes256(qr, decrypt_key, allow_unverified=True)
    else:
        result = reference.decode_unverified(qr, validate_timestamps=False)
    assert not result.is_verified()

    def check(_alg: str, _kid: object, data: bytes, signature: bytes) -> None:
        RESIGN_KEY.verify_key.verify(bytes(data), bytes(signature))

    with pytest.raises(Exception):  # noqa: B017 -- with a key to verify against, the reference refuses
        if decrypt_key is None:
            reference.decode_with_ed25519(qr, bytes(RESIGN_KEY.verify_key), validate_timestamps=False)
        else:
            reference.decode_encrypted_aes256(qr, decrypt_key, verifier=check)
    verdict = verify(qr, _trust(vector, bytes(RESIGN_KEY.verify_key)), INSIDE, decrypt_key=decrypt_key)
    assert (verdict.valid, verdict.status, verdict.layer) == (False, "bad-signature", "signature")
    assert _our_holder(verdict) == _reference_holder(result.claim169)


@pytest.mark.parametrize(
    "path", [p for p in _unsigned_vectors() if "encryption_key" not in _load(p)], ids=lambda p: p.stem
)
def test_unsigned_vectors_signed_with_a_test_key_verify_in_both(path: Path) -> None:
    vector = _load(path)
    qr = _resign(vector["qr_data"])
    result = reference.decode_with_ed25519(qr, bytes(RESIGN_KEY.verify_key), validate_timestamps=False)
    assert result.is_verified()
    trust = _trust(vector, bytes(RESIGN_KEY.verify_key))
    if path.stem == "expired":
        verdict = verify(qr, trust, datetime.now(UTC))
        assert (verdict.status, verdict.layer) == ("expired", "time")
        with pytest.raises(reference.Claim169Exception, match="expired"):
            reference.decode_with_ed25519(qr, bytes(RESIGN_KEY.verify_key))
        return
    if path.stem == "not-yet-valid":
        verdict = verify(qr, trust, datetime.now(UTC))
        assert (verdict.status, verdict.layer) == ("not-yet-valid", "time")
        with pytest.raises(reference.Claim169Exception, match="not valid until"):
            reference.decode_with_ed25519(qr, bytes(RESIGN_KEY.verify_key))
        return
    verdict = verify(qr, trust, INSIDE)
    assert verdict.valid, verdict.reason
    assert _our_holder(verdict) == _reference_holder(result.claim169)
    if path.stem == "unknown-fields":
        assert [u["key"] for u in verdict.claims["unknown"]] == [30, 45, 70, 99]


# Each vector's expected_error, and where our verdict stops. The reference itself reports bad-zlib as a COSE
# error (it falls back to reading the bytes as uncompressed CBOR); the vector names the zlib layer, as we do.
_LAYERS = {"Base45Decode": "text", "Decompress": "zlib", "CoseParse": "cose", "Claim169NotFound": "claim169"}


@pytest.mark.parametrize("path", [p for p in ALL if _load(p)["category"] == "invalid"], ids=lambda p: p.stem)
def test_invalid_vectors_are_refused_at_the_same_layer(path: Path) -> None:
    vector = _load(path)
    with pytest.raises(reference.Claim169Exception):
        reference.decode_unverified(vector["qr_data"], validate_timestamps=False)
    verdict = verify(vector["qr_data"], _trust(vector, bytes(RESIGN_KEY.verify_key)), INSIDE)
    assert (verdict.valid, verdict.status) == (False, "malformed")
    assert verdict.layer == _LAYERS[vector["expected_error"]], verdict.reason
