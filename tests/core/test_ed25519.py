"""console.core.ed25519 (libsodium's check called directly) says what PyNaCl's VerifyKey.verify says."""

from __future__ import annotations

import os

import nacl.exceptions
import nacl.signing
from hypothesis import given, settings
from hypothesis import strategies as st

from console.core import ed25519


def _nacl_holds(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        nacl.signing.VerifyKey(public_key).verify(message, signature)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, nacl.exceptions.TypeError, TypeError):
        return False
    return True


KEY = nacl.signing.SigningKey(bytes(range(32)))
PUBLIC = bytes(KEY.verify_key)


@settings(max_examples=300)
@given(message=st.binary(max_size=600), flip=st.integers(min_value=-1, max_value=64 * 8 - 1))
def test_agrees_with_pynacl_on_good_and_altered_signatures(message: bytes, flip: int) -> None:
    signature = bytearray(KEY.sign(message).signature)
    if flip >= 0:
        signature[flip // 8] ^= 1 << (flip % 8)
    expected = _nacl_holds(PUBLIC, message, bytes(signature))
    assert ed25519.holds(PUBLIC, message, bytes(signature)) is expected
    assert expected is (flip < 0)


def test_altered_message_other_key_and_bad_lengths_are_refused() -> None:
    message = os.urandom(300)
    signature = KEY.sign(message).signature
    assert ed25519.holds(PUBLIC, message, signature)
    assert not ed25519.holds(PUBLIC, message + b"x", signature)
    other = bytes(nacl.signing.SigningKey.generate().verify_key)
    assert not ed25519.holds(other, message, signature)
    # lengths are checked before anything reaches C: short or long keys and signatures are simply refused
    for key, sig in ((PUBLIC[:31], signature), (PUBLIC + b"\0", signature), (PUBLIC, signature[:63]), (PUBLIC, b"")):
        assert not ed25519.holds(key, message, sig)
    assert not ed25519.holds("not bytes", message, signature)  # type: ignore[arg-type]
    assert not ed25519.holds(PUBLIC, "text", signature)  # type: ignore[arg-type]
    # an all-zero (small-order) key never verifies, as in PyNaCl
    assert not ed25519.holds(bytes(32), message, signature) and not _nacl_holds(bytes(32), message, signature)


def test_key_ids_are_sha256_prefixes() -> None:
    # cose and trust hash with CPython's built-in SHA-256 (not hashlib's OpenSSL one, issue 16): the same digest
    import hashlib

    from console.core import cose, trust

    for key in (PUBLIC, bytes(32), os.urandom(32)):
        assert cose.key_id(key) == hashlib.sha256(key).digest()[:8]
        assert trust.derived_kid(key) == hashlib.sha256(key).digest()[:8]
