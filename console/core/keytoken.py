"""`key move-to-token` (issue 17): the office key generated inside a PKCS#11 token, certified by the authority.

A move is a key rotation whose new key never exists outside the token: the authority certifies the token's
public key (the certificate says ``holder: pkcs11-token``), the signed ``office.key-rotated`` event records the
token, and the office secrets are re-wrapped *without* any software signing seed, so no officer's password opens
an office signing key any more. Credentials signed before stay valid (the old key's validity ends now).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.core import cose, events, hsm, truth
from console.core.accounts import rewrap
from console.core.errors import Conflict, PermissionDenied, ValidationError
from console.core.i18n import _
from console.core.keys import OfficeSecrets, certify
from console.core.roles import Permission
from console.core.store import transaction
from console.core.timeutil import to_iso
from console.core.trust import kid_text

if TYPE_CHECKING:
    from console.core.accounts import Session

#: What the office-key certificate of a token-held key says about where the key is.
HOLDER = "pkcs11-token"


def move_to_token(session: Session, module: str, token: str, pin: Callable[[], str]) -> dict[str, Any]:
    """Generate the office key inside `token` (via the PKCS#11 `module`) and put it in force (administrators).

    Raises:
        PermissionDenied: not an administrator with the authority key.
        ValidationError: the token label is empty.
        TokenError: the module or token is missing, the PIN is wrong, or the token has no Ed25519.
    """
    session.require(Permission.KEY_MANAGE)
    if session.authority_secrets is None or session.office_secrets is None:
        raise PermissionDenied(_("Your keystore lacks the authority key needed to certify office keys."))
    if not token.strip():
        raise ValidationError("token", _("Give the token's label (--token), as the token shows it."))
    office = session.office
    code = office.local_office()["code"]
    now = office.clock()
    if office.current_office_key()["valid_from"] == to_iso(now):
        raise Conflict(_("The office key was replaced less than a second ago; wait a moment before moving it."))
    module = str(Path(module).absolute())  # not resolved: the module loads once per path in a process
    public = hsm.generate_key(module, token, pin, f"id-console office {code}")
    kid = cose.key_id(public)
    place = hsm.TokenPlace(module, token, kid)
    key = hsm.TokenSigningKey(place, public, pin)
    key.verify_key.verify(key.sign(b"id-console: token check"))  # the token signs what the key verifies
    old = session.reload_office_secrets()
    secrets = OfficeSecrets((), old.records_private, old.numbering_secret)  # no signing seed in any wrap
    cert = certify(
        session.authority_secrets.root_key,
        {
            "type": "office-key",
            "authority": office.authority()["domain"],
            "office": code,
            "key": public,
            "valid_from": to_iso(now),
            "holder": HOLDER,
        },
    )
    with transaction(office.db) as conn:
        state = truth.roster(office, session.anchor or None)
        conn.execute(
            "UPDATE office_keys SET valid_until = ? WHERE office_code = ? AND valid_until IS NULL", (to_iso(now), code)
        )
        conn.execute(
            "INSERT INTO office_keys (kid, office_code, public_key, valid_from, certificate) VALUES (?, ?, ?, ?, ?)",
            (kid, code, public, to_iso(now), cert),
        )
        conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (hsm.SETTING, hsm.place_text(place)))
        events.append_event(
            conn,
            actor=session.actor,
            office=code,
            event_type="office.key-rotated",
            now=now,
            clear={"office": code, "certificate": cert, "holder": HOLDER, "token": token},
            audit_detail=f"office key {kid.hex()} generated in token {token!r}",
        )
        rewrap(conn, office, session.officer_keys(), secrets, session.authority_secrets, state, now)
    session.office_secrets = secrets
    office.token_pin = pin
    for path in (office.paths.office_sealed, office.paths.authority_sealed):  # an office not yet migrated
        path.unlink(missing_ok=True)
    return {"office": code, "kid": kid_text(kid), "valid_from": to_iso(now), "token": token, "module": module}
