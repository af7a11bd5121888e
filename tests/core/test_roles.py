"""Role names as officers type them, and the deny-by-default answer for what is not a role (DESIGN §1)."""

from __future__ import annotations

import pytest

from console.core.roles import KEY_GRANTS, MATRIX, Permission, Role, allows, parse_role


@pytest.mark.parametrize(
    ("text", "role"),
    [("clerk", Role.CLERK), (" Supervisor ", Role.SUPERVISOR), ("ADMINISTRATOR", Role.ADMINISTRATOR)],
)
def test_role_names_are_read_whatever_their_case_and_spaces(text: str, role: Role) -> None:
    assert parse_role(text) is role


def test_an_unknown_role_is_refused_with_the_valid_names() -> None:
    with pytest.raises(ValueError) as refused:
        parse_role(" Boss")
    # The sentence the CLI prints: what was typed, exactly, and every valid name in the order of DESIGN §1.
    assert str(refused.value) == ("Unknown role ' Boss'; choose one of: clerk, supervisor, administrator, auditor.")
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


@pytest.mark.parametrize("permission", list(Permission))
def test_what_is_not_a_role_is_denied_every_permission(permission: Permission) -> None:
    # A role read from a doctored row or a newer database is not in the matrix: refused, not an error.
    assert allows("boss", permission) is False  # type: ignore[arg-type]
    assert allows(None, permission) is False  # type: ignore[arg-type]


def test_every_role_has_a_row_and_key_grants() -> None:
    assert set(MATRIX) == set(Role) == set(KEY_GRANTS)
