"""How many uin-10 numbers MOSIP's filters leave: an exact count over every body, and per office slot.

Run: ``python bench/uin_capacity.py [--slot-count]``. Prints

1. the exact number of 9-digit bodies 200000000–999999999 whose 10-digit number (body + Verhoeff check
   digit) passes every filter of ``schemes.json`` (a depth-first walk over the digits that prunes a prefix as
   soon as a filter that looks only at the prefix rejects it; the first and last five digits and the check
   digit are tested at the leaves), and the share of the 800,000,000 bodies that passes;
2. the expected and the measured number of usable counter values in one slot (4,000,000 inputs of the
   keyed permutation) — with ``--slot-count``, slot 0 under the test secret 00 01 … 1F is counted exactly by
   running the allocator over all its counters (a few minutes).

The walk uses the filter parameters of ``resources/coding/schemes.json`` and checks itself against the
console's own filter (``coding._uin_filters``) on every 5,000th leaf it counts and on random rejected bodies.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date

from stdnum import verhoeff

from console.core import coding

_D = verhoeff._multiplication_table  # the dihedral group D5
_P = verhoeff._permutation_table
_INV = [next(j for j in range(10) if _D[i][j] == 0) for i in range(10)]


def _allowed_after() -> dict[tuple[int, int], list[int]]:
    """Digits allowed after the two digits (a, b) by the filters that look at three digits in a row."""
    params = coding._scheme("uin-10")["mosip_filters"]
    assert params["repeating_limit"] == 2 and params["sequence_limit"] == 3
    assert params["conjugative_even_digits_limit"] == 3 and params["repeating_block_limit"] == 2
    restricted = {str(n) for n in params["restricted_numbers"]}
    assert all(len(n) == 3 for n in restricted)
    table: dict[tuple[int, int], list[int]] = {}
    for a in range(-1, 10):  # -1: no digit there yet
        for b in range(10):
            ok = []
            for d in range(10):
                if d in (a, b):
                    continue
                if a >= 0:
                    if ((b - a) % 10 == 1 and (d - b) % 10 == 1) or ((a - b) % 10 == 1 and (b - d) % 10 == 1):
                        continue
                    if a in (2, 4, 6, 8) and b in (2, 4, 6, 8) and d in (2, 4, 6, 8):
                        continue
                    if f"{a}{b}{d}" in restricted:
                        continue
                ok.append(d)
            table[(a, b)] = ok
    return table


def count_all() -> int:
    """Exact number of bodies whose number passes every filter."""
    after = _allowed_after()
    params = coding._scheme("uin-10")["mosip_filters"]
    cyclic = [str(n) for n in params["cyclic_numbers"]]
    group, reverse = int(params["digits_group_limit"]), int(params["reverse_digits_group_limit"])
    check = coding._uin_filters()
    digits = [0] * 10
    total = 0
    seen = 0

    def leaf(q: int) -> None:
        nonlocal total, seen
        c = _INV[q]
        a, b = digits[7], digits[8]
        if c not in after[(a, b)]:
            return
        pair = b * 10 + c
        if used >> pair & 1:
            return
        digits[9] = c
        number = "".join(map(str, digits))
        if any(n in number for n in cyclic):
            return
        if number[:group] == number[-group:] or number[:reverse] == number[-reverse:][::-1]:
            return
        total += 1
        seen += 1
        if seen % 5000 == 0:
            assert check.pattern(number) is None and verhoeff.is_valid(number), number

    used = 0

    def walk(j: int, q: int) -> None:
        nonlocal used
        if j == 9:
            leaf(q)
            return
        a = digits[j - 2] if j >= 2 else -1
        for d in after[(a, digits[j - 1])]:
            pair = digits[j - 1] * 10 + d
            if used >> pair & 1:
                continue
            used |= 1 << pair
            digits[j] = d
            walk(j + 1, _D[_P[(9 - j) % 8][d]][q])
            used &= ~(1 << pair)

    for first in range(2, 10):
        digits[0] = first
        walk(1, _D[_P[9 % 8][first]][0])
    return total


def _selftest() -> None:
    """The walk's pieces agree with stdnum and the console filter on random bodies."""
    rng = random.Random(7)
    for _ in range(2000):
        body = str(rng.randrange(200_000_000, 1_000_000_000))
        q = 0
        for j, ch in enumerate(body):
            q = _D[_P[(9 - j) % 8][int(ch)]][q]
        assert str(_INV[q]) == verhoeff.calc_check_digit(body), body


def count_slot(slot: int) -> int:
    """Exact number of counter values of `slot` (test secret) that give a number."""
    allocator = coding.allocator_for(coding.OfficePartition("uin-10", slot, None, bytes(range(32))))
    born = date(2000, 1, 1)
    return sum(allocator.number(c, born, "F") is not None for c in range(allocator.capacity(born, "F")))


def main() -> None:
    _selftest()
    start = time.perf_counter()
    total = count_all()
    share = total / coding.UIN_DOMAIN
    slot_size = int(coding._scheme("uin-10")["slot_size"])
    print(
        f"bodies passing every filter: {total:,} of {coding.UIN_DOMAIN:,} ({share:.4%}) "
        f"[{time.perf_counter() - start:.0f} s]"
    )
    sd = (slot_size * share * (1 - share)) ** 0.5
    print(f"expected numbers per slot of {slot_size:,}: {slot_size * share:,.0f} (standard deviation {sd:,.0f})")
    if "--slot-count" in sys.argv:
        start = time.perf_counter()
        print(f"slot 0, test secret: {count_slot(0):,} numbers [{time.perf_counter() - start:.0f} s]")


if __name__ == "__main__":
    main()
