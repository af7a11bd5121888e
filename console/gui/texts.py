"""Words for the codes the core uses (statuses, actions, roles, sexes), translated, in one place."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication


def role_name(role: str) -> str:
    names = {
        "clerk": QCoreApplication.translate("Names", "clerk"),
        "supervisor": QCoreApplication.translate("Names", "supervisor"),
        "administrator": QCoreApplication.translate("Names", "administrator"),
        "auditor": QCoreApplication.translate("Names", "auditor"),
    }
    return names.get(role, role)


def sex_name(code: str) -> str:
    return {
        "F": QCoreApplication.translate("Names", "female"),
        "M": QCoreApplication.translate("Names", "male"),
        "X": QCoreApplication.translate("Names", "unspecified"),
    }.get(code, code)


def status_name(status: str) -> str:
    names = {
        "active": QCoreApplication.translate("Names", "active"),
        "revoked": QCoreApplication.translate("Names", "revoked"),
        "suspended": QCoreApplication.translate("Names", "suspended"),
        "superseded": QCoreApplication.translate("Names", "superseded"),
        "pending": QCoreApplication.translate("Names", "pending"),
        "approved": QCoreApplication.translate("Names", "approved"),
        "rejected": QCoreApplication.translate("Names", "rejected"),
        "pending-review": QCoreApplication.translate("Names", "awaiting review"),
        "accepted": QCoreApplication.translate("Names", "accepted"),
    }
    return names.get(status, status)


def action_name(action: str) -> str:
    return {
        "revoke": QCoreApplication.translate("Names", "revoke"),
        "suspend": QCoreApplication.translate("Names", "suspend"),
        "reinstate": QCoreApplication.translate("Names", "reinstate"),
    }.get(action, action)


def short_time(iso: str | None) -> str:
    """``2026-11-30T09:00:00Z`` (UTC, as stored) → ``2026-11-30 10:00`` in this computer's time zone.

    One readable form everywhere (lists, details, banners): date and minutes, no ``T``, ``Z`` or seconds.
    Text that is not a stored time is shown as it is.
    """
    if not iso:
        return ""
    try:
        moment = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return iso.replace("T", " ")[:16]
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def role_names() -> list[tuple[str, str]]:
    """(code, translated name) of every role, in the order an administrator picks them."""
    return [(code, role_name(code)) for code in ("clerk", "supervisor", "auditor", "administrator")]


def outcome_name(outcome: str) -> str:
    return {
        "ok": QCoreApplication.translate("Names", "done"),
        "refused": QCoreApplication.translate("Names", "refused"),
        "failed": QCoreApplication.translate("Names", "failed"),
    }.get(outcome, outcome)


def signature_name(signature: str) -> str:
    return {
        "valid": QCoreApplication.translate("Names", "signature valid"),
        "invalid": QCoreApplication.translate("Names", "SIGNATURE INVALID"),
        "unknown-key": QCoreApplication.translate("Names", "signer's key unknown"),
        "": QCoreApplication.translate("Names", "not an event"),
    }.get(signature, signature)


def officer_status_name(status: str) -> str:
    return {
        "active": QCoreApplication.translate("Names", "active"),
        "disabled": QCoreApplication.translate("Names", "disabled"),
    }.get(status, status)


def audit_action_name(action: str) -> str:
    """What an audit entry's action code means, in words (the code itself stays in the CSV export)."""
    names = {
        "login": QCoreApplication.translate("Names", "log in"),
        "authority.created": QCoreApplication.translate("Names", "authority created"),
        "office.certified": QCoreApplication.translate("Names", "office certified"),
        "office.key-rotated": QCoreApplication.translate("Names", "office key replaced"),
        "officer.enrolled": QCoreApplication.translate("Names", "officer added"),
        "officer.disabled": QCoreApplication.translate("Names", "officer disabled"),
        "officer.key-replaced": QCoreApplication.translate("Names", "officer's password reset"),
        "officer.unlock": QCoreApplication.translate("Names", "officer unlocked"),
        "password.change": QCoreApplication.translate("Names", "own password changed"),
        "settings.set": QCoreApplication.translate("Names", "setting changed"),
        "citizen.registered": QCoreApplication.translate("Names", "citizen registered"),
        "citizens.imported": QCoreApplication.translate("Names", "citizens imported"),
        "registration.held": QCoreApplication.translate("Names", "registration held for review"),
        "registration.rejected": QCoreApplication.translate("Names", "held registration rejected"),
        "credential.issued": QCoreApplication.translate("Names", "credential issued"),
        "credentials.issued": QCoreApplication.translate("Names", "credentials issued"),
        "credential.status": QCoreApplication.translate("Names", "card status changed"),
        "request.created": QCoreApplication.translate("Names", "request made"),
        "request.rejected": QCoreApplication.translate("Names", "request rejected"),
        "card.print": QCoreApplication.translate("Names", "cards printed"),
        "printer.calibrate": QCoreApplication.translate("Names", "printer calibrated"),
        "audit.export": QCoreApplication.translate("Names", "audit trail exported"),
        "office.enrolled": QCoreApplication.translate("Names", "office enrolled"),
        "officer.unlocked": QCoreApplication.translate("Names", "officer unlocked"),
        "settings.changed": QCoreApplication.translate("Names", "setting changed"),
        "keys.wrapped": QCoreApplication.translate("Names", "office keys shared with officers"),
        "keys.backup": QCoreApplication.translate("Names", "key backup made"),
        "registry.encrypted": QCoreApplication.translate("Names", "registry encrypted"),
        "registry.backup-deleted": QCoreApplication.translate("Names", "backup from before the encryption deleted"),
        "trust.import": QCoreApplication.translate("Names", "other issuers' keys imported"),
        "ledger.configure": QCoreApplication.translate("Names", "shared ledger folder chosen"),
        "login.lock": QCoreApplication.translate("Names", "account locked"),
        "login.unlock": QCoreApplication.translate("Names", "account unlocked"),
        "sync.configure": QCoreApplication.translate("Names", "choose the shared ledger folder"),
        "sync.run": QCoreApplication.translate("Names", "synchronise the ledger"),
        "ledger.verify": QCoreApplication.translate("Names", "verify the ledger"),
        "citizen.register": QCoreApplication.translate("Names", "register citizens"),
        "citizen.read": QCoreApplication.translate("Names", "read the registry"),
        "credential.issue": QCoreApplication.translate("Names", "issue credentials"),
        "request.create": QCoreApplication.translate("Names", "make requests"),
        "request.read": QCoreApplication.translate("Names", "read requests"),
        "request.decide": QCoreApplication.translate("Names", "decide requests"),
        "review.decide": QCoreApplication.translate("Names", "decide held registrations"),
        "officer.manage": QCoreApplication.translate("Names", "manage officers"),
        "officer.read": QCoreApplication.translate("Names", "read officers"),
        "key.manage": QCoreApplication.translate("Names", "manage keys"),
        "audit.read": QCoreApplication.translate("Names", "read the audit trail"),
    }
    return names.get(action, action)


def field_name(field: str) -> str:
    """A form field named by the core's `ValidationError.field`, as the form labels it."""
    return {
        "family-name": QCoreApplication.translate("Names", "Family name"),
        "given-name": QCoreApplication.translate("Names", "Given name"),
        "birth-date": QCoreApplication.translate("Names", "Birth date"),
        "sex": QCoreApplication.translate("Names", "Sex"),
        "birthplace": QCoreApplication.translate("Names", "Birthplace"),
        "photo": QCoreApplication.translate("Names", "Photo"),
    }.get(field, field)


def error_text(exc: BaseException) -> str:
    """The core's sentence for an officer, with permission codes (``request.decide``) said in words: the code
    names the permission for the audit trail, the words are what the officer reads."""
    import re

    from console.core.roles import Permission

    text = str(exc)
    codes = "|".join(re.escape(p.value) for p in Permission)
    return re.sub(rf"(?<![\w.])({codes})(?![\w.])", lambda m: audit_action_name(m.group(1)), text)
