"""QR matrices for the credential text printed on cards and shown on screen.

The credential is Base45 text (RFC 9285), whose 45-character alphabet is exactly the QR alphanumeric set, so
the whole text goes into one alphanumeric segment at error-correction level M, as DESIGN.md §5 says.

Invariants:
- ``qr_matrix(text)`` encodes ``text`` byte for byte; nothing is added, trimmed or upper-cased.
- The matrix holds the symbol only (no quiet zone); whoever draws it leaves `QUIET_ZONE` light modules
  around it.
- The mask pattern is fixed (`MASK`). Choosing the "best" of the eight masks is what makes pure-Python
  encoders slow (segno: ~12-27 ms per card instead of ~3-5 ms); every mask gives a valid, standard symbol and
  the penalty rules only nudge scanning robustness, which the card tests check by decoding what is printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import segno

from console.core.errors import ValidationError

#: Characters allowed in QR alphanumeric mode (and in Base45).
ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")

#: Light modules required around the symbol (ISO/IEC 18004: four modules).
QUIET_ZONE = 4

#: Fixed data mask (0: (row + column) mod 2 == 0); see the module docstring for why it is fixed.
MASK = 0

#: Largest version accepted by default. Version 20 is 97 modules wide: 0.23 mm per module on a 22 mm card
#: symbol, about the smallest that office laser and card printers reproduce reliably.
MAX_VERSION = 20

_DARK_RUN = re.compile(rb"\x01+")

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


def dark_runs(rows: Sequence[bytes | bytearray]) -> Iterator[tuple[int, int, int]]:
    """Yield ``(row, first_column, length)`` for each horizontal run of dark modules.

    Drawing one rectangle per run instead of one per module makes the vector QR about four times smaller
    and faster to draw; ``rows`` holds one byte per module (1 = dark), as `qr_rows` returns.
    """
    for r, row in enumerate(rows):
        for match in _DARK_RUN.finditer(row):
            start, end = match.span()
            yield r, start, end - start


def qr_rows(text: str, *, max_version: int = MAX_VERSION) -> tuple[bytes, ...]:
    """Like `qr_matrix`, but each row as bytes (1 = dark): the fast form for drawing code."""
    return tuple(bytes(row) for row in _rows(text, max_version))


def _rows(text: str, max_version: int) -> Sequence[bytearray]:
    _check_alphabet(text)
    try:
        symbol = segno.make_qr(text, error="m", mode="alphanumeric", boost_error=False, mask=MASK)
    except segno.DataOverflowError as e:
        raise _too_long(text, max_version) from e
    if int(symbol.version) > max_version:
        raise _too_long(text, max_version)
    rows: Sequence[bytearray] = symbol.matrix
    return rows


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
