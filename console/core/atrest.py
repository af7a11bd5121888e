"""Personal data at rest (issue 17): the registry in an encrypted SQLCipher file, opened only by a login.

``office.db`` stays a plain SQLite file: what a login and `verify` without a login need (the authority, the
offices, their certified keys, officers and their certificates, the signed events with the office's log, the key
wraps, the lockout's audit rows, the signed status lists, settings). ``personal.db`` beside it is encrypted with
SQLCipher (AES-256, an HMAC per page) under a random 32-byte key that is one more wrapped office secret
('database'). Why two files rather than one encrypted file: a login must check the password, the lockout and the
certificate chain *before* it holds any key, and all of that lives in the events, the wraps and the audit rows;
sealing them would need a second, plain copy of them, kept in step with every write. docs/security.md,
"Personal data at rest", has the table split and what each file gives away.

Moving an office's personal tables into the encrypted file (`move_personal`) is crash-safe: ``office.db`` is the
commit point. One connection holds office.db's write lock while another copies the tables into a temporary
encrypted file, syncs it and names it ``personal.db``; only then does the locked connection drop the tables from
office.db (with ``secure_delete``, so the freed pages are zeroed) in one transaction. A crash before that commit
leaves office.db as it was (the new file is ignored and made again by the next run); after it, the office is
encrypted. office.db is then vacuumed, so no page of the old tables stays in the file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3

from console.core import cose, events, truth
from console.core.errors import PermissionDenied, StorageError
from console.core.i18n import _
from console.core.keys import wrap_secret
from console.core.roles import KEY_GRANTS, Permission, Role
from console.core.store import (
    BACKUP_NAME,
    PERSONAL_TABLES,
    PUBLIC_AUDIT_ACTIONS,
    DatabaseError,
    attach_personal,
    has_moved,
    sql_key,
)
from console.core.timeutil import to_iso

if TYPE_CHECKING:
    from console.core.accounts import Session

#: Tests set this to "<step>=<seconds>" to stop a move at one of its steps (and kill it there).
PAUSE_ENV = "ID_CONSOLE_TEST_MOVE_PAUSE"
#: Drop order: a table before the tables it references.
_DROP_ORDER = ("requests", "credentials", "citizens", "registrations", "dup_pairs", "dup_indexed",
               "dup_crowded", "dup_flagged", "citizen_count")  # fmt: skip


def new_database_key() -> bytes:
    """A fresh random key for personal.db (SQLCipher raw key: no passphrase derivation at each open)."""
    return os.urandom(32)


def backup_path(data_dir: Path) -> Path:
    return data_dir / BACKUP_NAME


def _pause(step: str) -> None:
    """Test hook: with ID_CONSOLE_TEST_MOVE_PAUSE="<step>=<seconds>", say when `step` is reached and wait there."""
    wanted, _sep, seconds = os.environ.get(PAUSE_ENV, "").partition("=")
    if wanted == step:
        import time

        print(f"move: {step}", flush=True)
        time.sleep(float(seconds))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_leftovers(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def _triggers(conn: sqlite3.Connection, table: str, into: str) -> list[str]:
    """CREATE statements of `table`'s triggers (the citizens' counter), placed in schema `into`; made after every
    table is copied, so that copying rows does not fire them."""
    out = []
    for name, sql in conn.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY rowid", (table,)
    ):
        text = str(sql)
        at = text.index(str(name), len("CREATE TRIGGER"))  # stored without a schema: CREATE TRIGGER name …
        out.append(f"CREATE TRIGGER {into}.{name}{text[at + len(str(name)) :]}")
    return out


def _schema(conn: sqlite3.Connection, table: str, into: str) -> list[str]:
    """CREATE statements of `table` and its indexes, placed in schema `into`."""
    out = []
    for kind, name, sql in conn.execute(
        "SELECT type, name, sql FROM main.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
        "AND type IN ('table', 'index') ORDER BY type = 'index', rowid",
        (table,),
    ):
        prefix = "CREATE TABLE " if kind == "table" else None
        text = str(sql)
        if prefix is not None:
            head, _sep, rest = text.partition("(")
            out.append(f"CREATE TABLE {into}.{name} ({rest}")
            del head
        else:
            unique = "UNIQUE " if text.upper().startswith("CREATE UNIQUE") else ""
            on = text[text.upper().index(" ON ") :]
            out.append(f"CREATE {unique}INDEX {into}.{name}{on}")
    return out


def move_personal(
    main_path: Path,
    personal_path: Path,
    key: bytes,
    *,
    backup: Path | None = None,
    before_commit: Callable[[sqlite3.Connection], None] | None = None,
) -> dict[str, int]:
    """Move the personal tables of office.db into an encrypted personal.db (crash-safe; see the module).

    `backup`: first write an encrypted copy of the whole office.db there (same key). `before_commit` runs inside
    the final office.db transaction (it writes the 'database' wraps). Returns the rows moved per table.

    Raises:
        StorageError: the database is busy, or a file could not be written.
    """
    lock = sqlcipher3.connect(str(main_path), isolation_level=None, timeout=30.0)
    copier = sqlcipher3.connect(str(main_path), isolation_level=None, timeout=30.0)
    tmp = personal_path.with_name(".tmp-" + personal_path.name)
    counts: dict[str, int] = {}
    try:
        lock.execute("PRAGMA busy_timeout = 30000")
        if has_moved(lock):
            return counts
        lock.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        lock.execute("BEGIN IMMEDIATE")  # no other writer until the tables are gone (or nothing happened)
        try:
            copier.execute("PRAGMA cipher_log_level = NONE")
            if backup is not None:
                _write_backup(copier, backup, key)
                _pause("backup written")
            _remove_leftovers(tmp)
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # owner only, like office.db
            copier.execute("ATTACH DATABASE ? AS moved KEY ?", (str(tmp), sql_key(key)))
            copier.execute("PRAGMA moved.journal_mode = DELETE")
            copier.execute("BEGIN")
            for table in PERSONAL_TABLES:
                for statement in _schema(copier, table, "moved"):
                    copier.execute(statement)
                counts[table] = copier.execute(f"INSERT INTO moved.{table} SELECT * FROM main.{table}").rowcount
            for table in PERSONAL_TABLES:
                for statement in _triggers(copier, table, "moved"):
                    copier.execute(statement)
            copier.execute("CREATE TABLE moved.audit_details (id INTEGER PRIMARY KEY, detail TEXT NOT NULL)")
            marks = ",".join("?" * len(PUBLIC_AUDIT_ACTIONS))
            copier.execute(
                "INSERT INTO moved.audit_details (id, detail) SELECT id, detail FROM main.audit "
                f"WHERE detail != '' AND action NOT IN ({marks})",
                tuple(sorted(PUBLIC_AUDIT_ACTIONS)),
            )
            copier.execute("COMMIT")
            copier.execute("DETACH DATABASE moved")
            _fsync(tmp)
            _pause("encrypted copy written")
            os.replace(tmp, personal_path)
            _fsync(personal_path.parent)
            _pause("encrypted copy named")
            lock.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed, not left readable
            for table in _DROP_ORDER:
                lock.execute(f"DROP TABLE main.{table}")
            lock.execute(
                f"UPDATE main.audit SET detail = '' WHERE detail != '' AND action NOT IN ({marks})",
                tuple(sorted(PUBLIC_AUDIT_ACTIONS)),
            )
            if before_commit is not None:
                before_commit(lock)
            lock.execute("COMMIT")
        except BaseException:
            if lock.in_transaction:
                lock.execute("ROLLBACK")
            raise
        _pause("tables dropped")
        with contextlib.suppress(*DatabaseError):  # busy readers: the freed pages are zeroed already
            lock.execute("VACUUM")  # the file is rewritten without the old tables' pages
            lock.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return counts
    except DatabaseError as e:
        raise StorageError(
            _("Could not encrypt the registry of {path}: {reason}. Nothing was changed; try again.").format(
                path=main_path, reason=e
            )
        ) from e
    except OSError as e:
        raise StorageError(
            _("Could not write {path}: {reason}. Nothing was changed; free some space and try again.").format(
                path=personal_path, reason=e.strerror
            )
        ) from e
    finally:
        copier.close()
        lock.close()
        _remove_leftovers(tmp)


def _write_backup(copier: sqlite3.Connection, backup: Path, key: bytes) -> None:
    """An encrypted copy of office.db as it is now (SQLCipher's `sqlcipher_export`), synced and named."""
    tmp = backup.with_name(".tmp-" + backup.name)
    _remove_leftovers(tmp)
    os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    version = int(copier.execute("PRAGMA main.user_version").fetchone()[0])
    copier.execute("ATTACH DATABASE ? AS backup KEY ?", (str(tmp), sql_key(key)))
    try:
        copier.execute("SELECT sqlcipher_export('backup')")
        copier.execute(f"PRAGMA backup.user_version = {version}")
    finally:
        copier.execute("DETACH DATABASE backup")
    _fsync(tmp)
    os.replace(tmp, backup)
    _fsync(backup.parent)


def encrypt_office(session: Session) -> dict[str, Any]:
    """Encrypt an office kept in the clear (an administrator's `db encrypt`): an encrypted backup of office.db,
    the personal tables into personal.db, the database key wrapped to every active officer, in that order.

    Raises:
        PermissionDenied: not an administrator (`key.manage`).
        StorageError: already encrypted, or the move failed (nothing changed).
    """
    session.require(Permission.KEY_MANAGE)
    office = session.office
    if office.encrypted:
        raise StorageError(_("The registry of this office is already encrypted; nothing to do."))
    if session.authority_secrets is None and office.paths.office_sealed.exists():
        raise PermissionDenied(_("Log in again first: this office's keys are still being migrated."))
    key = new_database_key()
    now = office.clock()
    code = office.local_office()["code"]
    office.close()  # this thread's connection would hold the tables open
    backup = backup_path(office.paths.data_dir)

    def wraps(conn: sqlite3.Connection) -> None:
        state = truth.roster(office, session.anchor or None)
        signer = session.officer_keys()
        for username, fact in sorted(state.active_officers().items()):
            if "database" not in KEY_GRANTS[Role(str(fact.role))]:
                continue
            wrap = wrap_secret(
                signer.signing_key, secret="database", office=code, username=username, recipient=fact.public,
                plaintext=key,
            )  # fmt: skip
            conn.execute(
                "INSERT OR REPLACE INTO key_wraps (secret, username, kid, wrap, created_at) "
                "VALUES ('database', ?, ?, ?, ?)",
                (username, cose.key_id(fact.public), wrap, to_iso(now)),
            )
        events.audit(conn, now=now, officer=session.username, action="registry.encrypted", outcome="ok", detail="")

    counts = move_personal(office.paths.db, office.paths.personal, key, backup=backup, before_commit=wraps)
    office.close()
    office.unlock_personal(key)
    return {"moved": counts, "backup": str(backup), "personal": str(office.paths.personal)}


def create_personal(conn: sqlite3.Connection, main_path: Path, personal_path: Path, key: bytes) -> None:
    """A new office (`init`, enrolment): move the (empty) personal tables at once and attach the new file."""
    move_personal(main_path, personal_path, key)
    attach_personal(conn, personal_path, key)


def unlock_backup(backup: Path, key: bytes) -> sqlite3.Connection:
    """Open the encrypted backup made before the move (for a restore, or a test)."""
    conn: sqlite3.Connection = sqlcipher3.connect(str(backup), isolation_level=None)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f'PRAGMA key = "{sql_key(key)}"')
    return conn


def delete_backup(session: Session) -> Path | None:
    """Delete the backup `db encrypt` left (an administrator, once the encrypted office works); audited.

    Raises:
        PermissionDenied: not an administrator (`key.manage`).
    """
    from console.core.store import transaction

    session.require(Permission.KEY_MANAGE)
    office = session.office
    backup = backup_path(office.paths.data_dir)
    if not backup.exists():
        return None
    backup.unlink()
    _fsync(backup.parent)
    with transaction(office.db) as conn:
        events.audit(
            conn, now=office.clock(), officer=session.username, action="registry.backup-deleted", outcome="ok",
            detail=BACKUP_NAME,
        )  # fmt: skip
    return backup
