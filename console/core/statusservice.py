"""The office's status list: random indices for new credentials, the signed token, and its export.

Every new credential gets an index drawn at random among the office's unassigned ones (CONTRACTS.md: no order
to correlate two cards by), stored in ``credentials.status_idx``. The list starts at `INITIAL_SIZE` entries
and doubles whenever more than half would be assigned, so a random draw needs about two tries at most and
the list stays a small fraction of the credentials table. Unassigned entries read INVALID.

Invariants:
- The token in ``status_lists.token`` is re-made, in the same transaction, by every change of a credential's
  status (issue, supersede, revoke, suspend, reinstate): a verifier never sees a list older than the table
  it came from, and a rolled-back change leaves no token behind.
- The token is signed by the office's signing key in force (`Session.office_signing_key`).
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from console.core import statuslist, truth
from console.core.atomic import atomic_write
from console.core.errors import NotFound, StorageError
from console.core.i18n import _
from console.core.office import Office
from console.core.store import Error as DbError
from console.core.timeutil import to_iso

if TYPE_CHECKING:  # type only: importing nacl.signing costs ~10 ms a process, `verify` needs none of it (issue 16)
    import nacl.signing

INITIAL_SIZE: Final = 1 << 17  # 131,072 entries: 32 KB packed, a few hundred bytes compressed when empty
_MAX_DRAWS: Final = 64


def allocate_index(conn: sqlite3.Connection, office_code: str) -> int:
    """Draw a random unassigned index for a new credential of `office_code` (call inside its transaction)."""
    row = conn.execute("SELECT size, assigned FROM status_lists WHERE office_code = ?", (office_code,)).fetchone()
    if row is None:
        conn.execute(
            "INSERT INTO status_lists (office_code, size, assigned) VALUES (?, ?, 0)", (office_code, INITIAL_SIZE)
        )
        size, assigned = INITIAL_SIZE, 0
    else:
        size, assigned = int(row[0]), int(row[1])
    while 2 * (assigned + 1) > size:  # keep at most half assigned: a draw rarely misses
        size *= 2
    from secrets import randbelow  # here, not at load: `verify` never draws (issue 16: start-up)

    for _attempt in range(_MAX_DRAWS):
        idx = randbelow(size)
        taken = conn.execute(
            "SELECT 1 FROM credentials WHERE office_code = ? AND status_idx = ?", (office_code, idx)
        ).fetchone()
        if taken is None:
            conn.execute(
                "UPDATE status_lists SET size = ?, assigned = ? WHERE office_code = ?",
                (size, assigned + 1, office_code),
            )
            return idx
    raise StorageError(  # 64 misses in a list at most half full: (1/2)^64, i.e. the counter is wrong
        _("The status list of office {office} is inconsistent (no free index found); rebuild it.").format(
            office=office_code
        )
    )


def remake(
    conn: sqlite3.Connection,
    office_code: str,
    issuer: str,
    signing_key: nacl.signing.SigningKey,
    now: datetime,
    *,
    office: Office | None,
) -> bytes:
    """Pack the office's credential statuses into a list, sign the token, store it; return the token.

    The index of every credential revoked or suspended by a signed event reads so, whatever the rows say: the
    list is signed and published, so neither ``UPDATE credentials SET status = 'active'`` nor a row copied onto
    a revoked card's index may reach it (`truth.withheld_indices`).
    """
    row = conn.execute("SELECT size FROM status_lists WHERE office_code = ?", (office_code,)).fetchone()
    if row is None:
        conn.execute(
            "INSERT INTO status_lists (office_code, size, assigned) VALUES (?, ?, 0)", (office_code, INITIAL_SIZE)
        )
        size = INITIAL_SIZE
    else:
        size = int(row[0])
    # Only VALID and SUSPENDED differ from the INVALID every entry starts as (revoked and superseded are
    # INVALID too). "+office_code" makes SQLite scan the table instead of walking the index and looking every
    # row up: 4x faster for a million credentials (docs/performance.md).
    # None only for a rebuild, whose rows were just replayed from verified events (rebuild.py)
    withheld = truth.withheld_indices(office) if office and office_code == office.local_office()["code"] else {}
    entries = conn.execute(
        "SELECT status_idx, status FROM credentials WHERE +office_code = ? AND status_idx IS NOT NULL "
        "AND status IN ('active', 'suspended')",
        (office_code,),
    )
    # pack applies entries in order: the signed revocations and suspensions come last and win
    lst = statuslist.pack(size, itertools.chain(entries, withheld.items()))
    token = statuslist.make_token(signing_key, statuslist.list_uri(issuer), lst, iat=int(now.timestamp()))
    conn.execute(
        "UPDATE status_lists SET token = ?, made_at = ? WHERE office_code = ?", (token, to_iso(now), office_code)
    )
    return token


@dataclass(frozen=True)
class StoredList:
    office_code: str
    token: bytes
    made_at: str
    size: int
    assigned: int


def stored_lists(office: Office) -> list[StoredList]:
    """Every status list token this office holds (its own; other offices' once the ledger syncs them)."""
    return [
        StoredList(row["office_code"], bytes(row["token"]), row["made_at"], row["size"], row["assigned"])
        for row in office.db.query(
            "SELECT * FROM status_lists WHERE token IS NOT NULL ORDER BY office_code",
        )
    ]


#: An office code as set-up allows it (setup.OFFICE_CODE_RE): it becomes a folder name on export.
_OFFICE_CODE = (
    r"[A-Z0-9][A-Z0-9-]{1,15}"  # compiled at first use (re's cache): `verify` never needs it (issue 16: start-up)
)


def token_path(office_code: str) -> str:
    """Where a token is published, relative to the authority's site root (CONTRACTS.md)."""
    return f"{office_code}/status/1.cwt"


def export(office: Office, folder: Path) -> list[str]:
    """Write every stored token at ``{office_code}/status/1.cwt`` under `folder`; return the relative paths.

    Raises:
        NotFound: the office has no status list yet (no credential issued since the console made them).
        StorageError: the folder cannot be written.
    """
    lists = stored_lists(office)
    if not lists:
        raise NotFound(
            _(
                "This office has no status list yet: one is made when the first credential is issued or a status "
                "changes."
            )
        )
    written: list[str] = []
    for item in lists:
        if not re.fullmatch(_OFFICE_CODE, item.office_code):  # the code names a folder: "../.." would leave `folder`
            raise truth.TamperedError(
                _(
                    "The status_lists row {code!r} in office.db is not an office code: the table was edited outside "
                    "the console. Nothing was exported; ask an administrator."
                ).format(code=item.office_code)
            )
        relative = token_path(item.office_code)
        path = folder / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StorageError(
                _("Cannot create the folder {path}: {reason}.").format(path=path.parent, reason=e.strerror)
            ) from e
        atomic_write(path, item.token, mode=0o644)
        written.append(relative)
    return written


def refresh(office: Office, signing_key: nacl.signing.SigningKey, issuer: str) -> bytes:
    """Re-make the local office's token now (fresh `iat`/`exp`) without a status change, e.g. before export."""
    from console.core.store import transaction

    code = office.local_office()["code"]
    try:
        with transaction(office.db) as conn:
            return remake(conn, code, issuer, signing_key, office.clock(), office=office)
    except DbError as e:  # pragma: no cover - the disk said no
        raise StorageError(_("Cannot store the status list: {error}.").format(error=e)) from e
