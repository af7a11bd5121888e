"""uin-10 allocation over whole runs in numpy (console/core/uinfast.py) gives exactly the pure path's answers.

The numbers are a pure function of (partition, counter) and are pinned by tests/core/test_coding.py; here every
piece of the array path is compared with the pure code it stands in for, on many inputs.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import date

import numpy as np
import pytest
from stdnum import verhoeff

from console.core import coding, uinfast
from console.core.coding import NumberExhaustedError, OfficePartition, allocator_for

SECRET = bytes(range(32))
BORN = date(2000, 1, 1)


def _pure(allocator: coding._Uin10Allocator, first: int, end: int) -> list[str | None]:
    """The pure path, in runs shorter than the array path's minimum."""
    out: list[str | None] = []
    for start in range(first, end, 256):
        out += allocator._numbers(start, min(end, start + 256))
    return out


@pytest.mark.parametrize("slot", [0, 9, 199])
def test_array_path_gives_the_pure_paths_numbers(slot: int) -> None:
    allocator = allocator_for(OfficePartition("uin-10", slot, None, SECRET))
    assert isinstance(allocator, coding._Uin10Allocator)
    pure = _pure(allocator, 0, 12_000)
    assert allocator._numbers_vector(0, 12_000) == pure
    assert 0.05 < sum(n is not None for n in pure) / len(pure) < 0.09
    # the slot's last counters (a run stops at the slot's end), through the public calls
    tail = _pure(allocator, 3_990_000, 4_000_000)
    assert allocator._numbers_vector(3_990_000, 4_000_000) == tail


def test_next_number_is_number_called_until_one_comes_back() -> None:
    secret = os.urandom(32)
    stepping = allocator_for(OfficePartition("uin-10", 3, None, secret))
    jumping = allocator_for(OfficePartition("uin-10", 3, None, secret))
    counter, expected = 0, []
    while len(expected) < 3_000:  # runs grow to the array path's length on the way
        number = stepping.number(counter, BORN, "F")
        counter += 1
        if number is not None:
            expected.append((number, counter))
    got, counter = [], 0
    while len(got) < 3_000:
        number, counter = jumping.next_number(counter, BORN, "F")
        got.append((number, counter))
    assert got == expected
    rng = random.Random(5)
    for start in rng.sample(range(4_000_000 - 500), 200):  # out of order: each answer is still the same
        number, after = allocator_for(OfficePartition("uin-10", 3, None, secret)).next_number(start, BORN, "M")
        assert jumping.next_number(start, BORN, "M") == (number, after)
        assert all(stepping.number(c, BORN, "M") is None for c in range(start, after - 1))
        assert stepping.number(after - 1, BORN, "M") == number
    with pytest.raises(NumberExhaustedError):
        jumping.next_number(4_000_000, BORN, "F")


@pytest.mark.parametrize(("scheme", "region"), [("cn-18", "110101"), ("ee-11", None)])
def test_next_number_of_the_other_schemes(scheme: str, region: str | None) -> None:
    allocator = allocator_for(OfficePartition(scheme, 1, region, SECRET))
    assert allocator.next_number(0, BORN, "F") == (allocator.number(0, BORN, "F"), 1)
    assert allocator.next_number(7, BORN, "M") == (allocator.number(7, BORN, "M"), 8)


def test_the_mask_rejects_exactly_what_the_regex_rejects() -> None:
    filters = coding._uin_filters()
    rng = np.random.default_rng(16)
    bodies = rng.integers(200_000_000, 1_000_000_000, 200_000, dtype=np.int64)
    rows = uinfast.digits(bodies, 9)
    mask = uinfast.rejected(
        rows,
        repeating=filters.repeating,
        block=filters.block,
        even=filters.even,
        sequence=filters.sequence,
        literals=filters.literals,
    )
    assert mask.tolist() == [bool(filters.anywhere.search(str(b))) for b in bodies.tolist()]
    assert 0.85 < mask.mean() < 0.95


def test_check_digits_and_whole_number_filters_agree_with_stdnum_and_the_regex() -> None:
    filters = coding._uin_filters()
    rng = np.random.default_rng(17)
    bodies = rng.integers(200_000_000, 1_000_000_000, 60_000, dtype=np.int64)
    rows = uinfast.digits(bodies, 9)
    checks = uinfast.check_digits(rows)
    assert checks.tolist() == [int(verhoeff.calc_check_digit(str(b))) for b in bodies.tolist()]
    numbers = bodies * 10 + checks
    # numbers built to hit the group filters too (first five = last five, or reversed)
    halves = rng.integers(20_000, 100_000, 2_000, dtype=np.int64)
    mirrored = np.array([int(str(h)[::-1]) for h in halves.tolist()], dtype=np.int64)
    numbers = np.concatenate([numbers, halves * 100_000 + halves, halves * 100_000 + mirrored])
    rows = uinfast.digits(numbers, 10)
    bad = uinfast.rejected(
        rows,
        repeating=filters.repeating,
        block=filters.block,
        even=filters.even,
        sequence=filters.sequence,
        literals=filters.literals,
    )
    bad |= uinfast.grouped(rows, numbers, filters.not_start_with, filters.group, filters.reverse_group)
    assert bad.tolist() == [filters.pattern(str(n)) is not None for n in numbers.tolist()]


def test_round_tables_round_trip_and_refuse_other_data() -> None:
    secret = os.urandom(32)
    full = coding._Feistel(secret, 10)
    full.fill_all()
    assert full.is_full()
    data = full.table_bytes()
    assert len(data) == 2 * coding.UIN_HALF * 10
    copy = coding._Feistel(secret, 10)
    assert copy.load_tables(data) and copy.is_full()
    xs = range(123_456_000, 123_458_000)
    assert copy.permute_many(xs) == coding._Feistel(secret, 10).permute_many(xs)
    other = coding._Feistel(os.urandom(32), 10)
    assert not other.load_tables(data)  # another secret's tables fail the spot check
    assert not other.is_full()
    assert not coding._Feistel(secret, 10).load_tables(data[:-2])
    with pytest.raises(ValueError, match="not full"):
        other.table_bytes()


def test_validating_a_number_does_not_load_numpy() -> None:
    code = (
        "import sys; from console.core import coding; coding.validate('uin-10', '9418405287'); "
        "from datetime import date; a = coding.allocator_for(coding.OfficePartition('uin-10', 0, None, bytes(32))); "
        "a.next_number(0, date(2000, 1, 1), 'F'); print('numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
