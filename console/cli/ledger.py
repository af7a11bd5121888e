"""`ledger sync|configure|status|verify`: the shared ledger folder (docs/ledger.md).

Exit status: 0 when everything verified; 8 (a ledger integrity problem) when a log was refused, forked, or
the office database disagrees with its signed events, after printing the full report; 2 for usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from console.cli.common import UsageError, add_as, add_json, emit, open_office, session_for
from console.core import ledgerverify
from console.core.errors import LedgerIntegrityError
from console.node import sync
from console.node.fetch import FolderFetcher
from console.node.verify import verify_folder

EXIT_INTEGRITY = LedgerIntegrityError.exit_code


def register(sub: Any) -> None:
    ledger = sub.add_parser("ledger", help="the shared ledger: sync, status, verify").add_subparsers(
        dest="ledger_command", required=True
    )
    p = ledger.add_parser("sync", help="publish this office's log and apply every other office's")
    add_as(p)
    p.add_argument("--folder", metavar="DIR", help="the shared ledger folder (default: the configured one)")
    p.add_argument("--peer", metavar="URL", help="sync through a peer node instead of a folder (issue 10)")
    add_json(p)
    p.set_defaults(handler=cmd_sync)
    p = ledger.add_parser("configure", help="remember the shared ledger folder or peer node (administrators)")
    add_as(p)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--folder", metavar="DIR")
    where.add_argument("--peer", metavar="URL", help="a peer node, used when no folder is configured (issue 10)")
    add_json(p)
    p.set_defaults(handler=cmd_configure)
    p = ledger.add_parser("status", help="this office's log, every other log followed, and forks")
    add_json(p)
    p.set_defaults(handler=cmd_status)
    p = ledger.add_parser("verify", help="check the folder's logs and (with --as) the office database")
    add_as(p, required=False)
    p.add_argument("--folder", metavar="DIR", help="the shared ledger folder (default: the configured one)")
    add_json(p)
    p.set_defaults(handler=cmd_verify)


def _folder(args: argparse.Namespace, conn: Any, *, required: bool) -> Path | None:
    if args.folder is not None:
        if not args.folder.strip():
            raise UsageError("--folder is empty; give the shared ledger folder.")
        return Path(args.folder).expanduser()
    configured = sync.configured_folder(conn)
    if configured is None and required:
        raise UsageError(
            "No ledger folder: give --folder DIR (or --peer URL), or have an administrator run `ledger configure`."
        )
    return configured


def cmd_sync(args: argparse.Namespace) -> int:
    office = open_office(args)
    if args.peer is not None and args.folder is not None:
        raise UsageError("Give --folder or --peer, not both.")
    peer_url = args.peer
    if peer_url is None and args.folder is None and sync.configured_folder(office.db.conn) is None:
        from console.node.peer import configured_peer

        peer_url = configured_peer(office.db.conn)
    if peer_url is not None:
        if not peer_url.startswith(("http://", "https://")):
            raise UsageError(f"--peer {peer_url!r} is not an http:// or https:// URL of a peer node.")
        from console.node.peer import run_sync_peer

        report = run_sync_peer(session_for(args, office), peer_url)
    else:
        folder = _folder(args, office.db.conn, required=True)
        assert folder is not None
        report = sync.run_sync(session_for(args, office), folder)
    data = report.to_json()

    def text() -> str:
        lines = [f"Published {data['published'].get('new_entries', 0)} new entries of {data['published'].get('log')}."]
        lines += [
            f"{log}: fetched {n}, applied {data['applied'].get(log, 0)}" for log, n in sorted(data["fetched"].items())
        ]
        lines += [f"FORK in log {f['log']}: {f['reason']}" for f in data["forks"]]
        lines += [f"refused: log {e['log']}, file {e['file']}: {e['message']}" for e in data["errors"]]
        return "\n".join(lines)

    emit(args, data, text)
    if data["forks"] or data["errors"]:
        first = data["forks"][0] if data["forks"] else data["errors"][0]
        where = f"log {first['log']}" + (f", file {first['file']}" if "file" in first else "")
        print(f"id-console: {where}: {first.get('message') or first.get('reason')}", file=sys.stderr)
        return EXIT_INTEGRITY
    return 0


def cmd_configure(args: argparse.Namespace) -> int:
    office = open_office(args)
    session = session_for(args, office)
    if args.peer is not None:
        from console.node.peer import configure_peer

        url = configure_peer(session, args.peer)
        emit(args, {"peer": url}, f"Peer node: {url}")
        return 0
    folder = sync.configure(session, Path(args.folder))
    emit(args, {"folder": str(folder)}, f"Ledger folder: {folder}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    office = open_office(args)
    try:
        data = sync.status(office.db.conn)
    except LedgerIntegrityError as e:
        data = {"error": str(e)}

    def text() -> str:
        if "error" in data:
            return f"The office's own log does not verify: {data['error']}"
        log = data["log"]
        lines = [
            f"Folder: {data['folder'] or '(not configured)'}",
            f"Peer node: {data['peer'] or '(not configured)'}",
            f"This office ({log['office']}): {log['size']} entries, {log['published']} published",
        ]
        for p in data["logs"]:
            mark = "FORKED: " + str(p["problem"]) if p["status"] == "forked" else "ok"
            lines.append(f"{p['log']}: {p['size']} entries, {mark}")
        return "\n".join(lines)

    emit(args, data, text)
    return EXIT_INTEGRITY if "error" in data or data["forks"] else 0


def cmd_verify(args: argparse.Namespace) -> int:
    office = open_office(args)
    conn = office.db.conn
    folder = _folder(args, conn, required=args.as_user is None)
    faults: list[dict[str, str]] = []
    checked: list[str] = []
    if args.as_user:
        session = session_for(args, office)
        faults += [
            {"where": "database", "table": f.table, "key": f.key, "message": str(f)}
            for f in ledgerverify.verify_office(session)
        ]
        checked.append("database")
    if folder is not None:
        if not folder.is_dir():
            raise UsageError(f"The ledger folder {folder} does not exist or is not mounted.")
        faults += [
            {"where": "folder", "log": f.log, "file": f.file, "message": str(f)}
            for f in verify_folder(conn, FolderFetcher(folder))
        ]
        checked.append("folder")
    data = {"checked": checked, "ok": not faults, "faults": faults}
    emit(args, data, lambda: "\n".join(f["message"] for f in faults) or f"OK: {' and '.join(checked)} verified.")
    if faults:
        print(f"id-console: {faults[0]['message']}", file=sys.stderr)
        return EXIT_INTEGRITY
    return 0
