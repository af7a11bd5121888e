"""What the administrator's and auditor's screens need beyond `officers`: the office's country and card validity,
the office keys, and the audit trail searched with filters, each event's signature checked.

Every function checks its permission first (deny by default), like every service. Reads never change anything;
the two setters are audited like `officers.set_office_setting`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from console.core import coding, cose, events, exports, truth
from console.core.accounts import Session
from console.core.atomic import atomic_write
from console.core.errors import ValidationError
from console.core.i18n import _
from console.core.issuance import MAX_VALID_YEARS, country_of
from console.core.roles import Permission
from console.core.store import transaction

#: Office setting: years a new credential is valid for unless the officer chooses otherwise.
CARD_VALIDITY_KEY = "card_valid_years"
DEFAULT_CARD_YEARS = 10
#: ICAO's specimen state, accepted besides ISO 3166-1 alpha-3 countries (demo and training offices).
SPECIMEN_COUNTRIES = frozenset({"UTO"})
MAX_AUDIT_ROWS = 5000


def card_validity(session: Session) -> int:
    """Years a new credential is valid for by default (setting `card_valid_years`, else 10), for the officer
    about to issue one."""
    session.require(Permission.CREDENTIAL_ISSUE)
    return _card_years(session)


def _card_years(session: Session) -> int:
    text = truth.signed_setting(session.office, CARD_VALIDITY_KEY, str(DEFAULT_CARD_YEARS))
    try:
        return min(max(int(text), 1), MAX_VALID_YEARS)
    except ValueError:
        return DEFAULT_CARD_YEARS


def issuing_settings(session: Session) -> dict[str, Any]:
    """The country printed and signed on cards, and the default card validity (administrators, auditors)."""
    session.require(Permission.OFFICER_READ)
    return {"country": country_of(session.office), CARD_VALIDITY_KEY: _card_years(session)}


def _store(session: Session, key: str, value: str) -> None:
    with transaction(session.office.db) as conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        events.append_event(  # signed: what cards carry is decided by the signed value (truth.signed_setting)
            conn,
            actor=session.actor,
            office=session.office.local_office()["code"],
            event_type=truth.SETTINGS_TYPE,
            now=session.office.clock(),
            clear={"key": key, "value": value},
            audit_detail=f"{key} = {value}",
        )


def set_country(session: Session, code: str) -> dict[str, Any]:
    """Set the country of issuance (ISO 3166-1 alpha-3) for credentials issued from now on (administrators)."""
    session.require(Permission.OFFICER_MANAGE, "country")
    text = code.strip().upper()
    if text not in SPECIMEN_COUNTRIES and not coding.is_country(text):
        raise ValidationError(
            "country",
            _("{code!r} is not an ISO 3166-1 alpha-3 country code (three letters, e.g. EST or CHN).").format(code=code),
        )
    _store(session, "country", text)
    return issuing_settings(session)


def set_card_validity(session: Session, years: int) -> dict[str, Any]:
    """Set the default validity of new credentials, in years (administrators)."""
    session.require(Permission.OFFICER_MANAGE, CARD_VALIDITY_KEY)
    if not 1 <= years <= MAX_VALID_YEARS:
        raise ValidationError(
            "years",
            _("A card is valid for 1 to {limit} years; got {years}.").format(limit=MAX_VALID_YEARS, years=years),
        )
    _store(session, CARD_VALIDITY_KEY, str(years))
    return issuing_settings(session)


def office_keys(session: Session) -> list[dict[str, Any]]:
    """This office's signing keys, newest first: kid, valid from/until, and how many credentials each signed."""
    session.require(Permission.KEY_MANAGE)
    code = session.office.local_office()["code"]
    rows = session.office.db.query(
        "SELECT k.kid, k.valid_from, k.valid_until, (SELECT COUNT(*) FROM credentials c WHERE c.kid = k.kid) AS "
        "credentials FROM office_keys k WHERE k.office_code = ? ORDER BY k.valid_from DESC, k.rowid DESC",
        [code],
    )
    return [{**row, "kid": bytes(row["kid"]).hex()} for row in rows]


@dataclass(frozen=True)
class AuditFilter:
    """What the auditor asks for; every part optional. Dates are inclusive days (UTC)."""

    officer: str | None = None
    action: str | None = None
    outcome: str | None = None
    since: date | None = None
    until: date | None = None
    text: str | None = None
    limit: int = 1000


def audit_actions(session: Session) -> list[str]:
    """The distinct actions in the trail (for the filter's choices)."""
    session.require(Permission.AUDIT_READ)
    return [row[0] for row in session.office.db.execute("SELECT DISTINCT action FROM audit ORDER BY action")]


def audit_officers(session: Session) -> list[str]:
    """The distinct officers in the trail (for the filter's choices)."""
    session.require(Permission.AUDIT_READ)
    return [
        row[0]
        for row in session.office.db.execute(
            "SELECT DISTINCT officer FROM audit WHERE officer IS NOT NULL ORDER BY officer"
        )
    ]


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _day(moment: date) -> str:
    return datetime(moment.year, moment.month, moment.day).strftime("%Y-%m-%dT%H:%M:%S")


def _key_lookup(session: Session) -> dict[bytes, bytes]:
    """Every public key an event may be signed with: officers', offices' and the authority's."""
    db = session.office.db
    keys = {bytes(r[0]): bytes(r[1]) for r in db.execute("SELECT kid, public_key FROM officer_keys")}
    keys.update({bytes(r[0]): bytes(r[1]) for r in db.execute("SELECT kid, public_key FROM office_keys")})
    root = bytes(session.office.authority()["root_public"])
    keys[cose.key_id(root)] = root
    return keys


def search_audit(session: Session, query: AuditFilter | None = None) -> dict[str, Any]:
    """Audit entries matching `query`, newest first, each with `signature` and `position`.

    `signature`: ``"valid"`` (the event's COSE_Sign1 verifies with the key its kid names), ``"invalid"`` (it
    does not, or the entry is unreadable), ``"unknown-key"``, or ``""`` for entries that are not events (logins,
    refusals). `position` is the event's place in the office's log (1-based ``seq``); the result's
    ``log_size`` is the log's length, so the screen can say "entry 41 of 57".
    """
    session.require(Permission.AUDIT_READ)
    query = query or AuditFilter()
    if not 1 <= query.limit <= MAX_AUDIT_ROWS:
        raise ValidationError("limit", _("Ask for 1 to {limit} audit entries at a time.").format(limit=MAX_AUDIT_ROWS))
    if query.since and query.until and query.since > query.until:
        raise ValidationError("date", _("The first day is after the last day; swap them."))
    clauses: list[str] = []
    params: list[Any] = []
    if query.officer:
        clauses.append("a.officer = ?")
        params.append(query.officer)
    if query.action:
        clauses.append("a.action = ?")
        params.append(query.action)
    if query.outcome:
        clauses.append("a.outcome = ?")
        params.append(query.outcome)
    if query.since:
        clauses.append("a.time >= ?")
        params.append(_day(query.since))
    if query.until:
        clauses.append("a.time < ?")
        params.append(_day(query.until + timedelta(days=1)))
    for word in (query.text or "").split():
        clauses.append(
            "(a.detail LIKE ? ESCAPE '\\' OR a.action LIKE ? ESCAPE '\\' OR IFNULL(a.officer, '') LIKE ? ESCAPE '\\')"
        )
        params += [_like(word)] * 3
    sql = (
        "SELECT a.id, a.time, a.officer, a.action, a.outcome, a.detail, a.event_seq, e.entry FROM audit_full a "
        "LEFT JOIN events e ON e.seq = a.event_seq"
    )
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY a.id DESC LIMIT ?"
    params.append(query.limit)
    keys = _key_lookup(session)
    rows: list[dict[str, Any]] = []
    for row in session.office.db.execute(sql, params):
        entry = row[7]
        signature = ""
        if row[6] is not None:
            signature = _check(bytes(entry), keys) if entry is not None else "invalid"
        rows.append(
            {
                "id": row[0],
                "time": row[1],
                "officer": row[2],
                "action": row[3],
                "outcome": row[4],
                "detail": row[5],
                "position": row[6],
                "signature": signature,
            }
        )
    log_size = session.office.db.execute("SELECT IFNULL(MAX(seq), 0) FROM events").fetchone()[0]
    return {"entries": rows, "log_size": int(log_size)}


def _check(entry: bytes, keys: dict[bytes, bytes]) -> str:
    try:
        message = cose.decode_sign1(entry)
        public_key = keys.get(message.kid)
        if public_key is None:
            return "unknown-key"
        cose.verify_sign1(message, public_key)
    except (cose.CoseError, cose.CoseSignatureError):
        return "invalid"
    return "valid"


AUDIT_CSV_COLUMNS = ("id", "time", "officer", "action", "outcome", "detail", "position", "signature")


def audit_csv(rows: list[dict[str, Any]]) -> bytes:
    """The entries as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read non-Latin names)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(AUDIT_CSV_COLUMNS)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in AUDIT_CSV_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_audit(session: Session, query: AuditFilter | None, path: Path, passphrase: str) -> int:
    """Write the matching entries to `path` as CSV encrypted under `passphrase`; returns the count.

    The trail's details hold ID numbers and free-text reasons, so the CSV is sealed in memory as an age file
    (console.core.exports, issue 17) and only the sealed bytes are written (atomic, owner-only). The export
    itself is audited: who took a copy of the trail, and how much.

    Raises:
        ValidationError: the passphrase is too short (checked before anything is read or written).
    """
    session.require(Permission.AUDIT_READ)
    exports.check_passphrase(passphrase)
    found = search_audit(session, query)["entries"]
    atomic_write(path, exports.seal_export(audit_csv(found), passphrase), mode=0o600)
    with transaction(session.office.db) as conn:
        events.audit(
            conn,
            now=session.office.clock(),
            officer=session.username,
            action="audit.export",
            outcome="ok",
            detail=f"{len(found)} entries",
        )
    return len(found)
