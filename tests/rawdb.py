"""The office's SQL as someone with a password and `sqlcipher` sees it (issue 17), for tests that read or edit
the database behind the console's back.

Since issue 17 the registry's tables are in the encrypted personal.db: a raw connection to office.db alone does
not see them. `connect` opens office.db with personal.db attached under the key an administrator's login opens
(the key is one per office, so it is fetched once per folder).
"""

from __future__ import annotations

from pathlib import Path

import sqlcipher3

from console.core.accounts import login
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.store import sql_key

ADMIN = "admin"
ADMIN_PASSWORD = "amber-tulip-4711"
_keys: dict[Path, bytes] = {}


def database_key(folder: Path, username: str = ADMIN, password: str = ADMIN_PASSWORD) -> bytes:
    """The key of `folder`'s personal.db, as a login of `username` opens it."""
    folder = folder.resolve()
    if folder not in _keys:
        office = Office(folder, kdf=KDF_PRESETS["min"])
        try:
            login(office, username, password)
            assert office.database_key is not None, f"{folder} has no database wrap for {username}"
            _keys[folder] = office.database_key
        finally:
            office.close()
    return _keys[folder]


def connect(folder: Path, username: str = ADMIN, password: str = ADMIN_PASSWORD) -> sqlcipher3.Connection:
    """office.db with personal.db attached (when there is one), autocommit, like `sqlcipher office.db`."""
    conn = sqlcipher3.connect(str(folder / "office.db"), isolation_level=None, timeout=30.0)
    if (folder / "personal.db").exists():
        conn.execute(
            "ATTACH DATABASE ? AS personal KEY ?",
            (str(folder / "personal.db"), sql_key(database_key(folder, username, password))),
        )
    return conn
