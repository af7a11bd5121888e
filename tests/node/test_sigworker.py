"""Signature checks of long sync runs in a helper process (console.node.sigworker): the same outcome as the
checks on threads (ledgerapply.SignatureChecker), the FIRST bad signature named, also when no helper can be
started or the helper dies halfway; and a sync that uses one refuses a log with a forged entry."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import cbor2
import nacl.signing
import pytest

from console.core import cose, officelog, registry
from console.core.ledgerapply import SignatureCheck, first_bad_signature
from console.core.store import transaction
from console.node import sigworker, sync
from tests.node.conftest import Authority


def _checks(n: int, bad: set[int]) -> list[SignatureCheck]:
    key = nacl.signing.SigningKey(b"\x07" * 32)
    other = nacl.signing.SigningKey(b"\x08" * 32)
    out = []
    for i in range(n):
        message = cose.decode_sign1(cose.sign1(other if i in bad else key, f"entry {i}".encode()))
        out.append(SignatureCheck(message, bytes(key.verify_key), f"officer{i}"))
    return out


def _run(checks: list[SignatureCheck], chunk: int = 100) -> tuple[int, str] | None:
    with sigworker.ProcessSignatureChecker(chunk) as checker:
        for c in checks:
            checker.add(c)
        return checker.first_bad()


def test_the_helper_names_the_first_bad_signature_like_the_threads() -> None:
    checks = _checks(1250, {1100, 730, 1249})
    assert (
        _run(checks)
        == first_bad_signature(checks)
        == (
            730,
            "the signature of 'officer730' does not verify: the entry was altered",
        )
    )
    assert _run(checks[:730]) is None  # all good, the short tail too
    assert _run(checks[731:]) == (1100 - 731, first_bad_signature(checks[1100:1101])[1])  # type: ignore[index]
    assert _run(checks[1240:]) == (9, first_bad_signature(checks[1249:])[1])  # type: ignore[index]
    assert _run([]) is None


def test_a_helper_that_cannot_start_leaves_the_checks_to_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")
    checks = _checks(450, {333})
    assert _run(checks) == (333, "the signature of 'officer333' does not verify: the entry was altered")


def test_a_helper_that_dies_halfway_leaves_the_rest_to_this_process() -> None:
    checks = _checks(600, {520})
    with sigworker.ProcessSignatureChecker(100) as checker:
        for c in checks[:250]:
            checker.add(c)
        helper = checker._helper
        assert helper is not None
        helper.proc.kill()
        helper.proc.wait()
        for c in checks[250:]:
            checker.add(c)
        assert checker.first_bad() == (520, "the signature of 'officer520' does not verify: the entry was altered")
        assert checker.first_bad() == (520, "the signature of 'officer520' does not verify: the entry was altered")


def test_short_runs_stay_in_this_process() -> None:
    assert not isinstance(sigworker.signature_checker(10), sigworker.ProcessSignatureChecker)
    assert isinstance(sigworker.signature_checker(sigworker.MIN_CHECKS), sigworker.ProcessSignatureChecker)


def _forge(a: Authority, code: str) -> int:
    """Append an event whose COSE signature is broken (a byte of it flipped) to the office's log as if the
    officer had signed it: the tree, tiles and checkpoint are all consistent, only the signature is not."""
    session = a.session(code, "clerk")
    actor = session.actor
    office = a.offices[code]
    payload = {
        "v": 1,
        "type": "credential.issued",
        "office": code,
        "time": "2026-12-03T09:00:00Z",
        "officer": "clerk",
        "clear": {
            "credential": b"\x01" * 16,
            "kid": b"\x00" * 8,
            "iat": "2026-12-03T09:00:00Z",
            "exp": "2036-12-03T09:00:00Z",
            "supersedes": [],
        },
        "log": 1,
    }
    entry = bytearray(cose.sign1(actor.signing_key, cbor2.dumps(payload, canonical=True)))
    entry[-3] ^= 0x01
    with transaction(office.db) as conn:
        cur = conn.execute(
            "INSERT INTO events (type, officer, created_at, entry) VALUES (?, ?, ?, ?)",
            ("credential.issued", "clerk", payload["time"], bytes(entry)),
        )
        seq = int(cur.lastrowid or 0)
        officelog.append(conn, seq=seq, entry=bytes(entry), office_code=code, actor="clerk", key=actor.signing_key)
    return seq


def test_a_sync_checked_by_the_helper_refuses_a_forged_entry(
    authority: Authority, person: Callable[[int], object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sigworker, "MIN_CHECKS", 1)
    monkeypatch.setattr(sigworker, "CHUNK", 4)
    used: list[bool] = []
    real = sigworker.signature_checker

    def spy(count: int) -> object:
        checker = real(count)
        used.append(isinstance(checker, sigworker.ProcessSignatureChecker))
        return checker

    monkeypatch.setattr(sigworker, "signature_checker", spy)
    clerk = authority.session("B-02", "clerk")
    for i in range(6):
        registry.register(clerk, person(i))  # type: ignore[arg-type]
    assert sync.run_sync(clerk, authority.folder).to_json()["errors"] == []
    hq = authority.session("HQ-01", "clerk")
    first = sync.run_sync(hq, authority.folder).to_json()
    assert first["errors"] == [] and first["applied"]["B-02"] > 8 and used and all(used)
    hq_conn = authority.offices["HQ-01"].db.conn
    before = hq_conn.execute("SELECT COUNT(*) FROM citizens").fetchone()[0]

    for i in range(6, 9):
        registry.register(clerk, person(i))  # type: ignore[arg-type]
    seq = _forge(authority, "B-02")
    registry.register(clerk, person(9))  # type: ignore[arg-type]
    assert sync.run_sync(clerk, authority.folder).to_json()["errors"] == []
    report = sync.run_sync(hq, authority.folder).to_json()
    assert report["applied"]["B-02"] == 0
    (error,) = report["errors"]
    assert error["log"] == "B-02" and error["file"] == f"tile/entries/{(seq - 1) // 256:03d}"
    assert error["message"] == f"entry {seq - 1}: the signature of 'clerk' does not verify: the entry was altered"
    assert hq_conn.execute("SELECT COUNT(*) FROM citizens").fetchone()[0] == before  # nothing applied


def test_an_early_check_counts_only_for_the_very_key_the_apply_finds() -> None:
    checks = _checks(900, {600})
    wrong = bytes(nacl.signing.SigningKey(b"\x09" * 32).verify_key)
    with sigworker.ProcessSignatureChecker(100) as checker:
        for i, c in enumerate(checks):
            if i == 100:  # guessed a wrong key: the early answer (bad) must not count for the right key
                checker.prefetch(i, SignatureCheck(c.message, wrong, c.actor))
            elif i == 600 or i != 700:  # guessed the key the bad entry claims: still bad when the apply asks
                checker.prefetch(i, c)
        for c in checks:
            checker.add(c)
        assert checker.first_bad() == (600, "the signature of 'officer600' does not verify: the entry was altered")
    with sigworker.ProcessSignatureChecker(100) as checker:
        for i, c in enumerate(checks[:600]):
            checker.prefetch(i, c)
        for i, c in enumerate(checks[:600]):
            # the apply found another key for entry 300 than the guess: checked again, with that key
            checker.add(SignatureCheck(c.message, wrong, c.actor) if i == 300 else c)
        assert checker.first_bad() == (300, "the signature of 'officer300' does not verify: the entry was altered")


@pytest.mark.parametrize("size", [0, 10, 23, 24, 255, 256, 65535, 65536])
def test_the_helper_verifies_the_same_bytes_as_cose(size: int) -> None:
    from console.node import sigcheck

    key = nacl.signing.SigningKey(b"\x07" * 32)
    entry = cose.sign1(key, bytes(size))
    message = cose.decode_sign1(entry)
    assert sigcheck.signed_bytes(entry) == message.signature + message.to_be_signed()
    assert sigcheck.signed_bytes(cose.encode_sign1(message)) == sigcheck.signed_bytes(entry)
    with pytest.raises(ValueError):
        sigcheck.signed_bytes(cbor2.dumps([1, 2, 3]))
