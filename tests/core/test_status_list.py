"""The office's status list (CONTRACTS.md): random indices, re-made on every status change, read back by
independent implementations (@owf/token-status-list under node, pycose), and refused when it must be."""

from __future__ import annotations

import json
import shutil
import subprocess
import zlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import cbor2
import nacl.signing
import pytest

from console.core import issuance, registry, requests, statuslist, statusservice
from console.core.accounts import Session
from console.core.office import Office
from console.core.registry import PersonInput
from console.core.verification import verify
from tests.conftest import FakeClock

NODE_DIR = Path(__file__).parents[1] / "node-status"
PEOPLE = [("Tamm", "Mari"), ("Kask", "Jaan"), ("Mets", "Liis"), ("Saar", "Peeter")]


@pytest.fixture
def issued(session_of: Callable[[str], Session], staffed: Office) -> list[issuance.Issued]:
    clerk = session_of("clerk")
    numbers = [
        str(registry.register(clerk, PersonInput(family, given, "1990-01-02", "F", "EST"))["id_number"])
        for family, given in PEOPLE
    ]
    return issuance.issue_batch(clerk, numbers)


def _change(session_of: Callable[[str], Session], credential_id: str, action: str) -> None:
    request = requests.create_request(session_of("clerk"), action, credential_id, "test")
    requests.approve(session_of("super"), request["request_id"])


def _token(office: Office) -> bytes:
    (stored,) = statusservice.stored_lists(office)
    return stored.token


def _claims(token: bytes) -> dict[int, object]:
    claims: dict[int, object] = cbor2.loads(cbor2.loads(token).value[2])
    return claims


def _states(office: Office, qrs: list[str]) -> list[str]:
    trust = issuance.trust_list(office)
    return [verify(qr, trust, office.clock(), status_list=_token(office)).status for qr in qrs]


def test_every_credential_has_a_random_distinct_index_and_the_status_claim(
    staffed: Office, issued: list[issuance.Issued]
) -> None:
    indices = [row["status_idx"] for row in staffed.db.query("SELECT status_idx FROM credentials")]
    assert len(set(indices)) == len(indices) == len(PEOPLE)
    assert all(0 <= i < statusservice.INITIAL_SIZE for i in indices)
    assert indices != sorted(indices) or max(indices) > 1000  # not handed out in order
    verdict = verify(issued[0].qr, issuance.trust_list(staffed), staffed.clock())
    assert verdict.valid and not verdict.status_checked
    assert "https://ids.utopia.example/HQ-01/status/1.cwt" in verdict.reason


def test_the_token_follows_the_contract(staffed: Office, issued: list[issuance.Issued], clock: FakeClock) -> None:
    token = _token(staffed)
    message = cbor2.loads(token)
    assert message.tag == 18
    header = cbor2.loads(message.value[0])
    (key,) = issuance.trust_list(staffed)
    assert header == {1: -8, 4: key.kid, 16: "application/statuslist+cwt"}
    claims = _claims(token)
    now = int(clock.now.timestamp())
    assert claims[2] == "https://ids.utopia.example/HQ-01/status/1.cwt"
    assert claims[6] == now and claims[4] == now + statuslist.DEFAULT_VALIDITY_SECONDS
    assert claims[65534] == statuslist.DEFAULT_TTL_SECONDS
    body = claims[65533]
    assert isinstance(body, dict) and body["bits"] == 2
    lst = zlib.decompress(body["lst"])
    assert len(lst) * 4 == statusservice.INITIAL_SIZE
    assigned = {row["status_idx"] for row in staffed.db.query("SELECT status_idx FROM credentials")}
    # unassigned indices read INVALID (1), assigned ones VALID (0): index 0 in the low bits of byte 0
    for idx in list(assigned) + [i for i in range(50) if i not in assigned]:
        assert (lst[idx // 4] >> (2 * (idx % 4))) & 3 == (0 if idx in assigned else 1)


def test_the_list_is_re_made_on_every_status_change(
    session_of: Callable[[str], Session], staffed: Office, issued: list[issuance.Issued], clock: FakeClock
) -> None:
    qrs = [i.qr for i in issued]
    assert _states(staffed, qrs) == ["valid"] * 4
    clock.advance(minutes=1)
    _change(session_of, issued[0].credential_id, "revoke")
    _change(session_of, issued[1].credential_id, "suspend")
    assert _states(staffed, qrs) == ["revoked", "suspended", "valid", "valid"]
    _change(session_of, issued[1].credential_id, "reinstate")
    again = issuance.issue(session_of("clerk"), issued[2].id_number)  # supersedes the third
    assert _states(staffed, [*qrs, again.qr]) == ["revoked", "valid", "revoked", "valid", "valid"]
    assert _claims(_token(staffed))[6] == int(clock.now.timestamp())


def test_status_list_refusals_are_one_reason_verdicts(staffed: Office, issued: list[issuance.Issued]) -> None:
    trust = issuance.trust_list(staffed)
    now = staffed.clock()
    token = _token(staffed)
    qr = issued[0].qr
    stale = verify(qr, trust, now + timedelta(days=8), status_list=token)
    assert (stale.valid, stale.status, stale.layer) == (False, "status-unknown", "status")
    assert "stale" in stale.reason
    # a list signed by another key (another issuer, or a forgery)
    other = nacl.signing.SigningKey(b"\5" * 32)
    lst = zlib.decompress(_claims(token)[65533]["lst"])  # type: ignore[index]
    forged = statuslist.make_token(
        other, "https://ids.utopia.example/HQ-01/status/1.cwt", lst, iat=int(now.timestamp())
    )
    refused = verify(qr, trust, now, status_list=forged)
    assert (refused.valid, refused.status) == (False, "status-unknown") and "another issuer" in refused.reason
    # every single byte change of the token (all of it is signed, but for the empty unprotected header,
    # whose change breaks the structure): a one-reason refusal, never valid, never a traceback
    for position in range(len(token)):
        changed = bytearray(token)
        changed[position] ^= 0x41
        verdict = verify(qr, trust, now, status_list=bytes(changed))
        assert (verdict.valid, verdict.status, verdict.layer) == (False, "status-unknown", "status"), position
    for cut in (0, 1, 10, len(token) // 2, len(token) - 1):
        assert not verify(qr, trust, now, status_list=token[:cut]).valid


def test_pycose_verifies_the_token_signature(staffed: Office, issued: list[issuance.Issued]) -> None:
    from pycose.keys import OKPKey
    from pycose.keys.curves import Ed25519
    from pycose.messages import Sign1Message

    (key,) = issuance.trust_list(staffed)
    message = Sign1Message.decode(_token(staffed))
    message.key = OKPKey(crv=Ed25519, x=key.public_key)
    assert message.verify_signature()


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (CI installs it)")
def test_owf_token_status_list_reads_every_status_back(
    session_of: Callable[[str], Session], staffed: Office, issued: list[issuance.Issued], tmp_path: Path
) -> None:
    if not (NODE_DIR / "node_modules" / "@owf" / "token-status-list").is_dir():
        subprocess.run(
            ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, timeout=300
        )
    _change(session_of, issued[0].credential_id, "revoke")
    _change(session_of, issued[1].credential_id, "suspend")
    token_file, qr_file = tmp_path / "1.cwt", tmp_path / "qr.txt"
    token_file.write_bytes(_token(staffed))
    qr_file.write_text("\n".join(i.qr for i in issued) + "\n")
    result = subprocess.run(
        ["node", str(NODE_DIR / "read-status.mjs"), str(token_file), str(qr_file)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout)
    claims = _claims(_token(staffed))
    assert read["typ_matches"] and read["alg"] == -8
    # The library's 0.3.0 alpha CWT reader wants an optional member (see read-status.mjs); only that may fail.
    assert read["library_cwt_error"] is None or "aggregation_uri" in read["library_cwt_error"]
    assert read["subject"] == "https://ids.utopia.example/HQ-01/status/1.cwt"
    assert (read["iat"], read["exp"], read["ttl"]) == (claims[6], claims[4], claims[65534])
    rows = {
        bytes(r["credential_id"]).hex(): r["status_idx"]
        for r in staffed.db.query("SELECT credential_id, status_idx FROM credentials")
    }
    assert [r["idx"] for r in read["results"]] == [rows[i.credential_id] for i in issued]
    assert {r["uri"] for r in read["results"]} == {read["subject"]}
    assert [r["status"] for r in read["results"]] == [1, 2, 0, 0]  # revoked, suspended, valid, valid


def test_a_growing_office_keeps_indices_unique(staffed: Office) -> None:
    conn = staffed.db.conn
    code = "HQ-01"
    drawn = set()
    with conn:
        conn.execute("INSERT OR IGNORE INTO status_lists (office_code, size, assigned) VALUES (?, 8, 0)", (code,))
        conn.execute("UPDATE status_lists SET size = 8, assigned = 0 WHERE office_code = ?", (code,))
        for n in range(40):
            idx = statusservice.allocate_index(conn, code)
            assert idx not in drawn
            drawn.add(idx)
            conn.execute(
                "INSERT INTO credentials (credential_id, id_number, office_code, kid, issued_at, expires_at, status, "
                "status_idx) VALUES (?, 'X', ?, x'00', '2026-01-01T00:00:00Z', '2036-01-01T00:00:00Z', 'active', ?)",
                (n.to_bytes(16, "big"), code, idx),
            )
        size, assigned = conn.execute(
            "SELECT size, assigned FROM status_lists WHERE office_code = ?", (code,)
        ).fetchone()
    assert assigned == 40 and size >= 80  # never more than half full
