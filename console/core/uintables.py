"""The uin-10 permutation's round tables kept between processes, encrypted under the numbering secret (issue 16).

Allocating uin-10 numbers reads ten tables of 28,285 keyed values (HMAC-SHA256 under the authority's numbering
secret, `coding._Feistel`). A process that allocates more than a few hundred numbers computes all of them
(282,850 HMACs, ~0.3 s CPU); this module keeps the full tables in ``keys/uin-10.tables`` so that later processes
read them (~10 ms) instead. They are derived from the secret and reveal the permutation, so they are never on
disk in the clear: XSalsa20-Poly1305 (nacl SecretBox, as the keystores) under a key derived from the numbering
secret by HMAC-SHA256 with this module's own label. A file that does not decrypt, or whose tables disagree with
the secret on a sample of entries (a secret restored from another set-up, a damaged file), is ignored and
replaced; the numbers never depend on it being there.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from pathlib import Path

import nacl.exceptions
import nacl.secret

from console.core import coding
from console.core.atomic import atomic_write
from console.core.errors import StorageError

logger = logging.getLogger(__name__)

FILE_NAME = "uin-10.tables"
_LABEL = b"id-console/uin-10/round-tables/v1"
_LIMIT = 2 * coding.UIN_HALF * 16 + 1024  # more rounds than any scheme has, with the envelope


def _box(secret: bytes) -> nacl.secret.SecretBox:
    return nacl.secret.SecretBox(hmac.digest(secret, _LABEL, hashlib.sha256))


def load(folder: Path, secret: bytes, allocator: coding.Allocator) -> bool:
    """Give `allocator` the tables kept in `folder` (the office's keys folder); False when there are none to give
    or they do not check out (then the allocator computes its own, as without this file)."""
    if not coding.needs_round_tables(allocator):
        return False
    path = folder / FILE_NAME
    try:
        with path.open("rb") as f:
            sealed = f.read(_LIMIT)
    except OSError:
        return False
    try:
        plain = _box(secret).decrypt(sealed)
    except (nacl.exceptions.CryptoError, ValueError, TypeError):
        logger.warning("%s does not open with this office's numbering secret; it will be made again", path)
        return False
    if not plain.startswith(_LABEL) or not coding.load_round_tables(allocator, plain[len(_LABEL) :]):
        logger.warning("%s does not match this office's numbering secret; it will be made again", path)
        return False
    return True


def save(folder: Path, secret: bytes, allocator: coding.Allocator) -> bool:
    """Keep `allocator`'s tables in `folder`, encrypted, once they are full; True when written. A failure to write
    is only logged: the tables are a cache."""
    tables = coding.round_tables(allocator)
    if tables is None:
        return False
    try:
        atomic_write(folder / FILE_NAME, _box(secret).encrypt(_LABEL + tables))
    except StorageError:
        logger.warning("could not keep the uin-10 tables in %s", folder, exc_info=True)
        return False
    return True
