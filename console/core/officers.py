"""Officer administration: enrol, list, disable, reset and change passwords, rotate the office key, audit.

Keystore files are written before the database transaction and removed if it fails, so an officer exists in
the database only with a keystore; a disabled officer's keystore is deleted after the transaction commits.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from console.core import cose, events, names, truth
from console.core.accounts import Session, lift_lockout, rewrap, store_wraps, wraps_for
from console.core.atomic import fsync_dir
from console.core.errors import Conflict, PermissionDenied, StorageError, ValidationError
from console.core.i18n import _
from console.core.keys import OfficerSecrets, certify, new_seed, public_key_of
from console.core.keystore import write_sealed
from console.core.passwords import check_password, check_username
from console.core.roles import KEY_GRANTS, Permission, Role, parse_role
from console.core.store import IntegrityError, transaction
from console.core.timeutil import to_iso
from console.core.trust import kid_text


def _role(text: str) -> Role:
    try:
        return parse_role(text)
    except ValueError as e:
        raise ValidationError("role", str(e)) from None


def _exists_message() -> str:
    return _("An officer named {username!r} already exists; choose another username.")


def _enrol_key(
    session: Session, username: str, role: Role, password: str
) -> tuple[bytes, bytes, Path, list[tuple[str, bytes]]]:
    """Create a keystore with a fresh signing key under a pending name; return (public key, office certificate,
    pending path, the wraps of the secrets the role is granted). The caller moves the keystore into place only
    after its database transaction commits, so a refused or concurrent enrolment never touches another
    officer's keystore. The keystore carries no office secret: those are wrapped to the new key."""
    seed = new_seed()
    office = session.office.local_office()["code"]
    public = public_key_of(seed)
    # the wrap as it is now: another administrator may have rotated the office key since this session began
    office_secrets = session.reload_office_secrets() if "office" in KEY_GRANTS[role] else None
    wraps = wraps_for(
        session.officer_keys(),
        office,
        username,
        role,
        public,
        office_secrets,
        session.authority_secrets,
        session.office.database_key,
    )
    # Named by the key id: if the process dies after the commit, the next start installs it (tidy.py).
    pending = session.office.paths.officer_keys / f".pending-{username}-{cose.key_id(public).hex()}.keystore"
    anchor = session.anchor or bytes(session.office.authority()["root_public"])
    write_sealed(pending, OfficerSecrets(seed, {}, anchor).to_bytes(), password, session.office.kdf)
    cert = certify(
        session.office_signing_key(),
        {
            "type": "officer-key",
            "office": office,
            "username": username,
            "role": role.value,
            "key": public,
            "valid_from": to_iso(session.office.clock()),
        },
    )
    return public, cert, pending, wraps


def _signed_role(session: Session, username: str) -> Role:
    """An officer's role as the signed roster says (never the table's)."""
    fact = truth.roster(session.office, session.anchor or None).current.get(username)
    if fact is None:
        raise truth.TamperedError(
            _(
                "The officers row of {username!r} in office.db has no signed enrolment behind it: it was added "
                "outside the console. Nothing was done."
            ).format(username=username)
        )
    return Role(str(fact.role))


def _install_keystore(session: Session, pending: Path, username: str) -> None:
    try:
        os.replace(pending, session.office.paths.officer_keystore(username))
    except FileNotFoundError:
        # another process starting up installed it already (tidy.finish_enrolments)
        if not session.office.paths.officer_keystore(username).exists():
            raise
    except OSError as e:
        raise StorageError(
            _(
                "{username} is enrolled, but the keystore could not be put in place ({reason}); it is kept aside and "
                "installed the next time the console starts. Free disk space or fix the permissions of {folder}."
            ).format(username=username, reason=e.strerror, folder=session.office.paths.officer_keys)
        ) from e
    fsync_dir(session.office.paths.officer_keys)


def add_officer(session: Session, *, username: str, role: str, full_name: str, password: str) -> dict[str, Any]:
    """Enrol a new officer with a role and a first password (administrators only)."""
    session.require(Permission.OFFICER_MANAGE, username)
    check_username(username)
    parsed = _role(role)
    full_name = names.clean_name(full_name, "full-name")
    check_password(password, username)
    office = session.office
    if list(office.db.query("SELECT 1 FROM officers WHERE username = ?", [username])):
        raise Conflict(_exists_message().format(username=username))
    public, cert, pending, wraps = _enrol_key(session, username, parsed, password)
    now = office.clock()
    try:
        with transaction(office.db) as conn:
            try:
                conn.execute(
                    "INSERT INTO officers (username, full_name, role, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                    (username, full_name, parsed.value, to_iso(now), session.username),
                )
            except IntegrityError:
                raise Conflict(_exists_message().format(username=username)) from None
            conn.execute(
                "INSERT INTO officer_keys (kid, username, role, public_key, valid_from, certificate) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (cose.key_id(public), username, parsed.value, public, to_iso(now), cert),
            )
            events.append_event(
                conn,
                actor=session.actor,
                office=office.local_office()["code"],
                event_type="officer.enrolled",
                now=now,
                clear={"username": username, "role": parsed.value, "certificate": cert},
                sealed=events.seal_record(bytes(office.authority()["records_public"]), {"full_name": full_name}),
                audit_detail=f"enrolled {username} as {parsed.value}",
            )
            store_wraps(conn, username, public, wraps, to_iso(now))
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    _install_keystore(session, pending, username)
    return {"username": username, "role": parsed.value, "full_name": full_name}


def list_officers(session: Session) -> list[dict[str, Any]]:
    """All officers with role and status (administrators and auditors)."""
    session.require(Permission.OFFICER_READ)
    return [
        dict(row)
        for row in session.office.db.query(
            "SELECT username, full_name, role, status, last_login, created_at, created_by, "
            "CASE WHEN locked_until > ? THEN locked_until END AS locked_until FROM officers ORDER BY username",
            [to_iso(session.office.clock())],
        )
    ]


def disable_officer(session: Session, username: str) -> None:
    """Take an officer's access away: account disabled, keystore deleted, key's validity ended on the ledger."""
    session.require(Permission.OFFICER_MANAGE, username)
    office = session.office
    row = office.officer_row(username)
    if row["status"] == "disabled":
        raise Conflict(_("The officer {username!r} is already disabled.").format(username=username))
    if username == session.username:
        raise Conflict(_("You cannot disable your own account; ask another administrator."))
    now = office.clock()
    role = _signed_role(session, username)
    with transaction(office.db) as conn:
        if role is Role.ADMINISTRATOR:
            others = conn.execute(
                "SELECT COUNT(*) FROM officers WHERE role = 'administrator' AND status = 'active' AND username != ?",
                (username,),
            ).fetchone()[0]
            if others == 0:
                raise Conflict(_("This is the last active administrator; enrol another one first."))
        if (
            conn.execute(
                "UPDATE officers SET status = 'disabled' WHERE username = ? AND status = 'active'", (username,)
            ).rowcount
            != 1
        ):
            raise Conflict(_("The officer {username!r} is already disabled.").format(username=username))
        conn.execute(
            "UPDATE officer_keys SET valid_until = ? WHERE username = ? AND valid_until IS NULL",
            (to_iso(now), username),
        )
        conn.execute("DELETE FROM key_wraps WHERE username = ?", (username,))  # rotation then cuts them off
        events.append_event(
            conn,
            actor=session.actor,
            office=office.local_office()["code"],
            event_type="officer.disabled",
            now=now,
            clear={"username": username},
            audit_detail=f"disabled {username}",
        )
    with contextlib.suppress(FileNotFoundError):
        office.paths.officer_keystore(username).unlink()


def reset_password(session: Session, username: str, new_password: str) -> None:
    """Give an officer a new password (administrators). Their old signing key is retired and a new one enrolled,
    because nobody but the officer can open the old keystore."""
    session.require(Permission.OFFICER_MANAGE, username)
    office = session.office
    row = office.officer_row(username)
    if row["status"] != "active":
        raise Conflict(
            _("The officer {username!r} is disabled; a disabled account cannot get a new password.").format(
                username=username
            )
        )
    check_password(new_password, username)
    role = _signed_role(session, username)
    public, cert, pending, wraps = _enrol_key(session, username, role, new_password)
    now = office.clock()
    try:
        with transaction(office.db) as conn:
            conn.execute(
                "UPDATE officer_keys SET valid_until = ? WHERE username = ? AND valid_until IS NULL",
                (to_iso(now), username),
            )
            conn.execute(
                "INSERT INTO officer_keys (kid, username, role, public_key, valid_from, certificate) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (cose.key_id(public), username, role.value, public, to_iso(now), cert),
            )
            lift_lockout(conn, username, now, session.username)
            events.append_event(
                conn,
                actor=session.actor,
                office=office.local_office()["code"],
                event_type="officer.key-replaced",
                now=now,
                clear={"username": username, "role": role.value, "certificate": cert},
                audit_detail=f"password reset for {username}",
            )
            store_wraps(conn, username, public, wraps, to_iso(now))
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    _install_keystore(session, pending, username)


def change_password(session: Session, new_password: str) -> None:
    """Re-seal the officer's own keystore under a new password (same keys)."""
    session.require_self()
    check_password(new_password, session.username)
    write_sealed(
        session.office.paths.officer_keystore(session.username),
        session.officer_keys().to_bytes(),
        new_password,
        session.office.kdf,
    )
    with transaction(session.office.db) as conn:
        events.audit(
            conn,
            now=session.office.clock(),
            officer=session.username,
            action="password.change",
            outcome="ok",
            detail="",
        )


def rotate_office_key(session: Session) -> dict[str, Any]:
    """Retire the office signing key and certify a new one with the authority key (administrators).

    The new office secrets are wrapped, in the same transaction, to the officers the signed roster says are
    active: a disabled officer's copied keystore opens nothing made from now on. Credentials signed before
    stay valid (the old key's validity ends now, it does not vanish).
    """
    session.require(Permission.KEY_MANAGE)
    if session.authority_secrets is None or session.office_secrets is None:
        raise PermissionDenied(_("Your keystore lacks the authority key needed to certify office keys."))
    office = session.office
    code = office.local_office()["code"]
    if office.current_office_key()["valid_from"] == to_iso(office.clock()):
        raise Conflict(_("The office key was replaced less than a second ago; wait a moment before rotating again."))
    seed = new_seed()
    # Start from the wrap as it is now, not from what this session loaded at login (another rotation may
    # have happened since).
    secrets = session.reload_office_secrets().with_new_signing_seed(seed)
    public = public_key_of(seed)
    now = office.clock()
    cert = certify(
        session.authority_secrets.root_key,
        {
            "type": "office-key",
            "authority": office.authority()["domain"],
            "office": code,
            "key": public,
            "valid_from": to_iso(now),
        },
    )
    with transaction(office.db) as conn:
        # the roster as of this transaction: an officer disabled a moment ago gets no wrap of the new key
        state = truth.roster(office, session.anchor or None)
        conn.execute(
            "UPDATE office_keys SET valid_until = ? WHERE office_code = ? AND valid_until IS NULL", (to_iso(now), code)
        )
        conn.execute(
            "INSERT INTO office_keys (kid, office_code, public_key, valid_from, certificate) VALUES (?, ?, ?, ?, ?)",
            (cose.key_id(public), code, public, to_iso(now), cert),
        )
        events.append_event(
            conn,
            actor=session.actor,
            office=code,
            event_type="office.key-rotated",
            now=now,
            clear={"office": code, "certificate": cert},
            audit_detail=f"new office key {cose.key_id(public).hex()}",
        )
        rewrap(conn, office, session.officer_keys(), secrets, session.authority_secrets, state, now)
    session.office_secrets = secrets
    for path in (office.paths.office_sealed, office.paths.authority_sealed):  # an office not yet migrated
        path.unlink(missing_ok=True)
    return {"office": code, "kid": kid_text(cose.key_id(public)), "valid_from": to_iso(now)}


def audit_trail(session: Session, *, limit: int = 200) -> list[dict[str, Any]]:
    """The newest audit entries (events, logins, refusals), newest first (auditors and administrators)."""
    session.require(Permission.AUDIT_READ)
    if limit < 1:
        raise ValidationError("limit", _("The number of audit entries must be at least 1."))
    return [
        dict(row)
        for row in session.office.db.query(
            "SELECT id, time, officer, action, outcome, detail, event_seq FROM audit_full ORDER BY id DESC LIMIT ?",
            [limit],
        )
    ]


def unlock_officer(session: Session, username: str) -> None:
    """Lift a lockout after wrong passwords (administrators), without changing the password or key."""
    session.require(Permission.OFFICER_MANAGE, username)
    office = session.office
    office.officer_row(username)
    with transaction(office.db) as conn:
        lift_lockout(conn, username, office.clock(), session.username)
        events.append_event(  # a state change like any other: signed, so the log shows who lifted the lock
            conn,
            actor=session.actor,
            office=office.local_office()["code"],
            event_type="officer.unlocked",
            now=office.clock(),
            clear={"username": username},
            audit_detail=f"unlocked {username}",
        )


#: Office settings an administrator may change, with their allowed ranges.
SETTINGS: dict[str, tuple[int, int, str]] = {
    "lockout_threshold": (3, 20, "wrong passwords before an account locks"),
    "lockout_minutes": (1, 1440, "minutes an account stays locked"),
    "session_idle_minutes": (1, 120, "minutes without activity before a session ends"),
}


def office_settings(session: Session) -> dict[str, int]:
    """The security settings in force (administrators and auditors)."""
    session.require(Permission.OFFICER_READ)
    return {key: int(session.office.setting(key)) for key in SETTINGS}


def set_office_setting(session: Session, key: str, value: int) -> dict[str, int]:
    """Change one security setting (administrators); the change is audited."""
    session.require(Permission.OFFICER_MANAGE, key)
    if key not in SETTINGS:
        raise ValidationError(
            "setting",
            _("Unknown setting {key!r}; choose one of {choices}.").format(key=key, choices=", ".join(SETTINGS)),
        )
    low, high, meaning = SETTINGS[key]
    if not low <= value <= high:
        meanings = {
            "lockout_threshold": _("wrong passwords before an account locks"),
            "lockout_minutes": _("minutes an account stays locked"),
            "session_idle_minutes": _("minutes without activity before a session ends"),
        }
        raise ValidationError(
            "value",
            _("{key} ({meaning}) must be {low} to {high}; got {value}.").format(
                key=key, meaning=meanings.get(key, meaning), low=low, high=high, value=value
            ),
        )
    with transaction(session.office.db) as conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, str(value)),
        )
        events.append_event(  # security settings decide lockouts and sessions: a signed event, not just audit
            conn,
            actor=session.actor,
            office=session.office.local_office()["code"],
            event_type="settings.changed",
            now=session.office.clock(),
            clear={"key": key, "value": value},
            audit_detail=f"{key} = {value}",
        )
    return office_settings(session)
