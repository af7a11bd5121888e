"""Merkle hashing and proofs: transparency-dev/merkle vectors, exhaustive small trees with bit flips."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from console.core.ledger import hashing, proofs
from console.core.ledger.hashing import ListHashReader, build_stored_hashes, leaf_hash, node_hash

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "merkle"


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _load(kind: str) -> list[tuple[str, dict]]:
    files = sorted((VECTORS / kind).rglob("*.json"))
    assert len(files) > 50, f"vectors for {kind} missing"
    return [(str(f.relative_to(VECTORS)), json.loads(f.read_text())) for f in files]


def _reference_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 recursion, written independently of the stored-hash code."""
    if not leaves:
        return hashing.EMPTY_ROOT
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


@pytest.mark.parametrize(("name", "case"), _load("inclusion"), ids=lambda v: v if isinstance(v, str) else "")
def test_inclusion_vectors(name: str, case: dict) -> None:
    proof = [_b64(h) for h in case["proof"] or []]

    def check() -> None:
        proofs.check_inclusion(proof, case["treeSize"], _b64(case["root"]), case["leafIdx"], _b64(case["leafHash"]))

    if case["wantErr"]:
        with pytest.raises(proofs.ProofError):
            check()
    else:
        check()


@pytest.mark.parametrize(("name", "case"), _load("consistency"), ids=lambda v: v if isinstance(v, str) else "")
def test_consistency_vectors(name: str, case: dict) -> None:
    proof = [_b64(h) for h in case["proof"] or []]

    def check() -> None:
        proofs.check_consistency(proof, case["size2"], _b64(case["root2"]), case["size1"], _b64(case["root1"]))

    if case["wantErr"]:
        with pytest.raises(proofs.ProofError):
            check()
    else:
        check()


def test_empty_root_and_stored_hash_index_round_trip() -> None:
    assert hashing.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    for index in range(5000):
        level, n = hashing.split_stored_hash_index(index)
        assert hashing.stored_hash_index(level, n) == index


def _flip(h: bytes, bit: int) -> bytes:
    return bytes([h[0] ^ (1 << bit)]) + h[1:]


def test_exhaustive_small_trees() -> None:
    """For every size 1..100: stored-hash counts, roots against the RFC recursion, every inclusion and
    consistency proof verifies, and any single flipped bit in a proof hash, the root or the leaf fails."""
    leaves = [f"entry {i}".encode() for i in range(100)]
    stored = build_stored_hashes([leaf_hash(e) for e in leaves])
    reader = ListHashReader(stored)
    roots = [hashing.EMPTY_ROOT]
    for size in range(1, 101):
        assert hashing.stored_hash_count(size) <= len(stored)
        root = proofs.tree_hash(size, reader)
        assert root == _reference_root(leaves[:size])
        roots.append(root)
    assert hashing.stored_hash_count(100) == len(stored)
    for size in range(1, 101):
        root = roots[size]
        for index in range(size):
            proof = proofs.prove_inclusion(size, index, reader)
            leaf = leaf_hash(leaves[index])
            proofs.check_inclusion(proof, size, root, index, leaf)
            for i, h in enumerate(proof):
                bad = [*proof[:i], _flip(h, (i + index) % 8), *proof[i + 1 :]]
                with pytest.raises(proofs.ProofError):
                    proofs.check_inclusion(bad, size, root, index, leaf)
            with pytest.raises(proofs.ProofError):
                proofs.check_inclusion(proof, size, _flip(root, index % 8), index, leaf)
            with pytest.raises(proofs.ProofError):
                proofs.check_inclusion(proof, size, root, index, _flip(leaf, 3))
            if size > 1:
                with pytest.raises(proofs.ProofError):
                    proofs.check_inclusion(proof, size, root, (index + 1) % size, leaf)
        for old in range(1, size + 1):
            proof = proofs.prove_consistency(size, old, reader)
            proofs.check_consistency(proof, size, root, old, roots[old])
            for i, h in enumerate(proof):
                bad = [*proof[:i], _flip(h, i % 8), *proof[i + 1 :]]
                with pytest.raises(proofs.ProofError):
                    proofs.check_consistency(bad, size, root, old, roots[old])
            with pytest.raises(proofs.ProofError):
                proofs.check_consistency(proof, size, _flip(root, 5), old, roots[old])
            with pytest.raises(proofs.ProofError):
                proofs.check_consistency(proof, size, root, old, _flip(roots[old], 6))


def test_index_phase_then_combine_phase() -> None:
    stored = build_stored_hashes([leaf_hash(bytes([i])) for i in range(37)])
    indexes = proofs.tree_hash_indexes(37)
    assert proofs.tree_hash_combine(37, [stored[i] for i in indexes]) == proofs.tree_hash(37, ListHashReader(stored))
    with pytest.raises(AssertionError, match="bad index math"):
        proofs.tree_hash_combine(37, [stored[i] for i in indexes] + [stored[0]])
