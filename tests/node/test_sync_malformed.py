"""`ledger sync` of a log holding a validly signed entry whose content is not what its type holds: the entry is
refused by number with the reason, nothing of that log is applied, and the sync goes on (no traceback).

Each entry is signed for real by an officer of office B whose role allows the event (so every check before the
content passes) and appended to B's log as a service would; office A syncs it. A companion of
tests/core/test_malformed_events.py (the same shapes for `ledger verify`).
"""

from __future__ import annotations

from typing import Any

import cbor2
import pytest

from console.core import cose, events, officelog
from console.core.accounts import Session
from console.core.store import transaction
from console.node import sync
from tests.node.conftest import Authority

CID = b"\x02" * 16
KID = b"\x03" * 8


def _sign(session: Session, kind: str, clear: Any, sealed: bytes | None = None) -> int:
    """Append one event signed by `session`'s officer; a clear part that is not a map is signed by hand."""
    office = session.office
    code = office.local_office()["code"]
    with transaction(office.db) as conn:
        if isinstance(clear, dict):
            return events.append_event(
                conn, actor=session.actor, office=code, event_type=kind, now=office.clock(), clear=clear, sealed=sealed
            )
        payload = {"v": events.ENTRY_VERSION, "type": kind, "office": code, "time": "2026-12-03T10:00:00Z"}
        payload |= {"officer": session.username, "clear": clear}
        key = session.officer_keys().signing_key
        entry = cose.sign1(key, cbor2.dumps(payload, canonical=True))
        cur = conn.execute(
            "INSERT INTO events (type, officer, created_at, entry) VALUES (?, ?, 'x', ?)",
            (kind, session.username, entry),
        )
        seq = int(cur.lastrowid or 0)
        officelog.append(conn, seq=seq, entry=entry, office_code=code, actor=session.username, key=key)
        return seq


# name -> (who signs, event type, clear part, sealed record or None, the part named malformed)
SHAPES: dict[str, tuple[str, str, Any, Any, str]] = {
    "clear-not-a-map": ("clerk", "credential.issued", [CID], None, "clear part"),
    "issued-credential-a-list": ("clerk", "credential.issued", {"credential": [CID], "kid": KID}, None, "credential"),
    "issued-kid-a-map": ("clerk", "credential.issued", {"credential": CID, "kid": {"k": 1}}, None, "credential"),
    "issued-supersedes-a-string": (
        "clerk",
        "credential.issued",
        {"credential": CID, "supersedes": "abc"},
        None,
        "credential",
    ),
    "batch-not-a-list": ("clerk", "credentials.issued", {"credentials": "x"}, None, "credentials"),
    "batch-item-not-a-map": ("clerk", "credentials.issued", {"credentials": [CID]}, None, "credentials"),
    "sealed-link-credential-a-string": (
        "clerk",
        "credential.issued",
        {"credential": CID, "kid": KID},
        {"credential": "0202", "id_number": "1234567890"},
        "sealed credential link",
    ),
    "sealed-links-not-a-list": (
        "clerk",
        "credentials.issued",
        {"credentials": [{"credential": CID, "kid": KID}]},
        {"links": CID},
        "sealed credential link",
    ),
    "status-credential-a-list": (
        "super",
        "credential.status",
        {"credential": [CID], "status": "revoked"},
        None,
        "credential status",
    ),
    "imported-records-missing": ("clerk", "citizens.imported", {"subjects": []}, {"people": []}, "sealed record"),
    "imported-record-not-a-map": ("clerk", "citizens.imported", {"subjects": []}, {"records": [5]}, "sealed record"),
    "imported-number-a-list": (
        "clerk",
        "citizens.imported",
        {"subjects": []},
        {"records": [{"id_number": ["2999999999"], "family_name": "Tamm"}]},
        "sealed record",
    ),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_a_malformed_signed_entry_is_refused_by_number(name: str, authority: Authority) -> None:
    signer, kind, clear, record, part = SHAPES[name]
    a = authority
    b = a.offices["B-02"]
    sealed = None if record is None else events.seal_record(bytes(b.authority()["records_public"]), record)
    seq = _sign(a.session("B-02", signer), kind, clear, sealed)
    published = sync.run_sync(a.session("B-02", "clerk"), a.folder).to_json()
    assert published["published"]["log"] == "B-02" and published["errors"] == []
    hq = a.session("HQ-01", "clerk")
    report = sync.run_sync(hq, a.folder).to_json()
    why = (
        "the entry's clear part is not a map"
        if part == "clear part"
        else f"the entry is signed but its {part} is malformed"
    )
    assert [(e["log"], e["message"]) for e in report["errors"]] == [("B-02", f"entry {seq - 1}: {why}")]
    assert report["applied"]["B-02"] == 0
    # nothing of B's log was applied (one transaction): not even B's office row
    assert hq.office.db.conn.execute("SELECT 1 FROM offices WHERE code = 'B-02'").fetchone() is None
    assert report["forks"] == []
