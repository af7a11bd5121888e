"""QR matrices for the credential text printed on cards and shown on screen.

The credential is Base45 text (RFC 9285), whose 45-character alphabet is exactly the QR alphanumeric set, so
the whole text goes into one alphanumeric segment at error-correction level M, as DESIGN.md §5 says.

Invariants:
- ``qr_matrix(text)`` encodes ``text`` byte for byte; nothing is added, trimmed or upper-cased.
- The matrix holds the symbol only (no quiet zone); whoever draws it leaves `QUIET_ZONE` light modules
  around it.
- The symbol is made by zxing-cpp (C++, already the console's QR reader): about 4x faster than segno with a
  fixed mask (1.2 ms against 5 ms per card text on the build machine, issue 16), and it picks the mask by the
  standard's penalty rules at that speed. The card tests decode what is printed, with zxing-cpp and zbar.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import accumulate

import zxingcpp

from console.core.errors import ValidationError

#: Characters allowed in QR alphanumeric mode (and in Base45).
ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")

#: Light modules required around the symbol (ISO/IEC 18004: four modules).
QUIET_ZONE = 4

#: Largest version accepted by default. Version 20 is 97 modules wide: 0.23 mm per module on a 22 mm card
#: symbol, about the smallest that office laser and card printers reproduce reliably.
MAX_VERSION = 20

_ALTERNATING_RUNS = re.compile(rb"\x01+|\x00+")

QrMatrix = list[list[bool]]


def qr_matrix(text: str, *, max_version: int = MAX_VERSION) -> QrMatrix:
    """Encode ``text`` as a QR symbol (alphanumeric mode, level M, smallest version) and return its modules.

    Args:
        text: the credential text; only the 45 QR alphanumeric characters are allowed.
        max_version: refuse texts that need a larger version than this (a denser symbol would not print
            legibly at card size).

    Returns:
        Rows top to bottom, each a list of booleans left to right; ``True`` is a dark module.

    Raises:
        ValidationError: (field ``qr_text``) empty text, a character outside the alphanumeric set, or too
            much text for ``max_version``.
    """
    return [[bool(module) for module in row] for row in _rows(text, max_version)]


def run_rectangles(rows: Sequence[bytes | bytearray]) -> str:
    """The dark modules as PDF rectangles ``"column row length 1 re"``, one per horizontal run, newline-joined.

    Drawing one rectangle per run instead of one per module makes the vector QR about four times smaller and
    faster to draw; ``rows`` holds one byte per module (1 = dark), as `qr_rows` returns. A symbol has about a
    thousand runs, so the lengths come from one regex split a row and the text from ``str.format`` mapped in
    C: a quarter of the time of a Python loop over the matches (the card fronts' largest cost after encoding).
    """
    parts: list[str] = []
    for r, row in enumerate(rows):
        if not row:
            continue
        lengths = list(map(len, _ALTERNATING_RUNS.findall(row)))
        starts = list(accumulate(lengths, initial=0))
        first_dark = 0 if row[0] else 1  # runs alternate, so the dark ones are every other run from here
        parts.extend(map(f"{{}} {r} {{}} 1 re".format, starts[first_dark::2], lengths[first_dark::2]))
    return "\n".join(parts)


def qr_rows(text: str, *, max_version: int = MAX_VERSION) -> tuple[bytes, ...]:
    """Like `qr_matrix`, but each row as bytes (1 = dark): the fast form for drawing code."""
    return tuple(_rows(text, max_version))


#: zxing-cpp's module image: 0 is dark, 255 light; this maps it to 1 dark, 0 light.
_DARK_IS_ONE = bytes([1] + [0] * 255)


def _rows(text: str, max_version: int) -> Sequence[bytes]:
    _check_alphabet(text)
    if len(text) > _MOST_ALPHANUMERIC:  # more than version 40-M holds: refuse before encoding it
        raise _too_long(text, max_version)
    try:
        # Base45 text is all alphanumeric, so zxing-cpp's mode choice is one alphanumeric segment
        symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    except ValueError as e:  # "Input too long for ECC level M"
        raise _too_long(text, max_version) from e
    image = symbol.to_image(scale=1, add_quiet_zones=False)
    size = image.shape[1]
    if (size - 17) // 4 > max_version:  # version v is 17 + 4v modules wide
        raise _too_long(text, max_version)
    modules = bytes(memoryview(image)).translate(_DARK_IS_ONE)  # type: ignore[arg-type]  # a buffer; the stub omits it
    return [modules[i : i + size] for i in range(0, len(modules), size)]


#: The most alphanumeric characters a QR code holds (version 40, level M).
_MOST_ALPHANUMERIC = 3391


def _check_alphabet(text: str) -> None:
    if not text:
        raise ValidationError("qr_text", "The credential text for the QR code is empty; issue the credential again.")
    bad = sorted({c for c in text if c not in ALPHANUMERIC})
    if bad:
        shown = ", ".join(repr(c) for c in bad[:5])
        raise ValidationError(
            "qr_text",
            f"The credential text contains characters a QR alphanumeric code cannot hold ({shown}); "
            "it must be Base45 text (0-9, A-Z, space and $%*+-./:).",
        )


def _too_long(text: str, max_version: int) -> ValidationError:
    return ValidationError(
        "qr_text",
        f"The credential text ({len(text)} characters) does not fit in a QR code of version {max_version} or "
        "less, the densest that prints legibly on a card; issue a shorter credential (no photo in it).",
    )
