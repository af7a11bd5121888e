"""Every speed figure of issue 16, each beside its raw floor measured in the same run, with the ratio.

Run: ``python bench/run.py`` (or ``python -m bench``) for the full sizes, ``--quick`` for a CI smoke run (small
sizes, one run, no goals checked), ``--runs 3`` for the ranges docs/performance.md quotes, ``--only NAME ...`` for
some rows. The machine is shared, so each in-process figure is timed in CPU time of this process
(`time.process_time`; wall time is printed beside it) and each floor is measured in the same run right next to
it: the ratio is the figure to trust. Start-up figures are whole processes: the child's own CPU time (from
`os.wait4`) and its wall time, alternating with the floor process run for run.

Rows (goal from the issue):
  register_fresh   registration through the services into a fresh office vs the same rows into the same schema
  register_grown   the same into an office that already holds --grown people (built through the services)
  search           two-word name search p95 in that office (goal <= 20 ms at 1,000,000)
  register_1m      registration into an office of --million (default 1,000,000) citizens loaded directly (one
                   executemany), beside the same rows into that same table, rolled back
  search_1m        two-word name search p95 in that office
  issue            `issue_batch` vs a minimal pipeline (CBOR, Ed25519 sign, zlib, Base45, the SQLite rows)
                   (goal >= 75 %)
  verify           `issuance.verify` with status vs raw PyNaCl verify (goal >= 50 %)
  cards            PDF card fronts vs blank ID-1 pages with a precomputed QR image (goal >= 300/s)
  ledger_append    events.append_event (sealed link) vs raw Ed25519 sign (goal >= 5,000/s)
  ledger_sync      a fresh office syncs a folder vs raw Ed25519 verify (goal >= 10,000/s)
  cli              `id-console verify TEXT`, `validate-id`, `--version` vs `python -c pass` (goal <= 4x)
  gui              desktop console to its painted login window vs `python -c pass` (goal < 2 s)
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import cbor2  # noqa: E402
import nacl.signing  # noqa: E402
from bench_registry import PASSWORD, PLACES, SYLLABLES, new_office, people  # noqa: E402

from console.core import issuance, registry  # noqa: E402
from console.core.accounts import Session, login  # noqa: E402
from console.core.b45 import b45encode  # noqa: E402
from console.core.office import Office  # noqa: E402


@dataclass
class Row:
    """One figure beside its floor; `higher` says which way is better (rates) or worse (times)."""

    name: str
    value: float
    unit: str
    floor_name: str
    floor: float | None
    goal: str
    higher: bool = True
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """The figure as a share of its floor (rates) or as a multiple of it (times)."""
        if not self.floor:
            return None
        return self.value / self.floor


@dataclass
class Sizes:
    register: int
    grown: int
    search_queries: int
    credentials: int
    cards: int
    starts: int
    ledger: int = 5_000
    million: int = 1_000_000


FULL = Sizes(register=20_000, grown=200_000, search_queries=300, credentials=5_000, cards=600, starts=7)
QUICK = Sizes(
    register=1_000, grown=3_000, search_queries=30, credentials=300, cards=30, starts=2, ledger=300, million=5_000
)


@contextmanager
def timed() -> Iterator[dict[str, float]]:
    """CPU and wall seconds of the block."""
    out: dict[str, float] = {}
    cpu, wall = time.process_time(), time.perf_counter()
    yield out
    out["cpu"] = time.process_time() - cpu
    out["wall"] = time.perf_counter() - wall


# ------------------------------------------------------------------------------------------------ registry


def _schema_floor(office: Office, folder: Path) -> float:
    """Rows per CPU second of a plain executemany of the office's citizens rows into a fresh database with the
    same citizens table and indexes (no checks, no events): what SQLite alone costs for those rows."""
    conn = office.db.conn
    ddl: list[str] = []
    for _seq, schema, _file in conn.execute("PRAGMA database_list").fetchall():  # the citizens may be in personal.db
        ddl += [
            sql
            for (sql,) in conn.execute(
                f"SELECT sql FROM {schema}.sqlite_master WHERE tbl_name = 'citizens' AND sql IS NOT NULL"
                " AND type IN ('table', 'index') ORDER BY type DESC"
            )
        ]
    rows = conn.execute("SELECT * FROM citizens").fetchall()
    marks = ", ".join("?" * len(rows[0]))
    plain_path = folder / f"floor-{random.random()}.db"
    plain = sqlite3.connect(plain_path, isolation_level=None)
    plain.execute("PRAGMA journal_mode = WAL")
    plain.execute("PRAGMA synchronous = NORMAL")
    for sql in ddl:
        plain.execute(sql)
    with timed() as t:
        plain.execute("BEGIN")
        for start in range(0, len(rows), 5_000):
            plain.executemany(f"INSERT INTO citizens VALUES ({marks})", rows[start : start + 5_000])
        plain.execute("COMMIT")
    plain.close()
    plain_path.unlink()
    return len(rows) / t["cpu"]


def _io() -> tuple[int, int]:
    """Bytes this process has read and written through system calls so far (/proc/self/io rchar, wchar): what
    SQLite reads and writes (pages, WAL, checkpoints), whatever the page cache of the system then does."""
    try:
        fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
        return int(fields["rchar"]), int(fields["wchar"])
    except (OSError, KeyError, ValueError):
        return 0, 0


def _io_note(before: tuple[int, int], count: int) -> str:
    """Read and written KiB per person since `before` (the write amplification of a registration)."""
    read, written = (b - a for a, b in zip(before, _io(), strict=True))
    return f"{written / count / 1024:.1f} KiB written, {read / count / 1024:.1f} KiB read a person"


def _register(clerk: Session, count: int, seed: int) -> tuple[float, float, int, str]:
    inputs = people(count, seed=seed)
    io = _io()
    with timed() as t:
        result = registry.register_batch(clerk, inputs, chunk=5_000, hold_seconds=3_600)
    return count / t["cpu"], count / t["wall"], len(result.registered), _io_note(io, count)


def bench_registry_rows(sizes: Sizes, folder: Path, only: set[str]) -> list[Row]:
    rows: list[Row] = []
    office = new_office(folder / "registry")
    clerk = login(office, "clerk", PASSWORD)
    if {"register_fresh", "register_grown", "search"} & only:
        cpu_rate, wall_rate, _n, io = _register(clerk, sizes.register, seed=1)
        floor = _schema_floor(office, folder)
        rows.append(
            Row(
                "register_fresh",
                cpu_rate,
                "/s",
                "same rows, same schema",
                floor,
                ">= 10,000/s",
                note=f"wall {wall_rate:,.0f}/s; {io}",
            )
        )
    if {"register_grown", "search"} & only:
        grow = max(0, sizes.grown - sizes.register)
        for start in range(0, grow, 50_000):
            registry.register_batch(
                clerk, people(min(50_000, grow - start), seed=100 + start), chunk=5_000, hold_seconds=3_600
            )
        held = int(office.db.conn.execute("SELECT COUNT(*) FROM citizens").fetchone()[0])
        if "register_grown" in only:
            cpu_rate, wall_rate, _n, io = _register(clerk, sizes.register, seed=2)
            floor = _schema_floor(office, folder) if held < 300_000 else None
            rows.append(
                Row(
                    "register_grown",
                    cpu_rate,
                    "/s",
                    f"same rows, same schema (office of {held:,})",
                    floor,
                    ">= 10,000/s at 1,000,000",
                    note=f"wall {wall_rate:,.0f}/s; {io}",
                )
            )
        if "search" in only:
            rows.append(_search(clerk, office, sizes.search_queries, held))
    return rows


def _load_directly(office: Office, count: int, seed: int) -> None:
    """`count` citizens written straight into the office's table (one executemany a 50,000 rows, one transaction):
    the bench's people with their Latin forms and match keys as registration makes them, numbers outside the
    uin-10 range (so later registrations never collide). Minutes instead of the services' hour at 1,000,000."""
    from console.core import names

    rng = random.Random(seed)
    start = date(1930, 1, 1).toordinal()
    conn = office.db.conn
    conn.execute("BEGIN")
    for first in range(0, count, 50_000):
        batch = []
        for i in range(first, min(count, first + 50_000)):
            family = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).upper()
            given = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).upper()
            batch.append(
                (
                    f"L{i:09d}",
                    family.capitalize(),
                    given.capitalize(),
                    family,
                    given,
                    names.fold_key(f"{family} {given}"),
                    date.fromordinal(start + rng.randrange(32000)).isoformat(),
                    rng.choice("FM"),
                    rng.choice(PLACES),
                    "HQ-01",
                    "2026-12-03T00:00:00Z",
                    "clerk",
                )
            )
        conn.executemany(
            "INSERT INTO citizens (id_number, family_name, given_name, latin_family, latin_given, match_key, "
            "birth_date, sex, birthplace, office_code, registered_at, registered_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            batch,
        )
    conn.execute("COMMIT")


def _floor_in_place(office: Office, numbers: list[str]) -> float:
    """Rows per CPU second of an executemany of these citizens' rows (under other numbers) into the same table of
    the same office, rolled back: what SQLite alone costs for those rows at this size."""
    conn = office.db.conn
    marks = ",".join("?" * len(numbers))
    rows = [
        ("F" + row[0], *row[1:])
        for row in conn.execute(f"SELECT * FROM citizens WHERE id_number IN ({marks})", numbers)
    ]
    values = ", ".join("?" * len(rows[0]))
    conn.execute("BEGIN")
    with timed() as t:
        for start in range(0, len(rows), 5_000):
            conn.executemany(f"INSERT INTO citizens VALUES ({values})", rows[start : start + 5_000])
    conn.execute("ROLLBACK")
    return len(rows) / t["cpu"]


def bench_million_rows(sizes: Sizes, folder: Path, only: set[str]) -> list[Row]:
    """Registration and search in an office of `sizes.million` citizens loaded directly (see `_load_directly`)."""
    office = new_office(folder / "million")
    clerk = login(office, "clerk", PASSWORD)
    with timed() as load:
        _load_directly(office, sizes.million, seed=11)
    held = int(office.db.conn.execute("SELECT COUNT(*) FROM citizens").fetchone()[0])
    rows: list[Row] = []
    if "register_1m" in only:
        registry.register_batch(clerk, people(1_000, seed=12), chunk=5_000, hold_seconds=3_600)  # uin-10 tables
        inputs = people(sizes.register, seed=13)
        io = _io()
        with timed() as t:
            result = registry.register_batch(clerk, inputs, chunk=5_000, hold_seconds=3_600)
        io_note = _io_note(io, len(inputs))
        floor = _floor_in_place(office, result.registered)
        rows.append(
            Row(
                "register_1m",
                len(inputs) / t["cpu"],
                "/s",
                f"same rows into the same table of {held:,}, rolled back",
                floor,
                ">= 10,000/s at 1,000,000",
                note=f"wall {len(inputs) / t['wall']:,.0f}/s; {io_note}; {len(result.held)} held; office loaded in "
                f"{load['cpu']:.0f} s CPU",
            )
        )
    if "search_1m" in only:
        row = _search(clerk, office, sizes.search_queries, held)
        rows.append(Row("search_1m", row.value, row.unit, "", None, row.goal, higher=False, note=row.note))
    return rows


def _search(clerk: Session, office: Office, queries: int, held: int) -> Row:
    rng = random.Random(7)
    names = office.db.conn.execute(
        "SELECT family_name, given_name FROM citizens ORDER BY random() LIMIT ?", (queries,)
    ).fetchall()
    texts = [f"{family[: rng.randint(2, 5)]} {given[: rng.randint(2, 4)]}" for family, given in names]
    cpu: list[float] = []
    wall: list[float] = []
    for text in texts:
        started, started_cpu = time.perf_counter(), time.process_time()
        registry.search(clerk, text)
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    cpu.sort()
    wall.sort()

    def p95(xs: list[float]) -> float:
        return xs[int(0.95 * (len(xs) - 1))] * 1000

    return Row(
        "search",
        p95(cpu),
        " ms p95 CPU",
        "",
        None,
        "<= 20 ms at 1,000,000",
        higher=False,
        note=f"{held:,} people, {len(texts)} two-word queries; p50 {statistics.median(cpu) * 1000:.1f} ms CPU; "
        f"wall p95 {p95(wall):.1f} ms",
    )


# ------------------------------------------------------------------------------------------------ credentials


def _minimal_pipeline(count: int, folder: Path) -> float:
    """Per CPU second: claims as CBOR, Ed25519 signature, zlib, Base45, and the credential row and an event row
    written in transactions of 1,000 — the least any issuing can do."""
    key = nacl.signing.SigningKey.generate()
    path = folder / f"minimal-{random.random()}.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE credentials (id BLOB PRIMARY KEY, id_number TEXT, issued_at TEXT, qr TEXT)")
    conn.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, entry BLOB)")
    with timed() as t:
        for start in range(0, count, 1_000):
            conn.execute("BEGIN")
            for i in range(start, min(count, start + 1_000)):
                cid = os.urandom(16)
                claims = {
                    1: "https://ids.bench.example",
                    4: 2_000_000_000,
                    6: 1_700_000_000,
                    169: {1: f"2{i:09d}", 4: "Roe Ann", 8: 19900130},
                }
                payload = cbor2.dumps(claims)
                signed = key.sign(payload)
                text = b45encode(zlib.compress(bytes(signed), 9))
                conn.execute("INSERT INTO credentials VALUES (?, ?, ?, ?)", (cid, f"2{i:09d}", "2026-12-03", text))
            conn.execute("INSERT INTO events (entry) VALUES (?)", (key.sign(cbor2.dumps([cid] * 50)),))
            conn.execute("COMMIT")
    conn.close()
    path.unlink()
    return count / t["cpu"]


def _raw_verify(count: int) -> float:
    key = nacl.signing.SigningKey.generate()
    signed = key.sign(b"x" * 300)
    verify_key = key.verify_key
    with timed() as t:
        for _ in range(count):
            verify_key.verify(signed)
    return count / t["cpu"]


def bench_credential_rows(sizes: Sizes, folder: Path, only: set[str]) -> list[Row]:
    rows: list[Row] = []
    office = new_office(folder / "credentials")
    clerk = login(office, "clerk", PASSWORD)
    numbers = registry.register_batch(
        clerk, people(sizes.credentials, seed=3), chunk=5_000, hold_seconds=3_600
    ).registered
    with timed() as t:
        issued = issuance.issue_batch(clerk, numbers)
    issue_rate = len(issued) / t["cpu"]
    if "issue" in only:
        floor = _minimal_pipeline(len(issued), folder)
        rows.append(
            Row(
                "issue",
                issue_rate,
                "/s",
                "CBOR+sign+zlib+Base45+SQLite rows",
                floor,
                ">= 75 % of floor",
                note=f"wall {len(issued) / t['wall']:,.0f}/s",
            )
        )
    if "verify" in only:
        trust = issuance.trust_list(office)
        texts = [i.qr for i in issued]
        issuance.verify(texts[0], trust=trust, office=office)  # caches: trust keys, status
        floor = _raw_verify(len(texts))
        with timed() as t:
            valid = sum(issuance.verify(text, trust=trust, office=office).valid for text in texts)
        assert valid == len(texts), "a freshly issued credential did not verify"
        rows.append(
            Row(
                "verify",
                len(texts) / t["cpu"],
                "/s",
                "PyNaCl Ed25519 verify",
                floor,
                ">= 50 % of floor",
                note=f"wall {len(texts) / t['wall']:,.0f}/s",
            )
        )
    return rows


# ------------------------------------------------------------------------------------------------ cards


def bench_card_rows(sizes: Sizes, folder: Path, only: set[str]) -> list[Row]:
    from io import BytesIO

    from bench_cards import _cards
    from PIL import Image
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from console.core import qr
    from console.core.cards import render_cards

    batch = _cards(sizes.cards)
    render_cards(batch[:2])  # fonts and modules loaded once, as in a running console
    with timed() as t:
        render_cards(batch)
    value = len(batch) / t["cpu"]
    rows = qr.qr_rows(batch[0].qr_text)
    image = Image.new("1", (len(rows[0]), len(rows)), 1)
    image.putdata([0 if dark else 1 for row in rows for dark in row])
    image = image.resize((len(rows[0]) * 8, len(rows) * 8), Image.Resampling.NEAREST)
    reader = ImageReader(image)
    with timed() as f:
        out = BytesIO()
        pdf = canvas.Canvas(out, pagesize=(85.6 * mm, 54 * mm))
        for _card in batch:
            pdf.drawImage(reader, 50 * mm, 10 * mm, 30 * mm, 30 * mm)
            pdf.showPage()
        pdf.save()
    floor = len(batch) / f["cpu"]
    return [
        Row(
            "cards",
            value,
            "/s",
            "blank ID-1 pages, precomputed QR image",
            floor,
            ">= 300/s fronts",
            note=f"wall {len(batch) / t['wall']:,.0f}/s",
        )
    ]


# ------------------------------------------------------------------------------------------------ ledger


def bench_ledger_rows(sizes: Sizes, folder: Path, only: set[str]) -> list[Row]:
    """Ledger append and a fresh folder sync through the ledger branch's own bench helpers (bench_ledger.py),
    each beside raw Ed25519 in the same run (the ledger's code is that branch's; these rows only time it)."""
    import bench_ledger

    key = nacl.signing.SigningKey.generate()
    message = os.urandom(300)
    with timed() as t:
        signed = [key.sign(message) for _ in range(sizes.ledger)]
    sign_floor = sizes.ledger / t["cpu"]
    verify_floor = _raw_verify(sizes.ledger)
    del signed
    hq, member = bench_ledger.make_offices(folder / "ledger-offices")
    rows: list[Row] = []
    wall_rate = bench_ledger.append(member, sizes.ledger, sealed=True)
    rows.append(
        Row(
            "ledger_append",
            bench_ledger.CPU["append"],
            "/s",
            "Ed25519 sign",
            sign_floor,
            ">= 5,000/s",
            note=f"wall {wall_rate:,.0f}/s; events.append_event with a sealed link, 1,000 a transaction",
        )
    )
    if "ledger_sync" in only:
        bench_ledger.FOLDER = folder / "ledger-folder"
        bench_ledger.FOLDER.mkdir(parents=True, exist_ok=True)
        bench_ledger.publish(member)
        seconds, report = bench_ledger.timed_sync(hq)
        applied = int(report["applied"].get("B-02", 0))
        assert report["errors"] == [] and applied >= sizes.ledger, report
        rows.append(
            Row(
                "ledger_sync",
                applied / bench_ledger.CPU["sync_seconds"],
                "/s",
                "Ed25519 verify",
                verify_floor,
                ">= 10,000/s",
                note=f"wall {applied / seconds:,.0f}/s; a fresh office syncs {applied:,} entries from a folder",
            )
        )
    return rows


# ------------------------------------------------------------------------------------------------ start-up


def _process(argv: list[str], env: dict[str, str], until: str | None = None) -> tuple[float, float]:
    """CPU seconds (user + sys, from the kernel) and wall seconds of one child process; with `until`, the wall
    time is taken when the child prints that line."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert child.stdout is not None
    wall = None
    for line in child.stdout:
        if until is not None and line.strip() == until and wall is None:
            wall = time.perf_counter() - started
    _pid, _status, usage = os.wait4(child.pid, 0)
    if wall is None:
        wall = time.perf_counter() - started
    return usage.ru_utime + usage.ru_stime, wall


def bench_start_rows(sizes: Sizes, folder: Path, only: set[str]) -> list[Row]:
    import compileall

    # an installed console has its bytecode compiled; a checkout run with PYTHONDONTWRITEBYTECODE would
    # otherwise compile every changed module in every start
    compileall.compile_dir(ROOT / "console", quiet=1)
    rows: list[Row] = []
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    python = [sys.executable]
    floor_cmd = [*python, "-c", "pass"]
    if "cli" in only:
        data = folder / "cli-office"
        office = new_office(data)
        clerk = login(office, "clerk", PASSWORD)
        number = registry.register_batch(clerk, people(1, seed=9)).registered[0]
        text = issuance.issue(clerk, number).qr
        office.close()
        cli_env = env
        commands = {
            "cli verify TEXT": [*python, "-m", "console.cli", "--data-dir", str(data), "verify", text, "--json"],
            "cli validate-id": [*python, "-m", "console.cli", "validate-id", number, "--scheme", "uin-10"],
            "cli --version": [*python, "-m", "console.cli", "--version"],
        }
        for name, argv in commands.items():
            pairs = [(_process(argv, cli_env), _process(floor_cmd, env)) for _ in range(sizes.starts + 1)][1:]
            cpu = statistics.median(a[0] for a, _b in pairs)
            wall = statistics.median(a[1] for a, _b in pairs)
            floor_cpu = statistics.median(b[0] for _a, b in pairs)
            floor_wall = statistics.median(b[1] for _a, b in pairs)
            rows.append(
                Row(
                    name,
                    cpu * 1000,
                    " ms CPU",
                    "python -c pass",
                    floor_cpu * 1000,
                    "<= 4x floor",
                    higher=False,
                    note=f"wall {wall * 1000:.0f} ms against {floor_wall * 1000:.0f} ms; medians of {len(pairs)} "
                    "alternating runs",
                )
            )
    if "gui" in only:
        from bench_startup import CHILD

        from console.core.keystore import KDF_PRESETS
        from console.demo import ensure_demo_office

        demo = folder / "demo"
        ensure_demo_office(demo, kdf=KDF_PRESETS["interactive"])
        argv = [*python, "-c", CHILD, str(demo)]
        pairs = [
            (_process(argv, env, until="READY"), _process(floor_cmd, env)) for _ in range(max(2, sizes.starts // 2) + 1)
        ][1:]
        rows.append(
            Row(
                "gui first paint",
                statistics.median(a[1] for a, _b in pairs) * 1000,
                " ms",
                "python -c pass",
                statistics.median(b[1] for _a, b in pairs) * 1000,
                "< 2,000 ms",
                higher=False,
                note=f"CPU {statistics.median(a[0] for a, _b in pairs) * 1000:.0f} ms (whole process, to exit)",
            )
        )
    return rows


# ------------------------------------------------------------------------------------------------ report

GROUPS: list[tuple[set[str], Callable[[Sizes, Path, set[str]], list[Row]]]] = [
    ({"register_fresh", "register_grown", "search"}, bench_registry_rows),
    ({"register_1m", "search_1m"}, bench_million_rows),
    ({"issue", "verify"}, bench_credential_rows),
    ({"cards"}, bench_card_rows),
    ({"ledger_append", "ledger_sync"}, bench_ledger_rows),
    ({"cli", "gui"}, bench_start_rows),
]
NAMES = set().union(*(names for names, _ in GROUPS))


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _fmt(x: float | None, unit: str = "") -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}{unit}" if abs(x) >= 100 else f"{x:,.1f}{unit}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one run (CI smoke; no goals)")
    parser.add_argument("--runs", type=int, default=None, help="repeat everything this many times (default 3, quick 1)")
    parser.add_argument("--only", nargs="+", choices=sorted(NAMES), help="just these rows")
    parser.add_argument("--grown", type=int, help="people in the office for register_grown and search")
    parser.add_argument("--million", type=int, help="people loaded directly for register_1m and search_1m")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.grown:
        sizes = Sizes(**{**sizes.__dict__, "grown": args.grown})
    if args.million:
        sizes = Sizes(**{**sizes.__dict__, "million": args.million})
    runs = args.runs or (1 if args.quick else 3)
    only = set(args.only or NAMES)
    load = os.getloadavg()
    print(
        f"{_cpu_model()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()} "
        f"{platform.release()}; load average {load[0]:.1f} at start; {runs} run(s){' (quick)' if args.quick else ''}"
    )
    results: dict[str, list[Row]] = {}
    for _run in range(runs):
        with tempfile.TemporaryDirectory(prefix="id-console-bench-") as temp:
            for names, group in GROUPS:
                if names & only:
                    for row in group(sizes, Path(temp), only):
                        results.setdefault(row.name, []).append(row)
                        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}"
                        print(
                            f"  {row.name:16} {_fmt(row.value, row.unit):>14}   floor {_fmt(row.floor, row.unit):>14} "
                            f"({row.floor_name})   ratio {ratio}   {row.note}",
                            flush=True,
                        )
    print(
        "\nSummary (min–max over runs; rates per CPU second of this process, CLI start in the child's CPU ms, GUI "
        "start in wall ms):"
    )
    print(f"| {'figure':18} | {'measured':>22} | {'floor':>22} | {'ratio':>12} | goal |")
    for name, rows in results.items():
        values = [r.value for r in rows]
        floors = [r.floor for r in rows if r.floor]
        ratios = [r.ratio for r in rows if r.ratio is not None]

        def span(xs: list[float], unit: str = "") -> str:
            return "—" if not xs else f"{_fmt(min(xs))}–{_fmt(max(xs))}{unit}" if len(xs) > 1 else _fmt(xs[0], unit)

        ratio_text = (
            "—" if not ratios else (f"{min(ratios):.2f}–{max(ratios):.2f}" if len(ratios) > 1 else f"{ratios[0]:.2f}")
        )
        print(
            f"| {name:18} | {span(values, rows[0].unit):>22} | {span(floors):>22} | {ratio_text:>12} | {rows[0].goal} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
