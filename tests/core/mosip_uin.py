"""MOSIP's UIN rules, re-implemented for tests only, apart from the console's own filter code.

Nothing here imports ``console``: the point is a second, independent reading of MOSIP's published rules that
our allocator's numbers must pass, so a mistake in ``console/core/coding.py`` cannot hide in shared code.

Sources (read December 2026 from github.com/mosip/commons, commit c30080f1, branch master):

- ``kernel/kernel-idgenerator-service/src/main/java/io/mosip/kernel/uingenerator/util/UinFilterUtil.java`` —
  the generator's filter ``isValidId``;
- ``kernel/kernel-idvalidator-uin/src/main/java/io/mosip/kernel/idvalidator/uin/impl/UinValidatorImpl.java``
  — the validator ``validateId``;
- ``kernel/kernel-core/src/main/java/io/mosip/kernel/core/util/ChecksumUtils.java`` — the Verhoeff tables;
- the published parameters, identical in the service's ``application-local.properties``, its README and the
  validator's test ``application.properties``: ``mosip.kernel.uin.length=10``,
  ``restricted-numbers=786,666``, ``length.sequence-limit=3``, ``length.repeating-block-limit=2``,
  ``length.repeating-limit=2``, ``length.reverse-digits-limit=5``, ``length.digits-limit=5``,
  ``not-start-with=0,1``, ``length.conjugative-even-digits-limit=3``.

The two Java classes differ: the generator rejects equal digits within two positions (regex
``(\\d)\\d{0,1}\\1``) and sequences that wrap round (``890``, ``901``); the validator only rejects a digit three
times in a row (``([0-9])\\1{2}``) and non-wrapping sequences, but adds the Verhoeff check. A number MOSIP
would issue and accept passes both, which is what `is_valid_uin` checks.
"""

from __future__ import annotations

import re

LENGTH = 10
RESTRICTED_NUMBERS = ("786", "666")
SEQUENCE_LIMIT = 3
REPEATING_BLOCK_LIMIT = 2
REPEATING_LIMIT = 2
REVERSE_DIGITS_LIMIT = 5
DIGITS_LIMIT = 5
NOT_START_WITH = ("0", "1")
CONJUGATIVE_EVEN_DIGITS_LIMIT = 3

# UinFilterUtil.CYCLIC_NUM: checked only when the id is at least as long as the cyclic number.
CYCLIC_NUMBERS = (
    "142857",
    "0588235294117647",
    "052631578947368421",
    "0434782608695652173913",
    "0344827586206896551724137931",
    "0212765957446808510638297872340425531914893617",
    "0169491525423728813559322033898305084745762711864406779661",
    "016393442622950819672131147540983606557377049180327868852459",
    "010309278350515463917525773195876288659793814432989690721649484536082474226804123711340206185567",
)

# ChecksumUtils: the dihedral group D5 multiplication table, the permutation table, the inverse table.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def validate_checksum(num: str) -> bool:
    """ChecksumUtils.validateChecksum."""
    c = 0
    for i, digit in enumerate(int(ch) for ch in reversed(num)):
        c = _D[c][_P[i % 8][digit]]
    return c == 0


# --- UinFilterUtil (generator) ------------------------------------------------------------------------------

_GEN_SEQ_ASC = "01234567890123456789"
_GEN_SEQ_DEC = "98765432109876543210"
_GEN_REPEATING = re.compile(r"(\d)\d{0," + str(REPEATING_LIMIT - 1) + r"}\1")
_REPEATING_BLOCK = re.compile(r"(\d{" + str(REPEATING_BLOCK_LIMIT) + r",}).*?\1")
_EVEN = re.compile(r"[2468]{" + str(CONJUGATIVE_EVEN_DIGITS_LIMIT) + "}")


def _sequence(uin: str, ascending: str, descending: str) -> bool:
    return any(
        uin[i : i + SEQUENCE_LIMIT] in ascending or uin[i : i + SEQUENCE_LIMIT] in descending
        for i in range(len(uin) - SEQUENCE_LIMIT + 1)
    )


def generator_filter_accepts(uin: str) -> bool:
    """UinFilterUtil.isValidId: True when none of the generator's filters matches."""
    rejected = (
        _sequence(uin, _GEN_SEQ_ASC, _GEN_SEQ_DEC)
        or _GEN_REPEATING.search(uin) is not None
        or _REPEATING_BLOCK.search(uin) is not None
        or _EVEN.search(uin) is not None
        or uin[:DIGITS_LIMIT] == uin[len(uin) - DIGITS_LIMIT :]
        or uin[:REVERSE_DIGITS_LIMIT] == uin[len(uin) - REVERSE_DIGITS_LIMIT :][::-1]
        or any(n in uin for n in RESTRICTED_NUMBERS)
        or any(uin.startswith(s) for s in NOT_START_WITH)
        or len(uin) != LENGTH
        or any(len(uin) >= len(c) and c in uin for c in CYCLIC_NUMBERS)
    )
    return not rejected


# --- UinValidatorImpl (validator) ---------------------------------------------------------------------------

_VAL_SEQ_ASC = "0123456789"
_VAL_SEQ_DEC = "9876543210"
_VAL_REPEATING = re.compile(r"([0-9])\1{" + str(REPEATING_LIMIT) + "}")


def validator_accepts(uin: str) -> bool:
    """UinValidatorImpl.validateId: True where the Java method returns true instead of throwing."""
    if not uin or len(uin) != LENGTH or not re.fullmatch(r"\d{" + str(LENGTH) + "}", uin):
        return False
    if uin[0] in "01":
        return False
    if (
        _sequence(uin, _VAL_SEQ_ASC, _VAL_SEQ_DEC)
        or _VAL_REPEATING.search(uin)
        or _REPEATING_BLOCK.search(uin)
        or _EVEN.search(uin)
        or any(n in uin for n in RESTRICTED_NUMBERS)
    ):
        return False
    if not validate_checksum(uin):
        return False
    if uin[:REVERSE_DIGITS_LIMIT] == uin[len(uin) - REVERSE_DIGITS_LIMIT :][::-1]:
        return False
    return uin[:DIGITS_LIMIT] != uin[len(uin) - DIGITS_LIMIT :]


def is_valid_uin(uin: str) -> bool:
    """A number MOSIP's generator could have issued and its validator accepts."""
    return generator_filter_accepts(uin) and validator_accepts(uin)
