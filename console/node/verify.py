"""`ledger verify --folder`: every log in the shared folder, checked from its files alone (plus the keys the
authority certified): the checkpoint's signature, every tile rebuilt from the entry bundles and compared byte
for byte (fsck), every entry's COSE signature, every blob against its name."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass

import cbor2

from console.core import cose, ledgerapply, officelog
from console.core.ledger import checkpoint as cp
from console.core.ledger import note
from console.core.ledger.fsck import fsck
from console.node.fetch import Fetcher, FetchError
from console.node.sync import _office_keys_in, _unverified_checkpoint


@dataclass(frozen=True)
class FolderFault:
    log: str
    file: str
    message: str

    def __str__(self) -> str:
        return f"log {self.log}, file {self.file}: {self.message}"


def _known_keys(conn: sqlite3.Connection) -> dict[bytes, bytes]:
    keys: dict[bytes, bytes] = {}
    root = conn.execute("SELECT CAST(root_public AS BLOB) FROM authority WHERE id = 1").fetchone()
    if root:
        keys[cose.key_id(bytes(root[0]))] = bytes(root[0])
    for table in ("office_keys", "officer_keys", "ledger_peer_officers"):
        for (key,) in conn.execute(f"SELECT CAST(public_key AS BLOB) FROM {table}"):
            keys[cose.key_id(bytes(key))] = bytes(key)
    return keys


def verify_folder(conn: sqlite3.Connection, fetcher: Fetcher) -> list[FolderFault]:
    """Every fault of every log in the folder (empty: all is well)."""
    authority = conn.execute("SELECT CAST(root_public AS BLOB), domain FROM authority WHERE id = 1").fetchone()
    root_key, domain = bytes(authority[0]), str(authority[1])
    keys = _known_keys(conn)
    faults: list[FolderFault] = []
    for code in fetcher.logs():
        origin = f"{domain}/{code}"

        def read(path: str, code: str = code) -> bytes:
            try:
                return fetcher.read(code, path)
            except FetchError as e:
                raise FileNotFoundError(e.path) from e

        try:
            data = fetcher.read(code, "checkpoint")
            unverified = _unverified_checkpoint(code, data, origin)
        except FileNotFoundError:
            faults.append(FolderFault(code, "checkpoint", "missing"))
            continue
        except FetchError as e:
            faults.append(FolderFault(code, e.path, str(e).split(": ", 1)[-1]))
            continue
        except Exception as e:
            faults.append(FolderFault(code, "checkpoint", str(e).split(": ", 1)[-1]))
            continue
        first: list[bytes] = []
        try:
            from console.core.ledger.tiles import ENTRIES_LEVEL, Tile, decode_bundle, width_at

            if unverified.size:
                t = Tile(ENTRIES_LEVEL, 0, width_at(0, 0, unverified.size))
                first = decode_bundle(t, read(t.path))
        except Exception:
            first = []
        certified = ledgerapply.certified_office_keys(conn, code) + _office_keys_in(first, root_key, domain, code)
        try:
            signed = cp.open_checkpoint(data, origin, [note.Verifier(origin, k) for k in certified])
        except cp.CheckpointError as e:
            faults.append(FolderFault(code, "checkpoint", f"not signed by a key the authority certified ({e})"))
            signed = cp.SignedCheckpoint(unverified, data)  # still locate damaged files against its claims
        blobs: set[str] = set()

        def check_entry(index: int, entry: bytes, blobs: set[str] = blobs) -> str | None:
            try:
                message = cose.decode_sign1(entry)
                payload = cbor2.loads(message.payload)
                key = keys.get(message.kid)
                if key is None:
                    return f"signed by key {message.kid.hex()}, which this office does not know"
                cose.verify_sign1(message, key)
            except (cose.CoseError, cose.CoseSignatureError, ValueError, cbor2.CBORDecodeError) as e:
                return f"bad signature or format ({e})"
            if isinstance(payload, dict) and isinstance(payload.get("blob"), bytes):
                blobs.add(payload["blob"].hex())
            return None

        for c in _office_keys_in(first, root_key, domain, code):
            keys[cose.key_id(c)] = c
        present = fetcher.files(code)
        report = fsck(
            signed.checkpoint.size,
            signed.checkpoint.root,
            read,
            [p for p in present if not p.startswith("blob/")],
            check_entry,
        )
        faults += [FolderFault(code, f.path, f.message) for f in report.faults]
        for name in sorted(blobs):
            try:
                blob = fetcher.read(code, f"blob/{name}")
            except (FileNotFoundError, FetchError):
                faults.append(FolderFault(code, f"blob/{name}", "missing blob named by an entry"))
                continue
            if hashlib.sha256(blob).hexdigest() != name:
                faults.append(FolderFault(code, f"blob/{name}", "the blob does not match its name (changed)"))
        for p in present:
            if p.startswith("blob/") and p[5:] not in blobs:
                faults.append(FolderFault(code, p, "extra file that is not part of the log"))
    return faults


__all__ = ["FolderFault", "officelog", "verify_folder"]
