"""Helpers for the attacks of issue 12: plain SQL on office.db (another connection, no password), forged cards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import nacl.signing
import pytest
import sqlcipher3

from console.core import issuance, registry
from console.core.accounts import Session
from console.core.credentials import Credential, encode_credential, new_credential_id
from console.core.office import Office
from console.core.registry import PersonInput
from console.core.store import sql_key


def sql(office: Office, statement: str, params: tuple[Any, ...] = ()) -> int:
    """What an attacker with write access to the data folder does: `sqlite3 office.db "..."`.

    Since issue 17 the registry tables are in the encrypted personal.db: edits of those need its key too, which
    an officer with a valid password has (the key is in their wrap), so the SQL runs with it attached, outside
    the console's checks, as `sqlcipher office.db` with `ATTACH ... KEY` would.
    """
    # SQLCipher's SQLite like the console's: two SQLite libraries on one file in one process drop each other's
    # POSIX locks when one closes (the WAL is then damaged), which an outside `sqlite3` process would not do.
    conn = sqlcipher3.connect(str(office.paths.db), isolation_level=None)
    if office.database_key is not None:
        conn.execute("ATTACH DATABASE ? AS personal KEY ?", (str(office.paths.personal), sql_key(office.database_key)))
    try:
        return int(conn.execute(statement, params).rowcount)
    finally:
        conn.close()


def forge(office: Office, id_number: str, key: nacl.signing.SigningKey, **times: Any) -> str:
    """A credential for a registered person, signed with `key` outside the console (nothing recorded)."""
    citizen = next(iter(office.db.query("SELECT * FROM citizens WHERE id_number = ?", [id_number])))
    now = office.clock()
    credential = Credential(
        holder=issuance.holder_claims(citizen, issuance.country_of(office)),
        issuer=issuance.issuer_id(office),
        issued_at=times.get("issued_at", now),
        expires_at=times.get("expires_at", now.replace(year=now.year + 5)),
        credential_id=new_credential_id(),
    )
    return encode_credential(credential, key)


@pytest.fixture
def person(session_of: Callable[[str], Session]) -> str:
    """A registered person's ID number (registered by the clerk)."""
    result = registry.register(session_of("clerk"), PersonInput("Tamm", "Mari", "1990-01-30", "F", "EST"))
    return str(result["id_number"])


@pytest.fixture
def data_dir(staffed: Office) -> Path:
    return staffed.paths.data_dir
