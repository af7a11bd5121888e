"""Cost of encryption at rest (issue 17): the encrypted registry beside the plain one, and token signing.

1. Registration: `registry.register_batch` of --rows people, in an encrypted office and in the same office kept
   in the clear (the layout before issue 17), alternately, best of --repeat.
2. Search: --citizens citizens loaded directly, then 300 searches of each kind; p50 and p95.
3. Start-up: open the office, log in a clerk, count the registry (what the console does before its first
   screen); median and best of 15 (argon2id at the test preset, so the database, not the password, is measured).
   The count alone and the COUNT(*) scan it replaced (issue 17: the counter row) are shown beside it.
4. Signing: Ed25519 signatures of 300-byte messages by the office key in a PKCS#11 token (SoftHSM2) beside
   the same key type in software (PyNaCl).

Run: .venv/bin/python bench/bench_atrest.py [--rows 20000] [--citizens 200000] [--repeat 3]
     [--parts registration,search,startup,signing]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import nacl.signing
import sqlcipher3

from console.core import hsm, registry
from console.core.accounts import Session, login
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.store import PERSONAL_TABLES, sql_key

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The same people and office as the registry bench.
from bench_registry import PASSWORD, SYLLABLES, people
from bench_registry import new_office as registry_office

SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"


def new_office(folder: Path, *, encrypted: bool) -> Path:
    """bench_registry's office (admin and clerk), kept encrypted or turned back into the plain layout."""
    office = registry_office(folder)
    key = office.database_key
    office.close()
    if not encrypted and key is not None:
        make_plain(folder, key)
    return folder


def make_plain(folder: Path, key: bytes) -> None:
    """The layout before issue 17: the personal tables back in office.db, no personal.db."""
    conn = sqlcipher3.connect(str(folder / "office.db"), isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS p KEY ?", (str(folder / "personal.db"), sql_key(key)))
    conn.execute("BEGIN")
    for table in ("credentials", *[t for t in PERSONAL_TABLES if t != "credentials"]):
        for kind, sql in conn.execute(
            "SELECT type, sql FROM p.sqlite_master WHERE tbl_name = ? AND type IN ('table', 'index') "
            "AND sql IS NOT NULL ORDER BY type = 'index'",
            (table,),
        ).fetchall():
            conn.execute(sql)
            if kind == "table":
                conn.execute(f"INSERT INTO main.{table} SELECT * FROM p.{table}")
    for (sql,) in conn.execute("SELECT sql FROM p.sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(sql)  # the citizens' counter: after the rows, which it already counts
    conn.execute("DELETE FROM key_wraps WHERE secret = 'database'")
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE p")
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{folder / 'personal.db'}{suffix}").unlink(missing_ok=True)


def clerk_of(folder: Path) -> Session:
    return login(Office(folder, kdf=KDF_PRESETS["min"]), "clerk", PASSWORD)


def bench_registration(root: Path, rows: int, repeat: int) -> dict[str, float]:
    best = {"plain": 0.0, "encrypted": 0.0}
    for run in range(repeat):
        for mode in ("plain", "encrypted"):
            folder = new_office(root / f"reg-{mode}-{run}", encrypted=mode == "encrypted")
            clerk = clerk_of(folder)
            inputs = people(rows, seed=run)
            start = time.perf_counter()
            registry.register_batch(clerk, inputs, chunk=5000)
            best[mode] = max(best[mode], rows / (time.perf_counter() - start))
            clerk.office.close()
            shutil.rmtree(folder)
    return best


def load(clerk: Session, count: int) -> list[str]:
    rng = random.Random(2)
    conn = clerk.office.db.conn
    conn.execute("BEGIN")
    numbers, batch = [], []
    for i in range(count):
        family = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        given = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        born = date.fromordinal(date(1930, 1, 1).toordinal() + rng.randrange(32000)).isoformat()
        number = f"{2000000000 + i * 7:010d}"
        numbers.append(number)
        batch.append((number, family.capitalize(), given.capitalize(), family.upper(), given.upper(),
                      f"{family.upper()} {given.upper()}", born, rng.choice("FM"), "EST", "HQ-01",
                      "2026-12-03T00:00:00Z", "clerk"))  # fmt: skip
        if len(batch) == 20000 or i == count - 1:
            conn.executemany(
                "INSERT INTO citizens (id_number, family_name, given_name, latin_family, latin_given, match_key, "
                "birth_date, sex, birthplace, office_code, registered_at, registered_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
            batch = []
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    return numbers


def bench_search(folders: dict[str, Path], numbers: list[str]) -> dict[str, dict[str, tuple[float, float]]]:
    rng = random.Random(3)
    queries = {
        "ID number": [rng.choice(numbers) for _ in range(300)],
        "name prefix": ["".join(rng.choice(SYLLABLES) for _ in range(2))[:3] for _ in range(300)],
        "birth date": [
            date.fromordinal(date(1960, 1, 1).toordinal() + rng.randrange(20000)).isoformat() for _ in range(300)
        ],
    }
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for mode, folder in folders.items():
        clerk = clerk_of(folder)
        out[mode] = {}
        for kind, texts in queries.items():
            times = []
            for text in texts:
                t0 = time.perf_counter()
                registry.search(clerk, text)
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            out[mode][kind] = (statistics.median(times), times[int(len(times) * 0.95)])
        clerk.office.close()
    return out


def bench_startup(folders: dict[str, Path]) -> dict[str, dict[str, tuple[float, float]]]:
    """(median, best) in ms of 15 alternating runs: on a shared machine the best is the cost, the median the wait.

    "open, login, count" is what the console does before its first screen (the count from the counter row since
    issue 17); "the count alone" is that step by itself, and "COUNT(*)" the scan it replaced, for comparison.
    """
    labels = ("(open, login, count)", "count alone", "COUNT(*) it replaced")
    times: dict[str, dict[str, list[float]]] = {label: {mode: [] for mode in folders} for label in labels}
    for _ in range(15):
        for mode, folder in folders.items():
            t0 = time.perf_counter()
            clerk = clerk_of(folder)
            t1 = time.perf_counter()
            registry.count_citizens(clerk)
            t2 = time.perf_counter()
            times[labels[0]][mode].append(t2 - t0)
            times[labels[1]][mode].append(t2 - t1)
            clerk.office.close()
            clerk = clerk_of(folder)  # a fresh process's page cache again: the scan reads every page
            t3 = time.perf_counter()
            clerk.office.db.execute("SELECT COUNT(*) FROM citizens").fetchone()
            times[labels[2]][mode].append(time.perf_counter() - t3)
            clerk.office.close()
    return {
        label: {mode: (statistics.median(v) * 1000, min(v) * 1000) for mode, v in per_mode.items()}
        for label, per_mode in times.items()
    }


def bench_signing(root: Path, count: int) -> tuple[float, float | None]:
    message = os.urandom(300)
    software = nacl.signing.SigningKey.generate()
    t0 = time.perf_counter()
    for _ in range(count):
        software.sign(message)
    software_rate = count / (time.perf_counter() - t0)
    if not Path(SOFTHSM).exists() or shutil.which("softhsm2-util") is None:
        return software_rate, None
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", "bench", "--pin", "1234", "--so-pin", "5678"],
        check=True,
        capture_output=True,
    )
    pin: Callable[[], str] = lambda: "1234"  # noqa: E731
    public = hsm.generate_key(SOFTHSM, "bench", pin, "bench")
    from console.core import cose

    key = hsm.TokenSigningKey(hsm.TokenPlace(SOFTHSM, "bench", cose.key_id(public)), public, pin)
    key.sign(message)  # log in once, as the console does
    t0 = time.perf_counter()
    for _ in range(count):
        key.sign(message)
    return software_rate, count / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--citizens", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--signatures", type=int, default=3000)
    parser.add_argument(
        "--parts", default="registration,search,startup,signing", help="comma-separated: which measures to run"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if "registration" in parts:
            rates = bench_registration(root, args.rows, args.repeat)
            print(
                f"registration ({args.rows:,} per run, best of {args.repeat}): plain {rates['plain']:,.0f}/s, "
                f"encrypted {rates['encrypted']:,.0f}/s ({(rates['plain'] / rates['encrypted'] - 1) * 100:+.1f} % time)"
            )
        if parts & {"search", "startup"}:
            folders = {mode: new_office(root / mode, encrypted=mode == "encrypted") for mode in ("plain", "encrypted")}
            for folder in folders.values():
                clerk = clerk_of(folder)
                numbers = load(clerk, args.citizens)
                clerk.office.close()
        if "search" in parts:
            search = bench_search(folders, numbers)
            for kind in search["plain"]:
                (p50, p95), (e50, e95) = search["plain"][kind], search["encrypted"][kind]
                print(
                    f"search {kind:12s} over {args.citizens:,}: plain p50 {p50:.2f} ms p95 {p95:.2f} ms; "
                    f"encrypted p50 {e50:.2f} ms p95 {e95:.2f} ms"
                )
        if "startup" in parts:
            startup = bench_startup(folders)
            for label, values in startup.items():
                print(
                    f"start-up {label} ({args.citizens:,} citizens), 15 runs: plain median {values['plain'][0]:.1f} ms "
                    f"best {values['plain'][1]:.1f} ms; encrypted median {values['encrypted'][0]:.1f} ms best "
                    f"{values['encrypted'][1]:.1f} ms ({(values['encrypted'][1] / values['plain'][1] - 1) * 100:+.0f} %)"
                )
        if "signing" in parts:
            software, token = bench_signing(root, args.signatures)
            token_text = f"{token:,.0f}/s" if token is not None else "SoftHSM2 not installed"
            print(f"Ed25519 signing, 300 B: software (PyNaCl) {software:,.0f}/s, token (SoftHSM2) {token_text}")
            hsm.forget_sessions()


if __name__ == "__main__":
    main()
