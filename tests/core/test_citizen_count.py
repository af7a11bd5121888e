"""Issue 17: the number of citizens is a counter row kept by triggers (start-up reads one page instead of counting
the citizens' index, which in the encrypted personal.db means decrypting all of it; docs/performance.md)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from console.core import registry
from console.core.accounts import Session, login
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.registry import PersonInput
from console.core.store import MIGRATIONS
from tests.conftest import PASSWORDS


def _people(count: int, seed: int) -> list[PersonInput]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnoprstuv"
    return [
        PersonInput(
            "".join(rng.choice(letters) for _ in range(7)).capitalize(),
            "".join(rng.choice(letters) for _ in range(5)).capitalize(),
            date.fromordinal(date(1950, 1, 1).toordinal() + rng.randrange(20000)).isoformat(),
            rng.choice("FM"),
            "EST",
        )
        for _ in range(count)
    ]


def _counted(office: Office) -> int:
    return int(office.db.execute("SELECT COUNT(*) FROM citizens").fetchone()[0])


def test_the_counter_follows_every_way_citizens_arrive(session_of: Callable[[str], Session], staffed: Office) -> None:
    clerk = session_of("clerk")
    assert registry.count_citizens(clerk) == _counted(staffed) == 0
    for person in _people(2, seed=1):
        registry.register(clerk, person)
    registry.register_batch(clerk, _people(30, seed=2), chunk=7)
    for _part in registry.register_stream(clerk, enumerate(_people(12, seed=3))):
        pass
    assert registry.count_citizens(clerk) == _counted(staffed) >= 40
    # It lives beside the citizens, in the encrypted file, with its triggers; office.db has none of it.
    personal = {
        (kind, name) for kind, name in staffed.db.execute("SELECT type, name FROM personal.sqlite_master").fetchall()
    }
    assert {("table", "citizen_count"), ("trigger", "citizen_count_up"), ("trigger", "citizen_count_down")} <= personal
    in_main = staffed.db.execute("SELECT name FROM main.sqlite_master WHERE name LIKE 'citizen%'").fetchall()
    assert in_main == []
    # A deletion (no service deletes citizens; a repair by hand might) is counted too.
    with staffed.db.conn:
        staffed.db.execute("DELETE FROM citizens WHERE rowid = (SELECT MIN(rowid) FROM citizens)")
    assert registry.count_citizens(clerk) == _counted(staffed)


def test_an_office_from_before_the_counter_gets_it_at_the_first_login(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    clerk = session_of("clerk")
    registry.register_batch(clerk, _people(9, seed=4), chunk=5)
    db = staffed.db
    with db.conn:
        # As an office made before this migration: no counter table, no triggers (they belong to citizens).
        db.execute("DROP TRIGGER personal.citizen_count_up")
        db.execute("DROP TRIGGER personal.citizen_count_down")
        db.execute("DROP TABLE personal.citizen_count")
    db.execute(f"PRAGMA main.user_version = {len(MIGRATIONS) - 1}")
    folder = staffed.paths.data_dir
    staffed.close()

    before_login = Office(folder, kdf=KDF_PRESETS["min"], clock=staffed.clock)
    version = before_login.db.execute("PRAGMA main.user_version").fetchone()[0]
    assert version == len(MIGRATIONS) - 1  # the migration needs personal.db: it waits for a login
    assert before_login.db.execute("SELECT name FROM main.sqlite_master WHERE name = 'citizen_count'").fetchall() == []
    fresh = login(before_login, "clerk", PASSWORDS["clerk"])
    assert before_login.db.execute("PRAGMA main.user_version").fetchone()[0] == len(MIGRATIONS)
    assert registry.count_citizens(fresh) == _counted(before_login) == 9
    registry.register(fresh, _people(1, seed=5)[0])
    assert registry.count_citizens(fresh) == 10
