"""Issuing and verifying through the services (database, signed events, status lookups), on one core.

`bench_credentials.py` measures the pure encode/verify; this one measures what an office does: `issue_batch`
(sign the credential, supersede, store, signed event with a sealed part, in chunked transactions) and
`issuance.verify` with this office's status lookup, beside raw Ed25519 sign/verify in the same run.
Goal: >= 5,000 issued/s and >= 5,000 verified/s.

Run: .venv/bin/python bench/bench_issuance.py [N]
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from pathlib import Path

import nacl.signing

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_registry import PASSWORD, new_office, people

from console.core import issuance, registry
from console.core.accounts import login


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    print(f"{platform.machine()}, Python {platform.python_version()}, {count:,} credentials")
    key = nacl.signing.SigningKey.generate()
    message = b"x" * 300
    start = time.perf_counter()
    for _ in range(count):
        signature = key.sign(message)
    sign_rate = count / (time.perf_counter() - start)
    verify_key = key.verify_key
    start = time.perf_counter()
    for _ in range(count):
        verify_key.verify(signature)
    verify_rate = count / (time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as folder:
        office = new_office(Path(folder) / "office")
        clerk = login(office, "clerk", PASSWORD)
        numbers = registry.register_batch(clerk, people(count, seed=3)).registered
        start = time.perf_counter()
        issued = issuance.issue_batch(clerk, numbers)
        issue_rate = len(issued) / (time.perf_counter() - start)
        trust = issuance.trust_list(office)
        start = time.perf_counter()
        valid = sum(issuance.verify(i.qr, trust=trust, office=office).valid for i in issued)
        service_verify_rate = len(issued) / (time.perf_counter() - start)
        assert valid == len(issued)
    print(f"issue through services : {issue_rate:8,.0f}/s   (raw nacl sign   {sign_rate:8,.0f}/s)")
    print(f"verify with status     : {service_verify_rate:8,.0f}/s   (raw nacl verify {verify_rate:8,.0f}/s)")


if __name__ == "__main__":
    main()
