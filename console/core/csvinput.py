"""Reading an import CSV in bounded memory, with a sentence for every way a file can be wrong.

The file is read line by line (each line at most `MAX_LINE_BYTES`, each field at most `MAX_FIELD_CHARS`), decoded
as strict UTF-8 (a byte-order mark is allowed), and never held whole: a 200 MB file costs the same memory as a
small one. A first pass (`scan`) checks the whole file before anything is stored: encoding, header, line and
field sizes, and counts the rows; the import pass (`rows`) then streams the same file again.
"""

from __future__ import annotations

import codecs
import csv
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from console.core.errors import StorageError, ValidationError
from console.core.i18n import _

MAX_LINE_BYTES = 64 * 1024
MAX_FIELD_CHARS = 4096
_BLOCK = 1 << 20


class CsvError(ValidationError):
    """The import file cannot be read as the CSV the import expects (exit status 2)."""

    def __init__(self, message: str) -> None:
        super().__init__("csv", message)


@dataclass(frozen=True)
class CsvSummary:
    """What the first pass learned: the header and how many data rows follow."""

    fieldnames: list[str]
    rows: int


def open_bounded(path: Path, limit: int) -> IO[bytes]:
    """Open the import file for reading, refusing one larger than `limit` bytes without reading it.

    A regular file is checked by its size; anything else (a pipe, /dev/stdin) is copied, up to the limit, to an
    unnamed temporary file (deleted by the system when closed, even after a crash), because the import reads
    the file twice.

    Raises:
        ValidationError: the file is larger than `limit`.
        StorageError: it cannot be read.
    """
    too_big = CsvError(
        _("{path} is larger than {size:,} MB; split it into smaller files.").format(path=path, size=limit // 2**20)
    )
    try:
        f = path.open("rb")
    except IsADirectoryError as e:
        raise StorageError(_("{path} is a folder, not a file; choose the CSV file.").format(path=path)) from e
    except OSError as e:
        raise StorageError(_("Cannot read {path}: {reason}.").format(path=path, reason=e.strerror)) from e
    try:
        info = os.fstat(f.fileno())
        if (info.st_mode & 0o170000) == 0o100000:  # a regular file: its size is known
            if info.st_size > limit:
                raise too_big
            return f
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - returned to the caller, who closes it
        copied = 0
        while block := f.read(_BLOCK):
            copied += len(block)
            if copied > limit:
                spool.close()
                raise too_big
            spool.write(block)
        spool.seek(0)
        f.close()
        return spool
    except OSError as e:
        f.close()
        raise StorageError(_("Cannot read {path}: {reason}.").format(path=path, reason=e.strerror)) from e
    except BaseException:
        f.close()
        raise


def _save_as_utf8() -> str:
    return _(
        "Save it as UTF-8 (in Excel: File › Save As › “CSV UTF-8”; in LibreOffice: character set “Unicode (UTF-8)”)."
    )


def _check_start(head: bytes, path: Path) -> None:
    """Recognise files in another encoding at their first bytes (UTF-16/32 byte-order marks, NUL bytes)."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if head.startswith(bom):
            raise CsvError(
                _("{path} is written in {encoding}, not UTF-8. {hint}").format(
                    path=path, encoding=name, hint=_save_as_utf8()
                )
            )
    if b"\x00" in head:
        raise CsvError(
            _("{path} contains NUL bytes: it is UTF-16 or not a text file. {hint}").format(
                path=path, hint=_save_as_utf8()
            )
        )


def _lines(f: IO[bytes], path: Path) -> Iterator[str]:
    """Decoded lines of at most `MAX_LINE_BYTES` bytes each; a sentence naming the line for anything else."""
    f.seek(0)
    _check_start(f.read(4096), path)
    f.seek(0)
    number = 0
    while True:
        raw = f.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise CsvError(
                _("Line {line} of {path} is longer than {size} KB; is it a CSV file with one person per line?").format(
                    line=number, path=path, size=MAX_LINE_BYTES // 1024
                )
            )
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            byte = raw[e.start]
            guess = (
                _("it looks like Latin-1 or Windows-1252")
                if 0xA0 <= byte <= 0xFF or 0x80 <= byte <= 0x9F
                else _("it is not UTF-8")
            )
            raise CsvError(
                _(
                    "Line {line} of {path} is not UTF-8 text (byte 0x{byte:02X} at column {column}): {guess}. {hint}"
                ).format(line=number, path=path, byte=byte, column=e.start + 1, guess=guess, hint=_save_as_utf8())
            ) from None
        if "\x00" in text:
            raise CsvError(
                _("Line {line} of {path} contains a NUL byte; the file is not plain UTF-8 text. {hint}").format(
                    line=number, path=path, hint=_save_as_utf8()
                )
            )
        yield text


def _records(f: IO[bytes], path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each record, the header first."""
    previous = csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        reader = csv.reader(_lines(f, path))
        start = 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                if "field larger than field limit" in str(e):
                    raise CsvError(
                        _(
                            "Line {line} of {path} has a field longer than {size:,} characters (an unclosed quote?); "
                            "no name or code is that long."
                        ).format(line=start, path=path, size=MAX_FIELD_CHARS)
                    ) from None
                raise CsvError(
                    _("Line {line} of {path} is not valid CSV ({reason}).").format(
                        line=reader.line_num, path=path, reason=e
                    )
                ) from None
            yield start, fields
            start = reader.line_num + 1
    finally:
        csv.field_size_limit(previous)


def scan(f: IO[bytes], path: Path, required: tuple[str, ...]) -> CsvSummary:
    """Check the whole file (encoding, header, sizes) and count its data rows, before anything is stored."""
    records = _records(f, path)
    first = next(records, None)
    if first is None:
        raise CsvError(_("{path} is empty; it needs a header line and one line per person.").format(path=path))
    header = [name.strip() for name in first[1]]
    missing = [c for c in required if c not in header]
    if missing:
        raise CsvError(
            _("{path} lacks the column(s) {missing}; the header must name {required}.").format(
                path=path, missing=", ".join(missing), required=", ".join(required)
            )
        )
    count = sum(1 for _line, fields in records if any(field.strip() for field in fields))
    return CsvSummary(header, count)


def rows(f: IO[bytes], path: Path, fieldnames: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) for every data row, streamed."""
    records = _records(f, path)
    next(records, None)  # the header, checked by `scan`
    for line, fields in records:
        if not any(field.strip() for field in fields):
            continue  # a blank line (spreadsheets add them at the end)
        yield line, dict(zip(fieldnames, fields, strict=False))
