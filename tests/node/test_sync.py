"""Three offices of one authority register, issue and revoke, and sync through one folder."""

from __future__ import annotations

import threading
from collections.abc import Callable

from console.core import issuance, ledgerverify, registry, requests
from console.node import sync
from tests.node.conftest import CODES, Authority


def _work(a: Authority, code: str, person: Callable[[int], object], base: int) -> list[str]:
    clerk = a.session(code, "clerk")
    numbers = [registry.register(clerk, person(base + i))["id_number"] for i in range(3)]  # type: ignore[arg-type]
    for n in numbers:
        issuance.issue(clerk, n)
    req = requests.create_request(clerk, "revoke", numbers[0], "card reported stolen")
    requests.approve(a.session(code, "super"), req["request_id"])
    return numbers


def _statuses(a: Authority, code: str) -> dict[bytes, str]:
    conn = a.offices[code].db.conn
    return {bytes(r[0]): r[1] for r in conn.execute("SELECT credential_id, status FROM credentials")}


def test_three_offices_converge(authority: Authority, person: Callable[[int], object]) -> None:
    numbers: list[str] = []
    for i, code in enumerate(CODES):
        numbers += _work(authority, code, person, 100 * i)
    assert len(set(numbers)) == len(numbers)  # distinct slots: never a duplicate number
    reports = {}
    for _round in range(2):
        for code in CODES:
            reports[code] = sync.run_sync(authority.session(code, "clerk"), authority.folder).to_json()
            assert reports[code]["errors"] == [] and reports[code]["forks"] == [], reports[code]
    first = _statuses(authority, CODES[0])
    assert len(first) == 9 and sorted(first.values()).count("revoked") == 3
    for code in CODES[1:]:
        assert _statuses(authority, code) == first
    for code in CODES:
        conn = authority.offices[code].db.conn
        assert int(conn.execute("SELECT COUNT(*) FROM citizens").fetchone()[0]) == 9  # sealed records opened
        ids = [r[0] for r in conn.execute("SELECT id_number FROM citizens")]
        assert sorted(ids) == sorted(numbers)
        assert ledgerverify.verify_database(conn, authority.session(code, "admin").office_keys().records_key) == []
    # a second sync finds nothing new
    again = sync.run_sync(authority.session(CODES[1], "clerk"), authority.folder).to_json()
    assert again["published"]["new_entries"] == 0 and set(again["applied"].values()) == {0}


def test_two_offices_sync_at_the_same_moment(authority: Authority, person: Callable[[int], object]) -> None:
    for i, code in enumerate(CODES[:2]):
        _work(authority, code, person, 50 * i)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def run(code: str) -> None:
        office = authority.reopen(code)  # each thread its own connection
        from console.core.accounts import login
        from tests.conftest import PASSWORDS

        session = login(office, "clerk", PASSWORDS["clerk"])
        barrier.wait()
        try:
            results[code] = sync.run_sync(session, authority.folder).to_json()
        except Exception as e:
            results[code] = e

    threads = [threading.Thread(target=run, args=(c,)) for c in CODES[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for code in CODES[:2]:
        assert not isinstance(results[code], Exception), results[code]
        # The only thing a sync may see of a log being published for the first time at that very moment is its
        # folder before its checkpoint: named, nothing applied, picked up by the next sync.
        for error in results[code]["errors"]:  # type: ignore[index]
            assert error["file"] == "checkpoint" and error["message"].startswith("missing"), error
    for code in CODES[:2]:  # whichever read the other's old checkpoint catches up now
        assert sync.run_sync(authority.session(code, "clerk"), authority.folder).errors == []
    assert _statuses(authority, CODES[0]) == _statuses(authority, CODES[1])
    assert len(_statuses(authority, CODES[0])) == 6
