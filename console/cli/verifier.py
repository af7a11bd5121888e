"""`verifier export`: the card holders' verifier web site (page, keys, status lists) for a static host."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from console.cli.common import UsageError, add_json, data_dir, emit, open_office
from console.core import site


def register(sub: Any) -> None:
    verifier = sub.add_parser("verifier", help="the card holders' verifier web page").add_subparsers(
        dest="verifier_command", required=True
    )
    p = verifier.add_parser(
        "export", help="write the static verifier site: page, keys and status lists (no login needed)"
    )
    p.add_argument("--out", required=True, metavar="DIR", help="the folder to write (created if missing)")
    p.add_argument(
        "--base-url", metavar="URL", help="where the site will be published (default: https://<authority domain>/)"
    )
    add_json(p)
    p.set_defaults(handler=cmd_verifier_export)


def cmd_verifier_export(args: argparse.Namespace) -> int:
    office = open_office(args)
    out = Path(args.out).expanduser()
    folder = data_dir(args).resolve()
    target = out.resolve()
    if target == folder or folder in target.parents or target in folder.parents:
        raise UsageError(f"{out} overlaps the office's data directory {folder}; write the site elsewhere.")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file; give a folder for the verifier site.")
    result = site.export_site(office, out, args.base_url)
    info = result.to_json()

    def text() -> str:
        lines = [
            f"Wrote the verifier site to {out}: {len(result.files)} files, {info['bytes']:,} bytes, "
            f"{result.keys} key(s) of {len(result.offices)} office(s), {result.status_lists} status list(s).",
            f"Publish the folder's content at {result.base_url} (see docs/verifier-page.md for the HTTP headers).",
        ]
        if site.verifier_url(office) is None:
            lines.append(f"Cards print no verifier line yet: settings set --as ADMIN verifier_url {result.base_url}")
        return "\n".join(lines)

    emit(args, info, text)
    if not args.json and result.status_lists == 0:
        print("Note: no status lists were written; the page cannot tell revoked cards yet.", file=sys.stderr)
    return 0
