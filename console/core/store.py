"""The office database: one SQLite file (WAL), versioned migrations, explicit transactions.

Invariants: the schema version is `PRAGMA user_version` and only moves forward, one migration per step, each
in its own transaction. Writes go through `transaction()` (BEGIN IMMEDIATE … COMMIT) with plain SQL, because
sqlite-utils' write helpers commit on their own and would break multi-statement atomicity; sqlite-utils is
used for reads and introspection. Each thread opens its own connection.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import sqlcipher3

from console.core.errors import StorageError
from console.core.i18n import _

DB_NAME = "office.db"
#: The busy timeout every connection uses (ms), restored after the first, non-waiting attempt.
BUSY_TIMEOUT_MS = 10_000
#: Issue 17: the personal data (registry, credentials, requests, audit details) lives in this SQLCipher file,
#: attached to the office.db connection as schema ``personal`` once a login opened the database key.
PERSONAL_DB_NAME = "personal.db"
PERSONAL_SCHEMA = "personal"
#: The encrypted copy of office.db that `db encrypt` makes before the move (the administrator deletes it).
BACKUP_NAME = "office.db.before-encryption"
#: The tables that move to the encrypted file (docs/security.md, "Personal data at rest").
PERSONAL_TABLES = (
    "citizens",
    "registrations",
    "credentials",
    "requests",
    "dup_pairs",
    "dup_indexed",
    "dup_crowded",
    "dup_flagged",
    "citizen_count",
)
#: Audit actions whose detail stays in office.db: the lockout reads them before any key is open.
PUBLIC_AUDIT_ACTIONS = frozenset({"login", "login.lock", "login.unlock"})

#: Connections come from SQLCipher's build of the sqlite3 module (plain files are ordinary SQLite files); its
#: exceptions are its own classes, so handlers catch both families through these tuples.
DatabaseError: tuple[type[Exception], ...] = (sqlite3.DatabaseError, sqlcipher3.dbapi2.DatabaseError)
IntegrityError: tuple[type[Exception], ...] = (sqlite3.IntegrityError, sqlcipher3.dbapi2.IntegrityError)
OperationalError: tuple[type[Exception], ...] = (sqlite3.OperationalError, sqlcipher3.dbapi2.OperationalError)
Error: tuple[type[Exception], ...] = (sqlite3.Error, sqlcipher3.dbapi2.Error)


class _Connection(sqlcipher3.Connection):  # type: ignore[misc]
    """A SQLCipher connection that remembers whether the personal database is attached."""

    personal = False


MIGRATIONS: list[str] = [
    # 1: authority, offices, keys, officers, signed event outbox, audit trail, settings, counters.
    """
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE authority (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL, domain TEXT NOT NULL, scheme TEXT NOT NULL,
        root_public BLOB NOT NULL, records_public BLOB NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE offices (
        code TEXT PRIMARY KEY, name TEXT NOT NULL, slot INTEGER NOT NULL UNIQUE, region TEXT,
        is_local INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
    CREATE TABLE office_keys (
        kid BLOB PRIMARY KEY, office_code TEXT NOT NULL REFERENCES offices(code), public_key BLOB NOT NULL,
        valid_from TEXT NOT NULL, valid_until TEXT, certificate BLOB NOT NULL);
    CREATE TABLE officers (
        username TEXT PRIMARY KEY, full_name TEXT NOT NULL, role TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        failed_logins INTEGER NOT NULL DEFAULT 0, locked_until TEXT,
        created_at TEXT NOT NULL, created_by TEXT, last_login TEXT);
    CREATE TABLE officer_keys (
        kid BLOB PRIMARY KEY, username TEXT NOT NULL REFERENCES officers(username), role TEXT NOT NULL,
        public_key BLOB NOT NULL, valid_from TEXT NOT NULL, valid_until TEXT, certificate BLOB NOT NULL);
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, officer TEXT NOT NULL,
        created_at TEXT NOT NULL, entry BLOB NOT NULL, published INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, officer TEXT, action TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')), detail TEXT NOT NULL DEFAULT '',
        event_seq INTEGER REFERENCES events(seq));
    CREATE INDEX audit_time ON audit(time);
    CREATE TABLE counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    """,
    # 2: the registry. `citizens` holds allocated numbers only; likely duplicates wait in `registrations`
    # (no number consumed) until a supervisor accepts or rejects them.
    """
    CREATE TABLE citizens (
        id_number TEXT PRIMARY KEY, family_name TEXT NOT NULL, given_name TEXT NOT NULL,
        latin_family TEXT NOT NULL, latin_given TEXT NOT NULL, match_key TEXT NOT NULL,
        birth_date TEXT NOT NULL, sex TEXT NOT NULL CHECK (sex IN ('F', 'M', 'X')), birthplace TEXT NOT NULL,
        photo BLOB, office_code TEXT NOT NULL, registered_at TEXT NOT NULL, registered_by TEXT NOT NULL,
        approved_by TEXT);
    CREATE INDEX citizens_family ON citizens(family_name);
    CREATE INDEX citizens_given ON citizens(given_name);
    CREATE INDEX citizens_latin_family ON citizens(latin_family);
    CREATE INDEX citizens_latin_given ON citizens(latin_given);
    CREATE INDEX citizens_birth ON citizens(birth_date, sex);
    CREATE TABLE registrations (
        id INTEGER PRIMARY KEY AUTOINCREMENT, status TEXT NOT NULL
            CHECK (status IN ('pending-review', 'accepted', 'rejected')),
        family_name TEXT NOT NULL, given_name TEXT NOT NULL, latin_family TEXT NOT NULL, latin_given TEXT NOT NULL,
        birth_date TEXT NOT NULL, sex TEXT NOT NULL, birthplace TEXT NOT NULL, photo BLOB,
        candidates TEXT NOT NULL, requested_by TEXT NOT NULL, requested_at TEXT NOT NULL,
        decided_by TEXT, decided_at TEXT, note TEXT, id_number TEXT);
    CREATE INDEX registrations_status ON registrations(status);
    """,
    # 3: credentials and status-change requests (four-eyes).
    """
    CREATE TABLE credentials (
        credential_id BLOB PRIMARY KEY, id_number TEXT NOT NULL, office_code TEXT NOT NULL, kid BLOB NOT NULL,
        issued_at TEXT NOT NULL, expires_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'suspended', 'superseded')),
        status_changed_at TEXT, qr TEXT, issued_by TEXT);
    CREATE INDEX credentials_holder ON credentials(id_number, issued_at);
    CREATE TABLE requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        action TEXT NOT NULL CHECK (action IN ('revoke', 'suspend', 'reinstate')),
        credential_id BLOB NOT NULL REFERENCES credentials(credential_id), id_number TEXT NOT NULL,
        reason TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
        requested_by TEXT NOT NULL, requested_at TEXT NOT NULL, decided_by TEXT, decided_at TEXT, note TEXT);
    CREATE INDEX requests_status ON requests(status, id);
    CREATE TABLE printers (name TEXT PRIMARY KEY, offset_x REAL NOT NULL, offset_y REAL NOT NULL);
    """,
    # issue 12 (keys): at-use checks find signed events by type and time; the lockout reads an officer's login
    # attempts from the audit trail; office secrets are wrapped to each officer's key (docs/security.md).
    """
    CREATE INDEX events_type_time ON events(type, created_at);
    CREATE INDEX audit_logins ON audit(officer, action, outcome, id);
    CREATE TABLE key_wraps (
        secret TEXT NOT NULL CHECK (secret IN ('office', 'authority')), username TEXT NOT NULL,
        kid BLOB NOT NULL, wrap BLOB NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (secret, username));
    """,
    # issue 12 (robust): an index of name segments per birth date and sex, so the duplicate check looks up a
    # few candidates instead of comparing every person born the same day (registry.py, `find_duplicates`),
    # plus segments without date and sex for the few people the relaxed rule concerns (held registrations,
    # revoked or suspended credentials). It is a cache: `dup_indexed` holds how far the citizens (src 0, by
    # rowid), registrations (src 1, by id) and status changes (src 2, by status_changed_at) are indexed, and
    # rows written by anyone are indexed on the next check.
    """
    CREATE TABLE dup_segments (
        segment TEXT NOT NULL, src INTEGER NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (segment, src, rid)
    ) WITHOUT ROWID;
    CREATE TABLE dup_indexed (src INTEGER PRIMARY KEY, upto NOT NULL);
    CREATE TABLE dup_registration_keys (id INTEGER PRIMARY KEY, match_key TEXT NOT NULL);
    CREATE INDEX credentials_changed ON credentials(status_changed_at);
    """,
    # issue 11 (verifier): each credential's index in its office's status list (drawn at random, unique per
    # office), the office's status list (size, how many assigned, the signed token) and other authorities'
    # keys imported for verifying (`trust import`).
    """
    ALTER TABLE credentials ADD COLUMN status_idx INTEGER;
    CREATE UNIQUE INDEX credentials_status_idx ON credentials(office_code, status_idx);
    CREATE TABLE status_lists (
        office_code TEXT PRIMARY KEY, size INTEGER NOT NULL, assigned INTEGER NOT NULL DEFAULT 0,
        token BLOB, made_at TEXT);
    CREATE TABLE foreign_keys (
        kid BLOB PRIMARY KEY, issuer TEXT NOT NULL, jwk TEXT NOT NULL, imported_by TEXT NOT NULL,
        imported_at TEXT NOT NULL);
    """,
    # issue 9 (ledger): the office's log (stored hashes, signed head), blobs of large events, the published
    # checkpoint (the folder's compare-and-swap commit record), other offices' logs and what was learnt from them.
    """
    CREATE TABLE ledger_hashes (idx INTEGER PRIMARY KEY, hash BLOB NOT NULL);
    CREATE TABLE ledger_head (
        id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, root BLOB NOT NULL, note BLOB NOT NULL);
    CREATE TABLE ledger_blobs (digest BLOB PRIMARY KEY, data BLOB NOT NULL);
    CREATE TABLE ledger_published (
        id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, checkpoint BLOB NOT NULL,
        staged_size INTEGER, staged_checkpoint BLOB, updated_at TEXT NOT NULL);
    CREATE TABLE ledger_peers (
        origin TEXT PRIMARY KEY, office_code TEXT NOT NULL, size INTEGER NOT NULL DEFAULT 0, root BLOB,
        checkpoint BLOB, status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'forked')),
        problem TEXT, evidence TEXT, updated_at TEXT);
    CREATE TABLE ledger_peer_hashes (
        origin TEXT NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (origin, idx)) WITHOUT ROWID;
    CREATE TABLE ledger_peer_officers (
        kid BLOB PRIMARY KEY, office_code TEXT NOT NULL, username TEXT NOT NULL, role TEXT NOT NULL,
        public_key BLOB NOT NULL, valid_from TEXT NOT NULL, valid_until TEXT, certificate BLOB NOT NULL);
    INSERT INTO settings (key, value) SELECT 'ledger_unhashed_events', MAX(seq) FROM events HAVING MAX(seq) > 0;
    """,
    # issue 12 (robust2): the duplicate check's index holds pairs of name segments, hashed to 64 bits, instead of
    # single segments, so a look-up reads a few rows however many people share a birth date (registry.py); the
    # old index is dropped and the new one is built on the next registration, in short transactions.
    """
    DROP TABLE dup_segments;
    CREATE TABLE dup_pairs (
        h INTEGER NOT NULL, src INTEGER NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (h, src, rid)
    ) WITHOUT ROWID;
    DELETE FROM dup_indexed;
    DELETE FROM dup_registration_keys;
    """,
    # issue 16 (perf): the duplicate check reads a person's (birth date, sex) group straight from a covering index
    # when the group is small (the usual case), so the name-pair index holds only the people of crowded groups
    # (`dup_crowded`, more than registry.GROUP_SCAN_LIMIT = 256 people); held registrations are read by status and birth
    # date (index) and revoked or suspended citizens from `dup_flagged`. Groups already crowded are listed
    # here, so the catch-up indexes them in short transactions (registry.py, `DuplicateCheck`).
    """
    DROP INDEX citizens_birth;
    CREATE INDEX citizens_birth ON citizens(birth_date, sex, match_key);
    CREATE INDEX registrations_status_birth ON registrations(status, birth_date);
    CREATE TABLE dup_crowded (
        birth_date TEXT NOT NULL, sex TEXT NOT NULL, PRIMARY KEY (birth_date, sex)
    ) WITHOUT ROWID;
    CREATE TABLE dup_flagged (rid INTEGER PRIMARY KEY, birth_date TEXT NOT NULL, match_key TEXT NOT NULL);
    CREATE INDEX dup_flagged_birth ON dup_flagged(birth_date);
    DROP TABLE dup_registration_keys;
    DELETE FROM dup_pairs;
    DELETE FROM dup_indexed;
    INSERT INTO dup_crowded (birth_date, sex) SELECT birth_date, sex FROM citizens GROUP BY birth_date, sex
        HAVING COUNT(*) > 256;
    """,
    # issue 12 (robust2): the duplicate index's keys keep a look-up's entries together (date and sex, then the
    # region of segment i, then segment j; registry.py), so its cost does not grow with the people sharing a
    # birth date; the old keys are dropped and rebuilt on the next registration, in short transactions.
    """
    DELETE FROM dup_pairs;
    DELETE FROM dup_indexed;
    """,
    # issue 17 (atrest): the key of the encrypted personal database (personal.db) is one more secret wrapped to
    # officers ('database'); SQLite cannot change a CHECK, so key_wraps is rebuilt with the wider one.
    """
    CREATE TABLE key_wraps_17 (
        secret TEXT NOT NULL CHECK (secret IN ('office', 'authority', 'database')), username TEXT NOT NULL,
        kid BLOB NOT NULL, wrap BLOB NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (secret, username));
    INSERT INTO key_wraps_17 (secret, username, kid, wrap, created_at)
        SELECT secret, username, kid, wrap, created_at FROM key_wraps;
    DROP TABLE key_wraps;
    ALTER TABLE key_wraps_17 RENAME TO key_wraps;
    """,
    # issue 17 (atrest): the number of citizens in one row kept by triggers, so that start-up reads one page
    # instead of counting the citizens' index (in personal.db every page of it is decrypted: +25 ms at 100,000).
    """
    CREATE TABLE citizen_count (one INTEGER PRIMARY KEY CHECK (one = 1), n INTEGER NOT NULL);
    INSERT INTO citizen_count (one, n) SELECT 1, COUNT(*) FROM citizens;
    CREATE TRIGGER citizen_count_up AFTER INSERT ON citizens BEGIN UPDATE citizen_count SET n = n + 1; END;
    CREATE TRIGGER citizen_count_down AFTER DELETE ON citizens BEGIN UPDATE citizen_count SET n = n - 1; END;
    """,
]


class Database:
    """The office database: a SQLite connection with dict-row queries.

    The two calls the console makes of sqlite-utils (`execute`, `query`), without importing it: sqlite-utils
    pulls click, pluggy and dateutil (~90-150 ms) into every command that opens an office (issue 16).
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> sqlite3.Cursor:
        """Run one statement (autocommit unless a transaction is open) and return its cursor."""
        return self.conn.execute(sql) if parameters is None else self.conn.execute(sql, parameters)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Run a query now; its rows as dicts keyed by column name, fetched as iterated."""
        cursor = self.execute(sql, params)
        if cursor.description is None:
            raise ValueError("query() can only be used with SQL that returns rows - use execute() for other statements")
        keys = _unique_keys([d[0] for d in cursor.description])
        return (dict(zip(keys, row, strict=True)) for row in cursor)


def _unique_keys(keys: list[str]) -> list[str]:
    """Column names made unique as sqlite-utils does (a later `id` becomes `id_2`), so no value is lost."""
    taken = set(keys)
    if len(taken) == len(keys):
        return keys
    seen: set[str] = set()
    result = []
    for key in keys:
        new_key, suffix = key, 2
        while key in seen and (new_key in seen or new_key in taken):
            new_key, suffix = f"{key}_{suffix}", suffix + 1
        seen.add(new_key)
        result.append(new_key)
    return result


def open_database(path: Path, *, create: bool = False, personal_key: bytes | None = None) -> Database:
    """Open (or with `create`, create) the office database and bring its schema up to date.

    With `personal_key`, the encrypted personal database beside it (``personal.db``) is attached first, so that
    migrations reach its tables too; without it, a migration that needs them waits for a connection that has it.

    Raises:
        StorageError: the file is missing (and not `create`), unreadable, not a database, damaged, or newer
            than this console; or `personal_key` does not open ``personal.db``.
    """
    if not create and not path.exists():
        raise StorageError(
            _("No office database at {path}. Run `id-console init` or choose the right --data-dir.").format(path=path)
        )
    try:
        if create and not path.exists():
            path.touch(mode=0o600)  # registry data: owner only (SQLite gives -wal/-shm the same mode)
        conn = sqlcipher3.connect(
            str(path), isolation_level=None, timeout=10.0, check_same_thread=True, factory=_Connection
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA cache_size = -65536")  # 64 MiB: the registry's indexes stay in memory
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version == 0 and not create:
            conn.close()
            raise StorageError(
                _(
                    "The office database {path} is empty or not an office database; restore it from backup or "
                    "rebuild the office from the ledger."
                ).format(path=path)
            )
        if version > len(MIGRATIONS):
            raise StorageError(
                _(
                    "The office database {path} was written by a newer console (schema {version}); update the console."
                ).format(path=path, version=version)
            )
        if personal_key is not None:
            attach_personal(conn, path.with_name(PERSONAL_DB_NAME), personal_key)
        migrate(conn)
        _audit_view(conn)
    except DatabaseError as e:
        raise StorageError(
            _(
                "The office database {path} is damaged or is not a database ({reason}). Restore it from backup or "
                "rebuild the office from the ledger."
            ).format(path=path, reason=e)
        ) from e
    except OSError as e:
        raise StorageError(
            _("Cannot open the office database {path}: {reason}.").format(path=path, reason=e.strerror)
        ) from e
    return Database(conn)


def migrate(conn: sqlite3.Connection) -> None:
    """Run the migrations this file has not had, each in its own transaction.

    When the personal tables live in the encrypted file and it is not attached, a migration that needs them stops
    the run (rolled back, version unchanged); the next connection with the key runs it.
    """
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    personal = is_unlocked(conn)
    moved = not personal and has_moved(conn)
    for number in range(version, len(MIGRATIONS)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[number]):
                conn.execute(_placed(statement) if personal else statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except OperationalError as e:
            conn.execute("ROLLBACK")
            if moved and ("no such table" in str(e) or "no such index" in str(e)):
                return  # needs personal.db: waits for a login
            raise
        except BaseException:
            conn.execute("ROLLBACK")
            raise


# The statements `_placed` recognises, compiled at first use (re's cache) since most processes never migrate (issue 16).
_INDEX = r"(?i)^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?)(\w+)(\s+ON\s+)(\w+)"


_TABLE = r"(?i)^(\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?)(\w+)"
_TRIGGER = r"(?is)^(\s*CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?)(\w+)(\s.*?\sON\s+)(\w+)"


def _placed(statement: str) -> str:
    """An unqualified CREATE TABLE or CREATE INDEX of a personal table, put in the attached schema (SQLite would
    create it in main, in the clear); other statements find the personal tables by name wherever they are."""
    match = re.match(_INDEX, statement)
    if match and match[4].lower() in PERSONAL_TABLES:
        return f"{match[1]}{PERSONAL_SCHEMA}.{match[2]}{match[3]}{match[4]}{statement[match.end() :]}"
    table = re.match(_TABLE, statement)
    if table and table[2].lower() in PERSONAL_TABLES:
        return f"{table[1]}{PERSONAL_SCHEMA}.{table[2]}{statement[table.end() :]}"
    trigger = re.match(_TRIGGER, statement)  # a trigger lives in the schema of its table (and acts only there)
    if trigger and trigger[4].lower() in PERSONAL_TABLES:
        return f"{trigger[1]}{PERSONAL_SCHEMA}.{trigger[2]}{statement[trigger.end(2) :]}"
    return statement


def has_moved(conn: sqlite3.Connection) -> bool:
    """True when this office keeps its personal tables in personal.db (office.db no longer has them)."""
    row = conn.execute("SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'citizens'").fetchone()
    return row is None and int(conn.execute("PRAGMA main.user_version").fetchone()[0]) > 0


def sql_key(key: bytes) -> str:
    """SQLCipher's raw-key form: the 32 bytes are the AES key (no passphrase derivation)."""
    if len(key) != 32:
        raise ValueError("a database key is 32 bytes")
    return f"x'{key.hex()}'"


def attach_personal(conn: sqlite3.Connection, path: Path, key: bytes) -> None:
    """Attach the encrypted personal database as schema ``personal`` (unqualified table names reach it).

    Raises:
        StorageError: the file is missing or the key does not open it.
    """
    if is_unlocked(conn):
        return
    if not path.exists():
        raise StorageError(
            _("The encrypted registry {path} is missing; restore it from backup with the office database.").format(
                path=path
            )
        )
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"ATTACH DATABASE ? AS {PERSONAL_SCHEMA} KEY ?", (str(path), sql_key(key)))
        conn.execute(f"PRAGMA {PERSONAL_SCHEMA}.journal_mode = WAL")
        conn.execute(f"PRAGMA {PERSONAL_SCHEMA}.synchronous = FULL")
        conn.execute(f"PRAGMA {PERSONAL_SCHEMA}.cache_size = -65536")
    except DatabaseError as e:
        with suppress(*DatabaseError):
            conn.execute(f"DETACH DATABASE {PERSONAL_SCHEMA}")
        raise StorageError(
            _(
                "The encrypted registry {path} does not open with this office's database key ({reason}); restore "
                "office.db and personal.db together from the same backup."
            ).format(path=path, reason=e)
        ) from e
    conn.personal = True  # type: ignore[attr-defined]
    _audit_view(conn)


def is_unlocked(conn: sqlite3.Connection) -> bool:
    """True when this connection has the encrypted personal database attached."""
    return bool(getattr(conn, "personal", False))


def _audit_view(conn: sqlite3.Connection) -> None:
    """``audit_full``: the audit trail with each row's detail, wherever it is kept (see `events.audit`)."""
    conn.execute("DROP VIEW IF EXISTS temp.audit_full")
    if is_unlocked(conn):
        conn.execute(
            "CREATE TEMP VIEW audit_full AS SELECT a.id, a.time, a.officer, a.action, a.outcome, "
            f"COALESCE(d.detail, a.detail) AS detail, a.event_seq FROM main.audit a "
            f"LEFT JOIN {PERSONAL_SCHEMA}.audit_details d ON d.id = a.id"
        )
    else:
        conn.execute(
            "CREATE TEMP VIEW audit_full AS SELECT id, time, officer, action, outcome, detail, event_seq FROM main.audit"
        )


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (our scripts have no semicolons inside literals; a trigger's
    body holds several, so parts are joined until SQLite calls the statement complete)."""
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                yield pending.rstrip().removesuffix(";")
            pending = ""
    if pending.strip(" \n\t;"):
        yield pending.rstrip().removesuffix(";")


# Fair hand-over of the write lock (issue 12: an officer's login waited 4.8 s behind one import, 5.0 s behind
# two). SQLite's busy handler is not a queue: a writer that finds the database locked sleeps and polls (backing
# off to 100 ms), and on a loaded machine its poll can miss every gap a bulk writer leaves between transactions.
# So the lock has two classes of writers. An interactive writer (a login, any short write) that finds the lock
# taken holds a shared flock on "office.db-writers" while it waits (its priority ticket) and polls every few
# milliseconds. A bulk writer (an import's transactions, `transaction(..., polite=True)`) never holds a ticket:
# it starts a transaction only while no ticket is held (waiting at most POLITE_WAIT_SECONDS) and ends its
# transaction early when one appears (`writers_waiting`), so a login waits for at most the rest of one short
# bulk transaction however many imports run. flock is released by the kernel when a process dies, so a crash
# leaves no stale ticket.

#: The longest a bulk writer defers to waiting writers before it takes the lock anyway (bounds what a process
#: that holds the claim forever, e.g. an attacker with write access to the folder, can slow an import).
POLITE_WAIT_SECONDS = 2.0
#: How long a waiting writer sleeps between two tries for the lock.
RETRY_SECONDS = 0.002


def _writers_file(conn: sqlite3.Connection) -> str | None:
    """The claim file next to the database file (None for an in-memory database)."""
    row = conn.execute("PRAGMA database_list").fetchone()
    return f"{row[2]}-writers" if row and row[2] else None


def _open_claim(conn: sqlite3.Connection) -> int | None:
    path = _writers_file(conn)
    if path is None:
        return None
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError:
        return None  # a read-only folder: writing fails anyway, with its own message


def _try_begin(conn: sqlite3.Connection) -> bool:
    """BEGIN IMMEDIATE without waiting (the caller set busy_timeout 0); False when another writer holds the lock."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        return True
    except OperationalError as e:
        if "locked" not in str(e) and "busy" not in str(e):
            raise
        return False


def _claimed(fd: int) -> bool:
    """Whether some writer holds a ticket (a shared flock) on the claim file open as `fd`."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(fd, fcntl.LOCK_UN)
    return False


def _begin(conn: sqlite3.Connection, *, polite: bool = False) -> None:
    """BEGIN IMMEDIATE, waiting at most BUSY_TIMEOUT_MS for the lock: an interactive writer with a ticket on the
    writers file, a polite (bulk) one only while no ticket is held (see above)."""
    conn.execute("PRAGMA busy_timeout = 0")
    fd: int | None = None
    try:
        if not polite and _try_begin(conn):
            return
        fd = _open_claim(conn)
        now = time.monotonic()
        deadline, polite_until = now + BUSY_TIMEOUT_MS / 1000, now + POLITE_WAIT_SECONDS
        if fd is not None and not polite:
            fcntl.flock(fd, fcntl.LOCK_SH)  # the ticket: bulk writers let this one go first
        while True:
            deferring = polite and fd is not None and time.monotonic() < polite_until and _claimed(fd)
            if not deferring and _try_begin(conn):
                return
            if time.monotonic() >= deadline:
                raise sqlite3.OperationalError("database is locked")
            time.sleep(RETRY_SECONDS)
    finally:
        if fd is not None:
            os.close(fd)  # releases the ticket
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def writers_waiting(conn: sqlite3.Connection) -> bool:
    """Whether an interactive writer is waiting for the write lock now (a bulk transaction then ends early)."""
    fd = _open_claim(conn)
    if fd is None:
        return False
    try:
        return _claimed(fd)
    finally:
        os.close(fd)


@contextmanager
def transaction(db: Database, *, polite: bool = False) -> Iterator[sqlite3.Connection]:
    """One atomic unit of work: BEGIN IMMEDIATE, then COMMIT, or ROLLBACK on any exception.

    `polite` (bulk work in many short transactions, e.g. an import): first let every writer that is waiting
    for the lock have it, so an officer's login never queues behind a long run of transactions.

    Raises:
        StorageError: the disk refused the commit (full, read-only, locked too long).
    """
    conn = db.conn
    try:
        _begin(conn, polite=polite)
    except OperationalError as e:
        raise StorageError(_("The office database is busy or read-only ({reason}); try again.").format(reason=e)) from e
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # SQLite may already have rolled back (e.g. disk full); keep the first error
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except DatabaseError as e:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise StorageError(
            _("The office database could not save the change ({reason}); nothing was saved.").format(reason=e)
        ) from e


def get_setting(db: Database, key: str, default: str) -> str:
    """A setting's value, or `default` when unset."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return str(row[0]) if row else default
