"""Words for the codes the core uses (statuses, actions, roles, sexes), translated, in one place."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def _tr(text: str) -> str:
    return QCoreApplication.translate("Names", text)


def role_name(role: str) -> str:
    names = {
        "clerk": _tr("clerk"),
        "supervisor": _tr("supervisor"),
        "administrator": _tr("administrator"),
        "auditor": _tr("auditor"),
    }
    return names.get(role, role)


def sex_name(code: str) -> str:
    return {"F": _tr("female"), "M": _tr("male"), "X": _tr("unspecified")}.get(code, code)


def status_name(status: str) -> str:
    names = {
        "active": _tr("active"),
        "revoked": _tr("revoked"),
        "suspended": _tr("suspended"),
        "superseded": _tr("superseded"),
        "pending": _tr("pending"),
        "approved": _tr("approved"),
        "rejected": _tr("rejected"),
        "pending-review": _tr("awaiting review"),
        "accepted": _tr("accepted"),
    }
    return names.get(status, status)


def action_name(action: str) -> str:
    return {"revoke": _tr("revoke"), "suspend": _tr("suspend"), "reinstate": _tr("reinstate")}.get(action, action)


def short_time(iso: str | None) -> str:
    """``2026-11-30T09:00:00Z`` → ``2026-11-30 09:00`` (UTC, as stored)."""
    if not iso:
        return ""
    return iso.replace("T", " ")[:16]
