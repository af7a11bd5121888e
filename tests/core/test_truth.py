"""console/core/truth.py on honest data: the signed roster, certified office keys, credential and request truth."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from console.core import events, issuance, officers, registry, requests, truth
from console.core.accounts import Session
from console.core.office import Office
from console.core.registry import PersonInput
from tests.conftest import FakeClock


def test_roster_replays_enrolments_resets_and_disabling(staffed: Office, session_of: Callable[[str], Session]) -> None:
    state = truth.roster(staffed)
    assert {name: fact.role for name, fact in state.current.items()} == {
        "admin": "administrator",
        "clerk": "clerk",
        "clerk2": "clerk",
        "super": "supervisor",
        "super2": "supervisor",
        "auditor": "auditor",
    }
    old = state.current["clerk"].kid
    admin = session_of("admin")
    officers.reset_password(admin, "clerk", "brand-new-pass-77")
    officers.disable_officer(admin, "clerk2")
    state = truth.roster(staffed)  # the log grew: replayed again
    assert state.officer_keys[old].until_seq is not None and state.current["clerk"].kid != old
    assert "clerk2" in state.disabled and "clerk2" not in state.active_officers()
    assert set(state.active_officers()) == {"admin", "clerk", "super", "super2", "auditor"}


def test_office_keys_end_where_the_next_certified_key_starts(
    staffed: Office, session_of: Callable[[str], Session], clock: FakeClock
) -> None:
    first = truth.current_office_key(staffed)
    clock.advance(days=2)
    officers.rotate_office_key(session_of("admin"))
    keys, problems = truth.office_keys(staffed)
    assert problems == [] and len(keys) == 2
    assert keys[0].kid == first.kid and keys[0].valid_until == keys[1].valid_from
    assert truth.current_office_key(staffed).kid == keys[1].kid


def test_credential_truth_follows_issue_supersede_suspend_reinstate(
    staffed: Office, session_of: Callable[[str], Session], clock: FakeClock
) -> None:
    clerk, supervisor = session_of("clerk"), session_of("super")
    number = registry.register(clerk, PersonInput("Tamm", "Mari", "1990-01-30", "F", "EST"))["id_number"]
    first = issuance.issue(clerk, number)
    clock.advance(seconds=3)
    second = issuance.issue(clerk, number)

    def status(credential_id: str) -> str:
        row = next(
            iter(staffed.db.query("SELECT * FROM credentials WHERE credential_id = ?", [bytes.fromhex(credential_id)]))
        )
        truth.check_credential_row(staffed, row)
        answer = truth.credential_truth(staffed, row)
        # verify's one-statement form (issue 16): the holder's rows and the log's size from the caller
        siblings = list(staffed.db.query("SELECT * FROM credentials WHERE id_number = ?", [row["id_number"]]))
        marker = staffed.db.execute("SELECT MAX(seq) FROM events").fetchone()[0]
        assert truth.credential_truth(staffed, row, siblings=siblings, marker=marker) == answer
        return answer[0]

    assert (status(first.credential_id), status(second.credential_id)) == ("superseded", "active")
    request = requests.create_request(clerk, "suspend", number, "holder abroad")
    truth.check_request(
        staffed, next(iter(staffed.db.query("SELECT * FROM requests WHERE id = ?", [request["request_id"]])))
    )
    requests.approve(supervisor, request["request_id"])
    assert status(second.credential_id) == "suspended"
    request = requests.create_request(clerk, "reinstate", number, "back home")
    requests.approve(supervisor, request["request_id"])
    assert status(second.credential_id) == "active"
    for row in staffed.db.query("SELECT * FROM requests"):
        truth.check_request(staffed, row)  # every honest request has its signed events


def test_a_batch_issuance_stored_in_a_blob_is_still_the_truth(
    staffed: Office, session_of: Callable[[str], Session]
) -> None:
    """A print run's event can outgrow the entry limit and move into a content-addressed blob (officelog); its
    credentials must still be found signed, and an altered blob must be caught."""
    clerk = session_of("clerk")
    letters = ["".join(chr(97 + (i // 26**k) % 26) for k in range(3)) for i in range(400)]
    rows = [
        PersonInput("Roe", "Ann" + tail, (date(1950, 1, 1) + timedelta(days=37 * i)).isoformat(), "F", "EST")
        for i, tail in enumerate(letters)
    ]
    result = registry.register_batch(clerk, rows)
    numbers = list(result.registered)
    assert len(numbers) > 350, result  # a few near-alike names are held for review
    issuance.issue_batch(clerk, numbers)
    entries = staffed.db.query("SELECT seq, entry FROM events WHERE type = 'credentials.issued'")
    payloads = [events.decode_entry(bytes(row["entry"]), staffed.db.conn) for row in entries]
    assert [len(p["clear"]["credentials"]) for p in payloads] == [len(numbers)]
    assert staffed.db.execute("SELECT COUNT(*) FROM ledger_blobs").fetchone()[0] >= 1  # the event lives in a blob
    staffed.caches.clear()
    rows_of = list(staffed.db.query("SELECT * FROM credentials"))
    for row in rows_of:
        truth.check_credential_row(staffed, row)
        assert truth.credential_truth(staffed, row)[0] == "active"
    staffed.db.execute("UPDATE ledger_blobs SET data = CAST(data || x'00' AS BLOB)")
    staffed.caches.clear()
    with pytest.raises(truth.TamperedError, match="blob"):
        truth.check_credential_row(staffed, rows_of[0])
