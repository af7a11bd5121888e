"""The helper process of `sigworker`: checks Ed25519 signatures it is sent, answers one byte each.

Run as ``python -m console.node.sigcheck``. It reads frames from stdin until stdin closes: a 4-byte big-endian
length, then items, each ``n (4 bytes, big-endian) || Ed25519 public key (32) || COSE_Sign1 entry (n)``; for
each frame it writes a 4-byte length and one byte per item, 1 if the entry's signature holds under that key
(RFC 9052 Sig_structure, empty external AAD: exactly `console.core.cose.signature_holds`), else 0. It is given
nothing secret and imports nothing of the console's but this module (it starts fast).
"""

from __future__ import annotations

import struct
import sys
from typing import IO

LEN = struct.Struct(">I")


def read_exact(stream: IO[bytes], n: int) -> bytes:
    """Exactly n bytes from the stream. Raises EOFError if it ends first."""
    out = bytearray()
    while len(out) < n:
        chunk = stream.read(n - len(out))
        if not chunk:
            raise EOFError
        out += chunk
    return bytes(out)


def _bstr(data: bytes) -> bytes:
    n = len(data)
    if n < 24:
        return bytes((0x40 | n,)) + data
    if n < 0x100:
        return bytes((0x58, n)) + data
    if n < 0x10000:
        return b"\x59" + n.to_bytes(2, "big") + data
    return b"\x5a" + n.to_bytes(4, "big") + data


def signed_bytes(entry: bytes) -> bytes:
    """libsodium's signed message for a COSE_Sign1 entry: signature || Sig_structure(protected, payload).

    Raises:
        ValueError: not a COSE_Sign1 of four parts with byte-string protected header, payload and signature.
    """
    import cbor2

    obj = cbor2.loads(entry)
    if isinstance(obj, cbor2.CBORTag):
        obj = obj.value
    if not isinstance(obj, list) or len(obj) != 4:
        raise ValueError("not a COSE_Sign1")
    protected, _unprotected, payload, signature = obj
    if not all(isinstance(x, bytes) for x in (protected, payload, signature)) or len(signature) != 64:
        raise ValueError("not a COSE_Sign1")
    return bytes(signature) + b"\x84\x6aSignature1" + _bstr(protected) + b"\x40" + _bstr(payload)


def main() -> None:
    import nacl.bindings
    import nacl.exceptions

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    unpack = LEN.unpack_from
    check = nacl.bindings.crypto_sign_open
    while True:
        try:
            (size,) = LEN.unpack(read_exact(stdin, 4))
            body = read_exact(stdin, size)
        except EOFError:
            return
        out = bytearray()
        pos = 0
        while pos + 36 <= size:
            (n,) = unpack(body, pos)
            key = body[pos + 4 : pos + 36]
            entry = body[pos + 36 : pos + 36 + n]
            pos += 36 + n
            try:
                check(signed_bytes(entry), key)
                out.append(1)
            except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, TypeError, ValueError):
                out.append(0)
            except Exception:  # anything cbor2 raises on bytes that are no COSE_Sign1: not a good signature
                out.append(0)
        stdout.write(LEN.pack(len(out)) + bytes(out))
        stdout.flush()


if __name__ == "__main__":
    main()
