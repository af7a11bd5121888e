"""The duplicate check's cost per look-up as more and more people share one birth date.

Stores N people born 1985-06-15 (names from 70 syllables, as `bench_import.py`), indexes them, and times
`registry.find_duplicates` for 500 new names at each crowd size (1,000 … 100,000). Flat means the index does not
degrade with many equal birth dates. CPU time of this process is printed beside wall time (the machine is
shared). Also prints the index rows one look-up reads.

    .venv/bin/python bench/bench_duplicates.py [N]
"""

from __future__ import annotations

import os
import platform
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from console.core import names, registry
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.registry import Person
from console.core.setup import OfficeSetup, init_office
from console.core.store import transaction

SYLLABLES = [a + b for a in "BDFGKLMNPRSTVZ" for b in "AEIOU"]
DAY = date(1985, 6, 15)


def person(rnd: random.Random) -> Person:
    family, given = ("".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))) for _ in range(2))
    return Person(family, given, family, given, names.fold_key(f"{family} {given}"), DAY, rnd.choice("FM"), "EST", None)


def store(office: Office, people: list[Person], first: int) -> None:
    with transaction(office.db) as conn:
        conn.executemany(
            "INSERT INTO citizens (id_number, family_name, given_name, latin_family, latin_given, match_key, "
            "birth_date, sex, birthplace, office_code, registered_at, registered_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'EST', 'HQ-01', '2026-01-01T00:00:00Z', 'bench')",
            [
                (f"B{n:09d}", p.family_name, p.given_name, p.latin_family, p.latin_given, p.match_key,
                 p.birth_date.isoformat(), p.sex)
                for n, p in enumerate(people, first)
            ],
        )  # fmt: skip
        registry._catch_up_index(conn)


def main() -> None:
    top = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = Path(tempfile.mkdtemp(prefix="bench-dup-")) / "office"
    setup = OfficeSetup(
        "Bench Authority", "ids.bench.example", "HQ-01", "Central", "uin-10", "admin", "Ad", "amber-tulip-4711"
    )
    init_office(folder, setup, kdf=KDF_PRESETS["min"])
    office = Office(folder, kdf=KDF_PRESETS["min"])
    rnd = random.Random(5)
    probes = [person(rnd) for _ in range(500)]
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'people on the day':>18} {'ms per look-up (wall)':>22} {'(CPU)':>8} {'index rows read':>16} {'found':>6}")
    stored = 0
    for size in (1_000, 10_000, 30_000, 60_000, 100_000):
        if size > top:
            break
        store(office, [person(rnd) for _ in range(size - stored)], stored)
        stored = size
        found = 0
        with transaction(office.db) as conn:
            for probe in probes[:20]:  # warm the page cache and the per-length plans
                registry.find_duplicates(conn, probe)
            wall, cpu = time.perf_counter(), time.process_time()
            for probe in probes:
                found += len(registry.find_duplicates(conn, probe))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            rows = 0
            for probe in probes:
                codes = registry._pair_codes(
                    registry._probe_pairs(probe.match_key, registry._threshold(probe.match_key))
                )
                hashes = sorted(set(registry._entry_hashes(f"{DAY.isoformat()}|{probe.sex}|", codes)))
                rows += conn.execute(
                    f"SELECT COUNT(*) FROM dup_pairs WHERE h IN ({','.join('?' * len(hashes))})", hashes
                ).fetchone()[0]
        n = len(probes)
        print(f"{size:>18,} {1000 * wall / n:>22.2f} {1000 * cpu / n:>8.2f} {rows / n:>16.1f} {found:>6}")


if __name__ == "__main__":
    main()
