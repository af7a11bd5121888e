"""The general Claim 169 verifier and the status list, on one core (issue 11).

Run: ``python bench/bench_verifier.py [N] [CREDENTIALS]`` (defaults 20,000 verifies, 1,000,000 credentials).

1. verify of a general credential: tagged COSE_Sign1 with no kid (so every key of the issuer is tried), a
   format-2 claims set with the status claim, against a trust list of 50 keys of 10 issuers (5 keys for the
   credential's issuer, the signing key last). Goal: >= 5,000/s.
2. status list export for CREDENTIALS credentials in a real office database: pack every credential's 2-bit
   status from the table, zlib, sign, store the token (`statusservice.remake`) and write
   ``{office}/status/1.cwt`` (`statusservice.export`). Goal: < 2 s.

Prints the best of 3 rounds for each figure, and the machine.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import cbor2
import nacl.signing

from console.core import b45, statuslist, statusservice
from console.core.credentials import Credential, HolderClaims, cwt_claims
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.setup import OfficeSetup, init_office
from console.core.store import transaction
from console.core.trust import TrustedKey, TrustList
from console.core.verification import verify

ROUNDS = 3
ISSUER = "https://ids.utopia.example/HQ-01"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _best(run: Callable[[], None], clock: Callable[[], float] = time.perf_counter) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = clock()
        run()
        best = min(best, clock() - start)
    return best


def _kidless_text(key: nacl.signing.SigningKey, i: int) -> str:
    issued = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    cred = Credential(
        holder=HolderClaims(
            id_number=f"{3000000000 + i}",
            full_name="ALEXANDRA VILLANUEVA",
            first_name="ALEXANDRA",
            last_name="VILLANUEVA",
            birth_date=date(1949, 12, 31),
            sex="F",
            location_code="110105",
            country="UTO",
        ),
        issuer=ISSUER,
        issued_at=issued,
        expires_at=issued.replace(year=2036),
        credential_id=i.to_bytes(16, "big"),
        not_before=issued,
        status_uri=statuslist.list_uri(ISSUER),
        status_idx=i,
    )
    protected = cbor2.dumps({1: -8})  # no kid anywhere
    payload = cbor2.dumps(cwt_claims(cred))
    signature = key.sign(cbor2.dumps(["Signature1", protected, b"", payload])).signature
    signed = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signature]))
    return str(b45.b45encode(zlib.compress(signed, 9)))


def bench_verify(n: int) -> None:
    signer = nacl.signing.SigningKey(bytes(range(32)))
    since = datetime(2025, 1, 1, tzinfo=UTC)
    keys = [
        TrustedKey(
            public_key=bytes(nacl.signing.SigningKey(bytes([k, j]) * 16).verify_key),
            issuer=f"https://ids.example/O-{k}",
            valid_from=since,
        )
        for k in range(1, 10)
        for j in range(5)
    ]
    # the issuer's four earlier keys, rotated out before the card was issued (as after key rotations)
    keys += [
        TrustedKey(
            public_key=bytes(nacl.signing.SigningKey(bytes([0, j]) * 16).verify_key),
            issuer=ISSUER,
            valid_from=since.replace(month=1 + 2 * j),
            valid_until=since.replace(month=2 + 2 * j),
        )
        for j in range(4)
    ]
    keys.append(TrustedKey(public_key=bytes(signer.verify_key), issuer=ISSUER, valid_from=since))
    trust = TrustList(keys)
    texts = [_kidless_text(signer, i) for i in range(n)]
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert verify(texts[0], trust, now).valid

    def run() -> None:
        for text in texts:
            if not verify(text, trust, now).valid:
                raise SystemExit("a benchmark credential did not verify")

    one = TrustList([keys[-1]])

    def run_one() -> None:
        for text in texts:
            verify(text, one, now)

    message, signature = b"x" * 300, signer.sign(b"x" * 300).signature
    verify_key = signer.verify_key

    def raw() -> None:
        for _ in range(n):
            verify_key.verify(message, signature)

    # Wall time, and CPU time of this process (the machine is shared: CPU time is what the code costs).
    for label, job in (
        ("verify, kid-less tagged, 50 keys/10 issuers (5 of its own)", run),
        ("verify, kid-less tagged, 1 key of its issuer", run_one),
        ("raw Ed25519 verify (nacl), for scale", raw),
    ):
        wall, cpu = n / _best(job), n / _best(job, time.process_time)
        print(f"{label:<62} {wall:>9,.0f} /s wall  {cpu:>9,.0f} /s CPU")


def bench_status_list(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "office"
        init_office(
            folder,
            OfficeSetup(
                authority_name="Utopia Identity Authority",
                authority_domain="ids.utopia.example",
                office_code="HQ-01",
                office_name="Central Office",
                scheme="uin-10",
                admin_username="admin",
                admin_full_name="Ada Admin",
                admin_password="amber-tulip-4711",
            ),
            kdf=KDF_PRESETS["min"],
        )
        office = Office(folder, kdf=KDF_PRESETS["min"])
        size = 1
        while size < 2 * count:
            size *= 2
        indices = random.Random(11).sample(range(size), count)
        states = ("active",) * 90 + ("revoked",) * 4 + ("superseded",) * 5 + ("suspended",)
        start = time.perf_counter()
        with transaction(office.db) as conn:  # one transaction (the connection is in autocommit mode)
            conn.executemany(
                "INSERT INTO credentials (credential_id, id_number, office_code, kid, issued_at, expires_at, status, "
                "status_idx) VALUES (?, ?, 'HQ-01', x'00', '2026-01-01T00:00:00Z', '2036-01-01T00:00:00Z', ?, ?)",
                ((i.to_bytes(16, "big"), str(i), states[i % 100], idx) for i, idx in enumerate(indices)),
            )
            conn.execute("INSERT INTO status_lists (office_code, size, assigned) VALUES ('HQ-01', ?, ?)", (size, count))
        print(f"(set-up: {count:,} credential rows inserted in {time.perf_counter() - start:.1f} s)")
        key = nacl.signing.SigningKey(bytes(range(32)))
        out = Path(tmp) / "site"

        def run() -> None:
            with transaction(office.db) as conn:
                statusservice.remake(conn, "HQ-01", ISSUER, key, datetime.now(UTC), office=office)
            statusservice.export(office, out)

        seconds, cpu = _best(run), _best(run, time.process_time)
        token = (out / "HQ-01/status/1.cwt").read_bytes()
        print(
            f"status list export, {count:,} credentials ({size:,} entries): {seconds:.2f} s wall, {cpu:.2f} s CPU "
            f"(token {len(token):,} bytes)"
        )
        office.close()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    print(f"machine: {_cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    bench_verify(n)
    bench_status_list(count)


if __name__ == "__main__":
    main()
