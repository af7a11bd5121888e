"""The trust list: which Ed25519 keys may sign credentials, for which office, and when.

A verifier trusts a credential only if its COSE `kid` names a key in the trust list, the signature verifies
with that key, the credential's `iss` is the key's office, and the credential was issued while the key was in
force. Offices publish their keys as a JWKS (RFC 7517 key set of RFC 8037 ``OKP``/``Ed25519`` keys) so that
other people's verifiers can load the same list; docs/credential-format.md shows the exact form.

Invariants:
- A key's `kid` is always derived from the key (SHA-256(public key)[:8], `cose.key_id`), never taken on trust:
  a JWK whose `kid` does not match its `x` is refused.
- Times are UTC, whole seconds (JWK ``nbf``/``exp`` are Unix seconds), so a list survives a JWKS round trip
  unchanged.
- A trust list never holds two entries for one key.
- `from_jwks` accepts only public keys: a JWK carrying a private part (``d``) is refused outright, because a
  file that leaks a signing key must not be published or loaded as if nothing happened.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from console.core.cose import key_id
from console.core.errors import ConsoleError
from console.core.i18n import _

JWK_KTY: Final = "OKP"
JWK_CRV: Final = "Ed25519"
JWK_ALG: Final = "EdDSA"
JWK_USE: Final = "sig"

# Largest Unix second we accept (9999-12-31T23:59:59Z): beyond it datetime cannot represent the time.
_MAX_UNIX_SECONDS: Final = 253_402_300_799
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class TrustListError(ConsoleError):
    """A trust list (JWKS) is not usable: wrong structure, a bad key, or contradictory entries."""


def kid_text(kid: bytes) -> str:
    """Return the JWK ``kid`` string of an 8-byte COSE kid: base64url without padding (11 characters).

    Base64url is the JOSE habit for binary identifiers, so the string people see in a JWKS is the same one
    this console prints in its messages.
    """
    return _b64url_encode(kid)


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes | None:
    """Strict base64url without padding; None unless `text` is the one canonical encoding of its bytes."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        return None
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return data if _b64url_encode(data) == text else None


def _whole_second_utc(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TrustListError(_("The {what} of a trusted key has no time zone; give it in UTC.").format(what=what))
    return moment.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True, kw_only=True)
class TrustedKey:
    """One office signing key the verifier trusts, and the window in which it could sign.

    Attributes:
        public_key: the raw 32-byte Ed25519 public key.
        issuer: the office identifier, the same string the office writes as the credential's `iss`.
        valid_from: the first moment the key was in force (UTC).
        valid_until: the moment it stopped being in force (exclusive), or None while it is current. A key that
            was rotated out normally keeps verifying credentials issued before this moment; a key that was
            compromised must be removed from the list instead, because `iat` is what its holder claims.
        authority: the issuing authority's name, for display only.
        kid: derived from `public_key`; not a constructor argument.
    """

    public_key: bytes
    issuer: str
    valid_from: datetime
    valid_until: datetime | None = None
    authority: str | None = None
    kid: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.public_key, bytes) or len(self.public_key) != 32:
            raise TrustListError(_("A trusted key must be a 32-byte Ed25519 public key."))
        if not isinstance(self.issuer, str) or not self.issuer.strip():
            raise TrustListError(_("A trusted key must name the office (issuer) that uses it."))
        if self.authority is not None and not isinstance(self.authority, str):
            raise TrustListError(_("The authority name of a trusted key must be text."))
        object.__setattr__(self, "valid_from", _whole_second_utc(self.valid_from, _("start of validity")))
        if self.valid_until is not None:
            until = _whole_second_utc(self.valid_until, _("end of validity"))
            if until <= self.valid_from:
                raise TrustListError(
                    _("The key of {issuer} ends its validity before it starts; check its dates.").format(
                        issuer=self.issuer
                    )
                )
            object.__setattr__(self, "valid_until", until)
        object.__setattr__(self, "kid", key_id(self.public_key))

    def in_force_at(self, moment: datetime) -> bool:
        """True if the key could sign at `moment`: ``valid_from <= moment < valid_until``."""
        if moment < self.valid_from:
            return False
        return self.valid_until is None or moment < self.valid_until


class TrustList:
    """An immutable set of trusted keys, looked up by COSE `kid`."""

    def __init__(self, keys: Iterable[TrustedKey] = ()) -> None:
        by_kid: dict[bytes, TrustedKey] = {}
        for key in keys:
            if key.kid in by_kid:
                raise TrustListError(
                    _("The key {kid} is listed twice in the trust list; keep one entry.").format(kid=kid_text(key.kid))
                )
            by_kid[key.kid] = key
        self._by_kid = by_kid

    def lookup(self, kid: bytes) -> TrustedKey | None:
        """The trusted key with this `kid`, or None when the list does not know it."""
        return self._by_kid.get(kid)

    @property
    def keys(self) -> tuple[TrustedKey, ...]:
        return tuple(self._by_kid.values())

    def __iter__(self) -> Iterator[TrustedKey]:
        return iter(self._by_kid.values())

    def __len__(self) -> int:
        return len(self._by_kid)

    def __repr__(self) -> str:
        return f"TrustList({len(self)} keys)"


def to_jwks(keys: Iterable[TrustedKey]) -> dict[str, Any]:
    """Return the JWKS (RFC 7517 §5) of `keys`, ready for `json.dumps`.

    Each key is an RFC 8037 public JWK (``kty`` OKP, ``crv`` Ed25519, ``x``) with ``kid`` (see `kid_text`),
    ``use`` "sig" and ``alg`` "EdDSA", plus members that JOSE libraries ignore (RFC 7517 §4) but verifiers of
    this console need: ``iss`` (office id), ``nbf`` and ``exp`` (validity window in Unix seconds, as JWT
    claims; ``exp`` absent while the key is current) and ``authority`` (display name, when known).
    """
    out: list[dict[str, Any]] = []
    for key in keys:
        jwk: dict[str, Any] = {
            "kty": JWK_KTY,
            "crv": JWK_CRV,
            "x": _b64url_encode(key.public_key),
            "kid": kid_text(key.kid),
            "use": JWK_USE,
            "alg": JWK_ALG,
            "iss": key.issuer,
            "nbf": int(key.valid_from.timestamp()),
        }
        if key.valid_until is not None:
            jwk["exp"] = int(key.valid_until.timestamp())
        if key.authority is not None:
            jwk["authority"] = key.authority
        out.append(jwk)
    return {"keys": out}


def from_jwks(jwks: object) -> TrustList:
    """Build a trust list from a parsed JWKS, checking every member this console relies on.

    Raises:
        TrustListError: with a sentence naming the bad key (by position) and what is wrong with it.
    """
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise TrustListError(_('The trust list is not a JWKS: it must be a JSON object with a "keys" array.'))
    keys = [_key_from_jwk(jwk, number) for number, jwk in enumerate(jwks["keys"], start=1)]
    return TrustList(keys)


def from_jwks_json(text: str | bytes) -> TrustList:
    """Parse JWKS text (for example a file's content) into a trust list.

    Raises:
        TrustListError: the text is not JSON, or `from_jwks` refuses its content.
    """
    try:
        parsed = json.loads(text)
    except (ValueError, UnicodeDecodeError) as e:  # JSONDecodeError is a ValueError
        raise TrustListError(_("The trust list file is not valid JSON; get a fresh copy of the JWKS.")) from e
    return from_jwks(parsed)


def _key_from_jwk(jwk: object, number: int) -> TrustedKey:
    where = _("Key {number} of the trust list").format(number=number)
    if not isinstance(jwk, dict):
        raise TrustListError(_("{where} is not a JSON object.").format(where=where))
    if "d" in jwk:
        raise TrustListError(
            _(
                '{where} contains a private key (member "d"); publish and load public keys only, '
                "and treat that signing key as exposed."
            ).format(where=where)
        )
    if jwk.get("kty") != JWK_KTY or jwk.get("crv") != JWK_CRV:
        raise TrustListError(
            _('{where} is not an Ed25519 key (needs "kty": "OKP" and "crv": "Ed25519").').format(where=where)
        )
    if "use" in jwk and jwk["use"] != JWK_USE:
        raise TrustListError(_('{where} is not a signature key ("use" must be "sig").').format(where=where))
    if "alg" in jwk and jwk["alg"] != JWK_ALG:
        raise TrustListError(_('{where} names another algorithm ("alg" must be "EdDSA").').format(where=where))
    if "key_ops" in jwk and (not isinstance(jwk["key_ops"], list) or "verify" not in jwk["key_ops"]):
        raise TrustListError(_('{where} is not allowed to verify ("key_ops" lacks "verify").').format(where=where))

    x = jwk.get("x")
    public_key = _b64url_decode(x) if isinstance(x, str) else None
    if public_key is None or len(public_key) != 32:
        raise TrustListError(
            _('{where} has no valid public key ("x" must be 32 bytes in base64url).').format(where=where)
        )
    kid = jwk.get("kid")
    expected_kid = kid_text(key_id(public_key))
    if kid != expected_kid:
        raise TrustListError(
            _('{where} has "kid" {kid!r}, but its key gives {expected!r}; the entry was altered or miscopied.').format(
                where=where, kid=kid, expected=expected_kid
            )
        )

    issuer = jwk.get("iss")
    if not isinstance(issuer, str) or not issuer.strip():
        raise TrustListError(
            _('{where} does not name its office ("iss" must be the office identifier).').format(where=where)
        )
    authority = jwk.get("authority")
    if authority is not None and not isinstance(authority, str):
        raise TrustListError(_('{where} has an "authority" that is not text.').format(where=where))
    no_start = _('{where} has no valid start of validity ("nbf", Unix seconds).').format(where=where)
    valid_from = _unix_seconds(jwk.get("nbf"), no_start)
    if valid_from is None:
        raise TrustListError(no_start)
    valid_until = _unix_seconds(
        jwk.get("exp"), _('{where} has an invalid end of validity ("exp", Unix seconds).').format(where=where)
    )
    try:
        return TrustedKey(
            public_key=public_key,
            issuer=issuer,
            valid_from=valid_from,
            valid_until=valid_until,
            authority=authority,
        )
    except TrustListError as e:
        raise TrustListError(_("{where}: {problem}").format(where=where, problem=e)) from e


def _unix_seconds(value: object, problem: str) -> datetime | None:
    if value is None:
        return None
    # bool is an int in Python; JSON true is not a time.
    if type(value) is not int or not 0 <= value <= _MAX_UNIX_SECONDS:
        raise TrustListError(problem)
    return datetime.fromtimestamp(value, UTC)
