"""`db encrypt`, `db status`, `db delete-backup`: the office's personal data at rest (issue 17, docs/security.md)."""

from __future__ import annotations

import argparse
from typing import Any

from console.cli.common import add_as, add_json, emit, open_office, session_for
from console.core import atrest


def register(sub: Any) -> None:
    group = sub.add_parser("db", help="the office database: encryption of the personal data at rest")
    commands = group.add_subparsers(dest="db_command", required=True)
    p = commands.add_parser(
        "encrypt", help="move the registry of an office kept in the clear into the encrypted personal.db"
    )
    add_as(p)
    add_json(p)
    p.set_defaults(handler=cmd_encrypt)
    p = commands.add_parser("status", help="whether the registry is encrypted, and whether a backup waits")
    add_json(p)
    p.set_defaults(handler=cmd_status)
    p = commands.add_parser("delete-backup", help="delete the backup `db encrypt` left (after checking the office)")
    add_as(p)
    add_json(p)
    p.set_defaults(handler=cmd_delete_backup)


def cmd_encrypt(args: argparse.Namespace) -> int:
    office = open_office(args)
    session = session_for(args, office)
    result = atrest.encrypt_office(session)
    moved = ", ".join(f"{n:,} {table}" for table, n in result["moved"].items())
    emit(
        args,
        result,
        f"The registry is encrypted in {result['personal']} (moved {moved}).\n"
        f"An encrypted backup of the old office.db is at {result['backup']}: check the office, then delete it "
        "with `id-console db delete-backup --as ADMIN`.",
    )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    office = open_office(args)
    backup = atrest.backup_path(office.paths.data_dir)
    data = {"encrypted": office.encrypted, "backup": str(backup) if backup.exists() else None}
    text = "The registry is encrypted (personal.db)." if data["encrypted"] else "The registry is kept in the clear."
    if data["backup"]:
        text += f"\nA backup waits for deletion: {backup}"
    emit(args, data, text)
    return 0


def cmd_delete_backup(args: argparse.Namespace) -> int:
    office = open_office(args)
    session = session_for(args, office)
    deleted = atrest.delete_backup(session)
    emit(args, {"deleted": str(deleted) if deleted else None}, f"Deleted {deleted}." if deleted else "No backup.")
    return 0
