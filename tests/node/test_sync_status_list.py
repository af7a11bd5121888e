"""After every sync the local office's status list is re-made (fresh iat/exp), so the published list never goes
stale while offices sync; an office that never issued gets none, and other offices' lists are not touched."""

from __future__ import annotations

from collections.abc import Callable

from console.core import issuance, registry
from console.core.registry import PersonInput
from console.node import sync
from tests.conftest import FakeClock
from tests.node.conftest import Authority


def test_the_local_status_list_is_remade_after_each_sync(
    authority: Authority, clock: FakeClock, person: Callable[[int], PersonInput]
) -> None:
    clerk = authority.session("HQ-01", "clerk")
    issuance.issue(clerk, registry.register(clerk, person(1))["id_number"])
    conn = authority.offices["HQ-01"].db.conn
    token, made = conn.execute("SELECT token, made_at FROM status_lists WHERE office_code = 'HQ-01'").fetchone()
    clock.advance(hours=5)
    assert sync.run_sync(authority.session("HQ-01", "clerk"), authority.folder).errors == []
    token2, made2 = conn.execute("SELECT token, made_at FROM status_lists WHERE office_code = 'HQ-01'").fetchone()
    assert made2 > made and token2 != token
    assert made2 == clock().strftime("%Y-%m-%dT%H:%M:%SZ")
    b = authority.offices["B-02"].db.conn
    assert sync.run_sync(authority.session("B-02", "clerk"), authority.folder).errors == []
    assert b.execute("SELECT COUNT(*) FROM status_lists WHERE office_code = 'B-02'").fetchone()[0] == 0
