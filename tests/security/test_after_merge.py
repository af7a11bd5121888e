"""Issue 12's attacks re-run against what merged since the first hardening (admin screens, verifier URL, status
lists, other authorities' keys): with `sqlite3` and no password, an edited row does not reach a card, a signed
status list or a verdict."""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import base45
import cbor2
import nacl.signing
import pytest

from console.core import (
    administration,
    cardservice,
    foreigntrust,
    issuance,
    requests,
    site,
    statuslist,
    statusservice,
)
from console.core.accounts import Session
from console.core.office import Office
from console.core.registry import PersonInput, register
from console.core.trust import TrustedKey, to_jwks
from console.core.truth import TamperedError
from tests.security.conftest import sql


def _revoke(session_of: Callable[[str], Session], person: str) -> None:
    request = requests.create_request(session_of("clerk"), "revoke", person, "card reported stolen")
    requests.approve(session_of("super"), request["request_id"])


def _published(office: Office) -> statuslist.StatusList:
    fresh = Office(office.paths.data_dir, clock=office.clock)  # what `site export` would publish
    (stored,) = statusservice.stored_lists(fresh)
    return statuslist.read_token(stored.token, issuance.trust_list(fresh))


def _idx(office: Office, credential_id: str) -> int:
    row = office.db.execute(
        "SELECT status_idx FROM credentials WHERE credential_id = ?", (bytes.fromhex(credential_id),)
    ).fetchone()
    return int(row[0])


def test_verifier_url_edited_by_sql_is_not_printed(
    staffed: Office, session_of: Callable[[str], Session], person: str
) -> None:
    """The line "Check this card at …" sends holders and verifiers to a page that decides: a look-alike page
    would say VALID to anything. Only the administrator's signed value is printed."""
    issuance.issue(session_of("clerk"), person)
    site.set_verifier_url(session_of("admin"), "https://ids.utopia.example/check/")
    assert cardservice.card_data(session_of("clerk"), person).verifier_url == "https://ids.utopia.example/check/"
    sql(staffed, "UPDATE settings SET value = 'https://ids-utopia.example.net/' WHERE key = 'verifier_url'")
    with pytest.raises(TamperedError, match=r"settings row 'verifier_url' in office\.db says 'https://ids-utopia"):
        cardservice.card_pdf(session_of("clerk"), [person])
    with pytest.raises(TamperedError, match="verifier_url"):
        site.verifier_url(staffed)
    # never set by an administrator: a row slipped in is refused the same way
    site.set_verifier_url(session_of("admin"), "")
    sql(staffed, "UPDATE settings SET value = 'https://evil.example/' WHERE key = 'verifier_url'")
    with pytest.raises(TamperedError, match=r"says 'https://evil\.example/'"):
        cardservice.card_data(session_of("clerk"), person)
    # the administrator sets it again through the console (a signed event): printing works again
    site.set_verifier_url(session_of("admin"), "https://ids.utopia.example/")
    assert cardservice.card_data(session_of("clerk"), person).verifier_url == "https://ids.utopia.example/"
    signed = staffed.db.execute(
        "SELECT COUNT(*) FROM events WHERE type = 'settings.changed' AND officer = 'admin'"
    ).fetchone()[0]
    assert signed == 3


def test_country_and_card_validity_edited_by_sql_are_refused(
    staffed: Office, session_of: Callable[[str], Session]
) -> None:
    """The country is signed into every credential and the validity decides its expiry: an edited row is
    refused at issuance, not signed."""
    clerk = session_of("clerk")
    first = register(clerk, PersonInput("Tamm", "Mari", "1990-01-30", "F", "EST"))["id_number"]
    second = register(clerk, PersonInput("Kask", "Jaan", "1980-03-01", "M", "EST"))["id_number"]
    administration.set_country(session_of("admin"), "EST")
    assert issuance.issue(clerk, first).qr
    sql(staffed, "UPDATE settings SET value = 'CHN' WHERE key = 'country'")
    with pytest.raises(TamperedError, match=r"settings row 'country' in office\.db says 'CHN'.*'EST'"):
        issuance.issue(clerk, second)
    administration.set_country(session_of("admin"), "EST")
    sql(staffed, "INSERT INTO settings (key, value) VALUES ('card_valid_years', '30')")
    with pytest.raises(TamperedError, match="card_valid_years"):
        administration.card_validity(clerk)
    administration.set_card_validity(session_of("admin"), 5)
    assert administration.card_validity(clerk) == 5
    assert issuance.issue(clerk, second).qr


def test_revoked_set_back_to_active_never_reaches_the_published_status_list(
    staffed: Office, session_of: Callable[[str], Session], person: str
) -> None:
    """The status list is signed at every status change from the table: a revoked row set back to active by
    SQL, or another row given the revoked card's index, would be signed VALID and published to every phone."""
    clerk = session_of("clerk")
    card = issuance.issue(clerk, person)
    idx = _idx(staffed, card.credential_id)
    _revoke(session_of, person)
    assert _published(staffed).value(idx) == statuslist.INVALID
    sql(staffed, "UPDATE credentials SET status = 'active' WHERE id_number = ?", (person,))
    other = register(clerk, PersonInput("Kask", "Jaan", "1980-03-01", "M", "EST"))["id_number"]
    other_card = issuance.issue(clerk, other)  # any issuance re-signs the list
    assert _published(staffed).value(idx) == statuslist.INVALID
    assert _published(staffed).value(_idx(staffed, other_card.credential_id)) == statuslist.VALID
    # the revoked card's index copied onto the valid card's row: still INVALID
    sql(staffed, "UPDATE credentials SET status = 'revoked', status_idx = NULL WHERE id_number = ?", (person,))
    sql(
        staffed,
        "UPDATE credentials SET status_idx = ? WHERE credential_id = ?",
        (idx, bytes.fromhex(other_card.credential_id)),
    )
    statusservice.refresh(staffed, session_of("clerk").office_signing_key(), issuance.issuer_id(staffed))
    assert _published(staffed).value(idx) == statuslist.INVALID


def test_status_list_is_not_signed_when_a_revoked_row_is_deleted(
    staffed: Office, session_of: Callable[[str], Session], person: str
) -> None:
    """Without the row the console cannot find the revoked card's index; it refuses to sign rather than guess."""
    card = issuance.issue(session_of("clerk"), person)
    _revoke(session_of, person)
    before = _published(staffed).iat
    sql(staffed, "DELETE FROM credentials WHERE credential_id = ?", (bytes.fromhex(card.credential_id),))
    fresh = Office(staffed.paths.data_dir, clock=staffed.clock)  # a new process: nothing remembered
    if staffed.database_key is not None:  # issue 17: a logged-in console, which reads the encrypted registry
        fresh.unlock_personal(staffed.database_key)
    with pytest.raises(TamperedError, match=f"{card.credential_id} is revoked by a signed event.*row is gone"):
        statusservice.refresh(fresh, session_of("clerk").office_signing_key(), issuance.issuer_id(fresh))
    assert _published(staffed).iat == before


def _foreign_card(office: Office, key: nacl.signing.SigningKey, issuer: str) -> str:
    """A card of another authority, signed with `key` (kid-less, as some issuers make them)."""
    now = int(office.clock().timestamp())
    claims = {1: issuer, 4: now + 86400 * 365, 6: now - 60, 169: {1: "X-42", 4: "Amina Diallo"}}
    protected = cbor2.dumps({1: -8})
    payload = cbor2.dumps(claims)
    signature = key.sign(cbor2.dumps(["Signature1", protected, b"", payload])).signature
    sign1 = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signature]))
    return str(base45.b45encode(zlib.compress(sign1)).decode())


def _foreign_verdict(office: Office, qr: str) -> bool:
    fresh = Office(office.paths.data_dir, clock=office.clock)
    return issuance.verify(qr, trust=foreigntrust.verifier_trust_list(fresh), office=fresh).valid


def test_foreign_key_rows_added_or_edited_by_sql_are_not_trusted(
    staffed: Office, session_of: Callable[[str], Session]
) -> None:
    """`trust import` is an administrator's signed event; a foreign_keys row without one (inserted, or its key
    swapped) verifies nothing, so a forged card of "another authority" is not VALID."""
    issuer = "https://ids.other.example/X-1"
    real = nacl.signing.SigningKey(b"\x09" * 32)
    jwks = to_jwks(
        [TrustedKey(public_key=bytes(real.verify_key), issuer=issuer, valid_from=datetime(2020, 1, 1, tzinfo=UTC))]
    )
    foreigntrust.import_keys(session_of("admin"), json.dumps(jwks).encode(), source="test")
    assert _foreign_verdict(staffed, _foreign_card(staffed, real, issuer))
    forger = nacl.signing.SigningKey.generate()
    # a row inserted for a neighbour the office never imported
    neighbour = "https://ids.neighbour.example/N-1"
    forged = TrustedKey(
        public_key=bytes(forger.verify_key), issuer=neighbour, valid_from=datetime(2020, 1, 1, tzinfo=UTC)
    )
    (jwk,) = to_jwks([forged])["keys"]
    jwk["kid_names"] = []
    sql(
        staffed,
        "INSERT INTO foreign_keys (kid, issuer, jwk, imported_by, imported_at) VALUES (?, ?, ?, 'admin', ?)",
        (forged.kid, neighbour, json.dumps(jwk, sort_keys=True), "2026-01-01T00:00:00Z"),
    )
    assert not _foreign_verdict(staffed, _foreign_card(staffed, forger, neighbour))
    # the imported key's row given the forger's public key
    stored = json.loads(staffed.db.execute("SELECT jwk FROM foreign_keys WHERE issuer = ?", (issuer,)).fetchone()[0])
    stored["x"] = base64.urlsafe_b64encode(bytes(forger.verify_key)).rstrip(b"=").decode()
    sql(staffed, "UPDATE foreign_keys SET jwk = ? WHERE issuer = ?", (json.dumps(stored, sort_keys=True), issuer))
    assert not _foreign_verdict(staffed, _foreign_card(staffed, forger, issuer))
    assert not _foreign_verdict(staffed, _foreign_card(staffed, real, issuer))  # the edited row trusts nothing
    # the import itself is a signed event of the administrator
    assert (
        staffed.db.execute("SELECT COUNT(*) FROM events WHERE type = 'trust.import' AND officer = 'admin'").fetchone()[
            0
        ]
        == 1
    )


def test_status_list_row_with_a_path_for_a_code_is_not_exported(
    staffed: Office, session_of: Callable[[str], Session], person: str, tmp_path: Path
) -> None:
    """`status-list export` and `site export` write each stored token under its office code: a row whose code is
    "../../…" wrote attacker-chosen bytes outside the folder the administrator named."""
    issuance.issue(session_of("clerk"), person)
    site_dir = tmp_path / "site" / "inner"
    sql(
        staffed,
        "INSERT INTO status_lists (office_code, size, assigned, token, made_at) VALUES (?, 8, 0, ?, ?)",
        ("../../escaped", b"attacker bytes", "2026-01-01T00:00:00Z"),
    )
    with pytest.raises(TamperedError, match=r"status_lists row '\.\./\.\./escaped'"):
        statusservice.export(staffed, site_dir)
    assert not (tmp_path / "escaped").exists()
