"""The administrator's and auditor's services: settings, office keys, the audit trail searched and checked."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from console.core import administration, exports, officers, registry
from console.core.accounts import Session
from console.core.administration import AuditFilter
from console.core.errors import PermissionDenied, ValidationError
from console.core.registry import PersonInput
from tests.conftest import FakeClock


def test_only_administrators_change_country_and_card_validity(session_of: Callable[[str], Session]) -> None:
    admin, auditor, clerk = session_of("admin"), session_of("auditor"), session_of("clerk")
    assert administration.issuing_settings(auditor) == {"country": "UTO", "card_valid_years": 10}
    assert administration.set_country(admin, " est ")["country"] == "EST"
    assert administration.set_card_validity(admin, 5)["card_valid_years"] == 5
    assert administration.card_validity(clerk) == 5
    with pytest.raises(ValidationError, match="ISO 3166-1 alpha-3"):
        administration.set_country(admin, "XX")
    with pytest.raises(ValidationError, match="1 to 20 years"):
        administration.set_card_validity(admin, 0)
    for session in (auditor, clerk):
        with pytest.raises(PermissionDenied):
            administration.set_country(session, "CHN")
    with pytest.raises(PermissionDenied):
        administration.issuing_settings(clerk)


def test_office_keys_listed_for_administrators_with_rotation(
    session_of: Callable[[str], Session], clock: FakeClock
) -> None:
    admin = session_of("admin")
    before = administration.office_keys(admin)
    assert len(before) == 1 and before[0]["valid_until"] is None
    clock.advance(seconds=5)
    officers.rotate_office_key(admin)
    after = administration.office_keys(admin)
    assert len(after) == 2 and after[0]["valid_until"] is None and after[1]["valid_until"] is not None
    with pytest.raises(PermissionDenied):
        administration.office_keys(session_of("auditor"))


def test_audit_search_filters_checks_signatures_and_exports(
    session_of: Callable[[str], Session], clock: FakeClock, tmp_path: Path
) -> None:
    clerk = session_of("clerk")
    registry.register(clerk, PersonInput("Tamm", "Mari", "1980-05-06", "F", "EST"))
    clock.advance(days=2)
    clerk = session_of("clerk")  # a new day, a new login
    registry.register(clerk, PersonInput("Kask", "Jaan", "1975-01-02", "M", "EST"))
    with pytest.raises(PermissionDenied):
        administration.search_audit(clerk)  # a refusal is audited too
    auditor = session_of("auditor")

    found = administration.search_audit(auditor, AuditFilter(officer="clerk", action="citizen.registered"))
    rows = found["entries"]
    assert len(rows) == 2 and all(r["signature"] == "valid" for r in rows)
    assert rows[0]["position"] > rows[1]["position"] and found["log_size"] >= rows[0]["position"]

    refused = administration.search_audit(auditor, AuditFilter(outcome="refused"))["entries"]
    assert refused and all(r["outcome"] == "refused" and r["signature"] == "" for r in refused)
    today = clock.now.date()
    assert (
        len(administration.search_audit(auditor, AuditFilter(action="citizen.registered", since=today))["entries"]) == 1
    )
    assert administration.search_audit(auditor, AuditFilter(text="no-such-word-anywhere"))["entries"] == []
    assert administration.search_audit(auditor, AuditFilter(text="enrolled clerk2"))["entries"]
    assert "clerk" in administration.audit_officers(auditor)
    assert "citizen.registered" in administration.audit_actions(auditor)
    with pytest.raises(ValidationError):
        administration.search_audit(auditor, AuditFilter(since=date(2026, 12, 5), until=date(2026, 12, 1)))

    # An event altered in the database no longer verifies: the trail says so instead of believing it.
    seq = rows[0]["position"]
    db = auditor.office.db
    entry = bytearray(db.execute("SELECT entry FROM events WHERE seq = ?", [seq]).fetchone()[0])
    entry[-1] ^= 0x01
    with db.conn:
        db.conn.execute("UPDATE events SET entry = ? WHERE seq = ?", (bytes(entry), seq))
    checked = administration.search_audit(auditor, AuditFilter(action="citizen.registered"))["entries"]
    assert [r["signature"] for r in checked] == ["invalid", "valid"]

    out = tmp_path / "trail.csv.age"
    count = administration.export_audit(auditor, AuditFilter(officer="clerk"), out, "export passphrase 1")
    clear = exports.open_export(out.read_bytes(), "export passphrase 1").decode("utf-8-sig")
    exported = list(csv.DictReader(io.StringIO(clear, newline="")))
    assert len(exported) == count >= 3 and {r["officer"] for r in exported} == {"clerk"}
    assert out.stat().st_mode & 0o777 == 0o600
    assert administration.search_audit(auditor, AuditFilter(action="audit.export"))["entries"]
