"""Uniform coding rules: the authority's ID-number scheme, offline allocation without collisions, validation.

Three schemes are supported (DESIGN §4, published in ``docs/coding-rules.md``): ``cn-18`` (GB 11643-1999),
``ee-11`` (Estonian isikukood) and ``uin-10`` (MOSIP-style UIN). Their parameters are data
(``resources/coding/schemes.json``) and their check characters come from python-stdnum, the reference
implementation every number must also pass.

Invariants:

- Allocation is pure and deterministic. The database layer keeps, per office, an integer counter per
  ``counter_key`` and, in one transaction, tries ``number(n)`` for n = counter, counter + 1, ... until a
  number comes back; ``None`` means "skip this counter value". The same (partition, counter, birth date, sex)
  always gives the same number, so a crash between allocation and commit cannot lose or duplicate one.
- Offices never collide, without talking to each other: each scheme splits its number space by the office's
  partition (cn-18: the office's exclusive region code; ee-11: the office's block of serials; uin-10: the
  office's block of inputs to a keyed permutation), and within a partition the counter never repeats.
- Counter keys are persistent state: their format never changes (a new format would restart counters and
  reissue numbers). A key names everything that defines its number space, including the office's region or
  slot, so that an office moved to a new region or slot starts afresh instead of colliding.
- Every number that ``number()`` returns passes ``validate()`` and python-stdnum's ``is_valid``.
- A person of sex ``X`` is numbered from the space the scheme's data names (``sex_x_space``) and shares that
  space's counter, so nothing in the number sets them apart; the register's own sex field is authoritative.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
import sys
import threading
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from itertools import compress, repeat
from operator import add, floordiv, itemgetter, lt, mod, mul
from types import MappingProxyType
from typing import Any, Protocol

from stdnum import verhoeff
from stdnum.cn import ric
from stdnum.ee import ik

from console.core import i18n
from console.core.errors import ConsoleError, ValidationError
from console.core.i18n import _
from console.core.resources import resource_path

logger = logging.getLogger(__name__)

ID_FIELD = "id_number"
SEXES = ("M", "F", "X")
SECRET_SIZE = 32


class NumberExhaustedError(ConsoleError):
    """An office has used every number its partition allows for this counter key.

    The sentence names the partition and tells the clerk to ask the authority for another slot or region;
    nothing the office does by itself can make more numbers without risking a collision.
    """

    exit_code = 6


@dataclass(frozen=True)
class OfficePartition:
    """The part of the authority's number space that one office owns.

    Attributes:
        scheme: ``"cn-18"``, ``"ee-11"`` or ``"uin-10"``.
        slot: the office's index, given by the authority when it creates the office (0, 1, 2, ...).
        region: cn-18 only: the office's exclusive GB/T 2260 county code (its jurisdiction); optionally a
            comma-separated list, current code first, then older codes of the same county that the authority
            also gives the office, so that people born before the current code existed can be numbered.
        secret: 32 bytes shared by all offices of the authority; keys the uin-10 permutation.
    """

    scheme: str
    slot: int
    region: str | None
    secret: bytes


@dataclass(frozen=True)
class NumberInfo:
    """What a valid number says about itself.

    ``sex`` is the sex *encoded* in the number (``"M"``/``"F"``), which for a person registered as ``X`` is the
    scheme's ``sex_x_space``. Fields a scheme does not encode are None (uin-10 encodes nothing).
    """

    number: str
    scheme: str
    birth_date: date | None = None
    sex: str | None = None
    region: str | None = None


class Allocator(Protocol):
    """Deterministic number allocation for one office (see the module docstring for the protocol)."""

    def counter_key(self, birth_date: date, sex: str) -> str:
        """Name of the counter this (birth date, sex) draws from."""
        ...

    def number(self, counter: int, birth_date: date, sex: str) -> str | None:
        """The number for this counter value, or None to skip it; raises NumberExhaustedError past capacity."""
        ...

    def capacity(self, birth_date: date, sex: str) -> int:
        """How many counter values the key of this (birth date, sex) has: valid counters are 0..capacity-1."""
        ...

    def next_number(self, counter: int, birth_date: date, sex: str) -> tuple[str, int]:
        """The first number at a counter value >= `counter` and the counter value after it (what calling `number`
        from `counter` on until one comes back gives); raises NumberExhaustedError past capacity."""
        ...


def _next_by_number(allocator: Allocator, counter: int, birth_date: date, sex: str) -> tuple[str, int]:
    """`Allocator.next_number` by calling `number` counter after counter (cn-18 and ee-11 skip few or none)."""
    while True:
        number = allocator.number(counter, birth_date, sex)
        counter += 1
        if number is not None:
            return number, counter


# --------------------------------------------------------------------------------------------------------
# Scheme data and region tables


@cache
def _schemes() -> dict[str, dict[str, Any]]:
    with resource_path("coding", "schemes.json").open(encoding="utf-8") as fh:
        data: dict[str, dict[str, Any]] = json.load(fh)
    return {name: params for name, params in data.items() if not name.startswith("_")}


def scheme_names() -> tuple[str, ...]:
    """Names of the schemes the console supports, e.g. for the authority set-up form."""
    return tuple(_schemes())


def _scheme(scheme: str, field: str = "scheme") -> dict[str, Any]:
    params = _schemes().get(scheme)
    if params is None:
        raise ValidationError(
            field,
            _("“{scheme}” is not an ID-number scheme of this console; use one of {schemes}.").format(
                scheme=scheme, schemes=", ".join(_schemes())
            ),
        )
    return params


@dataclass(frozen=True)
class _RegionPeriod:
    """One name of a region code and the years (inclusive, None = open) it was in force."""

    name: str
    full_name: str
    valid_from: int | None
    valid_to: int | None

    def in_use(self, year: int) -> bool:
        return (self.valid_from is None or year >= self.valid_from) and (self.valid_to is None or year <= self.valid_to)


@cache
def _region_table(scheme: str) -> Mapping[str, tuple[_RegionPeriod, ...]]:
    """code -> its name periods, oldest first. cn-18 has dated periods; the other tables are current only."""
    periods: dict[str, list[_RegionPeriod]] = {}
    with resource_path("coding", _scheme(scheme)["regions"]).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            start, end = row.get("valid_from") or "", row.get("valid_to") or ""
            periods.setdefault(row["code"], []).append(
                _RegionPeriod(
                    name=row["name"],
                    full_name=row.get("full_name") or row["name"],
                    valid_from=int(start) if start else None,
                    valid_to=int(end) if end else None,
                )
            )
    return MappingProxyType({code: tuple(p) for code, p in periods.items()})


def _current_period(periods: tuple[_RegionPeriod, ...]) -> _RegionPeriod:
    """The name in force now (open end), else the one that ended last."""
    return max(periods, key=lambda p: (p.valid_to is None, p.valid_to or 0, p.valid_from or 0))


def regions(scheme: str) -> Mapping[str, str]:
    """All region codes of a scheme's birthplace table with their current names (for pickers and lists).

    cn-18: GB/T 2260 codes (including abolished ones, which older numbers still carry); ee-11: ISO 3166-2:EE
    counties; uin-10: ISO 3166-1 alpha-3 countries.
    """
    table = _region_table(scheme)
    local = _local_region_names(scheme)
    return MappingProxyType({code: local.get(code) or _current_period(p).full_name for code, p in table.items()})


def _local_region_names(scheme: str) -> Mapping[str, str]:
    """Names of the scheme's regions in the active language, where the table has them in one (the ISO 3166-1
    country list: ``resources/translations/countries_<language>.json``, from Debian's iso-codes). The other
    tables are already in their country's language (GB/T 2260 in Chinese, Estonian counties in Estonian)."""
    language = i18n.language()
    if not language or _scheme(scheme)["regions"] != "countries.csv":
        return _EMPTY_NAMES
    return _country_names(language)


_EMPTY_NAMES: Mapping[str, str] = MappingProxyType({})


@cache
def _country_names(language: str) -> Mapping[str, str]:
    path = resource_path("translations", f"countries_{language}.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _EMPTY_NAMES  # no list for this language: the English names are shown
    return MappingProxyType({str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {})


def _region_kinds() -> dict[str, str]:
    """The ``region_kind`` phrases of ``schemes.json`` in the active language (literals, so they are extracted)."""
    return {
        "GB/T 2260 administrative division code (6 digits)": _("GB/T 2260 administrative division code (6 digits)"),
        "ISO 3166-2:EE county code": _("ISO 3166-2:EE county code"),
        "ISO 3166-1 alpha-3 country code": _("ISO 3166-1 alpha-3 country code"),
        "region code": _("region code"),
    }


def region_kind(scheme: str) -> str:
    """What a region code of `scheme` looks like, for messages ("GB/T 2260 administrative division code ...").

    Translated into the active language when the phrase is one of the known ones; a phrase added to
    ``schemes.json`` without an entry here stays as written.
    """
    kind = str(_scheme(scheme).get("region_kind", "region code"))
    return _region_kinds().get(kind, kind)


def is_country(code: str) -> bool:
    """An ISO 3166-1 alpha-3 country code (the birthplace of people born abroad, in every scheme)."""
    return is_known_region("uin-10", code)  # uin-10's region table is the ISO 3166-1 alpha-3 list


def region_name(scheme: str, code: str) -> str | None:
    """Current (or last) name of a region code of the scheme's table, None if the code is unknown."""
    code = code.strip().upper()
    periods = _region_table(scheme).get(code)
    if not periods:
        return None
    return _local_region_names(scheme).get(code) or _current_period(periods).full_name


def is_known_region(scheme: str, code: str, year: int | None = None) -> bool:
    """Whether `code` is in the scheme's region table; with `year`, whether it was in use in that year.

    Used to validate birthplaces: a person born in 1980 in a county abolished in 2010 still has a valid
    birthplace, so abolished codes count as known unless a year says otherwise.
    """
    periods = _region_table(scheme).get(code.strip().upper())
    if not periods:
        return False
    return year is None or any(p.in_use(year) for p in periods)


# --------------------------------------------------------------------------------------------------------
# Shared helpers


def _check_sex(sex: str) -> None:
    if sex not in SEXES:
        raise ValidationError("sex", _("The sex “{sex}” is not one of M, F or X; choose one of them.").format(sex=sex))


def _space(params: Mapping[str, Any], sex: str) -> str:
    """The number space (M or F) a sex draws from; X uses the scheme's configured space."""
    _check_sex(sex)
    return str(params["sex_x_space"]) if sex == "X" else sex


def _sex_words(space: str) -> str:
    return _("men") if space == "M" else _("women")


def _check_slot(scheme: str, slot: int, slots: int) -> None:
    if not 0 <= slot < slots:
        raise ValidationError(
            "slot",
            _(
                "Office slot {slot} is outside the {scheme} scheme's {slots} slots (0–{last}); "
                "ask the authority for a valid slot."
            ).format(slot=slot, scheme=scheme, slots=slots, last=slots - 1),
        )


def _check_counter(counter: int) -> None:
    if counter < 0:
        raise ValueError(f"counter must be >= 0, got {counter}")


# --------------------------------------------------------------------------------------------------------
# cn-18: GB 11643-1999


CN_SEQUENCES_PER_SEX = 500  # 3-digit sequence 000-999: odd for men, even for women


class _Cn18Allocator:
    """Numbers under the office's own county code(s); sequence 2k+1 (men) or 2k (women) for counter k.

    ``partition.region`` is one code, or a comma-separated list: the office's current county code first, then
    codes the authority also gives it exclusively (typically the predecessors of a renamed or re-coded
    county). For each birth date the first listed code that was in use in the birth year is used, because
    python-stdnum (and every verifier built on it) rejects a code outside the years it was in force.
    """

    def __init__(self, partition: OfficePartition) -> None:
        self._params = _scheme("cn-18")
        codes = [c.strip() for c in (partition.region or "").split(",")]
        if not codes or not all(re.fullmatch(r"\d{6}", c) for c in codes):
            raise ValidationError(
                "region",
                _(
                    "A cn-18 office needs its six-digit GB/T 2260 county code as its region; "
                    "ask the authority which code is this office's jurisdiction."
                ),
            )
        if len(set(codes)) != len(codes):
            raise ValidationError("region", _("The office's region list names a code twice; list each code once."))
        table = _region_table("cn-18")
        for code in codes:
            periods = table.get(code)
            if not periods:
                raise ValidationError(
                    "region",
                    _("The region code {code} is not in the GB/T 2260 table; check the office's region.").format(
                        code=code
                    ),
                )
            if code.endswith("00"):
                raise ValidationError(
                    "region",
                    _(
                        "The region code {code} ({name}) is a province or prefecture, "
                        "not a county; give the office a county-level code."
                    ).format(code=code, name=_current_period(periods).full_name),
                )
        if all(p.valid_to is not None for p in table[codes[0]]):
            raise ValidationError(
                "region",
                _(
                    "The region code {code} ({name}) is no longer in use; list the office's current county code first."
                ).format(code=codes[0], name=_current_period(table[codes[0]]).full_name),
            )
        self.regions = tuple(codes)
        self._periods = {code: table[code] for code in codes}

    def _code_for(self, year: int) -> str | None:
        for code in self.regions:
            if any(p.in_use(year) for p in self._periods[code]):
                return code
        return None

    def counter_key(self, birth_date: date, sex: str) -> str:
        code = self._code_for(birth_date.year) or self.regions[0]
        return f"cn-18:{code}:{birth_date:%Y%m%d}:{_space(self._params, sex)}"

    def capacity(self, birth_date: date, sex: str) -> int:
        _space(self._params, sex)
        return CN_SEQUENCES_PER_SEX if self._code_for(birth_date.year) else 0

    def next_number(self, counter: int, birth_date: date, sex: str) -> tuple[str, int]:
        return _next_by_number(self, counter, birth_date, sex)

    def number(self, counter: int, birth_date: date, sex: str) -> str | None:
        _check_counter(counter)
        space = _space(self._params, sex)
        if not 1 <= birth_date.year <= 9999:
            raise ValidationError("birth_date", _("The birth date cannot be written in a cn-18 number."))
        code = self._code_for(birth_date.year)
        if code is None:
            spans = "; ".join(
                _("{code} ({name}) {periods}").format(
                    code=c, name=_current_period(self._periods[c]).full_name, periods=_period_words(self._periods[c])
                )
                for c in self.regions
            ).replace(";", ",")
            raise NumberExhaustedError(
                _(
                    "None of this office's region codes was in use in {year} (in use: {spans}), so it "
                    "cannot number a person born then; ask the authority to add a code of this county that was "
                    "in use in that year."
                ).format(year=birth_date.year, spans=spans)
            )
        if counter >= CN_SEQUENCES_PER_SEX:
            raise NumberExhaustedError(
                _(
                    "Region {code} has used all {count} sequence numbers for {people} born on {born}; "
                    "ask the authority to give this office another region code."
                ).format(code=code, count=CN_SEQUENCES_PER_SEX, people=_sex_words(space), born=birth_date.isoformat())
            )
        sequence = 2 * counter + (1 if space == "M" else 0)
        body = f"{code}{birth_date:%Y%m%d}{sequence:03d}"
        return body + ric.calc_check_digit(body + "0")


def _period_words(periods: tuple[_RegionPeriod, ...]) -> str:
    spans = []
    for p in periods:
        if p.valid_from is None and p.valid_to is None:
            spans.append(_("in every year"))
        elif p.valid_from is None:
            spans.append(_("until {end}").format(end=p.valid_to))
        elif p.valid_to is None:
            spans.append(_("since {start}").format(start=p.valid_from))
        else:
            spans.append(_("from {start} to {end}").format(start=p.valid_from, end=p.valid_to))
    words = spans[0] if spans else ""
    for span in spans[1:]:
        words = _("{earlier} and {later}").format(earlier=words, later=span)
    return words


# --------------------------------------------------------------------------------------------------------
# ee-11: Estonian isikukood


EE_CENTURY_DIGITS = {1800: (1, 2), 1900: (3, 4), 2000: (5, 6), 2100: (7, 8)}  # (men, women)


class _Ee11Allocator:
    """Slot k owns serials k*B .. k*B+B-1 (B = block_size) for every (birth date, sex)."""

    def __init__(self, partition: OfficePartition) -> None:
        self._params = _scheme("ee-11")
        self.block = int(self._params["block_size"])
        self.slots = 1000 // self.block
        _check_slot("ee-11", partition.slot, self.slots)
        self.slot = partition.slot

    def counter_key(self, birth_date: date, sex: str) -> str:
        return f"ee-11:{self.slot}:{birth_date:%Y%m%d}:{_space(self._params, sex)}"

    def capacity(self, birth_date: date, sex: str) -> int:
        _space(self._params, sex)
        return self.block

    def next_number(self, counter: int, birth_date: date, sex: str) -> tuple[str, int]:
        return _next_by_number(self, counter, birth_date, sex)

    def number(self, counter: int, birth_date: date, sex: str) -> str | None:
        _check_counter(counter)
        space = _space(self._params, sex)
        century = birth_date.year // 100 * 100
        if century not in EE_CENTURY_DIGITS:
            raise ValidationError(
                "birth_date", _("An ee-11 number can only encode birth years 1800–2199; check the birth date.")
            )
        if counter >= self.block:
            raise NumberExhaustedError(
                _(
                    "Office slot {slot} has used all {count} ee-11 serial numbers for {people} born on {born}; "
                    "ask the authority to give this office another slot."
                ).format(slot=self.slot, count=self.block, people=_sex_words(space), born=birth_date.isoformat())
            )
        first = EE_CENTURY_DIGITS[century][0 if space == "M" else 1]
        serial = self.slot * self.block + counter
        body = f"{first}{birth_date:%y%m%d}{serial:03d}"
        return body + ik.calc_check_digit(body + "0")


# --------------------------------------------------------------------------------------------------------
# uin-10: MOSIP-style, keyed permutation


UIN_BODY_BASE = 200_000_000  # 9-digit bodies 200000000..999999999: never a leading 0 or 1
UIN_DOMAIN = 800_000_000
UIN_HALF = 28_285  # smallest a with a*a >= UIN_DOMAIN; the Feistel network permutes [0, a*a)
UIN_TWEAK = b"id-console/uin-10/v1"
_UIN_ASCENDING = "0123456789" * 2  # wraps round like MOSIP's UinFilterUtil: 890 and 901 count as sequences


class _HmacSha256:
    """HMAC-SHA256 under one key (RFC 2104) from precomputed inner and outer SHA-256 states.

    `hmac.digest` keys the two hashes again on every call; copying keyed states is about 3x faster (1.0 us
    against 2.8 us per round input here, issue 16), which matters because a batch registration fills the
    permutation's tables with ~280,000 of them per process. The tests compare it with `hmac.digest`.
    """

    def __init__(self, key: bytes) -> None:
        block = 64
        if len(key) > block:
            key = hashlib.sha256(key).digest()
        key = key.ljust(block, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def digest(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def round_values(self, rnd: int, rights: Iterable[int]) -> list[int]:
        """The Feistel round function's raw values (first 8 bytes of the HMAC of tweak || rnd || right, unreduced)
        for many inputs: `digest` inlined into one local function, a third less time per entry (issue 16)."""
        prefix = UIN_TWEAK + bytes([rnd])
        inner_copy, outer_copy, from_bytes = self._inner.copy, self._outer.copy, int.from_bytes

        def value(right: int) -> int:
            inner = inner_copy()
            inner.update(prefix + right.to_bytes(4, "big"))
            outer = outer_copy()
            outer.update(inner.digest())
            return from_bytes(outer.digest()[:8], "big")

        return [value(right) for right in rights]


class _Feistel:
    """A keyed permutation of [0, UIN_DOMAIN): a square Feistel network over [0, a*a) with cycle-walking.

    Round i maps (L, R) to (R, (L + F_i(R)) mod a), F_i(R) = first 8 bytes of
    HMAC-SHA256(secret, tweak || i || R as 4 bytes big-endian), as an unsigned big-endian integer, mod a.
    Each F_i only ever sees a < 28,285 inputs, so its values are memoised: a table fills once per secret and
    allocation then costs a few list look-ups.
    """

    def __init__(self, secret: bytes, rounds: int) -> None:
        if rounds % 2:
            raise ValueError(f"the uin-10 permutation needs an even number of rounds, not {rounds}")
        self._mac = _HmacSha256(secret)
        self._tables = [[-1] * UIN_HALF for _ in range(rounds)]
        self._missing = [UIN_HALF] * rounds  # entries of each table not yet computed
        self._lock = threading.Lock()  # the permutation is shared (lru_cache) by every thread's allocator
        # Rounds in pairs (i, i + 1): two rounds (L, R) -> (R, L + F_i(R)) -> (L + F_i(R), R + F_i+1(...)) are
        # L += F_i(R); R += F_i+1(L), without the swap; MOSIP's filters make allocation try ~14 inputs per number.
        self._pairs = [(i, self._tables[i], self._tables[i + 1]) for i in range(0, rounds, 2)]
        self._arrays: list[Any] | None = None  # numpy copies of the full tables (`arrays`)

    def is_full(self) -> bool:
        """Every entry of every round table is computed (then `arrays` can serve the vector path)."""
        return not any(self._missing)

    def fill_all(self) -> None:
        """Compute every missing entry of every round table (282,850 HMACs for a fresh secret, ~0.3 s CPU).

        A batch that allocates more than a few hundred numbers reads nearly every entry anyway; filling them in one
        comprehension per round is cheaper than the look-ups of `_ensure`, and full tables can be kept (encrypted,
        `console.core.uintables`) and given to numpy (`console.core.uinfast`).
        """
        for rnd, table in enumerate(self._tables):
            if not self._missing[rnd]:
                continue
            todo = [i for i, v in enumerate(table) if v < 0]
            values = self._mac.round_values(rnd, todo)
            with self._lock:  # as in `_fill`: the count of missing entries stays exact
                for right, value in zip(todo, values, strict=True):
                    if table[right] < 0:
                        table[right] = value % UIN_HALF
                        self._missing[rnd] -= 1

    def table_bytes(self) -> bytes:
        """The full tables, round after round, each entry 2 bytes little-endian (entries are < UIN_HALF < 2**16)."""
        if not self.is_full():
            raise ValueError("the uin-10 round tables are not full")
        packed = array("H", [v for table in self._tables for v in table])
        if sys.byteorder == "big":
            packed.byteswap()
        return packed.tobytes()

    def load_tables(self, data: bytes) -> bool:
        """Take full tables from `table_bytes` output (decrypted by the caller); False, changing nothing, when the
        data does not have the right size and range or disagrees with the HMAC on a sample of entries."""
        rounds = len(self._tables)
        if len(data) != 2 * UIN_HALF * rounds:
            return False
        packed = array("H", data)
        if sys.byteorder == "big":
            packed.byteswap()
        values = packed.tolist()
        if max(values) >= UIN_HALF:
            return False
        tables = [values[r * UIN_HALF : (r + 1) * UIN_HALF] for r in range(rounds)]
        for rnd in range(rounds):  # a spot check of each round against the keyed function itself
            for right in (0, 1, UIN_HALF // 2, UIN_HALF - 1):
                mac = self._mac.digest(UIN_TWEAK + bytes([rnd]) + right.to_bytes(4, "big"))
                if tables[rnd][right] != int.from_bytes(mac[:8], "big") % UIN_HALF:
                    return False
        with self._lock:
            for rnd, table in enumerate(tables):
                self._tables[rnd][:] = table  # in place: `_pairs` holds these lists
                self._missing[rnd] = 0
        return True

    def arrays(self) -> list[Any]:
        """The full tables as numpy arrays for `uinfast.permute` (made once, after `fill_all` or `load_tables`)."""
        if self._arrays is None:
            from console.core import uinfast  # numpy: only on the batch path (see uinfast's docstring)

            self._arrays = list(uinfast.tables(self._tables))
        return self._arrays

    def _fill(self, rnd: int, right: int) -> int:
        mac = self._mac.digest(UIN_TWEAK + bytes([rnd]) + right.to_bytes(4, "big"))
        value = int.from_bytes(mac[:8], "big") % UIN_HALF
        with self._lock:  # the count must stay exact: `_ensure` trusts a table whose count reached 0
            if self._tables[rnd][right] < 0:
                self._tables[rnd][right] = value
                self._missing[rnd] -= 1
        return value

    def _ensure(self, rnd: int, inputs: list[int]) -> None:
        """Compute the entries of round `rnd`'s table that `inputs` will read (nothing once the table is full).

        In one comprehension rather than a `_fill` call each (issue 16): a batch registration fills most of the
        tables (~280,000 HMACs per process), and the per-call overhead was as much as the HMAC itself.
        """
        if not self._missing[rnd]:
            return
        table = self._tables[rnd]
        if len(inputs) > 1:
            # the look-ups in C (itemgetter, min, compress): a Python loop over each run's 2,048 inputs was, while
            # the tables fill, as much as the permutation itself (issue 16)
            values = itemgetter(*inputs)(table)
            if min(values) >= 0:
                return
            todo = set(compress(inputs, map(lt, values, repeat(0))))
        else:
            todo = {right for right in inputs if table[right] < 0}
            if not todo:
                return
        values = [(right, value) for right, value in zip(todo, self._mac.round_values(rnd, todo), strict=True)]
        with self._lock:  # as in `_fill`: the count of missing entries stays exact
            for right, value in values:
                if table[right] < 0:
                    table[right] = value % UIN_HALF
                    self._missing[rnd] -= 1

    def _once(self, x: int) -> int:
        a = UIN_HALF
        left, right = divmod(x, a)
        for rnd, first, second in self._pairs:
            value = first[right]
            if value < 0:
                value = self._fill(rnd, right)
            left = (left + value) % a
            value = second[left]
            if value < 0:
                value = self._fill(rnd + 1, left)
            right = (right + value) % a
        return left * a + right

    def permute(self, x: int) -> int:
        y = self._once(x)
        while y >= UIN_DOMAIN:  # cycle-walk back into the domain; x < UIN_DOMAIN guarantees termination
            y = self._once(y)
        return y

    def permute_many(self, xs: range) -> list[int]:
        """`permute` of every x, computed round by round over the whole list (map and operator run in C).

        The same arithmetic as `_once`, one round at a time for all inputs instead of one input at a time for
        all rounds: about a third of the cost per input, which matters because allocation under MOSIP's
        filters tries ~14 inputs for every number it keeps.
        """
        a = UIN_HALF
        if len(xs) < 2:  # itemgetter of one index returns the item, not a tuple
            return [self.permute(x) for x in xs]
        lefts = list(map(floordiv, xs, repeat(a)))
        rights = list(map(mod, xs, repeat(a)))
        for rnd, first, second in self._pairs:
            self._ensure(rnd, rights)
            # itemgetter(*indices) gathers the table entries in one C loop: ~40 % cheaper than a map (issue 16)
            lefts = list(map(mod, map(add, lefts, itemgetter(*rights)(first)), repeat(a)))
            self._ensure(rnd + 1, lefts)
            rights = list(map(mod, map(add, rights, itemgetter(*lefts)(second)), repeat(a)))
        ys = list(map(add, map(mul, lefts, repeat(a)), rights))
        for i, y in enumerate(ys):
            while y >= UIN_DOMAIN:
                y = self._once(y)
            ys[i] = y
        return ys


@lru_cache(maxsize=4)
def _feistel(secret: bytes, rounds: int) -> _Feistel:
    return _Feistel(secret, rounds)


@dataclass(frozen=True)
class _UinFilters:
    """MOSIP's UIN filters (``mosip.kernel.uin.*``) compiled from the parameters in ``schemes.json``.

    ``anywhere`` finds every pattern that can occur at any position: two equal digits within
    ``repeating_limit`` positions (``11``, ``1x1``), a sequence of ``sequence_limit`` digits up or down (wrapping
    round), a block of ``repeating_block_limit`` or more digits that occurs again later, ``even_limit`` of the
    digits 2, 4, 6, 8 in a row (MOSIP's regex ``[2468]{3}``: 0 does not count), and the restricted and cyclic
    numbers. The first and last ``group`` and ``reverse_group`` digits are compared separately. Every pattern
    of ``anywhere`` that lies inside the 9-digit body also lies inside the number, so allocation tests the body
    first and computes the check digit only for the few bodies that pass.
    """

    anywhere: re.Pattern[str]
    not_start_with: tuple[str, ...]
    group: int
    reverse_group: int
    #: the parameters `anywhere` is made of, for the array form of the same test (`uinfast.rejected`)
    repeating: int = 0
    block: int = 0
    even: int = 0
    sequence: int = 0
    literals: tuple[str, ...] = ()

    def pattern(self, number: str) -> str | None:
        """The first pattern of `number` that MOSIP's filters reject, or None."""
        for prefix in self.not_start_with:
            if number.startswith(prefix):
                return prefix
        match = self.anywhere.search(number)
        if match:
            return match.group(0)
        if self.group and number[: self.group] == number[-self.group :]:
            return number
        if self.reverse_group and number[: self.reverse_group] == number[-self.reverse_group :][::-1]:
            return number
        return None


@cache
def _uin_filters() -> _UinFilters:
    """The filters of the uin-10 scheme (docs/coding-rules.md §4 lists them with MOSIP's property names)."""
    params = _scheme("uin-10")["mosip_filters"]
    alternatives: list[str] = []
    repeating = int(params["repeating_limit"])
    if repeating > 0:
        alternatives.append(rf"(?P<rep>\d)\d{{0,{repeating - 1}}}(?P=rep)")
    block = int(params["repeating_block_limit"])
    if block > 0:
        # A block of k or more digits that recurs contains a recurring block of exactly k digits (its first
        # k), so MOSIP's (\d{k,}).*?\1 and this regex reject the same numbers; this one backtracks far less.
        alternatives.append(rf"(?P<block>\d{{{block}}})\d*?(?P=block)")
    even = int(params["conjugative_even_digits_limit"])
    if even > 0:
        alternatives.append(rf"[2468]{{{even}}}")
    run = int(params["sequence_limit"])
    if run > 0:
        windows = {_UIN_ASCENDING[i : i + run] for i in range(len(_UIN_ASCENDING) - run + 1)}
        windows |= {w[::-1] for w in windows}
        alternatives.extend(sorted(windows))
    alternatives.extend(re.escape(str(n)) for n in (*params["restricted_numbers"], *params["cyclic_numbers"]))
    return _UinFilters(
        anywhere=re.compile("|".join(alternatives)),
        not_start_with=tuple(str(d) for d in params["not_start_with"]),
        group=int(params["digits_group_limit"]),
        reverse_group=int(params["reverse_digits_group_limit"]),
        repeating=max(repeating, 0),
        block=max(block, 0),
        even=max(even, 0),
        sequence=max(run, 0),
        literals=tuple(str(n) for n in (*params["restricted_numbers"], *params["cyclic_numbers"])),
    )


class _Uin10Allocator:
    """Number = Verhoeff-completed body P(slot * S + counter) + 2e8, skipped when it matches a filter.

    Callers ask for counter after counter (the registry advances one counter until a number comes back), and
    ~93% of counters are skipped, so the allocator works out a run of counters at once (`_run`: the permutation
    round by round over the run, the filters in one regex pass over the run's bodies) and answers the next
    calls from it. The answer for a counter is the same either way: a pure function of (partition, counter).
    """

    _FIRST_RUN = 32  # a single registration needs ~14 counters; sequential use doubles the run up to _MAX_RUN
    _MAX_RUN = 2048
    #: Runs at least this long use the array path (`uinfast`, numpy) once the permutation's tables are full; a run
    #: of _MAX_RUN (a batch past its first ~150 numbers) fills them first. Shorter runs (single registrations)
    #: stay in pure Python, without loading numpy.
    _VECTOR_RUN = 512
    _VECTOR_MAX_RUN = 8192

    def __init__(self, partition: OfficePartition) -> None:
        self._params = _scheme("uin-10")
        self.slot_size = int(self._params["slot_size"])
        self.slots = UIN_DOMAIN // self.slot_size
        _check_slot("uin-10", partition.slot, self.slots)
        if not isinstance(partition.secret, bytes) or len(partition.secret) != SECRET_SIZE:
            raise ValidationError(
                "secret",
                _(
                    "The authority's numbering secret must be {size} bytes; restore it from the authority's "
                    "set-up file."
                ).format(size=SECRET_SIZE),
            )
        self.slot = partition.slot
        self._permutation = _feistel(partition.secret, int(self._params["feistel_rounds"]))
        self._filters = _uin_filters()
        self._run: tuple[int, list[str | None]] = (0, [])  # (first counter, answers); replaced, never mutated
        self._hits: tuple[list[str | None], list[int]] = ([], [])  # (a run's answers, offsets of its numbers)

    def counter_key(self, birth_date: date, sex: str) -> str:
        _check_sex(sex)
        return f"uin-10:{self.slot}"

    def capacity(self, birth_date: date, sex: str) -> int:
        _check_sex(sex)
        return self.slot_size

    def _exhausted(self) -> NumberExhaustedError:
        return NumberExhaustedError(
            _(
                "Office slot {slot} has used its whole uin-10 block ({count:,} counter values, about 290,000 "
                "numbers after MOSIP's filters); ask the authority to give this office another slot."
            ).format(slot=self.slot, count=self.slot_size)
        )

    def _run_at(self, counter: int) -> tuple[int, list[str | None]]:
        """The run holding `counter`, working out a new one when it is not in the current run."""
        start, answers = self._run
        if not start <= counter < start + len(answers):
            sequential = counter == start + len(answers)
            size = self._FIRST_RUN
            if sequential:
                longest = self._VECTOR_MAX_RUN if self._permutation.is_full() else self._MAX_RUN
                size = min(max(2 * len(answers), self._FIRST_RUN), longest)
            start, answers = counter, self._numbers(counter, min(counter + size, self.slot_size))
            self._run = (start, answers)
        return start, answers

    def number(self, counter: int, birth_date: date, sex: str) -> str | None:
        _check_counter(counter)
        _check_sex(sex)
        if counter >= self.slot_size:
            raise self._exhausted()
        start, answers = self._run_at(counter)
        return answers[counter - start]

    def next_number(self, counter: int, birth_date: date, sex: str) -> tuple[str, int]:
        """The first number at a counter value >= `counter`, and the counter value after it: what calling `number`
        from `counter` on until one comes back gives, without a call per skipped counter (~13 a number)."""
        _check_counter(counter)
        _check_sex(sex)
        while True:
            if counter >= self.slot_size:
                raise self._exhausted()
            start, answers = self._run_at(counter)
            of, hits = self._hits
            if of is not answers:
                hits = [i for i, answer in enumerate(answers) if answer is not None]
                self._hits = (answers, hits)
            at = bisect_left(hits, counter - start)
            if at < len(hits):
                offset = hits[at]
                number = answers[offset]
                assert number is not None
                return number, start + offset + 1
            counter = start + len(answers)

    def _numbers(self, first: int, end: int) -> list[str | None]:
        """The answers for counters first..end-1."""
        if end - first >= self._VECTOR_RUN and (end - first >= self._MAX_RUN or self._permutation.is_full()):
            return self._numbers_vector(first, end)
        base = self.slot * self.slot_size
        bodies = list(
            map(str, map(add, self._permutation.permute_many(range(base + first, base + end)), repeat(UIN_BODY_BASE)))
        )
        # The run-of-digits filters first: any such pattern in a body is also in its number, and ~90% of bodies
        # have one, so only the survivors get a check digit and the remaining filters.
        search = self._filters.anywhere.search
        answers: list[str | None] = []
        for body in bodies:
            if search(body):
                answers.append(None)
                continue
            number = body + verhoeff.calc_check_digit(body)
            answers.append(None if self._filters.pattern(number) else number)
        return answers

    def _numbers_vector(self, first: int, end: int) -> list[str | None]:
        """`_numbers` as array operations over the whole run (`uinfast`): the permutation, then MOSIP's run-of-digits
        filters as a mask, then, for the ~10 % of bodies the mask keeps, the same regex, check digit and filters as
        the pure path. Fills the permutation's tables first if a part is missing (once per secret and process,
        unless `uintables` loaded them)."""
        from console.core import uinfast  # numpy: only on the batch path

        self._permutation.fill_all()
        base = self.slot * self.slot_size
        import numpy as np

        xs = np.arange(base + first, base + end, dtype=np.int64)
        bodies = uinfast.permute(self._permutation.arrays(), UIN_HALF, UIN_DOMAIN, xs) + UIN_BODY_BASE
        rows = uinfast.digits(bodies, 9)
        f = self._filters
        kept = np.flatnonzero(
            ~uinfast.rejected(
                rows, repeating=f.repeating, block=f.block, even=f.even, sequence=f.sequence, literals=f.literals
            )
        )
        # the ~10 % left get their check digit, then the same filters over the whole 10-digit number
        rows = rows[:, kept]
        checks = uinfast.check_digits(rows)
        numbers = bodies[kept] * 10 + checks
        rows = np.vstack([rows, checks[np.newaxis, :]])
        bad = uinfast.rejected(
            rows, repeating=f.repeating, block=f.block, even=f.even, sequence=f.sequence, literals=f.literals
        )
        bad |= uinfast.grouped(rows, numbers, f.not_start_with, f.group, f.reverse_group)
        good = np.flatnonzero(~bad)
        answers: list[str | None] = [None] * (end - first)
        pattern = f.pattern  # the regex filters still decide every number kept (the arrays only ever reject)
        for offset, value in zip(kept[good].tolist(), numbers[good].tolist(), strict=True):
            number = str(value)
            if not pattern(number):
                answers[offset] = number
        return answers


_ALLOCATORS: dict[str, Callable[[OfficePartition], Allocator]] = {
    "cn-18": _Cn18Allocator,
    "ee-11": _Ee11Allocator,
    "uin-10": _Uin10Allocator,
}


def round_tables(allocator: Allocator) -> bytes | None:
    """A uin-10 allocator's full permutation tables (`_Feistel.table_bytes`), for keeping them encrypted between
    processes (`console.core.uintables`); None for another scheme or while some entries are still missing."""
    if not isinstance(allocator, _Uin10Allocator) or not allocator._permutation.is_full():
        return None
    return allocator._permutation.table_bytes()


def load_round_tables(allocator: Allocator, data: bytes) -> bool:
    """Give a uin-10 allocator full tables kept by `round_tables` (already decrypted); False, changing nothing, for
    another scheme or data that does not check out against the secret (`_Feistel.load_tables`)."""
    if not isinstance(allocator, _Uin10Allocator):
        return False
    return allocator._permutation.is_full() or allocator._permutation.load_tables(data)


def needs_round_tables(allocator: Allocator) -> bool:
    """Whether loading kept tables would spare this allocator work: a uin-10 allocator whose tables are not full."""
    return isinstance(allocator, _Uin10Allocator) and not allocator._permutation.is_full()


def allocator_for(partition: OfficePartition) -> Allocator:
    """The allocator for one office's partition.

    Raises:
        ValidationError: the partition does not fit its scheme (unknown scheme, slot out of range, region not a
            current county code for cn-18, secret not 32 bytes for uin-10); the field names the bad part.
    """
    _scheme(partition.scheme)
    if partition.slot < 0:
        raise ValidationError(
            "slot", _("Office slot {slot} is negative; ask the authority for a slot.").format(slot=partition.slot)
        )
    return _ALLOCATORS[partition.scheme](partition)


# --------------------------------------------------------------------------------------------------------
# Validation


_SEPARATORS = {" ", "-", "\u00a0", "\u2009", "\u202f"}
_LENGTHS = {"cn-18": 18, "ee-11": 11, "uin-10": 10}


def _bad(message: str) -> ValidationError:
    return ValidationError(ID_FIELD, message)


def _show(ch: str) -> str:
    if ch.isprintable() and not ch.isspace():
        return _("“{ch}”").format(ch=ch)
    return _("the invisible character U+{code}").format(code=f"{ord(ch):04X}")


def _normalise(number: str) -> str:
    """NFKC (full-width digits from CJK keyboards become ASCII), upper case, separators dropped."""
    text = unicodedata.normalize("NFKC", number).upper()
    return "".join(ch for ch in text if ch not in _SEPARATORS)


def _check_date(text: str, where: str, today: date | None) -> date:
    """Parse YYYYMMDD; say which characters are wrong if it is not a real or not a past date."""
    try:
        born = date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise _bad(
            _(
                "The birth date in the ID number ({where}, read as {text}) is not a real date; check those digits."
            ).format(where=where, text=f"{text[0:4]}-{text[4:6]}-{text[6:8]}")
        ) from None
    if born > (today or date.today()):
        raise _bad(
            _("The birth date in the ID number ({born}) is in the future; check {where}.").format(
                born=born.isoformat(), where=where
            )
        )
    return born


def validate(scheme: str, number: str, *, today: date | None = None) -> NumberInfo:
    """Check an ID number of `scheme` and say what it encodes.

    Accepts the number as typed: surrounding and grouping spaces or hyphens, full-width digits and a lower-case
    ``x`` are normalised away. Each rejection is one specific sentence (wrong length, a bad character and
    where, an impossible or future birth date, an unknown region, a wrong check character, a pattern the
    scheme never issues); it never reveals the expected check character.

    Args:
        scheme: a name from `scheme_names()`.
        number: the number as entered.
        today: the date "future" is measured against (tests pin it); defaults to today.

    Raises:
        ValidationError: field ``id_number`` (``scheme`` for an unknown scheme).
    """
    _scheme(scheme)  # refuses an unknown scheme
    text = _normalise(number)
    length = _LENGTHS[scheme]
    if not text:
        raise _bad(
            _("The ID number is empty; type the {length}-character number as printed on the document.").format(
                length=length
            )
        )
    for pos, ch in enumerate(text, start=1):
        if ch.isdigit() and ch.isascii():
            continue
        if scheme == "cn-18" and ch == "X" and pos == len(text):  # then the length check speaks
            continue
        allowed = _("digits and, at the end only, the letter X") if scheme == "cn-18" else _("digits")
        raise _bad(
            _(
                "The ID number has {char} at position {pos}, but {scheme} numbers contain only {allowed}; "
                "check that character."
            ).format(char=_show(ch), pos=pos, scheme=scheme, allowed=allowed)
        )
    if len(text) != length:
        raise _bad(
            _(
                "The ID number has {count} characters, but {scheme} numbers have {length}; "
                "check for a missing or extra character."
            ).format(count=len(text), scheme=scheme, length=length)
        )
    if scheme == "cn-18":
        return _validate_cn18(text, today)
    if scheme == "ee-11":
        return _validate_ee11(text, today)
    return _validate_uin10(text)


def _validate_cn18(text: str, today: date | None) -> NumberInfo:
    born = _check_date(text[6:14], _("characters 7–14"), today)
    code = text[:6]
    periods = _region_table("cn-18").get(code)
    if not periods:
        raise _bad(
            _(
                "The region code {code} (the first six digits of the ID number) is not in the GB/T 2260 table; "
                "check those digits."
            ).format(code=code)
        )
    if not any(p.in_use(born.year) for p in periods):
        raise _bad(
            _(
                "The region code {code} ({name}) was not in use in {year}, the "
                "birth year in the ID number; check the first six digits and the birth date."
            ).format(code=code, name=_current_period(periods).full_name, year=born.year)
        )
    if text[-1] != ric.calc_check_digit(text):
        raise _bad(
            _(
                "The check character (the last character) does not match the rest of the ID number, so a character "
                "was probably mistyped; compare the number with the document again."
            )
        )
    sex = "M" if int(text[14:17]) % 2 else "F"
    return NumberInfo(number=text, scheme="cn-18", birth_date=born, sex=sex, region=code)


def _check_digit_message() -> str:
    return _(
        "The check digit (the last digit) does not match the rest of the ID number, so a digit was probably "
        "mistyped; compare the number with the document again."
    )


def _validate_ee11(text: str, today: date | None) -> NumberInfo:
    first = int(text[0])
    if not 1 <= first <= 8:
        raise _bad(
            _(
                "The first digit of the ID number is {first}, but it must be 1–8 (it encodes sex and birth "
                "century); check it."
            ).format(first=first)
        )
    century = 1800 + (first - 1) // 2 * 100
    born = _check_date(f"{century + int(text[1:3])}{text[3:7]}", _("digits 2–7"), today)
    if text[-1] != ik.calc_check_digit(text):
        raise _bad(_check_digit_message())
    return NumberInfo(number=text, scheme="ee-11", birth_date=born, sex="M" if first % 2 else "F")


def _validate_uin10(text: str) -> NumberInfo:
    if text[0] in "01":
        raise _bad(
            _(
                "The ID number starts with {digit}, but uin-10 numbers never start with 0 or 1; check the first digit."
            ).format(digit=text[0])
        )
    if not verhoeff.is_valid(text):
        raise _bad(_check_digit_message())
    pattern = _uin_filters().pattern(text)
    if pattern:
        raise _bad(
            _(
                "The ID number contains “{pattern}”, a pattern no uin-10 number is issued with, so it was probably "
                "mistyped; compare the number with the document again."
            ).format(pattern=pattern)
        )
    return NumberInfo(number=text, scheme="uin-10")
