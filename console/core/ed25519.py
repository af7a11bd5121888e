"""Ed25519 signature checks straight through libsodium, for the verify paths (cards, events, status lists).

PyNaCl's `nacl.signing` (and every `nacl` module but `nacl.exceptions`) imports all of `nacl.bindings`, which sets
up each libsodium binding it offers: about 10 ms in every process (issue 16: a third of what `id-console verify
TEXT` spent beyond the interpreter's own start). A check needs one libsodium function, `crypto_sign_open`, the
one PyNaCl's `VerifyKey.verify` calls, with the same arguments (signature || message, the key); it is called here
through PyNaCl's own compiled cffi module, with libsodium initialised as `nacl.bindings` initialises it. Without
that module (another PyNaCl build), PyNaCl's public API is used.

Invariant: `holds` never raises for any input and is True only for a valid signature of `message` by `public_key`
(lengths are checked before anything reaches C). tests/core/test_ed25519.py compares it with `nacl.signing`.
"""

from __future__ import annotations

import threading
from typing import Any

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64

_lib: Any = None
_ffi: Any = None
_lock = threading.Lock()


def _sodium() -> Any:
    """libsodium through PyNaCl's cffi module, initialised once; None when that module is not there."""
    global _lib, _ffi
    if _lib is None:
        with _lock:
            if _lib is None:
                try:
                    from nacl._sodium import ffi, lib
                except ImportError:  # pragma: no cover - a PyNaCl without its cffi module
                    _lib = False
                else:
                    if lib.sodium_init() < 0:  # pragma: no cover - libsodium cannot start (no entropy source)
                        raise RuntimeError("libsodium could not be initialised")
                    _ffi = ffi
                    _lib = lib
    return _lib or None


def holds(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether `signature` is a valid Ed25519 signature of `message` by the raw 32-byte `public_key`."""
    if (
        not isinstance(public_key, bytes)
        or not isinstance(message, bytes)
        or not isinstance(signature, bytes)
        or len(public_key) != PUBLIC_KEY_BYTES
        or len(signature) != SIGNATURE_BYTES
    ):
        return False
    lib = _sodium()
    if lib is not None:
        signed = signature + message
        size = len(signed)
        opened = _ffi.new("unsigned char[]", size)
        opened_size = _ffi.new("unsigned long long *")
        return bool(lib.crypto_sign_open(opened, opened_size, signed, size, public_key) == 0)
    import nacl.exceptions  # pragma: no cover - the fallback above
    import nacl.signing

    try:  # pragma: no cover
        nacl.signing.VerifyKey(public_key).verify(message, signature)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, TypeError):  # pragma: no cover
        return False
    return True  # pragma: no cover
