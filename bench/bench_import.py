"""Import of many people sharing one birth date: is it linear, and do other officers wait less than a second?

Registers N people (default 100,000) all born the same day, with distinct names, through the streaming import
(`registry.register_stream`, what `id-console import` runs), and prints the time per 5,000 rows, which must stay
flat (the duplicate check is indexed): wall time, and this process's CPU time (which other work on a shared
machine does not inflate). Meanwhile a second process logs in as another officer and writes
(a login is itself a write: last login, audit) every half second, and prints how long each took; the import's
short transactions must keep each under one second.

    .venv/bin/python bench/bench_import.py [N] [--spread]

With --spread the same names get birth dates spread over 1940-2009 (about 25,000 days, as a real registry):
the control run. Equal birth dates cost nothing extra when the two runs' figures per 5,000 rows agree; what
both show growing is the database getting larger (B-tree depth, commits), not the duplicate check.
"""

from __future__ import annotations

import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from console.core import officers, registry
from console.core.accounts import login
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.setup import OfficeSetup, init_office

ADMIN_PW, CLERK_PW, OTHER_PW = "amber-tulip-4711", "cedar-river-2718", "coral-meadow-3141"
SYLLABLES = [a + b for a in "BDFGKLMNPRSTVZ" for b in "AEIOU"]

OTHER_OFFICER = r"""
import json, sys, time
from pathlib import Path
from console.core.accounts import login
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core import cardservice, store
waited = [0.0]
begin = store._begin
def timed_begin(conn):  # time spent waiting for the write lock (BEGIN IMMEDIATE), apart from disk and CPU
    t = time.perf_counter()
    try:
        return begin(conn)
    finally:
        waited[0] += time.perf_counter() - t
store._begin = timed_begin
office = Office(Path(sys.argv[1]), kdf=KDF_PRESETS["min"])
stop = Path(sys.argv[2])
n = 0
while not stop.exists():
    t0 = time.perf_counter()
    waited[0] = 0.0
    session = login(office, "other", sys.argv[3])
    t1 = time.perf_counter()
    cardservice.set_printer_offsets(session, f"printer {n % 5}", (0.1, 0.2))
    t2 = time.perf_counter()
    print(json.dumps({"at": time.time(), "login": t1 - t0, "write": t2 - t1, "lock": waited[0]}), flush=True)
    n += 1
    time.sleep(0.5)
"""


def name(rnd: random.Random) -> str:
    return "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))).title()


def main() -> None:
    numbers = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(numbers[0]) if numbers else 100_000
    spread = "--spread" in sys.argv
    first_day = date(1940, 1, 1).toordinal()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-")) / "office"
    setup = OfficeSetup("Bench Authority", "ids.bench.example", "HQ-01", "Central", "uin-10", "admin", "Ad", ADMIN_PW)
    init_office(folder, setup, kdf=KDF_PRESETS["min"])
    office = Office(folder, kdf=KDF_PRESETS["min"])
    admin = login(office, "admin", ADMIN_PW)
    officers.add_officer(admin, username="clerk", role="clerk", full_name="Clerk", password=CLERK_PW)
    officers.add_officer(admin, username="other", role="clerk", full_name="Other", password=OTHER_PW)
    clerk = login(office, "clerk", CLERK_PW)
    rnd = random.Random(12)
    seen: set[tuple[str, str]] = set()
    people = []
    while len(people) < count:
        family, given = name(rnd), name(rnd)
        if (family, given) not in seen:
            seen.add((family, given))
            born = date.fromordinal(first_day + rnd.randrange(25_500)).isoformat() if spread else "1985-06-15"
            people.append(registry.PersonInput(family, given, born, rnd.choice("FM"), "EST"))

    stop = folder.parent / "stop"
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_OFFICER, str(folder), str(stop), OTHER_PW],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    time.sleep(3.0)  # the other officer's idle figures first
    import_started = time.time()
    block = 5000
    per_block: list[float] = []
    cpu_block: list[float] = []
    registered = held = 0
    t_block = time.perf_counter()
    c_block = time.process_time()
    done_block = 0
    started = time.perf_counter()
    for part in registry.register_stream(clerk, enumerate(people)):
        registered += len(part.registered)
        held += len(part.held)
        while part.handled >= done_block + block:
            now, cpu = time.perf_counter(), time.process_time()
            per_block.append(now - t_block)
            cpu_block.append(cpu - c_block)
            t_block, c_block = now, cpu
            done_block += block
    total = time.perf_counter() - started
    import_ended = time.time()
    time.sleep(3.0)  # and idle again after
    stop.touch()
    out, _err = other.communicate(timeout=60)
    waits = [json.loads(line) for line in out.splitlines() if line.strip()]

    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    born = "born over 25,500 days (--spread)" if spread else "born 1985-06-15"
    print(f"{count:,} people {born}: {registered:,} registered, {held:,} held, {total:.1f} s in all")
    print("seconds per 5,000 rows (wall): " + ", ".join(f"{t:.1f}" for t in per_block))
    print("seconds per 5,000 rows (this process's CPU): " + ", ".join(f"{t:.1f}" for t in cpu_block))
    if per_block:
        print(
            f"first {per_block[0]:.1f} s, last {per_block[-1]:.1f} s, ratio last/first {per_block[-1] / per_block[0]:.2f}"
        )
    for label, chosen in (
        ("idle (before and after)", [w for w in waits if not import_started <= w["at"] <= import_ended]),
        ("during the import", [w for w in waits if import_started <= w["at"] <= import_ended]),
    ):
        logins = sorted(w["login"] for w in chosen)
        writes = sorted(w["write"] for w in chosen)
        if logins:
            locks = sorted(w["lock"] for w in chosen)
            print(
                f"other officer {label}: waiting for the write lock (BEGIN, all writes of one login + write): "
                f"median {locks[len(locks) // 2]:.3f} s, p99 {locks[int(len(locks) * 0.99)]:.3f} s, max {locks[-1]:.3f} s"
            )
            over = sum(1 for w in chosen if w["login"] + w["write"] > 1.0)
            print(
                f"other officer {label}: {len(chosen)} logins+writes; login median {logins[len(logins) // 2]:.3f} s, "
                f"p99 {logins[int(len(logins) * 0.99)]:.3f} s, max {logins[-1]:.3f} s; write median "
                f"{writes[len(writes) // 2]:.3f} s, max {writes[-1]:.3f} s; {over} took over 1 s"
            )


if __name__ == "__main__":
    main()
