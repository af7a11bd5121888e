"""Authenticated reads of stored hashes from untrusted tiles (G tlog/tile.go `TileHashReader`).

The reader plans which tiles prove the wanted hashes for a tree (size, root): the tiles of the tree's right
edge first, then any parent chain down to the wanted tiles. It reads them in one call, checks the edge against
the root and every other tile against its parent, parents first, and only then answers. Until that check the
bytes are suspect and never returned or saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from console.core.ledger.hashing import HASH_SIZE, node_hash, stored_hash_index
from console.core.ledger.proofs import _subtree_indexes
from console.core.ledger.tiles import FULL_WIDTH, HEIGHT, Tile, hash_from_tile, tile_for_index, tile_hash


class TileReader(Protocol):
    """Reads hash tiles (raising FileNotFoundError for a missing one)."""

    def read_tiles(self, tiles: Sequence[Tile], /) -> list[bytes]: ...


class InconsistentTileError(ValueError):
    """A tile does not hash to what the signed root (or its parent tile) says."""

    def __init__(self, tile: Tile, message: str) -> None:
        super().__init__(message)
        self.tile = tile


def tile_parent(tile: Tile, k: int, size: int) -> Tile | None:
    """The tile k levels above `tile`, trimmed to the tree of `size` (None if empty)."""
    level = tile.level + k
    n = tile.n >> (k * HEIGHT)
    width = FULL_WIDTH
    limit = size >> (level * HEIGHT)
    if (n << HEIGHT) + width >= limit:
        if (n << HEIGHT) >= limit:
            return None
        width = limit - (n << HEIGHT)
    return Tile(level, n, width)


class TileHashReader:
    """A HashReader for the tree (`size`, `root`) over untrusted tiles from `reader`."""

    def __init__(self, size: int, root: bytes, reader: TileReader) -> None:
        self.size = size
        self.root = root
        self.reader = reader

    def read_hashes(self, indexes: Sequence[int], /) -> list[bytes]:
        order: dict[Tile, int] = {}
        tiles: list[Tile] = []
        stx = _subtree_indexes(0, self.size, [])
        stx_order: list[int] = []
        for x in stx:
            t0, _, _ = tile_for_index(x)
            t = tile_parent(t0, 0, self.size)
            assert t is not None
            if t not in order:
                order[t] = len(tiles)
                tiles.append(t)
            stx_order.append(order[t])
        edge_count = len(tiles)  # G loops from len(stx), which skips tiles when two edge hashes share a tile
        index_order: list[int] = []
        limit = stored_hash_index(0, self.size)
        for x in indexes:
            if x >= limit:
                raise ValueError(f"stored hash {x} is not in a tree of {self.size}")
            t0, _, _ = tile_for_index(x)
            k = 0
            while True:
                p = tile_parent(t0, k, self.size)
                if p is not None and p in order:
                    break
                k += 1
            if k == 0:
                p0 = tile_parent(t0, 0, self.size)
                assert p0 is not None
                index_order.append(order[p0])
            for j in range(k - 1, -1, -1):
                p = tile_parent(t0, j, self.size)
                assert p is not None
                if p.width != FULL_WIDTH:
                    raise AssertionError("bad math in TileHashReader")
                order[p] = len(tiles)
                tiles.append(p)
                if j == 0:
                    index_order.append(order[p])
        data = self.reader.read_tiles(tiles)
        if len(data) != len(tiles):
            raise AssertionError("TileReader returned the wrong number of tiles")
        for t, d in zip(tiles, data, strict=True):
            if len(d) != t.width * HASH_SIZE:
                raise InconsistentTileError(t, f"{t.path} is {len(d)} bytes, not {t.width * HASH_SIZE}")
        th = hash_from_tile(tiles[stx_order[-1]], data[stx_order[-1]], stx[-1])
        for i in range(len(stx) - 2, -1, -1):
            th = node_hash(hash_from_tile(tiles[stx_order[i]], data[stx_order[i]], stx[i]), th)
        if th != self.root:
            edge = tiles[stx_order[-1]]
            raise InconsistentTileError(edge, f"the tiles of the right edge do not hash to the root (e.g. {edge.path})")
        for i in range(edge_count, len(tiles)):
            t = tiles[i]
            p = tile_parent(t, 1, self.size)
            assert p is not None and p in order
            h = hash_from_tile(p, data[order[p]], stored_hash_index(p.level * HEIGHT, t.n))
            if h != tile_hash(data[i]):
                raise InconsistentTileError(t, f"{t.path} does not match its parent tile {p.path}")
        return [hash_from_tile(tiles[j], data[j], x) for j, x in zip(index_order, indexes, strict=True)]
