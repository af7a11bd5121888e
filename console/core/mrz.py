"""The machine-readable zone (MRZ) of a TD1 (ID-1 size) card, ICAO Doc 9303 Part 5.

Three lines of 30 characters from ``A-Z``, ``0-9`` and the filler ``<``:

==== ========= ======================================================================================
line position content
==== ========= ======================================================================================
1    1-2       document code (``ID``)
1    3-5       issuing state (ISO 3166-1 alpha-3, or a 9303 code such as ``UTO``)
1    6-14      document number; check digit at 15 (long numbers: see `td1_mrz`)
1    16-30     optional data (we put the personal ID number here when it fits)
2    1-6, 7    date of birth YYMMDD, check digit
2    8         sex: ``F``, ``M`` or ``<`` (unspecified; shown as ``X`` in the visual zone)
2    9-14, 15  date of expiry YYMMDD, check digit
2    16-18     nationality
2    19-29     optional data
2    30        composite check digit over 1:6-30, 2:1-7, 2:9-15 and 2:19-29
3    1-30      name: PRIMARY<<SECONDARY<NAMES, truncated by `mrz_name` when too long
==== ========= ======================================================================================

Check digits use weights 7, 3, 1 over values 0-9 for digits, 10-35 for A-Z and 0 for ``<`` (Part 3, 4.9).
Everything here is pure string arithmetic; the card renderer only prints the lines.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from console.core.errors import ValidationError
from console.core.i18n import _

LINE_LENGTH = 30
FILLER = "<"

_WEIGHTS = (7, 3, 1)
_MRZ_CHARS = re.compile(r"[A-Z0-9<]*")

# Doc 9303 Part 3, section 6 ("Transliterations recommended for use by States"), Latin letters whose
# recommended form is not simply the base letter. Where the table offers a choice (Ä → AE or A) the first
# option is taken, as most issuers do.
_LATIN_SPECIAL = {
    "Ä": "AE",
    "Å": "AA",
    "Æ": "AE",
    "Ð": "D",
    "Đ": "D",
    "Ħ": "H",
    "I": "I",
    "İ": "I",
    "ı": "I",
    "Ĳ": "IJ",
    "Ŀ": "L",
    "Ł": "L",
    "Ŋ": "N",
    "Ö": "OE",
    "Ø": "OE",
    "Œ": "OE",
    "Þ": "TH",
    "Ŧ": "T",
    "Ü": "UE",
    "ß": "SS",
    "ẞ": "SS",
    "ĸ": "K",
}
# Punctuation inside names: hyphens, spaces and commas become a filler, apostrophes and full stops vanish.
_TO_FILLER = frozenset(" -‐‑‒–—,\u00a0")
_DROPPED = frozenset("'’ʼ‘`´.")


def check_digit(field: str) -> str:
    """ICAO 9303 check digit (weights 7-3-1, modulo 10) of a field of ``A-Z``, ``0-9`` and ``<``."""
    total = 0
    for i, ch in enumerate(field):
        if ch.isdigit():
            value = ord(ch) - 48
        elif "A" <= ch <= "Z":
            value = ord(ch) - 55
        elif ch == FILLER:
            value = 0
        else:
            raise ValueError(f"{ch!r} is not an MRZ character")
        total += value * _WEIGHTS[i % 3]
    return str(total % 10)


def icao_latin(name: str, *, field: str = "name") -> str:
    """Bring a name in the Latin script to MRZ characters: ``Müller-Lüdenscheidt`` → ``MUELLER<LUEDENSCHEIDT``.

    Diacritics follow the Doc 9303 Part 3 recommended transliterations (Ä → AE, Ø → OE, ß → SS, Õ → O, ...);
    hyphens, spaces and commas become one filler, apostrophes and full stops are dropped. Names in other
    scripts must be transliterated before (the registry stores an ICAO Latin form for that); they are
    refused here rather than silently dropped.

    Raises:
        ValidationError: a character that is not a Latin letter or name punctuation.
    """
    out: list[str] = []
    for ch in name.strip():
        up = ch.upper() if ch not in ("ß", "ı") else ch
        if "A" <= up <= "Z":
            out.append(up)
        elif up in _LATIN_SPECIAL:
            out.append(_LATIN_SPECIAL[up])
        elif ch in _TO_FILLER or ch == FILLER:
            out.append(FILLER)
        elif ch in _DROPPED:
            continue
        else:
            base = unicodedata.normalize("NFKD", up)
            letters = "".join(c for c in base if not unicodedata.combining(c))
            if letters and all("A" <= c <= "Z" for c in letters):
                out.append(letters)
            else:
                raise ValidationError(
                    field,
                    _(
                        "The Latin form of the name contains {ch!r}, which has no ICAO 9303 Latin equivalent; "
                        "enter the name's transliteration in Latin letters (A-Z)."
                    ).format(ch=ch),
                )
    return re.sub(f"{FILLER}+", FILLER, "".join(out)).strip(FILLER)


def mrz_name(primary: str, secondary: str, *, width: int = LINE_LENGTH) -> str:
    """The name field: ``PRIMARY<<SECONDARY<NAMES`` padded with fillers to ``width``.

    Too-long names are truncated as ICAO Doc 9303 Part 3 (4.6) asks: characters are cut from the end, so
    the secondary identifier goes first; the primary identifier is shortened only as far as needed to keep
    ``<<`` and at least the initial of the secondary identifier; and a truncated field ends in a letter, not
    a filler, which tells a reader the name may be truncated. When the cut falls just after a name
    component, its last letter gives way to ``<`` and the next component's initial (the rule the Australian
    passport office's ICAO VDS library applies).

    Raises:
        ValidationError: the primary identifier is empty after transliteration.
    """
    prim = icao_latin(primary, field="latin_family")
    sec = icao_latin(secondary, field="latin_given")
    if not prim:
        if not sec:
            raise ValidationError("latin_family", _("The name has no Latin form for the MRZ; enter one."))
        # A mononym is the primary identifier (Part 3: the whole name where it cannot be divided).
        prim, sec = sec, ""
    full = prim + FILLER * 2 + sec if sec else prim
    if len(full) <= width:
        return full.ljust(width, FILLER)
    if not sec:
        return prim[:width]
    room_for_primary = width - 3  # "<<" and one letter of the secondary identifier
    if len(prim) > room_for_primary:
        return prim[:room_for_primary] + FILLER * 2 + sec[0]
    cut = full[:width]
    if cut[-1] == FILLER:
        # The cut ends on a separator: give the next component its initial in the last position.
        if full[width - 3] == FILLER:
            # The component before is a lone initial: shortening it would leave "<<"; drop the rest instead.
            return full[: width - 1].ljust(width, FILLER)
        cut = full[: width - 2] + FILLER + full[width]
    return cut


def td1_mrz(
    *,
    issuing_state: str,
    document_number: str,
    birth_date: date,
    sex: str,
    expiry_date: date,
    nationality: str,
    primary_identifier: str,
    secondary_identifier: str,
    optional_data: str = "",
    optional_data_2: str = "",
    document_code: str = "ID",
) -> tuple[str, str, str]:
    """The three 30-character lines of a TD1 MRZ (ICAO Doc 9303 Part 5, 4.2).

    A document number longer than nine characters uses the Part 5 extension: its first nine characters in
    positions 6-14, a filler in position 15, and the rest in the optional data field followed by the check
    digit over the whole number and a filler; ``optional_data`` then follows.

    Args:
        issuing_state, nationality: three-letter codes (ISO 3166-1 alpha-3 or Doc 9303 codes such as UTO).
        document_number: card number, ``A-Z``/``0-9``.
        sex: ``F``, ``M`` or ``X`` (printed ``<`` in the MRZ, as Doc 9303 asks for "unspecified").
        primary_identifier, secondary_identifier: the Latin form of the family and given names.
        optional_data, optional_data_2: line 1 positions 16-30 and line 2 positions 19-29.

    Raises:
        ValidationError: a field with characters the MRZ cannot hold or longer than its positions.
    """
    code = _mrz_field(document_code.upper(), "document_code", 2)
    state = _country(issuing_state, "country")
    nat = _country(nationality, "nationality")
    number = _mrz_field(document_number.upper(), "document_number", 23)
    if not number:
        raise ValidationError("document_number", _("The card has no document number; it is required in the MRZ."))
    opt1 = _mrz_field(optional_data.upper(), "optional_data", 15)
    opt2 = _mrz_field(optional_data_2.upper(), "optional_data", 11)

    if len(number) <= 9:
        number_part = number.ljust(9, FILLER) + check_digit(number.ljust(9, FILLER))
        tail = opt1
    else:
        number_part = number[:9] + FILLER
        tail = number[9:] + check_digit(number) + FILLER + opt1
    if len(tail) > 15:
        raise ValidationError(
            "document_number",
            _(
                "The document number {number} and the optional data do not fit the 30-character MRZ line; "
                "use a document number of at most 9 characters."
            ).format(number=number),
        )
    line1 = code.ljust(2, FILLER) + state + number_part + tail.ljust(15, FILLER)

    sex_code = {"F": "F", "M": "M", "X": FILLER, FILLER: FILLER}.get(sex.upper())
    if sex_code is None:
        raise ValidationError("sex", _("Sex must be F, M or X, not {sex!r}.").format(sex=sex))
    birth = _yymmdd(birth_date)
    expiry = _yymmdd(expiry_date)
    line2 = birth + check_digit(birth) + sex_code + expiry + check_digit(expiry) + nat + opt2.ljust(11, FILLER)
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    line2 += check_digit(composite)

    line3 = mrz_name(primary_identifier, secondary_identifier)
    return line1, line2, line3


def _yymmdd(d: date) -> str:
    return f"{d.year % 100:02d}{d.month:02d}{d.day:02d}"


def _country(code: str, field: str) -> str:
    value = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{1,3}", value):
        raise ValidationError(
            field,
            _("{code!r} is not a three-letter country code (ISO 3166-1 alpha-3, e.g. EST, or UTO).").format(code=code),
        )
    return value.ljust(3, FILLER)


def _mrz_field(value: str, field: str, width: int) -> str:
    value = value.strip()
    if not _MRZ_CHARS.fullmatch(value):
        raise ValidationError(
            field,
            _("{value!r} cannot be written in the MRZ: only the letters A-Z, digits and '<' are allowed.").format(
                value=value
            ),
        )
    if len(value) > width:
        raise ValidationError(
            field, _("{value!r} is longer than the {width} MRZ positions for it.").format(value=value, width=width)
        )
    return value
