"""Every (role, action) pair of the permission matrix, through the services.

Allowed: the call works. Refused: `PermissionDenied`, no state change (events and tables unchanged), and a
refusal in the audit trail. Actions whose services have not been built yet are listed in PENDING, which
must only ever shrink.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from console.core import officers
from console.core.accounts import Session
from console.core.errors import PermissionDenied
from console.core.office import Office
from console.core.roles import MATRIX, Permission, Role, allows

_counter = itertools.count()


def _add_officer(session: Session) -> None:
    officers.add_officer(
        session, username=f"new{next(_counter)}", role="clerk", full_name="New Clerk", password="new-clerk-pass-1"
    )


ACTIONS: dict[Permission, Callable[[Session], object]] = {
    Permission.OFFICER_MANAGE: _add_officer,
    Permission.OFFICER_READ: officers.list_officers,
    Permission.KEY_MANAGE: officers.rotate_office_key,
    Permission.AUDIT_READ: officers.audit_trail,
}
#: Permissions whose services arrive with later issues (3: registry, 4: credentials/requests, 5: cards,
#: ledger: sync/verify). Remove an entry when its service lands.
PENDING = {
    Permission.CITIZEN_REGISTER,
    Permission.CITIZEN_READ,
    Permission.CREDENTIAL_ISSUE,
    Permission.CARD_PRINT,
    Permission.REQUEST_CREATE,
    Permission.REQUEST_READ,
    Permission.REQUEST_DECIDE,
    Permission.REVIEW_DECIDE,
    Permission.SYNC_CONFIGURE,
    Permission.LEDGER_VERIFY,
}
USER_OF_ROLE = {Role.CLERK: "clerk", Role.SUPERVISOR: "super", Role.ADMINISTRATOR: "admin", Role.AUDITOR: "auditor"}


def test_every_permission_is_tested_or_pending() -> None:
    assert set(ACTIONS) | PENDING == set(Permission)
    assert not set(ACTIONS) & PENDING


def test_matrix_matches_design() -> None:
    # DESIGN §1: administrators do not register or issue; auditors change nothing; supervisors decide requests.
    assert not allows(Role.ADMINISTRATOR, Permission.CITIZEN_REGISTER)
    assert not allows(Role.ADMINISTRATOR, Permission.CREDENTIAL_ISSUE)
    assert MATRIX[Role.AUDITOR] <= {
        Permission.CITIZEN_READ,
        Permission.REQUEST_READ,
        Permission.OFFICER_READ,
        Permission.AUDIT_READ,
        Permission.LEDGER_VERIFY,
    }
    assert allows(Role.SUPERVISOR, Permission.REQUEST_DECIDE) and not allows(Role.CLERK, Permission.REQUEST_DECIDE)
    assert MATRIX[Role.CLERK] < MATRIX[Role.SUPERVISOR]


def _state(office: Office) -> tuple[object, ...]:
    db = office.db
    return (
        db.execute("SELECT COUNT(*), MAX(seq) FROM events").fetchone(),
        list(db.query("SELECT * FROM officers ORDER BY username")),
        list(db.query("SELECT kid, valid_until FROM office_keys ORDER BY kid")),
        list(db.query("SELECT kid, valid_until FROM officer_keys ORDER BY kid")),
        sorted(p.name for p in office.paths.officer_keys.iterdir()),
    )


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("permission", list(ACTIONS), ids=lambda p: p.value)
def test_role_action_pair(
    role: Role, permission: Permission, staffed: Office, session_of: Callable[[str], Session]
) -> None:
    session = session_of(USER_OF_ROLE[role])
    action = ACTIONS[permission]
    if allows(role, permission):
        action(session)
        return
    before = _state(staffed)
    refusals = staffed.db.execute("SELECT COUNT(*) FROM audit WHERE outcome = 'refused'").fetchone()[0]
    with pytest.raises(PermissionDenied, match=role.value):
        action(session)
    assert _state(staffed) == before
    assert staffed.db.execute("SELECT COUNT(*) FROM audit WHERE outcome = 'refused'").fetchone()[0] == refusals + 1
