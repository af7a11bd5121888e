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


def _decode(entry: bytes) -> tuple[cose.Sign1, dict[str, Any]]:
    try:
        message = cose.decode_sign1(entry)
        payload = cbor2.loads(message.payload)
    except (cose.CoseError, ValueError, cbor2.CBORDecodeError, EOFError) as e:
        raise EntryRejected(f"the entry is not a signed event ({e})") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise EntryRejected("the entry is not an event")
    if not isinstance(payload.get("officer"), str) or not isinstance(payload.get("time"), str):
        raise EntryRejected("the entry names no officer or time")
    return message, payload


@dataclass(frozen=True)
class SignatureCheck:
    """One entry's signature, to be checked later (`verify_entry(defer=...)`)."""

    message: cose.Sign1
    key: bytes
    actor: str

    def holds(self) -> bool:
        try:
            cose.verify_sign1(self.message, self.key)
        except cose.CoseSignatureError:
            return False
        return True


def _bad_signature(actor: str) -> str:
    return f"the signature of {actor!r} does not verify: the entry was altered"


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
                    return start + n, _bad_signature(self.checks[start + n].actor)
        for n in range(self._submitted, len(self.checks)):  # the short tail: here, not worth a thread
            if not self.checks[n].holds():
                return n, _bad_signature(self.checks[n].actor)
        return None


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
) -> dict[str, Any]:
    """Check one entry of office `code`'s log against what is known before it; returns the full payload.

    With `defer`, the Ed25519 check itself is handed over instead of made here (everything else is checked):
    the caller must run `first_bad_signature` on what it collected before it commits anything. A sync applies a
    whole log in one transaction, so checking the signatures at the end, in parallel, accepts and refuses exactly
    what checking them one by one would.

    Raises:
        EntryRejected: with the reason.
    """
    message, payload = _decode(entry)
    if payload.get("office") != code:
        raise EntryRejected(f"the entry is for office {payload.get('office')!r}, not {code}")
    actor, kind, time = payload["officer"], payload["type"], payload["time"]
    try:
        kid = message.kid
    except cose.CoseError as e:
        raise EntryRejected(str(e)) from None
    if actor == "authority":
        root = conn.execute("SELECT CAST(root_public AS BLOB) FROM authority WHERE id = 1").fetchone()
        if kind not in ("authority.created", "office.certified", "office.enrolled") or root is None:
            raise EntryRejected(f"the authority key may not sign {kind!r} in an office's log")
        key = bytes(root[0])
    elif actor.startswith("office:"):
        if actor != f"office:{code}" or kind not in OFFICE_KEY_MAY_SIGN:
            raise EntryRejected(f"the office key of {actor[7:]} may not sign {kind!r} in the log of {code}")
        keys = {cose.key_id(k): k for k in certified_office_keys(conn, code)}
        if kid not in keys:
            raise EntryRejected(f"signed by key {kid.hex()}, which the authority never certified for office {code}")
        key = keys[kid]
    else:
        row = conn.execute(
            "SELECT username, role, CAST(public_key AS BLOB), valid_from, valid_until FROM ledger_peer_officers "
            "WHERE kid = ? AND office_code = ?",
            (kid, code),
        ).fetchone()
        if row is None or row[0] != actor:
            raise EntryRejected(f"signed by key {kid.hex()}, which is not a key of officer {actor!r} of office {code}")
        if row[4] is not None and time >= row[4]:
            raise EntryRejected(f"signed by {actor!r} at {time}, after that officer's key was withdrawn ({row[4]})")
        needed = REQUIRED.get(kind)
        if needed is None and kind in REQUIRED:
            raise EntryRejected(f"an officer may not sign {kind!r}")
        if needed is not None:
            try:
                role = Role(row[1])
            except ValueError:
                raise EntryRejected(f"officer {actor!r} has an unknown role {row[1]!r}") from None
            if not allows(role, needed):
                raise EntryRejected(f"officer {actor!r} is a {role.value}, who may not {needed.value} ({kind})")
        key = bytes(row[2])
    if cose.key_id(key) != kid:
        raise EntryRejected(f"signed by key {kid.hex()}, not the key of {actor!r}")
    if defer is not None:
        defer(SignatureCheck(message, key, actor))
    else:
        try:
            cose.verify_sign1(message, key)
        except cose.CoseSignatureError:
            raise EntryRejected(_bad_signature(actor)) from None
    try:
        return officelog.resolve_payload(payload, blob_reader)
    except Exception as e:
        raise EntryRejected(str(e)) from None


#: Entries whose sealed part `apply_entry` opens (when the records key is held).
OPENED = frozenset({"credential.issued", "credentials.issued", "citizen.registered", "citizens.imported"})


class SealedOpener:
    """Opens the sealed parts of a run of entries ahead of `apply_entry`, on worker threads (a sync).

    A SealedBox open is an X25519 multiplication, libsodium's work without the GIL, so it runs on the other cores
    while the sync's thread applies. Nothing here is trusted more than the entry it came from: `apply_entry` uses
    the result only for the entry it was opened from, after `verify_entry`; an entry that fails to open here is
    opened again there, which names the fault. Use it as a context manager (the threads end with it).
    """

    def __init__(
        self, records_key: nacl.public.PrivateKey | None, entries: Sequence[bytes], workers: int = 0, chunk: int = 256
    ) -> None:
        self.key = records_key
        self.chunk = chunk
        self._futures: list[Future[list[dict[str, Any] | None]]] = []
        self._pool: ThreadPoolExecutor | None = None
        workers = workers or min(8, os.cpu_count() or 1)
        if records_key is None or workers < 2 or len(entries) < chunk:
            return
        self._pool = ThreadPoolExecutor(max_workers=workers - 1 or 1, thread_name_prefix="ledger-open")
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

    def get(self, offset: int) -> dict[str, Any] | None:
        """The opened sealed part of entry `offset` of the run, or None (not opened ahead)."""
        if not self._futures:
            return None
        return self._futures[offset // self.chunk].result()[offset % self.chunk]


def apply_entry(
    conn: sqlite3.Connection,
    code: str,
    payload: dict[str, Any],
    records_key: nacl.public.PrivateKey | None,
    opened: dict[str, Any] | None = None,
) -> None:
    """Write what a verified entry of office `code` tells other offices (idempotent). `opened` is the entry's
    sealed part when a SealedOpener opened it ahead."""
    kind, time, actor = payload["type"], payload["time"], payload["officer"]
    clear = payload.get("clear") or {}
    authority = conn.execute("SELECT CAST(root_public AS BLOB), domain FROM authority WHERE id = 1").fetchone()
    if kind in ("office.certified", "office.key-rotated"):
        cert = clear.get("certificate")
        key = office_key_from_certificate(cert, bytes(authority[0]), str(authority[1]), code) if cert else None
        if key is None:
            raise EntryRejected(f"the office certificate in {kind} does not verify under the authority's key")
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
            raise EntryRejected("the certificate of the enrolled office does not verify under the authority's key")
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
            raise EntryRejected(f"the officer certificate in {kind} does not verify under office {code}'s key")
        key = claims.get("key")
        if not isinstance(key, bytes) or len(key) != 32:
            raise EntryRejected("the officer certificate holds no Ed25519 key")
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
    elif kind in ("credential.issued", "credentials.issued"):
        items = [clear] if kind == "credential.issued" else list(clear.get("credentials") or [])
        links = _links(payload, records_key, kind, opened)
        for item in items:
            cid = item.get("credential")
            number = links.get(cid, "") if isinstance(cid, bytes) else ""
            for old in item.get("supersedes") or []:
                conn.execute(
                    "UPDATE credentials SET status = 'superseded', status_changed_at = ? WHERE credential_id = ? "
                    "AND office_code = ? AND status = 'active'",
                    (item.get("iat"), old, code),
                )
            conn.execute(
                "INSERT OR IGNORE INTO credentials (credential_id, id_number, office_code, kid, issued_at, expires_at, "
                "status, issued_by) VALUES (?, ?, ?, ?, ?, ?, 'active', ?)",
                (cid, number, code, item.get("kid"), item.get("iat"), item.get("exp"), f"{code}/{actor}"),
            )
    elif kind == "credential.status":
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
                raise EntryRejected(f"the sealed record does not open with the records key ({e})") from None
            records = record["records"] if kind == "citizens.imported" else [record]
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
        raise EntryRejected("the sealed credential link does not open with the records key") from None
    items = [record] if kind == "credential.issued" else list(record.get("links") or [])
    return {bytes(i["credential"]): str(i["id_number"]) for i in items if isinstance(i, dict)}


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
