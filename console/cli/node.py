"""`node serve`: run a peer node (docs/node.md). Exit status 0 after a clean shutdown, 2 for usage errors."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from console.cli.common import UsageError, data_dir, open_office, session_for

DEFAULT_PORT = 8470


def register(sub: Any) -> None:
    node = sub.add_parser("node", help="a peer node: serve the ledger's logs over HTTP").add_subparsers(
        dest="node_command", required=True
    )
    p = node.add_parser("serve", help="serve and accept the logs of the authority's offices")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, loopback only)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--tls-cert", metavar="FILE", help="TLS certificate chain (PEM); required off loopback")
    p.add_argument("--tls-key", metavar="FILE", help="TLS private key (PEM)")
    p.add_argument("--peer", action="append", default=[], metavar="URL", help="another node to pull from (repeatable)")
    p.add_argument("--pull-interval", type=float, default=60.0, metavar="SECONDS", help="how often to pull peers")
    p.add_argument(
        "--public-status", action="store_true", help="serve checkpoints, hash tiles, trust list and status to anyone"
    )
    p.add_argument("--insecure-http", action="store_true", help="allow plain HTTP on a non-loopback address")
    p.add_argument("--node-dir", metavar="DIR", help="where the node keeps its logs (default: DATA_DIR/node)")
    p.add_argument("--rate-limit", type=float, default=100.0, metavar="N", help="requests/s per address (0: none)")
    p.add_argument("--max-connections", type=int, default=200, metavar="N", help="concurrent connections (503 above)")
    p.add_argument("--as", dest="as_user", metavar="USER", help="officer whose office key signs pulls from --peer")
    p.set_defaults(handler=cmd_serve)


def _server_class() -> Any:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, except that SIGINT/SIGTERM end `run` normally instead of being raised again after
        the shutdown: the node then waits for the writer thread (in-flight writes complete) and exits 0."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            with super().capture_signals():
                yield
                self._captured_signals.clear()

    return Server


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from console.core.store import DB_NAME
    from console.node.nodestore import NodeStore
    from console.node.server import Node, NodeConfig, configure_request_log

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (0–65535).")
    if bool(args.tls_cert) != bool(args.tls_key):
        raise UsageError("Give both --tls-cert and --tls-key, or neither.")
    for name in ("tls_cert", "tls_key"):
        value = getattr(args, name)
        if value and not Path(value).is_file():
            raise UsageError(f"--{name.replace('_', '-')} {value}: no such file.")
    if not _is_loopback(args.host) and not args.tls_cert and not args.insecure_http:
        raise UsageError(
            f"--host {args.host} is not a loopback address: give --tls-cert and --tls-key (or --insecure-http on a "
            "network you trust)."
        )
    if args.pull_interval < 1:
        raise UsageError("--pull-interval must be at least 1 second.")
    if args.max_connections < 1:
        raise UsageError("--max-connections must be at least 1.")
    for url in args.peer:
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"--peer {url!r} is not an http:// or https:// URL.")
    base = data_dir(args)
    office_db = base / DB_NAME
    if not office_db.is_file():
        raise UsageError(f"No office database at {office_db}: run the node from an office's data directory.")
    config = NodeConfig(
        public_status=args.public_status,
        rate=args.rate_limit,
        burst=max(10, int(args.rate_limit * 4)),  # a pull of a fresh log is a burst of tile requests
        peers=list(args.peer),
        pull_interval=args.pull_interval,
    )
    if args.peer:
        if not args.as_user:
            raise UsageError("--peer needs --as USER: the node signs its pulls with this office's key.")
        from console.core.roles import Permission
        from console.node.folder import office_signer
        from console.node.peer import office_certificate

        office = open_office(args)
        session = session_for(args, office)
        signer = office_signer(office.db.conn, session.office_keys().signing_seeds)
        config.seed = bytes(signer.signing_key)
        config.certificate = office_certificate(office.db.conn, config.seed)
        session.require(Permission.SYNC_RUN, "node serve --peer")
        session.lock()  # the node keeps only the office key's seed, for signing its pulls
    store = NodeStore(Path(args.node_dir).expanduser() if args.node_dir else base / "node", office_db)
    configure_request_log()
    try:
        node = Node(store, config)
        # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say TCP, and without it every
        # response waits ~40 ms for the client's delayed ACK (Nagle: headers and body are two writes).
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((args.host, args.port))
        except OSError as e:
            raise UsageError(f"Cannot listen on {args.host}:{args.port} ({e.strerror}).") from None
        port = sock.getsockname()[1]
        scheme = "https" if args.tls_cert else "http"
        server_class = _server_class()
        print(f"node: serving {store.root} at {scheme}://{args.host}:{port}", flush=True)
        server = server_class(
            uvicorn.Config(
                node.app(),
                ssl_certfile=args.tls_cert,
                ssl_keyfile=args.tls_key,
                limit_concurrency=args.max_connections,
                timeout_keep_alive=5,
                access_log=False,
                log_level="warning",
                lifespan="on",
            )
        )
        server.run(sockets=[sock])
    finally:
        store.close()
    print("node: stopped", flush=True)
    return 0
