"""Revocation, suspension and reinstatement requests, decided under the four-eyes rule.

Only an approved request changes a credential's status; the officer who made a request can never decide it,
whatever their role; deciding needs `request.decide` (supervisors). Each step is a signed event.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from console.core import events, statusservice, truth
from console.core.accounts import Session
from console.core.errors import Conflict, NotFound, ValidationError
from console.core.i18n import _
from console.core.independence import require_independent
from console.core.issuance import current_credential, issuer_id, status_name
from console.core.roles import Permission
from console.core.store import transaction
from console.core.timeutil import to_iso

ACTIONS = {"revoke": "revoked", "suspend": "suspended", "reinstate": "active"}
#: Which statuses each action may start from.
ALLOWED_FROM = {"revoke": ("active", "suspended"), "suspend": ("active",), "reinstate": ("suspended",)}
MAX_REASON = 500


def create_request(session: Session, action: str, target: str, reason: str) -> dict[str, Any]:
    """Ask for a status change of the credential `target` names (ID number or credential id)."""
    session.require(Permission.REQUEST_CREATE, target)
    if action not in ACTIONS:
        raise ValidationError(
            "action", _("Unknown request {action!r}; use revoke, suspend or reinstate.").format(action=action)
        )
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(
            "reason", _("Give a reason: the supervisor decides on it and it stays in the audit trail.")
        )
    if len(reason) > MAX_REASON:
        raise ValidationError(
            "reason", _("The reason is too long: at most {limit} characters.").format(limit=MAX_REASON)
        )
    credential = current_credential(session, target)
    truth.check_holder(session.office, credential["id_number"])
    cid = bytes(credential["credential_id"])
    if credential["status"] not in ALLOWED_FROM[action]:
        if credential["status"] == ACTIONS[action]:
            message = _("Credential {credential} is already {status}; there is nothing to change.")
        elif credential["status"] in ("superseded", "revoked"):
            message = _("Credential {credential} is {status}; it cannot be {new_status} (issue a new one instead).")
        else:
            message = _("Credential {credential} is {status}; it cannot be {new_status}.")
        raise Conflict(
            message.format(
                credential=cid.hex(),
                status=status_name(credential["status"]),
                new_status=status_name(ACTIONS[action]),
            )
        )
    office = session.office
    now = office.clock()
    with transaction(office.db) as conn:
        pending = conn.execute(
            "SELECT id FROM requests WHERE credential_id = ? AND status = 'pending'", (cid,)
        ).fetchone()
        if pending:
            truth.check_request(office, dict(zip(_REQUEST_COLUMNS, _request_row(conn, pending[0]), strict=True)))
            raise Conflict(
                _("Request {request} for credential {credential} is still pending; decide it first.").format(
                    request=pending[0], credential=cid.hex()
                )
            )
        cur = conn.execute(
            "INSERT INTO requests (action, credential_id, id_number, reason, status, requested_by, requested_at) "
            "VALUES (?, ?, ?, ?, 'pending', ?, ?)",
            (action, cid, credential["id_number"], reason, session.username, to_iso(now)),
        )
        request_id = int(cur.lastrowid or 0)
        events.append_event(
            conn,
            actor=session.actor,
            office=office.local_office()["code"],
            event_type="request.created",
            now=now,
            clear={"request": request_id, "action": action, "credential": cid},
            # the reason may name the person: sealed, so that a rebuild gets it back (docs/ledger.md, "Rebuild")
            sealed=events.seal_record(bytes(office.authority()["records_public"]), {"reason": reason}),
            audit_detail=f"request {request_id}: {action} {cid.hex()}: {reason}",
        )
    return {"request_id": request_id, "action": action, "credential_id": cid.hex(), "status": "pending"}


def list_requests(session: Session, *, status: str | None = None, id_number: str | None = None) -> list[dict[str, Any]]:
    """Requests, newest first; `status` (pending, approved, rejected) and `id_number` filter."""
    session.require(Permission.REQUEST_READ)
    sql = (
        "SELECT id AS request_id, action, hex(credential_id) AS credential_id, id_number, reason, status, "
        "requested_by, requested_at, decided_by, decided_at, note FROM requests"
    )
    clauses: list[str] = []
    params: list[Any] = []
    if status:
        clauses.append("status = ?")
        params.append(status)
    if id_number:
        clauses.append("id_number = ?")
        params.append(id_number.replace(" ", "").upper())
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    rows = [dict(r) for r in session.office.db.query(sql + " ORDER BY id DESC", params)]
    for row in rows:
        row["credential_id"] = row["credential_id"].lower()
    return rows


def _pending(session: Session, request_id: int, *, approving: bool = False) -> dict[str, Any]:
    """The request, if this officer may decide it (its status is claimed again when writing)."""
    rows = list(session.office.db.query("SELECT * FROM requests WHERE id = ?", [request_id]))
    if not rows:
        raise NotFound(_("No request with id {request}.").format(request=request_id))
    row = rows[0]
    truth.check_request(session.office, row)  # a row added or edited by SQL is not acted on
    truth.check_holder(session.office, row["id_number"])
    session.require_not_own(
        row["requested_by"],
        "request.decide",
        f"request {request_id}",
        _("request {request}").format(request=request_id),
    )
    if approving:  # an approval changes a credential: the two officers must be two people (independence.py)
        require_independent(
            session,
            row["requested_by"],
            "request.decide",
            f"request {request_id}",
            _("request {request}").format(request=request_id),
        )
    if row["status"] != "pending":
        raise Conflict(_already_decided(request_id, row["status"], row["decided_by"]))
    return row


_REQUEST_COLUMNS = (
    "id",
    "action",
    "credential_id",
    "id_number",
    "reason",
    "status",
    "requested_by",
    "requested_at",
    "decided_by",
    "decided_at",
    "note",
)


def _request_row(conn: sqlite3.Connection, request_id: int) -> tuple[Any, ...]:
    return tuple(
        conn.execute(f"SELECT {', '.join(_REQUEST_COLUMNS)} FROM requests WHERE id = ?", (request_id,)).fetchone()
    )


def _already_decided(request_id: int, status: str, officer: str) -> str:
    statuses = {"approved": _("approved"), "rejected": _("rejected")}
    return _("Request {request} was already {status} by {officer}.").format(
        request=request_id, status=statuses.get(status, status), officer=officer
    )


def _claim(conn: sqlite3.Connection, session: Session, request_id: int, status: str, note: str, now: str) -> None:
    """Decide the request inside the writing transaction; a concurrent decision makes this one fail."""
    cur = conn.execute(
        "UPDATE requests SET status = ?, decided_by = ?, decided_at = ?, note = ? WHERE id = ? AND status = 'pending'",
        (status, session.username, now, note, request_id),
    )
    if cur.rowcount != 1:
        row = conn.execute("SELECT status, decided_by FROM requests WHERE id = ?", (request_id,)).fetchone()
        raise Conflict(_already_decided(request_id, row[0], row[1]))


def approve(session: Session, request_id: int, note: str = "") -> dict[str, Any]:
    """Approve a request and apply the status change (supervisors; never one's own request)."""
    session.require(Permission.REQUEST_DECIDE, f"request {request_id}")
    row = _pending(session, request_id, approving=True)
    office = session.office
    now = office.clock()
    new_status = ACTIONS[row["action"]]
    cid = bytes(row["credential_id"])
    with transaction(office.db) as conn:
        _claim(conn, session, request_id, "approved", note.strip(), to_iso(now))
        current = conn.execute("SELECT status FROM credentials WHERE credential_id = ?", (cid,)).fetchone()[0]
        if current not in ALLOWED_FROM[row["action"]]:
            raise Conflict(
                _("Credential {credential} is now {status}; request {request} no longer applies.").format(
                    credential=cid.hex(), status=status_name(current), request=request_id
                )
            )
        conn.execute(
            "UPDATE credentials SET status = ?, status_changed_at = ? WHERE credential_id = ?",
            (new_status, to_iso(now), cid),
        )
        events.append_event(
            conn,
            actor=session.actor,
            office=office.local_office()["code"],
            event_type="credential.status",
            now=now,
            clear={"credential": cid, "status": new_status, "request": request_id},
            sealed=events.seal_record(bytes(office.authority()["records_public"]), {"note": note.strip()}),
            audit_detail=f"request {request_id} approved: {cid.hex()} is {new_status}",
        )
        # issue 11: the published status list follows every status change, in the same transaction
        code = office.local_office()["code"]
        statusservice.remake(conn, code, issuer_id(office, code), session.office_signing_key(), now, office=office)
    return {"request_id": request_id, "status": "approved", "credential_id": cid.hex(), "credential_status": new_status}


def reject(session: Session, request_id: int, note: str) -> dict[str, Any]:
    """Reject a request with a note (supervisors; never one's own request). Nothing else changes."""
    session.require(Permission.REQUEST_DECIDE, f"request {request_id}")
    if not note.strip():
        raise ValidationError("note", _("Say why the request is rejected; the requester will read it."))
    _pending(session, request_id)
    office = session.office
    now = office.clock()
    with transaction(office.db) as conn:
        _claim(conn, session, request_id, "rejected", note.strip(), to_iso(now))
        events.append_event(
            conn,
            actor=session.actor,
            office=office.local_office()["code"],
            event_type="request.rejected",
            now=now,
            clear={"request": request_id},
            sealed=events.seal_record(bytes(office.authority()["records_public"]), {"note": note.strip()}),
            audit_detail=f"request {request_id} rejected: {note.strip()}",
        )
    return {"request_id": request_id, "status": "rejected"}
