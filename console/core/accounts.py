"""Logging in, sessions, and the permission check every service call makes.

A session is the unlocked state of one officer: their signing key and the key material their role is granted.
Every service call goes through `Session.require`, which (deny by default) re-reads the officer's row, so a
disabled officer or a changed role takes effect on the next call, ends idle sessions, and records refusals in
the audit trail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import nacl.signing

from console.core import cose, events
from console.core.errors import (
    AccountLocked,
    AuthenticationError,
    InvalidPassword,
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
    public_key_of,
    read_master_sealed,
)
from console.core.keystore import read_sealed
from console.core.office import Office
from console.core.roles import Permission, Role, allows
from console.core.store import transaction
from console.core.timeutil import from_iso, to_iso

logger = logging.getLogger(__name__)


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
        if row["status"] != "active":
            self.lock()
            raise SessionExpired(
                _("The account {user!r} has been disabled; ask an administrator.").format(user=self.username)
            )
        return Role(row["role"])

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

        After a key rotation (by another session) the key in force is not in the secrets loaded at login, so
        the sealed office file is read again with the office master key this officer holds.
        """
        secrets = self.office_keys()
        current = bytes(self.office.current_office_key()["public_key"])
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
        """Read the sealed office secrets again (they change when an administrator rotates the office key)."""
        grants = self.officer_keys().grants
        if "office" not in grants:
            raise PermissionDenied(_("A {role} holds no office keys.").format(role=role_name(self.role)))
        return OfficeSecrets.from_bytes(read_master_sealed(self.office.paths.office_sealed, grants["office"]))

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
    """Check the password by opening the officer's keystore; apply the lockout rule.

    Raises:
        AuthenticationError: unknown or disabled officer.
        AccountLocked: too many wrong passwords recently.
        InvalidPassword: wrong password (says how many tries are left).
    """
    now = office.clock()
    db = office.db
    try:
        row = office.officer_row(username)
    except NotFound:
        with transaction(db) as conn:
            events.audit(
                conn, now=now, officer=None, action="login", outcome="failed", detail=f"unknown user {username!r}"
            )
        raise AuthenticationError(
            _("No officer named {user!r} in the office at {folder}; check the username.").format(
                user=username, folder=office.paths.data_dir
            )
        ) from None
    if row["status"] != "active":
        with transaction(db) as conn:
            events.audit(conn, now=now, officer=username, action="login", outcome="refused", detail="account disabled")
        raise AuthenticationError(_("The account {user!r} is disabled; ask an administrator.").format(user=username))
    if row["locked_until"] and from_iso(row["locked_until"]) > now:
        with transaction(db) as conn:
            events.audit(conn, now=now, officer=username, action="login", outcome="refused", detail="account locked")
        raise AccountLocked(
            _(
                "The account {user!r} is locked after too many wrong passwords until {until} (UTC); "
                "wait or ask an administrator."
            ).format(user=username, until=row["locked_until"]),
            row["locked_until"],
        )
    try:
        secrets = OfficerSecrets.from_bytes(read_sealed(office.paths.officer_keystore(username), password))
    except InvalidPassword:
        _count_failure(office, username, now)
        raise
    role = Role(row["role"])
    office_secrets = authority_secrets = None
    if "office" in secrets.grants:
        office_secrets = OfficeSecrets.from_bytes(
            read_master_sealed(office.paths.office_sealed, secrets.grants["office"])
        )
    if "authority" in secrets.grants:
        authority_secrets = AuthoritySecrets.from_bytes(
            read_master_sealed(office.paths.authority_sealed, secrets.grants["authority"])
        )
    with transaction(db) as conn:
        conn.execute(
            "UPDATE officers SET failed_logins = 0, locked_until = NULL, last_login = ? WHERE username = ?",
            (to_iso(now), username),
        )
        events.audit(conn, now=now, officer=username, action="login", outcome="ok", detail="")
    idle = timedelta(minutes=int(office.setting("session_idle_minutes")))
    return Session(office, username, role, secrets, office_secrets, authority_secrets, now, idle)


def _count_failure(office: Office, username: str, now: datetime) -> None:
    threshold = int(office.setting("lockout_threshold"))
    minutes = int(office.setting("lockout_minutes"))
    with transaction(office.db) as conn:
        failed = (
            int(conn.execute("SELECT failed_logins FROM officers WHERE username = ?", (username,)).fetchone()[0]) + 1
        )
        locked_until = to_iso(now + timedelta(minutes=minutes)) if failed >= threshold else None
        conn.execute(
            "UPDATE officers SET failed_logins = ?, locked_until = ? WHERE username = ?",
            (0 if locked_until else failed, locked_until, username),
        )
        events.audit(
            conn,
            now=now,
            officer=username,
            action="login",
            outcome="failed",
            detail="wrong password" + (f"; locked until {locked_until}" if locked_until else ""),
        )
    if locked_until:
        raise AccountLocked(
            _(
                "Wrong password. The account {user!r} is now locked for {minutes} minutes after {threshold} wrong "
                "passwords; wait or ask an administrator."
            ).format(user=username, minutes=minutes, threshold=threshold),
            locked_until,
        )
    left = threshold - failed
    message = (
        _("Wrong password for {user!r}; {left} try left before the account locks.")
        if left == 1
        else _("Wrong password for {user!r}; {left} tries left before the account locks.")
    )
    raise InvalidPassword(message.format(user=username, left=left))


def role_name(role: Role) -> str:
    """A role as sentences name it ("clerk"), in the core's language."""
    names = {
        Role.CLERK: _("clerk"),
        Role.SUPERVISOR: _("supervisor"),
        Role.ADMINISTRATOR: _("administrator"),
        Role.AUDITOR: _("auditor"),
    }
    return names.get(role, role.value)
