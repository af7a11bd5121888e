"""A batch's duplicate check keeps the revoked or suspended citizens and the held registrations in memory (issue 16):
it must find exactly what the per-person look-ups find, including the holds the batch itself makes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from console.core import issuance, registry, requests
from console.core.accounts import Session
from console.core.office import Office
from console.core.registry import DuplicateCheck, PersonInput
from console.core.store import transaction


def test_a_batch_finds_what_single_registrations_find(session_of: Callable[[str], Session], staffed: Office) -> None:
    clerk, supervisor = session_of("clerk"), session_of("super")
    revoked = registry.register(clerk, PersonInput("Tamm", "Mari", "1990-01-02", "F", "EST"))["id_number"]
    issuance.issue(clerk, revoked)
    requests.approve(supervisor, requests.create_request(clerk, "revoke", revoked, "fraud")["request_id"])
    registry.register(clerk, PersonInput("Kask", "Jaan", "1980-05-05", "M", "EST"))
    assert (
        registry.register(clerk, PersonInput("Kaskk", "Jaan", "1980-05-05", "M", "EST"))["status"] == "pending-review"
    )

    scheme, today = staffed.authority()["scheme"], staffed.clock().date()
    people = [
        registry.check_person(scheme, PersonInput(*row), today)
        for row in [
            ("Tamm", "Mari", "1990-01-03", "F", "EST"),  # the revoked person, a day off
            ("Tamm", "Mari", "1990-01-02", "M", "EST"),  # the other sex
            ("Kask", "Jaan", "1980-05-06", "M", "EST"),  # the held registration, a day off
            ("Saar", "Liis", "1975-03-04", "F", "EST"),  # nobody like her yet
            ("Saar", "Lis", "1975-03-05", "F", "EST"),  # a day off the hold made in this batch just before
            ("Mets", "Ott", "1966-07-08", "M", "EST"),  # nobody
        ]
    ]
    with transaction(staffed.db) as conn:
        batch = DuplicateCheck(conn, batch=True)
        found = []
        for person in people:
            expected = DuplicateCheck(conn).find(person)
            assert batch.find(person) == expected
            found.append(len(expected))
            if person.family_name == "Saar" and person.given_name == "Liis":  # held, as the batch would
                review = registry._hold(conn, person, [{"ref": "x"}], "clerk", "2026-12-03T00:00:00Z")
                batch.held_stored(review, person)
    assert found == [1, 1, 1, 0, 1, 0]


def test_beyond_the_memory_limit_a_batch_reads_per_person(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    clerk = session_of("clerk")
    registry.register(clerk, PersonInput("Kask", "Jaan", "1980-05-05", "M", "EST"))
    registry.register(clerk, PersonInput("Kaskk", "Jaan", "1980-05-05", "M", "EST"))
    registry.register(clerk, PersonInput("Kaask", "Jaan", "1980-05-05", "M", "EST"))
    person = registry.check_person(
        staffed.authority()["scheme"], PersonInput("Kask", "Jaan", "1980-05-06", "M", "EST"), staffed.clock().date()
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registry, "BATCH_MEMORY_ROWS", 1)
        with transaction(staffed.db) as conn:
            batch = DuplicateCheck(conn, batch=True)
            assert batch._held is None  # two holds: more than the limit
            assert batch.find(person) == DuplicateCheck(conn).find(person) != []


def test_a_batch_raises_the_page_cache_and_sets_it_back(session_of: Callable[[str], Session], staffed: Office) -> None:
    clerk = session_of("clerk")
    schemas = registry._schemas(staffed.db)
    before = {s: staffed.db.execute(f"PRAGMA {s}.cache_size").fetchone()[0] for s in schemas}
    seen: list[int] = []
    rows = [(i, PersonInput(f"Tamm{chr(65 + i)}", "Mari", f"1990-01-{i + 1:02d}", "F", "EST")) for i in range(3)]
    for _part in registry.register_stream(clerk, rows, chunk=1):
        seen.append(staffed.db.execute("PRAGMA cache_size").fetchone()[0])
    assert seen and set(seen) == {-registry.BATCH_CACHE_KIB}
    assert {s: staffed.db.execute(f"PRAGMA {s}.cache_size").fetchone()[0] for s in schemas} == before
