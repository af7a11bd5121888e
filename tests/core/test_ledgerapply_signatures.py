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


def test_sealed_parts_opened_ahead_are_the_entries_own() -> None:
    import nacl.public

    from console.core import events
    from console.core.ledgerapply import SealedOpener

    records = nacl.public.PrivateKey(b"\x05" * 32)
    key = nacl.signing.SigningKey(b"\x07" * 32)

    def entry(i: int, kind: str, sealed: bytes | None) -> bytes:
        import cbor2

        payload = {"type": kind, "officer": "clerk", "time": "t", "office": "HQ", "clear": {}}
        if sealed is not None:
            payload["sealed"] = sealed
        return cose.sign1(key, cbor2.dumps(payload))

    entries = [
        entry(i, "credential.issued", events.seal_record(bytes(records.public_key), {"n": i})) for i in range(600)
    ]
    entries[10] = entry(10, "credential.issued", b"junk that does not open")
    entries[11] = entry(11, "officer.enrolled", events.seal_record(bytes(records.public_key), {"n": 11}))
    with SealedOpener(records, entries, workers=2, chunk=128) as opener:
        assert [opener.get(i) for i in (0, 127, 128, 599)] == [{"n": 0}, {"n": 127}, {"n": 128}, {"n": 599}]
        assert opener.get(10) is None  # left to apply_entry, which names the fault
        assert opener.get(11) is None  # not a kind apply_entry opens
    with SealedOpener(None, entries) as none, SealedOpener(records, entries[:5]) as few:
        assert none.get(0) is None and few.get(0) is None  # no key; too few to be worth threads


def test_refusals_are_said_in_the_consoles_language() -> None:
    """The sentences that name a refused entry come from the core catalogue (Simplified Chinese here), and are
    English again without it."""
    import sqlite3

    import cbor2

    from console.core import i18n
    from console.core.ledgerapply import EntryRejected, verify_entry

    key = nacl.signing.SigningKey(b"\x07" * 32)
    entry = cose.sign1(key, cbor2.dumps({"type": "credential.issued", "officer": "clerk", "time": "t", "office": "XX"}))
    conn = sqlite3.connect(":memory:")
    i18n.set_language("zh_CN")
    try:
        with pytest.raises(EntryRejected) as chinese:
            verify_entry(conn, "HQ-01", entry, lambda _d: None)
        assert str(chinese.value) == "该条目属于办事处 'XX'，而不是 HQ-01"
        assert first_bad_signature(_checks(3, {2})) == (2, "'officer2' 的签名验证失败：该条目已被改动")
    finally:
        i18n.set_language(None)
    with pytest.raises(EntryRejected, match="the entry is for office 'XX', not HQ-01"):
        verify_entry(conn, "HQ-01", entry, lambda _d: None)
