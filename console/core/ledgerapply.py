"""Checking and applying another office's log entries (the apply half of `ledger sync`).

Each entry is checked before anything is written: it is a COSE_Sign1 by a key of the actor it names, of the
office whose log it is in; an officer's key was certified by that office's authority-certified key, was in force
at the entry's time (not yet replaced or disabled), and its role allows the action (roles.MATRIX); set-up
entries are signed by the authority root or the office key. Only then `apply_entry` writes what other offices
must know: offices and their keys, officers' public keys, credentials and their status, and registrations
(sealed records decrypted where the records key is held). Applying is idempotent, so a replay after a crash
changes nothing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import cbor2
import nacl.exceptions
import nacl.public

from console.core import cose, events, names, officelog
from console.core.i18n import _
from console.core.roles import Permission, Role, allows

#: The permission each event type needs from an officer (None: only the authority or office key may sign it).
REQUIRED: dict[str, Permission | None] = {
    "authority.created": None,
    "office.certified": None,
    "office.enrolled": None,
    "officer.enrolled": Permission.OFFICER_MANAGE,
    "officer.disabled": Permission.OFFICER_MANAGE,
    "officer.key-replaced": Permission.OFFICER_MANAGE,
    "office.key-rotated": Permission.KEY_MANAGE,
    "citizen.registered": Permission.CITIZEN_REGISTER,
    "citizens.imported": Permission.CITIZEN_REGISTER,
    "registration.held": Permission.CITIZEN_REGISTER,
    "registration.rejected": Permission.REVIEW_DECIDE,
    "credential.issued": Permission.CREDENTIAL_ISSUE,
    "credentials.issued": Permission.CREDENTIAL_ISSUE,
    "request.created": Permission.REQUEST_CREATE,
    "request.rejected": Permission.REQUEST_DECIDE,
    "credential.status": Permission.REQUEST_DECIDE,
}
#: Set-up entries an office key may sign (the first administrator's enrolment).
OFFICE_KEY_MAY_SIGN = {"officer.enrolled"}


class EntryRejected(Exception):
    """An entry fails a check; the sentence says which."""


#: What a value bound into SQL may be (anything else makes the driver raise mid-sync).
_PLAIN = (type(None), int, float, str, bytes)


def _malformed(part: str) -> EntryRejected:
    """A signed entry whose content is not what its type holds (a faulty console or a stolen key signed it);
    `part` is already translated."""
    return EntryRejected(_("the entry is signed but its {part} is malformed").format(part=part))


def _cert_claims(cert: bytes, key: bytes) -> dict[str, Any] | None:
    try:
        message = cose.decode_sign1(cert)
        claims = cbor2.loads(cose.verify_sign1(message, key))
    except (cose.CoseError, cose.CoseSignatureError, ValueError, cbor2.CBORDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def office_key_from_certificate(cert: bytes, authority_root: bytes, domain: str, code: str) -> bytes | None:
    """The office key an authority certificate vouches for, or None if it does not verify for this office."""
    claims = _cert_claims(cert, authority_root)
    if not claims or claims.get("type") != "office-key" or claims.get("office") != code:
        return None
    if claims.get("authority") != domain:
        return None
    key = claims.get("key")
    return key if isinstance(key, bytes) and len(key) == 32 else None


def certified_office_keys(conn: sqlite3.Connection, code: str) -> list[bytes]:
    """Keys of office `code` whose certificate in office_keys verifies under the authority root."""
    authority = conn.execute("SELECT CAST(root_public AS BLOB), domain FROM authority WHERE id = 1").fetchone()
    if authority is None:
        return []
    root, domain = bytes(authority[0]), str(authority[1])
    keys = []
    for public, cert in conn.execute(
        "SELECT CAST(public_key AS BLOB), CAST(certificate AS BLOB) FROM office_keys WHERE office_code = ?", (code,)
    ):
        key = office_key_from_certificate(bytes(cert), root, domain, code)
        if key is not None and key == bytes(public):
            keys.append(key)
    return keys


def _decode(entry: bytes, headers: dict[bytes, dict[int, Any]] | None = None) -> tuple[cose.Sign1, dict[str, Any]]:
    try:
        message = cose.decode_sign1(entry, headers)
        payload = cbor2.loads(message.payload)
    except (cose.CoseError, ValueError, cbor2.CBORDecodeError, EOFError) as e:
        raise EntryRejected(_("the entry is not a signed event ({error})").format(error=e)) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise EntryRejected(_("the entry is not an event"))
    if not isinstance(payload.get("officer"), str) or not isinstance(payload.get("time"), str):
        raise EntryRejected(_("the entry names no officer or time"))
    return message, payload


Decoded = tuple[cose.Sign1, dict[str, Any]] | EntryRejected


def decode_entries(entries: Sequence[bytes], headers: dict[bytes, dict[int, Any]] | None = None) -> list[Decoded]:
    """Each entry decoded once (COSE_Sign1 and payload, not verified), or the EntryRejected that says why it does
    not decode: a sync decodes a log's new entries here and hands the results to everything that reads them.
    `headers` caches decoded protected headers across calls (a log decoded in parts)."""
    if headers is None:
        headers = {}
    out: list[Decoded] = []
    for entry in entries:
        try:
            out.append(_decode(entry, headers))
        except EntryRejected as e:
            out.append(e)
        except Exception as e:  # anything else the decoder raises on junk refuses that entry, in its turn
            out.append(EntryRejected(_("the entry is not a signed event ({error})").format(error=e)))
    return out


class ApplyContext:
    """What `verify_entry` and `apply_entry` read for every entry of one log, read once per run of entries.

    The authority's key, the office's certified keys and its officers' keys only change through entries of the
    kinds in `CHANGES_KEYS`: `apply_entry` forgets what it read after each of them, so a cached answer is always
    the one the database would give. Credentials issued without superseding anything are inserted together
    (`flush`, before any other write and before the commit), in the order of their entries.
    """

    CHANGES_KEYS = frozenset(
        {
            "office.certified",
            "office.key-rotated",
            "office.enrolled",
            "officer.enrolled",
            "officer.key-replaced",
            "officer.disabled",
        }
    )

    def __init__(self, conn: sqlite3.Connection, code: str) -> None:
        self.conn, self.code = conn, code
        self._authority: tuple[bytes, str] | None = None
        self._office_keys: dict[bytes, bytes] | None = None
        self._officers: dict[bytes, tuple[Any, ...] | None] = {}
        self._key_ids: dict[bytes, bytes] = {}
        #: (kid, officer, event type) -> (key, valid until) of officer entries that passed every check but the
        #: time one (`verify_entry`): forgotten with the keys
        self.allowed: dict[tuple[bytes, str, str], tuple[bytes, Any]] = {}
        self.pending: list[tuple[Any, ...]] = []

    def authority(self) -> tuple[bytes, str] | None:
        if self._authority is None:
            row = self.conn.execute("SELECT CAST(root_public AS BLOB), domain FROM authority WHERE id = 1").fetchone()
            if row is None:
                return None
            self._authority = (bytes(row[0]), str(row[1]))
        return self._authority

    def office_keys(self) -> dict[bytes, bytes]:
        """The office's certified keys by kid."""
        if self._office_keys is None:
            self._office_keys = {cose.key_id(k): k for k in certified_office_keys(self.conn, self.code)}
        return self._office_keys

    def officer(self, kid: bytes) -> tuple[Any, ...] | None:
        """(username, role, public key, valid_from, valid_until) of the office's officer key `kid`, or None."""
        if kid not in self._officers:
            self._officers[kid] = self.conn.execute(
                "SELECT username, role, CAST(public_key AS BLOB), valid_from, valid_until FROM ledger_peer_officers "
                "WHERE kid = ? AND office_code = ?",
                (kid, self.code),
            ).fetchone()
        return self._officers[kid]

    def key_id(self, key: bytes) -> bytes:
        kid = self._key_ids.get(key)
        if kid is None:
            kid = self._key_ids[key] = cose.key_id(key)
        return kid

    def forget_keys(self) -> None:
        self._office_keys = None
        self._officers.clear()
        self.allowed.clear()

    def flush(self) -> None:
        """Insert the credentials held back (call before any other write reads them, and before the commit)."""
        if self.pending:
            self.conn.executemany(
                "INSERT OR IGNORE INTO credentials (credential_id, id_number, office_code, kid, issued_at, expires_at, "
                "status, issued_by) VALUES (?, ?, ?, ?, ?, ?, 'active', ?)",
                self.pending,
            )
            self.pending = []


@dataclass(frozen=True)
class SignatureCheck:
    """One entry's signature, to be checked later (`verify_entry(defer=...)`); `entry` is the entry's bytes when
    the caller has them (a helper process is sent those instead of a re-encoding)."""

    message: cose.Sign1
    key: bytes
    actor: str
    entry: bytes = b""

    def holds(self) -> bool:
        return cose.signature_holds(self.message, self.key)


def bad_signature(actor: str) -> str:
    return _("the signature of {actor!r} does not verify: the entry was altered").format(actor=actor)


class SignatureChecker:
    """Checks collected signatures on worker threads while the caller goes on applying (a sync).

    libsodium runs without the GIL, so the checks use the other cores while the sync's own thread decodes,
    checks roles and writes rows. `first_bad()` waits for every check and names the first that fails.
    Use it as a context manager (the threads end with it).
    """

    def __init__(self, workers: int = 0, chunk: int = 256) -> None:
        self.workers = workers or min(8, os.cpu_count() or 1)
        self.chunk = chunk
        self.checks: list[SignatureCheck] = []
        self._submitted = 0
        self._futures: list[tuple[int, Future[list[bool]]]] = []
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> SignatureChecker:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def add(self, check: SignatureCheck) -> None:
        self.checks.append(check)
        if self.workers > 1 and len(self.checks) - self._submitted >= self.chunk:
            self._submit()

    def _submit(self) -> None:
        part = self.checks[self._submitted :]
        if not part:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="ledger-verify")
        self._futures.append((self._submitted, self._pool.submit(lambda: [c.holds() for c in part])))
        self._submitted = len(self.checks)

    def first_bad(self) -> tuple[int, str] | None:
        """The position of the first check that fails and why, or None when all hold."""
        for start, future in self._futures:
            for n, ok in enumerate(future.result()):
                if not ok:
                    return start + n, bad_signature(self.checks[start + n].actor)
        for n in range(self._submitted, len(self.checks)):  # the short tail: here, not worth a thread
            if not self.checks[n].holds():
                return n, bad_signature(self.checks[n].actor)
        return None


class KeyGuesses:
    """Which key an entry's kid most likely names, before the entries before it are applied: the keys of office
    `code` known to this database (its officers' keys learnt from its log, its certified office keys, the
    authority root) and those in certificates of enrolment entries seen so far in the run, read WITHOUT being
    checked. Only for checking signatures early: `verify_entry` still finds each entry's key in order, and an
    early result counts only for the very key it finds (`sigworker`)."""

    def __init__(self, conn: sqlite3.Connection, code: str) -> None:
        self.keys: dict[bytes, bytes] = {}
        for kid, key in conn.execute(
            "SELECT kid, CAST(public_key AS BLOB) FROM ledger_peer_officers WHERE office_code = ?", (code,)
        ):
            self.keys[bytes(kid)] = bytes(key)
        root = conn.execute("SELECT CAST(root_public AS BLOB) FROM authority WHERE id = 1").fetchone()
        for key in ([bytes(root[0])] if root else []) + certified_office_keys(conn, code):
            if len(key) == 32:
                self.keys[cose.key_id(key)] = key

    def learn(self, part: Sequence[Decoded]) -> None:
        """Add the keys certified in this part's officer and office entries (unchecked)."""
        for d in part:
            if isinstance(d, EntryRejected) or d[1].get("type") not in ApplyContext.CHANGES_KEYS:
                continue
            cert = (d[1].get("clear") or {}).get("certificate")
            try:
                claims = cbor2.loads(cose.decode_sign1(cert).payload) if isinstance(cert, bytes) else None
            except Exception:  # a guess only: the apply checks the certificate and names what is wrong
                continue
            key = claims.get("key") if isinstance(claims, dict) else None
            if isinstance(key, bytes) and len(key) == 32:
                self.keys[cose.key_id(key)] = key

    def key(self, message: cose.Sign1) -> bytes | None:
        kid = message.protected_header.get(cose.HEADER_KID)
        return self.keys.get(kid) if isinstance(kid, bytes) else None


def first_bad_signature(checks: Sequence[SignatureCheck], workers: int = 0) -> tuple[int, str] | None:
    """The position of the first of `checks` that fails and why, or None (on worker threads, as a sync)."""
    with SignatureChecker(workers, chunk=max(64, len(checks) // 8)) as checker:
        for check in checks:
            checker.add(check)
        return checker.first_bad()


def verify_entry(
    conn: sqlite3.Connection,
    code: str,
    entry: bytes,
    blob_reader: Callable[[bytes], bytes | None],
    defer: Callable[[SignatureCheck], None] | None = None,
    context: ApplyContext | None = None,
    decoded: Decoded | None = None,
) -> dict[str, Any]:
    """Check one entry of office `code`'s log against what is known before it; returns the full payload.

    A run of entries (a sync) passes one `context` to this and `apply_entry`, and each entry's `decode_entries`
    result as `decoded`, so that nothing is read or decoded twice.

    With `defer`, the Ed25519 check itself is handed over instead of made here (everything else is checked):
    the caller must run `first_bad_signature` on what it collected before it commits anything. A sync applies a
    whole log in one transaction, so checking the signatures at the end, in parallel, accepts and refuses exactly
    what checking them one by one would.

    Raises:
        EntryRejected: with the reason.
    """
    if isinstance(decoded, EntryRejected):
        raise decoded
    message, payload = decoded if decoded is not None else _decode(entry)
    ctx = context if context is not None else ApplyContext(conn, code)
    if payload.get("office") != code:
        raise EntryRejected(
            _("the entry is for office {office!r}, not {code}").format(office=payload.get("office"), code=code)
        )
    actor, kind, time = payload["officer"], payload["type"], payload["time"]
    try:
        kid = message.kid
    except cose.CoseError as e:
        raise EntryRejected(str(e)) from None
    if actor == "authority":
        authority = ctx.authority()
        if kind not in ("authority.created", "office.certified", "office.enrolled") or authority is None:
            raise EntryRejected(_("the authority key may not sign {kind!r} in an office's log").format(kind=kind))
        key = authority[0]
    elif actor.startswith("office:"):
        if actor != f"office:{code}" or kind not in OFFICE_KEY_MAY_SIGN:
            raise EntryRejected(
                _("the office key of {office} may not sign {kind!r} in the log of {code}").format(
                    office=actor[7:], kind=kind, code=code
                )
            )
        keys = ctx.office_keys()
        if kid not in keys:
            raise EntryRejected(
                _("signed by key {kid}, which the authority never certified for office {code}").format(
                    kid=kid.hex(), code=code
                )
            )
        key = keys[kid]
    elif (hit := ctx.allowed.get((kid, actor, kind))) is not None and (hit[1] is None or time < hit[1]):
        key = hit[0]  # this officer key, actor and kind passed every check below before, and the key is in force
    else:
        row = ctx.officer(kid)
        if row is None or row[0] != actor:
            raise EntryRejected(
                _("signed by key {kid}, which is not a key of officer {actor!r} of office {code}").format(
                    kid=kid.hex(), actor=actor, code=code
                )
            )
        if row[4] is not None and time >= row[4]:
            raise EntryRejected(
                _("signed by {actor!r} at {time}, after that officer's key was withdrawn ({until})").format(
                    actor=actor, time=time, until=row[4]
                )
            )
        needed = REQUIRED.get(kind)
        if needed is None and kind in REQUIRED:
            raise EntryRejected(_("an officer may not sign {kind!r}").format(kind=kind))
        if needed is not None:
            try:
                role = Role(row[1])
            except ValueError:
                raise EntryRejected(
                    _("officer {actor!r} has an unknown role {role!r}").format(actor=actor, role=row[1])
                ) from None
            if not allows(role, needed):
                raise EntryRejected(
                    _("officer {actor!r} is a {role}, who may not {permission} ({kind})").format(
                        actor=actor, role=role.value, permission=needed.value, kind=kind
                    )
                )
        key = bytes(row[2])
        if ctx.key_id(key) == kid:
            ctx.allowed[(kid, actor, kind)] = (key, row[4])
    if ctx.key_id(key) != kid:
        raise EntryRejected(_("signed by key {kid}, not the key of {actor!r}").format(kid=kid.hex(), actor=actor))
    if defer is not None:
        defer(SignatureCheck(message, key, actor, entry))
    else:
        try:
            cose.verify_sign1(message, key)
        except cose.CoseSignatureError:
            raise EntryRejected(bad_signature(actor)) from None
    if "blob" not in payload:
        return payload
    try:
        return officelog.resolve_payload(payload, blob_reader)
    except Exception as e:
        raise EntryRejected(str(e)) from None


#: Entries whose sealed part `apply_entry` opens (when the records key is held).
OPENED = frozenset({"credential.issued", "credentials.issued", "citizen.registered", "citizens.imported"})


class SealedOpener:
    """Opens the sealed parts of a run of entries ahead of `apply_entry`, on worker threads (a sync).

    A SealedBox (the first form of sealed parts, docs/ledger.md) opens with an X25519 multiplication, libsodium's
    work without the GIL, so it runs on the other cores while the sync's thread applies; runs of the second form
    are left to `apply_entry`, which opens them in microseconds. Nothing here is trusted more than the entry it came from: `apply_entry` uses
    the result only for the entry it was opened from, after `verify_entry`; an entry that fails to open here is
    opened again there, which names the fault. Use it as a context manager (the threads end with it).
    """

    def __init__(
        self,
        records_key: nacl.public.PrivateKey | None,
        entries: Sequence[bytes],
        workers: int = 0,
        chunk: int = 256,
        decoded: Sequence[Decoded] | None = None,
    ) -> None:
        self.key = records_key
        self.chunk = chunk
        self._futures: list[Future[list[dict[str, Any] | None]] | None] = []
        self._pool: ThreadPoolExecutor | None = None
        self._done: list[dict[str, Any] | None] = []
        self._done_index = -1
        workers = workers or min(8, os.cpu_count() or 1)
        if records_key is None or workers < 2 or len(entries) < chunk:
            return
        self._pool = ThreadPoolExecutor(max_workers=workers - 1 or 1, thread_name_prefix="ledger-open")
        if decoded is not None:  # the entries' payloads, decoded once by the caller (`decode_entries`)
            parts: list[bytes | None] = [
                d[1].get("sealed") if not isinstance(d, EntryRejected) and d[1].get("type") in OPENED else None
                for d in decoded
            ]
            for start in range(0, len(parts), chunk):
                part = parts[start : start + chunk]
                # a part of the second form opens in a few microseconds (a cached key, `events.open_record`):
                # cheaper where it is applied than a hand-over; only SealedBoxes are worth a thread
                worth = any(isinstance(p, bytes) and not events.cheap_to_open(p) for p in part)
                self._futures.append(self._pool.submit(self._open_parts, part) if worth else None)
            return
        for start in range(0, len(entries), chunk):
            self._futures.append(self._pool.submit(self._open, entries[start : start + chunk]))

    def __enter__(self) -> SealedOpener:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _open(self, part: Sequence[bytes]) -> list[dict[str, Any] | None]:
        out: list[dict[str, Any] | None] = []
        for entry in part:
            try:
                payload = cbor2.loads(cose.decode_sign1(entry).payload)
                sealed = payload.get("sealed")
                ok = isinstance(sealed, bytes) and payload.get("type") in OPENED and self.key is not None
                out.append(events.open_record(self.key, sealed) if ok else None)  # type: ignore[arg-type]
            except Exception:  # opened again by apply_entry, which names the fault
                out.append(None)
        return out

    def _open_parts(self, part: Sequence[bytes | None]) -> list[dict[str, Any] | None]:
        out: list[dict[str, Any] | None] = []
        for sealed in part:
            try:
                ok = isinstance(sealed, bytes) and self.key is not None
                out.append(events.open_record(self.key, sealed) if ok else None)  # type: ignore[arg-type]
            except Exception:  # opened again by apply_entry, which names the fault
                out.append(None)
        return out

    def get(self, offset: int) -> dict[str, Any] | None:
        """The opened sealed part of entry `offset` of the run, or None (not opened ahead)."""
        if not self._futures:
            return None
        index = offset // self.chunk
        if index != self._done_index:  # one wait per chunk, not per entry
            future = self._futures[index]
            self._done = future.result() if future is not None else []
            self._done_index = index
        return self._done[offset % self.chunk] if self._done else None


def apply_entry(
    conn: sqlite3.Connection,
    code: str,
    payload: dict[str, Any],
    records_key: nacl.public.PrivateKey | None,
    opened: dict[str, Any] | None = None,
    context: ApplyContext | None = None,
) -> None:
    """Write what a verified entry of office `code` tells other offices (idempotent). `opened` is the entry's
    sealed part when a SealedOpener opened it ahead. With a `context` (a run of entries), plain issuances are
    held back in it: the caller calls `context.flush()` before it commits."""
    kind, time, actor = payload["type"], payload["time"], payload["officer"]
    clear = payload.get("clear") or {}
    if not isinstance(clear, dict):
        raise EntryRejected(_("the entry's clear part is not a map"))
    if kind in ("credential.issued", "credentials.issued"):
        _apply_issued(conn, code, payload, records_key, opened, context)
        return
    if context is not None:
        context.flush()
    try:
        _apply_other(conn, code, kind, time, actor, clear, payload, records_key, opened, context)
    finally:
        if context is not None and kind in ApplyContext.CHANGES_KEYS:
            context.forget_keys()


def _apply_issued(
    conn: sqlite3.Connection,
    code: str,
    payload: dict[str, Any],
    records_key: nacl.public.PrivateKey | None,
    opened: dict[str, Any] | None,
    context: ApplyContext | None,
) -> None:
    kind, actor, clear = payload["type"], payload["officer"], payload["clear"]
    items = [clear] if kind == "credential.issued" else clear.get("credentials") or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise _malformed(_("credentials"))
    links = _links(payload, records_key, kind, opened)
    for item in items:
        cid = item.get("credential")
        supersedes = item.get("supersedes") or []
        if (
            not isinstance(cid, bytes)
            or not all(isinstance(item.get(k), _PLAIN) for k in ("kid", "iat", "exp"))
            or not isinstance(supersedes, list)
            or not all(isinstance(old, bytes) for old in supersedes)
        ):
            raise _malformed(_("credential"))
        row = (cid, links.get(cid, ""), code, item.get("kid"), item.get("iat"), item.get("exp"), f"{code}/{actor}")
        if context is not None and not supersedes:
            context.pending.append(row)
            continue
        if context is not None:
            context.flush()
        for old in supersedes:
            conn.execute(
                "UPDATE credentials SET status = 'superseded', status_changed_at = ? WHERE credential_id = ? "
                "AND office_code = ? AND status = 'active'",
                (item.get("iat"), old, code),
            )
        conn.execute(
            "INSERT OR IGNORE INTO credentials (credential_id, id_number, office_code, kid, issued_at, expires_at, "
            "status, issued_by) VALUES (?, ?, ?, ?, ?, ?, 'active', ?)",
            row,
        )


def _apply_other(
    conn: sqlite3.Connection,
    code: str,
    kind: str,
    time: str,
    actor: str,
    clear: dict[str, Any],
    payload: dict[str, Any],
    records_key: nacl.public.PrivateKey | None,
    opened: dict[str, Any] | None,
    context: ApplyContext | None,
) -> None:
    authority = conn.execute("SELECT CAST(root_public AS BLOB), domain FROM authority WHERE id = 1").fetchone()
    if kind in ("office.certified", "office.key-rotated"):
        cert = clear.get("certificate")
        key = office_key_from_certificate(cert, bytes(authority[0]), str(authority[1]), code) if cert else None
        if key is None:
            raise EntryRejected(
                _("the office certificate in {kind} does not verify under the authority's key").format(kind=kind)
            )
        if kind == "office.certified":
            conn.execute(
                "INSERT OR IGNORE INTO offices (code, name, slot, region, is_local, created_at) VALUES (?, ?, ?, ?, 0, ?)",
                (code, str(clear.get("name", code)), int(clear.get("slot", -1)), clear.get("region"), time),
            )
        else:
            conn.execute(
                "UPDATE office_keys SET valid_until = ? WHERE office_code = ? AND valid_until IS NULL AND kid != ?",
                (time, code, cose.key_id(key)),
            )
        conn.execute(
            "INSERT OR IGNORE INTO office_keys (kid, office_code, public_key, valid_from, certificate) "
            "VALUES (?, ?, ?, ?, ?)",
            (cose.key_id(key), code, key, time, cert),
        )
    elif kind == "office.enrolled":
        other = str(clear.get("office"))
        cert = clear.get("certificate")
        key = office_key_from_certificate(cert, bytes(authority[0]), str(authority[1]), other) if cert else None
        if key is None:
            raise EntryRejected(_("the certificate of the enrolled office does not verify under the authority's key"))
        conn.execute(
            "INSERT OR IGNORE INTO offices (code, name, slot, region, is_local, created_at) VALUES (?, ?, ?, ?, 0, ?)",
            (other, str(clear.get("name", other)), int(clear.get("slot", -1)), clear.get("region"), time),
        )
        conn.execute(
            "INSERT OR IGNORE INTO office_keys (kid, office_code, public_key, valid_from, certificate) "
            "VALUES (?, ?, ?, ?, ?)",
            (cose.key_id(key), other, key, time, cert),
        )
    elif kind in ("officer.enrolled", "officer.key-replaced"):
        cert = clear.get("certificate")
        claims = None
        for office_key in certified_office_keys(conn, code):
            claims = _cert_claims(cert, office_key) if isinstance(cert, bytes) else None
            if claims:
                break
        if not claims or claims.get("office") != code or claims.get("type") != "officer-key":
            raise EntryRejected(
                _("the officer certificate in {kind} does not verify under office {code}'s key").format(
                    kind=kind, code=code
                )
            )
        key = claims.get("key")
        if not isinstance(key, bytes) or len(key) != 32:
            raise EntryRejected(_("the officer certificate holds no Ed25519 key"))
        username = str(claims.get("username"))
        conn.execute(
            "UPDATE ledger_peer_officers SET valid_until = ? WHERE office_code = ? AND username = ? "
            "AND valid_until IS NULL AND kid != ?",
            (time, code, username, cose.key_id(key)),
        )
        conn.execute(
            "INSERT OR IGNORE INTO ledger_peer_officers (kid, office_code, username, role, public_key, valid_from, "
            "certificate) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (cose.key_id(key), code, username, str(claims.get("role")), key, time, cert),
        )
    elif kind == "officer.disabled":
        conn.execute(
            "UPDATE ledger_peer_officers SET valid_until = ? WHERE office_code = ? AND username = ? "
            "AND valid_until IS NULL",
            (time, code, str(clear.get("username"))),
        )
    elif kind == "credential.status":
        if not isinstance(clear.get("credential"), bytes) or not isinstance(clear.get("status"), str):
            raise _malformed(_("credential status"))
        conn.execute(
            "UPDATE credentials SET status = ?, status_changed_at = ? WHERE credential_id = ? AND office_code = ?",
            (clear.get("status"), time, clear.get("credential"), code),
        )
    elif kind in ("citizen.registered", "citizens.imported") and records_key is not None:
        sealed = payload.get("sealed")
        if isinstance(sealed, bytes):
            try:
                record = opened if opened is not None else events.open_record(records_key, sealed)
            except (nacl.exceptions.CryptoError, ValueError, cbor2.CBORDecodeError) as e:
                raise EntryRejected(
                    _("the sealed record does not open with the records key ({error})").format(error=e)
                ) from None
            records = record.get("records") if kind == "citizens.imported" else [record]
            if not isinstance(records, list) or not all(
                isinstance(r, dict) and all(isinstance(r.get(k), _PLAIN) for k in _CITIZEN_FIELDS) for r in records
            ):
                raise _malformed(_("sealed record"))
            for r in records:
                _insert_peer_citizen(conn, code, r, time, actor)


def _links(
    payload: dict[str, Any], records_key: nacl.public.PrivateKey | None, kind: str, opened: dict[str, Any] | None
) -> dict[bytes, str]:
    if records_key is None or not isinstance(payload.get("sealed"), bytes):
        return {}
    try:
        record = opened if opened is not None else events.open_record(records_key, payload["sealed"])
    except (nacl.exceptions.CryptoError, ValueError, cbor2.CBORDecodeError):
        raise EntryRejected(_("the sealed credential link does not open with the records key")) from None
    items = [record] if kind == "credential.issued" else record.get("links") or []
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("credential"), bytes) and isinstance(i.get("id_number"), str)
        for i in items
    ):
        raise _malformed(_("sealed credential link"))
    return {i["credential"]: i["id_number"] for i in items}


#: The fields of a sealed person record that `_insert_peer_citizen` writes as they are.
_CITIZEN_FIELDS = ("id_number", "family_name", "given_name", "birth_date", "sex", "birthplace", "photo")


def _insert_peer_citizen(conn: sqlite3.Connection, code: str, r: dict[str, Any], time: str, actor: str) -> None:
    if not r.get("id_number"):
        return
    lfam, lgiv = str(r.get("latin_family", "")), str(r.get("latin_given", ""))
    conn.execute(
        "INSERT OR IGNORE INTO citizens (id_number, family_name, given_name, latin_family, latin_given, match_key, "
        "birth_date, sex, birthplace, photo, office_code, registered_at, registered_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            r["id_number"],
            r.get("family_name", ""),
            r.get("given_name", ""),
            lfam,
            lgiv,
            names.fold_key(f"{lfam} {lgiv}"),
            r.get("birth_date", ""),
            r.get("sex", "X"),
            r.get("birthplace", ""),
            r.get("photo"),
            code,
            time,
            f"{code}/{actor}",
        ),
    )


def checkpoint_keys(conn: sqlite3.Connection) -> list[dict[str, str]]:
    """Every log's origin and checkpoint verifier keys (C2SP vkeys), for `trust export`: with this list alone
    anyone can check any office's checkpoints. Only keys whose authority certificate verifies are listed."""
    from console.core.ledger.note import Verifier

    row = conn.execute("SELECT domain FROM authority WHERE id = 1").fetchone()
    if row is None:
        return []
    out = []
    for (code,) in conn.execute("SELECT code FROM offices ORDER BY code").fetchall():
        origin = f"{row[0]}/{code}"
        for key in certified_office_keys(conn, code):
            out.append({"office": str(code), "origin": origin, "vkey": Verifier(origin, key).vkey})
    return out
