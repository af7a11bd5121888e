"""What an authority publishes on ``https://{authority_domain}/`` for verifiers (CONTRACTS.md).

`write_trust_files` is the one function behind `trust export --site DIR` (and the verifier page export):

- ``.well-known/jwks.json``: every office key of the authority the console trusts;
- ``{office_code}/.well-known/jwks.json``: that office's keys (what ``{iss}/.well-known/jwks.json`` resolves to);
- ``{office_code}/status/1.cwt``: that office's status list token;
- ``trust.json``: the same as `trust export --out` (JWKS plus the console's own members).

Invariants: only public keys are written (the JWKS code refuses private members); imported foreign keys are
never published; every file is written atomically.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from console.core import statusservice
from console.core.atomic import atomic_write
from console.core.errors import NotFound, StorageError
from console.core.i18n import _
from console.core.issuance import trust_list
from console.core.office import Office
from console.core.trust import TrustedKey, to_jwks

_OFFICE_CODE: Final = re.compile(r"[A-Za-z0-9._~-]+")


def office_code_of(issuer: str) -> str | None:
    """The office code an `iss` names (its last path segment), or None when it is unusable as a path."""
    code = issuer.rstrip("/").rsplit("/", 1)[-1]
    return code if _OFFICE_CODE.fullmatch(code) and code not in {".", ".."} else None


def jwks_bytes(keys: Iterable[TrustedKey]) -> bytes:
    """The JWKS file of `keys` as written everywhere (indented JSON, UTF-8, final newline)."""
    return (json.dumps(to_jwks(keys), indent=2, ensure_ascii=False) + "\n").encode()


def _write(folder: Path, relative: str, data: bytes) -> None:
    path = folder / relative
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StorageError(
            _("Cannot create the folder {path}: {reason}.").format(path=path.parent, reason=e.strerror)
        ) from e
    atomic_write(path, data, mode=0o644)


def write_trust_files(office: Office, folder: Path) -> tuple[list[str], list[str], int, int]:
    """Write the published keys and status lists under `folder` (created if missing).

    Returns:
        (files written, relative to `folder`; office codes; number of keys; number of status lists).

    Raises:
        StorageError: `folder` is a file or cannot be written.
    """
    if folder.exists() and not folder.is_dir():
        raise StorageError(_("{path} is a file; give a folder for the published files.").format(path=folder))
    trust = trust_list(office)
    written: list[str] = []
    by_office: dict[str, list[TrustedKey]] = {}
    for key in trust:
        code = office_code_of(key.issuer)
        if code is not None:
            by_office.setdefault(code, []).append(key)
    _write(folder, ".well-known/jwks.json", jwks_bytes(trust))
    written.append(".well-known/jwks.json")
    for code, keys in sorted(by_office.items()):
        _write(folder, f"{code}/.well-known/jwks.json", jwks_bytes(keys))
        written.append(f"{code}/.well-known/jwks.json")
    _write(folder, "trust.json", jwks_bytes(trust))
    written.append("trust.json")
    try:
        lists = statusservice.export(office, folder)
    except NotFound:  # no credential issued yet: nothing to publish about status
        lists = []
    written += lists
    return written, sorted(by_office), len(trust), len(lists)
