"""Read-only compositions of core services that the screens need, run on the task runner's read pool.

Everything here calls core services, which check the officer's permission; browsing pages by rowid
(`registry.list_citizens`), so scrolling costs the same with a hundred citizens or a million.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.core import coding, issuance, registry, requests
from console.core.accounts import Session
from console.core.errors import NotFound
from console.core.keystore import KdfLimits
from console.core.office import Office
from console.core.roles import Permission, allows


@dataclass(frozen=True)
class OfficeInfo:
    """What the screens show about the office, read once when it is opened."""

    authority_name: str
    domain: str
    office_code: str
    office_name: str
    scheme: str
    idle_minutes: int


def office_info(office: Office) -> OfficeInfo:
    authority = office.authority()
    local = office.local_office()
    return OfficeInfo(
        authority_name=authority["name"],
        domain=authority["domain"],
        office_code=local["code"],
        office_name=local["name"],
        scheme=authority["scheme"],
        idle_minutes=int(office.setting("session_idle_minutes") or 10),
    )


def open_office(data_dir: Path, kdf: KdfLimits) -> tuple[Office, OfficeInfo]:
    """Open the office (and bring its schema up to date) off the GUI thread."""
    office = Office(data_dir, kdf=kdf)
    return office, office_info(office)


def citizen_page(session: Session, before: int | None, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` citizens registered before rowid `before` (None: the newest), newest first."""
    return registry.list_citizens(session, before_rowid=before, limit=limit)


def citizen_count(session: Session) -> int:
    return registry.count_citizens(session)


@dataclass
class PersonDetails:
    """Everything the details panel shows about one citizen."""

    record: dict[str, Any]
    birthplace_name: str | None
    photo: bytes | None
    credentials: list[dict[str, Any]]
    requests: list[dict[str, Any]] = field(default_factory=list)

    def history(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(time, kind, data) events, oldest first: registration, credentials and their requests."""
        events: list[tuple[str, str, dict[str, Any]]] = [(self.record["registered_at"], "registered", self.record)]
        for cred in self.credentials:
            events.append((cred["issued_at"], "issued", cred))
            if cred.get("status_changed_at") and cred["status"] != "active":
                events.append((cred["status_changed_at"], cred["status"], cred))
        for req in self.requests:
            events.append((req["requested_at"], "requested", req))
            if req.get("decided_at"):
                events.append((req["decided_at"], "decided", req))
        return sorted(events, key=lambda e: e[0])


def person_details(session: Session, id_number: str) -> PersonDetails:
    record = registry.show(session, id_number)
    number = record["id_number"]
    photo = registry.photo_of(session, number) if record.get("has_photo") else None
    credentials = issuance.credentials_of(session, number)
    own_requests: list[dict[str, Any]] = []
    if allows(session.role, Permission.REQUEST_READ):
        own_requests = requests.list_requests(session, id_number=number)
    scheme = session.office.authority()["scheme"]
    return PersonDetails(record, coding.region_name(scheme, record["birthplace"]), photo, credentials, own_requests)


@dataclass(frozen=True)
class CardSubject:
    """The person on the card screen and their newest credential (None before the first issue)."""

    record: dict[str, Any]
    credential: dict[str, Any] | None


def card_subject(session: Session, id_number: str) -> CardSubject:
    """The person and their newest credential; a mistyped number is refused with the scheme's sentence (a wrong
    check digit reads as a likely typo) before the registry is asked."""
    id_number = coding.validate(session.office.authority()["scheme"], id_number).number
    record = registry.show(session, id_number)
    creds = issuance.credentials_of(session, record["id_number"])
    return CardSubject(record, creds[0] if creds else None)


@dataclass(frozen=True)
class Holder:
    """The person a request or a card belongs to, as a supervisor checks them against the person in front of
    them: the name as entered and its Latin form, the photo, the ID number and the card number."""

    id_number: str
    family_name: str
    given_name: str
    latin_family: str
    latin_given: str
    birth_date: str
    photo: bytes | None
    card_number: str  # the newest (or the named) credential's card number; "" when none was issued
    card_status: str  # that credential's status; "" when none

    @property
    def name(self) -> str:
        """Family name first, as on the card."""
        return f"{self.family_name} {self.given_name}"

    @property
    def latin(self) -> str:
        return f"{self.latin_family} {self.latin_given}"


def holder(session: Session, id_number: str, credential_id: str | None = None) -> Holder:
    """Who holds `id_number` (and which card): registry and credentials through the core's services.

    Raises:
        ValidationError: the number is not a valid number of the scheme (a wrong check digit reads as a typo).
        NotFound: no citizen with that number.
    """
    from console.core.cardservice import document_number

    text = id_number.replace(" ", "").replace("-", "").strip().upper()
    if not (len(text) == 32 and all(c in "0123456789ABCDEF" for c in text)):  # a credential id is not checked
        text = coding.validate(session.office.authority()["scheme"], text).number
        record = registry.show(session, text)
    else:
        credential = issuance.current_credential(session, text)
        record = registry.show(session, credential["id_number"])
        credential_id = text.lower()
    photo = registry.photo_of(session, record["id_number"]) if record.get("has_photo") else None
    creds = issuance.credentials_of(session, record["id_number"])
    chosen = None
    if credential_id:
        chosen = next((c for c in creds if c["credential_id"] == credential_id.lower()), None)
    if chosen is None and creds:
        chosen = creds[0]
    return Holder(
        id_number=record["id_number"],
        family_name=record["family_name"],
        given_name=record["given_name"],
        latin_family=record["latin_family"],
        latin_given=record["latin_given"],
        birth_date=record["birth_date"],
        photo=photo,
        card_number=document_number(bytes.fromhex(chosen["credential_id"])) if chosen else "",
        card_status=str(chosen["status"]) if chosen else "",
    )


def requests_with_holders(session: Session, status: str | None = None) -> list[dict[str, Any]]:
    """Requests (newest first) with each holder's name (family name first) and card number, for the lists."""
    from console.core.cardservice import document_number

    rows = requests.list_requests(session, status=status)
    names: dict[str, str] = {}
    for row in rows:
        number = row["id_number"]
        if number not in names:
            try:
                record = registry.show(session, number)
                names[number] = f"{record['family_name']} {record['given_name']}"
                names[number + ":latin"] = f"{record['latin_family']} {record['latin_given']}"
            except NotFound:  # a record this office does not hold: the list still shows the request
                names[number] = ""
                names[number + ":latin"] = ""
        row["holder"] = names[number]
        row["holder_latin"] = names[number + ":latin"]
        row["card_number"] = document_number(bytes.fromhex(row["credential_id"]))
    return rows
