"""uin-10 allocation over whole runs of counters at once, in numpy (issue 16).

`console.core.coding` allocates a uin-10 number by trying counter after counter: the keyed permutation of each
counter, MOSIP's filters on the result (they keep ~7 %), a Verhoeff check digit for the few that pass. In pure
Python that is ~14 ten-round Feistel evaluations and ~14 regex tests for every number kept (~55-85 us a number);
here the same arithmetic runs over a run of thousands of counters as array operations (a few us a number).

Nothing here decides a number on its own: the permutation is the same integer arithmetic on the same tables
(`_Feistel`'s, once full), the filter mask only ever rejects bodies that `coding._UinFilters.anywhere` rejects
too (the regex still decides every body the mask lets through), and the check digit is stdnum's Verhoeff with
stdnum's own tables. The tests compare every function here with the pure path it replaces.

Imported only by the allocation path of a batch, so `import console.core.coding` (every `validate-id`) does not
load numpy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from stdnum import verhoeff

Ints = npt.NDArray[np.int64]

_MULTIPLY = np.array(verhoeff._multiplication_table, dtype=np.int64)  # stdnum's own tables (the reference)
_PERMUTE = np.array(verhoeff._permutation_table, dtype=np.int64)
#: the digit d with _MULTIPLY[check, d] == 0: what `verhoeff.calc_check_digit` looks up with `.index(0)`
_INVERSE = np.array([row.index(0) for row in verhoeff._multiplication_table], dtype=np.int64)


def tables(lists: Sequence[list[int]]) -> list[npt.NDArray[np.int32]]:
    """The permutation's full round tables as arrays (every entry computed: no -1 left)."""
    out = [np.array(table, dtype=np.int32) for table in lists]
    if any(int(t.min()) < 0 for t in out):
        raise ValueError("the uin-10 round tables are not full")
    return out


def permute(rounds: Sequence[npt.NDArray[np.int32]], half: int, domain: int, xs: Ints) -> Ints:
    """`_Feistel.permute` of every x: rounds in pairs (L += F_i(R); R += F_i+1(L), mod `half`), then cycle-walking
    back into [0, domain) for the few that land outside it."""
    ys = _once(rounds, half, xs)
    outside = np.flatnonzero(ys >= domain)
    while outside.size:
        ys[outside] = _once(rounds, half, ys[outside])
        outside = outside[ys[outside] >= domain]
    return ys


def _once(rounds: Sequence[npt.NDArray[np.int32]], half: int, xs: Ints) -> Ints:
    left, right = np.divmod(xs, half)
    for i in range(0, len(rounds), 2):
        left += rounds[i][right]
        left[left >= half] -= half  # both terms are below `half`, so one subtraction is the modulo
        right += rounds[i + 1][left]
        right[right >= half] -= half
    out: Ints = left * half + right
    return out


def digits(numbers: Ints, width: int) -> Ints:
    """Row t holds digit t (from the left) of every number, `width` digits each."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    out: Ints = (numbers[np.newaxis, :] // powers[:, np.newaxis]) % 10
    return out


def rejected(
    rows: Ints, *, repeating: int, block: int, even: int, sequence: int, literals: Sequence[str]
) -> npt.NDArray[np.bool_]:
    """Bodies (digit rows from `digits`) with a pattern of `_UinFilters.anywhere`: the same parameters, the same
    patterns. The allocator still runs the regex on every body not rejected here."""
    width = rows.shape[0]
    bad = np.zeros(rows.shape[1], dtype=np.bool_)
    for gap in range(1, repeating + 1):  # (\d)\d{0,repeating-1}\1
        for i in range(width - gap):
            bad |= rows[i] == rows[i + gap]
    if block > 0:  # (\d{block})\d*?\1: a window of `block` digits equal to a later one that does not overlap it
        weights = 10 ** np.arange(block - 1, -1, -1, dtype=np.int64)
        windows = [weights @ rows[i : i + block] for i in range(width - block + 1)]
        for i in range(len(windows)):
            for j in range(i + block, len(windows)):
                bad |= windows[i] == windows[j]
    if even > 0:  # [2468]{even}
        evens = (rows % 2 == 0) & (rows != 0)
        for i in range(width - even + 1):
            bad |= np.logical_and.reduce(evens[i : i + even], axis=0)
    if sequence > 1:  # ascending or descending runs of `sequence` digits, wrapping round (890, 109)
        steps = (rows[1:] - rows[:-1]) % 10
        for step in (1, 9):
            up = steps == step
            for i in range(width - sequence + 1):
                bad |= np.logical_and.reduce(up[i : i + sequence - 1], axis=0)
    for literal in literals:
        wanted = [int(ch) for ch in literal]
        for i in range(width - len(wanted) + 1):
            hit = rows[i] == wanted[0]
            for t, digit in enumerate(wanted[1:], start=1):
                hit &= rows[i + t] == digit
            bad |= hit
    return bad


def grouped(
    rows: Ints, numbers: Ints, not_start_with: Sequence[str], group: int, reverse: int
) -> npt.NDArray[np.bool_]:
    """Numbers (digit `rows` and values, all of one width) that `_UinFilters.pattern` refuses for their start or for
    their first `group` digits equal to the last (`reverse`: equal to the last reversed)."""
    width = rows.shape[0]
    bad = np.zeros(rows.shape[1], dtype=np.bool_)
    for prefix in not_start_with:
        bad |= numbers // 10 ** (width - len(prefix)) == int(prefix)
    if group:
        bad |= numbers // 10 ** (width - group) == numbers % 10**group
    if reverse:
        same = np.ones(rows.shape[1], dtype=np.bool_)
        for t in range(reverse):
            same &= rows[t] == rows[width - 1 - t]
        bad |= same
    return bad


def check_digits(rows: Ints) -> Ints:
    """`verhoeff.calc_check_digit` of every body (digit rows from `digits`), as integers."""
    check = np.zeros(rows.shape[1], dtype=np.int64)
    # stdnum: checksum over reversed(body + "0"); position 0 is the appended 0, which _PERMUTE[0] keeps as 0
    for position, row in enumerate(rows[::-1], start=1):
        check = _MULTIPLY[check, _PERMUTE[position % 8][row]]
    out: Ints = _INVERSE[check]
    return out
