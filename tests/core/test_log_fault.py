"""The start-up check of the office's signed log at login (officelog.quick_check, issue 9 round 2): a log that
does not add up lets officers look and verify, and refuses every change with a sentence naming the fault."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlcipher3

from console.core import ledgerverify, officers, registry
from console.core.accounts import Session
from console.core.errors import LedgerIntegrityError
from console.core.office import Office
from console.core.registry import PersonInput


def _sql(office: Office, statement: str) -> None:
    # SQLCipher's SQLite, the console's own: two SQLite libraries on one file in one process drop each other's
    # POSIX locks when one closes, which damages the WAL (issue 17)
    conn = sqlcipher3.connect(str(office.paths.db))
    conn.execute(statement)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        ("DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)", "events table ends at"),
        ("UPDATE ledger_head SET size = size - 1", "head row does not match its own signed note"),
        ("DELETE FROM ledger_head", "no signed head"),
        ("UPDATE ledger_hashes SET hash = zeroblob(32) WHERE idx = (SELECT MAX(idx) FROM ledger_hashes)", "hashes"),
    ],
)
def test_a_faulty_log_refuses_changes_at_login_and_names_the_fault(
    staffed: Office, session_of: Callable[[str], Session], edit: str, named: str
) -> None:
    clerk = session_of("clerk")
    assert clerk.log_fault is None
    registry.register(clerk, PersonInput("Tan", "Mei", "1980-01-02", "F", "CHN"))
    _sql(staffed, edit)
    clerk = session_of("clerk")
    assert clerk.log_fault is not None and named in clerk.log_fault
    before = int(staffed.db.execute("SELECT COUNT(*) FROM citizens").fetchone()[0])
    with pytest.raises(LedgerIntegrityError, match=f"failed its check when you logged in: .*{named}"):
        registry.register(clerk, PersonInput("Roe", "Ann", "1981-03-04", "F", "CHN"))
    assert int(staffed.db.execute("SELECT COUNT(*) FROM citizens").fetchone()[0]) == before
    refused = staffed.db.execute("SELECT detail FROM audit_full WHERE outcome = 'refused' ORDER BY id DESC").fetchone()
    assert refused is not None and "office log fault" in refused[0]
    admin = session_of("admin")
    with pytest.raises(LedgerIntegrityError):
        officers.set_office_setting(admin, "lockout_threshold", 6)
    assert officers.list_officers(admin)  # looking is still allowed
    assert ledgerverify.verify_office(admin)  # and verifying, which lists the faults
