"""Kill -9 during allocation: no number handed out twice, no committed record lost, no half-written row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

from console.core import coding, registry
from console.core.accounts import login
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.registry import PersonInput
from tests.conftest import PASSWORDS

WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from console.core.accounts import login
    from console.core.keystore import KDF_PRESETS
    from console.core.office import Office
    from console.core.registry import PersonInput, register

    office = Office(Path(sys.argv[1]), kdf=KDF_PRESETS["min"])
    clerk = login(office, "clerk", sys.argv[2])
    i = 0
    while True:
        i += 1
        person = PersonInput(f"Family{i:05d}".replace("0", "O").replace("1", "I").replace("2", "Z").replace(
            "3", "E").replace("4", "A").replace("5", "S").replace("6", "G").replace("7", "T").replace("8", "B").replace(
            "9", "P"), "Given", f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}", "F", "EST")
        result = register(clerk, person)
        print(result["id_number"], flush=True)
    """
)


def test_kill_during_allocation(staffed: Office) -> None:
    folder = staffed.paths.data_dir
    reported: list[str] = []
    with subprocess.Popen(
        [sys.executable, "-c", WORKER, str(folder), PASSWORDS["clerk"]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        try:
            while len(reported) < 60:
                line = proc.stdout.readline()
                assert line, proc.stderr.read()
                reported.append(line.strip())
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)

    office = Office(folder, kdf=KDF_PRESETS["min"])
    office.unlock_personal(staffed.database_key or b"")  # issue 17: the registry is in the encrypted personal.db
    db = office.db
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {r[0] for r in db.execute("SELECT id_number FROM citizens")}
    assert set(reported) <= stored, "a number reported as registered was lost"
    assert len(stored) - len(reported) <= 1, "at most the one in flight committed unreported"
    events = db.execute("SELECT COUNT(*) FROM events WHERE type = 'citizen.registered'").fetchone()[0]
    assert events == len(stored), "every stored citizen has exactly its event"

    # The counter accounts for every number: replaying the allocator up to it yields all stored numbers.
    clerk = login(office, "clerk", PASSWORDS["clerk"])
    assert clerk.office_secrets is not None
    local = office.local_office()
    allocator = coding.allocator_for(
        coding.OfficePartition("uin-10", local["slot"], local["region"], clerk.office_secrets.numbering_secret)
    )
    counter = db.execute("SELECT value FROM counters").fetchone()[0]
    replay = {allocator.number(i, date(2000, 1, 1), "F") for i in range(counter)} - {None}
    assert stored <= replay

    # Allocation goes on after the crash without colliding.
    more = [registry.register(clerk, PersonInput("Tamm", "Mari", "1990-01-30", "F", "EST"))["id_number"]]
    assert not set(more) & stored
