"""`ledger verify`, the database half: office.db's tables checked against the office's signed events.

The tables are a cache of the signed log. This check verifies the log itself (officelog.verify_events: every
event present, in order, under the signed head), every event's signature, and then replays the events into a
model of what the tables must hold and compares row by row: officers and their roles and status, officer and
office keys, credentials and their status, requests and decisions, duplicate reviews, the audit rows of events,
and citizens (field by field against the sealed records where the records key is held, else by count). A row
changed, added or deleted with sqlite3 is reported with its table and key. Rows learnt from other offices'
logs are checked by `ledger verify --folder` against those logs.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cbor2
import nacl.exceptions
import nacl.public

from console.core import cose, events, officelog
from console.core.accounts import Session
from console.core.errors import LedgerIntegrityError, PermissionDenied
from console.core.roles import Permission


@dataclass(frozen=True)
class Fault:
    """One disagreement: the table, the row's key, and a sentence."""

    table: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.table} {self.key}: {self.message}" if self.key else f"{self.table}: {self.message}"


@dataclass
class _Model:
    officers: dict[str, dict[str, str]] = field(default_factory=dict)
    officer_keys: dict[bytes, tuple[str, str, bytes]] = field(default_factory=dict)
    office_keys: dict[bytes, bytes] = field(default_factory=dict)
    credentials: dict[bytes, dict[str, Any]] = field(default_factory=dict)
    requests: dict[int, dict[str, Any]] = field(default_factory=dict)
    reviews: dict[int, str] = field(default_factory=dict)
    citizens: dict[str, dict[str, Any]] = field(default_factory=dict)
    registered: int = 0
    audit: dict[int, tuple[str, str]] = field(default_factory=dict)


class _Malformed(Exception):
    """A validly signed event whose content is not what its type holds (only a faulty console or a stolen key
    signs one): named as a fault of that event, and nothing of it is replayed."""


def _map(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Malformed(f"{what} is not a map")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Malformed(f"{what} is not a list")
    return value


def _bytes(value: Any, what: str) -> bytes:
    if not isinstance(value, bytes):
        raise _Malformed(f"{what} is not bytes")
    return value


def _number(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Malformed(f"{what} is not a whole number")
    return value


def _certified_key(cert: Any) -> tuple[dict[str, Any], bytes]:
    """The claims of an event's certificate and the Ed25519 key they certify (its signature is checked at login
    and by `ledger sync`; here it is the content that must be a certificate of a key)."""
    try:
        claims = cbor2.loads(cose.decode_sign1(cert).payload)
    except Exception:  # whatever the decoder raises on junk, the event carries no certificate
        raise _Malformed("clear.certificate is not a COSE_Sign1 certificate") from None
    key = _map(claims, "the certificate's content").get("key")
    if not isinstance(key, bytes) or len(key) != 32:
        raise _Malformed("the certificate holds no Ed25519 key")
    return claims, key


def _replay(model: _Model, seq: int, payload: dict[str, Any], records_key: nacl.public.PrivateKey | None) -> None:
    """Replay one verified event into the model.

    Raises:
        _Malformed: the event's content is not what its type holds; the model is unchanged (every branch reads
            and checks all it needs before it writes).
    """
    kind, actor = payload.get("type"), payload["officer"]
    if not isinstance(kind, str):
        raise _Malformed("its type is not a name")
    clear = _map(payload.get("clear") or {}, "clear")
    if kind in ("officer.enrolled", "officer.key-replaced"):
        claims, key = _certified_key(clear.get("certificate"))
        username = str(clear.get("username"))
        if kind == "officer.enrolled":
            model.officers[username] = {"role": str(clear.get("role")), "status": "active"}
        model.officer_keys[cose.key_id(key)] = (username, str(claims.get("role")), key)
    elif kind == "officer.disabled":
        if str(clear.get("username")) in model.officers:
            model.officers[str(clear["username"])]["status"] = "disabled"
    elif kind in ("office.certified", "office.key-rotated"):
        key = _certified_key(clear.get("certificate"))[1]
        model.office_keys[cose.key_id(key)] = key
    elif kind in ("credential.issued", "credentials.issued"):
        _replay_issued(model, kind, clear, _open(records_key, payload.get("sealed")))
    elif kind == "credential.status":
        cid = _bytes(clear.get("credential"), "clear.credential")
        if cid in model.credentials:
            model.credentials[cid]["status"] = clear.get("status")
        request = clear.get("request")
        if isinstance(request, int) and request in model.requests:
            model.requests[request].update(status="approved", decided_by=actor)
    elif kind == "request.created":
        model.requests[_number(clear.get("request"), "clear.request")] = {
            "action": clear.get("action"),
            "credential": clear.get("credential"),
            "status": "pending",
            "requested_by": actor,
            "decided_by": None,
        }
    elif kind == "request.rejected":
        rid = _number(clear.get("request"), "clear.request")
        if rid in model.requests:
            model.requests[rid].update(status="rejected", decided_by=actor)
    elif kind == "registration.held":
        model.reviews[_number(clear.get("review"), "clear.review")] = "pending-review"
    elif kind == "registration.rejected":
        model.reviews[_number(clear.get("review"), "clear.review")] = "rejected"
    elif kind in ("citizen.registered", "citizens.imported"):
        _replay_registered(model, kind, clear, _open(records_key, payload.get("sealed")))
    model.audit[seq] = (kind, actor)


def _replay_issued(model: _Model, kind: str, clear: dict[str, Any], links: dict[str, Any] | None) -> None:
    if kind == "credential.issued":
        items = [("clear", clear)]
    else:
        listed = _list(clear.get("credentials"), "clear.credentials")
        items = [(f"clear.credentials[{i}]", _map(item, f"clear.credentials[{i}]")) for i, item in enumerate(listed)]
    issued = []
    for where, item in items:
        cid = _bytes(item.get("credential"), f"{where}.credential")
        olds = [_bytes(old, f"{where}.supersedes") for old in _list(item.get("supersedes"), f"{where}.supersedes")]
        issued.append((cid, item.get("kid"), olds))
    numbers = {}
    if links is not None:
        for link in [links] if kind == "credential.issued" else _list(links.get("links"), "the sealed links"):
            link = _map(link, "a sealed link")
            numbers[_bytes(link.get("credential"), "a sealed link's credential")] = str(link.get("id_number"))
    for cid, kid, olds in issued:
        for old in olds:
            if old in model.credentials:
                model.credentials[old]["status"] = "superseded"
        model.credentials[cid] = {"status": "active", "kid": kid, "id_number": numbers.get(cid)}


def _replay_registered(model: _Model, kind: str, clear: dict[str, Any], record: dict[str, Any] | None) -> None:
    if kind == "citizen.registered":
        count, reviews, states = 1, [clear.get("review")], "accepted"
        records = [] if record is None else [record]
    else:
        count = len(_list(clear.get("subjects"), "clear.subjects"))
        reviews, states = _list(clear.get("held"), "clear.held"), "pending-review"  # an import holds likely duplicates
        listed = [] if record is None else record.get("records")
        if not isinstance(listed, list):  # unlike the clear part's lists, never left out
            raise _Malformed("the sealed records is not a list")
        records = [_map(r, f"the sealed records[{i}]") for i, r in enumerate(listed)]
    model.registered += count
    for review in reviews:
        if isinstance(review, int):
            model.reviews[review] = states
    for r in records:
        model.citizens[str(r.get("id_number"))] = r


def _open(records_key: nacl.public.PrivateKey | None, sealed: Any) -> dict[str, Any] | None:
    if records_key is None or not isinstance(sealed, bytes):
        return None
    try:
        return events.open_record(records_key, sealed)
    except (nacl.exceptions.CryptoError, ValueError, cbor2.CBORDecodeError):
        return None


def verify_office(session: Session, progress: Callable[[int, int], None] | None = None) -> list[Fault]:
    """`verify_database` for an officer (auditors and administrators: ``ledger.verify``).

    Sealed records are compared with their rows where the officer holds the records key; auditors hold no
    keys, so for them citizens are checked by count.
    """
    session.require(Permission.LEDGER_VERIFY, "ledger verify")
    try:
        records = session.office_keys().records_key
    except PermissionDenied:
        records = None
    return verify_database(session.office.db.conn, records, progress)


def verify_database(
    conn: sqlite3.Connection,
    records_key: nacl.public.PrivateKey | None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Fault]:
    """Every disagreement between office.db and the office's signed events (empty: all is well)."""
    # (officelog's sentences name the table themselves; the fault names it once)
    faults = [Fault("events", "", p.removeprefix("events: ")) for p in officelog.verify_events(conn, progress)]
    code = officelog.local_office_code(conn)
    model = _Model()
    blobs = officelog.db_blob_reader(conn)
    for seq, entry in officelog.iter_entries(conn):
        try:
            payload = officelog.verify_entry_signature(conn, code, entry)
            payload = officelog.resolve_payload(payload, blobs)
        except LedgerIntegrityError as e:
            faults.append(Fault("events", f"seq {seq}", str(e)))
            continue
        # The keys an event's signer used must exist before later events are checked against them.
        try:
            _replay(model, seq, payload, records_key)
        except _Malformed as e:
            kind = payload.get("type")
            faults.append(
                Fault(
                    "events",
                    f"seq {seq}",
                    f"{kind!r} signed by {payload['officer']!r} is malformed ({e}); it was not replayed",
                )
            )
    faults += _compare(conn, code, model, records_key is not None)
    return faults


def _compare(conn: sqlite3.Connection, code: str, m: _Model, have_records: bool) -> list[Fault]:
    out: list[Fault] = []
    rows = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT username, role, status FROM officers")}
    for username, (role, status) in rows.items():
        want = m.officers.get(username)
        if want is None:
            out.append(Fault("officers", username, "no signed enrolment of this officer; the row was added"))
            continue
        if role != want["role"]:
            out.append(Fault("officers", username, f"role is {role!r} but the signed enrolment says {want['role']!r}"))
        if status != want["status"]:
            out.append(
                Fault("officers", username, f"status is {status!r} but the signed events say {want['status']!r}")
            )
    for username in m.officers.keys() - rows.keys():
        out.append(Fault("officers", username, "enrolled in the signed events but the row is missing"))
    keys = {
        bytes(r[0]): (r[1], r[2], bytes(r[3]))
        for r in conn.execute("SELECT CAST(kid AS BLOB), username, role, CAST(public_key AS BLOB) FROM officer_keys")
    }
    for kid, value in keys.items():
        if m.officer_keys.get(kid) != value:
            out.append(
                Fault(
                    "officer_keys", kid.hex(), "this officer key (or its role) is not the one the signed events certify"
                )
            )
    for kid in m.officer_keys.keys() - keys.keys():
        out.append(Fault("officer_keys", kid.hex(), "certified in the signed events but the row is missing"))
    office = {
        bytes(r[0]): bytes(r[1])
        for r in conn.execute(
            "SELECT CAST(kid AS BLOB), CAST(public_key AS BLOB) FROM office_keys WHERE office_code = ?", (code,)
        )
    }
    for kid, key in office.items():
        if m.office_keys.get(kid) != key:
            out.append(
                Fault(
                    "office_keys", kid.hex(), "this office key is not one the authority certified in the signed events"
                )
            )
    for kid in m.office_keys.keys() - office.keys():
        out.append(Fault("office_keys", kid.hex(), "certified in the signed events but the row is missing"))
    creds = {
        bytes(r[0]): (r[1], bytes(r[2]) if r[2] is not None else None, r[3])
        for r in conn.execute(
            "SELECT CAST(credential_id AS BLOB), status, CAST(kid AS BLOB), id_number FROM credentials WHERE office_code = ?",
            (code,),
        )
    }
    for cid, (status, used_kid, number) in creds.items():
        wc = m.credentials.get(cid)
        if wc is None:
            out.append(Fault("credentials", cid.hex(), "no signed issuance of this credential; the row was added"))
            continue
        if status != wc["status"]:
            out.append(
                Fault("credentials", cid.hex(), f"status is {status!r} but the signed events say {wc['status']!r}")
            )
        if used_kid != wc["kid"]:
            out.append(Fault("credentials", cid.hex(), "the signing key differs from the signed issuance"))
        if wc["id_number"] is not None and number != wc["id_number"]:
            out.append(Fault("credentials", cid.hex(), "the holder's ID number differs from the signed issuance"))
    for cid in m.credentials.keys() - creds.keys():
        out.append(Fault("credentials", cid.hex(), "issued in the signed events but the row is missing"))
    reqs = {
        int(r[0]): (r[1], bytes(r[2]) if r[2] is not None else None, r[3], r[4], r[5])
        for r in conn.execute(
            "SELECT id, action, CAST(credential_id AS BLOB), status, requested_by, decided_by FROM requests"
        )
    }
    for rid, (action, target, status, by, decided) in reqs.items():
        wr = m.requests.get(rid)
        if wr is None:
            out.append(Fault("requests", str(rid), "no signed request; the row was added"))
            continue
        if (action, target, by) != (wr["action"], wr["credential"], wr["requested_by"]):
            out.append(
                Fault("requests", str(rid), "the action, credential or requester differs from the signed request")
            )
        if status != wr["status"]:
            out.append(Fault("requests", str(rid), f"status is {status!r} but the signed events say {wr['status']!r}"))
        elif wr["decided_by"] is not None and decided != wr["decided_by"]:
            out.append(Fault("requests", str(rid), "decided by another officer than the signed decision says"))
    for rid in m.requests.keys() - reqs.keys():
        out.append(Fault("requests", str(rid), "made in the signed events but the row is missing"))
    regs = {int(r[0]): r[1] for r in conn.execute("SELECT id, status FROM registrations")}
    for rid, status in regs.items():
        want_status = m.reviews.get(rid)
        if want_status is None:
            out.append(Fault("registrations", str(rid), "no signed hold for review; the row was added"))
        elif status != want_status:
            out.append(
                Fault("registrations", str(rid), f"status is {status!r} but the signed events say {want_status!r}")
            )
    for rid in m.reviews.keys() - regs.keys():
        out.append(Fault("registrations", str(rid), "held in the signed events but the row is missing"))
    audit = {
        int(r[0]): (r[1], r[2])
        for r in conn.execute("SELECT event_seq, action, officer FROM audit WHERE event_seq IS NOT NULL")
    }
    for seq, (kind, actor) in m.audit.items():
        if seq not in audit:
            out.append(Fault("audit", f"event {seq}", "the audit row of this signed event is missing"))
        elif audit[seq] != (kind, actor):
            out.append(Fault("audit", f"event {seq}", "the audit row differs from the signed event"))
    out += _compare_citizens(conn, code, m, have_records)
    return out


_FIELDS = ("family_name", "given_name", "birth_date", "sex", "birthplace")


def _compare_citizens(conn: sqlite3.Connection, code: str, m: _Model, have_records: bool) -> list[Fault]:
    out: list[Fault] = []
    if not have_records:
        count = int(conn.execute("SELECT COUNT(*) FROM citizens WHERE office_code = ?", (code,)).fetchone()[0])
        if count != m.registered:
            out.append(Fault("citizens", "", f"{count} rows but the signed events register {m.registered} people"))
        return out
    seen = set()
    for row in conn.execute(
        "SELECT id_number, family_name, given_name, birth_date, sex, birthplace, photo FROM citizens WHERE office_code = ?",
        (code,),
    ):
        number = str(row[0])
        seen.add(number)
        record = m.citizens.get(number)
        if record is None:
            out.append(Fault("citizens", number, "no signed registration of this number; the row was added"))
            continue
        for name, value in zip(_FIELDS, row[1:6], strict=True):
            if str(value) != str(record.get(name)):
                out.append(Fault("citizens", number, f"{name} differs from the sealed record"))
        if _digest(row[6]) != _digest(record.get("photo")):
            out.append(Fault("citizens", number, "the photo differs from the sealed record"))
    for number in m.citizens.keys() - seen:
        out.append(Fault("citizens", number, "registered in the signed events but the row is missing"))
    return out


def _digest(value: Any) -> bytes:
    return hashlib.sha256(bytes(value)).digest() if value else b""
