"""Number allocation, validation and Latin-form throughput on one core.

Run: ``python bench/bench_coding.py [N]`` (default 20,000 per figure). Prints the best of 3 rounds. Allocation
includes the skipped counter values (uin-10 skips ~93% under MOSIP's rules), the way the database layer calls
it; the uin-10 figure is measured after the permutation's round tables are warm (an office's first few thousand
numbers are slower while they fill).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

from console.core.coding import OfficePartition, allocator_for, validate
from console.core.names import latin_form, match_key

ROUNDS = 3
SECRET = bytes(range(32))


def _best_rate(n: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return n / best


def _allocate(scheme: str, region: str | None, n: int) -> list[str]:
    allocator = allocator_for(OfficePartition(scheme, 1, region, SECRET))
    counters: dict[str, int] = {}
    out: list[str] = []
    for i in range(n):
        born = date(1970, 1, 1) + timedelta(days=i % 15_000)
        key = allocator.counter_key(born, "F")
        c = counters.get(key, 0)
        number = None
        while number is None:
            number = allocator.number(c, born, "F")
            c += 1
        counters[key] = c
        out.append(number)
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    print(f"coding benchmark, N = {n}, best of {ROUNDS}")
    for scheme, region in (("cn-18", "110101"), ("ee-11", None), ("uin-10", None)):
        _allocate(scheme, region, n)  # warm caches (tables, uin-10 round functions)
        rate = _best_rate(n, lambda s=scheme, r=region: _allocate(s, r, n))
        numbers = _allocate(scheme, region, n)
        check = _best_rate(n, lambda s=scheme, ns=numbers: [validate(s, x) for x in ns])
        print(f"{scheme:7} allocate {rate:>10,.0f}/s   validate {check:>10,.0f}/s")
    names = ["Søren Åberg", "Анна Иванова", "张伟", "김민준", "Nguyễn Thị Minh Khai", "O'Brien-Müller"] * (n // 6)
    print(f"names   latin_form {_best_rate(len(names), lambda: [latin_form(x) for x in names]):>8,.0f}/s", end="   ")
    print(f"match_key {_best_rate(len(names), lambda: [match_key(x) for x in names]):>10,.0f}/s")


if __name__ == "__main__":
    main()
