"""Trust list and JWKS: exact round trip, strict refusal of bad files with a sentence a person can act on."""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import nacl.signing
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from console.core.cose import key_id
from console.core.errors import ConsoleError
from console.core.trust import (
    MAX_TRUST_FILE_BYTES,
    TrustedKey,
    TrustList,
    TrustListError,
    from_jwks,
    from_jwks_json,
    kid_text,
    to_jwks,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _key(seed: int, issuer: str = "CN-BJ-0001", **kwargs: Any) -> TrustedKey:
    public = bytes(nacl.signing.SigningKey(bytes([seed]) * 32).verify_key)
    return TrustedKey(public_key=public, issuer=issuer, valid_from=kwargs.pop("valid_from", T0), **kwargs)


def _jwks() -> dict[str, Any]:
    return to_jwks(
        [
            _key(1),
            _key(2, "CN-SH-0002", valid_until=T0 + timedelta(days=365), authority="Example Bureau"),
        ]
    )


def test_kid_is_derived_from_the_key_and_printed_as_base64url() -> None:
    key = _key(1)
    assert key.kid == key_id(key.public_key)
    text = kid_text(key.kid)
    assert len(text) == 11
    assert "=" not in text


def test_jwks_round_trip_is_exact() -> None:
    keys = [_key(1), _key(2, "CN-SH-0002", valid_until=T0 + timedelta(days=365), authority="Example Bureau")]
    jwks = to_jwks(keys)
    again = from_jwks(json.loads(json.dumps(jwks)))
    assert list(again) == keys
    assert to_jwks(again) == jwks


def test_jwks_members_follow_rfc_8037() -> None:
    jwk = _jwks()["keys"][1]
    assert jwk["kty"] == "OKP"
    assert jwk["crv"] == "Ed25519"
    assert jwk["use"] == "sig"
    assert jwk["alg"] == "EdDSA"
    assert jwk["iss"] == "CN-SH-0002"
    assert jwk["nbf"] == int(T0.timestamp())
    assert jwk["exp"] == int((T0 + timedelta(days=365)).timestamp())
    assert "d" not in jwk
    assert "exp" not in _jwks()["keys"][0]


def test_lookup_by_kid() -> None:
    a, b = _key(1), _key(2)
    trust = TrustList([a, b])
    assert trust.lookup(b.kid) == b
    assert trust.lookup(b"\0" * 8) is None
    assert len(trust) == 2
    assert trust.keys == (a, b)


def test_same_key_twice_is_refused() -> None:
    with pytest.raises(TrustListError, match="listed twice"):
        TrustList([_key(1), _key(1, "OTHER")])


def test_validity_window_is_half_open() -> None:
    key = _key(1, valid_until=T0 + timedelta(days=1))
    assert not key.in_force_at(T0 - timedelta(seconds=1))
    assert key.in_force_at(T0)
    assert key.in_force_at(T0 + timedelta(days=1) - timedelta(seconds=1))
    assert not key.in_force_at(T0 + timedelta(days=1))
    assert _key(2).in_force_at(datetime(9999, 1, 1, tzinfo=UTC))


def test_times_are_normalised_to_utc_whole_seconds() -> None:
    local = datetime(2025, 1, 1, 8, 0, 0, 123456, tzinfo=timezone(timedelta(hours=8)))
    key = _key(1, valid_from=local)
    assert key.valid_from == T0
    assert key.valid_from.tzinfo == UTC


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"valid_from": datetime(2025, 1, 1)}, "time zone"),
        ({"valid_until": T0}, "before it starts"),
        ({"issuer": " "}, "office"),
    ],
)
def test_bad_trusted_key_is_refused(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(TrustListError, match=match):
        _key(1, **kwargs)


def test_short_public_key_is_refused() -> None:
    with pytest.raises(TrustListError, match="32-byte"):
        TrustedKey(public_key=b"\1" * 31, issuer="X", valid_from=T0)


def _edit(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A copy of the test JWKS with one member set (or deleted when value is ...)."""
    jwks = copy.deepcopy(_jwks())
    target: Any = jwks
    for step in path[:-1]:
        target = target[step]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return jwks


@pytest.mark.parametrize(
    ("jwks", "match"),
    [
        ([], "not a JWKS"),
        ({"keys": {}}, "not a JWKS"),
        ({"keys": ["x"]}, "Key 1 .* not a JSON object"),
        (_edit(("keys", 1, "d"), "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"), "Key 2 .* private key"),
        (_edit(("keys", 0, "kty"), "EC"), "not a supported key"),
        (_edit(("keys", 0, "crv"), "X25519"), "not a supported key"),
        (_edit(("keys", 0, "use"), "enc"), "not a signature key"),
        (_edit(("keys", 0, "alg"), "ES256"), "another algorithm"),
        (_edit(("keys", 0, "key_ops"), ["sign"]), "not allowed to verify"),
        (_edit(("keys", 0, "x"), ...), "no valid public key"),
        (_edit(("keys", 0, "x"), 5), "no valid public key"),
        (_edit(("keys", 0, "x"), "AAAA"), "no valid public key"),
        (_edit(("keys", 0, "x"), "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo="), "no valid public key"),
        (_edit(("keys", 0, "x"), "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo"), "no valid public key"),
        # Same 32 bytes would decode from a non-canonical last character; only the canonical form is accepted.
        (_edit(("keys", 0, "x"), "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURp"), "no valid public key"),
        (_edit(("keys", 0, "kid"), "AAAAAAAAAAA"), "altered or miscopied"),
        (_edit(("keys", 0, "kid"), 7), "not text"),
        (_edit(("keys", 0, "iss"), ...), "does not name its issuer"),
        (_edit(("keys", 0, "iss"), ""), "does not name its issuer"),
        (_edit(("iss",), 5), "top-level"),
        (_edit(("keys", 0, "nbf"), True), "start of validity"),
        (_edit(("keys", 0, "nbf"), 1.5), "start of validity"),
        (_edit(("keys", 0, "nbf"), -1), "start of validity"),
        (_edit(("keys", 0, "nbf"), "1735689600"), "start of validity"),
        (_edit(("keys", 1, "exp"), 10**20), "end of validity"),
        (_edit(("keys", 1, "exp"), int(T0.timestamp())), "Key 2 .* before it starts"),
        (_edit(("keys", 1, "authority"), 7), "authority"),
    ],
)
def test_bad_jwks_is_refused_with_a_sentence(jwks: object, match: str) -> None:
    with pytest.raises(TrustListError, match=match) as info:
        from_jwks(jwks)
    assert isinstance(info.value, ConsoleError)
    assert str(info.value).endswith(".")


def test_duplicate_key_in_jwks_is_refused() -> None:
    jwks = _jwks()
    jwks["keys"].append(dict(jwks["keys"][0]))
    with pytest.raises(TrustListError, match="listed twice"):
        from_jwks(jwks)


def test_unknown_members_are_ignored() -> None:
    jwks = _edit(("keys", 0, "x5u"), "https://example.org/cert")
    jwks["note"] = "published by the authority"
    assert len(from_jwks(jwks)) == 2


def test_use_and_alg_may_be_absent() -> None:
    jwks = _edit(("keys", 0, "use"), ...)
    del jwks["keys"][0]["alg"]
    assert len(from_jwks(jwks)) == 2


def test_empty_key_set_trusts_nobody() -> None:
    assert len(from_jwks({"keys": []})) == 0


def test_from_jwks_json() -> None:
    text = json.dumps(_jwks())
    assert list(from_jwks_json(text)) == list(from_jwks(_jwks()))
    assert len(from_jwks_json(text.encode())) == 2
    for bad in ("{", b"\xff\xfe", ""):
        with pytest.raises(TrustListError, match="not valid JSON"):
            from_jwks_json(bad)


# ------------------------------------------------------------------------------ other issuers' key sets (issue 11)

_RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"  # RFC 8037 A.2 public key
_RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"  # RFC 8037 A.3


def test_jwks_without_kid_or_nbf_loads_for_the_issuer_named_by_the_caller() -> None:
    trust = from_jwks({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": _RFC8037_X}]}, issuer="https://x.example")
    (key,) = trust
    assert key.issuer == "https://x.example"
    assert key.valid_from == datetime(1970, 1, 1, tzinfo=UTC)
    assert trust.of_issuer("https://x.example") == (key,)
    # The https issuer also speaks for its format-1 form (cards printed before iss became a URL).
    assert trust.of_issuer("x.example") == (key,)
    assert trust.of_issuer("https://y.example") == ()


def test_top_level_iss_names_the_issuer_and_a_key_iss_wins() -> None:
    jwks = {
        "iss": "https://a.example",
        "keys": [
            {"kty": "OKP", "crv": "Ed25519", "x": _RFC8037_X},
            {**to_jwks([_key(1)])["keys"][0], "iss": "https://b.example"},
        ],
    }
    first, second = from_jwks(jwks, issuer="https://ignored.example")
    assert (first.issuer, second.issuer) == ("https://a.example", "https://b.example")


def test_rfc7638_thumbprint_kid_names_the_key() -> None:
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": _RFC8037_X, "kid": _RFC8037_THUMBPRINT, "iss": "https://x.example"}
    trust = from_jwks({"keys": [jwk]})
    (key,) = trust
    assert trust.lookup(_RFC8037_THUMBPRINT.encode()) is key  # the kid as text in a COSE header
    assert trust.lookup(base64.urlsafe_b64decode(_RFC8037_THUMBPRINT + "=")) is key  # as bytes
    # the thumbprint is a name the key always answers to, even when the JWKS gave another kid
    assert from_jwks({"keys": [{**jwk, "kid": "k-1101"}]}).lookup(_RFC8037_THUMBPRINT.encode()) is not None


def test_a_foreign_kid_is_a_name_not_a_check() -> None:
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": _RFC8037_X, "kid": "k-1101", "iss": "https://x.example"}
    trust = from_jwks({"keys": [jwk]}, foreign=True)
    (key,) = trust
    assert key.foreign
    assert trust.lookup(b"k-1101") is key
    assert trust.named(b"k-1101") == (key,)
    assert trust.lookup(b"k-1102") is None


def _p256_jwk() -> dict[str, Any]:
    private = ec.derive_private_key(7, ec.SECP256R1())
    numbers = private.public_key().public_numbers()

    def b64(n: int) -> str:
        return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()

    return {"kty": "EC", "crv": "P-256", "x": b64(numbers.x), "y": b64(numbers.y), "iss": "https://ec.example"}


def test_p256_keys_load_and_round_trip() -> None:
    trust = from_jwks({"keys": [_p256_jwk()]})
    (key,) = trust
    assert key.algorithm == "ES256"
    assert len(key.public_key) == 65 and key.public_key[0] == 4
    assert list(from_jwks(to_jwks([key]))) == [key]
    assert to_jwks([key])["keys"][0]["alg"] == "ES256"


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"y": ...}, "P-256 point"),
        ({"y": "AAAA"}, "P-256 point"),
        ({"y": base64.urlsafe_b64encode(b"\x01" * 32).rstrip(b"=").decode()}, "P-256 point"),  # not on the curve
        ({"alg": "EdDSA"}, "another algorithm"),
        ({"crv": "P-384"}, "not a supported key"),
    ],
)
def test_bad_p256_keys_are_refused(change: dict[str, Any], match: str) -> None:
    jwk = _p256_jwk()
    for name, value in change.items():
        if value is ...:
            del jwk[name]
        else:
            jwk[name] = value
    with pytest.raises(TrustListError, match=match):
        from_jwks({"keys": [jwk]})


def test_trust_file_errors_are_input_errors_and_deep_json_is_refused_cleanly() -> None:
    assert TrustListError.exit_code == 2
    with pytest.raises(TrustListError, match="nested too deeply"):
        from_jwks_json("[" * 100_000 + "]" * 100_000)
    with pytest.raises(TrustListError, match="larger than"):
        from_jwks_json(b" " * (MAX_TRUST_FILE_BYTES + 1))
