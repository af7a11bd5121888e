"""Credential encode/decode/verify: round trip, frozen vector, every verdict, and hostile input.

The fuzz tests hold two promises: `decode_credential` raises nothing but `MalformedCredentialError`, and
`verify_credential` never raises and never says "valid" for text that is not exactly a credential we signed.
"""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import base45
import cbor2
import nacl.signing
import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.core import cose
from console.core.credentials import (
    MAX_INFLATED_BYTES,
    MAX_TEXT_CHARS,
    Credential,
    HolderClaims,
    MalformedCredentialError,
    StatusInfo,
    Verdict,
    cwt_claims,
    decode_credential,
    encode_credential,
    new_credential_id,
    verify_credential,
)
from console.core.errors import StorageError, ValidationError
from console.core.trust import TrustedKey, TrustList, from_jwks, kid_text, to_jwks

ROOT = Path(__file__).resolve().parents[2]
VECTOR = json.loads((ROOT / "tests" / "vectors" / "credential-1.json").read_text(encoding="utf-8"))

OFFICE = "CN-BJ-0001"
KEY = nacl.signing.SigningKey(bytes(range(32)))
OTHER_KEY = nacl.signing.SigningKey(bytes(range(1, 33)))
KEY_FROM = datetime(2025, 1, 1, tzinfo=UTC)
ISSUED = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
EXPIRES = datetime(2036, 1, 15, 9, 30, tzinfo=UTC)
NOW = datetime(2026, 6, 1, tzinfo=UTC)
TRUST = TrustList([TrustedKey(public_key=bytes(KEY.verify_key), issuer=OFFICE, valid_from=KEY_FROM)])

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
)
CRED = Credential(holder=HOLDER, issuer=OFFICE, issued_at=ISSUED, expires_at=EXPIRES, credential_id=bytes(range(16)))
TEXT = encode_credential(CRED, KEY)
COSE_BYTES = zlib.decompress(base45.b45decode(TEXT))


def _qr_text(cose_bytes: bytes) -> str:
    return str(base45.b45encode(zlib.compress(cose_bytes)).decode("ascii"))


def _assert_refused(text: Any) -> Verdict:
    """verify must answer (not raise) and must not call the text valid."""
    verdict = verify_credential(text, TRUST, NOW)
    assert not verdict.valid
    assert verdict.status != "valid"
    # The catch-all in verify_credential is a last line of defence; no fuzz input should reach it.
    assert verdict.reason != "The scanned text could not be read as a credential."
    json.dumps(verdict.to_json())
    return verdict


def _assert_decode_raises_only_malformed(text: Any) -> None:
    try:
        decode_credential(text)
    except MalformedCredentialError as e:
        assert str(e)


# ------------------------------------------------------------------------------------------- round trip


def test_round_trip() -> None:
    cred, message = decode_credential(TEXT)
    assert cred == CRED
    assert message.kid == cose.key_id(bytes(KEY.verify_key))
    assert message.protected_header == {1: -8, 4: message.kid}


def test_encoding_is_deterministic_and_alphanumeric() -> None:
    assert encode_credential(CRED, KEY) == TEXT
    assert set(TEXT) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def test_round_trip_with_photo_and_minimal_fields() -> None:
    holder = HolderClaims(
        id_number="4829163750",
        full_name="DOE",
        birth_date=date(2001, 2, 3),
        sex="X",
        country="EST",
        photo=bytes(range(256)) * 4,
        photo_format="webp",
    )
    cred = replace(CRED, holder=holder)
    assert decode_credential(encode_credential(cred, KEY))[0] == cred


_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40).filter(str.strip)
_HOLDERS = st.builds(
    HolderClaims,
    id_number=_TEXT,
    full_name=_TEXT,
    first_name=st.none() | _TEXT,
    last_name=st.none() | _TEXT,
    secondary_full_name=_TEXT,
    secondary_language=st.none() | st.from_regex(r"[a-z]{3}", fullmatch=True),
    birth_date=st.dates(min_value=date(1000, 1, 1)),
    sex=st.sampled_from(["F", "M", "X"]),
    location_code=st.none() | _TEXT,
    country=st.from_regex(r"[A-Z]{3}", fullmatch=True),
)


@given(
    holder=_HOLDERS,
    issued=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    days=st.integers(1, 20 * 366),
    cti=st.binary(min_size=16, max_size=16),
)
@settings(max_examples=60)
def test_round_trip_property(holder: HolderClaims, issued: datetime, days: int, cti: bytes) -> None:
    cred = Credential(
        holder=holder,
        issuer=OFFICE,
        issued_at=issued,
        expires_at=issued + timedelta(days=days),
        credential_id=cti,
    )
    text = encode_credential(cred, KEY)
    assert decode_credential(text)[0] == cred
    trust = TrustList(
        [TrustedKey(public_key=bytes(KEY.verify_key), issuer=OFFICE, valid_from=datetime(1970, 1, 1, tzinfo=UTC))]
    )
    assert verify_credential(text, trust, cred.issued_at).valid


def test_times_are_normalised_to_utc_whole_seconds() -> None:
    local = datetime(2026, 1, 15, 17, 30, 0, 999_999, tzinfo=timezone(timedelta(hours=8)))
    cred = replace(CRED, issued_at=local)
    assert cred.issued_at == ISSUED
    assert cred.issued_at.tzinfo == UTC


def test_new_credential_ids_are_16_random_bytes() -> None:
    ids = {new_credential_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 16 for i in ids)


# ---------------------------------------------------------------------------------------------- vector


def _vector_credential() -> tuple[Credential, nacl.signing.SigningKey]:
    v = VECTOR["credential"]
    h = dict(v["holder"])
    h["birth_date"] = date.fromisoformat(h["birth_date"])
    holder = HolderClaims(**h)
    cred = Credential(
        holder=holder,
        issuer=v["issuer"],
        issued_at=datetime.fromisoformat(v["issued_at"]),
        expires_at=datetime.fromisoformat(v["expires_at"]),
        credential_id=bytes.fromhex(v["credential_id"]),
    )
    return cred, nacl.signing.SigningKey(bytes.fromhex(VECTOR["signing_key_seed"]))


def test_vector_signed_bytes_are_frozen() -> None:
    cred, key = _vector_credential()
    assert bytes(key.verify_key).hex() == VECTOR["public_key"]
    assert cose.key_id(bytes(key.verify_key)).hex() == VECTOR["kid"]
    assert cbor2.dumps(cwt_claims(cred)).hex() == VECTOR["cwt_claims_cbor"]
    cose_bytes = zlib.decompress(base45.b45decode(encode_credential(cred, key)))
    assert cose_bytes.hex() == VECTOR["cose_sign1"]


def test_vector_qr_text_is_frozen() -> None:
    cred, key = _vector_credential()
    if zlib.compress(bytes.fromhex(VECTOR["cose_sign1"]), 9).hex() != VECTOR["zlib"]:
        pytest.skip(f"this zlib ({zlib.ZLIB_RUNTIME_VERSION}) deflates differently; signed bytes are still checked")
    assert encode_credential(cred, key) == VECTOR["qr_text"]


def test_vector_decodes_and_verifies_with_its_jwks() -> None:
    cred, _ = _vector_credential()
    assert decode_credential(VECTOR["qr_text"])[0] == cred
    trust = from_jwks(VECTOR["jwks"])
    assert to_jwks(trust) == VECTOR["jwks"]
    assert VECTOR["jwks"]["keys"][0]["kid"] == VECTOR["kid_text"]
    verdict = verify_credential(VECTOR["qr_text"], trust, datetime.fromisoformat(VECTOR["verify_at"])).to_json()
    del verdict["reason"]
    assert verdict == VECTOR["expected_verdict"]


def test_docs_show_the_vector() -> None:
    doc = (ROOT / "docs" / "credential-format.md").read_text(encoding="utf-8")
    for item in ("qr_text", "cose_sign1", "kid_text", "signing_key_seed", "cwt_claims_cbor"):
        assert VECTOR[item] in doc, item


# -------------------------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": ""}, "id_number"),
        ({"full_name": "  "}, "full_name"),
        ({"full_name": "A" * 201}, "full_name"),
        ({"first_name": "WEI\n"}, "first_name"),
        ({"last_name": "\x00"}, "last_name"),
        ({"secondary_language": "zh"}, "secondary_language"),
        ({"secondary_language": "ZHO"}, "secondary_language"),
        ({"secondary_full_name": None}, "secondary_language"),
        ({"birth_date": datetime(1949, 12, 31)}, "birth_date"),
        ({"birth_date": date(999, 1, 1)}, "birth_date"),
        ({"sex": "female"}, "sex"),
        ({"country": "CN"}, "country"),
        ({"country": "chn"}, "country"),
        ({"location_code": ""}, "location_code"),
        ({"photo": b"\xff\xd8"}, "photo"),
        ({"photo_format": "jpeg"}, "photo"),
        ({"photo": b"x" * 1025, "photo_format": "jpeg"}, "photo"),
        ({"photo": b"", "photo_format": "jpeg"}, "photo"),
        ({"photo": b"x", "photo_format": "gif"}, "photo_format"),
    ],
)
def test_holder_rules(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        replace(HOLDER, **changes)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"issuer": ""}, "issuer"),
        ({"issued_at": datetime(2026, 1, 15)}, "issued_at"),
        ({"issued_at": datetime(1969, 1, 1, tzinfo=UTC)}, "issued_at"),
        ({"expires_at": ISSUED}, "expires_at"),
        ({"credential_id": b"short"}, "credential_id"),
    ],
)
def test_credential_rules(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        replace(CRED, **changes)
    assert info.value.field == field


# ---------------------------------------------------------------------------------------------- verdicts


def test_valid_without_status_source_says_status_was_not_checked() -> None:
    verdict = verify_credential(TEXT, TRUST, NOW)
    assert verdict.valid
    assert verdict.status == "valid"
    assert not verdict.status_checked
    assert verdict.status_as_of is None
    assert "revocation status was not checked" in verdict.reason
    assert verdict.claims == HOLDER.to_json()
    assert verdict.credential_id == bytes(range(16)).hex()
    assert verdict.issuer == OFFICE
    assert verdict.expires == "2036-01-15T09:30:00Z"


def test_to_json_is_json() -> None:
    data = json.loads(json.dumps(verify_credential(TEXT, TRUST, NOW).to_json()))
    assert set(data) == {
        "valid",
        "status",
        "reason",
        "claims",
        "credential_id",
        "issuer",
        "expires",
        "status_checked",
        "status_as_of",
        "issued",
        "not_before",
        "status_list",
        "algorithm",
        "kid",
        "kid_location",
        "encrypted",
        "envelope",
        "layer",
    }


@pytest.mark.parametrize("state", ["active", "revoked", "suspended", "superseded"])
def test_status_callback(state: str) -> None:
    seen: list[bytes] = []
    as_of = datetime(2026, 5, 31, 12, 0, tzinfo=UTC)

    def lookup(credential_id: bytes) -> StatusInfo:
        seen.append(credential_id)
        return StatusInfo(state=state, as_of=as_of, changed_at=datetime(2026, 3, 1, tzinfo=UTC))  # type: ignore[arg-type]

    verdict = verify_credential(TEXT, TRUST, NOW, lookup)
    assert seen == [CRED.credential_id]
    assert verdict.status_checked
    assert verdict.status_as_of == "2026-05-31T12:00:00Z"
    assert verdict.status == ("valid" if state == "active" else state)
    assert verdict.valid == (state == "active")
    assert verdict.claims == HOLDER.to_json()


def test_status_not_known_here() -> None:
    verdict = verify_credential(TEXT, TRUST, NOW, lambda _cid: None)
    assert verdict.valid
    assert not verdict.status_checked
    assert "not checked" in verdict.reason


def test_status_source_failure_is_reported_not_raised() -> None:
    def broken(_cid: bytes) -> StatusInfo:
        raise StorageError("The office database cannot be read.")

    verdict = verify_credential(TEXT, TRUST, NOW, broken)
    assert verdict.valid
    assert not verdict.status_checked
    assert "cannot be read" in verdict.reason


def test_expired() -> None:
    verdict = verify_credential(TEXT, TRUST, EXPIRES)
    assert (verdict.valid, verdict.status) == (False, "expired")
    assert "2036-01-15" in verdict.reason
    assert verify_credential(TEXT, TRUST, EXPIRES - timedelta(seconds=1)).valid


def test_expired_is_reported_before_status() -> None:
    revoked = StatusInfo(state="revoked", as_of=NOW)
    assert verify_credential(TEXT, TRUST, EXPIRES + timedelta(days=1), lambda _c: revoked).status == "expired"


def test_unknown_issuer() -> None:
    verdict = verify_credential(TEXT, TrustList(), NOW)
    assert (verdict.valid, verdict.status) == (False, "unknown-issuer")
    assert kid_text(cose.key_id(bytes(KEY.verify_key))) in verdict.reason
    assert verdict.claims == HOLDER.to_json()


def test_key_not_yet_in_force_when_issued() -> None:
    later = TrustList(
        [TrustedKey(public_key=bytes(KEY.verify_key), issuer=OFFICE, valid_from=ISSUED + timedelta(seconds=1))]
    )
    verdict = verify_credential(TEXT, later, NOW)
    assert (verdict.valid, verdict.status) == (False, "unknown-issuer")
    assert "not in force" in verdict.reason


def test_key_retired_before_issue_but_old_cards_stay_valid() -> None:
    retired = TrustList(
        [TrustedKey(public_key=bytes(KEY.verify_key), issuer=OFFICE, valid_from=KEY_FROM, valid_until=ISSUED)]
    )
    assert verify_credential(TEXT, retired, NOW).status == "unknown-issuer"
    rotated_later = TrustList(
        [
            TrustedKey(
                public_key=bytes(KEY.verify_key),
                issuer=OFFICE,
                valid_from=KEY_FROM,
                valid_until=ISSUED + timedelta(days=1),
            )
        ]
    )
    assert verify_credential(TEXT, rotated_later, NOW).valid


def test_key_of_another_office() -> None:
    trust = TrustList([TrustedKey(public_key=bytes(KEY.verify_key), issuer="CN-SH-0002", valid_from=KEY_FROM)])
    verdict = verify_credential(TEXT, trust, NOW)
    assert (verdict.valid, verdict.status) == (False, "unknown-issuer")
    assert "CN-SH-0002" in verdict.reason


def _forge(payload: bytes, kid_of: nacl.signing.SigningKey, signer: nacl.signing.SigningKey) -> str:
    """A credential whose header names `kid_of` but whose signature is by `signer`."""
    protected = cbor2.dumps({1: -8, 4: cose.key_id(bytes(kid_of.verify_key))})
    to_sign = cbor2.dumps(["Signature1", protected, b"", payload])
    signature = signer.sign(to_sign).signature
    return _qr_text(cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signature])))


def test_bad_signature() -> None:
    forged = _forge(cbor2.dumps(cwt_claims(CRED)), KEY, OTHER_KEY)
    verdict = verify_credential(forged, TRUST, NOW)
    assert (verdict.valid, verdict.status) == (False, "bad-signature")
    assert verdict.claims == HOLDER.to_json()


def test_altered_claim_breaks_the_signature() -> None:
    payload = cbor2.dumps(cwt_claims(CRED))
    message = cose.decode_sign1(COSE_BYTES)
    altered = payload.replace(b"19491231", b"19891231")
    data = cbor2.dumps(cbor2.CBORTag(18, [message.protected, {}, altered, message.signature]))
    verdict = verify_credential(_qr_text(data), TRUST, NOW)
    assert verdict.status == "bad-signature"
    assert verdict.claims["birth_date"] == "1989-12-31"


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone"):
        verify_credential(TEXT, TRUST, datetime(2026, 6, 1))


# ------------------------------------------------------------------------------------------ input forms


def test_scanner_line_end_and_bytes_are_accepted() -> None:
    assert verify_credential(TEXT + "\r\n", TRUST, NOW).valid
    assert verify_credential(TEXT.encode("ascii"), TRUST, NOW).valid


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty"),
        ("\n", "empty"),
        (b"\xff\xfe", "characters"),
        (None, "not text"),
        (12345, "not text"),
        ("A" * (MAX_TEXT_CHARS + 1), "too long"),
        (TEXT.lower(), "characters such codes never have"),
        (TEXT + "A", "characters such codes never have"),
        (TEXT[:-1], "characters such codes never have"),
        (" " + TEXT, "characters such codes never have|not packed the way"),
        ("HELLO WORLD", "characters such codes never have"),
        ("HELLO WORLD!", "characters such codes never have"),
        ("000", "not packed the way"),
    ],
)
def test_malformed_text(text: Any, match: str) -> None:
    verdict = _assert_refused(text)
    assert verdict.status == "malformed"
    assert verdict.claims == {}
    assert verdict.credential_id is None
    with pytest.raises(MalformedCredentialError, match=match):
        decode_credential(text)


def test_padding_after_the_zlib_stream_is_refused() -> None:
    padded = base45.b45encode(zlib.compress(COSE_BYTES) + b"\0\0").decode()
    with pytest.raises(MalformedCredentialError, match="extra data"):
        decode_credential(padded)
    _assert_refused(padded)
    _assert_refused(TEXT + "00")


def test_truncated_zlib_stream_is_refused() -> None:
    cut = base45.b45encode(zlib.compress(COSE_BYTES)[:-4]).decode()
    with pytest.raises(MalformedCredentialError, match="cut short"):
        decode_credential(cut)


@pytest.mark.parametrize(
    ("cose_bytes", "match", "general"),
    [
        (COSE_BYTES + b"\0", "laid out", "malformed"),  # trailing CBOR after the message
        (COSE_BYTES[1:], "laid out", "valid"),  # untagged COSE_Sign1: the Claim 169 spec allows it
        (cbor2.dumps(cbor2.CBORTag(61, cbor2.loads(COSE_BYTES))), "tag 18", "valid"),  # CWT tag 61 around it
        (cbor2.dumps(cbor2.CBORTag(18, cbor2.loads(COSE_BYTES).value[:3])), "4-element", "malformed"),
    ],
)
def test_envelope_variants(cose_bytes: bytes, match: str, general: str) -> None:
    """This console writes one envelope (decode_credential reads only it); verify reads every form the spec allows."""
    with pytest.raises(MalformedCredentialError, match=match):
        decode_credential(_qr_text(cose_bytes))
    if general == "valid":
        assert verify_credential(_qr_text(cose_bytes), TRUST, NOW).valid
    else:
        assert _assert_refused(_qr_text(cose_bytes)).status == general


def test_unprotected_kid_is_not_this_consoles_form_but_verifies() -> None:
    protected, _, payload, signature = cbor2.loads(COSE_BYTES).value
    kid = cose.key_id(bytes(KEY.verify_key))
    moved = cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: -8}), {4: kid}, payload, signature]))
    extra = cbor2.dumps(cbor2.CBORTag(18, [protected, {4: kid}, payload, signature]))
    for data in (moved, extra):
        with pytest.raises(MalformedCredentialError, match=r"header|laid out"):
            decode_credential(_qr_text(data))
    # the kid is not signed; only the signature decides, so a kid in the unprotected header is fine ...
    signed = cbor2.dumps({1: -8})
    signature = KEY.sign(cbor2.dumps(["Signature1", signed, b"", payload])).signature
    moved = cbor2.dumps(cbor2.CBORTag(18, [signed, {4: kid}, payload, signature]))
    verdict = verify_credential(_qr_text(moved), TRUST, NOW)
    assert verdict.valid and verdict.kid_location == "unprotected"
    # ... and a kid changed there names another (unknown) key: refused at the key step, never valid
    wrong = cbor2.dumps(cbor2.CBORTag(18, [signed, {4: b"\1" * 8}, payload, signature]))
    assert _assert_refused(_qr_text(wrong)).layer == "key"


def test_huge_alg_in_header_is_malformed_not_a_crash() -> None:
    # cose.decode_sign1 leaks ValueError here (formatting a >4300-digit int); decode must still refuse cleanly.
    protected = cbor2.dumps({1: 10**5000})
    data = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, b"", b"\0" * 64]))
    with pytest.raises(MalformedCredentialError):
        decode_credential(_qr_text(data))


def _signed(claims: object) -> str:
    return _qr_text(cose.sign1(KEY, cbor2.dumps(claims)))


def _claims_with(path: tuple[int, ...], value: Any) -> dict[int, Any]:
    claims = cwt_claims(CRED)
    target = claims
    for step in path[:-1]:
        target = target[step]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return claims


# The third column is what the general verifier says: this console's own rules (decode_credential) are
# stricter than the Claim 169 specification, which other issuers' cards follow.
@pytest.mark.parametrize(
    ("claims", "match", "general"),
    [
        ([1, 2], "not a set of named fields", "malformed"),
        (_claims_with((1,), ...), "issuer", "unknown-issuer"),
        (_claims_with((1,), b"office"), "issuer", "malformed"),
        (_claims_with((4,), True), "expiry", "malformed"),
        (_claims_with((4,), 1.5e9), "expiry", "expired"),  # a CWT NumericDate may be a float (2017 here)
        (_claims_with((4,), 10**12), "expiry", "malformed"),
        (_claims_with((6,), -1), "issue time", "malformed"),
        (_claims_with((6,), 2084002200), "expire before", "not-yet-valid"),
        (_claims_with((7,), b"short"), "credential id", "valid"),
        (_claims_with((169,), ...), "identity data", "malformed"),
        (_claims_with((169, 1), 1101), "ID number", "malformed"),
        (_claims_with((169, 4), ""), "breaks a rule", "valid"),
        (_claims_with((169, 8), "1949-12-31"), "YYYYMMDD", "valid"),  # the spec's example writes this form
        (_claims_with((169, 8), "19491331"), "not a real date", "malformed"),
        (_claims_with((169, 8), "１９４９１２３１"), "YYYYMMDD", "malformed"),
        (_claims_with((169, 9), True), "gender", "malformed"),
        (_claims_with((169, 9), 4), "gender", "malformed"),
        (_claims_with((169, 9), "2"), "gender", "malformed"),
        (_claims_with((169, 23), "CN"), "breaks a rule", "valid"),  # two-letter codes are allowed by the spec
        (_claims_with((169, 19), ...), "breaks a rule", "valid"),  # language without the name
        (_claims_with((169, 62), {0: b"x", 1: 0, 2: 1}), "one image entry", "valid"),
        (_claims_with((169, 62), [{0: b"x", 1: 1, 2: 1}]), "not image data", "valid"),
        (_claims_with((169, 62), [{0: "x", 1: 0, 2: 1}]), "not image data", "malformed"),
        (_claims_with((169, 62), [{0: b"x", 1: 0, 2: 150}]), "unknown image format", "valid"),
        (_claims_with((169, 62), [{0: b"x" * 1025, 1: 0, 2: 1}]), "breaks a rule", "valid"),
    ],
)
def test_signed_but_malformed_claims(claims: object, match: str, general: str) -> None:
    text = _signed(claims)
    with pytest.raises(MalformedCredentialError, match=match):
        decode_credential(text)
    if general == "valid":
        assert verify_credential(text, TRUST, NOW).valid
    else:
        assert _assert_refused(text).status == general


def test_unknown_claims_are_ignored() -> None:
    claims = _claims_with((5,), 1768469400)  # nbf
    claims[169][22] = "Refugee"  # legal status
    assert verify_credential(_signed(claims), TRUST, NOW).valid


# ---------------------------------------------------------------------------------------------- fuzzing


def test_every_single_byte_change_of_the_cose_bytes_is_refused() -> None:
    for position in range(len(COSE_BYTES)):
        for delta in (1, 0x80):
            changed = bytearray(COSE_BYTES)
            changed[position] = (changed[position] + delta) % 256
            text = _qr_text(bytes(changed))
            _assert_decode_raises_only_malformed(text)
            _assert_refused(text)


@given(position=st.integers(0, len(COSE_BYTES) - 1), value=st.integers(0, 255))
def test_random_byte_change_is_refused(position: int, value: int) -> None:
    if COSE_BYTES[position] == value:
        return
    changed = bytearray(COSE_BYTES)
    changed[position] = value
    _assert_decode_raises_only_malformed(_qr_text(bytes(changed)))
    _assert_refused(_qr_text(bytes(changed)))


def test_every_truncation_is_refused() -> None:
    for end in range(len(TEXT)):
        _assert_refused(TEXT[:end])
        _assert_decode_raises_only_malformed(TEXT[:end])


def test_every_single_character_change_of_the_text_is_refused() -> None:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    for position, char in enumerate(TEXT):
        other = alphabet[(alphabet.index(char) + 1) % 45]
        _assert_refused(TEXT[:position] + other + TEXT[position + 1 :])


@given(st.text(max_size=600))
def test_random_text(text: str) -> None:
    _assert_decode_raises_only_malformed(text)
    _assert_refused(text)


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", max_size=600))
def test_random_base45_text(text: str) -> None:
    _assert_decode_raises_only_malformed(text)
    _assert_refused(text)


@given(st.binary(max_size=600))
def test_random_bytes(data: bytes) -> None:
    _assert_refused(data)
    _assert_refused(_qr_text(data))  # past Base45 and zlib, into CBOR
    _assert_decode_raises_only_malformed(_qr_text(data))


_CBOR_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=20)
    | st.binary(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.integers(-3, 300) | st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(
    claims=st.dictionaries(st.sampled_from([1, 4, 6, 7, 169, 2, -1]), _CBOR_VALUES, max_size=6),
    holder=st.dictionaries(st.sampled_from([1, 4, 5, 7, 8, 9, 19, 20, 21, 23, 62]), _CBOR_VALUES, max_size=11),
)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_signed_random_claims_never_crash(claims: dict[int, Any], holder: dict[int, Any]) -> None:
    if 169 in claims:
        claims[169] = holder
    text = _signed(claims)
    _assert_decode_raises_only_malformed(text)
    verdict = verify_credential(text, TRUST, NOW)
    assert verdict.status in {"malformed", "valid", "expired", "unknown-issuer", "not-yet-valid"}
    json.dumps(verdict.to_json())


@given(st.lists(_CBOR_VALUES, min_size=4, max_size=4), st.sampled_from([18, 61, 98]))
def test_random_cose_structures_never_crash(items: list[Any], tag: int) -> None:
    text = _qr_text(cbor2.dumps(cbor2.CBORTag(tag, items)))
    _assert_decode_raises_only_malformed(text)
    _assert_refused(text)


def test_zip_bomb_within_the_text_limit_is_refused_quickly() -> None:
    bomb = zlib.compress(b"\0" * 2_500_000, 9)
    text = base45.b45encode(bomb).decode()
    assert len(text) <= MAX_TEXT_CHARS
    start = time.perf_counter()
    verdict = _assert_refused(text)
    assert time.perf_counter() - start < 0.5
    assert verdict.status == "malformed"
    assert "far more data" in verdict.reason


def test_zip_bomb_of_many_megabytes_is_refused_quickly() -> None:
    text = base45.b45encode(zlib.compress(b"\0" * 50_000_000, 9)).decode()
    start = time.perf_counter()
    verdict = _assert_refused(text)
    assert time.perf_counter() - start < 0.5
    assert verdict.status == "malformed"


def test_just_over_the_inflate_limit_is_refused() -> None:
    message = cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b"\0" * MAX_INFLATED_BYTES, b"\0" * 64]))
    with pytest.raises(MalformedCredentialError, match="far more data"):
        decode_credential(_qr_text(message))


# ------------------------------------------------------------------------------------------------- size


@pytest.mark.parametrize(
    "holder",
    [
        HolderClaims(
            id_number="11010519491231002X",
            full_name="ALEXANDRA VILLANUEVA",
            first_name="ALEXANDRA",
            last_name="VILLANUEVA",
            secondary_full_name="Alexandra Villanueva",
            secondary_language="spa",
            birth_date=date(1990, 7, 14),
            sex="F",
            location_code="110105",
            country="CHN",
        ),
        HolderClaims(
            id_number="11010519491231002X",
            full_name="AIXINJUELUO PUYI",
            first_name="PUYI",
            last_name="AIXINJUELUO",
            secondary_full_name="爱新觉罗溥仪",
            secondary_language="zho",
            birth_date=date(1906, 2, 7),
            sex="M",
            location_code="110105",
            country="CHN",
        ),
    ],
)
def test_typical_card_fits_qr_version_13_at_level_m(holder: HolderClaims) -> None:
    cred = Credential(
        holder=holder,
        issuer="CN-BJ-0001-OFFICE",
        issued_at=ISSUED,
        expires_at=EXPIRES,
        credential_id=new_credential_id(),
    )
    text = encode_credential(cred, KEY)
    qr = segno.make_qr(text, error="m")
    assert qr.mode == "alphanumeric"
    assert isinstance(qr.version, int)  # segno gives "M1".."M4" only for Micro QR codes
    assert qr.version <= 13, (qr.version, len(text))


# ------------------------------------------------------------------------------ format 2 (issue 11)

VECTOR2 = json.loads((ROOT / "tests" / "vectors" / "credential-2.json").read_text(encoding="utf-8"))


def _vector2_credential() -> tuple[Credential, nacl.signing.SigningKey]:
    v = VECTOR2["credential"]
    h = dict(v["holder"])
    h["birth_date"] = date.fromisoformat(h["birth_date"])
    cred = Credential(
        holder=HolderClaims(**h),
        issuer=v["issuer"],
        issued_at=datetime.fromisoformat(v["issued_at"]),
        expires_at=datetime.fromisoformat(v["expires_at"]),
        credential_id=bytes.fromhex(v["credential_id"]),
        not_before=datetime.fromisoformat(v["not_before"]),
        status_uri=v["status_uri"],
        status_idx=v["status_idx"],
    )
    return cred, nacl.signing.SigningKey(bytes.fromhex(VECTOR2["signing_key_seed"]))


def test_vector2_signed_bytes_are_frozen() -> None:
    cred, key = _vector2_credential()
    claims = cwt_claims(cred)
    assert list(claims) == [1, 4, 5, 6, 7, 169, 65535]
    assert claims[65535] == {"status_list": {"idx": 48213, "uri": "https://ids.example.cn/BJ-0001/status/1.cwt"}}
    assert cbor2.dumps(claims).hex() == VECTOR2["cwt_claims_cbor"]
    assert zlib.decompress(base45.b45decode(encode_credential(cred, key))).hex() == VECTOR2["cose_sign1"]
    if zlib.compress(bytes.fromhex(VECTOR2["cose_sign1"]), 9).hex() == VECTOR2["zlib"]:
        assert encode_credential(cred, key) == VECTOR2["qr_text"]


def test_vector2_decodes_and_verifies_and_claim169_reads_it() -> None:
    import claim169

    cred, key = _vector2_credential()
    assert decode_credential(VECTOR2["qr_text"])[0] == cred
    verdict = verify_credential(
        VECTOR2["qr_text"], from_jwks(VECTOR2["jwks"]), datetime.fromisoformat(VECTOR2["verify_at"])
    )
    data = verdict.to_json()
    del data["reason"]
    assert data == VECTOR2["expected_verdict"]
    result = claim169.decode_with_ed25519(VECTOR2["qr_text"], bytes(key.verify_key), validate_timestamps=False)
    assert result.is_verified() and result.cwt_meta.issuer == VECTOR2["credential"]["issuer"]


def test_format1_cards_still_verify_with_the_https_issuers_keys() -> None:
    """Cards printed before iss became a URL (format 1: iss "CN-BJ-0001"-like, no https) keep verifying."""
    jwks = json.loads(json.dumps(VECTOR["jwks"]))
    jwks["keys"][0]["iss"] = "https://" + VECTOR["credential"]["issuer"]
    verdict = verify_credential(VECTOR["qr_text"], from_jwks(jwks), datetime.fromisoformat(VECTOR["verify_at"]))
    assert verdict.valid and verdict.issuer == VECTOR["credential"]["issuer"]
    jwks["keys"][0]["iss"] = "https://other.example/" + VECTOR["credential"]["issuer"]
    assert not verify_credential(VECTOR["qr_text"], from_jwks(jwks), datetime.fromisoformat(VECTOR["verify_at"])).valid


def test_docs_show_vector2() -> None:
    doc = (ROOT / "docs" / "credential-format.md").read_text(encoding="utf-8")
    for item in ("qr_text", "cose_sign1", "cwt_claims_cbor"):
        assert VECTOR2[item] in doc, item


def test_wrong_or_unknown_algorithm_and_encrypted_without_key_are_one_reason_refusals() -> None:
    _protected, _, payload, signature = cbor2.loads(COSE_BYTES).value
    es256 = cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: -7}), {}, payload, signature]))
    verdict = _assert_refused(_qr_text(es256))
    assert (verdict.status, verdict.layer) == ("bad-signature", "signature") and "ES256" in verdict.reason
    hs256 = cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: 5}), {}, payload, signature]))
    assert (_assert_refused(_qr_text(hs256)).layer, "cose") == ("cose", "cose")
    encrypted = cbor2.dumps(cbor2.CBORTag(16, [cbor2.dumps({1: 3}), {5: b"\0" * 12}, b"\1" * 40]))
    verdict = _assert_refused(_qr_text(encrypted))
    assert (verdict.status, verdict.encrypted, verdict.layer) == ("encrypted", "A256GCM", "encryption")
    from console.core.verification import verify

    wrong_key = verify(_qr_text(encrypted), TRUST, NOW, decrypt_key=b"\2" * 32)
    assert (wrong_key.valid, wrong_key.status) == (False, "encrypted") and "does not decrypt" in wrong_key.reason
