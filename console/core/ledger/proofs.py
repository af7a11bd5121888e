"""Tree hashes, inclusion proofs and consistency proofs over stored hashes (ported from G sumdb/tlog).

Each computation has two sans-I/O phases: `*_indexes()` says which stored hashes it needs, the combine step
turns exactly those hashes into the answer; leftovers mean our index math is wrong and raise AssertionError
("bad index math"), never a wrong answer. Proofs are lists of 32-byte hashes in RFC 9162 order.
"""

from __future__ import annotations

from collections.abc import Sequence

from console.core.ledger.hashing import (
    EMPTY_ROOT,
    HASH_SIZE,
    HashReader,
    maxpow2,
    node_hash,
    stored_hash_index,
)


class ProofError(ValueError):
    """A proof does not verify (or its inputs are out of range)."""


def _read(reader: HashReader, indexes: list[int]) -> list[bytes]:
    if not indexes:
        return []
    hashes = reader.read_hashes(indexes)
    if len(hashes) != len(indexes):
        raise ValueError(f"read_hashes({len(indexes)} indexes) returned {len(hashes)} hashes")
    return list(hashes)


# -- tree hash ----------------------------------------------------------------------------------------------


def _subtree_indexes(lo: int, hi: int, need: list[int]) -> list[int]:
    while lo < hi:
        k, level = maxpow2(hi - lo + 1)
        if lo & (k - 1):
            raise AssertionError("bad math in _subtree_indexes")
        need.append(stored_hash_index(level, lo >> level))
        lo += k
    return need


def _subtree_hash(lo: int, hi: int, hashes: list[bytes]) -> tuple[bytes, list[bytes]]:
    num = 0
    while lo < hi:
        k, _ = maxpow2(hi - lo + 1)
        if lo & (k - 1) or lo >= hi:
            raise AssertionError("bad math in _subtree_hash")
        num += 1
        lo += k
    if len(hashes) < num:
        raise AssertionError("bad index math in _subtree_hash")
    h = hashes[num - 1]
    for i in range(num - 2, -1, -1):
        h = node_hash(hashes[i], h)
    return h, hashes[num:]


def tree_hash_indexes(n: int) -> list[int]:
    """Phase 1 of the root of the first n records: the complete subtrees it is made of."""
    return _subtree_indexes(0, n, []) if n else []


def tree_hash_combine(n: int, hashes: Sequence[bytes]) -> bytes:
    """Phase 2: the root from the hashes at `tree_hash_indexes(n)`."""
    if n == 0:
        return EMPTY_ROOT
    h, rest = _subtree_hash(0, n, list(hashes))
    if rest:
        raise AssertionError("bad index math in tree_hash")
    return h


def tree_hash(n: int, reader: HashReader) -> bytes:
    """RFC 9162 root of the first n records."""
    if n < 0:
        raise ValueError("negative tree size")
    return tree_hash_combine(n, _read(reader, tree_hash_indexes(n)))


# -- inclusion ------------------------------------------------------------------------------------------------


def _leaf_proof_indexes(lo: int, hi: int, n: int, need: list[int]) -> list[int]:
    if not lo <= n < hi:
        raise AssertionError("bad math in _leaf_proof_indexes")
    if lo + 1 == hi:
        return need
    k, _ = maxpow2(hi - lo)
    if n < lo + k:
        _leaf_proof_indexes(lo, lo + k, n, need)
        _subtree_indexes(lo + k, hi, need)
    else:
        _subtree_indexes(lo, lo + k, need)
        _leaf_proof_indexes(lo + k, hi, n, need)
    return need


def _leaf_proof(lo: int, hi: int, n: int, hashes: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    if lo + 1 == hi:
        return [], hashes
    k, _ = maxpow2(hi - lo)
    if n < lo + k:
        p, hashes = _leaf_proof(lo, lo + k, n, hashes)
        th, hashes = _subtree_hash(lo + k, hi, hashes)
    else:
        th, hashes = _subtree_hash(lo, lo + k, hashes)
        p, hashes = _leaf_proof(lo + k, hi, n, hashes)
    return [*p, th], hashes


def inclusion_indexes(size: int, index: int) -> list[int]:
    """Phase 1 of proving record `index` is in the tree of `size` records."""
    if size < 0 or index < 0 or index >= size:
        raise ProofError(f"record {index} is not in a tree of {size}")
    return _leaf_proof_indexes(0, size, index, [])


def inclusion_combine(size: int, index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """Phase 2: the proof from the hashes at `inclusion_indexes(size, index)`."""
    proof, rest = _leaf_proof(0, size, index, list(hashes))
    if rest:
        raise AssertionError("bad index math in prove_inclusion")
    return proof


def prove_inclusion(size: int, index: int, reader: HashReader) -> list[bytes]:
    """RFC 9162 inclusion proof (audit path) of record `index` in the tree of `size` records."""
    return inclusion_combine(size, index, _read(reader, inclusion_indexes(size, index)))


def _run_record_proof(p: list[bytes], lo: int, hi: int, n: int, leaf: bytes) -> bytes:
    if lo + 1 == hi:
        if p:
            raise ProofError("inclusion proof too long")
        return leaf
    if not p:
        raise ProofError("inclusion proof too short")
    k, _ = maxpow2(hi - lo)
    if n < lo + k:
        return node_hash(_run_record_proof(p[:-1], lo, lo + k, n, leaf), p[-1])
    return node_hash(p[-1], _run_record_proof(p[:-1], lo + k, hi, n, leaf))


def check_inclusion(proof: Sequence[bytes], size: int, root: bytes, index: int, leaf: bytes) -> None:
    """Check that `leaf` is record `index` of the tree (`size`, `root`).

    Raises:
        ProofError: it is not (or the proof is malformed).
    """
    if size < 0 or index < 0 or index >= size:
        raise ProofError(f"record {index} is not in a tree of {size}")
    _check_hashes([*proof, root, leaf])
    if _run_record_proof(list(proof), 0, size, index, leaf) != root:
        raise ProofError("inclusion proof does not lead to the root")


# -- consistency -----------------------------------------------------------------------------------------------


def _tree_proof_indexes(lo: int, hi: int, n: int, need: list[int]) -> list[int]:
    if not lo < n <= hi:
        raise AssertionError("bad math in _tree_proof_indexes")
    if n == hi:
        return need if lo == 0 else _subtree_indexes(lo, hi, need)
    k, _ = maxpow2(hi - lo)
    if n <= lo + k:
        _tree_proof_indexes(lo, lo + k, n, need)
        _subtree_indexes(lo + k, hi, need)
    else:
        _subtree_indexes(lo, lo + k, need)
        _tree_proof_indexes(lo + k, hi, n, need)
    return need


def _tree_proof(lo: int, hi: int, n: int, hashes: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    if n == hi:
        if lo == 0:
            return [], hashes
        th, hashes = _subtree_hash(lo, hi, hashes)
        return [th], hashes
    k, _ = maxpow2(hi - lo)
    if n <= lo + k:
        p, hashes = _tree_proof(lo, lo + k, n, hashes)
        th, hashes = _subtree_hash(lo + k, hi, hashes)
    else:
        th, hashes = _subtree_hash(lo, lo + k, hashes)
        p, hashes = _tree_proof(lo + k, hi, n, hashes)
    return [*p, th], hashes


def consistency_indexes(new_size: int, old_size: int) -> list[int]:
    """Phase 1 of proving the tree of `old_size` is a prefix of the tree of `new_size`."""
    if new_size < 1 or old_size < 1 or old_size > new_size:
        raise ProofError(f"no consistency proof from size {old_size} to {new_size}")
    return _tree_proof_indexes(0, new_size, old_size, [])


def consistency_combine(new_size: int, old_size: int, hashes: Sequence[bytes]) -> list[bytes]:
    """Phase 2: the proof from the hashes at `consistency_indexes(new_size, old_size)`."""
    proof, rest = _tree_proof(0, new_size, old_size, list(hashes))
    if rest:
        raise AssertionError("bad index math in prove_consistency")
    return proof


def prove_consistency(new_size: int, old_size: int, reader: HashReader) -> list[bytes]:
    """RFC 9162 consistency proof from `old_size` to `new_size`."""
    return consistency_combine(new_size, old_size, _read(reader, consistency_indexes(new_size, old_size)))


def _run_tree_proof(p: list[bytes], lo: int, hi: int, n: int, old: bytes) -> tuple[bytes, bytes]:
    if n == hi:
        if lo == 0:
            if p:
                raise ProofError("consistency proof too long")
            return old, old
        if len(p) != 1:
            raise ProofError("consistency proof has the wrong length")
        return p[0], p[0]
    if not p:
        raise ProofError("consistency proof too short")
    k, _ = maxpow2(hi - lo)
    if n <= lo + k:
        oh, th = _run_tree_proof(p[:-1], lo, lo + k, n, old)
        return oh, node_hash(th, p[-1])
    oh, th = _run_tree_proof(p[:-1], lo + k, hi, n, old)
    return node_hash(p[-1], oh), node_hash(p[-1], th)


def check_consistency(proof: Sequence[bytes], new_size: int, new_root: bytes, old_size: int, old_root: bytes) -> None:
    """Check that the tree (`old_size`, `old_root`) is a prefix of (`new_size`, `new_root`).

    Raises:
        ProofError: it is not, or the proof is malformed.
    """
    _check_hashes(proof)
    if old_size < 0 or new_size < old_size:
        raise ProofError(f"a tree of {new_size} cannot extend one of {old_size}")
    if old_size == new_size:
        if proof or old_root != new_root or (old_size == 0 and old_root != EMPTY_ROOT):
            raise ProofError("trees of the same size differ")
        return
    if old_size == 0:
        # Anything extends the empty tree, so a proof from it proves nothing; callers handle size 0 themselves
        # (as transparency-dev/merkle does).
        raise ProofError("a consistency proof from the empty tree is meaningless")
    oh, th = _run_tree_proof(list(proof), 0, new_size, old_size, old_root)
    if oh != old_root or th != new_root:
        raise ProofError("consistency proof does not lead to both roots")


def _check_hashes(hashes: Sequence[bytes]) -> None:
    for h in hashes:
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise ProofError("a proof hash is not 32 bytes")
