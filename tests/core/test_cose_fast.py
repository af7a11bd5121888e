"""The hand-written Sig_structure and the direct libsodium check (cose.signature_holds) a sync relies on: the same
bytes cbor2 writes, and the same answers as PyNaCl's VerifyKey, for every CBOR length class."""

from __future__ import annotations

import cbor2
import nacl.signing
import pytest

from console.core import cose


@pytest.mark.parametrize("n", [0, 1, 23, 24, 255, 256, 65535, 65536, 70000])
def test_sig_structure_is_what_cbor2_writes(n: int) -> None:
    payload = bytes(range(256)) * (n // 256) + bytes(n % 256)
    protected = cbor2.dumps({1: -8, 4: b"\x01" * 8})
    assert cose._sig_structure(protected, payload) == cbor2.dumps(["Signature1", protected, b"", payload])
    assert cose._sig_structure(b"", payload) == cbor2.dumps(["Signature1", b"", b"", payload])


def test_signature_holds_agrees_with_pynacl() -> None:
    key = nacl.signing.SigningKey(b"\x03" * 32)
    other = nacl.signing.SigningKey(b"\x04" * 32)
    message = cose.decode_sign1(cose.sign1(key, b"payload"))
    assert cose.signature_holds(message, bytes(key.verify_key))
    nacl.signing.VerifyKey(bytes(key.verify_key)).verify(message.to_be_signed(), message.signature)
    assert not cose.signature_holds(message, bytes(other.verify_key))
    assert not cose.signature_holds(message, b"\x00" * 31)  # a malformed key is a failed check, not a crash
    flipped = cose.Sign1(message.protected, message.protected_header, {}, b"payloaD", message.signature)
    assert not cose.signature_holds(flipped, bytes(key.verify_key))
    with pytest.raises(cose.CoseSignatureError):
        cose.verify_sign1(flipped, bytes(key.verify_key))


def test_cached_protected_headers_decode_alike() -> None:
    key = nacl.signing.SigningKey(b"\x05" * 32)
    headers: dict[bytes, dict[int, object]] = {}
    entries = [cose.sign1(key, f"entry {i}".encode()) for i in range(3)]
    decoded = [cose.decode_sign1(e, headers) for e in entries]
    assert len(headers) == 1 and [d.kid for d in decoded] == [cose.key_id(bytes(key.verify_key))] * 3
    assert decoded == [cose.decode_sign1(e) for e in entries]
    bad_alg = cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: -7}), {}, b"x", b"\x00" * 64]))
    for _ in range(2):  # a refused header is refused again from the cache
        with pytest.raises(cose.CoseError):
            cose.decode_sign1(bad_alg, headers)
