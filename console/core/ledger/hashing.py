"""RFC 9162 Merkle tree hashing and the stored-hash index math of Go's golang.org/x/mod/sumdb/tlog.

A log of n records keeps every complete subtree hash once ("stored hashes"): record i adds its leaf hash and
one node hash per trailing 1-bit of i. `stored_hash_index(level, n)` numbers them in append order, so a log
appends hashes and never rewrites one. Invariant: hashes are 32-byte `bytes`; nothing here does I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # RFC 9162 §2.1.1: the hash of an empty list


class HashReader(Protocol):
    """Reads stored hashes by stored-hash index (G tlog.HashReader)."""

    def read_hashes(self, indexes: Sequence[int], /) -> list[bytes]: ...


class ListHashReader:
    """A HashReader over an in-memory list (tests, the sequencer's overlay)."""

    def __init__(self, hashes: list[bytes]) -> None:
        self.hashes = hashes

    def read_hashes(self, indexes: Sequence[int], /) -> list[bytes]:
        return [self.hashes[i] for i in indexes]


def leaf_hash(data: bytes) -> bytes:
    """MTH of one entry: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def maxpow2(n: int) -> tuple[int, int]:
    """The largest power of two k < n (n > 1), and log2(k): where RFC 9162 splits a range of n."""
    level = (n - 1).bit_length() - 1
    return 1 << level, level


def stored_hash_index(level: int, n: int) -> int:
    """Index of the n-th hash at `level` in the stored-hash sequence."""
    for _ in range(level):
        n = 2 * n + 1
    i = 0
    while n > 0:
        i += n
        n >>= 1
    return i + level


def split_stored_hash_index(index: int) -> tuple[int, int]:
    """Inverse of `stored_hash_index`: (level, n)."""
    n = index // 2
    index_n = stored_hash_index(0, n)
    if index_n > index:
        raise AssertionError("bad math in split_stored_hash_index")
    while True:
        x = index_n + 1 + _trailing_zeros(n + 1)
        if x > index:
            break
        n += 1
        index_n = x
    level = index - index_n
    return level, n >> level


def _trailing_zeros(x: int) -> int:
    return (x & -x).bit_length() - 1


def stored_hash_count(n: int) -> int:
    """How many hashes a log of n records stores."""
    if n == 0:
        return 0
    count = stored_hash_index(0, n - 1) + 1
    i = n - 1
    while i & 1:
        count += 1
        i >>= 1
    return count


def append_indexes(n: int) -> list[int]:
    """Phase 1 of appending record n: the stored hashes it needs (left siblings, top first)."""
    m = _trailing_zeros(n + 1)
    indexes = [0] * m
    for i in range(m):
        indexes[m - 1 - i] = stored_hash_index(i, (n >> i) - 1)
    return indexes


def append_combine(record_hash: bytes, old: Sequence[bytes]) -> list[bytes]:
    """Phase 2: the hashes record n adds, given `old` = the hashes at `append_indexes(n)`."""
    hashes = [record_hash]
    h = record_hash
    m = len(old)
    for i in range(m):
        h = node_hash(old[m - 1 - i], h)
        hashes.append(h)
    return hashes


def stored_hashes_for_record_hash(n: int, record_hash: bytes, reader: HashReader) -> list[bytes]:
    """The stored hashes that appending record n (with leaf hash `record_hash`) adds, in index order."""
    indexes = append_indexes(n)
    old = reader.read_hashes(indexes) if indexes else []
    if len(old) != len(indexes):
        raise ValueError(f"read_hashes({len(indexes)} indexes) returned {len(old)} hashes")
    return append_combine(record_hash, old)


def extend_stored_hashes(
    size: int, edge: Sequence[bytes], leaf_hashes: Sequence[bytes]
) -> tuple[list[bytes], list[bytes]]:
    """Append records size, size+1, ... (their leaf hashes) to a log of `size` records in one pass, in memory.

    `edge` is the log's right edge: the stored hashes at `proofs.tree_hash_indexes(size)` (its complete subtrees,
    left to right). Returns (the stored hashes the records add, which are contiguous from
    `stored_hash_index(0, size)` on; the new edge). A batch reads nothing per record: a sync or an append batch
    hashes its entries without a hash reader (the same hashes `stored_hashes_for_record_hash` gives one by one).
    """
    stack = list(edge)
    added: list[bytes] = []
    sha = hashlib.sha256
    n = size
    for h in leaf_hashes:
        added.append(h)
        m = n
        while m & 1:  # one merge per trailing 1-bit: the left sibling is the last complete subtree
            h = sha(b"\x01" + stack.pop() + h).digest()
            added.append(h)
            m >>= 1
        stack.append(h)
        n += 1
    return added, stack


def edge_root(edge: Sequence[bytes]) -> bytes:
    """The root of a log from its right edge (`extend_stored_hashes`): the fold of its complete subtrees."""
    if not edge:
        return EMPTY_ROOT
    root = edge[-1]
    for left in reversed(edge[:-1]):
        root = node_hash(left, root)
    return root


def build_stored_hashes(leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """Every stored hash of a log with these leaves (in memory; tests and fsck)."""
    stored: list[bytes] = []
    reader = ListHashReader(stored)
    for n, h in enumerate(leaf_hashes):
        stored.extend(stored_hashes_for_record_hash(n, h, reader))
    return stored
