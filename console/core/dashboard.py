"""Figures for the dashboard every logged-in officer sees first: counts only, never personal data.

Days are this computer's local days (SQLite's ``localtime``), like the times the console shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from console.core.accounts import Session
from console.core.timeutil import to_iso

DAYS = 30


@dataclass(frozen=True)
class Figures:
    """Today's work, what waits for a supervisor, and the last `DAYS` days (oldest first)."""

    registered_today: int
    issued_today: int
    pending_requests: int
    held_registrations: int
    citizens: int
    cards_in_force: int
    days: list[date] = field(default_factory=list)
    registered: list[int] = field(default_factory=list)
    issued: list[int] = field(default_factory=list)


def _first_rowid_since(session: Session, table: str, column: str, since: str) -> int:
    """The first rowid whose `column` is at or after `since`, by binary search on rowid (about 20 lookups).

    Rows are appended as they are registered or issued, so the time grows with the rowid; this keeps the
    dashboard from scanning a registry of millions (a full scan stalled the GUI's paging for ~0.3 s). Rows out
    of time order by more than the day of slack the caller leaves are not counted: a dashboard's figure.
    """
    db = session.office.db
    low, high = db.execute(f"SELECT IFNULL(MIN(rowid), 0), IFNULL(MAX(rowid), -1) FROM {table}").fetchone()
    first = high + 1
    while low <= high:
        middle = (low + high) // 2
        row = db.execute(
            f"SELECT rowid, {column} FROM {table} WHERE rowid >= ? ORDER BY rowid LIMIT 1", [middle]
        ).fetchone()
        if row is None:
            high = middle - 1
        elif row[1] >= since:
            first, high = row[0], middle - 1
        else:
            low = row[0] + 1
    return int(first)


def _per_day(session: Session, table: str, column: str, since: str) -> dict[str, int]:
    start = _first_rowid_since(session, table, column, since)
    rows = session.office.db.execute(
        f"SELECT substr(datetime({column}, 'localtime'), 1, 10) AS day, COUNT(*) FROM {table} "
        f"WHERE rowid >= ? AND {column} >= ? GROUP BY day",
        [start, since],
    )
    return {str(day): int(count) for day, count in rows}


def figures(session: Session, *, days: int = DAYS) -> Figures:
    """Counts for the dashboard. Any live session may read them: they are aggregate numbers, the same for
    every role, and name nobody."""
    session.require_self()
    db = session.office.db
    now = session.office.clock()
    today = date.fromisoformat(db.execute("SELECT date(?, 'localtime')", [to_iso(now)]).fetchone()[0])
    first = today - timedelta(days=days - 1)
    since = to_iso(now - timedelta(days=days + 1))  # a day of slack either side of the local/UTC shift
    registered = _per_day(session, "citizens", "registered_at", since)
    issued = _per_day(session, "credentials", "issued_at", since)
    span = [first + timedelta(days=i) for i in range(days)]

    def count(sql: str) -> int:
        return int(db.execute(sql).fetchone()[0])

    return Figures(
        registered_today=registered.get(today.isoformat(), 0),
        issued_today=issued.get(today.isoformat(), 0),
        pending_requests=count("SELECT COUNT(*) FROM requests WHERE status = 'pending'"),
        held_registrations=count("SELECT COUNT(*) FROM registrations WHERE status = 'pending-review'"),
        citizens=count("SELECT n FROM citizen_count WHERE one = 1"),  # issue 17: a counter row, no scan
        cards_in_force=count("SELECT COUNT(*) FROM credentials WHERE status = 'active'"),
        days=span,
        registered=[registered.get(d.isoformat(), 0) for d in span],
        issued=[issued.get(d.isoformat(), 0) for d in span],
    )
