"""Credential issue (encode) and verify throughput on one core, beside raw Ed25519 sign/verify.

Run: ``python bench/bench_credentials.py [N]`` (default 20,000 credentials). Prints the best of 3 rounds for
each figure, so that the overhead of our layers (CBOR, COSE, zlib, Base45, checks) can be read against the
signature cost measured in the same process. Goal: >= 5,000 issues/s and >= 5,000 verifies/s.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import nacl.signing

from console.core.credentials import Credential, HolderClaims, encode_credential, verify_credential
from console.core.trust import TrustedKey, TrustList

ROUNDS = 3


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _best_rate(n: int, run: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return n / best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    key = nacl.signing.SigningKey(bytes(range(32)))
    issued = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    trust = TrustList([TrustedKey(public_key=bytes(key.verify_key), issuer="CN-BJ-0001", valid_from=issued)])
    creds = [
        Credential(
            holder=HolderClaims(
                id_number=f"110105194912{i:06d}",
                full_name="ALEXANDRA VILLANUEVA",
                first_name="ALEXANDRA",
                last_name="VILLANUEVA",
                secondary_full_name="Alexandra Villanueva",
                secondary_language="spa",
                birth_date=date(1949, 12, 31),
                sex="F",
                location_code="110105",
                country="CHN",
            ),
            issuer="CN-BJ-0001",
            issued_at=issued,
            expires_at=issued + timedelta(days=3653),
            credential_id=os.urandom(16),
        )
        for i in range(n)
    ]
    texts = [encode_credential(c, key) for c in creds]
    now = issued + timedelta(days=30)
    messages = [t.encode() for t in texts]
    signatures = [key.sign(m).signature for m in messages]
    verify_key = key.verify_key

    def issue() -> None:
        for c in creds:
            encode_credential(c, key)

    def verify() -> None:
        for t in texts:
            if not verify_credential(t, trust, now).valid:
                raise AssertionError("benchmark credential did not verify")

    def raw_sign() -> None:
        for m in messages:
            key.sign(m)

    def raw_verify() -> None:
        for m, s in zip(messages, signatures, strict=True):
            verify_key.verify(m, s)

    print(f"machine: {os.cpu_count()} CPUs, {_cpu_model()}; Python {platform.python_version()}")
    print(f"credentials: {n}, text length {len(texts[0])} characters; best of {ROUNDS} rounds, one process")
    print(f"issue (encode_credential)      {_best_rate(n, issue):>9,.0f} /s")
    print(f"verify (verify_credential)     {_best_rate(n, verify):>9,.0f} /s")
    print(f"raw Ed25519 sign (nacl)        {_best_rate(n, raw_sign):>9,.0f} /s")
    print(f"raw Ed25519 verify (nacl)      {_best_rate(n, raw_verify):>9,.0f} /s")


if __name__ == "__main__":
    main()
