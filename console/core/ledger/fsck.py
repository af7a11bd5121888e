"""fsck: rebuild every tile of a log from its entry bundles and compare byte for byte (T fsck/fsck.go).

Sans-I/O: the caller passes `read(path) -> bytes` (FileNotFoundError for a missing file) and the list of paths
present. The check streams the bundles in order, so memory stays at one tile per level plus one hash per full
tile. Every problem is reported as a `Fault` naming the file; older partial tiles (kept write-once for earlier
checkpoints) must be prefixes of the current ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from console.core.ledger.hashing import HASH_SIZE, leaf_hash, node_hash
from console.core.ledger.tiles import (
    ENTRIES_LEVEL,
    FULL_WIDTH,
    Tile,
    TileFormatError,
    all_tiles,
    decode_bundle,
    parse_tile_path,
    tile_data_indexes,
    tile_hash,
    width_at,
)

Reader = Callable[[str], bytes]
EntryCheck = Callable[[int, bytes], str | None]


@dataclass(frozen=True)
class Fault:
    """One problem with one file of a log."""

    path: str
    message: str


@dataclass
class FsckReport:
    size: int
    faults: list[Fault] = field(default_factory=list)
    entries_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.faults


class _CompactRange:
    """The right edge of a Merkle tree being built leaf by leaf (O(log n) memory)."""

    def __init__(self) -> None:
        self.stack: list[bytes] = []
        self.count = 0

    def append(self, h: bytes) -> None:
        n = self.count
        while n & 1:
            h = node_hash(self.stack.pop(), h)
            n >>= 1
        self.stack.append(h)
        self.count += 1

    def root(self) -> bytes:
        h = self.stack[-1]
        for left in reversed(self.stack[:-1]):
            h = node_hash(left, h)
        return h


def fsck(
    size: int,
    root: bytes,
    read: Reader,
    present: Iterable[str] = (),
    check_entry: EntryCheck | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> FsckReport:
    """Check a log of `size` records with root `root`.

    Args:
        present: every file path under the log's folder besides ``checkpoint`` (to find extra and older files).
        check_entry: called with (index, entry); a returned string is a fault of that entry's bundle.
    """
    report = FsckReport(size)
    expected = {t.path: t for t in all_tiles(size)}
    builder = _TileBuilder(report, read)
    tree = _CompactRange()
    for bundle in (t for t in all_tiles(size) if t.level == ENTRIES_LEVEL):
        try:
            entries = decode_bundle(bundle, read(bundle.path))
        except FileNotFoundError:
            report.faults.append(Fault(bundle.path, "missing entry bundle"))
            return report
        except TileFormatError as e:
            report.faults.append(Fault(bundle.path, str(e)))
            return report
        start, _ = bundle.entry_range()
        for offset, entry in enumerate(entries):
            if check_entry is not None:
                problem = check_entry(start + offset, entry)
                if problem:
                    report.faults.append(Fault(bundle.path, f"entry {start + offset}: {problem}"))
            h = leaf_hash(entry)
            tree.append(h)
            builder.add(0, h)
        report.entries_checked += len(entries)
        if progress is not None:
            progress(report.entries_checked, size)
    if not size:
        return report
    entries_ok = tree.root() == root
    if not entries_ok:
        report.faults.append(Fault("checkpoint", "the entries do not hash to the checkpoint's root"))
    builder.finish()
    if not entries_ok:
        _blame_bundles(report, read, size, root)
    _check_extras(report, read, expected, present, size)
    return report


class _TileBuilder:
    """Rebuilds hash tiles level by level as leaf hashes stream in; compares each as soon as it is final."""

    def __init__(self, report: FsckReport, read: Reader) -> None:
        self.report = report
        self.read = read
        self.pending: dict[int, list[bytes]] = {}
        self.next_n: dict[int, int] = {}

    def add(self, level: int, h: bytes) -> None:
        hashes = self.pending.setdefault(level, [])
        hashes.append(h)
        if len(hashes) == FULL_WIDTH:
            n = self.next_n.get(level, 0)
            data = b"".join(hashes)
            self.pending[level] = []
            self.next_n[level] = n + 1
            self._compare(Tile(level, n), data)
            self.add(level + 1, tile_hash(data))

    def finish(self) -> None:
        for level, hashes in sorted(self.pending.items()):
            if hashes:
                self._compare(Tile(level, self.next_n.get(level, 0), len(hashes)), b"".join(hashes))

    def _compare(self, tile: Tile, data: bytes) -> None:
        try:
            found = self.read(tile.path)
        except FileNotFoundError:
            self.report.faults.append(Fault(tile.path, "missing tile"))
            return
        if found != data:
            self.report.faults.append(Fault(tile.path, "tile differs from the one rebuilt from the entries"))


def _blame_bundles(report: FsckReport, read: Reader, size: int, root: bytes) -> None:
    """When the entries miss the root: a level-0 tile that still authenticates against the signed root means its
    bundle, not the tile, was changed; name the bundle instead of the tile."""
    from console.core.ledger.authn import InconsistentTileError, TileHashReader

    class _Tiles:
        def read_tiles(self, tiles: Sequence[Tile], /) -> list[bytes]:
            return [read(t.path) for t in tiles]

    reader = TileHashReader(size, root, _Tiles())
    for fault in list(report.faults):
        try:
            tile = parse_tile_path(fault.path)
        except TileFormatError:
            continue
        if tile.level != 0:
            continue
        try:
            reader.read_hashes(tile_data_indexes(tile))
        except (InconsistentTileError, FileNotFoundError, TileFormatError, ValueError):
            continue
        report.faults.remove(fault)
        bundle = Tile(ENTRIES_LEVEL, tile.n, tile.width)
        report.faults.append(Fault(bundle.path, "the entries were changed or reordered (the signed tiles disagree)"))


def _check_extras(
    report: FsckReport, read: Reader, expected: dict[str, Tile], present: Iterable[str], size: int
) -> None:
    for path in sorted(set(present)):
        if path in expected:
            continue
        try:
            tile = parse_tile_path(path)
        except TileFormatError:
            report.faults.append(Fault(path, "extra file that is not part of the log"))
            continue
        current = width_at(tile.level, tile.n, size)
        if current == 0 or tile.width >= current:
            report.faults.append(Fault(path, "extra tile beyond the checkpoint's tree"))
            continue
        full = expected[Tile(tile.level, tile.n, current).path]
        try:
            mine, theirs = read(path), read(full.path)
        except FileNotFoundError:
            continue
        if tile.level == ENTRIES_LEVEL:
            try:
                ok = decode_bundle(tile, mine) == decode_bundle(full, theirs)[: tile.width]
            except TileFormatError:
                ok = False
        else:
            ok = mine == theirs[: tile.width * HASH_SIZE]
        if not ok:
            report.faults.append(Fault(path, "older partial tile differs from the current tile"))
