"""C2SP signed-note with Ed25519 (ported from G sumdb/note): keys, key ids, signing and strict opening.

A note is UTF-8 text ending in a newline, a blank line, then signature lines ``— <name> <base64(keyid||sig)>``.
Opening is strict: bad UTF-8 or control characters, a malformed signature line, more than 100 signatures, or
a bad signature from a known key reject the whole note; signatures from unknown keys are kept aside
(`Note.unverified`), and a note with no verified signature is rejected. We sign what we parsed: re-encoding an
opened note with `sign` gives the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import nacl.exceptions
import nacl.signing

ALG_ED25519 = 0x01
MAX_SIGNATURES = 100
_SIG_PREFIX = "— "


class NoteError(ValueError):
    """The note is malformed, or no trusted key verifies it."""


def b64decode_strict(text: str) -> bytes:
    """Standard base64 with padding, rejecting anything that does not re-encode to the same text."""
    if not text.isascii():
        raise ValueError("not base64")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as e:
        raise ValueError("not base64") from e
    if base64.b64encode(raw).decode() != text:
        raise ValueError("not canonical base64")
    return raw


@functools.lru_cache(maxsize=1024)
def is_valid_name(name: str) -> bool:
    """Key names are non-empty, without Unicode spaces or '+' (and without control characters)."""
    return bool(name) and "+" not in name and not any(c.isspace() or ord(c) < 0x20 for c in name)


def key_id(name: str, public_key: bytes, alg: int = ALG_ED25519) -> int:
    """SHA-256(name || 0x0A || alg || public key)[:4] as a big-endian uint32."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


@dataclass(frozen=True)
class Verifier:
    """An Ed25519 verifier key: name, key id and the 32-byte public key."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.public_key)

    @property
    def vkey(self) -> str:
        """The text form ``<name>+<hex id>+<base64(0x01 || key)>``."""
        blob = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{blob}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            nacl.signing.VerifyKey(self.public_key).verify(message, signature)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, TypeError):
            return False
        return True


def parse_vkey(vkey: str) -> Verifier:
    """A Verifier from its text form; the key id must match the name and key.

    Raises:
        NoteError: malformed, unknown algorithm, or wrong key id.
    """
    parts = vkey.split("+", 2)  # base64 may itself contain "+"
    if len(parts) != 3:
        raise NoteError(f"malformed verifier key {vkey!r}")
    name, hex_id, blob = parts
    try:
        if len(hex_id) != 8 or hex_id != hex_id.lower():
            raise ValueError
        kid = int(hex_id, 16)
        raw = b64decode_strict(blob)
    except ValueError:
        raise NoteError(f"malformed verifier key {vkey!r}") from None
    if not is_valid_name(name) or not raw:
        raise NoteError(f"malformed verifier key {vkey!r}")
    if raw[0] != ALG_ED25519 or len(raw) != 33:
        raise NoteError(f"verifier key {vkey!r} is not an Ed25519 key")
    verifier = Verifier(name, raw[1:])
    if verifier.key_id != kid:
        raise NoteError(f"verifier key {vkey!r} has the wrong key id")
    return verifier


@dataclass(frozen=True)
class Signer:
    """An Ed25519 signing key under a note key name."""

    name: str
    signing_key: nacl.signing.SigningKey

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, bytes(self.signing_key.verify_key))

    def sign(self, message: bytes) -> bytes:
        return bytes(self.signing_key.sign(message).signature)


def parse_skey(skey: str) -> Signer:
    """A Signer from G's ``PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`` (test vectors only: we never
    keep private keys in the clear)."""
    parts = skey.split("+", 4)
    if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
        raise NoteError("malformed signer key")
    _, _, name, hex_id, blob = parts
    try:
        kid = int(hex_id, 16)
        raw = b64decode_strict(blob)
    except ValueError:
        raise NoteError("malformed signer key") from None
    if len(hex_id) != 8 or not is_valid_name(name) or len(raw) != 33 or raw[0] != ALG_ED25519:
        raise NoteError("malformed signer key")
    signer = Signer(name, nacl.signing.SigningKey(raw[1:]))
    if signer.verifier.key_id != kid:
        raise NoteError("signer key has the wrong key id")
    return signer


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key id, and the base64 of key id || signature."""

    name: str
    key_id: int
    b64: str

    @property
    def line(self) -> str:
        return f"{_SIG_PREFIX}{self.name} {self.b64}\n"


@dataclass(frozen=True)
class Note:
    """An opened note: its text, the verified signatures, and those from unknown keys."""

    text: str
    sigs: tuple[Signature, ...]
    unverified: tuple[Signature, ...] = field(default=())

    def encode(self) -> bytes:
        return (self.text + "\n" + "".join(s.line for s in (*self.sigs, *self.unverified))).encode()


_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")


def _check_text(msg: str) -> None:
    if _CONTROL.search(msg):
        raise NoteError("the note contains a control character")


def sign(text: str, signers: Sequence[Signer], keep: Iterable[Signature] = ()) -> bytes:
    """Sign `text` (which must end in a newline) with each signer; `keep` are existing lines to carry over."""
    if not text.endswith("\n"):
        raise NoteError("note text must end in a newline")
    _check_text(text)
    body = text.encode()
    lines: list[str] = []
    have: set[tuple[str, int]] = set()
    for s in signers:
        if not is_valid_name(s.name):
            raise NoteError(f"invalid key name {s.name!r}")
        kid = s.verifier.key_id
        have.add((s.name, kid))
        b64 = base64.b64encode(kid.to_bytes(4, "big") + s.sign(body)).decode()
        lines.append(f"{_SIG_PREFIX}{s.name} {b64}\n")
    kept = [sig.line for sig in keep if (sig.name, sig.key_id) not in have]
    return body + b"\n" + "".join(kept + lines).encode()


#: The last key signed with by `sign_one`: (the key object, its key name, the signed-note key id). An office log
#: signs its head after every event with the same officer's key, and the key id is a hash of name and key.
_last_one: tuple[nacl.signing.SigningKey, str, bytes] | None = None


def sign_one(text: str, name: str, signing_key: nacl.signing.SigningKey) -> bytes:
    """`sign(text, [Signer(name, signing_key)])` for the one-signer case, byte for byte the same note: the key id
    is computed once per key and name (the office log signs a head per event)."""
    global _last_one
    if not text.endswith("\n"):
        raise NoteError("note text must end in a newline")
    _check_text(text)
    last = _last_one
    if last is not None and last[0] is signing_key and last[1] == name:
        kid = last[2]
    else:
        if not is_valid_name(name):
            raise NoteError(f"invalid key name {name!r}")
        kid = key_id(name, bytes(signing_key.verify_key)).to_bytes(4, "big")
        _last_one = (signing_key, name, kid)
    body = text.encode()
    b64 = base64.b64encode(kid + signing_key.sign(body).signature).decode()
    return body + f"\n{_SIG_PREFIX}{name} {b64}\n".encode()


def open_note(msg: bytes, known: Sequence[Verifier]) -> Note:
    """Parse and verify a signed note against `known` keys.

    Raises:
        NoteError: malformed, a known key's signature is bad, or no known key signed it.
    """
    try:
        text_all = msg.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise NoteError("the note is not valid UTF-8") from None
    _check_text(text_all)
    split = text_all.rfind("\n\n")
    if split < 0:
        raise NoteError("the note has no blank line before its signatures")
    text, sig_block = text_all[: split + 1], text_all[split + 2 :]
    if not sig_block or not sig_block.endswith("\n"):
        raise NoteError("the note has no signature lines")
    by_key = {(v.name, v.key_id): v for v in known}
    sigs: list[Signature] = []
    unverified: list[Signature] = []
    seen: set[str] = set()
    lines = sig_block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"the note has more than {MAX_SIGNATURES} signatures")
    for line in lines:
        if not line.startswith(_SIG_PREFIX):
            raise NoteError("a signature line does not start with '— '")
        name, sep, b64 = line[len(_SIG_PREFIX) :].partition(" ")
        try:
            raw = b64decode_strict(b64)
        except ValueError:
            raise NoteError("a signature is not base64") from None
        if not sep or not is_valid_name(name) or len(raw) < 5:
            raise NoteError("malformed signature line")
        kid = int.from_bytes(raw[:4], "big")
        if line in seen:
            continue
        seen.add(line)
        signature = Signature(name, kid, b64)
        verifier = by_key.get((name, kid))
        if verifier is None:
            unverified.append(signature)
            continue
        if any((s.name, s.key_id) == (name, kid) for s in sigs):
            continue
        if not verifier.verify(text.encode(), raw[4:]):
            raise NoteError(f"the signature by {name} does not verify")
        sigs.append(signature)
    if not sigs:
        raise NoteError("no trusted key signed the note")
    return Note(text, tuple(sigs), tuple(unverified))
