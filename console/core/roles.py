"""Roles and the permission matrix (DESIGN §1). Deny by default: a permission not listed for a role is refused.

The matrix is data so that docs/security.md, the GUI (what to show) and the services (what to allow) read the
same table. The four-eyes rule (nobody decides their own request) is not a permission: the request services
check it on top.
"""

from __future__ import annotations

from enum import StrEnum

from console.core.i18n import _


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"
    AUDITOR = "auditor"


class Permission(StrEnum):
    CITIZEN_REGISTER = "citizen.register"
    CITIZEN_READ = "citizen.read"
    CREDENTIAL_ISSUE = "credential.issue"
    CARD_PRINT = "card.print"
    REQUEST_CREATE = "request.create"
    REQUEST_READ = "request.read"
    REQUEST_DECIDE = "request.decide"
    REVIEW_DECIDE = "review.decide"
    OFFICER_MANAGE = "officer.manage"
    OFFICER_READ = "officer.read"
    KEY_MANAGE = "key.manage"
    AUDIT_READ = "audit.read"
    SYNC_CONFIGURE = "sync.configure"  # ledger issue: choose the shared ledger folder
    SYNC_RUN = "sync.run"  # publish this office's log and apply the others' (needs the office secrets)
    LEDGER_VERIFY = "ledger.verify"  # check the folder and the office database against the signed events


_CLERK = frozenset(
    {
        Permission.CITIZEN_REGISTER,
        Permission.CITIZEN_READ,
        Permission.CREDENTIAL_ISSUE,
        Permission.CARD_PRINT,
        Permission.REQUEST_CREATE,
        Permission.REQUEST_READ,
        Permission.SYNC_RUN,
    }
)

MATRIX: dict[Role, frozenset[Permission]] = {
    Role.CLERK: _CLERK,
    Role.SUPERVISOR: _CLERK | {Permission.REQUEST_DECIDE, Permission.REVIEW_DECIDE},
    Role.ADMINISTRATOR: frozenset(
        {
            Permission.OFFICER_MANAGE,
            Permission.OFFICER_READ,
            Permission.KEY_MANAGE,
            Permission.AUDIT_READ,
            Permission.SYNC_CONFIGURE,
            Permission.SYNC_RUN,
            Permission.LEDGER_VERIFY,
        }
    ),
    Role.AUDITOR: frozenset(
        {
            Permission.CITIZEN_READ,
            Permission.REQUEST_READ,
            Permission.OFFICER_READ,
            Permission.AUDIT_READ,
            Permission.LEDGER_VERIFY,
        }
    ),
}

#: Which sealed key material each role's keystore carries (least privilege).
#: "office": the office signing key, records key and numbering secret; "authority": the authority root key.
#: "database" (issue 17): the key of the encrypted personal.db; every role opens the console, so every role
#: holds it (auditors read the registry; administrators migrate and back up the office).
KEY_GRANTS: dict[Role, frozenset[str]] = {
    Role.CLERK: frozenset({"office", "database"}),
    Role.SUPERVISOR: frozenset({"office", "database"}),
    Role.ADMINISTRATOR: frozenset({"office", "authority", "database"}),
    Role.AUDITOR: frozenset({"database"}),
}


def allows(role: Role, permission: Permission) -> bool:
    """True when `role` holds `permission`; anything unknown is denied."""
    return permission in MATRIX.get(role, frozenset())


def parse_role(text: str) -> Role:
    """Role from its name, or ValueError listing the valid names."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise ValueError(
            _("Unknown role {text!r}; choose one of: {roles}.").format(
                text=text, roles=", ".join(r.value for r in Role)
            )
        ) from None
