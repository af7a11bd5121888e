"""Password and username rules (NIST SP 800-63B style: length and a block-list, no composition games)."""

from __future__ import annotations

import re

from console.core.errors import ValidationError
from console.core.i18n import _

MIN_LENGTH = 10
MAX_LENGTH = 256
_COMMON = {
    "password",
    "password1",
    "password12",
    "password123",
    "passw0rd",
    "qwertyuiop",
    "1234567890",
    "0123456789",
    "123456789a",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "admin12345",
    "administrator",
    "changeme123",
    "qwerty1234",
    "abcdefghij",
    "1q2w3e4r5t",
    "zaq12wsxcde",
}
USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")


def check_username(username: str) -> str:
    """Validate a login name: 2–32 characters, lower-case letters, digits, '.', '_' or '-', starting with a letter."""
    if not USERNAME_RE.fullmatch(username):
        raise ValidationError(
            "username",
            _(
                "The username {username!r} is not allowed: use 2–32 lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter."
            ).format(username=username),
        )
    return username


def check_password(password: str, username: str) -> None:
    """Refuse passwords that are short, common, all one character, or contain the username."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(
            "password", _("The password is too short: use at least {limit} characters.").format(limit=MIN_LENGTH)
        )
    if len(password) > MAX_LENGTH:
        raise ValidationError(
            "password", _("The password is too long: use at most {limit} characters.").format(limit=MAX_LENGTH)
        )
    lowered = password.lower()
    if lowered in _COMMON or len(set(password)) < 4:
        raise ValidationError("password", _("The password is too easy to guess: choose a less common one."))
    if username and username.lower() in lowered:
        raise ValidationError("password", _("The password must not contain the username."))
