"""The helper process of `sigworker`: checks Ed25519 signatures it is sent, answers one byte each.

Run as ``python -m console.node.sigcheck``. It reads frames from stdin until stdin closes: a 4-byte big-endian
length, then items, each ``n (4 bytes, big-endian) || public key (32) || signed message (n)`` where the signed
message is libsodium's ``signature (64) || Sig_structure``; for each frame it writes a 4-byte length and one
byte per item, 1 if the signature holds, else 0. It is given nothing secret and imports nothing of the
console's but this module (it starts fast).
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
            signed = body[pos + 36 : pos + 36 + n]
            pos += 36 + n
            try:
                check(signed, key)
                out.append(1)
            except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, TypeError):
                out.append(0)
        stdout.write(LEN.pack(len(out)) + bytes(out))
        stdout.flush()


if __name__ == "__main__":
    main()
