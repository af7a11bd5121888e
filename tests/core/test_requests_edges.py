"""Status-change requests (console/core/requests.py) at their edges: every refusal's sentence and the form field
it names, the signed event and audit row each step writes, what `list_requests` returns and filters, a decision
that lost a race, and a request that no longer applies.

Written to kill the mutants of requests.py that tests/core/test_issuance.py lets live (docs/testing.md,
"Mutation score"): those tests check that a wrong request is refused, not what the officer is told, nor what
the office records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from console.core import events, i18n, issuance, officers, registry, requests
from console.core.accounts import Session, login
from console.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from console.core.office import Office
from console.core.registry import PersonInput
from console.core.timeutil import to_iso
from tests.conftest import PASSWORDS, FakeClock

SessionOf = Callable[[str], Session]


@pytest.fixture
def person(session_of: SessionOf) -> str:
    return str(
        registry.register(session_of("clerk"), PersonInput("Tamm", "Mari", "1981-05-17", "F", "EST"))["id_number"]
    )


@pytest.fixture
def card(session_of: SessionOf, person: str) -> str:
    """The person's credential id (hex)."""
    return issuance.issue(session_of("clerk"), person).credential_id


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    yield
    i18n.set_language(None)


def last_event(office: Office) -> tuple[str, str, dict[str, Any]]:
    """(type, officer, payload) of the newest signed event."""
    row = office.db.execute("SELECT type, officer, entry FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    return str(row[0]), str(row[1]), events.decode_entry(bytes(row[2]), office.db.conn)


def last_audit(office: Office) -> tuple[str, str, str, str]:
    row = office.db.execute(
        "SELECT officer, action, outcome, detail FROM audit_full ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return str(row[0]), str(row[1]), str(row[2]), str(row[3])


def refused(office: Office) -> list[tuple[str, str, str]]:
    rows = office.db.execute("SELECT officer, action, detail FROM audit_full WHERE outcome = 'refused' ORDER BY id")
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows.fetchall()]


def sealed_record(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """The sealed part of an event, opened with the office's records key."""
    return events.open_record(session.office_secrets.records_key, payload["sealed"])


def request_row(office: Office, request_id: int) -> dict[str, Any]:
    rows = list(office.db.query("SELECT * FROM requests WHERE id = ?", [request_id]))
    assert len(rows) == 1
    return rows[0]


# --- making a request ---------------------------------------------------------------------------------------


def test_a_request_returns_records_and_signs_what_was_asked(
    session_of: SessionOf, staffed: Office, clock: FakeClock, card: str, person: str
) -> None:
    made = requests.create_request(session_of("clerk"), "revoke", person, "  card \n reported\tstolen ")
    assert made == {"request_id": 1, "action": "revoke", "credential_id": card, "status": "pending"}
    row = request_row(staffed, 1)
    assert (row["action"], bytes(row["credential_id"]).hex(), row["id_number"]) == ("revoke", card, person)
    assert (row["reason"], row["status"], row["requested_by"]) == ("card reported stolen", "pending", "clerk")
    assert row["requested_at"] == to_iso(clock.now)
    kind, officer, payload = last_event(staffed)
    assert (kind, officer) == ("request.created", "clerk")
    assert payload["type"] == "request.created" and payload["office"] == "HQ-01" and payload["officer"] == "clerk"
    assert payload["clear"] == {"request": 1, "action": "revoke", "credential": bytes.fromhex(card)}
    assert last_audit(staffed) == ("clerk", "request.created", "ok", f"request 1: revoke {card}: card reported stolen")
    # the reason may name the person: sealed to the records key, so that a rebuild gets it back
    assert sealed_record(session_of("clerk"), payload) == {"reason": "card reported stolen"}


def test_an_auditor_may_not_ask_and_the_refusal_names_the_credential(
    session_of: SessionOf, staffed: Office, person: str, card: str
) -> None:
    with pytest.raises(PermissionDenied) as no:
        requests.create_request(session_of("auditor"), "revoke", person, "looks odd")
    assert str(no.value) == (
        f"An auditor may not do this (request.create: {person}); ask an officer whose role allows it."
    )
    assert refused(staffed) == [("auditor", "request.create", f"role auditor lacks request.create ({person})")]
    assert staffed.db.execute("SELECT COUNT(*) FROM requests").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("action", "reason", "field", "sentence"),
    [
        ("destroy", "why", "action", "Unknown request 'destroy'; use revoke, suspend or reinstate."),
        ("Revoke", "why", "action", "Unknown request 'Revoke'; use revoke, suspend or reinstate."),
        (
            "revoke",
            " \n\t ",
            "reason",
            "Give a reason: the supervisor decides on it and it stays in the audit trail.",
        ),
        ("revoke", "x" * 501, "reason", "The reason is too long: at most 500 characters."),
    ],
)
def test_a_bad_request_names_its_field_and_says_what_to_do(
    session_of: SessionOf, staffed: Office, card: str, action: str, reason: str, field: str, sentence: str
) -> None:
    with pytest.raises(ValidationError) as bad:
        requests.create_request(session_of("clerk"), action, card, reason)
    assert (bad.value.field, str(bad.value)) == (field, sentence)
    assert staffed.db.execute("SELECT COUNT(*) FROM requests").fetchone()[0] == 0


def test_a_reason_of_exactly_the_limit_is_accepted_after_spaces_are_folded(
    session_of: SessionOf, staffed: Office, card: str
) -> None:
    reason = "y" * 250 + "   \n " + "z" * 249  # 500 characters once the run of spaces is one
    made = requests.create_request(session_of("clerk"), "suspend", card, reason)
    assert request_row(staffed, made["request_id"])["reason"] == "y" * 250 + " " + "z" * 249


def test_the_chinese_sentences_are_used(session_of: SessionOf, card: str, chinese: None) -> None:
    with pytest.raises(ValidationError) as bad:
        requests.create_request(session_of("clerk"), "revoke", card, " ")
    assert str(bad.value) == "请填写理由：主管将据此作出决定，理由将保留在审计记录中。"


def test_a_status_the_action_cannot_start_from_is_refused_with_what_to_do(
    session_of: SessionOf, staffed: Office, person: str, card: str
) -> None:
    clerk = session_of("clerk")
    with pytest.raises(Conflict) as no:
        requests.create_request(clerk, "reinstate", card, "was never suspended")
    assert str(no.value) == f"Credential {card} is already active; there is nothing to change."
    suspend = requests.create_request(clerk, "suspend", card, "card lost")
    requests.approve(session_of("super"), suspend["request_id"])
    with pytest.raises(Conflict) as no:
        requests.create_request(clerk, "suspend", card, "lost again")
    assert str(no.value) == f"Credential {card} is already suspended; there is nothing to change."
    # superseded and revoked credentials are final: the sentence says to issue a new one
    back = requests.create_request(clerk, "reinstate", card, "card found")
    requests.approve(session_of("super"), back["request_id"])
    new = issuance.issue(clerk, person).credential_id
    with pytest.raises(Conflict) as no:
        requests.create_request(clerk, "suspend", card, "old card lost")
    assert str(no.value) == f"Credential {card} is superseded; it cannot be suspended (issue a new one instead)."
    revoke = requests.create_request(clerk, "revoke", new, "fraud")
    requests.approve(session_of("super"), revoke["request_id"])
    with pytest.raises(Conflict) as no:
        requests.create_request(clerk, "suspend", new, "and suspend")
    assert str(no.value) == f"Credential {new} is revoked; it cannot be suspended (issue a new one instead)."
    assert staffed.db.execute("SELECT COUNT(*) FROM requests").fetchone()[0] == 3


def test_a_second_request_waits_for_the_first(session_of: SessionOf, staffed: Office, card: str) -> None:
    first = requests.create_request(session_of("clerk"), "suspend", card, "lost")
    with pytest.raises(Conflict) as no:
        requests.create_request(session_of("clerk2"), "revoke", card, "stolen")
    assert str(no.value) == (f"Request {first['request_id']} for credential {card} is still pending; decide it first.")


# --- listing ------------------------------------------------------------------------------------------------


def test_the_list_is_newest_first_with_every_column(
    session_of: SessionOf, staffed: Office, clock: FakeClock, card: str, person: str
) -> None:
    made_at = to_iso(clock.now)
    first = requests.create_request(session_of("clerk"), "suspend", card, "lost")
    clock.advance(minutes=5)
    requests.reject(session_of("super"), first["request_id"], "  ask the holder first  ")
    second = requests.create_request(session_of("clerk2"), "revoke", person, "stolen")
    listed = requests.list_requests(session_of("auditor"))
    assert listed == [
        {
            "request_id": second["request_id"],
            "action": "revoke",
            "credential_id": card,
            "id_number": person,
            "reason": "stolen",
            "status": "pending",
            "requested_by": "clerk2",
            "requested_at": to_iso(clock.now),
            "decided_by": None,
            "decided_at": None,
            "note": None,
        },
        {
            "request_id": first["request_id"],
            "action": "suspend",
            "credential_id": card,
            "id_number": person,
            "reason": "lost",
            "status": "rejected",
            "requested_by": "clerk",
            "requested_at": made_at,
            "decided_by": "super",
            "decided_at": to_iso(clock.now),
            "note": "ask the holder first",
        },
    ]


def test_the_list_filters_by_status_and_by_a_typed_id_number(session_of: SessionOf, staffed: Office) -> None:
    clerk = session_of("clerk")
    people = [
        str(registry.register(clerk, PersonInput("Tamm", given, born, "F", "EST"))["id_number"])
        for given, born in (("Mari", "1981-05-17"), ("Kati", "1984-02-03"))
    ]
    ids = []
    for number in people:
        issuance.issue(clerk, number)
        ids.append(requests.create_request(clerk, "suspend", number, "lost")["request_id"])
    requests.approve(session_of("super"), ids[0])
    auditor = session_of("auditor")

    def listed(**filters: str) -> list[int]:
        return [r["request_id"] for r in requests.list_requests(auditor, **filters)]

    assert listed() == [ids[1], ids[0]]
    assert listed(status="approved") == [ids[0]]
    assert listed(status="pending") == [ids[1]]
    assert listed(status="rejected") == []
    typed = " ".join([people[1][:5], people[1][5:]])  # as read aloud: "23456 78901"
    assert listed(id_number=typed) == [ids[1]]
    assert listed(id_number=people[0], status="approved") == [ids[0]]
    assert listed(id_number=people[0], status="pending") == []
    assert listed(id_number=people[1], status="approved") == []


def test_an_id_number_ending_in_x_is_found_typed_in_lower_case(tmp_path: Any, clock: FakeClock) -> None:
    from console.core.keystore import KDF_PRESETS
    from console.core.setup import init_office
    from tests.conftest import make_setup

    init_office(tmp_path / "cn", make_setup("cn-18"), kdf=KDF_PRESETS["min"], clock=clock)
    office = Office(tmp_path / "cn", clock=clock, kdf=KDF_PRESETS["min"])
    admin = login(office, "admin", PASSWORDS["admin"])
    for username, role in (("clerk", "clerk"), ("auditor", "auditor")):
        officers.add_officer(
            admin, username=username, role=role, full_name="Some Officer", password=PASSWORDS[username]
        )
    clerk = login(office, "clerk", PASSWORDS["clerk"])
    number = str(registry.register(clerk, PersonInput("张", "伟", "1990-02-07", "M", "CHN"))["id_number"])
    assert number.endswith("X")  # region 110101, born 1990-02-07, first man that day: check character X
    issuance.issue(clerk, number)
    made = requests.create_request(clerk, "suspend", number.lower(), "lost")
    auditor = login(office, "auditor", PASSWORDS["auditor"])
    found = requests.list_requests(auditor, id_number=" " + number.lower()[:6] + " " + number.lower()[6:])
    assert [r["request_id"] for r in found] == [made["request_id"]]


def test_a_clerk2_may_list_but_nobody_without_request_read(session_of: SessionOf, staffed: Office) -> None:
    assert requests.list_requests(session_of("clerk2")) == []
    with pytest.raises(PermissionDenied):
        requests.list_requests(login(staffed, "admin", PASSWORDS["admin"]))


# --- deciding -----------------------------------------------------------------------------------------------


def test_an_approval_returns_records_and_signs_the_status_change(
    session_of: SessionOf, staffed: Office, clock: FakeClock, card: str
) -> None:
    made = requests.create_request(session_of("clerk"), "revoke", card, "stolen")
    clock.advance(hours=1)
    result = requests.approve(session_of("super"), made["request_id"], "  police report seen \n")
    assert result == {
        "request_id": made["request_id"],
        "status": "approved",
        "credential_id": card,
        "credential_status": "revoked",
    }
    row = request_row(staffed, made["request_id"])
    assert (row["status"], row["decided_by"], row["decided_at"], row["note"]) == (
        "approved",
        "super",
        to_iso(clock.now),
        "police report seen",
    )
    status = list(staffed.db.query("SELECT status, status_changed_at FROM credentials"))
    assert status == [{"status": "revoked", "status_changed_at": to_iso(clock.now)}]
    kinds = [r[0] for r in staffed.db.execute("SELECT type FROM events ORDER BY seq DESC LIMIT 3")]
    assert "credential.status" in kinds
    seq = staffed.db.execute("SELECT MAX(seq) FROM events WHERE type = 'credential.status'").fetchone()[0]
    entry = staffed.db.execute("SELECT officer, entry FROM events WHERE seq = ?", (seq,)).fetchone()
    payload = events.decode_entry(bytes(entry[1]), staffed.db.conn)
    assert entry[0] == "super" and payload["office"] == "HQ-01"
    assert payload["clear"] == {"credential": bytes.fromhex(card), "status": "revoked", "request": made["request_id"]}
    assert sealed_record(session_of("super"), payload) == {"note": "police report seen"}
    detail = staffed.db.execute("SELECT detail FROM audit_full WHERE event_seq = ?", (seq,)).fetchone()[0]
    assert detail == f"request {made['request_id']} approved: {card} is revoked"


def test_a_rejection_returns_records_and_signs_the_note(
    session_of: SessionOf, staffed: Office, clock: FakeClock, card: str
) -> None:
    made = requests.create_request(session_of("clerk"), "suspend", card, "lost")
    clock.advance(minutes=3)
    assert requests.reject(session_of("super"), made["request_id"], " not the holder ") == {
        "request_id": made["request_id"],
        "status": "rejected",
    }
    row = request_row(staffed, made["request_id"])
    assert (row["decided_by"], row["decided_at"], row["note"]) == ("super", to_iso(clock.now), "not the holder")
    kind, officer, payload = last_event(staffed)
    assert (kind, officer, payload["type"], payload["office"]) == (
        "request.rejected",
        "super",
        "request.rejected",
        "HQ-01",
    )
    assert payload["clear"] == {"request": made["request_id"]}
    assert last_audit(staffed) == (
        "super",
        "request.rejected",
        "ok",
        f"request {made['request_id']} rejected: not the holder",
    )
    assert list(staffed.db.query("SELECT status FROM credentials")) == [{"status": "active"}]
    assert sealed_record(session_of("super"), payload) == {"note": "not the holder"}


def test_a_rejection_needs_a_note(session_of: SessionOf, staffed: Office, card: str) -> None:
    made = requests.create_request(session_of("clerk"), "suspend", card, "lost")
    with pytest.raises(ValidationError) as bad:
        requests.reject(session_of("super"), made["request_id"], " \n ")
    assert (bad.value.field, str(bad.value)) == ("note", "Say why the request is rejected; the requester will read it.")
    assert request_row(staffed, made["request_id"])["status"] == "pending"


@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_a_clerk_may_not_decide_and_the_refusal_names_the_request(
    session_of: SessionOf, staffed: Office, card: str, decide: str
) -> None:
    made = requests.create_request(session_of("clerk"), "suspend", card, "lost")
    request_id = made["request_id"]
    with pytest.raises(PermissionDenied) as no:
        getattr(requests, decide)(session_of("clerk2"), request_id, "a note")
    assert str(no.value) == (
        f"A clerk may not do this (request.decide: request {request_id}); ask an officer whose role allows it."
    )
    assert refused(staffed) == [("clerk2", "request.decide", f"role clerk lacks request.decide (request {request_id})")]


@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_nobody_decides_their_own_request(session_of: SessionOf, staffed: Office, card: str, decide: str) -> None:
    made = requests.create_request(session_of("super"), "suspend", card, "lost")
    request_id = made["request_id"]
    with pytest.raises(PermissionDenied) as no:
        getattr(requests, decide)(session_of("super"), request_id, "a note")
    assert str(no.value) == (
        f"You made request {request_id} yourself; another supervisor must decide it (four-eyes rule)."
    )
    assert refused(staffed) == [("super", "request.decide", f"own request {request_id}")]


def test_an_unknown_request_is_not_found(session_of: SessionOf, staffed: Office) -> None:
    for decide in (requests.approve, requests.reject):
        with pytest.raises(NotFound) as no:
            decide(session_of("super"), 99, "a note")
        assert str(no.value) == "No request with id 99."


@pytest.mark.parametrize(("first", "word"), [("approve", "approved"), ("reject", "rejected")])
def test_a_decided_request_says_who_decided_it(
    session_of: SessionOf, staffed: Office, card: str, first: str, word: str
) -> None:
    made = requests.create_request(session_of("clerk"), "suspend", card, "lost")
    getattr(requests, first)(session_of("super"), made["request_id"], "done")
    for decide in (requests.approve, requests.reject):
        with pytest.raises(Conflict) as no:
            decide(session_of("super2"), made["request_id"], "again")
        assert str(no.value) == f"Request {made['request_id']} was already {word} by super."


def test_a_decided_request_in_chinese_names_the_decision_in_chinese(
    session_of: SessionOf, staffed: Office, card: str, chinese: None
) -> None:
    made = requests.create_request(session_of("clerk"), "suspend", card, "lost")
    requests.reject(session_of("super"), made["request_id"], "no")
    with pytest.raises(Conflict) as no:
        requests.approve(session_of("super2"), made["request_id"])
    assert str(no.value) == f"第 {made['request_id']} 号申请已有决定（已驳回，经办人：super）。"
    requests_two = requests.create_request(session_of("clerk"), "suspend", card, "lost again")
    requests.approve(session_of("super"), requests_two["request_id"])
    with pytest.raises(Conflict) as no:
        requests.reject(session_of("super2"), requests_two["request_id"], "no")
    assert str(no.value) == f"第 {requests_two['request_id']} 号申请已有决定（已批准，经办人：super）。"


@pytest.mark.parametrize(("second", "word"), [("approve", "approved"), ("reject", "rejected")])
def test_a_decision_that_lost_the_race_changes_nothing_and_says_who_won(
    session_of: SessionOf, staffed: Office, card: str, monkeypatch: pytest.MonkeyPatch, second: str, word: str
) -> None:
    """Two supervisors decide the same request at once: the other one's decision lands between this one's
    read of the request and its write; this one must fail, naming the other, and write nothing."""
    made = requests.create_request(session_of("clerk"), "suspend", card, "lost")
    request_id = made["request_id"]
    read = requests._pending
    other = session_of("super2")
    raced: list[bool] = []

    def read_then_the_other_decides(session: Session, rid: int, **kwargs: Any) -> dict[str, Any]:
        row = read(session, rid, **kwargs)
        if not raced:
            raced.append(True)
            getattr(requests, second)(other, rid, "mine")
        return row

    monkeypatch.setattr(requests, "_pending", read_then_the_other_decides)
    events_before = staffed.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    with pytest.raises(Conflict) as no:
        requests.approve(session_of("super"), request_id, "too late")
    assert str(no.value) == f"Request {request_id} was already {word} by super2."
    assert raced == [True]
    row = request_row(staffed, request_id)
    assert (row["status"], row["decided_by"], row["note"]) == (word, "super2", "mine")
    assert staffed.db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == events_before + 1  # only the winner's


def test_a_request_overtaken_by_a_new_card_no_longer_applies(
    session_of: SessionOf, staffed: Office, card: str, person: str
) -> None:
    made = requests.create_request(session_of("clerk"), "suspend", card, "lost")
    issuance.issue(session_of("clerk"), person)  # the holder came in for a new card meanwhile
    with pytest.raises(Conflict) as no:
        requests.approve(session_of("super"), made["request_id"])
    assert str(no.value) == (f"Credential {card} is now superseded; request {made['request_id']} no longer applies.")
    assert request_row(staffed, made["request_id"])["status"] == "pending"  # the claim was rolled back


def test_one_persons_two_accounts_may_not_approve_but_may_reject(office: Office, clock: FakeClock) -> None:
    """The puppet rule (independence.py) applies to approvals, which change a credential; a rejection changes
    nothing, so the requester's fellow enrolee may reject."""
    clock.advance(days=2)  # past the set-up day: enrolments now give control
    admin = login(office, "admin", PASSWORDS["admin"])
    for username, role in (("pat", "clerk"), ("sam", "supervisor")):
        officers.add_officer(admin, username=username, role=role, full_name="Some Officer", password=PASSWORDS["super"])
    pat, sam = (login(office, u, PASSWORDS["super"]) for u in ("pat", "sam"))
    number = str(registry.register(pat, PersonInput("Tamm", "Mari", "1981-05-17", "F", "EST"))["id_number"])
    issuance.issue(pat, number)
    made = requests.create_request(pat, "suspend", number, "lost")
    with pytest.raises(PermissionDenied) as no:
        requests.approve(sam, made["request_id"])
    assert str(no.value).startswith("pat and sam were both enrolled (or given a password) by admin in the last ")
    assert str(no.value).endswith(
        f"days, so one person may hold both accounts; request {made['request_id']} must be decided by an "
        "officer whom admin did not enrol, e.g. one enrolled by a second administrator."
    )
    assert refused(office) == [
        ("sam", "request.decide", f"request {made['request_id']}: pat and sam both controlled by admin")
    ]
    assert requests.reject(sam, made["request_id"], "come in person")["status"] == "rejected"


def test_the_own_request_refusal_names_the_request_in_chinese(
    session_of: SessionOf, staffed: Office, card: str, chinese: None
) -> None:
    made = requests.create_request(session_of("super"), "suspend", card, "lost")
    with pytest.raises(PermissionDenied) as no:
        requests.approve(session_of("super"), made["request_id"])
    assert str(no.value) == f"第 {made['request_id']} 号申请由您本人提出，须由另一名主管作出决定（双人复核规则）。"
    # the audit trail stays in English, whatever the officer's language
    assert refused(staffed) == [("super", "request.decide", f"own request {made['request_id']}")]


def test_an_approval_without_a_note_records_none(session_of: SessionOf, staffed: Office, card: str) -> None:
    made = requests.create_request(session_of("clerk"), "suspend", card, "lost")
    requests.approve(session_of("super"), made["request_id"])
    assert request_row(staffed, made["request_id"])["note"] == ""


def test_a_request_checks_every_credential_of_the_holder(session_of: SessionOf, staffed: Office, person: str) -> None:
    """The person's older credential, edited with SQL (superseded made revoked), stops a request on the newest and
    a decision on one made before."""
    from console.core.truth import TamperedError

    clerk = session_of("clerk")
    old = issuance.issue(clerk, person).credential_id
    staffed.clock.advance(seconds=2)  # type: ignore[attr-defined]
    issuance.issue(clerk, person)
    made = requests.create_request(clerk, "suspend", person, "holder abroad")["request_id"]
    requests.reject(session_of("super"), made, "no proof")
    waiting = requests.create_request(clerk, "suspend", person, "holder abroad")["request_id"]
    with staffed.db.conn:
        staffed.db.conn.execute(
            "UPDATE credentials SET status = 'revoked' WHERE credential_id = ?", (bytes.fromhex(old),)
        )
    said = f"The credentials row of {old} in office.db says revoked"
    with pytest.raises(TamperedError, match=said):
        requests.create_request(clerk, "revoke", person, "stolen")
    # and a decision on the request made before the edit (approving or rejecting it) is refused the same way
    with pytest.raises(TamperedError, match=said):
        requests.approve(session_of("super"), waiting)
    with pytest.raises(TamperedError, match=said):
        requests.reject(session_of("super"), waiting, "no proof")
    assert [r["status"] for r in staffed.db.query("SELECT status FROM requests ORDER BY id")] == ["rejected", "pending"]


def test_an_approval_keeps_a_signed_revocation_in_the_list_whatever_the_rows_say(
    session_of: SessionOf, staffed: Office
) -> None:
    """The status list made after an approval reads a revoked card's index from the signed events: a row set
    back to 'active' with SQL does not make the card valid again in the published list."""
    import zlib

    import cbor2

    from console.core import statusservice

    clerk, supervisor = session_of("clerk"), session_of("super")
    numbers = [
        str(registry.register(clerk, PersonInput(f, g, "1981-05-17", "F", "EST"))["id_number"])
        for f, g in (("Tamm", "Mari"), ("Kask", "Liis"))
    ]
    revoked, other = (issuance.issue(clerk, n).credential_id for n in numbers)
    requests.approve(supervisor, requests.create_request(clerk, "revoke", revoked, "stolen")["request_id"])
    with staffed.db.conn:
        staffed.db.conn.execute(
            "UPDATE credentials SET status = 'active' WHERE credential_id = ?", (bytes.fromhex(revoked),)
        )
    requests.approve(supervisor, requests.create_request(clerk, "suspend", other, "abroad")["request_id"])
    (stored,) = statusservice.stored_lists(staffed)
    lst = zlib.decompress(cbor2.loads(cbor2.loads(stored.token).value[2])[65533]["lst"])

    def state(cid: str) -> int:
        idx = int(
            staffed.db.execute(
                "SELECT status_idx FROM credentials WHERE credential_id = ?", (bytes.fromhex(cid),)
            ).fetchone()[0]
        )
        return (lst[idx // 4] >> (2 * (idx % 4))) & 3

    assert (state(revoked), state(other)) == (1, 2)  # INVALID, SUSPENDED
