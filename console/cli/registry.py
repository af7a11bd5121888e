"""`register`, `search`, `show`, `validate-id`, `review …`: the registry."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from console.cli.common import add_as, add_json, emit, raw_stderr, session_for, table
from console.cli.safety import one_line, whole_number
from console.core import csvinput, registry
from console.core.atomic import read_bounded
from console.core.errors import ConsoleError, StorageError
from console.core.store import DatabaseError

#: What ends an import with the numbers saved (the disk or the database, not a bug).
_STOPS: tuple[type[Exception], ...] = (ConsoleError, OSError, *DatabaseError)


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
    p.add_argument("--limit", type=whole_number, default=50)
    add_json(p)
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("show", help="show one citizen")
    add_as(p)
    p.add_argument("id_number", metavar="ID_NUMBER")
    add_json(p)
    p.set_defaults(handler=cmd_show)

    review = sub.add_parser("review", help="possible duplicates held for a supervisor").add_subparsers(
        dest="review_command", required=True
    )
    p = review.add_parser("list", help="registrations waiting for review")
    add_as(p)
    add_json(p)
    p.set_defaults(handler=cmd_review_list)
    p = review.add_parser("accept", help="not a duplicate: allocate the number and register")
    add_as(p)
    p.add_argument("review_id", type=whole_number, metavar="REVIEW_ID")
    p.add_argument("--note", default="")
    add_json(p)
    p.set_defaults(handler=cmd_review_accept)
    p = review.add_parser("reject", help="a duplicate: discard the held registration")
    add_as(p)
    p.add_argument("review_id", type=whole_number, metavar="REVIEW_ID")
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
            + f"{c['ref']} ({one_line(c['latin_family'])} {one_line(c['latin_given'])}, {c['birth_date']}: "
            + f"{c.get('reason') or 'similar name'})"
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
#: Refused rows reported one by one; beyond this only their number is (a file of nothing but bad rows must
#: not fill the memory with messages).
MAX_REPORTED_ERRORS = 1000


class ImportStopped(ConsoleError):
    """An import that ended before the end of the file; the sentence says exactly what was saved."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class _Tally:
    """What an import has committed so far, kept compactly (a 200 MB file may register millions)."""

    def __init__(self) -> None:
        self.registered_parts: list[str] = []  # each part: one transaction's numbers joined by newlines
        self.registered = 0
        self.held: list[int] = []
        self.errors: list[dict[str, Any]] = []
        self.errors_total = 0
        self.resume_at: int | None = 2  # the first line not yet handled
        self.last_read: int | None = None

    def add(self, part: registry.ChunkResult) -> None:
        if part.registered:
            self.registered_parts.append("\n".join(part.registered))
            self.registered += len(part.registered)
        self.held += part.held
        for line, field, message in part.errors:
            self.errors_total += 1
            if len(self.errors) < MAX_REPORTED_ERRORS:
                self.errors.append({"row": line, "field": field, "error": message})
        self.resume_at, self.last_read = part.resume_at, part.last_read

    def numbers(self) -> list[str]:
        return [n for part in self.registered_parts for n in part.split("\n")]

    def saved(self) -> str:
        """One sentence: what is committed and where the rest starts."""
        where = (
            f"nothing from line {self.resume_at:,} on was saved; import the rest from line {self.resume_at:,}"
            if self.resume_at is not None
            else f"every line up to {self.last_read:,} was handled; import the rest from the line after it"
        )
        return (
            f"Saved before that: {self.registered:,} registered and {len(self.held):,} held for review "
            f"({self.errors_total:,} rows refused); {where}."
        )


def _on_signal(cancel: threading.Event) -> Any:
    """Ctrl-C and kill (SIGTERM) ask the import to stop between transactions, so that what was saved is known
    exactly; a second Ctrl-C stops at once."""

    def handler(signum: int, frame: Any) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()

    return handler


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    # Size, encoding, header and every line's shape are checked before the password is asked for, reading the
    # file as a stream: nothing is stored from a file that cannot be read to its end.
    with csvinput.open_bounded(path, MAX_IMPORT_BYTES) as f:
        summary = csvinput.scan(f, path, IMPORT_COLUMNS)
        session = session_for(args)
        cancel = threading.Event()
        interactive = sys.stderr.isatty() and not args.json
        tally = _Tally()
        people = (
            (
                line,
                registry.PersonInput(
                    row.get("family_name") or "",
                    row.get("given_name") or "",
                    row.get("birth_date") or "",
                    row.get("sex") or "",
                    row.get("birthplace") or "",
                    latin_family_name=row.get("latin_family_name") or None,  # optional columns: typed Latin forms
                    latin_given_name=row.get("latin_given_name") or None,
                ),
            )
            for line, row in csvinput.rows(f, path, summary.fieldnames)
        )
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, signal.SIGTERM):
                previous[number] = signal.signal(number, _on_signal(cancel))
        try:
            for part in registry.register_stream(session, people, cancel=cancel):
                tally.add(part)
                if interactive:
                    print(f"\r{part.handled:,} of {summary.rows:,} rows", end="", file=raw_stderr(), flush=True)
        except _STOPS as e:
            reason = str(e.__cause__) if isinstance(e, StorageError) and e.__cause__ is not None else str(e)
            code = e.exit_code if isinstance(e, ConsoleError) else StorageError.exit_code
            raise ImportStopped(f"The import stopped: {reason.rstrip('.')}. {tally.saved()}", code) from e
        except KeyboardInterrupt:
            raise ImportStopped(
                f"The import was interrupted at once; the transaction under way was not saved. {tally.saved()}", 130
            ) from None
        finally:
            for number, old in previous.items():
                signal.signal(number, old)
            if interactive:
                print(file=raw_stderr())
    if cancel.is_set():
        raise ImportStopped(f"The import was interrupted. {tally.saved()}", 130)
    data: dict[str, Any] = {"registered": tally.numbers(), "held_for_review": tally.held, "errors": tally.errors}
    if tally.errors_total > len(tally.errors):
        data["errors_not_shown"] = tally.errors_total - len(tally.errors)
    emit(
        args,
        data,
        lambda: (
            f"Registered {tally.registered:,}, held {len(tally.held):,} for review, "
            f"{tally.errors_total:,} rows refused"
            + "".join(f"\n  line {e['row']}: {one_line(e['error'])}" for e in tally.errors[:50])
        ),
    )
    return 0 if not tally.errors_total else 1
