"""At-use checks: the console acts on signed data, and treats its tables as a cache of it (DESIGN §3).

Anyone with write access to the data folder can edit ``office.db`` with ``sqlite3``. So every fact the
console decides on is checked against signatures where it is used, and a table that disagrees is refused
with a sentence naming the row (`TamperedError`):

- **Officers** (role, key, disabled): replayed from the office's signed events, anchored at the authority
  root key. An officer key counts only if an administrator's signed ``officer.enrolled`` or
  ``officer.key-replaced`` event carries its certificate (signed by a certified office key); the first
  enrolment (set-up) is signed by the office key itself. ``officer.disabled`` and ``officer.key-replaced``
  end a key at that event's position in the log: an event signed later with that key is not believed, even if
  it claims an earlier time.
- **Office keys**: a row of ``office_keys`` is trusted (trust list, ``verify``, ``trust export``, signing)
  only if its ``certificate`` is the authority root's signature over that key, office and start; its end is
  the start of the office's next certified key.
- **Credentials**: a credential's status is its latest signed event (issuance, ``credential.status``, or a
  newer issuance that supersedes it); a row that says otherwise, or a row with no signed issuance behind it,
  is refused.
- **Requests**: a request acts only if its signed ``request.created`` event is there.

Invariants: nothing here writes; the caches live on the `Office` object, are keyed by the log's size, and
are rebuilt when it grows. Completeness of the log (a deleted event) is the ledger's check (`ledger verify`),
not this module's.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import cbor2

from console.core import cose
from console.core.errors import LedgerIntegrityError
from console.core.i18n import _
from console.core.office import DEFAULT_SETTINGS, Office

logger = logging.getLogger(__name__)

ROSTER_TYPES = (
    "authority.created",
    "office.certified",
    "office.key-rotated",
    "officer.enrolled",
    "officer.key-replaced",
    "officer.disabled",
)
ISSUE_TYPES = ("credential.issued", "credentials.issued")
STATUS_TYPE = "credential.status"
ISSUING_ROLES = frozenset({"clerk", "supervisor"})
DECIDING_ROLES = frozenset({"supervisor"})
ADMIN = "administrator"
_GROUP_CACHE = 256  # issuance events are found by (time); this many times stay decoded


class TamperedError(LedgerIntegrityError):
    """A table disagrees with the office's signed data: the database was edited outside the console."""


@dataclass
class KeyFact:
    """A key the signed data vouches for, and where in the log it was in force (`from_seq` < seq < `until`)."""

    kid: bytes
    public: bytes
    owner: str  # username, or office code for office keys
    role: str | None
    from_seq: int
    until_seq: int | None = None
    valid_from: str = ""

    def in_force_at(self, seq: int) -> bool:
        return self.from_seq < seq and (self.until_seq is None or seq < self.until_seq)


@dataclass
class Roster:
    """Who the signed events say the officers are: keys, roles, disabled accounts."""

    anchor: bytes
    office_keys: dict[bytes, KeyFact] = field(default_factory=dict)
    officer_keys: dict[bytes, KeyFact] = field(default_factory=dict)
    current: dict[str, KeyFact] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)

    def signer(self, kid: bytes, seq: int, roles: frozenset[str]) -> KeyFact | None:
        """The officer key `kid` if it was in force at `seq` with one of `roles`."""
        fact = self.officer_keys.get(kid)
        if fact is None or fact.role not in roles or not fact.in_force_at(seq):
            return None
        return fact

    def active_officers(self) -> dict[str, KeyFact]:
        """Officers not disabled, with the key each holds now."""
        return {name: fact for name, fact in self.current.items() if name not in self.disabled}


class _Cache:
    """Per-office caches (one lock): the roster, decoded issuance groups, status events, verified events."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.roster: dict[bytes, tuple[int, Roster]] = {}
        self.groups: OrderedDict[tuple[str, str], dict[bytes, tuple[int, dict[str, Any]]]] = OrderedDict()
        self.groups_marker = -1
        self.state: Roster | None = None
        self.status: dict[bytes, list[tuple[int, str]]] = {}
        self.status_seen = 0
        self.verified: set[int] = set()
        self.entries: dict[int, tuple[cose.Sign1, dict[str, Any]]] = {}
        self.status_idx: dict[bytes, int] = {}  # a credential's signed status-list index (never changes)


def _cache(office: Office) -> _Cache:
    cache = office.caches.get("truth")
    if cache is None:
        cache = office.caches.setdefault("truth", _Cache())  # setdefault: one winner if two threads race
    assert isinstance(cache, _Cache)
    return cache


def _tampered(message: str) -> TamperedError:
    logger.info("tampering detected: %s", message)  # the error itself is what the person sees
    return TamperedError(message)


def _bad_event(seq: int, event_type: str, why: str) -> TamperedError:
    return _tampered(
        _(
            "The signed event {seq} ({type}) in office.db does not hold up: {why}. The database was edited outside "
            "the console; nothing was done. Ask an administrator to run `ledger verify` and restore the database."
        ).format(seq=seq, type=event_type, why=why)
    )


def _decode(seq: int, event_type: str, entry: bytes, office: Office) -> tuple[cose.Sign1, dict[str, Any]]:
    try:
        message = cose.decode_sign1(bytes(entry))
        payload = cbor2.loads(message.payload)
    except (cose.CoseError, ValueError, TypeError, cbor2.CBORDecodeError) as e:  # e.g. text put in the BLOB
        raise _bad_event(seq, event_type, _("it is not a signed entry")) from e
    if isinstance(payload, dict) and "blob" in payload:  # an oversized event (a batch): parts in its blob
        from console.core import officelog  # with the ledger code behind it: not loaded by a plain `verify`

        try:
            payload = officelog.resolve_payload(payload, officelog.db_blob_reader(office.db.conn))
        except LedgerIntegrityError as e:
            raise _bad_event(seq, event_type, _("the blob holding its content is missing or altered")) from e
    if not isinstance(payload, dict) or payload.get("type") != event_type or not isinstance(payload.get("clear"), dict):
        raise _bad_event(seq, event_type, _("its signed type or content differs from its row"))
    return message, payload


def _verify(message: cose.Sign1, public: bytes, seq: int, event_type: str) -> None:
    try:
        cose.verify_sign1(message, public)
    except cose.CoseSignatureError as e:
        raise _bad_event(seq, event_type, _("its signature does not match its signer's key")) from e


def _certificate(data: object, keys: dict[bytes, KeyFact] | bytes, seq: int, event_type: str) -> dict[str, Any]:
    """Claims of a certificate signed by `keys` (a map of key facts, or one raw public key)."""
    try:
        if not isinstance(data, bytes):
            raise TypeError("a certificate is a byte string")
        message = cose.decode_sign1(data)
        if isinstance(keys, bytes):
            public: bytes | None = keys if message.kid == cose.key_id(keys) else None
        else:
            fact = keys.get(message.kid)
            public = fact.public if fact is not None else None
        if public is None:
            raise _bad_event(seq, event_type, _("its certificate is signed by a key nobody certified"))
        claims = cbor2.loads(cose.verify_sign1(message, public))
    except TamperedError:
        raise
    except (cose.CoseError, cose.CoseSignatureError, ValueError, TypeError, cbor2.CBORDecodeError) as e:
        raise _bad_event(seq, event_type, _("its certificate does not verify")) from e
    if not isinstance(claims, dict):
        raise _bad_event(seq, event_type, _("its certificate does not verify"))
    return claims


def _log_marker(office: Office, types: tuple[str, ...]) -> int:
    marks = ",".join("?" * len(types))
    row = office.db.execute(f"SELECT MAX(seq) FROM events WHERE type IN ({marks})", types).fetchone()
    return int(row[0] or 0)


def roster(office: Office, anchor: bytes | None = None) -> Roster:
    """Replay the officer and office-key events (cached until the log grows).

    `anchor` is the authority root public key the caller trusts: the one its keystore pins, or for commands
    without a login the one in the database.

    Raises:
        TamperedError: an event does not verify, or names a signer who could not sign it then.
    """
    root = anchor if anchor is not None else bytes(office.authority()["root_public"])
    cache = _cache(office)
    marker = _log_marker(office, ROSTER_TYPES)
    with cache.lock:
        hit = cache.roster.get(root)
        if hit is not None and hit[0] == marker:
            return hit[1]
        built = _replay(office, root)
        cache.roster[root] = (marker, built)
        return built


def _replay(office: Office, anchor: bytes) -> Roster:
    code = office.local_office()["code"]
    state = Roster(anchor)
    marks = ",".join("?" * len(ROSTER_TYPES))
    rows = office.db.execute(
        f"SELECT seq, type, entry FROM events WHERE type IN ({marks}) ORDER BY seq", ROSTER_TYPES
    ).fetchall()
    for seq, event_type, entry in rows:
        message, payload = _decode(seq, event_type, entry, office)
        clear = payload["clear"]
        if payload.get("office") != code and event_type not in ("authority.created", "office.certified"):
            continue  # another office's officers (learned from the ledger) are that office's log's business
        if event_type in ("authority.created", "office.certified"):
            if message.kid != cose.key_id(anchor):
                raise _bad_event(seq, event_type, _("it is not signed by the authority root key"))
            _verify(message, anchor, seq, event_type)
            if event_type == "authority.created":
                if clear.get("root_key") != anchor:
                    raise _bad_event(seq, event_type, _("it names another authority root key"))
                continue
            _add_office_key(state, _certificate(clear.get("certificate"), anchor, seq, event_type), seq, event_type)
        elif event_type == "office.key-rotated":
            _admin_signed(state, message, seq, event_type)
            claims = _certificate(clear.get("certificate"), anchor, seq, event_type)
            for fact in state.office_keys.values():
                if fact.owner == claims.get("office") and fact.until_seq is None:
                    fact.until_seq = seq
            _add_office_key(state, claims, seq, event_type)
        elif event_type == "officer.enrolled" and not state.officer_keys:
            office_key = state.office_keys.get(message.kid)  # set-up: the office key enrols the first administrator
            if office_key is None or office_key.owner != code or not office_key.in_force_at(seq):
                raise _bad_event(seq, event_type, _("it is not signed by the office key"))
            _verify(message, office_key.public, seq, event_type)
            _add_officer_key(state, clear, seq, event_type, code)
        elif event_type in ("officer.enrolled", "officer.key-replaced"):
            _admin_signed(state, message, seq, event_type)
            username = clear.get("username")
            if event_type == "officer.enrolled" and username in state.current:
                raise _bad_event(seq, event_type, _("it enrols an officer who is already enrolled"))
            old = state.current.get(username) if isinstance(username, str) else None
            if old is not None:
                old.until_seq = seq
            _add_officer_key(state, clear, seq, event_type, code)
        elif event_type == "officer.disabled":
            _admin_signed(state, message, seq, event_type)
            username = clear.get("username")
            if not isinstance(username, str) or username not in state.current:
                raise _bad_event(seq, event_type, _("it disables an officer who was never enrolled"))
            state.current[username].until_seq = seq
            state.disabled.add(username)
    return state


def _admin_signed(state: Roster, message: cose.Sign1, seq: int, event_type: str) -> KeyFact:
    fact = state.signer(message.kid, seq, frozenset({ADMIN}))
    if fact is None:
        raise _bad_event(seq, event_type, _("its signer was not an administrator in force at that point of the log"))
    _verify(message, fact.public, seq, event_type)
    return fact


def _add_office_key(state: Roster, claims: dict[str, Any], seq: int, event_type: str) -> None:
    key, office = claims.get("key"), claims.get("office")
    if (
        claims.get("type") != "office-key"
        or not isinstance(key, bytes)
        or len(key) != 32
        or not isinstance(office, str)
    ):
        raise _bad_event(seq, event_type, _("its certificate is not an office-key certificate"))
    kid = cose.key_id(key)
    state.office_keys[kid] = KeyFact(kid, key, office, None, seq - 1, None, str(claims.get("valid_from", "")))


def _add_officer_key(state: Roster, clear: dict[str, Any], seq: int, event_type: str, code: str) -> None:
    claims = _certificate(clear.get("certificate"), state.office_keys, seq, event_type)
    key, username, role = claims.get("key"), claims.get("username"), claims.get("role")
    if (
        claims.get("type") != "officer-key"
        or claims.get("office") != code
        or not isinstance(key, bytes)
        or len(key) != 32
        or not isinstance(username, str)
        or username != clear.get("username")
        or role not in ("clerk", "supervisor", ADMIN, "auditor")
        or role != clear.get("role", role)
    ):
        raise _bad_event(seq, event_type, _("its officer certificate does not match the event"))
    kid = cose.key_id(key)
    fact = KeyFact(kid, key, username, str(role), seq, None, str(claims.get("valid_from", "")))
    state.officer_keys[kid] = fact
    state.current[username] = fact


# ------------------------------------------------------------------------------------------------ officers


def check_login(office: Office, username: str, public_key: bytes, anchor: bytes) -> KeyFact:
    """At login: the officer's own key (from the keystore) against the signed roster and the officers row.

    Returns the key fact; its `role` is the role the session gets (never the table's).

    Raises:
        TamperedError: the roster does not hold up, the key was never enrolled for this officer, or the row's
            role or status disagrees with the signed data.
        AuthenticationError: the signed data says the officer is disabled or the key was replaced.
    """
    from console.core.errors import AuthenticationError

    state = roster(office, anchor)
    fact = state.officer_keys.get(cose.key_id(public_key))
    if fact is None or fact.owner != username:
        raise _tampered(
            _(
                "The keystore of {user!r} holds a key that no administrator's signed event enrolled for this officer; "
                "the keystore or office.db was replaced. Nothing was done; ask an administrator."
            ).format(user=username)
        )
    if username in state.disabled:
        raise AuthenticationError(_("The account {user!r} is disabled; ask an administrator.").format(user=username))
    if fact.until_seq is not None:
        raise AuthenticationError(
            _(
                "The keystore of {user!r} holds a key an administrator replaced (password reset); use the new "
                "password, or ask an administrator."
            ).format(user=username)
        )
    check_officer_row(office, username, fact)
    return fact


def check_officer_row(office: Office, username: str, fact: KeyFact) -> None:
    """The officers row must say what the signed data says (role, active).

    Raises:
        TamperedError: with a sentence naming the row.
    """
    row = office.officer_row(username)
    if row["role"] != fact.role:
        raise _tampered(
            _(
                "The officers row of {user!r} in office.db says role {row_role!r}, but the officer's signed "
                "certificate says {role!r}: the table was edited outside the console. Nothing was done; ask an "
                "administrator to restore the database."
            ).format(user=username, row_role=row["role"], role=fact.role)
        )
    if row["status"] != "active":
        from console.core.errors import AuthenticationError

        raise AuthenticationError(_("The account {user!r} is disabled; ask an administrator.").format(user=username))


def officer_still_valid(office: Office, username: str, kid: bytes, anchor: bytes) -> bool:
    """Per session call: False once the signed data disables the officer or replaces the key (cached replay)."""
    state = roster(office, anchor)
    fact = state.officer_keys.get(kid)
    return fact is not None and fact.owner == username and fact.until_seq is None and username not in state.disabled


# ------------------------------------------------------------------------------------------------ office keys


@dataclass(frozen=True)
class OfficeKey:
    """An office key row whose certificate the authority root signed, with its signed validity."""

    kid: bytes
    office_code: str
    public_key: bytes
    valid_from: str
    valid_until: str | None


def office_keys(office: Office, anchor: bytes | None = None) -> tuple[list[OfficeKey], list[str]]:
    """The rows of ``office_keys`` that the authority certified, and one sentence per row refused.

    A key's end of validity is the start of its office's next certified key (or the row's, if earlier): an
    edited ``valid_until`` cannot stretch a retired key.
    """
    root = anchor if anchor is not None else bytes(office.authority()["root_public"])
    domain = office.authority()["domain"]
    good: list[OfficeKey] = []
    problems: list[str] = []
    for row in office.db.query("SELECT * FROM office_keys ORDER BY office_code, valid_from"):
        public = bytes(row["public_key"])
        try:
            claims = _certificate(row["certificate"], root, 0, "office_keys")
        except TamperedError:
            claims = {}
        if (
            claims.get("type") != "office-key"
            or claims.get("key") != public
            or claims.get("office") != row["office_code"]
            or claims.get("authority") != domain
            or claims.get("valid_from") != row["valid_from"]
            or bytes(row["kid"]) != cose.key_id(public)
        ):
            problems.append(
                _(
                    "The office_keys row {kid} of office {office} has no valid certificate from the authority root "
                    "key: it was added or edited outside the console and is not trusted or published."
                ).format(kid=bytes(row["kid"]).hex(), office=row["office_code"])
            )
            continue
        good.append(OfficeKey(cose.key_id(public), row["office_code"], public, row["valid_from"], row["valid_until"]))
    result: list[OfficeKey] = []
    for i, key in enumerate(good):
        successor = next(
            (k.valid_from for k in good[i + 1 :] if k.office_code == key.office_code and k.valid_from > key.valid_from),
            None,
        )
        ends = [t for t in (key.valid_until, successor) if t is not None]
        result.append(OfficeKey(key.kid, key.office_code, key.public_key, key.valid_from, min(ends) if ends else None))
    return result, problems


def current_office_key(office: Office, anchor: bytes | None = None) -> OfficeKey:
    """The local office's certified key in force (the newest certified one).

    Raises:
        TamperedError: the row the database names as in force is not certified (or none is).
    """
    code = office.local_office()["code"]
    keys, _problems = office_keys(office, anchor)
    row = office.current_office_key()
    mine = [k for k in keys if k.office_code == code and k.valid_until is None]
    if not mine or mine[-1].kid != bytes(row["kid"]):
        raise _tampered(
            _(
                "The office key in force in office.db (office_keys row {kid}) is not the newest key the authority "
                "certified for {office}; the table was edited outside the console. Nothing was signed; ask an "
                "administrator."
            ).format(kid=bytes(row["kid"]).hex(), office=code)
        )
    return mine[-1]


# ------------------------------------------------------------------------------------------------ credentials


def _entry(office: Office, cache: _Cache, seq: int, event_type: str, entry: bytes) -> tuple[cose.Sign1, dict[str, Any]]:
    hit = cache.entries.get(seq)
    if hit is None:
        hit = _decode(seq, event_type, entry, office)
        if len(cache.entries) > 4096:
            cache.entries.clear()
        cache.entries[seq] = hit
    return hit


def _check_signer(
    office: Office, cache: _Cache, state: Roster, seq: int, event_type: str, message: cose.Sign1, roles: frozenset[str]
) -> None:
    if seq in cache.verified:
        return
    fact = state.signer(message.kid, seq, roles)
    if fact is None:
        raise _bad_event(seq, event_type, _("its signer held no key with that right at that point of the log"))
    _verify(message, fact.public, seq, event_type)
    if len(cache.verified) > 200_000:
        cache.verified.clear()
    cache.verified.add(seq)


def _issuance(office: Office, cache: _Cache, state: Roster, issued_at: str, cid: bytes) -> tuple[int, dict[str, Any]]:
    """The signed issuance of `cid` among the issuance events written at `issued_at`."""
    found: tuple[int, dict[str, Any]] | None = None
    for event_type in ISSUE_TYPES:
        key = (event_type, issued_at)
        group = cache.groups.get(key)
        if group is None:
            group = {}
            for seq, entry in office.db.execute(
                "SELECT seq, entry FROM events WHERE type = ? AND created_at = ?", (event_type, issued_at)
            ):
                _message, payload = _entry(office, cache, seq, event_type, entry)
                clear = payload["clear"]
                items = clear.get("credentials", []) if event_type == "credentials.issued" else [clear]
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, dict) and isinstance(item.get("credential"), bytes):
                        group[item["credential"]] = (seq, item)
            cache.groups[key] = group
            while len(cache.groups) > _GROUP_CACHE:
                cache.groups.popitem(last=False)
        hit = group.get(cid)
        if hit is not None:
            seq = hit[0]
            if seq not in cache.verified:
                row = office.db.execute("SELECT entry FROM events WHERE seq = ?", (seq,)).fetchone()
                message, _payload = _entry(office, cache, seq, event_type, row[0])
                _check_signer(office, cache, state, seq, event_type, message, ISSUING_ROLES)
            found = hit
            break
    if found is None:
        raise _tampered(
            _(
                "The credentials row of {credential} in office.db has no signed issuance event behind it: it was "
                "added or edited outside the console, or the credential was signed outside it. It is not accepted; "
                "ask an administrator."
            ).format(credential=cid.hex())
        )
    return found


def _refresh_status(office: Office, cache: _Cache) -> None:
    for seq, entry in office.db.execute(
        "SELECT seq, entry FROM events WHERE type = ? AND seq > ? ORDER BY seq", (STATUS_TYPE, cache.status_seen)
    ):
        _message, payload = _decode(seq, STATUS_TYPE, entry, office)
        clear = payload["clear"]
        cid, status = clear.get("credential"), clear.get("status")
        if isinstance(cid, bytes) and isinstance(status, str):
            cache.status.setdefault(cid, []).append((seq, status))
        cache.status_seen = seq


def signed_statuses(office: Office) -> dict[bytes, str]:
    """The newest signed ``credential.status`` of every credential that has one (its signer checked): what the
    status list must say for those credentials whatever the table says (issue 12, robust2: a revoked row set
    back to ``active`` by SQL was signed into the published list at the next status change).

    Raises:
        TamperedError: a status event that does not verify.
    """
    cache = _cache(office)
    with cache.lock:
        _refresh_status(office, cache)
        state = roster(office)
        found: dict[bytes, str] = {}
        for cid, changes in list(cache.status.items()):
            seq, value = changes[-1]
            if seq not in cache.verified:
                row = office.db.execute("SELECT type, entry FROM events WHERE seq = ?", (seq,)).fetchone()
                if row is None or row[0] != STATUS_TYPE:  # an event of a transaction that was rolled back
                    cache.status.clear()
                    cache.status_seen = 0
                    return signed_statuses(office)
                message, _p = _entry(office, cache, seq, STATUS_TYPE, row[1])
                _check_signer(office, cache, state, seq, STATUS_TYPE, message, DECIDING_ROLES)
            found[cid] = value
    return found


def withheld_indices(office: Office) -> dict[int, str]:
    """Status-list indices that must read revoked or suspended whatever the credentials table says: those of
    every credential whose newest signed status is one of the two, the index taken from its signed issuance
    event (not from the row, which SQL can edit or copy onto a new row).

    Raises:
        TamperedError: such a credential's row is gone or its issuance does not verify (the list is not signed).
    """
    withheld: dict[int, str] = {}
    statuses = signed_statuses(office)
    cache = _cache(office)
    with cache.lock:
        for cid, status in statuses.items():
            if status not in ("revoked", "suspended"):
                continue
            idx = cache.status_idx.get(cid)
            if idx is None:
                row = office.db.execute("SELECT issued_at FROM credentials WHERE credential_id = ?", (cid,)).fetchone()
                if row is None:
                    raise _tampered(
                        _(
                            "Credential {credential} is {status} by a signed event, but its credentials row is gone "
                            "from office.db: it was deleted outside the console. The status list is not signed until "
                            "an administrator restores the row (ledger verify lists it)."
                        ).format(credential=cid.hex(), status=status)
                    )
                _seq, item = _issuance(office, cache, cache.state or roster(office), row[0], cid)
                signed_idx = item.get("status_idx")
                if not isinstance(signed_idx, int) or isinstance(signed_idx, bool):
                    continue  # issued before status lists: it has no index to withhold
                idx = cache.status_idx[cid] = signed_idx
            withheld[idx] = status
    return withheld


def credential_truth(
    office: Office,
    row: dict[str, Any],
    *,
    siblings: list[dict[str, Any]] | None = None,
    marker: int | None = None,
) -> tuple[str, int]:
    """The status the signed events give the credential of `row`, and the event that set it.

    `siblings` (every credentials row of the same ID number, `row` among them) and `marker` (the log's
    ``MAX(seq)``) may come from the caller's own statement, read in the same snapshot as `row`: `verify`
    reads all three in one statement instead of three (issue 16).

    Raises:
        TamperedError: no signed issuance, or an event that does not verify.
    """
    cache = _cache(office)
    cid = bytes(row["credential_id"])
    with cache.lock:
        if marker is None:
            marker = int(office.db.execute("SELECT MAX(seq) FROM events").fetchone()[0] or 0)
        if marker != cache.groups_marker or cache.state is None:  # the log grew: new events may matter
            cache.groups.clear()
            cache.state = roster(office)
            _refresh_status(office, cache)
            cache.groups_marker = marker
        state = cache.state
        issued_seq, _item = _issuance(office, cache, state, row["issued_at"], cid)
        status, status_seq = "active", issued_seq
        for seq, value in cache.status.get(cid, []):
            if seq > status_seq:
                entry = office.db.execute("SELECT entry FROM events WHERE seq = ?", (seq,)).fetchone()[0]
                message, _p = _entry(office, cache, seq, STATUS_TYPE, entry)
                _check_signer(office, cache, state, seq, STATUS_TYPE, message, DECIDING_ROLES)
                status, status_seq = value, seq
        newer: Any = (
            office.db.execute(
                "SELECT credential_id, issued_at FROM credentials WHERE id_number = ? AND issued_at >= ? "
                "AND credential_id != ?",
                (row["id_number"], row["issued_at"], cid),
            )
            if siblings is None or not all(type(other["issued_at"]) is str for other in siblings)
            else [
                # the same rows as the statement above: text compares as SQLite's BINARY collation does (an
                # edited row of another type takes the statement), a credential_id stored as text differs
                # from every blob there as here
                (other["credential_id"], other["issued_at"])
                for other in siblings
                if other["issued_at"] >= row["issued_at"] and other["credential_id"] != cid
            ]
        )
        for newer_id, newer_at in newer:
            try:
                seq, item = _issuance(office, cache, state, newer_at, bytes(newer_id))
            except TamperedError:
                continue  # that row is refused where it is used; it supersedes nothing here
            supersedes = item.get("supersedes") or []
            if seq > status_seq and cid in supersedes:
                status, status_seq = "superseded", seq
    return status, status_seq


def check_credential_row(
    office: Office, row: dict[str, Any], *, siblings: list[dict[str, Any]] | None = None, marker: int | None = None
) -> None:
    """Refuse a credentials row whose status is not the one its signed events give it (`siblings` and `marker`
    as for `credential_truth`).

    Raises:
        TamperedError: with a sentence naming the row.
    """
    status, seq = credential_truth(office, row, siblings=siblings, marker=marker)
    if status != row["status"]:
        raise _tampered(
            _(
                "The credentials row of {credential} in office.db says {row_status}, but the office's signed events "
                "say {status} (event {seq}): the table was edited outside the console. The card is not accepted "
                "and nothing was done; ask an administrator."
            ).format(credential=bytes(row["credential_id"]).hex(), row_status=row["status"], status=status, seq=seq)
        )


def check_holder(office: Office, id_number: str) -> None:
    """Check every credential row of a person before acting on them (issue, print, request)."""
    for row in office.db.query("SELECT * FROM credentials WHERE id_number = ?", [id_number]):
        check_credential_row(office, row)


# ------------------------------------------------------------------------------------------------ requests


def check_request(office: Office, row: dict[str, Any]) -> None:
    """A request row acts only with its signed ``request.created`` event (same id, action, credential,
    requester); a decided row needs its signed decision.

    Raises:
        TamperedError: with a sentence naming the row.
    """
    cache = _cache(office)
    with cache.lock:
        state = roster(office)

        def find(event_type: str, at: str | None, roles: frozenset[str]) -> dict[str, Any] | None:
            if at is None:
                return None
            for seq, entry in office.db.execute(
                "SELECT seq, entry FROM events WHERE type = ? AND created_at = ?", (event_type, at)
            ):
                message, payload = _entry(office, cache, seq, event_type, entry)
                if payload["clear"].get("request") == row["id"]:
                    _check_signer(office, cache, state, seq, event_type, message, roles)
                    return payload
            return None

        created = find("request.created", row["requested_at"], ISSUING_ROLES)
        ok = (
            created is not None
            and created["officer"] == row["requested_by"]
            and created["clear"].get("action") == row["action"]
            and created["clear"].get("credential") == bytes(row["credential_id"])
        )
        if ok and row["status"] != "pending":
            decision_type = "credential.status" if row["status"] == "approved" else "request.rejected"
            decided = find(decision_type, row["decided_at"], DECIDING_ROLES)
            ok = decided is not None and decided["officer"] == row["decided_by"]
    if not ok:
        raise _tampered(
            _(
                "The requests row {request} in office.db (status {status}) has no signed event behind it: it was "
                "added or edited outside the console and is not acted on. Ask an administrator."
            ).format(request=row["id"], status=row["status"])
        )


# ------------------------------------------------------------------------------------------------ settings

SETTINGS_TYPE = "settings.changed"
#: Which way is stricter for each security setting: a table value can only tighten the rule.
_STRICTER = {"lockout_threshold": min, "lockout_minutes": max, "session_idle_minutes": min}


def security_setting(office: Office, key: str) -> int:
    """A security setting as used: the stricter of the table's value and the signed one.

    The signed value is the newest ``settings.changed`` event for `key` signed by an administrator in force at
    that point of the log, else the default. So ``UPDATE settings SET value = 1000`` cannot loosen the lockout;
    an administrator loosens it through the console, which signs the change.

    Raises:
        TamperedError: the newest settings event for `key` does not verify.
    """
    table = int(office.setting(key))
    signed = int(DEFAULT_SETTINGS[key])
    state: Roster | None = None
    for seq, entry in office.db.execute(
        "SELECT seq, entry FROM events WHERE type = ? ORDER BY seq DESC", (SETTINGS_TYPE,)
    ):
        message, payload = _decode(seq, SETTINGS_TYPE, entry, office)
        if payload["clear"].get("key") != key:
            continue
        state = state or roster(office)
        _admin_signed(state, message, seq, SETTINGS_TYPE)
        value = payload["clear"].get("value")
        if not isinstance(value, int) or isinstance(value, bool):
            raise _bad_event(seq, SETTINGS_TYPE, _("its value is not a number"))
        signed = value
        break
    return int(_STRICTER[key](table, signed))


#: Settings that decide what the office prints and signs on cards (set on the administrator's screens): the
#: value in force is the administrator-signed one, and a table that says otherwise is refused, not obeyed
#: (issue 12, robust2: with the table alone, `UPDATE settings` put a look-alike verifier URL on every card).
SIGNED_TEXT_SETTINGS = ("country", "card_valid_years", "verifier_url")


def signed_setting(office: Office, key: str, default: str) -> str:
    """A card setting as used: the newest ``settings.changed`` event for `key` signed by an administrator in
    force at that point of the log (else `default`), checked against the ``settings`` table's cache of it.

    Raises:
        TamperedError: the table's value is not the signed one, or the newest settings event does not verify.
    """
    row = office.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    table = str(row[0]) if row else default
    signed, signed_seq = default, 0
    for seq, entry in office.db.execute(
        "SELECT seq, entry FROM events WHERE type = ? ORDER BY seq DESC", (SETTINGS_TYPE,)
    ):
        message, payload = _decode(seq, SETTINGS_TYPE, entry, office)
        if payload["clear"].get("key") != key:
            continue
        _admin_signed(roster(office), message, seq, SETTINGS_TYPE)
        value = payload["clear"].get("value")
        if not isinstance(value, str):
            raise _bad_event(seq, SETTINGS_TYPE, _("its value is not text"))
        signed, signed_seq = value, seq
        break
    if table != signed:
        raise _tampered(
            _(
                "The settings row {key!r} in office.db says {table!r}, but the administrators' signed setting is "
                "{signed!r} ({source}): the table was edited outside the console. Nothing was done; an administrator "
                "sets it again in Settings (or `id-console settings set`)."
            ).format(
                key=key,
                table=table,
                signed=signed,
                source=_("event {seq}").format(seq=signed_seq) if signed_seq else _("the default"),
            )
        )
    return signed


#: Other authorities' keys (`trust import`): a row of ``foreign_keys`` is trusted only if an administrator in
#: force signed its JWK in one of these events (issue 12, robust2: a row inserted by SQL made a forged card of
#: "another authority" verify VALID).
TRUST_IMPORT_TYPE = "trust.import"


def signed_foreign_jwks(office: Office) -> set[str]:
    """The JWKs (as stored, canonical JSON) that administrators imported with signed ``trust.import`` events.

    Raises:
        TamperedError: such an event does not verify or is not an administrator's.
    """
    found: set[str] = set()
    state: Roster | None = None
    for seq, entry in office.db.execute(
        "SELECT seq, entry FROM events WHERE type = ? ORDER BY seq", (TRUST_IMPORT_TYPE,)
    ):
        message, payload = _decode(seq, TRUST_IMPORT_TYPE, entry, office)
        state = state or roster(office)
        _admin_signed(state, message, seq, TRUST_IMPORT_TYPE)
        keys = payload["clear"].get("keys")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise _bad_event(seq, TRUST_IMPORT_TYPE, _("its keys are not a list of JWKs"))
        found.update(keys)
    return found
