"""What the at-use checks of issue 12 cost (console/core/truth.py): a login's replay of the signed roster, the
per-call check of a session, and `verify` of credentials whose status changed.

The key derivation uses the test preset here, so the login figure is the console's own work (replay, wraps,
audit rows), not argon2id's (see bench_unlock.py for that).

Run: .venv/bin/python bench/bench_truth.py [OFFICERS]
"""

from __future__ import annotations

import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_registry import PASSWORD, new_office, people

from console.core import issuance, officers, registry, requests
from console.core.accounts import login
from console.core.office import Office
from console.core.roles import Permission


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    print(f"{platform.machine()}, Python {platform.python_version()}, {count} officers")
    with tempfile.TemporaryDirectory() as folder:
        office = new_office(Path(folder) / "office")
        admin = login(office, "admin", PASSWORD)
        for i in range(count):
            role = ("clerk", "supervisor", "auditor")[i % 3]
            officers.add_officer(
                admin, username=f"officer{i:03d}", role=role, full_name="Bench Officer", password=PASSWORD
            )
        fresh = Office(office.paths.data_dir, kdf=office.kdf)
        runs = []
        for _ in range(5):
            fresh.caches.clear()  # a new process: no cached roster
            start = time.perf_counter()
            clerk = login(fresh, "clerk", PASSWORD)
            runs.append(time.perf_counter() - start)
        print(f"login (replay of {count + 2} enrolments, cold cache): median {statistics.median(runs) * 1000:.1f} ms")
        start = time.perf_counter()
        for _ in range(2000):
            clerk.require(Permission.CITIZEN_READ)
        print(f"session check per service call        : {(time.perf_counter() - start) / 2000 * 1e6:.0f} µs")
        numbers = registry.register_batch(clerk, people(2000, seed=5)).registered
        issued = issuance.issue_batch(clerk, numbers)
        supervisor = login(office, "officer001", PASSWORD)
        for item in issued[:200]:  # a tenth of them revoked through the four-eyes path
            request = requests.create_request(clerk, "revoke", item.credential_id, "bench")
            requests.approve(supervisor, request["request_id"])
        trust = issuance.trust_list(fresh)
        fresh.caches.clear()
        start = time.perf_counter()
        valid = sum(issuance.verify(i.qr, trust=trust, office=fresh).valid for i in issued)
        rate = len(issued) / (time.perf_counter() - start)
        assert valid == len(issued) - 200
        print(f"verify with signed status (10% revoked): {rate:,.0f}/s (cold cache included)")


if __name__ == "__main__":
    main()
