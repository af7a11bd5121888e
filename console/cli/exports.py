"""Encrypted exports (issue 17): `audit --out FILE` writes the trail as an age file, `export open` reads one.

The passphrase comes from ID_CONSOLE_EXPORT_PASSPHRASE, else a no-echo prompt (asked twice when writing). The
clear text never touches the disk unless the reader asks for it with `export open --out` (docs/cli.md,
"Encrypted exports"; docs/security.md, "Exports of personal data").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from console.cli.common import (
    UsageError,
    add_json,
    check_output_target,
    emit,
    read_password,
    session_for,
    write_output,
)
from console.core import exports
from console.core.administration import MAX_AUDIT_ROWS, AuditFilter, export_audit
from console.core.errors import ValidationError


def register(sub: Any) -> None:
    group = sub.add_parser("export", help="encrypted exports of personal data (the audit trail's CSV)")
    commands = group.add_subparsers(dest="export_command", required=True)
    p = commands.add_parser(
        "open", help="decrypt an encrypted export (age file) with its passphrase; no office or login needed"
    )
    p.add_argument("file", metavar="FILE", help="the encrypted export, e.g. audit-2026-12-03.csv.age")
    p.add_argument("--out", metavar="FILE", help="write the clear text there (default: standard output)")
    add_json(p)
    p.set_defaults(handler=cmd_open)


def passphrase(*, confirm: bool) -> str:
    """The export passphrase: ID_CONSOLE_EXPORT_PASSPHRASE, else a no-echo prompt (twice when `confirm`)."""
    value = read_password(exports.PASSPHRASE_ENV, "Export passphrase: ", who="the export", confirm=confirm)
    try:
        return exports.check_passphrase(value)
    except ValidationError as e:
        raise UsageError(f"{e} (from {exports.PASSPHRASE_ENV} or the prompt)") from None


def write_audit(args: argparse.Namespace) -> int:
    """`audit --as USER --out FILE`: the trail (newest first, up to --limit) as an encrypted CSV."""
    limit = MAX_AUDIT_ROWS if args.limit is None else args.limit
    if not str(args.out).endswith(exports.SUFFIX):
        raise UsageError(f"{args.out} does not end in {exports.SUFFIX}; name the encrypted export FILE.csv.age.")
    target = check_output_target(
        args, args.out, magic=exports.MAGIC, kind="encrypted export"
    )  # checked before any prompt, and before the core seals and writes
    secret = passphrase(confirm=True)
    session = session_for(args)
    count = export_audit(session, AuditFilter(limit=limit), target, secret)
    emit(
        args,
        {"entries": count, "out": str(target), "format": "age"},
        f"{count} audit entr{'y' if count == 1 else 'ies'} written to {target}, encrypted (age, passphrase); "
        "open it with `id-console export open` or `age -d`.",
    )
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    source = Path(args.file).expanduser()
    try:
        sealed = source.read_bytes()
    except OSError as e:
        raise UsageError(f"Cannot read {source} ({e.strerror}); give the path of the encrypted export.") from None
    if not sealed.startswith(exports.MAGIC):  # before the prompt: a wrong file needs no passphrase
        raise UsageError(f"{source} is not an encrypted export (an age file); give the file the console wrote.")
    secret = read_password(exports.PASSPHRASE_ENV, "Export passphrase: ", who="the export")
    clear = exports.open_export(sealed, secret, where=str(source))
    if args.out is None:
        text = clear.decode("utf-8", errors="replace").removeprefix("\ufeff")
        if args.json:
            emit(args, {"file": str(source), "text": text}, text)
        else:
            sys.stdout.write(text.replace("\r\n", "\n"))
        return 0
    out = Path(args.out).expanduser()
    if out.exists():
        raise UsageError(f"{out} exists; give a new file name for the clear text (nothing is overwritten).")
    written = write_output(args, str(out), clear, magic=b"", kind="clear-text export")
    emit(
        args,
        {"file": str(source), "out": str(written), "bytes": len(clear)},
        f"{len(clear):,} bytes written to {written} in the clear (owner-only); delete it when done.",
    )
    return 0
