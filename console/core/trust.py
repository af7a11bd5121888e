"""The trust list: which keys may sign credentials, for which issuer (`iss`), and when.

A verifier trusts a credential only if a key of the trust list verifies its signature (found by the COSE
`kid`, or, when the credential names no key, by trying every key of its issuer), the credential's `iss` is the
key's issuer, and the credential was issued while the key was in force. Offices publish their keys as a JWKS
(RFC 7517 key set of RFC 8037 ``OKP``/``Ed25519`` keys) so that other people's verifiers can load the same
list; docs/credential-format.md shows the exact form. Other issuers' JWKS load too: Ed25519 and P-256
(``EC``, ES256) keys, with no ``kid``, an RFC 7638 thumbprint ``kid`` or a ``kid`` of their own choosing, and
the issuer named per key (``iss``), for the whole set (a top-level ``iss``) or by the caller.

Invariants:
- A key's own `kid` is always derived from the key (SHA-256(raw public key)[:8]), never taken on trust; a
  JWK ``kid`` that has this console's form (11 base64url characters) must match it, or the entry is refused
  as altered. Any other JWK ``kid`` (a thumbprint, a foreign name) only adds a name to look the key up by:
  the signature decides, never the name.
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
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from hashlib import sha256
else:  # CPython's built-in SHA-256: `hashlib` loads OpenSSL (~3 ms a process), which `verify` needs nowhere else
    try:  # (issue 16); the same digest, checked by tests/core/test_ed25519.py
        from _sha256 import sha256
    except ImportError:  # pragma: no cover - Python 3.12 renamed the module (_sha2)
        from hashlib import sha256

from console.core.errors import ConsoleError
from console.core.i18n import _

JWK_KTY: Final = "OKP"
JWK_CRV: Final = "Ed25519"
JWK_ALG: Final = "EdDSA"
JWK_USE: Final = "sig"
JWK_KTY_EC: Final = "EC"
JWK_CRV_P256: Final = "P-256"
JWK_ALG_ES256: Final = "ES256"
#: The largest trust file (JWKS) a verifier reads: thousands of keys, far below memory trouble.
MAX_TRUST_FILE_BYTES: Final = 1024 * 1024
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

KeyAlgorithm = Literal["EdDSA", "ES256"]

# Largest Unix second we accept (9999-12-31T23:59:59Z): beyond it datetime cannot represent the time.
_MAX_UNIX_SECONDS: Final = 253_402_300_799
_B64URL = r"[A-Za-z0-9_-]*"  # compiled at first use (re's cache): `verify` never needs it (issue 16: start-up)


class TrustListError(ConsoleError):
    """A trust list (JWKS) is not usable: wrong structure, a bad key, or contradictory entries.

    It is input the person gave (a file), so it exits with the usage/input status 2.
    """

    exit_code = 2


def derived_kid(public_key: bytes) -> bytes:
    """This console's `kid` of a raw public key: SHA-256(key)[:8] (32-byte Ed25519, 65-byte P-256 point)."""
    return sha256(public_key).digest()[:8]


def _p256_point(x: bytes, y: bytes) -> bytes | None:
    """The uncompressed SEC1 point 04||x||y, or None when (x, y) is not on the P-256 curve."""
    if len(x) != 32 or len(y) != 32:
        return None
    from cryptography.hazmat.primitives.asymmetric import ec  # only P-256 keys need it (~15 ms per process)

    try:
        ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()).public_key()
    except ValueError:
        return None
    return b"\x04" + x + y


def jwk_thumbprint(public_key: bytes, algorithm: KeyAlgorithm) -> bytes:
    """The RFC 7638 SHA-256 thumbprint of a public key's JWK (required members, sorted, no spaces)."""
    if algorithm == "ES256":
        members = (
            f'{{"crv":"P-256","kty":"EC","x":"{_b64url_encode(public_key[1:33])}",'
            f'"y":"{_b64url_encode(public_key[33:])}"}}'
        )
    else:
        members = f'{{"crv":"Ed25519","kty":"OKP","x":"{_b64url_encode(public_key)}"}}'
    return sha256(members.encode("ascii")).digest()


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
    if not re.fullmatch(_B64URL, text) or len(text) % 4 == 1:
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
        public_key: the raw 32-byte Ed25519 public key, or the 65-byte uncompressed P-256 point (ES256).
        issuer: the issuer this key speaks for: the same string the issuer writes as the credential's `iss`.
        valid_from: the first moment the key was in force (UTC).
        valid_until: the moment it stopped being in force (exclusive), or None while it is current. A key that
            was rotated out normally keeps verifying credentials issued before this moment; a key that was
            compromised must be removed from the list instead, because `iat` is what its holder claims.
        authority: the issuing authority's name, for display only.
        algorithm: "EdDSA" (Ed25519) or "ES256" (ECDSA P-256 with SHA-256).
        aliases: other names (COSE kid bytes) the issuer may put in its headers for this key: the JWK ``kid``
            as UTF-8 and, when it is base64url, its bytes; the RFC 7638 thumbprint.
        foreign: imported from another authority (`trust import`); such keys verify, never sign.
        kid: derived from `public_key`; not a constructor argument.
    """

    public_key: bytes
    issuer: str
    valid_from: datetime
    valid_until: datetime | None = None
    authority: str | None = None
    algorithm: KeyAlgorithm = "EdDSA"
    aliases: frozenset[bytes] = frozenset()
    foreign: bool = False
    kid: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.algorithm == "ES256":
            point = self.public_key if isinstance(self.public_key, bytes) else b""
            if len(point) != 65 or point[0] != 4 or _p256_point(point[1:33], point[33:]) is None:
                raise TrustListError(_("A trusted ES256 key must be a point on the P-256 curve."))
        elif self.algorithm != "EdDSA":
            raise TrustListError(_("A trusted key must be an Ed25519 (EdDSA) or P-256 (ES256) key."))
        elif not isinstance(self.public_key, bytes) or len(self.public_key) != 32:
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
        object.__setattr__(self, "kid", derived_kid(self.public_key))
        # Names a key always answers to, whoever wrote the header: its kid as JWK text, its RFC 7638 thumbprint.
        thumbprint = jwk_thumbprint(self.public_key, self.algorithm)
        derived = {thumbprint, _b64url_encode(thumbprint).encode("ascii"), kid_text(self.kid).encode("ascii")}
        object.__setattr__(self, "aliases", (frozenset(self.aliases) | derived) - {self.kid})

    @property
    def names(self) -> frozenset[bytes]:
        """Every kid this key may be named by: its own and its aliases."""
        return self.aliases | {self.kid}

    def in_force_at(self, moment: datetime) -> bool:
        """True if the key could sign at `moment`: ``valid_from <= moment < valid_until``."""
        if moment < self.valid_from:
            return False
        return self.valid_until is None or moment < self.valid_until


class TrustList:
    """An immutable set of trusted keys, looked up by COSE `kid` (or an alias) or by issuer."""

    def __init__(self, keys: Iterable[TrustedKey] = ()) -> None:
        by_kid: dict[bytes, TrustedKey] = {}
        by_name: dict[bytes, list[TrustedKey]] = {}
        by_issuer: dict[str, list[TrustedKey]] = {}
        for key in keys:
            if key.kid in by_kid:
                raise TrustListError(
                    _("The key {kid} is listed twice in the trust list; keep one entry.").format(kid=kid_text(key.kid))
                )
            by_kid[key.kid] = key
            for name in key.names:
                by_name.setdefault(name, []).append(key)
            for issuer in issuer_forms(key.issuer):
                by_issuer.setdefault(issuer, []).append(key)
        self._by_kid = by_kid
        self._by_name = by_name
        self._by_issuer = by_issuer

    def lookup(self, kid: bytes) -> TrustedKey | None:
        """The trusted key with this `kid` (its own or an alias), or None when the list does not know it."""
        found = self._by_kid.get(kid)
        if found is not None:
            return found
        named = self._by_name.get(kid)
        return named[0] if named else None

    def named(self, kid: bytes) -> tuple[TrustedKey, ...]:
        """Every key this `kid` may name (foreign issuers' kids need not be unique across issuers)."""
        return tuple(self._by_name.get(kid, ()))

    def of_issuer(self, issuer: str) -> tuple[TrustedKey, ...]:
        """Every key that speaks for `issuer` (tried in turn when a credential names no key)."""
        return tuple(self._by_issuer.get(issuer, ()))

    @property
    def keys(self) -> tuple[TrustedKey, ...]:
        return tuple(self._by_kid.values())

    def __iter__(self) -> Iterator[TrustedKey]:
        return iter(self._by_kid.values())

    def __len__(self) -> int:
        return len(self._by_kid)

    def __repr__(self) -> str:
        return f"TrustList({len(self)} keys)"


def issuer_forms(issuer: str) -> tuple[str, ...]:
    """The `iss` strings a key of `issuer` speaks for.

    Credential format 1 wrote ``{domain}/{office}``; format 2 writes ``https://{domain}/{office}``. A key
    published for the https issuer also speaks for the same issuer's format-1 cards, so cards printed before
    the change keep verifying (docs/credential-format.md, "Versions").
    """
    if issuer.startswith("https://") and len(issuer) > len("https://"):
        return (issuer, issuer[len("https://") :])
    return (issuer,)


def to_jwks(keys: Iterable[TrustedKey]) -> dict[str, Any]:
    """Return the JWKS (RFC 7517 §5) of `keys`, ready for `json.dumps`.

    Each key is an RFC 8037 public JWK (``kty`` OKP, ``crv`` Ed25519, ``x``) with ``kid`` (see `kid_text`),
    ``use`` "sig" and ``alg`` "EdDSA", plus members that JOSE libraries ignore (RFC 7517 §4) but verifiers of
    this console need: ``iss`` (office id), ``nbf`` and ``exp`` (validity window in Unix seconds, as JWT
    claims; ``exp`` absent while the key is current) and ``authority`` (display name, when known).
    """
    out: list[dict[str, Any]] = []
    for key in keys:
        jwk: dict[str, Any]
        if key.algorithm == "ES256":
            jwk = {
                "kty": JWK_KTY_EC,
                "crv": JWK_CRV_P256,
                "x": _b64url_encode(key.public_key[1:33]),
                "y": _b64url_encode(key.public_key[33:]),
            }
        else:
            jwk = {"kty": JWK_KTY, "crv": JWK_CRV, "x": _b64url_encode(key.public_key)}
        jwk |= {
            "kid": kid_text(key.kid),
            "use": JWK_USE,
            "alg": key.algorithm,
            "iss": key.issuer,
            "nbf": int(key.valid_from.timestamp()),
        }
        if key.valid_until is not None:
            jwk["exp"] = int(key.valid_until.timestamp())
        if key.authority is not None:
            jwk["authority"] = key.authority
        out.append(jwk)
    return {"keys": out}


def from_jwks(jwks: object, *, issuer: str | None = None, foreign: bool = False) -> TrustList:
    """Build a trust list from a parsed JWKS, checking every member this console relies on.

    Args:
        jwks: the parsed JSON.
        issuer: the `iss` the keys speak for when neither the key (``iss``) nor the set (a top-level
            ``iss``) names one; a key's own ``iss`` wins.
        foreign: mark the keys as another authority's (`trust import`).

    Raises:
        TrustListError: with a sentence naming the bad key (by position) and what is wrong with it.
    """
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise TrustListError(_('The trust list is not a JWKS: it must be a JSON object with a "keys" array.'))
    top = jwks.get("iss")
    if top is not None and (not isinstance(top, str) or not top.strip()):
        raise TrustListError(_('The trust list\'s top-level "iss" is not an issuer (a non-empty text).'))
    default = top if isinstance(top, str) else issuer
    keys = [_key_from_jwk(jwk, number, default, foreign) for number, jwk in enumerate(jwks["keys"], start=1)]
    return TrustList(keys)


def from_jwks_json(text: str | bytes, *, issuer: str | None = None, foreign: bool = False) -> TrustList:
    """Parse JWKS text (for example a file's content) into a trust list.

    Raises:
        TrustListError: the text is too large, not JSON, nested absurdly deep, or `from_jwks` refuses it.
    """
    if len(text) > MAX_TRUST_FILE_BYTES:
        raise TrustListError(
            _("The trust list is larger than {size} KB; a JWKS of keys is far smaller. Check the file.").format(
                size=MAX_TRUST_FILE_BYTES // 1024
            )
        )
    try:
        parsed = json.loads(text)
    except (ValueError, UnicodeDecodeError) as e:  # JSONDecodeError is a ValueError
        raise TrustListError(_("The trust list file is not valid JSON; get a fresh copy of the JWKS.")) from e
    except RecursionError as e:  # "[[[[…" thousands deep: hostile or broken, never a JWKS
        raise TrustListError(_("The trust list file is nested too deeply to be a JWKS; get a fresh copy.")) from e
    return from_jwks(parsed, issuer=issuer, foreign=foreign)


def _public_key_of(jwk: dict[Any, Any], where: str) -> tuple[bytes, KeyAlgorithm]:
    """The raw public key and algorithm of an Ed25519 (OKP) or P-256 (EC) JWK."""
    kty, crv, alg = jwk.get("kty"), jwk.get("crv"), jwk.get("alg")
    if kty == JWK_KTY and crv == JWK_CRV:
        algorithm: KeyAlgorithm = "EdDSA"
        allowed_algs: tuple[str, ...] = (JWK_ALG, "Ed25519")  # RFC 9864 names the fully specified "Ed25519"
    elif kty == JWK_KTY_EC and crv == JWK_CRV_P256:
        algorithm = "ES256"
        allowed_algs = (JWK_ALG_ES256,)
    else:
        raise TrustListError(
            _(
                '{where} is not a supported key (needs "kty": "OKP" with "crv": "Ed25519", or "kty": "EC" with '
                '"crv": "P-256").'
            ).format(where=where)
        )
    if "alg" in jwk and alg not in allowed_algs:
        raise TrustListError(
            _('{where} names another algorithm ("alg" must be "{alg}").').format(where=where, alg=allowed_algs[0])
        )
    x = jwk.get("x")
    raw_x = _b64url_decode(x) if isinstance(x, str) else None
    if algorithm == "EdDSA":
        if raw_x is None or len(raw_x) != 32:
            raise TrustListError(
                _('{where} has no valid public key ("x" must be 32 bytes in base64url).').format(where=where)
            )
        return raw_x, algorithm
    y = jwk.get("y")
    raw_y = _b64url_decode(y) if isinstance(y, str) else None
    point = _p256_point(raw_x, raw_y) if raw_x is not None and raw_y is not None else None
    if point is None:
        raise TrustListError(
            _(
                '{where} has no valid public key ("x" and "y" must be a P-256 point, 32 bytes each in base64url).'
            ).format(where=where)
        )
    return point, algorithm


def _aliases(kid: str) -> frozenset[bytes]:
    """A foreign JWK kid as COSE kid bytes: its UTF-8 text and, when it is base64url, its decoded bytes."""
    names = {kid.encode("utf-8")}
    raw = _b64url_decode(kid)
    if raw:
        names.add(raw)
    return frozenset(names)


def _key_from_jwk(jwk: object, number: int, default_issuer: str | None = None, foreign: bool = False) -> TrustedKey:
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
    if "use" in jwk and jwk["use"] != JWK_USE:
        raise TrustListError(_('{where} is not a signature key ("use" must be "sig").').format(where=where))
    if "key_ops" in jwk and (not isinstance(jwk["key_ops"], list) or "verify" not in jwk["key_ops"]):
        raise TrustListError(_('{where} is not allowed to verify ("key_ops" lacks "verify").').format(where=where))
    public_key, algorithm = _public_key_of(jwk, where)

    kid = jwk.get("kid")
    expected_kid = kid_text(derived_kid(public_key))
    if kid is not None and not isinstance(kid, str):
        raise TrustListError(_('{where} has a "kid" that is not text.').format(where=where))
    # Our own form (11 base64url characters = 8 bytes) must be the key's own kid: a mismatch is a miscopy.
    if kid is not None and len(kid) == len(expected_kid) and _b64url_decode(kid) is not None and kid != expected_kid:
        raise TrustListError(
            _('{where} has "kid" {kid!r}, but its key gives {expected!r}; the entry was altered or miscopied.').format(
                where=where, kid=kid, expected=expected_kid
            )
        )
    aliases = _aliases(kid) if kid else frozenset()

    issuer = jwk.get("iss", default_issuer)
    if not isinstance(issuer, str) or not issuer.strip():
        raise TrustListError(
            _(
                '{where} does not name its issuer ("iss" must be the issuer the key speaks for; for a JWKS '
                "without it, name the issuer with --issuer URL)."
            ).format(where=where)
        )
    authority = jwk.get("authority")
    if authority is not None and not isinstance(authority, str):
        raise TrustListError(_('{where} has an "authority" that is not text.').format(where=where))
    no_start = _('{where} has no valid start of validity ("nbf", Unix seconds).').format(where=where)
    # A JWKS from another issuer rarely dates its keys: no "nbf" means in force since ever.
    valid_from = _unix_seconds(jwk.get("nbf"), no_start) or _EPOCH
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
            algorithm=algorithm,
            aliases=aliases,
            foreign=foreign,
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
