"""`register`, `search`, `show`, `validate-id`, `review …`: the registry."""

from __future__ import annotations

import argparse
import csv
import io
import sys
import threading
from pathlib import Path
from typing import Any

from console.cli.common import UsageError, add_as, add_json, data_dir, emit, session_for, table
from console.core import registry
from console.core.atomic import read_bounded
from console.core.errors import ConsoleError, StorageError
from console.core.office import Office


def register(sub: Any) -> None:
    p = sub.add_parser("register", help="register a citizen and print the new ID number")
    add_as(p)
    p.add_argument("--family-name", required=True)
    p.add_argument("--given-name", required=True)
    p.add_argument("--birth-date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--sex", required=True, choices=["F", "M", "X"], type=str.upper)
    p.add_argument("--birthplace", required=True, metavar="REGION", help="region code of the scheme's table")
    p.add_argument("--photo", metavar="FILE", help="JPEG or PNG, at most 512 KB")
    p.add_argument(
        "--latin-family-name",
        metavar="NAME",
        help="the family name in the letters A-Z, replacing the automatic ICAO 9303 transliteration",
    )
    p.add_argument(
        "--latin-given-name",
        metavar="NAME",
        help="the given names in the letters A-Z, replacing the automatic ICAO 9303 transliteration",
    )
    add_json(p)
    p.set_defaults(handler=cmd_register)

    p = sub.add_parser("search", help="find citizens by ID number, name prefix or birth date")
    add_as(p)
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=50)
    add_json(p)
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("show", help="show one citizen")
    add_as(p)
    p.add_argument("id_number", metavar="ID_NUMBER")
    add_json(p)
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("validate-id", help="check an ID number against the coding rules (no login)")
    p.add_argument("number", metavar="NUMBER")
    p.add_argument(
        "--scheme", choices=["cn-18", "ee-11", "uin-10"], help="default: the scheme of the office in the data directory"
    )
    add_json(p)
    p.set_defaults(handler=cmd_validate_id)

    review = sub.add_parser("review", help="possible duplicates held for a supervisor").add_subparsers(
        dest="review_command", required=True
    )
    p = review.add_parser("list", help="registrations waiting for review")
    add_as(p)
    add_json(p)
    p.set_defaults(handler=cmd_review_list)
    p = review.add_parser("accept", help="not a duplicate: allocate the number and register")
    add_as(p)
    p.add_argument("review_id", type=int, metavar="REVIEW_ID")
    p.add_argument("--note", default="")
    add_json(p)
    p.set_defaults(handler=cmd_review_accept)
    p = review.add_parser("reject", help="a duplicate: discard the held registration")
    add_as(p)
    p.add_argument("review_id", type=int, metavar="REVIEW_ID")
    p.add_argument("--note", required=True)
    add_json(p)
    p.set_defaults(handler=cmd_review_reject)


def _read_photo(path: str | None) -> bytes | None:
    if not path:
        return None
    return read_bounded(Path(path), registry.MAX_PHOTO_BYTES, "photo")


def cmd_register(args: argparse.Namespace) -> int:
    session = session_for(args)
    result = registry.register(
        session,
        registry.PersonInput(
            args.family_name,
            args.given_name,
            args.birth_date,
            args.sex,
            args.birthplace,
            _read_photo(args.photo),
            latin_family_name=args.latin_family_name,
            latin_given_name=args.latin_given_name,
        ),
    )
    if result["status"] == "registered":
        emit(args, result, result["id_number"])
    else:
        dups = ", ".join(
            ("ID " if c["kind"] == "registered" else "held registration ")
            + f"{c['ref']} ({c['latin_family']} {c['latin_given']}, {c['birth_date']})"
            for c in result["possible_duplicates"]
        )
        emit(
            args,
            result,
            f"Held for review {result['review_id']}: possible duplicate of {dups}. "
            "A supervisor must accept or reject it.",
        )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    rows = registry.search(session_for(args), args.query, limit=args.limit)
    emit(
        args,
        rows,
        lambda: table(
            rows, ["id_number", "family_name", "given_name", "latin_family", "latin_given", "birth_date", "sex"]
        ),
    )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    row = registry.show(session_for(args), args.id_number)
    emit(args, row, lambda: "\n".join(f"{k:14s} {v}" for k, v in row.items()))
    return 0


def cmd_validate_id(args: argparse.Namespace) -> int:
    scheme = args.scheme
    if scheme is None:
        try:
            scheme = Office(data_dir(args)).authority()["scheme"]
        except StorageError as e:
            raise UsageError(f"Give --scheme (no office to take it from: {e})") from None
    try:
        info = registry.validate_number(scheme, args.number)
    except ConsoleError as e:
        emit(args, {"valid": False, "scheme": scheme, "number": args.number, "reason": str(e)}, f"invalid: {e}")
        return 1
    data = {
        "valid": True,
        "scheme": scheme,
        "number": info.number,
        "reason": "",
        "birth_date": info.birth_date.isoformat() if info.birth_date else None,
        "sex": info.sex,
        "region": info.region,
    }
    emit(args, data, f"valid {scheme} number {info.number}")
    return 0


def cmd_review_list(args: argparse.Namespace) -> int:
    rows = registry.list_reviews(session_for(args))
    for row in rows:
        row["possible_duplicates"] = ", ".join(c["ref"] for c in row["candidates"])
    emit(
        args,
        rows,
        lambda: table(
            rows, ["id", "latin_family", "latin_given", "birth_date", "sex", "requested_by", "possible_duplicates"]
        ),
    )
    return 0


def cmd_review_accept(args: argparse.Namespace) -> int:
    result = registry.accept_review(session_for(args), args.review_id, args.note)
    emit(args, result, f"Accepted review {args.review_id}: registered {result['id_number']}.")
    return 0


def cmd_review_reject(args: argparse.Namespace) -> int:
    result = registry.reject_review(session_for(args), args.review_id, args.note)
    emit(args, result, f"Rejected review {args.review_id}.")
    return 0


def register_import(sub: Any) -> None:
    p = sub.add_parser("import", help="register many citizens from a CSV file (batch; Ctrl-C stops between chunks)")
    add_as(p)
    p.add_argument(
        "file",
        metavar="FILE.csv",
        help="UTF-8 CSV with a header: family_name, given_name, birth_date, sex, birthplace "
        "(optional columns: latin_family_name, latin_given_name)",
    )
    add_json(p)
    p.set_defaults(handler=cmd_import)


IMPORT_COLUMNS = ("family_name", "given_name", "birth_date", "sex", "birthplace")
MAX_IMPORT_BYTES = 200 * 1024 * 1024


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    text = read_bounded(path, MAX_IMPORT_BYTES, "CSV").decode("utf-8-sig", errors="strict")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise UsageError(
            f"{path} lacks the column(s) {', '.join(missing)}; the header must name {', '.join(IMPORT_COLUMNS)}."
        )
    rows = registry.iter_people(reader)
    session = session_for(args)
    cancel = threading.Event()
    interactive = sys.stderr.isatty() and not args.json

    def progress(done: int, total: int) -> None:
        if interactive:
            print(f"\r{done:,} of {total:,} rows", end="", file=sys.stderr, flush=True)

    try:
        result = registry.register_batch(session, rows, progress=progress, cancel=cancel)
    except KeyboardInterrupt:
        cancel.set()
        raise
    finally:
        if interactive:
            print(file=sys.stderr)
    errors = [{"row": index + 2, "field": field, "error": message} for index, field, message in result.errors]
    data = {"registered": result.registered, "held_for_review": result.held, "errors": errors}
    emit(
        args,
        data,
        lambda: (
            f"Registered {len(result.registered):,}, held {len(result.held):,} for review, "
            f"{len(errors):,} rows refused" + "".join(f"\n  line {e['row']}: {e['error']}" for e in errors[:50])
        ),
    )
    return 0 if not errors else 1
