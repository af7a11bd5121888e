"""The office key in a PKCS#11 token (issue 17): smart card, HSM, or a TPM through its PKCS#11 module.

The key pair is generated inside the token as a non-extractable, sensitive Ed25519 (CKK_EC_EDWARDS) key: the
private half never leaves it, and every signature of the office key (credentials, status lists, certificates of
officers, checkpoints) is made by the token through `TokenSigningKey`, which stands in for a
`nacl.signing.SigningKey` wherever the console signs. Tests run it against SoftHSM2 (docs/security.md, "Office key
in a token").

Where the key is (module path, token label, key id) is recorded in the signed ``office.key-rotated`` event that
moves it, and kept in the office settings for use; the PIN is never stored: the front end supplies it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.signing

from console.core.i18n import _

# defined there so that opening an office needs no nacl (issue 16); re-exported: hsm.TokenError, hsm.missing_pin
from console.core.tokenpin import TokenError as TokenError
from console.core.tokenpin import missing_pin as missing_pin

#: The OID of Ed25519 (RFC 8410), the CKA_EC_PARAMS of an Edwards key as a named curve.
ED25519_OID = "1.3.101.112"
#: The office setting that says the office key in force lives in a token (JSON: module, token, kid).
SETTING = "office_key_token"


@dataclass(frozen=True)
class TokenPlace:
    """Where a token-held office key is: the PKCS#11 module, the token's label, and the key's id (its kid)."""

    module: str
    token: str
    kid: bytes


_lock = threading.Lock()
#: One logged-in PKCS#11 session per (module, token) per process: a login per signature would cost more than
#: the signature, and tokens limit their sessions. Guarded by `_lock` (a PKCS#11 session is not thread-safe).
_sessions: dict[tuple[str, str], Any] = {}


def _library(module: str) -> Any:
    import pkcs11

    if not Path(module).is_file():
        raise TokenError(
            _("The PKCS#11 module {module} does not exist; install the token's driver or give its path.").format(
                module=module
            )
        )
    try:
        return pkcs11.lib(module)
    except RuntimeError as e:
        raise TokenError(
            _("The PKCS#11 module {module} does not load ({reason}); give the path of the token's driver.").format(
                module=module, reason=e
            )
        ) from e


def _open(module: str, token: str, pin: Callable[[], str], *, rw: bool = False) -> Any:
    """A logged-in session on the token (cached unless `rw`); raises TokenError with what to do."""
    import pkcs11.exceptions as p11

    key = (module, token)
    if not rw and key in _sessions:
        return _sessions[key]
    lib = _library(module)
    try:
        found = lib.get_token(token_label=token)
    except (p11.NoSuchToken, p11.TokenNotPresent, p11.DeviceRemoved) as e:
        raise TokenError(
            _(
                "The token {token!r} that holds the office key is not present (module {module}); insert it and "
                "try again. Nothing was signed."
            ).format(token=token, module=module)
        ) from e
    try:
        try:
            session = found.open(user_pin=pin(), rw=rw)
        except p11.UserAlreadyLoggedIn:  # PKCS#11 logs in the application, not the session: another is open
            session = found.open(rw=rw)
    except (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange) as e:
        raise TokenError(
            _(
                "The PIN of the token {token!r} is wrong; nothing was signed. Type it again (on the command line, "
                "check ID_CONSOLE_TOKEN_PIN)."
            ).format(token=token)
        ) from e
    except p11.PinLocked as e:
        raise TokenError(
            _("The token {token!r} is locked after wrong PINs; its security officer must unlock it.").format(
                token=token
            )
        ) from e
    except p11.PKCS11Error as e:
        raise TokenError(
            _("The token {token!r} refused a session ({reason}); check that it is inserted and try again.").format(
                token=token, reason=type(e).__name__
            )
        ) from e
    if not rw:
        _sessions[key] = session
    return session


def forget_sessions() -> None:
    """Close the cached token sessions (a token was removed, or at the end of a test)."""
    with _lock:
        for session in _sessions.values():
            with contextlib.suppress(Exception):  # a removed token cannot close cleanly; the handle goes anyway
                session.close()
        _sessions.clear()


def generate_key(module: str, token: str, pin: Callable[[], str], label: str) -> bytes:
    """Generate an Ed25519 key pair inside the token (private half sensitive, never extractable).

    Returns the raw 32-byte public key. The key's CKA_ID is set to its kid afterwards (`set_key_id`), once the
    public key is known.

    Raises:
        TokenError: the module or token is missing, the PIN is wrong, or the token has no Ed25519.
    """
    import pkcs11.exceptions as p11
    from pkcs11 import Attribute, KeyType, Mechanism
    from pkcs11.util.ec import encode_named_curve_parameters

    from console.core import cose

    with _lock:
        session = _open(module, token, pin, rw=True)
        try:
            public, private = session.generate_keypair(
                KeyType.EC_EDWARDS,
                0,
                mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
                public_template={
                    Attribute.EC_PARAMS: encode_named_curve_parameters(ED25519_OID),
                    Attribute.TOKEN: True,
                    Attribute.VERIFY: True,
                    Attribute.LABEL: label,
                },
                private_template={
                    Attribute.TOKEN: True,
                    Attribute.PRIVATE: True,
                    Attribute.SIGN: True,
                    Attribute.SENSITIVE: True,
                    Attribute.EXTRACTABLE: False,
                    Attribute.LABEL: label,
                },
                store=True,
            )
            raw = _raw_point(bytes(public[Attribute.EC_POINT]))
            kid = cose.key_id(raw)
            public[Attribute.ID] = kid
            private[Attribute.ID] = kid
            return raw
        except (p11.MechanismInvalid, p11.FunctionNotSupported, p11.DomainParamsInvalid) as e:
            raise TokenError(
                _("The token {token!r} cannot make Ed25519 keys ({reason}); the office key stays in software.").format(
                    token=token, reason=type(e).__name__
                )
            ) from e
        except p11.PKCS11Error as e:
            raise TokenError(
                _("The token {token!r} refused to make the key ({reason}); nothing was changed.").format(
                    token=token, reason=type(e).__name__
                )
            ) from e
        finally:
            session.close()


def _raw_point(point: bytes) -> bytes:
    """CKA_EC_POINT of an Edwards key: the 32 raw bytes, or (as SoftHSM2 gives them) a DER OCTET STRING of them."""
    if len(point) == 32:
        return point
    if len(point) == 34 and point[0] == 0x04 and point[1] == 32:
        return point[2:]
    raise TokenError(_("The token returned a public key of an unknown form ({n} bytes).").format(n=len(point)))


class TokenSigningKey(nacl.signing.SigningKey):
    """An office key held in a token, usable wherever the console takes a `nacl.signing.SigningKey`.

    It has no seed: `bytes(key)` raises, and signing goes to the token (`CKM_EDDSA`, pure Ed25519, so the
    signatures are the same bytes a software key would make and verify with any Ed25519 verifier).
    """

    def __init__(self, place: TokenPlace, public: bytes, pin: Callable[[], str]) -> None:
        # no super().__init__: that would need the seed, which only the token has
        self.place = place
        self.verify_key = nacl.signing.VerifyKey(public)
        self._pin = pin

    def __bytes__(self) -> bytes:
        raise TokenError(_("The office key is held in a token and cannot be read out of it."))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TokenSigningKey) and other.place == self.place

    def __hash__(self) -> int:
        return hash(self.place)

    def sign(self, message: bytes, encoder: Any = None) -> nacl.signing.SignedMessage:
        """Sign `message` in the token; same result type as nacl's (`.signature`, `.message`)."""
        import pkcs11.exceptions as p11
        from pkcs11 import KeyType, Mechanism, ObjectClass

        place = self.place
        with _lock:
            for attempt in range(2):
                session = _open(place.module, place.token, self._pin)
                try:
                    key = session.get_key(
                        object_class=ObjectClass.PRIVATE_KEY, key_type=KeyType.EC_EDWARDS, id=place.kid
                    )
                    signature = bytes(key.sign(message, mechanism=Mechanism.EDDSA))
                    break
                except p11.NoSuchKey as e:
                    raise TokenError(
                        _(
                            "The token {token!r} does not hold the office key {kid}; insert the token the key was "
                            "moved to. Nothing was signed."
                        ).format(token=place.token, kid=place.kid.hex())
                    ) from e
                except (p11.SessionHandleInvalid, p11.SessionClosed, p11.DeviceRemoved, p11.TokenNotPresent) as e:
                    _sessions.pop((place.module, place.token), None)  # removed and maybe re-inserted: log in again
                    if attempt:
                        raise TokenError(
                            _(
                                "The token {token!r} that holds the office key was removed; insert it and try "
                                "again. Nothing was signed."
                            ).format(token=place.token)
                        ) from e
                except p11.PKCS11Error as e:
                    raise TokenError(
                        _("The token {token!r} refused to sign ({reason}); nothing was signed.").format(
                            token=place.token, reason=type(e).__name__
                        )
                    ) from e
        combined = signature + message
        return nacl.signing.SignedMessage._from_parts(signature, message, combined)


def key_flags(place: TokenPlace, pin: Callable[[], str]) -> tuple[bool, bool]:
    """(CKA_EXTRACTABLE, CKA_SENSITIVE) of the token's private key: what `key status` and the tests check."""
    from pkcs11 import Attribute, KeyType, ObjectClass

    with _lock:
        session = _open(place.module, place.token, pin)
        key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, key_type=KeyType.EC_EDWARDS, id=place.kid)
        return bool(key[Attribute.EXTRACTABLE]), bool(key[Attribute.SENSITIVE])


def read_place(value: str | None) -> TokenPlace | None:
    """The token setting (JSON) as a TokenPlace; None when the office key is in software."""
    import json

    if not value:
        return None
    doc = json.loads(value)
    return TokenPlace(str(doc["module"]), str(doc["token"]), bytes.fromhex(str(doc["kid"])))


def place_text(place: TokenPlace) -> str:
    """The token setting's JSON for `place`."""
    import json

    return json.dumps({"module": place.module, "token": place.token, "kid": place.kid.hex()}, sort_keys=True)
