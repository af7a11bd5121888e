"""The uin-10 permutation's tables kept between processes, encrypted under the numbering secret (issue 16).

console/core/uintables.py: a batch that fills the tables keeps them in keys/uin-10.tables; a later process
loads them instead of computing 282,850 HMACs. Never in the clear, refused when they do not match the secret,
and the numbers are the same with or without the file.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from console.core import coding, registry, uintables
from console.core.accounts import Session
from console.core.office import Office
from console.core.registry import PersonInput


def _people(count: int, seed: int) -> list[PersonInput]:
    rng = random.Random(seed)
    letters = "abdefghiklmnoprstuvz"
    return [
        PersonInput(
            "".join(rng.choice(letters) for _ in range(8)).capitalize(),
            "".join(rng.choice(letters) for _ in range(6)).capitalize(),
            date.fromordinal(date(1950, 1, 1).toordinal() + rng.randrange(25000)).isoformat(),
            rng.choice("FM"),
            "EST",
        )
        for _ in range(count)
    ]


def _allocator(clerk: Session) -> coding.Allocator:
    return registry._Allocation(clerk).allocator


def test_a_batch_keeps_the_tables_encrypted_and_a_new_process_uses_them(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    clerk = session_of("clerk")
    secret = clerk.office_keys().numbering_secret
    path = staffed.paths.keys / uintables.FILE_NAME
    coding._feistel.cache_clear()  # as a new process: no tables in memory
    first = registry.register_batch(clerk, _people(400, seed=1), chunk=200)  # runs reach the array path: tables full
    assert len(first.registered) >= 395
    assert path.exists() and path.stat().st_mode & 0o077 == 0
    sealed = path.read_bytes()
    tables = coding.round_tables(_allocator(clerk))
    assert tables is not None
    for start in range(0, len(tables) - 32, len(tables) // 7):  # no stretch of the tables appears in the clear
        assert tables[start : start + 32] not in sealed

    coding._feistel.cache_clear()  # a new process loads them instead of computing them
    fresh = _allocator(clerk)
    assert coding.needs_round_tables(fresh)
    assert uintables.load(staffed.paths.keys, secret, fresh)
    assert not coding.needs_round_tables(fresh)
    assert coding.round_tables(fresh) == tables

    coding._feistel.cache_clear()  # and the numbers are those it would have computed
    second = registry.register_batch(clerk, _people(50, seed=2), chunk=50)
    coding._feistel.cache_clear()
    expected = _allocator(clerk)
    counter, numbers = 0, []
    while len(numbers) < len(first.registered) + len(second.registered):
        number, counter = expected.next_number(counter, date(2000, 1, 1), "F")
        numbers.append(number)
    assert first.registered + second.registered == numbers


def test_tables_that_do_not_open_or_do_not_match_are_ignored(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    clerk = session_of("clerk")
    secret = clerk.office_keys().numbering_secret
    path = staffed.paths.keys / uintables.FILE_NAME
    full = coding._Feistel(secret, 10)
    full.fill_all()
    coding._feistel.cache_clear()
    allocator = _allocator(clerk)

    path.write_bytes(b"not a box")
    assert not uintables.load(staffed.paths.keys, secret, allocator)
    sealed = uintables._box(secret).encrypt(uintables._LABEL + full.table_bytes())
    path.write_bytes(sealed[:-1] + bytes([sealed[-1] ^ 1]))  # one bit changed
    assert not uintables.load(staffed.paths.keys, secret, allocator)
    other = coding._Feistel(bytes(32), 10)  # another secret's tables, boxed under this secret's key
    other.fill_all()
    path.write_bytes(uintables._box(secret).encrypt(uintables._LABEL + other.table_bytes()))
    assert not uintables.load(staffed.paths.keys, secret, allocator)
    assert coding.needs_round_tables(allocator)  # nothing was taken from any of them

    path.write_bytes(sealed)
    assert uintables.load(staffed.paths.keys, secret, allocator)
