"""`issue`, `trust export`, `verify`, `revoke|suspend|reinstate`, `requests`, `approve`, `reject`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from console.cli.common import (
    UsageError,
    add_as,
    add_json,
    emit,
    open_office,
    session_for,
    table,
    write_output,
)
from console.cli.safety import whole_number
from console.core import (
    foreigntrust,
    issuance,
    ledgerapply,
    publish,
    requests,
    truth,
)
from console.core.atomic import read_bounded
from console.core.errors import ConsoleError
from console.core.trust import MAX_TRUST_FILE_BYTES, to_jwks


def register(sub: Any) -> None:
    p = sub.add_parser("issue", help="sign a credential for a registered person (supersedes earlier ones)")
    add_as(p)
    p.add_argument("id_number", metavar="ID_NUMBER", nargs="?")
    p.add_argument(
        "--batch", metavar="FILE", help="ID numbers, one per line: one JSON line per credential issued, in order"
    )
    p.add_argument("--valid-years", type=whole_number, default=10)
    add_json(p)
    p.set_defaults(handler=cmd_issue)

    trust = sub.add_parser("trust", help="the authority's office keys").add_subparsers(
        dest="trust_command", required=True
    )
    p = trust.add_parser("export", help="write the office keys as a JWKS (RFC 8037), no login needed")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--out", metavar="FILE", help="default: standard output")
    where.add_argument(
        "--site", metavar="DIR", help="write the files the authority publishes on https://{domain}/ (CONTRACTS.md)"
    )
    add_json(p)
    p.set_defaults(handler=cmd_trust_export)
    p = trust.add_parser("import", help="add another authority's keys (a JWKS) to this office's verifier (admins)")
    add_as(p)
    p.add_argument("file", metavar="FILE", help="the other authority's JWKS")
    p.add_argument("--issuer", metavar="URL", help="the iss the keys speak for, when the file does not say")
    add_json(p)
    p.set_defaults(handler=cmd_trust_import)

    for action, verb in (("revoke", "revocation"), ("suspend", "suspension"), ("reinstate", "reinstatement")):
        p = sub.add_parser(action, help=f"request {verb} of a credential (a supervisor approves)")
        add_as(p)
        p.add_argument("target", metavar="TARGET", help="ID number or credential id")
        p.add_argument("--reason", required=True)
        add_json(p)
        p.set_defaults(handler=cmd_request, action=action)

    p = sub.add_parser("requests", help="list revocation/suspension/reinstatement requests")
    add_as(p)
    p.add_argument("--status", choices=["pending", "approved", "rejected"])
    add_json(p)
    p.set_defaults(handler=cmd_requests)
    p = sub.add_parser("approve", help="approve a request (supervisors; not your own)")
    add_as(p)
    p.add_argument("request_id", type=whole_number, metavar="REQUEST_ID")
    p.add_argument("--note", default="")
    add_json(p)
    p.set_defaults(handler=cmd_approve)
    p = sub.add_parser("reject", help="reject a request with a note (supervisors; not your own)")
    add_as(p)
    p.add_argument("request_id", type=whole_number, metavar="REQUEST_ID")
    p.add_argument("--note", required=True)
    add_json(p)
    p.set_defaults(handler=cmd_reject)


def cmd_issue(args: argparse.Namespace) -> int:
    if (args.id_number is None) == (args.batch is None):
        raise UsageError("Give exactly one of ID_NUMBER or --batch FILE (ID numbers, one per line).")
    if args.batch:
        return _issue_batch(args)
    issued = issuance.issue(session_for(args), args.id_number, valid_years=args.valid_years)
    emit(
        args,
        issued.to_json(),
        lambda: f"credential {issued.credential_id} for {issued.id_number}, expires {issued.expires}\n{issued.qr}",
    )
    return 0


#: `issue --batch`: the largest file read (about three million ID numbers), the longest line, and how many
#: credentials each transaction (and progress line) covers.
MAX_BATCH_FILE_BYTES = 64 * 1024 * 1024
MAX_ID_LINE = 40
ISSUE_CHUNK = 1000


def _batch_numbers(source: str) -> list[tuple[int, str]]:
    """(line number, ID number) for each non-blank line of FILE, checked before the password is asked for."""
    data = _read_input(source, MAX_BATCH_FILE_BYTES, "ID number list")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise UsageError(f"Line {line} of {source} is not UTF-8 text; give ID numbers, one per line.") from None
    numbers: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(text.splitlines(), start=1):
        number = raw.strip().replace(" ", "").upper()
        if not number:
            continue
        if len(number) > MAX_ID_LINE or not number.isascii() or not number.replace("-", "").isalnum():
            raise UsageError(
                f"Line {line} of {source} is not an ID number ({raw.strip()[:MAX_ID_LINE]!r}); give one per line."
            )
        if number in seen:
            raise UsageError(
                f"ID number {number} is on lines {seen[number]} and {line} of {source}; each person gets one "
                "credential per batch, remove one."
            )
        seen[number] = line
        numbers.append((line, number))
    if not numbers:
        raise UsageError(f"{source} holds no ID numbers; give one per line.")
    return numbers


def _issue_batch(args: argparse.Namespace) -> int:
    """`issue --batch FILE`: one JSON line per credential issued, in the file's order; each chunk is committed
    (and printed) before the next, so what was printed is exactly what was issued if one stops the batch."""
    numbers = _batch_numbers(args.batch)
    session = session_for(args)
    out = sys.stdout
    done = 0
    for start in range(0, len(numbers), ISSUE_CHUNK):
        part = numbers[start : start + ISSUE_CHUNK]
        try:
            issued = issuance.issue_batch(
                session, [number for _line, number in part], valid_years=args.valid_years, chunk=ISSUE_CHUNK
            )
        except ConsoleError as e:
            out.flush()
            print(
                f"Stopped in lines {part[0][0]}-{part[-1][0]} of {args.batch}: {e} The {done:,} credentials "
                "printed before this are issued; none after them.",
                file=sys.stderr,
            )
            return e.exit_code
        for credential in issued:
            out.write(json.dumps(credential.to_json(), ensure_ascii=False) + "\n")
        out.flush()
        done += len(issued)
        print(f"issued {done:,} of {len(numbers):,}", file=sys.stderr, flush=True)
    return 0


def cmd_trust_export(args: argparse.Namespace) -> int:
    office = open_office(args)
    for problem in truth.office_keys(office)[1]:  # issue 12: uncertified rows are left out, and said so
        print(f"warning: {problem}", file=sys.stderr)
    if args.site:
        folder = Path(args.site).expanduser()
        files, offices, keys, lists = publish.write_trust_files(office, folder)
        result = {"site": str(folder), "files": files, "offices": offices, "keys": keys, "status_lists": lists}
        emit(args, result, f"Wrote {len(files)} file(s) to {folder}: {keys} key(s), {lists} status list(s).")
        return 0
    jwks = to_jwks(issuance.trust_list(office))
    jwks["ledger_logs"] = ledgerapply.checkpoint_keys(office.db.conn)  # ledger issue: every log's origin and key
    text = json.dumps(jwks, indent=2) + "\n"
    if args.out:
        write_output(args, args.out, text.encode(), magic=b"{", kind="JWKS (JSON) file")
        print(f"Wrote {len(issuance.trust_list(office))} key(s) to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _read_input(path_text: str, limit: int, what: str) -> bytes:
    """A file the person named, bounded; unreadable or too large is a usage error (exit 2)."""
    path = Path(path_text).expanduser()
    try:
        return read_bounded(path, limit, what)
    except ConsoleError as e:
        raise UsageError(str(e)) from e


def cmd_trust_import(args: argparse.Namespace) -> int:
    session = session_for(args)
    data = _read_input(args.file, MAX_TRUST_FILE_BYTES, "trust list")
    result = foreigntrust.import_keys(session, data, issuer=args.issuer, source=args.file)
    emit(
        args,
        result,
        f"Imported {result['imported']} key(s) for {', '.join(result['issuers'])}"
        + (f" ({result['already_known']} already trusted)" if result["already_known"] else "")
        + ". They verify cards; they never sign.",
    )
    return 0


def cmd_request(args: argparse.Namespace) -> int:
    result = requests.create_request(session_for(args), args.action, args.target, args.reason)
    emit(
        args,
        result,
        f"Request {result['request_id']} ({args.action} {result['credential_id']}) waits for a supervisor.",
    )
    return 0


def cmd_requests(args: argparse.Namespace) -> int:
    rows = requests.list_requests(session_for(args), status=args.status)
    emit(
        args,
        rows,
        lambda: table(rows, ["request_id", "action", "id_number", "status", "requested_by", "decided_by", "reason"]),
    )
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    result = requests.approve(session_for(args), args.request_id, args.note)
    emit(
        args,
        result,
        f"Approved request {args.request_id}: credential {result['credential_id']} is {result['credential_status']}.",
    )
    return 0


def cmd_reject(args: argparse.Namespace) -> int:
    result = requests.reject(session_for(args), args.request_id, args.note)
    emit(args, result, f"Rejected request {args.request_id}.")
    return 0
