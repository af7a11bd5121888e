"""Four eyes that belong to two people: a decision and its request must not both be in one officer's hands.

The four-eyes rule (requester ≠ decider) is void if one person holds both accounts. An administrator can: she
enrols officers and resets their passwords, so for a while she knows the password of every account she made.
So a decision is refused when the requester and the decider share a *controller*: an officer counts as
controlled by whoever enrolled them or last gave them a password within `CONTROL_DAYS` days (and by
themselves). Two officers enrolled by two different administrators, or by one administrator long enough ago
(officers change the first password at once; an administrator resetting it again shows in the signed log
and starts the period again), form a valid pair.

Enrolments in the office's first `SETUP_HOURS` hours do not count: the founding administrator staffs the
office then (she holds the authority's key during set-up anyway, so the rule could not bind her), and an
office must be able to decide requests from its first day. An administrator who later makes two accounts
alone cannot pair them for `CONTROL_DAYS` days; with a second administrator enrolling one side, she can.

The facts come from the office's signed events (``officer.enrolled``, ``officer.key-replaced``), not from the
editable ``officers.created_by`` column.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from console.core import events
from console.core.accounts import Session
from console.core.errors import PermissionDenied
from console.core.i18n import _
from console.core.timeutil import from_iso, to_iso

#: How long an officer counts as controlled by the administrator who enrolled them or reset their password.
CONTROL_DAYS = 14
#: Enrolments this soon after the office was set up are the founding staff, not puppets.
SETUP_HOURS = 24
_CONTROL_EVENTS = ("officer.enrolled", "officer.key-replaced")


def controllers(conn: sqlite3.Connection, username: str, now: datetime) -> set[str]:
    """`username` and the officers who enrolled them or set their password in the last `CONTROL_DAYS` days."""
    found = {username}
    first = conn.execute("SELECT created_at FROM events ORDER BY seq LIMIT 1").fetchone()
    if first is None:
        return found
    set_up_until = from_iso(str(first[0])) + timedelta(hours=SETUP_HOURS)
    since = to_iso(max(now - timedelta(days=CONTROL_DAYS), set_up_until))
    rows = conn.execute(
        f"SELECT officer, entry FROM events WHERE type IN ({','.join('?' * len(_CONTROL_EVENTS))}) "
        "AND created_at >= ? ORDER BY seq",
        (*_CONTROL_EVENTS, since),
    ).fetchall()
    for actor, entry in rows:
        try:
            clear = events.decode_entry(bytes(entry)).get("clear") or {}
        except Exception:  # an undecodable entry names nobody; the ledger check reports it
            continue
        if isinstance(clear, dict) and clear.get("username") == username:
            found.add(str(actor))
    return found


def require_independent(session: Session, requester: str, action: str, what: str, shown: str) -> None:
    """Refuse (and audit) a decision by `session` on something `requester` asked for when one officer controls
    both accounts.

    Raises:
        PermissionDenied: naming the shared controller and what to do instead.
    """
    now = session.office.clock()
    conn = session.office.db.conn
    shared = controllers(conn, requester, now) & controllers(conn, session.username, now)
    shared.discard(session.username)  # deciding one's own request is the four-eyes check's sentence
    if not shared:
        return
    who = ", ".join(sorted(shared))
    session.refuse(action, f"{what}: {requester} and {session.username} both controlled by {who}")
    raise PermissionDenied(
        _(
            "{requester} and {decider} were both enrolled (or given a password) by {controller} in the last {days} "
            "days, so one person may hold both accounts; {what} must be decided by an officer whom {controller} "
            "did not enrol, e.g. one enrolled by a second administrator."
        ).format(requester=requester, decider=session.username, controller=who, days=CONTROL_DAYS, what=shown)
    )
