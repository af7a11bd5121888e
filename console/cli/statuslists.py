"""`status-list export`: the office's signed status list tokens for offline verifiers (CONTRACTS.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from console.cli.common import UsageError, add_json, data_dir, emit, open_office, session_for
from console.core import issuance, statusservice


def register(sub: Any) -> None:
    group = sub.add_parser("status-list", help="the office's revocation status list (IETF Token Status List)")
    commands = group.add_subparsers(dest="status_list_command", required=True)
    p = commands.add_parser("export", help="write {office}/status/1.cwt under DIR (no login needed)")
    p.add_argument("--out", metavar="DIR", required=True, help="the folder (the site root of `trust export --site`)")
    p.add_argument(
        "--as", dest="as_user", metavar="USER", help="re-sign a fresh token first (an officer with the office key)"
    )
    add_json(p)
    p.set_defaults(handler=cmd_status_list_export)


def cmd_status_list_export(args: argparse.Namespace) -> int:
    office = open_office(args)
    folder = Path(args.out).expanduser()
    inside = data_dir(args).resolve()
    if folder.resolve() == inside or inside in folder.resolve().parents:
        raise UsageError(f"{folder} is inside the office's data directory {inside}; export elsewhere.")
    if args.as_user:
        session = session_for(args, office)
        statusservice.refresh(office, session.office_signing_key(), issuance.issuer_id(office))
    files = statusservice.export(office, folder)
    lists = statusservice.stored_lists(office)
    result = {
        "out": str(folder),
        "files": files,
        "lists": [
            {"office": item.office_code, "made_at": item.made_at, "size": item.size, "assigned": item.assigned}
            for item in lists
        ],
    }
    emit(args, result, "\n".join(f"Wrote {folder / f}" for f in files))
    return 0
