"""`credentials.deflate` writes the very bytes of ``zlib.compress(data, 9)`` (issue 16: a smaller memory level for
credential-sized inputs), so every QR text stays what it was, byte for byte."""

from __future__ import annotations

import os
import random
import zlib

from console.core import credentials


def _sample(rnd: random.Random, size: int) -> bytes:
    """Credential-like bytes: runs of text, random bytes (keys, signatures, photos) and repeats of earlier parts."""
    parts: list[bytes] = []
    while sum(map(len, parts)) < size:
        kind = rnd.random()
        if kind < 0.4:
            parts.append(os.urandom(rnd.randint(1, 64)))
        elif kind < 0.8:
            parts.append(bytes(rnd.choice(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789") for _ in range(rnd.randint(1, 60))))
        else:
            parts.append(rnd.choice(parts) if parts else b"\x00")
    return b"".join(parts)[:size]


def test_the_same_bytes_as_zlib_level_9_on_both_sides_of_the_small_input_limit() -> None:
    rnd = random.Random(16)
    sizes = [0, 1, 2, 999, 1000, 1001, 1023, 1024, 1025, 4000]
    sizes += [rnd.randint(1, 1100) for _ in range(1500)]
    for size in sizes:
        for data in (_sample(rnd, size), bytes(size), os.urandom(size), b"AB" * (size // 2)):
            assert credentials.deflate(data) == zlib.compress(data, 9), size


def test_issued_credentials_inflate_back() -> None:
    rnd = random.Random(3)
    for _ in range(200):
        data = _sample(rnd, rnd.randint(200, 1000))
        assert zlib.decompress(credentials.deflate(data)) == data
