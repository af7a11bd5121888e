"""Errors a person can act on.

Every `ConsoleError` has a `str()` that is one sentence a clerk can read: what is wrong, where, and what to
do. Front ends show that sentence and nothing else; any other exception is a bug and gets a traceback in the
log. Foreign exceptions are wrapped where they enter the core (``raise X(...) from e``).
"""

from __future__ import annotations


class ConsoleError(Exception):
    """Base of every error the console reports to a person rather than treats as a bug."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(ConsoleError):
    """Input that breaks a rule; `field` names the input so a form can mark it."""

    exit_code = 2

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class PermissionDenied(ConsoleError):
    """The acting officer's role (or the four-eyes rule) does not allow this action."""

    exit_code = 3


class AuthenticationError(ConsoleError):
    """Login failed: unknown or disabled officer, wrong password, lockout (the sentence says which; the console
    serves enrolled staff inside an office, and docs/security.md explains the choice)."""

    exit_code = 4


class InvalidPassword(AuthenticationError):
    """A password did not unlock a keystore or match an account."""


class AccountLocked(AuthenticationError):
    """Too many wrong passwords: the account is locked until `until` (ISO time, UTC)."""

    def __init__(self, message: str, until: str) -> None:
        super().__init__(message)
        self.until = until


class SessionExpired(AuthenticationError):
    """The session was idle for too long, or its officer was disabled: log in again."""


class NotFound(ConsoleError):
    """A named thing (officer, citizen, credential, request) does not exist."""

    exit_code = 5


class Conflict(ConsoleError):
    """The action clashes with the current state (office already set up, request already decided, ...)."""

    exit_code = 6


class StorageError(ConsoleError):
    """The disk said no: unwritable folder, corrupt or truncated file, full disk."""

    exit_code = 7


class LedgerIntegrityError(ConsoleError):
    """The shared ledger does not add up: bad signature, fork, or a change to history."""

    exit_code = 8


class RemoteSyncError(ConsoleError):
    """A peer node or shared folder could not be reached or answered nonsense."""

    exit_code = 9


class UserCancelled(ConsoleError):
    """The officer cancelled; front ends unwind silently."""

    exit_code = 130

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)
