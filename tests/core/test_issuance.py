"""Issuing, superseding, verifying against the office, and four-eyes status changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from console.core import issuance, officers, registry, requests
from console.core.accounts import Session
from console.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from console.core.office import Office
from console.core.registry import PersonInput
from console.core.trust import from_jwks, to_jwks
from tests.conftest import FakeClock


@pytest.fixture
def person(session_of: Callable[[str], Session]) -> str:
    return str(registry.register(session_of("clerk"), PersonInput("张", "伟", "1990-01-02", "M", "CHN"))["id_number"])


def verdict_of(office: Office, qr: str) -> str:
    return issuance.verify(qr, trust=issuance.trust_list(office), office=office).status


def test_issue_and_verify(session_of: Callable[[str], Session], staffed: Office, person: str) -> None:
    issued = issuance.issue(session_of("clerk"), person)
    verdict = issuance.verify(issued.qr, trust=issuance.trust_list(staffed), office=staffed)
    assert verdict.valid and verdict.status == "valid" and verdict.status_checked
    assert verdict.claims["id_number"] == person
    assert verdict.claims["full_name"] == "ZHANG WEI" and verdict.claims["secondary_full_name"] == "张伟"
    assert verdict.claims["secondary_language"] == "zho" and verdict.claims["country"] == "UTO"
    assert verdict.issuer == "https://ids.utopia.example/HQ-01"
    assert issued.expires.startswith("2036-11-30")


def test_reissue_supersedes(session_of: Callable[[str], Session], staffed: Office, person: str) -> None:
    clerk = session_of("clerk")
    first = issuance.issue(clerk, person)
    second = issuance.issue(clerk, person)
    assert second.superseded == [first.credential_id]
    assert verdict_of(staffed, first.qr) == "superseded"
    assert verdict_of(staffed, second.qr) == "valid"
    assert [c["status"] for c in issuance.credentials_of(clerk, person)] == ["active", "superseded"]


def test_trust_file_alone_does_not_check_status(
    session_of: Callable[[str], Session], staffed: Office, person: str
) -> None:
    issued = issuance.issue(session_of("clerk"), person)
    trust = from_jwks(to_jwks(issuance.trust_list(staffed)))
    verdict = issuance.verify(issued.qr, trust=trust, office=None)
    assert verdict.valid and not verdict.status_checked
    assert "not checked" in verdict.reason


def test_expired(session_of: Callable[[str], Session], staffed: Office, person: str, clock: FakeClock) -> None:
    issued = issuance.issue(session_of("clerk"), person, valid_years=1)
    clock.advance(days=366)
    assert verdict_of(staffed, issued.qr) == "expired"


def test_old_credentials_survive_key_rotation(
    session_of: Callable[[str], Session], staffed: Office, person: str, clock: FakeClock
) -> None:
    old = issuance.issue(session_of("clerk"), person)
    clock.advance(hours=1)
    officers.rotate_office_key(session_of("admin"))
    clock.advance(hours=1)
    other = registry.register(session_of("clerk"), PersonInput("Tamm", "Mari", "1990-01-30", "F", "EST"))["id_number"]
    new = issuance.issue(session_of("clerk"), other)
    assert verdict_of(staffed, old.qr) == "valid"
    assert verdict_of(staffed, new.qr) == "valid"
    assert len(issuance.trust_list(staffed)) == 2


def test_issue_errors(session_of: Callable[[str], Session], person: str) -> None:
    clerk = session_of("clerk")
    with pytest.raises(NotFound, match="register them first"):
        issuance.issue(clerk, "2345678901")
    with pytest.raises(ValidationError):
        issuance.issue(clerk, person, valid_years=0)


def test_revocation_needs_another_supervisor(
    session_of: Callable[[str], Session], staffed: Office, person: str
) -> None:
    clerk = session_of("clerk")
    issued = issuance.issue(clerk, person)
    request = requests.create_request(clerk, "revoke", person, "card reported stolen")
    assert verdict_of(staffed, issued.qr) == "valid"  # a request alone changes nothing
    with pytest.raises(PermissionDenied):
        requests.approve(session_of("clerk2"), request["request_id"])
    with pytest.raises(Conflict, match="still pending"):
        requests.create_request(clerk, "suspend", issued.credential_id, "again")
    result = requests.approve(session_of("super"), request["request_id"], "police report seen")
    assert result["credential_status"] == "revoked"
    assert verdict_of(staffed, issued.qr) == "revoked"
    with pytest.raises(Conflict, match="already approved"):
        requests.approve(session_of("super2"), request["request_id"])
    audit = [r["action"] for r in staffed.db.query("SELECT action FROM audit WHERE outcome = 'ok'")]
    assert "request.created" in audit and "credential.status" in audit


def test_supervisor_never_decides_own_request(
    session_of: Callable[[str], Session], staffed: Office, person: str
) -> None:
    sup = session_of("super")
    issued = issuance.issue(sup, person)
    request = requests.create_request(sup, "suspend", issued.credential_id, "holder reported card lost")
    with pytest.raises(PermissionDenied, match="four-eyes"):
        requests.approve(sup, request["request_id"])
    with pytest.raises(PermissionDenied, match="four-eyes"):
        requests.reject(sup, request["request_id"], "no")
    assert verdict_of(staffed, issued.qr) == "valid"
    refusals = staffed.db.execute("SELECT COUNT(*) FROM audit WHERE outcome = 'refused'").fetchone()[0]
    assert refusals == 2


def test_suspend_reinstate_and_reject(session_of: Callable[[str], Session], staffed: Office, person: str) -> None:
    clerk = session_of("clerk")
    issued = issuance.issue(clerk, person)
    suspend = requests.create_request(clerk, "suspend", person, "holder reported card lost")
    requests.approve(session_of("super"), suspend["request_id"])
    assert verdict_of(staffed, issued.qr) == "suspended"
    with pytest.raises(Conflict, match="suspended"):
        issuance.issue(clerk, person)
    with pytest.raises(Conflict, match="already suspended; there is nothing to change"):
        requests.create_request(clerk, "suspend", person, "again")
    reinstate = requests.create_request(clerk, "reinstate", person, "card found")
    with pytest.raises(ValidationError):
        requests.reject(session_of("super"), reinstate["request_id"], "")
    requests.reject(session_of("super"), reinstate["request_id"], "ask the holder to come in person")
    assert verdict_of(staffed, issued.qr) == "suspended"
    again = requests.create_request(clerk, "reinstate", person, "holder came in person")
    requests.approve(session_of("super2"), again["request_id"])
    assert verdict_of(staffed, issued.qr) == "valid"
    statuses = [r["status"] for r in requests.list_requests(session_of("auditor"))]
    assert statuses == ["approved", "rejected", "approved"]


def test_request_validation(session_of: Callable[[str], Session], person: str) -> None:
    clerk = session_of("clerk")
    with pytest.raises(NotFound):
        requests.create_request(clerk, "revoke", person, "no card yet")
    issuance.issue(clerk, person)
    with pytest.raises(ValidationError):
        requests.create_request(clerk, "revoke", person, "   ")
    with pytest.raises(ValidationError):
        requests.create_request(clerk, "destroy", person, "why")


def test_issue_batch(session_of: Callable[[str], Session], staffed: Office) -> None:
    clerk = session_of("clerk")
    people = [PersonInput("Tamm", f"Mari{c}", f"19{70 + i}-01-0{1 + i}", "F", "EST") for i, c in enumerate("abcde")]
    numbers = registry.register_batch(clerk, people).registered
    seen: list[tuple[int, int]] = []
    issued = issuance.issue_batch(clerk, numbers, chunk=2, progress=lambda d, t: seen.append((d, t)))
    assert [i.id_number for i in issued] == numbers
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert all(verdict_of(staffed, i.qr) == "valid" for i in issued)
    with pytest.raises(NotFound):
        issuance.issue_batch(clerk, [numbers[0], "2345678901"])
    # the failing chunk wrote nothing: the first person's credential was not superseded
    assert verdict_of(staffed, issued[0].qr) == "valid"


def test_reissue_after_revocation_needs_a_supervisor(
    session_of: Callable[[str], Session], staffed: Office, person: str
) -> None:
    clerk = session_of("clerk")
    issuance.issue(clerk, person)
    request = requests.create_request(clerk, "revoke", person, "identity fraud suspected")
    requests.approve(session_of("super"), request["request_id"])
    with pytest.raises(PermissionDenied, match="re-issue after revocation"):
        issuance.issue(clerk, person)
    with pytest.raises(PermissionDenied):
        issuance.issue_batch(clerk, [person])
    new = issuance.issue(session_of("super2"), person)  # e.g. the card was stolen and the holder came in person
    assert verdict_of(staffed, new.qr) == "valid"
