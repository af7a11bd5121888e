"""Citizen registration under the authority's uniform coding rules, duplicate review, and search.

Invariants:
- A number is allocated in the same transaction that stores the citizen and its signed event: a crash
  leaves either all three or none, so no number is handed out twice and no record is lost.
- A likely duplicate consumes no number: it waits in `registrations` as ``pending-review`` until a supervisor
  (never the one who entered it) accepts it (a number is allocated then) or rejects it.
- Events carry no personal data in the clear: the subject is a keyed digest of the ID number; the record is
  sealed to the authority's records key.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import json
import logging
import re
import sqlite3
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from console.core import coding, events, names
from console.core.accounts import Session
from console.core.errors import Conflict, NotFound, UserCancelled, ValidationError
from console.core.i18n import _
from console.core.independence import require_independent
from console.core.roles import Permission
from console.core.store import Database, IntegrityError, transaction, writers_waiting
from console.core.timeutil import to_iso

MAX_PHOTO_BYTES = 512 * 1024
MAX_PHOTO_SIDE = 4000
OLDEST_BIRTH = date(1900, 1, 1)
SEXES = ("F", "M", "X")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Progress = Callable[[int, int], None]
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PersonInput:
    """What a clerk types (or an import file holds), unchecked."""

    family_name: str
    given_name: str
    birth_date: str
    sex: str
    birthplace: str
    photo: bytes | None = None
    # issue 11 (coding): the Latin forms a clerk typed, replacing the automatic ICAO transliteration
    latin_family_name: str | None = None
    latin_given_name: str | None = None


@dataclass(frozen=True)
class Person:
    """A checked person: names as entered (NFC) and in ICAO Latin form, a real date, a known region."""

    family_name: str
    given_name: str
    latin_family: str
    latin_given: str
    match_key: str
    birth_date: date
    sex: str
    birthplace: str
    photo: bytes | None

    def sealed_record(self, id_number: str | None) -> dict[str, Any]:
        record: dict[str, Any] = {
            "family_name": self.family_name,
            "given_name": self.given_name,
            "latin_family": self.latin_family,
            "latin_given": self.latin_given,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
            "birthplace": self.birthplace,
        }
        if id_number:
            record["id_number"] = id_number
        if self.photo:
            record["photo"] = self.photo
        return record


def parse_birth_date(text: str, today: date) -> date:
    """A real, past birth date written YYYY-MM-DD."""
    text = text.strip()
    if not DATE_RE.match(text):
        raise ValidationError(
            "birth-date", _("The birth date {text!r} is not written YYYY-MM-DD (e.g. 1990-07-14).").format(text=text)
        )
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            "birth-date", _("The birth date {text} does not exist in the calendar.").format(text=text)
        ) from None
    if value > today:
        raise ValidationError("birth-date", _("The birth date {text} is in the future.").format(text=text))
    if value < OLDEST_BIRTH:
        raise ValidationError(
            "birth-date",
            _("The birth date {text} is before {oldest}; check the year.").format(text=text, oldest=OLDEST_BIRTH),
        )
    return value


def check_photo(photo: bytes | None) -> bytes | None:
    """Accept a JPEG or PNG of at most 512 KB; anything else gets a clear refusal."""
    if photo is None:
        return None
    if len(photo) > MAX_PHOTO_BYTES:
        raise ValidationError(
            "photo",
            _("The photo is {size} KB; the limit is {limit} KB. Use a smaller one.").format(
                size=len(photo) // 1024, limit=MAX_PHOTO_BYTES // 1024
            ),
        )
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(photo)) as image:
            kind = image.format
            width, height = image.size
            if width > MAX_PHOTO_SIDE or height > MAX_PHOTO_SIDE:
                raise ValidationError(
                    "photo",
                    _(
                        "The photo is {width}×{height} pixels; the limit is {limit} on each side. Use a smaller one."
                    ).format(width=width, height=height, limit=MAX_PHOTO_SIDE),
                )
            image.load()  # decode every pixel: a truncated file fails here, not later on the card
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
        raise ValidationError("photo", _("The photo file is not a complete, readable image; use a JPEG or PNG.")) from e
    if kind not in ("JPEG", "PNG"):
        raise ValidationError("photo", _("The photo is a {kind} image; use a JPEG or PNG.").format(kind=kind))
    return photo


def check_person(scheme: str, raw: PersonInput, today: date) -> Person:
    """Validate and normalise one person; raises `ValidationError` naming the field."""
    family = names.clean_name(raw.family_name, "family-name")
    given = names.clean_name(raw.given_name, "given-name")
    birth = parse_birth_date(raw.birth_date, today)
    sex = raw.sex.strip().upper()
    if sex not in SEXES:
        raise ValidationError("sex", _("The sex {sex!r} is not one of F, M or X.").format(sex=raw.sex))
    place = raw.birthplace.strip().upper()
    if not (coding.is_known_region(scheme, place) or coding.is_country(place)):
        raise ValidationError(
            "birthplace",
            _(
                "The birthplace {place!r} is not a known code: use a {kind} "
                "or, for people born abroad, an ISO 3166-1 alpha-3 country code (e.g. FIN)."
            ).format(place=raw.birthplace.strip(), kind=coding.region_kind(scheme)),
        )
    latin_family = _latin(family, "family", raw.latin_family_name, names.LATIN_FAMILY_FIELD)
    latin_given = _latin(given, "given", raw.latin_given_name, names.LATIN_GIVEN_FIELD)
    return Person(
        family,
        given,
        latin_family,
        latin_given,
        names.fold_key(f"{latin_family} {latin_given}"),
        birth,
        sex,
        place,
        check_photo(raw.photo),
    )


def _latin(name: str, part: names.NamePart, typed: str | None, field: str) -> str:
    """The Latin form the clerk typed (checked), else the automatic one; blank means "not typed"."""
    if typed is not None and typed.strip():
        return names.latin_override(typed, field)
    return names.latin_form(name, part)


def _swapped(day: date) -> date | None:
    try:
        return date(day.year, day.day, day.month) if day.day != day.month else None
    except ValueError:
        return None


def _threshold(key: str) -> int:
    return _threshold_of(len(key))


def _threshold_of(length: int) -> int:
    """How many typing slips (edit operations) a name key of this length may differ by and still match."""
    return 1 if length <= 10 else 2 if length <= 20 else 3


# Indexed duplicate check. A stored key T is cut into m = k+2 segments for each slip count k that a key of
# similar length may be allowed. A key within k slips of T leaves at least two of T's segments free of slips
# other than swaps of two neighbours across their ends (each other slip lies in one segment; a swap across a
# boundary is undone by reading the probe's first or last character from its neighbour). The index holds every
# *pair* of T's segments (with birth date, sex, T's length and k), so one exact look-up of a pair finds T: a
# pair of segments is most of the name, shared by few people, so the rows a look-up reads do not grow with the
# number of people born that day (single segments did: three letters are shared by thousands). The probe lists
# every pair the new key could show: segment i at shift s_i and j at s_j, with or without a boundary swap at
# either end, as long as the slips this needs, |s_i| + |s_j - s_i| + |Δ - s_j| plus one per swap (Δ the
# difference of lengths), stay within k. Which readings to combine depends only on the key's length and k, so
# that plan is worked out once per length. Entries are stored as 63-bit hashes (a collision only adds a
# candidate that the real distance then rejects). Keys too short to cut share one entry per length.
# The hash keeps a look-up's entries close together in the index: date and sex, then the region (the key's
# length, k, i and segment i), then segment j. A look-up's ~190 pairs fall in ~55 regions, each a few pages
# however many people share the date, so its cost no longer grows with the crowd (with the pair's hash on its
# own, each pair was a seek into a different page of a crowd's part of the index).

#: A reading of the probe key: (start, size, swap at the head, swap at the tail).
_Reading = tuple[int, int, int, int]


def _parts(length: int, count: int) -> list[tuple[int, int]]:
    """The (start, length) of the `count` segments a key of `length` characters is cut into ([] if too short)."""
    if length < count:
        return []
    base, extra = divmod(length, count)
    parts: list[tuple[int, int]] = []
    start = 0
    for index in range(count):
        size = base + (1 if index >= count - extra else 0)
        parts.append((start, size))
        start += size
    return parts


def _index_pairs(key: str) -> list[str]:
    """A stored key's entries without date and sex: every pair of its segments, for every slip count a key of
    nearby length may have (or the one entry of a key too short to cut)."""
    length = len(key)
    entries: list[str] = []
    for slips in sorted({_threshold_of(n) for n in range(max(1, length - 3), length + 4)}):
        parts = _parts(length, slips + 2)
        if not parts:
            entries.append(f"{length}|{slips}|*")
            continue
        pieces = [key[p : p + n] for p, n in parts]
        entries += [
            f"{length}|{slips}|{i}|{pieces[i]}#{j}|{pieces[j]}"
            for i in range(len(parts))
            for j in range(i + 1, len(parts))
        ]
    return entries


def index_segments(day: str, sex: str, key: str) -> list[str]:
    """The index entries of a stored key of a person born on `day` with `sex`: its pairs of segments."""
    return [f"{day}|{sex}|{pair}" for pair in _index_pairs(key)]


def _readings(length: int, start: int, size: int) -> list[_Reading]:
    """The ways a stored segment free of slips can show at [start, start+size) of a probe of `length`: as is,
    or with a swap across its head and/or tail undone."""
    found = [(start, size, 0, 0)]
    head, tail = start > 0, start + size < length
    if head:
        found.append((start, size, 1, 0))
    if tail:
        found.append((start, size, 0, 1))
        if head and size > 1:
            found.append((start, size, 1, 1))
    return found


@functools.lru_cache(maxsize=256)
def _probe_plan(
    length: int, slips: int
) -> tuple[tuple[str, ...], tuple[_Reading, ...], tuple[tuple[str, int, str, int], ...]]:
    """For probe keys of `length` and `slips`: the short keys' entries, the readings, and the pairs of readings
    (entry head, reading of segment i, middle, reading of segment j) a stored key within `slips` may match."""
    shorts: list[str] = []
    readings: dict[_Reading, int] = {}
    pairs: set[tuple[str, int, str, int]] = set()

    def reading(r: _Reading) -> int:
        return readings.setdefault(r, len(readings))

    for other in range(max(1, length - slips), length + slips + 1):
        parts = _parts(other, slips + 2)
        if not parts:
            shorts.append(f"{other}|{slips}|*")
            continue
        delta = length - other
        for i, (p_i, n_i) in enumerate(parts):
            for si in range(-slips, slips + 1):
                start_i = p_i + si
                if abs(si) + abs(delta - si) > slips or start_i < 0 or start_i + n_i > length:
                    continue
                for j in range(i + 1, len(parts)):
                    p_j, n_j = parts[j]
                    head, middle = f"{other}|{slips}|{i}|", f"#{j}|"
                    for sj in range(-slips, slips + 1):
                        start_j = p_j + sj
                        spare = slips - abs(si) - abs(sj - si) - abs(delta - sj)
                        if spare < 0 or start_j < 0 or start_j + n_j > length:
                            continue
                        for ri in _readings(length, start_i, n_i):
                            for rj in _readings(length, start_j, n_j):
                                swaps = ri[2] + ri[3] + rj[2] + rj[3]
                                if j == i + 1:
                                    if ri[3] != rj[2] or (ri[3] and si != sj):
                                        continue  # one swap across the shared boundary changes both ends
                                    swaps -= ri[3]  # ... and is one slip
                                if swaps <= spare:
                                    pairs.add((head, reading(ri), middle, reading(rj)))
    return tuple(shorts), tuple(readings), tuple(sorted(pairs))


def _read(key: str, reading: _Reading) -> str:
    start, size, head, tail = reading
    text = key[start : start + size]
    if head:
        text = key[start - 1] + text[1:]
    if tail:
        text = text[:-1] + key[start + size]
    return text


def _probe_pairs(key: str, slips: int) -> set[str]:
    """The entries (without date and sex) that a stored key within `slips` of `key` has at least one of."""
    shorts, readings, pairs = _probe_plan(len(key), slips)
    texts = [_read(key, r) for r in readings]
    return {*shorts, *(f"{head}{texts[a]}{middle}{texts[b]}" for head, a, middle, b in pairs)}


def probe_segments(day: str, sex: str, key: str, slips: int) -> set[str]:
    """What to look up for stored keys within `slips` of `key` (same day and sex): each such key has one of its
    entries (a pair of segments, or a short key's one entry) in this set."""
    return {f"{day}|{sex}|{pair}" for pair in _probe_pairs(key, slips)}


# An entry's 63-bit key (SQLite integers are signed 64-bit: kept non-negative): 24 bits of the prefix (date and
# sex), 20 of the region (the pair up to "#"), 19 of the rest.
_REGION_BITS, _TAIL_BITS = 20, 19
_REGION_MASK, _TAIL_MASK = (1 << _REGION_BITS) - 1, (1 << _TAIL_BITS) - 1


@functools.lru_cache(maxsize=1024)
def _prefix_hash(prefix: str) -> int:
    top = int.from_bytes(hashlib.blake2b(prefix.encode(), digest_size=3).digest(), "big")
    return top << (_REGION_BITS + _TAIL_BITS)


def _pair_codes(pairs: Iterable[str]) -> list[int]:
    """Each pair's low 39 bits, the CRC-32 of its region above that of the rest: cheap (the probe has a few
    hundred), and computed once for all of its prefixes."""
    crc = zlib.crc32
    codes = []
    for pair in pairs:
        region, _hash, tail = pair.partition("#")
        codes.append((crc(region.encode()) & _REGION_MASK) << _TAIL_BITS | (crc(tail.encode()) & _TAIL_MASK))
    return codes


def _entry_hashes(prefix: str, codes: Iterable[int]) -> list[int]:
    """The 63-bit keys under which the entries `prefix + pair` are stored (see above). A collision only adds a
    candidate, which the birth date and the real distance then reject."""
    base = _prefix_hash(prefix)
    return [base | code for code in codes]


#: A (birth date, sex) group of at most this many people is read whole from the covering index
#: `citizens_birth (birth_date, sex, match_key)` and compared in C (rapidfuzz): a few dozen people a day even in a
#: nation of millions, cheaper than a few hundred look-ups in the pair index and with nothing to write. A larger
#: group is *crowded* (an unknown birth date recorded as 1 January, a mass registration): its people are kept in the
#: pair index (`dup_pairs`), so a look-up reads a few rows however large it grows (issue 12). The migration of
#: issue 16 in store.py lists the groups already crowded with the same number.
GROUP_SCAN_LIMIT = 256


def _index_rows(conn: sqlite3.Connection, rows: Iterable[tuple[int, str, str, str]]) -> None:
    """Put citizens (rowid, key, birth date, sex) of crowded groups into the pair index (src 0)."""
    entries = [
        (h, 0, rid)
        for rid, key, birth, sex in rows
        for h in _entry_hashes(f"{birth}|{sex}|", _pair_codes(_index_pairs(key)))
    ]
    if entries:
        conn.executemany("INSERT OR IGNORE INTO dup_pairs (h, src, rid) VALUES (?, ?, ?)", entries)


def _set_upto(conn: sqlite3.Connection, src: int, upto: object) -> None:
    conn.execute(
        "INSERT INTO dup_indexed (src, upto) VALUES (?, ?) ON CONFLICT(src) DO UPDATE SET upto = excluded.upto",
        (src, upto),
    )


def _catch_up_index(conn: sqlite3.Connection, limit: int = -1) -> bool:
    """Index what was stored since the last check (by this console or any other writer), at most `limit` rows of
    each kind (-1: all): citizens of crowded groups into the pair index (src 0, by rowid), citizens whose credential
    was revoked or suspended into `dup_flagged` (src 2, by status_changed_at). True when everything is indexed.

    Citizens of groups that are not crowded, and held registrations, need nothing: the check reads them directly.
    """
    upto = dict(conn.execute("SELECT src, upto FROM dup_indexed").fetchall())
    last = int(upto.get(0, 0))
    done = True
    if conn.execute("SELECT EXISTS (SELECT 1 FROM dup_crowded)").fetchone()[0]:
        citizens = conn.execute(
            "SELECT rowid, match_key, birth_date, sex, EXISTS (SELECT 1 FROM dup_crowded g WHERE "
            "g.birth_date = c.birth_date AND g.sex = c.sex) FROM citizens c WHERE rowid > ? ORDER BY rowid LIMIT ?",
            (last, limit),
        ).fetchall()
        _index_rows(conn, (row[:4] for row in citizens if row[4]))
        newest = citizens[-1][0] if citizens else last
        done = limit < 0 or len(citizens) < limit
    else:  # no crowded group: nothing to index, only how far the citizens are seen
        newest = conn.execute("SELECT MAX(rowid) FROM citizens").fetchone()[0] or 0
    if newest != last:
        _set_upto(conn, 0, newest)
    # status changes (few) are always read whole, from the last time on (>=: several may share a time); stale
    # ones (reinstated) are filtered when read
    changed = conn.execute(
        "SELECT c.rowid, c.birth_date, c.match_key, cr.status_changed_at FROM credentials cr JOIN citizens c "
        "ON c.id_number = cr.id_number WHERE cr.status_changed_at >= ? AND cr.status IN ('revoked', 'suspended') "
        "ORDER BY cr.status_changed_at",
        (upto.get(2, ""),),
    ).fetchall()
    if changed:
        conn.executemany(
            "INSERT OR REPLACE INTO dup_flagged (rid, birth_date, match_key) VALUES (?, ?, ?)",
            [row[:3] for row in changed],
        )
        _set_upto(conn, 2, changed[-1][3])
    return done


#: Rows read per transaction when the index catches up before a registration (after an upgrade with crowded
#: groups, or many citizens learned from elsewhere): short transactions, so others' logins and writes do not wait.
INDEX_CATCH_UP_ROWS = 2000


def catch_up_index(db: Database) -> None:
    """Bring the duplicate check's index up to date in short transactions when it is far behind (after an
    upgrade, or many citizens learned from elsewhere), before a registration opens its own transaction (which
    then indexes what little was written in between). Reads only, when the index is up to date."""
    while True:
        upto = dict(db.execute("SELECT src, upto FROM dup_indexed").fetchall())
        behind = db.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM citizens WHERE rowid > ? LIMIT ?)",
            [upto.get(0, 0), INDEX_CATCH_UP_ROWS],
        ).fetchone()[0]
        if behind < INDEX_CATCH_UP_ROWS:
            return
        with transaction(db, polite=True) as conn:
            _catch_up_index(conn, INDEX_CATCH_UP_ROWS)


def _credential_status(conn: sqlite3.Connection, id_number: str) -> str | None:
    row = conn.execute(
        "SELECT status FROM credentials WHERE id_number = ? ORDER BY issued_at DESC LIMIT 1", (id_number,)
    ).fetchone()
    return str(row[0]) if row else None


@functools.lru_cache(maxsize=65_536)
def _days_of(birth: date) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The days a person born on `birth` is compared on: the same and the day/month-swapped day (strict rule),
    and all of those plus a day either side (relaxed rule), as ISO text; cached (a batch repeats birth dates)."""
    same_days = {birth.isoformat()}
    swapped = _swapped(birth)
    if swapped:
        same_days.add(swapped.isoformat())
    near_days = {(birth + timedelta(days=step)).isoformat() for step in (-1, 1)}
    return tuple(sorted(same_days)), tuple(sorted(same_days | near_days))


@functools.lru_cache(maxsize=64)
def _candidates_sql(groups: int, days: int, flagged: bool = True, held: bool = True) -> str:
    """The duplicate check's one statement: (tag, id, key) of the people of `groups` uncrowded (day, sex) groups
    (tag 0, 1, at most GROUP_SCAN_LIMIT + 1 each, so a crowded one shows), then of the revoked or suspended
    citizens (-1) and the held registrations (-2, key not yet folded) born on one of `days` days; without
    `flagged` or `held` when a batch keeps those in memory (`DuplicateCheck`). Empty when nothing is to be read."""
    marks = ",".join("?" * days)
    parts = [
        f"SELECT * FROM (SELECT {tag}, rowid, match_key FROM citizens WHERE birth_date = ? AND sex = ? "
        f"LIMIT {GROUP_SCAN_LIMIT + 1})"
        for tag in range(groups)
    ]
    if flagged:
        parts.append(f"SELECT -1, rid, match_key FROM dup_flagged WHERE birth_date IN ({marks})")
    if held:
        parts.append(
            "SELECT -2, id, latin_family || ' ' || latin_given FROM registrations "
            f"WHERE status = 'pending-review' AND birth_date IN ({marks})"
        )
    return " UNION ALL ".join(parts)


#: A batch keeps the revoked or suspended citizens and the held registrations in memory, by birth date, when
#: there are at most this many of each (else it reads them per person, as a single registration does).
BATCH_MEMORY_ROWS = 20_000


_CITIZEN_SQL = (
    "SELECT rowid, 'registered', id_number, family_name, given_name, latin_family, latin_given, match_key, "
    "birth_date, sex FROM citizens WHERE rowid IN ({})"
)


class DuplicateCheck:
    """The duplicate check inside one transaction: the index is brought up to date once, then any number of people
    are checked, each seeing the citizens and holds stored before it in the same transaction (a batch).

    Per person: the people of its (birth date, sex) group and of the day/month-swapped date, read from the
    covering index and compared in one rapidfuzz call, or for a crowded group the pair index; the held
    registrations born within a day (partial index) and the revoked or suspended citizens born within a day
    (`dup_flagged`). Only the few within the allowed slips are read in full.
    """

    def __init__(self, conn: sqlite3.Connection, *, batch: bool = False) -> None:
        self.conn = conn
        _catch_up_index(conn)
        self._crowded = {(str(d), str(s)) for d, s in conn.execute("SELECT birth_date, sex FROM dup_crowded")}
        row = conn.execute("SELECT upto FROM dup_indexed WHERE src = 0").fetchone()
        self._upto = int(row[0]) if row else 0
        # A batch (one transaction, many people) reads the revoked or suspended citizens and the held registrations
        # once, by birth date, instead of two look-ups a person (~a third of the check, issue 16); neither changes
        # in the transaction except by the batch's own holds (`held_stored`). None: read per person.
        self._flagged: dict[str, dict[int, str]] | None = None
        self._held: dict[str, dict[int, str]] | None = None
        if batch:
            self._flagged = self._by_day("SELECT birth_date, rid, match_key FROM dup_flagged LIMIT ?", fold=False)
            self._held = self._by_day(
                "SELECT birth_date, id, latin_family || ' ' || latin_given FROM registrations "
                "WHERE status = 'pending-review' LIMIT ?",
                fold=True,
            )

    def _by_day(self, sql: str, *, fold: bool) -> dict[str, dict[int, str]] | None:
        rows = self.conn.execute(sql, (BATCH_MEMORY_ROWS + 1,)).fetchall()
        if len(rows) > BATCH_MEMORY_ROWS:
            return None
        out: dict[str, dict[int, str]] = {}
        for day, rid, key in rows:
            out.setdefault(str(day), {})[int(rid)] = names.fold_key(key) if fold else str(key)
        return out

    def held_stored(self, review_id: int, person: Person) -> None:
        """A registration of this transaction was held for review: later people of the batch are compared with it."""
        if self._held is not None:
            key = names.fold_key(f"{person.latin_family} {person.latin_given}")
            self._held.setdefault(person.birth_date.isoformat(), {})[review_id] = key

    def _follow(self) -> None:
        """Index the citizens of crowded groups stored since the last look (this transaction's own)."""
        rows = self.conn.execute(
            "SELECT rowid, match_key, birth_date, sex FROM citizens WHERE rowid > ? ORDER BY rowid", (self._upto,)
        ).fetchall()
        if rows:
            _index_rows(self.conn, (row for row in rows if (row[2], row[3]) in self._crowded))
            self._upto = int(rows[-1][0])
            _set_upto(self.conn, 0, self._upto)

    def _crowd(self, day: str, sex: str) -> None:
        """A group has grown past GROUP_SCAN_LIMIT: index all its people, and from now on each one stored."""
        self._follow()
        rows = self.conn.execute(
            "SELECT rowid, match_key, birth_date, sex FROM citizens WHERE birth_date = ? AND sex = ?", (day, sex)
        ).fetchall()
        _index_rows(self.conn, rows)
        self.conn.execute("INSERT OR IGNORE INTO dup_crowded (birth_date, sex) VALUES (?, ?)", (day, sex))
        self._crowded.add((day, sex))

    def find(self, person: Person, limit: int = 5) -> list[dict[str, Any]]:
        """Possible duplicates of `person` (see `find_duplicates`)."""
        conn = self.conn
        key = person.match_key
        slips = _threshold(key)
        same_days, days = _days_of(person.birth_date)
        scanned = [day for day in same_days if (day, person.sex) not in self._crowded]
        # one statement: the uncrowded groups (same sex, same or swapped day; tagged by their place in `scanned`),
        # then the relaxed rule's people (any sex, a day either side): revoked or suspended citizens (-1) and held
        # registrations (-2)
        groups: list[dict[int, str]] = [{} for _day in scanned]
        flagged: dict[int, str] = {}
        held: dict[int, str] = {}
        if self._flagged is not None:
            for day in days:
                flagged.update(self._flagged.get(day, ()))
        if self._held is not None:
            for day in days:
                held.update(self._held.get(day, ()))
        sql = _candidates_sql(len(scanned), len(days), self._flagged is None, self._held is None)
        arguments = [value for day in scanned for value in (day, person.sex)]
        arguments += [*days] * ((self._flagged is None) + (self._held is None))
        for tag, rid, other in conn.execute(sql, arguments) if sql else ():
            if tag >= 0:
                groups[tag][rid] = other
            elif tag == -1:
                flagged[rid] = other
            else:
                held[rid] = names.fold_key(other)
        keys: dict[int, str] = {}
        crowded = [day for day in same_days if (day, person.sex) in self._crowded]
        for day, group in zip(scanned, groups, strict=True):
            if len(group) <= GROUP_SCAN_LIMIT:
                keys.update(group)
            else:
                self._crowd(day, person.sex)
                crowded.append(day)
        rowids = {rowid for _key, _distance, rowid in names.keys_within(key, keys, slips)}
        if crowded:
            self._follow()
            codes = _pair_codes(_probe_pairs(key, slips))
            hashes = sorted({h for day in crowded for h in _entry_hashes(f"{day}|{person.sex}|", codes)})
            rowids.update(
                rid
                for (rid,) in conn.execute(
                    "SELECT DISTINCT rid FROM dup_pairs WHERE h IN ({}) AND src = 0".format(
                        ",".join("?" * len(hashes))
                    ),
                    hashes,
                )
            )
        rowids.update(rid for _key, _distance, rid in names.keys_within(key, flagged, slips))
        rows: list[tuple[Any, ...]] = []
        if rowids:
            ordered = sorted(rowids)
            rows += [row[1:] for row in conn.execute(_CITIZEN_SQL.format(",".join("?" * len(ordered))), ordered)]
        near_held = sorted(rid for _key, _distance, rid in names.keys_within(key, held, slips))
        if near_held:
            rows += [
                ("pending-review", str(rid), family, given, lfam, lgiv, held[rid], born, sex)
                for rid, family, given, lfam, lgiv, born, sex in conn.execute(
                    "SELECT id, family_name, given_name, latin_family, latin_given, birth_date, sex FROM registrations "
                    "WHERE id IN ({})".format(",".join("?" * len(near_held))),
                    near_held,
                )
            ]
        found: list[dict[str, Any]] = []
        for row in rows:
            kind, ref, family, given, lfam, lgiv, other_key, other_birth, other_sex = row
            # match_key sorts the words, so a family/given swap is already the same key
            distance = names.key_distance(key, other_key, slips)
            if distance > slips:
                continue
            if other_sex == person.sex and other_birth in same_days:
                reason = _("similar name, same birth date and sex")
            else:
                held = kind == "pending-review"
                credential = None if held else _credential_status(conn, ref)
                if not held and credential not in ("revoked", "suspended"):
                    continue
                day_off, sex_off = other_birth not in same_days, other_sex != person.sex
                apart = (
                    _("a birth date one day apart and the other sex")
                    if day_off and sex_off
                    else _("a birth date one day apart")
                    if day_off
                    else _("the other sex")
                )
                reason = (
                    _("similar name and {apart}, and that registration is held for review").format(apart=apart)
                    if held
                    else _("similar name and {apart}, and that person's credential is {status}").format(
                        apart=apart, status=_("revoked") if credential == "revoked" else _("suspended")
                    )
                )
            found.append(
                {
                    "kind": kind,
                    "ref": ref,
                    "family_name": family,
                    "given_name": given,
                    "latin_family": lfam,
                    "latin_given": lgiv,
                    "birth_date": other_birth,
                    "distance": distance,
                    "reason": reason,
                }
            )
        found.sort(key=lambda c: (c["distance"], c["kind"], c["ref"]))
        return found[:limit]


def find_duplicates(conn: sqlite3.Connection, person: Person, limit: int = 5) -> list[dict[str, Any]]:
    """Possible duplicates of `person`, each with a `reason`:

    - registered or held (pending review) people with the same sex, the same (or day/month-swapped) birth date
      and a name within a small typo distance of this one's Latin form;
    - and, because a revoked card must not come back through a new registration, people whose credential was
      revoked or suspended, or whose registration is held, with such a name and a birth date one day apart
      or another sex.

    Runs inside the caller's transaction (it brings the name index up to date); a batch keeps one
    `DuplicateCheck` per transaction instead.
    """
    return DuplicateCheck(conn).find(person, limit)


class _Allocation:
    """The office's allocator plus the SQL that advances its counters inside a transaction."""

    def __init__(self, session: Session) -> None:
        office = session.office.local_office()
        self.scheme = session.office.authority()["scheme"]
        self.office_code = office["code"]
        self.last_counter: dict[str, int] = {}
        self.secret = session.office_keys().numbering_secret
        self.allocator = coding.allocator_for(
            coding.OfficePartition(self.scheme, office["slot"], office["region"], self.secret)
        )

    def store(
        self,
        conn: sqlite3.Connection,
        person: Person,
        *,
        now: str,
        registered_by: str,
        approved_by: str | None = None,
        counters: dict[str, int] | None = None,
    ) -> str:
        """Allocate the next free number for `person` and store the citizen, inside the caller's transaction.

        A number already present (learned from elsewhere) is skipped: the primary key refuses it and the
        counter moves on. With `counters` (a batch), counter values stay in that dict until `save_counters`
        writes them before the commit, instead of once per person.
        """
        key = self.allocator.counter_key(person.birth_date, person.sex)
        if counters is not None and key in counters:
            counter = counters[key]
        else:
            row = conn.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()
            counter = int(row[0]) if row else 0
        while True:
            number, counter = self.allocator.next_number(counter, person.birth_date, person.sex)
            try:
                _insert_citizen(conn, person, number, self.office_code, now, registered_by, approved_by)
            except IntegrityError:
                logger.warning("number %s is already taken; the counter moves on", number)
                continue
            break
        if counters is None:
            self.save_counters(conn, {key: counter})
        else:
            counters[key] = counter
        self.last_counter = {key: counter}  # sealed into the event, so a rebuild restores the counter exactly
        return number

    @staticmethod
    def save_counters(conn: sqlite3.Connection, counters: dict[str, int]) -> None:
        conn.executemany(
            "INSERT INTO counters (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            list(counters.items()),
        )


def _subject(session: Session, id_number: str) -> bytes:
    """Keyed digest of an ID number: lets offices match records on the ledger without revealing the number."""
    return _subjects(session, [id_number])[0]


def _subjects(session: Session, id_numbers: Iterable[str]) -> list[bytes]:
    """`_subject` of many numbers, the matching key derived once (a batch's event lists thousands)."""
    key = session.office_keys().matching_key()
    return [hmac.digest(key, number.encode(), "sha256")[:16] for number in id_numbers]


def _insert_citizen(
    conn: sqlite3.Connection,
    person: Person,
    number: str,
    office_code: str,
    now: str,
    registered_by: str,
    approved_by: str | None,
) -> None:
    # OR FAIL, not the default ABORT: the primary key is checked before anything is written, so the two refuse the
    # same rows with the same error, but ABORT makes SQLite keep a statement journal for every row (because of the
    # citizen_count trigger): ~10 us of a registration's ~100 (issue 16)
    conn.execute(
        "INSERT OR FAIL INTO citizens (id_number, family_name, given_name, latin_family, latin_given, match_key, "
        "birth_date, sex, birthplace, photo, office_code, registered_at, registered_by, approved_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            number,
            person.family_name,
            person.given_name,
            person.latin_family,
            person.latin_given,
            person.match_key,
            person.birth_date.isoformat(),
            person.sex,
            person.birthplace,
            person.photo,
            office_code,
            now,
            registered_by,
            approved_by,
        ),
    )


def _held_record(person: Person, duplicates: list[dict[str, Any]]) -> dict[str, Any]:
    """The sealed part of a hold: the person (no number yet) and the possible duplicates shown to the reviewer."""
    return {"person": person.sealed_record(None), "candidates": duplicates}


def _hold(
    conn: sqlite3.Connection, person: Person, duplicates: list[dict[str, Any]], requested_by: str, now: str
) -> int:
    """Keep a likely duplicate for a supervisor's review (no number allocated); returns the review id."""
    cur = conn.execute(
        "INSERT INTO registrations (status, family_name, given_name, latin_family, latin_given, birth_date, "
        "sex, birthplace, photo, candidates, requested_by, requested_at) "
        "VALUES ('pending-review', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            person.family_name,
            person.given_name,
            person.latin_family,
            person.latin_given,
            person.birth_date.isoformat(),
            person.sex,
            person.birthplace,
            person.photo,
            json.dumps(duplicates, ensure_ascii=False),
            requested_by,
            now,
        ),
    )
    return int(cur.lastrowid or 0)


def register(session: Session, raw: PersonInput) -> dict[str, Any]:
    """Register one person: a new number, or a hold for review when a likely duplicate exists.

    Returns:
        ``{"status": "registered", "id_number": ...}`` or
        ``{"status": "pending-review", "review_id": ..., "possible_duplicates": [...]}``.
    """
    session.require(Permission.CITIZEN_REGISTER)
    office = session.office
    now = office.clock()
    person = check_person(office.authority()["scheme"], raw, now.date())
    allocation = _Allocation(session)
    records_public = bytes(office.authority()["records_public"])
    catch_up_index(office.db)
    with transaction(office.db) as conn:
        duplicates = find_duplicates(conn, person)
        if duplicates:
            review_id = _hold(conn, person, duplicates, session.username, to_iso(now))
            events.append_event(
                conn,
                actor=session.actor,
                office=allocation.office_code,
                event_type="registration.held",
                now=now,
                clear={"review": review_id, "candidates": len(duplicates)},
                # what the review needs after a rebuild (docs/ledger.md, "Rebuild"): the person and the candidates
                sealed=events.seal_record(records_public, _held_record(person, duplicates)),
                audit_detail=f"review {review_id}: {len(duplicates)} possible duplicate(s)",
            )
            return {"status": "pending-review", "review_id": review_id, "possible_duplicates": duplicates}
        number = allocation.store(conn, person, now=to_iso(now), registered_by=session.username)
        events.append_event(
            conn,
            actor=session.actor,
            office=allocation.office_code,
            event_type="citizen.registered",
            now=now,
            clear={"subject": _subject(session, number)},
            sealed=events.seal_record(
                records_public, {**person.sealed_record(number), "counter": allocation.last_counter}
            ),
            audit_detail=f"registered {number}",
        )
    return {"status": "registered", "id_number": number}


@dataclass
class BatchResult:
    """Outcome of a batch: numbers for the registered, review ids for the held, errors by input row."""

    registered: list[str]
    held: list[int]
    errors: list[tuple[int, str, str]]  # (row index, field, message)


#: The longest a batch holds the database's write lock in one transaction. Other officers' logins and writes
#: wait for it, so it is kept far under their one-second budget; SQLite's busy handler polls about every 100 ms,
#: so the batch also leaves the lock free for `BATCH_GAP_SECONDS` between transactions (time it spends checking
#: the next rows anyway).
BATCH_HOLD_SECONDS = 0.2
BATCH_GAP_SECONDS = 0.1
#: How often a batch transaction looks whether another writer waits for the lock (a waiting login waits at most
#: this much longer than it would with a look per person).
WRITERS_LOOK_SECONDS = 0.005


@dataclass
class ChunkResult:
    """One committed transaction of a batch: what it stored, the rows refused since the last one, how many rows
    are handled in all, and where the batch stands: `resume_at` is the first position not yet handled
    (everything before it is committed, held or refused), or None when every row read so far (up to
    `last_read`) is handled."""

    registered: list[str]
    held: list[int]
    errors: list[tuple[int, str, str]]
    handled: int
    resume_at: int | None
    last_read: int | None


#: Page cache of a batch's connection (KiB, per attached database), raised from the connection's 64 MiB while the
#: batch runs and set back after it. In a registry of a million people the six indexes of `citizens` are several
#: hundred MiB and every registration writes a random page of each; with 64 MiB those pages are read, and in the
#: encrypted personal.db decrypted, again and again (issue 16). SQLite takes the memory only as pages are read.
BATCH_CACHE_KIB = 512 * 1024


def _set_cache(db: Database, sizes: dict[str, int]) -> dict[str, int]:
    """Set the page cache of each named schema (`PRAGMA cache_size` values); returns the values it replaced."""
    old = {}
    for schema, size in sizes.items():
        old[schema] = int(db.execute(f"PRAGMA {schema}.cache_size").fetchone()[0])
        db.execute(f"PRAGMA {schema}.cache_size = {int(size)}")
    return old


def _schemas(db: Database) -> list[str]:
    return [str(row[1]) for row in db.execute("PRAGMA database_list").fetchall() if row[1] != "temp"]


def register_stream(
    session: Session,
    rows: Iterable[tuple[int, PersonInput]],
    *,
    chunk: int = 500,
    hold_seconds: float = BATCH_HOLD_SECONDS,
    gap_seconds: float = BATCH_GAP_SECONDS,
    cancel: threading.Event | None = None,
) -> Iterator[ChunkResult]:
    """Register a stream of (position, person) pairs, committing in short transactions; yields each commit.

    Rows are read and checked `chunk` at a time outside any transaction; a transaction then stores them until
    `hold_seconds` have passed or another writer waits for the lock (the rest wait for the next one; each
    transaction first lets waiting writers go, `transaction(polite=True)`), with one signed event holding the sealed
    records it stored. Memory does not grow with the input, and each yielded `ChunkResult` is already
    committed, so a caller that stops (cancel, an error) knows exactly what was saved. Cancelling stops
    between transactions: the generator simply ends.
    """
    session.require(Permission.CITIZEN_REGISTER)
    office = session.office
    scheme = office.authority()["scheme"]
    records_public = bytes(office.authority()["records_public"])
    from console.core import uintables  # the batch path only

    allocation = _Allocation(session)
    # uin-10: the permutation's tables kept encrypted by an earlier batch (console/core/uintables.py), else this
    # process computes them and keeps them once they are full
    keep_tables = coding.needs_round_tables(allocation.allocator) and not uintables.load(
        office.paths.keys, allocation.secret, allocation.allocator
    )
    cache = _set_cache(office.db, dict.fromkeys(_schemas(office.db), -BATCH_CACHE_KIB))
    try:
        yield from _stream(
            session, rows, allocation, keep_tables, scheme, records_public, chunk, hold_seconds, gap_seconds, cancel
        )
    finally:
        _set_cache(office.db, cache)


def _stream(
    session: Session,
    rows: Iterable[tuple[int, PersonInput]],
    allocation: _Allocation,
    keep_tables: bool,
    scheme: str,
    records_public: bytes,
    chunk: int,
    hold_seconds: float,
    gap_seconds: float,
    cancel: threading.Event | None,
) -> Iterator[ChunkResult]:
    """The loop of `register_stream`, inside its larger page cache."""
    from console.core import uintables

    office = session.office
    source = iter(rows)
    waiting: deque[tuple[int, Person]] = deque()
    exhausted = False
    next_position: int | None = None
    handled = 0
    last_commit: float | None = None
    while True:
        if cancel is not None and cancel.is_set():
            return
        errors: list[tuple[int, str, str]] = []
        today = office.clock().date()
        for _read in range(chunk - len(waiting)):
            item = next(source, None)
            if item is None:
                exhausted = True
                break
            position, raw = item
            next_position = position
            try:
                waiting.append((position, check_person(scheme, raw, today)))
            except ValidationError as e:
                errors.append((position, e.field, str(e)))
                handled += 1
        if not waiting:
            if errors:
                yield ChunkResult([], [], errors, handled, None, next_position)
            if exhausted:
                return
            continue
        if last_commit is not None:  # leave the lock free long enough for a waiting officer's poll to land
            pause = gap_seconds - (time.monotonic() - last_commit)
            if pause > 0:
                time.sleep(pause)
        if cancel is not None and cancel.is_set():
            if errors:
                yield ChunkResult([], [], errors, handled, waiting[0][0], next_position)
            return
        session.require(Permission.CITIZEN_REGISTER)
        now = office.clock()
        stamp = to_iso(now)
        registered: list[tuple[str, Person]] = []
        held: list[int] = []
        held_records: list[dict[str, Any]] = []
        counters: dict[str, int] = {}
        catch_up_index(office.db)
        with transaction(office.db, polite=True) as conn:
            started = looked = time.monotonic()
            taken = 0
            check = DuplicateCheck(conn, batch=True)
            # ... and ends early when another writer (a login) is waiting for the lock, looked for every
            # WRITERS_LOOK_SECONDS (a look opens a file: once per person it was a tenth of the registration's time)
            while waiting:
                if taken:
                    clock = time.monotonic()
                    if clock - started >= hold_seconds:
                        break
                    if clock - looked >= WRITERS_LOOK_SECONDS:
                        looked = clock
                        if writers_waiting(conn):
                            break
                _position, person = waiting[0]
                duplicates = check.find(person)
                if duplicates:
                    held.append(_hold(conn, person, duplicates, session.username, stamp))
                    check.held_stored(held[-1], person)
                    held_records.append({"review": held[-1], **_held_record(person, duplicates)})
                else:
                    number = allocation.store(
                        conn, person, now=stamp, registered_by=session.username, counters=counters
                    )
                    registered.append((number, person))
                waiting.popleft()
                taken += 1
            allocation.save_counters(conn, counters)
            if registered or held:
                events.append_event(
                    conn,
                    actor=session.actor,
                    office=allocation.office_code,
                    event_type="citizens.imported",
                    now=now,
                    clear={"subjects": _subjects(session, (n for n, _ in registered)), "held": held},
                    sealed=events.seal_record(
                        records_public,
                        {
                            "records": [p.sealed_record(n) for n, p in registered],
                            "counters": counters,
                            "held": held_records,
                        },
                    ),
                    audit_detail=f"imported {len(registered)}, held {len(held)} for review",
                )
        last_commit = time.monotonic()
        if keep_tables and not coding.needs_round_tables(allocation.allocator):
            uintables.save(office.paths.keys, allocation.secret, allocation.allocator)
            keep_tables = False
        handled += taken
        resume_at = waiting[0][0] if waiting else None
        yield ChunkResult([n for n, _ in registered], held, errors, handled, resume_at, next_position)


def register_batch(
    session: Session,
    rows: Sequence[PersonInput],
    *,
    chunk: int = 500,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    hold_seconds: float = BATCH_HOLD_SECONDS,
) -> BatchResult:
    """Register many people (an import) through `register_stream`; errors name the row's index in `rows`.

    Cancelling stops between transactions: what was committed stays, nothing is half-written, and
    `UserCancelled` says how many rows were handled. A transaction stores at most `chunk` rows and holds the
    write lock at most `hold_seconds` (after its first row), so progress comes at least every `chunk` rows.
    """
    result = BatchResult([], [], [])
    handled = 0
    for part in register_stream(session, enumerate(rows), chunk=chunk, hold_seconds=hold_seconds, cancel=cancel):
        result.registered += part.registered
        result.held += part.held
        result.errors += part.errors
        handled = part.handled
        if progress is not None:
            progress(handled, len(rows))
    if cancel is not None and cancel.is_set() and handled < len(rows):
        raise UserCancelled(
            _("Import cancelled after {done} of {total} rows; those are saved.").format(done=handled, total=len(rows))
        )
    result.errors.sort()
    return result


# ---------------------------------------------------------------------------------------------------------
# Review of likely duplicates


def list_reviews(session: Session, *, status: str = "pending-review") -> list[dict[str, Any]]:
    """Held registrations with their possible duplicates."""
    session.require(Permission.CITIZEN_READ)
    rows = session.office.db.query(
        "SELECT id, status, family_name, given_name, latin_family, latin_given, birth_date, sex, birthplace, "
        "candidates, requested_by, requested_at, decided_by, decided_at, note, id_number "
        "FROM registrations WHERE status = ? ORDER BY id",
        [status],
    )
    return [{**row, "candidates": json.loads(row["candidates"])} for row in rows]


def _pending(session: Session, review_id: int, *, accepting: bool = False) -> dict[str, Any]:
    """The held registration, if it may be decided by this officer (status is checked again when writing)."""
    rows = list(session.office.db.query("SELECT * FROM registrations WHERE id = ?", [review_id]))
    if not rows:
        raise NotFound(_("No registration under review with id {review}.").format(review=review_id))
    row = rows[0]
    session.require_not_own(
        row["requested_by"],
        "review.decide",
        f"registration {review_id}",
        _("registration {review}").format(review=review_id),
    )
    if accepting:  # accepting registers a likely duplicate: two people, not two accounts of one (independence.py)
        require_independent(
            session,
            row["requested_by"],
            "review.decide",
            f"registration {review_id}",
            _("registration {review}").format(review=review_id),
        )
    if row["status"] != "pending-review":
        raise Conflict(_already_decided(review_id, row["status"], row["decided_by"]))
    return row


def _already_decided(review_id: int, status: str, officer: str) -> str:
    statuses = {"accepted": _("accepted"), "rejected": _("rejected")}
    return _("Review {review} was already decided ({status} by {officer}).").format(
        review=review_id, status=statuses.get(status, status), officer=officer
    )


def _claim_review(conn: sqlite3.Connection, session: Session, review_id: int, status: str, note: str, now: str) -> None:
    """Mark the review decided inside the writing transaction; a concurrent decision makes this one fail."""
    cur = conn.execute(
        "UPDATE registrations SET status = ?, decided_by = ?, decided_at = ?, note = ? "
        "WHERE id = ? AND status = 'pending-review'",
        (status, session.username, now, note, review_id),
    )
    if cur.rowcount != 1:
        row = conn.execute("SELECT status, decided_by FROM registrations WHERE id = ?", (review_id,)).fetchone()
        raise Conflict(_already_decided(review_id, row[0], row[1]))


def accept_review(session: Session, review_id: int, note: str = "") -> dict[str, Any]:
    """Not a duplicate after all: allocate the number and register (a supervisor other than the requester)."""
    session.require(Permission.REVIEW_DECIDE, f"review {review_id}")
    row = _pending(session, review_id, accepting=True)
    office = session.office
    now = office.clock()
    person = Person(
        row["family_name"],
        row["given_name"],
        row["latin_family"],
        row["latin_given"],
        names.fold_key(f"{row['latin_family']} {row['latin_given']}"),
        date.fromisoformat(row["birth_date"]),
        row["sex"],
        row["birthplace"],
        row["photo"],
    )
    allocation = _Allocation(session)
    with transaction(office.db) as conn:
        _claim_review(conn, session, review_id, "accepted", note, to_iso(now))
        number = allocation.store(
            conn, person, now=to_iso(now), registered_by=row["requested_by"], approved_by=session.username
        )
        conn.execute("UPDATE registrations SET id_number = ? WHERE id = ?", (number, review_id))
        events.append_event(
            conn,
            actor=session.actor,
            office=allocation.office_code,
            event_type="citizen.registered",
            now=now,
            clear={"subject": _subject(session, number), "review": review_id},
            sealed=events.seal_record(
                bytes(office.authority()["records_public"]),
                {**person.sealed_record(number), "counter": allocation.last_counter, "review_note": note},
            ),
            audit_detail=f"review {review_id} accepted: registered {number}",
        )
    return {"review_id": review_id, "status": "accepted", "id_number": number}


def reject_review(session: Session, review_id: int, note: str) -> dict[str, Any]:
    """A duplicate: discard the held registration (a supervisor other than the requester; a note is required)."""
    session.require(Permission.REVIEW_DECIDE, f"review {review_id}")
    if not note.strip():
        raise ValidationError("note", _("Say why the registration is rejected (which record it duplicates)."))
    _pending(session, review_id)
    office = session.office
    now = office.clock()
    with transaction(office.db) as conn:
        _claim_review(conn, session, review_id, "rejected", note.strip(), to_iso(now))
        conn.execute("UPDATE registrations SET photo = NULL WHERE id = ?", (review_id,))  # no data kept for nothing
        events.append_event(
            conn,
            actor=session.actor,
            office=office.local_office()["code"],
            event_type="registration.rejected",
            now=now,
            clear={"review": review_id},
            sealed=events.seal_record(bytes(office.authority()["records_public"]), {"note": note.strip()}),
            audit_detail=f"review {review_id} rejected",
        )
    return {"review_id": review_id, "status": "rejected"}


# ---------------------------------------------------------------------------------------------------------
# Search and show

_COLUMNS = "id_number, family_name, given_name, latin_family, latin_given, birth_date, sex, birthplace, office_code"


SCAN_LIMIT = 1000


def search(session: Session, query: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """Find citizens by ID number, birth date (YYYY-MM-DD) or name prefix (as entered or Latin form).

    Several words must all match, each as a prefix of the family or given name in either form. Only index
    range scans with a LIMIT run, so the time does not grow with the registry: the most selective word drives
    the scan (at most SCAN_LIMIT rows per name column), the others filter. Results are sorted by Latin name.
    """
    session.require(Permission.CITIZEN_READ)
    if not 1 <= limit <= 500:
        raise ValidationError("limit", _("Ask for 1 to 500 results, not {limit}.").format(limit=limit))
    text = " ".join(query.split())
    if not text:
        raise ValidationError("query", _("Type an ID number, a birth date (YYYY-MM-DD) or the start of a name."))
    db = session.office.db
    if DATE_RE.match(text):
        return [
            dict(r)
            for r in db.query(
                f"SELECT {_COLUMNS} FROM citizens WHERE birth_date = ? ORDER BY latin_family, latin_given LIMIT ?",
                [text, limit],
            )
        ]
    compact = text.replace(" ", "").upper()
    exact = list(db.query(f"SELECT {_COLUMNS} FROM citizens WHERE id_number = ?", [compact]))
    if exact:
        return [dict(r) for r in exact]
    words = [(word, _latin_query(word)) for word in text.split(" ")]
    driver = max(words, key=lambda w: len(w[1]) or len(w[0]))
    scan = limit if len(words) == 1 else SCAN_LIMIT
    # every word must start one of the four names (`_matches`), tested by SQLite on the scanned rows: at 1,000,000
    # people a two-word query scans up to 4 x SCAN_LIMIT rows, and making a Python tuple of each to test it was
    # most of the query's time (issue 16)
    match = " AND ".join(_MATCH_SQL for _word in words)
    match_args = [
        value
        for word, latin in words
        for value in (len(word), word, len(word), word, latin, len(latin), latin, len(latin), latin)
    ]
    found: dict[str, tuple[str, str, str, str, str]] = {}
    for column, prefix in zip(_NAME_COLUMNS, (driver[0], driver[0], driver[1], driver[1]), strict=True):
        if not prefix:
            continue
        for row in db.execute(
            "SELECT c.id_number, c.family_name, c.given_name, c.latin_family, c.latin_given FROM "
            f"(SELECT rowid AS r FROM citizens WHERE {column} >= ? AND {column} < ? ORDER BY {column} LIMIT ?) s "
            f"JOIN citizens c ON c.rowid = s.r WHERE {match}",
            [prefix, prefix + "\U0010ffff", scan, *match_args],
        ):
            found[row[0]] = row
    hits = sorted(found.values(), key=lambda r: (r[3], r[4], r[0]))[:limit]
    if not hits:
        return []
    marks = ",".join("?" * len(hits))
    rows = {
        r["id_number"]: dict(r)
        for r in db.query(f"SELECT {_COLUMNS} FROM citizens WHERE id_number IN ({marks})", [h[0] for h in hits])
    }
    return [rows[h[0]] for h in hits]


_NAME_COLUMNS = ("family_name", "given_name", "latin_family", "latin_given")
#: `_matches` in SQL (substr counts characters, as str.startswith does): a word as typed starts the family or given
#: name as entered, or its Latin form (when it has one) starts the Latin family or given name.
_MATCH_SQL = (
    "(substr(c.family_name, 1, ?) = ? OR substr(c.given_name, 1, ?) = ? OR (? != '' AND "
    "(substr(c.latin_family, 1, ?) = ? OR substr(c.latin_given, 1, ?) = ?)))"
)


def _latin_query(word: str) -> str:
    try:
        return names.latin_form(word) if any(c.isalpha() for c in word) else word.upper()
    except ValidationError:
        return word.upper()


def _matches(row: tuple[str, str, str, str, str], word: str, latin: str) -> bool:
    _number, family, given, latin_family, latin_given = row
    return (
        family.startswith(word)
        or given.startswith(word)
        or bool(latin and (latin_family.startswith(latin) or latin_given.startswith(latin)))
    )


_BROWSE_COLUMNS = (
    "rowid AS row_id, id_number, family_name, given_name, latin_family, latin_given, birth_date, sex, birthplace"
)


def list_citizens(session: Session, *, before_rowid: int | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """A page of the registry, newest first: up to `limit` citizens stored before `before_rowid` (None: the
    newest). Each page is one range scan on the rowid, so browsing a million rows costs the same as a hundred;
    `row_id` of the last row is the cursor for the next page."""
    session.require(Permission.CITIZEN_READ)
    if not 1 <= limit <= 10_000:
        raise ValidationError("limit", _("A page holds 1 to 10,000 citizens."))
    if before_rowid is None:
        rows = session.office.db.query(f"SELECT {_BROWSE_COLUMNS} FROM citizens ORDER BY rowid DESC LIMIT ?", [limit])
    else:
        rows = session.office.db.query(
            f"SELECT {_BROWSE_COLUMNS} FROM citizens WHERE rowid < ? ORDER BY rowid DESC LIMIT ?",
            [before_rowid, limit],
        )
    return [dict(r) for r in rows]


def count_citizens(session: Session) -> int:
    """How many citizens the registry holds: the counter row triggers keep (issue 17), not a COUNT(*), which in
    the encrypted personal.db would decrypt every page of the citizens' index at each start."""
    session.require(Permission.CITIZEN_READ)
    return citizen_total(session.office.db)


def citizen_total(db: Database) -> int:
    """The citizens' counter row (a COUNT(*) if a database lacks it, which no migrated one does)."""
    row = db.execute("SELECT n FROM citizen_count WHERE one = 1").fetchone()
    return int(row[0]) if row is not None else int(db.execute("SELECT COUNT(*) FROM citizens").fetchone()[0])


def show(session: Session, id_number: str) -> dict[str, Any]:
    """One citizen's record (without the photo bytes; `has_photo` says whether there is one)."""
    session.require(Permission.CITIZEN_READ, id_number)
    number = id_number.replace(" ", "").upper()
    rows = list(
        session.office.db.query(
            f"SELECT {_COLUMNS}, registered_at, registered_by, approved_by, photo IS NOT NULL AS has_photo "
            "FROM citizens WHERE id_number = ?",
            [number],
        )
    )
    if not rows:
        raise NotFound(_no_citizen().format(number=number))
    row = dict(rows[0])
    row["has_photo"] = bool(row["has_photo"])
    return row


def _no_citizen() -> str:
    return _("No citizen with ID number {number} in this office's registry.")


def photo_of(session: Session, id_number: str) -> bytes | None:
    """The citizen's photo bytes (for cards and the details panel)."""
    session.require(Permission.CITIZEN_READ, id_number)
    row = session.office.db.execute("SELECT photo FROM citizens WHERE id_number = ?", (id_number,)).fetchone()
    if row is None:
        raise NotFound(_no_citizen().format(number=id_number))
    return bytes(row[0]) if row[0] is not None else None


def validate_number(scheme: str, number: str) -> coding.NumberInfo:
    """Check a number against a scheme (no login: the coding rules are public)."""
    return coding.validate(scheme, number)


def iter_people(rows: Iterable[dict[str, str | None]]) -> list[PersonInput]:
    """Person inputs from dict rows (CSV import): keys family_name, given_name, birth_date, sex, birthplace, and
    optionally latin_family_name, latin_given_name (blank: the automatic Latin form)."""
    return [
        PersonInput(
            r.get("family_name") or "",
            r.get("given_name") or "",
            r.get("birth_date") or "",
            r.get("sex") or "",
            r.get("birthplace") or "",
            latin_family_name=r.get("latin_family_name") or None,
            latin_given_name=r.get("latin_given_name") or None,
        )
        for r in rows
    ]
