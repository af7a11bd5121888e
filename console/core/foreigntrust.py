"""Other authorities' keys in an office's verifier (`trust import`), and the trust list the console verifies with.

Invariants:
- Only administrators import (`Permission.KEY_MANAGE`, checked here, deny by default), and every import is
  written to the audit trail with the file's issuers and key ids.
- Imported keys are public keys kept for verifying only: they are never certified, never exported as this
  authority's keys (`issuance.trust_list` does not include them) and never sign (signing uses only the
  office's own keystore).
- A foreign key may not speak for this authority's own issuers: those keys come from the key hierarchy.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from console.core import truth
from console.core.errors import ValidationError
from console.core.i18n import _
from console.core.issuance import trust_list
from console.core.office import Office
from console.core.roles import Permission
from console.core.store import transaction
from console.core.timeutil import to_iso
from console.core.trust import TrustedKey, TrustList, from_jwks, from_jwks_json, issuer_forms, kid_text, to_jwks

if TYPE_CHECKING:  # accounts pulls the keystore and argon2 in; `verify` needs neither (issue 16)
    from console.core.accounts import Session

logger = logging.getLogger(__name__)


def _own_issuer(office: Office, issuer: str) -> bool:
    domain = str(office.authority()["domain"]).lower()
    return any(form.lower() == domain or form.lower().startswith(domain + "/") for form in issuer_forms(issuer))


def import_keys(session: Session, data: bytes, *, issuer: str | None = None, source: str = "") -> dict[str, Any]:
    """Add the keys of another authority's JWKS to this office's verifier (administrators; audited).

    Args:
        data: the JWKS file's bytes (bounded by the caller and by `trust.MAX_TRUST_FILE_BYTES`).
        issuer: the `iss` the keys speak for when the file does not say.
        source: where the file came from, for the audit trail.

    Returns:
        ``{"imported": n, "already_known": m, "issuers": [...], "kids": [...]}``.

    Raises:
        PermissionDenied: the officer is not an administrator.
        TrustListError: the file is not a usable JWKS (exit 2).
        ValidationError: no keys, or a key claims one of this authority's own issuers.
    """
    session.require(Permission.KEY_MANAGE, "trust import")
    office = session.office
    imported = from_jwks_json(data, issuer=issuer, foreign=True)
    if not len(imported):
        raise ValidationError("file", _("The trust file holds no keys; nothing was imported."))
    for key in imported:
        if _own_issuer(office, key.issuer):
            raise ValidationError(
                "file",
                _(
                    "Key {kid} speaks for {issuer}, an issuer of this authority; its keys come from the authority's "
                    "certificates, not from an import. Nothing was imported."
                ).format(kid=kid_text(key.kid), issuer=key.issuer),
            )
    known = {key.kid for key in verifier_trust_list(office)}
    new = [key for key in imported if key.kid not in known]
    now = office.clock()
    stored: list[str] = []
    with transaction(office.db) as conn:
        for key in new:
            jwk = to_jwks([key])["keys"][0]
            jwk["kid_names"] = sorted(name.hex() for name in key.aliases)
            stored.append(json.dumps(jwk, sort_keys=True))
            conn.execute(
                "INSERT INTO foreign_keys (kid, issuer, jwk, imported_by, imported_at) VALUES (?, ?, ?, ?, ?)",
                (key.kid, key.issuer, stored[-1], session.username, to_iso(now)),
            )
        from console.core import events  # the ledger's code: `verify` reads trust without it (issue 16)

        events.append_event(  # signed: a foreign key is trusted only with this event behind it (foreign_keys)
            conn,
            actor=session.actor,
            office=office.local_office()["code"],
            event_type=truth.TRUST_IMPORT_TYPE,
            now=now,
            clear={"keys": stored, "source": source},
            audit_detail=f"{len(new)} key(s) from {source or 'a file'} for "
            + ", ".join(sorted({k.issuer for k in imported}))
            + ": "
            + ", ".join(kid_text(k.kid) for k in new),
        )
    return {
        "imported": len(new),
        "already_known": len(imported) - len(new),
        "issuers": sorted({k.issuer for k in imported}),
        "kids": [kid_text(k.kid) for k in new],
    }


def foreign_keys(office: Office) -> list[TrustedKey]:
    """The keys imported from other authorities, as trusted (verify-only) keys: only rows whose JWK an
    administrator signed (`truth.signed_foreign_jwks`); a row added or edited by SQL is left out and logged."""
    keys: list[TrustedKey] = []
    signed = truth.signed_foreign_jwks(office)
    for row in office.db.query("SELECT kid, jwk FROM foreign_keys ORDER BY issuer, imported_at"):
        if row["jwk"] not in signed:
            logger.warning(
                "foreign_keys row %s in office.db has no administrator's signed trust.import behind it: not trusted",
                bytes(row["kid"]).hex(),
            )
            continue
        jwk = json.loads(row["jwk"])
        names = frozenset(bytes.fromhex(n) for n in jwk.pop("kid_names", []))
        (key,) = from_jwks({"keys": [jwk]}, foreign=True)
        keys.append(
            TrustedKey(
                public_key=key.public_key,
                issuer=key.issuer,
                valid_from=key.valid_from,
                valid_until=key.valid_until,
                authority=key.authority,
                algorithm=key.algorithm,
                aliases=key.aliases | names,
                foreign=True,
            )
        )
    return keys


def verifier_trust_list(office: Office) -> TrustList:
    """What the console's own verify trusts: this authority's office keys plus imported foreign keys."""
    return TrustList([*trust_list(office), *foreign_keys(office)])
