"""An opened office: where its files are, and one SQLite connection per thread.

The data directory holds ``office.db`` (the commit point: an office exists when this file exists) and
``keys/`` (sealed key files, mode 0700). Front ends find the directory and pass it in; core never looks it up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from console.core.errors import NotFound, StorageError
from console.core.i18n import _
from console.core.keystore import DEFAULT_KDF, KDF_PRESETS, KdfLimits
from console.core.store import (
    DB_NAME,
    PERSONAL_DB_NAME,
    Database,
    attach_personal,
    get_setting,
    has_moved,
    is_unlocked,
    migrate,
    open_database,
)
from console.core.tidy import tidy_data_dir
from console.core.timeutil import Clock, utc_now
from console.core.tokenpin import missing_pin  # not from hsm: that imports PyNaCl's bindings (issue 16)

#: Defaults for the settings table; administrators may change them per office.
DEFAULT_SETTINGS: dict[str, str] = {
    "lockout_threshold": "5",
    "lockout_minutes": "15",
    "session_idle_minutes": "10",
}


class OfficePaths:
    """File layout of a data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.db = data_dir / DB_NAME
        self.personal = data_dir / PERSONAL_DB_NAME  # issue 17: the encrypted registry (docs/security.md)
        self.keys = data_dir / "keys"
        self.officer_keys = self.keys / "officers"
        self.office_sealed = self.keys / "office.sealed"
        self.authority_sealed = self.keys / "authority.sealed"

    def officer_keystore(self, username: str) -> Path:
        return self.officer_keys / f"{username}.keystore"


class Office:
    """Handle on one office's data directory; safe to share between threads (connections are per thread)."""

    def __init__(self, data_dir: Path, *, clock: Clock = utc_now, kdf: KdfLimits | None = None) -> None:
        self.paths = OfficePaths(Path(data_dir))
        self.clock = clock
        self.kdf = kdf or KDF_PRESETS[DEFAULT_KDF]
        self._local = threading.local()
        #: Data derived from the signed events (console.core.truth), shared by the threads; each cache
        #: carries its own lock and is rebuilt when the log grows.
        self.caches: dict[str, Any] = {}
        #: The key of personal.db, once a login opened its wrap (issue 17); every thread's connection then
        #: attaches the encrypted registry. None before any login, and in offices still kept in the clear.
        self.database_key: bytes | None = None
        #: Where the PIN of a token-held office key comes from (issue 17): the front end sets a prompt or reads
        #: ID_CONSOLE_TOKEN_PIN; asked only when the token signs. The default refuses with a sentence.
        self.token_pin: Callable[[], str] = missing_pin
        if not self.paths.db.exists():
            raise StorageError(
                _("No office is set up in {folder}. Run `id-console init` there, or pass the right --data-dir.").format(
                    folder=self.paths.data_dir
                )
            )
        self.db  # open now so that a damaged file is reported at once  # noqa: B018
        tidy_data_dir(self.paths, self.db.conn)  # what a crash left behind (issue 12): temp files, keystores

    @property
    def db(self) -> Database:
        """This thread's connection to the office database."""
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            db = open_database(self.paths.db, personal_key=self.database_key)
            self._local.db = db
        elif self.database_key is not None and not is_unlocked(db.conn) and not db.conn.in_transaction:
            attach_personal(db.conn, self.paths.personal, self.database_key)
            migrate(db.conn)
        return db

    @property
    def encrypted(self) -> bool:
        """True when this office keeps its personal data in the encrypted personal.db (issue 17)."""
        return has_moved(self.db.conn)

    def unlock_personal(self, key: bytes) -> None:
        """Open the encrypted registry with `key` (from the officer's 'database' wrap) for every thread.

        Raises:
            StorageError: the key does not open personal.db.
        """
        conn = self.db.conn
        if not is_unlocked(conn):
            attach_personal(conn, self.paths.personal, key)
            migrate(conn)
        self.database_key = key

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None

    def setting(self, key: str) -> str:
        return get_setting(self.db, key, DEFAULT_SETTINGS.get(key, ""))

    def local_office(self) -> dict[str, Any]:
        """The row of this office (code, name, slot, region)."""
        rows = list(self.db.query("SELECT code, name, slot, region FROM offices WHERE is_local = 1"))
        if not rows:
            raise StorageError(
                _("The office database {path} has no local office; it is damaged.").format(path=self.paths.db)
            )
        return rows[0]

    def authority(self) -> dict[str, Any]:
        """The authority row (name, domain, scheme, public keys)."""
        rows = list(self.db.query("SELECT * FROM authority WHERE id = 1"))
        if not rows:
            raise StorageError(
                _("The office database {path} has no authority; it is damaged.").format(path=self.paths.db)
            )
        return rows[0]

    def officer_row(self, username: str) -> dict[str, Any]:
        rows = list(self.db.query("SELECT * FROM officers WHERE username = ?", [username]))
        if not rows:
            raise NotFound(
                _("No officer named {username!r} in the office at {folder}.").format(
                    username=username, folder=self.paths.data_dir
                )
            )
        return rows[0]

    def current_office_key(self) -> dict[str, Any]:
        """The local office's signing key now in force (kid, public_key, valid_from)."""
        code = self.local_office()["code"]
        rows = list(
            self.db.query(
                "SELECT * FROM office_keys WHERE office_code = ? AND valid_until IS NULL ORDER BY valid_from DESC",
                [code],
            )
        )
        if not rows:
            raise StorageError(_("This office has no signing key in force; an administrator must rotate keys."))
        return rows[0]
