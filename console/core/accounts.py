"""Logging in, sessions, the permission check every service call makes, and the wraps of office secrets.

A session is the unlocked state of one officer: their signing key and the key material their role is granted
(opened from the wraps sealed to that key, `open_wraps`). The session's role comes from the officer's signed
certificate (console.core.truth), never from the table. Every service call goes through `Session.require`,
which (deny by default) re-reads the officer's row and the signed roster, so a disabled officer takes effect
on the next call and an edited role is refused; it also ends idle sessions and records refusals in the audit
trail. The lockout is counted in the audit trail before the key derivation (`login`).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import nacl.signing

from console.core import cose, events, hsm, officelog, truth
from console.core.atomic import fsync_dir
from console.core.errors import (
    AccountLocked,
    AuthenticationError,
    InvalidPassword,
    LedgerIntegrityError,
    NotFound,
    PermissionDenied,
    SessionExpired,
    StorageError,
)
from console.core.events import Actor
from console.core.i18n import _
from console.core.keys import (
    AuthoritySecrets,
    OfficerSecrets,
    OfficeSecrets,
    open_wrap,
    public_key_of,
    read_master_sealed,
    wrap_secret,
    wrap_signer_kid,
)
from console.core.keystore import (
    MAX_LIMITS,
    MIN_LIMITS,
    KdfLimits,
    derive_key,
    limits_of,
    read_keystore,
    unseal,
    write_sealed,
)
from console.core.office import Office
from console.core.roles import KEY_GRANTS, Permission, Role, allows
from console.core.store import get_setting, transaction
from console.core.timeutil import to_iso
from console.core.truth import TamperedError

logger = logging.getLogger(__name__)

LOCK_ACTION = "login.lock"
UNLOCK_ACTION = "login.unlock"


@dataclass
class Session:
    """An officer logged in to an office. Holds secrets in memory only; `lock()` forgets them.

    A session may serve one front-end thread at a time plus readers; secrets are read through `officer_keys()`
    and `office_keys()`, which take a local reference and raise `SessionExpired` once the session is locked, so
    a lock during a running task ends that task with a sentence, not a crash.
    """

    office: Office
    username: str
    role: Role
    secrets: OfficerSecrets | None
    office_secrets: OfficeSecrets | None
    authority_secrets: AuthoritySecrets | None
    last_active: datetime
    idle_timeout: timedelta
    closed: bool = field(default=False)
    anchor: bytes = b""  # the authority root public key this officer's keystore trusts
    kid: bytes = b""  # the officer's own key, as the signed roster knows it
    #: Why the office's signed log failed the start-up check at login (officelog.quick_check), or None. While
    #: set, only reading and verifying are allowed (READ_ON_LOG_FAULT): nothing is written on a log that does
    #: not add up.
    log_fault: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.officer_keys().signing_key)

    def officer_keys(self) -> OfficerSecrets:
        """The officer's own keystore contents (signing key, granted master keys) while the session is open."""
        secrets = self.secrets
        if self.closed or secrets is None:
            raise SessionExpired(_("This session is locked; log in again."))
        return secrets

    def office_keys(self) -> OfficeSecrets:
        """The office secrets (signing keys, records key, numbering secret) for roles granted them."""
        secrets = self.office_secrets
        if self.closed:
            raise SessionExpired(_("This session is locked; log in again."))
        if secrets is None:
            raise PermissionDenied(_("A {role} holds no office keys.").format(role=role_name(self.role)))
        return secrets

    def require(self, permission: Permission, target: str = "") -> None:
        """Allow the call or raise (deny by default).

        Raises:
            SessionExpired: the session was locked, idle too long, or the officer was disabled.
            PermissionDenied: the officer's role does not hold `permission` (recorded in the audit trail).
        """
        role = self._check_alive()
        if role is not self.role or not allows(role, permission):
            detail = f"role {role.value} lacks {permission.value}" + (f" ({target})" if target else "")
            self.refuse(permission.value, detail)
            message = (
                _("An {role} may not do this ({what}); ask an officer whose role allows it.")
                if role.value[0] in "aeiou"
                else _("A {role} may not do this ({what}); ask an officer whose role allows it.")
            )
            what = permission.value + (f": {target}" if target else "")
            raise PermissionDenied(message.format(role=role_name(role), what=what))
        if self.log_fault is not None and permission not in READ_ON_LOG_FAULT:
            self.refuse(permission.value, f"office log fault: {self.log_fault}")
            raise LedgerIntegrityError(
                _(
                    "The office's signed log failed its check when you logged in: {fault} Nothing was done. Run "
                    "`id-console ledger verify --as USER` for every fault, then restore office.db from a backup or "
                    "rebuild the office from the ledger (`id-console rebuild`)."
                ).format(fault=self.log_fault)
            )
        self.last_active = self.office.clock()

    def require_self(self) -> None:
        """Allow an action on the officer's own account (password change): only a live session is needed."""
        self._check_alive()
        self.last_active = self.office.clock()

    def _check_alive(self) -> Role:
        now = self.office.clock()
        if self.closed:
            raise SessionExpired(_("This session is locked; log in again."))
        if now - self.last_active > self.idle_timeout:
            self.lock()
            raise SessionExpired(
                _("The session of {user} ended after {minutes} minutes without activity; log in again.").format(
                    user=self.username, minutes=int(self.idle_timeout.total_seconds() // 60)
                )
            )
        row = self.office.officer_row(self.username)
        if row["status"] != "active" or not truth.officer_still_valid(
            self.office, self.username, self.kid, self.anchor
        ):
            self.lock()
            raise SessionExpired(
                _("The account {user!r} has been disabled; ask an administrator.").format(user=self.username)
            )
        if row["role"] != self.role.value:
            self.refuse("session", f"officers row says role {row['role']}, certificate says {self.role.value}")
            raise TamperedError(
                _(
                    "The officers row of {user!r} in office.db says role {row_role!r}, but the officer's signed "
                    "certificate says {role!r}: the table was edited outside the console. Nothing was done; ask an "
                    "administrator to restore the database."
                ).format(user=self.username, row_role=row["role"], role=self.role.value)
            )
        return self.role

    def require_not_own(self, requested_by: str, action: str, what: str, shown: str | None = None) -> None:
        """The four-eyes rule: nobody decides what they asked for themselves (refusal audited).

        `what` ("request 7") goes to the audit trail; `shown` is the same in the person's language (default
        `what`).

        Raises:
            PermissionDenied: `requested_by` is this officer.
        """
        if requested_by == self.username:
            self.refuse(action, f"own {what}")
            raise PermissionDenied(
                _("You made {what} yourself; another supervisor must decide it (four-eyes rule).").format(
                    what=shown or what
                )
            )

    def refuse(self, action: str, detail: str) -> None:
        """Write a refusal to the audit trail (its own small transaction; the refused change writes nothing)."""
        with transaction(self.office.db) as conn:
            events.audit(
                conn, now=self.office.clock(), officer=self.username, action=action, outcome="refused", detail=detail
            )
        logger.info("refused %s to %s: %s", action, self.username, detail)

    def touch(self) -> None:
        """Count a user's activity that calls no service (keeps the session from idling out)."""
        self.last_active = self.office.clock()

    def lock(self) -> None:
        """Forget every unlocked key (own signing key and master keys too); the officer must log in again."""
        self.closed = True
        self.secrets = None
        self.office_secrets = None
        self.authority_secrets = None

    def office_signing_key(self) -> nacl.signing.SigningKey:
        """The office key now in force (only for roles granted the office keys).

        The key in force is the newest one the authority certified (`truth.current_office_key`), never just the
        table's. When it was moved to a PKCS#11 token (issue 17), a stand-in that signs in the token. After a key rotation (by another session) it is not in the secrets loaded at login, so this
        officer's wrap is opened again (rotation re-wrapped it).
        """
        secrets = self.office_keys()  # only roles granted the office secrets, token or not
        current = truth.current_office_key(self.office, self.anchor or None).public_key
        place = hsm.read_place(get_setting(self.office.db, hsm.SETTING, ""))
        if place is not None and place.kid == cose.key_id(current):  # issue 17: the key is in a token
            return hsm.TokenSigningKey(place, current, self.office.token_pin)
        for attempt in range(2):
            for seed in secrets.signing_seeds:
                if public_key_of(seed) == current:
                    return nacl.signing.SigningKey(seed)
            if attempt == 0:
                secrets = self.reload_office_secrets()
                if not self.closed:
                    self.office_secrets = secrets
        raise StorageError(
            _(
                "The office key file {path} does not hold the key in force ({key}). If a key rotation is under "
                "way, try again; otherwise restore the key backup made after the last rotation."
            ).format(path=self.office.paths.office_sealed, key=cose.key_id(current).hex())
        )

    def reload_office_secrets(self) -> OfficeSecrets:
        """Open this officer's office-secrets wrap again (it changes when an administrator rotates the office key)."""
        state = truth.roster(self.office, self.anchor or None)
        office_secrets, _authority = open_wraps(self.office, self.username, self.role, self.officer_keys(), state)
        if office_secrets is None:
            raise PermissionDenied(_("A {role} holds no office keys.").format(role=role_name(self.role)))
        return office_secrets

    def describe(self) -> dict[str, Any]:
        """What `whoami` prints."""
        office = self.office.local_office()
        row = self.office.officer_row(self.username)
        return {
            "username": self.username,
            "full_name": row["full_name"],
            "role": self.role.value,
            "office": office["code"],
            "office_name": office["name"],
            "permissions": sorted(p.value for p in Permission if allows(self.role, p)),
            "last_login": row["last_login"],
        }


def login(office: Office, username: str, password: str) -> Session:
    """Check the password by opening the officer's keystore, under a lockout that holds against bursts.

    The attempt is counted (an audit row, in a write transaction) *before* the key derivation and settled
    after it, so parallel guesses cannot all be tried: once the attempts in flight and the failures since the
    last success reach the threshold, the account locks and every further attempt is refused unread; a right
    password whose attempt finishes after a lock set during it is refused too. The lock and the failures are
    read from the audit trail, not from the counter columns of ``officers`` (a display cache). An unknown
    username costs the same key derivation and gets the same answers as a wrong password.

    Raises:
        AuthenticationError: disabled officer.
        AccountLocked: too many wrong passwords recently (or in this burst).
        InvalidPassword: wrong password or unknown officer (says how many tries are left).
        TamperedError: the officer's row or keys disagree with the signed data.
    """
    now = office.clock()
    try:
        row: dict[str, Any] | None = office.officer_row(username)
    except NotFound:
        row = None
    if row is not None and row["status"] != "active":
        with transaction(office.db) as conn:
            events.audit(conn, now=now, officer=username, action="login", outcome="refused", detail="account disabled")
        raise AuthenticationError(_("The account {user!r} is disabled; ask an administrator.").format(user=username))
    attempt = _admit(office, username, now)
    path = office.paths.officer_keystore(username)
    try:
        if row is None:
            _dummy_unlock(office, password)  # same cost and answer as a wrong password
        keystore = read_keystore(path)
        secrets = OfficerSecrets.from_bytes(
            unseal(keystore, password, where=_("The keystore {path}").format(path=path))
        )
    except InvalidPassword:
        _fail(office, username, attempt, now, known=row is not None)
        raise  # _fail always raises; kept for the type checker
    except BaseException as e:
        _settle(office, attempt, "refused", f"keystore unusable: {type(e).__name__}")
        raise
    try:
        session = _open(office, username, password, keystore, secrets, now)
    except BaseException as e:
        _settle(office, attempt, "refused", f"refused after the password: {e}")
        raise
    _release(office, username, attempt, now)
    return session


def _dummy_unlock(office: Office, password: str) -> None:
    """Spend one key derivation at the cost of this office's keystores, then fail like a wrong password."""
    derive_key(password, b"\0" * 16, _keystore_limits(office))
    raise InvalidPassword(_("Wrong password."))


def _keystore_limits(office: Office) -> KdfLimits:
    """The KDF limits most of this office's keystores use (older ones may be cheaper than the default), so that
    an unknown name costs what a real one does."""
    found = office.caches.get("keystore_limits")
    if isinstance(found, KdfLimits):
        return found
    counts: dict[KdfLimits, int] = {}
    for path in sorted(office.paths.officer_keys.glob("*.keystore"))[:50]:
        try:
            limits = limits_of(path.read_bytes())
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if MIN_LIMITS.opslimit <= limits.opslimit <= MAX_LIMITS.opslimit and (
            MIN_LIMITS.memlimit <= limits.memlimit <= MAX_LIMITS.memlimit
        ):
            counts[limits] = counts.get(limits, 0) + 1
    chosen = max(counts, key=lambda k: counts[k]) if counts else office.kdf
    office.caches["keystore_limits"] = chosen
    return chosen


def _limits(office: Office) -> tuple[int, int]:
    """(threshold, minutes): a value edited in the settings table can only make the lockout stricter."""
    return truth.security_setting(office, "lockout_threshold"), truth.security_setting(office, "lockout_minutes")


def _lock_state(conn: sqlite3.Connection, username: str, now: datetime) -> tuple[int, str | None]:
    """(failed attempts since the last reset, locked-until if locked now) from the audit trail.

    A reset is a successful login, a lock (counting restarts when it is set), or an administrator's unlock.
    Attempts still in flight are rows with outcome "failed" until they settle, so they count.
    """

    def last(action: str, outcome: str | None = None) -> int:
        sql = "SELECT MAX(id) FROM audit WHERE officer = ? AND action = ?"
        params: list[Any] = [username, action]
        if outcome is not None:
            sql += " AND outcome = ?"
            params.append(outcome)
        return int(conn.execute(sql, params).fetchone()[0] or 0)

    ok, lock, unlock = last("login", "ok"), last(LOCK_ACTION), last(UNLOCK_ACTION)
    reset = max(ok, lock, unlock)
    locked_until = None
    if lock and lock == reset:
        until = conn.execute("SELECT detail FROM audit WHERE id = ?", (lock,)).fetchone()[0]
        if isinstance(until, str) and until.startswith("locked until ") and until[13:] > to_iso(now):
            locked_until = until[13:]
    failures = int(
        conn.execute(
            "SELECT COUNT(*) FROM audit WHERE officer = ? AND action = 'login' AND outcome = 'failed' AND id > ?",
            (username, reset),
        ).fetchone()[0]
    )
    return failures, locked_until


def _locked_message(username: str, until: str) -> AccountLocked:
    return AccountLocked(
        _(
            "The account {user!r} is locked after too many wrong passwords until {until} (UTC); "
            "wait or ask an administrator."
        ).format(user=username, until=until),
        until,
    )


def _lock(conn: sqlite3.Connection, username: str, now: datetime, minutes: int) -> str:
    until = to_iso(now + timedelta(minutes=minutes))
    events.audit(conn, now=now, officer=username, action=LOCK_ACTION, outcome="refused", detail=f"locked until {until}")
    conn.execute("UPDATE officers SET failed_logins = 0, locked_until = ? WHERE username = ?", (until, username))
    return until


def _admit(office: Office, username: str, now: datetime) -> int:
    """Count the attempt before the key derivation; refuse it unread when the account is (or now becomes) locked.

    Returns the id of the attempt's audit row.
    """
    threshold, minutes = _limits(office)
    with transaction(office.db) as conn:
        failures, locked_until = _lock_state(conn, username, now)
        if locked_until is None and failures >= threshold:  # a burst: as many attempts in flight as allowed
            locked_until = _lock(conn, username, now, minutes)
        if locked_until is not None:
            events.audit(conn, now=now, officer=username, action="login", outcome="refused", detail="account locked")
            attempt = 0
        else:
            cur = conn.execute(
                "INSERT INTO audit (time, officer, action, outcome, detail) VALUES (?, ?, 'login', 'failed', ?)",
                (to_iso(now), username, "attempt in progress"),
            )
            attempt = int(cur.lastrowid or 0)
    if locked_until is not None:
        raise _locked_message(username, locked_until)
    return attempt


def _settle(office: Office, attempt: int, outcome: str, detail: str) -> None:
    with transaction(office.db) as conn:
        conn.execute("UPDATE audit SET outcome = ?, detail = ? WHERE id = ?", (outcome, detail[:500], attempt))


def _fail(office: Office, username: str, attempt: int, now: datetime, *, known: bool) -> None:
    """Settle a wrong password (the attempt stays counted); lock at the threshold; say how many tries are left."""
    threshold, minutes = _limits(office)
    with transaction(office.db) as conn:
        conn.execute(
            "UPDATE audit SET detail = ? WHERE id = ?",
            ("wrong password" if known else f"unknown user {username!r}", attempt),
        )
        failures, locked_until = _lock_state(conn, username, now)
        newly = locked_until is None and failures >= threshold
        if newly:
            locked_until = _lock(conn, username, now, minutes)
        elif locked_until is None:
            conn.execute("UPDATE officers SET failed_logins = ? WHERE username = ?", (failures, username))
    if locked_until is not None:
        if not newly:
            raise _locked_message(username, locked_until)
        raise AccountLocked(
            _(
                "Wrong password. The account {user!r} is now locked for {minutes} minutes after {threshold} wrong "
                "passwords; wait or ask an administrator."
            ).format(user=username, minutes=minutes, threshold=threshold),
            locked_until,
        )
    left = max(threshold - failures, 1)
    message = (
        _("Wrong password for {user!r}; {left} try left before the account locks.")
        if left == 1
        else _("Wrong password for {user!r}; {left} tries left before the account locks.")
    )
    raise InvalidPassword(message.format(user=username, left=left))


def _release(office: Office, username: str, attempt: int, now: datetime) -> None:
    """Settle a right password: refused if a lock was set while it was in flight, else the reset point."""
    with transaction(office.db) as conn:
        later_lock = conn.execute(
            "SELECT detail FROM audit WHERE officer = ? AND action = ? AND id > ? ORDER BY id DESC LIMIT 1",
            (username, LOCK_ACTION, attempt),
        ).fetchone()
        _failures, locked_until = _lock_state(conn, username, now)
        if later_lock is not None and locked_until is None:
            locked_until = str(later_lock[0])[13:]
        if locked_until is not None:
            conn.execute(
                "UPDATE audit SET outcome = 'refused', detail = 'right password, but the account was locked' "
                "WHERE id = ?",
                (attempt,),
            )
        else:
            conn.execute("UPDATE audit SET outcome = 'ok', detail = '' WHERE id = ?", (attempt,))
            conn.execute(
                "UPDATE officers SET failed_logins = 0, locked_until = NULL, last_login = ? WHERE username = ?",
                (to_iso(now), username),
            )
    if locked_until is not None:
        raise _locked_message(username, locked_until)


def lift_lockout(conn: sqlite3.Connection, username: str, now: datetime, by: str) -> None:
    """Record an administrator's unlock (inside their transaction): counting restarts after this row."""
    events.audit(conn, now=now, officer=username, action=UNLOCK_ACTION, outcome="ok", detail=f"by {by}")
    conn.execute("UPDATE officers SET failed_logins = 0, locked_until = NULL WHERE username = ?", (username,))


def _open(
    office: Office, username: str, password: str, keystore: bytes, secrets: OfficerSecrets, now: datetime
) -> Session:
    """After the password: check the officer against the signed data, open the wraps, migrate old layouts."""
    root = bytes(office.authority()["root_public"])
    anchor = secrets.anchor if secrets.anchor is not None else root  # pinned at this login (docs/security.md)
    if anchor != root:
        raise TamperedError(
            _(
                "The authority root key in office.db differs from the one the keystore of {user!r} trusts: the "
                "database was replaced or edited outside the console. Nothing was done; ask an administrator."
            ).format(user=username)
        )
    public = bytes(secrets.signing_key.verify_key)
    fact = truth.check_login(office, username, public, anchor)
    role = Role(str(fact.role))
    state = truth.roster(office, anchor)
    office_secrets, authority_secrets = open_wraps(office, username, role, secrets, state)
    legacy = office.paths.office_sealed.exists() or office.paths.authority_sealed.exists()
    if role is Role.ADMINISTRATOR and legacy and office_secrets is not None and authority_secrets is not None:
        rewrap_all(office, secrets, office_secrets, authority_secrets, state, now)
    wrapped = not office.paths.office_sealed.exists()
    if secrets.anchor is None or (secrets.grants and wrapped):
        # one-time re-seal: pin the anchor, drop master keys the wraps replaced
        secrets = OfficerSecrets(secrets.signing_seed, {} if wrapped else secrets.grants, anchor)
        write_sealed(office.paths.officer_keystore(username), secrets.to_bytes(), password, limits_of(keystore))
    idle = timedelta(minutes=truth.security_setting(office, "session_idle_minutes"))
    return Session(
        office,
        username,
        role,
        secrets,
        office_secrets,
        authority_secrets,
        now,
        idle,
        anchor=anchor,
        kid=fact.kid,
        log_fault=log_fault(office),
    )


#: What an officer may still do when the office's log fails the start-up check: look, and verify.
READ_ON_LOG_FAULT = frozenset(
    {
        Permission.LEDGER_VERIFY,
        Permission.AUDIT_READ,
        Permission.OFFICER_READ,
        Permission.CITIZEN_READ,
        Permission.REQUEST_READ,
    }
)


def log_fault(office: Office) -> str | None:
    """The start-up check of the office's signed log (O(log n), about a millisecond): None when it holds,
    else the sentence naming the fault (the head, the stored hashes or the events)."""
    conn = office.db.conn
    try:
        if officelog.quick_check(conn) is None and conn.execute("SELECT 1 FROM events LIMIT 1").fetchone():
            legacy = conn.execute("SELECT 1 FROM settings WHERE key = 'ledger_unhashed_events'").fetchone()
            if legacy is None:  # an office from before the ledger has that note; without it the head was deleted
                raise LedgerIntegrityError("The office's log has no signed head: it was deleted from office.db.")
    except LedgerIntegrityError as e:
        logger.error("office log check failed: %s", e)
        return str(e)
    return None


def open_wraps(
    office: Office, username: str, role: Role, secrets: OfficerSecrets, state: truth.Roster
) -> tuple[OfficeSecrets | None, AuthoritySecrets | None]:
    """The office and authority secrets wrapped to this officer (those the role is granted), each wrap signed by a
    certified administrator; offices not yet migrated fall back to the master-key files.

    Raises:
        TamperedError: a wrap is not signed by an administrator, or is for someone else.
    """
    code = office.local_office()["code"]
    found: dict[str, bytes] = {}
    for secret, wrap in office.db.execute("SELECT secret, wrap FROM key_wraps WHERE username = ?", (username,)):
        if secret not in KEY_GRANTS[role]:
            continue
        try:
            signer = state.officer_keys.get(wrap_signer_kid(bytes(wrap)))
            if signer is None or signer.role != Role.ADMINISTRATOR.value:
                raise ValueError("not signed by an administrator")
            found[secret] = open_wrap(
                bytes(wrap), secret=secret, office=code, username=username, officer=secrets, signer_public=signer.public
            )
        except (ValueError, cose.CoseError) as e:
            raise TamperedError(
                _(
                    "The key_wraps row {secret} of {user!r} in office.db is not a wrap an administrator made for this "
                    "officer's key; it was edited outside the console. Nothing was done; ask an administrator."
                ).format(secret=secret, user=username)
            ) from e
    for secret, path in (("office", office.paths.office_sealed), ("authority", office.paths.authority_sealed)):
        if secret not in found and secret in KEY_GRANTS[role] and secret in secrets.grants and path.exists():
            found[secret] = read_master_sealed(path, secrets.grants[secret])
    if "database" in found:
        office.unlock_personal(found["database"])  # issue 17: the encrypted registry opens with the login
    return (
        OfficeSecrets.from_bytes(found["office"]) if "office" in found else None,
        AuthoritySecrets.from_bytes(found["authority"]) if "authority" in found else None,
    )


def wraps_for(
    signer: OfficerSecrets,
    code: str,
    username: str,
    role: Role,
    public: bytes,
    office_secrets: OfficeSecrets | None,
    authority_secrets: AuthoritySecrets | None,
    database_key: bytes | None = None,
) -> list[tuple[str, bytes]]:
    """The wraps an officer of `role` gets: (secret name, wrap), signed by the administrator `signer`.

    `database_key` is the key of the encrypted personal.db (issue 17); an office still kept in the clear has
    none, and its officers get no 'database' wrap.
    """
    plain = {
        "office": office_secrets.to_bytes() if office_secrets is not None else None,
        "authority": authority_secrets.to_bytes() if authority_secrets is not None else None,
        "database": database_key,
    }
    out = []
    for secret in sorted(KEY_GRANTS[role]):
        data = plain[secret]
        if data is None and secret == "database":
            continue
        if data is None:
            raise PermissionDenied(
                _("Your keystore lacks the {keys} keys that a {role} needs.").format(keys=secret, role=role_name(role))
            )
        out.append(
            (
                secret,
                wrap_secret(
                    signer.signing_key, secret=secret, office=code, username=username, recipient=public, plaintext=data
                ),
            )
        )
    return out


def store_wraps(
    conn: sqlite3.Connection, username: str, public: bytes, wraps: list[tuple[str, bytes]], now: str
) -> None:
    """Replace an officer's wraps (inside the caller's transaction)."""
    conn.execute("DELETE FROM key_wraps WHERE username = ?", (username,))
    for secret, wrap in wraps:
        conn.execute(
            "INSERT INTO key_wraps (secret, username, kid, wrap, created_at) VALUES (?, ?, ?, ?, ?)",
            (secret, username, cose.key_id(public), wrap, now),
        )


def rewrap_all(
    office: Office,
    admin: OfficerSecrets,
    office_secrets: OfficeSecrets,
    authority_secrets: AuthoritySecrets | None,
    state: truth.Roster,
    now: datetime,
) -> None:
    """Wrap the secrets to every active officer (one transaction); then remove the master-key files.

    Used once per office set up before key wraps (at an administrator's next login) and by key rotation.
    """
    with transaction(office.db) as conn:
        state = truth.roster(office, state.anchor)  # as of this transaction (an officer may just have left)
        rewrap(conn, office, admin, office_secrets, authority_secrets, state, now)
        events.audit(
            conn,
            now=now,
            officer=None,
            action="keys.wrapped",
            outcome="ok",
            detail="office secrets wrapped to officers",
        )
    for path in (office.paths.office_sealed, office.paths.authority_sealed):
        path.unlink(missing_ok=True)
    fsync_dir(office.paths.keys)


def role_name(role: Role) -> str:
    """A role as sentences name it ("clerk"), in the core's language."""
    names = {
        Role.CLERK: _("clerk"),
        Role.SUPERVISOR: _("supervisor"),
        Role.ADMINISTRATOR: _("administrator"),
        Role.AUDITOR: _("auditor"),
    }
    return names.get(role, role.value)


def rewrap(
    conn: sqlite3.Connection,
    office: Office,
    admin: OfficerSecrets,
    office_secrets: OfficeSecrets,
    authority_secrets: AuthoritySecrets | None,
    state: truth.Roster,
    now: datetime,
) -> None:
    """Replace every wrap by wraps of these secrets to the officers the signed roster says are active."""
    code = office.local_office()["code"]
    conn.execute("DELETE FROM key_wraps")
    for username, fact in sorted(state.active_officers().items()):
        role = Role(str(fact.role))
        wraps = wraps_for(
            admin, code, username, role, fact.public, office_secrets, authority_secrets, office.database_key
        )
        store_wraps(conn, username, fact.public, wraps, to_iso(now))
