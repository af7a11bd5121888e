"""Where a token-held office key's PIN comes from when no front end gave one (issue 17), apart from `hsm`.

`Office` starts with `missing_pin` as its PIN source in every process, and `hsm` itself subclasses PyNaCl's
`SigningKey`, which imports all of PyNaCl's bindings (~10 ms): kept here, opening an office (as `verify` does)
needs neither (issue 16). `console.core.hsm` re-exports both names, so the one `missing_pin` object is the same
whichever module it is taken from (the desktop console tells its own prompt from it by identity).
"""

from __future__ import annotations

from console.core.errors import StorageError
from console.core.i18n import _


class TokenError(StorageError):
    """The token is missing, locked, refuses the PIN, or cannot do what the console asks."""


def missing_pin() -> str:
    """The PIN source of an office whose front end gave none."""
    raise TokenError(
        _("The office key is in a token and no PIN was given: set ID_CONSOLE_TOKEN_PIN or run in a terminal.")
    )
