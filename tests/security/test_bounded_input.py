"""Issue 12, point 4: inputs that took the console down (memory, time, exit 70) are now refused or bounded.

Figures are asserted with headroom (2 cores shared with other work): the bound is what matters, the
measured values are in docs/performance.md.
"""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from console.core import names, registry
from console.core.accounts import Session
from console.core.office import Office
from console.core.registry import PersonInput
from tests import rawdb
from tests.security.clihelp import ADMIN_PW, CLERK_PW, LAUNCH, SUPER_PW, cli, env, init_office, reap, spawn

HEADER = "family_name,given_name,birth_date,sex,birthplace\n"


@pytest.fixture(scope="module")
def cli_office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bounded") / "office"
    init_office(folder)
    return folder


def count(folder: Path, sql: str) -> int:
    conn = rawdb.connect(folder)  # the registry is in the encrypted personal.db (issue 17)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------------------
# verify --pdf: a small PDF of many huge pages


def test_pdf_of_fifty_huge_pages_is_rendered_page_by_page_in_bounded_memory(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(14400, 14400), pageCompression=1)  # 200 × 200 in, the PDF maximum
    for page in range(50):
        pdf.drawString(72, 72, f"page {page}")
        pdf.showPage()
    pdf.save()
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(buffer.getvalue())
    assert bomb.stat().st_size < 30_000  # a small file: 50 pages of 60,000 × 60,000 pixels at 300 dpi
    trust = tmp_path / "trust.json"
    trust.write_text('{"keys": []}')
    run = cli(tmp_path / "none", "verify", "--pdf", str(bomb), "--trust", str(trust), "--json")
    assert run.returncode == 1, run.err
    assert json.loads(run.out)["status"] == "malformed" and "No QR code" in json.loads(run.out)["reason"]
    # At 300 dpi all 50 pages kept would be 50 × 14 GB; one page at a time, capped at 12 Mpx, stays small.
    assert run.peak_rss_mb < 400, f"{run.peak_rss_mb:.0f} MB"
    assert run.seconds < 120


# ---------------------------------------------------------------------------------------------------------
# CSV import: size, encodings, huge fields, memory


def letters(number: int) -> str:
    """A name from a number (names take no digits): 0 → Baaaaa, 1 → Baaaab, …"""
    word = ""
    for _ in range(5):
        number, digit = divmod(number, 26)
        word = chr(97 + digit) + word
    return "B" + word


def line(i: int) -> str:
    return f"{letters(i)},{letters(i * 7 + 3)},19{50 + i % 50:02d}-0{1 + i % 9}-1{i % 10},{'FM'[i % 2]},EST\n"


def write_rows(path: Path, rows: int, *, start: int = 0) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER)
        for block in range(start, start + rows, 10_000):
            f.write("".join(line(i) for i in range(block, min(block + 10_000, start + rows))))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (HEADER.encode() + "Müller,Hans,1980-01-01,M,DEU\n".encode("latin-1"), "looks like Latin-1"),
        ((HEADER + "Müller,Hans,1980-01-01,M,DEU\n").encode("utf-16"), "UTF-16"),
        ((HEADER + "Müller,Hans,1980-01-01,M,DEU\n").encode("utf-16-le"), "NUL bytes"),
        ((HEADER + "Müller,Hans,1980-01-01,M,DEU\n").encode("utf-32"), "UTF-32"),
        ((HEADER + '"' + "A" * 60_000 + "\n" + "A" * 60_000 + '",x,1980-01-01,M,DEU\n').encode(), "field longer"),
        ((HEADER + "A" * 131_072 + ",x,1980-01-01,M,DEU\n").encode(), "longer than 64 KB"),
        (b"", "is empty"),
        (b"name,born\nx,y\n", "lacks the column"),
    ],
    ids=["latin-1", "utf-16-bom", "utf-16-no-bom", "utf-32", "131k-quoted-field", "131k-line", "empty", "header"],
)
def test_unreadable_csv_is_exit_2_with_a_sentence_and_nothing_saved(
    cli_office: Path, tmp_path: Path, content: bytes, expected: str
) -> None:
    events = count(cli_office, "SELECT COUNT(*) FROM events")
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    run = cli(cli_office, "import", "--as", "clara", str(path), password=CLERK_PW)
    assert run.returncode == 2, run.err
    assert expected in run.err and run.err.count("\n") == 1 and "bug" not in run.err
    if expected not in ("is empty", "lacks the column"):
        assert "UTF-8" in run.err or "field" in run.err or "64 KB" in run.err
    assert count(cli_office, "SELECT COUNT(*) FROM events") == events


def test_size_is_checked_before_login_without_reading_the_file(cli_office: Path, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(200 * 1024 * 1024 + 1)  # sparse: reading it would take seconds and memory
    run = cli(cli_office, "import", "--as", "clara", str(path), password="wrong password")
    assert run.returncode == 2 and "larger than 200 MB" in run.err
    assert run.seconds < 10 and run.peak_rss_mb < 150, (run.seconds, run.peak_rss_mb)


@pytest.mark.slow
def test_largest_allowed_csv_streams_in_bounded_memory_and_ctrl_c_reports_what_was_saved(
    cli_office: Path, tmp_path: Path
) -> None:
    path = tmp_path / "largest.csv"
    rows = 0
    with path.open("w", encoding="utf-8") as f:  # just under the 200 MB limit, every row a valid person
        f.write(HEADER)
        size = len(HEADER)
        while size < 200 * 1024 * 1024 - 100_000:
            block = "".join(line(i) for i in range(rows, rows + 1000))
            f.write(block)
            size += len(block)
            rows += 1000
    assert 199 * 1024 * 1024 < path.stat().st_size <= 200 * 1024 * 1024
    # Before login: the whole file is checked as a stream (a wrong password is refused after the check).
    refused = cli(cli_office, "import", "--as", "clara", str(path), password="not the password")
    assert refused.returncode == 4, refused.err
    assert refused.peak_rss_mb < 300, f"{refused.peak_rss_mb:.0f} MB"
    # The real import streams the same file; Ctrl-C stops it between transactions and says exactly what
    # was saved (it would take hours to finish on this machine).
    before = count(cli_office, "SELECT COUNT(*) FROM citizens")
    process = spawn(
        [
            *LAUNCH,
            sys.executable,
            "-m",
            "console.cli",
            "--data-dir",
            str(cli_office),
            "import",
            "--as",
            "clara",
            str(path),
        ],
        env(CLERK_PW),
    )
    deadline = time.monotonic() + 300
    while count(cli_office, "SELECT COUNT(*) FROM citizens") < before + 1500 and time.monotonic() < deadline:
        time.sleep(0.5)
    os.kill(process.pid, signal.SIGINT)
    code, _out, err, rss = reap(process, 120)
    saved = count(cli_office, "SELECT COUNT(*) FROM citizens") - before
    message = err.decode()
    assert code == 130, message
    assert f"Saved before that: {saved:,} registered" in message and "nothing was saved" not in message
    assert saved >= 1500 and rss < 300, (saved, rss)


def test_kill_with_sigterm_reports_what_was_saved(cli_office: Path, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    write_rows(path, 40_000, start=50_000_000)
    before = count(cli_office, "SELECT COUNT(*) FROM citizens")
    process = subprocess.Popen(
        [sys.executable, "-m", "console.cli", "--data-dir", str(cli_office), "import", "--as", "clara", str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(CLERK_PW),
    )
    deadline = time.monotonic() + 120
    while count(cli_office, "SELECT COUNT(*) FROM citizens") == before and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGTERM)  # not Popen.terminate: its poll() could reap the child first
    code, _out, err, _rss = reap(process, 60)
    saved = count(cli_office, "SELECT COUNT(*) FROM citizens") - before
    assert code == 130 and 0 < saved < 40_000, err.decode()
    assert f"Saved before that: {saved:,} registered and 0 held for review" in err.decode()


def test_disk_full_mid_import_reports_the_committed_numbers(tmp_path: Path) -> None:
    folder = tmp_path / "office"
    init_office(folder)
    path = tmp_path / "many.csv"
    write_rows(path, 30_000, start=60_000_000)
    db_size = sum(p.stat().st_size for p in folder.glob("office.db*"))

    def small_disk() -> None:  # files may not grow past this: SQLite sees the disk as full
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = db_size + 3 * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    process = subprocess.Popen(
        [sys.executable, "-m", "console.cli", "--data-dir", str(folder), "import", "--as", "clara", str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(CLERK_PW),
        preexec_fn=small_disk,  # the limit must be set in the child before it starts
    )
    code, _out, err, _rss = reap(process, 300)
    message = err.decode()
    saved = count(folder, "SELECT COUNT(*) FROM citizens")
    assert code not in (0, 70), message
    assert "The import stopped" in message and f"Saved before that: {saved:,} registered" in message, message
    assert saved > 0 and "nothing was saved" not in message


# ---------------------------------------------------------------------------------------------------------
# Arguments, passwords, numbers, nesting


def test_non_utf8_argument_and_password_are_exit_2(cli_office: Path) -> None:
    run = cli(cli_office, "search", "--as", "clara", b"M\xfcller", password=CLERK_PW)
    assert run.returncode == 2 and "not valid UTF-8" in run.err and "\\xfc" in run.err
    environ = {k.encode(): v.encode() for k, v in env().items()}
    environ[b"ID_CONSOLE_PASSWORD"] = b"cedar-river-\xff"
    run = cli(cli_office, "search", "--as", "clara", "Muller", environ=environ)
    assert run.returncode == 2 and "ID_CONSOLE_PASSWORD is not valid UTF-8" in run.err


@pytest.mark.parametrize(
    "args",
    [
        ["audit", "--as", "admin", "--limit", str(2**70)],
        ["search", "--as", "admin", "x", "--limit", str(2**70)],
        ["approve", "--as", "sam", str(2**70)],
        ["review", "accept", "--as", "sam", str(-(2**70))],
        ["issue", "--as", "clara", "1234567890", "--valid-years", str(2**70)],
        ["settings", "set", "--as", "admin", "lockout_minutes", str(2**70)],
        ["printer", "set", "--as", "clara", "P", "--offset-x", "1e400", "--offset-y", "0"],
        ["printer", "set", "--as", "clara", "P", "--offset-x", "nan", "--offset-y", "0"],
    ],
    ids=["audit-limit", "search-limit", "approve", "review", "valid-years", "settings", "offset-inf", "offset-nan"],
)
def test_huge_numbers_are_exit_2(cli_office: Path, args: list[str]) -> None:
    run = cli(cli_office, *args, password=ADMIN_PW)
    assert run.returncode == 2, run.err
    assert "too large" in run.err or "not a usable number" in run.err
    assert "bug" not in run.err


def test_deeply_nested_json_is_exit_2_not_a_bug(cli_office: Path, tmp_path: Path) -> None:
    # JSON the CLI reads: a keystore (a file in the data directory) and the held registration's candidates.
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(cli_office), str(copy)], check=True)
    (copy / "keys" / "officers" / "clara.keystore").write_text("[" * 200_000 + "]" * 200_000)
    run = cli(copy, "whoami", "--as", "clara", password=CLERK_PW)
    assert run.returncode in (2, 7) and "bug" not in run.err, run.err
    with rawdb.connect(copy) as conn:
        conn.execute(
            "INSERT INTO registrations (status, family_name, given_name, latin_family, latin_given, birth_date, sex, "
            "birthplace, candidates, requested_by, requested_at) VALUES ('pending-review', 'A', 'B', 'A', 'B', "
            "'1990-01-01', 'F', 'EST', ?, 'clara', '2026-01-01T00:00:00Z')",
            ("[" * 100_000 + "]" * 100_000,),
        )
    run = cli(copy, "review", "list", "--as", "sam", password=SUPER_PW)
    assert run.returncode == 2 and "nested too deeply" in run.err, run.err


# ---------------------------------------------------------------------------------------------------------
# Duplicate checks stay linear; others' logins and writes go through during an import


SYLLABLES = [a + b for a in "BDFGKLMNPRSTVZ" for b in "AEIOU"]


def random_people(count: int, seed: int) -> list[PersonInput]:
    rnd = random.Random(seed)
    seen: set[str] = set()
    people: list[PersonInput] = []
    while len(people) < count:
        family = "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))).title()
        given = "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))).title()
        if family + given not in seen:
            seen.add(family + given)
            people.append(PersonInput(family, given, "1985-06-15", rnd.choice("FM"), "EST"))
    return people


def test_index_finds_every_name_within_the_distance() -> None:
    """The segment index is a filter: every key within the allowed slips is found (a pair of its segments, or
    the one entry of a short key)."""
    rnd = random.Random(7)
    checked = 0
    for _ in range(20_000):
        stored = "".join(rnd.choice("AB ") for _ in range(rnd.randint(1, 26)))
        typed = list(stored)
        for _slip in range(rnd.randint(0, 3)):
            at = rnd.randrange(max(1, len(typed)))
            kind = rnd.randrange(4)
            if kind == 0 and typed:
                typed[at] = rnd.choice("AB ")
            elif kind == 1:
                typed.insert(at, rnd.choice("AB "))
            elif kind == 2 and typed:
                del typed[at]
            elif at + 1 < len(typed):
                typed[at], typed[at + 1] = typed[at + 1], typed[at]
        key = "".join(typed)
        slips = registry._threshold(key)
        if key and names.key_distance(key, stored, slips) <= slips:
            checked += 1
            stored_entries = set(registry.index_segments("d", "F", stored))
            assert stored_entries & registry.probe_segments("d", "F", key, slips), (stored, key)
    assert checked > 10_000


def test_import_of_people_sharing_a_birth_date_is_linear(session_of: Callable[[str], Session]) -> None:
    clerk = session_of("clerk")
    people = random_people(9000, seed=3)
    times: list[float] = []
    for block in range(3):
        started = time.process_time()  # this process's CPU: not slowed by other work on the machine
        for _part in registry.register_stream(
            clerk, enumerate(people[block * 3000 : (block + 1) * 3000]), gap_seconds=0
        ):
            pass
        times.append(time.process_time() - started)
    # Quadratic (every same-day person compared) makes the third block ~5 times the first; linear is ~1.
    assert times[2] < 2.5 * times[0], times


def test_other_officers_log_in_and_write_during_an_import(staffed: Office) -> None:
    from console.core.accounts import login

    clerk = login(staffed, "clerk", "cedar-river-2718")
    script = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "from console.core import cardservice\n"
        "from console.core.accounts import login\n"
        "from console.core.keystore import KDF_PRESETS\n"
        "from console.core.office import Office\n"
        "office = Office(Path(sys.argv[1]), kdf=KDF_PRESETS['min'])\n"
        "stop = Path(sys.argv[2])\n"
        "while not stop.exists():\n"
        "    t0 = time.perf_counter()\n"
        "    session = login(office, 'clerk2', 'coral-meadow-3141')\n"
        "    cardservice.set_printer_offsets(session, 'P', (0.1, 0.2))\n"
        "    print(time.perf_counter() - t0, flush=True)\n"
        "    time.sleep(0.3)\n"
    )
    stop = staffed.paths.data_dir.parent / "stop"
    other = subprocess.Popen(
        [sys.executable, "-c", script, str(staffed.paths.data_dir), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        time.sleep(1.5)
        for _part in registry.register_stream(clerk, enumerate(random_people(4000, seed=5))):
            pass
    finally:
        stop.touch()
        out, _err = other.communicate(timeout=60)
    waits = [float(line) for line in out.split()]
    assert len(waits) >= 5, out
    # The import holds the write lock at most 0.2 s at a time; a login plus a write takes ~0.1 s alone.
    # Target < 1 s (measured in bench/bench_import.py); asserted with headroom for a loaded machine.
    assert max(waits) < 2.0, waits
