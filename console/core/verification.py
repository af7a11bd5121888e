"""Verifying any Claim 169 credential against a trust list, and its status against the office or a status list.

Checks, in order, stopping at the first failure (one reason per verdict):

1. format (claim169.py: text, zlib, CBOR, COSE envelope, decryption, CWT claims, Claim 169 attributes);
2. key: the kid (protected or unprotected header) names trusted keys, or, with no kid, the keys of the
   credential's issuer are tried in turn;
3. signature (EdDSA or ES256), with a key of the header's algorithm;
4. the key speaks for the credential's `iss` and was in force when it was issued;
5. time: not expired at `now`; not before its `nbf` nor dated (`iat`) after `now` beyond `CLOCK_SKEW_SECONDS`;
6. status: from the office's database (the console's own verify), else from a signed status list token of
   the credential's issuer (its signature, its `sub` = the credential's status URI, not expired), else not
   checked (still valid, ``status_checked`` False, and the reason says so).

Invariant: `verify` never raises for any text, decryption key or status list bytes; everything is a `Verdict`.
"""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime
from typing import Any, Final

from console.core import claim169, statuslist
from console.core.credentials import StatusLookup, Verdict, VerdictStatus
from console.core.errors import ConsoleError
from console.core.i18n import _
from console.core.trust import TrustedKey, TrustList, issuer_forms, kid_text

logger = logging.getLogger(__name__)

#: Tolerated difference between the issuer's clock and the verifier's, for `nbf` and `iat` in the future (and a
#: status list's `iat`): five minutes, the usual JOSE/CWT allowance. Expiry gets none: a card is not
#: valid after its `exp`.
CLOCK_SKEW_SECONDS: Final = 300


def _kid_text(kid: bytes) -> str:
    return kid_text(kid) if len(kid) == 8 else base64.urlsafe_b64encode(kid).rstrip(b"=").decode("ascii")


def _envelope(message: claim169.SignedMessage) -> str:
    parts = ["CWT tag 61"] if message.cwt_tag else []
    if message.encrypted:
        parts.append(f"COSE_Encrypt0 ({message.encrypted})")
    parts.append("COSE_Sign1 tag 18" if message.tagged else "COSE_Sign1 untagged")
    return " > ".join(parts)


def verify(
    text: str | bytes,
    trust: TrustList,
    now: datetime,
    *,
    status: StatusLookup | None = None,
    status_list: bytes | None = None,
    decrypt_key: bytes | None = None,
    skew: int = CLOCK_SKEW_SECONDS,
) -> Verdict:
    """Check scanned text and say whether to believe it; never raises for any input.

    Args:
        text: the QR text (str, or bytes from a raw scanner).
        trust: the keys this verifier trusts, each for one issuer.
        now: the time to check against (timezone-aware).
        status: the office database's status lookup (the console's own verify); tried first.
        status_list: a status list token (bytes of ``{iss}/status/1.cwt``) to check the credential against.
        decrypt_key: the AES key for an encrypted (COSE_Encrypt0) credential.
        skew: clock-skew tolerance in seconds for times in the future.

    Raises:
        ValueError: `now` has no time zone (a programming error, not a property of the text).
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("verify needs a timezone-aware `now`")
    try:
        message = claim169.open_envelope(claim169.unwrap_text(text), decrypt_key)
        cwt = claim169.parse_cwt(message.payload)
    except claim169.EncryptedCredentialError as e:
        return Verdict(valid=False, status="encrypted", reason=str(e), encrypted=e.algorithm, layer="encryption")
    except claim169.Claim169Error as e:
        return Verdict(valid=False, status="malformed", reason=str(e), layer=e.layer)
    except Exception:  # a verifier faces hostile input: any surprise in decoding is a refusal, not a crash
        logger.exception("Unexpected error while decoding a credential; reported as malformed")
        return Verdict(
            valid=False,
            status="malformed",
            reason=_("The scanned text could not be read as a credential."),
            layer="cose",
        )
    try:
        return _check(message, cwt, trust, now, status, status_list, skew)
    except Exception:  # same promise for the checks: log the bug, refuse the card
        logger.exception("Unexpected error while checking a credential; reported as not valid")
        return Verdict(
            valid=False,
            status="malformed",
            reason=_("The credential could not be checked; it is not accepted."),
            layer="cwt",
        )


def _check(
    message: claim169.SignedMessage,
    cwt: claim169.Cwt,
    trust: TrustList,
    now: datetime,
    status: StatusLookup | None,
    status_list: bytes | None,
    skew: int,
) -> Verdict:
    base: dict[str, Any] = {
        "claims": cwt.holder.to_json(),
        "credential_id": cwt.credential_id.hex() if cwt.credential_id is not None else None,
        "issuer": cwt.issuer,
        "expires": claim169.iso(cwt.expires),
        "issued": claim169.iso(cwt.issued_at),
        "not_before": claim169.iso(cwt.not_before),
        "algorithm": message.algorithm,
        "kid": _kid_text(message.kid) if message.kid is not None else None,
        "kid_location": message.kid_location,
        "encrypted": message.encrypted,
        "envelope": _envelope(message),
    }

    def verdict(valid: bool, state: VerdictStatus, reason: str, layer: str | None = None, **extra: Any) -> Verdict:
        return Verdict(valid=valid, status=state, reason=reason, layer=layer, **(base | extra))

    # 2. which keys may have signed it
    if message.kid is not None:
        candidates = trust.named(message.kid)
        if not candidates:
            return verdict(
                False,
                "unknown-issuer",
                _(
                    "The card was signed with key {key}, which is not in this verifier's trust list: "
                    "it may be forged, or the trust list may need updating."
                ).format(key=_kid_text(message.kid)),
                "key",
            )
    else:
        candidates = trust.of_issuer(cwt.issuer) if cwt.issuer is not None else ()
        if not candidates:
            return verdict(
                False,
                "unknown-issuer",
                _(
                    "The card names no signing key, and no trusted key speaks for its issuer {issuer!r}: it may be "
                    "forged, or the trust list may need that issuer's keys."
                ).format(issuer=cwt.issuer or "?"),
                "key",
            )
    # 3. signature
    if not message.signature:
        return verdict(
            False, "bad-signature", _("The card carries no signature, so nothing vouches for it."), "signature"
        )
    usable = [k for k in candidates if k.algorithm == message.algorithm]
    if not usable:
        return verdict(
            False,
            "bad-signature",
            _("The card says it is signed with {alg}, but its issuer's trusted keys are {algs} keys.").format(
                alg=message.algorithm, algs="/".join(sorted({k.algorithm for k in candidates}))
            ),
            "signature",
        )
    signed_at = cwt.issued_at if cwt.issued_at is not None else cwt.not_before
    if signed_at is not None and len(usable) > 1:
        # Try first the keys in force when the card was issued (after a rotation, one key): the others could
        # only lead to "not in force", and each try is a signature check.
        signed_moment = datetime.fromtimestamp(signed_at, UTC)
        usable.sort(key=lambda k: (not k.in_force_at(signed_moment), -k.valid_from.timestamp()))
    signer = next((k for k in usable if claim169.verify_signature(message, k.public_key, k.algorithm)), None)
    if signer is None:
        return verdict(
            False,
            "bad-signature",
            _("The signature does not match: the card's data was altered or forged."),
            "signature",
        )
    base["kid"] = base["kid"] or kid_text(signer.kid)
    # 4. the key speaks for this issuer, and was in force then
    if cwt.issuer is None or cwt.issuer not in issuer_forms(signer.issuer):
        return verdict(
            False,
            "unknown-issuer",
            _("The card says it was issued by {issuer!r}, but its key belongs to {owner!r}.").format(
                issuer=cwt.issuer, owner=signer.issuer
            ),
            "key",
        )
    if signed_at is not None and not signer.in_force_at(datetime.fromtimestamp(signed_at, UTC)):
        reason = (
            _(
                "The card is dated {issued}, when the key of {issuer} was not in force "
                "(in force from {start} until {end})."
            )
            if signer.valid_until is not None
            else _("The card is dated {issued}, when the key of {issuer} was not in force (in force from {start}).")
        )
        return verdict(
            False,
            "unknown-issuer",
            reason.format(
                issued=claim169.iso(signed_at),
                issuer=signer.issuer,
                start=_iso(signer.valid_from),
                end=_iso(signer.valid_until) if signer.valid_until is not None else "",
            ),
            "key",
        )
    # 5. time
    moment = int(now.timestamp())
    if cwt.expires is not None and moment >= cwt.expires:
        return verdict(
            False,
            "expired",
            _("This card expired on {date}.").format(date=(claim169.iso(cwt.expires) or "")[:10]),
            "time",
        )
    if cwt.not_before is not None and moment + skew < cwt.not_before:
        return verdict(
            False,
            "not-yet-valid",
            _("This card is not valid before {time}; it cannot be accepted yet.").format(
                time=_readable(datetime.fromtimestamp(cwt.not_before, UTC))
            ),
            "time",
        )
    if cwt.issued_at is not None and moment + skew < cwt.issued_at:
        return verdict(
            False,
            "not-yet-valid",
            _("This card is dated {time}, in the future; it cannot be accepted yet.").format(
                time=_readable(datetime.fromtimestamp(cwt.issued_at, UTC))
            ),
            "time",
        )
    # 6. status
    if status is not None and cwt.credential_id is not None:
        result = _office_status(status, cwt, verdict)
        if result is not None:
            return result
    if status_list is not None:
        return _list_status(status_list, cwt, trust, signer, now, skew, verdict)
    if status is None:
        why = (
            _("this verifier has no status records.")
            if cwt.status_uri is None
            else _("give its status list (verify --status-list {uri}).").format(uri=cwt.status_uri)
        )
        return verdict(
            True,
            "valid",
            _("The signature and dates are valid, but revocation status was not checked: {why}").format(why=why),
        )
    return verdict(
        True,
        "valid",
        _(
            "The signature and dates are valid, but revocation status was not checked: this console has no "
            "record of this credential."
        ),
    )


def _iso(moment: datetime) -> str:
    # formatted by hand, not strftime (~10 us each, three a verify; issue 16): the same text for years 1000-9999
    m = moment.astimezone(UTC)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


def _readable(moment: datetime) -> str:
    """A time in a sentence: this computer's local time to the minute, as the screens write times (the verdict's
    ``status_as_of`` keeps the exact UTC stamp for machines)."""
    m = moment.astimezone()
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d} {m.hour:02d}:{m.minute:02d}"


def _office_status(status: StatusLookup, cwt: claim169.Cwt, verdict: Any) -> Verdict | None:
    """The office database's answer, or None when it knows nothing of this credential."""
    assert cwt.credential_id is not None
    try:
        info = status(cwt.credential_id)
    except ConsoleError as e:
        result: Verdict = verdict(
            True,
            "valid",
            _("The signature and dates are valid, but revocation status was not checked: {error}").format(error=e),
        )
        return result
    if info is None:
        return None
    checked: dict[str, Any] = {"status_checked": True, "status_as_of": _iso(info.as_of), "layer": "status"}
    as_of = _readable(info.as_of)
    changed = _readable(info.changed_at) if info.changed_at is not None else None
    if info.state == "active":
        checked["layer"] = None
        result = verdict(
            True,
            "valid",
            _("Valid: issued by {issuer}, not expired, and not revoked or suspended as of {as_of}.").format(
                issuer=cwt.issuer, as_of=as_of
            ),
            **checked,
        )
        return result
    if info.state == "revoked":
        reason = (
            _("This card was revoked on {changed} (status as of {as_of}).")
            if changed
            else _("This card was revoked (status as of {as_of}).")
        )
        result = verdict(False, "revoked", reason.format(changed=changed, as_of=as_of), **checked)
        return result
    if info.state == "suspended":
        reason = (
            _("This card is suspended since {changed} (status as of {as_of}).")
            if changed
            else _("This card is suspended (status as of {as_of}).")
        )
        result = verdict(False, "suspended", reason.format(changed=changed, as_of=as_of), **checked)
        return result
    reason = (
        _(
            "This card was replaced by a newer one on {changed}; ask the holder for the current card (status as of {as_of})."
        )
        if changed
        else _("This card was replaced by a newer one; ask the holder for the current card (status as of {as_of}).")
    )
    result = verdict(False, "superseded", reason.format(changed=changed, as_of=as_of), **checked)
    return result


def _list_status(
    data: bytes,
    cwt: claim169.Cwt,
    trust: TrustList,
    signer: TrustedKey,
    now: datetime,
    skew: int,
    verdict: Any,
) -> Verdict:
    """Check the credential against a status list token of its issuer."""
    if cwt.status_uri is None or cwt.status_idx is None:
        result: Verdict = verdict(
            True,
            "valid",
            _(
                "The signature and dates are valid, but revocation status was not checked: the card names no "
                "status list (it predates them or comes from an issuer without one)."
            ),
        )
        return result
    try:
        token = statuslist.read_token(data, trust.of_issuer(signer.issuer))
    except statuslist.StatusListError as e:
        result = verdict(False, "status-unknown", str(e), "status")
        return result
    info = {
        "uri": token.uri,
        "idx": cwt.status_idx,
        "iat": claim169.iso(token.iat),
        "exp": claim169.iso(token.exp),
        "ttl": token.ttl,
        "refresh_after": claim169.iso(token.iat + token.ttl) if token.ttl is not None else None,
    }
    extra: dict[str, Any] = {"status_list": info, "status_as_of": info["iat"]}
    if token.uri != cwt.status_uri:
        result = verdict(
            False,
            "status-unknown",
            _("The status list given is {uri}, but the card's status is in {expected}; fetch that list.").format(
                uri=token.uri, expected=cwt.status_uri
            ),
            "status",
            **extra,
        )
        return result
    moment = int(now.timestamp())
    if token.exp is not None and moment >= token.exp:
        result = verdict(
            False,
            "status-unknown",
            _("The status list expired on {exp} (issued {iat}): it is stale; fetch a fresh one from {uri}.").format(
                exp=info["exp"], iat=info["iat"], uri=token.uri
            ),
            "status",
            **extra,
        )
        return result
    if moment + skew < token.iat:
        result = verdict(
            False,
            "status-unknown",
            _("The status list is dated {iat}, in the future; check the clocks.").format(iat=info["iat"]),
            "status",
            **extra,
        )
        return result
    value = token.value(cwt.status_idx)
    if value is None or value == 3:
        result = verdict(
            False,
            "status-unknown",
            _("The status list has no entry {idx} for this card.").format(idx=cwt.status_idx),
            "status",
            **extra,
        )
        return result
    extra["status_checked"] = True
    freshness = (
        _("list of {iat}, valid until {exp}, to be fetched again after {refresh}").format(
            iat=info["iat"], exp=info["exp"] or "-", refresh=info["refresh_after"]
        )
        if info["refresh_after"]
        else _("list of {iat}, valid until {exp}").format(iat=info["iat"], exp=info["exp"] or "-")
    )
    if token.ttl is not None and moment > token.iat + token.ttl:
        freshness += _("; it is older than its ttl, fetch a newer one")
    if value == statuslist.VALID:
        result = verdict(
            True,
            "valid",
            _("Valid: issued by {issuer}, not expired, and not revoked or suspended ({freshness}).").format(
                issuer=cwt.issuer, freshness=freshness
            ),
            **extra,
        )
        return result
    if value == statuslist.SUSPENDED:
        result = verdict(
            False,
            "suspended",
            _("This card is suspended ({freshness}).").format(freshness=freshness),
            "status",
            **extra,
        )
        return result
    result = verdict(
        False,
        "revoked",
        _("This card is invalid: revoked or replaced by a newer one ({freshness}).").format(freshness=freshness),
        "status",
        **extra,
    )
    return result
