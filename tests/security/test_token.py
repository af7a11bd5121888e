"""Issue 17: the office key in a PKCS#11 token (SoftHSM2 here, as a smart card or HSM would be).

After `key move-to-token` every office signature is made in the token: credentials verify with claim169, pycose
and the console; the ledger's checkpoints and the office's certificates verify at another office; the private key
cannot be read out of the token, and no officer's password opens a software office key any more; with the token
removed or the PIN wrong, signing fails with a clear sentence and nothing is half-written.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path

import base45
import claim169
import pytest
from pycose.keys.curves import Ed25519
from pycose.keys.okp import OKPKey
from pycose.messages.cosemessage import CoseMessage
from pycose.messages.sign1message import Sign1Message

from console.core import cose, foreigntrust, hsm, issuance, keytoken, officers, registry, requests
from console.core.accounts import Session, login
from console.core.errors import PermissionDenied
from console.core.office import Office
from console.core.registry import PersonInput
from console.node import sync
from console.node.fetch import FolderFetcher
from console.node.verify import verify_folder
from tests.conftest import PASSWORDS, FakeClock
from tests.node.conftest import Authority, make_authority
from tests.security.clihelp import ADMIN_PW, CLERK_PW, cli, env, init_office
from tests.softhsm import MODULE, PIN, TOKEN, available, make_softhsm, process_token

PERSON = PersonInput("Kask", "Liisbet", "1987-03-14", "F", "EST")

pytestmark = pytest.mark.skipif(
    not available(), reason="SoftHSM2 is not installed (Debian softhsm2; .ci/run installs it)"
)


@pytest.fixture
def softhsm() -> Path:
    return process_token()


def _pin() -> str:
    return PIN


def _moved(admin: Session) -> dict[str, object]:
    admin.office.clock.advance(seconds=5)  # type: ignore[attr-defined]
    return keytoken.move_to_token(admin, MODULE, TOKEN, _pin)


def test_credentials_and_status_signed_in_the_token_verify_everywhere(
    softhsm: Path, session_of: Callable[[str], Session], staffed: Office
) -> None:
    moved = _moved(session_of("admin"))
    staffed.token_pin = _pin
    office_key = staffed.current_office_key()
    public = bytes(office_key["public_key"])
    assert cose.key_id(public).hex() == hsm.read_place(staffed.setting(hsm.SETTING)).kid.hex()  # type: ignore[union-attr]
    assert moved["token"] == TOKEN

    clerk = session_of("clerk")
    number = str(registry.register(clerk, PERSON)["id_number"])
    issued = issuance.issue(clerk, number)
    # the console (no login: the office's public keys and signed status list)
    fresh = Office(staffed.paths.data_dir, kdf=staffed.kdf, clock=staffed.clock)
    verdict = issuance.verify(issued.qr, trust=foreigntrust.verifier_trust_list(fresh), office=fresh)
    assert verdict.valid and verdict.status_checked, verdict
    # MOSIP's claim169 library and pycose, with the key as published
    decoded = claim169.decode_with_ed25519(issued.qr, public)
    assert decoded.is_verified() and decoded.claim169.id == number
    message = CoseMessage.decode(zlib.decompress(base45.b45decode(issued.qr)))
    assert isinstance(message, Sign1Message)
    message.key = OKPKey(crv=Ed25519, x=public)
    assert message.verify_signature()
    # a status change: the status list is re-signed in the token, and the verifier sees REVOKED
    request = requests.create_request(clerk, "revoke", number, "card reported stolen")
    requests.approve(session_of("super"), int(request["request_id"]))
    verdict = issuance.verify(issued.qr, trust=foreigntrust.verifier_trust_list(fresh), office=fresh)
    assert not verdict.valid and verdict.status == "revoked", verdict
    # an officer enrolled now is certified by the token's key, and logs in against that chain
    admin = session_of("admin")
    officers.add_officer(
        admin, username="newclerk", role="clerk", full_name="New Clerk", password="fresh-clerk-pass-77"
    )
    newcomer = login(fresh, "newclerk", "fresh-clerk-pass-77")
    assert issuance.issue(
        newcomer, str(registry.register(newcomer, dataclasses.replace(PERSON, given_name="Maarja"))["id_number"])
    )


def test_the_key_cannot_be_read_out_and_no_password_opens_a_software_office_key(
    softhsm: Path, session_of: Callable[[str], Session], staffed: Office
) -> None:
    _moved(session_of("admin"))
    place = hsm.read_place(staffed.setting(hsm.SETTING))
    assert place is not None
    assert hsm.key_flags(place, _pin) == (False, True)  # not extractable, sensitive
    import pkcs11
    from pkcs11 import Attribute, KeyType, ObjectClass

    hsm.forget_sessions()  # PKCS#11 logs in per application: this raw session logs in on its own
    session = pkcs11.lib(MODULE).get_token(token_label=TOKEN).open(user_pin=PIN)
    try:
        key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, key_type=KeyType.EC_EDWARDS, id=place.kid)
        with pytest.raises(pkcs11.exceptions.AttributeSensitive):
            key[Attribute.VALUE]
    finally:
        session.close()
    staffed.token_pin = _pin
    clerk = session_of("clerk")
    with pytest.raises(hsm.TokenError, match="cannot be read out"):
        bytes(clerk.office_signing_key())
    # every officer's wrap of the office secrets now holds no signing seed at all
    for user in ("clerk", "super", "admin"):
        assert login(staffed, user, PASSWORDS[user]).office_keys().signing_seeds == ()
    # only administrators move keys
    with pytest.raises(PermissionDenied, match="clerk"):
        keytoken.move_to_token(clerk, MODULE, TOKEN, _pin)


@pytest.fixture
def authority(tmp_path: Path, clock: FakeClock) -> Authority:
    """Two offices of one authority sharing a ledger folder (as in tests/node)."""
    return make_authority(tmp_path, clock)


def _person(i: int) -> PersonInput:
    return PersonInput("Tan", f"Mei{chr(97 + i)}", f"19{50 + i}-0{1 + i}-1{i}", "FM"[i % 2], "CHN")


def test_ledger_of_a_token_office_verifies_at_another_office(softhsm: Path, authority: Authority) -> None:
    hq_code, b_code = list(authority.offices)[:2]
    hq = authority.offices[hq_code]
    hq.token_pin = _pin
    _moved(authority.session(hq_code, "admin"))
    clerk = authority.session(hq_code, "clerk")
    for i in range(3):
        issuance.issue(clerk, str(registry.register(clerk, _person(i))["id_number"]))
    report = sync.run_sync(clerk, authority.folder).to_json()  # the checkpoint is signed in the token
    assert report["published"]["new_entries"] > 0, report
    b = authority.offices[b_code]
    sync.run_sync(authority.session(b_code, "clerk"), authority.folder)
    got = b.db.execute("SELECT COUNT(*) FROM credentials WHERE office_code = ?", (hq_code,)).fetchone()[0]
    assert got == 3
    assert verify_folder(b.db.conn, FolderFetcher(authority.folder)) == []
    note = (authority.folder / "logs" / hq_code / "checkpoint").read_bytes()
    assert note.count(b"\n\xe2\x80\x94 ") == 1  # one signature line: the office key's


# ---------------------------------------------------------------------------------------------------------
# the command line: move, sign, then the token removed and a wrong PIN


def _cli_env(conf: Path, password: str, pin: str | None = PIN) -> dict[str, str]:
    extra = {"SOFTHSM2_CONF": str(conf)}
    if pin is not None:
        extra["ID_CONSOLE_TOKEN_PIN"] = pin
    return env(password, **extra)


def _credential_count(folder: Path) -> int:
    office = Office(folder)
    login(office, "clara", CLERK_PW)
    return int(office.db.execute("SELECT COUNT(*) FROM credentials").fetchone()[0])


def test_cli_moves_the_key_and_refuses_clearly_without_the_token(tmp_path: Path) -> None:
    conf = make_softhsm(tmp_path / "hsm", "office-card")
    folder = tmp_path / "office"
    init_office(folder)
    moved = cli(
        folder,
        "key", "move-to-token", "--as", "admin", "--module", MODULE, "--token", "office-card", "--json",
        environ=_cli_env(conf, ADMIN_PW),
    )  # fmt: skip
    assert moved.returncode == 0, moved.err
    assert json.loads(moved.out)["token"] == "office-card"
    registered = cli(
        folder,
        "register", "--as", "clara", "--family-name", "Kask", "--given-name", "Liisbet", "--birth-date",
        "1987-03-14", "--sex", "F", "--birthplace", "EST", "--json",
        environ=_cli_env(conf, CLERK_PW),
    )  # fmt: skip
    number = json.loads(registered.out)["id_number"]
    issued = cli(folder, "issue", "--as", "clara", number, "--json", environ=_cli_env(conf, CLERK_PW))
    assert issued.returncode == 0, issued.err
    verified = cli(folder, "verify", json.loads(issued.out)["qr"], environ=env())
    assert verified.returncode == 0, verified.err
    count = _credential_count(folder)

    wrong = cli(folder, "issue", "--as", "clara", number, environ=_cli_env(conf, CLERK_PW, pin="0000-0000"))
    assert wrong.returncode == 7 and "PIN of the token 'office-card' is wrong" in wrong.err, wrong.err
    assert "Traceback" not in wrong.err and len(wrong.err.strip().splitlines()) == 1
    no_pin = cli(folder, "issue", "--as", "clara", number, environ=_cli_env(conf, CLERK_PW, pin=None))
    assert no_pin.returncode != 0 and "ID_CONSOLE_TOKEN_PIN" in no_pin.err, no_pin.err

    subprocess.run(
        ["softhsm2-util", "--delete-token", "--token", "office-card"],
        env={**os.environ, "SOFTHSM2_CONF": str(conf)},
        check=True,
        capture_output=True,
    )
    removed = cli(folder, "issue", "--as", "clara", number, environ=_cli_env(conf, CLERK_PW))
    assert removed.returncode == 7, removed.err
    assert "token 'office-card' that holds the office key is not present" in removed.err, removed.err
    assert "Traceback" not in removed.err and len(removed.err.strip().splitlines()) == 1
    assert _credential_count(folder) == count  # nothing half-written
    # verifying needs no token: the public key is in the office's certified keys
    again = cli(folder, "verify", json.loads(issued.out)["qr"], environ=env())
    assert again.returncode == 0, again.err
