"""Words for the codes the core uses (statuses, actions, roles, sexes), translated, in one place."""

from __future__ import annotations

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
    """``2026-11-30T09:00:00Z`` → ``2026-11-30 09:00`` (UTC, as stored)."""
    if not iso:
        return ""
    return iso.replace("T", " ")[:16]
