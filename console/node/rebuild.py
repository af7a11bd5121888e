"""`rebuild --from-ledger`: read the lost office's own log from the shared folder, check it, rebuild, then sync.

The bytes are authenticated before the core replays them: the checkpoint must be signed by an office key the
authority certified (the certificates travel in the log itself, checked under the key backup's authority
root), and the entry bundles must hash to the checkpoint's root, so a changed, missing or reordered file is
named and nothing is built. The core (`console.core.rebuild`) then checks every entry's signature and
certificate while replaying. Once office.db is in place, the other offices' logs are synced as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import cbor2
import nacl.signing

from console.core import cose
from console.core.errors import LedgerIntegrityError, StorageError
from console.core.keys import public_key_of
from console.core.ledger import checkpoint as cp
from console.core.ledger import note, proofs
from console.core.ledger.hashing import leaf_hash, stored_hash_index, stored_hashes_for_record_hash
from console.core.rebuild import KeyBackup, RebuildResult, rebuild_office
from console.core.timeutil import Clock, utc_now
from console.node.fetch import Fetcher, FetchError, FolderFetcher
from console.node.sync import (
    LogProblem,
    SyncReport,
    _fetch_entries,
    _office_keys_in,
    remake_local_status_list,
    sync_all,
)


class _MemoryHashes:
    def __init__(self) -> None:
        self.hashes: dict[int, bytes] = {}

    def read_hashes(self, indexes: Sequence[int], /) -> list[bytes]:
        return [self.hashes[i] for i in indexes]


def read_own_log(fetcher: Fetcher, backup: KeyBackup) -> tuple[list[bytes], dict[bytes, bytes], bytes]:
    """The office's entries, the blobs they name, and the checkpoint, all checked against the signed root.

    Raises:
        LogProblem: naming the log and the file.
    """
    code = str(backup.office["code"])
    domain = str(backup.authority["domain"])
    origin = f"{domain}/{code}"
    try:
        data = fetcher.read(code, "checkpoint")
    except FileNotFoundError:
        raise LogProblem(code, "checkpoint", "missing: this office's log was never published to the folder") from None
    except FetchError as e:
        raise LogProblem(code, e.path, str(e).split(": ", 1)[-1]) from None
    try:
        text = data.decode()
        unverified = cp.parse_checkpoint_body(text[: text.rindex("\n\n") + 1])
    except (UnicodeDecodeError, ValueError, cp.CheckpointError) as e:
        raise LogProblem(code, "checkpoint", f"not a checkpoint ({e})") from None
    entries = _fetch_entries(fetcher, code, 0, unverified.size)[: unverified.size]
    keys = _office_keys_in(entries, bytes(backup.authority["root_public"]), domain, code)
    try:
        signed = cp.open_checkpoint(data, origin, [note.Verifier(origin, k) for k in keys])
    except cp.CheckpointError as e:
        raise LogProblem(code, "checkpoint", f"not signed by an office key the authority certified ({e})") from None
    hashes = _MemoryHashes()
    for n, entry in enumerate(entries):
        for i, h in enumerate(stored_hashes_for_record_hash(n, leaf_hash(entry), hashes)):
            hashes.hashes[stored_hash_index(0, n) + i] = h
    if proofs.tree_hash(signed.checkpoint.size, hashes) != signed.checkpoint.root:
        raise LogProblem(
            code, "tile/entries", "the entries do not hash to the signed checkpoint (changed or reordered)"
        )
    blobs: dict[bytes, bytes] = {}
    for n, entry in enumerate(entries):
        try:
            digest = cbor2.loads(cose.decode_sign1(entry).payload).get("blob")
        except Exception:
            continue  # the replay names a malformed entry
        if isinstance(digest, bytes) and len(digest) == 32 and digest not in blobs:
            path = f"blob/{digest.hex()}"
            try:
                blobs[digest] = fetcher.read(code, path)
            except FileNotFoundError:
                raise LogProblem(code, path, f"missing (entry {n} names it)") from None
            except FetchError as e:
                raise LogProblem(code, e.path, str(e).split(": ", 1)[-1]) from None
    return entries, blobs, data


def rebuild_from_folder(
    data_dir: Path,
    folder: Path,
    backup: KeyBackup,
    progress: Callable[[str], None] | None = None,
    clock: Clock = utc_now,
) -> tuple[RebuildResult, SyncReport]:
    """Rebuild the office of `backup` into `data_dir` from `folder`, then sync the other offices' logs.

    Raises:
        StorageError: the folder is missing.
        LedgerIntegrityError: the office's log in the folder is damaged (names the file), or an entry fails.
    """
    from console.core.office import Office

    folder = folder.expanduser().resolve()
    if not folder.is_dir():
        raise StorageError(f"The ledger folder {folder} does not exist or is not mounted; nothing was rebuilt.")
    fetcher = FolderFetcher(folder)
    try:
        entries, blobs, checkpoint = read_own_log(fetcher, backup)
    except LogProblem as e:
        raise LedgerIntegrityError(f"Cannot rebuild from the folder: {e}. Nothing was written.") from None
    result = rebuild_office(data_dir, backup, entries, blobs, checkpoint, str(folder))
    office = Office(data_dir, clock=clock)
    if backup.database_key is not None:  # issue 17: the other offices' records go into the encrypted registry
        office.unlock_personal(backup.database_key)
    report = SyncReport()
    sync_all(office.db.conn, fetcher, backup.secrets.records_key, data_dir / "ledger-evidence", report, progress)
    in_force = office.db.execute(
        "SELECT CAST(public_key AS BLOB) FROM office_keys WHERE office_code = ? AND valid_until IS NULL",
        (result.office,),
    ).fetchone()
    for seed in backup.secrets.signing_seeds:  # as after any sync: the local status list is re-made
        if in_force is not None and public_key_of(seed) == bytes(in_force[0]):
            remake_local_status_list(office, nacl.signing.SigningKey(seed))
    return result, report
