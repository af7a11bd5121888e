"""Who may talk to a peer node: requests signed by an office of the authority (RFC 9421, Ed25519).

The calling office signs each request with its office key: `@method`, `@authority`, `@request-target`, the
`Office-Certificate` header (the authority-signed certificate of that key, base64url) and, for a body, its
`Content-Digest` (RFC 9530). The signature is `created` now, `expires` within `WINDOW` seconds and carries a
random `nonce`; the node refuses a nonce it saw within the window (a replayed request), a signature older than
the window (stale), a certificate that does not verify under the authority root (not an office of this
authority), and a key the authority has since replaced. The `http-message-signatures` package does the RFC 9421
work; this module only decides what is covered and who is allowed.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric import ed25519
from http_message_signatures import HTTPMessageSigner, HTTPMessageVerifier, HTTPSignatureKeyResolver, algorithms
from http_message_signatures.exceptions import HTTPMessageSignaturesException, InvalidSignature

from console.core import cose, ledgerapply

CERT_HEADER = "office-certificate"
COVERED = ("@method", "@authority", "@request-target", CERT_HEADER)
LABEL = "office"
TAG = "id-console-node"
#: How long a signed request stays valid (seconds); the node remembers nonces this long.
WINDOW = 30
MAX_CERT = 2048


class AuthError(Exception):
    """A request the node refuses: 401 (no signature) or 403 (forged, stale, replayed, not of this authority)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Caller:
    office: str
    kid: bytes


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(self, key_id: str, public: Any = None, private: Any = None) -> None:
        self.key_id, self.public, self.private = key_id, public, private

    def resolve_public_key(self, key_id: str) -> Any:
        return self.public if key_id == self.key_id else None

    def resolve_private_key(self, key_id: str) -> Any:
        return self.private


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_request(request: Any, seed: bytes, certificate: bytes, body: bytes | None) -> None:
    """Sign an httpx.Request in place with the office key `seed` (its authority certificate attached)."""
    private = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    kid = cose.key_id(private.public_key().public_bytes_raw()).hex()
    request.headers[CERT_HEADER] = b64url(certificate)
    now = datetime.datetime.now(datetime.UTC)
    signer = HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_OneKey(kid, private=private))
    signer.sign(
        request,
        key_id=kid,
        created=now,
        expires=now + datetime.timedelta(seconds=WINDOW),
        nonce=secrets.token_urlsafe(18),
        label=LABEL,
        tag=TAG,
        covered_component_ids=COVERED,
        body=body or None,
    )


@dataclass
class _Message:
    method: str
    url: str
    headers: Mapping[str, str]


class NonceStore:
    """The nonces of accepted requests until their signatures expire, in a small SQLite file beside the node's
    data (`nonces.db`), so that a node restarted within the window (or another process serving the same folder)
    still refuses a replayed request: remembered only in memory, a replay sent right after a restart was accepted.

    Each check is one atomic statement (insert, or take over an expired row), so two processes cannot both
    accept one nonce. The file is WAL with synchronous=NORMAL: a killed process loses nothing it committed; only
    a power cut may drop the last rows, and by the time the machine is back up their window has passed.
    Expired rows are deleted every `PRUNE_EVERY` checks. Without a path the nonces are kept in memory (tests).
    """

    PRUNE_EVERY = 500

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._memory: dict[str, float] = {}
        self._prune_at = 1000
        self._conn: sqlite3.Connection | None = None
        self._count = 0
        if path is not None:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS seen_nonces (nonce TEXT PRIMARY KEY, until REAL NOT NULL)")
            self._conn = conn

    def first_use(self, nonce: str, until: float, now: float) -> bool:
        """Record `nonce` as used until `until`; False when it is already in use (a replay)."""
        with self._lock:
            self._count += 1
            if self._conn is None:
                if len(self._memory) > self._prune_at:  # prune when it doubled: O(1) a check on average
                    self._memory = {n: t for n, t in self._memory.items() if t > now}
                    self._prune_at = max(1000, 2 * len(self._memory))
                if self._memory.get(nonce, 0) > now:
                    return False
                self._memory[nonce] = until
                return True
            if self._count % self.PRUNE_EVERY == 0:
                self._conn.execute("DELETE FROM seen_nonces WHERE until <= ?", (now,))
            cur = self._conn.execute(
                "INSERT INTO seen_nonces (nonce, until) VALUES (?, ?) ON CONFLICT (nonce) DO UPDATE SET "
                "until = excluded.until WHERE seen_nonces.until <= ?",
                (nonce, until, now),
            )
            return cur.rowcount == 1

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class RequestVerifier:
    """Checks signed requests for one authority; remembers nonces for `WINDOW` seconds (`NonceStore`)."""

    def __init__(
        self,
        root_public: bytes,
        domain: str,
        withdrawn: Callable[[bytes], bool],
        nonces: NonceStore | None = None,
    ) -> None:
        self.root_public, self.domain, self.withdrawn = root_public, domain, withdrawn
        self.nonces = nonces if nonces is not None else NonceStore()
        self._certs: dict[bytes, tuple[str, bytes]] = {}

    def _office_key(self, header: str) -> tuple[str, bytes]:
        if len(header) > MAX_CERT:
            raise AuthError(403, "the office certificate is too long")
        try:
            cert = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
            if b64url(cert) != header:
                raise ValueError("not canonical")
        except (binascii.Error, ValueError):
            raise AuthError(403, "the Office-Certificate header is not base64url") from None
        if cert in self._certs:
            return self._certs[cert]
        try:
            claims = cbor2.loads(cose.decode_sign1(cert).payload)
            office = claims["office"] if isinstance(claims, dict) else None
        except Exception:
            office = None
        key = (
            ledgerapply.office_key_from_certificate(cert, self.root_public, self.domain, office)
            if isinstance(office, str)
            else None
        )
        if key is None or not isinstance(office, str):
            raise AuthError(403, "the office certificate was not signed by this authority's root key")
        if len(self._certs) > 10_000:
            self._certs.clear()
        self._certs[cert] = (office, key)
        return office, key

    def verify(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> Caller:
        """The calling office, or AuthError."""
        if "signature" not in headers and "signature-input" not in headers:
            raise AuthError(401, "the request is not signed; sign it with the office key (HTTP Message Signatures)")
        cert = headers.get(CERT_HEADER)
        if not cert:
            raise AuthError(403, "the request carries no Office-Certificate header")
        office, key = self._office_key(cert)
        kid = cose.key_id(key)
        public = ed25519.Ed25519PublicKey.from_public_bytes(key)
        verifier = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=_OneKey(kid.hex(), public))
        try:
            results = verifier.verify(
                _Message(method, url, headers),
                max_age=datetime.timedelta(seconds=WINDOW),
                expect_tag=TAG,
                require_components=COVERED,
                body=body,
            )
        except (InvalidSignature, HTTPMessageSignaturesException) as e:
            text = str(e)
            if "maximum allowable age" in text or "in the past" in text:
                raise AuthError(403, f"the signature is stale: older than {WINDOW} seconds") from None
            raise AuthError(403, f"the request's signature does not verify ({text})") from None
        params = results[0].parameters
        nonce, created, expires = params.get("nonce"), params.get("created"), params.get("expires")
        if not isinstance(nonce, str) or not 16 <= len(nonce) <= 64:
            raise AuthError(403, "the signature carries no nonce (16-64 characters)")
        if not isinstance(expires, int) or not isinstance(created, int) or expires - created > WINDOW:
            raise AuthError(403, f"the signature must expire within {WINDOW} seconds of its creation")
        if not self.nonces.first_use(nonce, created + WINDOW + 10, time.time()):
            raise AuthError(403, "the request was replayed (its nonce was seen already)")
        if self.withdrawn(kid):
            raise AuthError(403, f"the key {kid.hex()} of office {office} was replaced; sign with the key in force")
        return Caller(office, kid)
