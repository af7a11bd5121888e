"""A log whose older events were sealed as SealedBoxes (every log before round 5) and whose newer ones carry the
second form (events.seal_record): sync, `ledger verify` and rebuild read both (docs/ledger.md, "Sealed parts")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import nacl.public
import pytest

from console.core import events, issuance, ledgerverify, registry, requests
from console.core.accounts import login
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.rebuild import make_backup
from console.node import sync
from console.node.rebuild import rebuild_from_folder
from tests.conftest import PASSWORDS, FakeClock
from tests.node.conftest import Authority


def _first_form(records_public: bytes, record: dict[str, Any]) -> bytes:
    """How every record was sealed before round 5: a SealedBox of its CBOR."""
    import cbor2

    return bytes(nacl.public.SealedBox(nacl.public.PublicKey(records_public)).encrypt(cbor2.dumps(record)))


def _work(a: Authority, person: Callable[[int], object], base: int) -> list[str]:
    clerk = a.session("HQ-01", "clerk")
    numbers = [registry.register(clerk, person(base + i))["id_number"] for i in range(3)]  # type: ignore[arg-type]
    for n in numbers:
        issuance.issue(clerk, n)
    req = requests.create_request(clerk, "revoke", numbers[0], "card reported stolen")
    requests.approve(a.session("HQ-01", "super"), req["request_id"], "police report")
    return numbers


def test_a_log_with_both_forms_syncs_verifies_and_rebuilds(
    authority: Authority,
    person: Callable[[int], object],
    monkeypatch: pytest.MonkeyPatch,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    with monkeypatch.context() as m:
        m.setattr(events, "seal_record", _first_form)
        old = _work(authority, person, 0)
    new = _work(authority, person, 10)
    hq = authority.offices["HQ-01"].db.conn
    forms = {
        bool(payload["sealed"][31] & 0x80)
        for payload in (events.decode_entry(bytes(r[0]), hq) for r in hq.execute("SELECT entry FROM events"))
        if isinstance(payload.get("sealed"), bytes)
    }
    assert forms == {False, True}  # both forms are in the log

    assert sync.run_sync(authority.session("HQ-01", "clerk"), authority.folder).to_json()["errors"] == []
    report = sync.run_sync(authority.session("B-02", "clerk"), authority.folder).to_json()
    assert report["errors"] == [] and report["applied"]["HQ-01"] > 0, report
    b = authority.offices["B-02"].db.conn
    # the sealed registrations and credential links of both forms were opened and applied
    assert sorted(r[0] for r in b.execute("SELECT id_number FROM citizens WHERE office_code = 'HQ-01'")) == sorted(
        old + new
    )
    linked = {r[0] for r in b.execute("SELECT id_number FROM credentials WHERE office_code = 'HQ-01'")}
    assert linked == set(old + new)
    for code, conn in (("HQ-01", hq), ("B-02", b)):
        key = authority.session(code, "admin").office_keys().records_key
        assert ledgerverify.verify_database(conn, key) == [], code

    backup = make_backup(authority.session("HQ-01", "admin"))
    result, rebuilt_report = rebuild_from_folder(tmp_path / "rebuilt", authority.folder, backup, clock=clock)
    assert result.warnings == [] and rebuilt_report.errors == []
    rebuilt = Office(tmp_path / "rebuilt", clock=clock, kdf=KDF_PRESETS["min"])
    assert backup.database_key is not None
    rebuilt.unlock_personal(backup.database_key)
    got = sorted(r[0] for r in rebuilt.db.conn.execute("SELECT id_number FROM citizens WHERE office_code = 'HQ-01'"))
    assert got == sorted(old + new)
    admin = login(rebuilt, "admin", PASSWORDS["admin"])
    assert ledgerverify.verify_database(rebuilt.db.conn, admin.office_keys().records_key) == []
