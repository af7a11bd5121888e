"""`verify` and `validate-id`: the checks anyone may run, no login. They start like a tool (issue 16): this module
imports only the standard library at load; each command imports the core modules it uses when it runs, and
`verify` never loads the PDF, QR-writing or ledger code (tests/test_cli_startup.py keeps it so)."""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from console.cli.common import UsageError, add_json, data_dir, emit
from console.core.errors import ConsoleError, StorageError

if TYPE_CHECKING:
    from console.core.credentials import Verdict
    from console.core.office import Office

#: Exit status of `verify` when the signature and dates are valid but revocation status was not checked
#: (no office database knows the card and no status list was given): not 0, so scripts cannot mistake it.
EXIT_STATUS_NOT_CHECKED = 3
#: The largest QR text file / standard input / decryption key file `verify` reads.
MAX_QR_INPUT_BYTES = 64 * 1024
MAX_KEY_FILE_BYTES = 4096


def register(sub: Any) -> None:
    p = sub.add_parser("verify", help="check a card's QR: text, picture or PDF (no login needed)")
    p.add_argument("text", nargs="?", metavar="TEXT", help="the QR text itself ('-' reads standard input)")
    p.add_argument("--file", metavar="FILE", help="a file holding the QR text")
    p.add_argument("--image", metavar="FILE")
    p.add_argument("--pdf", metavar="FILE")
    p.add_argument("--trust", metavar="FILE", help="a JWKS from `trust export` (default: this office's keys)")
    p.add_argument("--issuer", metavar="URL", help="the iss the --trust keys speak for, when the file does not say")
    p.add_argument("--status-list", metavar="FILE_OR_URL", help="the issuer's status list token ({iss}/status/1.cwt)")
    p.add_argument("--decrypt-key", metavar="FILE", help="the AES key of an encrypted credential (raw, hex or JWK)")
    p.add_argument(
        "--as",
        dest="as_user",
        metavar="USER",
        help="log in first: the office's encrypted registry is then checked too (a card signed outside the console "
        "reads UNRECORDED, an edited row TAMPERED); without it, only what is public (keys, signed status lists)",
    )
    p.add_argument(
        "--batch",
        metavar="FILE",
        help="QR texts, one per line ('-' reads standard input): one JSON verdict per line, in order",
    )
    add_json(p)
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("validate-id", help="check an ID number against the coding rules (no login)")
    p.add_argument("number", metavar="NUMBER")
    p.add_argument(
        "--scheme", choices=["cn-18", "ee-11", "uin-10"], help="default: the scheme of the office in the data directory"
    )
    add_json(p)
    p.set_defaults(handler=cmd_validate_id)


def _read_input(path_text: str, limit: int, what: str) -> bytes:
    """A file the person named, bounded; unreadable or too large is a usage error (exit 2)."""
    from console.core.atomic import read_bounded

    path = Path(path_text).expanduser()
    try:
        return read_bounded(path, limit, what)
    except ConsoleError as e:
        raise UsageError(str(e)) from e


def _office_or_none(args: argparse.Namespace) -> Office | None:
    from console.core.office import Office

    try:
        return Office(data_dir(args))
    except StorageError:
        return None


def _verdict_text(verdict: Verdict) -> str:
    from console.core import claim169

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
    from console.core import statuslist

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


def _verifier(args: argparse.Namespace) -> tuple[Office | None, Any, bytes | None, bytes | None]:
    """The office (if any), trust list, status list and decryption key `verify` checks against."""
    from console.core import foreigntrust
    from console.core.trust import MAX_TRUST_FILE_BYTES, TrustListError, from_jwks_json

    office = _office_or_none(args)
    if office is not None and args.as_user:  # issue 17: the login opens the encrypted registry for the check
        from console.cli.common import session_for

        session_for(args, office)
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
    return office, trust, status_list, decrypt_key


def cmd_verify(args: argparse.Namespace) -> int:
    from console.core import issuance, scanning
    from console.core.credentials import Verdict

    sources = [s for s in (args.text, args.file, args.image, args.pdf, args.batch) if s]
    if len(sources) != 1:
        raise UsageError(
            "Give exactly one of TEXT (or - for standard input), --file FILE, --image FILE, --pdf FILE or --batch FILE."
        )
    if args.batch:
        return _verify_batch(args)
    office, trust, status_list, decrypt_key = _verifier(args)
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


#: `verify --batch` says how far it is on standard error every this many lines.
BATCH_PROGRESS_EVERY = 1000


def _batch_lines(source: str) -> Iterator[tuple[int, str | None]]:
    """(line number, QR text) for each line of FILE or standard input, streamed; None for a line longer than any
    QR text (the rest of it is skipped, so one bad line does not stop the batch)."""
    if source == "-":
        stream: BinaryIO = sys.stdin.buffer
    else:
        path = Path(source).expanduser()
        if not path.is_file() and not path.is_fifo():
            raise UsageError(f"{source} is not a file; give a file of QR texts, one per line, or - for standard input.")
        try:
            stream = path.open("rb")
        except OSError as e:
            raise UsageError(f"Cannot read {source}: {e.strerror or e}; check the name and its permissions.") from e
    with stream:
        number = 0
        while True:
            line = stream.readline(MAX_QR_INPUT_BYTES + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_QR_INPUT_BYTES and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):
                    line = stream.readline(MAX_QR_INPUT_BYTES + 1)
                yield number, None
                continue
            yield number, line.decode("utf-8", "replace").rstrip("\r\n")


def _verify_batch(args: argparse.Namespace) -> int:
    """`verify --batch FILE|-`: one JSON verdict per input line, in order (with its `line`), progress on stderr."""
    from console.core import issuance
    from console.core.credentials import Verdict

    office, trust, status_list, decrypt_key = _verifier(args)
    counts = {"valid": 0, "not valid": 0, "status not checked": 0}
    out = sys.stdout
    for number, text in _batch_lines(args.batch):
        if text is None:
            verdict = Verdict(
                valid=False,
                status="malformed",
                reason=f"Line {number} is far longer than a QR text; it was skipped.",
                layer="text",
            )
        else:
            verdict = issuance.verify(
                text, trust=trust, office=office, status_list=status_list, decrypt_key=decrypt_key
            )
        counts["valid" if verdict.valid else "not valid"] += 1
        if verdict.valid and not verdict.status_checked:
            counts["status not checked"] += 1
        out.write(json.dumps({"line": number, **verdict.to_json()}, ensure_ascii=False, default=str) + "\n")
        if number % BATCH_PROGRESS_EVERY == 0:
            out.flush()
            print(f"verified {number:,} lines: {counts['valid']:,} valid", file=sys.stderr, flush=True)
    total = counts["valid"] + counts["not valid"]
    if total == 0:
        raise UsageError(f"{args.batch} holds no QR texts; give one per line.")
    print(
        f"verified {total:,} line{'s' if total != 1 else ''}: {counts['valid']:,} valid, {counts['not valid']:,} not valid"
        + (f", {counts['status not checked']:,} without a status check" if counts["status not checked"] else ""),
        file=sys.stderr,
    )
    if counts["not valid"]:
        return 1
    return EXIT_STATUS_NOT_CHECKED if counts["status not checked"] else 0


def _texts(args: argparse.Namespace) -> list[str]:
    """The QR text(s) to verify. TEXT is always the QR text itself, never a file name (--file for that)."""
    from console.core import scanning
    from console.core.atomic import read_bounded

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


def cmd_validate_id(args: argparse.Namespace) -> int:
    from console.core.coding import validate

    scheme = args.scheme
    if scheme is None:
        try:
            scheme = _office_scheme(args)
        except StorageError as e:
            raise UsageError(f"Give --scheme (no office to take it from: {e})") from None
    try:
        info = validate(scheme, args.number)
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


def _office_scheme(args: argparse.Namespace) -> str:
    """The coding scheme of the office in the data directory (StorageError when there is none)."""
    from console.core.office import Office

    office = Office(data_dir(args))
    try:
        return str(office.authority()["scheme"])
    finally:
        office.close()
