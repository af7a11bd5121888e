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
    data_dir,
    emit,
    open_office,
    session_for,
    table,
    write_output,
)
from console.core import issuance, requests, scanning, truth
from console.core.atomic import read_bounded
from console.core.credentials import Verdict
from console.core.errors import ConsoleError, StorageError
from console.core.office import Office
from console.core.trust import from_jwks_json, to_jwks


def register(sub: Any) -> None:
    p = sub.add_parser("issue", help="sign a credential for a registered person (supersedes earlier ones)")
    add_as(p)
    p.add_argument("id_number", metavar="ID_NUMBER")
    p.add_argument("--valid-years", type=int, default=10)
    add_json(p)
    p.set_defaults(handler=cmd_issue)

    trust = sub.add_parser("trust", help="the authority's office keys").add_subparsers(
        dest="trust_command", required=True
    )
    p = trust.add_parser("export", help="write the office keys as a JWKS (RFC 8037), no login needed")
    p.add_argument("--out", metavar="FILE", help="default: standard output")
    p.set_defaults(handler=cmd_trust_export)

    p = sub.add_parser("verify", help="check a card's QR: text, picture or PDF (no login needed)")
    p.add_argument("text", nargs="?", metavar="TEXT", help="the QR text ('-' reads standard input)")
    p.add_argument("--image", metavar="FILE")
    p.add_argument("--pdf", metavar="FILE")
    p.add_argument("--trust", metavar="FILE", help="a JWKS from `trust export` (default: this office's keys)")
    add_json(p)
    p.set_defaults(handler=cmd_verify)

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
    p.add_argument("request_id", type=int, metavar="REQUEST_ID")
    p.add_argument("--note", default="")
    add_json(p)
    p.set_defaults(handler=cmd_approve)
    p = sub.add_parser("reject", help="reject a request with a note (supervisors; not your own)")
    add_as(p)
    p.add_argument("request_id", type=int, metavar="REQUEST_ID")
    p.add_argument("--note", required=True)
    add_json(p)
    p.set_defaults(handler=cmd_reject)


def cmd_issue(args: argparse.Namespace) -> int:
    issued = issuance.issue(session_for(args), args.id_number, valid_years=args.valid_years)
    emit(
        args,
        issued.to_json(),
        lambda: f"credential {issued.credential_id} for {issued.id_number}, expires {issued.expires}\n{issued.qr}",
    )
    return 0


def cmd_trust_export(args: argparse.Namespace) -> int:
    office = open_office(args)
    for problem in truth.office_keys(office)[1]:  # issue 12: uncertified rows are left out, and said so
        print(f"warning: {problem}", file=sys.stderr)
    text = json.dumps(to_jwks(issuance.trust_list(office)), indent=2) + "\n"
    if args.out:
        write_output(args, args.out, text.encode(), magic=b"{", kind="JWKS (JSON) file")
        print(f"Wrote {len(issuance.trust_list(office))} key(s) to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _office_or_none(args: argparse.Namespace) -> Office | None:
    try:
        return Office(data_dir(args))
    except StorageError:
        return None


def _verdict_text(verdict: Verdict) -> str:
    lines = [verdict.status.upper(), f"  {verdict.reason}"]
    claims = verdict.claims
    if claims:
        lines.append(f"  holder:  {claims.get('full_name')} ({claims.get('secondary_full_name') or '-'})")
        lines.append(
            f"  number:  {claims.get('id_number')}   born {claims.get('birth_date')}   sex {claims.get('sex')}"
        )
        lines.append(f"  issuer:  {verdict.issuer}   expires {verdict.expires}")
    lines.append(f"  status checked: {'yes, as of ' + str(verdict.status_as_of) if verdict.status_checked else 'no'}")
    return "\n".join(lines)


def cmd_verify(args: argparse.Namespace) -> int:
    sources = [s for s in (args.text, args.image, args.pdf) if s]
    if len(sources) != 1:
        raise UsageError("Give exactly one of TEXT, --image FILE or --pdf FILE.")
    if (
        args.text
        and args.text != "-"
        and (Path(args.text).is_file() or args.text.lower().endswith((".png", ".jpg", ".jpeg", ".pdf")))
    ):
        raise UsageError(f"{args.text} looks like a file: use --image FILE or --pdf FILE to verify a card from it.")
    office = _office_or_none(args)
    if args.trust:
        try:
            trust = from_jwks_json(Path(args.trust).read_bytes())
        except OSError as e:
            raise UsageError(f"Cannot read the trust file {args.trust}: {e.strerror}.") from e
    elif office is not None:
        trust = issuance.trust_list(office)
    else:
        raise UsageError(f"No office in {data_dir(args)} to take keys from: give --trust FILE (from `trust export`).")
    try:
        texts = _texts(args)
    except scanning.ScanError as e:
        verdict = Verdict(valid=False, status="malformed", reason=str(e))
        emit(args, verdict.to_json(), _verdict_text(verdict))
        return 1
    verdicts = [issuance.verify(t, trust=trust, office=office) for t in texts]
    verdict = verdicts[0]
    emit(
        args,
        verdict.to_json() if len(verdicts) == 1 else [v.to_json() for v in verdicts],
        "\n".join(_verdict_text(v) for v in verdicts),
    )
    return 0 if all(v.valid for v in verdicts) else 1


def _texts(args: argparse.Namespace) -> list[str]:
    if args.text:
        if args.text != "-" and (
            Path(args.text).is_file() or args.text.lower().endswith((".png", ".jpg", ".jpeg", ".pdf"))
        ):
            raise UsageError(f"{args.text} looks like a file: use --image FILE or --pdf FILE to verify a card from it.")
        return [sys.stdin.read().strip() if args.text == "-" else args.text]
    path = Path(args.image or args.pdf)
    if not path.is_file() and not path.is_char_device():
        raise UsageError(f"{path} is not a file; give the picture or PDF of the card.")
    try:
        data = read_bounded(path, scanning.MAX_INPUT_BYTES, "picture or PDF")
    except ConsoleError as e:
        raise scanning.ScanError(str(e)) from e
    if args.image:
        return scanning.qr_texts_from_image(data, where=str(path))
    return scanning.qr_texts_from_pdf(data, where=str(path))


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
