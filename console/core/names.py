"""Names as entered (any script) and their Latin form by ICAO 9303 rules, for the MRZ and for matching.

Invariants:

- `clean_name` is the only gate for names: what it returns is NFC, trimmed, single-spaced, and holds only
  letters, combining marks on letters, spaces and the few punctuation marks real names use (hyphen,
  apostrophe, full stop, middle dot). Invisible and control characters are refused, never silently removed,
  because a name that looks identical but differs in hidden code points would defeat duplicate checks.
- `latin_form` is deterministic and returns only ``A``–``Z``, single spaces and hyphens. It never drops a
  letter silently: a letter with no Latin rendering at all is a `ValidationError` asking for the Latin form.
- `match_key` and `name_distance` work on Latin forms, so the same person typed in two scripts, or with and
  without diacritics, lands on the same key.

Rules (``docs/coding-rules.md`` has the tables and their sources):

- Latin letters: ICAO 9303 Part 3 §6 (Ä→AE, Å→AA, Ö/Ø→OE, Ü→UE, ß→SS, Þ→TH, Æ→AE, Œ→OE, Ł→L, ...; every other
  accented letter loses its accent).
- Cyrillic: the ICAO 9303 table (Ж→ZH, Х→KH, Ц→TS, Щ→SHCH, Ю→IU, Я→IA, Ъ→IE, Ь dropped, ...), with
  Г→H for Ukrainian and Belarusian names and И→Y for Ukrainian ones (told apart by letters only those
  alphabets have).
- Han: Hanyu Pinyin without tones (pypinyin), ü written YU as on Chinese passports; family names use their
  surname readings (单→SHAN, 解→XIE, 曾→ZENG, compound surnames such as 欧阳→OUYANG) from
  ``resources/coding/zh-surnames.csv``; given-name syllables are written together (ZHANG XIAOMING).
- Hangul: Revised Romanization syllable by syllable, without the sound changes across syllables that RR
  itself exempts names from (한복남→HAN BOKNAM); family names use the spelling most Korean passports carry
  (김→KIM, 이→LEE, 박→PARK) from ``resources/coding/ko-surnames.csv``.
- Arabic script (Arabic, Persian, Urdu, Pashto): ICAO 9303 Part 3 Table C from
  ``resources/coding/icao-arabic.csv`` (ع→E, ح→XH, ش→XSH, ة→XTA or XAH at the end of a name, shadda doubles
  the letter; vowel marks are not written). A letter of the script the table does not cover is refused.
- Anything else (Greek, Hebrew, kana, Devanagari, ...): anyascii's transliteration, refused for a letter that
  it renders without any Latin letter (anyascii writes ع as a backquote, which would vanish).
- A Latin form typed by the clerk (`latin_override`) replaces the automatic one; it is checked against the
  alphabet ICAO 9303 allows in names (A–Z, space, hyphen).
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import cache
from types import MappingProxyType
from typing import Literal

from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import OSA

from console.core.errors import ValidationError
from console.core.i18n import _
from console.core.resources import resource_path

logger = logging.getLogger(__name__)

NAME_MAX_LENGTH = 100
LATIN_FIELD = "latin_name"
# The fields (and command-line options) through which a clerk types a name's Latin form by hand.
LATIN_FAMILY_FIELD = "latin-family-name"
LATIN_GIVEN_FIELD = "latin-given-name"
NamePart = Literal["full", "family", "given"]

# Punctuation that appears in real names: hyphens, apostrophes (O'Brien, N’Diaye), the full stop of "St.",
# and middle dots (Catalan l·l, Chinese and Japanese renderings of foreign names).
_HYPHENS = frozenset("-\u2010\u2011")
_APOSTROPHES = frozenset("'\u2019\u02bc")
_DOTS = frozenset(".\u00b7\u30fb")
_NAME_PUNCTUATION = _HYPHENS | _APOSTROPHES | _DOTS
# Whitespace that is collapsed to one space (pasted tabs and line breaks included); other controls are refused.
_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_MAX_MARKS = 6  # combining marks on one letter; more is "zalgo" text, not a name
# The common case, checked in one regex (issue 16: the per-character checks were a tenth of a registration): words
# of ASCII letters, apostrophes, hyphens and full stops with at least one letter, separated by single spaces.
_PLAIN_NAME = re.compile(r"(?=[^A-Za-z]*[A-Za-z])[A-Za-z'.\-]+(?: [A-Za-z'.\-]+)*")


def _label(field: str) -> str:
    """The field as the sentence names it ("family-name", "family_name" → "family name", translated)."""
    label = field.replace("_", " ").replace("-", " ")
    labels = {
        "family name": _("family name"),
        "given name": _("given name"),
        "full name": _("full name"),
        "latin family name": _("Latin family name"),
        "latin given name": _("Latin given names"),
    }
    return labels.get(label, label)


def _code(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def _control_character() -> str:
    return _("The {label} contains a control character ({code}) at position {pos}; retype it without it.")


def clean_name(text: str, field: str) -> str:
    """Normalise a name as entered and refuse what no name contains.

    NFC-normalises, trims and collapses inner whitespace; any script is allowed. Refuses (one sentence each,
    naming the position): an empty name, one over `NAME_MAX_LENGTH` characters, control characters,
    invisible/format characters (zero-width space and joiners, bidi controls, BOM, soft hyphen), unassigned
    or private-use code points, digits, symbols and punctuation other than hyphen, apostrophe, full stop and
    middle dot, accents with no letter under them, and names without a single letter.

    Args:
        text: the name as typed or pasted.
        field: the form field, e.g. ``"family_name"``; it names the error and appears in its sentence.

    Raises:
        ValidationError: with `field`.
    """
    if len(text) <= NAME_MAX_LENGTH and _PLAIN_NAME.fullmatch(text):
        return text  # ASCII letters and name punctuation, single-spaced: nothing below would change or refuse it
    label = _label(field)
    for pos, ch in enumerate(text.strip(), start=1):
        if ch in "\t\n\r\v\f":  # a line break or tab inside a name is a paste error, not spacing
            raise ValidationError(field, _control_character().format(label=label, code=_code(ch), pos=pos))
    name = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    if not name:
        raise ValidationError(
            field, _("The {label} is empty; enter it as written on the civil-status record.").format(label=label)
        )
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            field,
            _(
                "The {label} has {length} characters, more than the limit of {limit}; shorten it as "
                "the civil-status record allows (for example by abbreviating middle names)."
            ).format(label=label, length=len(name), limit=NAME_MAX_LENGTH),
        )
    marks = 0
    for pos, ch in enumerate(name, start=1):
        category = unicodedata.category(ch)
        if category == "Cc":
            raise ValidationError(field, _control_character().format(label=label, code=_code(ch), pos=pos))
        if category in ("Cf", "Zl", "Zp"):
            what = unicodedata.name(ch, "format character").lower()
            raise ValidationError(
                field,
                _(
                    "The {label} contains an invisible character ({what}, {code}) at position {pos}, usually "
                    "pasted from another document; retype the name by hand."
                ).format(label=label, what=what, code=_code(ch), pos=pos),
            )
        if category in ("Cn", "Co", "Cs"):
            raise ValidationError(
                field,
                _(
                    "The {label} contains an unassigned or private-use character ({code}) at position {pos}; "
                    "retype the name without it."
                ).format(label=label, code=_code(ch), pos=pos),
            )
        if category.startswith("N"):
            raise ValidationError(
                field,
                _(
                    "The {label} contains the digit or number “{char}” at position {pos}; names have no digits, "
                    "remove it."
                ).format(label=label, char=ch, pos=pos),
            )
        if category.startswith("M"):
            marks += 1
            previous = name[pos - 2] if pos > 1 else " "
            if pos == 1 or unicodedata.category(previous)[0] not in "LM":
                raise ValidationError(
                    field,
                    _(
                        "The {label} has an accent or mark ({code}) at position {pos} that is not on a letter; "
                        "retype the letter with its accent."
                    ).format(label=label, code=_code(ch), pos=pos),
                )
            if marks > _MAX_MARKS:
                raise ValidationError(
                    field,
                    _("The {label} stacks too many accents on one letter at position {pos}; retype the name.").format(
                        label=label, pos=pos
                    ),
                )
            continue
        marks = 0
        if category.startswith("L") or ch == " " or ch in _NAME_PUNCTUATION:
            continue
        raise ValidationError(
            field,
            _("The {label} contains “{char}” at position {pos}, which names do not contain; remove it.").format(
                label=label, char=ch, pos=pos
            ),
        )
    if not any(unicodedata.category(ch).startswith("L") for ch in name):
        raise ValidationError(field, _("The {label} has no letters; enter the name itself.").format(label=label))
    return name


# --------------------------------------------------------------------------------------------------------
# Transliteration tables


# ICAO 9303 Part 3 §6, "Transliteration of multinational Latin-based characters": the letters whose
# recommended form is not simply the unaccented letter (those are handled by stripping the accent).
_LATIN_SPECIAL: Mapping[str, str] = {
    "Ä": "AE",
    "Å": "AA",
    "Æ": "AE",
    "Ö": "OE",
    "Ø": "OE",
    "Œ": "OE",
    "Ü": "UE",
    "ẞ": "SS",
    "Þ": "TH",
    "Ð": "D",
    "Đ": "D",
    "Ħ": "H",
    "Ł": "L",
    "Ŀ": "L",
    "Ŋ": "N",
    "Ŧ": "T",
    "Ĳ": "IJ",
}

# ICAO 9303 Part 3 §6, "Transliteration of Cyrillic characters" (upper case; lower case is folded first).
_CYRILLIC: Mapping[str, str] = {
    "А": "A",
    "Б": "B",
    "В": "V",
    "Г": "G",
    "Д": "D",
    "Е": "E",
    "Ё": "E",
    "Ж": "ZH",
    "З": "Z",
    "И": "I",
    "Й": "I",
    "К": "K",
    "Л": "L",
    "М": "M",
    "Н": "N",
    "О": "O",
    "П": "P",
    "Р": "R",
    "С": "S",
    "Т": "T",
    "У": "U",
    "Ф": "F",
    "Х": "KH",
    "Ц": "TS",
    "Ч": "CH",
    "Ш": "SH",
    "Щ": "SHCH",
    "Ъ": "IE",
    "Ы": "Y",
    "Ь": "",
    "Э": "E",
    "Ю": "IU",
    "Я": "IA",
    "Ђ": "D",
    "Ѓ": "G",
    "Є": "IE",
    "Ѕ": "DZ",
    "І": "I",
    "Ї": "I",
    "Ј": "J",
    "Љ": "LJ",
    "Њ": "NJ",
    "Ћ": "C",
    "Ќ": "K",
    "Ў": "U",
    "Џ": "DZ",
    "Ґ": "G",
}
_UKRAINIAN_ONLY = frozenset("ЇЄҐ")
_BELARUSIAN_ONLY = frozenset("Ў")
_RUSSIAN_ONLY = frozenset("ЫЭЪЁ")

# Revised Romanization of Korean (2000), per jamo of a syllable block.
_RR_INITIAL = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h")
_RR_MEDIAL = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae",
    "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
)  # fmt: skip
# Final consonants as pronounced at the end of a syllable (RR writes the representative sound).
_RR_FINAL = (
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l",
    "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t",
)  # fmt: skip


def _is_han(ch: str) -> bool:
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F or ch == "〇"
    )


def _is_hangul(ch: str) -> bool:
    return 0xAC00 <= ord(ch) <= 0xD7A3


@cache
def _surname_table(filename: str, key: str, value: str) -> Mapping[str, str]:
    with resource_path("coding", filename).open(encoding="utf-8", newline="") as fh:
        return {row[key]: row[value].upper() for row in csv.DictReader(fh)}


def _zh_surnames() -> Mapping[str, str]:
    return _surname_table("zh-surnames.csv", "surname", "pinyin")


def _ko_surnames() -> Mapping[str, str]:
    return _surname_table("ko-surnames.csv", "hangul", "latin")


@cache
def _pinyin() -> Callable[[str], list[str]]:
    """pypinyin's phrase-aware reader, imported on first use (its dictionaries take a moment to load)."""
    from pypinyin import Style, lazy_pinyin

    def read(text: str) -> list[str]:
        return list(lazy_pinyin(text, style=Style.NORMAL, v_to_u=True))

    return read


def _pinyin_syllables(run: str, part: NamePart) -> str:
    out = []
    for syllable in _pinyin()(run):
        syllable = syllable.replace("ü", "yu")  # LYU, NYU, as Chinese passports write 吕, 女
        if syllable.isascii():
            out.append(syllable)
            continue
        for ch in syllable:  # a character pypinyin has no reading for comes back as itself
            latin = anyascii(ch).upper()
            if not _HAS_LATIN_LETTER.search(latin):
                raise _no_latin(ch, part)
            out.append(latin)
    return "".join(out).upper()


def _han_family(run: str, part: NamePart) -> str:
    table = _zh_surnames()
    if run in table:
        return table[run]
    return "".join(table.get(ch) or _pinyin_syllables(ch, part) for ch in run)


def _rr(run: str) -> str:
    out = []
    for ch in run:
        index = ord(ch) - 0xAC00
        out.append(_RR_INITIAL[index // 588] + _RR_MEDIAL[index % 588 // 28] + _RR_FINAL[index % 28])
    return "".join(out).upper()


def _hangul_family(run: str) -> str:
    table = _ko_surnames()
    if run in table:
        return table[run]
    return "".join(table.get(ch) or _rr(ch) for ch in run)


@cache
def _arabic_table() -> Mapping[str, str]:
    """ICAO 9303 Part 3 Table C: Arabic-script letter -> Latin (``resources/coding/icao-arabic.csv``)."""
    with resource_path("coding", "icao-arabic.csv").open(encoding="utf-8", newline="") as fh:
        return MappingProxyType({row["letter"]: row["latin"] for row in csv.DictReader(fh)})


_SHADDA = "\u0651"
_TATWEEL = "\u0640"
_TEH_MARBUTA = "\u0629"
_TEH_MARBUTA_AT_END = "XAH"  # ICAO 9303 Part 3 Appendix B: feminine names end in ة (فاطمة FATIMAH)


def _is_arabic(ch: str) -> bool:
    """Arabic script: the Arabic, Arabic Supplement and Extended-A/B blocks and the presentation forms."""
    o = ord(ch)
    return 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0x0870 <= o <= 0x08FF or 0xFB50 <= o <= 0xFEFF


def _arabic(run: str, part: NamePart) -> str:
    """ICAO Table C for one unbroken run of Arabic script (one name component or part of one).

    Vowel signs and the elongation stroke (tatweel) are not written, as Table C says; shadda doubles the
    letter before it (عبّاس EBBAS); ة is XTA, or XAH when it ends the component. A letter the table lacks is
    refused rather than guessed.
    """
    table = _arabic_table()
    # Presentation forms (ﻋ, ﻻ, ﷲ) are read as the letters they show; a refusal names what was typed.
    chars = [(typed, ch) for typed in run for ch in unicodedata.normalize("NFKC", typed)]
    letters = [i for i, (_t, ch) in enumerate(chars) if not unicodedata.category(ch).startswith("M") and ch != _TATWEEL]
    out: list[str] = []
    for i, (typed, ch) in enumerate(chars):
        if ch == _SHADDA:
            if out:
                out.append(out[-1])
            continue
        if ch == _TATWEEL or unicodedata.category(ch).startswith("M"):
            continue
        if ch == _TEH_MARBUTA and i == letters[-1]:
            out.append(_TEH_MARBUTA_AT_END)
            continue
        latin = table.get(ch)
        if latin is None:
            raise _no_latin(typed, part)
        out.append(latin)
    return "".join(out)


def _no_latin(ch: str, part: NamePart) -> ValidationError:
    """The refusal for a letter no table renders: it asks for the Latin form through the field that exists."""
    if part == "family":
        return ValidationError(
            LATIN_FAMILY_FIELD,
            _(
                "The letter “{char}” ({code}) in the family name has no Latin form in the tables the console "
                "follows; give the family name in the letters A–Z as its Latin form (the field Latin family name, "
                "--latin-family-name on the command line, or the column latin_family_name of an import file)."
            ).format(char=ch, code=_code(ch)),
        )
    if part == "given":
        return ValidationError(
            LATIN_GIVEN_FIELD,
            _(
                "The letter “{char}” ({code}) in the given names has no Latin form in the tables the console "
                "follows; give the given names in the letters A–Z as its Latin form (the field Latin given names, "
                "--latin-given-name on the command line, or the column latin_given_name of an import file)."
            ).format(char=ch, code=_code(ch)),
        )
    return ValidationError(
        LATIN_FIELD,
        _(
            "The letter “{char}” ({code}) has no Latin form in the tables the console follows; type the Latin "
            "form of the name by hand."
        ).format(char=ch, code=_code(ch)),
    )


def _split_surname(word: str, compounds: Mapping[str, str]) -> tuple[str, str]:
    """Family and given part of an unspaced CJK full name: a known two-character surname, else one character."""
    if len(word) >= 3 and word[:2] in compounds:
        return word[:2], word[2:]
    return word[:1], word[1:]


def _other_letter(ch: str, cyrillic: Mapping[str, str], part: NamePart) -> str:
    """Latin for one non-CJK, non-Arabic character (already upper-cased)."""
    if ch in _LATIN_SPECIAL:
        return _LATIN_SPECIAL[ch]
    if ch in cyrillic:
        return cyrillic[ch]
    if "A" <= ch <= "Z":
        return ch
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.category(c).startswith("M"))
    if base and all("A" <= c <= "Z" for c in base):
        return base
    latin = anyascii(ch).upper()
    if unicodedata.category(ch).startswith("L") and not _HAS_LATIN_LETTER.search(latin):
        raise _no_latin(ch, part)  # e.g. Hebrew א or ע: anyascii gives nothing or an apostrophe
    return latin


def _cyrillic_table(text: str) -> Mapping[str, str]:
    """The ICAO table, with the Ukrainian or Belarusian readings when the name shows that alphabet."""
    letters = set(text)
    if letters & _BELARUSIAN_ONLY:
        return {**_CYRILLIC, "Г": "H"}
    if letters & _UKRAINIAN_ONLY or ("І" in letters and not letters & _RUSSIAN_ONLY):
        return {**_CYRILLIC, "Г": "H", "И": "Y"}
    return _CYRILLIC


def _word_latin(word: str, kind: Literal["family", "given"], cyrillic: Mapping[str, str], part: NamePart) -> str:
    out: list[str] = []
    i = 0
    while i < len(word):
        ch = word[i]
        if _is_arabic(ch):
            j = i
            while j < len(word) and _is_arabic(word[j]):
                j += 1
            out.append(_arabic(word[i:j], part))
            i = j
            continue
        if _is_han(ch) or _is_hangul(ch):
            test = _is_han if _is_han(ch) else _is_hangul
            j = i
            while j < len(word) and test(word[j]):
                j += 1
            run = word[i:j]
            if test is _is_han:
                out.append(_han_family(run, part) if kind == "family" else _pinyin_syllables(run, part))
            else:
                out.append(_hangul_family(run) if kind == "family" else _rr(run))
            i = j
            continue
        if ch in _APOSTROPHES or ch in _APOSTROPHE_LETTERS:
            pass  # ICAO: apostrophes are omitted (O'Brien -> OBRIEN, Hawaiʻi -> HAWAII)
        elif ch in _HYPHENS:
            out.append("-")
        elif ch in _DOTS:
            # l·l in Catalan joins letters; otherwise a dot separates (St.John, 约翰·史密斯).
            between_latin = 0 < i < len(word) - 1 and word[i - 1].isascii() and word[i + 1].isascii()
            out.append("" if ch == "\u00b7" and between_latin else " ")
        else:
            out.append(_other_letter(ch, cyrillic, part))
        i += 1
    return "".join(out)


def latin_form(text: str, part: NamePart = "full") -> str:
    """The ICAO 9303 Latin form of a name: upper-case ``A``–``Z``, single spaces and hyphens.

    Args:
        text: a name as entered (normally the output of `clean_name`).
        part: ``"family"`` when `text` is a family name (Chinese surname readings, Korean passport
            spellings), ``"given"`` for given names, ``"full"`` for a whole name: if it starts with an
            unspaced Chinese or Korean name ("张伟", "김민준") the surname is split off ("ZHANG WEI",
            "KIM MINJUN"); a first word followed by others is taken as the family name when it is Chinese or
            Korean (family-name-first scripts).

    Raises:
        ValidationError: when a letter has no Latin rendering in any table the console follows; the field is
            ``latin-family-name`` or ``latin-given-name`` (where the clerk can type the Latin form) for a family
            or given name, ``latin_name`` for a whole name.
    """
    name = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    if _PLAIN_LATIN.fullmatch(name):  # already A-Z: only the spacing and hyphen rules apply (the common case)
        upper = name.upper()
        return upper if _TIDY_LATIN.fullmatch(upper) else _tidy(upper)
    name = re.sub("Ο[ΥΎ]", "OU", name.upper())  # Greek ου is one vowel (ELOT 743); anyascii would give OY
    cyrillic = _cyrillic_table(name)
    words = name.split(" ") if name else []
    parts: list[str] = []
    for index, word in enumerate(words):
        kind: Literal["family", "given"] = "family" if part == "family" else "given"
        if part == "full" and index == 0 and word and all(_is_han(c) for c in word):
            if len(words) == 1 and len(word) >= 2:
                family, given = _split_surname(word, _zh_surnames())
                parts.extend([_han_family(family, part), _pinyin_syllables(given, part)])
                continue
            kind = "family"
        elif part == "full" and index == 0 and word and all(_is_hangul(c) for c in word):
            if len(words) == 1 and len(word) >= 2:
                family, given = _split_surname(word, _ko_surnames())
                parts.extend([_hangul_family(family), _rr(given)])
                continue
            kind = "family"
        parts.append(_word_latin(word, kind, cyrillic, part))
    return _tidy(" ".join(parts))


_PLAIN_LATIN = re.compile(r"[A-Za-z -]*")
_TIDY_LATIN = re.compile(r"[A-Z]+(?:[ -][A-Z]+)*")  # what `_tidy` leaves as it is
_HAS_LATIN_LETTER = re.compile("[A-Z]")
# Modifier letters that write an apostrophe-like sign (ʻokina, Arabic ʾ and ʿ in transliterations): ICAO omits
# apostrophes, so these are not letters that disappear.
_APOSTROPHE_LETTERS = frozenset("\u02bb\u02be\u02bf")


def latin_override(text: str, field: str) -> str:
    """The Latin form a clerk typed for a family or given name, checked against ICAO 9303's alphabet.

    It replaces the automatic `latin_form` (for a name whose script the tables do not cover, or to write the
    spelling already in the holder's passport). ICAO 9303 writes names in the machine-readable zone with the
    letters A–Z only, spaces and hyphens becoming the filler ``<`` and apostrophes left out; so the form may
    hold only A–Z (lower case is upper-cased), spaces and hyphens. Spacing is tidied as in `latin_form`.

    Args:
        text: what was typed.
        field: ``latin-family-name`` or ``latin-given-name``; it names the error and its sentence.

    Raises:
        ValidationError: with `field`: empty, too long, a character outside A–Z, space and hyphen (the sentence
            names it and its position), or no letter at all.
    """
    label = _label(field)
    name = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    if not name:
        raise ValidationError(
            field,
            _("The {label} is empty; type the name in the letters A–Z or leave the field out.").format(label=label),
        )
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            field,
            _("The {label} has {length} characters, more than the limit of {limit}; shorten it.").format(
                label=label, length=len(name), limit=NAME_MAX_LENGTH
            ),
        )
    for pos, ch in enumerate(name, start=1):
        if not (ch.isascii() and (ch.isalpha() or ch in " -")):
            shown = f"“{ch}”" if ch.isprintable() else _code(ch)
            raise ValidationError(
                field,
                _(
                    "The {label} has {char} at position {pos}, but ICAO 9303 allows only the letters A–Z, spaces "
                    "and hyphens in a Latin name; write it without accents or other signs (for example MUELLER "
                    "for Müller, OBRIEN for O'Brien)."
                ).format(label=label, char=shown, pos=pos),
            )
    latin = _tidy(name.upper())
    if not latin:
        raise ValidationError(
            field, _("The {label} has no letters; type the name in the letters A–Z.").format(label=label)
        )
    return latin


def _tidy(latin: str) -> str:
    latin = re.sub(r"[^A-Z\- ]", "", latin)  # stray marks from the fallback (e.g. ʻokina -> `)
    latin = re.sub(r"\s*-[\s-]*", "-", latin)
    return re.sub(r" +", " ", latin).strip(" -")


# --------------------------------------------------------------------------------------------------------
# Matching

# The ICAO spellings of umlauts and rings have common one-letter variants (MUELLER / MULLER / Muller typed
# without the umlaut); folding both to the short form makes them one key.
_FOLDS = (("AE", "A"), ("OE", "O"), ("UE", "U"), ("AA", "A"))


def match_key(text: str) -> str:
    """A key for duplicate detection: the Latin form with umlaut spellings folded, words sorted.

    Two names with the same key are probably the same name (Müller / Mueller / Muller; 张伟 / ZHANG WEI /
    "Wei Zhang"); near misses are for `name_distance`.
    """
    return fold_key(latin_form(text))


def fold_key(latin: str) -> str:
    """`match_key` of a name already in Latin form (skips the transliteration the registry has done)."""
    words = []
    for word in latin.replace("-", " ").split():
        for long, short in _FOLDS:
            word = word.replace(long, short)
        words.append(word)
    return " ".join(sorted(words))


def name_distance(a: str, b: str) -> int:
    """Edit distance between the match keys of two names (Damerau–Levenshtein, optimal string alignment).

    Counts insertions, deletions, substitutions and swaps of adjacent letters, the usual typing slips; 0 means
    the keys are equal.
    """
    return key_distance(match_key(a), match_key(b))


def key_distance(s: str, t: str, limit: int | None = None) -> int:
    """`name_distance` on keys already made by `match_key` (duplicate checks compare one key with many).

    Optimal string alignment distance from rapidfuzz (C++; about 200 times faster than a Python table, and
    the duplicate check runs it for every candidate of every registration). With `limit`, the answer is
    ``limit + 1`` as soon as the distance must exceed it.
    """
    return int(OSA.distance(s, t, score_cutoff=limit))


def keys_within(key: str, keys: Mapping[int, str], limit: int) -> list[tuple[str, int, int]]:
    """The entries of `keys` (id -> match key) within `limit` slips of `key`: (their key, distance, id).

    One rapidfuzz call for a whole group of candidates (the duplicate check compares each new person with
    everyone born the same day): the loop over the candidates runs in C.
    """
    if not keys:
        return []
    found = process.extract(key, keys, scorer=OSA.distance, score_cutoff=limit, limit=None)
    return [(str(k), int(d), int(i)) for k, d, i in found]
