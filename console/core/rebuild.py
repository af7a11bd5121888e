"""Key backup and rebuild: a lost office comes back from its published log plus an administrator's key backup.

The signed events are the truth and the tables a cache of them (DESIGN §3), so a rebuild replays the office's
own log, entry by entry, into a fresh office.db: the same registry, ID numbers, credentials (with their QR
texts), status, requests and reviews, officers and keys, counters and status list. Since this issue the events
carry everything a rebuild needs, sealed to the records key where it is personal (docs/ledger.md, "Rebuild").

The key backup (`make_backup`) holds what the log cannot: the authority and office facts the log starts from,
the office's secrets (current and retired signing keys, records key, numbering secret, authority root key), the
secrets' wraps (`key_wraps`) and the officers' keystores (each still under its owner's password, so officers
log in with their own passwords after a rebuild), and the settings that are not events. The CLI seals it under
a passphrase (argon2id + SecretBox, like the keystores).

Invariants: nothing is written outside a staging folder until the whole office is built and checked; office.db
is moved into place last (the commit point, as in set-up). Every entry's signature and every certificate in the
chain authority → office key → officer key is checked while replaying; an entry that fails stops the rebuild.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import cbor2
import nacl.exceptions
import nacl.public
import nacl.signing

from console.core import coding, cose, events, ledgerapply, names, officelog
from console.core.atomic import ensure_private_dir, fsync_dir
from console.core.errors import Conflict, LedgerIntegrityError, PermissionDenied, ValidationError
from console.core.keys import OfficeSecrets, public_key_of
from console.core.ledger import note, proofs
from console.core.ledger.checkpoint import Checkpoint
from console.core.ledger.hashing import leaf_hash, stored_hash_index, stored_hashes_for_record_hash
from console.core.office import OfficePaths
from console.core.roles import Permission
from console.core.store import DB_NAME, PERSONAL_DB_NAME, open_database, transaction
from console.core.timeutil import from_iso, to_iso, utc_now

BACKUP_FORMAT = "id-console-key-backup"
#: Settings that are machinery of this PC, not of the office: never backed up.
LOCAL_SETTINGS = frozenset({"ledger_unhashed_events", "ledger_folder", "ledger_peer"})
#: Tables a rebuild deliberately does not bring back, and why (docs/ledger.md, "Rebuild"; the rebuild test
#: compares every other table row by row).
NOT_REBUILT: dict[str, str] = {
    "dup_pairs": "a cache of the duplicate check, re-indexed from the citizens on the next check",
    "dup_indexed": "how far that cache is indexed (see dup_pairs)",
    "dup_crowded": "part of that cache: the crowded (birth date, sex) groups it indexes (see dup_pairs)",
    "dup_flagged": "part of that cache: citizens whose credential was revoked or suspended (see dup_pairs)",
    "printers": "calibration of this PC's card printers; calibrate the new PC's printer again",
    "foreign_keys": "other authorities' keys imported for verifying; run `trust import` again",
}


@dataclass(frozen=True)
class KeyBackup:
    """What `keys backup` writes (inside the passphrase envelope): see the module docstring."""

    authority: dict[str, Any]
    office: dict[str, Any]
    office_secrets: bytes
    authority_seed: bytes | None
    wraps: list[dict[str, Any]]
    keystores: dict[str, bytes]
    settings: dict[str, str]
    made_at: str
    made_by: str
    log_size: int
    #: Issue 17: the key of the encrypted personal.db, so the rebuilt office is encrypted with the same key (its
    #: officers' 'database' wraps, in `wraps`, open it). None in a backup of an office kept in the clear.
    database_key: bytes | None = None

    def to_bytes(self) -> bytes:
        return cbor2.dumps({"format": BACKUP_FORMAT, "version": 1, **asdict(self)})

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyBackup:
        """Raises ValidationError: not a key backup."""
        try:
            doc = cbor2.loads(data)
            if doc.pop("format") != BACKUP_FORMAT or doc.pop("version") != 1:
                raise ValueError("unknown format")
            backup = cls(**doc)
            OfficeSecrets.from_bytes(backup.office_secrets)
        except Exception as e:
            raise ValidationError("keys", f"The file is not an id-console key backup ({e}).") from None
        return backup

    @property
    def secrets(self) -> OfficeSecrets:
        return OfficeSecrets.from_bytes(self.office_secrets)


def make_backup(session: Any) -> KeyBackup:
    """The key backup of the session's office (administrators: ``key.manage``, and they hold the authority key).

    Raises:
        PermissionDenied: not an administrator, or the keystore holds no authority key.
    """
    session.require(Permission.KEY_MANAGE, "keys backup")
    if session.authority_secrets is None:
        raise PermissionDenied("A key backup needs the authority's root key, which this officer does not hold.")
    office = session.office
    secrets: OfficeSecrets = session.office_keys()
    conn = office.db.conn
    authority = office.authority()
    local = dict(
        zip(
            ("code", "name", "slot", "region", "created_at"),
            conn.execute("SELECT code, name, slot, region, created_at FROM offices WHERE is_local = 1").fetchone(),
            strict=True,
        )
    )
    keystores = {}
    for path in sorted(office.paths.officer_keys.glob("*.keystore")):
        keystores[path.name[: -len(".keystore")]] = path.read_bytes()
    wraps = [
        {"secret": r[0], "username": r[1], "kid": bytes(r[2]), "wrap": bytes(r[3]), "created_at": r[4]}
        for r in conn.execute("SELECT secret, username, kid, wrap, created_at FROM key_wraps ORDER BY secret, username")
    ]
    settings = {
        str(k): str(v) for k, v in conn.execute("SELECT key, value FROM settings") if str(k) not in LOCAL_SETTINGS
    }
    size = conn.execute("SELECT size FROM ledger_head WHERE id = 1").fetchone()
    now = office.clock()
    backup = KeyBackup(
        authority={
            k: (bytes(authority[k]) if isinstance(authority[k], (bytes, memoryview)) else authority[k])
            for k in ("name", "domain", "scheme", "root_public", "records_public", "created_at")
        },
        office={k: local[k] for k in ("code", "name", "slot", "region", "created_at")},
        office_secrets=secrets.to_bytes(),
        authority_seed=session.authority_secrets.root_seed,
        wraps=wraps,
        keystores=keystores,
        settings=settings,
        made_at=to_iso(now),
        made_by=session.username,
        log_size=int(size[0]) if size else 0,
        database_key=office.database_key,
    )
    with transaction(office.db) as c:
        events.audit(
            c,
            now=now,
            officer=session.username,
            action="keys.backup",
            outcome="ok",
            detail=f"key backup of office {local['code']} at log size {backup.log_size}",
        )
    return backup


@dataclass
class RebuildResult:
    """What a rebuild brought back (the CLI prints it)."""

    office: str
    events: int
    citizens: int
    credentials: int
    requests: int
    reviews: int
    officers: int
    warnings: list[str] = field(default_factory=list)


def rebuild_office(
    data_dir: Path,
    backup: KeyBackup,
    entries: Sequence[bytes],
    blobs: Mapping[bytes, bytes],
    checkpoint: bytes,
    folder: str,
) -> RebuildResult:
    """Build the office of `backup` in the empty `data_dir` from its log's `entries` (verified against the
    signed `checkpoint` by the caller), the blobs they name, and the folder it came from.

    Raises:
        Conflict: an office (or a keys folder) is already in `data_dir`.
        LedgerIntegrityError: an entry, certificate or sealed part does not check out (nothing is left behind).
    """
    paths = OfficePaths(data_dir)
    if paths.db.exists() or paths.keys.exists():
        raise Conflict(f"An office is already set up in {data_dir}; rebuild into an empty folder.")
    ensure_private_dir(data_dir)
    staging = data_dir / f".rebuild-{os.urandom(6).hex()}"
    ensure_private_dir(staging)
    try:
        result = _build(OfficePaths(staging), backup, entries, blobs, checkpoint, folder)
        if backup.database_key is not None:  # issue 17: the registry goes back into an encrypted personal.db
            from console.core.atrest import move_personal

            move_personal(staging / DB_NAME, staging / PERSONAL_DB_NAME, backup.database_key)
        (staging / "keys").rename(paths.keys)
        if backup.database_key is not None:
            paths.personal.unlink(missing_ok=True)  # left by a rebuild that never reached its commit point
            os.link(staging / PERSONAL_DB_NAME, paths.personal)
        os.link(staging / DB_NAME, paths.db)
        fsync_dir(data_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _build(
    paths: OfficePaths,
    backup: KeyBackup,
    entries: Sequence[bytes],
    blobs: Mapping[bytes, bytes],
    checkpoint: bytes,
    folder: str,
) -> RebuildResult:
    ensure_private_dir(paths.keys)
    ensure_private_dir(paths.officer_keys)
    for username, data in backup.keystores.items():
        target = paths.officer_keystore(username)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    fsync_dir(paths.officer_keys)
    db = open_database(paths.db, create=True)
    try:
        with transaction(db) as conn:
            replay = _Replay(conn, backup, blobs)
            replay.run(entries)
            replay.finish(checkpoint, folder)
            if backup.database_key is None:  # an office kept in the clear: no wrap may promise a personal.db
                conn.execute("DELETE FROM key_wraps WHERE secret = 'database'")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return replay.result
    finally:
        db.conn.close()


class _Replay:
    """Replays the office's own entries into the tables (inside one transaction)."""

    def __init__(self, conn: sqlite3.Connection, backup: KeyBackup, blobs: Mapping[bytes, bytes]) -> None:
        self.conn = conn
        self.backup = backup
        self.blobs = blobs
        self.secrets = backup.secrets
        self.records = self.secrets.records_key
        self.code = str(backup.office["code"])
        self.a = backup.authority
        if bytes(self.records.public_key) != bytes(self.a["records_public"]):
            raise LedgerIntegrityError("The key backup's records key does not match its authority's records key.")
        self.counters: dict[str, int] = {}
        self.legacy_numbers: list[tuple[str, str, str]] = []  # (id number, birth date, sex) without a counter
        self.settings: dict[str, str] = dict(backup.settings)
        self.last_status_change: str | None = None
        self.result = RebuildResult(self.code, 0, 0, 0, 0, 0, 0)
        conn.execute(
            "INSERT INTO authority (id, name, domain, scheme, root_public, records_public, created_at) "
            "VALUES (1, ?, ?, ?, ?, ?, ?)",
            (
                self.a["name"],
                self.a["domain"],
                self.a["scheme"],
                bytes(self.a["root_public"]),
                bytes(self.a["records_public"]),
                self.a["created_at"],
            ),
        )
        o = backup.office
        conn.execute(
            "INSERT INTO offices (code, name, slot, region, is_local, created_at) VALUES (?, ?, ?, ?, 1, ?)",
            (o["code"], o["name"], int(o["slot"]), o["region"], o["created_at"]),
        )

    # -- the log --------------------------------------------------------------------------------------------

    def run(self, entries: Sequence[bytes]) -> None:
        reader = officelog.SqliteHashReader(self.conn)
        times = [self._time_of(e) for e in entries]
        for n, entry in enumerate(entries):
            seq = n + 1
            try:
                payload = officelog.verify_entry_signature(self.conn, self.code, entry)
                if payload.get("office") != self.code:
                    raise LedgerIntegrityError(f"the entry is for office {payload.get('office')!r}")
                payload = officelog.resolve_payload(payload, self.blobs.get)
            except LedgerIntegrityError as e:
                raise LedgerIntegrityError(f"Entry {n} of the log of {self.code} does not check out: {e}") from None
            digest = cbor2.loads(cose.decode_sign1(entry).payload).get("blob")
            if isinstance(digest, bytes):
                self.conn.execute(
                    "INSERT OR IGNORE INTO ledger_blobs (digest, data) VALUES (?, ?)", (digest, self.blobs[digest])
                )
            # join_office appends the authority's certificate of the office key at join time, in the transaction
            # of the first administrator's enrolment: its row carries that time, not the certificate's.
            created = times[1] if seq == 1 and payload["type"] == "office.certified" and len(times) > 1 else times[n]
            self.conn.execute(
                "INSERT INTO events (seq, type, officer, created_at, entry, published) VALUES (?, ?, ?, ?, ?, 1)",
                (seq, payload["type"], payload["officer"], created, entry),
            )
            hashes = stored_hashes_for_record_hash(n, leaf_hash(entry), reader)
            first = stored_hash_index(0, n)
            self.conn.executemany(
                "INSERT INTO ledger_hashes (idx, hash) VALUES (?, ?)", [(first + i, h) for i, h in enumerate(hashes)]
            )
            try:
                detail = self._apply(payload)
            except LedgerIntegrityError as e:
                raise LedgerIntegrityError(f"Entry {n} of the log of {self.code}: {e}") from None
            except (KeyError, TypeError, ValueError) as e:
                raise LedgerIntegrityError(f"Entry {n} of the log of {self.code} is malformed ({e!r}).") from None
            self.conn.execute(
                "INSERT INTO audit (time, officer, action, outcome, detail, event_seq) VALUES (?, ?, ?, 'ok', ?, ?)",
                (created, payload["officer"], payload["type"], detail, seq),
            )
            self.result.events += 1

    @staticmethod
    def _time_of(entry: bytes) -> str:
        try:
            return str(cbor2.loads(cose.decode_sign1(entry).payload)["time"])
        except Exception:
            return ""

    def _open(self, payload: dict[str, Any]) -> dict[str, Any]:
        sealed = payload.get("sealed")
        if not isinstance(sealed, bytes):
            return {}
        try:
            return events.open_record(self.records, sealed)
        except (nacl.exceptions.CryptoError, ValueError, cbor2.CBORDecodeError) as e:
            raise LedgerIntegrityError(f"its sealed part does not open with the records key ({e})") from None

    def _apply(self, payload: dict[str, Any]) -> str:
        """Write what one entry says; returns the audit detail the console wrote with it."""
        kind, time, actor = str(payload["type"]), str(payload["time"]), str(payload["officer"])
        clear: dict[str, Any] = payload.get("clear") or {}
        c = self.conn
        if kind == "authority.created":
            if clear.get("root_key") != bytes(self.a["root_public"]):
                raise LedgerIntegrityError("the log's authority is not the key backup's authority")
            return ""
        if kind in ("office.certified", "office.key-rotated", "office.enrolled"):
            other = str(clear.get("office", self.code)) if kind == "office.enrolled" else self.code
            cert = clear.get("certificate")
            key = (
                ledgerapply.office_key_from_certificate(
                    cert, bytes(self.a["root_public"]), str(self.a["domain"]), other
                )
                if isinstance(cert, bytes)
                else None
            )
            if key is None:
                raise LedgerIntegrityError(f"the office certificate in {kind} does not verify under the authority key")
            if kind == "office.enrolled":
                c.execute(
                    "INSERT OR IGNORE INTO offices (code, name, slot, region, is_local, created_at) "
                    "VALUES (?, ?, ?, ?, 0, ?)",
                    (other, str(clear.get("name", other)), int(clear.get("slot", -1)), clear.get("region"), time),
                )
            if kind == "office.key-rotated":
                c.execute(
                    "UPDATE office_keys SET valid_until = ? WHERE office_code = ? AND valid_until IS NULL",
                    (time, other),
                )
            c.execute(
                "INSERT INTO office_keys (kid, office_code, public_key, valid_from, certificate) VALUES (?, ?, ?, ?, ?)",
                (cose.key_id(key), other, key, time, cert),
            )
            if kind == "office.enrolled":
                return f"enrolled office {other} in slot {clear.get('slot')} (by {clear.get('by', '?')})"
            return f"new office key {cose.key_id(key).hex()}" if kind == "office.key-rotated" else ""
        if kind in ("officer.enrolled", "officer.key-replaced"):
            claims = self._officer_claims(clear.get("certificate"))
            username, role, key = str(claims["username"]), str(claims["role"]), bytes(claims["key"])
            if kind == "officer.enrolled":
                full_name = str(self._open(payload).get("full_name") or username)
                created_by = None if actor.startswith("office:") else actor
                c.execute(
                    "INSERT INTO officers (username, full_name, role, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                    (username, full_name, role, time, created_by),
                )
            else:
                c.execute(
                    "UPDATE officer_keys SET valid_until = ? WHERE username = ? AND valid_until IS NULL",
                    (time, username),
                )
            c.execute(
                "INSERT INTO officer_keys (kid, username, role, public_key, valid_from, certificate) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (cose.key_id(key), username, role, key, time, clear["certificate"]),
            )
            self.result.officers += kind == "officer.enrolled"
            if kind == "officer.enrolled":
                return f"enrolled {username} as {role}"
            return f"password reset for {username}"
        if kind == "officer.disabled":
            username = str(clear["username"])
            c.execute("UPDATE officers SET status = 'disabled' WHERE username = ?", (username,))
            c.execute(
                "UPDATE officer_keys SET valid_until = ? WHERE username = ? AND valid_until IS NULL", (time, username)
            )
            return f"disabled {username}"
        if kind == "officer.unlocked":
            return f"unlocked {clear['username']}"
        if kind == "settings.changed":
            self.settings[str(clear["key"])] = str(clear["value"])
            return f"{clear['key']} = {clear['value']}"
        if kind == "registration.held":
            held = self._open(payload)
            if held:
                self._hold(int(clear["review"]), held, actor, time)
            return f"review {clear['review']}: {clear.get('candidates')} possible duplicate(s)"
        if kind == "registration.rejected":
            note_text = self._open(payload).get("note")
            c.execute(
                "UPDATE registrations SET status = 'rejected', decided_by = ?, decided_at = ?, note = ?, photo = NULL "
                "WHERE id = ?",
                (actor, time, note_text, int(clear["review"])),
            )
            return f"review {clear['review']} rejected"
        if kind == "citizen.registered":
            record = self._open(payload)
            review = clear.get("review")
            registered_by, approved_by = actor, None
            if isinstance(review, int):
                row = c.execute("SELECT requested_by FROM registrations WHERE id = ?", (review,)).fetchone()
                registered_by, approved_by = (str(row[0]) if row else actor), actor
                c.execute(
                    "UPDATE registrations SET status = 'accepted', decided_by = ?, decided_at = ?, note = ?, "
                    "id_number = ? WHERE id = ?",
                    (actor, time, record.get("review_note", ""), record.get("id_number"), review),
                )
            self._citizen(record, time, registered_by, approved_by, record.get("counter"))
            number = record.get("id_number")
            if isinstance(review, int):
                return f"review {review} accepted: registered {number}"
            return f"registered {number}"
        if kind == "citizens.imported":
            bundle = self._open(payload)
            records = list(bundle.get("records") or [])
            for r in records:
                self._citizen(r, time, actor, None, None)
            self._counters(bundle.get("counters"))
            for h in bundle.get("held") or []:
                self._hold(int(h["review"]), h, actor, time)
            return f"imported {len(records)}, held {len(clear.get('held') or [])} for review"
        if kind in ("credential.issued", "credentials.issued"):
            opened = self._open(payload)
            items = [clear] if kind == "credential.issued" else list(clear.get("credentials") or [])
            links = [opened] if kind == "credential.issued" else list(opened.get("links") or [])
            by_id = {bytes(link["credential"]): link for link in links if isinstance(link, dict)}
            numbers = []
            for item in items:
                link = by_id.get(bytes(item["credential"]), {})
                numbers.append(str(link.get("id_number", "")))
                self._credential(item, link, actor)
            self.last_status_change = time
            if kind == "credential.issued":
                sup = list(clear.get("supersedes") or [])
                return f"issued {bytes(clear['credential']).hex()} to {numbers[0]}" + (
                    f", superseding {', '.join(bytes(s).hex() for s in sup)}" if sup else ""
                )
            return f"issued {len(items)} credentials: " + ", ".join(numbers[:20]) + (" …" if len(items) > 20 else "")
        if kind == "request.created":
            cid = bytes(clear["credential"])
            row = c.execute("SELECT id_number FROM credentials WHERE credential_id = ?", (cid,)).fetchone()
            reason = str(self._open(payload).get("reason", ""))
            c.execute(
                "INSERT INTO requests (id, action, credential_id, id_number, reason, status, requested_by, "
                "requested_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                (int(clear["request"]), clear["action"], cid, row[0] if row else "", reason, actor, time),
            )
            self.result.requests += 1
            return f"request {clear['request']}: {clear['action']} {cid.hex()}: {reason}"
        if kind in ("credential.status", "request.rejected"):
            note_text = self._open(payload).get("note")
            request = clear.get("request")
            status = "approved" if kind == "credential.status" else "rejected"
            if isinstance(request, int):
                c.execute(
                    "UPDATE requests SET status = ?, decided_by = ?, decided_at = ?, note = ? WHERE id = ?",
                    (status, actor, time, note_text if note_text is not None else "", request),
                )
            if kind == "request.rejected":
                return f"request {request} rejected: {note_text}"
            cid = bytes(clear["credential"])
            c.execute(
                "UPDATE credentials SET status = ?, status_changed_at = ? WHERE credential_id = ?",
                (clear["status"], time, cid),
            )
            self.last_status_change = time
            return f"request {request} approved: {cid.hex()} is {clear['status']}"
        return ""

    def _officer_claims(self, cert: Any) -> dict[str, Any]:
        if isinstance(cert, bytes):
            for key in ledgerapply.certified_office_keys(self.conn, self.code):
                try:
                    claims = cbor2.loads(cose.verify_sign1(cose.decode_sign1(cert), key))
                except (cose.CoseError, cose.CoseSignatureError, ValueError, cbor2.CBORDecodeError):
                    continue
                if (
                    isinstance(claims, dict)
                    and claims.get("type") == "officer-key"
                    and claims.get("office") == self.code
                    and isinstance(claims.get("key"), bytes)
                    and len(claims["key"]) == 32
                ):
                    return claims
        raise LedgerIntegrityError("the officer certificate does not verify under a certified office key")

    def _hold(self, review: int, held: dict[str, Any], actor: str, time: str) -> None:
        p = held["person"]
        self.conn.execute(
            "INSERT INTO registrations (id, status, family_name, given_name, latin_family, latin_given, birth_date, "
            "sex, birthplace, photo, candidates, requested_by, requested_at) "
            "VALUES (?, 'pending-review', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                review,
                p["family_name"],
                p["given_name"],
                p["latin_family"],
                p["latin_given"],
                p["birth_date"],
                p["sex"],
                p["birthplace"],
                p.get("photo"),
                json.dumps(held.get("candidates") or [], ensure_ascii=False),
                actor,
                time,
            ),
        )
        self.result.reviews += 1

    def _citizen(self, r: dict[str, Any], time: str, registered_by: str, approved_by: str | None, counter: Any) -> None:
        lfam, lgiv = str(r["latin_family"]), str(r["latin_given"])
        self.conn.execute(
            "INSERT INTO citizens (id_number, family_name, given_name, latin_family, latin_given, match_key, "
            "birth_date, sex, birthplace, photo, office_code, registered_at, registered_by, approved_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                r["id_number"],
                r["family_name"],
                r["given_name"],
                lfam,
                lgiv,
                names.fold_key(f"{lfam} {lgiv}"),
                r["birth_date"],
                r["sex"],
                r["birthplace"],
                r.get("photo"),
                self.code,
                time,
                registered_by,
                approved_by,
            ),
        )
        self.result.citizens += 1
        if isinstance(counter, dict):
            self._counters(counter)
        else:
            self.legacy_numbers.append((str(r["id_number"]), str(r["birth_date"]), str(r["sex"])))

    def _counters(self, counters: Any) -> None:
        if isinstance(counters, dict):
            for key, value in counters.items():
                self.counters[str(key)] = max(self.counters.get(str(key), 0), int(value))

    def _credential(self, item: dict[str, Any], link: dict[str, Any], actor: str) -> None:
        c = self.conn
        for old in item.get("supersedes") or []:
            c.execute(
                "UPDATE credentials SET status = 'superseded', status_changed_at = ? WHERE credential_id = ? "
                "AND status = 'active'",
                (item["iat"], bytes(old)),
            )
        c.execute(
            "INSERT INTO credentials (credential_id, id_number, office_code, kid, issued_at, expires_at, status, qr, "
            "issued_by, status_idx) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)",
            (
                bytes(item["credential"]),
                str(link.get("id_number", "")),
                self.code,
                bytes(item["kid"]),
                item["iat"],
                item["exp"],
                link.get("qr"),
                actor,
                item.get("status_idx"),
            ),
        )
        self.result.credentials += 1

    # -- after the log --------------------------------------------------------------------------------------

    def finish(self, checkpoint: bytes, folder: str) -> None:
        c = self.conn
        size = self.result.events
        origin = officelog.log_origin(c, self.code)
        reader = officelog.SqliteHashReader(c)
        root = proofs.tree_hash(size, reader) if size else proofs.tree_hash(0, reader)
        signing = self._key_in_force(None)
        head = Checkpoint(origin, size, root)
        signed = note.sign(head.body(), [note.Signer(officelog.head_key_name(origin, f"office:{self.code}"), signing)])
        c.execute("INSERT INTO ledger_head (id, size, root, note) VALUES (1, ?, ?, ?)", (size, root, signed))
        c.execute(
            "INSERT INTO ledger_published (id, size, checkpoint, updated_at) VALUES (1, ?, ?, ?)",
            (size, checkpoint, to_iso(utc_now())),
        )
        self._work_back_counters()
        c.executemany("INSERT INTO counters (key, value) VALUES (?, ?)", sorted(self.counters.items()))
        self.settings["ledger_folder"] = folder
        c.executemany("INSERT INTO settings (key, value) VALUES (?, ?)", sorted(self.settings.items()))
        for w in self.backup.wraps:
            c.execute(
                "INSERT INTO key_wraps (secret, username, kid, wrap, created_at) VALUES (?, ?, ?, ?, ?)",
                (w["secret"], w["username"], bytes(w["kid"]), bytes(w["wrap"]), w["created_at"]),
            )
        self._status_list()
        in_force = c.execute(
            "SELECT CAST(public_key AS BLOB) FROM office_keys WHERE office_code = ? AND valid_until IS NULL",
            (self.code,),
        ).fetchone()
        held = {public_key_of(s) for s in self.secrets.signing_seeds}
        if in_force is not None and bytes(in_force[0]) not in held:
            self.result.warnings.append(
                "The office key in force was certified after this key backup was made: the office cannot sign "
                "credentials until an administrator runs `key rotate` (and then makes a new backup)."
            )
        if self.backup.log_size > size:
            self.result.warnings.append(
                f"The key backup was made at log size {self.backup.log_size} but the folder holds only {size} "
                "entries: changes not published before the loss are gone."
            )

    def _key_in_force(self, at: str | None) -> nacl.signing.SigningKey:
        """The office signing key in force at time `at` (None: now) among the backup's keys."""
        rows = self.conn.execute(
            "SELECT CAST(public_key AS BLOB), valid_from, valid_until FROM office_keys WHERE office_code = ? "
            "ORDER BY valid_from DESC",
            (self.code,),
        ).fetchall()
        seeds = {public_key_of(s): s for s in self.secrets.signing_seeds}
        for public, start, end in rows:
            if bytes(public) in seeds and (at is None or (start <= at and (end is None or at < end))):
                return nacl.signing.SigningKey(seeds[bytes(public)])
        for public, _start, _end in rows:  # a key backup older than the last rotation: sign with what it holds
            if bytes(public) in seeds:
                return nacl.signing.SigningKey(seeds[bytes(public)])
        return nacl.signing.SigningKey(self.secrets.signing_seeds[-1])

    def _status_list(self) -> None:
        from console.core import statusservice

        c = self.conn
        assigned = int(
            c.execute(
                "SELECT COUNT(*) FROM credentials WHERE office_code = ? AND status_idx IS NOT NULL", (self.code,)
            ).fetchone()[0]
        )
        if self.last_status_change is None:
            return
        size = statusservice.INITIAL_SIZE
        while 2 * assigned > size:
            size *= 2
        c.execute(
            "INSERT INTO status_lists (office_code, size, assigned) VALUES (?, ?, ?)", (self.code, size, assigned)
        )
        issuer = f"https://{self.a['domain']}/{self.code}"
        at = self.last_status_change
        # office=None: these rows were just replayed from verified events, so there is no table edit to withhold
        statusservice.remake(c, self.code, issuer, self._key_in_force(at), from_iso(at), office=None)

    def _work_back_counters(self) -> None:
        """Counters of numbers registered before events recorded them: the counter after the highest one used.

        Each allocation walks its key's counter upwards from where it stood, so the counter to keep is one past
        the counter of the highest number handed out under that key; walking the allocator from the recorded
        value until every such number is found gives it (at most a few counters per number).
        """
        if not self.legacy_numbers:
            return
        allocator = coding.allocator_for(
            coding.OfficePartition(
                str(self.a["scheme"]),
                int(self.backup.office["slot"]),
                self.backup.office["region"],
                self.secrets.numbering_secret,
            )
        )
        wanted: dict[str, set[str]] = {}
        dates: dict[str, tuple[Any, str]] = {}
        for number, birth, sex in self.legacy_numbers:
            key = allocator.counter_key(date.fromisoformat(birth), sex)
            wanted.setdefault(key, set()).add(number)
            dates[key] = (date.fromisoformat(birth), sex)
        for key, numbers in wanted.items():
            birth_date, sex = dates[key]
            counter, last_found = 0, self.counters.get(key, 0)
            capacity = allocator.capacity(birth_date, sex)
            while numbers and counter < capacity:
                with contextlib.suppress(coding.NumberExhaustedError):
                    found = allocator.number(counter, birth_date, sex)
                    if found in numbers:
                        numbers.discard(found)
                        last_found = max(last_found, counter + 1)
                counter += 1
            self.counters[key] = last_found
