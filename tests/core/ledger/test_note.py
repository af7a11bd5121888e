"""C2SP signed-note and tlog-checkpoint: the spec's own examples byte for byte, strict parsing, fuzzing."""

from __future__ import annotations

import base64

import nacl.signing
import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.core.ledger import checkpoint as cp
from console.core.ledger import note
from console.core.ledger.note import NoteError

# c2sp.org/signed-note, "Verifier keys / Example" (C2SP/C2SP signed-note.md).
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
).encode()
# golang.org/x/mod/sumdb/note note_test.go: a signer key, its verifier key and the exact signed output.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_SIGNED = (
    GO_TEXT
    + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
).encode()


def test_spec_example_key_id_and_signature() -> None:
    v = note.parse_vkey(SPEC_VKEY)
    assert v.name == "example.com/foo" and v.key_id == 0x530D903A
    assert v.vkey == SPEC_VKEY  # re-encodes byte for byte
    opened = note.open_note(SPEC_NOTE, [v])
    assert opened.text == "This is an example message.\n"
    assert opened.encode() == SPEC_NOTE
    assert opened.sigs[0].key_id == 0x530D903A


def test_go_example_signs_byte_for_byte() -> None:
    signer = note.parse_skey(GO_SKEY)
    assert signer.verifier.vkey == GO_VKEY
    assert note.sign(GO_TEXT, [signer]) == GO_SIGNED
    assert note.open_note(GO_SIGNED, [note.parse_vkey(GO_VKEY)]).text == GO_TEXT


def test_spec_checkpoint_example_parses() -> None:
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    c = cp.parse_checkpoint_body(body)
    assert (c.origin, c.size) == ("example.com/behind-the-sofa", 20852163)
    assert c.body() == body


def test_unknown_keys_are_kept_aside_and_bad_known_ones_reject() -> None:
    other = note.Signer("other.example/log", nacl.signing.SigningKey(b"\x02" * 32))
    mine = note.Signer("mine.example/log", nacl.signing.SigningKey(b"\x01" * 32))
    msg = note.sign("hello\n", [other, mine])
    opened = note.open_note(msg, [mine.verifier])
    assert [s.name for s in opened.sigs] == ["mine.example/log"]
    assert [s.name for s in opened.unverified] == ["other.example/log"]
    with pytest.raises(NoteError, match="no trusted key"):
        note.open_note(msg, [note.Verifier("x.example", bytes(32))])
    tampered = msg.replace(b"hello", b"hullo")
    with pytest.raises(NoteError, match="does not verify"):
        note.open_note(tampered, [mine.verifier])


@pytest.mark.parametrize(
    "bad",
    [
        SPEC_NOTE.replace(b"\xe2\x80\x94 ", b"- "),  # not an em dash
        SPEC_NOTE.replace(b"message.", b"message.\x07"),  # control character
        SPEC_NOTE.replace(b"message.", b"message.\xff"),  # bad UTF-8
        SPEC_NOTE[:-1],  # no final newline
        SPEC_NOTE.replace(b"\n\n", b"\n"),  # no blank line
        SPEC_NOTE.replace(b"aQM=", b"aQM"),  # unpadded base64
        SPEC_NOTE.replace(b"aQM=", b"aQM=!!"),  # junk in base64
        SPEC_NOTE.replace(b"example.com/foo U", b"example.com/foo  U"),
        SPEC_NOTE.replace(b"example.com/foo U", b"exam+ple.com/foo U"),
        SPEC_NOTE.replace(b"\r", b"") + b"\r\n",
        b"This is an example message.\n\n" + b"".join(SPEC_NOTE.split(b"\n\n")[1] for _ in range(101)),
    ],
)
def test_malformed_notes_are_rejected(bad: bytes) -> None:
    with pytest.raises(NoteError):
        note.open_note(bad, [note.parse_vkey(SPEC_VKEY)])


@pytest.mark.parametrize(
    "size",
    ["+42", " 42", "42 ", "1_000", "٤٢", "042", "-1", "", "4.2", "0x2a", "99999999999999999999999"],
)
def test_checkpoint_sizes_are_canonical(size: str) -> None:
    with pytest.raises(cp.CheckpointError):
        cp.parse_checkpoint_body(f"o\n{size}\n{base64.b64encode(bytes(32)).decode()}\n")


def test_checkpoint_strictness() -> None:
    root = base64.b64encode(bytes(32)).decode()
    assert cp.parse_checkpoint_body(f"o\n0\n{root}\n").size == 0
    for bad in (f"o\n1\n{root}\next\n", f"o\n1\n{root}", f"o\n1\n{root[:-2]}\n", f"\n1\n{root}\n", "o\n1\nAAAA\n"):
        with pytest.raises(cp.CheckpointError):
            cp.parse_checkpoint_body(bad)
    assert cp.parse_checkpoint_body(f"o\n1\n{root}\next\n", allow_extensions=True).size == 1


def test_open_checkpoint_pins_origin_and_key() -> None:
    signer = note.Signer("ids.example/HQ-01", nacl.signing.SigningKey(b"\x03" * 32))
    c = cp.Checkpoint("ids.example/HQ-01", 5, bytes(range(32)))
    data = cp.sign_checkpoint(c, signer)
    assert cp.open_checkpoint(data, "ids.example/HQ-01", [signer.verifier]).checkpoint == c
    with pytest.raises(cp.CheckpointError):
        cp.open_checkpoint(data, "ids.example/B-02", [signer.verifier])
    forged = note.Signer("ids.example/HQ-01", nacl.signing.SigningKey(b"\x04" * 32))
    with pytest.raises(cp.CheckpointError):
        cp.open_checkpoint(cp.sign_checkpoint(c, forged), "ids.example/HQ-01", [signer.verifier])


@given(st.binary(max_size=300))
def test_open_note_fuzz(data: bytes) -> None:
    v = note.parse_vkey(SPEC_VKEY)
    try:
        opened = note.open_note(data, [v])
    except NoteError:
        return
    assert opened.encode() == data


@given(st.text(max_size=120))
def test_checkpoint_body_fuzz(text: str) -> None:
    try:
        c = cp.parse_checkpoint_body(text)
    except cp.CheckpointError:
        return
    assert c.body() == text


@given(st.text(max_size=80))
def test_vkey_fuzz(text: str) -> None:
    try:
        v = note.parse_vkey(text)
    except NoteError:
        return
    assert v.vkey == text
