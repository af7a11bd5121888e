"""Issue 12, point 2: keys leave with the officer. A disabled officer's copied keystore, after a key rotation,
opens nothing new and signs nothing that verifies; offices set up before key wraps migrate."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import cbor2
import nacl.public
import pytest
import sqlcipher3

from console.core import accounts, issuance, officers
from console.core.accounts import Session, login
from console.core.keys import OfficerSecrets, OfficeSecrets, new_seed, public_key_of, write_master_sealed
from console.core.keystore import KDF_PRESETS, read_sealed, write_sealed
from console.core.office import Office
from console.core.truth import TamperedError
from tests.conftest import PASSWORDS, FakeClock
from tests.security.conftest import forge, sql


def _secrets_from_copy(copy: Path, data_dir: Path, username: str, password: str) -> list[OfficeSecrets]:
    """Everything the keystore copied to `copy` opens in the wraps of `data_dir`, without the console's checks."""
    own = OfficerSecrets.from_bytes(read_sealed(copy / "keys" / "officers" / f"{username}.keystore", password))
    conn = sqlcipher3.connect(str(data_dir / "office.db"))  # the console's SQLite (see tests/security/conftest.py)
    found = []
    for (wrap,) in conn.execute("SELECT wrap FROM key_wraps WHERE secret = 'office'"):
        claims = cbor2.loads(cbor2.loads(wrap).value[2])
        try:
            found.append(OfficeSecrets.from_bytes(nacl.public.SealedBox(own.box_key).decrypt(claims["box"])))
        except Exception:  # sealed to someone else
            continue
    conn.close()
    return found


def test_copied_keystore_of_a_disabled_clerk_cannot_sign_after_rotation(
    staffed: Office, session_of: Callable[[str], Session], person: str, tmp_path: Path, clock: FakeClock
) -> None:
    # Before: the clerk copies her keystore and the whole data folder.
    copy = tmp_path / "copy"
    shutil.copytree(staffed.paths.data_dir, copy)
    before = _secrets_from_copy(copy, copy, "clerk", PASSWORDS["clerk"])
    assert before, "before rotation the copy opens the office secrets (documented in docs/security.md)"
    admin = session_of("admin")
    officers.disable_officer(admin, "clerk")
    clock.advance(minutes=1)
    officers.rotate_office_key(admin)
    current = bytes(staffed.current_office_key()["public_key"])
    # After: her copy opens nothing in today's database, and the old secrets lack the key in force.
    assert _secrets_from_copy(copy, staffed.paths.data_dir, "clerk", PASSWORDS["clerk"]) == []
    assert all(current not in {public_key_of(s) for s in o.signing_seeds} for o in before)
    # What she can still sign with (the retired key, backdated into its validity) does not verify VALID.
    old_key = accounts.OfficeSecrets.from_bytes(before[0].to_bytes())
    from nacl.signing import SigningKey

    forged = forge(staffed, person, SigningKey(old_key.signing_seeds[-1]), issued_at=clock.now.replace(minute=0))
    fresh = Office(staffed.paths.data_dir, clock=clock)
    fresh.unlock_personal(admin.office.database_key or b"")  # issue 17: a logged-in console reads the registry
    verdict = issuance.verify(forged, trust=issuance.trust_list(fresh), office=fresh)
    assert not verdict.valid and verdict.status == "unrecorded"
    # Two rotations later the other officers still work without anyone's password being needed.
    clock.advance(minutes=1)
    officers.rotate_office_key(admin)
    clerk2 = login(staffed, "clerk2", PASSWORDS["clerk2"])
    assert bytes(clerk2.office_signing_key().verify_key) == bytes(staffed.current_office_key()["public_key"])
    assert issuance.verify(issuance.issue(clerk2, person).qr, trust=issuance.trust_list(fresh), office=fresh).valid


def test_wraps_follow_the_roles(staffed: Office) -> None:
    rows = {(r["secret"], r["username"]) for r in staffed.db.query("SELECT secret, username FROM key_wraps")}
    assert ("authority", "admin") in rows and ("office", "admin") in rows
    assert ("office", "clerk") in rows and ("office", "super") in rows
    # an auditor reads the registry, so opens the encrypted personal.db (issue 17), and no signing key
    assert {secret for secret, user in rows if user == "auditor"} == {"database"}
    assert not any(secret == "authority" and user != "admin" for secret, user in rows)
    assert not staffed.paths.office_sealed.exists() and not staffed.paths.authority_sealed.exists()


def test_a_wrap_slipped_in_by_sql_is_refused(staffed: Office, session_of: Callable[[str], Session]) -> None:
    from console.core.keys import wrap_secret

    clerk = session_of("clerk")
    assert clerk.office_secrets is not None
    fake = OfficeSecrets((new_seed(),), clerk.office_secrets.records_private, new_seed())
    wrap = wrap_secret(
        clerk.officer_keys().signing_key,  # signed by the clerk herself: not an administrator
        secret="office",
        office="HQ-01",
        username="clerk2",
        recipient=public_key_of(login(staffed, "clerk2", PASSWORDS["clerk2"]).officer_keys().signing_seed),
        plaintext=fake.to_bytes(),
    )
    sql(staffed, "UPDATE key_wraps SET wrap = ? WHERE username = 'clerk2' AND secret = 'office'", (wrap,))
    with pytest.raises(TamperedError, match="key_wraps row office of 'clerk2'"):
        login(staffed, "clerk2", PASSWORDS["clerk2"])


def test_office_set_up_before_wraps_migrates_at_the_administrators_login(staffed: Office) -> None:
    """Rebuild the version-1 layout (master-key files, grants in keystores, no wraps), then log in."""
    admin = login(staffed, "admin", PASSWORDS["admin"])
    assert admin.office_secrets is not None and admin.authority_secrets is not None
    omk, amk = new_seed(), new_seed()
    write_master_sealed(staffed.paths.office_sealed, omk, admin.office_secrets.to_bytes())
    write_master_sealed(staffed.paths.authority_sealed, amk, admin.authority_secrets.to_bytes())
    grants = {"admin": {"office": omk, "authority": amk}, "clerk": {"office": omk}, "super": {"office": omk}}
    for user, granted in grants.items():
        path = staffed.paths.officer_keystore(user)
        own = OfficerSecrets.from_bytes(read_sealed(path, PASSWORDS[user]))
        write_sealed(path, OfficerSecrets(own.signing_seed, granted).to_bytes(), PASSWORDS[user], KDF_PRESETS["min"])
    sql(staffed, "DELETE FROM key_wraps")
    # a clerk before the administrator: the old files still serve her
    assert login(staffed, "clerk", PASSWORDS["clerk"]).office_secrets == admin.office_secrets
    # the administrator's login wraps the secrets to every active officer and removes the master-key files
    again = login(staffed, "admin", PASSWORDS["admin"])
    assert again.authority_secrets == admin.authority_secrets
    assert not staffed.paths.office_sealed.exists() and not staffed.paths.authority_sealed.exists()
    assert staffed.db.execute("SELECT COUNT(*) FROM key_wraps WHERE secret = 'office'").fetchone()[0] == 5
    super_session = login(staffed, "super", PASSWORDS["super"])
    assert super_session.office_secrets == admin.office_secrets
    assert login(staffed, "clerk", PASSWORDS["clerk"]).office_secrets == admin.office_secrets
    # keystores were re-sealed once: they pin the authority root and carry no master key any more
    for user in grants:
        own = OfficerSecrets.from_bytes(read_sealed(staffed.paths.officer_keystore(user), PASSWORDS[user]))
        assert own.grants == {} and own.anchor == bytes(staffed.authority()["root_public"])


def test_a_clerk_cannot_certify_herself_administrator_with_the_office_key(
    staffed: Office, session_of: Callable[[str], Session], tmp_path: Path
) -> None:
    """She holds the office signing key, so she can sign an officer certificate; the enrolment event that would
    make it count must be an administrator's, which she cannot sign."""
    from console.core import cose, events
    from console.core.events import Actor
    from console.core.keys import certify
    from console.core.store import open_database

    clerk = session_of("clerk")
    seed = new_seed()
    public = public_key_of(seed)
    cert = certify(
        clerk.office_signing_key(),
        {
            "type": "officer-key",
            "office": "HQ-01",
            "username": "mallory",
            "role": "administrator",
            "key": public,
            "valid_from": "2026-11-30T09:00:00Z",
        },
    )
    write_sealed(
        staffed.paths.officer_keystore("mallory"),
        OfficerSecrets(seed, {}, bytes(staffed.authority()["root_public"])).to_bytes(),
        "mallory-pass-12345",
        KDF_PRESETS["min"],
    )
    db = open_database(staffed.paths.db)  # a second connection, as a script outside the console would
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO officers (username, full_name, role, created_at) VALUES ('mallory', 'M', 'administrator', ?)",
        ("2026-11-30T09:00:00Z",),
    )
    conn.execute(
        "INSERT INTO officer_keys (kid, username, role, public_key, valid_from, certificate) VALUES (?, ?, ?, ?, ?, ?)",
        (cose.key_id(public), "mallory", "administrator", public, "2026-11-30T09:00:00Z", cert),
    )
    from console.core.ledger.hashing import stored_hash_count

    size, root, note = conn.execute("SELECT size, root, note FROM ledger_head").fetchone()
    head = (stored_hash_count(size), size, root, note)
    for signer in (Actor("clerk", clerk.officer_keys().signing_key), Actor("HQ-01", clerk.office_signing_key())):
        events.append_event(
            conn,
            actor=signer,
            office="HQ-01",
            event_type="officer.enrolled",
            now=staffed.clock(),
            clear={"username": "mallory", "role": "administrator", "certificate": cert},
        )
        conn.execute("COMMIT")
        with pytest.raises(TamperedError, match=r"signed event \d+ \(officer.enrolled\).*not an administrator"):
            login(staffed, "mallory", "mallory-pass-12345")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM audit WHERE event_seq = (SELECT MAX(seq) FROM events)")
        conn.execute("DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)")
        # the office's log (ledger issue) must forget it too, or the next append is refused as a gap
        conn.execute("UPDATE sqlite_sequence SET seq = seq - 1 WHERE name = 'events'")
        conn.execute("DELETE FROM ledger_hashes WHERE idx >= ?", (head[0],))
        conn.execute("UPDATE ledger_head SET size = ?, root = ?, note = ? WHERE id = 1", head[1:])
    conn.execute("COMMIT")
    conn.close()


def test_an_officer_enrolled_by_a_session_older_than_a_rotation_gets_the_key_in_force(
    staffed: Office, session_of: Callable[[str], Session], person: str, clock: FakeClock
) -> None:
    stale, fresh = session_of("admin"), session_of("admin")
    clock.advance(minutes=1)
    officers.rotate_office_key(fresh)
    officers.add_officer(stale, username="newbie", role="clerk", full_name="New Clerk", password="fresh-tulip-5151")
    newbie = login(staffed, "newbie", "fresh-tulip-5151")
    assert issuance.verify(issuance.issue(newbie, person).qr, trust=issuance.trust_list(staffed), office=staffed).valid


def test_a_disabled_clerk_cannot_record_her_forgery_with_her_own_key(
    staffed: Office, session_of: Callable[[str], Session], person: str, clock: FakeClock
) -> None:
    """She keeps her key and the old office key, writes the issuance event and the row herself, backdated: the
    event comes after her signed `officer.disabled` in the log, so it is not believed."""
    from nacl.signing import SigningKey

    from console.core import cose, events
    from console.core.credentials import decode_credential
    from console.core.events import Actor
    from console.core.store import open_database

    clerk = session_of("clerk")
    own_key, office_key = clerk.officer_keys().signing_key, clerk.office_signing_key()
    issued_at = clock.now
    admin = session_of("admin")
    clock.advance(minutes=5)
    officers.disable_officer(admin, "clerk")
    clock.advance(minutes=1)
    officers.rotate_office_key(admin)
    forged = forge(staffed, person, SigningKey(bytes(office_key)), issued_at=issued_at)
    credential, _message = decode_credential(forged)
    kid = cose.key_id(bytes(office_key.verify_key))
    when = "2026-11-30T09:00:00Z"
    conn = open_database(staffed.paths.db, personal_key=staffed.database_key).conn  # she has a password (issue 17)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO credentials (credential_id, id_number, office_code, kid, issued_at, expires_at, status, qr, "
        "issued_by) VALUES (?, ?, 'HQ-01', ?, ?, '2031-11-30T09:00:00Z', 'active', ?, 'clerk')",
        (credential.credential_id, person, kid, when, forged),
    )
    events.append_event(
        conn,
        actor=Actor("clerk", own_key),
        office="HQ-01",
        event_type="credential.issued",
        now=issued_at,
        clear={"credential": credential.credential_id, "kid": kid, "iat": when, "exp": "2031-11-30T09:00:00Z"},
    )
    conn.execute("COMMIT")
    conn.close()
    fresh = Office(staffed.paths.data_dir, clock=clock)
    fresh.unlock_personal(staffed.database_key or b"")  # issue 17: a logged-in console reads the registry
    verdict = issuance.verify(forged, trust=issuance.trust_list(fresh), office=fresh)
    assert not verdict.valid and verdict.status == "tampered"
    assert "no key with that right at that point of the log" in verdict.reason
