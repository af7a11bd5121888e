"""Reading any Claim 169 credential: every envelope and attribute the specification allows.

This console writes one exact form (credentials.py); other issuers write others, and a verifier at a border or
a bank must read them all (MOSIP Claim 169 specification 1.2, claim_169.md of the reference implementation):

    QR text -> Base45 -> zlib -> CBOR
      [tag 61 (CWT)] -> COSE_Encrypt0 (tag 16 or untagged 3-array; A128GCM/A256GCM, needs the key)
                          -> plaintext, read again as below
                     -> COSE_Sign1 (tag 18 or untagged 4-array; EdDSA -8 or ES256 -7; kid in the protected
                        header, the unprotected header, or nowhere)
                          -> payload: CWT claims {1 iss, 2 sub, 4 exp, 5 nbf, 6 iat, 7 cti, 169 holder, 65535 status}

Invariants:
- Nothing is trusted before it is checked: the text is bounded before it is inflated, and every CBOR item's
  type is checked before it is used. Every failure is a `Claim169Error` naming the layer that failed
  (``text``, ``zlib``, ``cbor``, ``cose``, ``encryption``, ``cwt``, ``claim169``); nothing else escapes.
- Every attribute 1-23 is decoded and typed; biometrics 50-65 are reported by type, format and size (raw
  templates are never rendered); face images are kept so a verifier can show them; keys the specification
  does not assign are kept and listed as unknown, never dropped silently.
"""

from __future__ import annotations

import base64
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final, Literal

import cbor2

from console.core import b45, ed25519
from console.core.errors import ConsoleError
from console.core.i18n import _

Layer = Literal["text", "zlib", "cbor", "cose", "encryption", "cwt", "claim169"]
KidLocation = Literal["protected", "unprotected", "none"]

TAG_CWT: Final = 61
TAG_SIGN1: Final = 18
TAG_ENCRYPT0: Final = 16
HEADER_ALG: Final = 1
HEADER_KID: Final = 4
HEADER_IV: Final = 5
#: COSE signature algorithms a verifier accepts (RFC 9053): name by COSE number.
SIGNATURE_ALGORITHMS: Final[dict[int, str]] = {-8: "EdDSA", -7: "ES256"}
#: COSE content encryption algorithms (RFC 9053 §4.1): name and key length by COSE number.
ENCRYPTION_ALGORITHMS: Final[dict[int, tuple[str, int]]] = {1: ("A128GCM", 16), 3: ("A256GCM", 32)}

CWT_ISS: Final = 1
CWT_SUB: Final = 2
CWT_EXP: Final = 4
CWT_NBF: Final = 5
CWT_IAT: Final = 6
CWT_CTI: Final = 7
CWT_IDENTITY: Final = 169
CWT_STATUS: Final = 65535

# Alphanumeric capacity of the largest QR code (version 40, level L): longer text cannot come from a scan.
MAX_TEXT_CHARS: Final = 4296
# A credential is at most a few KB; the limit stops a small zlib stream from inflating to megabytes.
MAX_INFLATED_BYTES: Final = 64 * 1024
_MAX_UNIX_SECONDS: Final = 253_402_300_799  # 9999-12-31T23:59:59Z
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_NEWLINE = r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]"  # the address only: compiled at first use

# Claim 169 attributes 1-23 (specification §3.1): key -> (JSON name, kind).
_TEXT, _INT, _DATE, _BYTES, _INTS = "text", "int", "date", "bytes", "ints"
ATTRIBUTES: Final[dict[int, tuple[str, str]]] = {
    1: ("id_number", _TEXT),
    2: ("version", _TEXT),
    3: ("language", _TEXT),
    4: ("full_name", _TEXT),
    5: ("first_name", _TEXT),
    6: ("middle_name", _TEXT),
    7: ("last_name", _TEXT),
    8: ("birth_date", _DATE),
    9: ("gender", _INT),
    10: ("address", _TEXT),
    11: ("email", _TEXT),
    12: ("phone", _TEXT),
    13: ("nationality", _TEXT),
    14: ("marital_status", _INT),
    15: ("guardian", _TEXT),
    16: ("photo", _BYTES),  # deprecated binary image; the face biometric (62) replaces it
    17: ("photo_format", _INT),
    18: ("best_quality_fingers", _INTS),
    19: ("secondary_full_name", _TEXT),
    20: ("secondary_language", _TEXT),
    21: ("location_code", _TEXT),
    22: ("legal_status", _TEXT),
    23: ("country", _TEXT),
}
BIOMETRICS: Final[dict[int, str]] = {
    50: "right_thumb",
    51: "right_pointer_finger",
    52: "right_middle_finger",
    53: "right_ring_finger",
    54: "right_little_finger",
    55: "left_thumb",
    56: "left_pointer_finger",
    57: "left_middle_finger",
    58: "left_ring_finger",
    59: "left_little_finger",
    60: "right_iris",
    61: "left_iris",
    62: "face",
    63: "right_palm",
    64: "left_palm",
    65: "voice",
}
BIO_DATA, BIO_FORMAT, BIO_SUB_FORMAT, BIO_ISSUER = 0, 1, 2, 3
_BIO_FORMATS: Final = {0: "image", 1: "template", 2: "sound", 3: "bio hash"}
_IMAGE_FORMATS: Final = {0: "png", 1: "jpeg", 2: "jpeg2000", 3: "avif", 4: "webp", 5: "tiff", 6: "wsq"}
_SUB_FORMATS: Final[dict[int, dict[int, str]]] = {
    0: _IMAGE_FORMATS,
    1: {0: "ANSI 378", 1: "ISO 19794-2", 2: "NIST"},
    2: {0: "wav", 1: "mp3"},
}
#: The deprecated photo format attribute (17): 1 JPEG, 2 JPEG2000, 3 AVIF, 4 WEBP.
_PHOTO_FORMATS: Final = {1: "jpeg", 2: "jpeg2000", 3: "avif", 4: "webp"}
_GENDERS: Final = {1: "M", 2: "F", 3: "X"}
_MARITAL: Final = {1: "unmarried", 2: "married", 3: "divorced"}
#: Images a verifier may show (rendered by Qt or a browser); other formats are listed, not rendered.
SHOWABLE_IMAGES: Final = frozenset({"png", "jpeg", "webp", "jpeg2000", "avif"})


class Claim169Error(ConsoleError):
    """The text is not a Claim 169 credential; `layer` says where reading stopped (for a verdict and tests)."""

    def __init__(self, layer: Layer, message: str) -> None:
        super().__init__(message)
        self.layer: Layer = layer


class EncryptedCredentialError(Claim169Error):
    """The credential is encrypted (COSE_Encrypt0) and no key, or the wrong key, was given to open it."""

    def __init__(self, algorithm: str, message: str) -> None:
        super().__init__("encryption", message)
        self.algorithm = algorithm


# ----------------------------------------------------------------------------------------------- envelope


@dataclass(frozen=True)
class SignedMessage:
    """A decoded, not yet verified COSE_Sign1 and how it was wrapped."""

    protected: bytes
    payload: bytes
    signature: bytes
    algorithm: str  # "EdDSA" or "ES256"; "none" for claims that were only encrypted, never signed
    kid: bytes | None
    kid_location: KidLocation
    tagged: bool  # tag 18 present
    cwt_tag: bool  # wrapped in CWT tag 61
    encrypted: str | None = None  # "A128GCM"/"A256GCM" when it came out of a COSE_Encrypt0

    def to_be_signed(self) -> bytes:
        """The Sig_structure (RFC 9052 §4.4) the signature covers; external AAD is empty.

        Written by hand (it is fixed: a 4-array, a text, three byte strings) because it is on the verify hot
        path; tests compare it with cbor2's encoding.
        """
        return b"".join(
            (
                _SIG1_PREFIX,
                _bstr_head(len(self.protected)),
                self.protected,
                b"\x40",
                _bstr_head(len(self.payload)),
                self.payload,
            )
        )


_SIG1_PREFIX: Final = b"\x84\x6aSignature1"


def _bstr_head(size: int) -> bytes:
    """The CBOR head of a byte string of `size` bytes (major type 2, shortest form)."""
    if size < 24:
        return bytes([0x40 | size])
    if size < 0x100:
        return bytes([0x58, size])
    if size < 0x10000:
        return b"\x59" + size.to_bytes(2, "big")
    return b"\x5a" + size.to_bytes(4, "big")


def unwrap_text(text: object) -> bytes:
    """QR text -> inflated bytes, refusing anything too large before doing work proportional to it.

    Raises:
        Claim169Error: layer ``text`` or ``zlib``.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as e:
            raise Claim169Error("text", _("The scanned text contains characters a credential never has.")) from e
    if not isinstance(text, str):
        raise Claim169Error("text", _("The scanned data is not text."))
    # A scanner that types the text ends it with Enter; CR and LF are not Base45 characters, space is.
    text = text.rstrip("\r\n")
    if not text:
        raise Claim169Error("text", _("The scanned text is empty."))
    if len(text) > MAX_TEXT_CHARS:
        raise Claim169Error("text", _("The scanned text is too long to come from a card's QR code."))
    try:
        compressed: bytes = b45.b45decode(text)
    except ValueError as e:
        raise Claim169Error(
            "text",
            _(
                "The scanned text is not a card's code: it has characters such codes never have (only upper-case "
                "letters, digits and ' $%*+-./:'). It may be cut short or changed, or the scanner's keyboard "
                "layout does not match the computer's."
            ),
        ) from e
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(compressed, MAX_INFLATED_BYTES + 1)
    except zlib.error as e:
        raise Claim169Error(
            "zlib", _("The scanned text is not a card's code: its data is not packed the way a card's is.")
        ) from e
    if len(inflated) > MAX_INFLATED_BYTES or inflater.unconsumed_tail:
        raise Claim169Error("zlib", _("The scanned text inflates to far more data than a credential holds."))
    if not inflater.eof:
        raise Claim169Error("zlib", _("The compressed data in the scanned text is cut short."))
    if inflater.unused_data:
        raise Claim169Error("zlib", _("The scanned text has extra data after the credential."))
    return inflated


def _what(what: str) -> str:
    """The translated name of a part, looked up only when a message needs it (not on the hot path)."""
    names = {
        "credential": _("credential"),
        "decrypted credential": _("decrypted credential"),
        "credential's claims": _("credential's claims"),
        "COSE_Sign1": _("{what} protected header").format(what="COSE_Sign1"),
        "COSE_Encrypt0": _("{what} protected header").format(what="COSE_Encrypt0"),
    }
    return names.get(what, what)


def _loads(data: bytes, layer: Layer, what: str, *, whole: bool = False) -> Any:
    """Decode one CBOR item. With `whole`, it must fill `data` exactly: bytes after the outer, unsigned
    envelope could be varied at will, so they are refused (inside signed data they change the signature)."""
    try:
        if not whole:
            return cbor2.loads(data)
        stream = io.BytesIO(data)
        item = cbor2.CBORDecoder(stream).decode()
        if stream.tell() != len(data):
            raise Claim169Error(layer, _("The {what} has extra data after its CBOR item.").format(what=_what(what)))
        return item
    except Claim169Error:
        raise
    except RecursionError as e:
        raise Claim169Error(
            layer, _("The {what} is nested too deeply to be a credential.").format(what=_what(what))
        ) from e
    except Exception as e:  # cbor2 raises many types on garbage (its own, ValueError, TypeError, ...)
        raise Claim169Error(layer, _("The {what} is not valid CBOR.").format(what=_what(what))) from e


def _header_map(raw: object, what: str) -> dict[Any, Any]:
    if not isinstance(raw, bytes):
        raise Claim169Error("cose", _("The {what} protected header is not a byte string.").format(what=what))
    if not raw:
        return {}
    header = _loads(raw, "cose", what)
    if not isinstance(header, dict):
        raise Claim169Error("cose", _("The {what} protected header is not a map.").format(what=what))
    return header


def _strip_tags(obj: Any) -> tuple[Any, bool, int | None]:
    """Remove an optional CWT tag 61, then return (item, had tag 61, COSE tag or None)."""
    cwt = False
    if isinstance(obj, cbor2.CBORTag) and obj.tag == TAG_CWT:
        cwt, obj = True, obj.value
    if isinstance(obj, cbor2.CBORTag):
        if obj.tag not in (TAG_SIGN1, TAG_ENCRYPT0):
            raise Claim169Error(
                "cose",
                _("Expected a COSE_Sign1 (tag 18) or COSE_Encrypt0 (tag 16), found CBOR tag {tag}.").format(
                    tag=obj.tag if obj.tag < 2**32 else "?"
                ),
            )
        return obj.value, cwt, obj.tag
    return obj, cwt, None


def _sign1(obj: Any, cwt: bool, tag: int | None, encrypted: str | None) -> SignedMessage:
    if not isinstance(obj, list) or len(obj) != 4:
        raise Claim169Error("cose", _("The card's code holds no signed data in the form ID cards use."))
    protected, unprotected, payload, signature = obj
    header = _header_map(protected, "COSE_Sign1")
    if not isinstance(unprotected, dict):
        raise Claim169Error("cose", _("The card's signature block is damaged (its header)."))
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise Claim169Error("cose", _("The card's signature block is damaged (its data or signature)."))
    alg = header.get(HEADER_ALG)
    if type(alg) is not int or alg not in SIGNATURE_ALGORITHMS:
        shown = alg if type(alg) is int and abs(alg) < 2**31 else type(alg).__name__
        raise Claim169Error(
            "cose",
            _(
                "The card is signed with an algorithm ({alg}) that ID cards do not use; EdDSA and ES256 are accepted."
            ).format(alg=shown),
        )
    kid: bytes | None = None
    location: KidLocation = "none"
    for where, source in (("protected", header), ("unprotected", unprotected)):
        if HEADER_KID in source:
            value = source[HEADER_KID]
            if not isinstance(value, bytes) or not 0 < len(value) <= 256:
                raise Claim169Error("cose", _("The card names its signing key in a damaged form."))
            kid, location = value, where  # type: ignore[assignment]
            break
    return SignedMessage(
        protected=protected,
        payload=payload,
        signature=signature,
        algorithm=SIGNATURE_ALGORITHMS[alg],
        kid=kid,
        kid_location=location,
        tagged=tag == TAG_SIGN1,
        cwt_tag=cwt,
        encrypted=encrypted,
    )


def _decrypt(obj: Any, key: bytes | None) -> tuple[bytes, str]:
    if not isinstance(obj, list) or len(obj) != 3:
        raise Claim169Error("cose", _("The encrypted data is not a COSE_Encrypt0 structure (3-element array)."))
    protected, unprotected, ciphertext = obj
    header = _header_map(protected, "COSE_Encrypt0")
    if not isinstance(unprotected, dict) or not isinstance(ciphertext, bytes):
        raise Claim169Error("cose", _("The COSE_Encrypt0 headers or ciphertext have the wrong types."))
    alg = header.get(HEADER_ALG)
    if type(alg) is not int or alg not in ENCRYPTION_ALGORITHMS:
        raise Claim169Error(
            "encryption", _("The credential is encrypted with an algorithm this verifier does not know (not AES-GCM).")
        )
    name, key_size = ENCRYPTION_ALGORITHMS[alg]
    iv = header.get(HEADER_IV, unprotected.get(HEADER_IV))
    if not isinstance(iv, bytes) or len(iv) != 12:
        raise Claim169Error("cose", _("The COSE_Encrypt0 has no 12-byte IV (header 5)."))
    if key is None:
        raise EncryptedCredentialError(
            name,
            _(
                "The credential is encrypted ({alg}); give the issuer's decryption key (verify --decrypt-key FILE)."
            ).format(alg=name),
        )
    if len(key) != key_size:
        raise EncryptedCredentialError(
            name,
            _(
                "The credential is encrypted with {alg}, which needs a {size}-byte key; the key given has {given}."
            ).format(alg=name, size=key_size, given=len(key)),
        )
    aad = cbor2.dumps(["Encrypt0", protected, b""])  # Enc_structure, RFC 9052 §5.3
    # imported here: `cryptography` costs ~15 ms per process and only encrypted cards need it (issue 16)
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key).decrypt(iv, ciphertext, aad), name
    except InvalidTag as e:
        raise EncryptedCredentialError(
            name,
            _("The credential does not decrypt with the key given ({alg}): wrong key, or altered data.").format(
                alg=name
            ),
        ) from e


def open_envelope(data: bytes, decrypt_key: bytes | None = None) -> SignedMessage:
    """The COSE_Sign1 inside `data` (decrypting a COSE_Encrypt0 with `decrypt_key` first).

    Raises:
        Claim169Error: malformed (layer ``cbor`` or ``cose``); `EncryptedCredentialError` when encrypted
            and the key is missing or wrong.
    """
    obj, cwt, tag = _strip_tags(_loads(data, "cbor", "credential", whole=True))
    if tag == TAG_ENCRYPT0 or (tag is None and isinstance(obj, list) and len(obj) == 3):
        plaintext, algorithm = _decrypt(obj, decrypt_key)
        inner, inner_cwt, inner_tag = _strip_tags(_loads(plaintext, "cose", "decrypted credential", whole=True))
        if inner_tag == TAG_ENCRYPT0:
            raise Claim169Error("cose", _("The decrypted credential is encrypted again; only one layer is allowed."))
        if inner_tag is None and isinstance(inner, dict):
            # Encrypted but not signed: the claims themselves. Readable, but nothing vouches for them.
            return SignedMessage(plaintext, plaintext, b"", "none", None, "none", False, cwt or inner_cwt, algorithm)
        return _sign1(inner, cwt or inner_cwt, inner_tag, algorithm)
    return _sign1(obj, cwt, tag, None)


def verify_signature(message: SignedMessage, public_key: bytes, algorithm: str) -> bool:
    """True when the signature verifies with this key (Ed25519 raw key, or P-256 uncompressed point)."""
    if algorithm != message.algorithm or len(message.signature) != 64:
        return False
    if algorithm == "EdDSA":
        return ed25519.holds(public_key, message.to_be_signed(), message.signature)
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, utils

    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key)
        # COSE carries r||s (RFC 9053 §2.1); cryptography wants DER.
        r = int.from_bytes(message.signature[:32], "big")
        s = int.from_bytes(message.signature[32:], "big")
        key.verify(utils.encode_dss_signature(r, s), message.to_be_signed(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


# ----------------------------------------------------------------------------------------------- claims


@dataclass(frozen=True)
class Biometric:
    """One biometric entry, described without its data (raw templates are never shown)."""

    key: int
    name: str
    data: bytes
    format: int | None
    sub_format: int | None
    issuer: str | None

    @property
    def format_name(self) -> str | None:
        return _BIO_FORMATS.get(self.format) if self.format is not None else None

    @property
    def sub_format_name(self) -> str | None:
        if self.format is None or self.sub_format is None:
            return None
        if 100 <= self.sub_format <= 200:
            return _("vendor {code}").format(code=self.sub_format)
        return _SUB_FORMATS.get(self.format, {}).get(self.sub_format)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "type": self.name,
            "format": self.format_name if self.format_name is not None else self.format,
            "sub_format": self.sub_format_name if self.sub_format_name is not None else self.sub_format,
            "size": len(self.data),
            "issuer": self.issuer,
        }


@dataclass(frozen=True)
class Holder:
    """The decoded Claim 169 map: typed attributes, biometrics, a face image to show, unknown keys."""

    attributes: dict[str, Any]
    biometrics: tuple[Biometric, ...] = ()
    photo: bytes | None = None
    photo_format: str | None = None
    unknown: tuple[tuple[Any, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The holder data for a verdict: the keys this console's own cards use first, then the rest."""
        attrs = self.attributes
        gender = attrs.get("gender")
        out: dict[str, Any] = {
            "id_number": attrs.get("id_number"),
            "full_name": attrs.get("full_name"),
            "first_name": attrs.get("first_name"),
            "last_name": attrs.get("last_name"),
            "secondary_full_name": attrs.get("secondary_full_name"),
            "secondary_language": attrs.get("secondary_language"),
            "birth_date": attrs.get("birth_date"),
            "sex": _GENDERS.get(gender) if isinstance(gender, int) else None,
            "location_code": attrs.get("location_code"),
            "country": attrs.get("country"),
            "photo": base64.b64encode(self.photo).decode("ascii") if self.photo is not None else None,
            "photo_format": self.photo_format,
        }
        for name, value in attrs.items():
            if name in out or name in ("gender", "photo", "photo_format"):
                continue
            out[name] = _MARITAL.get(value, value) if name == "marital_status" else value
        if self.biometrics:
            out["biometrics"] = [b.to_json() for b in self.biometrics]
        if self.unknown:
            out["unknown"] = [{"key": k, "value": v} for k, v in self.unknown]
        return out


def _text(value: object, key: int, name: str) -> str:
    if not isinstance(value, str):
        raise Claim169Error("claim169", _("Attribute {key} ({name}) is not text.").format(key=key, name=name))
    # the address separates lines with \n (spec)
    bad = re.search(_CONTROL_BUT_NEWLINE, value) if key == 10 else _CONTROL.search(value)
    if bad:
        raise Claim169Error(
            "claim169", _("Attribute {key} ({name}) contains control characters.").format(key=key, name=name)
        )
    return value


def birth_date_text(value: object) -> str:
    """A date of birth in any form the specification and CBOR allow -> ISO ``YYYY-MM-DD``.

    Forms: ``YYYYMMDD`` (the specification's), ``YYYY-MM-DD`` (its worked example), and CBOR dates (tag 1004
    full-date text, tag 100 days since 1970), which cbor2 hands over as `date`.

    Raises:
        Claim169Error: not a real date in one of those forms.
    """
    if isinstance(value, datetime):
        raise Claim169Error("claim169", _("The date of birth (attribute 8) has a time of day; it must be a date."))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        # YYYYMMDD or YYYY-MM-DD, ASCII digits only (str.isdigit alone allows other scripts' digits); tested
        # without regular expressions, which cost ~2 ms to compile in every `verify` process (issue 16)
        digits = value[:4] + value[5:7] + value[8:] if len(value) == 10 and value[4] + value[7] == "--" else value
        if len(digits) == 8 and digits.isascii() and digits.isdigit():
            try:
                return date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
            except ValueError:
                pass
    raise Claim169Error(
        "claim169", _("The date of birth (attribute 8) is not a date in the form YYYYMMDD or YYYY-MM-DD.")
    )


def _attribute(key: int, value: object) -> Any:
    name, kind = ATTRIBUTES[key]
    if kind == _TEXT:
        return _text(value, key, name)
    if kind == _DATE:
        return birth_date_text(value)
    if kind == _BYTES:
        if isinstance(value, bytes):
            return value
        raise Claim169Error("claim169", _("Attribute {key} ({name}) is not binary data.").format(key=key, name=name))
    if kind == _INTS:
        if isinstance(value, list) and all(type(v) is int and 0 <= v <= 10 for v in value):
            return list(value)
        raise Claim169Error(
            "claim169", _("Attribute 18 (best quality fingers) is not a list of finger positions 0-10.")
        )
    allowed = {9: _GENDERS, 14: _MARITAL, 17: _PHOTO_FORMATS}[key]
    if type(value) is not int or value not in allowed:
        raise Claim169Error(
            "claim169",
            _("Attribute {key} ({name}) is not one of the values {values}.").format(
                key=key, name=name, values=", ".join(str(v) for v in allowed)
            ),
        )
    return value


def _biometrics(key: int, value: object) -> list[Biometric]:
    name = BIOMETRICS[key]
    entries = value if isinstance(value, list) else [value]  # the spec's worked example has one bare map
    out: list[Biometric] = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get(BIO_DATA), bytes):
            raise Claim169Error(
                "claim169",
                _("Biometric attribute {key} ({name}) is not a list of entries with binary data.").format(
                    key=key, name=name
                ),
            )
        data_format, sub_format, issuer = entry.get(BIO_FORMAT), entry.get(BIO_SUB_FORMAT), entry.get(BIO_ISSUER)
        if (data_format is not None and type(data_format) is not int) or (
            sub_format is not None and type(sub_format) is not int
        ):
            raise Claim169Error(
                "claim169",
                _("Biometric attribute {key} ({name}) has a format that is not a number.").format(key=key, name=name),
            )
        if issuer is not None:
            issuer = _text(issuer, key, name)
        out.append(Biometric(key, name, entry[BIO_DATA], data_format, sub_format, issuer))
    return out


def _unknown_value(value: object) -> str:
    if isinstance(value, bytes):
        return _("{size} bytes").format(size=len(value))
    if isinstance(value, str):
        return (
            value
            if len(value) <= 80 and not _CONTROL.search(value)
            else _("text of {size} characters").format(size=len(value))
        )
    if isinstance(value, bool | int | float) or value is None:
        return repr(value)
    return type(value).__name__


def parse_holder(value: object) -> Holder:
    """Decode the Claim 169 map (CWT claim 169).

    Raises:
        Claim169Error: layer ``claim169``, naming the attribute that breaks the specification.
    """
    if not isinstance(value, dict):
        raise Claim169Error("claim169", _("The credential holds no identity data (claim 169 is missing)."))
    attributes: dict[str, Any] = {}
    biometrics: list[Biometric] = []
    unknown: list[tuple[Any, str]] = []
    for key, item in value.items():
        if type(key) is int and key in ATTRIBUTES:
            attributes[ATTRIBUTES[key][0]] = _attribute(key, item)
        elif type(key) is int and key in BIOMETRICS:
            biometrics.extend(_biometrics(key, item))
        else:
            shown = key if isinstance(key, int | str) else type(key).__name__
            unknown.append((shown, _unknown_value(item)))
    biometrics.sort(key=lambda b: b.key)  # stable: entries of one attribute keep their order
    unknown.sort(key=lambda u: (not isinstance(u[0], int), str(u[0]) if not isinstance(u[0], int) else u[0]))
    photo: bytes | None = None
    photo_format: str | None = None
    for bio in biometrics:
        if bio.key == 62 and bio.format in (0, None) and bio.sub_format in _IMAGE_FORMATS:
            photo, photo_format = bio.data, _IMAGE_FORMATS[bio.sub_format]
            break
    if photo is None and isinstance(attributes.get("photo"), bytes):
        photo = attributes["photo"]
        photo_format = _PHOTO_FORMATS.get(attributes.get("photo_format", 0))
    attributes.pop("photo", None)
    if photo_format is not None:
        attributes["photo_format"] = photo_format
    else:
        attributes.pop("photo_format", None)
    return Holder(attributes, tuple(biometrics), photo, photo_format, tuple(unknown))


def _time(claims: dict[Any, Any], key: int) -> int | None:
    """A CWT NumericDate (RFC 8392 §2): integer or floating seconds, or a CBOR tag 1 time; None when absent."""
    if key not in claims:
        return None
    value = claims[key]
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.timestamp()
    if type(value) is float and value == value and abs(value) < 2**53:
        value = int(value)
    if type(value) is not int or not 0 <= value <= _MAX_UNIX_SECONDS:
        name = {CWT_EXP: _("expiry time"), CWT_NBF: _("start of validity")}.get(key) or _("issue time")
        raise Claim169Error("cwt", _("The credential's {name} (claim {key}) is not a time.").format(name=name, key=key))
    return value


@dataclass(frozen=True)
class Cwt:
    """The CWT claims of a Claim 169 credential, checked for type, not yet believed."""

    issuer: str | None
    subject: str | None
    expires: int | None
    not_before: int | None
    issued_at: int | None
    credential_id: bytes | None
    holder: Holder
    status_uri: str | None = None
    status_idx: int | None = None
    unknown_claims: tuple[Any, ...] = field(default=())


def parse_cwt(payload: bytes) -> Cwt:
    """Decode the signed payload: the CWT claims map with claim 169.

    Raises:
        Claim169Error: layer ``cwt`` (claims) or ``claim169`` (holder data).
    """
    claims = _loads(payload, "cwt", "credential's claims")
    if not isinstance(claims, dict):
        raise Claim169Error("cwt", _("The card's data is damaged: it is not a set of named fields."))
    issuer = claims.get(CWT_ISS)
    if issuer is not None and (not isinstance(issuer, str) or _CONTROL.search(issuer)):
        raise Claim169Error("cwt", _("The credential's issuer (claim 1) is not text."))
    subject = claims.get(CWT_SUB)
    if subject is not None and not isinstance(subject, str):
        raise Claim169Error("cwt", _("The credential's subject (claim 2) is not text."))
    cti = claims.get(CWT_CTI)
    if cti is not None and not isinstance(cti, bytes):
        raise Claim169Error("cwt", _("The credential id (claim 7) is not a byte string."))
    status_uri: str | None = None
    status_idx: int | None = None
    if CWT_STATUS in claims:
        status = claims[CWT_STATUS]
        ref = status.get("status_list") if isinstance(status, dict) else None
        idx = ref.get("idx") if isinstance(ref, dict) else None
        uri = ref.get("uri") if isinstance(ref, dict) else None
        if type(idx) is not int or not 0 <= idx < 2**32 or not isinstance(uri, str) or _CONTROL.search(uri):
            raise Claim169Error(
                "cwt", _("The credential's status (claim 65535) is not a status list reference (idx and uri).")
            )
        status_uri, status_idx = uri, idx
    return Cwt(
        issuer=issuer,
        subject=subject,
        expires=_time(claims, CWT_EXP),
        not_before=_time(claims, CWT_NBF),
        issued_at=_time(claims, CWT_IAT),
        credential_id=cti,
        holder=parse_holder(claims.get(CWT_IDENTITY)),
        status_uri=status_uri,
        status_idx=status_idx,
    )


def iso(seconds: int | None) -> str | None:
    """Unix seconds as ISO 8601 UTC (``2026-01-15T09:30:00Z``)."""
    if seconds is None:
        return None
    # isoformat, not strftime: three of these per verify, and strftime costs ~15 us each (issue 16)
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")[:19] + "Z"


# ----------------------------------------------------------------------------------------------- display


def _labels() -> dict[str, str]:
    """Labels in the active language (looked up per call, so a language switch takes effect)."""
    return {
        "id_number": _("ID number"),
        "version": _("Version"),
        "language": _("Language"),
        "full_name": _("Full name"),
        "first_name": _("First name"),
        "middle_name": _("Middle name"),
        "last_name": _("Last name"),
        "birth_date": _("Date of birth"),
        "sex": _("Sex"),
        "address": _("Address"),
        "email": _("Email"),
        "phone": _("Phone"),
        "nationality": _("Nationality"),
        "marital_status": _("Marital status"),
        "guardian": _("Guardian"),
        "best_quality_fingers": _("Best quality fingers"),
        "secondary_full_name": _("Name (secondary language)"),
        "secondary_language": _("Secondary language"),
        "location_code": _("Location code"),
        "legal_status": _("Legal status"),
        "country": _("Country of issuance"),
        "photo_format": _("Photo format"),
    }


def display_rows(claims: dict[str, Any]) -> list[tuple[str, str]]:
    """The holder data of a verdict as (label, text) rows, in the specification's order, for CLI and GUI.

    Biometrics show as type, format and size; unknown keys as "unknown key N".
    """
    rows: list[tuple[str, str]] = []
    for name, label in _labels().items():
        value = claims.get(name)
        if value is None or value == []:
            continue
        text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        rows.append((label, text))
    for bio in claims.get("biometrics") or []:
        parts = [str(p) for p in (bio.get("format"), bio.get("sub_format")) if p is not None]
        rows.append(
            (
                _("Biometric: {type}").format(type=str(bio.get("type", "")).replace("_", " ")),
                _("{kind}, {size} bytes").format(kind=" / ".join(parts) or _("format not given"), size=bio.get("size")),
            )
        )
    for item in claims.get("unknown") or []:
        rows.append((_("Unknown key {key}").format(key=item.get("key")), str(item.get("value"))))
    return rows
