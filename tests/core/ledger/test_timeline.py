"""Timeline merge: past, now, future and forks with evidence anyone can check."""

from __future__ import annotations

import json

import nacl.signing

from console.core.ledger import checkpoint as cp
from console.core.ledger import note, proofs
from console.core.ledger.hashing import ListHashReader, build_stored_hashes, leaf_hash
from console.core.ledger.timeline import Fork, Relation, relate

SIGNER = note.Signer("ids.example/HQ-01", nacl.signing.SigningKey(b"\x05" * 32))


def _signed(entries: list[bytes]) -> tuple[cp.SignedCheckpoint, ListHashReader]:
    reader = ListHashReader(build_stored_hashes([leaf_hash(e) for e in entries]))
    c = cp.Checkpoint(SIGNER.name, len(entries), proofs.tree_hash(len(entries), reader))
    return cp.SignedCheckpoint(c, cp.sign_checkpoint(c, SIGNER)), reader


def test_relations_and_fork_evidence() -> None:
    base = [f"e{i}".encode() for i in range(10)]
    c5, _r5 = _signed(base[:5])
    c10, r10 = _signed(base)
    assert relate(None, c5, lambda n: b"") is Relation.FUTURE
    assert relate(c5, c10, lambda n: proofs.tree_hash(n, r10)) is Relation.FUTURE
    assert relate(c10, c5, lambda n: proofs.tree_hash(n, r10)) is Relation.PAST
    assert relate(c10, c10, lambda n: b"") is Relation.NOW
    other, r_other = _signed([*base[:4], b"rewritten", *base[5:]])
    fork = relate(
        c5, other, lambda n: proofs.tree_hash(n, r_other), lambda a, b: proofs.prove_consistency(a, b, r_other)
    )
    assert isinstance(fork, Fork)
    doc = json.loads(fork.to_json())
    notes = [n.encode() for n in doc["checkpoints"]]
    opened = [cp.open_checkpoint(n, SIGNER.name, [SIGNER.verifier]).checkpoint for n in notes]
    assert {c.size for c in opened} == {5, 10}
    same_size = relate(c10, other, lambda n: b"")
    assert isinstance(same_size, Fork) and "different roots" in same_size.reason
