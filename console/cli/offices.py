"""`office add`, `office list`, and `init --join`: more offices of one authority (docs/ledger.md, "Enrolling")."""

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
    table,
    write_output,
)
from console.core.enrolment import Enrolment, enrol_office, join_office, list_offices
from console.core.keystore import seal, unseal

ENROL_ENV = "ID_CONSOLE_ENROL_PASSPHRASE"


def register(sub: Any) -> None:
    office = sub.add_parser("office", help="offices of the authority").add_subparsers(
        dest="office_command", required=True
    )
    p = office.add_parser("add", help="enrol a new office: writes an encrypted enrolment file (administrators)")
    add_as(p)
    p.add_argument("--code", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--region", help="cn-18: the new office's GB/T 2260 county code")
    p.add_argument("--out", required=True, metavar="FILE")
    add_json(p)
    p.set_defaults(handler=cmd_office_add)
    p = office.add_parser("list", help="every office this office knows")
    add_json(p)
    p.set_defaults(handler=cmd_office_list)


def _passphrase(confirm: bool) -> str:
    value = os.environ.get(ENROL_ENV)
    if value is None:
        value = read_password(ENROL_ENV, "Enrolment passphrase: ", who="the enrolment file", confirm=confirm)
    if len(value) < 12:
        raise UsageError(f"The enrolment passphrase must have at least 12 characters (from {ENROL_ENV} or the prompt).")
    return value


def cmd_office_add(args: argparse.Namespace) -> int:
    office = open_office(args)
    passphrase = _passphrase(confirm=True)
    session = session_for(args, office)
    enrolment = enrol_office(session, args.code, args.name, args.region)
    path = write_output(
        args, args.out, seal(enrolment.to_bytes(), passphrase, kdf_limits()), magic=b"{", kind="enrolment file"
    )
    emit(
        args,
        {"office": enrolment.code, "slot": enrolment.slot, "out": str(path)},
        f"Office {enrolment.code} enrolled in slot {enrolment.slot}; give {path} and its passphrase to its administrator.",
    )
    return 0


def cmd_office_list(args: argparse.Namespace) -> int:
    rows = list_offices(open_office(args))
    emit(args, rows, lambda: table(rows, ["code", "name", "slot", "region", "local", "keys"]))
    return 0


def cmd_init_join(args: argparse.Namespace) -> int:
    """`init --join FILE --admin USER`: set up an enrolled office in the data directory."""
    folder = data_dir(args)
    if (folder / "office.db").exists():
        raise UsageError(f"An office is already set up in {folder}; choose another --data-dir.")
    try:
        sealed = Path(args.join).expanduser().read_bytes()
    except OSError as e:
        raise UsageError(f"Cannot read the enrolment file {args.join}: {e.strerror}.") from None
    enrolment = Enrolment.from_bytes(unseal(sealed, _passphrase(confirm=False), args.join))
    password = read_password("ID_CONSOLE_PASSWORD", f"New password for {args.admin}: ", who=args.admin, confirm=True)
    join_office(folder, enrolment, args.admin, password, kdf=kdf_limits())
    emit(
        args,
        {"data_dir": str(folder), "office": enrolment.code, "slot": enrolment.slot, "admin": args.admin},
        f"Office {enrolment.code} (slot {enrolment.slot}) set up in {folder}; administrator {args.admin} can log in.",
    )
    print("Next: `id-console ledger configure` and `ledger sync` to meet the other offices.", file=sys.stderr)
    return 0
