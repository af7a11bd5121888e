"""Input and output hygiene for the command line: text that is not UTF-8, numbers too large for any use, and
control characters that would reach the terminal.

Every check here turns hostile or mistaken input into a one-sentence usage error (exit status 2) before any
service runs, so that exit status 70 ("this is a bug") stays reserved for real bugs.
"""

from __future__ import annotations

import argparse
import io
import math
import os
from collections.abc import Callable, Iterable
from typing import TextIO

#: Characters that never reach a terminal raw: C0 controls except newline and tab, DEL, C1 controls (0x9b is
#: a one-byte CSI on some terminals), the bidirectional overrides and isolates ("Trojan source"), and the
#: Unicode line and paragraph separators. Each is written as a ``\\uXXXX`` escape, which is also a valid JSON
#: escape of the same character: JSON output keeps its exact value, text output becomes harmless.
_UNSAFE = [c for c in range(0x20) if c not in (0x09, 0x0A)] + [0x7F, *range(0x80, 0xA0)]
_UNSAFE += [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029]
_ESCAPES = {c: f"\\u{c:04x}" for c in _UNSAFE}
#: For values shown inside one line of text (table cells, names): newline and tab are escaped too.
_ONE_LINE = {**_ESCAPES, 0x09: "\\t", 0x0A: "\\n"}

#: The largest whole number any option takes (counts, ids, limits, years); larger ones are refused at parse
#: time instead of overflowing SQLite or the calendar later.
MAX_INT_ARG = 10**9


def escape_controls(text: str) -> str:
    """`text` with every terminal control character escaped (newlines and tabs kept)."""
    return text.translate(_ESCAPES)


def one_line(value: object) -> str:
    """A value shown inside a line of text: every control character escaped, newlines and tabs too."""
    return str(value).translate(_ONE_LINE)


class SafeStream(io.TextIOBase):
    """A text stream that escapes control characters on their way to the terminal (or a pipe)."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(text.translate(_ESCAPES))
        return len(text)

    def flush(self) -> None:
        self.raw.flush()

    def isatty(self) -> bool:
        return self.raw.isatty()

    def fileno(self) -> int:
        return self.raw.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.raw, "encoding", "utf-8")


def _shown_bytes(text: str) -> str:
    """A non-UTF-8 argument as the bytes it came from (Python decodes argv with surrogateescape)."""
    raw = os.fsencode(text)
    return repr(raw)[2:-1]


def non_utf8_argument(argv: Iterable[str]) -> str | None:
    """A sentence naming the first argument that is not valid UTF-8 text, or None."""
    for position, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return (
                f"Argument {position} ({_shown_bytes(arg)}) is not valid UTF-8 text; set the terminal and locale "
                "to UTF-8 (e.g. LANG=C.UTF-8) and type it again."
            )
    return None


def utf8_env(name: str) -> str | None:
    """An environment variable's value, refusing one that is not valid UTF-8 text.

    Raises:
        ValueError: with a sentence naming the variable (the caller turns it into a usage error).
    """
    value = os.environ.get(name)
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(
            f"{name} is not valid UTF-8 text; set it again from a UTF-8 terminal (e.g. LANG=C.UTF-8)."
        ) from None
    return value


def whole_number(text: str) -> int:
    """argparse type: a whole number of at most `MAX_INT_ARG` in size (2^70 is an input error, not a crash)."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if abs(value) > MAX_INT_ARG:
        raise argparse.ArgumentTypeError(f"{text} is too large (at most {MAX_INT_ARG:,})")
    return value


def finite_number(text: str) -> float:
    """argparse type: a finite decimal number (no nan, inf or 1e400)."""
    try:
        value = float(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or abs(value) > MAX_INT_ARG:
        raise argparse.ArgumentTypeError(f"{text} is not a usable number (give a small decimal such as 0.5)")
    return value


def install(stdout: TextIO, stderr: TextIO) -> Callable[[], None]:
    """Wrap the standard streams in `SafeStream`; returns a function that restores them."""
    import sys

    old = (sys.stdout, sys.stderr)
    sys.stdout = SafeStream(stdout)
    sys.stderr = SafeStream(stderr)

    def restore() -> None:
        sys.stdout, sys.stderr = old

    return restore
