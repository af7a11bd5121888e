"""`id-console node serve`: a peer node serving and accepting the ledger's logs over HTTP (Starlette, uvicorn).

Read paths are C2SP tlog-tiles under ``/logs/<office code>/``: ``checkpoint`` (never cached), hash tiles
``tile/<L>/<N>[.p/<W>]`` and entry bundles ``tile/entries/<N>[.p/<W>]`` (immutable, cached for a year), and
``blob/<sha256 hex>``. ``POST /logs/<code>/push`` takes an office's own log (CBOR: checkpoint + files) and hands
it to `NodeStore.ingest`, i.e. to the same checks as a folder sync. Status codes (tlog-witness/-mirror spirit):
400 malformed, 401 unsigned, 403 bad or unknown signature (also stale, replayed, or another office's log), 404
unknown log or file, 409 not consistent (fork, older checkpoint), 413 too large, 422 the files do not prove the
checkpoint, 429 too fast, 503 too many connections (uvicorn). Entry bundles and blobs (sealed records) are only
ever served to signed requests of the authority's offices; checkpoints, hash tiles, the list of logs, the trust
list and credential status are public with ``--public-status``. ``/health`` is public; ``/metrics`` is public to
loopback callers (and to everyone with ``--public-status``).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import math
import re
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import anyio
import cbor2
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from console.core import ledgerapply
from console.core.errors import LedgerIntegrityError
from console.core.ledger.tiles import ENTRIES_LEVEL, TileFormatError, parse_tile_path
from console.node import httpauth, sync
from console.node.fetch import FetchError, limit_for
from console.node.nodestore import Ingested, NodeStore, Pushed

log = logging.getLogger("console.node.requests")

CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,15}")
BLOB_RE = re.compile(r"blob/[0-9a-f]{64}")
MAX_PUSH = 64 * 1024 * 1024
MAX_GET_BODY = 0
IMMUTABLE = "public, max-age=31536000, immutable"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass
class NodeConfig:
    public_status: bool = False
    rate: float = 100.0  # requests per second per client address (0: no limit)
    burst: int = 400
    max_push: int = MAX_PUSH
    peers: list[str] = field(default_factory=list)
    pull_interval: float = 60.0
    seed: bytes | None = None  # the office key of the office running the node (to sign pulls from peers)
    certificate: bytes | None = None


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.entries = Gauge(
            "idc_node_log_entries", "Entries of each log the node holds", ["log"], registry=self.registry
        )
        self.forks = Gauge("idc_node_forked_logs", "Logs the node found forked", registry=self.registry)
        self.requests = Counter(
            "idc_node_requests", "HTTP requests by method and status", ["method", "status"], registry=self.registry
        )
        self.pushes = Counter("idc_node_pushes", "Pushes by outcome", ["outcome"], registry=self.registry)
        self.last_sync = Gauge(
            "idc_node_last_sync_timestamp_seconds",
            "When a pull from each peer last succeeded",
            ["peer"],
            registry=self.registry,
        )
        self.pulled = Counter(
            "idc_node_pulled_entries", "Entries taken in from peers", ["peer"], registry=self.registry
        )


class _TooLarge(Exception):
    pass


class Limits:
    """Request rate per client address (token bucket), body size, structured request log, request metrics."""

    def __init__(self, app: ASGIApp, config: NodeConfig, metrics: Metrics) -> None:
        self.app, self.config, self.metrics = app, config, metrics
        self.buckets: dict[str, tuple[float, float]] = {}

    def _allow(self, client: str) -> bool:
        if self.config.rate <= 0:
            return True
        now = time.monotonic()
        tokens, last = self.buckets.get(client, (float(self.config.burst), now))
        tokens = min(float(self.config.burst), tokens + (now - last) * self.config.rate)
        if tokens < 1:
            self.buckets[client] = (tokens, now)
            return False
        if len(self.buckets) > 10_000:
            self.buckets.clear()
        self.buckets[client] = (tokens - 1, now)
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        client = (scope.get("client") or ("?", 0))[0]
        status = {"code": 500, "bytes": 0}

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            elif message["type"] == "http.response.body":
                status["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            if not self._allow(client):
                refused = _error(429, "too many requests from this address; slow down")
                refused.headers["retry-after"] = str(max(1, math.ceil(1 / self.config.rate)))
                await refused(scope, receive, send_logged)
            else:
                length = dict(scope.get("headers") or []).get(b"content-length")
                limit = self.config.max_push if scope["method"] == "POST" else 64 * 1024
                if length is not None and (not length.isdigit() or int(length) > limit):
                    await _error(413, f"the request body is larger than {limit} bytes")(scope, receive, send_logged)
                else:
                    await self.app(scope, _capped(receive, limit), send_logged)
        finally:
            self.metrics.requests.labels(scope["method"], str(status["code"])).inc()
            log.info(
                json.dumps(
                    {
                        "time": round(time.time(), 3),
                        "client": client,
                        "method": scope["method"],
                        "path": scope.get("raw_path", b"").decode("latin-1")[:300],
                        "status": status["code"],
                        "bytes": status["bytes"],
                        "ms": round((time.perf_counter() - start) * 1000, 2),
                        "office": scope.get("state", {}).get("office"),
                    }
                )
            )


def _capped(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
        return message

    return wrapped


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such route, a method not allowed) as JSON sentences like every other."""
    assert isinstance(exc, HTTPException)
    sentences = {404: "no such path on this node (see docs/node.md)", 405: f"{request.method} is not allowed here"}
    response = _error(exc.status_code, sentences.get(exc.status_code, str(exc.detail)))
    response.headers.update(exc.headers or {})
    return response


def _error(status: int, message: str, **extra: str) -> Response:
    return JSONResponse({"error": message, **extra}, status_code=status, headers={"cache-control": "no-store"})


class Node:
    """The node's HTTP face over a NodeStore."""

    def __init__(self, store: NodeStore, config: NodeConfig) -> None:
        self.store, self.config = store, config
        self.metrics = Metrics()
        root, domain = store.authority()
        # seen nonces outlive a restart (httpauth.NonceStore): a request replayed right after one is refused
        self.verifier = httpauth.RequestVerifier(
            root, domain, self._withdrawn, httpauth.NonceStore(store.root / "nonces.db")
        )
        self.push_lock = asyncio.Lock()

    def _withdrawn(self, kid: bytes) -> bool:
        with self.store.reader() as conn:
            row = conn.execute("SELECT valid_until FROM office_keys WHERE kid = ?", (kid,)).fetchone()
        return row is not None and row[0] is not None

    async def _auth(self, request: Request, body: bytes = b"") -> httpauth.Caller:
        caller = self.verifier.verify(request.method, str(request.url), request.headers, body)
        request.scope.setdefault("state", {})["office"] = caller.office
        return caller

    def _is_loopback(self, request: Request) -> bool:
        host = request.client.host if request.client else ""
        with contextlib.suppress(ValueError):
            return ipaddress.ip_address(host).is_loopback
        return False

    async def _public_or_auth(self, request: Request) -> Response | None:
        if self.config.public_status:
            return None
        try:
            await self._auth(request)
        except httpauth.AuthError as e:
            return _error(e.status, str(e))
        return None

    # --- routes -------------------------------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"}, headers={"cache-control": "no-store"})

    async def metrics_endpoint(self, request: Request) -> Response:
        if not (self.config.public_status or self._is_loopback(request)):
            refused = await self._public_or_auth(request)
            if refused is not None:
                return refused
        sizes = await anyio.to_thread.run_sync(self.store.sizes)
        for code, (size, _status) in sizes.items():
            self.metrics.entries.labels(code).set(size)
        self.metrics.forks.set(sum(1 for _s, status in sizes.values() if status == "forked"))
        return Response(generate_latest(self.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    async def logs(self, request: Request) -> Response:
        refused = await self._public_or_auth(request)
        if refused is not None:
            return refused
        return JSONResponse({"logs": self.store.logs()}, headers={"cache-control": "no-cache"})

    async def trust(self, request: Request) -> Response:
        refused = await self._public_or_auth(request)
        if refused is not None:
            return refused

        def keys() -> list[dict[str, str]]:
            with self.store.reader() as conn:
                return ledgerapply.checkpoint_keys(conn)

        return JSONResponse(
            {"ledger_logs": await anyio.to_thread.run_sync(keys)}, headers={"cache-control": "no-cache"}
        )

    async def status(self, request: Request) -> Response:
        refused = await self._public_or_auth(request)
        if refused is not None:
            return refused
        credential = request.path_params["credential"]
        if not re.fullmatch(r"(?:[0-9a-f]{2}){1,32}", credential):
            return _error(400, "a credential id is lowercase hex, an even number of digits (at most 64)")

        def find() -> tuple[str, str] | None:
            with self.store.reader() as conn:
                row = conn.execute(
                    "SELECT office_code, status FROM credentials WHERE credential_id = ?", (bytes.fromhex(credential),)
                ).fetchone()
            return (str(row[0]), str(row[1])) if row else None

        found = await anyio.to_thread.run_sync(find)
        if found is None:
            return _error(404, "this node knows no credential with that id")
        return JSONResponse({"credential": credential, "office": found[0], "status": found[1]})

    async def read(self, request: Request) -> Response:
        code, path = request.path_params["code"], request.path_params["path"]
        raw = request.scope.get("raw_path", b"")
        if not CODE_RE.fullmatch(code) or b"%" in raw or b"//" in raw:
            return _error(400, "not a log path: /logs/<office code>/<tlog-tiles path>")
        cache = "no-cache"
        if path == "push":
            wrong = _error(405, f"{request.method} is not allowed here: a push is a POST")
            wrong.headers["allow"] = "POST"
            return wrong
        if path == "checkpoint":
            sealed = False
        elif BLOB_RE.fullmatch(path):
            sealed, cache = True, IMMUTABLE
        else:
            try:
                tile = parse_tile_path(path)
            except TileFormatError:
                return _error(
                    400, f"{path!r} is not a tlog-tiles path (tile/<L>/<N>[.p/<W>], tile/entries/…, checkpoint)"
                )
            sealed, cache = tile.level == ENTRIES_LEVEL, IMMUTABLE
        if sealed:
            try:
                await self._auth(request)
            except httpauth.AuthError as e:
                return _error(e.status, str(e))
        else:
            refused = await self._public_or_auth(request)
            if refused is not None:
                return refused
        if code not in self.store.folder.logs():
            return _error(404, f"this node holds no log of office {code}")
        try:
            if path.startswith("tile/entries/") or path.startswith("blob/"):
                data = await anyio.to_thread.run_sync(self.store.folder.read, code, path)
            else:
                data = self.store.folder.read(code, path)
        except FileNotFoundError:
            return _error(404, f"log {code} has no file {path}")
        except FetchError as e:
            return _error(404, str(e))
        kind = "text/plain; charset=utf-8" if path == "checkpoint" else "application/octet-stream"
        return Response(data, media_type=kind, headers={"cache-control": cache})

    async def push(self, request: Request) -> Response:
        code = request.path_params["code"]
        if not CODE_RE.fullmatch(code):
            return _error(400, "not a log: /logs/<office code>/push")
        try:
            body = await request.body()
        except _TooLarge:
            return _error(413, f"the push is larger than {self.config.max_push} bytes; send fewer entries at once")
        try:
            caller = await self._auth(request, body)
        except httpauth.AuthError as e:
            self.metrics.pushes.labels("refused").inc()
            return _error(e.status, str(e))
        if caller.office != code:
            self.metrics.pushes.labels("refused").inc()
            return _error(403, f"office {caller.office} may push only its own log, not {code}'s")
        try:
            files = _parse_push(body)
        except ValueError as e:
            self.metrics.pushes.labels("malformed").inc()
            return _error(400, f"malformed push: {e}")
        loop = asyncio.get_running_loop()
        async with self.push_lock:
            try:
                done: Ingested = await loop.run_in_executor(
                    self.store.executor, lambda: self.store.ingest(Pushed(self.store.folder, code, files), code)
                )
            except sync.LogProblem as e:
                status = _status_of(e)
                self.metrics.pushes.labels(str(status)).inc()
                return _error(status, str(e), log=e.log, file=e.file)
            except LedgerIntegrityError as e:
                self.metrics.pushes.labels("409").inc()
                return _error(409, str(e))
        self.metrics.pushes.labels("ok").inc()
        return JSONResponse({"log": done.log, "old_size": done.old_size, "size": done.size, "applied": done.applied})

    # --- mesh ---------------------------------------------------------------------------------------------

    def pull_once(self, url: str) -> dict[str, Any]:
        """Take in every log a peer node holds (writer thread): the same ingest as a push."""
        from console.node.peer import HTTPFetcher, NodeClient, PeerError

        client = NodeClient(url, self.config.seed, self.config.certificate)
        result: dict[str, Any] = {"peer": url, "applied": {}, "errors": []}
        fetcher = HTTPFetcher(client)
        try:
            try:
                codes = fetcher.logs()
            except PeerError as e:
                result["errors"].append(str(e))
                return result
            for code in codes:
                if not CODE_RE.fullmatch(code):
                    continue
                try:
                    done = self.store.ingest(fetcher, code)
                    result["applied"][code] = done.applied
                    self.metrics.pulled.labels(url).inc(done.applied)
                except (sync.LogProblem, LedgerIntegrityError) as e:
                    result["errors"].append(str(e))
            self.metrics.last_sync.labels(url).set(time.time())
        finally:
            fetcher.close()
            client.close()
        return result

    async def mesh(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            for url in self.config.peers:
                async with self.push_lock:
                    try:
                        result = await loop.run_in_executor(self.store.executor, self.pull_once, url)
                    except Exception as e:  # a peer's trouble never stops the node
                        result = {"peer": url, "errors": [f"{type(e).__name__}: {e}"]}
                logging.getLogger("console.node.mesh").info(json.dumps(result))
            await asyncio.sleep(self.config.pull_interval)

    def app(self) -> ASGIApp:
        @contextlib.asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            task = asyncio.create_task(self.mesh()) if self.config.peers else None
            try:
                yield
            finally:
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

        starlette = Starlette(
            routes=[
                Route("/health", self.health),
                Route("/metrics", self.metrics_endpoint),
                Route("/logs", self.logs),
                Route("/trust", self.trust),
                Route("/status/{credential}", self.status),
                Route("/logs/{code}/push", self.push, methods=["POST"]),
                Route("/logs/{code}/{path:path}", self.read),
            ],
            lifespan=lifespan,
            exception_handlers={HTTPException: _http_error},
        )
        return Limits(starlette, self.config, self.metrics)


def _parse_push(body: bytes) -> dict[str, bytes]:
    """{"checkpoint": bytes, "files": {path: bytes}}, strictly: known keys, tlog-tiles or blob paths, size caps."""
    try:
        value = cbor2.loads(body)
    except Exception as e:
        raise ValueError(f"not CBOR ({type(e).__name__})") from None
    if not isinstance(value, dict) or set(value) != {"checkpoint", "files"}:
        raise ValueError('expected a CBOR map with exactly "checkpoint" and "files"')
    checkpoint, files = value["checkpoint"], value["files"]
    if not isinstance(checkpoint, bytes) or not 0 < len(checkpoint) <= 16 * 1024:
        raise ValueError("the checkpoint must be a byte string of at most 16 KiB")
    if not isinstance(files, dict) or len(files) > 100_000:
        raise ValueError("files must be a map of path to bytes")
    out = {"checkpoint": checkpoint}
    for path, data in files.items():
        if not isinstance(path, str) or not isinstance(data, bytes):
            raise ValueError("files must map text paths to byte strings")
        if not BLOB_RE.fullmatch(path):
            try:
                parse_tile_path(path)
            except TileFormatError:
                raise ValueError(f"{path!r} is not a tlog-tiles or blob path") from None
        if len(data) > limit_for(path):
            raise ValueError(f"{path} is larger than such a file may be")
        out[path] = data
    return out


def _status_of(problem: sync.LogProblem) -> int:
    text = problem.message
    if "not signed by a key the authority certified" in text:
        return 403
    if "forked" in text or "older checkpoint" in text:
        return 409
    return 422


def configure_request_log(stream: Any = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("console.node.requests", "console.node.mesh"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
