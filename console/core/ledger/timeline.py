"""Where an incoming checkpoint sits relative to the last one accepted from a log: past, now, future, or a fork.

G sumdb/client.go `mergeLatest`: an older or equal checkpoint must be a prefix of (or equal to) what we hold, a
newer one must extend it. The caller computes tree hashes (over its own stored hashes for the past, over the
newer tree's authenticated tiles for the future); this module only decides, and for a fork keeps both signed
notes plus the consistency proof, so anyone can check the log's misbehaviour without the log's cooperation.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from console.core.ledger.checkpoint import SignedCheckpoint


class Relation(StrEnum):
    PAST = "past"
    NOW = "now"
    FUTURE = "future"
    FORK = "fork"


@dataclass(frozen=True)
class Fork:
    """Evidence: two checkpoints of one log signed by its key that cannot both be true."""

    origin: str
    older: SignedCheckpoint
    newer: SignedCheckpoint
    proof: tuple[bytes, ...]
    reason: str

    def to_json(self) -> bytes:
        """A self-contained evidence file: both notes verbatim and the proof in base64."""
        doc = {
            "type": "id-console/fork-evidence/v1",
            "origin": self.origin,
            "reason": self.reason,
            "checkpoints": [self.older.note.decode(), self.newer.note.decode()],
            "consistency_proof": [base64.b64encode(h).decode() for h in self.proof],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False).encode()


def relate(
    known: SignedCheckpoint | None,
    incoming: SignedCheckpoint,
    tree_hash_at: Callable[[int], bytes],
    proof: Callable[[int, int], list[bytes]] | None = None,
) -> Relation | Fork:
    """Classify `incoming` against `known`.

    Args:
        tree_hash_at: root of the larger tree's first n records, computed from data authenticated against the
            larger checkpoint (our stored hashes for PAST, the fetched tiles for FUTURE).
        proof: optional consistency proof maker (larger size, smaller size) for the evidence.
    """
    if known is None:
        return Relation.FUTURE
    k, i = known.checkpoint, incoming.checkpoint
    if k.size == i.size:
        if k.root == i.root:
            return Relation.NOW
        return Fork(k.origin, known, incoming, (), f"two different roots at size {k.size}")
    small, large = (known, incoming) if k.size < i.size else (incoming, known)
    if tree_hash_at(small.checkpoint.size) == small.checkpoint.root:
        return Relation.FUTURE if large is incoming else Relation.PAST
    evidence = tuple(proof(large.checkpoint.size, small.checkpoint.size)) if proof and small.checkpoint.size else ()
    return Fork(
        k.origin,
        small,
        large,
        evidence,
        f"the checkpoint of size {large.checkpoint.size} does not extend the one of size {small.checkpoint.size}",
    )
