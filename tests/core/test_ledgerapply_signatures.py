"""Deferred signature checks of a sync (ledgerapply.first_bad_signature): on threads for long runs, one by one
for short ones, and either way the FIRST bad signature is the one named."""

from __future__ import annotations

import nacl.signing
import pytest

from console.core import cose
from console.core.ledgerapply import SignatureCheck, first_bad_signature


def _checks(n: int, bad: set[int]) -> list[SignatureCheck]:
    key = nacl.signing.SigningKey(b"\x07" * 32)
    other = nacl.signing.SigningKey(b"\x08" * 32)
    out = []
    for i in range(n):
        message = cose.decode_sign1(cose.sign1(other if i in bad else key, f"entry {i}".encode()))
        out.append(SignatureCheck(message, bytes(key.verify_key), f"officer{i}"))
    return out


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_the_first_bad_signature_is_named(workers: int) -> None:
    checks = _checks(700, {450, 301, 699})
    assert first_bad_signature(checks, workers) == (
        301,
        "the signature of 'officer301' does not verify: the entry was altered",
    )
    assert first_bad_signature(checks[:301], workers) is None
    assert first_bad_signature(checks[302:], workers) == (450 - 302, first_bad_signature(checks[450:451])[1])  # type: ignore[index]


def test_short_runs_and_nothing_at_all() -> None:
    assert first_bad_signature([]) is None
    checks = _checks(10, {9})
    assert first_bad_signature(checks) == (9, "the signature of 'officer9' does not verify: the entry was altered")
