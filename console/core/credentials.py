"""Credentials: the holder's data as a MOSIP Claim 169 CWT, signed, compressed and Base45-encoded for a QR code.

Pipeline (DESIGN §5; docs/credential-format.md has every key and a worked example)::

    CWT claims map {1 iss, 4 exp, 6 iat, 7 cti, 169 holder map}  -- CBOR, RFC 8392
      -> COSE_Sign1, EdDSA, protected {alg: -8, kid}                -- cose.sign1, RFC 9052
      -> zlib -> Base45 (RFC 9285), no prefix                       -- alphanumeric-mode QR text

Invariants:
- Encoding is deterministic: one `Credential` and one key give one text, byte for byte (tests/vectors).
- Decoding accepts exactly the unsigned envelope this module writes (tagged COSE_Sign1, protected header
  ``{1: -8, 4: kid}``, empty unprotected header, no bytes after the CBOR or the zlib stream), so a credential
  has exactly one text and no unsigned byte can be changed without the credential becoming malformed.
  Inside the signed payload unknown claims are ignored, as RFC 8392 asks.
- Nothing is trusted before it is checked: untrusted text is bounded (length, inflated size) before it is
  parsed, and `verify_credential` never raises for any text — every failure is a `Verdict`.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final, Literal

import cbor2
import nacl.signing

from console.core import b45, cose
from console.core.errors import ConsoleError, ValidationError
from console.core.i18n import _
from console.core.trust import TrustList

logger = logging.getLogger(__name__)

Sex = Literal["F", "M", "X"]
PhotoFormat = Literal["png", "jpeg", "jpeg2000", "avif", "webp"]
CredentialState = Literal["active", "revoked", "suspended", "superseded"]
VerdictStatus = Literal[
    "valid",
    "revoked",
    "suspended",
    "superseded",
    "expired",
    "not-yet-valid",
    "bad-signature",
    "unknown-issuer",
    "malformed",
    "encrypted",
    "status-unknown",
    "tampered",  # issue 12: the office's row disagrees with its signed events
    "unrecorded",  # issue 12: signed by this office, but not on its record (offline forgery or deleted row)
]

# CWT claim keys (RFC 8392 §3.1.1-3.1.7, IANA "CBOR Web Token Claims"); 169 is MOSIP's identity-data claim.
CWT_ISS: Final = 1
CWT_EXP: Final = 4
CWT_NBF: Final = 5
CWT_IAT: Final = 6
CWT_CTI: Final = 7
CWT_IDENTITY_DATA: Final = 169
CWT_STATUS: Final = 65535  # IETF Token Status List: {"status_list": {"idx": int, "uri": text}}

# Claim 169 attributes (MOSIP 169 QR Code Specification 1.2.2, §3.1).
C169_ID: Final = 1
C169_FULL_NAME: Final = 4
C169_FIRST_NAME: Final = 5
C169_LAST_NAME: Final = 7
C169_DATE_OF_BIRTH: Final = 8  # tstr, YYYYMMDD
C169_GENDER: Final = 9  # int: 1 male, 2 female, 3 others
C169_SECONDARY_FULL_NAME: Final = 19
C169_SECONDARY_LANGUAGE: Final = 20  # ISO 639-3
C169_LOCATION_CODE: Final = 21
C169_COUNTRY_OF_ISSUANCE: Final = 23
C169_FACE: Final = 62  # [Biometrics]; replaces the deprecated 16/17 photo attributes
# Biometrics object keys and the "image" data format with its sub formats.
BIO_DATA: Final = 0
BIO_FORMAT: Final = 1
BIO_SUB_FORMAT: Final = 2
BIO_FORMAT_IMAGE: Final = 0
_IMAGE_SUB_FORMATS: Final[dict[PhotoFormat, int]] = {"png": 0, "jpeg": 1, "jpeg2000": 2, "avif": 3, "webp": 4}
_GENDER_CODES: Final[dict[Sex, int]] = {"M": 1, "F": 2, "X": 3}

MAX_PHOTO_BYTES: Final = 1024
CREDENTIAL_ID_BYTES: Final = 16
# Alphanumeric capacity of the largest QR code (version 40, level L): longer text cannot come from a scan.
MAX_TEXT_CHARS: Final = 4296
# A credential is a few hundred bytes; the limit stops a small zlib stream from inflating to megabytes.
MAX_INFLATED_BYTES: Final = 64 * 1024
ZLIB_LEVEL: Final = 9

_NAME_MAX: Final = 200
_ID_MAX: Final = 64
_CODE_MAX: Final = 64
_MAX_UNIX_SECONDS: Final = 253_402_300_799  # 9999-12-31T23:59:59Z, the last second datetime can hold
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LANGUAGE = re.compile(r"[a-z]{3}")
_COUNTRY = re.compile(r"[A-Z]{3}")
_BIRTH_DATE = re.compile(r"[0-9]{8}")
_ABSENT: Final = object()


class MalformedCredentialError(ConsoleError):
    """The text is not a credential in this console's format; the message says which layer failed."""


def _check_text(field_name: str, value: object, label: str, max_len: int) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field_name, _("The {label} is empty.").format(label=label))
    if len(value) > max_len:
        raise ValidationError(
            field_name, _("The {label} is longer than {limit} characters.").format(label=label, limit=max_len)
        )
    if _CONTROL_CHARS.search(value):
        raise ValidationError(field_name, _("The {label} contains control characters.").format(label=label))


def _whole_second_utc(field_name: str, moment: object, label: str) -> datetime:
    """CWT times are whole Unix seconds: normalise so that decode(encode(x)) == x."""
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(
            field_name, _("The {label} must be a date and time with a time zone.").format(label=label)
        )
    normal = moment.astimezone(UTC).replace(microsecond=0)
    if not 0 <= normal.timestamp() <= _MAX_UNIX_SECONDS:
        raise ValidationError(field_name, _("The {label} is before 1970.").format(label=label))
    return normal


@dataclass(frozen=True, kw_only=True)
class HolderClaims:
    """The holder's data printed in the QR code: what a verifier needs to match card and person, no more.

    Names come twice: the Latin form (ICAO 9303 transliteration, as in the MRZ) as full/first/last name, and
    the name as entered, in any script, as the secondary full name with its ISO 639-3 language code.

    Raises:
        ValidationError: on construction, naming the field that breaks a rule.
    """

    id_number: str
    full_name: str
    first_name: str | None = None
    last_name: str | None = None
    secondary_full_name: str | None = None
    secondary_language: str | None = None
    birth_date: date
    sex: Sex
    location_code: str | None = None
    country: str
    photo: bytes | None = None
    photo_format: PhotoFormat | None = None

    def __post_init__(self) -> None:
        _check_text("id_number", self.id_number, _("ID number"), _ID_MAX)
        _check_text("full_name", self.full_name, _("full name (Latin form)"), _NAME_MAX)
        if self.first_name is not None:
            _check_text("first_name", self.first_name, _("first name (Latin form)"), _NAME_MAX)
        if self.last_name is not None:
            _check_text("last_name", self.last_name, _("last name (Latin form)"), _NAME_MAX)
        if self.secondary_full_name is not None:
            _check_text("secondary_full_name", self.secondary_full_name, _("name as entered"), _NAME_MAX)
        if self.secondary_language is not None:
            if self.secondary_full_name is None:
                raise ValidationError(
                    "secondary_language", _("A language is given for the name as entered, but that name is missing.")
                )
            if not isinstance(self.secondary_language, str) or not _LANGUAGE.fullmatch(self.secondary_language):
                raise ValidationError(
                    "secondary_language",
                    _("The language of the name as entered must be a three-letter ISO 639-3 code, such as 'zho'."),
                )
        # datetime is a subclass of date; a time of day has no place in a birth date.
        if not isinstance(self.birth_date, date) or isinstance(self.birth_date, datetime):
            raise ValidationError("birth_date", _("The birth date must be a calendar date."))
        if self.birth_date.year < 1000:
            raise ValidationError("birth_date", _("The birth date has no four-digit year."))
        if self.sex not in _GENDER_CODES:
            raise ValidationError("sex", _("The sex must be F, M or X."))
        if self.location_code is not None:
            _check_text("location_code", self.location_code, _("location code"), _CODE_MAX)
        if not isinstance(self.country, str) or not _COUNTRY.fullmatch(self.country):
            raise ValidationError(
                "country", _("The country of issuance must be a three-letter ISO 3166 code, such as 'CHN'.")
            )
        if (self.photo is None) != (self.photo_format is None):
            raise ValidationError("photo", _("A photo and its format go together; give both or neither."))
        if self.photo is not None:
            if not isinstance(self.photo, bytes) or not self.photo:
                raise ValidationError("photo", _("The photo is empty."))
            if len(self.photo) > MAX_PHOTO_BYTES:
                raise ValidationError(
                    "photo",
                    _("The photo is {size} bytes; a card's QR code holds at most {limit}.").format(
                        size=len(self.photo), limit=MAX_PHOTO_BYTES
                    ),
                )
            if self.photo_format not in _IMAGE_SUB_FORMATS:
                raise ValidationError("photo_format", _("The photo format must be png, jpeg, jpeg2000, avif or webp."))

    def to_json(self) -> dict[str, Any]:
        """The holder data in JSON-friendly form (ISO dates, photo in standard base64)."""
        return {
            "id_number": self.id_number,
            "full_name": self.full_name,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "secondary_full_name": self.secondary_full_name,
            "secondary_language": self.secondary_language,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
            "location_code": self.location_code,
            "country": self.country,
            "photo": base64.b64encode(self.photo).decode("ascii") if self.photo is not None else None,
            "photo_format": self.photo_format,
        }


@dataclass(frozen=True, kw_only=True)
class Credential:
    """One issued credential: the holder's claims plus the CWT claims that a check needs.

    Times are normalised to UTC whole seconds on construction, because the CWT carries Unix seconds.

    Raises:
        ValidationError: on construction, naming the field that breaks a rule.
    """

    holder: HolderClaims
    issuer: str
    issued_at: datetime
    expires_at: datetime
    credential_id: bytes
    #: Format 2 (docs/credential-format.md): `nbf` (= `iat` when issued) and the status list reference.
    not_before: datetime | None = None
    status_uri: str | None = None
    status_idx: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.holder, HolderClaims):
            raise ValidationError("holder", _("A credential needs the holder's claims."))
        _check_text("issuer", self.issuer, _("issuing office identifier"), _NAME_MAX)
        object.__setattr__(self, "issued_at", _whole_second_utc("issued_at", self.issued_at, _("issue time")))
        object.__setattr__(self, "expires_at", _whole_second_utc("expires_at", self.expires_at, _("expiry time")))
        if self.expires_at <= self.issued_at:
            raise ValidationError("expires_at", _("The credential would expire before it is issued."))
        if not isinstance(self.credential_id, bytes) or len(self.credential_id) != CREDENTIAL_ID_BYTES:
            raise ValidationError(
                "credential_id", _("A credential id is {size} bytes.").format(size=CREDENTIAL_ID_BYTES)
            )
        if self.not_before is not None:
            object.__setattr__(
                self, "not_before", _whole_second_utc("not_before", self.not_before, _("start of validity"))
            )
        if (self.status_uri is None) != (self.status_idx is None):
            raise ValidationError("status_idx", _("A status list reference needs both its URI and its index."))
        if self.status_idx is not None and (type(self.status_idx) is not int or not 0 <= self.status_idx < 2**32):
            raise ValidationError("status_idx", _("A status list index is a whole number from 0 to 2^32 - 1."))
        if self.status_uri is not None:
            _check_text("status_uri", self.status_uri, _("status list URI"), _NAME_MAX)


def new_credential_id() -> bytes:
    """A fresh random credential id (CWT `cti`): 16 bytes, so that ids never collide between offices."""
    return os.urandom(CREDENTIAL_ID_BYTES)


@dataclass(frozen=True)
class StatusInfo:
    """What the office knows about a credential's status, from its ledger cache.

    Attributes:
        state: "active" when nothing was recorded against it.
        as_of: when that knowledge was current (e.g. the last ledger sync), so a verdict can say how fresh it is.
        changed_at: when the credential entered `state`, if known.
    """

    state: CredentialState
    as_of: datetime
    changed_at: datetime | None = None


StatusLookup = Callable[[bytes], StatusInfo | None]


@dataclass(frozen=True)
class Verdict:
    """The answer to "is this card good?", for a person (`reason`) and for a program (`to_json`).

    `claims` holds the holder data whenever the text could be decoded, even if a later check failed, so that
    a clerk can see what a forged card claims; `valid` says whether to believe it.
    """

    valid: bool
    status: VerdictStatus
    reason: str
    claims: dict[str, Any] = field(default_factory=dict)
    credential_id: str | None = None
    issuer: str | None = None
    expires: str | None = None
    status_checked: bool = False
    status_as_of: str | None = None
    issued: str | None = None
    not_before: str | None = None
    #: What the verifier saw: signature algorithm ("EdDSA"/"ES256"), the kid (base64url) and where it was
    #: ("protected", "unprotected", "none"), the encryption ("A128GCM"/"A256GCM") or None, the wrapping.
    algorithm: str | None = None
    kid: str | None = None
    kid_location: str | None = None
    encrypted: str | None = None
    envelope: str | None = None
    #: The layer a refusal happened at (text, zlib, cbor, cose, encryption, cwt, claim169, key, signature,
    #: time, status), None when valid.
    layer: str | None = None
    #: The status list used: {"uri", "idx", "iat", "exp", "ttl", "refresh_after"} (ISO times), or None.
    status_list: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "status": self.status,
            "reason": self.reason,
            "claims": dict(self.claims),
            "credential_id": self.credential_id,
            "issuer": self.issuer,
            "expires": self.expires,
            "issued": self.issued,
            "not_before": self.not_before,
            "status_checked": self.status_checked,
            "status_as_of": self.status_as_of,
            "status_list": dict(self.status_list) if self.status_list is not None else None,
            "algorithm": self.algorithm,
            "kid": self.kid,
            "kid_location": self.kid_location,
            "encrypted": self.encrypted,
            "envelope": self.envelope,
            "layer": self.layer,
        }


# --------------------------------------------------------------------------------------------------- encode


def _holder_map(holder: HolderClaims) -> dict[int, Any]:
    # Keys in ascending order: that is CBOR's deterministic order for these small integers (RFC 8949 §4.2.1).
    out: dict[int, Any] = {C169_ID: holder.id_number, C169_FULL_NAME: holder.full_name}
    if holder.first_name is not None:
        out[C169_FIRST_NAME] = holder.first_name
    if holder.last_name is not None:
        out[C169_LAST_NAME] = holder.last_name
    out[C169_DATE_OF_BIRTH] = holder.birth_date.strftime("%Y%m%d")
    out[C169_GENDER] = _GENDER_CODES[holder.sex]
    if holder.secondary_full_name is not None:
        out[C169_SECONDARY_FULL_NAME] = holder.secondary_full_name
    if holder.secondary_language is not None:
        out[C169_SECONDARY_LANGUAGE] = holder.secondary_language
    if holder.location_code is not None:
        out[C169_LOCATION_CODE] = holder.location_code
    out[C169_COUNTRY_OF_ISSUANCE] = holder.country
    if holder.photo is not None and holder.photo_format is not None:
        out[C169_FACE] = [
            {
                BIO_DATA: holder.photo,
                BIO_FORMAT: BIO_FORMAT_IMAGE,
                BIO_SUB_FORMAT: _IMAGE_SUB_FORMATS[holder.photo_format],
            }
        ]
    return out


def cwt_claims(cred: Credential) -> dict[int, Any]:
    """The CWT claims map that is signed, in the order it is written (docs show it in CBOR diagnostic form)."""
    claims: dict[int, Any] = {CWT_ISS: cred.issuer, CWT_EXP: int(cred.expires_at.timestamp())}
    if cred.not_before is not None:
        claims[CWT_NBF] = int(cred.not_before.timestamp())
    claims |= {
        CWT_IAT: int(cred.issued_at.timestamp()),
        CWT_CTI: cred.credential_id,
        CWT_IDENTITY_DATA: _holder_map(cred.holder),
    }
    if cred.status_uri is not None:
        claims[CWT_STATUS] = {"status_list": {"idx": cred.status_idx, "uri": cred.status_uri}}
    return claims


def encode_credential(cred: Credential, signing_key: nacl.signing.SigningKey) -> str:
    """Sign `cred` with the office key and return the QR text (Base45, upper-case alphanumeric).

    Deterministic: Ed25519 signatures, CBOR and zlib output all depend only on their inputs.
    """
    signed = cose.sign1(signing_key, cbor2.dumps(cwt_claims(cred)))
    return b45.b45encode(deflate(signed))


#: Inputs up to this many bytes are deflated with a memory level of 4 (see `deflate`).
_SMALL_DEFLATE: Final = 1000


def deflate(data: bytes) -> bytes:
    """zlib at `ZLIB_LEVEL`, the very bytes of ``zlib.compress(data, 9)``, in a third of the time for a credential.

    The default memory level (8) sets up 256 KiB of hash and symbol tables per call, most of the cost for a few
    hundred bytes (issue 16). A memory level of 4 keeps the window (wbits 15) and changes only the hash table
    size and the symbol buffer (1,024 symbols): an input of at most 1,000 bytes never fills that buffer (no extra
    block) and its hash chains never reach level 9's chain limit (1,024 after a good match), so the matches and
    blocks, and hence the bytes, are the same. Larger inputs take the default. tests/core/test_deflate.py compares.
    """
    if len(data) <= _SMALL_DEFLATE:
        packer = zlib.compressobj(ZLIB_LEVEL, zlib.DEFLATED, 15, 4)
        return packer.compress(data) + packer.flush()
    return zlib.compress(data, ZLIB_LEVEL)


# --------------------------------------------------------------------------------------------------- decode


def _unwrap(text: object) -> bytes:
    """QR text -> COSE bytes, refusing anything too large before doing work proportional to it."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as e:
            raise MalformedCredentialError(_("The scanned text contains characters a credential never has.")) from e
    if not isinstance(text, str):
        raise MalformedCredentialError(_("The scanned data is not text."))
    # A scanner that types the text ends it with Enter; CR and LF are not Base45 characters, space is.
    text = text.rstrip("\r\n")
    if not text:
        raise MalformedCredentialError(_("The scanned text is empty."))
    if len(text) > MAX_TEXT_CHARS:
        raise MalformedCredentialError(_("The scanned text is too long to come from a card's QR code."))
    try:
        compressed: bytes = b45.b45decode(text)
    except ValueError as e:
        raise MalformedCredentialError(
            _(
                "The scanned text is not a card's code: it has characters such codes never have (only upper-case "
                "letters, digits and ' $%*+-./:'). It may be cut short or changed, or the scanner's keyboard "
                "layout does not match the computer's."
            )
        ) from e
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(compressed, MAX_INFLATED_BYTES + 1)
    except zlib.error as e:
        raise MalformedCredentialError(
            _("The scanned text is not a card's code: its data is not packed the way a card's is.")
        ) from e
    if len(inflated) > MAX_INFLATED_BYTES or inflater.unconsumed_tail:
        raise MalformedCredentialError(_("The scanned text inflates to far more data than a credential holds."))
    if not inflater.eof:
        raise MalformedCredentialError(_("The compressed data in the scanned text is cut short."))
    if inflater.unused_data:
        raise MalformedCredentialError(_("The scanned text has extra data after the credential."))
    return inflated


def _envelope(cose_bytes: bytes) -> cose.Sign1:
    try:
        message = cose.decode_sign1(cose_bytes)
    except cose.CoseError as e:
        raise MalformedCredentialError(str(e)) from e
    except ValueError as e:
        # decode_sign1 can leak ValueError while formatting a huge integer `alg` into its message.
        raise MalformedCredentialError(_("The signed data is not a COSE_Sign1 of the kind this console writes.")) from e
    kid = message.protected_header.get(cose.HEADER_KID)
    if (
        not isinstance(kid, bytes)
        or len(kid) != 8
        or message.protected != cbor2.dumps({cose.HEADER_ALG: cose.ALG_EDDSA, cose.HEADER_KID: kid})
    ):
        raise MalformedCredentialError(_("The signature header is not the one this console writes (EdDSA and kid)."))
    # The envelope is not signed: accept only the bytes we would write, so none of them can be varied.
    canonical = cbor2.dumps(
        cbor2.CBORTag(cose.COSE_SIGN1_TAG, [message.protected, {}, message.payload, message.signature])
    )
    if canonical != cose_bytes:
        raise MalformedCredentialError(_("The signed data is not laid out the way this console writes it."))
    return message


def _field(claims: dict[Any, Any], key: int) -> object:
    return claims.get(key, _ABSENT)


def _text_claim(claims: dict[Any, Any], key: int, label: str, *, required: bool) -> str | None:
    value = _field(claims, key)
    if value is _ABSENT and not required:
        return None
    if not isinstance(value, str):
        raise MalformedCredentialError(
            _("The credential's {label} (claim {key}) is missing or not text.").format(label=label, key=key)
        )
    return value


def _time_claim(claims: dict[Any, Any], key: int, label: str) -> datetime:
    value = _field(claims, key)
    # bool is an int in Python; CBOR true is not a time.
    if type(value) is not int or not 0 <= value <= _MAX_UNIX_SECONDS:
        raise MalformedCredentialError(
            _("The credential's {label} (claim {key}) is missing or not a time.").format(label=label, key=key)
        )
    return datetime.fromtimestamp(value, UTC)


def _birth_date(value: object) -> date:
    if not isinstance(value, str) or not _BIRTH_DATE.fullmatch(value):
        raise MalformedCredentialError(_("The credential's birth date (claim 169/8) is not in YYYYMMDD form."))
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as e:
        raise MalformedCredentialError(_("The credential's birth date (claim 169/8) is not a real date.")) from e


def _sex(value: object) -> Sex:
    if value == 1 and type(value) is int:
        return "M"
    if value == 2 and type(value) is int:
        return "F"
    if value == 3 and type(value) is int:
        return "X"
    raise MalformedCredentialError(_("The credential's gender (claim 169/9) is not 1, 2 or 3."))


def _photo(value: object) -> tuple[bytes | None, PhotoFormat | None]:
    if value is _ABSENT:
        return None, None
    entry = value[0] if isinstance(value, list) and len(value) == 1 else None
    if not isinstance(entry, dict) or set(entry) != {BIO_DATA, BIO_FORMAT, BIO_SUB_FORMAT}:
        raise MalformedCredentialError(_("The credential's face photo (claim 169/62) is not one image entry."))
    data, data_format, sub_format = entry[BIO_DATA], entry[BIO_FORMAT], entry[BIO_SUB_FORMAT]
    if not isinstance(data, bytes) or type(data_format) is not int or data_format != BIO_FORMAT_IMAGE:
        raise MalformedCredentialError(_("The credential's face photo (claim 169/62) is not image data."))
    for name, code in _IMAGE_SUB_FORMATS.items():
        if sub_format == code and type(sub_format) is int:
            return data, name
    raise MalformedCredentialError(_("The credential's face photo (claim 169/62) has an unknown image format."))


def _holder(value: object) -> HolderClaims:
    if not isinstance(value, dict):
        raise MalformedCredentialError(_("The credential holds no identity data (claim 169)."))
    photo, photo_format = _photo(_field(value, C169_FACE))
    try:
        return HolderClaims(
            id_number=_text_claim(value, C169_ID, _("ID number"), required=True) or "",
            full_name=_text_claim(value, C169_FULL_NAME, _("full name"), required=True) or "",
            first_name=_text_claim(value, C169_FIRST_NAME, _("first name"), required=False),
            last_name=_text_claim(value, C169_LAST_NAME, _("last name"), required=False),
            secondary_full_name=_text_claim(value, C169_SECONDARY_FULL_NAME, _("name as entered"), required=False),
            secondary_language=_text_claim(value, C169_SECONDARY_LANGUAGE, _("language"), required=False),
            birth_date=_birth_date(_field(value, C169_DATE_OF_BIRTH)),
            sex=_sex(_field(value, C169_GENDER)),
            location_code=_text_claim(value, C169_LOCATION_CODE, _("location code"), required=False),
            country=_text_claim(value, C169_COUNTRY_OF_ISSUANCE, _("country of issuance"), required=True) or "",
            photo=photo,
            photo_format=photo_format,
        )
    except ValidationError as e:
        raise MalformedCredentialError(
            _("The credential's identity data breaks a rule: {error}").format(error=e)
        ) from e


def _credential(payload: bytes) -> Credential:
    try:
        claims = cbor2.loads(payload)
    except Exception as e:  # cbor2 raises many types on garbage (its own, ValueError, TypeError, ...)
        raise MalformedCredentialError(_("The credential's claims are not valid CBOR.")) from e
    if not isinstance(claims, dict):
        raise MalformedCredentialError(_("The card's data is damaged: it is not a set of named fields."))
    issuer = _text_claim(claims, CWT_ISS, _("issuer"), required=True) or ""
    expires_at = _time_claim(claims, CWT_EXP, _("expiry time"))
    issued_at = _time_claim(claims, CWT_IAT, _("issue time"))
    credential_id = _field(claims, CWT_CTI)
    if not isinstance(credential_id, bytes) or len(credential_id) != CREDENTIAL_ID_BYTES:
        raise MalformedCredentialError(_("The credential has no 16-byte credential id (claim 7)."))
    holder = _holder(_field(claims, CWT_IDENTITY_DATA))
    not_before = _time_claim(claims, CWT_NBF, _("start of validity")) if CWT_NBF in claims else None
    status = _field(claims, CWT_STATUS)
    ref = status.get("status_list") if isinstance(status, dict) else None
    status_idx, status_uri = (ref.get("idx"), ref.get("uri")) if isinstance(ref, dict) else (None, None)
    if status is not _ABSENT and (type(status_idx) is not int or not isinstance(status_uri, str)):
        raise MalformedCredentialError(_("The credential's status (claim 65535) is not a status list reference."))
    try:
        return Credential(
            holder=holder,
            issuer=issuer,
            issued_at=issued_at,
            expires_at=expires_at,
            credential_id=credential_id,
            not_before=not_before,
            status_uri=status_uri,
            status_idx=status_idx,
        )
    except ValidationError as e:
        raise MalformedCredentialError(_("The credential breaks a rule: {error}").format(error=e)) from e


def decode_credential(text: str | bytes) -> tuple[Credential, cose.Sign1]:
    """Decode QR text into the credential and its (not yet verified) COSE_Sign1.

    Nothing here is trusted: use `verify_credential` to decide whether to believe the claims.

    Raises:
        MalformedCredentialError: whatever is wrong, with a sentence naming the layer that failed.
    """
    message = _envelope(_unwrap(text))
    return _credential(message.payload), message


# --------------------------------------------------------------------------------------------------- verify


def verify_credential(
    text: str | bytes,
    trust: TrustList,
    now: datetime,
    status: StatusLookup | None = None,
) -> Verdict:
    """Check scanned text and say whether to believe it; never raises for any text.

    Any Claim 169 credential the trust list can verify is read, not only this console's own form: see
    `console.core.verification.verify`, which this calls (and which also takes a status list token and a
    decryption key).

    Args:
        text: the QR text as scanned (str, or bytes from a raw scanner).
        trust: the keys this verifier trusts.
        now: the time to check expiry against (timezone-aware).
        status: looks up the credential id in the office's ledger cache. Without it (or when it knows
            nothing) the verdict can still be valid, with ``status_checked=False`` and a reason that says so.
            A `ConsoleError` from it (e.g. the database is unreadable) is reported the same way.

    Raises:
        ValueError: `now` has no time zone (a programming error, not a property of the text).
    """
    from console.core.verification import verify  # verification builds on this module's types

    return verify(text, trust, now, status=status)
