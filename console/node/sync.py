"""`ledger sync`: publish this office's log, then fetch, verify and apply every other office's log.

The checks for one log are pure functions of (what this office accepted before, the fetched bytes); the driver
only moves bytes and commits. Per log: read ``checkpoint``; learn the office keys the authority certified;
verify the checkpoint's signature; place it on the timeline (an older checkpoint is a replayed folder copy, a
different root at the same size or a tree that does not extend the accepted one is a fork); recompute the new
stored hashes from the entry bundles and require the signed root; compare every new hash tile byte for byte;
verify every entry's signature and its signer's role at that time; and only then, in one transaction, apply
the entries, store the log's hashes and move the accepted checkpoint. Any failure names the log and the file,
applies nothing from that log, and the next sync starts again from the last accepted checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cbor2
import nacl.public

from console.core import cose, ledgerapply, officelog
from console.core.errors import UserCancelled
from console.core.i18n import _
from console.core.ledger import checkpoint as cp
from console.core.ledger import note, proofs
from console.core.ledger.authn import InconsistentTileError, TileHashReader
from console.core.ledger.hashing import extend_stored_hashes, leaf_hash, stored_hash_index
from console.core.ledger.tiles import (
    ENTRIES_LEVEL,
    Tile,
    TileFormatError,
    decode_bundle,
    new_bundles,
    new_tiles,
    tile_data_indexes,
)
from console.core.ledger.timeline import Fork, Relation, relate
from console.core.timeutil import to_iso, utc_now
from console.node import sigworker
from console.node.fetch import Fetcher, FetchError

#: Called with (old size, new size, verified checkpoint) just before a log's new entries are committed.
BeforeCommit = Callable[[int, int, cp.SignedCheckpoint], None]


@dataclass
class LogProblem(Exception):
    """Why a log was not applied: the log, the file, and a sentence."""

    log: str
    file: str
    message: str
    forked: bool = False  # the log forked (evidence kept): reported under "forks", not "errors"

    def __str__(self) -> str:
        return refused_text(self.log, self.file, self.message)


def refused_text(log: str, file: str, message: str) -> str:
    """A refused log named with its file and why, in the console's language (as the sync reports it)."""
    return _("log {log}, file {file}: {message}").format(log=log, file=file, message=message)


def fork_reason(fork: Fork) -> str:
    """Why two checkpoints of a log cannot both be true, in the console's language (`Fork.reason`, kept in the
    evidence file, is the same sentence in English)."""
    small, large = fork.older.checkpoint.size, fork.newer.checkpoint.size
    if small == large:
        return _("two different roots at size {size}").format(size=small)
    return _("the checkpoint of size {large} does not extend the one of size {small}").format(large=large, small=small)


def forked_message(fork: Fork) -> str:
    return _("the log forked: {reason}; both checkpoints kept as evidence").format(reason=fork_reason(fork))


@dataclass
class SyncReport:
    published: dict[str, Any] = field(default_factory=dict)
    fetched: dict[str, int] = field(default_factory=dict)
    applied: dict[str, int] = field(default_factory=dict)
    forks: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "published": self.published,
            "fetched": self.fetched,
            "applied": self.applied,
            "forks": self.forks,
            "errors": self.errors,
        }


class _Overlay:
    """Stored hashes of a peer log: what this office stored before, plus the new ones in memory."""

    def __init__(self, conn: sqlite3.Connection, origin: str) -> None:
        self.db = officelog.SqliteHashReader(conn, origin)
        self.new: dict[int, bytes] = {}

    def read_hashes(self, indexes: Sequence[int], /) -> list[bytes]:
        missing = [i for i in indexes if i not in self.new]
        found = dict(zip(missing, self.db.read_hashes(missing), strict=True)) if missing else {}
        return [self.new[i] if i in self.new else found[i] for i in indexes]


class _FetchTiles:
    def __init__(self, fetcher: Fetcher, log: str) -> None:
        self.fetcher, self.log = fetcher, log

    def read_tiles(self, tiles: Sequence[Tile], /) -> list[bytes]:
        return [self.fetcher.read(self.log, t.path) for t in tiles]


def _unverified_checkpoint(log: str, data: bytes, origin: str) -> cp.Checkpoint:
    try:
        text = data.decode()
        body = text[: text.rindex("\n\n") + 1]
        found = cp.parse_checkpoint_body(body)
    except (UnicodeDecodeError, ValueError, cp.CheckpointError) as e:
        raise LogProblem(log, "checkpoint", _("not a checkpoint ({error})").format(error=e)) from None
    if found.origin != origin:
        raise LogProblem(
            log,
            "checkpoint",
            _("the checkpoint is for {found!r}, not {origin!r}").format(found=found.origin, origin=origin),
        )
    return found


def _office_keys_in(
    entries: list[bytes],
    authority_root: bytes,
    domain: str,
    code: str,
    decoded: Sequence[ledgerapply.Decoded] | None = None,
) -> list[bytes]:
    """Office keys the authority certified, found in certificates inside (not yet verified) entries (or in their
    `ledgerapply.decode_entries` results)."""
    keys = []
    payloads: list[Any] = []
    if decoded is not None:
        payloads = [d[1] for d in decoded if not isinstance(d, ledgerapply.EntryRejected)]
    else:
        for entry in entries:
            try:
                payloads.append(cbor2.loads(cose.decode_sign1(entry).payload))
            except Exception:
                continue
    for payload in payloads:
        if isinstance(payload, dict) and payload.get("type") in ("office.certified", "office.key-rotated"):
            cert = (payload.get("clear") or {}).get("certificate")
            if isinstance(cert, bytes):
                key = ledgerapply.office_key_from_certificate(cert, authority_root, domain, code)
                if key is not None:
                    keys.append(key)
    return keys


def sync_log(
    conn: sqlite3.Connection,
    fetcher: Fetcher,
    code: str,
    records_key: nacl.public.PrivateKey | None,
    evidence_dir: Path | None,
    before_commit: BeforeCommit | None = None,
) -> tuple[int, int]:
    """Fetch, verify and apply one office's log. Returns (entries fetched, entries applied).

    `before_commit(old size, new size, checkpoint)` runs after every check passed, inside the transaction that
    applies the entries (a peer node writes the verified files there: a failure rolls the apply back).

    Raises:
        LogProblem: the log is refused (nothing applied from it).
    """
    authority = conn.execute("SELECT CAST(root_public AS BLOB), domain FROM authority WHERE id = 1").fetchone()
    root_key, domain = bytes(authority[0]), str(authority[1])
    origin = f"{domain}/{code}"
    peer = conn.execute(
        "SELECT size, CAST(root AS BLOB), CAST(checkpoint AS BLOB), status FROM ledger_peers WHERE origin = ?",
        (origin,),
    ).fetchone()
    if peer is not None and peer[3] == "forked":
        raise LogProblem(
            code, "checkpoint", _("this log forked earlier; it is no longer applied (see `ledger status`)"), forked=True
        )
    known_size = int(peer[0]) if peer else 0
    known = (
        cp.SignedCheckpoint(cp.Checkpoint(origin, known_size, bytes(peer[1])), bytes(peer[2]))
        if peer and peer[2]
        else None
    )
    try:
        data = fetcher.read(code, "checkpoint")
    except FileNotFoundError:
        raise LogProblem(
            code, "checkpoint", _("missing; the log has not been published or the file was deleted")
        ) from None
    except FetchError as e:
        raise LogProblem(code, e.path, str(e).split(": ", 1)[-1]) from None
    incoming = _unverified_checkpoint(code, data, origin)
    size = incoming.size
    entries: list[bytes] = []
    if size > known_size:
        entries = _fetch_entries(fetcher, code, known_size, size)
    # every entry is decoded once, here; the checks below and the apply use the results. For a long run the
    # signatures are checked in a helper process from here on (sigworker), each with the key its kid names in
    # what is known so far: a guess that `_apply` keeps only where the key it finds is the same
    skip = known_size - (known_size // 256) * 256 if entries else 0
    checker = sigworker.signature_checker(len(entries) - skip)
    with checker:
        decoded = _decode_and_guess(conn, code, entries, skip, checker)
        keys = ledgerapply.certified_office_keys(conn, code) + _office_keys_in(entries, root_key, domain, code, decoded)
        overlay = _Overlay(conn, origin)
        try:
            signed = cp.open_checkpoint(data, origin, [note.Verifier(origin, k) for k in keys])
        except cp.CheckpointError as e:
            if known is None and entries:
                # The office key is learnt from the log itself: if the entries do not even match the (unverified)
                # checkpoint, the damaged file is a bundle or tile, and that is the file to name.
                _extend(overlay, 0, entries)
                unverified = cp.SignedCheckpoint(incoming, data)
                if proofs.tree_hash(size, overlay) != incoming.root:
                    _diagnose(conn, fetcher, code, None, unverified, overlay, evidence_dir)
            raise LogProblem(
                code,
                "checkpoint",
                _("not signed by a key the authority certified for office {code} ({error})").format(code=code, error=e),
            ) from None
        if size <= known_size:
            relation = relate(known, signed, lambda n: proofs.tree_hash(n, overlay))
            if isinstance(relation, Fork):
                _record_fork(conn, relation, evidence_dir)
                raise LogProblem(code, "checkpoint", forked_message(relation), forked=True)
            if relation is Relation.PAST:
                raise LogProblem(
                    code,
                    "checkpoint",
                    _(
                        "an older checkpoint ({size} entries) than the one this office accepted ({known}): an old copy "
                        "of the folder? Nothing was applied."
                    ).format(size=size, known=known_size),
                )
            return 0, 0
        # New entries: recompute the stored hashes and require the signed root.
        bundle_start = (known_size // 256) * 256
        for n in range(bundle_start, known_size):  # entries this office already has, repeated in a partial bundle
            if overlay.read_hashes([stored_hash_index(0, n)])[0] != leaf_hash(entries[n - bundle_start]):
                _diagnose(conn, fetcher, code, known, signed, overlay, evidence_dir)
        new = entries[known_size - bundle_start :]
        _extend(overlay, known_size, new)
        if proofs.tree_hash(size, overlay) != signed.checkpoint.root:
            _diagnose(conn, fetcher, code, known, signed, overlay, evidence_dir)
        for tile in new_tiles(known_size, size):
            try:
                found = fetcher.read(code, tile.path)
            except FileNotFoundError:
                raise LogProblem(code, tile.path, _("missing tile")) from None
            except FetchError as e:
                raise LogProblem(code, e.path, str(e).split(": ", 1)[-1]) from None
            if found != b"".join(overlay.read_hashes(tile_data_indexes(tile))):
                raise LogProblem(code, tile.path, _("the tile does not match the log's entries (changed or truncated)"))
        applied = _apply(
            conn,
            fetcher,
            code,
            origin,
            known_size,
            new,
            signed,
            overlay,
            records_key,
            before_commit,
            decoded[known_size - bundle_start :],
            checker,
        )
        return len(new), applied


def _decode_and_guess(
    conn: sqlite3.Connection,
    code: str,
    entries: list[bytes],
    skip: int,
    checker: ledgerapply.SignatureChecker | sigworker.ProcessSignatureChecker,
) -> list[ledgerapply.Decoded]:
    """`ledgerapply.decode_entries` in parts; with a helper process, each part's signatures are sent to it as
    soon as the part is decoded, each with the key its kid names (the office's known keys, and keys certified by
    the log's own enrolment entries, read without checking: `ledgerapply.KeyGuesses`). So the helper checks
    while this thread still hashes the entries and compares the tiles. Entries before `skip` are this office's
    already (a partial bundle repeated)."""
    if not isinstance(checker, sigworker.ProcessSignatureChecker):
        return ledgerapply.decode_entries(entries)
    guesses = ledgerapply.KeyGuesses(conn, code)
    headers: dict[bytes, dict[int, Any]] = {}
    decoded: list[ledgerapply.Decoded] = []
    for start in range(0, len(entries), 1024):
        part = ledgerapply.decode_entries(entries[start : start + 1024], headers)
        guesses.learn(part)
        for i, d in enumerate(part, start=start - skip):
            if i >= 0 and not isinstance(d, ledgerapply.EntryRejected):
                key = guesses.key(d[0])
                if key is not None:
                    checker.prefetch(i, ledgerapply.SignatureCheck(d[0], key, d[1]["officer"], entries[i + skip]))
        decoded.extend(part)
    return decoded


def _extend(overlay: _Overlay, start: int, entries: list[bytes]) -> None:
    """Add the stored hashes of `entries` (records start, start+1, ...) to the overlay: one pass from the tree's
    right edge (read once), in memory."""
    edge = overlay.read_hashes(proofs.tree_hash_indexes(start))
    sha = hashlib.sha256
    added, _edge = extend_stored_hashes(start, edge, [sha(b"\x00" + e).digest() for e in entries])
    first = stored_hash_index(0, start)
    overlay.new.update(zip(range(first, first + len(added)), added, strict=True))


def _fetch_entries(fetcher: Fetcher, code: str, old: int, new: int) -> list[bytes]:
    entries: list[bytes] = []
    for bundle in new_bundles(old, new):
        try:
            data = fetcher.read(code, bundle.path)
        except FileNotFoundError:
            raise LogProblem(code, bundle.path, _("missing entry bundle")) from None
        except FetchError as e:
            raise LogProblem(code, e.path, str(e).split(": ", 1)[-1]) from None
        try:
            entries.extend(decode_bundle(bundle, data))
        except TileFormatError as e:
            raise LogProblem(code, bundle.path, str(e).replace(f"{bundle.path} ", "")) from None
    return entries


def _diagnose(
    conn: sqlite3.Connection,
    fetcher: Fetcher,
    code: str,
    known: cp.SignedCheckpoint | None,
    signed: cp.SignedCheckpoint,
    overlay: _Overlay,
    evidence_dir: Path | None,
) -> None:
    """The entries do not give the signed root: a fork (the signed tiles disagree with what we accepted) or a
    changed file (which one). Always raises LogProblem."""
    tiles = TileHashReader(signed.checkpoint.size, signed.checkpoint.root, _FetchTiles(fetcher, code))
    try:
        if known is not None and known.checkpoint.size:
            relation = relate(
                known, signed, lambda n: proofs.tree_hash(n, tiles), lambda a, b: proofs.prove_consistency(a, b, tiles)
            )
            if isinstance(relation, Fork):
                _record_fork(conn, relation, evidence_dir)
                raise LogProblem(code, "checkpoint", forked_message(relation), forked=True)
        size = signed.checkpoint.size
        for bundle in new_bundles(known.checkpoint.size if known else 0, size):
            start, end = bundle.entry_range()
            want = tiles.read_hashes([stored_hash_index(0, n) for n in range(start, end)])
            got = [leaf_hash(e) for e in decode_bundle(bundle, fetcher.read(code, bundle.path))]
            if want != got:
                raise LogProblem(
                    code, bundle.path, _("the entries were changed or reordered (they do not match the signed tiles)")
                )
    except InconsistentTileError as e:
        raise LogProblem(
            code, e.tile.path, _("the tile does not hash to the signed checkpoint (changed or truncated)")
        ) from None
    except FileNotFoundError as e:
        raise LogProblem(code, str(e), _("missing file")) from None
    except FetchError as e:
        raise LogProblem(code, e.path, str(e).split(": ", 1)[-1]) from None
    raise LogProblem(code, "tile/entries", _("the entries do not hash to the signed checkpoint's root"))


def _record_fork(conn: sqlite3.Connection, fork: Fork, evidence_dir: Path | None) -> None:
    evidence = fork.to_json().decode()
    if evidence_dir is not None:
        from console.node import durable

        code = fork.origin.rsplit("/", 1)[-1]
        durable.ensure_dir(evidence_dir)
        name = f"fork-{code}-{fork.older.checkpoint.size}-{fork.newer.checkpoint.size}.json"
        durable.replace(evidence_dir / name, evidence.encode())
    conn.execute(
        "UPDATE ledger_peers SET status = 'forked', problem = ?, evidence = ?, updated_at = ? WHERE origin = ?",
        (fork.reason, evidence, to_iso(utc_now()), fork.origin),
    )


def _apply(
    conn: sqlite3.Connection,
    fetcher: Fetcher,
    code: str,
    origin: str,
    old: int,
    new: list[bytes],
    signed: cp.SignedCheckpoint,
    overlay: _Overlay,
    records_key: nacl.public.PrivateKey | None,
    before_commit: BeforeCommit | None = None,
    decoded: Sequence[ledgerapply.Decoded] | None = None,
    checker: ledgerapply.SignatureChecker | sigworker.ProcessSignatureChecker | None = None,
) -> int:
    def blob(digest: bytes) -> bytes | None:
        try:
            return fetcher.read(code, f"blob/{digest.hex()}")
        except (FileNotFoundError, FetchError):
            return None

    def problem(index: int, why: object) -> LogProblem:
        return LogProblem(
            code, Tile(ENTRIES_LEVEL, index // 256).path, _("entry {index}: {why}").format(index=index, why=why)
        )

    # Signatures are checked on other cores while this thread applies (in a helper process for long runs,
    # sigworker; on threads otherwise, ledgerapply.SignatureChecker), and all of them before the commit: the log
    # is applied in one transaction, so nothing an unchecked entry wrote survives a bad signature, and the first
    # bad one is named even when a later entry fails another check.
    if decoded is None:
        decoded = ledgerapply.decode_entries(new)
    context = ledgerapply.ApplyContext(conn, code)
    conn.execute("BEGIN IMMEDIATE")
    try:
        if checker is None:
            checker = sigworker.signature_checker(len(new))
        with checker, ledgerapply.SealedOpener(records_key, new, decoded=decoded) as opener:
            for offset, entry in enumerate(new):
                try:
                    payload = ledgerapply.verify_entry(
                        conn, code, entry, blob, defer=checker.add, context=context, decoded=decoded[offset]
                    )
                    ledgerapply.apply_entry(conn, code, payload, records_key, opener.get(offset), context)
                except ledgerapply.EntryRejected as e:
                    bad = checker.first_bad()
                    raise (problem(old + bad[0], bad[1]) if bad else problem(old + offset, e)) from None
            context.flush()
            # the log's stored hashes are written while the last signatures are still being checked: in this
            # transaction, so a bad signature below rolls them back with everything else
            conn.executemany(
                "INSERT OR REPLACE INTO ledger_peer_hashes (origin, idx, hash) VALUES (?, ?, ?)",
                [(origin, i, h) for i, h in sorted(overlay.new.items())],
            )
            bad = checker.first_bad()
        if bad is not None:
            raise problem(old + bad[0], bad[1])
        conn.execute(
            "INSERT INTO ledger_peers (origin, office_code, size, root, checkpoint, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, "
            "checkpoint = excluded.checkpoint, updated_at = excluded.updated_at",
            (origin, code, signed.checkpoint.size, signed.checkpoint.root, signed.note, to_iso(utc_now())),
        )
        if before_commit is not None:
            before_commit(old, signed.checkpoint.size, signed)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return len(new)


def sync_all(
    conn: sqlite3.Connection,
    fetcher: Fetcher,
    records_key: nacl.public.PrivateKey | None,
    evidence_dir: Path | None,
    report: SyncReport,
    progress: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    counted: Callable[[int, int], None] | None = None,
) -> SyncReport:
    """Fetch, verify and apply every other office's log in the folder.

    `cancel` stops between logs (each log is applied in one transaction or not at all); `counted` gets
    (logs done, logs in all) for a progress bar.
    """
    own = officelog.local_office_code(conn)
    codes = [c for c in fetcher.logs() if c != own]
    for done, code in enumerate(codes):
        if cancel is not None and cancel.is_set():
            raise UserCancelled(
                _("Sync cancelled after {done} of {total} logs; those are applied.").format(done=done, total=len(codes))
            )
        if counted is not None:
            counted(done, len(codes))
        if progress is not None:
            progress(code)
        try:
            fetched, applied = sync_log(conn, fetcher, code, records_key, evidence_dir)
        except LogProblem as e:
            forked = conn.execute(
                "SELECT evidence FROM ledger_peers WHERE office_code = ? AND status = 'forked'", (code,)
            ).fetchone()
            if forked is not None and e.forked:
                report.forks.append({"log": code, "reason": e.message, "evidence": json.loads(forked[0])})
            else:
                report.errors.append({"log": e.log, "file": e.file, "message": e.message})
            report.fetched.setdefault(code, 0)
            report.applied.setdefault(code, 0)
            continue
        report.fetched[code] = fetched
        report.applied[code] = applied
    if counted is not None:
        counted(len(codes), len(codes))
    return report


FOLDER_SETTING = "ledger_folder"


def configured_folder(conn: sqlite3.Connection) -> Path | None:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (FOLDER_SETTING,)).fetchone()
    return Path(row[0]) if row else None


def configure(session: Any, folder: Path) -> Path:
    """Remember the shared ledger folder (administrators: sync.configure)."""
    from console.core import events
    from console.core.roles import Permission
    from console.core.store import transaction

    session.require(Permission.SYNC_CONFIGURE, str(folder))
    folder = folder.expanduser().resolve()
    if not folder.is_dir():
        from console.core.errors import ValidationError

        raise ValidationError("folder", f"{folder} is not a folder; create it (or mount the share) first.")
    office = session.office
    with transaction(office.db) as conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (FOLDER_SETTING, str(folder)),
        )
        events.audit(
            conn,
            now=office.clock(),
            officer=session.username,
            action="ledger.configure",
            outcome="ok",
            detail=f"ledger folder {folder}",
        )
    return folder


def run_sync(
    session: Any,
    folder: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> SyncReport:
    """Publish this office's unpublished events, then fetch, verify and apply every other log (sync.run).

    With `progress` and `cancel` (the desktop console's task runner): progress in logs, and a cancel that stops
    between logs, after the publish (what is applied stays applied).
    """
    from console.core.errors import StorageError
    from console.core.roles import Permission
    from console.node.fetch import FolderFetcher
    from console.node.folder import office_signer, publish

    session.require(Permission.SYNC_RUN, str(folder))
    if not folder.is_dir():
        raise StorageError(f"The ledger folder {folder} does not exist or is not mounted; nothing was synced.")
    secrets = session.office_keys()
    conn = session.office.db.conn
    report = SyncReport()
    # the key in force from the session: a token-held office key (issue 17) signs the checkpoint in the token
    signer = office_signer(conn, secrets.signing_seeds, session.office_signing_key())
    done = publish(conn, folder, signer)
    report.published = {"log": done.log, "size": done.size, "new_entries": done.size - done.old_size}
    evidence = Path(session.office.paths.data_dir) / "ledger-evidence"
    sync_all(conn, FolderFetcher(folder), secrets.records_key, evidence, report, cancel=cancel, counted=progress)
    remake_local_status_list(session.office, session.office_signing_key())
    return report


def remake_local_status_list(office: Any, signing_key: Any) -> bool:
    """Re-make the local office's status list after a sync (statusservice.refresh): a fresh `iat` and `exp`, so
    the list `status-list export` and the verifier site publish never goes stale while offices sync. An office
    that never issued has no list and gets none. Returns whether a list was re-made."""
    from console.core import statusservice
    from console.core.issuance import issuer_id

    code = office.local_office()["code"]
    if office.db.execute("SELECT 1 FROM status_lists WHERE office_code = ?", (code,)).fetchone() is None:
        return False
    statusservice.refresh(office, signing_key, issuer_id(office, code))
    return True


def _shown_problem(status: str, problem: str | None, evidence: str | None) -> str | None:
    """A forked log's problem in the console's language: the stored sentence (and the evidence file's "reason")
    is English; the sizes come from the evidence's two signed checkpoints (their second lines)."""
    if status != "forked" or not evidence:
        return problem
    try:
        notes = json.loads(evidence)["checkpoints"]
        small, large = (int(str(n).split("\n")[1]) for n in notes)
    except (ValueError, KeyError, IndexError, TypeError):
        return problem
    if small == large:
        return _("two different roots at size {size}").format(size=small)
    return _("the checkpoint of size {large} does not extend the one of size {small}").format(large=large, small=small)


def status(conn: sqlite3.Connection) -> dict[str, Any]:
    """What `ledger status` shows: where this office syncs (folder, peer node), its log, and every other log it
    follows."""
    head = officelog.quick_check(conn)
    row = conn.execute("SELECT size, updated_at FROM ledger_published WHERE id = 1").fetchone()
    folder = configured_folder(conn)
    peers = [
        {
            "log": r[0],
            "origin": r[1],
            "size": int(r[2]),
            "status": r[3],
            "problem": _shown_problem(r[3], r[4], r[6]),
            "updated_at": r[5],
            "evidence": json.loads(r[6]) if r[6] else None,
        }
        for r in conn.execute(
            "SELECT office_code, origin, size, status, problem, updated_at, evidence FROM ledger_peers ORDER BY office_code"
        )
    ]
    peer = conn.execute("SELECT value FROM settings WHERE key = 'ledger_peer'").fetchone()  # peer.PEER_SETTING
    return {
        "folder": str(folder) if folder else None,
        "peer": str(peer[0]) if peer else None,
        "log": {
            "office": officelog.local_office_code(conn),
            "size": head.size if head else 0,
            "published": int(row[0]) if row else 0,
            "published_at": row[1] if row else None,
        },
        "logs": peers,
        "forks": [p["log"] for p in peers if p["status"] == "forked"],
    }
