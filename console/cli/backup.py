"""`keys backup` and `rebuild --from-ledger`: bring a lost office back (docs/ledger.md, "Rebuild")."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from console.cli.common import (
    UsageError,
    add_as,
    add_json,
    data_dir,
    emit,
    kdf_limits,
    open_office,
    read_password,
    session_for,
    write_output,
)
from console.core.keystore import seal, unseal
from console.core.rebuild import NOT_REBUILT, KeyBackup, make_backup

BACKUP_ENV = "ID_CONSOLE_BACKUP_PASSPHRASE"


def register(sub: Any) -> None:
    keys = sub.add_parser("keys", help="the office's keys: backup").add_subparsers(dest="keys_command", required=True)
    p = keys.add_parser("backup", help="write an encrypted key backup for `rebuild` (administrators)")
    add_as(p)
    p.add_argument("--out", required=True, metavar="FILE")
    add_json(p)
    p.set_defaults(handler=cmd_keys_backup)
    p = sub.add_parser("rebuild", help="rebuild a lost office from the ledger folder and a key backup")
    p.add_argument("--from-ledger", required=True, metavar="DIR", help="the shared ledger folder")
    p.add_argument("--keys", required=True, metavar="FILE", help="the key backup (`keys backup`)")
    add_json(p)
    p.set_defaults(handler=cmd_rebuild)


def _passphrase(confirm: bool) -> str:
    value = os.environ.get(BACKUP_ENV)
    if value is None:
        value = read_password(BACKUP_ENV, "Backup passphrase: ", who="the key backup", confirm=confirm)
    if len(value) < 12:
        raise UsageError(f"The backup passphrase must have at least 12 characters (from {BACKUP_ENV} or the prompt).")
    return value


def cmd_keys_backup(args: argparse.Namespace) -> int:
    office = open_office(args)
    session = session_for(args, office)
    passphrase = _passphrase(confirm=True)
    backup = make_backup(session)
    path = write_output(
        args, args.out, seal(backup.to_bytes(), passphrase, kdf_limits()), magic=b"{", kind="key backup"
    )
    emit(
        args,
        {
            "office": backup.office["code"],
            "out": str(path),
            "log_size": backup.log_size,
            "officers": sorted(backup.keystores),
            "made_at": backup.made_at,
        },
        f"Key backup of office {backup.office['code']} written to {path} (log size {backup.log_size}); keep it and "
        "its passphrase apart, and make a new one after every `key rotate` and officer enrolment.",
    )
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from console.node.rebuild import rebuild_from_folder

    folder = data_dir(args)
    if (folder / "office.db").exists() or (folder / "keys").exists():
        raise UsageError(f"An office is already set up in {folder}; rebuild into an empty --data-dir.")
    try:
        sealed = Path(args.keys).expanduser().read_bytes()
    except OSError as e:
        raise UsageError(f"Cannot read the key backup {args.keys}: {e.strerror}.") from None
    backup = KeyBackup.from_bytes(unseal(sealed, _passphrase(confirm=False), args.keys))
    result, report = rebuild_from_folder(folder, Path(args.from_ledger), backup)
    data = {
        "data_dir": str(folder),
        "office": result.office,
        "events": result.events,
        "citizens": result.citizens,
        "credentials": result.credentials,
        "requests": result.requests,
        "reviews": result.reviews,
        "officers": result.officers,
        "warnings": result.warnings,
        "not_rebuilt": NOT_REBUILT,
        "sync": report.to_json(),
    }
    emit(
        args,
        data,
        f"Office {result.office} rebuilt in {folder} from {result.events} entries: {result.citizens} citizens, "
        f"{result.credentials} credentials, {result.requests} requests, {result.reviews} reviews, "
        f"{result.officers} officers; {sum(report.applied.values())} entries of other offices applied.",
    )
    for warning in result.warnings:
        print(f"id-console: warning: {warning}", file=sys.stderr)
    for error in report.errors:
        print(f"id-console: log {error['log']}, file {error['file']}: {error['message']}", file=sys.stderr)
    return 0
