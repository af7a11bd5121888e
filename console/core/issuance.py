"""Issuing credentials, the office's trust list, and verifying cards against what this office knows.

Invariants: a person has at most one credential in force (issuing again supersedes the earlier ones, in the
same transaction); a suspended credential blocks re-issue until a supervisor decides; the QR text is signed
by the office key in force. Events carry the credential id, key id, times and status in the clear (no
personal data); the holder's ID number travels sealed.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from console.core import cose, statuslist, statusservice, truth
from console.core.credentials import (
    Credential,
    HolderClaims,
    StatusInfo,
    Verdict,
    encode_credential,
    new_credential_id,
)
from console.core.errors import Conflict, NotFound, UserCancelled, ValidationError
from console.core.i18n import _
from console.core.office import Office
from console.core.roles import Permission
from console.core.store import transaction
from console.core.timeutil import from_iso, to_iso
from console.core.trust import TrustedKey, TrustList, issuer_forms

if TYPE_CHECKING:  # accounts pulls the keystore and argon2 in; `verify` needs neither (issue 16)
    from console.core.accounts import Session

DEFAULT_COUNTRY = {"cn-18": "CHN", "ee-11": "EST", "uin-10": "UTO"}  # UTO: ICAO's specimen state "Utopia"
MAX_VALID_YEARS = 20


def issuer_id(office: Office, office_code: str | None = None) -> str:
    """The `iss` of an office's credentials: ``https://{authority domain}/{office code}`` (CONTRACTS.md).

    A verifier that resolves keys from `iss` finds them at ``{iss}/.well-known/jwks.json`` (`trust export
    --site`). Credential format 1 wrote ``{domain}/{code}``; `trust.issuer_forms` keeps those cards verifying.
    """
    return f"https://{office.authority()['domain']}/{office_code or office.local_office()['code']}"


def country_of(office: Office) -> str:
    """ISO 3166-1 alpha-3 country of issuance (setting `country`, else the scheme's country)."""
    # signed: the country is signed into every credential (truth.signed_setting refuses an edited row)
    return truth.signed_setting(office, "country", DEFAULT_COUNTRY.get(office.authority()["scheme"], "UTO"))


def trust_list(office: Office) -> TrustList:
    """Every office key this office knows (its own and those learned from the ledger) that the authority root
    certified, with the validity its certificates give it; a row without a valid certificate is left out
    (`truth.office_keys` names it)."""
    authority = office.authority()
    verified, _problems = truth.office_keys(office)
    keys = [
        TrustedKey(
            public_key=key.public_key,
            issuer=f"https://{authority['domain']}/{key.office_code}",
            valid_from=from_iso(key.valid_from),
            valid_until=from_iso(key.valid_until) if key.valid_until else None,
            authority=authority["name"],
        )
        for key in verified
        # a key retired in the second it was certified never signed anything: leave it out
        if key.valid_until is None or key.valid_until > key.valid_from
    ]
    return TrustList(keys)


def _script_language(text: str) -> str | None:
    """ISO 639-3 language for the scripts whose language is unambiguous enough to label."""
    for ch in text:
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF:
            return "kor"
        if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2FFFF:
            return "zho"
    return None


def holder_claims(citizen: dict[str, Any], country: str) -> HolderClaims:
    """Claim 169 holder data from a registry row: Latin names, the name as entered, date, sex, place."""
    family, given = citizen["family_name"], citizen["given_name"]
    language = _script_language(family + given)
    east_asian = language in ("zho", "kor")
    latin_full = (
        f"{citizen['latin_family']} {citizen['latin_given']}"
        if east_asian
        else f"{citizen['latin_given']} {citizen['latin_family']}"
    )
    entered = f"{family}{given}" if east_asian else f"{given} {family}"
    secondary = None if entered.upper() == latin_full else entered
    return HolderClaims(
        id_number=citizen["id_number"],
        full_name=latin_full,
        first_name=citizen["latin_given"],
        last_name=citizen["latin_family"],
        secondary_full_name=secondary,
        secondary_language=language if secondary else None,
        birth_date=date.fromisoformat(citizen["birth_date"]),
        sex=citizen["sex"],
        location_code=citizen["birthplace"],
        country=country,
    )


@dataclass(frozen=True)
class Issued:
    credential_id: str
    id_number: str
    qr: str
    issued_at: str
    expires: str
    superseded: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "credential_id": self.credential_id,
            "id_number": self.id_number,
            "qr": self.qr,
            "issued_at": self.issued_at,
            "expires": self.expires,
            "superseded": self.superseded,
        }


def _expiry(now: datetime, valid_years: int) -> datetime:
    if not 1 <= valid_years <= MAX_VALID_YEARS:
        raise ValidationError(
            "valid-years",
            _("The validity must be 1 to {limit} years; got {years}.").format(limit=MAX_VALID_YEARS, years=valid_years),
        )
    try:
        return now.replace(year=now.year + valid_years)
    except ValueError:  # 29 February
        return now.replace(year=now.year + valid_years, day=28)


class _Issuer:
    """Signs and records credentials for one session, inside the caller's transaction."""

    def __init__(self, session: Session, valid_years: int) -> None:
        office = session.office
        self.session = session
        self.signing_key = session.office_signing_key()
        self.kid = cose.key_id(bytes(self.signing_key.verify_key))
        self.code = office.local_office()["code"]
        self.issuer = issuer_id(office)
        self.country = country_of(office)
        self.records_public = bytes(office.authority()["records_public"])
        self.now = office.clock().astimezone(UTC)
        self.expires = _expiry(self.now, valid_years)
        self.now_iso, self.expires_iso = to_iso(self.now), to_iso(self.expires)

    def issue(
        self, conn: sqlite3.Connection, id_number: str, batch: list[tuple[dict[str, Any], dict[str, Any]]] | None = None
    ) -> Issued:
        """Sign and store one credential; its event is written now, or collected in `batch` for one event."""
        from console.core import events  # here, not at the top: `verify` imports this module without the ledger

        number = id_number.replace(" ", "").upper()
        cursor = conn.execute("SELECT * FROM citizens WHERE id_number = ?", (number,))
        row = cursor.fetchone()
        if row is None:
            raise NotFound(
                _("No citizen with ID number {number} in this office's registry; register them first.").format(
                    number=number
                )
            )
        citizen = dict(zip([c[0] for c in cursor.description], row, strict=True))
        # the person's credentials in force, in one look-up: a suspended one stops the issue, active ones are superseded
        in_force = conn.execute(
            "SELECT credential_id, status FROM credentials WHERE id_number = ? AND status IN ('active', 'suspended')",
            (number,),
        ).fetchall()
        suspended = [bytes(cid) for cid, status in in_force if status == "suspended"]
        if suspended:
            raise Conflict(
                _(
                    "Credential {credential} of {number} is suspended; a supervisor must reinstate or revoke "
                    "it before a new one is issued."
                ).format(credential=suspended[0].hex(), number=number)
            )
        status_idx = statusservice.allocate_index(conn, self.code)
        credential = Credential(
            holder=holder_claims(citizen, self.country),
            issuer=self.issuer,
            issued_at=self.now,
            expires_at=self.expires,
            credential_id=new_credential_id(),
            not_before=self.now,
            status_uri=statuslist.list_uri(self.issuer),
            status_idx=status_idx,
        )
        qr = encode_credential(credential, self.signing_key)
        now = self.now_iso
        superseded = [bytes(cid) for cid, status in in_force if status == "active"]
        if superseded:
            conn.execute(
                "UPDATE credentials SET status = 'superseded', status_changed_at = ? "
                "WHERE id_number = ? AND status = 'active'",
                (now, number),
            )
        conn.execute(
            "INSERT INTO credentials (credential_id, id_number, office_code, kid, issued_at, expires_at, status, qr, "
            "issued_by, status_idx) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)",
            (
                credential.credential_id,
                number,
                self.code,
                self.kid,
                now,
                self.expires_iso,
                qr,
                self.session.username,
                status_idx,
            ),
        )
        clear = {
            "credential": credential.credential_id,
            "kid": self.kid,
            "iat": now,
            "exp": self.expires_iso,
            "supersedes": superseded,
            "status_idx": status_idx,
        }
        # the QR text is sealed with the link: a rebuild gives back the very text printed on the card
        link = {"credential": credential.credential_id, "id_number": number, "qr": qr}
        if batch is not None:
            batch.append((clear, link))
        else:
            events.append_event(
                conn,
                actor=self.session.actor,
                office=self.code,
                event_type="credential.issued",
                now=self.now,
                clear=clear,
                sealed=events.seal_record(self.records_public, link),
                audit_detail=f"issued {credential.credential_id.hex()} to {number}"
                + (f", superseding {', '.join(s.hex() for s in superseded)}" if superseded else ""),
            )
        return Issued(credential.credential_id.hex(), number, qr, now, self.expires_iso, [s.hex() for s in superseded])

    def remake_status_list(self, conn: sqlite3.Connection) -> None:
        """Re-sign the office's status list after this transaction's changes (CONTRACTS.md)."""
        statusservice.remake(conn, self.code, self.issuer, self.signing_key, self.now, office=self.session.office)


def _check_after_revocation(session: Session, id_numbers: Sequence[str]) -> None:
    """A person whose newest credential was revoked gets a new one only from a supervisor.

    A revocation was approved by two officers; if one clerk could simply issue again, the four-eyes decision
    would be undone by one person. (A lost card is different: re-issuing supersedes a credential in force.)
    """
    db = session.office.db
    for id_number in id_numbers:
        truth.check_holder(session.office, id_number.replace(" ", "").upper())  # the rows as signed, or refuse
        row = db.execute(
            "SELECT status FROM credentials WHERE id_number = ? ORDER BY issued_at DESC, rowid DESC LIMIT 1",
            (id_number.replace(" ", "").upper(),),
        ).fetchone()
        if row and row[0] == "revoked":
            session.require(Permission.REQUEST_DECIDE, f"re-issue after revocation ({id_number})")


def issue(session: Session, id_number: str, *, valid_years: int = 10) -> Issued:
    """Sign a new credential for a registered person; earlier ones in force become `superseded`.

    After a revocation only a supervisor may issue again (see `_check_after_revocation`).
    """
    session.require(Permission.CREDENTIAL_ISSUE, id_number)
    _check_after_revocation(session, [id_number])
    issuer = _Issuer(session, valid_years)
    with transaction(session.office.db) as conn:
        issued = issuer.issue(conn, id_number)
        issuer.remake_status_list(conn)
        return issued


def issue_batch(
    session: Session,
    id_numbers: Sequence[str],
    *,
    valid_years: int = 10,
    chunk: int = 1000,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> list[Issued]:
    """Issue credentials for many people (a print run). Each chunk is one transaction and one signed event
    (the credentials' ids, keys and times in the clear, the links to the people sealed); a person who cannot
    get a credential (unknown, suspended) stops the batch with the reason, keeping the chunks already done."""
    from console.core import events

    session.require(Permission.CREDENTIAL_ISSUE)
    issuer = _Issuer(session, valid_years)
    issued: list[Issued] = []
    for start in range(0, len(id_numbers), chunk):
        if cancel is not None and cancel.is_set():
            raise UserCancelled(
                _("Issuing cancelled after {done} of {total}; those are issued.").format(
                    done=start, total=len(id_numbers)
                )
            )
        session.require(Permission.CREDENTIAL_ISSUE)
        _check_after_revocation(session, id_numbers[start : start + chunk])
        with transaction(session.office.db) as conn:
            batch: list[tuple[dict[str, Any], dict[str, Any]]] = []
            issued += [issuer.issue(conn, number, batch) for number in id_numbers[start : start + chunk]]
            issuer.remake_status_list(conn)
            events.append_event(
                conn,
                actor=session.actor,
                office=issuer.code,
                event_type="credentials.issued",
                now=issuer.now,
                clear={"credentials": [clear for clear, _link in batch]},
                sealed=events.seal_record(issuer.records_public, {"links": [link for _clear, link in batch]}),
                audit_detail=f"issued {len(batch)} credentials: "
                + ", ".join(link["id_number"] for _clear, link in batch[:20])
                + (" …" if len(batch) > 20 else ""),
            )
        if progress is not None:
            progress(len(issued), len(id_numbers))
    return issued


def credentials_of(session: Session, id_number: str) -> list[dict[str, Any]]:
    """A person's credentials, newest first."""
    session.require(Permission.CITIZEN_READ, id_number)
    return [
        {**row, "credential_id": bytes(row["credential_id"]).hex(), "kid": bytes(row["kid"]).hex()}
        for row in session.office.db.query(
            "SELECT credential_id, kid, issued_at, expires_at, status, status_changed_at, issued_by, office_code "
            "FROM credentials WHERE id_number = ? ORDER BY issued_at DESC, rowid DESC",
            [id_number.replace(" ", "").upper()],
        )
    ]


def status_name(status: str) -> str:
    """A credential status as sentences name it ("revoked"), in the core's language."""
    names = {
        "active": _("active"),
        "suspended": _("suspended"),
        "revoked": _("revoked"),
        "superseded": _("superseded"),
    }
    return names.get(status, status)


def current_credential(session: Session, target: str) -> dict[str, Any]:
    """The credential a target names: a credential id (hex), or a person's newest credential by ID number."""
    session.require(Permission.CITIZEN_READ, target)
    db = session.office.db
    text = target.strip().lower()
    rows: list[dict[str, Any]] = []
    if len(text) == 32 and all(c in "0123456789abcdef" for c in text):
        rows = list(db.query("SELECT * FROM credentials WHERE credential_id = ?", [bytes.fromhex(text)]))
    if not rows:
        rows = list(
            db.query(
                "SELECT * FROM credentials WHERE id_number = ? ORDER BY issued_at DESC, rowid DESC LIMIT 1",
                [target.replace(" ", "").upper()],
            )
        )
    if not rows:
        raise NotFound(
            _("No credential found for {target!r}: give an ID number with an issued card or a credential id.").format(
                target=target
            )
        )
    return rows[0]


_HOLDER_ROWS = (
    "SELECT (SELECT MAX(seq) FROM events), * FROM credentials "
    "WHERE id_number = (SELECT id_number FROM credentials WHERE credential_id = ?)"
)


def status_lookup(office: Office, findings: dict[bytes, str] | None = None, foreign: set[bytes] | None = None) -> Any:
    """A `StatusLookup` over this office's credential table, each of its own rows checked against its signed events.

    A row that disagrees with the signed events answers None (status not known here) and leaves its sentence
    in `findings`, which `verify` turns into a "tampered" verdict. Rows of other offices (learned from the
    ledger) are answered as they are and noted in `foreign`: `verify` refuses one for a card this office signed.
    """
    code = office.caches.get("local_code") or office.caches.setdefault("local_code", office.local_office()["code"])

    def lookup(credential_id: bytes) -> StatusInfo | None:
        # One statement (issue 16): the row, every row of the same holder (a newer one may supersede it) and the
        # log's size for the truth cache, all read in one snapshot; truth.check_credential_row would read the
        # other two with a statement each.
        cursor = office.db.execute(_HOLDER_ROWS, (credential_id,))
        found = cursor.fetchall()
        if not found:
            return None
        names = [c[0] for c in cursor.description][1:]
        marker = int(found[0][0] or 0)
        siblings = [dict(zip(names, values[1:], strict=True)) for values in found]
        row = next((r for r in siblings if r["credential_id"] == credential_id), None)
        if row is None:
            return None
        if row["office_code"] == code:
            try:
                truth.check_credential_row(office, row, siblings=siblings, marker=marker)
            except truth.TamperedError as e:
                if findings is not None:
                    findings[credential_id] = str(e)
                return None
        elif foreign is not None:
            foreign.add(credential_id)
        changed = row["status_changed_at"]
        return StatusInfo(row["status"], office.clock(), from_iso(changed) if changed else None)

    return lookup


def verify(
    text: str,
    *,
    trust: TrustList,
    office: Office | None,
    now: datetime | None = None,
    status_list: bytes | None = None,
    decrypt_key: bytes | None = None,
) -> Verdict:
    """Verify QR text (no login): signature against `trust`, status from `office` when there is one, else from
    `status_list` (a status list token) when given; `decrypt_key` opens an encrypted credential.

    With an office, a credential this office signed must be on its record: one with no row is reported as
    signed but not on record (a key used outside the console, or a deleted row), and a row that disagrees
    with the signed events as tampered; neither is valid.
    """
    from console.core.verification import verify as verify_any

    moment = now or (office.clock() if office else datetime.now(UTC))
    if office is None:
        return verify_any(text, trust, moment, status_list=status_list, decrypt_key=decrypt_key)
    if office.database_key is None and office.encrypted:
        return _verify_public(office, text, trust, moment, status_list, decrypt_key)
    findings: dict[bytes, str] = {}
    foreign: set[bytes] = set()
    verdict = verify_any(
        text,
        trust,
        moment,
        status=status_lookup(office, findings, foreign),
        status_list=status_list,
        decrypt_key=decrypt_key,
    )
    # Signature and dates held; only the status is in question ("status-unknown" is the name the verifier
    # branch gives a good signature without status).
    signature_held = verdict.valid or str(verdict.status) == "status-unknown"
    if not signature_held or verdict.credential_id is None:
        return verdict
    cid = bytes.fromhex(verdict.credential_id)
    own = office.caches.get("own_issuer_forms")  # the authority's domain and the local code never change
    if own is None:
        own = office.caches.setdefault("own_issuer_forms", issuer_forms(issuer_id(office)))
    ours = verdict.issuer is not None and verdict.issuer in own
    as_of = to_iso(office.clock())
    finding = findings.get(cid)
    if finding is None and ours and cid in foreign:
        finding = _(
            "The credentials row of {credential} in office.db names another office, but the card was signed by "
            "this office: the table was edited outside the console. The card is not accepted."
        ).format(credential=verdict.credential_id)
    if finding is not None:
        return replace(verdict, valid=False, status="tampered", reason=finding, status_checked=True, status_as_of=as_of)
    if ours and not verdict.status_checked:
        return replace(
            verdict,
            valid=False,
            status="unrecorded",
            reason=_(
                "Signed with this office's key, but this office has no record of credential {credential}: the key "
                "was used outside the console (an offline forgery) or the credentials row was deleted. Do not accept "
                "the card; tell an administrator."
            ).format(credential=verdict.credential_id),
            status_checked=True,
            status_as_of=as_of,
        )
    return verdict


def _verify_public(
    office: Office,
    text: str,
    trust: TrustList,
    moment: datetime,
    status_list: bytes | None,
    decrypt_key: bytes | None,
) -> Verdict:
    """Verify without a login in an office whose registry is encrypted (issue 17): from what is public only, the
    office's keys and its signed status lists (office.db), like any outside verifier. Whether the card is on
    this office's record (`unrecorded`) needs the registry, so a login."""
    from console.core.verification import verify as verify_any

    if status_list is not None:
        return verify_any(text, trust, moment, status_list=status_list, decrypt_key=decrypt_key)
    local = office.local_office()["code"]
    tokens = [
        bytes(row[0])
        for row in office.db.execute(
            "SELECT token FROM status_lists WHERE token IS NOT NULL ORDER BY office_code = ? DESC, office_code",
            (local,),
        )
    ]
    verdict = verify_any(text, trust, moment, decrypt_key=decrypt_key)
    for token in tokens:
        found = verify_any(text, trust, moment, status_list=token, decrypt_key=decrypt_key)
        if found.status_checked:
            return found
    return verdict
