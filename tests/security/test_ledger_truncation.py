"""The office's log cut with `sqlite3` (issue 12 re-run against the merged ledger): the tail that revoked a card
deleted, the head and stored hashes deleted, and the pre-ledger marker planted so that the log passes for an
office from before the ledger. Before the fix nothing reported it (`ledger verify` said nothing) and the next
officer's action re-hashed the cut log and signed a head over it: the revocation was gone for good."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from console.core import issuance, ledgerverify, officelog, registry, requests
from console.core.accounts import Session
from console.core.errors import LedgerIntegrityError
from console.core.office import Office
from console.core.registry import PersonInput
from tests.security.conftest import sql


def _cut_the_revocation(staffed: Office, session_of: Callable[[str], Session], person: str, marker: bool) -> int:
    issuance.issue(session_of("clerk"), person)
    first_of_tail = int(staffed.db.execute("SELECT MAX(seq) FROM events").fetchone()[0]) + 1
    request = requests.create_request(session_of("clerk"), "revoke", person, "card reported stolen")
    requests.approve(session_of("super"), request["request_id"])
    sql(staffed, "DELETE FROM audit WHERE event_seq >= ?", (first_of_tail,))
    sql(staffed, "DELETE FROM events WHERE seq >= ?", (first_of_tail,))
    sql(staffed, "UPDATE sqlite_sequence SET seq = ? WHERE name = 'events'", (first_of_tail - 1,))
    sql(staffed, "DELETE FROM ledger_hashes")
    sql(staffed, "DELETE FROM ledger_head")
    if marker:
        sql(staffed, "INSERT INTO settings (key, value) VALUES ('ledger_unhashed_events', ?)", (first_of_tail - 1,))
    sql(staffed, "UPDATE credentials SET status = 'active', status_changed_at = NULL WHERE id_number = ?", (person,))
    sql(staffed, "DELETE FROM requests")
    return first_of_tail


@pytest.mark.parametrize("marker", [True, False], ids=["posing-as-pre-ledger", "head-deleted"])
def test_a_cut_log_without_its_head_is_reported_and_not_re_signed(
    staffed: Office, session_of: Callable[[str], Session], person: str, marker: bool
) -> None:
    first_of_tail = _cut_the_revocation(staffed, session_of, person, marker)
    fresh = Office(staffed.paths.data_dir, clock=staffed.clock)
    with pytest.raises(LedgerIntegrityError, match=r"no signed head, but its last event .* was written under one"):
        officelog.quick_check(fresh.db.conn)
    # the next officer's action does not re-hash the cut log: refused, nothing written
    with pytest.raises(LedgerIntegrityError):
        registry.register(session_of("clerk"), PersonInput("Kask", "Jaan", "1980-03-01", "M", "EST"))
    assert staffed.db.execute("SELECT MAX(seq) FROM events").fetchone()[0] == first_of_tail - 1
    assert staffed.db.execute("SELECT COUNT(*) FROM ledger_head").fetchone()[0] == 0
    faults = ledgerverify.verify_office(session_of("admin"))
    assert any("no signed head" in str(f) for f in faults), faults


def test_an_office_from_before_the_ledger_still_upgrades(staffed: Office, session_of: Callable[[str], Session]) -> None:
    """The marker still works for what it is for: events written before the ledger (no "log" in their signed
    payload) are hashed by the next event, which signs the first head."""
    import cbor2

    from console.core import cose

    last = staffed.db.execute("SELECT seq, entry FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    payload = cbor2.loads(cose.decode_sign1(bytes(last[1])).payload)
    assert payload["log"] == officelog.LOG_MARK  # written now: marked
    assert not officelog.written_under_head(_pre_ledger_entry())
    assert officelog.written_under_head(b"not an entry")


def _pre_ledger_entry() -> bytes:
    import cbor2
    import nacl.signing

    from console.core import cose

    payload = {"v": 1, "type": "x", "office": "HQ-01", "time": "2026-01-01T00:00:00Z", "officer": "a", "clear": {}}
    return bytes(cose.sign1(nacl.signing.SigningKey.generate(), cbor2.dumps(payload, canonical=True)))
