"""Exports that hold personal data, encrypted under a passphrase (issue 17): the age file format.

An export leaves the office for someone else's desk (an auditor's laptop, a mail attachment, a USB stick), so it
cannot rely on personal.db's key. It is written as an `age` file (age-encryption.org/v1, the C2SP age spec)
with one scrypt passphrase stanza, through `pyrage` (a binding of the Rust implementation ``rage``): the file key
is wrapped by scrypt(passphrase) and the payload is ChaCha20-Poly1305 in 64 KiB chunks, so a changed byte or a
wrong passphrase is refused, never read as data. Why age and not the keystore's own format: the reader needs
no console — any age implementation (``age -d``, ``rage -d``, on Linux, macOS or Windows) opens the file with
the passphrase — and `id-console export open` does the same for those who have the console. docs/security.md,
"Exports of personal data", and docs/cli.md, "Encrypted exports".

Invariant: the clear text of an export never touches the disk; callers seal it in memory and write the sealed
bytes atomically.
"""

from __future__ import annotations

from console.core.errors import InvalidPassword, ValidationError
from console.core.i18n import _

#: The first line of every age file (and so of every encrypted export): what `write_output` checks before it
#: overwrites an existing file.
MAGIC = b"age-encryption.org/v1\n"
#: The suffix the console proposes for an encrypted export (`audit-2026-12-03.csv.age`).
SUFFIX = ".age"
#: The environment variable the command line reads the passphrase from (else a no-echo prompt).
PASSPHRASE_ENV = "ID_CONSOLE_EXPORT_PASSPHRASE"
#: Shortest passphrase accepted: the file can be attacked offline, scrypt only slows each guess down.
MIN_PASSPHRASE = 12


def check_passphrase(passphrase: str) -> str:
    """`passphrase` if it is long enough to protect a file attacked offline.

    Raises:
        ValidationError: shorter than MIN_PASSPHRASE characters.
    """
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(
            "passphrase",
            _("The export passphrase must have at least {n} characters; choose a longer one.").format(n=MIN_PASSPHRASE),
        )
    return passphrase


def seal_export(plaintext: bytes, passphrase: str) -> bytes:
    """`plaintext` as an age file encrypted under `passphrase` (scrypt; ~1 s of work, chosen by rage).

    Raises:
        ValidationError: the passphrase is too short.
    """
    from pyrage import passphrase as age_passphrase

    return bytes(age_passphrase.encrypt(plaintext, check_passphrase(passphrase)))


def open_export(sealed: bytes, passphrase: str, *, where: str = "the file") -> bytes:
    """The clear text of an encrypted export.

    Raises:
        ValidationError: `sealed` is not an age file.
        InvalidPassword: the passphrase is wrong or the file was changed (age cannot tell the two apart).
    """
    import pyrage
    from pyrage import passphrase as age_passphrase

    if not sealed.startswith(MAGIC):
        raise ValidationError(
            "file",
            _("{where} is not an encrypted export (an age file); give the file the console wrote.").format(where=where),
        )
    try:
        return bytes(age_passphrase.decrypt(sealed, passphrase))
    except pyrage.DecryptError as e:
        raise InvalidPassword(
            _("The passphrase does not open {where}, or the file was changed; nothing was read.").format(where=where)
        ) from e
