"""C2SP tlog-checkpoint bodies: origin, tree size, root hash (G tlog/note.go `FormatTree`/`ParseTree`).

Parsing is canonical: the size is ASCII decimal without sign, spaces, underscores or leading zeros (Python's
int() would take "+42", " 42", "1_000" and "٤٢"), the hash is exactly 32 bytes of canonical base64, and our
logs carry no extension lines. `open_checkpoint` also pins the origin and requires the log key's signature.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from console.core.ledger.hashing import HASH_SIZE
from console.core.ledger.note import Note, NoteError, Signer, Verifier, b64decode_strict, open_note, sign


class CheckpointError(ValueError):
    """The checkpoint is malformed, for another log, or not signed by the log's key."""


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: origin (the log's name), size, root."""

    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint with the exact signed-note bytes it came in (kept as evidence)."""

    checkpoint: Checkpoint
    note: bytes


def parse_decimal(text: str) -> int:
    """A canonical non-negative decimal: ASCII digits only, no leading zero."""
    if not text or not text.isascii() or not text.isdigit() or (len(text) > 1 and text[0] == "0") or len(text) > 20:
        raise ValueError(f"not a canonical decimal: {text!r}")
    value = int(text)
    if value >= 1 << 63:
        raise ValueError(f"number out of range: {text!r}")
    return value


def parse_checkpoint_body(text: str, *, allow_extensions: bool = False) -> Checkpoint:
    """The checkpoint in a note's text.

    Raises:
        CheckpointError: not exactly origin, size and hash lines (plus extensions only if allowed).
    """
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint text must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or (len(lines) > 3 and not allow_extensions) or any(not line for line in lines):
        raise CheckpointError("a checkpoint is exactly three non-empty lines: origin, size, root hash")
    origin, size_text, hash_text = lines[:3]
    try:
        size = parse_decimal(size_text)
        root = b64decode_strict(hash_text)
    except ValueError as e:
        raise CheckpointError(f"malformed checkpoint: {e}") from None
    if len(root) != HASH_SIZE:
        raise CheckpointError("the checkpoint's root hash is not 32 bytes")
    return Checkpoint(origin, size, root)


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> bytes:
    """The signed note of a checkpoint (the key name should be the origin)."""
    return sign(checkpoint.body(), [signer])


def open_checkpoint(data: bytes, origin: str, verifiers: list[Verifier]) -> SignedCheckpoint:
    """Verify a checkpoint note with the log's keys and check it is for `origin`.

    Raises:
        CheckpointError: malformed, unsigned by the log's keys, or another log's.
    """
    try:
        note: Note = open_note(data, verifiers)
    except NoteError as e:
        raise CheckpointError(f"checkpoint of {origin}: {e}") from None
    checkpoint = parse_checkpoint_body(note.text)
    if checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint is for {checkpoint.origin!r}, not {origin!r}")
    return SignedCheckpoint(checkpoint, data)
