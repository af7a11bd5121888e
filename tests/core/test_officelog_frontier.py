"""The in-memory right edge of the office log (officelog._Frontier) gives exactly the stored hashes and roots of
the tlog math, for every size up to 300, whether it was carried from the last append or loaded from storage."""

from __future__ import annotations

import hashlib

from console.core import officelog
from console.core.ledger import proofs
from console.core.ledger.hashing import ListHashReader, build_stored_hashes, leaf_hash, stored_hash_index


def test_pushing_leaves_matches_the_stored_hash_math() -> None:
    leaves = [leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(300)]
    stored = build_stored_hashes(leaves)
    reader = ListHashReader(stored)
    carried = officelog._Frontier([], b"")
    for size, leaf in enumerate(leaves):
        added, carried, root = carried.push(size, leaf)
        first = stored_hash_index(0, size)
        assert added == stored[first : first + len(added)], size
        assert root == proofs.tree_hash(size + 1, reader), size
        assert carried.last_leaf == leaf
        # what a cache miss loads from storage is the same edge
        assert carried.hashes == reader.read_hashes(proofs.tree_hash_indexes(size + 1)), size
