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
    record = registry.show(session, id_number)
    creds = issuance.credentials_of(session, record["id_number"])
    return CardSubject(record, creds[0] if creds else None)
