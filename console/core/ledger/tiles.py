"""C2SP tlog-tiles: tile coordinates and paths, partial widths, and the hash-tile and entry-bundle codecs.

Paths are ``tile/<L>/<N>[.p/<W>]`` for hash tiles and ``tile/entries/<N>[.p/<W>]`` for entry bundles, N in
3-digit groups with ``x`` prefixes (``x001/x234/067``). Parsing is strict: a path is accepted only if it
re-encodes to exactly the same string (G tlog/tile.go `ParseTilePath`), so "tile/0/1" or "tile/00/001" or
"tile/0/001.p/256" never name a tile. Tile height is fixed at 8 (256 hashes per full tile).
Entries are at most 65,535 bytes: a bundle gives each a big-endian uint16 length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from console.core.ledger.hashing import HASH_SIZE, node_hash, split_stored_hash_index, stored_hash_index

HEIGHT = 8
FULL_WIDTH = 1 << HEIGHT
MAX_ENTRY_SIZE = 65_535
ENTRIES_LEVEL = -1  # the entry bundles ("data tiles" in G) sit below level 0
_PATH_BASE = 1000


class TileFormatError(ValueError):
    """A tile path or tile contents are not well formed."""


@dataclass(frozen=True, order=True)
class Tile:
    """One tile: `level` (-1 for an entry bundle), index `n` in its level, `width` hashes/entries (1..256)."""

    level: int
    n: int
    width: int = FULL_WIDTH

    @property
    def is_partial(self) -> bool:
        return self.width != FULL_WIDTH

    @property
    def path(self) -> str:
        """The tlog-tiles path of this tile."""
        n = self.n
        text = f"{n % _PATH_BASE:03d}"
        while n >= _PATH_BASE:
            n //= _PATH_BASE
            text = f"x{n % _PATH_BASE:03d}/{text}"
        level = "entries" if self.level == ENTRIES_LEVEL else str(self.level)
        partial = f".p/{self.width}" if self.is_partial else ""
        return f"tile/{level}/{text}{partial}"

    def full(self) -> Tile:
        """The full tile this (partial) tile grows into."""
        return Tile(self.level, self.n)

    def entry_range(self) -> tuple[int, int]:
        """For an entry bundle: the record numbers [start, end) it holds."""
        start = self.n * FULL_WIDTH
        return start, start + self.width


def parse_tile_path(path: str) -> Tile:
    """The tile a path names; strict round trip.

    Raises:
        TileFormatError: the path is not exactly a canonical tlog-tiles path.
    """
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise TileFormatError(f"not a tile path: {path!r}")
    if parts[1] == "entries":
        level = ENTRIES_LEVEL
    elif parts[1].isascii() and parts[1].isdigit() and len(parts[1]) <= 2:
        level = int(parts[1])
        if level > 63:
            raise TileFormatError(f"tile level out of range: {path!r}")
    else:
        raise TileFormatError(f"not a tile path: {path!r}")
    rest = parts[2:]
    width = FULL_WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        w = rest[-1]
        if not (w.isascii() and w.isdigit() and 1 <= len(w) <= 3):
            raise TileFormatError(f"bad partial width in {path!r}")
        width = int(w)
        if not 1 <= width < FULL_WIDTH:
            raise TileFormatError(f"bad partial width in {path!r}")
        rest = [*rest[:-2], rest[-2][: -len(".p")]]
    n = 0
    for part in rest:
        digits = part[1:] if part.startswith("x") else part
        if not (len(digits) == 3 and digits.isascii() and digits.isdigit()):
            raise TileFormatError(f"bad tile index in {path!r}")
        n = n * _PATH_BASE + int(digits)
    tile = Tile(level, n, width)
    if tile.path != path:
        raise TileFormatError(f"not a canonical tile path: {path!r}")
    return tile


def width_at(level: int, n: int, size: int) -> int:
    """Width of tile `n` at `level` (ENTRIES_LEVEL counts as 0) in a tree of `size`; 0 if it is empty."""
    count = size >> (HEIGHT * max(level, 0))
    return max(0, min(FULL_WIDTH, count - n * FULL_WIDTH))


def new_tiles(old_size: int, new_size: int) -> list[Tile]:
    """The hash tiles a tree growing from `old_size` to `new_size` writes (G `NewTiles`), lowest level first."""
    tiles: list[Tile] = []
    level = 0
    while new_size >> (HEIGHT * level) > 0:
        old_n = old_size >> (HEIGHT * level)
        new_n = new_size >> (HEIGHT * level)
        if old_n != new_n:
            for n in range(old_n >> HEIGHT, new_n >> HEIGHT):
                tiles.append(Tile(level, n))
            n = new_n >> HEIGHT
            w = new_n - (n << HEIGHT)
            if w > 0:
                tiles.append(Tile(level, n, w))
        level += 1
    return tiles


def new_bundles(old_size: int, new_size: int) -> list[Tile]:
    """The entry bundles that change when the log grows from `old_size` to `new_size`."""
    return [Tile(ENTRIES_LEVEL, t.n, t.width) for t in new_tiles(old_size, new_size) if t.level == 0]


def all_tiles(size: int) -> list[Tile]:
    """Every hash tile and entry bundle of a tree of `size` (what fsck expects to find)."""
    hashes = new_tiles(0, size)
    return hashes + [Tile(ENTRIES_LEVEL, t.n, t.width) for t in hashes if t.level == 0]


def tile_for_index(index: int) -> tuple[Tile, int, int]:
    """The smallest tile holding stored hash `index`, and its byte range in that tile's data."""
    level, n = split_stored_hash_index(index)
    tile_level = level // HEIGHT
    level -= tile_level * HEIGHT
    tn = (n << level) >> HEIGHT
    n -= (tn << HEIGHT) >> level
    width = (n + 1) << level
    return Tile(tile_level, tn, width), (n << level) * HASH_SIZE, ((n + 1) << level) * HASH_SIZE


def tile_hash(data: bytes) -> bytes:
    """The Merkle hash of a run of 2^k hashes (a tile's subtree)."""
    if len(data) == HASH_SIZE:
        return data
    if not data or len(data) % (2 * HASH_SIZE):
        raise AssertionError("bad math in tile_hash")
    half = len(data) // 2
    return node_hash(tile_hash(data[:half]), tile_hash(data[half:]))


def hash_from_tile(tile: Tile, data: bytes, index: int) -> bytes:
    """Stored hash `index` from the data of `tile` (which must cover it)."""
    if len(data) < tile.width * HASH_SIZE:
        raise TileFormatError(f"{tile.path} is {len(data)} bytes, too short for width {tile.width}")
    t1, start, end = tile_for_index(index)
    if tile.level != t1.level or tile.n != t1.n or tile.width < t1.width:
        raise TileFormatError(f"stored hash {index} is in {t1.path}, not {tile.path}")
    return tile_hash(data[start:end])


def tile_data_indexes(tile: Tile) -> list[int]:
    """The stored-hash indexes whose concatenation is the tile's data (G `ReadTileData`)."""
    start = tile.n << HEIGHT
    return [stored_hash_index(HEIGHT * tile.level, start + i) for i in range(tile.width)]


def encode_hash_tile(hashes: Sequence[bytes]) -> bytes:
    if not 1 <= len(hashes) <= FULL_WIDTH or any(len(h) != HASH_SIZE for h in hashes):
        raise TileFormatError("a hash tile holds 1 to 256 hashes of 32 bytes")
    return b"".join(hashes)


def decode_hash_tile(tile: Tile, data: bytes) -> list[bytes]:
    """The hashes of a hash tile; the length must be exactly width × 32."""
    if len(data) != tile.width * HASH_SIZE:
        raise TileFormatError(f"{tile.path} is {len(data)} bytes; a tile of width {tile.width} is {tile.width * 32}")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def encode_bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle: each entry as a big-endian uint16 length then its bytes."""
    if not 1 <= len(entries) <= FULL_WIDTH:
        raise TileFormatError("an entry bundle holds 1 to 256 entries")
    out = bytearray()
    for e in entries:
        if len(e) > MAX_ENTRY_SIZE:
            raise TileFormatError(f"an entry of {len(e)} bytes exceeds the {MAX_ENTRY_SIZE}-byte limit")
        out += len(e).to_bytes(2, "big") + e
    return bytes(out)


def decode_bundle(tile: Tile, data: bytes) -> list[bytes]:
    """The entries of a bundle; exactly `tile.width` of them and no dangling bytes."""
    entries: list[bytes] = []
    i, size, width = 0, len(data), tile.width
    while i < size:
        if i + 2 > size:
            raise TileFormatError(f"{tile.path} ends inside an entry length")
        end = i + 2 + ((data[i] << 8) | data[i + 1])
        if end > size:
            raise TileFormatError(f"{tile.path} ends inside entry {len(entries)}")
        entries.append(data[i + 2 : end])
        i = end
        if len(entries) > width:
            raise TileFormatError(f"{tile.path} holds more than {width} entries")
    if len(entries) != tile.width:
        raise TileFormatError(f"{tile.path} holds {len(entries)} entries, not {tile.width}")
    return entries
