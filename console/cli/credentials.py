"""`issue`, `trust export`, `verify`, `revoke|suspend|reinstate`, `requests`, `approve`, `reject`."""

from __future__ import annotations

import argparse
import base64
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
from console.cli.safety import whole_number
from console.core import (
    claim169,
    foreigntrust,
    issuance,
    ledgerapply,
    publish,
    requests,
    scanning,
    statuslist,
    truth,
)
from console.core.atomic import read_bounded
from console.core.credentials import Verdict
from console.core.errors import ConsoleError, StorageError
from console.core.office import Office
from console.core.trust import MAX_TRUST_FILE_BYTES, TrustListError, from_jwks_json, to_jwks

#: Exit status of `verify` when the signature and dates are valid but revocation status was not checked
#: (no office database knows the card and no status list was given): not 0, so scripts cannot mistake it.
EXIT_STATUS_NOT_CHECKED = 3
#: The largest QR text file / standard input / decryption key file `verify` reads.
MAX_QR_INPUT_BYTES = 64 * 1024
MAX_KEY_FILE_BYTES = 4096


def register(sub: Any) -> None:
    p = sub.add_parser("issue", help="sign a credential for a registered person (supersedes earlier ones)")
    add_as(p)
    p.add_argument("id_number", metavar="ID_NUMBER")
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

    p = sub.add_parser("verify", help="check a card's QR: text, picture or PDF (no login needed)")
    p.add_argument("text", nargs="?", metavar="TEXT", help="the QR text itself ('-' reads standard input)")
    p.add_argument("--file", metavar="FILE", help="a file holding the QR text")
    p.add_argument("--image", metavar="FILE")
    p.add_argument("--pdf", metavar="FILE")
    p.add_argument("--trust", metavar="FILE", help="a JWKS from `trust export` (default: this office's keys)")
    p.add_argument("--issuer", metavar="URL", help="the iss the --trust keys speak for, when the file does not say")
    p.add_argument("--status-list", metavar="FILE_OR_URL", help="the issuer's status list token ({iss}/status/1.cwt)")
    p.add_argument("--decrypt-key", metavar="FILE", help="the AES key of an encrypted credential (raw, hex or JWK)")
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


def _office_or_none(args: argparse.Namespace) -> Office | None:
    try:
        return Office(data_dir(args))
    except StorageError:
        return None


def _verdict_text(verdict: Verdict) -> str:
    lines = [verdict.status.upper(), f"  {verdict.reason}"]
    claims = verdict.claims
    if claims:
        for label, value in claim169.display_rows(claims):
            shown = value.replace("\n", " / ")
            lines.append(f"  {label + ':':<28} {shown}")
        if claims.get("photo"):
            lines.append(f"  {'Photo:':<28} {claims.get('photo_format') or 'image'} (shown in the desktop console)")
        lines.append(f"  issuer:  {verdict.issuer}   expires {verdict.expires}")
    if verdict.algorithm:
        kid = f"kid {verdict.kid} in the {verdict.kid_location} header" if verdict.kid_location != "none" else "no kid"
        encrypted = f", encrypted ({verdict.encrypted})" if verdict.encrypted else ", not encrypted"
        lines.append(f"  signature: {verdict.algorithm}, {kid}{encrypted}; {verdict.envelope}")
    if verdict.status_list:
        info = verdict.status_list
        lines.append(f"  status list: {info['uri']} issued {info['iat']}, expires {info['exp']}, ttl {info['ttl']} s")
    lines.append(f"  status checked: {'yes, as of ' + str(verdict.status_as_of) if verdict.status_checked else 'no'}")
    return "\n".join(lines)


def _decrypt_key(path_text: str) -> bytes:
    """An AES key file: 16/32 raw bytes, hex text, or a JWK {"kty": "oct", "k": base64url}."""
    data = _read_input(path_text, MAX_KEY_FILE_BYTES, "decryption key")
    if len(data) in (16, 32):
        return data
    text = data.decode("utf-8", "replace").strip()
    try:
        if text.startswith("{"):
            jwk = json.loads(text)
            k = jwk.get("k") if isinstance(jwk, dict) and jwk.get("kty") == "oct" else None
            if isinstance(k, str):
                key = base64.urlsafe_b64decode(k + "=" * (-len(k) % 4))
                if len(key) in (16, 32):
                    return key
        else:
            key = bytes.fromhex(text)
            if len(key) in (16, 32):
                return key
    except (ValueError, RecursionError):
        pass
    raise UsageError(
        f'{path_text} is not an AES-128/256 key: give 16 or 32 raw bytes, their hex, or a JWK with kty "oct".'
    )


def _status_list(source: str) -> bytes:
    """A status list token from a file or an http(s) URL, bounded."""
    if source.startswith(("https://", "http://")):
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(source, timeout=15) as response:
                data: bytes = response.read(statuslist.MAX_TOKEN_BYTES + 1)
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise UsageError(f"Cannot fetch the status list {source}: {e}.") from e
        if len(data) > statuslist.MAX_TOKEN_BYTES:
            raise UsageError(f"The status list at {source} is larger than any status list; not used.")
        return data
    return _read_input(source, statuslist.MAX_TOKEN_BYTES, "status list")


def cmd_verify(args: argparse.Namespace) -> int:
    sources = [s for s in (args.text, args.file, args.image, args.pdf) if s]
    if len(sources) != 1:
        raise UsageError("Give exactly one of TEXT (or - for standard input), --file FILE, --image FILE or --pdf FILE.")
    office = _office_or_none(args)
    if args.trust:
        data = _read_input(args.trust, MAX_TRUST_FILE_BYTES, "trust list")
        try:
            trust = from_jwks_json(data, issuer=args.issuer)
        except TrustListError as e:
            raise UsageError(f"The trust file {args.trust} cannot be used: {e}") from e
    elif office is not None:
        trust = foreigntrust.verifier_trust_list(office)
    else:
        raise UsageError(f"No office in {data_dir(args)} to take keys from: give --trust FILE (from `trust export`).")
    status_list = _status_list(args.status_list) if args.status_list else None
    decrypt_key = _decrypt_key(args.decrypt_key) if args.decrypt_key else None
    try:
        texts = _texts(args)
    except scanning.ScanError as e:
        verdict = Verdict(valid=False, status="malformed", reason=str(e), layer="text")
        emit(args, verdict.to_json(), _verdict_text(verdict))
        return 1
    verdicts = [
        issuance.verify(t, trust=trust, office=office, status_list=status_list, decrypt_key=decrypt_key) for t in texts
    ]
    verdict = verdicts[0]
    emit(
        args,
        verdict.to_json() if len(verdicts) == 1 else [v.to_json() for v in verdicts],
        "\n".join(_verdict_text(v) for v in verdicts),
    )
    if not all(v.valid for v in verdicts):
        return 1
    return 0 if all(v.status_checked for v in verdicts) else EXIT_STATUS_NOT_CHECKED


def _texts(args: argparse.Namespace) -> list[str]:
    """The QR text(s) to verify. TEXT is always the QR text itself, never a file name (--file for that)."""
    if args.text == "-":
        data = sys.stdin.buffer.read(MAX_QR_INPUT_BYTES + 1)
        if len(data) > MAX_QR_INPUT_BYTES:
            raise UsageError("Standard input is far longer than a QR text; give the text of one card.")
        return [data.decode("utf-8", "replace").strip()]
    if args.text:
        if args.text.lower().endswith((".png", ".jpg", ".jpeg", ".pdf", ".txt")):
            # lower-case letters are not Base45: this names a file; say how to give it, without touching disk
            raise UsageError(
                f"{args.text} looks like a file name: use --image, --pdf or --file FILE to verify a card from it."
            )
        return [args.text]
    if args.file:
        data = _read_input(args.file, MAX_QR_INPUT_BYTES, "QR text")
        return [data.decode("utf-8", "replace").strip()]
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
