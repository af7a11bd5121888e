"""Sealed records (events.seal_record / open_record): the second form (a shared ephemeral key, round 5) and the
first (a SealedBox per record, every log before it) both open, and are told apart by the flag bit alone."""

from __future__ import annotations

import nacl.bindings
import nacl.exceptions
import nacl.public
import pytest

from console.core import events


@pytest.fixture
def records() -> nacl.public.PrivateKey:
    return nacl.public.PrivateKey.generate()


def test_the_second_form_opens_and_says_so_in_its_flag_bit(records: nacl.public.PrivateKey) -> None:
    public = bytes(records.public_key)
    sealed = [events.seal_record(public, {"id_number": f"20000000{i:02d}"}) for i in range(20)]
    for i, data in enumerate(sealed):
        assert data[31] & 0x80  # the flag
        assert len(data) == 32 + 24 + 16 + len(b"\xa1iid_numberj20000000xx")
        assert events.open_record(records, data) == {"id_number": f"20000000{i:02d}"}
    assert len({s[32:56] for s in sealed}) == len(sealed)  # a fresh nonce each time
    assert len({s[:32] for s in sealed}) == 1  # one ephemeral key for many records


def test_a_sealedbox_of_the_first_form_never_carries_the_flag_and_still_opens(
    records: nacl.public.PrivateKey,
) -> None:
    box = nacl.public.SealedBox(records.public_key)
    for i in range(2000):  # libsodium writes X25519 public keys below 2**255: the top bit is always clear
        old = bytes(box.encrypt(bytes([0xA1, 0x61, 0x6E, i % 24])))  # {"n": i % 24}
        assert not old[31] & 0x80
    assert events.open_record(records, old) == {"n": 1999 % 24}


def test_the_ephemeral_key_changes_after_its_uses(records: nacl.public.PrivateKey) -> None:
    public = bytes(records.public_key)
    heads = {events.seal_record(public, {"n": i})[:32] for i in range(events.SEAL_KEY_USES + 1)}
    assert len(heads) == 2
    fresh = events.seal_record(bytes(nacl.public.PrivateKey.generate().public_key), {"n": 0})
    assert fresh[:32] not in heads  # one ephemeral key per records key


@pytest.mark.parametrize("where", [0, 31, 32, 55, 56, -1])
def test_an_altered_record_of_the_second_form_does_not_open(records: nacl.public.PrivateKey, where: int) -> None:
    data = bytearray(events.seal_record(bytes(records.public_key), {"id_number": "2000000001"}))
    data[where] ^= 0x01
    with pytest.raises(nacl.exceptions.CryptoError):
        events.open_record(records, bytes(data))


def test_another_key_or_a_low_order_ephemeral_key_is_refused(records: nacl.public.PrivateKey) -> None:
    data = events.seal_record(bytes(records.public_key), {"id_number": "2000000001"})
    with pytest.raises(nacl.exceptions.CryptoError):
        events.open_record(nacl.public.PrivateKey.generate(), data)
    forged = bytes(31) + b"\x80" + data[32:]  # the all-zero point, flagged: X25519 refuses it
    with pytest.raises(nacl.exceptions.CryptoError):
        events.open_record(records, forged)


def test_the_second_form_is_a_crypto_box_anyone_with_libsodium_can_open(records: nacl.public.PrivateKey) -> None:
    """docs/ledger.md ("Sealed parts") describes the form well enough to open it without this code."""
    data = events.seal_record(bytes(records.public_key), {"n": 7})
    ephemeral = data[:31] + bytes([data[31] & 0x7F])
    plain = nacl.bindings.crypto_box_open(data[56:], data[32:56], ephemeral, bytes(records))
    assert plain == b"\xa1\x61n\x07"
