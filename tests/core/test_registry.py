"""Registration, duplicate review, search; nothing personal on the event outbox in the clear."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from pathlib import Path

import cbor2
import pytest
from PIL import Image
from stdnum import verhoeff
from stdnum.cn import ric
from stdnum.ee import ik

from console.core import coding, cose, registry
from console.core.accounts import Session, login
from console.core.errors import PermissionDenied, UserCancelled, ValidationError
from console.core.events import open_record
from console.core.keystore import KDF_PRESETS
from console.core.office import Office
from console.core.registry import PersonInput
from console.core.setup import init_office
from tests.conftest import PASSWORDS, FakeClock, make_setup

HANS = PersonInput("Müller", "Hans", "1980-05-17", "M", "DEU")


def counts(office: Office) -> tuple[int, ...]:
    db = office.db
    return (
        *tuple(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("citizens", "registrations", "events")),
        db.execute("SELECT COALESCE(SUM(value), 0) FROM counters").fetchone()[0],
    )


def test_register_allocates_a_valid_number(session_of: Callable[[str], Session], staffed: Office) -> None:
    result = registry.register(session_of("clerk"), HANS)
    assert result["status"] == "registered"
    number = result["id_number"]
    assert verhoeff.is_valid(number) and len(number) == 10 and number[0] not in "01"
    assert coding.validate("uin-10", number).number == number
    row = registry.show(session_of("auditor"), number)
    assert (row["family_name"], row["latin_family"], row["latin_given"]) == ("Müller", "MUELLER", "HANS")


def test_event_outbox_has_no_personal_data_in_the_clear(session_of: Callable[[str], Session], staffed: Office) -> None:
    clerk = session_of("clerk")
    number = registry.register(clerk, PersonInput("Иванова", "Анна", "1975-03-09", "F", "RUS"))["id_number"]
    row = next(iter(staffed.db.query("SELECT entry FROM events WHERE type = 'citizen.registered'")))
    payload = cbor2.loads(cose.decode_sign1(row["entry"]).payload)
    clear = cbor2.dumps(payload["clear"])
    for secret in (number, "Иванова", "IVANOVA", "1975-03-09", "19750309"):
        assert secret.encode() not in clear and secret.encode() not in row["entry"].replace(payload["sealed"], b"")
    assert clerk.office_secrets is not None
    record = open_record(clerk.office_secrets.records_key, payload["sealed"])
    assert record["id_number"] == number and record["family_name"] == "Иванова"


@pytest.mark.parametrize(
    ("field", "person"),
    [
        ("birth-date", PersonInput("Tamm", "Mari", "2099-01-01", "F", "EST")),
        ("birth-date", PersonInput("Tamm", "Mari", "1990-02-30", "F", "EST")),
        ("birth-date", PersonInput("Tamm", "Mari", "30.01.1990", "F", "EST")),
        ("birth-date", PersonInput("Tamm", "Mari", "1850-01-01", "F", "EST")),
        ("family-name", PersonInput("", "Mari", "1990-01-30", "F", "EST")),
        ("family-name", PersonInput("Ta\u200bmm", "Mari", "1990-01-30", "F", "EST")),
        ("given-name", PersonInput("Tamm", "Ma\x07ri", "1990-01-30", "F", "EST")),
        ("given-name", PersonInput("Tamm", "M" * 300, "1990-01-30", "F", "EST")),
        ("given-name", PersonInput("Tamm", "1990-01-30", "Mari", "F", "EST")),  # mixed-up fields
        ("sex", PersonInput("Tamm", "Mari", "1990-01-30", "W", "EST")),
        ("birthplace", PersonInput("Tamm", "Mari", "1990-01-30", "F", "ATLANTIS")),
        ("photo", PersonInput("Tamm", "Mari", "1990-01-30", "F", "EST", b"not an image at all")),
        ("photo", PersonInput("Tamm", "Mari", "1990-01-30", "F", "EST", b"\xff\xd8" + b"0" * 600_000)),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    field: str, person: PersonInput, session_of: Callable[[str], Session], staffed: Office
) -> None:
    clerk = session_of("clerk")
    before = counts(staffed)
    with pytest.raises(ValidationError) as info:
        registry.register(clerk, person)
    assert info.value.field == field
    assert str(info.value).endswith(".")
    assert counts(staffed) == before


def test_photo_is_kept(session_of: Callable[[str], Session]) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (200, 180, 160)).save(buffer, "JPEG")
    clerk = session_of("clerk")
    number = registry.register(clerk, PersonInput("Tamm", "Mari", "1990-01-30", "F", "EST", buffer.getvalue()))[
        "id_number"
    ]
    assert registry.photo_of(clerk, number) == buffer.getvalue()
    assert registry.show(clerk, number)["has_photo"] is True


def test_likely_duplicate_is_held_without_consuming_a_number(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    clerk = session_of("clerk")
    first = registry.register(clerk, HANS)["id_number"]
    counters_before = counts(staffed)[3]
    held = registry.register(clerk, PersonInput("Muller", "Hans", "1980-05-17", "M", "DEU"))  # umlaut dropped
    assert held["status"] == "pending-review"
    assert held["possible_duplicates"][0]["ref"] == first
    assert counts(staffed)[3] == counters_before
    # a typo in the given name, entered by another clerk: still caught
    held2 = registry.register(session_of("clerk2"), PersonInput("Mueller", "Hanz", "1980-05-17", "M", "DEU"))
    assert held2["status"] == "pending-review"
    # day and month swapped by the typist
    registry.register(clerk, PersonInput("Tamm", "Mari", "1991-03-08", "F", "EST"))
    assert registry.register(clerk, PersonInput("Tamm", "Mari", "1991-08-03", "F", "EST"))["status"] == "pending-review"
    # a different person with the same birthday is not held
    assert registry.register(clerk, PersonInput("Schmidt", "Hans", "1980-05-17", "M", "DEU"))["status"] == "registered"


def test_review_four_eyes(session_of: Callable[[str], Session], staffed: Office) -> None:
    sup = session_of("super")
    registry.register(sup, HANS)
    review = registry.register(sup, PersonInput("Mueller", "Hans", "1980-05-17", "M", "DEU"))["review_id"]
    with pytest.raises(PermissionDenied, match="four-eyes"):
        registry.accept_review(sup, review)
    with pytest.raises(PermissionDenied):
        registry.accept_review(session_of("clerk"), review)
    accepted = registry.accept_review(session_of("super2"), review, "twins, checked birth certificates")
    assert accepted["status"] == "accepted" and verhoeff.is_valid(accepted["id_number"])
    assert registry.show(sup, accepted["id_number"])["approved_by"] == "super2"
    listed = registry.list_reviews(sup, status="accepted")
    assert listed[0]["id_number"] == accepted["id_number"]


def test_review_reject_needs_a_note(session_of: Callable[[str], Session], staffed: Office) -> None:
    clerk = session_of("clerk")
    registry.register(clerk, HANS)
    review = registry.register(clerk, PersonInput("Mueller", "Hans", "1980-05-17", "M", "DEU"))["review_id"]
    sup = session_of("super")
    with pytest.raises(ValidationError):
        registry.reject_review(sup, review, "  ")
    registry.reject_review(sup, review, "same person as the first record")
    assert registry.list_reviews(sup) == []
    assert staffed.db.execute("SELECT COUNT(*) FROM citizens").fetchone()[0] == 1


def test_search(session_of: Callable[[str], Session]) -> None:
    clerk = session_of("clerk")
    hans = registry.register(clerk, HANS)["id_number"]
    wei = registry.register(clerk, PersonInput("张", "伟", "1990-01-02", "M", "CHN"))["id_number"]
    registry.register(clerk, PersonInput("김", "민준", "1988-08-08", "M", "KOR"))
    assert [r["id_number"] for r in registry.search(clerk, hans)] == [hans]
    assert [r["id_number"] for r in registry.search(clerk, "mül")] == [hans]
    assert [r["id_number"] for r in registry.search(clerk, "MUEL")] == [hans]
    assert [r["id_number"] for r in registry.search(clerk, "张")] == [wei]
    assert [r["id_number"] for r in registry.search(clerk, "zhang")] == [wei]
    assert [r["id_number"] for r in registry.search(clerk, "1990-01-02")] == [wei]
    assert [r["latin_family"] for r in registry.search(clerk, "kim min")] == ["KIM"]
    assert registry.search(clerk, "hans zhang") == []
    with pytest.raises(ValidationError):
        registry.search(clerk, "   ")


def test_batch_with_errors_duplicates_progress_and_cancel(
    session_of: Callable[[str], Session], staffed: Office
) -> None:
    clerk = session_of("clerk")
    rows = [
        PersonInput(
            f"Family{chr(65 + i % 26)}{chr(65 + i // 26)}",
            "Given",
            f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}",
            "F",
            "EST",
        )
        for i in range(120)
    ]
    rows[5] = PersonInput("", "Bad", "1990-01-01", "F", "EST")
    rows.append(rows[0])  # duplicate of the first row
    seen: list[tuple[int, int]] = []
    # chunks of exactly 50: a transaction may hold the lock long enough for 50 rows however loaded the machine
    # is (with the default 0.2 s a loaded machine commits fewer per transaction, and progress comes more often)
    result = registry.register_batch(
        clerk, rows, chunk=50, progress=lambda d, t: seen.append((d, t)), hold_seconds=60.0
    )
    assert len(result.registered) == 119 and len(result.held) == 1
    assert [e[:2] for e in result.errors] == [(5, "family-name")]
    # A transaction ends at `chunk` rows or when it has held the write lock long enough (so a waiting officer
    # gets in): under load the cut can come earlier, never later, and the count only grows to the end.
    done = [d for d, _ in seen]
    assert {t for _, t in seen} == {121} and done[-1] == 121 and len(done) >= 3
    assert all(0 < b - a <= 50 for a, b in zip([0, *done], done, strict=False))
    assert len(set(result.registered)) == 119
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(UserCancelled):
        registry.register_batch(clerk, rows, cancel=cancel)


@pytest.mark.parametrize(("scheme", "check"), [("cn-18", ric.is_valid), ("ee-11", ik.is_valid)])
def test_other_schemes(tmp_path: Path, clock: FakeClock, scheme: str, check: Callable[[str], bool]) -> None:
    folder = tmp_path / scheme
    init_office(folder, make_setup(scheme), kdf=KDF_PRESETS["min"], clock=clock)
    office = Office(folder, clock=clock, kdf=KDF_PRESETS["min"])
    from console.core import officers

    officers.add_officer(
        login(office, "admin", PASSWORDS["admin"]),
        username="clerk",
        role="clerk",
        full_name="C",
        password=PASSWORDS["clerk"],
    )
    clerk = login(office, "clerk", PASSWORDS["clerk"])
    place = "110101" if scheme == "cn-18" else "EE-37"
    number = registry.register(clerk, PersonInput("Tamm", "Mari", "1990-01-30", "F", place))["id_number"]
    assert check(number)
    info = coding.validate(scheme, number)
    assert str(info.birth_date) == "1990-01-30" and info.sex == "F"
    if scheme == "cn-18":
        assert number.startswith("110101")


def test_browse_pages_newest_first(session_of: Callable[[str], Session]) -> None:
    clerk = session_of("clerk")
    rows = [
        PersonInput(f"Family{c}", "Given", f"19{60 + i}-02-0{1 + i % 9}", "F", "EST") for i, c in enumerate("ABCDEFG")
    ]
    numbers = registry.register_batch(clerk, rows).registered
    first = registry.list_citizens(clerk, limit=3)
    assert [r["id_number"] for r in first] == numbers[::-1][:3]
    second = registry.list_citizens(clerk, before_rowid=first[-1]["row_id"], limit=3)
    assert [r["id_number"] for r in second] == numbers[::-1][3:6]
    assert registry.count_citizens(clerk) == 7
    with pytest.raises(PermissionDenied):
        registry.list_citizens(session_of("admin"))


def _jpeg(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 140, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("photo", "words"),
    [
        (_jpeg((300, 400))[:-600], "complete"),  # truncated: accepted before, then the card refused it
        (_jpeg((4100, 10)), "4100×10 pixels"),
    ],
)
def test_photo_must_decode_fully_and_be_of_sane_size(
    photo: bytes, words: str, session_of: Callable[[str], Session], staffed: Office
) -> None:
    before = counts(staffed)
    with pytest.raises(ValidationError, match=words):
        registry.register(session_of("clerk"), PersonInput("Tamm", "Mari", "1990-01-30", "F", "EST", photo))
    assert counts(staffed) == before


def test_born_abroad_and_search_limit(session_of: Callable[[str], Session]) -> None:
    clerk = session_of("clerk")
    assert registry.register(clerk, PersonInput("Virtanen", "Aino", "1990-01-30", "F", "fin"))["status"] == "registered"
    with pytest.raises(ValidationError, match="country code"):
        registry.register(clerk, PersonInput("Virtanen", "Aino", "1990-01-30", "F", "FINLAND"))
    with pytest.raises(ValidationError):
        registry.search(clerk, "virt", limit=0)
