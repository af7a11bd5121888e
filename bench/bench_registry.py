"""Registry figures: batch registration through the services, and search over a million citizens.

1. 100,000 registrations through `registry.register_batch` (validation, transliteration, duplicate check,
   number allocation, sealed signed events), beside a plain SQLite `executemany` of the same rows into a table
   of the same shape, in the same run. Goal: >= 10,000 registrations/s.
2. 1,000,000 citizens (inserted directly), then 1,000 searches of each kind (ID number, name prefix as entered,
   Latin prefix, two words, birth date); goal: p95 <= 20 ms.

Run: .venv/bin/python bench/bench_registry.py [--rows 100000] [--million 1000000]
"""

from __future__ import annotations

import argparse
import platform
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from console.core import officers, registry
from console.core.accounts import login
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.registry import PersonInput
from console.core.setup import OfficeSetup, init_office

SYLLABLES = [
    "ka",
    "ri",
    "to",
    "mu",
    "se",
    "na",
    "lo",
    "vi",
    "de",
    "pa",
    "ju",
    "ne",
    "sa",
    "mi",
    "ko",
    "ta",
    "le",
    "ra",
    "bo",
    "ge",
    "hu",
    "fi",
    "no",
    "zu",
    "ye",
    "la",
    "ma",
    "ti",
    "ro",
    "sy",
]
PLACES = ["EST", "DEU", "FIN", "LVA", "SWE", "CHN", "KOR", "UKR"]
PASSWORD = "bench-password-2718"


def people(count: int, seed: int) -> list[PersonInput]:
    rng = random.Random(seed)
    start = date(1930, 1, 1).toordinal()
    out = []
    for _ in range(count):
        family = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        given = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        born = date.fromordinal(start + rng.randrange(32000)).isoformat()
        out.append(PersonInput(family, given, born, rng.choice("FM"), rng.choice(PLACES)))
    return out


def new_office(folder: Path) -> Office:
    init_office(
        folder,
        OfficeSetup(
            "Bench Authority", "ids.bench.example", "HQ-01", "Bench Office", "uin-10", "admin", "Admin", PASSWORD
        ),
        kdf=KDF_PRESETS["min"],
    )
    office = Office(folder, kdf=KDF_PRESETS["min"])
    officers.add_officer(
        login(office, "admin", PASSWORD), username="clerk", role="clerk", full_name="Clerk", password=PASSWORD
    )
    return office


def bench_batch(rows: int, folder: Path) -> None:
    office = new_office(folder / "batch")
    clerk = login(office, "clerk", PASSWORD)
    inputs = people(rows, seed=1)
    start = time.perf_counter()
    result = registry.register_batch(clerk, inputs, chunk=5000)
    elapsed = time.perf_counter() - start
    plain = sqlite3.connect(folder / "plain.db")
    plain.execute("PRAGMA journal_mode = WAL")
    plain.execute(
        "CREATE TABLE citizens (id_number TEXT PRIMARY KEY, family_name TEXT, given_name TEXT, birth_date TEXT, "
        "sex TEXT, birthplace TEXT)"
    )
    values = [
        (f"{i:010d}", p.family_name, p.given_name, p.birth_date, p.sex, p.birthplace) for i, p in enumerate(inputs)
    ]
    start = time.perf_counter()
    with plain:
        plain.executemany("INSERT INTO citizens VALUES (?, ?, ?, ?, ?, ?)", values)
    plain_elapsed = time.perf_counter() - start
    plain.close()
    per_second = rows / elapsed
    print(
        f"batch registration: {rows:,} rows in {elapsed:.2f} s = {per_second:,.0f}/s "
        f"(registered {len(result.registered):,}, held for review {len(result.held):,}, errors {len(result.errors)})"
    )
    print(
        f"plain SQLite executemany of the same rows: {rows / plain_elapsed:,.0f}/s; "
        f"ratio services/plain = 1 : {(rows / plain_elapsed) / per_second:.1f}"
    )


def bench_search(million: int, folder: Path) -> None:
    office = new_office(folder / "search")
    clerk = login(office, "clerk", PASSWORD)
    rng = random.Random(2)
    conn = office.db.conn
    start = time.perf_counter()
    conn.execute("BEGIN")
    batch = []
    numbers = []
    for i in range(million):
        family = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        given = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        born = date.fromordinal(date(1930, 1, 1).toordinal() + rng.randrange(32000)).isoformat()
        number = f"{2000000000 + i * 7:010d}"
        numbers.append(number)
        batch.append(
            (
                number,
                family.capitalize(),
                given.capitalize(),
                family.upper(),
                given.upper(),
                f"{family.upper()} {given.upper()}",
                born,
                rng.choice("FM"),
                "EST",
                "HQ-01",
                "2026-11-30T00:00:00Z",
                "clerk",
            )
        )
        if len(batch) == 50000:
            conn.executemany(
                "INSERT INTO citizens (id_number, family_name, given_name, latin_family, latin_given, match_key, "
                "birth_date, sex, birthplace, office_code, registered_at, registered_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
            batch = []
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    print(f"loaded {million:,} citizens in {time.perf_counter() - start:.1f} s")
    queries = {
        "ID number": [rng.choice(numbers) for _ in range(1000)],
        "name prefix (3 letters)": ["".join(rng.choice(SYLLABLES) for _ in range(2))[:3] for _ in range(1000)],
        "name prefix (as typed, 5)": [
            "".join(rng.choice(SYLLABLES) for _ in range(3))[:5].capitalize() for _ in range(1000)
        ],
        "two words": [f"{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}" for _ in range(1000)],
        "birth date": [(date(1960, 1, 1) + timedelta(days=rng.randrange(20000))).isoformat() for _ in range(1000)],
    }
    for kind, texts in queries.items():
        times = []
        hits = 0
        for text in texts:
            t0 = time.perf_counter()
            hits += len(registry.search(clerk, text))
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        print(
            f"search {kind:28s}: p50 {statistics.median(times):6.2f} ms, p95 {times[949]:6.2f} ms, "
            f"max {times[-1]:6.2f} ms (avg {hits / len(texts):.1f} hits, limit 50)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--million", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"{platform.machine()}, Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}")
    with tempfile.TemporaryDirectory() as folder:
        bench_batch(args.rows, Path(folder))
        bench_search(args.million, Path(folder))


if __name__ == "__main__":
    main()
